/* mutant: installs the handlers with SA_RESTART: waitpid resumes after a signal, so a noted signal waits until some child happens to exit
 * file: chapters/05-pid/pid.c
 * task: install init_note_signal for every signal in init_forwarded
 */
	struct sigaction sa = { .sa_handler = init_note_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++)
		if (sigaction(init_forwarded[i], &sa, NULL) < 0)
			return dd_fail(err, errno, "Cannot catch signal %d in the init",
				       init_forwarded[i]);
	return 0;
