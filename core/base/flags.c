/* flags.c: parsing a command line against a table of flags (flags.h). */
#include "core/base/flags.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define usage(err, ...) dd_fail_kind(err, DD_ERR_USAGE, 0, __VA_ARGS__)

static const struct dd_flag *find_long(const struct dd_flags_spec *spec, const char *name,
				       size_t len)
{
	for (size_t i = 0; i < spec->nflags; i++) {
		const char *l = spec->flags[i].long_name;

		if (l && strlen(l) == len && !strncmp(l, name, len))
			return &spec->flags[i];
	}
	return NULL;
}

static const struct dd_flag *find_short(const struct dd_flags_spec *spec, char c)
{
	for (size_t i = 0; i < spec->nflags; i++)
		if (spec->flags[i].short_name == c)
			return &spec->flags[i];
	return NULL;
}

static int apply(const struct dd_flags_spec *spec, const struct dd_flag *f, const char *value,
		 int used, struct dd_error *err)
{
	return spec->apply(spec->arg, f, value, err) < 0 ? -1 : used;
}

/* "--name", "--name=x", "--name x": how many arguments it took. */
static int parse_long(const struct dd_flags_spec *spec, char **argv, int left,
		      struct dd_error *err)
{
	const char *name = argv[0] + 2, *eq = strchr(name, '=');
	const struct dd_flag *f = find_long(spec, name, eq ? (size_t)(eq - name) : strlen(name));

	if (!f)
		return usage(err, "Unknown flag: --%.*s", eq ? (int)(eq - name) : (int)strlen(name),
			     name);
	if (!f->takes_value) {
		if (eq)
			return usage(err, "Flag --%s takes no value", f->long_name);
		return apply(spec, f, NULL, 1, err);
	}
	if (eq)
		return apply(spec, f, eq + 1, 1, err);
	if (left < 2)
		return usage(err, "Flag --%s needs a value", f->long_name);
	return apply(spec, f, argv[1], 2, err);
}

/* A cluster of short flags: "-aq", "-eK=V", "-e K=V". */
static int parse_short(const struct dd_flags_spec *spec, char **argv, int left,
		       struct dd_error *err)
{
	for (const char *p = argv[0] + 1; *p; p++) {
		const struct dd_flag *f = find_short(spec, *p);

		if (!f)
			return usage(err, "Unknown flag: -%c", *p);
		if (!f->takes_value) {
			if (spec->apply(spec->arg, f, NULL, err) < 0)
				return -1;
			continue;
		}
		if (p[1])
			return apply(spec, f, p + 1, 1, err);
		if (left < 2)
			return usage(err, "Flag -%c needs a value", *p);
		return apply(spec, f, argv[1], 2, err);
	}
	return 1;
}

int dd_flags_parse(const struct dd_flags_spec *spec, int argc, char **argv, char ***operands,
		   int *n, struct dd_error *err)
{
	char **ops = calloc(argc > 0 ? argc : 1, sizeof(*ops));
	bool flags_done = false;
	int count = 0;

	*operands = NULL;
	*n = 0;
	if (!ops)
		return dd_fail(err, ENOMEM, "Out of memory");
	for (int i = 1; i < argc;) {
		const char *arg = argv[i];
		int used;

		if (flags_done || arg[0] != '-' || !arg[1]) { /* "-" alone is stdin: an operand */
			ops[count++] = argv[i++];
			if (spec->stop_at_operand)
				flags_done = true;
			continue;
		}
		if (!strcmp(arg, "--")) {
			flags_done = true;
			i++;
			continue;
		}
		used = arg[1] == '-' ? parse_long(spec, argv + i, argc - i, err)
				     : parse_short(spec, argv + i, argc - i, err);
		if (used < 0) {
			free(ops);
			return -1;
		}
		i += used;
	}
	*operands = ops;
	*n = count;
	return 0;
}
