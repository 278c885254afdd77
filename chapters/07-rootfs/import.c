/*
 * import.c: chapter 07, unpacking an image's tarball (lab 07).
 *
 * An image is a root file system, and it arrives as a tar archive.
 * libarchive reads it (and undoes gzip, xz or zstd compression); the
 * writing is done here, one *at() syscall at a time from the destination
 * directory, so that each name the archive gives is placed by the rules
 * in safepath.c and never by the host resolving a path string.  Owners,
 * modes (setuid included) and times are kept: an image's /usr/bin/passwd
 * must stay setuid root.  Device nodes are skipped: the runtime makes the
 * container's /dev itself.
 */
#include "import.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/log.h"
#include "core/base/util.h"

#define READ_CHUNK (64 * 1024)

/* A directory's mtime changes while its entries are written, so it is
 * set once every entry is in place. */
struct dir_time {
	char *name;
	struct timespec times[2];
};

/* A directory kept open between entries (see open_parent). */
struct open_dir {
	int fd;                /* -1: none */
	char name[PATH_MAX];   /* relative to the root */
};

struct extract {
	struct archive *a;
	int rootfd;
	const struct rootfs_reader *in;
	struct rootfs_extract_stats *st;
	int read_errno;           /* the reader failed with this */
	unsigned long long total; /* bytes read from the reader */
	struct dir_time *dirs;
	size_t ndirs;
	struct open_dir parent;   /* the last entry's directory */
	struct open_dir target;   /* the last hard link target's directory */
	char name[PATH_MAX];      /* the current entry, cleaned */
	char raw[PATH_MAX];       /* ... and as the archive spells it */
	char buf[READ_CHUNK];
};

static void extract_free(struct extract **xp)
{
	struct extract *x = *xp;

	if (!x)
		return;
	if (x->a)
		archive_read_free(x->a);
	if (x->parent.fd >= 0)
		close(x->parent.fd);
	if (x->target.fd >= 0)
		close(x->target.fd);
	for (size_t i = 0; i < x->ndirs; i++)
		free(x->dirs[i].name);
	free(x->dirs);
	free(x);
}

static la_ssize_t read_cb(struct archive *a, void *arg, const void **buf)
{
	struct extract *x = arg;
	ssize_t n = x->in->read(x->in->arg, x->buf, sizeof(x->buf));

	if (n < 0) {
		x->read_errno = errno;
		archive_set_error(a, errno, "Cannot read the archive");
		return -1;
	}
	x->total += n;
	*buf = x->buf;
	return n;
}

/* libarchive failed: say where, in the uncompressed stream, and on what. */
static int archive_failure(struct extract *x, bool in_entry, struct dd_error *err)
{
	const char *why = archive_error_string(x->a);
	long long offset = in_entry ? archive_read_header_position(x->a)
				    : archive_filter_bytes(x->a, 0);

	if (x->read_errno)
		return dd_fail(err, x->read_errno, "Cannot read the archive (offset %lld)", offset);
	if (x->total == 0)
		return dd_fail(err, 0, "Not a tar archive: the input is empty");
	if (!why)
		why = "unknown error";
	if (!x->raw[0] && !in_entry)
		return dd_fail(err, 0, "Not a tar archive (offset %lld): %s", offset, why);
	return dd_fail(err, 0, "Corrupt archive %s entry '%s' (offset %lld): %s",
		       in_entry ? "at" : "after", x->raw, offset, why);
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
}

/* Owner first: chown(2) clears setuid and setgid, chmod(2) then sets them. */
static int set_owner_mode(int fd, struct archive_entry *e, const char *name,
			  struct dd_error *err)
{
	/* Without root (chapter 04) every file is ours, as GNU tar makes
	 * them: the user namespace shows them as the container's root. */
	if (geteuid() == 0 && fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) < 0)
		return dd_fail(err, errno, "Cannot set the owner of '%s'", name);
	if (fchmod(fd, archive_entry_perm(e)) < 0)
		return dd_fail(err, errno, "Cannot set the mode of '%s'", name);
	return 0;
}

/* The length of name's directory part ("a/b" of "a/b/c"). */
static size_t dir_len(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? (size_t)(slash - name) : 0;
}

