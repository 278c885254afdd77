/* test_core_lifecycle.c: the runtime's lifecycle and stage contract, run
 * with a stage of the test's own: a handshake step with fds both ways, a
 * warning from the child, state saved for a cleanup in another process,
 * and a start from a process that does not hold the socket. */
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "chapters/01-process/process.h"
#include "core/base/log.h"
#include "core/base/oci.h"
#include "core/runtime/proc.h"
#include "core/runtime/runtime.h"
#include "core/runtime/sync.h"

#define TEST_CHAPTER 30
#define TOKEN_LEN 16

static char token[TOKEN_LEN + 1];    /* random, per test */
static char cleanup_saw[128];        /* what cleanup read back from the saved state */
static char step_saw[128];           /* what the parent's step hook received */
static int step_pipe[2] = { -1, -1 }; /* the parent's pipe; its write end goes to the child */
static char warnings[4096];          /* what the log sink got */

static void capture(void *arg, enum dd_log_level level, const char *line)
{
	size_t used = strlen(warnings);

	snprintf(warnings + used, sizeof(warnings) - used, "%s\n", line);
}

extern const struct dd_stage test_stage;

static int test_prepare(struct dd_container *c, struct dd_error *err)
{
	return dd_stage_set(c, &test_stage, "token", token, err);
}

/* In the child: warn, then ask for a step with one end of a pipe, and
 * put the token into the fd the parent sent back. */
static int test_child(struct dd_container *c, struct dd_error *err)
{
	char ping[64];
	struct dd_msg reply;
	int mine[2];

	dd_warn("warning-%s", token);
	if (pipe(mine) < 0)
		return dd_fail(err, errno, "pipe");
	snprintf(ping, sizeof(ping), "ping-%s", token);
	if (dd_child_step(c, &test_stage, ping, strlen(ping), &mine[1], 1, &reply, err) < 0)
		return -1;
	close(mine[1]);
	if (reply.len != 4 || memcmp(reply.payload, "pong", 4) || reply.nfds != 1)
		return dd_fail(err, EPROTO, "a wrong reply to the step");
	if (write(reply.fds[0], token, TOKEN_LEN) != TOKEN_LEN)
		return dd_fail(err, errno, "write");
	dd_msg_close_fds(&reply);
	close(mine[0]);
	return 0;
}

static int test_step(struct dd_container *c, const struct dd_msg *in, struct dd_msg *reply,
		     struct dd_error *err)
{
	snprintf(step_saw, sizeof(step_saw), "%.*s fds=%d", (int)in->len, in->payload, in->nfds);
	if (pipe(step_pipe) < 0)
		return dd_fail(err, errno, "pipe");
	/* Our end to the child; the child's fd arrives here and is closed
	 * by the runtime after this hook. */
	memcpy(reply->payload, "pong", 4);
	reply->len = 4;
	reply->fds[0] = step_pipe[1];
	reply->nfds = 1;
	return 0;
}

static void test_cleanup(struct dd_container *c)
{
	const char *t = dd_stage_get(c, &test_stage, "token");

	snprintf(cleanup_saw, sizeof(cleanup_saw), "%s", t ? t : "(none)");
}

const struct dd_stage test_stage = {
	.name = "lifecycle-test",
	.chapter = TEST_CHAPTER,
	.summary = "a stage of the test's own",
	.phase = DD_PHASE_IDENTITY,
	.prepare = test_prepare,
	.child = test_child,
	.step = test_step,
	.cleanup = test_cleanup,
};

static const struct dd_stage *const test_stages[] = { &test_stage, &process_stage, NULL };

/* A container of the test's own stages in a fresh directory, exiting
 * with code. */
static void make_container(struct dd_container *c, int code)
{
	struct dd_error err = { 0 };
	char cmd[32], path[4096];

	memset(c, 0, sizeof(*c));
	c->sync_fd = c->barrier_fd = -1;
	c->stages = test_stages;
	c->dir = tu_mkdtemp();
	assert_int_equal(dd_random_hex(c->id, 32, &(struct dd_error){ 0 }), 0);
	c->name = "lifecycle";
	c->cfg = dd_config_new();
	snprintf(cmd, sizeof(cmd), "exit %d", code);
	dd_strv_push(&c->cfg->args, "/bin/sh");
	dd_strv_push(&c->cfg->args, "-c");
	dd_strv_push(&c->cfg->args, cmd);
	dd_config_setenv(c->cfg, "PATH=/usr/bin:/bin");
	/* What another process loads the container from. */
	snprintf(path, sizeof(path), "%s/config.json", c->dir);
	assert_int_equal(dd_oci_write_config(c->cfg, path, &err), 0);
	for (int i = 0; i < TOKEN_LEN; i++)
		token[i] = 'a' + tu_random(0, 25);
	token[TOKEN_LEN] = '\0';
	cleanup_saw[0] = step_saw[0] = warnings[0] = '\0';
}

static void release_container(struct dd_container *c)
{
	dd_config_free(c->cfg);
	json_decref(c->saved);
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	/* c->dir is the test's and goes in the group teardown. */
}

