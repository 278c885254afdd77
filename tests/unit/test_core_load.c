/* test_core_load.c: `drydock load`: docker save and OCI image layout
 * archives, whiteouts, shared layers, digests and diff_ids, all-or-nothing
 * loads.  Every config the tests write lists the real diff_ids of its
 * layers, so a load that passes has passed the check. */
#include "tartest.h"

#include <dirent.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/xattr.h>

#include "core/base/config.h"
#include "core/image/image.h"
#include "core/base/sha256.h"

#define MAX_BLOBS 16

struct ctx {
	char *work; /* the test's directory under /tmp: archives, and... */
	char *root; /* ...the state root, work/root */
	unsigned made; /* layer files written, for unique names */
	struct dd_error err;
};

/* One member of an outer archive, its bytes in memory. */
struct blob {
	char name[160];
	char *data;
	size_t len;
	char diff[65]; /* a layer's: the sha256 of its tar, uncompressed */
};

/* Removing work removes the root with it, also after a failed test (the
 * group's tu_cleanup). */
static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->work = tu_mkdtemp();
	c->root = dd_strdup_printf("%s/root", c->work);
	assert_non_null(c->root);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	tu_rmdir(c->work);
	free(c->root);
	free(c);
	return 0;
}

/* --- building archives ----------------------------------------------------- */

static void hex_of(const struct blob *b, char hex[65])
{
	struct dd_sha256 s;

	dd_sha256_init(&s);
	dd_sha256_update(&s, b->data, b->len);
	dd_sha256_hex(&s, hex);
}

/* A layer: the entries as a tar through filter, read back into memory.
 * The tar is written again uncompressed for its diff_id (tt_write_archive
 * writes the same bytes for the same entries). */
static void make_layer(struct ctx *c, const struct tt_entry *e, size_t n, int filter,
		       struct blob *out)
{
	char path[2048];
	struct blob plain = { 0 };

	snprintf(path, sizeof(path), "%s/layer-%u.tar", c->work, c->made++);
	tt_write_archive(path, e, n, ARCHIVE_FILTER_NONE);
	assert_int_equal(dd_read_file(path, &plain.data, &plain.len, &c->err), 0);
	memset(out, 0, sizeof(*out));
	hex_of(&plain, out->diff);
	free(plain.data);
	tt_write_archive(path, e, n, filter);
	assert_int_equal(dd_read_file(path, &out->data, &out->len, &c->err), 0);
}

/* "sha256:<diff>" of each layer, as JSON list items. */
static void diff_list(const struct blob *layers, size_t n, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s\"sha256:%s\"", i ? "," : "",
			 layers[i].diff);
}

static void text_blob(struct blob *b, const char *name, const char *text)
{
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->data = strdup(text);
	assert_non_null(b->data);
	b->len = strlen(text);
}

/* The archive at path holds the blobs under their names, in order. */
static void write_outer(const char *path, const struct blob *b, size_t n, int filter)
{
	struct tt_entry e[MAX_BLOBS] = { 0 };

	assert_true(n <= MAX_BLOBS);
	for (size_t i = 0; i < n; i++)
		e[i] = (struct tt_entry){ .name = b[i].name, .data = b[i].data, .size = b[i].len };
	tt_write_archive(path, e, n, filter);
}

/* A config: config_body inside "config", diff_ids (JSON list items) as
 * its rootfs. */
static void config_blob(struct blob *b, const char *config_body, const char *diff_ids)
{
	char text[16384];

	snprintf(text, sizeof(text), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{%s},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}", config_body, diff_ids);
	text_blob(b, "", text);
}

/* A docker save archive: the blobs as the caller named them, a config
 * with config_body inside "config", named "<id>.json" (Docker before 25)
 * or "blobs/sha256/<id>" (Docker 25 on), and manifest.json whose one
 * image lists layers (JSON list items) and is tagged repotags (JSON),
 * its config listing diff_ids (JSON list items); compressed with filter.
 * id gets the image's id, its config's sha256. */
static void save_archive(const char *path, const struct blob *blobs, size_t n,
			 const char *layers, const char *diff_ids, const char *repotags,
			 const char *config_body, bool blobs_layout, int filter, char id[65])
{
	struct blob all[MAX_BLOBS];
	char manifest[8192];

	assert_true(n + 2 <= MAX_BLOBS);
	memcpy(all, blobs, n * sizeof(*blobs));
	config_blob(&all[n], config_body, diff_ids);
	hex_of(&all[n], id);
	snprintf(all[n].name, sizeof(all[n].name), blobs_layout ? "blobs/sha256/%s" : "%s.json",
		 id);
	snprintf(manifest, sizeof(manifest), "[{\"Config\":\"%s\",\"RepoTags\":%s,\"Layers\":[%s]}]",
		 all[n].name, repotags, layers);
	text_blob(&all[n + 1], "manifest.json", manifest);
	write_outer(path, all, n + 2, filter);
	free(all[n].data);
	free(all[n + 1].data);
}

/* The same, of one image whose layers are the blobs, bottom first,
 * named as Docker names them: <dir>/layer.tar, or blobs/sha256/<hex>. */
static void docker_save(const char *path, const struct blob *layers, size_t n,
			const char *repotags, const char *config_body, bool blobs_layout,
			int filter, char id[65])
{
	struct blob named[MAX_BLOBS];
	char list[4096] = "", diffs[MAX_BLOBS * 80], hex[65];

	assert_true(n <= MAX_BLOBS);
	for (size_t i = 0; i < n; i++) {
		named[i] = layers[i];
		hex_of(&layers[i], hex);
		snprintf(named[i].name, sizeof(named[i].name),
			 blobs_layout ? "blobs/sha256/%s" : "%.12s/layer.tar", hex);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
			 i ? "," : "", named[i].name);
	}
	diff_list(layers, n, diffs, sizeof(diffs));
	save_archive(path, named, n, list, diffs, repotags, config_body, blobs_layout, filter, id);
}

