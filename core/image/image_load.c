/*
 * image_load.c: `drydock load`, images made of layers.
 *
 * A load works in a private directory, <root>/tmp/load-XXXXXX
 * (image_tmp.c), until its last step:
 *
 *   1. spool    the archive is unpacked as it is into archive/, since its
 *               manifest may come after the blobs (image_load_spool.c);
 *   2. plan     the manifests say which images, configs, layers and tags
 *               there are (image_load_manifest.c);
 *   3. layers   each layer blob is unpacked into layer-N/ by lab 07's
 *               rootfs_extract_from(), which hands every member to lab
 *               08's overlay_whiteout() first, so that ".wh." members
 *               become whiteouts as overlayfs reads them.  Every byte is
 *               hashed as it is read: the sha256 is the layer's id, and
 *               must be the digest the archive promised; the sha256 of
 *               its tar, uncompressed, must be the config's diff_id for
 *               it (image_load_diffid.c).  A layer the store already has
 *               is only hashed, not unpacked;
 *   4. commit   under the store lock, new layers are renamed into
 *               layers/<id>, each image into images/<id>, and the tags
 *               move in one write of repositories.json.
 *
 * A failure or a signal before the commit leaves nothing but the private
 * directory, which is removed, or if the process died, removed by the
 * next command (image_store.c).  A commit that fails half-way takes back
 * the images and layers it had put in place.
 */
#include "core/image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chapters/07-rootfs/import.h"
#include "chapters/08-overlay/overlay.h"
#include "core/base/cleanup.h"
#include "core/base/paths.h"
#include "core/base/log.h"
#include "core/base/config.h"
#include "core/image/image_load.h"
#include "core/image/image_store.h"
#include "core/base/util.h"

#define READ_CHUNK (64 * 1024)

/* --- step 3: layers --------------------------------------------------------- */

/* Every member of a layer goes to lab 08 first: whiteouts are its job. */
static int layer_member(void *arg, int dirfd, const char *base, struct dd_error *err)
{
	return overlay_whiteout(dirfd, base, err);
}

static char *layer_path(const char *root, const char *id)
{
	return dd_state_path(root, DD_DIR_LAYERS, "%s", id);
}

/* Will the layer with this digest be in the store without unpacking it:
 * is it there already, or does an earlier blob of this load promise it? */
static bool layer_known(const char *root, const struct dd_load_plan *plan, size_t i)
{
	const char *digest = plan->layers[i].digest;
	_cleanup_free_ char *dir = NULL;

	if (!digest[0])
		return false;
	for (size_t k = 0; k < i; k++)
		if (!strcmp(plan->layers[k].digest, digest))
			return true;
	dir = layer_path(root, digest);
	return dir && dd_is_dir(dir);
}

static int unpack_into(const char *dir, struct rootfs_reader *reader, const char *name,
		       struct dd_error *err)
{
	_cleanup_close_ int dirfd = -1;

	if (mkdir(dir, 0755) < 0 ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", dir);
	/* A layer's whiteouts need lab 07's extraction: GNU tar would
	 * unpack them as plain files. */
	if (dd_store_unpack(reader, dirfd, dir, true, NULL, err) == 0)
		return 0;
	return dd_error_wrap(err, "Cannot unpack layer '%s'", name);
}

/* Unpack (or only hash) layer i; its id is the sha256 of all its bytes. */
static int read_layer(const char *root, const char *work, int spoolfd,
		      struct dd_load_plan *plan, size_t i, struct dd_error *err)
{
	struct dd_load_layer *l = &plan->layers[i];
	struct dd_hashed_input in = { .fd = dd_load_open(spoolfd, l->path, err) };
	struct rootfs_reader reader = { .read = dd_store_read_hashed, .arg = &in,
					.member = layer_member };
	char buf[READ_CHUNK];
	ssize_t n;

	if (in.fd < 0)
		return -1;
	dd_sha256_init(&in.sha);
	if (!layer_known(root, plan, i)) {
		l->dir = dd_strdup_printf("%s/layer-%zu", work, i);
		if (!l->dir || unpack_into(l->dir, &reader, l->path, err) < 0) {
			close(in.fd);
			return l->dir ? -1 : dd_fail(err, ENOMEM, "Out of memory");
		}
	}
	/* The hash covers the whole blob, also what follows the tar's end. */
	while ((n = dd_store_read_hashed(&in, buf, sizeof(buf))) > 0)
		;
	close(in.fd);
	if (n < 0)
		return dd_fail(err, errno, "Cannot read layer '%s'", l->path);
	dd_sha256_hex(&in.sha, l->id);
	if (l->digest[0] && strcmp(l->id, l->digest))
		return dd_fail(err, 0, "Layer '%s' does not match its digest sha256:%s: its "
			       "sha256 is %s", l->path, l->digest, l->id);
	if (dd_load_diff_id(spoolfd, l, err) < 0)
		return -1;
	/* Its bytes are in layer-N/ now: free the disk space at once. */
	unlinkat(spoolfd, l->path, 0);
	return 0;
}

/* Steps 1 to 3, in work/. */
static int prepare(const char *root, const char *work, int fd, struct dd_load_plan *plan,
		   struct dd_error *err)
{
	_cleanup_free_ char *spool = dd_strdup_printf("%s/archive", work);
	_cleanup_close_ int spoolfd = -1;

