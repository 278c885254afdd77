/*
 * ddreap: run a command as a child subreaper, and find every process it
 * leaves behind, whatever its name.
 *
 *   ddreap COMMAND [ARG...]
 *
 * `make test` runs the whole suite under ddreap.  PR_SET_CHILD_SUBREAPER
 * makes the kernel re-parent to us, instead of to the host's init, every
 * process below us whose parent dies: a container's daemonized child, the
 * background `sleep` of a `--pid host` container, a stuck load.  So once
 * COMMAND has exited, any process still below us is a leftover of the
 * suite.  ddreap names each one (pid and command line) on stderr, kills
 * it (it was started by the suite, and only by it), reaps it, and exits
 * with status 1; otherwise it exits with COMMAND's own status (128+N when
 * signal N ended it).
 *
 * While COMMAND runs, ddreap reaps whatever is re-parented to it, so
 * orphans that exit leave no zombies; the suite's own leftover check
 * (scripts/lab/test.sh) lists the processes whose parent is $DDREAP_PID.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_LEFTOVERS 1
#define EXIT_USAGE 2
#define SETTLE_MS 200     /* for orphans that are exiting anyway */
#define KILL_ROUNDS 50    /* SETTLE_MS each: children of children come up */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Reap every child that has exited, without waiting. */
static void reap_exited(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* The command line of pid, spaces for NULs, in buf. */
static void cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	buf[0] = '\0';
	if ((f = fopen(path, "re"))) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	for (size_t i = 0; i + 1 < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

/* Our children now, all of them leftovers once the command is done: a
 * process below a leftover is either our child too (re-parented when its
 * parent died) or dies with it.  Returns how many there were. */
static int kill_children(bool report)
{
	char path[64], line[256], cmd[512];
	struct dirent *de;
	int found = 0;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		pid_t pid = atoi(de->d_name), ppid = 0;
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		if (!(f = fopen(path, "re")))
			continue; /* gone while we looked */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		fclose(f);
		if (ppid != getpid())
			continue;
		found++;
		if (report) {
			cmdline(pid, cmd, sizeof(cmd));
			fprintf(stderr, "ddreap: left behind: pid %d: %s\n", pid,
				cmd[0] ? cmd : "(a zombie, or no command line)");
		}
		kill(pid, SIGKILL);
	}
	if (d)
		closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	char pidbuf[32];
	int status, left = 0;
	pid_t child, got;

	if (argc < 2) {
		fprintf(stderr, "Usage: ddreap COMMAND [ARG...]\n");
		return EXIT_USAGE;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("ddreap: prctl(PR_SET_CHILD_SUBREAPER)");
		return EXIT_USAGE;
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	setenv("DDREAP_PID", pidbuf, 1);
	child = fork();
	if (child < 0) {
		perror("ddreap: fork");
		return EXIT_USAGE;
	}
	if (child == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "ddreap: cannot run '%s': %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	/* Reap everything until the command itself is done; a signal meant
	 * for the suite (^C) reaches it through the terminal's process group. */
	while ((got = waitpid(-1, &status, 0)) != child)
		if (got < 0 && errno != EINTR) {
			perror("ddreap: waitpid");
			return EXIT_USAGE;
		}
	sleep_ms(SETTLE_MS);
	reap_exited();
	left = kill_children(true);
	for (int round = 0; round < KILL_ROUNDS && kill_children(false) > 0; round++) {
		sleep_ms(SETTLE_MS);
		reap_exited();
	}
	reap_exited();
	if (left > 0) {
		fprintf(stderr, "ddreap: %d process%s left behind by '%s' (killed)\n", left,
			left == 1 ? "" : "es", argv[1]);
		return EXIT_LEFTOVERS;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_USAGE;
}