/* A layer of one file, name, holding random text; returns the text. */
static char *one_file_layer(struct ctx *c, const char *name, struct blob *out)
{
	char *text = tt_random_text(tu_random(10, 3000));
	struct tt_entry e[] = { { .name = name, .data = text } };

	make_layer(c, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE, out);
	return text;
}

/* --- looking at the store ---------------------------------------------------- */

/* Entries of root/sub, dotfiles aside; in images/, the images alone. */
static int entries(const struct ctx *c, const char *sub)
{
	char path[2048];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", c->root, sub);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' && (strcmp(sub, "images") || strlen(de->d_name) == 64);
	closedir(d);
	return n;
}

/* A failed load leaves nothing: no image, no layer, nothing in tmp/. */
static void assert_nothing_left(const struct ctx *c)
{
	assert_int_equal(entries(c, "images"), 0);
	assert_int_equal(entries(c, "layers"), 0);
	assert_int_equal(entries(c, "tmp"), 0);
}

static char *file_text(const char *dir, const char *name)
{
	char path[4096], *text = NULL;
	struct dd_error err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (dd_read_file(path, &text, NULL, &err) < 0)
		return NULL;
	return text;
}

static void load_ok(struct ctx *c, const char *path, struct dd_image_loaded *out)
{
	if (dd_image_load(c->root, path, out, &c->err) < 0)
		fail_msg("load of %s failed: %s", path, c->err.msg);
}

static void load_fails(struct ctx *c, const char *path, const char *reason)
{
	struct dd_image_loaded out;

	assert_int_equal(dd_image_load(c->root, path, &out, &c->err), -1);
	if (!strstr(c->err.msg, reason))
		fail_msg("expected the reason '%s', saw: %s", reason, c->err.msg);
	assert_int_equal(dd_error_exit_code(&c->err), DD_EXIT_ERROR);
	assert_null(out.tags);
	assert_null(out.ids);
}

/* --- docker save ------------------------------------------------------------- */

static void test_load_docker_save_turns_wh_members_into_whiteouts(void **state)
{
	struct ctx *c = *state;
	char *keep = tt_random_text(50), *old = tt_random_text(50), *added = tt_random_text(80);
	struct tt_entry lower[] = { { .name = "etc", .type = AE_IFDIR },
				    { .name = "etc/keep", .data = keep },
				    { .name = "etc/gone", .data = old },
				    { .name = "opt", .type = AE_IFDIR },
				    { .name = "opt/old", .data = old } };
	struct tt_entry upper[] = { { .name = "etc/.wh.gone", .data = "" },
				    { .name = "opt/.wh..wh..opq", .data = "" },
				    { .name = "opt/added", .data = added } };
	struct blob layers[2];
	char path[2048], tag[64], ref[80], tags[128], id[65], hex[65], v[8], *text;
	struct dd_image_loaded out;
	struct dd_image img;
	struct stat st;

	make_layer(c, lower, ARRAY_SIZE(lower), ARCHIVE_FILTER_NONE, &layers[0]);
	make_layer(c, upper, ARRAY_SIZE(upper), ARCHIVE_FILTER_NONE, &layers[1]);
	tt_random_name(tag, sizeof(tag), "v");
	snprintf(ref, sizeof(ref), "app:%s", tag);
	snprintf(tags, sizeof(tags), "[\"%s\"]", ref);
	snprintf(path, sizeof(path), "%s/save.tar", c->work);
	docker_save(path, layers, 2, tags, "\"Cmd\":[\"sh\"]", false, ARCHIVE_FILTER_NONE, id);
	load_ok(c, path, &out);
	assert_non_null(out.tags);
	assert_string_equal(out.tags[0], ref);
	assert_null(out.ids);
	dd_image_loaded_release(&out);

	assert_int_equal(dd_image_resolve(c->root, ref, &img, &c->err), 0);
	assert_string_equal(img.id, id);
	assert_null(img.rootfs);
	assert_int_equal(dd_strv_len(img.layers), 2);
	for (int i = 0; i < 2; i++) {
		hex_of(&layers[i], hex);
		assert_non_null(strstr(img.layers[i], hex)); /* the layer id is its sha256 */
	}
	/* ".wh.gone" became a 0/0 character device, ".wh..wh..opq" an xattr. */
	snprintf(path, sizeof(path), "%s/etc/gone", img.layers[1]);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	snprintf(path, sizeof(path), "%s/etc/.wh.gone", img.layers[1]);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/opt", img.layers[1]);
	assert_int_equal(getxattr(path, "trusted.overlay.opaque", v, sizeof(v)), 1);
	assert_int_equal(v[0], 'y');
	snprintf(path, sizeof(path), "%s/opt/.wh..wh..opq", img.layers[1]);
	assert_int_equal(access(path, F_OK), -1);
	text = file_text(img.layers[1], "opt/added");
	assert_non_null(text);
	assert_string_equal(text, added);
	free(text);
	text = file_text(img.layers[0], "etc/gone"); /* the lower layer is untouched */
	assert_non_null(text);
	assert_string_equal(text, old);
	free(text);
	assert_true(img.size >= (long long)(strlen(keep) + 2 * strlen(old) + strlen(added)));
	assert_int_equal(entries(c, "tmp"), 0);
	dd_image_release(&img);
	for (int i = 0; i < 2; i++)
		free(layers[i].data);
	free(keep), free(old), free(added);
}

