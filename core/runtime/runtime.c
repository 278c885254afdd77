/*
 * runtime.c: making a container, up to the barrier, and starting it.
 *
 *   drydock (create)                       child
 *   ----------------                       -----
 *   prepare hooks; state "creating"
 *   clone with the config's namespaces --> waits for GO
 *   parent hooks, in phase order
 *   GO                                ---> child hooks up to the barrier
 *   serves STEP and WARNING messages  <--> (dd_child_step, dd_warn)
 *   state "created"                   <--- CREATED; blocks opening exec.fifo
 *
 *   drydock (start, maybe another process)
 *   opens exec.fifo for reading       ---> the open returns: the init
 *   state "running"                        stage, then exec
 *   reads the report, if it made it   <--- ERROR, or end-of-file on exec
 *
 * The barrier of a parked container (`create`) is a FIFO in its
 * directory, as runc's: opening it for writing blocks until somebody
 * opens it for reading, so any process that can reach the directory can
 * start the container, not only the one holding the socket.  The child
 * keeps an O_PATH fd of it from before pivot_root and reopens it through
 * /proc/self/fd.  `run`, which starts at once, parks nothing: its barrier
 * is a START message on the socket, one inode and two opens fewer.
 */
#include "core/runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "chapters/02-namespaces/namespaces.h"
#include "core/base/cleanup.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/runtime/pipeline.h"
#include "core/runtime/proc.h"
#include "core/runtime/state.h"
#include "core/runtime/sync.h"

static const char barrier_byte = 'S';
#define START_POLL_MS 100

char *dd_runtime_fifo_path(const struct dd_container *c)
{
	return dd_strdup_printf("%s/exec.fifo", c->dir);
}

/* --- the child ----------------------------------------------------------- */

/* In the child, warnings travel to drydock; once the socket is gone
 * (after the barrier, in an init whose drydock left) they go to stderr. */
static void child_log_sink(void *arg, enum dd_log_level level, const char *line)
{
	int fd = *(int *)arg;
	struct dd_msg m = { .type = DD_MSG_WARNING };
	struct dd_error ignored;

	if (level == DD_LOG_WARNING) {
		m.len = snprintf(m.payload, sizeof(m.payload), "%s", line);
		if (m.len >= sizeof(m.payload))
			m.len = sizeof(m.payload) - 1;
		if (fd >= 0 && dd_msg_send(fd, &m, &ignored) == 0)
			return;
	}
	dd_log_stderr(NULL, level, line);
}

/* The child starts with every signal at its default and none blocked, as
 * a freshly exec'd process would: whatever drydock's front end caught or
 * held is its own business. */
static void child_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			signal(sig, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Block until `start` opens the barrier; say so with one byte.  A
 * container that is not parked (run) has no FIFO: START comes on the
 * socket. */
static int child_wait_start(struct dd_container *c, struct dd_error *err)
{
	char path[64];
	struct dd_msg m;
	int fd, rc;

	if (c->barrier_fd < 0) {
		rc = dd_msg_recv(c->sync_fd, &m, err);
		if (rc > 0)
			dd_msg_close_fds(&m);
		if (rc <= 0 || m.type != DD_MSG_START)
			return rc < 0 ? -1 : dd_fail(err, EPROTO, "No start came from drydock");
		return 0;
	}

	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->barrier_fd);
	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot wait at the start barrier");
	close(c->barrier_fd);
	c->barrier_fd = -1;
	if (write(fd, &barrier_byte, 1) != 1) {
		close(fd);
		return dd_fail(err, errno, "Cannot pass the start barrier");
	}
	close(fd);
	return 0;
}

