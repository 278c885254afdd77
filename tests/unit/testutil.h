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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/util.h"

/* Run fn(arg) in a child; return its exit status, or 128+signal. */
static inline int tu_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

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
