/*
 * testutil.h: helpers shared by the cmocka tests.
 *
 * Syscall-level tests run their body in a child, so namespaces, mounts
 * and hostnames they change die with that child.  A test of a stage
 * that isolates something takes the namespace from the stage: its child
 * is made by ns_spawn with the stage's namespaces (tu_start), and stops
 * before the code under test if it still shares the host's.
 */
#ifndef DD_TESTUTIL_H
#define DD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chapters/02-namespaces/namespaces.h"
#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "core/stage.h"

/* A child run by tu_start (or tu_in_child ...) says why it failed with
 * tu_child_fail(); the parent gets the text in tu_child_msg, so a failed
 * test reads "pid_init_loop returned -1: Init cannot wait ...", not
 * "0xb != 0". */
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

/* A child of the test and the read end of the pipe it reports on. */
struct tu_child {
	pid_t pid;
	int report;
};

/* What a child runs: fn(arg), once tu_run_call has checked that it is
 * not in the namespace of the host it must not touch. */
struct tu_call {
	int (*fn)(void *);
	void *arg;
	int fds[2];		      /* the report pipe */
	const struct dd_stage *stage; /* NULL: a plain fork, no check */
	unsigned long ns;	      /* the CLONE_NEW* flag the child must not share */
	ino_t host_ns;		      /* the test's own namespace of that type */
};

/* The exit status of a child that stopped because it shares the host's
 * namespace (tu_child_msg says which). */
#define TU_SHARES_HOST_NS 100

/* A namespace type: its flag, the flag's name, its file in /proc/self/ns/. */
struct tu_ns_type {
	unsigned long flag;
	const char *flag_name, *name, *file;
};

