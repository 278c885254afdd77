/* mutant: reports a failed open without naming the namespace file
 * file: chapters/02-namespaces/namespaces.c
 * task: open the namespace file and setns(2) into it
 */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dd_fail(err, errno, "Cannot open the namespace");
	if (setns(fd, nstype) < 0)
		return dd_fail(err, errno, "Cannot join namespace '%s'", path);
	return 0;
