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
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "core/base/log.h"
#include "user.h"

bool user_request_private(const struct user_request *rq)
{
	return rq->userns && !strcmp(rq->userns, "private");
}

bool user_request_wanted(const struct user_request *rq)
{
	return user_request_private(rq) || (rq->user && !rq->user_from_image) ||
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

int user_configure(struct dd_config *cfg, const struct user_request *rq, struct dd_error *err)
{
	if (rq->userns && strcmp(rq->userns, "private") && strcmp(rq->userns, "host"))
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Invalid --userns '%s': use private (a user namespace of the "
				    "container's own) or host", rq->userns);
	if (user_request_private(rq) && private_maps(cfg, err) < 0)
		return -1;
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
	if (!(c->cfg->namespaces & CLONE_NEWUSER))
		return 0;
	return user_prepare_layers(c, err);
}

/* In drydock, when the child says its namespaces exist. */
static int user_step(struct dd_container *c, const struct dd_msg *in, struct dd_msg *reply,
		     struct dd_error *err)
{
	(void)in;
	(void)reply;
	/* Root writes maps of any host ids it likes: privileged. */
	return user_write_maps(c->pid, c->cfg, geteuid() == 0, err);
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