static void forget_dir(struct open_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* The directory that holds name, through lab 07's rootfs_open_parent(),
 * kept open in d: an image's /bin or /usr/lib is hundreds of entries in
 * a row, and each would cost an openat2 walk from the root.  For
 * x->parent, reuse is safe because an entry that changes a directory on
 * the kept path (replaces it by a symlink, say) looks up its own parent
 * first, which evicts it; x->target is forgotten whenever an entry could
 * change any directory (see extract_entry).  The descriptor is borrowed:
 * do not close it. */
static int open_parent(struct extract *x, struct open_dir *d, const char *name, bool create,
		       const char **base, struct dd_error *err)
{
	size_t len = dir_len(name);
	int fd;

	if (d->fd >= 0 && strlen(d->name) == len && !strncmp(d->name, name, len)) {
		*base = name + len + (len > 0);
		return d->fd;
	}
	fd = rootfs_open_parent(x->rootfd, name, create, base, err);
	if (fd < 0)
		return -1;
	forget_dir(d);
	d->fd = fd;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	return fd;
}

/* A later entry of the same name wins, as with tar. */
static int remove_existing(struct extract *x, int dirfd, const char *base,
			   struct dd_error *err)
{
	if (unlinkat(dirfd, base, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR && unlinkat(dirfd, base, AT_REMOVEDIR) == 0) {
		forget_dir(&x->target); /* it may have been on that path */
		return 0;
	}
	return dd_fail(err, errno, "Cannot replace '%s'", x->name);
}

static int copy_data(struct extract *x, int fd, struct dd_error *err)
{
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(x->a, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return archive_failure(x, true, err);
		/* Blocks carry their offset: a sparse file's holes are simply
		 * never written. */
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return dd_fail(err, errno, "Cannot write '%s'", x->name);
			done += n;
		}
		x->st->bytes += len;
	}
}

static int make_file(struct extract *x, int dirfd, const char *base,
		     struct archive_entry *e, struct dd_error *err)
{
	_cleanup_close_ int fd = -1;
	struct timespec ts[2];

	/* O_EXCL|O_NOFOLLOW: never write through a symlink of that name. */
	fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		if (remove_existing(x, dirfd, base, err) < 0)
			return -1;
		fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
	}
	if (fd < 0)
		return dd_fail(err, errno, "Cannot create '%s'", x->name);
	if (copy_data(x, fd, err) < 0)
		return -1;
	/* A trailing hole: the size says where the file ends. */
	if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
		return dd_fail(err, errno, "Cannot set the size of '%s'", x->name);
	if (set_owner_mode(fd, e, x->name, err) < 0)
		return -1;
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return dd_fail(err, errno, "Cannot set the times of '%s'", x->name);
	x->st->files++;
	return 0;
}

static int remember_dir_time(struct extract *x, struct archive_entry *e,
			     struct dd_error *err)
{
	struct dir_time *nd = realloc(x->dirs, (x->ndirs + 1) * sizeof(*nd));

	if (!nd)
		return dd_fail(err, ENOMEM, "Cannot extract '%s'", x->name);
	x->dirs = nd;
	nd[x->ndirs].name = strdup(x->name);
	if (!nd[x->ndirs].name)
		return dd_fail(err, ENOMEM, "Cannot extract '%s'", x->name);
	entry_times(e, nd[x->ndirs++].times);
	return 0;
}

/* dirfd < 0: the entry is the root itself ("./"). */
static int make_dir(struct extract *x, int dirfd, const char *base, struct archive_entry *e,
		    struct dd_error *err)
{
	_cleanup_close_ int fd = -1;

