/* mutant: resolves the parent without RESOLVE_IN_ROOT: a symlink in the archive to /tmp leads the extraction onto the host
 * file: chapters/07-rootfs/safepath.c
 * task: open the directory holding name with openat2(RESOLVE_IN_ROOT), creating it inside the root if asked, and point *base at the last component
 */
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	};
	const char *slash = strrchr(name, '/');
	_cleanup_free_ char *dir = strndup(name, slash ? (size_t)(slash - name) : 0);
	int fd;

	if (!dir)
		return dd_fail(err, ENOMEM, "Cannot extract '%s'", name);
	*base = slash ? slash + 1 : name;
	fd = syscall(SYS_openat2, rootfd, *dir ? dir : ".", &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if (errno != ENOENT || !create)
		return dd_fail(err, errno, "Cannot open '/%s' inside the root", dir);
	return dd_mkdir_in_root(rootfd, dir, 0755, err);
