/*
 * image_store.c: the files under <root>/images and the locks that keep
 * concurrent drydock commands from tripping over each other.
 *
 * Every call into the store takes <root>/images/.lock, then removes
 * <root>/tmp/import-* and load-* directories whose own lock is free:
 * imports and loads that died, even by SIGKILL.  They create their
 * directory and lock it while holding the store's lock, so a directory
 * without a held lock is never one being born.
 */
#include "core/image/image_store.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/paths.h"
#include "core/base/config.h"
#include "core/runtime/container.h"
#include "core/base/log.h"
#include "core/base/util.h"

#define ID_LEN DD_IMAGE_ID_LEN
#define DEFAULT_TAG DD_IMAGE_DEFAULT_TAG
#define MAX_TAG_LEN 128

/* --- names ------------------------------------------------------------ */

static bool valid_repository(const char *s)
{
	/* Docker's rule, without registries: lowercase components of
	 * letters and digits joined by '.', '_' or '-', separated by '/'. */
	bool after_sep = true;

	for (; *s; s++) {
		if (islower((unsigned char)*s) || isdigit((unsigned char)*s))
			after_sep = false;
		else if (strchr("._-/", *s) && !after_sep)
			after_sep = true;
		else
			return false;
	}
	return !after_sep;
}

static bool valid_tag(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= MAX_TAG_LEN && (isalnum((unsigned char)s[0]) || s[0] == '_') &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int dd_image_parse_ref(const char *ref, char **name, char **tag, struct dd_error *err)
{
	const char *colon = strrchr(ref, ':');
	_cleanup_free_ char *n = NULL, *t = NULL;

	if (colon && strchr(colon, '/'))
		colon = NULL; /* "host:port/name": not a tag */
	n = colon ? strndup(ref, colon - ref) : strdup(ref);
	t = strdup(colon ? colon + 1 : DEFAULT_TAG);
	if (!n || !t)
		return dd_fail(err, ENOMEM, "Cannot parse image name '%s'", ref);
	for (const char *p = n; *p; p++)
		if (isupper((unsigned char)*p))
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid reference format '%s': "
					    "repository name must be lowercase", ref);
	if (!valid_repository(n) || !valid_tag(t))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid reference format '%s': "
				    "expected NAME[:TAG], e.g. busybox:latest", ref);
	*name = move_ptr(n);
	*tag = move_ptr(t);
	return 0;
}

bool dd_store_is_hex(const char *s, size_t min)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= min && n <= ID_LEN && s[n] == '\0';
}

/* --- the store's directories and locks -------------------------------- */

int dd_store_lock_file(const char *path, int how, struct dd_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return dd_fail(err, errno, "Cannot open lock '%s'", path);
	while (flock(fd, how) < 0)
		if (errno != EINTR)
			return dd_fail(err, errno, "Cannot lock '%s'", path);
	return move_fd(fd);
}

/* Remove what imports, loads and removals that died left in <root>/tmp.
 * Called with the store lock held, the lock importers hold while they
 * create their directory and its lock, so a lock-less directory is dead. */
static void remove_stale(const char *root)
{
	_cleanup_free_ char *tmp = dd_state_path(root, DD_DIR_TMP, NULL);
	_cleanup_closedir_ DIR *dir = tmp ? opendir(tmp) : NULL;
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		_cleanup_free_ char *path = NULL, *lock = NULL;
		_cleanup_close_ int fd = -1;
		struct dd_error err;

		if (strncmp(de->d_name, "import-", 7) && strncmp(de->d_name, "load-", 5) &&
		    strncmp(de->d_name, "remove-", 7))
			continue;
		path = dd_strdup_printf("%s/%s", tmp, de->d_name);
		lock = path ? dd_strdup_printf("%s/.lock", path) : NULL;
		if (!lock)
			return;
		fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue; /* an import still running */
		if (dd_rm_rf(path, &err) < 0)
			dd_warn("%s", err.msg);
	}
}

/* Make the store's directories, take its lock and tidy up; returns the
 * lock's fd, which the caller closes to release it. */
