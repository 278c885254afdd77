/*
 * stage.h: the contract between core and the chapters.
 *
 * A chapter's module exports one struct dd_stage.  The runtime makes a
 * container by running the stages' hooks; the table in
 * core/runtime/pipeline.c lists the stages in phase order, and nothing
 * else decides the order.  Hooks (any may be NULL):
 *
 *   prepare  in drydock, before the child exists (directories, options)
 *   parent   in drydock, after the child was cloned and before it may go
 *            on, in phase order (uid maps, the child into its cgroup, the
 *            veth into its network namespace)
 *   child    in the child, in phase order (hostname, mounts, pivot_root,
 *            confinement, the init), before the command is exec'd
 *   step     in drydock, when the stage's child hook asks for it with
 *            dd_child_step(): a handshake in the middle of the child's
 *            work (the child waits until the parent has done its part)
 *   cleanup  after the container is gone, in reverse phase order; it may
 *            run in another process than the one that made the container
 *            (a later `drydock rm`), so it must find what it undoes in
 *            the stage's saved state (dd_stage_get), never in memory
 *
 * A hook returns 0, or -1 with err filled.  A hook whose lab is not done
 * returns dd_not_implemented(): the runtime then warns and carries on
 * without the feature, unless wanted() says the user asked for it, in
 * which case it is an error.  A stage whose feature something later
 * relies on names a fallback: core's plain way of doing the same (the
 * overlay stage's is a full copy of the image), run instead.
 */
#ifndef DD_STAGE_H
#define DD_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/config.h"
#include "core/base/error.h"

/* When a stage's hooks run, first to last. */
enum dd_phase {
	DD_PHASE_NAMESPACES = 10, /* the namespaces exist */
	/* The user namespace has its maps, and the child its ids in it:
	 * before anything that creates files or mounts. */
	DD_PHASE_USER = 15,
	DD_PHASE_IDENTITY = 20,   /* hostname */
	DD_PHASE_MOUNTS = 30,     /* the mount tree is private */
	DD_PHASE_LAYERS = 35,     /* the image's layers are mounted */
	DD_PHASE_ROOTFS = 40,     /* the container's root is in place */
	/* The command's user (-u): after every file the stages make, which
	 * must belong to the container's root, and before confinement. */
	DD_PHASE_IDS = 42,
	/* What must hold for every process of the container, the init
	 * included: capabilities, seccomp, no_new_privs, rlimits.  The
	 * create/start barrier comes right after this phase. */
	DD_PHASE_CONFINE = 45,
	DD_PHASE_INIT = 50,       /* PID 1: after start, before exec */
	DD_PHASE_EXEC = 90        /* the command replaces the child */
};

/* The phases whose child hooks run after `start` opened the barrier. */
#define DD_PHASE_AFTER_START DD_PHASE_INIT

struct dd_msg;

/* A chapter has one stage, or a few when its work falls in different
 * phases (chapter 04: the maps first, the command's user late); the
 * first in the table answers the chapter's steps and stands for it in
 * `drydock info`. */
struct dd_stage {
	const char *name;          /* "uts" */
	int chapter;               /* 3, also its lab number */
	const char *summary;       /* one line for `drydock info` */
	enum dd_phase phase;
	/* CLONE_NEW* flags this stage contributes to the clone; the engine
	 * asks dd_pipeline_namespaces() for the union, less what the user
	 * shares with the host. */
	unsigned long namespaces;
	bool (*wanted)(const struct dd_config *cfg);
	int (*prepare)(struct dd_container *c, struct dd_error *err);
	int (*parent)(struct dd_container *c, struct dd_error *err);
	int (*child)(struct dd_container *c, struct dd_error *err);
	/* in: what the child sent; reply: what goes back (payload, fds). */
	int (*step)(struct dd_container *c, const struct dd_msg *in, struct dd_msg *reply,
		    struct dd_error *err);
	void (*cleanup)(struct dd_container *c);
	int (*fallback)(struct dd_container *c, struct dd_error *err);
	/* Calls the lab's code on harmless input, so `drydock info` can tell
	 * whether the lab is done: core runs it in a throwaway child with
	 * private mount, UTS and IPC namespaces; any answer but "not
	 * implemented" means done. */
	int (*selftest)(struct dd_error *err);
};

/* What a stage may ask of the runtime (core/runtime/). */

/* In a child hook: send payload (and fds) to this stage's step hook in
 * drydock and wait for its reply, which lands in *reply (NULL: none
 * wanted).  Received fds belong to the caller. */
int dd_child_step(struct dd_container *c, const struct dd_stage *s, const void *payload,
		  size_t len, const int *fds, int nfds, struct dd_msg *reply,
		  struct dd_error *err);

/* A stage's saved state: strings by key, kept in the container's
 * state.json so a cleanup in another process finds them.  Set it in
 * prepare or parent hooks (in drydock, not in the child). */
int dd_stage_set(struct dd_container *c, const struct dd_stage *s, const char *key,
		 const char *value, struct dd_error *err);
/* NULL when never set. */
const char *dd_stage_get(const struct dd_container *c, const struct dd_stage *s,
			 const char *key);

/* Fallbacks: core's plain way (core/runtime/copytree.c). */

/* Give the container a private copy of its image's layers at cfg->rootfs. */
int dd_copy_image_root(struct dd_container *c, struct dd_error *err);

#endif
