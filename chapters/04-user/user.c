/*
 * user.c: chapter 04, the user stage (lab 04).
 *
 * A user namespace gives the container ids of its own: its root is uid
 * 0 inside and an unprivileged host id outside, so what the container
 * does as root (files it writes in a volume, signals it sends) the host
 * sees done by nobody in particular.  With --userns private the engine
 * takes drydock's range from /etc/subuid and /etc/subgid and maps the
 * container's 0..65535 onto it; the stage then runs this handshake:
 *
 *   drydock                               child (cloned with CLONE_NEWUSER
 *                                         and every other new namespace,
 *                                         which the new user ns owns)
 *                       <------------     STEP: my namespaces exist
 *   write uid_map, gid_map
 *   STEP_DONE           ------------->    setresgid(0), setresuid(0): root
 *                                         in the namespace; mounts, pivot
 *                                         and confinement follow
 *
 * The step comes first among the child's hooks (DD_PHASE_USER), since
 * every later one creates files or mounts, which an unmapped process may
 * not.  -u (or the image's User) is taken by a second stage of this
 * chapter, user-ids, at DD_PHASE_IDS: after the mounts, whose files and
 * directories must belong to the container's root, and before chapter
 * 16 sets the capabilities, which exec then clears for a user other
 * than root, as it would on any Linux system.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "user.h"

extern char **environ;

bool user_request_private(const struct user_request *rq)
{
	return rq->userns && !strcmp(rq->userns, "private");
}

bool user_request_wanted(const struct user_request *rq)
{
	return user_request_private(rq) || geteuid() != 0 || (rq->user && !rq->user_from_image) ||
	       (rq->group_add && rq->group_add[0]);
}

/* The container's 0..count-1 onto drydock's subordinate range. */
static int private_maps(struct dd_config *cfg, struct dd_error *err)
{
	struct user_subid uids, gids;

	if (user_subid_range(user_subid_path(false), USER_SUBID_OWNER, USER_SUBID_COUNT, &uids,
			     err) < 0 ||
	    user_subid_range(user_subid_path(true), USER_SUBID_OWNER, USER_SUBID_COUNT, &gids,
			     err) < 0)
		return dd_error_wrap(err, "Cannot give the container a user namespace");
	/* BEGIN SOLUTION: map the container's ids 0..count-1 onto the start of drydock's uid and gid ranges, one line each */
	cfg->uid_maps[0] = (struct dd_id_map){ .container = 0, .host = uids.start,
					       .count = USER_SUBID_COUNT };
	cfg->gid_maps[0] = (struct dd_id_map){ .container = 0, .host = gids.start,
					       .count = USER_SUBID_COUNT };
	cfg->nuid_maps = cfg->ngid_maps = 1;
	/* END SOLUTION */
	if (user_maps_check(cfg->uid_maps, cfg->nuid_maps, "uid map", err) < 0 ||
	    user_maps_check(cfg->gid_maps, cfg->ngid_maps, "gid map", err) < 0)
		return -1;
	return 0;
}

/* Without root: the container's root is the user who runs drydock, and
 * its ids 1..65535 that user's subordinate ids (as podman maps them). */
static int rootless_maps(struct dd_config *cfg, struct dd_error *err)
{
	struct passwd *pw = getpwuid(getuid());
	struct user_subid uids, gids;
	char name[32];

	snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "");
	if (!pw)
		snprintf(name, sizeof(name), "%u", (unsigned)getuid());
	if (user_subid_lookup(user_subid_path(false), name, getuid(), USER_SUBID_COUNT - 1, &uids,
			      err) < 0 ||
	    user_subid_lookup(user_subid_path(true), name, getuid(), USER_SUBID_COUNT - 1, &gids,
			      err) < 0)
		return dd_error_wrap(err, "Cannot run a container without root");
	cfg->uid_maps[0] = (struct dd_id_map){ .container = 0, .host = getuid(), .count = 1 };
	cfg->uid_maps[1] = (struct dd_id_map){ .container = 1, .host = uids.start,
					       .count = uids.count };
	cfg->gid_maps[0] = (struct dd_id_map){ .container = 0, .host = getgid(), .count = 1 };
	cfg->gid_maps[1] = (struct dd_id_map){ .container = 1, .host = gids.start,
					       .count = gids.count };
	cfg->nuid_maps = cfg->ngid_maps = 2;
	if (user_maps_check(cfg->uid_maps, cfg->nuid_maps, "uid map", err) < 0 ||
	    user_maps_check(cfg->gid_maps, cfg->ngid_maps, "gid map", err) < 0)
		return dd_error_wrap(err, "Cannot run a container without root");
	return 0;
}

