/* uts.h: chapter 03, the container's own hostname. */
#ifndef DD_UTS_H
#define DD_UTS_H

#include "core/base/error.h"
#include "core/stage.h"

/* Set the hostname of the calling process's UTS namespace. */
int uts_set_hostname(const char *name, struct dd_error *err);

/* Is name a valid hostname (RFC 1123 labels, at most 63 bytes)? */
bool uts_valid_hostname(const char *name);

extern const struct dd_stage uts_stage;

#endif
