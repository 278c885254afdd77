/*
 * pipeline.h: the stages in phase order, and how the runtime runs them.
 */
#ifndef DD_PIPELINE_H
#define DD_PIPELINE_H

#include "core/stage.h"

/* The pipeline, in phase order, NULL-terminated. */
extern const struct dd_stage *const dd_pipeline[];

/* The stage of a chapter, or NULL. */
const struct dd_stage *dd_pipeline_stage(int chapter);

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

/* The one way drydock handles a lab that is not done yet.  rc and err
 * are what the lab's code returned.  If it ran (rc >= 0, or a real
 * failure), that is returned.  If it said "not implemented": when the
 * user asked for the feature (s->wanted), an error naming the chapter;
 * otherwise a warning on the log, then core's plain way, plain(c or arg),
 * when there is one, or 0 (carry on without the feature). */
int dd_stage_fallback(const struct dd_stage *s, const struct dd_config *cfg, int rc,
		      int (*plain)(void *arg, struct dd_error *err), void *arg,
		      struct dd_error *err);

#endif
