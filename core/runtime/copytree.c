/*
 * copytree.c: copy an image's root into a container's own directory.
 *
 * While the overlay chapter (08) is not done, each container gets a
 * private copy of its image instead of a copy-on-write layer: the layers
 * are copied bottom first, each one merged over the ones below as
 * overlayfs would show them (a whiteout deletes, an opaque directory
 * hides what is below it).  The copy keeps what a
 * root file system needs: modes (setuid too), owners, times, symlinks,
 * hard links, device nodes; regular files are cloned (reflink) where the
 * file system can, else copied in the kernel with copy_file_range(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/walk.h"
#include "core/stage.h"
#include "core/base/util.h"

/* Inodes with several names: copied once, then linked. */
struct link_seen {
	dev_t dev;
	ino_t ino;
	char *dest; /* path relative to the destination root */
};

struct copy_ctx {
	int src_root, dst_root;
	const char *dest;  /* the destination root's path */
	bool merge;        /* over a lower layer's copy: apply whiteouts */
	struct link_seen *links;
	size_t nlinks;
	/* NULL, or the owner each copy gets instead of the original's. */
	int (*shift)(void *arg, uid_t *uid, gid_t *gid);
	void *shift_arg;
	struct dd_error *err;
};

static int copy_file_data(int in, int out, off_t size)
{
	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	while (size > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, size, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		size -= n;
	}
	return 0;
}

