/* mount.h: chapter 06, a private mount tree. */
#ifndef DD_MOUNT_H
#define DD_MOUNT_H

#include "core/base/error.h"
#include "core/stage.h"

/* Make every mount under path private: no events cross to or from the
 * host's mount namespace. */
int mount_make_private(const char *path, struct dd_error *err);

extern const struct dd_stage mount_stage;

#endif
