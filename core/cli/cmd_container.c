/* cmd_container.c: `drydock ps` and `drydock rm`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cli/cli.h"
#include "core/runtime/container.h"
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

#define RM_WAIT_TICKS 500    /* 5 s in steps of ... */
#define RM_WAIT_TICK_US 10000 /* ... 10 ms */

/* rm -f: end the container's process, then wait for the `drydock run`
 * that waits for it to record the exit (or remove it, with --rm). */
static void kill_running(const char *root, struct dd_state *st)
{
	kill(st->pid, SIGKILL);
	for (int i = 0; i < RM_WAIT_TICKS; i++) {
		struct dd_error ignored;
		struct dd_state now;
		bool engine_alive = st->engine_pid > 0 && kill(st->engine_pid, 0) == 0;

		if (dd_container_load(root, st->id, &now, &ignored) < 0)
			return; /* removed by its own --rm */
		if (now.status != DD_STATUS_RUNNING || !engine_alive) {
			dd_state_release(&now);
			return;
		}
		dd_state_release(&now);
		usleep(RM_WAIT_TICK_US);
	}
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
			kill_running(g->root, &st);
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
