/*
 * state.h: a container's runtime state, <dir>/state.json.
 *
 * What the OCI runtime spec calls the state (id, status, pid), plus what
 * lets another process take over a container this one made: the pid's
 * start time, the exit status once it is known, and every stage's saved
 * state (dd_stage_set), which cleanup reads back.
 *
 *   creating -> created -> running -> stopped
 *   (creating: the child is being set up; created: it waits at the
 *   barrier; running: the command was started; stopped: it is gone.)
 */
#ifndef DD_RUNTIME_STATE_H
#define DD_RUNTIME_STATE_H

#include "core/base/config.h"
#include "core/base/error.h"

const char *dd_run_status_name(enum dd_run_status s);

/* Write c->run, c->pid and the stages' saved state atomically. */
int dd_state_write(const struct dd_container *c, struct dd_error *err);
/* Read <dir>/state.json; c->pid gets the pid and, unless it holds some
 * already, c->saved the stages' state. */
int dd_state_read(struct dd_container *c, struct dd_run_state *rs, struct dd_error *err);
/* Read a state file's status only, with the process checked: a running
 * or created container whose process is gone reads as stopped. */
int dd_state_peek(const char *dir, struct dd_run_state *rs, struct dd_error *err);

#endif