static void test_load_shares_layers_and_rmi_removes_them_with_the_last_image(void **state)
{
	struct ctx *c = *state;
	struct blob base, a, b;
	char *tb = one_file_layer(c, "base", &base), *ta = one_file_layer(c, "a", &a);
	char *tbb = one_file_layer(c, "b", &b);
	char p1[2048], p2[2048], id1[65], id2[65], hex[65], dir[2048];
	struct dd_image_loaded out;
	struct dd_image one, two;

	snprintf(p1, sizeof(p1), "%s/one.tar", c->work);
	snprintf(p2, sizeof(p2), "%s/two.tar", c->work);
	docker_save(p1, (struct blob[]){ base, a }, 2, "[\"one:1\"]", "\"Env\":[\"N=1\"]", false,
		    ARCHIVE_FILTER_NONE, id1);
	/* The second in Docker 25's layout: the base's digest is known, and
	 * the layer the store has is only hashed. */
	docker_save(p2, (struct blob[]){ base, b }, 2, "[\"two:2\"]", "\"Env\":[\"N=2\"]", true,
		    ARCHIVE_FILTER_ZSTD, id2);
	load_ok(c, p1, &out);
	dd_image_loaded_release(&out);
	load_ok(c, p2, &out);
	dd_image_loaded_release(&out);
	assert_int_equal(entries(c, "images"), 2);
	assert_int_equal(entries(c, "layers"), 3); /* base once */
	assert_int_equal(dd_image_resolve(c->root, "one:1", &one, &c->err), 0);
	assert_int_equal(dd_image_resolve(c->root, "two:2", &two, &c->err), 0);
	assert_string_equal(one.layers[0], two.layers[0]);

	assert_int_equal(dd_image_remove(c->root, "one:1", &c->err), 0);
	assert_true(dd_is_dir(two.layers[0])); /* two still lists the base */
	assert_false(dd_is_dir(one.layers[1]));
	assert_int_equal(entries(c, "layers"), 2);
	assert_int_equal(dd_image_remove(c->root, "two:2", &c->err), 0);
	assert_nothing_left(c);
	hex_of(&base, hex);
	snprintf(dir, sizeof(dir), "%s/layers/%s", c->root, hex);
	assert_false(dd_is_dir(dir));
	dd_image_release(&one);
	dd_image_release(&two);
	free(base.data), free(a.data), free(b.data);
	free(tb), free(ta), free(tbb);
}

static void test_load_over_a_tag_moves_it_and_drops_the_old_layers(void **state)
{
	struct ctx *c = *state;
	struct blob l1, l2;
	char *t1 = one_file_layer(c, "x", &l1), *t2 = one_file_layer(c, "x", &l2);
	char p1[2048], p2[2048], id1[65], id2[65];
	struct dd_image_loaded out;
	struct dd_image img;

	snprintf(p1, sizeof(p1), "%s/1.tar", c->work);
	snprintf(p2, sizeof(p2), "%s/2.tar", c->work);
	docker_save(p1, &l1, 1, "[\"app:latest\"]", "", false, ARCHIVE_FILTER_NONE, id1);
	docker_save(p2, &l2, 1, "[\"app\"]", "\"User\":\"root\"", false, ARCHIVE_FILTER_XZ, id2);
	load_ok(c, p1, &out);
	dd_image_loaded_release(&out);
	load_ok(c, p2, &out);
	dd_image_loaded_release(&out);
	assert_int_equal(dd_image_resolve(c->root, "app", &img, &c->err), 0);
	assert_string_equal(img.id, id2);
	assert_int_equal(entries(c, "images"), 1); /* no tag left on the first */
	assert_int_equal(entries(c, "layers"), 1);
	dd_image_release(&img);
	free(l1.data), free(l2.data), free(t1), free(t2);
}

static void test_load_keeps_the_configs_env_cmd_and_workdir(void **state)
{
	struct ctx *c = *state;
	struct blob l;
	char *t = one_file_layer(c, "f", &l);
	char path[2048], body[1024], env[64], cmd[64], wd[64], id[65], meta[2048];
	struct dd_image_loaded out;
	struct dd_image img;
	json_t *j, *cfg;
	json_error_t jerr;

	tt_random_name(env, sizeof(env), "V=");
	tt_random_name(cmd, sizeof(cmd), "/bin/c");
	tt_random_name(wd, sizeof(wd), "/w");
	snprintf(body, sizeof(body), "\"Env\":[\"PATH=/bin\",\"%s\"],\"Cmd\":[\"%s\",\"-x\"],"
		 "\"WorkingDir\":\"%s\",\"Labels\":{\"k\":\"v\"},\"ExposedPorts\":{\"80/tcp\":{}}",
		 env, cmd, wd);
	snprintf(path, sizeof(path), "%s/save.tar", c->work);
	docker_save(path, &l, 1, "[\"cfg:1\"]", body, true, ARCHIVE_FILTER_NONE, id);
	load_ok(c, path, &out);
	dd_image_loaded_release(&out);
	assert_int_equal(dd_image_resolve(c->root, "cfg:1", &img, &c->err), 0);
	assert_string_equal(img.env[1], env);
	assert_string_equal(img.cmd[0], cmd);
	assert_string_equal(img.cmd[1], "-x");
	assert_string_equal(img.workdir, wd);
	assert_null(img.entrypoint);
	dd_image_release(&img);
	/* image.json keeps only the keys `run` applies. */
	snprintf(meta, sizeof(meta), "%s/images/%s/image.json", c->root, id);
	j = json_load_file(meta, 0, &jerr);
	assert_non_null(j);
	cfg = json_object_get(j, "config");
	assert_int_equal(json_object_size(cfg), 3);
	assert_string_equal(json_string_value(json_object_get(cfg, "WorkingDir")), wd);
	assert_null(json_object_get(cfg, "Labels"));
	assert_int_equal(json_array_size(json_object_get(j, "layers")), 1);
	json_decref(j);
	free(l.data), free(t);
}

