/*
 * proc.h: a container's process, found again from another process.
 *
 * A pid alone names whatever process holds it now: once the container's
 * process is gone and reaped, the kernel may hand its pid to anything.
 * So the runtime records the pid with the process's start time and,
 * before it signals, opens a pidfd and checks the start time: a pidfd
 * keeps naming the same process, so the signal cannot reach another one.
 */
#ifndef DD_PROC_H
#define DD_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/base/error.h"

/* The start time of pid (field 22 of /proc/PID/stat), or -1 (ESRCH). */
int dd_proc_start_time(pid_t pid, unsigned long long *start, struct dd_error *err);

/* A pidfd for pid if it is still the process that started at start;
 * -1 with errno ESRCH (err filled) if it is gone. */
int dd_proc_open(pid_t pid, unsigned long long start, struct dd_error *err);

/* Is that process still there (a zombie counts as gone)? */
bool dd_proc_alive(pid_t pid, unsigned long long start);

/* Send sig through a pidfd. */
int dd_proc_signal(int pidfd, int sig, struct dd_error *err);

/* Wait up to timeout_ms for the process behind pidfd to exit: 0 when
 * it did, -1 (ETIMEDOUT) otherwise.  Works for any process, not only
 * one's own children. */
int dd_proc_wait_gone(int pidfd, int timeout_ms, struct dd_error *err);

#endif
