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

int cmd_ps(int argc, char **argv, struct dd_globals *g)
{
	bool all = false, quiet = false;
	struct dd_error err = { 0 };
	struct dd_state *list;
	size_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all"))
			all = true;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (!strcmp(argv[i], "-aq") || !strcmp(argv[i], "-qa"))
			all = quiet = true;
		else
			return dd_cli_usage_error("ps", "Unknown flag: %s", argv[i]);
	}
	if (dd_container_list(g->root, &list, &n, &err) < 0) {
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
static int stop_running(const char *root, struct dd_state *st, struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_container_dir(root, st->id);
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

int cmd_rm(int argc, char **argv, struct dd_globals *g)
{
	bool force = false;
	int rc = 0, first = 1;

	if (argc > 1 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--force"))) {
		force = true;
		first = 2;
	}
	if (first >= argc)
		return dd_cli_usage_error("rm", "'drydock rm' needs at least 1 container");
	for (int i = first; i < argc; i++) {
		struct dd_error err = { 0 };
		struct dd_state st;

		if (dd_container_find(g->root, argv[i], &st, &err) < 0) {
			dd_error_print(&err);
			rc = DD_EXIT_ERROR;
			continue;
		}
		if (dd_container_is_running(&st)) {
			if (!force) {
				fprintf(stderr, "drydock: Cannot remove running container %s: "
						"stop it first or use rm -f\n", argv[i]);
				dd_state_release(&st);
				rc = DD_EXIT_ERROR;
				continue;
			}
		}
		/* Also a container whose drydock was killed: its stages' cleanup
		 * runs here, from what they saved. */
		if (stop_running(g->root, &st, &err) < 0) {
			dd_error_print(&err);
			dd_state_release(&st);
			rc = DD_EXIT_ERROR;
			continue;
		}
		/* A `run --rm` may have removed it meanwhile: that is done too. */
		if (dd_container_remove(g->root, &st, &err) < 0) {
			dd_error_print(&err);
			rc = DD_EXIT_ERROR;
		} else {
			printf("%s\n", argv[i]);
		}
		dd_state_release(&st);
	}
	return rc;
}