static void test_load_lists_a_layer_the_manifest_repeats_once(void **state)
{
	struct ctx *c = *state;
	struct blob b[2];
	char *t1 = one_file_layer(c, "a", &b[0]), *t2 = one_file_layer(c, "b", &b[1]);
	char path[2048], l[65], m[65], id[65], list[512], diffs[512];
	struct dd_image_loaded out;
	struct dd_image img;

	/* Docker 25's layout names each blob once, however often it is used. */
	hex_of(&b[0], l);
	hex_of(&b[1], m);
	snprintf(b[0].name, sizeof(b[0].name), "blobs/sha256/%s", l);
	snprintf(b[1].name, sizeof(b[1].name), "blobs/sha256/%s", m);
	snprintf(list, sizeof(list), "\"%s\",\"%s\",\"%s\"", b[0].name, b[1].name, b[0].name);
	snprintf(path, sizeof(path), "%s/rep.tar", c->work);
	diff_list((struct blob[]){ b[0], b[1], b[0] }, 3, diffs, sizeof(diffs));
	save_archive(path, b, 2, list, diffs, "[\"rep:1\"]", "", true, ARCHIVE_FILTER_NONE, id);
	load_ok(c, path, &out);
	dd_image_loaded_release(&out);
	/* overlayfs refuses a directory twice; the top-most copy is kept. */
	assert_int_equal(dd_image_resolve(c->root, "rep:1", &img, &c->err), 0);
	assert_int_equal(dd_strv_len(img.layers), 2);
	assert_non_null(strstr(img.layers[0], m));
	assert_non_null(strstr(img.layers[1], l));
	dd_image_release(&img);
	free(b[0].data), free(b[1].data), free(t1), free(t2);
}

