/* walk.c: a directory walk through *at() calls (walk.h). */
#include "core/base/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"

static int walk_dir(int fd, const char *rel, struct dd_walk *w, struct dd_error *err);

static int walk_entry(DIR *dir, const char *rel, struct dirent *de, struct dd_walk *w,
		      struct dd_error *err)
{
	_cleanup_free_ char *path = *rel ? dd_strdup_printf("%s/%s", rel, de->d_name)
					 : strdup(de->d_name);
	struct dd_walk_entry e = { .dirfd = dirfd(dir), .name = de->d_name, .d_type = de->d_type };
	struct stat st;
	int rc, sub;

	if (!path)
		return dd_fail(err, ENOMEM, "Out of memory");
	e.rel = path;
	if (w->stat_all || de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
		if (fstatat(e.dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return dd_fail(err, errno, "Cannot stat '%s'", path);
		e.st = &st;
	}
	rc = w->visit(w, &e, err);
	if (rc != DD_WALK_DESCEND)
		return rc;
	if (!e.st || !S_ISDIR(e.st->st_mode))
		return 0;
	sub = openat(e.dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return dd_fail(err, errno, "Cannot open directory '%s'", path);
	rc = walk_dir(sub, path, w, err);
	if (rc < 0)
		return -1;
	return w->leave ? w->leave(w, &e, err) : 0;
}

/* fd is consumed: fdopendir takes it over. */
static int walk_dir(int fd, const char *rel, struct dd_walk *w, struct dd_error *err)
{
	_cleanup_closedir_ DIR *dir = fdopendir(fd);
	struct dirent *de;

	if (!dir) {
		close(fd);
		return dd_fail(err, errno, "Cannot read directory '%s'", *rel ? rel : ".");
	}
	while ((errno = 0, de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (walk_entry(dir, rel, de, w, err) < 0)
			return -1;
	}
	if (errno)
		return dd_fail(err, errno, "Cannot read directory '%s'", *rel ? rel : ".");
	return 0;
}

int dd_walk(int fd, const char *rel, struct dd_walk *w, struct dd_error *err)
{
	/* The caller keeps its fd: the walk reads through a copy. */
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (copy < 0)
		return dd_fail(err, errno, "Cannot read directory '%s'", rel && *rel ? rel : ".");
	/* A copy shares the file offset: start reading from the top. */
	lseek(copy, 0, SEEK_SET);
	return walk_dir(copy, rel ? rel : "", w, err);
}
