/*
 * run_opts.h: the flags of `drydock run`, parsed as Docker parses them.
 *
 * Flags come before the image; everything after the image is the
 * command.  Long flags take "--name x" or "--name=x"; short boolean flags
 * combine ("-it"); "-e K=V" and "-eK=V" both work.
 */
#ifndef DD_RUN_OPTS_H
#define DD_RUN_OPTS_H

#include <stdbool.h>

#include "core/base/config.h"
#include "core/base/error.h"

struct dd_run_opts {
	const char *image;
	char **cmd;            /* NULL-terminated, may be empty */
	const char *name;
	const char *hostname;
	const char *workdir;
	char **env;            /* "K=V" after -e and --env-file, in order */
	char **volumes;        /* "SRC:DST[:ro|rw]" as given */
	char **tmpfs;          /* "DST" */
	bool rm, interactive, tty, read_only, init, detach;
	bool uts_host, pid_host;
	bool network_none;     /* --network none: a network namespace with lo only */
	bool network_host;     /* --network host, said outright */
	bool network_slirp;    /* --network slirp4netns (chapter 04, without root) */
	/* Confinement (chapter 16), as given. */
	char **cap_add, **cap_drop, **security_opt, **ulimits;
	bool privileged;
	/* User namespace and user (chapter 04), as given. */
	const char *userns;    /* --userns private|host */
	const char *user;      /* -u NAME|UID[:GROUP|GID] */
	char **group_add;      /* --group-add GROUP */
};

/* Parse argv (argv[0] is "run"); -1 with a usage error in err. */
int dd_run_opts_parse(int argc, char **argv, struct dd_run_opts *o, struct dd_error *err);
void dd_run_opts_release(struct dd_run_opts *o);

/* Split "SRC:DST[:ro|rw]" and add it to cfg (paths must be absolute). */
int dd_parse_volume(const char *spec, struct dd_config *cfg, struct dd_error *err);

/* Read an env file (KEY=VALUE lines, # comments) into env. */
int dd_read_env_file(const char *path, char ***env, struct dd_error *err);

extern const char dd_run_usage[];

#endif
