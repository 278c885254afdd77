/* state.c: <dir>/state.json and the stages' saved state in it. */
#include "core/runtime/state.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "core/runtime/proc.h"
#include "core/stage.h"

#define OCI_VERSION "1.0.2"

static const char *const run_status_names[] = {
	[DD_RUN_CREATING] = "creating",
	[DD_RUN_CREATED] = "created",
	[DD_RUN_RUNNING] = "running",
	[DD_RUN_STOPPED] = "stopped",
};

const char *dd_run_status_name(enum dd_run_status s)
{
	return run_status_names[s];
}

static char *state_path(const char *dir)
{
	return dd_strdup_printf("%s/state.json", dir);
}

/*
 * The first state is written beside and renamed into place; later ones
 * overwrite it in place, under an exclusive flock that readers take
 * shared.  A new file per write would cost an inode each, and on ext4
 * allocating inodes among recently deleted ones is the largest single
 * cost of a container's start.  The text is one write(2) of well under
 * a page, so even a writer killed midway leaves the old state or the
 * new; a shorter new text leaves the old tail behind it until the
 * truncate, which readers ignore (JSON_DISABLE_EOF_CHECK).
 */
static int write_in_place(const char *path, const char *text, struct dd_error *err)
{
	size_t len = strlen(text);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return dd_write_file_atomic(path, text, len, 0600, err);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return dd_fail(err, errno, "Cannot write '%s'", path);
	if (pwrite(fd, text, len, 0) != (ssize_t)len || ftruncate(fd, len) < 0)
		return dd_fail(err, errno, "Cannot write '%s'", path);
	return 0;
}

int dd_state_write(const struct dd_container *c, struct dd_error *err)
{
	const struct dd_run_state *rs = &c->run;
	_cleanup_free_ char *path = state_path(c->dir), *text = NULL;
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:I, s:i, s:b, s:b, s:I, s:I, s:s, s:O?}",
			      "ociVersion", OCI_VERSION, "id", c->id,
			      "status", dd_run_status_name(rs->status), "pid", (int)c->pid,
			      "pid_start", (json_int_t)c->pid_start, "exit_code", rs->exit_code,
			      "oom_killed", rs->oom_killed, "cleaned", rs->cleaned,
			      "started", (json_int_t)rs->started,
			      "finished", (json_int_t)rs->finished, "bundle", c->dir,
			      "stages", (json_t *)c->saved);

	if (!j || !path)
		return dd_fail(err, ENOMEM, "Cannot save the state of container %.12s", c->id);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return dd_fail(err, ENOMEM, "Cannot save the state of container %.12s", c->id);
	return write_in_place(path, text, err);
}

static int read_json(const char *dir, json_t **out, struct dd_error *err)
{
	_cleanup_free_ char *path = state_path(dir), *text = NULL;
	json_error_t jerr;
	_cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	size_t len;

	if (!path)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (fd < 0)
		return dd_fail(err, errno, "Cannot read the container's state '%s'", path);
	flock(fd, LOCK_SH); /* released when fd closes */
	/* Whole, then parsed: json_loadfd() reads a byte per system call. */
	if (dd_read_fd(fd, path, &text, &len, err) < 0)
		return -1;
	*out = json_loadb(text, len, 0, &jerr);
	if (!*out)
		return dd_fail(err, 0, "Cannot read the container's state '%s': %s", path, jerr.text);
	return 0;
}

static void parse_state(json_t *j, struct dd_run_state *rs)
{
	const char *status = json_string_value(json_object_get(j, "status"));

	memset(rs, 0, sizeof(*rs));
	rs->status = DD_RUN_STOPPED;
	for (size_t i = 0; status && i < ARRAY_SIZE(run_status_names); i++)
		if (!strcmp(status, run_status_names[i]))
			rs->status = i;
	rs->pid = json_integer_value(json_object_get(j, "pid"));
	rs->pid_start = json_integer_value(json_object_get(j, "pid_start"));
	rs->exit_code = json_integer_value(json_object_get(j, "exit_code"));
	rs->oom_killed = json_is_true(json_object_get(j, "oom_killed"));
	rs->cleaned = json_is_true(json_object_get(j, "cleaned"));
	rs->started = json_integer_value(json_object_get(j, "started"));
	rs->finished = json_integer_value(json_object_get(j, "finished"));
	/* A process that is gone is stopped, whatever the file says: the
	 * drydock that would have written so may have been killed. */
	if (rs->status != DD_RUN_STOPPED && !dd_proc_alive(rs->pid, rs->pid_start)) {
		if (rs->status != DD_RUN_CREATING || rs->pid > 0)
			rs->status = DD_RUN_STOPPED;
	}
}

int dd_state_read(struct dd_container *c, struct dd_run_state *rs, struct dd_error *err)
{
	json_t *j, *stages;

	if (read_json(c->dir, &j, err) < 0)
		return -1;
	parse_state(j, rs);
	/* In the process that made the container, memory is newer than the
	 * file (a parent hook may have failed before the state was saved). */
	stages = json_object_get(j, "stages");
	if (!c->saved && json_is_object(stages))
		c->saved = json_incref(stages);
	c->pid = rs->pid;
	c->pid_start = rs->pid_start;
	json_decref(j);
	return 0;
}

int dd_state_peek(const char *dir, struct dd_run_state *rs, struct dd_error *err)
{
	json_t *j;

	if (read_json(dir, &j, err) < 0)
		return -1;
	parse_state(j, rs);
	json_decref(j);
	return 0;
}

/* --- the stages' saved state (stage.h) --------------------------------- */

int dd_stage_set(struct dd_container *c, const struct dd_stage *s, const char *key,
		 const char *value, struct dd_error *err)
{
	json_t *stage;

	if (!c->saved && !(c->saved = json_object()))
		return dd_fail(err, ENOMEM, "Out of memory");
	stage = json_object_get(c->saved, s->name);
	if (!stage) {
		stage = json_object();
		if (!stage || json_object_set_new(c->saved, s->name, stage) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	if (json_object_set_new(stage, key, json_string(value)) < 0)
		return dd_fail(err, ENOMEM, "Cannot save %s's '%s' for container %.12s",
			       s->name, key, c->id);
	return 0;
}

const char *dd_stage_get(const struct dd_container *c, const struct dd_stage *s,
			 const char *key)
{
	return json_string_value(json_object_get(json_object_get(c->saved, s->name), key));
}
