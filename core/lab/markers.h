/*
 * markers.h: solution regions in the instructor's tree.
 *
 * In a chapter's source, the reference code of a lab sits between two
 * marker lines (drawn here with "/ *" so this comment stays one comment):
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
 * at the region's indentation; a region at column 0 (file scope: a
 * helper or a table only the solution uses) becomes the comment alone.
 * Regions of earlier labs are kept as they are, markers included, and
 * every line outside a replaced region is copied byte for byte.
 *
 * A region's lab is its file's chapter number ("chapters/07-rootfs/x.c":
 * lab 7); "BEGIN SOLUTION(lab 5): task" names another, and is required
 * for a region outside chapters/.
 *
 * A marker is a line that holds only the comment.  A line that starts
 * like a marker but is not one exactly (no task, text after the comment,
 * a bad lab) is an error rather than ordinary text, so a typo can never
 * leak a solution into a handout.  Errors read "name:line: why".
 *
 * Everything here is pure: text in, text out, no files.
 */
#ifndef DD_MARKERS_H
#define DD_MARKERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/error.h"

#define DD_MARKER_TASK_MAX 512
#define DD_MARKER_LAB_MAX 99

struct dd_marker_region {
	int begin_line, end_line; /* 1-based: the marker lines themselves */
	int lab;
	bool file_scope; /* BEGIN at column 0: no return statement */
	char task[DD_MARKER_TASK_MAX];
};

/* Every region of text[0..len), in order, into a new array (caller frees;
 * NULL when there is none).  name is used in messages; default_lab is the
 * file's chapter (0: none, so each region must name its lab). */
int dd_markers_scan(const char *name, const char *text, size_t len, int default_lab,
		    struct dd_marker_region **regions, size_t *n, struct dd_error *err);

/* The handout's text: every region of lab >= from_lab replaced, the rest
 * byte for byte.  *out is NUL-terminated, *out_len long; caller frees. */
int dd_markers_cut(const char *name, const char *text, size_t len, int default_lab,
		   int from_lab, char **out, size_t *out_len, struct dd_error *err);

/* The chapter number of a tree-relative path like "chapters/07-rootfs/x.c",
 * or 0 if the path is not under chapters/NN-name/. */
int dd_markers_lab_of_path(const char *path);

#endif
