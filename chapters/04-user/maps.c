/*
 * maps.c: chapter 04, writing a child's id maps and taking its ids (lab 04).
 *
 * A process cloned with CLONE_NEWUSER holds every capability in its new
 * namespace, but its ids mean nothing there yet: until somebody writes
 * /proc/PID/uid_map and gid_map, getuid() says 65534 (the overflow id)
 * and the kernel refuses to let it create files or change ids.  The maps
 * are written from outside, by a process of the parent namespace that
 * holds the host ids being handed out: drydock.  The child cannot do it
 * for itself, since it has no say over the host's ids.
 *
 * gid_map has one more rule.  A process allowed to call setgroups(2)
 * could drop a group whose members a file's mode denies ("rwx---r--"
 * denies the group), and gain access; so a writer that is not privileged
 * over the parent namespace must first write "deny" to /proc/PID/
 * setgroups, for good.  drydock, as root, is privileged, and leaves
 * setgroups allowed: the container's root needs it for -u's groups.
 *
 * Threat model: pid is the container's first process, checked against
 * its start time by the runtime before the parent hooks; what is
 * written comes from our own config, checked by user_maps_check().
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "user.h"

/* Five lines of three ids each. */
#define MAP_TEXT_MAX 256

static __attribute__((unused)) int write_proc_file(pid_t pid, const char *name, const char *text,
			   struct dd_error *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '%s'", path);
	/* The kernel takes a map in one write(2), or not at all. */
	if (write(fd, text, len) != (ssize_t)len)
		return dd_fail(err, errno, "Cannot write '%.*s' to '%s'", (int)strcspn(text, "\n"),
			       text, path);
	return 0;
}

int user_write_maps(pid_t pid, const struct dd_config *cfg, bool privileged,
		    struct dd_error *err)
{
	char uid_text[MAP_TEXT_MAX], gid_text[MAP_TEXT_MAX];

	if (user_maps_check(cfg->uid_maps, cfg->nuid_maps, "uid map", err) < 0 ||
	    user_maps_check(cfg->gid_maps, cfg->ngid_maps, "gid map", err) < 0 ||
	    user_maps_format(cfg->uid_maps, cfg->nuid_maps, uid_text, sizeof(uid_text), err) < 0 ||
	    user_maps_format(cfg->gid_maps, cfg->ngid_maps, gid_text, sizeof(gid_text), err) < 0)
		return -1;
	/* BEGIN SOLUTION: write the uid map, deny setgroups when the writer is not privileged, then write the gid map */
	if (write_proc_file(pid, "uid_map", uid_text, err) < 0)
		return -1;
	if (!privileged && write_proc_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	return write_proc_file(pid, "gid_map", gid_text, err);
	/* END SOLUTION */
}

/* Did the writer of our gid_map leave setgroups(2) allowed? */
static bool setgroups_allowed(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && !strncmp(buf, "allow", 5);
}

int user_become_root(struct dd_error *err)
{
	__attribute__((unused)) bool allowed = setgroups_allowed();

	/* BEGIN SOLUTION: drop the host's supplementary groups (where setgroups is allowed), then take gid 0 and uid 0 of the namespace with setresgid and setresuid */
	/* The groups drydock had on the host are unmapped here: they would
	 * show as 65534 and still grant the host's access. */
	if (allowed && setgroups(0, NULL) < 0)
		return dd_fail(err, errno, "Cannot drop the host's groups in the user namespace");
	if (setresgid(0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot become gid 0 in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot become uid 0 in the user namespace");
	return 0;
	/* END SOLUTION */
}

/* After setresuid to a user other than root the kernel empties the
 * effective set; PR_SET_KEEPCAPS kept the permitted one: make it
 * effective again, for the stages still to come.  exec clears it for a
 * user other than root, as it does for any such user. */
static int raise_permitted(struct dd_error *err)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v;
	int rc = 0;

	if (!caps)
		return dd_fail(err, errno, "Cannot read the capabilities");
	for (cap_value_t cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap_get_flag(caps, cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET);
	}
	if (cap_set_proc(caps) < 0)
		rc = dd_fail(err, errno, "Cannot raise the capabilities again after the user change");
	cap_free(caps);
	return rc;
}

int user_switch(const struct dd_config *cfg, struct dd_error *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot keep the capabilities across the user change");
	/* BEGIN SOLUTION: set the supplementary groups, then the gid, then the uid (each with setres*), in that order */
	/* Groups and gid first: once the uid is not 0, the effective
	 * capabilities are gone and CAP_SETGID with them. */
	if (setgroups(cfg->ngroups, cfg->groups) < 0)
		return dd_fail(err, errno, "Cannot set the %zu supplementary groups", cfg->ngroups);
	if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		return dd_fail(err, errno, "Cannot become gid %u", (unsigned)cfg->gid);
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		return dd_fail(err, errno, "Cannot become uid %u", (unsigned)cfg->uid);
	/* END SOLUTION */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot reset PR_SET_KEEPCAPS");
	return cfg->uid == 0 ? 0 : raise_permitted(err);
}
