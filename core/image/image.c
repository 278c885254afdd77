/*
 * image.c: the image store (see image.h for the layout on disk).
 *
 * Imports are all or nothing: a tarball is unpacked into
 * <root>/tmp/import-XXXXXX and renamed into images/<id> only once it is
 * complete, on the same file system so the rename is atomic.  The
 * importer holds an flock on a .lock file inside its temporary
 * directory; a directory whose lock is free belongs to an import that
 * died (even by SIGKILL), and the next call into the store removes it
 * (image_store.c, image_tmp.c).  Layered images come from `load`
 * (image_load.c).
 */
#include "core/image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chapters/07-rootfs/import.h"
#include "core/base/cleanup.h"
#include "core/base/paths.h"
#include "core/base/config.h"
#include "core/image/image_store.h"
#include "core/base/log.h"
#include "core/base/sha256.h"
#include "core/base/util.h"

#define ID_LEN DD_IMAGE_ID_LEN
#define DEFAULT_TAG DD_IMAGE_DEFAULT_TAG

/* Shipped as <name>.tar beside drydock, imported on first use. */
static const char *const builtin_images[] = { "busybox", "probe" };

/* --- import ------------------------------------------------------------ */

/* Unpack into dir/rootfs; on success id holds the archive's sha256. */
static int unpack(int fd, const char *dir, char id[65], long long *size, struct dd_error *err)
{
	_cleanup_free_ char *rootfs = dd_strdup_printf("%s/rootfs", dir);
	_cleanup_close_ int rootfd = -1;
	struct dd_hashed_input in = { .fd = fd };
	struct rootfs_reader reader = { .read = dd_store_read_hashed, .arg = &in };
	char buf[64 * 1024];
	ssize_t n;

	if (!rootfs)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (mkdir(rootfs, 0755) < 0 ||
	    (rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return dd_fail(err, errno, "Cannot create '%s'", rootfs);
	dd_sha256_init(&in.sha);
	if (dd_store_unpack(&reader, rootfd, rootfs, false, size, err) < 0)
		return -1;
	/* The id covers the whole file, also what follows the end of the tar. */
	while ((n = dd_store_read_hashed(&in, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		return dd_fail(err, errno, "Cannot read the archive");
	dd_sha256_hex(&in.sha, id);
	return 0;
}

/* Move the finished import into the store and point NAME:TAG at it. */
static int commit_import(const char *root, const char *dir, const char *id,
			 const char *name, const char *tag, long long size,
			 struct dd_error *err)
{
	_cleanup_close_ int store = dd_store_open(root, err);
	_cleanup_free_ char *dest = dd_state_path(root, DD_DIR_IMAGES, "%s", id);
	_cleanup_free_ char *meta = dd_strdup_printf("%s/image.json", dir);
	_cleanup_free_ char *key = dd_strdup_printf("%s:%s", name, tag);
	json_auto_t *j = NULL, *moves = NULL;

	if (store < 0)
		return -1;
	if (!dest || !meta || !key)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (dd_is_dir(dest)) {
		if (dd_rm_rf(dir, err) < 0) /* the same content: just add the tag */
			return -1;
	} else {
		j = json_pack("{s:s, s:s, s:s, s:I, s:I}", "id", id, "name", name, "tag", tag,
			      "created", (json_int_t)time(NULL), "size", (json_int_t)size);
		if (!j || dd_store_save_json(meta, j, err) < 0)
			return j ? -1 : dd_fail(err, ENOMEM, "Out of memory");
		if (rename(dir, dest) < 0)
			return dd_fail(err, errno, "Cannot move '%s' to '%s'", dir, dest);
		free(meta);
		meta = dd_strdup_printf("%s/.lock", dest);
		if (meta)
			unlink(meta);
	}
	moves = json_pack("{s:s}", key, id);
	return moves ? dd_store_move_tags(root, moves, err) : dd_fail(err, ENOMEM, "Out of memory");
}

int dd_image_import(const char *root, const char *file, const char *ref,
		    struct dd_image *out, struct dd_error *err)
{
	bool from_stdin = !strcmp(file, "-");
	_cleanup_free_ char *name = NULL, *tag = NULL, *dir = NULL;
	_cleanup_close_ int fd = -1, lockfd = -1;
	struct sigaction old[DD_STORE_NSIGNALS];
	struct stat sb;
	long long size = 0;
	char id[65];
	int rc;

	if (dd_image_parse_ref(ref, &name, &tag, err) < 0)
		return -1;
	fd = from_stdin ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
			: open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '%s'", file);
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		return dd_fail(err, EISDIR, "Cannot import '%s'", file);
	dir = dd_store_start_tmp(root, "import", &lockfd, err);
	if (!dir)
		return -1;
	dd_store_catch_signals(old);
	rc = unpack(fd, dir, id, &size, err);
	if (dd_store_interrupted())
		rc = dd_fail(err, 0, "Import of '%s' interrupted by signal %d (%s)",
			     from_stdin ? "stdin" : file, dd_store_interrupted(),
			     strsignal(dd_store_interrupted()));
	else if (rc < 0 && !dd_is_not_implemented(err))
		dd_error_wrap(err, "Cannot import '%s'", from_stdin ? "stdin" : file);
	if (rc == 0)
		rc = commit_import(root, dir, id, name, tag, size, err);
	if (rc < 0) {
		struct dd_error rm_err;

		if (dd_rm_rf(dir, &rm_err) < 0)
			dd_warn("%s", rm_err.msg);
	}
	dd_store_restore_signals(old);
	if (rc < 0)
		return -1;
	return out ? dd_store_load_image(root, id, name, tag, out, err) : 0;
}

/* --- finding, listing, removing ---------------------------------------- */

char *dd_image_builtin_path(const char *name)
{
	const char *env = getenv("DRYDOCK_IMAGES");
	char exe[PATH_MAX];
	ssize_t n;
	_cleanup_free_ char *beside = NULL;

	if (env && *env)
		return dd_strdup_printf("%s/%s.tar", env, name);
	/* A drydock running from its sealed copy (chapter 16) has no path of
	 * its own: the copy says where it came from. */
	env = getenv("DRYDOCK_EXE");
	if (env && env[0] == '/' && strlen(env) < sizeof(exe)) {
		strcpy(exe, env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return NULL;
		exe[n] = '\0';
	}
	*strrchr(exe, '/') = '\0';
	beside = dd_strdup_printf("%s/images/%s.tar", exe, name);
	if (beside && access(beside, R_OK) == 0)
		return move_ptr(beside);
	return dd_strdup_printf("%s/../share/drydock/images/%s.tar", exe, name);
}

static bool is_builtin(const char *name, const char *tag)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_images); i++)
		if (!strcmp(name, builtin_images[i]))
			return !strcmp(tag, DEFAULT_TAG);
	return false;
}

/* A tag that points at id, for naming an image found by its id. */
int dd_image_resolve(const char *root, const char *ref, struct dd_image *out,
		     struct dd_error *err)
{
	_cleanup_free_ char *name = NULL, *tag = NULL, *tarball = NULL;
	json_auto_t *repos = NULL;
	_cleanup_close_ int store = dd_store_open(root, err);
	const char *key;
	char id[65];
	int found;

	if (store < 0 || dd_store_load_repos(root, &repos, err) < 0)
		return -1;
	found = dd_store_lookup(root, repos, ref, id, &key, err);
	if (found < 0)
		return -1;
	if (found) {
		const char *t = key ? key : dd_store_some_tag(repos, id);
		const char *colon = t ? strrchr(t, ':') : NULL;
		_cleanup_free_ char *n = t ? strndup(t, colon - t) : strdup("<none>");

		return dd_store_load_image(root, id, n ? n : "<none>", colon ? colon + 1 : "<none>", out,
				  err);
	}
	if (dd_image_parse_ref(ref, &name, &tag, err) < 0)
		return -1;
	close(move_fd(store)); /* the import takes the lock itself */
	if (!is_builtin(name, tag))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unable to find image '%s:%s' locally: "
				    "import it first with 'drydock import FILE %s:%s'",
				    name, tag, name, tag);
	tarball = dd_image_builtin_path(name);
	if (!tarball)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (access(tarball, R_OK) < 0)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unable to find image '%s:%s' locally: "
				    "the built-in image is not at '%s' (run 'make', or set "
				    "$DRYDOCK_IMAGES to its directory)", name, tag, tarball);
	if (dd_image_import(root, tarball, ref, out, err) < 0)
		return dd_error_wrap(err, "Cannot import the built-in image '%s'", name);
	return 0;
}

static int cmp_images(const void *a, const void *b)
{
	const struct dd_image *x = a, *y = b;
	bool xn = x->name[0] == '<', yn = y->name[0] == '<';
	int c = xn != yn ? xn - yn : strcmp(x->name, y->name);

	return c ? c : strcmp(x->tag, y->tag);
}

static int list_add(struct dd_image **list, size_t *n, const char *root, const char *id,
		    const char *name, const char *tag, struct dd_error *err)
{
	struct dd_image *nl = realloc(*list, (*n + 1) * sizeof(**list));

	if (!nl)
		return dd_fail(err, ENOMEM, "Cannot list images");
	*list = nl;
	if (dd_store_load_image(root, id, name, tag, &nl[*n], err) < 0)
		return err->errnum == ENOENT ? 0 : -1; /* half removed: skip it */
	(*n)++;
	return 0;
}

int dd_image_list(const char *root, struct dd_image **out, size_t *n, struct dd_error *err)
{
	_cleanup_close_ int store = dd_store_open(root, err);
	json_auto_t *repos = NULL;
	_cleanup_free_ char *path = dd_state_path(root, DD_DIR_IMAGES, NULL);
	_cleanup_closedir_ DIR *dir = NULL;
	struct dd_image *list = NULL;
	struct dirent *de;
	const char *key;
	json_t *v;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (store < 0 || dd_store_load_repos(root, &repos, err) < 0)
		return -1;
	json_object_foreach(repos, key, v) {
		const char *colon = strrchr(key, ':');
		_cleanup_free_ char *name = colon ? strndup(key, colon - key) : NULL;

		if (!name) {
			dd_fail(err, ENOMEM, "Cannot list images");
			goto fail;
		}
		if (list_add(&list, &count, root, json_string_value(v), name, colon + 1, err) < 0)
			goto fail;
	}
	/* Images no tag points at any more (a moved tag, kept for a container). */
	dir = path ? opendir(path) : NULL;
	while (dir && (de = readdir(dir))) {
		if (strlen(de->d_name) == ID_LEN && dd_store_is_hex(de->d_name, ID_LEN) &&
		    !dd_store_count_tags(repos, de->d_name) &&
		    list_add(&list, &count, root, de->d_name, "<none>", "<none>", err) < 0)
			goto fail;
	}
	if (count)
		qsort(list, count, sizeof(*list), cmp_images);
	*out = list;
	*n = count;
	return 0;
fail:
	dd_image_list_free(list, count);
	return -1;
}

int dd_image_remove_report(const char *root, const char *ref, struct dd_image_removal *what,
			   struct dd_error *err)
{
	_cleanup_close_ int store = dd_store_open(root, err);
	json_auto_t *repos = NULL;
	_cleanup_free_ char *tagkey = NULL;
	const char *key;
	json_t *v;
	void *tmp;
	char id[65], who[128];
	int found;

	memset(what, 0, sizeof(*what));
	if (store < 0 || dd_store_load_repos(root, &repos, err) < 0)
		return -1;
	found = dd_store_lookup(root, repos, ref, id, &key, err);
	if (found <= 0)
		return found < 0 ? -1 : dd_fail_kind(err, DD_ERR_USAGE, 0, "No such image: %s", ref);
	if (key && !(tagkey = strdup(key)))
		return dd_fail(err, ENOMEM, "Out of memory");
	if (!key && dd_store_count_tags(repos, id) > 1)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unable to remove image %.12s: it has "
				    "several tags; remove them by NAME:TAG", id);
	/* The last tag goes: the files go too, unless a container uses them. */
	if (dd_store_count_tags(repos, id) <= 1) {
		int used = dd_store_find_user(root, id, who, sizeof(who), err);

		if (used)
			return used < 0 ? -1 : dd_fail_kind(err, DD_ERR_USAGE, 0,
				"Unable to remove image '%s': container %s uses it; "
				"remove the container first", ref, who);
	}
	json_object_foreach_safe(repos, tmp, key, v) {
		if (strcmp(json_string_value(v), id) || (tagkey && strcmp(key, tagkey)))
			continue;
		if (dd_strv_push(&what->untagged, key) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
		json_object_del(repos, key);
	}
	if (dd_store_save_repos(root, repos, err) < 0) {
		dd_image_removal_release(what); /* nothing was untagged after all */
		return -1;
	}
	if (dd_store_count_tags(repos, id) > 0)
		return 0;
	snprintf(what->deleted, sizeof(what->deleted), "%s", id);
	return dd_store_delete_image(root, id, err);
}

int dd_image_remove(const char *root, const char *ref, struct dd_error *err)
{
	struct dd_image_removal what;
	int rc = dd_image_remove_report(root, ref, &what, err);

	dd_image_removal_release(&what);
	return rc;
}
