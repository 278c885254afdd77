/*
 * image_layers.c: the layers of loaded images, <root>/layers/<id>.
 *
 * A layer is stored once, however many images list it (two images built
 * on the same base share its directory), so it cannot go with an image:
 * removing an image removes each of its layers only when no other
 * image's image.json lists it any more.  Both happen under the store
 * lock, the lock `load` holds while it renames new layers into place and
 * writes the images that list them.
 */
#include "core/image/image_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/cleanup.h"
#include "core/base/walk.h"
#include "core/base/paths.h"
#include "core/base/log.h"
#include "core/base/util.h"

/* Every layer id some image lists, as the keys of used. */
static int layers_in_use(const char *root, json_t *used, struct dd_error *err)
{
	_cleanup_free_ char *images = dd_state_path(root, DD_DIR_IMAGES, NULL);
	_cleanup_closedir_ DIR *dir = images ? opendir(images) : NULL;
	struct dirent *de;

	if (!dir)
		return dd_fail(err, images ? errno : ENOMEM, "Cannot list '%s'", images);
	while ((de = readdir(dir))) {
		_cleanup_free_ char *path = NULL;
		json_auto_t *j = NULL;
		json_t *v;
		size_t i;

		if (!dd_store_is_hex(de->d_name, DD_IMAGE_ID_LEN) ||
		    strlen(de->d_name) != DD_IMAGE_ID_LEN)
			continue;
		path = dd_strdup_printf("%s/%s/image.json", images, de->d_name);
		if (!path)
			return dd_fail(err, ENOMEM, "Out of memory");
		/* An image we cannot read may list any layer: keep them all. */
		if (dd_store_load_json(path, false, &j, err) < 0)
			return -1;
		json_array_foreach(json_object_get(j, "layers"), i, v)
			if (json_is_string(v) && json_object_set(used, json_string_value(v),
								 json_true()) < 0)
				return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}

/* Like images, a layer is moved aside first, so it disappears at once
 * and a removal that dies half-way is finished by the next command. */
static int remove_layer(const char *root, const char *id, struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_state_path(root, DD_DIR_LAYERS, "%s", id);
	_cleanup_free_ char *aside = dd_state_path(root, DD_DIR_TMP, "remove-layer-%s", id);

	if (!dir || !aside)
		return dd_fail(err, ENOMEM, "Cannot remove layer %.12s", id);
	if (rename(dir, aside) < 0)
		return errno == ENOENT ? 0 : dd_fail(err, errno, "Cannot remove layer %.12s", id);
	return dd_rm_rf(aside, err);
}

int dd_store_remove_unused_layers(const char *root, char *const *ids, struct dd_error *err)
{
	json_auto_t *used = json_object();

	if (!used)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (layers_in_use(root, used, err) < 0) {
		dd_warn("kept the layers of the removed image: cannot tell which other images "
			"use them: %s", err->msg);
		return 0;
	}
	for (size_t i = 0; ids && ids[i]; i++) {
		if (strlen(ids[i]) != DD_IMAGE_ID_LEN || !dd_store_is_hex(ids[i], DD_IMAGE_ID_LEN) ||
		    json_object_get(used, ids[i]))
			continue; /* still listed (or not a layer id at all) */
		if (remove_layer(root, ids[i], err) < 0)
			return -1;
	}
	return 0;
}

/* --- size ----------------------------------------------------------------- */

/* Files with several names, each to be counted once. */
struct seen_inodes {
	ino_t *ino;
	size_t n;
};

static bool first_sighting(struct seen_inodes *seen, ino_t ino, bool *oom)
{
	ino_t *grown;

	for (size_t i = 0; i < seen->n; i++)
		if (seen->ino[i] == ino)
			return false;
	grown = realloc(seen->ino, (seen->n + 1) * sizeof(*grown));
	if (!grown) {
		*oom = true;
		return false;
	}
	seen->ino = grown;
	seen->ino[seen->n++] = ino;
	return true;
}

struct size_walk {
	dev_t dev;
	struct seen_inodes seen;
	long long size;
};

/* A file's bytes count once however many links it has; the walk never
 * leaves the tree's file system. */
static int size_visit(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err)
{
	struct size_walk *sw = w->arg;
	bool oom = false;

	if (S_ISREG(e->st->st_mode) &&
	    (e->st->st_nlink == 1 || first_sighting(&sw->seen, e->st->st_ino, &oom)))
		sw->size += e->st->st_size;
	if (oom)
		return dd_fail(err, ENOMEM, "Out of memory");
	return S_ISDIR(e->st->st_mode) && e->st->st_dev == sw->dev ? DD_WALK_DESCEND
								   : DD_WALK_NEXT;
}

int dd_store_tree_size(const char *path, long long *size, struct dd_error *err)
{
	struct size_walk sw = { 0 };
	struct dd_walk w = { .visit = size_visit, .stat_all = true, .arg = &sw };
	struct stat st;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	*size = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return dd_fail(err, errno, "Cannot open '%s'", path);
	sw.dev = st.st_dev;
	rc = dd_walk(fd, path, &w, err);
	free(sw.seen.ino);
	*size = sw.size;
	return rc;
}
