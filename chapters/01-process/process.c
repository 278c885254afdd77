/*
 * process.c: chapter 01, a command as a child process (lab 01).
 *
 * Every container starts as an ordinary Unix process: drydock forks a
 * child, the child replaces itself with the command (execve), and the
 * parent waits for it and turns its wait status into an exit code the
 * way Docker does.  This stage is the last one: its child hook is the
 * exec that every other stage prepares for.
 */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

pid_t proc_spawn(int (*fn)(void *), void *arg, struct dd_error *err)
{
	/* BEGIN SOLUTION: fork a child that runs fn(arg) and _exit()s with its result */
	pid_t pid = fork();

	if (pid < 0)
		return dd_fail(err, errno, "Cannot fork the container process");
	if (pid == 0)
		_exit(fn(arg)); /* a child leaves with _exit: no atexit handlers, no flushes */
	return pid;
	/* END SOLUTION */
}

/* Without -i the container reads from /dev/null, as with Docker. */
static int proc_setup_stdin(const struct dd_config *cfg, struct dd_error *err)
{
	int fd;

	if (cfg->interactive)
		return 0;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open /dev/null for stdin");
	if (dup2(fd, STDIN_FILENO) < 0) {
		close(fd);
		return dd_fail(err, errno, "Cannot redirect stdin");
	}
	close(fd);
	return 0;
}

int proc_exec(const struct dd_config *cfg, struct dd_error *err)
{
	if (!cfg->args || !cfg->args[0])
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "No command given and the image has none");
	if (proc_setup_stdin(cfg, err) < 0)
		return -1;
	/* BEGIN SOLUTION: chdir to the working directory, install the container's environment, and execvp the command; map ENOENT to exit 127 and other failures to 126 */
	if (chdir(cfg->cwd) < 0)
		return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno,
				    "Cannot change to working directory '%s'", cfg->cwd);
	/* execvp() searches $PATH of the environment we hand it, so the
	 * container's own PATH decides where commands are found. */
	environ = cfg->env;
	execvp(cfg->args[0], cfg->args);
	if (errno == ENOENT || errno == ENOTDIR)
		return dd_fail_kind(err, DD_ERR_NOT_FOUND, errno,
				    "Cannot run '%s': executable file not found in $PATH",
				    cfg->args[0]);
	return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno, "Cannot execute '%s'", cfg->args[0]);
	/* END SOLUTION */
}

int proc_exit_code(int wstatus, int *exit_code, struct dd_error *err)
{
	/* BEGIN SOLUTION: turn a wait status into Docker's exit code: the status, or 128+N for signal N */
	if (WIFEXITED(wstatus))
		*exit_code = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		*exit_code = DD_EXIT_SIGNAL_BASE + WTERMSIG(wstatus);
	else
		return dd_fail(err, EINVAL, "Unexpected wait status %#x", wstatus);
	return 0;
	/* END SOLUTION */
}

/* BEGIN SOLUTION: a signal handler that passes the signals a user sends to drydock on to the container */
/* The signals a user sends to `drydock run` that belong to the container. */
static const int forwarded_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
};

static volatile sig_atomic_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}
/* END SOLUTION */

int proc_forward_signals(pid_t pid, struct dd_error *err)
{
	/* BEGIN SOLUTION: install forward_signal for every signal in forwarded_signals, forwarding to pid */
	struct sigaction sa = { .sa_handler = forward_signal };

	forward_to = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		if (sigaction(forwarded_signals[i], &sa, NULL) < 0)
			return dd_fail(err, errno, "Cannot forward signal %d", forwarded_signals[i]);
	return 0;
	/* END SOLUTION */
}

int proc_wait(pid_t pid, int *exit_code, struct dd_error *err)
{
	/* BEGIN SOLUTION: waitpid for pid (retrying after EINTR: a forwarded signal interrupts it), then compute the exit code */
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return dd_fail(err, errno, "Cannot wait for the container (pid %d)", pid);
	}
	return proc_exit_code(status, exit_code, err);
	/* END SOLUTION */
}

static int process_child(struct dd_container *c, struct dd_error *err)
{
	return proc_exec(c->cfg, err);
}

static bool process_wanted(const struct dd_config *cfg)
{
	return true; /* without exec there is no container at all */
}

static int process_selftest(struct dd_error *err)
{
	int code;

	return proc_exit_code(0, &code, err);
}

const struct dd_stage process_stage = {
	.name = "process",
	.chapter = 1,
	.summary = "running the command (fork, exec, wait)",
	.phase = DD_PHASE_EXEC,
	.wanted = process_wanted,
	.child = process_child,
	.selftest = process_selftest,
};
