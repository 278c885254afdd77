/*
 * stage.h: the stage pipeline, the one interface every chapter implements.
 *
 * A container is made by running each chapter's stage in the order of
 * its phase.  Hooks (any may be NULL):
 *
 *   prepare  engine side, before the child exists
 *   parent   in drydock, after the child was cloned, before it may go on
 *   child    in the child, before exec (hostname, mounts, pivot_root ...)
 *   cleanup  in drydock, after the container exited, in reverse order
 *
 * A hook returns 0, or -1 with err filled.  A hook whose lab is not done
 * yet returns dd_not_implemented(): the runtime then warns and carries on
 * without the feature, unless wanted() says the user asked for it
 * explicitly, in which case it is an error.  A stage whose feature
 * something later relies on names a fallback: core's plain way of doing
 * the same (the overlay stage's is a full copy of the image), run in
 * the hook's place when the lab is not done.
 */
#ifndef DD_STAGE_H
#define DD_STAGE_H

#include <stdbool.h>

#include "core/base/config.h"
#include "core/base/error.h"

/* When a stage's child hook runs, first to last.  The table in
 * pipeline.c lists the stages in this order and nowhere else decides it. */
enum dd_phase {
	DD_PHASE_NAMESPACES = 10, /* the namespaces exist */
	DD_PHASE_IDENTITY = 20,   /* hostname, user ids */
	DD_PHASE_MOUNTS = 30,     /* the mount tree is private */
	DD_PHASE_LAYERS = 35,     /* the image's layers are mounted */
	DD_PHASE_ROOTFS = 40,     /* the container's root is in place */
	DD_PHASE_INIT = 50,       /* PID 1 */
	DD_PHASE_EXEC = 90        /* the command replaces the child */
};

struct dd_stage {
	const char *name;          /* "uts" */
	int chapter;               /* 3, also its lab number */
	const char *summary;       /* one line for `drydock info` */
	enum dd_phase phase;
	unsigned long namespaces;  /* CLONE_NEW* flags this stage relies on */
	bool (*wanted)(const struct dd_config *cfg);
	int (*prepare)(struct dd_container *c, struct dd_error *err);
	int (*parent)(struct dd_container *c, struct dd_error *err);
	int (*child)(struct dd_container *c, struct dd_error *err);
	void (*cleanup)(struct dd_container *c);
	int (*fallback)(struct dd_container *c, struct dd_error *err);
	/* Calls the lab's code on harmless input, so `drydock info` can tell
	 * whether the lab is done: core runs it in a throwaway child with
	 * private mount, UTS and IPC namespaces; any answer but "not
	 * implemented" means done. */
	int (*selftest)(struct dd_error *err);
};

/* The pipeline, in phase order, NULL-terminated. */
extern const struct dd_stage *const dd_pipeline[];

/* Run one kind of hook of every stage; not-implemented is handled as
 * described above (warning or error). */
int dd_stages_prepare(struct dd_container *c, struct dd_error *err);
int dd_stages_parent(struct dd_container *c, struct dd_error *err);
int dd_stages_child(struct dd_container *c, struct dd_error *err);
void dd_stages_cleanup(struct dd_container *c);

/* Is this stage's lab done?  Runs its selftest in a throwaway child. */
bool dd_stage_implemented(const struct dd_stage *s);

/* Decide what to do with a hook's failure: returns 0 (warned, carry on)
 * or -1 (err says why). */
int dd_stage_check(const struct dd_stage *s, const struct dd_config *cfg,
		   int rc, struct dd_error *err);

/* Fallbacks (core/copytree.c). */

/* Give the container a private copy of its image's layers at cfg->rootfs. */
int dd_copy_image_root(struct dd_container *c, struct dd_error *err);

#endif