static inline const struct tu_ns_type *tu_ns_type(unsigned long ns)
{
	static const struct tu_ns_type types[] = {
		{ CLONE_NEWNS, "CLONE_NEWNS", "mount", "/proc/self/ns/mnt" },
		{ CLONE_NEWUTS, "CLONE_NEWUTS", "UTS", "/proc/self/ns/uts" },
		{ CLONE_NEWIPC, "CLONE_NEWIPC", "IPC", "/proc/self/ns/ipc" },
		{ CLONE_NEWNET, "CLONE_NEWNET", "network", "/proc/self/ns/net" },
		{ CLONE_NEWPID, "CLONE_NEWPID", "PID", "/proc/self/ns/pid" },
		{ CLONE_NEWUSER, "CLONE_NEWUSER", "user", "/proc/self/ns/user" },
		{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP", "cgroup", "/proc/self/ns/cgroup" },
	};
	static const struct tu_ns_type unknown = { 0, "an unknown flag", "unknown", "" };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (types[i].flag == ns)
			return &types[i];
	return &unknown;
}

/* Which namespace of type ns (a CLONE_NEW* flag) this process is in:
 * the inode of its file in /proc/self/ns/, 0 if it cannot be read. */
static inline ino_t tu_ns_inode(unsigned long ns)
{
	struct stat st;

	return stat(tu_ns_type(ns)->file, &st) == 0 ? st.st_ino : 0;
}

/* In the child: report on the pipe, refuse to run fn in the host's
 * namespace (it would rename the machine, make its mounts private or
 * pivot its root), then run it. */
static inline int tu_run_call(void *p)
{
	struct tu_call *call = p;
	const struct tu_ns_type *type;
	ino_t mine;

	close(call->fds[0]);
	tu_report_fd = call->fds[1];
	if (!call->stage)
		return call->fn(call->arg);
	mine = tu_ns_inode(call->ns);
	if (mine != 0 && mine != call->host_ns)
		return call->fn(call->arg);
	type = tu_ns_type(call->ns);
	if (!(call->stage->namespaces & call->ns))
		tu_child_fail("the %s stage's namespaces (%#lx) leave out %s, so the child of "
			      "ns_spawn shares the host's %s namespace: the test stopped before "
			      "the %s stage's code, which would act on the host", call->stage->name,
			      call->stage->namespaces, type->flag_name, type->name,
			      call->stage->name);
	else
		tu_child_fail("ns_spawn(%#lx) made a child in the host's %s namespace though the "
			      "flags hold %s: the test stopped before the %s stage's code, which "
			      "would act on the host", call->stage->namespaces, type->name,
			      type->flag_name, call->stage->name);
	return TU_SHARES_HOST_NS;
}

/* Start fn(arg) in a child: forked when stage is NULL, else made by
 * chapter 02's ns_spawn with the namespaces the stage declares, so the
 * isolation under test is the code's and not the test's; such a child
 * runs fn only when it does not share the host's namespace of type ns.
 * tu_wait ends it. */
static inline void tu_start(struct tu_child *child, const struct dd_stage *stage,
			    unsigned long ns, int (*fn)(void *), void *arg)
{
	struct tu_call call = { .fn = fn, .arg = arg, .stage = stage, .ns = ns };
	struct dd_error err = { 0 };

	if (stage) {
		call.host_ns = tu_ns_inode(ns);
		if (call.host_ns == 0)
			fail_msg("cannot read the test's own %s namespace (%s)",
				 tu_ns_type(ns)->name, tu_ns_type(ns)->file);
	}
	assert_int_equal(pipe(call.fds), 0);
	if (stage) {
		child->pid = ns_spawn(stage->namespaces, tu_run_call, &call, &err);
	} else {
		child->pid = fork();
		if (child->pid == 0)
			_exit(tu_run_call(&call));
	}
	if (!stage && child->pid < 0)
		dd_fail(&err, errno, "Cannot fork");
	close(call.fds[1]);
	child->report = call.fds[0];
	if (child->pid < 0) {
		close(child->report);
		if (stage)
			fail_msg("ns_spawn(%#lx), the %s stage's namespaces: %s",
				 stage->namespaces, stage->name, err.msg);
		fail_msg("%s", err.msg);
	}
}

/* Wait for a child of tu_start; return its exit status, or 128+signal.
 * What it said with tu_child_fail() is left in tu_child_msg. */
static inline int tu_wait(struct tu_child *child)
{
	ssize_t n, len = 0;
	int status;

	assert_int_equal(waitpid(child->pid, &status, 0), child->pid);
	/* Read only once the child is gone, and without blocking: a process
	 * it left behind may hold the pipe open.  The message fits in the
	 * pipe's buffer, so the child never waited for us. */
	fcntl(child->report, F_SETFL, O_NONBLOCK);
	while (len < TU_MSG_MAX - 1 &&
	       (n = read(child->report, tu_child_msg + len, TU_MSG_MAX - 1 - len)) > 0)
		len += n;
	tu_child_msg[len] = '\0';
	close(child->report);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run fn(arg) in a forked child; return its exit status, or 128+signal.
 * What the child said with tu_child_fail() is left in tu_child_msg. */
static inline int tu_in_child(int (*fn)(void *), void *arg)
{
	struct tu_child child;

	tu_start(&child, NULL, 0, fn, arg);
	return tu_wait(&child);
}

/* The same in a child of ns_spawn with the stage's namespaces, which
 * must give it a namespace of type ns (CLONE_NEWNS ...) of its own. */
static inline int tu_in_stage_namespaces(const struct dd_stage *stage, unsigned long ns,
					 int (*fn)(void *), void *arg)
{
	struct tu_child child;

	tu_start(&child, stage, ns, fn, arg);
	return tu_wait(&child);
}

/* Did a child that ended with rc fail (not exit 0)?  If so, print what
 * it said, or how it ended; the macros below then fail the test at the
 * test's own line. */
static inline bool tu_child_failed(int rc)
{
	if (rc == 0)
		return false;
	if (tu_child_msg[0])
		print_error("ERROR: %s\n", tu_child_msg);
	else if (rc > 128)
		print_error("ERROR: the test's child was killed by signal %d (%s)\n", rc - 128,
			    strsignal(rc - 128));
	else
		print_error("ERROR: the test's child exited with %d and said nothing\n", rc);
	return true;
}

/* A child that ended with rc must have succeeded. */
#define tu_assert_child_ok(rc)                                                           \
	do {                                                                             \
		if (tu_child_failed(rc))                                                 \
			fail();                                                          \
	} while (0)

/* Run fn(arg) in a forked child that must succeed. */
#define tu_child_ok(fn, arg) tu_assert_child_ok(tu_in_child((fn), (arg)))

/* Run fn(arg) in a child of the stage's namespaces that must succeed. */
#define tu_stage_child_ok(stage, ns, fn, arg)                                            \
	tu_assert_child_ok(tu_in_stage_namespaces((stage), (ns), (fn), (arg)))

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