static void test_load_without_a_name_makes_an_untagged_image(void **state)
{
	struct ctx *c = *state;
	struct blob l;
	char *t = one_file_layer(c, "f", &l);
	char path[2048], id[65];
	struct dd_image_loaded out;
	struct dd_image *list;
	size_t n;

	snprintf(path, sizeof(path), "%s/save.tar.gz", c->work);
	docker_save(path, &l, 1, "null", "", false, ARCHIVE_FILTER_GZIP, id);
	load_ok(c, path, &out);
	assert_null(out.tags);
	assert_non_null(out.ids);
	assert_string_equal(out.ids[0], id);
	dd_image_loaded_release(&out);
	assert_int_equal(dd_image_list(c->root, &list, &n, &c->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "<none>");
	assert_string_equal(list[0].id, id);
	dd_image_list_free(list, n);
	assert_int_equal(dd_image_remove(c->root, id, &c->err), 0);
	assert_nothing_left(c);
	free(l.data), free(t);
}

/* --- refusals ------------------------------------------------------------------ */

static void test_load_refuses_a_layer_that_does_not_match_its_digest(void **state)
{
	struct ctx *c = *state;
	struct blob good, other;
	char *t1 = one_file_layer(c, "f", &good), *t2 = one_file_layer(c, "f", &other);
	char path[2048], hex[65], list[256], diffs[256], id[65];

	/* The blob is named for another layer's digest. */
	hex_of(&other, hex);
	snprintf(good.name, sizeof(good.name), "blobs/sha256/%s", hex);
	snprintf(list, sizeof(list), "\"%s\"", good.name);
	snprintf(path, sizeof(path), "%s/bad.tar", c->work);
	diff_list(&good, 1, diffs, sizeof(diffs));
	save_archive(path, &good, 1, list, diffs, "[\"bad:1\"]", "", false, ARCHIVE_FILTER_NONE, id);
	load_fails(c, path, "does not match its digest");
	assert_non_null(strstr(c->err.msg, good.name));
	assert_nothing_left(c);
	free(good.data), free(other.data), free(t1), free(t2);
}

/* docker save before 25 names a layer "<dir>/layer.tar", which promises
 * no digest: only the config's diff_ids vouch for what it holds. */
static void test_load_refuses_a_layer_that_does_not_match_the_configs_diff_id(void **state)
{
	struct ctx *c = *state;
	struct blob good, other;
	char *t1 = one_file_layer(c, "f", &good), *t2 = one_file_layer(c, "f", &other);
	char path[2048], diffs[256], id[65], reason[160];

	snprintf(good.name, sizeof(good.name), "l1/layer.tar");
	diff_list(&other, 1, diffs, sizeof(diffs));
	snprintf(path, sizeof(path), "%s/swapped.tar", c->work);
	save_archive(path, &good, 1, "\"l1/layer.tar\"", diffs, "[\"swap:1\"]", "", false,
		     ARCHIVE_FILTER_NONE, id);
	snprintf(reason, sizeof(reason), "rootfs.diff_ids[0] sha256:%s", other.diff);
	load_fails(c, path, reason);
	assert_non_null(strstr(c->err.msg, "l1/layer.tar"));
	assert_non_null(strstr(c->err.msg, good.diff)); /* what it holds */
	assert_nothing_left(c);
	free(good.data), free(other.data), free(t1), free(t2);
}

/* A diff_id is the sha256 of the tar, not of the compressed blob. */
static void test_load_compares_the_diff_id_with_the_uncompressed_layer(void **state)
{
	struct ctx *c = *state;
	char *text = tt_random_text(tu_random(100, 3000));
	struct tt_entry e[] = { { .name = "data", .data = text } };
	char path[2048], id[65], reason[160];
	struct blob layer, claimed;

	make_layer(c, e, ARRAY_SIZE(e), ARCHIVE_FILTER_GZIP, &layer);
	claimed = layer;
	hex_of(&layer, claimed.diff);
	snprintf(path, sizeof(path), "%s/gz.tar", c->work);
	docker_save(path, &claimed, 1, "[\"gz:1\"]", "", true, ARCHIVE_FILTER_NONE, id);
	snprintf(reason, sizeof(reason), "its uncompressed sha256 is %s", layer.diff);
	load_fails(c, path, reason);
	assert_nothing_left(c);
	free(text), free(layer.data);
}

static void test_load_refuses_a_config_with_a_diff_id_per_layer_missing(void **state)
{
	struct ctx *c = *state;
	struct blob b[2];
	char *t1 = one_file_layer(c, "a", &b[0]), *t2 = one_file_layer(c, "b", &b[1]);
	char path[2048], id[65], diffs[256];

	snprintf(b[0].name, sizeof(b[0].name), "a/layer.tar");
	snprintf(b[1].name, sizeof(b[1].name), "b/layer.tar");
	diff_list(&b[0], 1, diffs, sizeof(diffs));
	snprintf(path, sizeof(path), "%s/short.tar", c->work);
	save_archive(path, b, 2, "\"a/layer.tar\",\"b/layer.tar\"", diffs, "[\"short:1\"]", "",
		     false, ARCHIVE_FILTER_NONE, id);
	load_fails(c, path, "lists 1 diff_ids for the 2 layers");
	assert_nothing_left(c);
	/* ...and a diff_id that is not a sha256 at all. */
	save_archive(path, b, 2, "\"a/layer.tar\",\"b/layer.tar\"", "\"md5:0a\",\"md5:0b\"",
		     "[\"short:1\"]", "", false, ARCHIVE_FILTER_NONE, id);
	load_fails(c, path, "not sha256:<64 hex digits>: md5:0a");
	assert_nothing_left(c);
	free(b[0].data), free(b[1].data), free(t1), free(t2);
}

/* A docker save archive (before Docker 25) of one layer, "l/layer.tar",
 * and the config text, named "<its sha256>.json"; tamper changes one
 * byte of the config after it was named.  Fails the load with reason,
 * which must name the config. */
static void load_with_config(struct ctx *c, const char *config, bool tamper, const char *reason)
{
	struct blob b[3];
	char *t = one_file_layer(c, "f", &b[0]);
	char path[2048], id[65], manifest[512];

	snprintf(b[0].name, sizeof(b[0].name), "l/layer.tar");
	text_blob(&b[1], "", config);
	hex_of(&b[1], id);
	snprintf(b[1].name, sizeof(b[1].name), "%s.json", id);
	if (tamper)
		b[1].data[b[1].len - 1] = ' '; /* the closing brace */
	snprintf(manifest, sizeof(manifest), "[{\"Config\":\"%s\",\"RepoTags\":[\"cfg:1\"],"
		 "\"Layers\":[\"l/layer.tar\"]}]", b[1].name);
	text_blob(&b[2], "manifest.json", manifest);
	snprintf(path, sizeof(path), "%s/config.tar", c->work);
	write_outer(path, b, 3, ARCHIVE_FILTER_NONE);
	load_fails(c, path, reason);
	assert_non_null(strstr(c->err.msg, b[1].name));
	assert_nothing_left(c);
	free(b[0].data), free(b[1].data), free(b[2].data), free(t);
}

static void test_load_refuses_a_config_without_rootfs_diff_ids(void **state)
{
	load_with_config(*state, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{}}",
			 false, "has no rootfs of type \"layers\" with a list of diff_ids");
}

/* The config's name, "<sha256>.json", is the image's id: its bytes must
 * hash to it. */
static void test_load_refuses_a_config_that_does_not_match_its_name(void **state)
{
	load_with_config(*state, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
			 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", true,
			 "does not match its digest sha256:");
}


static void test_load_refuses_a_layer_the_archive_lacks(void **state)
{
	struct ctx *c = *state;
	struct blob l;
	char *t = one_file_layer(c, "f", &l);
	char path[2048], missing[64], list[256], diffs[256], id[65];

	snprintf(l.name, sizeof(l.name), "l1/layer.tar");
	tt_random_name(missing, sizeof(missing), "gone");
	strcat(missing, "/layer.tar");
	snprintf(list, sizeof(list), "\"l1/layer.tar\",\"%s\"", missing);
	snprintf(path, sizeof(path), "%s/missing.tar", c->work);
	diff_list((struct blob[]){ l, l }, 2, diffs, sizeof(diffs));
	save_archive(path, &l, 1, list, diffs, "[\"m:1\"]", "", false, ARCHIVE_FILTER_NONE, id);
	load_fails(c, path, missing);
	assert_non_null(strstr(c->err.msg, "the archive lacks layer"));
	assert_nothing_left(c);
	free(l.data), free(t);
}

