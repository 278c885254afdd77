/*
 * pipeline.c: the order in which the chapters' stages run, and how a
 * stage that is not implemented yet is handled.
 *
 * This table is the only place that decides the order.  Chapter numbers
 * say the order of teaching; phases say the order of running.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "chapters/02-namespaces/namespaces.h"
#include "chapters/03-uts/uts.h"
#include "chapters/05-pid/pid.h"
#include "chapters/06-mount/mount.h"
#include "chapters/07-rootfs/rootfs.h"
#include "chapters/08-overlay/overlay.h"
#include "core/base/log.h"
#include "core/stage.h"

const struct dd_stage *const dd_pipeline[] = {
	&namespaces_stage, /* DD_PHASE_NAMESPACES */
	&uts_stage,        /* DD_PHASE_IDENTITY */
	&mount_stage,      /* DD_PHASE_MOUNTS */
	&overlay_stage,    /* DD_PHASE_LAYERS */
	&rootfs_stage,     /* DD_PHASE_ROOTFS */
	&pid_stage,        /* DD_PHASE_INIT */
	&process_stage,    /* DD_PHASE_EXEC */
	NULL,
};

int dd_stage_check(const struct dd_stage *s, const struct dd_config *cfg, int rc,
		   struct dd_error *err)
{
	if (rc >= 0)
		return 0;
	if (!dd_is_not_implemented(err))
		return -1;
	if (s->wanted && s->wanted(cfg))
		return dd_error_wrap(err, "Chapter %02d (%s) is needed for what you asked",
				     s->chapter, s->name);
	dd_warn("chapter %02d (%s) is not implemented yet (lab %02d): running without %s",
		s->chapter, s->name, err->lab ? err->lab : s->chapter, s->summary);
	dd_error_clear(err);
	return 0;
}

/* One hook of one stage; a lab not done runs the stage's fallback. */
static int run_hook(const struct dd_stage *s, int (*hook)(struct dd_container *, struct dd_error *),
		    struct dd_container *c, struct dd_error *err)
{
	bool not_done;

	if (hook(c, err) == 0)
		return 0;
	not_done = dd_is_not_implemented(err);
	if (dd_stage_check(s, c->cfg, -1, err) < 0)
		return -1;
	return not_done && s->fallback ? s->fallback(c, err) : 0;
}

#define RUN_HOOKS(hook, c, err)                                               \
	for (const struct dd_stage *const *sp = dd_pipeline; *sp; sp++) {     \
		if ((*sp)->hook && run_hook(*sp, (*sp)->hook, c, err) < 0)     \
			return -1;                                            \
	}                                                                     \
	return 0

int dd_stages_prepare(struct dd_container *c, struct dd_error *err)
{
	RUN_HOOKS(prepare, c, err);
}

int dd_stages_parent(struct dd_container *c, struct dd_error *err)
{
	RUN_HOOKS(parent, c, err);
}

int dd_stages_child(struct dd_container *c, struct dd_error *err)
{
	RUN_HOOKS(child, c, err);
}

void dd_stages_cleanup(struct dd_container *c)
{
	size_t n = 0;

	while (dd_pipeline[n])
		n++;
	while (n-- > 0)
		if (dd_pipeline[n]->cleanup)
			dd_pipeline[n]->cleanup(c);
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
		freopen("/dev/null", "w", stderr);
		s->selftest(&err);
		_exit(dd_is_not_implemented(&err) ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
