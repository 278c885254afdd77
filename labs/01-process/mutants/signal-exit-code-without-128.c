/* mutant: reports a death by signal N as exit code N, not 128+N
 * file: chapters/01-process/process.c
 * task: turn a wait status into Docker's exit code: the status, or 128+N for signal N
 */
	if (WIFEXITED(wstatus))
		*exit_code = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		*exit_code = WTERMSIG(wstatus);
	else
		return dd_fail(err, EINVAL, "Unexpected wait status %#x", wstatus);
	return 0;
