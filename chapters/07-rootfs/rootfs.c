/*
 * rootfs.c: chapter 07, the container's own root (lab 07).
 *
 * The image's directory becomes "/" for the container.  pivot_root(2)
 * swaps the root mount of the mount namespace, and unmounting the old
 * root afterwards leaves no path back to the host's files: unlike
 * chroot(2), "cd /.." cannot climb out.  Before the swap, the container's
 * mounts are put in place under the new root: volumes, tmpfs, a fresh
 * /proc for its PID namespace, a read-only /sys and a small /dev.
 *
 * Every path inside the root is resolved with openat2(RESOLVE_IN_ROOT),
 * so a symlink in the image cannot point a mount at the host.
 */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"

int rootfs_mount_at(const char *source, int target_fd, const char *fstype,
		    unsigned long flags, const char *data, struct dd_error *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", target_fd);
	if (mount(source, path, fstype, flags, data) < 0)
		return -1;
	return 0;
}

/* BEGIN SOLUTION: a helper that makes a volume's target inside the root: a directory, or an empty file for a file */
/* The target of a volume: a directory, or an empty file for a file. */
static int volume_target(int rootfd, const struct dd_mount *m, bool is_file,
			 struct dd_error *err)
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *slash = strrchr(m->target, '/');
	int fd;

	if (!is_file)
		return dd_mkdir_in_root(rootfd, m->target, 0755, err);
	parent = strndup(m->target, slash - m->target);
	dirfd = parent ? dd_mkdir_in_root(rootfd, parent, 0755, err) : -1;
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, slash + 1, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return dd_open_in_root(rootfd, m->target, O_PATH | O_NOFOLLOW, err);
}
/* END SOLUTION */

int rootfs_mount_volumes(int rootfd, const struct dd_config *cfg, struct dd_error *err)
{
	/* BEGIN SOLUTION: bind-mount each volume (read-only with :ro) and mount each tmpfs at its target inside the root */
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct dd_mount *m = &cfg->mounts[i];
		_cleanup_close_ int target = -1;
		struct stat st;

		if (m->type == DD_MOUNT_TMPFS) {
			target = dd_mkdir_in_root(rootfd, m->target, 0755, err);
			if (target < 0 ||
			    rootfs_mount_at("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV,
					    "mode=1777", err) < 0)
				return target < 0 ? -1 : dd_fail(err, errno,
					"Cannot mount tmpfs at '%s'", m->target);
			continue;
		}
		if (stat(m->source, &st) < 0)
			return dd_fail(err, errno, "Cannot mount volume '%s'", m->source);
		target = volume_target(rootfd, m, !S_ISDIR(st.st_mode), err);
		if (target < 0)
			return -1;
		if (rootfs_mount_at(m->source, target, NULL, MS_BIND | MS_REC, NULL, err) < 0)
			return dd_fail(err, errno, "Cannot bind-mount '%s' at '%s'",
				       m->source, m->target);
		if (!m->readonly)
			continue;
		/* A bind mount takes its flags from a second, remounting call,
		 * made on the new mount: reopen the target to reach it. */
		close(target);
		target = dd_open_in_root(rootfd, m->target, O_PATH | O_NOFOLLOW, err);
		if (target < 0 ||
		    rootfs_mount_at(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY,
				    NULL, err) < 0)
			return dd_fail(err, errno, "Cannot make volume '%s' read-only", m->target);
	}
	return 0;
	/* END SOLUTION */
}

