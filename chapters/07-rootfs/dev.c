/*
 * dev.c: chapter 07, a minimal /dev for the container (lab 07).
 *
 * The host's /dev holds every disk and device of the machine; a
 * container gets a tmpfs with only the harmless character devices
 * programs expect, its own devpts instance for pseudo-terminals, and a
 * /dev/shm for POSIX shared memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "rootfs.h"

/* BEGIN SOLUTION: the device table and a helper that mounts a file system under /dev */
struct dev_node {
	const char *name;
	unsigned int major, minor;
};

/* The same numbers on every Linux system (Documentation/admin-guide/devices.txt). */
static const struct dev_node dev_nodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },   { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

#define DEV_NODE_MODE (S_IFCHR | 0666)

static int dev_mount_sub(int devfd, const char *name, const char *fstype,
			 unsigned long flags, const char *data, struct dd_error *err)
{
	_cleanup_close_ int fd = -1;

	if (mkdirat(devfd, name, 0755) < 0 && errno != EEXIST)
		return dd_fail(err, errno, "Cannot create /dev/%s", name);
	fd = openat(devfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || rootfs_mount_at(fstype, fd, fstype, flags, data, err) < 0)
		return dd_fail(err, errno, "Cannot mount %s at /dev/%s", fstype, name);
	return 0;
}

/* A user namespace (chapter 04) may not make device nodes: the host's
 * own node, bound onto an empty file, serves the same. */
static int dev_bind_host(int devfd, const char *name, struct dd_error *err)
{
	_cleanup_close_ int fd = -1;
	char host[64];

	fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	close(fd);
	fd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	snprintf(host, sizeof(host), "/dev/%s", name);
	if (fd < 0 || rootfs_mount_at(host, fd, NULL, MS_BIND, NULL, err) < 0)
		return -1;
	return 0;
}
/* END SOLUTION */

int rootfs_make_dev(int rootfd, struct dd_error *err)
{
	/* BEGIN SOLUTION: mount a tmpfs at /dev and create null, zero, full, random, urandom, tty with mknod, the fd links, a devpts at /dev/pts and a tmpfs at /dev/shm */
	_cleanup_close_ int target = dd_mkdir_in_root(rootfd, "/dev", 0755, err);
	_cleanup_close_ int devfd = -1;

	if (target < 0)
		return -1;
	if (rootfs_mount_at("tmpfs", target, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755", err) < 0)
		return dd_fail(err, errno, "Cannot mount a tmpfs at /dev");
	/* Reopen: the fd we had still points at the directory under the mount. */
	devfd = dd_open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		const struct dev_node *d = &dev_nodes[i];

		if (mknodat(devfd, d->name, DEV_NODE_MODE, makedev(d->major, d->minor)) < 0) {
			if (errno == EPERM && dev_bind_host(devfd, d->name, err) == 0)
				continue;
			return dd_fail(err, errno, "Cannot create /dev/%s", d->name);
		}
		/* mknod applies the umask; the nodes must be usable by all. */
		if (fchmodat(devfd, d->name, DEV_NODE_MODE & 07777, 0) < 0)
			return dd_fail(err, errno, "Cannot chmod /dev/%s", d->name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return dd_fail(err, errno, "Cannot create /dev/%s", dev_links[i].name);
	/* newinstance: the container's ptys are its own, not the host's. */
	if (dev_mount_sub(devfd, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
			  "newinstance,ptmxmode=0666,mode=0620", err) < 0)
		return -1;
	return dev_mount_sub(devfd, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     "mode=1777", err);
	/* END SOLUTION */
}
