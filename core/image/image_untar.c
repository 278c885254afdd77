/*
 * image_untar.c: the store's extractor: lab 07's, or GNU tar while lab 07
 * is not done.
 *
 * Every lab runs containers, so every lab needs images, long before lab
 * 07 teaches how to unpack one safely.  Until rootfs_extract() is
 * written, the store hands the archive to GNU tar, which strips leading
 * '/' and refuses ".." by itself.  tar cannot guess the compression of a
 * pipe, so libarchive undoes it (its "raw" format passes the stream
 * through) and tar reads plain tar.
 */
#include "core/image/image_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/runtime/pipeline.h"
#include "chapters/07-rootfs/rootfs.h"

#define CHUNK (64 * 1024)

struct pump {
	const struct rootfs_reader *in;
	char in_buf[CHUNK];  /* what the archive's file gave */
	char out_buf[CHUNK]; /* the same, decompressed, for tar */
};

static la_ssize_t read_cb(struct archive *a, void *arg, const void **buf)
{
	struct pump *p = arg;
	ssize_t n = p->in->read(p->in->arg, p->in_buf, sizeof(p->in_buf));

	if (n < 0)
		archive_set_error(a, errno, "Cannot read the archive");
	*buf = p->in_buf;
	return n;
}

static pid_t start_tar(const char *dest, int *to_tar, struct dd_error *err)
{
	int sv[2];
	pid_t pid;

	/* A socket, not a pipe: send(MSG_NOSIGNAL) gets EPIPE, not SIGPIPE,
	 * if tar gives up early. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return dd_fail(err, errno, "Cannot start tar");
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return dd_fail(err, errno, "Cannot start tar");
	}
	if (pid == 0) {
		if (dup2(sv[1], STDIN_FILENO) < 0)
			_exit(126);
		/* Without root the files are ours, as chapter 07's import
		 * makes them (chapter 04 maps us to the container's root). */
		execlp("tar", "tar", "--extract", "--file=-", "--directory", dest,
		       "--numeric-owner", geteuid() == 0 ? "--same-owner" : "--no-same-owner",
		       "--same-permissions", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	*to_tar = sv[0];
	return pid;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static int untar(const struct rootfs_reader *in, const char *dest, long long *size,
		   struct dd_error *err)
{
	struct pump *p = calloc(1, sizeof(*p));
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	_cleanup_close_ int to_tar = -1;
	pid_t pid = -1;
	int status = 0, rc = -1;
	ssize_t n;

	*size = 0;
	if (!p || !a) {
		dd_fail(err, ENOMEM, "Cannot read the archive");
		goto out;
	}
	p->in = in;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open(a, p, NULL, read_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		dd_fail(err, 0, "Not a tar archive: %s",
			archive_error_string(a) ? archive_error_string(a) : "the input is empty");
		goto out;
	}
	pid = start_tar(dest, &to_tar, err);
	if (pid < 0)
		goto out;
	while ((n = archive_read_data(a, p->out_buf, sizeof(p->out_buf))) > 0) {
		*size += n;
		if (send_all(to_tar, p->out_buf, n) < 0)
			break; /* tar gave up: its status says why */
	}
	close(move_fd(to_tar));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n < 0)
		dd_fail(err, 0, "Corrupt archive (offset %lld): %s",
			(long long)archive_filter_bytes(a, -1), archive_error_string(a));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		dd_fail(err, 0, "GNU tar could not unpack the archive (%s %d)",
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	else
		rc = 0;
out:
	if (a)
		archive_read_free(a);
	free(p);
	return rc;
}

/* Has the student written lab 07's extraction?  Both path-safety
 * functions must be: with only one done, extraction fails halfway. */
static bool lab07_done(int rootfd)
{
	struct dd_error err = { 0 };
	char out[PATH_MAX];
	const char *base;
	int fd;

	if (rootfs_clean_name("etc", out, &err) < 0 && dd_is_not_implemented(&err))
		return false;
	fd = rootfs_open_parent(rootfd, "etc", false, &base, &err);
	if (fd >= 0)
		close(fd);
	return fd >= 0 || !dd_is_not_implemented(&err);
}

struct untar_args {
	const struct rootfs_reader *in;
	const char *dest;
	long long *size;
};

static int plain_untar(void *arg, struct dd_error *err)
{
	struct untar_args *a = arg;

	return untar(a->in, a->dest, a->size, err);
}

int dd_store_unpack(const struct rootfs_reader *in, int dirfd, const char *dir,
		    bool needs_lab, long long *size, struct dd_error *err)
{
	long long ignored;
	struct untar_args a = { .in = in, .dest = dir, .size = size ? size : &ignored };
	const struct dd_fallback f = {
		.wanted = needs_lab,
		.without = "safe image import: unpacking with GNU tar instead",
		.plain = plain_untar, .arg = &a,
	};
	struct rootfs_extract_stats st = { 0 };
	int rc;

	if (!lab07_done(dirfd))
		return dd_stage_fallback(&rootfs_stage,
					 dd_not_implemented(err, 7, "rootfs_clean_name and "
							    "rootfs_open_parent"),
					 &f, err);
	rc = rootfs_extract_from(in, dirfd, &st, err);
	if (rc == 0)
		*a.size = (long long)st.bytes;
	return rc;
}
