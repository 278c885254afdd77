/*
 * pid.c: chapter 05, PID 1 and reaping (lab 05).
 *
 * In a new PID namespace the first process is PID 1, the namespace's
 * init.  Orphans are re-parented to it, and it must wait(2) for them or
 * they stay zombies.  The kernel also protects PID 1: a signal without
 * a handler is not delivered to it, so a plain program as PID 1 ignores
 * SIGTERM.  With --init, drydock's child stays behind as a tiny init:
 * it forks the command, forwards signals to it, reaps every zombie, and
 * exits with the command's status.
 */
#include "pid.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "core/base/cleanup.h"
#include "core/base/log.h"

/* BEGIN SOLUTION: signal handling for the init: remember which signal arrived so the loop can forward it */
static volatile sig_atomic_t init_pending[NSIG];

static void init_note_signal(int sig)
{
	init_pending[sig] = 1;
}

static const int init_forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
};
/* END SOLUTION */

int pid_init_signals(pid_t main_pid, struct dd_error *err)
{
	/* BEGIN SOLUTION: install init_note_signal for every signal in init_forwarded */
	struct sigaction sa = { .sa_handler = init_note_signal };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++)
		if (sigaction(init_forwarded[i], &sa, NULL) < 0)
			return dd_fail(err, errno, "Cannot catch signal %d in the init",
				       init_forwarded[i]);
	return 0;
	/* END SOLUTION */
}

int pid_init_loop(pid_t main_pid, int *exit_code, struct dd_error *err)
{
	/* BEGIN SOLUTION: reap every child with waitpid(-1), forwarding noted signals to main_pid, until main_pid has exited; return its exit code */
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++) {
			int sig = init_forwarded[i];

			if (init_pending[sig]) {
				init_pending[sig] = 0;
				kill(main_pid, sig);
			}
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return dd_fail(err, errno, "Init cannot wait for its children");
		if (pid == main_pid)
			return proc_exit_code(status, exit_code, err);
		/* Any other pid was an orphan: waiting for it was the point. */
	}
	/* END SOLUTION */
}

static int pid_child(struct dd_container *c, struct dd_error *err)
{
	int code = DD_EXIT_ERROR;
	sigset_t all, before;
	pid_t main_pid;

	if (!c->cfg->init)
		return 0; /* the command itself is PID 1, as with Docker */
	if (!(c->cfg->namespaces & CLONE_NEWPID))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "--init needs a PID namespace (not --pid host)");

	/* Hold signals across the fork: one that arrives before the init
	 * has its handlers must wait for them, not hit PID 1 unhandled. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &before);
	main_pid = fork();
	if (main_pid < 0) {
		sigprocmask(SIG_SETMASK, &before, NULL);
		return dd_fail(err, errno, "Cannot fork the command under --init");
	}
	if (main_pid == 0) {
		sigprocmask(SIG_SETMASK, &before, NULL);
		return 0; /* the command: go on to exec */
	}

	/* The init.  Should it not work, stop the command and let the
	 * runtime report why, over the socket it still holds. */
	if (pid_init_signals(main_pid, err) < 0) {
		kill(main_pid, SIGKILL);
		waitpid(main_pid, NULL, 0);
		return -1;
	}
	sigprocmask(SIG_SETMASK, &before, NULL);
	/* The start report is the command's to send: exec closes its copy. */
	close(c->sync_fd);
	c->sync_fd = -1;
	if (pid_init_loop(main_pid, &code, err) < 0) {
		dd_warn("%s", err->msg);
		_exit(DD_EXIT_ERROR);
	}
	_exit(code);
}

static bool pid_wanted(const struct dd_config *cfg)
{
	return cfg->init;
}

static int pid_selftest(struct dd_error *err)
{
	return pid_init_signals(getpid(), err);
}

const struct dd_stage pid_stage = {
	.name = "pid",
	.chapter = 5,
	.summary = "an init that reaps zombies (--init)",
	.phase = DD_PHASE_INIT,
	.namespaces = CLONE_NEWPID,
	.wanted = pid_wanted,
	.child = pid_child,
	.selftest = pid_selftest,
};
