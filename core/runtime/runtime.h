/*
 * runtime.h: the life of one container, as an OCI runtime (runc, crun)
 * sees it: create, start, state, kill, wait, delete.
 *
 * It knows nothing of images or names: a container is its directory
 * (c->dir, holding config.json, state.json and, between create and
 * start, exec.fifo) and a struct dd_container.  Every call but create
 * and wait works from any process: load the handle with
 * dd_runtime_load() and go on.  wait needs the container's parent.
 */
#ifndef DD_RUNTIME_H
#define DD_RUNTIME_H

#include <stdbool.h>

#include "core/base/config.h"
#include "core/base/error.h"
#include "core/runtime/state.h"

/* Make the container up to the barrier: namespaces made, every stage's
 * prepare and parent hooks and its child hooks up to DD_PHASE_CONFINE
 * run; the child waits.  Status "created".  c->id, c->dir, c->cfg set by
 * the caller; c->pid and c->pid_start set here. */
int dd_runtime_create(struct dd_container *c, struct dd_error *err);
/* The same; without park the caller starts it at once (run), and the
 * "created" state is not written to disk. */
int dd_runtime_create_parked(struct dd_container *c, bool park, struct dd_error *err);

/* Open the barrier: the child runs the init stage and execs.  When this
 * process made the container, it also learns whether exec worked
 * (err's kind then tells 126 or 127).  Status "running". */
int dd_runtime_start(struct dd_container *c, struct dd_error *err);

/* Signal the container's first process (never a process that took its
 * pid since). */
int dd_runtime_kill(struct dd_container *c, int sig, struct dd_error *err);

/* Wait for the container to exit (only its parent can); *exit_code gets
 * Docker's code.  Status "stopped". */
int dd_runtime_wait(struct dd_container *c, int *exit_code, struct dd_error *err);

/* The state, with the process checked: gone means stopped. */
int dd_runtime_state(struct dd_container *c, struct dd_run_state *rs, struct dd_error *err);

/* Run every stage's cleanup from the saved state; with force, kill the
 * container first if it still runs.  Leaves the directory for its owner
 * (the engine) to remove.  Safe to call twice and from two processes. */
int dd_runtime_delete(struct dd_container *c, bool force, struct dd_error *err);

/* A handle for the container in dir (config.json and state.json). */
int dd_runtime_load(const char *dir, const char *id, struct dd_container *c,
		    struct dd_error *err);
void dd_runtime_release(struct dd_container *c);

/* What a front end does between the steps of dd_runtime_run(). */
struct dd_runtime_hooks {
	/* After create: the pid is known, the command has not started
	 * (record it, forward signals to it). */
	int (*created)(struct dd_container *c, void *arg, struct dd_error *err);
	/* After start: the command runs. */
	int (*started)(struct dd_container *c, void *arg, struct dd_error *err);
	void *arg;
};

/* create + start + wait + delete.  Returns -1 with err filled when the
 * container could not be started (err's kind tells 125, 126 or 127). */
int dd_runtime_run(struct dd_container *c, const struct dd_runtime_hooks *h, int *exit_code,
		   struct dd_error *err);

/* <dir>/exec.fifo, the barrier (caller frees). */
char *dd_runtime_fifo_path(const struct dd_container *c);

#endif
