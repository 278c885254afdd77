/*
 * flags.h: the one command-line parser, for every command, as Docker's.
 *
 *   -a -q, -aq            short flags, clustered
 *   -e K=V, -eK=V         a short flag's value, apart or attached
 *   --name x, --name=x    a long flag's value, apart or after '='
 *   rm a b -f             flags may follow operands ...
 *   run IMAGE sh -c x     ... unless the command stops at its first
 *                         operand (what follows is the container's)
 *   --                    ends the flags: what follows is operands
 *
 * The table says which flags a command has; the parser calls apply()
 * for each flag met, in order, and collects the operands.
 */
#ifndef DD_FLAGS_H
#define DD_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/error.h"

struct dd_flag {
	char short_name;       /* 0: none */
	const char *long_name; /* NULL: none */
	bool takes_value;
	int id;                /* the command's own, for apply() */
};

struct dd_flags_spec {
	const struct dd_flag *flags;
	size_t nflags;
	/* The first operand ends the flags (run IMAGE CMD..., script FILE ARGS...). */
	bool stop_at_operand;
	/* value is NULL for a flag without one; -1 with err filled stops. */
	int (*apply)(void *arg, const struct dd_flag *f, const char *value,
		     struct dd_error *err);
	void *arg;
};

/* Parse argv[1..argc).  *operands gets the operands in order, as a
 * NULL-terminated array of pointers into argv (caller frees the array),
 * *n their number.  A usage error (kind DD_ERR_USAGE) names the flag. */
int dd_flags_parse(const struct dd_flags_spec *spec, int argc, char **argv, char ***operands,
		   int *n, struct dd_error *err);

#endif
