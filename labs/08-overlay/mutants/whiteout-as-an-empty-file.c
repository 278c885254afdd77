/* mutant: writes a whiteout as an empty regular file: overlayfs shows it as an empty file instead of hiding the name
 * file: chapters/08-overlay/overlay.c
 * task: ".wh..wh..opq" sets trusted.overlay.opaque="y" on the directory; ".wh.NAME" replaces NAME with a 0/0 character device; anything else is not a whiteout
 */
	const char *name;

	if (strncmp(base, OVERLAY_WHITEOUT_PREFIX, strlen(OVERLAY_WHITEOUT_PREFIX)) != 0)
		return 0;
	if (!strcmp(base, OVERLAY_OPAQUE_MARKER)) {
		_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 || fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return dd_fail(err, errno, "Cannot mark a directory opaque for '%s'", base);
		return 1;
	}
	name = base + strlen(OVERLAY_WHITEOUT_PREFIX);
	if (!strncmp(name, OVERLAY_WHITEOUT_PREFIX, strlen(OVERLAY_WHITEOUT_PREFIX)))
		return 1;
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return dd_fail(err, EINVAL, "Refusing whiteout '%s': it names no file", base);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT &&
	    unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		return dd_fail(err, errno, "Cannot replace '%s' with a whiteout", name);
	if (mknodat(dirfd, name, S_IFREG | 0644, 0) < 0)
		return dd_fail(err, errno, "Cannot create the whiteout of '%s'", name);
	return 1;
