/* proc.c: pids checked against their start time, signalled by pidfd. */
#include "core/runtime/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"

#define STAT_START_FIELD 22 /* proc(5): starttime */

/* Reads /proc/PID/stat; *state gets the process state letter. */
static int read_stat(pid_t pid, unsigned long long *start, char *state, struct dd_error *err)
{
	char path[64], buf[1024], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dd_fail(err, errno == ENOENT ? ESRCH : errno, "Cannot read process %d", (int)pid);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return dd_fail(err, n < 0 ? errno : ESRCH, "Cannot read process %d", (int)pid);
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and parentheses: the
	 * fields that follow start after its last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return dd_fail(err, EPROTO, "Cannot parse %s", path);
	p += 2;
	*state = *p;
	for (int field = 3; field < STAT_START_FIELD && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return dd_fail(err, EPROTO, "Cannot parse %s", path);
	*start = strtoull(p, NULL, 10);
	return 0;
}

int dd_proc_start_time(pid_t pid, unsigned long long *start, struct dd_error *err)
{
	char state;

	return read_stat(pid, start, &state, err);
}

int dd_proc_open(pid_t pid, unsigned long long start, struct dd_error *err)
{
	unsigned long long now;
	char state;
	int fd;

	if (pid <= 0)
		return dd_fail(err, ESRCH, "The container has no process");
	fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open process %d", (int)pid);
	/* Checked after the pidfd exists: from here on, pid cannot be reused
	 * behind our back. */
	if (read_stat(pid, &now, &state, err) < 0 || now != start || state == 'Z') {
		close(fd);
		errno = ESRCH;
		return dd_fail(err, ESRCH, "Process %d is no longer the container's", (int)pid);
	}
	return fd;
}

bool dd_proc_alive(pid_t pid, unsigned long long start)
{
	struct dd_error ignored;
	int fd = dd_proc_open(pid, start, &ignored);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int dd_proc_signal(int pidfd, int sig, struct dd_error *err)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		return dd_fail(err, errno, "Cannot send signal %d to the container", sig);
	return 0;
}

int dd_proc_wait_gone(int pidfd, int timeout_ms, struct dd_error *err)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;

	/* A pidfd becomes readable when its process exits. */
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return dd_fail(err, errno, "Cannot wait for the container's process");
	if (n == 0)
		return dd_fail(err, ETIMEDOUT, "The container's process did not exit within %d ms",
			       timeout_ms);
	return 0;
}
