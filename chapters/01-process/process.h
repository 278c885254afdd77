/* process.h: chapter 01, running a command as a child process. */
#ifndef DD_PROCESS_H
#define DD_PROCESS_H

#include <sys/types.h>

#include "core/base/config.h"
#include "core/base/error.h"
#include "core/stage.h"

/* fork(2) a child that runs fn(arg) and exits with its return value. */
pid_t proc_spawn(int (*fn)(void *), void *arg, struct dd_error *err);

/* Set up stdio, environment and working directory, then execve the
 * command.  Returns only on failure: err's kind is DD_ERR_NOT_FOUND
 * (exit 127) or DD_ERR_CANNOT_EXEC (exit 126). */
int proc_exec(const struct dd_config *cfg, struct dd_error *err);

/* Docker's exit code for a wait(2) status: the status, or 128+signal. */
int proc_exit_code(int wstatus, int *exit_code, struct dd_error *err);

/* From now on, pass SIGINT, SIGTERM and friends sent to drydock on to
 * pid.  Called before the child may run, so no signal is lost. */
int proc_forward_signals(pid_t pid, struct dd_error *err);

/* Wait for pid to exit and give its exit code. */
int proc_wait(pid_t pid, int *exit_code, struct dd_error *err);

extern const struct dd_stage process_stage;

#endif
