/*
 * container.h: the container store under <root>/containers.
 *
 * A container is a directory <root>/containers/<id>/ holding its OCI
 * config.json, the engine's record container.json (name, image,
 * command), the runtime's state.json (status, pid and its start time,
 * exit code, the stages' saved state; core/runtime/state.h) and its own
 * layer (upper/, work/, rootfs/ where the overlay is mounted).  Names
 * are reserved atomically as <root>/names/<name> (mkdir either creates
 * it or fails), so two `run --name x` at once cannot both win.
 */
#ifndef DD_CONTAINER_H
#define DD_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/base/error.h"

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

/* Make <root>/containers/<id>/ and reserve name (NULL: a generated one). */
int dd_container_create(const char *root, const char *name, struct dd_state *st,
			struct dd_error *err);
int dd_container_save(const char *root, const struct dd_state *st, struct dd_error *err);
int dd_container_load(const char *root, const char *id, struct dd_state *st,
		      struct dd_error *err);
/* Find by full id, unique id prefix, or name. */
int dd_container_find(const char *root, const char *ref, struct dd_state *st,
		      struct dd_error *err);
/* Every container, newest first; caller frees with dd_state_list_free. */
int dd_container_list(const char *root, struct dd_state **out, size_t *n,
		      struct dd_error *err);
/* Remove the directory and release the name. */
int dd_container_remove(const char *root, const struct dd_state *st, struct dd_error *err);
/* Is the container's process still alive?  Fixes a stale "running". */
bool dd_container_is_running(struct dd_state *st);

char *dd_container_dir(const char *root, const char *id);
const char *dd_status_name(enum dd_status s);
void dd_state_release(struct dd_state *st);
void dd_state_list_free(struct dd_state *list, size_t n);

#endif