static int copy_regular(struct copy_ctx *cx, const char *rel, const struct stat *st)
{
	_cleanup_close_ int in = openat(cx->src_root, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;

	if (in < 0)
		return dd_fail(cx->err, errno, "Cannot open '%s'", rel);
	out = openat(cx->dst_root, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (out < 0)
		return dd_fail(cx->err, errno, "Cannot create '%s'", rel);
	if (copy_file_data(in, out, st->st_size) < 0)
		return dd_fail(cx->err, errno, "Cannot copy '%s'", rel);
	return 0;
}

/* Hard links: the second name of an inode becomes a link to the first copy. */
static int link_if_seen(struct copy_ctx *cx, const char *rel, const struct stat *st)
{
	struct link_seen *l;

	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < cx->nlinks; i++) {
		if (cx->links[i].dev == st->st_dev && cx->links[i].ino == st->st_ino) {
			if (linkat(cx->dst_root, cx->links[i].dest, cx->dst_root, rel, 0) < 0)
				return dd_fail(cx->err, errno, "Cannot link '%s'", rel);
			return 1;
		}
	}
	l = realloc(cx->links, (cx->nlinks + 1) * sizeof(*l));
	if (!l)
		return dd_fail(cx->err, ENOMEM, "Cannot copy '%s'", rel);
	cx->links = l;
	l[cx->nlinks] = (struct link_seen){ st->st_dev, st->st_ino, strdup(rel) };
	if (!l[cx->nlinks].dest)
		return dd_fail(cx->err, ENOMEM, "Cannot copy '%s'", rel);
	cx->nlinks++;
	return 0;
}

/* A copy that stays a layer keeps overlayfs's opaque mark. */
static int copy_opaque(struct copy_ctx *cx, const char *rel)
{
	_cleanup_close_ int in = openat(cx->src_root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char v[2];

	if (in < 0 || fgetxattr(in, "trusted.overlay.opaque", v, sizeof(v)) != 1)
		return 0;
	out = openat(cx->dst_root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0 || fsetxattr(out, "trusted.overlay.opaque", v, 1, 0) < 0)
		return dd_fail(cx->err, errno, "Cannot mark '%s' opaque", rel);
	return 0;
}

static int copy_attrs(struct copy_ctx *cx, const char *rel, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	uid_t uid = st->st_uid;
	gid_t gid = st->st_gid;

	if (cx->shift && cx->shift(cx->shift_arg, &uid, &gid) < 0)
		return dd_fail(cx->err, EOVERFLOW, "Cannot give '%s' (owner %u:%u) an owner in the "
			       "id map", rel, (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (cx->shift && S_ISDIR(st->st_mode) && copy_opaque(cx, rel) < 0)
		return -1;
	if (fchownat(cx->dst_root, rel, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return dd_fail(cx->err, errno, "Cannot set the owner of '%s'", rel);
	/* chown clears setuid bits: set the mode after it. */
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(cx->dst_root, rel, st->st_mode & 07777, 0) < 0)
		return dd_fail(cx->err, errno, "Cannot set the mode of '%s'", rel);
	if (utimensat(cx->dst_root, rel, times, AT_SYMLINK_NOFOLLOW) < 0)
		return dd_fail(cx->err, errno, "Cannot set the times of '%s'", rel);
	return 0;
}

static bool is_opaque(struct copy_ctx *cx, const char *rel)
{
	_cleanup_close_ int fd = openat(cx->src_root, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					O_CLOEXEC);
	char v[2];

	return fd >= 0 && fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 &&
	       v[0] == 'y';
}

/* Merging a layer: what it replaces, deletes (a 0/0 character device is
 * a whiteout) or hides (an opaque directory) goes first.  Returns 1 when
 * the entry was a whiteout and nothing is to be copied. */
static int merge_over(struct copy_ctx *cx, const char *rel, const struct stat *st)
{
	bool whiteout = S_ISCHR(st->st_mode) && st->st_rdev == 0;
	struct stat old;
	_cleanup_free_ char *path = NULL;

	if (!strcmp(rel, "."))
		return 0;
	if (fstatat(cx->dst_root, rel, &old, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? whiteout : dd_fail(cx->err, errno, "Cannot stat '%s'", rel);
	if (!whiteout && S_ISDIR(st->st_mode) && S_ISDIR(old.st_mode) && !is_opaque(cx, rel))
		return 0;
	path = dd_strdup_printf("%s/%s", cx->dest, rel);
	if (!path)
		return dd_fail(cx->err, ENOMEM, "Cannot copy '%s'", rel);
	if (dd_rm_rf(path, cx->err) < 0)
		return -1;
	return whiteout;
}

/* One entry: DD_WALK_DESCEND for a directory, whose attributes are set
 * once its entries are in (copy_leave), else DD_WALK_NEXT. */
static int copy_one(struct copy_ctx *cx, const char *rel, const struct stat *st)
{
	int seen;

	if (cx->merge) {
		int gone = merge_over(cx, rel, st);

		if (gone != 0)
			return gone < 0 ? -1 : DD_WALK_NEXT;
	} else if (S_ISCHR(st->st_mode) && st->st_rdev == 0) {
		return DD_WALK_NEXT; /* a whiteout with nothing below it */
	}
	seen = link_if_seen(cx, rel, st);
	if (seen != 0)
		return seen < 0 ? -1 : DD_WALK_NEXT;

	if (S_ISDIR(st->st_mode)) {
		if (mkdirat(cx->dst_root, rel, 0700) < 0 && errno != EEXIST)
			return dd_fail(cx->err, errno, "Cannot create '%s'", rel);
		return DD_WALK_DESCEND;
	} else if (S_ISREG(st->st_mode)) {
		if (copy_regular(cx, rel, st) < 0)
			return -1;
	} else if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(cx->src_root, rel, target, sizeof(target) - 1);

		if (n < 0)
			return dd_fail(cx->err, errno, "Cannot read link '%s'", rel);
		target[n] = '\0';
		if (symlinkat(target, cx->dst_root, rel) < 0)
			return dd_fail(cx->err, errno, "Cannot create link '%s'", rel);
	} else if (mknodat(cx->dst_root, rel, st->st_mode, st->st_rdev) < 0) {
		return dd_fail(cx->err, errno, "Cannot create '%s'", rel);
	}
	return copy_attrs(cx, rel, st) < 0 ? -1 : DD_WALK_NEXT;
}

static int copy_visit(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err)
{
	return copy_one(w->arg, e->rel, e->st);
}

static int copy_leave(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err)
{
	return copy_attrs(w->arg, e->rel, e->st);
}

/* The tree from its top ("."), itself included. */
static int copy_root(struct copy_ctx *cx)
{
	struct dd_walk w = { .visit = copy_visit, .leave = copy_leave, .stat_all = true,
			     .arg = cx };
	struct stat st;
	int rc;

	if (fstat(cx->src_root, &st) < 0)
		return dd_fail(cx->err, errno, "Cannot stat '.'");
	rc = copy_one(cx, ".", &st);
	if (rc != DD_WALK_DESCEND)
		return rc;
	if (dd_walk(cx->src_root, "", &w, cx->err) < 0)
		return -1;
	return copy_attrs(cx, ".", &st);
}

static int copy_layer(const char *src, const char *dest, bool merge,
		      int (*shift)(void *, uid_t *, gid_t *), void *shift_arg, struct dd_error *err)
{
	struct copy_ctx cx = { .src_root = -1, .dst_root = -1, .dest = dest, .merge = merge,
			       .shift = shift, .shift_arg = shift_arg, .err = err };
	int rc = -1;

	if (!merge && mkdir(dest, 0700) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", dest);
	cx.src_root = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cx.dst_root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cx.src_root < 0 || cx.dst_root < 0)
		dd_fail(err, errno, "Cannot open '%s'", cx.src_root < 0 ? src : dest);
	else
		rc = copy_root(&cx);
	for (size_t i = 0; i < cx.nlinks; i++)
		free(cx.links[i].dest);
	free(cx.links);
	if (cx.src_root >= 0)
		close(cx.src_root);
	if (cx.dst_root >= 0)
		close(cx.dst_root);
	return rc;
}

int dd_copy_tree(const char *src, const char *dest, struct dd_error *err)
{
	return copy_layer(src, dest, false, NULL, NULL, err);
}

int dd_copy_tree_shifted(const char *src, const char *dest,
			 int (*shift)(void *arg, uid_t *uid, gid_t *gid), void *arg,
			 struct dd_error *err)
{
	return copy_layer(src, dest, false, shift, arg, err);
}

int dd_copy_image_root(struct dd_container *c, struct dd_error *err)
{
	char *const *layers = c->cfg->layers;

	if (!layers || !layers[0] || !c->cfg->rootfs)
		return 0;
	for (size_t i = 0; layers[i]; i++)
		if (copy_layer(layers[i], c->cfg->rootfs, i > 0, NULL, NULL, err) < 0)
			return dd_error_wrap(err, "Cannot prepare the root of container %s",
					     c->name);
	return 0;
}