static int child_main(void *arg)
{
	struct dd_container *c = arg;
	struct dd_error err = { 0 };
	struct dd_msg m;

	child_reset_signals();
	dd_log_set_sink(child_log_sink, &c->sync_fd);
	/* Unless asked to outlive it, the container dies with the drydock
	 * that made it.  Had that died before this line, the read below
	 * sees end-of-file. */
	if (!c->keep_parent && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(DD_EXIT_ERROR);
	if (dd_msg_recv(c->sync_fd, &m, &err) <= 0 || m.type != DD_MSG_GO)
		_exit(DD_EXIT_ERROR); /* the parent gave up on us */

	if (dd_stages_child(c, 0, DD_PHASE_AFTER_START, &err) < 0)
		goto fail;
	if (dd_msg_send_type(c->sync_fd, DD_MSG_CREATED, &err) < 0 ||
	    child_wait_start(c, &err) < 0)
		goto fail;
	if (dd_stages_child(c, DD_PHASE_AFTER_START, DD_PHASE_EXEC + 1, &err) < 0)
		goto fail;
	/* The exec stage only returns on failure. */
	dd_fail(&err, 0, "The container's command was not started: no stage ran it");
fail:
	dd_msg_send_error(c->sync_fd, &err);
	_exit(dd_error_exit_code(&err));
}

int dd_child_step(struct dd_container *c, const struct dd_stage *s, const void *payload,
		  size_t len, const int *fds, int nfds, struct dd_msg *reply,
		  struct dd_error *err)
{
	struct dd_msg m = { .type = DD_MSG_STEP, .chapter = s->chapter, .len = len,
			    .nfds = nfds };
	struct dd_msg answer;
	int rc;

	if (len > sizeof(m.payload) || nfds > DD_MSG_MAX_FDS)
		return dd_fail(err, EINVAL, "Stage %s: a step of %zu bytes is too large", s->name, len);
	memcpy(m.payload, payload, len);
	memcpy(m.fds, fds, sizeof(int) * nfds);
	if (dd_msg_send(c->sync_fd, &m, err) < 0)
		return -1;
	rc = dd_msg_recv(c->sync_fd, &answer, err);
	if (rc == 0)
		return dd_fail(err, EPIPE, "Stage %s: drydock went away during its step", s->name);
	if (rc < 0)
		return -1;
	if (answer.type != DD_MSG_STEP_DONE) {
		dd_msg_close_fds(&answer);
		return dd_fail(err, EPROTO, "Stage %s: unexpected answer %d to its step", s->name,
			       (int)answer.type);
	}
	if (reply)
		*reply = answer;
	else
		dd_msg_close_fds(&answer);
	return 0;
}

/* --- the parent: create ------------------------------------------------ */

/* Clone with namespaces (chapter 02), or fork (chapter 01) while the
 * namespaces lab is not done: the one fallback mechanism decides. */
static int plain_fork(void *arg, struct dd_error *err)
{
	struct dd_container *c = arg;

	/* The child shares every namespace with the host now: no later stage
	 * may act as if it had its own (rename the host, remount its /). */
	c->cfg->namespaces = 0;
	c->pid = proc_spawn(child_main, c, err);
	if (c->pid < 0 && dd_is_not_implemented(err))
		dd_error_wrap(err, "Cannot run any container before chapter 01 (process) is done");
	return c->pid < 0 ? -1 : 0;
}

static int spawn_child(struct dd_container *c, struct dd_error *err)
{
	const struct dd_fallback f = {
		.wanted = namespaces_stage.wanted(c->cfg), .plain = plain_fork, .arg = c,
	};

	c->pid = ns_spawn(c->cfg->namespaces, child_main, c, err);
	return dd_stage_fallback(&namespaces_stage, c->pid < 0 ? -1 : 0, &f, err);
}

/* Answer the child's messages until it is created, or fails. */
static int serve_child(struct dd_container *c, struct dd_error *err)
{
	for (;;) {
		struct dd_msg m, reply = { .type = DD_MSG_STEP_DONE };
		const struct dd_stage *s;
		int rc = dd_msg_recv(c->sync_fd, &m, err);

		if (rc == 0)
			return dd_fail(err, EPIPE, "The container's process exited while it was set up");
		if (rc < 0)
			return -1;
		switch (m.type) {
		case DD_MSG_CREATED:
			return 0;
		case DD_MSG_WARNING:
			m.payload[m.len < sizeof(m.payload) ? m.len : sizeof(m.payload) - 1] = '\0';
			dd_warn("%s", m.payload);
			break;
		case DD_MSG_STEP:
			s = dd_container_stage(c, m.chapter);
			if (!s || !s->step) {
				dd_msg_close_fds(&m);
				return dd_fail(err, EPROTO, "The container asked for a step of chapter %d, "
						 "which has none", m.chapter);
			}
			rc = s->step(c, &m, &reply, err);
			dd_msg_close_fds(&m);
			if (rc < 0 || dd_msg_send(c->sync_fd, &reply, err) < 0) {
				dd_msg_send_error(c->sync_fd, err);
				dd_msg_close_fds(&reply);
				return -1;
			}
			dd_msg_close_fds(&reply);
			break;
		default:
			dd_msg_close_fds(&m);
			return dd_fail(err, EPROTO, "Unexpected message %d from the container",
				       (int)m.type);
		}
	}
}

static int make_barrier(struct dd_container *c, struct dd_error *err)
{
	_cleanup_free_ char *path = dd_runtime_fifo_path(c);

	if (!path)
		return dd_fail(err, ENOMEM, "Out of memory");
	/* 0622: the container's process may run as any user by the time it
	 * reaches the barrier; only the owner can open it for reading. */
	if (mkfifo(path, 0622) < 0 && errno != EEXIST)
		return dd_fail(err, errno, "Cannot create the start barrier '%s'", path);
	c->barrier_fd = open(path, O_PATH | O_CLOEXEC);
	if (c->barrier_fd < 0)
		return dd_fail(err, errno, "Cannot open the start barrier '%s'", path);
	return 0;
}

static void kill_child(struct dd_container *c)
{
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = 0; /* reaped: the pid may belong to anyone from now on */
	c->run.status = DD_RUN_STOPPED;
}

/* Up to the barrier.  With park, the container is left "created" on
 * disk for a later start; run starts it at once and skips that write.
 * The state is first written once the pid and the parent hooks' saved
 * state are known: killed before that, drydock leaves a child that dies
 * with it (PR_SET_PDEATHSIG) and only what lies in the container's
 * directory, which its removal takes. */
int dd_runtime_create_parked(struct dd_container *c, bool park, struct dd_error *err)
{
	int sv[2];

	c->sync_fd = c->barrier_fd = -1;
	c->pid = 0;
	c->run = (struct dd_run_state){ .status = DD_RUN_CREATING, .exit_code = -1 };
	if ((park && make_barrier(c, err) < 0) || dd_stages_prepare(c, err) < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		dd_fail(err, errno, "Cannot create the parent/child socket");
		goto fail;
	}
	c->sync_fd = sv[1]; /* what the child sees */
	if (spawn_child(c, err) < 0) {
		close(sv[0]);
		close(sv[1]);
		c->sync_fd = -1;
		goto fail;
	}
	close(sv[1]);
	c->sync_fd = sv[0];
	if (c->barrier_fd >= 0)
		close(c->barrier_fd);
	c->barrier_fd = -1;
	if (dd_proc_start_time(c->pid, &c->pid_start, err) < 0 || dd_stages_parent(c, err) < 0 ||
	    dd_state_write(c, err) < 0 || dd_msg_send_type(c->sync_fd, DD_MSG_GO, err) < 0 ||
	    serve_child(c, err) < 0)
		goto fail_child;
	c->run.status = DD_RUN_CREATED;
	if (park && dd_state_write(c, err) < 0)
		goto fail_child;
	return 0;

fail_child:
	kill_child(c);
fail:
	if (c->barrier_fd >= 0)
		close(c->barrier_fd);
	c->barrier_fd = -1;
	return -1;
}

int dd_runtime_create(struct dd_container *c, struct dd_error *err)
{
	return dd_runtime_create_parked(c, true, err);
}

/* --- start ----------------------------------------------------------------- */

int dd_runtime_start(struct dd_container *c, struct dd_error *err)
{
	_cleanup_free_ char *path = dd_runtime_fifo_path(c);
	_cleanup_close_ int fifo = -1, pidfd = -1;
	char byte;

	if (!path)
		return dd_fail(err, ENOMEM, "Out of memory");
	/* The process that made it knows its state; any other reads it. */
	if (c->sync_fd < 0 && dd_state_read(c, &c->run, err) < 0)
		return -1;
	if (c->run.status != DD_RUN_CREATED)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Container %.12s is %s, not created: "
				    "only a created container can be started", c->id,
				    dd_run_status_name(c->run.status));
	/* Not parked, by this process: the barrier is the socket. */
	if (c->sync_fd >= 0 && access(path, F_OK) < 0) {
		if (dd_msg_send_type(c->sync_fd, DD_MSG_START, err) < 0)
			return -1;
		goto started;
	}
	pidfd = dd_proc_open(c->pid, c->pid_start, err);
	if (pidfd < 0)
		return -1;
	/* Non-blocking, so a child that died at the barrier cannot hang us. */
	fifo = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return dd_fail(err, errno, "Cannot open the start barrier '%s'", path);
	for (;;) {
		struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		int n = poll(p, 2, START_POLL_MS);
		ssize_t got;

		if (n < 0 && errno != EINTR)
			return dd_fail(err, errno, "Cannot wait for container %.12s to start", c->id);
		if (n > 0 && (p[0].revents & POLLIN)) {
			got = read(fifo, &byte, 1);
			if (got == 1)
				break;
			if (got < 0 && errno != EAGAIN && errno != EINTR)
				return dd_fail(err, errno, "Cannot read the start barrier");
		}
		if (n > 0 && (p[1].revents & POLLIN))
			return dd_fail(err, ESRCH, "Container %.12s died before it started", c->id);
	}
	unlink(path);
started:
	c->run.status = DD_RUN_RUNNING;
	c->run.started = time(NULL);
	if (dd_state_write(c, err) < 0)
		return -1;
	/* The creator also learns how the exec went. */
	if (c->sync_fd >= 0) {
		struct dd_msg m;
		int rc;

		while ((rc = dd_msg_recv(c->sync_fd, &m, err)) > 0) {
			if (m.type == DD_MSG_WARNING) {
				m.payload[m.len < sizeof(m.payload) ? m.len : sizeof(m.payload) - 1] = '\0';
				dd_warn("%s", m.payload);
			}
			dd_msg_close_fds(&m);
		}
		close(c->sync_fd);
		c->sync_fd = -1;
		if (rc < 0)
			return -1;
	}
	return 0;
}