static void test_load_refuses_an_archive_without_a_manifest(void **state)
{
	struct ctx *c = *state;
	char path[2048], *text = tt_random_text(100);
	struct tt_entry e[] = { { .name = "etc", .type = AE_IFDIR },
				{ .name = "etc/data", .data = text } };

	snprintf(path, sizeof(path), "%s/rootfs.tar", c->work);
	tt_write_archive(path, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE);
	load_fails(c, path, "manifest.json");
	assert_nothing_left(c);
	/* Nor is any other file an archive. */
	snprintf(path, sizeof(path), "%s/rootfs.tar", c->work);
	assert_int_equal(truncate(path, 0), 0);
	load_fails(c, path, "Not a tar archive");
	assert_nothing_left(c);
	free(text);
}

static void test_load_refuses_a_member_named_with_dotdot(void **state)
{
	struct ctx *c = *state;
	char path[2048], escape[64], outside[128];
	struct tt_entry e[] = {
		{ .name = "manifest.json", .data = "[]" },
		{ .name = outside, .data = "x" },
	};

	/* From <root>/tmp/load-XXXXXX/archive, "../../" is <root>/tmp. */
	tt_random_name(escape, sizeof(escape), "escape");
	snprintf(outside, sizeof(outside), "../../%s", escape);
	snprintf(path, sizeof(path), "%s/evil.tar", c->work);
	tt_write_archive(path, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE);
	load_fails(c, path, "'..'");
	assert_non_null(strstr(c->err.msg, outside));
	assert_nothing_left(c);
}

static void test_load_refuses_absolute_names_hard_links_and_devices(void **state)
{
	struct ctx *c = *state;
	const struct {
		struct tt_entry member;
		const char *reason;
	} hostile[] = {
		{ { .name = "/etc/passwd", .data = "x" }, "absolute" },
		{ { .name = "blobs/dev", .type = AE_IFCHR, .rdev_major = 1, .rdev_minor = 3 },
		  "a device node" },
		{ { .name = "index.json", .hardlink = "oci-layout" }, "a hard link" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		struct tt_entry e[] = { { .name = "oci-layout", .data = "{}" }, hostile[i].member };
		char path[2048];

		snprintf(path, sizeof(path), "%s/hostile-%zu.tar", c->work, i);
		tt_write_archive(path, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE);
		load_fails(c, path, hostile[i].reason);
		assert_non_null(strstr(c->err.msg, hostile[i].member.name));
		assert_nothing_left(c);
	}
}

/* Docker before 25, podman and skopeo store a layer two images share once
 * and make the second name a symlink; a symlink is followed only inside
 * the archive, so one that points out finds nothing. */
static void test_load_follows_symlinked_layers_only_inside_the_archive(void **state)
{
	struct ctx *c = *state;
	struct blob layer, cfg;
	char hex[65], id[65], manifest[1024], path[2048], name[64], diffs[128];
	struct dd_image_loaded out;
	char *text;
	const char *targets[] = { "../../../../../../etc/passwd", "/etc/passwd" };

	snprintf(name, sizeof(name), "f%u", tu_random(1, 1u << 30));
	text = one_file_layer(c, name, &layer);
	hex_of(&layer, hex);
	diff_list(&layer, 1, diffs, sizeof(diffs));
	config_blob(&cfg, "\"Cmd\":[\"true\"]", diffs);
	hex_of(&cfg, id);
	snprintf(manifest, sizeof(manifest),
		 "[{\"Config\":\"%s.json\",\"RepoTags\":[\"linked:1\"],\"Layers\":"
		 "[\"second/layer.tar\"]}]", id);
	{
		char first[128], cfgname[128];
		struct tt_entry e[] = {
			{ .name = first, .data = layer.data, .size = layer.len },
			{ .name = "second/layer.tar", .type = AE_IFLNK,
			  .symlink = "../first/layer.tar" },
			{ .name = cfgname, .data = cfg.data, .size = cfg.len },
			{ .name = "manifest.json", .data = manifest },
		};

		snprintf(first, sizeof(first), "first/layer.tar");
		snprintf(cfgname, sizeof(cfgname), "%s.json", id);
		snprintf(path, sizeof(path), "%s/linked.tar", c->work);
		tt_write_archive(path, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE);
		load_ok(c, path, &out);
		dd_image_loaded_release(&out);
		snprintf(path, sizeof(path), "%s/layers/%s", c->root, hex);
		{
			char *seen = file_text(path, name);

			assert_string_equal(seen, text);
			free(seen);
		}

		for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
			e[1].symlink = targets[i];
			snprintf(path, sizeof(path), "%s/out-%zu.tar", c->work, i);
			tt_write_archive(path, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE);
			load_fails(c, path, "second/layer.tar");
			assert_null(strstr(c->err.msg, "root:"));
		}
	}
	free(text);
	free(layer.data);
	free(cfg.data);
}

/* --- OCI image layout --------------------------------------------------------- */

/* The platform this machine's images are for, in Go's names. */
static const char *go_arch(void)
{
	static struct utsname u;

	assert_int_equal(uname(&u), 0);
	return !strcmp(u.machine, "x86_64") ? "amd64" : !strcmp(u.machine, "aarch64") ? "arm64"
										    : u.machine;
}

/* b becomes the JSON text, named by its digest as OCI blobs are. */
static void json_blob(struct blob *b, const char *text, char hex[65])
{
	text_blob(b, "", text);
	hex_of(b, hex);
	snprintf(b->name, sizeof(b->name), "blobs/sha256/%s", hex);
}

/* An OCI layout archive of one image with one layer of layer_type.  The
 * index names it ref (org.opencontainers.image.ref.name), or with nested,
 * points at an index of one manifest per platform, named by containerd's
 * annotation in Docker's long form, "docker.io/library/" ref. */
