/* test_core_image.c: the image store: ids, tags, all-or-nothing imports,
 * clean-up after imports that died, built-in images. */
#include "tartest.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>

#include "core/image/image.h"
#include "core/base/sha256.h"

struct ctx {
	char *root; /* the state root */
	char *work; /* archives */
	struct dd_error err;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->root = tu_mkdtemp();
	c->work = tu_mkdtemp();
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	tu_rmdir(c->root);
	tu_rmdir(c->work);
	free(c);
	return 0;
}

/* An archive with one file of random text; returns its path in buf. */
static char *make_archive(struct ctx *c, const char *name, size_t size, char *buf, size_t len)
{
	char *text = tt_random_text(size);
	struct tt_entry e[] = { { .name = "etc", .type = AE_IFDIR },
				{ .name = "etc/data", .data = text } };

	snprintf(buf, len, "%s/%s", c->work, name);
	tt_write_archive(buf, e, ARRAY_SIZE(e), ARCHIVE_FILTER_NONE);
	free(text);
	return buf;
}

/* Entries of root/sub whose name starts with prefix ("" for all but
 * dotfiles); in images/, only the images themselves (64-digit ids). */
static int count_entries(const char *root, const char *sub, const char *prefix)
{
	char path[2048];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' && !strncmp(de->d_name, prefix, strlen(prefix)) &&
		     (strcmp(sub, "images") || strlen(de->d_name) == 64);
	closedir(d);
	return n;
}

static void file_sha256(const char *path, char hex[DD_SHA256_HEX])
{
	char *data;
	size_t len;
	struct dd_error err;
	struct dd_sha256 s;

	assert_int_equal(dd_read_file(path, &data, &len, &err), 0);
	dd_sha256_init(&s);
	dd_sha256_update(&s, data, len);
	dd_sha256_hex(&s, hex);
	free(data);
}

static void test_image_id_is_the_archives_sha256(void **state)
{
	struct ctx *c = *state;
	char path[2048], hex[DD_SHA256_HEX], data[4096];
	struct dd_image img;
	struct stat sb;

	make_archive(c, "a.tar", tu_random(1, 5000), path, sizeof(path));
	assert_int_equal(dd_image_import(c->root, path, "demo:v1", &img, &c->err), 0);
	file_sha256(path, hex);
	assert_string_equal(img.id, hex);
	assert_string_equal(img.name, "demo");
	assert_string_equal(img.tag, "v1");
	snprintf(data, sizeof(data), "%s/etc/data", img.rootfs);
	assert_int_equal(stat(data, &sb), 0);
	assert_true(img.size >= sb.st_size);
	dd_image_release(&img);
	assert_int_equal(count_entries(c->root, "tmp", ""), 0);
}

static void test_image_import_of_corrupt_archive_leaves_the_store_empty(void **state)
{
	struct ctx *c = *state;
	char path[2048];
	struct stat sb;

	make_archive(c, "cut.tar", 100000, path, sizeof(path));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(truncate(path, sb.st_size / 2), 0);
	assert_int_equal(dd_image_import(c->root, path, "broken", NULL, &c->err), -1);
	assert_int_equal(count_entries(c->root, "images", ""), 0);
	assert_int_equal(count_entries(c->root, "tmp", ""), 0);
}

/* A child imports from a pipe we keep open, so it is stuck half-way. */
static pid_t start_stuck_import(struct ctx *c, int *wfd)
{
	char path[2048], *data;
	size_t len;
	int p[2];
	pid_t pid;

	make_archive(c, "big.tar", 300000, path, sizeof(path));
	assert_int_equal(dd_read_file(path, &data, &len, &c->err), 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dd_error err = { 0 };
		int rc;

		close(p[1]);
		dup2(p[0], STDIN_FILENO);
		rc = dd_image_import(c->root, "-", "stuck", NULL, &err);
		_exit(rc == 0 ? 0 : strstr(err.msg, "interrupted") ? 3 : 4);
	}
	close(p[0]);
	assert_int_equal(write(p[1], data, len / 2), (ssize_t)(len / 2));
	free(data);
	*wfd = p[1];
	/* Wait until the import is under way: its file exists in tmp/. */
	for (int i = 0; i < 1000; i++) {
		char probe[2048];
		DIR *d;
		struct dirent *de;
		bool found = false;

		snprintf(probe, sizeof(probe), "%s/tmp", c->root);
		d = opendir(probe);
		while (d && (de = readdir(d))) {
			snprintf(probe, sizeof(probe), "%s/tmp/%s/rootfs/etc/data", c->root,
				 de->d_name);
			found |= !strncmp(de->d_name, "import-", 7) && access(probe, F_OK) == 0;
		}
		if (d)
			closedir(d);
		if (found)
			return pid;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[1]);
	fail_msg("The import never started");
	return -1;
}

