/*
 * pipeline.c: the order in which the chapters' stages run, and how a
 * stage that is not implemented yet is handled.
 *
 * This table is the only place that decides the order.  Chapter numbers
 * say the order of teaching; phases say the order of running
 * (tests/unit/test_core_pipeline.c checks that the table agrees).
 */
#include "core/runtime/pipeline.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "chapters/02-namespaces/namespaces.h"
#include "chapters/03-uts/uts.h"
#include "chapters/04-user/user.h"
#include "chapters/05-pid/pid.h"
#include "chapters/06-mount/mount.h"
#include "chapters/07-rootfs/rootfs.h"
#include "chapters/08-overlay/overlay.h"
#include "chapters/16-security/security.h"
#include "core/base/log.h"

const struct dd_stage *const dd_pipeline[] = {
	&namespaces_stage, /* DD_PHASE_NAMESPACES */
	&user_stage,       /* DD_PHASE_USER */
	&uts_stage,        /* DD_PHASE_IDENTITY */
	&mount_stage,      /* DD_PHASE_MOUNTS */
	&overlay_stage,    /* DD_PHASE_LAYERS */
	&rootfs_stage,     /* DD_PHASE_ROOTFS */
	&user_ids_stage,   /* DD_PHASE_IDS */
	&security_stage,   /* DD_PHASE_CONFINE */
	&pid_stage,        /* DD_PHASE_INIT */
	&process_stage,    /* DD_PHASE_EXEC */
	NULL,
};

static const struct dd_stage *const *stages_of(const struct dd_container *c)
{
	return c && c->stages ? c->stages : dd_pipeline;
}

const struct dd_stage *dd_container_stage(const struct dd_container *c, int chapter)
{
	for (const struct dd_stage *const *sp = stages_of(c); *sp; sp++)
		if ((*sp)->chapter == chapter)
			return *sp;
	return NULL;
}

const struct dd_stage *dd_pipeline_stage(int chapter)
{
	for (const struct dd_stage *const *sp = dd_pipeline; *sp; sp++)
		if ((*sp)->chapter == chapter)
			return *sp;
	return NULL;
}

unsigned long dd_pipeline_namespaces(unsigned long host_shared)
{
	unsigned long flags = 0;

	for (const struct dd_stage *const *sp = dd_pipeline; *sp; sp++)
		flags |= (*sp)->namespaces;
	return flags & ~host_shared;
}

int dd_stage_fallback(const struct dd_stage *s, int rc, const struct dd_fallback *f,
		      struct dd_error *err)
{
	if (rc >= 0 || !dd_is_not_implemented(err))
		return rc;
	if (f->wanted)
		return dd_error_wrap(err, "Chapter %02d (%s) is needed for what you asked",
				     s->chapter, s->name);
	dd_warn("chapter %02d (%s) is not implemented yet (lab %02d): running without %s",
		s->chapter, s->name, err->lab ? err->lab : s->chapter,
		f->without ? f->without : s->summary);
	dd_error_clear(err);
	return f->plain ? f->plain(f->arg, err) : 0;
}

/* A stage's fallback hook, as dd_stage_fallback()'s plain way. */
struct hook_fallback {
	const struct dd_stage *s;
	struct dd_container *c;
};

static int run_stage_fallback(void *arg, struct dd_error *err)
{
	struct hook_fallback *h = arg;

	return h->s->fallback(h->c, err);
}

static int run_hook(const struct dd_stage *s, int (*hook)(struct dd_container *, struct dd_error *),
		    struct dd_container *c, struct dd_error *err)
{
	struct hook_fallback h = { .s = s, .c = c };
	const struct dd_fallback f = {
		.wanted = s->wanted && s->wanted(c->cfg),
		.plain = s->fallback ? run_stage_fallback : NULL,
		.arg = &h,
	};

	return dd_stage_fallback(s, hook(c, err), &f, err);
}

int dd_stages_prepare(struct dd_container *c, struct dd_error *err)
{
	for (const struct dd_stage *const *sp = stages_of(c); *sp; sp++)
		if ((*sp)->prepare && run_hook(*sp, (*sp)->prepare, c, err) < 0)
			return -1;
	return 0;
}

int dd_stages_parent(struct dd_container *c, struct dd_error *err)
{
	for (const struct dd_stage *const *sp = stages_of(c); *sp; sp++)
		if ((*sp)->parent && run_hook(*sp, (*sp)->parent, c, err) < 0)
			return -1;
	return 0;
}

int dd_stages_child(struct dd_container *c, enum dd_phase from, enum dd_phase to,
		    struct dd_error *err)
{
	for (const struct dd_stage *const *sp = stages_of(c); *sp; sp++) {
		if ((*sp)->phase < from || (*sp)->phase >= to || !(*sp)->child)
			continue;
		if (run_hook(*sp, (*sp)->child, c, err) < 0)
			return -1;
	}
	return 0;
}

void dd_stages_cleanup(struct dd_container *c)
{
	const struct dd_stage *const *stages = stages_of(c);
	size_t n = 0;

	while (stages[n])
		n++;
	while (n-- > 0)
		if (stages[n]->cleanup)
			stages[n]->cleanup(c);
}

bool dd_stage_implemented(const struct dd_stage *s)
{
	int status;
	pid_t pid;

	if (!s->selftest)
		return true;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		struct dd_error err = { 0 };

		/* Whatever the lab's code does stays in this child. */
		if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(2);
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		s->selftest(&err);
		_exit(dd_is_not_implemented(&err) ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
