/* mutant: goes back to waitpid on EINTR before forwarding: the signal that interrupted the wait is noted but never sent
 * file: chapters/05-pid/pid.c
 * task: reap every child with waitpid(-1), forwarding noted signals to main_pid, until main_pid has exited; return its exit code
 */
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0 && errno == EINTR)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++) {
			int sig = init_forwarded[i];

			if (init_pending[sig]) {
				init_pending[sig] = 0;
				kill(main_pid, sig);
			}
		}
		if (pid < 0)
			return dd_fail(err, errno, "Init cannot wait for its children");
		if (pid == main_pid)
			return proc_exit_code(status, exit_code, err);
	}
