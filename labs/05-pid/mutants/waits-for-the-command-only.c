/* mutant: waits for the command's pid only: orphans handed to the init stay zombies
 * file: chapters/05-pid/pid.c
 * task: reap every child with waitpid(-1), forwarding noted signals to main_pid, until main_pid has exited; return its exit code
 */
	for (;;) {
		int status;
		pid_t pid = waitpid(main_pid, &status, 0);

		for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++) {
			int sig = init_forwarded[i];

			if (init_pending[sig]) {
				init_pending[sig] = 0;
				kill(main_pid, sig);
			}
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return dd_fail(err, errno, "Init cannot wait for its children");
		return proc_exit_code(status, exit_code, err);
	}
