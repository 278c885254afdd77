/*
 * paths.c: chapter 16, masked and read-only paths (lab 16).
 *
 * A container's /proc and /sys are the kernel's own, and some of their
 * files speak about the whole machine: /proc/kcore is its memory,
 * /proc/keys the kernel's keyrings, /proc/sysrq-trigger reboots it,
 * /proc/sys/ tunes it.  As Docker does, the stage hides the first kind
 * (masked paths: /dev/null mounted over a file, an empty read-only tmpfs
 * over a directory) and makes the second read-only (a read-only bind
 * mount of the path over itself).  Over-mounting, not unmounting: these
 * are files inside one procfs, not mounts of their own, and the mount
 * on top is what the container cannot undo without CAP_SYS_ADMIN.
 *
 * Threat model: the image is untrusted.  Its /proc, /sys or /dev may be
 * a symlink, so that the runtime's mounts and masks land on a fake tree
 * the image controls (CVE-2019-16884 and its family): the stage refuses
 * such an image.  The paths are opened without following any symlink
 * (RESOLVE_NO_SYMLINKS), and mounted on through the fd, so nothing is
 * resolved twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chapters/07-rootfs/rootfs.h"
#include "core/base/cleanup.h"
#include "security.h"

/* Docker's lists (moby's oci/defaults.go). */
const char *const sec_default_masked[] = {
	"/proc/asound",	       "/proc/acpi",	    "/proc/kcore",	"/proc/keys",
	"/proc/latency_stats", "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi",	       "/sys/firmware",	    "/sys/devices/virtual/powercap",
	NULL,
};

const char *const sec_default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* O_PATH fd of path in the container's root, no symlink followed; -1
 * with errno ENOENT when it does not exist. */
static __attribute__((unused)) int open_no_symlinks(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

int sec_check_special_dirs(struct dd_error *err)
{
	/* BEGIN SOLUTION: refuse a root whose /proc, /sys or /dev is not a directory holding its own file system (a symlink, say) */
	static const struct {
		const char *path;
		long magic;
	} dirs[] = {
		{ "/proc", PROC_SUPER_MAGIC }, { "/sys", SYSFS_MAGIC }, { "/dev", TMPFS_MAGIC },
	};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct stat st;
		struct statfs fs;
		char target[256] = "";

		if (lstat(dirs[i].path, &st) < 0)
			return dd_fail(err, errno, "Cannot check the container's %s", dirs[i].path);
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(dirs[i].path, target, sizeof(target) - 1);

			target[n > 0 ? n : 0] = '\0';
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "The image's %s is a symbolic link (to '%s'): refused, "
					    "since the runtime's mounts and masks would follow it into "
					    "a tree the image controls (CVE-2019-16884)",
					    dirs[i].path, target);
		}
		if (!S_ISDIR(st.st_mode) || statfs(dirs[i].path, &fs) < 0 ||
		    fs.f_type != dirs[i].magic)
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "The container's %s is not the file system drydock mounted "
					    "there: refused", dirs[i].path);
	}
	return 0;
	/* END SOLUTION */
}

int sec_mask_paths(char *const *paths, struct dd_error *err)
{
	/* BEGIN SOLUTION: hide each path that exists: bind /dev/null over a file, mount an empty read-only tmpfs over a directory */
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = open_no_symlinks(paths[i]);
		struct stat st;
		int rc;

		if (fd < 0 && errno == ENOENT)
			continue; /* not on this kernel */
		if (fd < 0 || fstat(fd, &st) < 0)
			return dd_fail(err, errno, "Cannot open '%s' to mask it", paths[i]);
		if (S_ISDIR(st.st_mode))
			rc = rootfs_mount_at("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
					     MS_NOEXEC, "size=0,mode=0555", err);
		else
			rc = rootfs_mount_at("/dev/null", fd, NULL, MS_BIND, NULL, err);
		if (rc < 0)
			return dd_fail(err, errno, "Cannot mask '%s'", paths[i]);
	}
	return 0;
	/* END SOLUTION */
}

int sec_readonly_paths(char *const *paths, struct dd_error *err)
{
	/* BEGIN SOLUTION: make each path that exists read-only: bind-mount it over itself, then remount that bind mount read-only */
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = open_no_symlinks(paths[i]);
		_cleanup_close_ int top = -1;
		char self[64];

		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return dd_fail(err, errno, "Cannot open '%s' to make it read-only", paths[i]);
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (rootfs_mount_at(self, fd, NULL, MS_BIND | MS_REC, NULL, err) < 0)
			return dd_fail(err, errno, "Cannot bind-mount '%s' over itself", paths[i]);
		/* The flags of a bind mount come with a second call, made on
		 * the new mount: reopen the path to reach it, not the old one. */
		top = open_no_symlinks(paths[i]);
		if (top < 0 ||
		    rootfs_mount_at(NULL, top, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
				    MS_NODEV | MS_NOEXEC, NULL, err) < 0)
			return dd_fail(err, errno, "Cannot make '%s' read-only", paths[i]);
	}
	return 0;
	/* END SOLUTION */
}