static void oci_layout(const char *path, struct blob *layer, const char *layer_type,
		       const char *ref, bool nested, bool tampered, char id[65])
{
	struct blob all[6];
	char lhex[65], mhex[65], ihex[65], text[4096], diffs[128];
	const char *manifest_type = "application/vnd.oci.image.manifest.v1+json";
	const char *missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	size_t n = 5;

	all[0] = *layer;
	hex_of(layer, lhex);
	snprintf(all[0].name, sizeof(all[0].name), "blobs/sha256/%s", lhex);
	diff_list(layer, 1, diffs, sizeof(diffs));
	config_blob(&all[1], "\"Cmd\":[\"true\"]", diffs);
	hex_of(&all[1], id);
	snprintf(all[1].name, sizeof(all[1].name), "blobs/sha256/%s", id);
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":"
		 "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
		 "\"sha256:%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"%s\",\"digest\":"
		 "\"sha256:%s\",\"size\":%zu}]}", manifest_type, id, all[1].len, layer_type, lhex,
		 layer->len);
	json_blob(&all[2], text, mhex);
	if (tampered) /* named for its digest, then changed by one byte */
		strstr(all[2].data, "\"schemaVersion\":2")[16] = '3';
	if (nested) {
		/* Only this machine's manifest is in the archive, as after a
		 * `docker save` of one platform: another one would fail. */
		snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"manifests\":["
			 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":1,\"platform\":"
			 "{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
			 "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":1,\"platform\":"
			 "{\"architecture\":\"%s\",\"os\":\"windows\"}},"
			 "{\"mediaType\":\"%s\",\"digest\":\"sha256:%s\",\"size\":%zu,\"platform\":"
			 "{\"architecture\":\"%s\",\"os\":\"linux\"}}]}", manifest_type, missing,
			 manifest_type, missing, go_arch(), manifest_type, mhex, all[2].len, go_arch());
		json_blob(&all[n++], text, ihex);
		snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
			 "\"application/vnd.oci.image.index.v1+json\",\"digest\":\"sha256:%s\","
			 "\"size\":%zu,\"annotations\":{\"io.containerd.image.name\":"
			 "\"docker.io/library/%s\",\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
			 ihex, all[5].len, ref);
	} else {
		snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
			 "\"%s\",\"digest\":\"sha256:%s\",\"size\":%zu,\"annotations\":"
			 "{\"org.opencontainers.image.ref.name\":\"%s\"}}]}", manifest_type, mhex,
			 all[2].len, ref);
	}
	text_blob(&all[3], "index.json", text);
	text_blob(&all[4], "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	write_outer(path, all, n, ARCHIVE_FILTER_NONE);
	for (size_t i = 1; i < n; i++)
		free(all[i].data);
}

static void test_load_oci_layout_with_a_gzip_layer_and_its_tag(void **state)
{
	struct ctx *c = *state;
	char *text = tt_random_text(tu_random(100, 5000));
	struct tt_entry e[] = { { .name = "srv", .type = AE_IFDIR },
				{ .name = "srv/data", .data = text } };
	char path[2048], ref[80], name[40], id[65], hex[65], *got;
	struct dd_image_loaded out;
	struct blob layer;
	struct dd_image img;

	make_layer(c, e, ARRAY_SIZE(e), ARCHIVE_FILTER_GZIP, &layer);
	tt_random_name(name, sizeof(name), "oci");
	snprintf(ref, sizeof(ref), "%s:%u", name, tu_random(1, 99));
	snprintf(path, sizeof(path), "%s/oci.tar", c->work);
	oci_layout(path, &layer, "application/vnd.oci.image.layer.v1.tar+gzip", ref, false, false, id);
	load_ok(c, path, &out);
	assert_non_null(out.tags);
	assert_string_equal(out.tags[0], ref);
	dd_image_loaded_release(&out);
	assert_int_equal(dd_image_resolve(c->root, ref, &img, &c->err), 0);
	assert_string_equal(img.id, id);
	hex_of(&layer, hex); /* the blob's digest, compressed as it is */
	assert_non_null(strstr(img.layers[0], hex));
	got = file_text(img.layers[0], "srv/data");
	assert_non_null(got);
	assert_string_equal(got, text);
	assert_string_equal(img.cmd[0], "true");
	assert_int_equal(entries(c, "tmp"), 0);
	dd_image_release(&img);
	free(got), free(text), free(layer.data);
}

static void test_load_oci_index_takes_the_manifest_for_this_machine(void **state)
{
	struct ctx *c = *state;
	char *text = tt_random_text(tu_random(100, 2000));
	struct tt_entry e[] = { { .name = "data", .data = text } };
	char path[2048], ref[80], id[65];
	struct dd_image_loaded out;
	struct blob layer;
	struct dd_image img;

	make_layer(c, e, ARRAY_SIZE(e), ARCHIVE_FILTER_ZSTD, &layer);
	tt_random_name(ref, sizeof(ref), "multi");
	strcat(ref, ":1.0");
	snprintf(path, sizeof(path), "%s/oci.tar", c->work);
	oci_layout(path, &layer, "application/vnd.oci.image.layer.v1.tar+zstd", ref, true, false, id);
	load_ok(c, path, &out);
	assert_non_null(out.tags);
	assert_string_equal(out.tags[0], ref); /* without "docker.io/library/" */
	dd_image_loaded_release(&out);
	assert_int_equal(dd_image_resolve(c->root, ref, &img, &c->err), 0);
	assert_string_equal(img.id, id);
	dd_image_release(&img);
	free(text), free(layer.data);
}