static void test_run_does_a_step_with_fds_and_prints_the_childs_warning(void **state)
{
	struct dd_container c;
	struct dd_error err = { 0 };
	char got[TOKEN_LEN + 1] = "", errfile[] = "/tmp/ddtest-stderr-XXXXXX", seen[4096] = "";
	int code = tu_random(1, 100), exit_code = -1, saved_stderr, fd;

	make_container(&c, code);
	/* The container's stderr is this file: the warning must not be in it. */
	fd = mkstemp(errfile);
	assert_true(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	dd_log_set_sink(capture, NULL);
	assert_int_equal(dd_runtime_run(&c, NULL, &exit_code, &err), 0);
	dd_log_set_sink(NULL, NULL);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	assert_int_equal(exit_code, code);

	/* The step: the payload and the fd came through, and ours went back. */
	char want[64];

	snprintf(want, sizeof(want), "ping-%s fds=1", token);
	assert_string_equal(step_saw, want);
	close(step_pipe[1]);
	assert_int_equal(read(step_pipe[0], got, TOKEN_LEN), TOKEN_LEN);
	close(step_pipe[0]);
	assert_string_equal(got, token);

	/* The warning reached drydock's log, not the container's stderr. */
	snprintf(want, sizeof(want), "warning-%s", token);
	assert_non_null(strstr(warnings, want));
	lseek(fd, 0, SEEK_SET);
	assert_true(read(fd, seen, sizeof(seen) - 1) >= 0);
	close(fd);
	unlink(errfile);
	assert_null(strstr(seen, want));

	/* The cleanup ran, from the saved state. */
	assert_string_equal(cleanup_saw, token);
	release_container(&c);
}

static void test_cleanup_runs_in_another_process_from_the_saved_state(void **state)
{
	struct dd_container c, other;
	struct dd_run_state rs;
	struct dd_error err = { 0 };
	int ready[2], status;
	char byte;
	pid_t creator;

	make_container(&c, 0);
	assert_int_equal(pipe(ready), 0);
	creator = fork();
	assert_true(creator >= 0);
	if (creator == 0) {
		/* Creates the container, then is killed with it parked (or
		 * dies with this test, should an assertion fail first). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		if (dd_runtime_create(&c, &err) < 0)
			_exit(1);
		if (write(ready[1], "c", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	close(ready[0]);

	/* Another process (this one) sees it created, with its pid. */
	assert_int_equal(dd_runtime_load(c.dir, c.id, &other, &err), 0);
	other.stages = test_stages;
	assert_int_equal(dd_runtime_state(&other, &rs, &err), 0);
	assert_int_equal(rs.status, DD_RUN_CREATED);
	assert_true(dd_proc_alive(other.pid, other.pid_start));

	kill(creator, SIGKILL);
	assert_int_equal(waitpid(creator, &status, 0), creator);
	/* The container dies with its creator (PR_SET_PDEATHSIG). */
	for (int i = 0; i < 500 && dd_proc_alive(other.pid, other.pid_start); i++)
		usleep(10000);
	assert_false(dd_proc_alive(other.pid, other.pid_start));
	assert_int_equal(dd_runtime_state(&other, &rs, &err), 0);
	assert_int_equal(rs.status, DD_RUN_STOPPED);

	assert_int_equal(dd_runtime_delete(&other, false, &err), 0);
	assert_string_equal(cleanup_saw, token);
	/* Once only: a second delete finds it cleaned. */
	cleanup_saw[0] = '\0';
	assert_int_equal(dd_runtime_delete(&other, true, &err), 0);
	assert_string_equal(cleanup_saw, "");
	dd_runtime_release(&other);
	release_container(&c);
}

static void test_a_process_without_the_socket_starts_a_created_container(void **state)
{
	struct dd_container c;
	struct dd_error err = { 0 };
	int code = tu_random(1, 100), exit_code = -1, status;
	pid_t starter;
	struct stat st;
	char fifo[4096];

	make_container(&c, code);
	assert_int_equal(dd_runtime_create(&c, &err), 0);
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", c.dir);
	assert_int_equal(stat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	starter = fork();
	assert_true(starter >= 0);
	if (starter == 0) {
		struct dd_container h;
		struct dd_error e = { 0 };

		if (dd_runtime_load(c.dir, c.id, &h, &e) < 0)
			_exit(2);
		_exit(dd_runtime_start(&h, &e) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(starter, &status, 0), starter);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* This process made it, so this process waits for it. */
	close(c.sync_fd);
	c.sync_fd = -1;
	assert_int_equal(dd_runtime_wait(&c, &exit_code, &err), 0);
	assert_int_equal(exit_code, code);
	assert_int_equal(stat(fifo, &st), -1);
	assert_int_equal(dd_runtime_delete(&c, false, &err), 0);
	release_container(&c);
}

static void test_starting_a_container_that_died_at_the_barrier_fails_at_once(void **state)
{
	struct dd_container c, other;
	struct dd_error err = { 0 };

	make_container(&c, 0);
	assert_int_equal(dd_runtime_create(&c, &err), 0);
	kill(c.pid, SIGKILL);
	assert_int_equal(waitpid(c.pid, NULL, 0), c.pid);
	assert_int_equal(dd_runtime_load(c.dir, c.id, &other, &err), 0);
	assert_int_equal(dd_runtime_start(&other, &err), -1);
	assert_non_null(strstr(err.msg, "not created"));
	dd_runtime_release(&other);
	c.run.status = DD_RUN_STOPPED;
	assert_int_equal(dd_runtime_delete(&c, false, &err), 0);
	release_container(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_does_a_step_with_fds_and_prints_the_childs_warning),
		cmocka_unit_test(test_cleanup_runs_in_another_process_from_the_saved_state),
		cmocka_unit_test(test_a_process_without_the_socket_starts_a_created_container),
		cmocka_unit_test(test_starting_a_container_that_died_at_the_barrier_fails_at_once),
	};

	/* A container left by a failed assertion must not outlive the test. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return cmocka_run_group_tests_name("core lifecycle", tests, NULL, tu_cleanup);
}