int rootfs_mount_proc_sys(int rootfd, struct dd_error *err)
{
	/* BEGIN SOLUTION: mount a new proc at /proc and a read-only sysfs at /sys */
	_cleanup_close_ int proc = dd_mkdir_in_root(rootfd, "/proc", 0555, err);
	_cleanup_close_ int sys = -1;

	if (proc < 0)
		return -1;
	/* A new procfs shows the processes of the mounting process's PID
	 * namespace: the container's, not the host's. */
	if (rootfs_mount_at("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			    err) < 0)
		return dd_fail(err, errno, "Cannot mount /proc");
	sys = dd_mkdir_in_root(rootfd, "/sys", 0555, err);
	if (sys < 0)
		return -1;
	if (rootfs_mount_at("sysfs", sys, "sysfs",
			    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) == 0)
		return 0;
	/* A user namespace (chapter 04) may mount a sysfs only when it owns
	 * the network namespace too; with the host's network it gets the
	 * host's /sys, bound read-only, as runc does. */
	if (errno != EPERM)
		return dd_fail(err, errno, "Cannot mount /sys");
	if (rootfs_mount_at("/sys", sys, NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return dd_fail(err, errno, "Cannot bind-mount the host's /sys");
	close(sys);
	sys = dd_open_in_root(rootfd, "/sys", O_PATH | O_NOFOLLOW, err);
	/* A remount in a user namespace must keep the flags it cannot clear. */
	if (sys < 0 || rootfs_mount_at(NULL, sys, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY |
				       MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return dd_fail(err, errno, "Cannot make /sys read-only");
	return 0;
	/* END SOLUTION */
}

int rootfs_pivot(const char *dir, struct dd_error *err)
{
	/* BEGIN SOLUTION: bind-mount dir onto itself, pivot_root into it, and detach the old root */
	/* pivot_root needs the new root to be a mount point. */
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return dd_fail(err, errno, "Cannot bind-mount the root '%s'", dir);
	if (chdir(dir) < 0)
		return dd_fail(err, errno, "Cannot enter the root '%s'", dir);
	/* pivot_root(".", "."): the old root is stacked under the new one at
	 * "/", and unmounting "." right after takes it away. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return dd_fail(err, errno, "Cannot pivot_root into '%s'", dir);
	if (umount2(".", MNT_DETACH) < 0)
		return dd_fail(err, errno, "Cannot detach the host's root");
	if (chdir("/") < 0)
		return dd_fail(err, errno, "Cannot enter the new root");
	return 0;
	/* END SOLUTION */
}

static int rootfs_remount_readonly(struct dd_error *err)
{
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return dd_fail(err, errno, "Cannot make the root read-only");
	return 0;
}

/* Docker creates a missing working directory inside the image. */
static int rootfs_make_workdir(int rootfd, const char *cwd, struct dd_error *err)
{
	int fd = dd_mkdir_in_root(rootfd, cwd, 0755, err);

	if (fd < 0)
		return dd_error_wrap(err, "Cannot create working directory '%s'", cwd);
	close(fd);
	return 0;
}

static int rootfs_child(struct dd_container *c, struct dd_error *err)
{
	const struct dd_config *cfg = c->cfg;
	_cleanup_close_ int rootfd = -1;

	if (!cfg->rootfs || !(cfg->namespaces & CLONE_NEWNS))
		return 0;
	rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return dd_fail(err, errno, "Cannot open the container root '%s'", cfg->rootfs);
	/* The user's volumes go last, as with Docker: one at /dev/shm or
	 * under /proc covers the default instead of being covered by it. */
	if (rootfs_mount_proc_sys(rootfd, err) < 0 || rootfs_make_dev(rootfd, err) < 0 ||
	    rootfs_mount_volumes(rootfd, cfg, err) < 0 ||
	    rootfs_make_workdir(rootfd, cfg->cwd, err) < 0 || rootfs_pivot(cfg->rootfs, err) < 0)
		return -1;
	if (cfg->readonly_root && rootfs_remount_readonly(err) < 0)
		return -1;
	return 0;
}

static bool rootfs_wanted(const struct dd_config *cfg)
{
	return cfg->nmounts > 0 || cfg->readonly_root;
}

static int rootfs_selftest(struct dd_error *err)
{
	return rootfs_pivot("/nonexistent-drydock-selftest", err);
}

const struct dd_stage rootfs_stage = {
	.name = "rootfs",
	.chapter = 7,
	.summary = "its own root: the container sees the host's files",
	.phase = DD_PHASE_ROOTFS,
	.namespaces = CLONE_NEWNS,
	.wanted = rootfs_wanted,
	.child = rootfs_child,
	.selftest = rootfs_selftest,
};
