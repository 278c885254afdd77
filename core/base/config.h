/*
 * config.h: what a container is, as the runtime sees it.
 *
 * struct dd_config is the part of an OCI runtime config.json that drydock
 * understands (process, root, hostname, mounts, namespaces).  The engine
 * fills it from the command line and the image; oci.c writes and reads it
 * as config.json.  struct dd_container is one container while it runs.
 */
#ifndef DD_CONFIG_H
#define DD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct dd_error;

enum dd_mount_type {
	DD_MOUNT_BIND,  /* -v SRC:DST[:ro] */
	DD_MOUNT_TMPFS  /* --tmpfs DST */
};

struct dd_mount {
	enum dd_mount_type type;
	char *source;   /* host path (bind) or NULL */
	char *target;   /* absolute path inside the container */
	bool readonly;
};

struct dd_config {
	char **args;          /* NULL-terminated argv */
	char **env;           /* NULL-terminated "KEY=VALUE" */
	char *cwd;            /* absolute, inside the container */
	char *hostname;
	bool hostname_set;    /* the user asked for one with --hostname */
	char *rootfs;         /* host path of the container's root directory */
	char **layers;        /* the image's layer directories, bottom first */
	bool readonly_root;   /* --read-only */
	bool interactive;     /* -i: keep stdin open */
	bool init;            /* --init: a reaping PID 1 */
	unsigned long namespaces; /* CLONE_NEW* flags to create */
	struct dd_mount *mounts;
	size_t nmounts;
};

/* Stages keep their private per-container state here, by chapter number. */
#define DD_MAX_CHAPTERS 32

struct dd_container {
	char id[65];          /* 64 hex digits */
	char *name;
	char *dir;            /* state directory on the host */
	struct dd_config *cfg;
	pid_t pid;            /* the container's first process, host pid */
	int sync_fd;          /* this side's end of the parent/child socket */
	void *stage_data[DD_MAX_CHAPTERS];
	/* Called by the runtime once the child exists (c->pid is set) and
	 * before it may run: the engine records the pid here. */
	int (*on_started)(struct dd_container *c, struct dd_error *err);
	void *owner; /* for on_started */
};

struct dd_config *dd_config_new(void);
void dd_config_free(struct dd_config *cfg);
void dd_config_freep(struct dd_config **cfg);
#define _cleanup_config_ __attribute__((cleanup(dd_config_freep)))

/* Append to a NULL-terminated string vector; returns -1 on ENOMEM. */
int dd_strv_push(char ***v, const char *s);
size_t dd_strv_len(char *const *v);
void dd_strv_free(char **v);

/* Set KEY=VALUE in cfg->env, replacing an earlier KEY. */
int dd_config_setenv(struct dd_config *cfg, const char *kv);
int dd_config_add_mount(struct dd_config *cfg, enum dd_mount_type type,
			const char *source, const char *target, bool readonly);

#endif
