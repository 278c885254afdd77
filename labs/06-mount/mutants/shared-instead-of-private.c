/* mutant: uses MS_SHARED, the opposite: every mount made inside reaches the host
 * file: chapters/06-mount/mount.c
 * task: change the propagation of every mount under path to private (MS_REC | MS_PRIVATE)
 */
	if (mount(NULL, path, NULL, MS_REC | MS_SHARED, NULL) < 0)
		return dd_fail(err, errno, "Cannot make the mounts under '%s' private", path);
	return 0;
