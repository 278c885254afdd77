/*
 * oci.h: struct dd_config as an OCI runtime bundle's config.json
 * (runtime-spec 1.0), written beside each container so tools and later
 * chapters (the runc-compatible runtime) can read it.
 */
#ifndef DD_OCI_H
#define DD_OCI_H

#include "core/base/config.h"
#include "core/base/error.h"

/* The config as OCI JSON text (caller frees). */
char *dd_oci_config_json(const struct dd_config *cfg, struct dd_error *err);
int dd_oci_write_config(const struct dd_config *cfg, const char *path, struct dd_error *err);
/* linux.seccomp alone, compact (caller frees; NULL when out of memory). */
char *dd_oci_seccomp_json(const struct dd_seccomp *sc);
/* Read an OCI config.json back; paths in root.path are made absolute
 * against bundle_dir. */
int dd_oci_read_config(const char *path, const char *bundle_dir, struct dd_config **out,
		       struct dd_error *err);

#endif
