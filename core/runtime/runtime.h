/*
 * runtime.h: create a container from a config, run it, wait for it.
 *
 * This is the part of drydock that would be the OCI runtime (crun, runc):
 * it knows nothing of images or names, only of one struct dd_container.
 */
#ifndef DD_RUNTIME_H
#define DD_RUNTIME_H

#include "core/base/config.h"
#include "core/base/error.h"

/* Run the container to completion; *exit_code gets Docker's code
 * (the command's status, or 128+N after signal N).  Returns -1 with err
 * filled when the container could not be started (err's kind tells
 * 125, 126 or 127). */
int dd_runtime_run(struct dd_container *c, int *exit_code, struct dd_error *err);

#endif
