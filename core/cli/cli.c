/* cli.c: `drydock [--root DIR] COMMAND`, dispatching to one command. */
#include "core/cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/engine/run_opts.h"
#include "core/base/util.h"

#define DEFAULT_ROOT "/var/lib/drydock"

static const struct dd_command commands[] = {
	{ "run", "Run a command in a new container", dd_run_usage, cmd_run },
	{ "ps", "List containers",
	  "Usage: drydock ps [-a] [-q]\n\nList running containers (-a: all, -q: ids only).\n",
	  cmd_ps },
	{ "rm", "Remove stopped containers",
	  "Usage: drydock rm [-f] CONTAINER...\n\nRemove containers by name or id "
	  "(-f: kill a running one first).\n",
	  cmd_rm },
	{ "import", "Import a root file system tarball as an image",
	  "Usage: drydock import FILE|- NAME[:TAG]\n\nImport a tar, tar.gz, tar.xz or "
	  "tar.zst of a root file system\n(\"-\" reads it from stdin).  Prints the image id.\n",
	  cmd_import },
	{ "load", "Load images from a docker save or OCI image layout archive",
	  "Usage: drydock load [-i FILE] [-q]\n\nLoad the images of a `docker save` archive or of "
	  "an OCI image layout\narchive (tar, or tar.gz, tar.xz, tar.zst of one), read from "
	  "stdin\nunless -i is given.  Prints \"Loaded image: NAME:TAG\" for each tag,\nand "
	  "\"Loaded image ID: sha256:<id>\" for an image without a name.\n\n"
	  "Options:\n"
	  "  -i, --input FILE   Read the archive from FILE instead of stdin\n"
	  "  -q, --quiet        Print nothing but errors\n",
	  cmd_load },
	{ "images", "List images",
	  "Usage: drydock images [-q] [--format json]\n\nList the images in the store.\n",
	  cmd_images },
	{ "rmi", "Remove images",
	  "Usage: drydock rmi IMAGE...\n\nRemove images by NAME[:TAG] or id.\n", cmd_rmi },
	{ "info", "Show the kernel, cgroup mode and which chapters are implemented",
	  "Usage: drydock info [--format json]\n\nShow the kernel, the cgroup mode and "
	  "every chapter as implemented or TODO.\n",
	  cmd_info },
	{ "script", "Run a Lua script with the drydock module",
	  "Usage: drydock script FILE.lua [ARGS...]\n\nRun FILE.lua with the `drydock` "
	  "module loaded (see doc/lua-api.md).\n",
	  cmd_script },
};

enum { G_ROOT, G_HELP };

static const struct dd_flag global_flags[] = {
	{ 0, "root", true, G_ROOT },
	{ 'h', "help", false, G_HELP },
};

static int apply_global(void *arg, const struct dd_flag *f, const char *value,
			struct dd_error *err)
{
	struct dd_globals *g = arg;

	if (f->id == G_ROOT)
		g->root = value;
	else
		g->help = true;
	return 0;
}

static void print_main_usage(FILE *out)
{
	fputs("Usage: drydock [--root DIR] COMMAND [ARGS...]\n\n"
	      "A container runtime you build chapter by chapter.\n\n"
	      "Options:\n"
	      "      --root DIR   State root (default $DRYDOCK_ROOT or " DEFAULT_ROOT ")\n"
	      "      --help       Print this help\n\nCommands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'drydock COMMAND --help' for more about a command.\n", out);
}

bool dd_cli_wants_help(int argc, char **argv, const struct dd_command *cmd)
{
	/* Only before the first operand: "run busybox sh --help" is sh's. */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || (argc == 2 && !strcmp(argv[i], "-h"))) {
			fputs(cmd->usage, stdout);
			return true;
		}
		if (!strcmp(argv[i], "--"))
			break;
	}
	return false;
}

int dd_cli_parse(const char *cmd, const struct dd_flags_spec *spec, int argc, char **argv,
		 char ***operands, int *n)
{
	struct dd_error err = { 0 };

	if (dd_flags_parse(spec, argc, argv, operands, n, &err) == 0)
		return 0;
	dd_cli_usage_error(cmd, "%s", err.msg);
	return -1;
}

int dd_cli_set_bool(void *arg, const struct dd_flag *f, const char *value,
		    struct dd_error *err)
{
	((bool *)arg)[f->id] = true;
	return 0;
}

int dd_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("drydock: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'drydock %s --help'.\n", cmd);
	return DD_EXIT_ERROR;
}

int dd_cli_main(int argc, char **argv)
{
	struct dd_globals g = { .root = getenv("DRYDOCK_ROOT"), .self = argv[0], .argv = argv };
	struct dd_error err = { 0 };
	_cleanup_free_ char *abs_root = NULL;
	const struct dd_flags_spec spec = {
		.flags = global_flags, .nflags = ARRAY_SIZE(global_flags),
		.stop_at_operand = true, .apply = apply_global, .arg = &g,
	};
	_cleanup_free_ char **ops = NULL;
	int n, i;

	if (dd_flags_parse(&spec, argc, argv, &ops, &n, &err) < 0) {
		fprintf(stderr, "drydock: %s\nSee 'drydock --help'.\n", err.msg);
		return DD_EXIT_ERROR;
	}
	if (g.help) {
		print_main_usage(stdout);
		return 0;
	}
	/* The command's own argv starts at the first operand. */
	i = argc;
	if (n > 0)
		for (i = 1; argv[i] != ops[0]; i++)
			;
	if (!g.root || !*g.root)
		g.root = DEFAULT_ROOT;
	/* Paths under the root end up in config.json and in the child after
	 * it changed directory: keep them absolute. */
	if (g.root[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) || !(abs_root = dd_strdup_printf("%s/%s", cwd, g.root))) {
			fprintf(stderr, "drydock: Cannot make the state root '%s' absolute\n", g.root);
			return DD_EXIT_ERROR;
		}
		g.root = abs_root;
	}
	if (i >= argc) {
		print_main_usage(stderr);
		return DD_EXIT_ERROR;
	}
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++) {
		if (strcmp(argv[i], commands[k].name) != 0)
			continue;
		if (dd_cli_wants_help(argc - i, argv + i, &commands[k]))
			return 0;
		return commands[k].run(argc - i, argv + i, &g);
	}
	fprintf(stderr, "drydock: Unknown command '%s'\nSee 'drydock --help'.\n", argv[i]);
	return DD_EXIT_ERROR;
}
