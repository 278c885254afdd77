/*
 * image_load_manifest.c: what a `docker save` or OCI image layout
 * archive says it holds.
 *
 * Both formats name the same things: images, each a config blob (whose
 * sha256 is the image's id) and a list of layer blobs, bottom first, and
 * the names to tag them with.
 *
 *   docker save   manifest.json: [{"Config": "<hex>.json" or
 *                 "blobs/sha256/<hex>", "RepoTags": ["name:tag"],
 *                 "Layers": ["<dir>/layer.tar" or "blobs/sha256/<hex>"]}]
 *   OCI layout    oci-layout, and index.json: {"manifests": [descriptor]};
 *                 a descriptor {mediaType, digest, annotations} leads to
 *                 a manifest {config, layers: [descriptor]}, or to another
 *                 index, which has one manifest per platform
 *
 * Docker 25 and later write both; manifest.json is preferred, as Docker
 * itself does.  All of it is read and checked here, before any layer is
 * unpacked: the JSON, that each blob named is in the archive, every
 * digest that can be checked without unpacking, and that each config
 * lists one diff_id per layer.  Layer digests are checked as the layers
 * are unpacked (image_load.c), diff_ids once they are (image_load_diffid.c).
 */
#include "core/image/image_load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/config.h"
#include "core/image/image.h"
#include "core/base/sha256.h"
#include "core/base/util.h"

#define HEX_LEN 64
#define BLOB_DIR "blobs/sha256/"
#define CONTAINERD_NAME "io.containerd.image.name"
#define OCI_REF_NAME "org.opencontainers.image.ref.name"

static const char *const index_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
};
static const char *const manifest_types[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
};
static const char *const config_types[] = {
	"application/vnd.oci.image.config.v1+json",
	"application/vnd.docker.container.image.v1+json",
};
/* What libarchive can undo; zstd is tried by content, like the rest. */
static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
};
/* The image keys `drydock run` applies (core/cmd_run.c). */
static const char *const config_lists[] = { "Env", "Cmd", "Entrypoint" };
static const char *const config_strings[] = { "WorkingDir", "User" };

#define IS_ONE_OF(s, list) is_one_of(s, list, ARRAY_SIZE(list))

static bool is_one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static bool is_hex_id(const char *s, size_t len)
{
	return len == HEX_LEN && strspn(s, "0123456789abcdef") >= HEX_LEN;
}

/* The digest a blob's name promises: "blobs/sha256/<hex>", or for a
 * docker save config "<hex>.json"; "" when the name promises none. */
static void digest_of_name(const char *path, bool config, char hex[65])
{
	size_t n = strlen(path);

	hex[0] = '\0';
	if (!strncmp(path, BLOB_DIR, strlen(BLOB_DIR)) &&
	    is_hex_id(path + strlen(BLOB_DIR), n - strlen(BLOB_DIR)))
		snprintf(hex, 65, "%s", path + strlen(BLOB_DIR));
	else if (config && n == HEX_LEN + 5 && !strcmp(path + HEX_LEN, ".json") &&
		 is_hex_id(path, HEX_LEN))
		snprintf(hex, 65, "%.64s", path);
}

/* "sha256:<hex>" -> hex and "blobs/sha256/<hex>". */
static int parse_digest(json_t *desc, char hex[65], char path[PATH_MAX], struct dd_error *err)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));

	if (!d)
		return dd_fail(err, 0, "a descriptor has no digest");
	if (strncmp(d, "sha256:", 7) || !is_hex_id(d + 7, strlen(d + 7)))
		return dd_fail(err, 0, "unsupported digest '%s' (drydock knows sha256 only)", d);
	snprintf(hex, 65, "%s", d + 7);
	snprintf(path, PATH_MAX, BLOB_DIR "%s", hex);
	return 0;
}

/* A JSON document of the archive, at most DD_LOAD_MAX_JSON bytes; hex is
 * the sha256 of its bytes, which must be expect when that is not "". */
