/*
 * mutant.h: plausible wrong solutions, kept beside a lab.
 *
 * A mutant is the body of one solution region written the way a student
 * might get it wrong.  labs/NN-name/mutants/NAME.c holds one:
 *
 *	/ * mutant: forwards only SIGTERM, so ctrl-c (SIGINT) is dropped
 *	 * file: chapters/05-pid/pid.c
 *	 * task: install init_note_signal for every signal in init_forwarded
 *	 * /
 *	...the body that replaces the region's lines...
 *
 * (drawn with "/ *" so this comment stays one comment).  The region is
 * named by its task, the text of its BEGIN SOLUTION line, not by line
 * numbers or diff context, so a mutant survives any change to the code
 * around the region.  Applying it replaces the lines between the region's
 * markers and keeps the markers, so the result is again a reference tree.
 *
 * The self-check (scripts/lab/selfcheck.sh) applies each mutant to a
 * scratch copy of the reference and requires the lab's tests to fail.
 * Everything here is pure: text in, text out, no files.
 */
#ifndef DD_MUTANT_H
#define DD_MUTANT_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/lab/markers.h"

#define DD_MUTANT_PATH_MAX 256
#define DD_MUTANT_MISTAKE_MAX 256

struct dd_mutant {
	char mistake[DD_MUTANT_MISTAKE_MAX]; /* one line: the student's mistake */
	char file[DD_MUTANT_PATH_MAX];	     /* tree-relative, e.g. chapters/05-pid/pid.c */
	char task[DD_MARKER_TASK_MAX];	     /* the region's task, exactly */
	const char *body;		     /* into the parsed text, not copied */
	size_t body_len;
};

/* Parse a mutant file's text (name is used in messages). */
int dd_mutant_parse(const char *name, const char *text, size_t len, struct dd_mutant *m,
		    struct dd_error *err);

/* The text of m->file (text[0..len), of chapter default_lab) with the
 * region named by m->task replaced by m->body.  *region_lab gets that
 * region's lab.  *out is NUL-terminated; caller frees. */
int dd_mutant_apply(const struct dd_mutant *m, const char *text, size_t len,
		    int default_lab, int *region_lab, char **out, size_t *out_len,
		    struct dd_error *err);

#endif
