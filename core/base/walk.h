/*
 * walk.h: the one directory walk (rm -rf, tree sizes, copies, listings).
 *
 * Entries are reached from their directory's fd with *at() calls and
 * O_NOFOLLOW, never by a path string resolved again from the top: a
 * symlink is reported as a symlink and never followed, so a walk cannot
 * be led out of the tree it was given.
 */
#ifndef DD_WALK_H
#define DD_WALK_H

#include <stdbool.h>
#include <sys/stat.h>

#include "core/base/error.h"

enum { DD_WALK_NEXT = 0, DD_WALK_DESCEND = 1 };

struct dd_walk_entry {
	int dirfd;               /* the directory holding it */
	const char *name;        /* its name there */
	const char *rel;         /* its path from the walk's start, "a/b" */
	unsigned char d_type;    /* readdir's DT_* */
	/* lstat of the entry: always for directories and when the walk asks
	 * for stat_all; otherwise NULL (a stat costs time on large trees). */
	const struct stat *st;
};

struct dd_walk {
	/* Every entry, before its children: DD_WALK_DESCEND walks into a
	 * directory, DD_WALK_NEXT goes on, -1 (err filled) stops. */
	int (*visit)(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err);
	/* After a directory's children (may be NULL). */
	int (*leave)(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err);
	bool stat_all;
	void *arg;
};

/* Walk what is below the directory fd (not consumed); rel names it in
 * messages and prefixes the entries' rel ("" for none). */
int dd_walk(int fd, const char *rel, struct dd_walk *w, struct dd_error *err);

#endif
