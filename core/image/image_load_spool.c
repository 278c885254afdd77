/*
 * image_load_spool.c: the outer archive of `drydock load`, unpacked into
 * a private directory.
 *
 * A `docker save` or OCI image layout archive is a tar of JSON files and
 * layer blobs, and the manifest that says which blob is which may come
 * last.  stdin cannot be read twice, so the archive is first unpacked as
 * it is into <root>/tmp/load-XXXXXX/archive.  Its names come from
 * whoever made the archive: each must be a plain relative path, and only
 * regular files, directories and symlinks are written.  Symlinks are
 * how `docker save` before Docker 25 (and podman, skopeo) store a layer
 * shared by two images: "<id>/layer.tar -> ../<other id>/layer.tar".
 * They are never followed while the spool is written (O_NOFOLLOW at
 * every step), and every later open (dd_load_open()) resolves names with
 * the spool as its root, so no symlink, whatever it says, leads out.
 */
#include "core/image/image_load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/image/image_store.h"

#define READ_CHUNK (64 * 1024)

int dd_load_clean_path(const char *name, char out[PATH_MAX], struct dd_error *err)
{
	/* A manifest names members of the archive: an absolute name is a
	 * mistake, not something to make relative.  The rest is lab 07's
	 * one path-cleaning function ("./" and doubled slashes go, ".." is
	 * refused). */
	if (name[0] == '/')
		return dd_fail(err, 0, "its name is absolute");
	return rootfs_clean_name(name, out, err);
}

int dd_load_open(int spoolfd, const char *path, struct dd_error *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		/* Symlinks inside the archive are followed as if the spool
		 * were "/": ".." and absolute targets stop there. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char clean[PATH_MAX];
	struct stat st;
	int fd;

	if (dd_load_clean_path(path, clean, err) < 0)
		return dd_error_wrap(err, "Refusing '%s'", path);
	fd = clean[0] ? syscall(SYS_openat2, spoolfd, clean, &how, sizeof(how)) : -1;
	if (fd < 0 && (errno == ENOENT || !clean[0])) {
		dd_fail(err, 0, "the archive has no '%s'", path);
		err->errnum = ENOENT; /* so callers can tell "missing" from "broken" */
		return -1;
	}
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '%s' in the archive", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dd_fail(err, 0, "'%s' in the archive is not a file", path);
	}
	return fd;
}

/* --- writing the spool ---------------------------------------------------- */

struct spool {
	struct archive *a;
	int fd;                   /* the archive */
	int read_errno;
	unsigned long long total; /* bytes read */
	char raw[PATH_MAX];       /* the current member, as the archive names it */
	char buf[READ_CHUNK];
};

static void spool_free(struct spool **sp)
{
	if (*sp && (*sp)->a)
		archive_read_free((*sp)->a);
	free(*sp);
}

/* A signal makes the read fail, so a load blocked on stdin stops too. */
static la_ssize_t read_cb(struct archive *a, void *arg, const void **buf)
{
	struct spool *s = arg;
	ssize_t n;

	for (;;) {
		if (dd_store_interrupted()) {
			errno = EINTR;
			n = -1;
			break;
		}
		n = read(s->fd, s->buf, sizeof(s->buf));
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0) {
		s->read_errno = errno;
		archive_set_error(a, errno, "Cannot read the archive");
		return -1;
	}
	s->total += n;
	*buf = s->buf;
	return n;
}

static int archive_failure(struct spool *s, struct dd_error *err)
{
	const char *why = archive_error_string(s->a);

	if (!why)
		why = "unknown error";

	if (s->read_errno)
		return dd_fail(err, s->read_errno, "Cannot read the archive");
	if (s->total == 0)
		return dd_fail(err, 0, "Not a tar archive: the input is empty");
	if (!s->raw[0])
		return dd_fail(err, 0, "Not a tar archive: %s", why);
	return dd_fail(err, 0, "Corrupt archive at or after member '%s': %s", s->raw, why);
}

/* Open the directory path (cleaned, "" for the top) inside spoolfd,
 * making each missing component. */
static int open_dir(int spoolfd, const char *path, struct dd_error *err)
{
	_cleanup_free_ char *copy = strdup(path);
	char *save = NULL;
	int fd = fcntl(spoolfd, F_DUPFD_CLOEXEC, 0);

	if (!copy || fd < 0)
		return dd_fail(err, copy ? errno : ENOMEM, "Cannot create '%s'", path);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (mkdirat(fd, c, 0700) < 0 && errno != EEXIST) {
			close(fd);
			return dd_fail(err, errno, "Cannot create '%s'", path);
		}
		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return dd_fail(err, errno, "Cannot open '%s'", path);
		fd = next;
	}
	return fd;
}

