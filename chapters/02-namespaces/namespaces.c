/*
 * namespaces.c: chapter 02, a child in new namespaces (lab 02).
 *
 * A namespace gives a process its own copy of one global resource: the
 * hostname (UTS), the process ids (PID), the mount table (mount), SysV
 * IPC objects (IPC) and more.  clone3(2) creates the child and its new
 * namespaces in one step; setns(2) joins an existing namespace through
 * a file in /proc/PID/ns/.  Later stages fill the namespaces in: chapter
 * 03 names the UTS namespace, chapter 06 makes the mount tree private.
 */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"

pid_t ns_spawn(unsigned long flags, int (*fn)(void *), void *arg, struct dd_error *err)
{
	/* BEGIN SOLUTION: clone3 a child with the namespace flags and SIGCHLD as its exit signal; the child runs fn(arg) and _exit()s */
	/* clone3 with no stack given behaves like fork: the child continues
	 * here on a copy of our stack, with 0 as the return value. */
	struct clone_args args = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid < 0)
		return dd_fail(err, errno, "Cannot create namespaces (clone3 flags %#lx)", flags);
	if (pid == 0)
		_exit(fn(arg));
	return (pid_t)pid;
	/* END SOLUTION */
}

int ns_join(const char *path, int nstype, struct dd_error *err)
{
	/* BEGIN SOLUTION: open the namespace file and setns(2) into it */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dd_fail(err, errno, "Cannot open namespace '%s'", path);
	if (setns(fd, nstype) < 0)
		return dd_fail(err, errno, "Cannot join namespace '%s'", path);
	return 0;
	/* END SOLUTION */
}

static int namespaces_selftest(struct dd_error *err)
{
	return ns_join("/proc/self/ns/uts", CLONE_NEWUTS, err);
}

/* The namespaces are created by the runtime's spawn (ns_spawn), not by a
 * hook, so this stage has only the description `drydock info` shows. */
const struct dd_stage namespaces_stage = {
	.name = "namespaces",
	.chapter = 2,
	.summary = "new namespaces (the container shares the host's)",
	.phase = DD_PHASE_NAMESPACES,
	.namespaces = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC,
	.selftest = namespaces_selftest,
};
