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
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"

extern char **environ;
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

/* An unprivileged drydock may write one line mapping its own id, but
 * not hand out its subordinate ids: shadow's set-uid helpers newuidmap
 * and newgidmap (Debian's uidmap) check them against /etc/subuid and
 * /etc/subgid and write the map for it.  Their argument is the map's
 * lines, flattened: "PID 0 1000 1 1 100000 65536". */
static int run_map_helper(const char *helper, pid_t pid, const struct dd_id_map *maps, size_t n,
			  struct dd_error *err)
{
	char nums[1 + 3 * DD_ID_MAPS_MAX][16];
	char *argv[2 + 3 * DD_ID_MAPS_MAX + 1];
	size_t k = 0;
	pid_t child;
	int status;

	argv[k++] = (char *)helper;
	snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
	argv[k++] = nums[0];
	for (size_t i = 0; i < n; i++) {
		unsigned int v[3] = { maps[i].container, maps[i].host, maps[i].count };

		for (int j = 0; j < 3; j++) {
			snprintf(nums[1 + 3 * i + j], sizeof(nums[0]), "%u", v[j]);
			argv[k++] = nums[1 + 3 * i + j];
		}
	}
	argv[k] = NULL;
	status = posix_spawnp(&child, helper, NULL, NULL, argv, environ);
	if (status != 0)
		return dd_fail(err, status, "Cannot run %s: a user without root needs it to map "
			       "subordinate ids (Debian's uidmap package)", helper);
	if (waitpid(child, &status, 0) < 0)
		return dd_fail(err, errno, "Cannot wait for %s", helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return dd_fail(err, EPERM, "%s refused the map (see its message above): the "
			       "ranges must be yours in /etc/subuid and /etc/subgid", helper);
	return 0;
}

/* Does the map hand out only the writer's own id? */
static bool only_own_id(const struct dd_id_map *maps, size_t n, unsigned int own)
{
	return n == 1 && maps[0].count == 1 && maps[0].host == own;
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
	if (!privileged && geteuid() != 0 &&
	    !only_own_id(cfg->uid_maps, cfg->nuid_maps, getuid()))
		return run_map_helper("newuidmap", pid, cfg->uid_maps, cfg->nuid_maps, err) < 0 ||
		       run_map_helper("newgidmap", pid, cfg->gid_maps, cfg->ngid_maps, err) < 0
		       ? -1 : 0;
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

/* The child of user_rm_mapped(): in a user namespace of its own, once
 * the parent has written the maps, root there removes the paths. */
static int rm_in_namespace(int sync, char *const *paths)
{
	struct dd_error err;
	char c = 0;

	if (unshare(CLONE_NEWUSER) < 0 || write(sync, &c, 1) != 1 || read(sync, &c, 1) != 1 ||
	    c != 'g' || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return 1;
	for (size_t i = 0; paths[i]; i++)
		if (dd_rm_rf(paths[i], &err) < 0)
			return 1;
	return 0;
}

int user_rm_mapped(const struct dd_config *cfg, char *const *paths, struct dd_error *err)
{
	_cleanup_close_ int mine = -1, theirs = -1;
	int sv[2], status;
	pid_t child;
	char c = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return dd_fail(err, errno, "Cannot make a socket pair");
	mine = sv[0];
	theirs = sv[1];
	child = fork();
	if (child < 0)
		return dd_fail(err, errno, "Cannot fork");
	if (child == 0)
		_exit(rm_in_namespace(theirs, paths));
	if (read(mine, &c, 1) != 1 ||
	    run_map_helper("newuidmap", child, cfg->uid_maps, cfg->nuid_maps, err) < 0 ||
	    run_map_helper("newgidmap", child, cfg->gid_maps, cfg->ngid_maps, err) < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return err->errnum ? -1 : dd_fail(err, EIO, "Cannot enter the container's ids");
	}
	c = 'g';
	if (write(mine, &c, 1) != 1 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return dd_fail(err, EIO, "Cannot remove '%s' as the container's root", paths[0]);
	return 0;
}