static int copy_data(struct spool *s, int fd, const char *name, struct dd_error *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(s->a, &buf, &len, &off)) == ARCHIVE_OK) {
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return dd_fail(err, errno, "Cannot write '%s'", name);
			done += n;
		}
	}
	return r == ARCHIVE_EOF ? 0 : archive_failure(s, err);
}

static int spool_file(struct spool *s, int spoolfd, char *name, struct archive_entry *e,
		      struct dd_error *err)
{
	char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	_cleanup_close_ int dirfd = -1, fd = -1;

	if (slash)
		*slash = '\0';
	dirfd = open_dir(spoolfd, slash ? name : "", err);
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return dd_fail(err, 0, "Refusing member '%s' of the archive: it comes twice",
			       s->raw);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot create '%s'", s->raw);
	if (copy_data(s, fd, s->raw, err) < 0)
		return -1;
	/* A trailing hole: the size says where the file ends. */
	if (ftruncate(fd, archive_entry_size(e)) < 0)
		return dd_fail(err, errno, "Cannot write '%s'", s->raw);
	return 0;
}

/* A symlink, stored as it is: only dd_load_open() follows it. */
static int spool_symlink(struct spool *s, int spoolfd, char *name, const char *target,
			 struct dd_error *err)
{
	char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	_cleanup_close_ int dirfd = -1;

	if (!target || !target[0])
		return dd_fail(err, 0, "Refusing member '%s' of the archive: a symlink to nothing",
			       s->raw);
	if (slash)
		*slash = '\0';
	dirfd = open_dir(spoolfd, slash ? name : "", err);
	if (dirfd < 0)
		return -1;
	if (symlinkat(target, dirfd, base) == 0)
		return 0;
	if (errno == EEXIST)
		return dd_fail(err, 0, "Refusing member '%s' of the archive: it comes twice",
			       s->raw);
	return dd_fail(err, errno, "Cannot create '%s'", s->raw);
}

static const char *kind_of(mode_t type)
{
	switch (type) {
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device node";
	case AE_IFIFO:
		return "a fifo";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "of an unknown type";
	}
}

static int spool_entry(struct spool *s, int spoolfd, struct archive_entry *e,
		       struct dd_error *err)
{
	const char *raw = archive_entry_pathname(e);
	mode_t type = archive_entry_filetype(e);
	char name[PATH_MAX];
	_cleanup_close_ int fd = -1;

	if (!raw)
		return dd_fail(err, 0, "Refusing a member of the archive without a name");
	snprintf(s->raw, sizeof(s->raw), "%s", raw);
	if (dd_load_clean_path(raw, name, err) < 0)
		return dd_error_wrap(err, "Refusing member '%s' of the archive", raw);
	if (archive_entry_hardlink(e))
		return dd_fail(err, 0, "Refusing member '%s' of the archive: a hard link "
			       "(drydock load takes only regular files and directories)", raw);
	if (type == AE_IFDIR) {
		fd = open_dir(spoolfd, name, err);
		return fd < 0 ? -1 : 0;
	}
	if (type != AE_IFREG && type != AE_IFLNK)
		return dd_fail(err, 0, "Refusing member '%s' of the archive: %s "
			       "(drydock load takes only regular files, directories and "
			       "symlinks)", raw, kind_of(type));
	if (!name[0])
		return dd_fail(err, 0, "Refusing member '%s' of the archive: a file with no name",
			       raw);
	if (type == AE_IFLNK)
		return spool_symlink(s, spoolfd, name, archive_entry_symlink(e), err);
	return spool_file(s, spoolfd, name, e, err);
}

int dd_load_spool(int fd, int spoolfd, struct dd_error *err)
{
	struct spool *s __attribute__((cleanup(spool_free))) = calloc(1, sizeof(*s));
	struct archive_entry *e;
	int r;

	if (!s || !(s->a = archive_read_new()))
		return dd_fail(err, ENOMEM, "Cannot read the archive");
	s->fd = fd;
	archive_read_support_filter_all(s->a);
	/* Tar only, as for image layers: never mtree, raw or empty input. */
	archive_read_support_format_tar(s->a);
	if (archive_read_open(s->a, s, NULL, read_cb, NULL) != ARCHIVE_OK)
		return archive_failure(s, err);
	while ((r = archive_read_next_header(s->a, &e)) != ARCHIVE_EOF) {
		if (r < ARCHIVE_WARN)
			return archive_failure(s, err);
		if (spool_entry(s, spoolfd, e, err) < 0)
			return -1;
	}
	if (s->total == 0)
		return dd_fail(err, 0, "Not a tar archive: the input is empty");
	return 0;
}
