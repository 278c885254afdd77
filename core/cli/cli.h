/*
 * cli.h: command dispatch.  `drydock [--root DIR] [--runroot DIR] COMMAND [ARGS]`.
 *
 * Each command is a function that parses its own flags and returns the
 * process exit status (0, the container's status, or 125 on error).
 */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stdbool.h>

#include "core/base/flags.h"
#include "core/base/paths.h"

struct dd_globals {
	/* The data root: --root, $DRYDOCK_ROOT, /var/lib/drydock (root) or
	 * $XDG_DATA_HOME/drydock.  The run root: --runroot, $DRYDOCK_RUNROOT,
	 * /run/drydock (root) or $XDG_RUNTIME_DIR/drydock beside the default
	 * data root, else <data root>/run.  Both absolute. */
	struct dd_roots roots;
	bool runroot_given; /* --runroot or $DRYDOCK_RUNROOT */
	const char *self; /* argv[0] */
	char **argv;      /* the whole command line, for a re-exec */
	bool help;        /* drydock --help */
};

struct dd_command {
	const char *name;
	const char *summary;
	const char *usage; /* full --help text */
	int (*run)(int argc, char **argv, struct dd_globals *g);
};

int dd_cli_main(int argc, char **argv);

/* True (and prints usage on stdout) when argv holds -h or --help. */
bool dd_cli_wants_help(int argc, char **argv, const struct dd_command *cmd);

/* Parse a command's flags (core/base/flags.h); on a usage error, print
 * it as dd_cli_usage_error() does and return -1. */
int dd_cli_parse(const char *cmd, const struct dd_flags_spec *spec, int argc, char **argv,
		 char ***operands, int *n);

/* A flag table's apply() for commands whose flags only set booleans:
 * arg is a bool array indexed by the flag's id. */
int dd_cli_set_bool(void *arg, const struct dd_flag *f, const char *value,
		    struct dd_error *err);

/* Print "drydock: <msg>" and "See 'drydock CMD --help'." and return 125. */
int dd_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The commands. */
int cmd_run(int argc, char **argv, struct dd_globals *g);
int cmd_ps(int argc, char **argv, struct dd_globals *g);
int cmd_rm(int argc, char **argv, struct dd_globals *g);
int cmd_import(int argc, char **argv, struct dd_globals *g);
int cmd_load(int argc, char **argv, struct dd_globals *g);
int cmd_images(int argc, char **argv, struct dd_globals *g);
int cmd_rmi(int argc, char **argv, struct dd_globals *g);
int cmd_info(int argc, char **argv, struct dd_globals *g);
int cmd_script(int argc, char **argv, struct dd_globals *g);

#endif