static int read_json(int spoolfd, const char *path, const char *expect, json_t **out,
		     char hex[65], struct dd_error *err)
{
	_cleanup_close_ int fd = dd_load_open(spoolfd, path, err);
	_cleanup_free_ char *buf = NULL;
	struct dd_sha256 sha;
	json_error_t jerr;
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return dd_fail(err, errno, "Cannot read '%s'", path);
	if (st.st_size > DD_LOAD_MAX_JSON)
		return dd_fail(err, 0, "'%s' is larger than %d MiB: not a manifest or config", path,
			       DD_LOAD_MAX_JSON >> 20);
	if (!(buf = malloc(st.st_size + 1)))
		return dd_fail(err, ENOMEM, "Cannot read '%s'", path);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, st.st_size - len);

		if (n <= 0 && !(n < 0 && errno == EINTR))
			return dd_fail(err, n < 0 ? errno : EIO, "Cannot read '%s'", path);
		len += n > 0 ? n : 0;
	}
	dd_sha256_init(&sha);
	dd_sha256_update(&sha, buf, len);
	dd_sha256_hex(&sha, hex);
	if (expect[0] && strcmp(hex, expect))
		return dd_fail(err, 0, "'%s' does not match its digest sha256:%s: its sha256 is %s",
			       path, expect, hex);
	*out = json_loadb(buf, len, 0, &jerr);
	if (!*out)
		return dd_fail(err, 0, "Cannot parse '%s' (line %d): %s", path, jerr.line,
			       jerr.text);
	return 0;
}

/* --- building the plan ---------------------------------------------------- */

static struct dd_load_image *new_image(struct dd_load_plan *plan, struct dd_error *err)
{
	struct dd_load_image *grown = realloc(plan->images, (plan->nimages + 1) * sizeof(*grown));

	if (!grown) {
		dd_fail(err, ENOMEM, "Out of memory");
		return NULL;
	}
	plan->images = grown;
	memset(&grown[plan->nimages], 0, sizeof(*grown));
	return &grown[plan->nimages++];
}

/* rootfs: {"type": "layers", "diff_ids": ["sha256:<hex>", ...]}, which
 * the layers are checked against once unpacked (image_load_diffid.c). */
static int read_diff_ids(struct dd_load_image *img, json_t *config, const char *path,
			 struct dd_error *err)
{
	json_t *rootfs = json_object_get(config, "rootfs");
	json_t *ids = json_object_get(rootfs, "diff_ids"), *v;
	const char *type = json_string_value(json_object_get(rootfs, "type"));
	size_t i;

	if (!type || strcmp(type, "layers") || !json_is_array(ids))
		return dd_fail(err, 0, "The config '%s' has no rootfs of type \"layers\" with a "
			       "list of diff_ids", path);
	if (json_array_size(ids) > DD_LOAD_MAX_LAYERS)
		return dd_fail(err, 0, "The config '%s' lists more than %d diff_ids", path,
			       DD_LOAD_MAX_LAYERS);
	if (!(img->diff_ids = calloc(json_array_size(ids) + 1, sizeof(*img->diff_ids))))
		return dd_fail(err, ENOMEM, "Out of memory");
	json_array_foreach(ids, i, v) {
		const char *d = json_string_value(v);

		if (!d || strncmp(d, "sha256:", 7) || !is_hex_id(d + 7, strlen(d + 7)))
			return dd_fail(err, 0, "The config '%s' has a diff_id that is not "
				       "sha256:<64 hex digits>: %s", path, d ? d : "(not a string)");
		snprintf(img->diff_ids[i], sizeof(img->diff_ids[i]), "%s", d + 7);
		img->ndiff_ids = i + 1;
	}
	return 0;
}

/* The config blob: its sha256 is the image's id; of what it says, only
 * the keys `run` applies are kept, and the diff_ids. */