int user_configure(struct dd_config *cfg, const struct user_request *rq, struct dd_error *err)
{
	if (rq->userns && strcmp(rq->userns, "private") && strcmp(rq->userns, "host"))
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Invalid --userns '%s': use private (a user namespace of the "
				    "container's own) or host", rq->userns);
	if (geteuid() != 0) {
		if (rq->userns && !strcmp(rq->userns, "host"))
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "--userns host needs root: without "
					    "it a container has no root of its own but in a user "
					    "namespace; run drydock as root, or leave --userns out");
		if (rootless_maps(cfg, err) < 0)
			return -1;
	} else if (user_request_private(rq) && private_maps(cfg, err) < 0) {
		return -1;
	}
	if (!rq->user && !(rq->group_add && rq->group_add[0]))
		return 0;
	if (user_resolve_in_image(&(struct user_request){ .user = rq->user ? rq->user : "0",
							  .group_add = rq->group_add,
							  .image_dirs = rq->image_dirs },
				  cfg, err) < 0)
		return rq->user_from_image ? dd_error_wrap(err, "The image's User") : -1;
	/* A uid the maps do not hold would be 65534 inside: refuse it. */
	if (cfg->nuid_maps) {
		unsigned int host;

		if (user_map_id(cfg->uid_maps, cfg->nuid_maps, cfg->uid, &host) < 0 ||
		    user_map_id(cfg->gid_maps, cfg->ngid_maps, cfg->gid, &host) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "User %u:%u is outside the "
					    "container's id maps (0 to %u)", (unsigned)cfg->uid,
					    (unsigned)cfg->gid, USER_SUBID_COUNT - 1);
	}
	return 0;
}

/* --- the stage ----------------------------------------------------------- */

static int user_prepare(struct dd_container *c, struct dd_error *err)
{
	/* Without root the image's files are the user's own, which the map
	 * already shows as the container's root: nothing to shift.  What
	 * the container writes belongs to its ids, though: say where, for
	 * the cleanup that removes it as the container's root. */
	if (!(c->cfg->namespaces & CLONE_NEWUSER))
		return 0;
	if (geteuid() != 0)
		return c->cfg->nuid_maps < 2 ? 0 :
		       dd_stage_set(c, &user_stage, "layer", c->layer_dir ? c->layer_dir : c->dir,
				    err);
	return user_prepare_layers(c, err);
}

static void stop_slirp(struct dd_container *c);

/* Without root, what the container wrote belongs to its ids, which the
 * user who runs drydock may not remove: its root removes them. */
static void user_cleanup(struct dd_container *c)
{
	_cleanup_free_ char *upper = NULL, *work = NULL;
	struct dd_error err;

	const char *layer = dd_stage_get(c, &user_stage, "layer");

	stop_slirp(c);
	if (!layer)
		return;
	upper = dd_strdup_printf("%s/upper", layer);
	work = dd_strdup_printf("%s/work", layer);
	if (upper && work && user_rm_mapped(c->cfg, (char *[]){ upper, work, NULL }, &err) < 0)
		dd_warn("Cannot remove the layer of container %.12s: %s", c->id, err.msg);
}

/* slirp4netns, while the container runs: it ends when exit_fd closes. */
struct user_net {
	pid_t pid;
	int exit_fd;
};

/* Without root, the container's network namespace reaches out through
 * slirp4netns: a tap device inside (tap0, 10.0.2.100/24, the route via
 * 10.0.2.2, DNS at 10.0.2.3), and a user-space TCP/IP stack outside that
 * turns the container's packets into the user's own sockets.  The
 * host's loopback stays out of reach, as with podman. */
