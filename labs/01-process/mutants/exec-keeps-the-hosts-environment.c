/* mutant: execs with drydock's own environment: the container's env never reaches the command
 * file: chapters/01-process/process.c
 * task: chdir to the working directory, install the container's environment, and execvp the command; map ENOENT to exit 127 and other failures to 126
 */
	if (chdir(cfg->cwd) < 0)
		return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno,
				    "Cannot change to working directory '%s'", cfg->cwd);
	execvp(cfg->args[0], cfg->args);
	if (errno == ENOENT || errno == ENOTDIR)
		return dd_fail_kind(err, DD_ERR_NOT_FOUND, errno,
				    "Cannot run '%s': executable file not found in $PATH",
				    cfg->args[0]);
	return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno, "Cannot execute '%s'", cfg->args[0]);