static int read_config(struct dd_load_image *img, int spoolfd, const char *path,
		       const char *digest, struct dd_error *err)
{
	json_auto_t *j = NULL;
	json_t *c, *v;

	if (read_json(spoolfd, path, digest, &j, img->id, err) < 0)
		return dd_error_wrap(err, "Cannot read the config of an image");
	if (!json_is_object(j))
		return dd_fail(err, 0, "The config '%s' is not a JSON object", path);
	if (read_diff_ids(img, j, path, err) < 0)
		return -1;
	if (!(img->config = json_object()))
		return dd_fail(err, ENOMEM, "Out of memory");
	c = json_object_get(j, "config");
	for (size_t i = 0; i < ARRAY_SIZE(config_lists); i++) {
		size_t k;
		json_t *s;

		v = json_object_get(c, config_lists[i]);
		if (!v || json_is_null(v))
			continue; /* Docker writes "Cmd": null when an image has none */
		if (!json_is_array(v))
			return dd_fail(err, 0, "The config '%s' has a %s that is not a list", path,
				       config_lists[i]);
		json_array_foreach(v, k, s)
			if (!json_is_string(s))
				return dd_fail(err, 0, "The config '%s' has a %s that is not "
					       "a list of strings", path, config_lists[i]);
		if (json_object_set(img->config, config_lists[i], v) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	for (size_t i = 0; i < ARRAY_SIZE(config_strings); i++)
		if (json_is_string(v = json_object_get(c, config_strings[i])) &&
		    json_object_set(img->config, config_strings[i], v) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

/* "docker.io/library/busybox:latest" is Docker's long form of
 * "busybox:latest": keep the name users type, as `docker load` does. */
static int add_tag(struct dd_load_image *img, const char *ref, struct dd_error *err)
{
	static const char *const prefixes[] = { "docker.io/library/", "docker.io/" };
	_cleanup_free_ char *name = NULL, *tag = NULL, *key = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(ref, prefixes[i], strlen(prefixes[i]))) {
			ref += strlen(prefixes[i]);
			break;
		}
	if (dd_image_parse_ref(ref, &name, &tag, err) < 0)
		return dd_error_wrap(err, "Cannot tag image %.12s", img->id);
	if (!(key = dd_strdup_printf("%s:%s", name, tag)))
		return dd_fail(err, ENOMEM, "Out of memory");
	for (size_t i = 0; img->tags && img->tags[i]; i++)
		if (!strcmp(img->tags[i], key))
			return 0;
	return dd_strv_push(&img->tags, key) < 0 ? dd_fail(err, ENOMEM, "Out of memory") : 0;
}

/* A layer blob, named once in the plan however many images list it.
 * digest is what the manifest promises ("" if nothing). */
static int add_layer(struct dd_load_plan *plan, struct dd_load_image *img, int spoolfd,
		     const char *path, const char *digest, struct dd_error *err)
{
	char clean[PATH_MAX], named[65];
	struct dd_load_layer *grown, *l;
	size_t *idx, i;
	int fd;

	if (img->nlayers >= DD_LOAD_MAX_LAYERS)
		return dd_fail(err, 0, "Image %.12s has more than %d layers", img->id,
			       DD_LOAD_MAX_LAYERS);
	if (dd_load_clean_path(path, clean, err) < 0)
		return dd_error_wrap(err, "Refusing layer '%s'", path);
	for (i = 0; i < plan->nlayers && strcmp(plan->layers[i].path, clean); i++)
		;
	if (i == plan->nlayers) {
		if ((fd = dd_load_open(spoolfd, clean, err)) < 0 && err->errnum == ENOENT)
			return dd_fail(err, 0, "the archive lacks layer '%s', which the "
				       "manifest of image %.12s names", path, img->id);
		if (fd < 0)
			return -1;
		close(fd);
		digest_of_name(clean, false, named);
		if (!(grown = realloc(plan->layers, (i + 1) * sizeof(*grown))))
			return dd_fail(err, ENOMEM, "Out of memory");
		plan->layers = grown;
		l = memset(&grown[plan->nlayers++], 0, sizeof(*l));
		snprintf(l->digest, sizeof(l->digest), "%s", digest[0] ? digest : named);
		if (!(l->path = strdup(clean)))
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	if (!(idx = realloc(img->layers, (img->nlayers + 1) * sizeof(*idx))))
		return dd_fail(err, ENOMEM, "Out of memory");
	img->layers = idx;
	idx[img->nlayers++] = i;
	return 0;
}

/* --- docker save ------------------------------------------------------------ */

static int read_docker_image(struct dd_load_plan *plan, int spoolfd, json_t *entry,
			     struct dd_error *err)
{
	const char *config = json_string_value(json_object_get(entry, "Config"));
	json_t *layers = json_object_get(entry, "Layers"), *v;
	struct dd_load_image *img;
	char digest[65];
	size_t i;

	if (!config || !json_is_array(layers) || json_array_size(layers) == 0)
		return dd_fail(err, 0, "an image in manifest.json has no Config or no Layers");
	if (!(img = new_image(plan, err)))
		return -1;
	digest_of_name(config, true, digest);
	if (read_config(img, spoolfd, config, digest, err) < 0)
		return -1;
	json_array_foreach(json_object_get(entry, "RepoTags"), i, v)
		if (!json_is_string(v) || add_tag(img, json_string_value(v), err) < 0)
			return json_is_string(v) ? -1 : dd_fail(err, 0, "a tag is not a string");
	json_array_foreach(layers, i, v)
		if (!json_is_string(v) || add_layer(plan, img, spoolfd, json_string_value(v), "",
						    err) < 0)
			return json_is_string(v) ? -1 : dd_fail(err, 0, "a layer is not a string");
	return 0;
}

static int read_docker_save(struct dd_load_plan *plan, int spoolfd, json_t *manifest,
			    struct dd_error *err)
{
	json_t *entry;
	size_t i;

	if (!json_is_array(manifest) || json_array_size(manifest) == 0)
		return dd_fail(err, 0, "manifest.json is not a list of images");
	json_array_foreach(manifest, i, entry)
		if (read_docker_image(plan, spoolfd, entry, err) < 0)
			return dd_error_wrap(err, "In manifest.json, image %zu", i + 1);
	return 0;
}

/* --- OCI image layout ----------------------------------------------------- */

/* Go's names for machines, which image platforms use. */
static const char *host_arch(void)
{
	static const char *const names[][2] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "armv7l", "arm" },
		{ "armv6l", "arm" },   { "i686", "386" },      { "i386", "386" },
	};
	static struct utsname u;

	if (!u.machine[0] && uname(&u) < 0)
		return "unknown";
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(u.machine, names[i][0]))
			return names[i][1];
	return u.machine;
}

/* Can this machine run what desc describes?  No platform: yes. */
static bool for_this_host(json_t *desc)
{
	json_t *p = json_object_get(desc, "platform");
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));

	return !p || (os && !strcmp(os, "linux") && arch && !strcmp(arch, host_arch()));
}