int dd_store_open(const char *root, struct dd_error *err)
{
	_cleanup_free_ char *images = dd_state_path(root, DD_DIR_IMAGES, NULL);
	_cleanup_free_ char *tmp = dd_state_path(root, DD_DIR_TMP, NULL);
	_cleanup_free_ char *lock = dd_state_path(root, DD_DIR_IMAGES, ".lock");
	int fd;

	if (!images || !tmp || !lock)
		return dd_fail(err, ENOMEM, "Cannot open the image store");
	if (dd_mkdir_p(root, 0700, err) < 0 || dd_mkdir_p(images, 0700, err) < 0 ||
	    dd_mkdir_p(tmp, 0700, err) < 0)
		return -1;
	fd = dd_store_lock_file(lock, LOCK_EX, err);
	if (fd >= 0)
		remove_stale(root);
	return fd;
}

/* --- repositories.json and image.json --------------------------------- */

/* Read a JSON object; a missing file is an empty object if missing_ok. */
int dd_store_load_json(const char *path, bool missing_ok, json_t **out, struct dd_error *err)
{
	_cleanup_free_ char *text = NULL;
	json_error_t jerr;

	if (dd_read_file(path, &text, NULL, err) < 0) {
		if (err->errnum != ENOENT || !missing_ok)
			return -1;
		*out = json_object();
		return *out ? 0 : dd_fail(err, ENOMEM, "Cannot read '%s'", path);
	}
	*out = json_loads(text, 0, &jerr);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return dd_fail(err, 0, "Cannot parse '%s': %s", path,
			       jerr.text[0] ? jerr.text : "not a JSON object");
	}
	return 0;
}

int dd_store_save_json(const char *path, json_t *j, struct dd_error *err)
{
	_cleanup_free_ char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (!text)
		return dd_fail(err, ENOMEM, "Cannot write '%s'", path);
	return dd_write_file_atomic(path, text, strlen(text), 0600, err);
}

static char *repos_path(const char *root)
{
	return dd_state_path(root, DD_DIR_IMAGES, "repositories.json");
}

int dd_store_load_repos(const char *root, json_t **out, struct dd_error *err)
{
	_cleanup_free_ char *path = repos_path(root);

	return path ? dd_store_load_json(path, true, out, err) : dd_fail(err, ENOMEM, "Out of memory");
}

int dd_store_save_repos(const char *root, json_t *repos, struct dd_error *err)
{
	_cleanup_free_ char *path = repos_path(root);

	return path ? dd_store_save_json(path, repos, err) : dd_fail(err, ENOMEM, "Out of memory");
}

size_t dd_store_count_tags(json_t *repos, const char *id)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	json_object_foreach(repos, key, v)
		n += !strcmp(json_string_value(v), id);
	return n;
}

/* A JSON array of strings as a NULL-terminated vector (NULL if absent). */
static int load_strv(json_t *a, char ***out)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return 0;
	*out = calloc(json_array_size(a) + 1, sizeof(char *));
	if (!*out)
		return -1;
	json_array_foreach(a, i, v)
		if (!((*out)[i] = strdup(json_is_string(v) ? json_string_value(v) : "")))
			return -1;
	return 0;
}

static int load_string(json_t *s, char **out)
{
	if (!json_is_string(s) || !json_string_value(s)[0])
		return 0;
	*out = strdup(json_string_value(s));
	return *out ? 0 : -1;
}

/* An imported image is one layer, images/<id>/rootfs; a loaded one lists
 * its layers, which live in layers/. */
static int load_layers(const char *root, const char *id, json_t *j, struct dd_image *img)
{
	json_t *layers = json_object_get(j, "layers"), *v;
	size_t i;

	if (!json_is_array(layers)) {
		img->rootfs = dd_state_path(root, DD_DIR_IMAGES, "%s/rootfs", id);
		return img->rootfs ? dd_strv_push(&img->layers, img->rootfs) : -1;
	}
	img->layers = calloc(json_array_size(layers) + 1, sizeof(char *));
	if (!img->layers)
		return -1;
	json_array_foreach(layers, i, v) {
		if (!json_is_string(v) || !dd_store_is_hex(json_string_value(v), ID_LEN))
			return -2;
		if (!(img->layers[i] = dd_state_path(root, DD_DIR_LAYERS, "%s", json_string_value(v))))
			return -1;
	}
	return i > 0 ? 0 : -2;
}

