/*
 * runtime.c: the life of one container.
 *
 *   drydock (parent)                     child
 *   ----------------                     -----
 *   prepare hooks
 *   clone with namespaces  ---------->   waits for "go"
 *   forward signals to the child
 *   parent hooks (uid maps, cgroups)
 *   "go"                   ---------->   child hooks (hostname, mounts,
 *                                        pivot_root, ...) then exec
 *   reads the report       <----------   an error record, or nothing:
 *                                        the socket closes on exec
 *   waits
 *   cleanup hooks, in reverse
 *
 * The socket is close-on-exec, so the parent learns that exec succeeded
 * when its read returns end-of-file, and learns why it failed otherwise.
 */
#include "core/runtime/runtime.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "chapters/02-namespaces/namespaces.h"
#include "core/base/cleanup.h"
#include "core/base/log.h"
#include "core/stage.h"

static const char go_byte = 'G';

struct child_args {
	struct dd_container *c;
	int sync_fd;
	sigset_t mask; /* the signal mask to run the container with */
};

/* The child starts with the signals drydock catches back at their
 * defaults and nothing blocked, as a freshly exec'd process would. */
static void child_reset_signals(const sigset_t *mask)
{
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			signal(sig, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
}

/* Tell the parent why the child could not become the container. */
static void child_report(int fd, const struct dd_error *err)
{
	while (send(fd, err, sizeof(*err), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static int child_main(void *arg)
{
	struct child_args *a = arg;
	struct dd_container *c = a->c;
	struct dd_error err = { 0 };
	ssize_t n;
	char go;

	c->sync_fd = a->sync_fd;
	child_reset_signals(&a->mask);
	/* If drydock dies, the container must not live on unmanaged.  Had
	 * it died before this line, the read below sees end-of-file. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(DD_EXIT_ERROR);
	while ((n = read(c->sync_fd, &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1 || go != go_byte)
		_exit(DD_EXIT_ERROR); /* the parent gave up on us */

	if (dd_stages_child(c, &err) < 0) {
		child_report(c->sync_fd, &err);
		_exit(dd_error_exit_code(&err));
	}
	/* The exec stage only returns on failure. */
	dd_fail(&err, 0, "The container's command was not started: no stage ran it");
	child_report(c->sync_fd, &err);
	_exit(DD_EXIT_ERROR);
}

/* Clone with namespaces (chapter 02), or fork (chapter 01) while the
 * namespaces lab is not done. */
static pid_t spawn_child(struct dd_container *c, struct child_args *a, struct dd_error *err)
{
	pid_t pid = ns_spawn(c->cfg->namespaces, child_main, a, err);

	if (pid >= 0 || !dd_is_not_implemented(err))
		return pid;
	if (dd_stage_check(&namespaces_stage, c->cfg, -1, err) < 0)
		return -1;
	/* The child shares every namespace with the host now: no later stage
	 * may act as if it had its own (rename the host, remount its /). */
	c->cfg->namespaces = 0;
	pid = proc_spawn(child_main, a, err);
	if (pid < 0 && dd_is_not_implemented(err))
		dd_error_wrap(err, "Cannot run any container before chapter 01 (process) is done");
	return pid;
}

/* Wait for the child's report: 0 when it exec'd, -1 with its error. */
static int read_child_report(int fd, struct dd_error *err)
{
	struct dd_error child_err;
	ssize_t n;

	do
		n = recv(fd, &child_err, sizeof(child_err), 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(child_err))
		return dd_fail(err, n < 0 ? errno : EPROTO, "Cannot read the container's start report");
	child_err.msg[sizeof(child_err.msg) - 1] = '\0';
	*err = child_err;
	return -1;
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int dd_runtime_run(struct dd_container *c, int *exit_code, struct dd_error *err)
{
	struct child_args args = { .c = c };
	_cleanup_close_ int parent_fd = -1;
	int sv[2], rc = -1;

	sigset_t all;

	sigprocmask(SIG_SETMASK, NULL, &args.mask);
	if (dd_stages_prepare(c, err) < 0)
		goto out;
	/* Hold every signal from here until they can be forwarded to the
	 * child: one sent in between is delivered then, not lost. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &args.mask);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		dd_fail(err, errno, "Cannot create the parent/child socket");
		goto out;
	}
	parent_fd = sv[0];
	args.sync_fd = sv[1];
	c->pid = spawn_child(c, &args, err);
	close(sv[1]);
	if (c->pid < 0)
		goto out;
	c->sync_fd = parent_fd;
	/* Before the child may run: a signal sent once it runs must reach it. */
	rc = proc_forward_signals(c->pid, err);
	sigprocmask(SIG_SETMASK, &args.mask, NULL);
	if (rc < 0) {
		kill(c->pid, SIGKILL);
		reap(c->pid);
		goto out;
	}
	rc = -1;

	if ((c->on_started && c->on_started(c, err) < 0) || dd_stages_parent(c, err) < 0) {
		kill(c->pid, SIGKILL);
		reap(c->pid);
		goto out;
	}
	if (write(parent_fd, &go_byte, 1) != 1) {
		dd_fail(err, errno, "Cannot tell the container to start");
		kill(c->pid, SIGKILL);
		reap(c->pid);
		goto out;
	}
	if (read_child_report(parent_fd, err) < 0) {
		reap(c->pid);
		goto out;
	}
	rc = proc_wait(c->pid, exit_code, err);
out:
	sigprocmask(SIG_SETMASK, &args.mask, NULL);
	dd_stages_cleanup(c);
	return rc;
}
