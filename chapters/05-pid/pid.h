/* pid.h: chapter 05, PID 1 inside the container. */
#ifndef DD_PID_H
#define DD_PID_H

#include <sys/types.h>

#include "core/base/error.h"
#include "core/stage.h"

/* In the init: arrange for the signals drydock forwards to reach
 * main_pid (the command) instead of being lost on PID 1. */
int pid_init_signals(pid_t main_pid, struct dd_error *err);

/* Be the container's init: reap every child, forward signals to
 * main_pid, and return main_pid's exit code once it has exited. */
int pid_init_loop(pid_t main_pid, int *exit_code, struct dd_error *err);

extern const struct dd_stage pid_stage;

#endif
