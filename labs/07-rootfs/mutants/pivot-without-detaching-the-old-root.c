/* mutant: pivots but never unmounts the old root: the host's files are still reachable under the new root
 * file: chapters/07-rootfs/rootfs.c
 * task: bind-mount dir onto itself, pivot_root into it, and detach the old root
 */
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return dd_fail(err, errno, "Cannot bind-mount the root '%s'", dir);
	if (chdir(dir) < 0)
		return dd_fail(err, errno, "Cannot enter the root '%s'", dir);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return dd_fail(err, errno, "Cannot pivot_root into '%s'", dir);
	if (chdir("/") < 0)
		return dd_fail(err, errno, "Cannot enter the new root");
	return 0;