/* The name to tag with: containerd's full reference, else the OCI ref
 * name when it is a whole reference, not a bare tag like "1.0". */
static const char *name_of(json_t *desc)
{
	json_t *a = json_object_get(desc, "annotations");
	const char *name = json_string_value(json_object_get(a, CONTAINERD_NAME));
	const char *ref = json_string_value(json_object_get(a, OCI_REF_NAME));

	if (name && name[0])
		return name;
	return ref && strpbrk(ref, ":/") ? ref : NULL;
}

static int read_oci_manifest(struct dd_load_plan *plan, int spoolfd, json_t *m,
			     const char *name, struct dd_error *err)
{
	json_t *config = json_object_get(m, "config"), *layers = json_object_get(m, "layers");
	json_t *d;
	char hex[65], path[PATH_MAX];
	struct dd_load_image *img;
	const char *type;
	size_t i;

	type = json_string_value(json_object_get(config, "mediaType"));
	if (!IS_ONE_OF(type, config_types))
		return dd_fail(err, 0, "unsupported config media type '%s': not a container image",
			       type ? type : "(none)");
	if (!json_is_array(layers) || json_array_size(layers) == 0)
		return dd_fail(err, 0, "the manifest lists no layers");
	if (!(img = new_image(plan, err)) || parse_digest(config, hex, path, err) < 0 ||
	    read_config(img, spoolfd, path, hex, err) < 0 || (name && add_tag(img, name, err) < 0))
		return -1;
	json_array_foreach(layers, i, d) {
		type = json_string_value(json_object_get(d, "mediaType"));
		if (parse_digest(d, hex, path, err) < 0)
			return -1;
		if (!IS_ONE_OF(type, layer_types))
			return dd_fail(err, 0, "layer '%s' has the unsupported media type '%s' "
				       "(drydock unpacks tar, tar+gzip and tar+zstd layers)", path,
				       type ? type : "(none)");
		if (add_layer(plan, img, spoolfd, path, hex, err) < 0)
			return -1;
	}
	return 0;
}

/* Follow one descriptor of an index: to a manifest, or to an index, of
 * which the manifest for this machine is taken. */
