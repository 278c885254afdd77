/*
 * layers.c: chapter 04, the image as the container's root sees it.
 *
 * An image's files belong to host ids (root's, mostly), which a user
 * namespace does not map: inside they would show as 65534, and the
 * container's root could neither change them nor copy them up into its
 * overlay layer.  Two ways out:
 *
 *   - an idmapped mount (mount_setattr(2), MOUNT_ATTR_IDMAP) shows the
 *     same files with shifted owners, at no cost; but on this course's
 *     kernel (6.1) overlayfs refuses idmapped lower layers when it is
 *     mounted inside a user namespace, which is where drydock mounts it
 *     (architecture.md, departure (c));
 *   - a copy of each layer whose owners are shifted through the map,
 *     made once per map and layer under <root>/cache/idmap/, and reused
 *     by every later container with the same map.
 *
 * drydock takes the copy (doc/04-user.md measures both).  It is made
 * in a temporary directory and renamed into place, so a copy cut short
 * is never used.  The directories from the data root and the run root
 * down to what the container must reach are made searchable (o+x, never
 * readable) for the container's root, a host id without other rights.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "user.h"

int user_host_root(const struct dd_config *cfg, uid_t *uid, gid_t *gid)
{
	unsigned int u = 0, g = 0;

	if (cfg->nuid_maps && (user_map_id(cfg->uid_maps, cfg->nuid_maps, 0, &u) < 0 ||
			       user_map_id(cfg->gid_maps, cfg->ngid_maps, 0, &g) < 0))
		return -1;
	*uid = u;
	*gid = g;
	return 0;
}

/* An owner the map does not hold becomes the overflow id, as the kernel
 * shows it, so no host id outside the range is ever handed out. */
static int shift_owner(void *arg, uid_t *uid, gid_t *gid)
{
	const struct dd_config *cfg = arg;
	unsigned int u, g;

	if (user_map_id(cfg->uid_maps, cfg->nuid_maps, *uid, &u) < 0 &&
	    user_map_id(cfg->uid_maps, cfg->nuid_maps, USER_OVERFLOW_ID, &u) < 0)
		return -1;
	if (user_map_id(cfg->gid_maps, cfg->ngid_maps, *gid, &g) < 0 &&
	    user_map_id(cfg->gid_maps, cfg->ngid_maps, USER_OVERFLOW_ID, &g) < 0)
		return -1;
	*uid = u;
	*gid = g;
	return 0;
}

static int searchable(const char *dir, struct dd_error *err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return dd_fail(err, errno, "Cannot stat '%s'", dir);
	if ((st.st_mode & S_IXOTH) == 0 && chmod(dir, (st.st_mode & 07777) | S_IXOTH) < 0)
		return dd_fail(err, errno, "Cannot make '%s' searchable", dir);
	return 0;
}

/* Every directory from below root down to dir, dir included. */
static __attribute__((unused)) int searchable_below(const char *root, const char *dir, struct dd_error *err)
{
	_cleanup_free_ char *path = strdup(dir);
	size_t top = strlen(root);

	if (!path)
		return dd_fail(err, ENOMEM, "Out of memory");
	for (char *p = path + top + 1; p; p = strchr(p + 1, '/')) {
		char keep = *p;

		*p = '\0';
		if (strlen(path) > top && searchable(path, err) < 0)
			return -1;
		*p = keep;
	}
	return searchable(dir, err);
}

/* The shifted copy of one layer, made when missing. */
static __attribute__((unused)) int shifted_layer(const char *cache, const char *root, const char *layer,
			 const struct dd_config *cfg, char **out, struct dd_error *err)
{
	_cleanup_free_ char *key = strdup(layer + strlen(root) + 1), *dest = NULL, *tmp = NULL;
	char rnd[17];

	if (!key)
		return dd_fail(err, ENOMEM, "Out of memory");
	for (char *p = key; *p; p++)
		if (*p == '/')
			*p = '-';
	dest = dd_strdup_printf("%s/%s", cache, key);
	if (!dest)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (!dd_is_dir(dest)) {
		if (dd_random_hex(rnd, 8, err) < 0)
			return -1;
		tmp = dd_strdup_printf("%s/.tmp-%s", cache, rnd);
		if (!tmp)
			return dd_fail(err, ENOMEM, "Out of memory");
		if (dd_copy_tree_shifted(layer, tmp, shift_owner, (void *)cfg, err) < 0) {
			struct dd_error ignored;

			dd_rm_rf(tmp, &ignored);
			return dd_error_wrap(err, "Cannot make the image layer '%s' fit the user "
					     "namespace", layer);
		}
		/* Another drydock may have won the race: use its copy. */
		if (rename(tmp, dest) < 0) {
			int e = errno;

			if (dd_rm_rf(tmp, err) < 0)
				return -1;
			if (e != EEXIST && e != ENOTEMPTY)
				return dd_fail(err, e, "Cannot rename '%s' to '%s'", tmp, dest);
		}
	}
	*out = move_ptr(dest);
	return 0;
}

/* dir, its parent and its grandparent: a container's directory, the
 * containers/ folder and the root that holds them. */
static __attribute__((unused)) int searchable_up(const char *dir, struct dd_error *err)
{
	_cleanup_free_ char *path = strdup(dir);
	char *slash;

	if (!path)
		return dd_fail(err, ENOMEM, "Out of memory");
	for (int i = 0; i < 3; i++) {
		if (searchable(path, err) < 0)
			return -1;
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	return 0;
}

int user_prepare_layers(struct dd_container *c, struct dd_error *err)
{
	struct dd_config *cfg = c->cfg;
	const char *dir = c->layer_dir ? c->layer_dir : c->dir;
	_cleanup_free_ char *root = strdup(dir), *containers = NULL, *cache = NULL;
	char *slash;
	uid_t uid;
	gid_t gid;

	if (!root)
		return dd_fail(err, ENOMEM, "Out of memory");
	/* The layer dir is <data root>/containers/<id> (core/base/paths.c). */
	for (int i = 0; i < 2 && (slash = strrchr(root, '/')); i++)
		*slash = '\0';
	containers = dd_strdup_printf("%s/containers", root);
	if (!containers || user_host_root(cfg, &uid, &gid) < 0)
		return dd_fail(err, ENOMEM, "Out of memory");
	/* BEGIN SOLUTION: make the state root, containers/ and the container's directory searchable, then replace every layer by its copy shifted into the map, cached under <root>/cache/idmap/UID-GID */
	if (searchable(root, err) < 0 || searchable(containers, err) < 0 ||
	    searchable(dir, err) < 0 || searchable_up(c->dir, err) < 0)
		return -1;
	cache = dd_strdup_printf("%s/cache/idmap/%u-%u", root, (unsigned)uid, (unsigned)gid);
	if (!cache)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (dd_mkdir_p(cache, 0711, err) < 0 || searchable_below(root, cache, err) < 0)
		return -1;
	for (size_t i = 0; cfg->layers && cfg->layers[i]; i++) {
		char *shifted;

		if (strncmp(cfg->layers[i], root, strlen(root)) || cfg->layers[i][strlen(root)] != '/')
			return dd_fail(err, EINVAL, "Layer '%s' is outside the state root '%s'",
				       cfg->layers[i], root);
		if (shifted_layer(cache, root, cfg->layers[i], cfg, &shifted, err) < 0)
			return -1;
		free(cfg->layers[i]);
		cfg->layers[i] = shifted;
	}
	return 0;
	/* END SOLUTION */
}
