/*
 * container.h: the container store, across the two roots (core/base/paths.h).
 *
 * A container is two directories.  Under the data root,
 * <root>/containers/<id>/ holds what must survive a reboot: the engine's
 * record container.json (name, image, command) and its own layer
 * (upper/, work/; chapter 08).  Under the run root,
 * <runroot>/containers/<id>/ is its OCI bundle and runtime state:
 * config.json, state.json (status, pid and its start time, exit code,
 * the stages' saved state; core/runtime/state.h), exec.fifo and rootfs/
 * where the overlay is mounted.  The records are the list of
 * containers; a record whose bundle is gone (a reboot emptied the run
 * root) is a container that exited unseen.  Names are reserved
 * atomically as <runroot>/names/<name> (O_EXCL either creates it or
 * fails), so two `run --name x` at once cannot both win; a run root
 * without names/ gets them back from the records first.
 */
#ifndef DD_CONTAINER_H
#define DD_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "core/base/paths.h"

enum dd_status { DD_STATUS_CREATED, DD_STATUS_RUNNING, DD_STATUS_EXITED };

struct dd_state {
	char id[65];
	char *name;
	char *image;      /* as the user wrote it */
	char *image_id;
	char *command;    /* the command line, for ps */
	enum dd_status status;
	pid_t pid;        /* the container's first process, as the host sees it */
	unsigned long long pid_start; /* and its start time (core/runtime/proc.h) */
	pid_t engine_pid; /* the `drydock run` that waits for it */
	unsigned long long engine_pid_start;
	int exit_code;
	long long created, started, finished; /* seconds since the epoch */
};

/* Make both directories of a new container and reserve name (NULL: a
 * generated one). */
int dd_container_create(const struct dd_roots *roots, const char *name, struct dd_state *st,
			struct dd_error *err);
/* Write the engine's record, container.json. */
int dd_container_save(const struct dd_roots *roots, const struct dd_state *st,
		      struct dd_error *err);
int dd_container_load(const struct dd_roots *roots, const char *id, struct dd_state *st,
		      struct dd_error *err);
/* Find by full id, unique id prefix, or name. */
int dd_container_find(const struct dd_roots *roots, const char *ref, struct dd_state *st,
		      struct dd_error *err);
/* Every container, newest first; caller frees with dd_state_list_free. */
int dd_container_list(const struct dd_roots *roots, struct dd_state **out, size_t *n,
		      struct dd_error *err);
/* The same from the records under the data root alone: no status (for
 * the image store, which asks only which image a container uses). */
int dd_container_list_records(const char *root, struct dd_state **out, size_t *n,
			      struct dd_error *err);
/* Remove both directories and release the name. */
int dd_container_remove(const struct dd_roots *roots, const struct dd_state *st,
			struct dd_error *err);
/* Is the container's process still alive?  Fixes a stale "running". */
bool dd_container_is_running(struct dd_state *st);

/* The bundle, under the run root; the record and layer, under the data root. */
char *dd_container_dir(const struct dd_roots *roots, const char *id);
char *dd_container_layer_dir(const struct dd_roots *roots, const char *id);
const char *dd_status_name(enum dd_status s);
void dd_state_release(struct dd_state *st);
void dd_state_list_free(struct dd_state *list, size_t n);

#endif
