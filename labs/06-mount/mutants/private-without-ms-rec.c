/* mutant: makes only the mount at path private (no MS_REC): the mounts below it still propagate
 * file: chapters/06-mount/mount.c
 * task: change the propagation of every mount under path to private (MS_REC | MS_PRIVATE)
 */
	if (mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0)
		return dd_fail(err, errno, "Cannot make the mounts under '%s' private", path);
	return 0;
