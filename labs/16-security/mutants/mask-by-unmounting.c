/* mutant: "masks" by unmounting the path: /proc/kcore is a file of procfs, not a mount, so umount fails with EINVAL, which is taken for nothing to do, and nothing is hidden
 * file: chapters/16-security/paths.c
 * task: hide each path that exists: bind /dev/null over a file, mount an empty read-only tmpfs over a directory
 */
	for (size_t i = 0; paths && paths[i]; i++) {
		if (umount2(paths[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			return dd_fail(err, errno, "Cannot mask '%s'", paths[i]);
	}
	return 0;
