/*
 * markers.h: solution regions in the instructor's tree.
 *
 *	int uts_set_hostname(const char *name, struct dd_error *err)
 *	{
 *		/ * BEGIN SOLUTION: set the hostname with sethostname(2) * /
 *		...the reference code...
 *		/ * END SOLUTION * /
 *	}
 *
 * A handout for lab NN replaces every region of lab NN and later by
 *
 *		/ * TODO(lab 03): set the hostname with sethostname(2) * /
 *		return dd_not_implemented(err, 3, "set the hostname with sethostname(2)");
 *
 * at the region's indentation; a region at column 0 (file scope) becomes
 * the comment alone.  A file's lab is its chapter's number; a region may
 * name another with "BEGIN SOLUTION(lab 5): task".
 */
#ifndef DD_MARKERS_H
#define DD_MARKERS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DD_MARKER_TASK_MAX 512

struct dd_marker_region {
	int begin_line, end_line; /* 1-based, the marker lines themselves */
	int lab;
	bool file_scope;          /* BEGIN at column 0 */
	char task[DD_MARKER_TASK_MAX];
};

/* Every region of text; -1 with "name:line: why" for unbalanced, nested
 * or malformed markers.  default_lab is the file's chapter (0: none). */
int dd_markers_scan(const char *name, const char *text, int default_lab,
		    struct dd_marker_region **regions, size_t *n, struct dd_error *err);

/* The handout text: regions of lab >= from_lab replaced, the rest of the
 * text byte for byte.  Caller frees *out. */
int dd_markers_cut(const char *name, const char *text, int default_lab, int from_lab,
		   char **out, struct dd_error *err);

/* The chapter number of a path like "chapters/07-rootfs/x.c", or 0. */
int dd_markers_lab_of_path(const char *path);

#endif
