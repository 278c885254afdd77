/* user.h: chapter 04, user namespaces: id maps, subordinate ids, -u. */
#ifndef DD_USER_H
#define DD_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/base/config.h"
#include "core/base/error.h"
#include "core/stage.h"

/* The owner of drydock's ranges in /etc/subuid and /etc/subgid, and the
 * size of a range: 65536 ids, every id a 16-bit system knows, as with
 * podman and Docker's userns-remap. */
#define USER_SUBID_OWNER "drydock"
#define USER_SUBID_COUNT 65536u
/* Where a new range may start and must end: shadow's SUB_UID_MIN and
 * SUB_UID_MAX (login.defs), so no range of ours covers a real account. */
#define USER_SUBID_MIN 100000ul
#define USER_SUBID_MAX 600100000ul
/* What the kernel shows for an id a namespace does not map. */
#define USER_OVERFLOW_ID 65534u
/* Tests point drydock at copies: never at the real files. */
#define USER_SUBUID_ENV "DRYDOCK_SUBUID"
#define USER_SUBGID_ENV "DRYDOCK_SUBGID"

/* --- id map arithmetic (idmap.c): pure functions ----------------------- */

/* Do [a, a+na) and [b, b+nb) share an id? */
bool user_ranges_overlap(unsigned long a, unsigned long na, unsigned long b, unsigned long nb);

/* The host id of container id `id` under maps; -1 when no line maps it. */
int user_map_id(const struct dd_id_map *maps, size_t n, unsigned int id, unsigned int *host);

/* The container id that host id `host` appears as; -1 when unmapped. */
int user_unmap_id(const struct dd_id_map *maps, size_t n, unsigned int host, unsigned int *id);

/* Refuse maps the kernel would refuse: none, an empty line, a line
 * that wraps past 2^32, two lines that overlap inside or outside. */
int user_maps_check(const struct dd_id_map *maps, size_t n, const char *what,
		    struct dd_error *err);

/* The text of /proc/PID/uid_map for maps: "0 100000 65536\n". */
int user_maps_format(const struct dd_id_map *maps, size_t n, char *buf, size_t len,
		     struct dd_error *err);

/* One line of /etc/subuid or /etc/subgid: "name:start:count". */
struct user_subid {
	char name[64];
	unsigned long start, count;
};

/* Parse one line; 0, 1 for a blank line or comment (nothing in out),
 * -1 with err for a malformed one. */
int user_subid_parse_line(const char *line, struct user_subid *out, struct dd_error *err);

/* The lowest start >= USER_SUBID_MIN of `count` ids that overlaps no
 * entry and ends by USER_SUBID_MAX. */
int user_subid_find_free(const struct user_subid *entries, size_t n, unsigned long count,
			 unsigned long *start, struct dd_error *err);

/* --- the subordinate id files (subid.c) -------------------------------- */

/* $DRYDOCK_SUBUID or /etc/subuid (gid: $DRYDOCK_SUBGID, /etc/subgid). */
const char *user_subid_path(bool gid);

/* owner's range of at least count ids in the file at path, appended
 * (a free range, the file locked, written atomically) when it has none. */
int user_subid_range(const char *path, const char *owner, unsigned long count,
		     struct user_subid *out, struct dd_error *err);

/* The range of user name (or of its uid, as shadow also allows) in the
 * file at path, cut to count ids: for a user who runs drydock without
 * root.  None, or one too small, is an error saying how to add one. */
int user_subid_lookup(const char *path, const char *name, unsigned int uid, unsigned long count,
		      struct user_subid *out, struct dd_error *err);

/* --- writing the maps and taking the ids (maps.c) ---------------------- */

/* In drydock: write /proc/PID/uid_map, then gid_map.  privileged: the
 * writer holds CAP_SETGID over the parent namespace; an unprivileged
 * writer must deny setgroups first. */
int user_write_maps(pid_t pid, const struct dd_config *cfg, bool privileged,
		    struct dd_error *err);

/* In the child, once the maps are written: become the namespace's root. */
int user_become_root(struct dd_error *err);

/* In the child: become cfg->uid, cfg->gid with cfg->groups, keeping the
 * capabilities until exec so the later stages can still mount. */
int user_switch(const struct dd_config *cfg, struct dd_error *err);

/* Without root: remove paths (NULL-ended) that the container's ids own,
 * as its root, in a user namespace with cfg's maps (podman's unshare). */
int user_rm_mapped(const struct dd_config *cfg, char *const *paths, struct dd_error *err);

/* --- the image's users (passwd.c) -------------------------------------- */

/* What the engine asks for; image_dirs: the image's layers, top first. */
struct user_request {
	const char *userns;    /* "host", "private" or NULL (the default) */
	const char *user;      /* -u NAME|UID[:GROUP|GID], else the image's User */
	bool user_from_image;  /* user came from the image, not -u */
	char *const *group_add;
	char *const *image_dirs;
};

/* Resolve spec against the text of an /etc/passwd and /etc/group. */
int user_resolve(const char *spec, const char *passwd, const char *group,
		 char *const *group_add, struct dd_config *cfg, struct dd_error *err);

/* The same against the image's own files (request's image_dirs). */
int user_resolve_in_image(const struct user_request *rq, struct dd_config *cfg,
			  struct dd_error *err);

/* The engine's half: the maps (subordinate ranges) and the user. */
int user_configure(struct dd_config *cfg, const struct user_request *rq, struct dd_error *err);
bool user_request_wanted(const struct user_request *rq);
/* Did the request ask for a user namespace of the container's own? */
bool user_request_private(const struct user_request *rq);

/* --- the image's layers in the map (layers.c) ---------------------- */

/* The host ids of the container's root: 0, 0 without maps. */
int user_host_root(const struct dd_config *cfg, uid_t *uid, gid_t *gid);

/* In drydock, before the clone: the layers as copies whose owners are
 * shifted into the map, and the path to them searchable. */
int user_prepare_layers(struct dd_container *c, struct dd_error *err);

extern const struct dd_stage user_stage;
extern const struct dd_stage user_ids_stage;

#endif
