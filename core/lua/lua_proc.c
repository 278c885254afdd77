/*
 * lua_proc.c: run a child with piped stdio for the Lua module.
 *
 * A child that writes a lot to stderr while we wait on its stdout (or
 * that waits for us to read while we are still writing its stdin) would
 * deadlock a naive read-then-wait.  So one loop, dd_proc_pump(), polls
 * every pipe and a pidfd for the child's exit at once and moves whatever
 * is ready, until the caller's condition holds or its deadline passes.
 */
#include "core/lua/lua_module.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/base/cleanup.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define DD_BUF_MAX (64u << 20) /* keep at most 64 MiB of a stream */
#define READ_CHUNK 65536
#define NO_PIDFD_POLL_MS 20 /* how often to check for exit without a pidfd */
#define KILL_ROUNDS 3	    /* rescans for children forked while we kill */

extern char **environ;

double dd_lua_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void buf_append(struct dd_buf *b, const char *data, size_t n)
{
	if (b->len + n > DD_BUF_MAX) {
		b->cut = true;
		n = DD_BUF_MAX - b->len;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) { /* keep what we have: losing output beats crashing */
			b->cut = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Signals we ignore stay ignored across exec: give the child defaults. */
static void ignored_signals(sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		struct sigaction sa;

		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			sigaddset(set, sig);
	}
}

int dd_proc_start(struct dd_proc *p, char *const argv[], bool search_path,
		  const char *stdin_data, size_t stdin_len, struct dd_error *err)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int rc;

	*p = (struct dd_proc){.pidfd = -1, .in_fd = -1, .out_fd = -1, .err_fd = -1};
	if ((stdin_data && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		rc = dd_fail(err, errno, "Cannot make pipes for %s", argv[0]);
		goto out_close;
	}
	posix_spawn_file_actions_init(&fa);
	if (stdin_data)
		posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY,
						 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	ignored_signals(&dfl);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	rc = (search_path ? posix_spawnp : posix_spawn)(&p->pid, argv[0], &fa, &attr,
							argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		p->pid = 0;
		rc = dd_fail(err, rc, "Cannot run %s", argv[0]);
		goto out_close;
	}

	p->in_fd = move_fd(in[1]);
	p->out_fd = move_fd(out[0]);
	p->err_fd = move_fd(errp[0]);
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	if (p->in_fd >= 0) {
		fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
		p->in_data = malloc(stdin_len ? stdin_len : 1);
		if (p->in_data)
			memcpy(p->in_data, stdin_data, stdin_len);
		p->in_len = p->in_data ? stdin_len : 0;
		if (p->in_len == 0) /* nothing to say: the child sees EOF at once */
			close_fd(&p->in_fd);
	}
	/* Without pidfds (Linux < 5.3) the pump polls waitpid instead. */
	p->pidfd = syscall(SYS_pidfd_open, p->pid, 0);
	rc = 0;
out_close:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&errp[i]);
	}
	return rc;
}

/* Read what is there; at EOF (or on an error) the pipe is closed. */
static void read_some(int *fd, struct dd_buf *b)
{
	char chunk[READ_CHUNK];

	for (;;) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));

		if (n > 0) {
			buf_append(b, chunk, n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN)
			close_fd(fd);
		return;
	}
}

static void write_some(struct dd_proc *p)
{
	while (p->in_off < p->in_len) {
		ssize_t n =
		    write(p->in_fd, p->in_data + p->in_off, p->in_len - p->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) /* EPIPE: the child does not read its stdin; fine */
			break;
		p->in_off += n;
	}
	close_fd(&p->in_fd);
}

