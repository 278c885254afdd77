/*
 * overlay.c: chapter 08, the copy-on-write container layer (lab 08).
 *
 * Without this chapter every container starts with a full copy of its
 * image.  With it, the image's layers stay read-only and shared, and the
 * container gets two empty directories of its own, in its layer
 * directory (c->layer_dir, under the data root: they outlive a reboot)
 * and a mount point in its bundle (c->dir, under the run root):
 *
 *   <layer dir>/upper   the container's layer: what it writes, creates,
 *                       and the whiteouts of what it deletes
 *   <layer dir>/work    overlayfs's scratch space (same file system)
 *   <bundle>/rootfs     where the merged view is mounted (cfg->rootfs)
 *
 * The mount is made by the child, inside its own mount namespace, after
 * the mount tree was made private (chapter 06): it is never visible on
 * the host and disappears with the namespace, so a container that dies
 * in any way leaves no mount behind.  Removing the container is removing
 * its directories.
 */
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "chapters/04-user/user.h"
#include "core/base/cleanup.h"
#include "core/base/util.h"

/* mount(2) copies at most one page of data. */
#define MOUNT_DATA_MAX 4095

/* BEGIN SOLUTION: a helper that appends one path to the option string, refusing the characters that separate overlayfs's options */
static int append_path(char *buf, size_t *len, const char *prefix, const char *path,
		       struct dd_error *err)
{
	size_t need = strlen(prefix) + strlen(path);

	if (strpbrk(path, ",:"))
		return dd_fail(err, EINVAL,
			       "Cannot use '%s' as an overlay layer: overlayfs separates its "
			       "options with ',' and ':'", path);
	if (*len + need > MOUNT_DATA_MAX)
		return dd_fail(err, E2BIG,
			       "Too many layers for one overlay mount: the options exceed "
			       "%d bytes", MOUNT_DATA_MAX);
	memcpy(buf + *len, prefix, strlen(prefix));
	memcpy(buf + *len + strlen(prefix), path, strlen(path) + 1);
	*len += need;
	return 0;
}
/* END SOLUTION */

int overlay_mount_data(char *const *layers, const char *upper, const char *work,
		       char **out, struct dd_error *err)
{
	/* BEGIN SOLUTION: build "lowerdir=TOP:...:BOTTOM,upperdir=UPPER,workdir=WORK" (layers come bottom first; overlayfs wants the top-most lower layer first) */
	_cleanup_free_ char *buf = calloc(1, MOUNT_DATA_MAX + 1);
	size_t n = dd_strv_len(layers), len = 0;

	if (!buf)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (n == 0)
		return dd_fail(err, EINVAL, "An overlay needs at least one layer");
	if ((upper == NULL) != (work == NULL))
		return dd_fail(err, EINVAL, "An overlay needs both an upper and a work directory");
	for (size_t i = n; i-- > 0;)
		if (append_path(buf, &len, i == n - 1 ? "lowerdir=" : ":", layers[i], err) < 0)
			return -1;
	if (upper && (append_path(buf, &len, ",upperdir=", upper, err) < 0 ||
		      append_path(buf, &len, ",workdir=", work, err) < 0))
		return -1;
	*out = move_ptr(buf);
	return 0;
	/* END SOLUTION */
}

int overlay_mount(const char *target, const char *data, struct dd_error *err)
{
	/* BEGIN SOLUTION: mount an overlayfs at target with data as its options */
	if (mount("overlay", target, "overlay", 0, data) < 0)
		return dd_fail(err, errno, "Cannot mount the overlay at '%s'", target);
	return 0;
	/* END SOLUTION */
}

int overlay_whiteout(int dirfd, const char *base, struct dd_error *err)
{
	/* BEGIN SOLUTION: ".wh..wh..opq" sets trusted.overlay.opaque="y" on the directory; ".wh.NAME" replaces NAME with a 0/0 character device; anything else is not a whiteout */
	const char *name;

	if (strncmp(base, OVERLAY_WHITEOUT_PREFIX, strlen(OVERLAY_WHITEOUT_PREFIX)) != 0)
		return 0;
	if (!strcmp(base, OVERLAY_OPAQUE_MARKER)) {
		/* dirfd may be an O_PATH descriptor, which xattr calls refuse. */
		_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 || fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return dd_fail(err, errno, "Cannot mark a directory opaque for '%s'", base);
		return 1;
	}
	name = base + strlen(OVERLAY_WHITEOUT_PREFIX);
	/* Other ".wh..wh." names are aufs's bookkeeping, not deletions. */
	if (!strncmp(name, OVERLAY_WHITEOUT_PREFIX, strlen(OVERLAY_WHITEOUT_PREFIX)))
		return 1;
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return dd_fail(err, EINVAL, "Refusing whiteout '%s': it names no file", base);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT &&
	    unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		return dd_fail(err, errno, "Cannot replace '%s' with a whiteout", name);
	if (mknodat(dirfd, name, S_IFCHR | 0, makedev(0, 0)) < 0)
		return dd_fail(err, errno, "Cannot create the whiteout of '%s'", name);
	return 1;
	/* END SOLUTION */
}

