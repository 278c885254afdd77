/* cmd_container.c: `drydock ps` and `drydock rm`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cli/cli.h"
#include "core/base/cleanup.h"
#include "core/runtime/container.h"
#include "core/runtime/proc.h"
#include "core/runtime/runtime.h"
#include "core/base/util.h"

#define SHORT_ID_LEN 12

enum { PS_ALL, PS_QUIET, PS_NFLAGS };

static const struct dd_flag ps_flags[] = {
	{ 'a', "all", false, PS_ALL },
	{ 'q', "quiet", false, PS_QUIET },
};

int cmd_ps(int argc, char **argv, struct dd_globals *g)
{
	bool set[PS_NFLAGS] = { false };
	const struct dd_flags_spec spec = { .flags = ps_flags, .nflags = ARRAY_SIZE(ps_flags),
					    .apply = dd_cli_set_bool, .arg = set };
	_cleanup_free_ char **ops = NULL;
	struct dd_error err = { 0 };
	struct dd_state *list;
	size_t n;
	int nops;
	bool all, quiet;

	if (dd_cli_parse("ps", &spec, argc, argv, &ops, &nops) < 0)
		return DD_EXIT_ERROR;
	if (nops > 0)
		return dd_cli_usage_error("ps", "'drydock ps' takes no arguments, not '%s'", ops[0]);
	all = set[PS_ALL];
	quiet = set[PS_QUIET];
	if (dd_container_list(&g->roots, &list, &n, &err) < 0) {
		dd_error_print(&err);
		return DD_EXIT_ERROR;
	}
	if (!quiet)
		printf("%-12s  %-14s  %-24s  %-22s  %-28s  %s\n", "CONTAINER ID", "IMAGE",
		       "COMMAND", "CREATED", "STATUS", "NAMES");
	for (size_t i = 0; i < n; i++) {
		struct dd_state *st = &list[i];
		char created[32], status[64], ago[32], command[32];
		bool running = dd_container_is_running(st);

		if (!all && !running)
			continue;
		if (quiet) {
			printf("%.*s\n", SHORT_ID_LEN, st->id);
			continue;
		}
		dd_format_ago(st->created, created, sizeof(created));
		if (running) {
			dd_format_ago(st->started, ago, sizeof(ago));
			ago[strlen(ago) - strlen(" ago")] = '\0'; /* "Up 5 seconds", as Docker */
			snprintf(status, sizeof(status), "Up %s", ago);
		} else if (st->status == DD_STATUS_EXITED && st->exit_code < 0) {
			/* Its drydock was killed: nobody saw how it ended. */
			snprintf(status, sizeof(status), "Exited (unknown)");
		} else if (st->status == DD_STATUS_EXITED) {
			dd_format_ago(st->finished, ago, sizeof(ago));
			snprintf(status, sizeof(status), "Exited (%d) %s", st->exit_code, ago);
		} else {
			snprintf(status, sizeof(status), "Created");
		}
		snprintf(command, sizeof(command), "\"%.20s%s\"", st->command ? st->command : "",
			 st->command && strlen(st->command) > 20 ? "…" : "");
		printf("%.*s  %-14s  %-24s  %-22s  %-28s  %s\n", SHORT_ID_LEN, st->id,
		       st->image ? st->image : "", command, created, status,
		       st->name ? st->name : "");
	}
	dd_state_list_free(list, n);
	return 0;
}

#define RM_ENGINE_WAIT_MS 5000

/* rm -f: the runtime kills the container and runs its stages' cleanup;
 * then the `drydock run` that waited for it is given the time to record
 * the exit (or remove it, with --rm) before the directory goes. */
static int stop_running(const struct dd_roots *roots, struct dd_state *st, struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_container_dir(roots, st->id);
	struct dd_container c;
	int engine, rc;

	if (!dir)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (dd_runtime_load(dir, st->id, &c, err) < 0) {
		/* Its drydock died before the container had a process: there
		 * is nothing to stop or undo but the directory itself. */
		dd_error_clear(err);
		return 0;
	}
	rc = dd_runtime_delete(&c, true, err);
	dd_runtime_release(&c);
	if (rc < 0)
		return -1;
	engine = dd_proc_open(st->engine_pid, st->engine_pid_start, err);
	if (engine >= 0) {
		dd_proc_wait_gone(engine, RM_ENGINE_WAIT_MS, err);
		close(engine);
	}
	dd_error_clear(err);
	return 0;
}

enum { RM_FORCE, RM_NFLAGS };

static const struct dd_flag rm_flags[] = {
	{ 'f', "force", false, RM_FORCE },
};

int cmd_rm(int argc, char **argv, struct dd_globals *g)
{
	bool set[RM_NFLAGS] = { false };
	const struct dd_flags_spec spec = { .flags = rm_flags, .nflags = ARRAY_SIZE(rm_flags),
					    .apply = dd_cli_set_bool, .arg = set };
	_cleanup_free_ char **ops = NULL;
	int rc = 0, nops;
	bool force;

	if (dd_cli_parse("rm", &spec, argc, argv, &ops, &nops) < 0)
		return DD_EXIT_ERROR;
	if (nops == 0)
		return dd_cli_usage_error("rm", "'drydock rm' needs at least 1 container");
	force = set[RM_FORCE];
	for (int i = 0; i < nops; i++) {
		struct dd_error err = { 0 };
		struct dd_state st;

		if (dd_container_find(&g->roots, ops[i], &st, &err) < 0) {
			dd_error_print(&err);
			rc = DD_EXIT_ERROR;
			continue;
		}
		if (dd_container_is_running(&st)) {
			if (!force) {
				fprintf(stderr, "drydock: Cannot remove running container %s: "
						"stop it first or use rm -f\n", ops[i]);
				dd_state_release(&st);
				rc = DD_EXIT_ERROR;
				continue;
			}
		}
		/* Also a container whose drydock was killed: its stages' cleanup
		 * runs here, from what they saved. */
		if (stop_running(&g->roots, &st, &err) < 0) {
			dd_error_print(&err);
			dd_state_release(&st);
			rc = DD_EXIT_ERROR;
			continue;
		}
		/* A `run --rm` may have removed it meanwhile: that is done too. */
		if (dd_container_remove(&g->roots, &st, &err) < 0) {
			dd_error_print(&err);
			rc = DD_EXIT_ERROR;
		} else {
			printf("%s\n", ops[i]);
		}
		dd_state_release(&st);
	}
	return rc;
}
