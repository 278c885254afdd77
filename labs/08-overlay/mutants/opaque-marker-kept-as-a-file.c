/* mutant: treats .wh..wh..opq like any whiteout: a whiteout named '.wh..opq' instead of the opaque attribute on the directory
 * file: chapters/08-overlay/overlay.c
 * task: ".wh..wh..opq" sets trusted.overlay.opaque="y" on the directory; ".wh.NAME" replaces NAME with a 0/0 character device; anything else is not a whiteout
 */
	const char *name;

	if (strncmp(base, OVERLAY_WHITEOUT_PREFIX, strlen(OVERLAY_WHITEOUT_PREFIX)) != 0)
		return 0;
	name = base + strlen(OVERLAY_WHITEOUT_PREFIX);
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return dd_fail(err, EINVAL, "Refusing whiteout '%s': it names no file", base);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT &&
	    unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		return dd_fail(err, errno, "Cannot replace '%s' with a whiteout", name);
	if (mknodat(dirfd, name, S_IFCHR | 0, makedev(0, 0)) < 0)
		return dd_fail(err, errno, "Cannot create the whiteout of '%s'", name);
	return 1;
