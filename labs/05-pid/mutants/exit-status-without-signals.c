/* mutant: returns WEXITSTATUS of the command's status: a command killed by signal N exits 0 instead of 128+N
 * file: chapters/05-pid/pid.c
 * task: reap every child with waitpid(-1), forwarding noted signals to main_pid, until main_pid has exited; return its exit code
 */
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

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
		if (pid == main_pid) {
			*exit_code = WEXITSTATUS(status);
			return 0;
		}
	}