static void test_image_import_killed_is_cleaned_up_by_the_next_command(void **state)
{
	struct ctx *c = *state;
	struct dd_image *list;
	size_t n;
	int wfd;
	pid_t pid = start_stuck_import(c, &wfd);

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(wfd);
	assert_int_equal(count_entries(c->root, "tmp", "import-"), 1); /* left behind */
	assert_int_equal(dd_image_list(c->root, &list, &n, &c->err), 0);
	assert_int_equal(n, 0);
	dd_image_list_free(list, n);
	assert_int_equal(count_entries(c->root, "tmp", ""), 0);
	assert_int_equal(count_entries(c->root, "images", ""), 0);
}

static void test_image_import_interrupted_by_sigterm_removes_its_work(void **state)
{
	struct ctx *c = *state;
	int wfd, status;
	pid_t pid = start_stuck_import(c, &wfd);

	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(wfd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3); /* failed, saying it was interrupted */
	assert_int_equal(count_entries(c->root, "tmp", ""), 0);
	assert_int_equal(count_entries(c->root, "images", ""), 0);
}

static void test_image_same_content_under_a_second_name_shares_the_id(void **state)
{
	struct ctx *c = *state;
	char path[2048];
	struct dd_image a, b, *list;
	size_t n;

	make_archive(c, "a.tar", 1000, path, sizeof(path));
	assert_int_equal(dd_image_import(c->root, path, "first", &a, &c->err), 0);
	assert_int_equal(dd_image_import(c->root, path, "second:x", &b, &c->err), 0);
	assert_string_equal(a.id, b.id);
	assert_int_equal(count_entries(c->root, "images", ""), 1);
	assert_int_equal(dd_image_list(c->root, &list, &n, &c->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "first");
	assert_string_equal(list[1].name, "second");
	assert_string_equal(list[1].tag, "x");
	dd_image_list_free(list, n);
	/* Removing one name keeps the files for the other. */
	assert_int_equal(dd_image_remove(c->root, "first", &c->err), 0);
	assert_true(dd_is_dir(b.rootfs));
	assert_int_equal(dd_image_remove(c->root, "second:x", &c->err), 0);
	assert_false(dd_is_dir(b.rootfs));
	dd_image_release(&a);
	dd_image_release(&b);
}

static void test_image_import_over_a_tag_moves_it(void **state)
{
	struct ctx *c = *state;
	char p1[2048], p2[2048];
	struct dd_image old, kept, moved, found;

	make_archive(c, "1.tar", 100, p1, sizeof(p1));
	make_archive(c, "2.tar", 100, p2, sizeof(p2));
	assert_int_equal(dd_image_import(c->root, p1, "app", &old, &c->err), 0);
	assert_int_equal(dd_image_import(c->root, p2, "app", &moved, &c->err), 0);
	assert_string_not_equal(old.id, moved.id);
	assert_false(dd_is_dir(old.rootfs)); /* no tag left on it: removed */
	assert_int_equal(dd_image_resolve(c->root, "app:latest", &found, &c->err), 0);
	assert_string_equal(found.id, moved.id);
	dd_image_release(&found);
	/* With a second tag, the image the tag left stays. */
	assert_int_equal(dd_image_import(c->root, p1, "keep", &kept, &c->err), 0);
	assert_int_equal(dd_image_import(c->root, p1, "app", &found, &c->err), 0);
	dd_image_release(&found);
	assert_int_equal(dd_image_import(c->root, p2, "app", &found, &c->err), 0);
	assert_true(dd_is_dir(kept.rootfs));
	dd_image_release(&found);
	dd_image_release(&old);
	dd_image_release(&kept);
	dd_image_release(&moved);
}

static void test_image_remove_refuses_while_a_container_uses_it(void **state)
{
	struct ctx *c = *state;
	char path[2048], cid[65], dir[2048], json[512];
	struct dd_image img;
	struct dd_error err;

	make_archive(c, "a.tar", 100, path, sizeof(path));
	assert_int_equal(dd_image_import(c->root, path, "used", &img, &c->err), 0);
	assert_int_equal(dd_random_hex(cid, 32, &err), 0);
	snprintf(dir, sizeof(dir), "%s/containers/%s", c->root, cid);
	assert_int_equal(dd_mkdir_p(dir, 0700, &err), 0);
	snprintf(json, sizeof(json), "{\"id\": \"%s\", \"name\": \"busy_box\", "
		 "\"image_id\": \"%s\"}", cid, img.id);
	strcat(dir, "/container.json");
	assert_int_equal(dd_write_file_atomic(dir, json, strlen(json), 0600, &err), 0);
	assert_int_equal(dd_image_remove(c->root, "used", &c->err), -1);
	assert_non_null(strstr(c->err.msg, "busy_box"));
	assert_true(dd_is_dir(img.rootfs));
	unlink(dir);
	assert_int_equal(dd_image_remove(c->root, img.id, &c->err), 0);
	assert_false(dd_is_dir(img.rootfs));
	dd_image_release(&img);
}

static void test_image_resolve_names_a_missing_image(void **state)
{
	struct ctx *c = *state;
	char name[64], ref[80];
	struct dd_image img;

	tt_random_name(name, sizeof(name), "nosuch");
	snprintf(ref, sizeof(ref), "%s:v2", name);
	assert_int_equal(dd_image_resolve(c->root, ref, &img, &c->err), -1);
	assert_non_null(strstr(c->err.msg, "Unable to find image"));
	assert_non_null(strstr(c->err.msg, ref));
	assert_int_equal(dd_error_exit_code(&c->err), DD_EXIT_ERROR);
}

static void test_image_resolve_imports_a_builtin_on_first_use(void **state)
{
	struct ctx *c = *state;
	char path[2048], sh[2048];
	struct tt_entry e[] = { { .name = "bin/busybox", .data = "elf", .perm = 0755 },
				{ .name = "bin/sh", .type = AE_IFLNK, .symlink = "busybox" } };
	struct dd_image img;
	int rc;

	snprintf(path, sizeof(path), "%s/busybox.tar", c->work);
	tt_write_archive(path, e, ARRAY_SIZE(e), ARCHIVE_FILTER_GZIP);
	setenv("DRYDOCK_IMAGES", c->work, 1);
	rc = dd_image_resolve(c->root, "busybox", &img, &c->err);
	unsetenv("DRYDOCK_IMAGES");
	assert_int_equal(rc, 0);
	assert_string_equal(img.name, "busybox");
	assert_string_equal(img.tag, "latest");
	snprintf(sh, sizeof(sh), "%s/bin/sh", img.rootfs);
	assert_int_equal(access(sh, X_OK), 0);
	dd_image_release(&img);
}

static void test_image_refs_follow_dockers_rules(void **state)
{
	char *name, *tag;
	struct dd_error err;

	assert_int_equal(dd_image_parse_ref("busybox", &name, &tag, &err), 0);
	assert_string_equal(name, "busybox");
	assert_string_equal(tag, "latest");
	free(name), free(tag);
	assert_int_equal(dd_image_parse_ref("library/my-app:1.0_rc", &name, &tag, &err), 0);
	assert_string_equal(name, "library/my-app");
	assert_string_equal(tag, "1.0_rc");
	free(name), free(tag);
	assert_int_equal(dd_image_parse_ref("BusyBox", &name, &tag, &err), -1);
	assert_int_equal(dd_image_parse_ref("a:", &name, &tag, &err), -1);
	assert_int_equal(dd_image_parse_ref("-a", &name, &tag, &err), -1);
	assert_int_equal(dd_image_parse_ref("", &name, &tag, &err), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_image_id_is_the_archives_sha256),
		T(test_image_import_of_corrupt_archive_leaves_the_store_empty),
		T(test_image_import_killed_is_cleaned_up_by_the_next_command),
		T(test_image_import_interrupted_by_sigterm_removes_its_work),
		T(test_image_same_content_under_a_second_name_shares_the_id),
		T(test_image_import_over_a_tag_moves_it),
		T(test_image_remove_refuses_while_a_container_uses_it),
		T(test_image_resolve_names_a_missing_image),
		T(test_image_resolve_imports_a_builtin_on_first_use),
		cmocka_unit_test(test_image_refs_follow_dockers_rules),
	};

	return cmocka_run_group_tests_name("core image store", tests, NULL, NULL);
}
