/* cli.c: `drydock [--root DIR] [--runroot DIR] COMMAND`, dispatching to one command. */
#include "core/cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/engine/run_opts.h"
#include "core/base/util.h"

#define DEFAULT_ROOT "/var/lib/drydock"
#define DEFAULT_RUNROOT "/run/drydock"
#define PRIVATE_RUNROOT "run" /* beside a data root of one's own: <root>/run */

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

enum { G_ROOT, G_RUNROOT, G_HELP };

static const struct dd_flag global_flags[] = {
	{ 0, "root", true, G_ROOT },
	{ 0, "runroot", true, G_RUNROOT },
	{ 'h', "help", false, G_HELP },
};

static int apply_global(void *arg, const struct dd_flag *f, const char *value,
			struct dd_error *err)
{
	struct dd_globals *g = arg;

	if (f->id == G_ROOT)
		g->roots.data = value;
	else if (f->id == G_RUNROOT)
		g->roots.run = value;
	else
		g->help = true;
	return 0;
}

static void print_main_usage(FILE *out)
{
	fputs("Usage: drydock [--root DIR] [--runroot DIR] COMMAND [ARGS...]\n\n"
	      "A container runtime you build chapter by chapter.\n\n"
	      "Options:\n"
	      "      --root DIR     Data root: images, layers, the containers' records and\n"
	      "                     layers (default $DRYDOCK_ROOT, else " DEFAULT_ROOT "\n"
	      "                     as root, $XDG_DATA_HOME/drydock for other users)\n"
	      "      --runroot DIR  Run root: bundles, runtime state, mount points, names\n"
	      "                     (default $DRYDOCK_RUNROOT, else " DEFAULT_RUNROOT " as root\n"
	      "                     or $XDG_RUNTIME_DIR/drydock beside the default data\n"
	      "                     root, else DIR/" PRIVATE_RUNROOT " of the data root)\n"
	      "      --help         Print this help\n\nCommands:\n",
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

/* path made absolute, a new string: paths under the roots end up in
 * config.json and in the child after it changed directory. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	return dd_strdup_printf("%s/%s", cwd, path);
}

/* The data root of this user when none is given: the system's for root,
 * the XDG one in the home directory for anyone else. */
static char *default_data_root(void)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		return strdup(DEFAULT_ROOT);
	if (xdg && xdg[0] == '/')
		return dd_strdup_printf("%s/drydock", xdg);
	/* No $HOME (a service, `env -i`): the home /etc/passwd gives. */
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());

		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	return dd_strdup_printf("%s/.local/share/drydock", home);
}

/* The run root when none is given.  Beside the default data root, the
 * machine's run directory, a tmpfs under systemd; beside a data root of
 * one's own (every test's), <root>/run, so that it stays private. */
static char *default_run_root(const char *data, bool data_is_default)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (data_is_default && geteuid() == 0)
		return strdup(DEFAULT_RUNROOT);
	if (data_is_default && xdg && xdg[0] == '/')
		return dd_strdup_printf("%s/drydock", xdg);
	return dd_strdup_printf("%s/" PRIVATE_RUNROOT, data);
}

/* Fill in and make absolute what --root and --runroot left open; *data
 * and *run own the results. */
static int resolve_roots(struct dd_globals *g, char **data, char **run)
{
	_cleanup_free_ char *fallback = default_data_root();
	const char *given = g->roots.data && *g->roots.data ? g->roots.data : fallback;

	if (!fallback || !(*data = absolute(given)))
		return -1;
	g->roots.data = *data;
	g->runroot_given = g->roots.run && *g->roots.run;
	*run = g->runroot_given ? absolute(g->roots.run)
				: default_run_root(*data, !strcmp(*data, fallback));
	g->roots.run = *run;
	return *run ? 0 : -1;
}

int dd_cli_main(int argc, char **argv)
{
	struct dd_globals g = { .roots = { .data = getenv("DRYDOCK_ROOT"),
					   .run = getenv("DRYDOCK_RUNROOT") },
				.self = argv[0], .argv = argv };
	struct dd_error err = { 0 };
	_cleanup_free_ char *abs_root = NULL, *abs_runroot = NULL;
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
	if (resolve_roots(&g, &abs_root, &abs_runroot) < 0) {
		fprintf(stderr, "drydock: Cannot work out the data root (%s) and the run root (%s): "
				"%s\n", g.roots.data ? g.roots.data : "(default)",
			g.roots.run ? g.roots.run : "(default)", strerror(errno));
		return DD_EXIT_ERROR;
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
