/* mutant: maps every exec failure to 127 (not found), so a file without x permission does not give 126
 * file: chapters/01-process/process.c
 * task: chdir to the working directory, install the container's environment, and execvp the command; map ENOENT to exit 127 and other failures to 126
 */
	if (chdir(cfg->cwd) < 0)
		return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno,
				    "Cannot change to working directory '%s'", cfg->cwd);
	environ = cfg->env;
	execvp(cfg->args[0], cfg->args);
	return dd_fail_kind(err, DD_ERR_NOT_FOUND, errno, "Cannot run '%s'", cfg->args[0]);