static int start_slirp(struct dd_container *c, struct dd_error *err)
{
	_cleanup_close_ int ready_r = -1, ready_w = -1, exit_r = -1, exit_w = -1;
	_cleanup_free_ struct user_net *net = calloc(1, sizeof(*net));
	posix_spawn_file_actions_t fa;
	char pid[16], ok;
	int p[2], q[2], rc;

	snprintf(pid, sizeof(pid), "%d", (int)c->pid);
	char *argv[] = { "slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
			 "--ready-fd=3", "--exit-fd=4", pid, "tap0", NULL };

	if (!net || pipe2(p, O_CLOEXEC) < 0 || (ready_r = p[0], ready_w = p[1], 0) ||
	    pipe2(q, O_CLOEXEC) < 0)
		return dd_fail(err, errno ? errno : ENOMEM, "Cannot start slirp4netns");
	exit_r = q[0];
	exit_w = q[1];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ready_w, 3);
	posix_spawn_file_actions_adddup2(&fa, exit_r, 4);
	/* Its chatter is not the container's output. */
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&net->pid, "slirp4netns", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return dd_fail(err, rc, "Cannot run slirp4netns (Debian's slirp4netns package), "
			       "or use --network none");
	close(ready_w);
	ready_w = -1;
	close(exit_r);
	exit_r = -1;
	/* It writes a byte once tap0 is up; it closes the pipe if it fails. */
	if (read(ready_r, &ok, 1) != 1) {
		kill(net->pid, SIGKILL);
		waitpid(net->pid, NULL, 0);
		return dd_fail(err, EIO, "slirp4netns could not give the container a network");
	}
	net->exit_fd = move_fd(exit_w);
	c->stage_data[4] = move_ptr(net);
	return 0;
}

static void stop_slirp(struct dd_container *c)
{
	struct user_net *net = c->stage_data[4];

	if (!net)
		return;
	close(net->exit_fd);
	waitpid(net->pid, NULL, 0);
	free(net);
	c->stage_data[4] = NULL;
}

/* In drydock, when the child says its namespaces exist. */
static int user_step(struct dd_container *c, const struct dd_msg *in, struct dd_msg *reply,
		     struct dd_error *err)
{
	(void)in;
	(void)reply;
	/* Root writes maps of any host ids it likes: privileged. */
	if (user_write_maps(c->pid, c->cfg, geteuid() == 0, err) < 0)
		return -1;
	return c->cfg->slirp4netns ? start_slirp(c, err) : 0;
}

/* What the child's step says: only that it is there to be mapped. */
static const char step_maps[] __attribute__((unused)) = "maps";

static int user_child(struct dd_container *c, struct dd_error *err)
{
	const struct dd_config *cfg = c->cfg;

	if (cfg->namespaces & CLONE_NEWUSER) {
		/* BEGIN SOLUTION: ask drydock to write the maps (dd_child_step) and wait for its answer, then become root in the namespace */
		if (dd_child_step(c, &user_stage, step_maps, sizeof(step_maps), NULL, 0, NULL,
				  err) < 0)
			return dd_error_wrap(err, "Cannot map the container's ids");
		if (user_become_root(err) < 0)
			return -1;
		/* END SOLUTION */
	}
	return 0;
}

static bool user_wanted(const struct dd_config *cfg)
{
	return cfg->namespaces & CLONE_NEWUSER;
}

/* The command's user, once the root and its mounts are in place, so
 * what the stages made belongs to the container's root. */
static int user_ids_child(struct dd_container *c, struct dd_error *err)
{
	const struct dd_config *cfg = c->cfg;

	if (cfg->user_set && (cfg->uid != 0 || cfg->gid != 0 || cfg->ngroups > 0))
		return user_switch(cfg, err);
	return 0;
}

static bool user_ids_wanted(const struct dd_config *cfg)
{
	return cfg->user_set;
}

static int user_ids_selftest(struct dd_error *err)
{
	struct dd_config cfg = { 0 };

	return user_resolve("1:2", "", "", NULL, &cfg, err);
}

static int user_selftest(struct dd_error *err)
{
	struct user_subid s;

	return user_subid_parse_line("selftest:100000:65536", &s, err);
}

const struct dd_stage user_stage = {
	.name = "user",
	.chapter = 4,
	.summary = "user namespaces: the container's root is not the host's",
	.phase = DD_PHASE_USER,
	.namespaces = CLONE_NEWUSER,
	.wanted = user_wanted,
	.prepare = user_prepare,
	.child = user_child,
	.step = user_step,
	.cleanup = user_cleanup,
	.selftest = user_selftest,
};

const struct dd_stage user_ids_stage = {
	.name = "user-ids",
	.chapter = 4,
	.summary = "the command's user and groups (-u, --group-add)",
	.phase = DD_PHASE_IDS,
	.wanted = user_ids_wanted,
	.child = user_ids_child,
	.selftest = user_ids_selftest,
};
