/*
 * pipeline.h: the stages in phase order, and how the runtime runs them.
 */
#ifndef DD_PIPELINE_H
#define DD_PIPELINE_H

#include "core/stage.h"

/* The pipeline, in phase order, NULL-terminated. */
extern const struct dd_stage *const dd_pipeline[];

/* The stage of a chapter, or NULL: in the pipeline, or among the
 * stages the container runs (c->stages). */
const struct dd_stage *dd_pipeline_stage(int chapter);
const struct dd_stage *dd_container_stage(const struct dd_container *c, int chapter);

/* The CLONE_NEW* flags the stages contribute, less host_shared (what the
 * user shares with the host: --uts host, --pid host, --network host). */
unsigned long dd_pipeline_namespaces(unsigned long host_shared);

/* Run one kind of hook of every stage whose phase lies in [from, to),
 * in phase order; a lab not done is handled by dd_stage_fallback(). */
int dd_stages_prepare(struct dd_container *c, struct dd_error *err);
int dd_stages_parent(struct dd_container *c, struct dd_error *err);
int dd_stages_child(struct dd_container *c, enum dd_phase from, enum dd_phase to,
		    struct dd_error *err);
/* Every cleanup hook, in reverse phase order. */
void dd_stages_cleanup(struct dd_container *c);

/* Is this stage's lab done?  Runs its selftest in a throwaway child. */
bool dd_stage_implemented(const struct dd_stage *s);

/* How a caller wants a lab that is not done handled. */
struct dd_fallback {
	bool wanted;          /* the user asked for the feature: an error */
	const char *without;  /* what the warning says is missing (NULL: s->summary) */
	int (*plain)(void *arg, struct dd_error *err); /* core's plain way, or NULL */
	void *arg;
};

/* The one way drydock handles a lab that is not done yet, for stage
 * hooks, the clone, and image extraction alike.  rc and err are what
 * the lab's code returned.  If it ran (rc >= 0, or a real failure), rc
 * is returned.  If it said "not implemented": an error naming the
 * chapter when f->wanted; otherwise a warning, then f->plain(f->arg)
 * when there is a plain way, or 0 (carry on without the feature). */
int dd_stage_fallback(const struct dd_stage *s, int rc, const struct dd_fallback *f,
		      struct dd_error *err);

#endif