	if (!spool)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (mkdir(spool, 0700) < 0 ||
	    (spoolfd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", spool);
	if (dd_load_spool(fd, spoolfd, err) < 0 || dd_load_plan_read(spoolfd, plan, err) < 0)
		return -1;
	for (size_t i = 0; i < plan->nlayers; i++)
		if (read_layer(root, work, spoolfd, plan, i, err) < 0)
			return -1;
	return dd_load_check_diff_ids(plan, err);
}

/* --- step 4: commit --------------------------------------------------------- */

/* What the commit put in place, to take back if a later step fails. */
struct placed {
	char **layers;
	char **images;
};

static int place_layers(const char *root, struct dd_load_plan *plan, struct placed *p,
			struct dd_error *err)
{
	for (size_t i = 0; i < plan->nlayers; i++) {
		struct dd_load_layer *l = &plan->layers[i];
		_cleanup_free_ char *dest = layer_path(root, l->id);

		if (!dest)
			return dd_fail(err, ENOMEM, "Out of memory");
		if (dd_is_dir(dest))
			continue; /* shared with another image: ours goes with tmp/ */
		if (!l->dir)
			return dd_fail(err, 0, "Layer %.12s was removed from the store during the "
				       "load: load the archive again", l->id);
		if (rename(l->dir, dest) < 0)
			return dd_fail(err, errno, "Cannot move '%s' to '%s'", l->dir, dest);
		if (dd_strv_push(&p->layers, l->id) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}

/* Does a layer above the i-th have the same id?  Images built by some
 * tools list the empty layer several times; overlayfs wants each
 * directory once, and the top-most copy has the same effect alone. */
static bool listed_again(const struct dd_load_plan *plan, const struct dd_load_image *img,
			 size_t i)
{
	for (size_t k = i + 1; k < img->nlayers; k++)
		if (!strcmp(plan->layers[img->layers[k]].id, plan->layers[img->layers[i]].id))
			return true;
	return false;
}

/* image.json: what dd_store_load_image() reads back.  The size is that
 * of all its layers, shared or not, as `docker images` shows it. */
static json_t *image_json(const char *root, const struct dd_load_plan *plan,
			  const struct dd_load_image *img, struct dd_error *err)
{
	const char *first = img->tags ? img->tags[0] : NULL;
	const char *colon = first ? strrchr(first, ':') : NULL;
	_cleanup_free_ char *name = first ? strndup(first, colon - first) : strdup("<none>");
	json_auto_t *layers = json_array();
	json_t *j;
	long long size = 0, one;

	if (!name || !layers) {
		dd_fail(err, ENOMEM, "Out of memory");
		return NULL;
	}
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *id = plan->layers[img->layers[i]].id;
		_cleanup_free_ char *dir = NULL;

		if (listed_again(plan, img, i))
			continue;
		dir = layer_path(root, id);
		if (!dir || json_array_append_new(layers, json_string(id)) < 0) {
			dd_fail(err, ENOMEM, "Out of memory");
			return NULL;
		}
		if (dd_store_tree_size(dir, &one, err) < 0)
			return NULL;
		size += one;
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:O, s:O}", "id", img->id, "name", name, "tag",
		      colon ? colon + 1 : "<none>", "created", (json_int_t)time(NULL), "size",
		      (json_int_t)size, "layers", layers, "config", img->config);
	if (!j)
		dd_fail(err, ENOMEM, "Out of memory");
	return j;
}

static int place_image(const char *root, const char *work, const struct dd_load_plan *plan,
		       const struct dd_load_image *img, struct placed *p, struct dd_error *err)
{
	_cleanup_free_ char *dest = dd_state_path(root, DD_DIR_IMAGES, "%s", img->id);
	_cleanup_free_ char *dir = dd_strdup_printf("%s/image-%s", work, img->id);
	_cleanup_free_ char *meta = dir ? dd_strdup_printf("%s/image.json", dir) : NULL;
	json_auto_t *j = NULL;

	if (!dest || !meta)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (dd_is_dir(dest))
		return 0; /* the same config: the same image, which only gets the tags */
	if (!(j = image_json(root, plan, img, err)))
		return -1;
	if (mkdir(dir, 0700) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", dir);
	if (dd_store_save_json(meta, j, err) < 0)
		return -1;
	if (rename(dir, dest) < 0)
		return dd_fail(err, errno, "Cannot move '%s' to '%s'", dir, dest);
	if (dd_strv_push(&p->images, img->id) < 0)
		return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

/* A failed commit: images first, whose removal takes their new layers;
 * then the layers no image came to list. */
static void take_back(const char *root, struct placed *p)
{
	struct dd_error err;

	for (size_t i = 0; p->images && p->images[i]; i++)
		if (dd_store_delete_image(root, p->images[i], &err) < 0)
			dd_warn("%s", err.msg);
	if (p->layers && dd_store_remove_unused_layers(root, p->layers, &err) < 0)
		dd_warn("%s", err.msg);
}

static int commit(const char *root, const char *work, struct dd_load_plan *plan,
		  struct dd_error *err)
{
	_cleanup_close_ int store = dd_store_open(root, err);
	_cleanup_free_ char *layers = dd_state_path(root, DD_DIR_LAYERS, NULL);
	json_auto_t *moves = json_object();
	struct placed p = { 0 };
	int rc = 0;

	if (store < 0)
		return -1;
	if (!layers || !moves)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (dd_mkdir_p(layers, 0700, err) < 0)
		return -1;
	rc = place_layers(root, plan, &p, err);
	for (size_t i = 0; rc == 0 && i < plan->nimages; i++) {
		const struct dd_load_image *img = &plan->images[i];

		rc = place_image(root, work, plan, img, &p, err);
		for (size_t t = 0; rc == 0 && img->tags && img->tags[t]; t++)
			if (json_object_set_new(moves, img->tags[t], json_string(img->id)) < 0)
				rc = dd_fail(err, ENOMEM, "Out of memory");
	}
	if (rc == 0)
		rc = dd_store_move_tags(root, moves, err);
	if (rc < 0)
		take_back(root, &p);
	dd_strv_free(p.layers);
	dd_strv_free(p.images);
	return rc;
}

/* --- the whole load ----------------------------------------------------------- */

/* Docker's report: each tag, and the id of each image without one. */
static int report(const struct dd_load_plan *plan, struct dd_image_loaded *out,
		  struct dd_error *err)
{
	for (size_t i = 0; i < plan->nimages; i++) {
		const struct dd_load_image *img = &plan->images[i];

		for (size_t t = 0; img->tags && img->tags[t]; t++)
			if (dd_strv_push(&out->tags, img->tags[t]) < 0)
				return dd_fail(err, ENOMEM, "Out of memory");
		if (!img->tags && dd_strv_push(&out->ids, img->id) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}

int dd_image_load(const char *root, const char *file, struct dd_image_loaded *out,
		  struct dd_error *err)
{
	bool from_stdin = !file || !strcmp(file, "-");
	const char *what = from_stdin ? "stdin" : file;
	_cleanup_free_ char *work = NULL;
	_cleanup_close_ int fd = -1, lockfd = -1;
	struct sigaction old[DD_STORE_NSIGNALS];
	struct dd_load_plan plan = { 0 };
	struct dd_error rm_err;
	struct stat sb;
	int rc;

	memset(out, 0, sizeof(*out));
	fd = from_stdin ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
			: open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '%s'", what);
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		return dd_fail(err, EISDIR, "Cannot load '%s'", what);
	if (!(work = dd_store_start_tmp(root, "load", &lockfd, err)))
		return -1;
	dd_store_catch_signals(old);
	rc = prepare(root, work, fd, &plan, err);
	if (dd_store_interrupted())
		rc = dd_fail(err, 0, "Load of '%s' interrupted by signal %d (%s)", what,
			     dd_store_interrupted(), strsignal(dd_store_interrupted()));
	else if (rc < 0)
		dd_error_wrap(err, "Cannot load '%s'", what);
	if (rc == 0 && (rc = commit(root, work, &plan, err)) < 0)
		dd_error_wrap(err, "Cannot load '%s'", what);
	if (rc == 0)
		rc = report(&plan, out, err);
	/* What is left is ours alone: the spool, and layers the store had. */
	if (dd_rm_rf(work, &rm_err) < 0)
		dd_warn("%s", rm_err.msg);
	dd_store_restore_signals(old);
	dd_load_plan_free(&plan);
	if (rc < 0)
		dd_image_loaded_release(out);
	return rc;
}

void dd_image_loaded_release(struct dd_image_loaded *loaded)
{
	dd_strv_free(loaded->tags);
	dd_strv_free(loaded->ids);
	loaded->tags = loaded->ids = NULL;
}