/* --- the stage ----------------------------------------------------------- */

struct overlay_state {
	char *data; /* mount(2) options, made by the engine for the child */
	bool volatile_upper;
};

/* The merged root takes its owner and mode from the upper directory:
 * give it the top layer's, so "/" looks as the image made it. */
static int make_upper(const char *upper, const char *top, struct dd_error *err)
{
	struct stat st;

	if (stat(top, &st) < 0)
		return dd_fail(err, errno, "Cannot read the image layer '%s'", top);
	if (mkdir(upper, 0700) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", upper);
	if (chown(upper, st.st_uid, st.st_gid) < 0 || chmod(upper, st.st_mode & 07777) < 0)
		return dd_fail(err, errno, "Cannot set the owner and mode of '%s'", upper);
	return 0;
}

static int chown_to_root(const struct dd_config *cfg, const char *dir, struct dd_error *err)
{
	uid_t uid;
	gid_t gid;

	if (user_host_root(cfg, &uid, &gid) < 0)
		return dd_fail(err, EINVAL, "The id maps have no root for '%s'", dir);
	if (chown(dir, uid, gid) < 0)
		return dd_fail(err, errno, "Cannot give '%s' to the container's root", dir);
	return 0;
}

static int overlay_prepare(struct dd_container *c, struct dd_error *err)
{
	const struct dd_config *cfg = c->cfg;
	_cleanup_free_ char *upper = NULL, *work = NULL, *data = NULL;
	const char *layer_dir = c->layer_dir ? c->layer_dir : c->dir;
	struct overlay_state *s;

	if (!cfg->layers || !cfg->layers[0] || !cfg->rootfs)
		return 0;
	upper = dd_strdup_printf("%s/upper", layer_dir);
	work = dd_strdup_printf("%s/work", layer_dir);
	if (!upper || !work)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (overlay_mount_data(cfg->layers, upper, work, &data, err) < 0)
		return -1;
	if (make_upper(upper, cfg->layers[dd_strv_len(cfg->layers) - 1], err) < 0)
		return -1;
	if (mkdir(work, 0700) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", work);
	if (mkdir(cfg->rootfs, 0755) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", cfg->rootfs);
	/* In a user namespace (chapter 04) the overlay is mounted by the
	 * container's root, a host id that must own its scratch space. */
	if (cfg->nuid_maps && chown_to_root(cfg, work, err) < 0)
		return -1;
	s = calloc(1, sizeof(*s));
	if (!s)
		return dd_fail(err, ENOMEM, "Out of memory");
	s->data = move_ptr(data);
	s->volatile_upper = cfg->ephemeral;
	c->stage_data[8] = s;
	/* Saved for whoever removes the container: they are its own layer. */
	if (dd_stage_set(c, &overlay_stage, "upper", upper, err) < 0 ||
	    dd_stage_set(c, &overlay_stage, "work", work, err) < 0)
		return -1;
	return 0;
}

static int overlay_child(struct dd_container *c, struct dd_error *err)
{
	struct overlay_state *s = c->stage_data[8];

	if (!s)
		return 0;
	if (!(c->cfg->namespaces & CLONE_NEWNS))
		return dd_fail(err, EINVAL, "An overlay root needs a mount namespace");
	/* Unmounting an overlay syncs its upper file system: when the last
	 * process of a container exits, it waits for the journal and a disk
	 * flush, the longest wait of a short run.  A container removed when
	 * it exits (--rm) keeps nothing worth a flush, so its overlay is
	 * "volatile" (Linux 5.10), as podman mounts a --rm container's.
	 * Older kernels refuse the option: then the plain mount. */
	if (s->volatile_upper) {
		_cleanup_free_ char *data = dd_strdup_printf("%s,volatile", s->data);

		if (!data)
			return dd_fail(err, ENOMEM, "Out of memory");
		if (overlay_mount(c->cfg->rootfs, data, err) == 0)
			return 0;
		if (err->errnum != EINVAL)
			return -1;
		dd_error_clear(err);
	}
	return overlay_mount(c->cfg->rootfs, s->data, err);
}

static void overlay_cleanup(struct dd_container *c)
{
	struct overlay_state *s = c->stage_data[8];

	if (s)
		free(s->data);
	free(s);
	c->stage_data[8] = NULL;
}

static int overlay_selftest(struct dd_error *err)
{
	_cleanup_free_ char *data = NULL;

	return overlay_mount_data((char *[]){ "/", NULL }, NULL, NULL, &data, err);
}

const struct dd_stage overlay_stage = {
	.name = "overlay",
	.chapter = 8,
	.summary = "a copy-on-write layer: each container gets a full copy of its image",
	.phase = DD_PHASE_LAYERS,
	.namespaces = CLONE_NEWNS,
	.prepare = overlay_prepare,
	.child = overlay_child,
	.cleanup = overlay_cleanup,
	.fallback = dd_copy_image_root,
	.selftest = overlay_selftest,
};