	if (dirfd < 0) {
		fd = dd_open_in_root(x->rootfd, "/", O_RDONLY | O_DIRECTORY, err);
		if (fd < 0)
			return -1;
	} else {
		if (mkdirat(dirfd, base, 0700) < 0 && errno != EEXIST)
			return dd_fail(err, errno, "Cannot create directory '%s'", x->name);
		fd = openat(dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && (errno == ENOTDIR || errno == ELOOP)) {
			/* A file or symlink of that name came first: replace it. */
			if (unlinkat(dirfd, base, 0) < 0 || mkdirat(dirfd, base, 0700) < 0)
				return dd_fail(err, errno, "Cannot replace '%s'", x->name);
			fd = openat(dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			return dd_fail(err, errno, "Cannot open directory '%s'", x->name);
	}
	if (set_owner_mode(fd, e, x->name[0] ? x->name : "/", err) < 0)
		return -1;
	x->st->dirs++;
	return remember_dir_time(x, e, err);
}

/* Stored as-is: the target is only text until someone follows it, and
 * that will be the container, inside its own root. */
static int make_symlink(struct extract *x, int dirfd, const char *base,
			struct archive_entry *e, struct dd_error *err)
{
	const char *target = archive_entry_symlink(e);
	struct timespec ts[2];

	if (!target)
		return dd_fail(err, 0, "Refusing symlink '%s' without a target", x->raw);
	if (symlinkat(target, dirfd, base) < 0 &&
	    (errno != EEXIST || remove_existing(x, dirfd, base, err) < 0 ||
	     symlinkat(target, dirfd, base) < 0))
		return dd_fail(err, errno, "Cannot create symlink '%s'", x->name);
	if (geteuid() == 0 && fchownat(dirfd, base, archive_entry_uid(e), archive_entry_gid(e),
				       AT_SYMLINK_NOFOLLOW) < 0)
		return dd_fail(err, errno, "Cannot set the owner of '%s'", x->name);
	entry_times(e, ts);
	if (utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return dd_fail(err, errno, "Cannot set the times of '%s'", x->name);
	x->st->symlinks++;
	return 0;
}

/* A hard link names a file the archive already wrote: its target obeys
 * the same rules as any name, so it can never be a host file. */
static int make_hardlink(struct extract *x, int dirfd, const char *base,
			 const char *link, struct dd_error *err)
{
	char target[PATH_MAX];
	const char *tbase;
	int tdir;

	if (rootfs_clean_name(link, target, err) < 0)
		return dd_error_wrap(err, "Refusing hard link '%s'", x->raw);
	if (!target[0])
		return dd_fail(err, 0, "Refusing hard link '%s' to the root", x->raw);
	tdir = open_parent(x, &x->target, target, false, &tbase, err);
	if (tdir < 0)
		return dd_error_wrap(err, "Refusing hard link '%s' to '%s'", x->raw, link);
	if (!strcmp(target, x->name))
		return 0; /* a link to itself: nothing to do */
	if (linkat(tdir, tbase, dirfd, base, 0) < 0 &&
	    (errno != EEXIST || remove_existing(x, dirfd, base, err) < 0 ||
	     linkat(tdir, tbase, dirfd, base, 0) < 0))
		return dd_fail(err, errno, "Refusing hard link '%s' to '%s'", x->raw, link);
	x->st->hardlinks++;
	return 0;
}

static int extract_entry(struct extract *x, struct archive_entry *e, struct dd_error *err)
{
	const char *raw = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	const char *base;
	int dirfd;

	if (!raw)
		return dd_fail(err, 0, "Refusing an entry without a name (offset %lld)",
			       (long long)archive_read_header_position(x->a));
	snprintf(x->raw, sizeof(x->raw), "%s", raw);
	if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK) {
		x->st->skipped_devices++;
		return 0;
	}
	if (rootfs_clean_name(raw, x->name, err) < 0)
		return -1;
	if (!x->name[0]) {
		if (type != AE_IFDIR || link)
			return dd_fail(err, 0, "Refusing entry '%s': the root must be a directory", raw);
		return make_dir(x, -1, NULL, e, err);
	}
	/* Only files and hard links leave every directory where it was. */
	if (type != AE_IFREG && !link)
		forget_dir(&x->target);
	dirfd = open_parent(x, &x->parent, x->name, true, &base, err);
	if (dirfd < 0)
		return -1;
	if (x->in->member) {
		int r = x->in->member(x->in->arg, dirfd, base, err);

		if (r != 0) {
			forget_dir(&x->target); /* a whiteout deletes */
			return r < 0 ? -1 : 0;
		}
	}
	if (link)
		return make_hardlink(x, dirfd, base, link, err);
	switch (type) {
	case AE_IFDIR:
		return make_dir(x, dirfd, base, e, err);
	case AE_IFLNK:
		return make_symlink(x, dirfd, base, e, err);
	case AE_IFREG:
		return make_file(x, dirfd, base, e, err);
	default:
		return dd_fail(err, 0, "Refusing entry '%s' of unknown type 0%o", raw, type);
	}
}

/* Deepest first, so setting a parent's time comes after its children. */
static void set_dir_times(struct extract *x)
{
	for (size_t i = x->ndirs; i-- > 0;) {
		struct dd_error ignored;
		_cleanup_close_ int fd = dd_open_in_root(x->rootfd, x->dirs[i].name,
							  O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
							  &ignored);

		if (fd >= 0)
			futimens(fd, x->dirs[i].times);
	}
}

int rootfs_extract_from(const struct rootfs_reader *in, int dest_dirfd,
			struct rootfs_extract_stats *st, struct dd_error *err)
{
	struct extract *x __attribute__((cleanup(extract_free))) = calloc(1, sizeof(*x));
	struct rootfs_extract_stats ignored;

	if (!x)
		return dd_fail(err, ENOMEM, "Cannot read the archive");
	memset(st ? st : &ignored, 0, sizeof(*st));
	x->st = st ? st : &ignored;
	x->rootfd = dest_dirfd;
	x->parent.fd = x->target.fd = -1;
	x->in = in;
	x->a = archive_read_new();
	if (!x->a)
		return dd_fail(err, ENOMEM, "Cannot read the archive");
	archive_read_support_filter_all(x->a);
	/* Tar only: format_all would also take mtree, whose entries name
	 * files to be read from the host's disk, and "raw" or "empty" input
	 * is not an archive at all. */
	archive_read_support_format_tar(x->a);
	if (archive_read_open(x->a, x, NULL, read_cb, NULL) != ARCHIVE_OK)
		return archive_failure(x, false, err);
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(x->a, &e);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return archive_failure(x, false, err);
		if (extract_entry(x, e, err) < 0) {
			if (!dd_is_not_implemented(err) && !strstr(err->msg, x->raw))
				dd_error_wrap(err, "Cannot extract entry '%s'", x->raw);
			return -1;
		}
	}
	if (x->total == 0)
		return dd_fail(err, 0, "Not a tar archive: the input is empty");
	set_dir_times(x);
	if (x->st->skipped_devices)
		dd_warn("skipped %lu device nodes: the runtime makes /dev", x->st->skipped_devices);
	return 0;
}

static ssize_t read_fd(void *arg, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(*(int *)arg, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int rootfs_extract(int archive_fd, int dest_dirfd, struct rootfs_extract_stats *st,
		   struct dd_error *err)
{
	struct rootfs_reader in = { .read = read_fd, .arg = &archive_fd };

	return rootfs_extract_from(&in, dest_dirfd, st, err);
}
