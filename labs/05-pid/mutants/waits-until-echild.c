/* mutant: waits until no child is left (ECHILD) before exiting: a background job (sh -c 'sleep 8 & exit 3') holds the container up
 * file: chapters/05-pid/pid.c
 * task: reap every child with waitpid(-1), forwarding noted signals to main_pid, until main_pid has exited; return its exit code
 */
	int main_status = 0;
	bool main_done = false;

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
		if (pid < 0 && errno == ECHILD && main_done)
			return proc_exit_code(main_status, exit_code, err);
		if (pid < 0)
			return dd_fail(err, errno, "Init cannot wait for its children");
		if (pid == main_pid) {
			main_status = status;
			main_done = true;
		}
	}
