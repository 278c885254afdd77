/* mutant: mounts /sys read-write: the container can change the host's kernel settings
 * file: chapters/07-rootfs/rootfs.c
 * task: mount a new proc at /proc and a read-only sysfs at /sys
 */
	_cleanup_close_ int proc = dd_mkdir_in_root(rootfd, "/proc", 0555, err);
	_cleanup_close_ int sys = -1;

	if (proc < 0)
		return -1;
	if (rootfs_mount_at("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			    err) < 0)
		return dd_fail(err, errno, "Cannot mount /proc");
	sys = dd_mkdir_in_root(rootfd, "/sys", 0555, err);
	if (sys < 0)
		return -1;
	if (rootfs_mount_at("sysfs", sys, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			    err) < 0)
		return dd_fail(err, errno, "Cannot mount /sys");
	return 0;
