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
#include <net/if.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"

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

/* A new network namespace holds one interface, lo, and it is down: even
 * 127.0.0.1 is unreachable until it is brought up.  (Chapter 09 adds the
 * container's link to the outside.) */
static int loopback_up(struct dd_error *err)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return dd_fail(err, errno, "Cannot read the flags of the loopback interface");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return dd_fail(err, errno, "Cannot bring up the loopback interface");
	return 0;
}

static int namespaces_child(struct dd_container *c, struct dd_error *err)
{
	if (c->cfg->namespaces & CLONE_NEWNET)
		return loopback_up(err);
	return 0;
}

/* --network none asks for a namespace by name: without this lab it is
 * an error, not a warning. */
static bool namespaces_wanted(const struct dd_config *cfg)
{
	return cfg->namespaces & CLONE_NEWNET;
}

/* The namespaces are created by the runtime's spawn (ns_spawn), not by a
 * hook; the child hook only makes a new network namespace usable.  This
 * stage contributes the namespaces no later chapter owns yet: IPC (until
 * chapter 10) and the network (--network none, until chapter 09). */
const struct dd_stage namespaces_stage = {
	.name = "namespaces",
	.chapter = 2,
	.summary = "new namespaces (the container shares the host's)",
	.phase = DD_PHASE_NAMESPACES,
	.namespaces = CLONE_NEWIPC | CLONE_NEWNET,
	.wanted = namespaces_wanted,
	.child = namespaces_child,
	.selftest = namespaces_selftest,
};
