/* rootfs.h: chapter 07, the container's own root file system. */
#ifndef DD_ROOTFS_H
#define DD_ROOTFS_H

#include "core/base/config.h"
#include "core/base/error.h"
#include "core/stage.h"

/* Mount volumes (-v) and tmpfs (--tmpfs) under the root at rootfd. */
int rootfs_mount_volumes(int rootfd, const struct dd_config *cfg, struct dd_error *err);

/* A fresh /proc, a read-only /sys. */
int rootfs_mount_proc_sys(int rootfd, struct dd_error *err);

/* A minimal /dev: null zero full random urandom tty, pts, shm. */
int rootfs_make_dev(int rootfd, struct dd_error *err);

/* Make dir the root of the mount namespace and drop the old root. */
int rootfs_pivot(const char *dir, struct dd_error *err);

/* mount(2) onto target_fd (an O_PATH fd) through its /proc/self/fd
 * link, so the target is the directory resolved safely inside the
 * root, not a path the host resolves again; -1 with errno set. */
int rootfs_mount_at(const char *source, int target_fd, const char *fstype,
		    unsigned long flags, const char *data, struct dd_error *err);

extern const struct dd_stage rootfs_stage;

#endif
