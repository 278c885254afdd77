/*
 * testutil.h: helpers shared by the cmocka tests.
 *
 * Syscall-level tests run their body in a forked child, so namespaces,
 * mounts and hostnames they change die with that child.
 */
#ifndef DD_TESTUTIL_H
#define DD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/util.h"

/* A child run by tu_in_child says why it failed with tu_child_fail();
 * the parent gets the text in tu_child_msg, so a failed test reads
 * "pid_init_loop returned -1: Init cannot wait ...", not "0xb != 0". */
#define TU_MSG_MAX 2048
static int tu_report_fd = -1;
static char tu_child_msg[TU_MSG_MAX];

/* In a child: record why it failed; returns 1, the child's exit code. */
static inline int __attribute__((format(printf, 1, 2))) tu_child_fail(const char *fmt, ...)
{
	char msg[TU_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(msg) - 1)
		n = sizeof(msg) - 1;
	if (tu_report_fd >= 0 && n > 0 && write(tu_report_fd, msg, n) < 0)
		perror("tu_child_fail");
	return 1;
}

/* Run fn(arg) in a child; return its exit status, or 128+signal.  What
 * the child said with tu_child_fail() is left in tu_child_msg. */
static inline int tu_in_child(int (*fn)(void *), void *arg)
{
	int status, fds[2];
	ssize_t n, len = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		tu_report_fd = fds[1];
		_exit(fn(arg));
	}
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* Read only once the child is gone, and without blocking: a process
	 * it left behind may hold the pipe open.  The message fits in the
	 * pipe's buffer, so the child never waited for us. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while (len < TU_MSG_MAX - 1 &&
	       (n = read(fds[0], tu_child_msg + len, TU_MSG_MAX - 1 - len)) > 0)
		len += n;
	tu_child_msg[len] = '\0';
	close(fds[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run fn(arg) in a child that must succeed (exit 0); otherwise fail the
 * test with what the child said, or with how it ended. */
static inline void tu_child_ok(int (*fn)(void *), void *arg)
{
	int rc = tu_in_child(fn, arg);

	if (rc == 0)
		return;
	if (tu_child_msg[0])
		fail_msg("%s", tu_child_msg);
	if (rc > 128)
		fail_msg("the test's child was killed by signal %d (%s)", rc - 128,
			 strsignal(rc - 128));
	fail_msg("the test's child exited with %d and said nothing", rc);
}

/* A drydock call that must return 0 (rc < 0 fails, with its message). */
#define tu_assert_ok(call, err)                                                          \
	do {                                                                             \
		int tu_rc_ = (call);                                                     \
		if (tu_rc_ < 0)                                                          \
			fail_msg("%s returned %d: %s", #call, tu_rc_, (err)->msg);       \
	} while (0)

/* A random number in [lo, hi]. */
static inline unsigned tu_random(unsigned lo, unsigned hi)
{
	unsigned r;

	assert_int_equal(getrandom(&r, sizeof(r), 0), sizeof(r));
	return lo + r % (hi - lo + 1);
}

/* Directories made by tu_mkdtemp and not yet removed: a failed
 * assertion leaves the test early, and tu_cleanup, the group teardown,
 * removes what it left. */
#define TU_MAX_DIRS 64
static char *tu_dirs[TU_MAX_DIRS];

/* A new directory under /tmp; the caller removes it with tu_rmdir. */
static inline char *tu_mkdtemp(void)
{
	char *dir = strdup("/tmp/ddunit-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < TU_MAX_DIRS; i++) {
		if (!tu_dirs[i]) {
			tu_dirs[i] = dir;
			break;
		}
	}
	return dir;
}

static inline void tu_rmdir(char *dir)
{
	struct dd_error err;

	for (int i = 0; i < TU_MAX_DIRS; i++)
		if (tu_dirs[i] == dir)
			tu_dirs[i] = NULL;
	if (dir && dd_rm_rf(dir, &err) < 0)
		fprintf(stderr, "cleanup: %s\n", err.msg);
	free(dir);
}

/* Group teardown: whatever a failed test could not remove itself. */
static inline int tu_cleanup(void **state)
{
	for (int i = 0; i < TU_MAX_DIRS; i++)
		if (tu_dirs[i])
			tu_rmdir(tu_dirs[i]);
	return 0;
}

/* Does the host's mount table hold a mount whose source is src? */
static inline int tu_host_has_mount_source(const char *src)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");
		char fstype[256], source[1024];

		if (dash && sscanf(dash, " - %255s %1023s", fstype, source) == 2 &&
		    !strcmp(source, src))
			found = 1;
	}
	fclose(f);
	return found;
}

#endif