static void test_load_refuses_an_unsupported_layer_media_type(void **state)
{
	struct ctx *c = *state;
	struct blob l;
	char *t = one_file_layer(c, "f", &l);
	char path[2048], id[65];

	snprintf(path, sizeof(path), "%s/oci.tar", c->work);
	oci_layout(path, &l, "application/vnd.oci.image.layer.v1.tar+bzip2", "u:1", false, false, id);
	load_fails(c, path, "application/vnd.oci.image.layer.v1.tar+bzip2");
	assert_nothing_left(c);
	free(l.data), free(t);
}

static void test_load_refuses_an_oci_manifest_that_does_not_match_its_digest(void **state)
{
	struct ctx *c = *state;
	struct blob l;
	char *t = one_file_layer(c, "f", &l);
	char path[2048], id[65];

	snprintf(path, sizeof(path), "%s/oci.tar", c->work);
	oci_layout(path, &l, "application/vnd.oci.image.layer.v1.tar", "m:1", false, true, id);
	load_fails(c, path, "does not match its digest sha256:");
	assert_non_null(strstr(c->err.msg, "blobs/sha256/"));
	assert_nothing_left(c);
	free(l.data), free(t);
}

static bool spooling(const struct ctx *c)
{
	char pattern[2048];
	glob_t g;
	bool found;

	snprintf(pattern, sizeof(pattern), "%s/tmp/load-*/archive/*", c->root);
	found = glob(pattern, 0, NULL, &g) == 0;
	globfree(&g);
	return found;
}

/* --- signals ----------------------------------------------------------------------- */

/* A child loads from a pipe we keep open, so it is stuck half-way. */
static pid_t start_stuck_load(struct ctx *c, int *wfd)
{
	char *big = tt_random_text(400000), path[2048], id[65], *data;
	struct tt_entry e[] = { { .name = "big", .data = big } };
	struct blob l;
	size_t len;
	int p[2];
	pid_t pid;

	make_layer(c, e, 1, ARCHIVE_FILTER_NONE, &l);
	snprintf(path, sizeof(path), "%s/save.tar", c->work);
	docker_save(path, &l, 1, "[\"slow:1\"]", "", false, ARCHIVE_FILTER_NONE, id);
	assert_int_equal(dd_read_file(path, &data, &len, &c->err), 0);
	free(l.data), free(big);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dd_image_loaded out;
		struct dd_error err = { 0 };

		close(p[1]);
		dup2(p[0], STDIN_FILENO);
		if (dd_image_load(c->root, "-", &out, &err) == 0)
			_exit(0);
		_exit(strstr(err.msg, "interrupted") ? 3 : 4);
	}
	close(p[0]);
	assert_int_equal(write(p[1], data, len / 2), (ssize_t)(len / 2));
	free(data);
	*wfd = p[1];
	/* Wait until the load is under way: it is spooling the archive. */
	for (int i = 0; i < 1000 && !spooling(c); i++)
		usleep(10000);
	if (spooling(c))
		return pid;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[1]);
	fail_msg("The load never started");
	return -1;
}

static void test_load_interrupted_by_sigterm_removes_its_work(void **state)
{
	struct ctx *c = *state;
	int wfd, status;
	pid_t pid = start_stuck_load(c, &wfd);

	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(wfd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3); /* failed, saying it was interrupted */
	assert_nothing_left(c);
}

static void test_load_killed_is_cleaned_up_by_the_next_command(void **state)
{
	struct ctx *c = *state;
	struct dd_image *list;
	size_t n;
	int wfd;
	pid_t pid = start_stuck_load(c, &wfd);

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(wfd);
	assert_int_equal(entries(c, "tmp"), 1); /* left behind */
	assert_int_equal(dd_image_list(c->root, &list, &n, &c->err), 0);
	assert_int_equal(n, 0);
	dd_image_list_free(list, n);
	assert_nothing_left(c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_load_docker_save_turns_wh_members_into_whiteouts),
		T(test_load_shares_layers_and_rmi_removes_them_with_the_last_image),
		T(test_load_over_a_tag_moves_it_and_drops_the_old_layers),
		T(test_load_keeps_the_configs_env_cmd_and_workdir),
		T(test_load_lists_a_layer_the_manifest_repeats_once),
		T(test_load_without_a_name_makes_an_untagged_image),
		T(test_load_refuses_a_layer_that_does_not_match_its_digest),
		T(test_load_refuses_a_layer_that_does_not_match_the_configs_diff_id),
		T(test_load_compares_the_diff_id_with_the_uncompressed_layer),
		T(test_load_refuses_a_config_with_a_diff_id_per_layer_missing),
		T(test_load_refuses_a_config_without_rootfs_diff_ids),
		T(test_load_refuses_a_config_that_does_not_match_its_name),
		T(test_load_refuses_a_layer_the_archive_lacks),
		T(test_load_refuses_an_archive_without_a_manifest),
		T(test_load_refuses_a_member_named_with_dotdot),
		T(test_load_refuses_absolute_names_hard_links_and_devices),
		T(test_load_follows_symlinked_layers_only_inside_the_archive),
		T(test_load_oci_layout_with_a_gzip_layer_and_its_tag),
		T(test_load_oci_index_takes_the_manifest_for_this_machine),
		T(test_load_refuses_an_unsupported_layer_media_type),
		T(test_load_refuses_an_oci_manifest_that_does_not_match_its_digest),
		T(test_load_interrupted_by_sigterm_removes_its_work),
		T(test_load_killed_is_cleaned_up_by_the_next_command),
	};

	return cmocka_run_group_tests_name("core image load", tests, NULL, tu_cleanup);
}
