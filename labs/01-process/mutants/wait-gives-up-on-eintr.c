/* mutant: treats EINTR from waitpid as a failure: the forwarded signal interrupts the wait and drydock gives up on the container
 * file: chapters/01-process/process.c
 * task: waitpid for pid (retrying after EINTR: a forwarded signal interrupts it), then compute the exit code
 */
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return dd_fail(err, errno, "Cannot wait for the container (pid %d)", pid);
	return proc_exit_code(status, exit_code, err);
