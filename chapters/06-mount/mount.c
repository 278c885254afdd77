/*
 * mount.c: chapter 06, a private mount tree (lab 06).
 *
 * CLONE_NEWNS gives the child a copy of the host's mount table, but the
 * copy is still joined to the host by mount propagation: on a systemd
 * host "/" is a shared mount, so a mount made inside would appear on the
 * host and the host's new mounts would appear inside.  Marking the whole
 * tree private (MS_REC | MS_PRIVATE) cuts those links; only then can the
 * container mount freely, and only then will pivot_root(2) accept it.
 */
#include "mount.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>

int mount_make_private(const char *path, struct dd_error *err)
{
	/* BEGIN SOLUTION: change the propagation of every mount under path to private (MS_REC | MS_PRIVATE) */
	if (mount(NULL, path, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return dd_fail(err, errno, "Cannot make the mounts under '%s' private", path);
	return 0;
	/* END SOLUTION */
}

static int mount_child(struct dd_container *c, struct dd_error *err)
{
	if (!(c->cfg->namespaces & CLONE_NEWNS))
		return 0;
	return mount_make_private("/", err);
}

static int mount_selftest(struct dd_error *err)
{
	return mount_make_private("/", err);
}

const struct dd_stage mount_stage = {
	.name = "mount",
	.chapter = 6,
	.summary = "a private mount tree (mounts leak between host and container)",
	.phase = DD_PHASE_MOUNTS,
	.namespaces = CLONE_NEWNS,
	.child = mount_child,
	.selftest = mount_selftest,
};