static void check_exit(struct dd_proc *p)
{
	if (!p->exited && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->exited = true;
}

/* After the child exited: take what its pipes still hold, then let go
 * of them (a background grandchild may keep them open forever). */
static void drain(struct dd_proc *p)
{
	if (p->out_fd >= 0)
		read_some(&p->out_fd, &p->out);
	if (p->err_fd >= 0)
		read_some(&p->err_fd, &p->err);
	close_fd(&p->out_fd);
	close_fd(&p->err_fd);
	close_fd(&p->in_fd);
	close_fd(&p->pidfd);
}

bool dd_proc_finished(const struct dd_proc *p)
{
	return p->exited && p->out_fd < 0 && p->err_fd < 0;
}

int dd_proc_pump(struct dd_proc *p, double deadline,
		 bool (*done)(const struct dd_proc *p), struct dd_error *err)
{
	for (;;) {
		struct pollfd fds[4];
		int nfds = 0, timeout_ms = -1;

		if (!p->exited && p->pidfd < 0)
			check_exit(p);
		if (p->exited)
			drain(p);
		if (done(p))
			return 1;
		if (p->exited) /* done() cannot become true any more */
			return 1;
		if (deadline >= 0) {
			double left = deadline - dd_lua_now();

			if (left <= 0)
				return 0;
			timeout_ms = (int)(left * 1000) + 1;
		}
		if (p->pidfd < 0 && (timeout_ms < 0 || timeout_ms > NO_PIDFD_POLL_MS))
			timeout_ms = NO_PIDFD_POLL_MS;

		if (p->in_fd >= 0)
			fds[nfds++] = (struct pollfd){.fd = p->in_fd, .events = POLLOUT};
		if (p->out_fd >= 0)
			fds[nfds++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
		if (p->err_fd >= 0)
			fds[nfds++] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
		if (p->pidfd >= 0)
			fds[nfds++] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
		if (poll(fds, nfds, timeout_ms) < 0) {
			if (errno == EINTR)
				continue;
			return dd_fail(err, errno, "Cannot poll the pipes of process %d",
				       (int)p->pid);
		}
		for (int i = 0; i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].fd == p->in_fd)
				write_some(p);
			else if (fds[i].fd == p->out_fd)
				read_some(&p->out_fd, &p->out);
			else if (fds[i].fd == p->err_fd)
				read_some(&p->err_fd, &p->err);
			else if (fds[i].fd == p->pidfd)
				check_exit(p);
		}
	}
}

/* The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."). */
static pid_t parent_of(pid_t pid)
{
	char path[64], line[512];
	_cleanup_fclose_ FILE *f = NULL;
	char *paren;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")) || !fgets(line, sizeof(line), f))
		return -1;
	/* comm may hold spaces and parentheses: the last ')' ends it. */
	paren = strrchr(line, ')');
	if (!paren || sscanf(paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* One pass over /proc: signal each process whose ancestry reaches pid. */
static int kill_below(pid_t pid, int sig)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct dirent *e;
	int killed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid_t cand, up;
		int depth = 0;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		cand = atoi(e->d_name);
		/* Walk up the parents; processes are rarely deeper than a few. */
		for (up = parent_of(cand); up > 1 && up != pid && depth < 64; depth++)
			up = parent_of(up);
		if (up == pid && cand != pid && kill(cand, sig) == 0)
			killed++;
	}
	return killed;
}

void dd_proc_kill_descendants(pid_t pid, int sig)
{
	for (int round = 0; round < KILL_ROUNDS && kill_below(pid, sig) > 0; round++)
		;
}

void dd_proc_stop(struct dd_proc *p, double grace)
{
	struct dd_error err;

	if (!p->pid)
		return;
	if (!p->exited) {
		/* The container goes first, so drydock sees it die and cleans up. */
		dd_proc_kill_descendants(p->pid, SIGKILL);
		if (dd_proc_pump(p, dd_lua_now() + grace, dd_proc_finished, &err) != 1 ||
		    !p->exited) {
			kill(p->pid, SIGKILL);
			dd_proc_kill_descendants(p->pid, SIGKILL);
		}
	}
	if (!p->exited) {
		while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
			;
		p->exited = true;
	}
	drain(p);
}

void dd_proc_release(struct dd_proc *p)
{
	close_fd(&p->in_fd);
	close_fd(&p->out_fd);
	close_fd(&p->err_fd);
	close_fd(&p->pidfd);
	free(p->in_data);
	free(p->out.data);
	free(p->err.data);
	p->in_data = p->out.data = p->err.data = NULL;
	p->out.len = p->err.len = p->out.cap = p->err.cap = 0;
}

int dd_proc_exit_code(const struct dd_proc *p)
{
	if (WIFSIGNALED(p->status))
		return DD_EXIT_SIGNAL_BASE + WTERMSIG(p->status);
	return WEXITSTATUS(p->status);
}

int dd_signal_number(const char *name)
{
	static const struct {
		const char *name;
		int sig;
	} table[] = {
	    {"HUP", SIGHUP},   {"INT", SIGINT},	  {"QUIT", SIGQUIT}, {"ABRT", SIGABRT},
	    {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
	    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
	    {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"WINCH", SIGWINCH},
	};
	char *end;
	long n;

	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcasecmp(name, table[i].name))
			return table[i].sig;
	n = strtol(name, &end, 10);
	return (*name && !*end && n > 0 && n < NSIG) ? (int)n : -1;
}
