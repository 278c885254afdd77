/*
 * lifecycle.c: a container after create: state, kill, wait, delete, and
 * run (all of them in a row).
 *
 * Any process can take over a container another one made: it loads the
 * handle from the container's directory (config.json and state.json),
 * signals the process through a pidfd checked against its start time,
 * and runs the stages' cleanup from their saved state.  Delete holds a
 * lock on the directory, so the `drydock run` that waits for a container
 * and a `drydock rm -f` from elsewhere never clean up twice.
 */
#include "core/runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "core/base/cleanup.h"
#include "core/base/oci.h"
#include "core/base/util.h"
#include "core/runtime/pipeline.h"
#include "core/runtime/proc.h"
#include "core/runtime/state.h"

#define KILL_WAIT_MS 10000 /* how long delete --force waits for SIGKILL */

int dd_runtime_load(const char *dir, const char *id, struct dd_container *c,
		    struct dd_error *err)
{
	_cleanup_free_ char *config = dd_strdup_printf("%s/config.json", dir);

	memset(c, 0, sizeof(*c));
	c->sync_fd = c->barrier_fd = -1;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->dir = strdup(dir);
	if (!config || !c->dir)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (dd_oci_read_config(config, dir, &c->cfg, err) < 0 || dd_state_read(c, &c->run, err) < 0) {
		dd_runtime_release(c);
		return dd_error_wrap(err, "Cannot load container %.12s", id);
	}
	return 0;
}

void dd_runtime_release(struct dd_container *c)
{
	dd_config_free(c->cfg);
	c->cfg = NULL;
	free(c->dir);
	c->dir = NULL;
	json_decref(c->saved);
	c->saved = NULL;
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	c->sync_fd = -1;
}

int dd_runtime_state(struct dd_container *c, struct dd_run_state *rs, struct dd_error *err)
{
	if (dd_state_read(c, &c->run, err) < 0)
		return -1;
	*rs = c->run;
	return 0;
}

int dd_runtime_kill(struct dd_container *c, int sig, struct dd_error *err)
{
	_cleanup_close_ int pidfd = -1;

	if (dd_state_read(c, &c->run, err) < 0)
		return -1;
	if (c->run.status != DD_RUN_CREATED && c->run.status != DD_RUN_RUNNING)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Container %.12s is not running", c->id);
	pidfd = dd_proc_open(c->pid, c->pid_start, err);
	if (pidfd < 0)
		return dd_error_wrap(err, "Cannot signal container %.12s", c->id);
	return dd_proc_signal(pidfd, sig, err);
}

/* Reap it and note how it ended; the caller writes the state. */
static int reap(struct dd_container *c, int *exit_code, struct dd_error *err)
{
	if (proc_wait(c->pid, exit_code, err) < 0)
		return -1;
	c->run.status = DD_RUN_STOPPED;
	c->run.exit_code = *exit_code;
	c->run.finished = time(NULL);
	return 0;
}

int dd_runtime_wait(struct dd_container *c, int *exit_code, struct dd_error *err)
{
	if (reap(c, exit_code, err) < 0)
		return -1;
	return dd_state_write(c, err);
}

/* Kill and wait for a process that need not be our child. */
static int kill_and_wait(pid_t pid, unsigned long long start, struct dd_error *err)
{
	_cleanup_close_ int pidfd = dd_proc_open(pid, start, err);

	if (pidfd < 0)
		return errno == ESRCH ? 0 : -1; /* gone already */
	if (dd_proc_signal(pidfd, SIGKILL, err) < 0)
		return -1;
	return dd_proc_wait_gone(pidfd, KILL_WAIT_MS, err);
}

int dd_runtime_delete(struct dd_container *c, bool force, struct dd_error *err)
{
	_cleanup_close_ int lock = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *fifo = dd_runtime_fifo_path(c);
	struct dd_run_state disk;

	if (lock < 0)
		return dd_fail(err, errno, "Cannot open container directory '%s'", c->dir);
	if (flock(lock, LOCK_EX) < 0)
		return dd_fail(err, errno, "Cannot lock container directory '%s'", c->dir);
	/* The file, not memory, says whether another process cleaned up
	 * already; none yet: create failed early, and what its hooks did
	 * is in this process's memory. */
	if (dd_state_read(c, &disk, err) < 0) {
		if (errno != ENOENT && err->errnum != ENOENT)
			return -1;
		dd_error_clear(err);
		disk = (struct dd_run_state){ .status = DD_RUN_STOPPED, .exit_code = -1 };
	}
	if (disk.cleaned)
		return 0;
	/* The process that waited for it knows how it ended. */
	if (c->run.status != DD_RUN_STOPPED)
		c->run = disk;
	if (c->run.status == DD_RUN_CREATED || c->run.status == DD_RUN_RUNNING) {
		if (!force)
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "Cannot delete container %.12s: it is %s", c->id,
					    dd_run_status_name(c->run.status));
		if (kill_and_wait(c->pid, c->pid_start, err) < 0)
			return dd_error_wrap(err, "Cannot stop container %.12s", c->id);
		c->run.status = DD_RUN_STOPPED;
		c->run.finished = time(NULL);
		c->run.exit_code = DD_EXIT_SIGNAL_BASE + SIGKILL;
	}
	dd_stages_cleanup(c);
	if (fifo)
		unlink(fifo);
	c->run.cleaned = true;
	return dd_state_write(c, err);
}

int dd_runtime_run(struct dd_container *c, const struct dd_runtime_hooks *h, int *exit_code,
		   struct dd_error *err)
{
	struct dd_error ignored;
	int rc = -1;

	if (dd_runtime_create_parked(c, false, err) < 0)
		goto out;
	if (h && h->created && h->created(c, h->arg, err) < 0)
		goto out;
	if (dd_runtime_start(c, err) < 0)
		goto out;
	if (h && h->started && h->started(c, h->arg, err) < 0)
		goto out;
	/* The exit is written once, with the cleanup, by delete. */
	rc = reap(c, exit_code, err);
out:
	if (rc < 0 && c->pid > 0) {
		/* It never ran to the end: take it down before cleaning up. */
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->run.status = DD_RUN_STOPPED;
	}
	if (dd_runtime_delete(c, true, rc < 0 ? &ignored : err) < 0 && rc == 0)
		rc = -1;
	return rc;
}