static int read_descriptor(struct dd_load_plan *plan, int spoolfd, json_t *desc,
			   const char *name, int depth, struct dd_error *err)
{
	const char *type = json_string_value(json_object_get(desc, "mediaType"));
	char hex[65], got[65], path[PATH_MAX];
	json_auto_t *j = NULL;
	json_t *m;
	size_t i;

	if (!name)
		name = name_of(desc);
	if (parse_digest(desc, hex, path, err) < 0)
		return -1;
	if (IS_ONE_OF(type, manifest_types))
		return read_json(spoolfd, path, hex, &j, got, err) < 0 ? -1 :
		       read_oci_manifest(plan, spoolfd, j, name, err);
	if (!IS_ONE_OF(type, index_types))
		return dd_fail(err, 0, "'%s' has the unsupported media type '%s'", path,
			       type ? type : "(none)");
	if (depth >= DD_LOAD_MAX_NESTING)
		return dd_fail(err, 0, "indexes nested more than %d deep", DD_LOAD_MAX_NESTING);
	if (read_json(spoolfd, path, hex, &j, got, err) < 0)
		return -1;
	json_array_foreach(json_object_get(j, "manifests"), i, m)
		if (for_this_host(m))
			return read_descriptor(plan, spoolfd, m, name, depth + 1, err);
	return dd_fail(err, 0, "the index '%s' has no image for linux/%s", path, host_arch());
}

static int read_oci_layout(struct dd_load_plan *plan, int spoolfd, json_t *index,
			   struct dd_error *err)
{
	json_auto_t *layout = NULL;
	json_t *m, *manifests = json_object_get(index, "manifests");
	char hex[65];
	size_t i;

	if (read_json(spoolfd, "oci-layout", "", &layout, hex, err) < 0)
		return dd_error_wrap(err, "index.json without an oci-layout file");
	if (!json_is_string(json_object_get(layout, "imageLayoutVersion")))
		return dd_fail(err, 0, "oci-layout has no imageLayoutVersion");
	if (!json_is_array(manifests) || json_array_size(manifests) == 0)
		return dd_fail(err, 0, "index.json lists no manifests");
	/* Every image the archive names; per platform only inside an index. */
	json_array_foreach(manifests, i, m)
		if (read_descriptor(plan, spoolfd, m, NULL, 0, err) < 0)
			return dd_error_wrap(err, "In index.json, manifest %zu", i + 1);
	return 0;
}

/* One diff_id per layer the manifest lists, as `docker load` wants. */
static int check_counts(const struct dd_load_plan *plan, struct dd_error *err)
{
	for (size_t i = 0; i < plan->nimages; i++) {
		const struct dd_load_image *img = &plan->images[i];

		if (img->ndiff_ids != img->nlayers)
			return dd_fail(err, 0, "The config of image %.12s lists %zu diff_ids for the "
				       "%zu layers of its manifest", img->id, img->ndiff_ids,
				       img->nlayers);
	}
	return 0;
}

int dd_load_plan_read(int spoolfd, struct dd_load_plan *plan, struct dd_error *err)
{
	json_auto_t *j = NULL;
	char hex[65];
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (read_json(spoolfd, "manifest.json", "", &j, hex, err) == 0) {
		rc = read_docker_save(plan, spoolfd, j, err);
	} else if (err->errnum != ENOENT) {
		return -1;
	} else if (read_json(spoolfd, "index.json", "", &j, hex, err) == 0) {
		rc = read_oci_layout(plan, spoolfd, j, err);
	} else if (err->errnum != ENOENT) {
		return -1;
	} else {
		return dd_fail(err, 0, "the archive has neither manifest.json (docker save) nor "
			       "index.json (OCI image layout): not an image archive");
	}
	return rc < 0 ? -1 : check_counts(plan, err);
}

void dd_load_plan_free(struct dd_load_plan *plan)
{
	for (size_t i = 0; i < plan->nimages; i++) {
		dd_strv_free(plan->images[i].tags);
		free(plan->images[i].layers);
		free(plan->images[i].diff_ids);
		json_decref(plan->images[i].config);
	}
	for (size_t i = 0; i < plan->nlayers; i++) {
		free(plan->layers[i].path);
		free(plan->layers[i].dir);
	}
	free(plan->images);
	free(plan->layers);
	memset(plan, 0, sizeof(*plan));
}
