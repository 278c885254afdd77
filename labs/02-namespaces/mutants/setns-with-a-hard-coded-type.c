/* mutant: passes a hard-coded CLONE_NEWNS to setns instead of the namespace type asked for
 * file: chapters/02-namespaces/namespaces.c
 * task: open the namespace file and setns(2) into it
 */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dd_fail(err, errno, "Cannot open namespace '%s'", path);
	if (setns(fd, CLONE_NEWNS) < 0)
		return dd_fail(err, errno, "Cannot join namespace '%s'", path);
	return 0;
