/* namespaces.h: chapter 02, creating and joining namespaces. */
#ifndef DD_NAMESPACES_H
#define DD_NAMESPACES_H

#include <sys/types.h>

#include "core/base/error.h"
#include "core/stage.h"

/* Start a child in new namespaces (CLONE_NEW* flags) that runs fn(arg)
 * and exits with its return value. */
pid_t ns_spawn(unsigned long flags, int (*fn)(void *), void *arg, struct dd_error *err);

/* Join the namespace the file at path refers to (/proc/PID/ns/uts ...);
 * nstype is its CLONE_NEW* flag, or 0 for any. */
int ns_join(const char *path, int nstype, struct dd_error *err);

extern const struct dd_stage namespaces_stage;

#endif