static int load_config(json_t *c, struct dd_image *img)
{
	if (!json_is_object(c))
		return 0;
	if (load_strv(json_object_get(c, "Env"), &img->env) < 0 ||
	    load_strv(json_object_get(c, "Entrypoint"), &img->entrypoint) < 0 ||
	    load_strv(json_object_get(c, "Cmd"), &img->cmd) < 0 ||
	    load_string(json_object_get(c, "WorkingDir"), &img->workdir) < 0 ||
	    load_string(json_object_get(c, "User"), &img->user) < 0)
		return -1;
	return 0;
}

/* Fill img from images/<id>/image.json, with the given name and tag. */
int dd_store_load_image(const char *root, const char *id, const char *name, const char *tag,
			struct dd_image *img, struct dd_error *err)
{
	_cleanup_free_ char *path = dd_state_path(root, DD_DIR_IMAGES, "%s/image.json", id);
	json_auto_t *j = NULL;
	int rc = 0;

	memset(img, 0, sizeof(*img));
	if (!path || dd_store_load_json(path, false, &j, err) < 0)
		return path ? -1 : dd_fail(err, ENOMEM, "Out of memory");
	snprintf(img->id, sizeof(img->id), "%s", id);
	img->name = strdup(name);
	img->tag = strdup(tag);
	img->size = json_integer_value(json_object_get(j, "size"));
	img->created = json_integer_value(json_object_get(j, "created"));
	if (!img->name || !img->tag || (rc = load_layers(root, id, j, img)) < 0 ||
	    load_config(json_object_get(j, "config"), img) < 0) {
		dd_image_release(img);
		if (rc == -2)
			return dd_fail(err, 0, "Image %.12s is damaged: %s lists no valid layers",
				       id, path);
		return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}

/* The layer ids images/<id>/image.json lists (NULL for an imported image). */
static char **image_layer_ids(const char *root, const char *id)
{
	_cleanup_free_ char *path = dd_state_path(root, DD_DIR_IMAGES, "%s/image.json", id);
	json_auto_t *j = NULL;
	char **ids = NULL;
	struct dd_error err;

	if (path && dd_store_load_json(path, false, &j, &err) == 0 &&
	    load_strv(json_object_get(j, "layers"), &ids) < 0) {
		dd_strv_free(ids);
		return NULL;
	}
	return ids;
}

/* Move images/<id> aside (atomic) and delete it, then the layers it
 * listed that no other image lists; if deleting fails half-way, the next
 * call into the store finishes the job. */
int dd_store_delete_image(const char *root, const char *id, struct dd_error *err)
{
	_cleanup_free_ char *dir = dd_state_path(root, DD_DIR_IMAGES, "%s", id);
	_cleanup_free_ char *aside = dd_state_path(root, DD_DIR_TMP, "remove-%s", id);
	char **layers = NULL;
	int rc;

	if (!dir || !aside)
		return dd_fail(err, ENOMEM, "Cannot remove image %.12s", id);
	layers = image_layer_ids(root, id);
	if (rename(dir, aside) < 0 && errno != ENOENT) {
		dd_strv_free(layers);
		return dd_fail(err, errno, "Cannot remove image %.12s", id);
	}
	rc = dd_rm_rf(aside, err);
	if (rc == 0 && layers)
		rc = dd_store_remove_unused_layers(root, layers, err);
	dd_strv_free(layers);
	return rc;
}

int dd_store_move_tags(const char *root, json_t *moves, struct dd_error *err)
{
	json_auto_t *repos = NULL, *left = json_array();
	const char *key, *old;
	json_t *v;
	size_t i;
	char who[128];

	if (!left || dd_store_load_repos(root, &repos, err) < 0)
		return left ? -1 : dd_fail(err, ENOMEM, "Out of memory");
	json_object_foreach(moves, key, v) {
		old = json_string_value(json_object_get(repos, key));
		if (old && strcmp(old, json_string_value(v)) &&
		    json_array_append_new(left, json_string(old)) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
		if (json_object_set(repos, key, v) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	/* One write: every tag moves, or none does. */
	if (dd_store_save_repos(root, repos, err) < 0)
		return -1;
	/* Drop each image a tag left, unless something else still uses it.
	 * The tags did move: a failure here is only a warning. */
	json_array_foreach(left, i, v) {
		struct dd_error rm_err = { 0 };

		old = json_string_value(v);
		if (dd_store_count_tags(repos, old) > 0 ||
		    dd_store_find_user(root, old, who, sizeof(who), &rm_err) != 0)
			continue;
		if (dd_store_delete_image(root, old, &rm_err) < 0)
			dd_warn("the image the tag left stays: %s", rm_err.msg);
	}
	return 0;
}

/* The first container that uses image id, or -1 (0 when none does). */
int dd_store_find_user(const char *root, const char *id, char *who, size_t len,
		       struct dd_error *err)
{
	struct dd_state *list;
	size_t n;
	int found = 0;

	if (dd_container_list_records(root, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++) {
		if (list[i].image_id && !strcmp(list[i].image_id, id)) {
			snprintf(who, len, "%.12s (%s)", list[i].id, list[i].name ? list[i].name : "");
			found = 1;
		}
	}
	dd_state_list_free(list, n);
	return found;
}

/* --- looking up -------------------------------------------------------- */

const char *dd_store_some_tag(json_t *repos, const char *id)
{
	const char *key;
	json_t *v;

	json_object_foreach(repos, key, v)
		if (!strcmp(json_string_value(v), id))
			return key;
	return NULL;
}

/* The unique image whose id starts with prefix ("sha256:" allowed):
 * 1 found, 0 none, -1 error (ambiguous). */
static int find_by_id(const char *root, const char *ref, char id[65], struct dd_error *err)
{
	const char *prefix = strncmp(ref, "sha256:", 7) ? ref : ref + 7;
	_cleanup_free_ char *path = dd_state_path(root, DD_DIR_IMAGES, NULL);
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int found = 0;

	if (!dd_store_is_hex(prefix, prefix == ref ? 4 : 1) || !path || !(dir = opendir(path)))
		return 0;
	while ((de = readdir(dir))) {
		if (strlen(de->d_name) != ID_LEN || !dd_store_is_hex(de->d_name, ID_LEN) ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (found++)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Image id prefix '%s' is ambiguous",
					    ref);
		memcpy(id, de->d_name, ID_LEN + 1);
	}
	return found;
}

int dd_store_lookup(const char *root, json_t *repos, const char *ref, char id[65],
		    const char **key, struct dd_error *err)
{
	_cleanup_free_ char *name = NULL, *tag = NULL, *full = NULL;
	struct dd_error parse_err;
	void *iter;

	*key = NULL;
	if (dd_image_parse_ref(ref, &name, &tag, &parse_err) == 0) {
		full = dd_strdup_printf("%s:%s", name, tag);
		if (!full)
			return dd_fail(err, ENOMEM, "Out of memory");
		iter = json_object_iter_at(repos, full);
		if (iter) {
			snprintf(id, 65, "%s", json_string_value(json_object_iter_value(iter)));
			*key = json_object_iter_key(iter);
			return 1;
		}
	}
	return find_by_id(root, ref, id, err);
}

void dd_image_removal_release(struct dd_image_removal *what)
{
	dd_strv_free(what->untagged);
	what->untagged = NULL;
}

void dd_image_release(struct dd_image *img)
{
	free(img->name);
	free(img->tag);
	free(img->rootfs);
	dd_strv_free(img->layers);
	dd_strv_free(img->env);
	dd_strv_free(img->entrypoint);
	dd_strv_free(img->cmd);
	free(img->workdir);
	free(img->user);
	img->name = img->tag = img->rootfs = img->workdir = img->user = NULL;
	img->layers = img->env = img->entrypoint = img->cmd = NULL;
}

void dd_image_list_free(struct dd_image *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dd_image_release(&list[i]);
	free(list);
}
