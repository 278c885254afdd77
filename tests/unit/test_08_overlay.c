/* test_08_overlay.c: lab 08, layers and the copy-on-write container layer.
 *
 * The merged view is mounted in a child cloned by chapter 02's ns_spawn
 * with the namespaces the overlay stage relies on (tu_in_stage_namespaces,
 * which stops if the child shares the host's), its tree made private
 * by chapter 06's mount_make_private: the isolation under test is the
 * code's, not a namespace of the test's own. */
#include "testutil.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "chapters/06-mount/mount.h"
#include "chapters/08-overlay/overlay.h"
#include "core/base/cleanup.h"

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The file's text, or "" when it does not exist. */
static char *read_text(const char *dir, const char *name)
{
	static char buf[256];
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *subdir(const char *dir, const char *name)
{
	char *p = dd_strdup_printf("%s/%s", dir, name);

	assert_non_null(p);
	assert_int_equal(mkdir(p, 0755), 0);
	return p;
}

static void random_word(char *buf, size_t len)
{
	snprintf(buf, len, "w%u", tu_random(1, 1u << 30));
}

static void test_mount_data_lists_the_top_layer_first(void **state)
{
	struct dd_error err = { 0 };
	_cleanup_free_ char *data = NULL;
	char a[32], b[32], c[32], want[256];

	random_word(a, sizeof(a));
	random_word(b, sizeof(b));
	random_word(c, sizeof(c));
	assert_int_equal(overlay_mount_data((char *[]){ a, b, c, NULL }, "/u", "/w", &data, &err),
			 0);
	snprintf(want, sizeof(want), "lowerdir=%s:%s:%s,upperdir=/u,workdir=/w", c, b, a);
	assert_string_equal(data, want);
}

static void test_mount_data_of_one_read_only_layer(void **state)
{
	struct dd_error err = { 0 };
	_cleanup_free_ char *data = NULL;
	char a[32], want[64];

	random_word(a, sizeof(a));
	assert_int_equal(overlay_mount_data((char *[]){ a, NULL }, NULL, NULL, &data, &err), 0);
	snprintf(want, sizeof(want), "lowerdir=%s", a);
	assert_string_equal(data, want);
}

static void test_mount_data_refuses_separators_naming_the_path(void **state)
{
	struct dd_error err = { 0 };
	char *data = NULL;

	assert_int_equal(overlay_mount_data((char *[]){ "/l/ok", "/l/a,b", NULL }, "/u", "/w",
					    &data, &err), -1);
	assert_null(data);
	assert_non_null(strstr(err.msg, "/l/a,b"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(overlay_mount_data((char *[]){ "/l/ok", NULL }, "/u:x", "/w", &data,
					    &err), -1);
	assert_non_null(strstr(err.msg, "/u:x"));
}

static void test_mount_data_refuses_more_than_a_page(void **state)
{
	char *layers[101] = { 0 };
	struct dd_error err = { 0 };
	char *data = NULL;

	for (int i = 0; i < 100; i++) {
		layers[i] = dd_strdup_printf("/var/lib/drydock/layers/%064d", i);
		assert_non_null(layers[i]);
	}
	assert_int_equal(overlay_mount_data(layers, "/u", "/w", &data, &err), -1);
	assert_null(data);
	if (err.errnum != E2BIG || !strstr(err.msg, "layers"))
		fail_msg("expected E2BIG and a message about too many layers; got errno %d: %s",
			 err.errnum, err.msg);
	for (int i = 0; i < 100; i++)
		free(layers[i]);
}

/* mount(2) copies one page, NUL included: 4095 bytes of options fit,
 * 4096 do not.  Layers of random lengths that add up to exactly that. */
static void test_mount_data_fills_a_page_but_not_a_byte_more(void **state)
{
	enum { PAGE_TEXT = 4095 };
	size_t k = tu_random(2, 5), room = PAGE_TEXT - strlen("lowerdir=") - (k - 1);
	char *layers[6] = { 0 };
	struct dd_error err = { 0 };
	char *data = NULL;

	for (size_t i = 0; i < k; i++) {
		size_t len = i < k - 1 ? room / k : room - (k - 1) * (room / k);

		layers[i] = calloc(1, len + 2);
		assert_non_null(layers[i]);
		memset(layers[i], 'a' + (int)i, len);
		layers[i][0] = '/';
	}
	if (overlay_mount_data(layers, NULL, NULL, &data, &err) < 0)
		fail_msg("overlay_mount_data refused %d bytes of options, which fit in a page "
			 "with its NUL: %s", PAGE_TEXT, err.msg);
	assert_int_equal(strlen(data), PAGE_TEXT);
	free(data);
	data = NULL;
	layers[k - 1][strlen(layers[k - 1])] = 'z'; /* one byte more */
	if (overlay_mount_data(layers, NULL, NULL, &data, &err) == 0)
		fail_msg("overlay_mount_data accepted %zu bytes of options: mount(2) would cut "
			 "them to a page, dropping the end", strlen(data));
	assert_null(data);
	for (size_t i = 0; i < k; i++)
		free(layers[i]);
}

static void test_whiteout_becomes_a_0_0_character_device(void **state)
{
	char *dir = tu_mkdtemp();
	struct dd_error err = { 0 };
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char name[32], member[64];
	struct stat st;

	random_word(name, sizeof(name));
	snprintf(member, sizeof(member), ".wh.%s", name);
	write_text(dir, name, "from an earlier member");
	assert_int_equal(overlay_whiteout(fd, member, &err), 1);
	assert_int_equal(fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_int_equal(faccessat(fd, member, F_OK, AT_SYMLINK_NOFOLLOW), -1);
	tu_rmdir(dir);
}

static void test_opaque_marker_sets_the_xattr_on_its_directory(void **state)
{
	char *dir = tu_mkdtemp();
	struct dd_error err = { 0 };
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char v[8] = "";

	assert_int_equal(overlay_whiteout(fd, ".wh..wh..opq", &err), 1);
	assert_int_equal(getxattr(dir, "trusted.overlay.opaque", v, sizeof(v)), 1);
	assert_int_equal(v[0], 'y');
	assert_int_equal(faccessat(fd, ".wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	tu_rmdir(dir);
}

static void test_ordinary_names_are_not_whiteouts(void **state)
{
	char *dir = tu_mkdtemp();
	struct dd_error err = { 0 };
	_cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *names[] = { "file", ".wh", ".whiteout", "a.wh.b", "wh.x" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_int_equal(overlay_whiteout(fd, names[i], &err), 0);
	assert_int_equal(overlay_whiteout(fd, ".wh.", &err), -1);
	assert_non_null(strstr(err.msg, ".wh."));
	memset(&err, 0, sizeof(err));
	assert_int_equal(overlay_whiteout(fd, ".wh..", &err), -1);
	tu_rmdir(dir);
}

/* Two layers, an upper and a work directory, and a mount point. */
struct stack {
	char *dir, *low, *high, *upper, *work, *merged;
	char kept[32], replaced[32], gone[32], hidden[32], written[32];
};

static void make_stack(struct stack *s)
{
	_cleanup_close_ int hfd = -1, dfd = -1;
	struct dd_error err = { 0 };
	char *d;

	s->dir = tu_mkdtemp();
	s->low = subdir(s->dir, "low");
	s->high = subdir(s->dir, "high");
	s->upper = subdir(s->dir, "upper");
	s->work = subdir(s->dir, "work");
	s->merged = subdir(s->dir, "merged");
	random_word(s->kept, sizeof(s->kept));
	random_word(s->replaced, sizeof(s->replaced));
	random_word(s->gone, sizeof(s->gone));
	random_word(s->hidden, sizeof(s->hidden));
	random_word(s->written, sizeof(s->written));
	write_text(s->low, "kept", s->kept);
	write_text(s->low, "replaced", "old");
	write_text(s->low, "gone", s->gone);
	free(subdir(s->low, "d"));
	write_text(s->low, "d/hidden", s->hidden);
	write_text(s->high, "replaced", s->replaced);
	d = subdir(s->high, "d");
	write_text(s->high, "d/new", s->kept);
	hfd = open(s->high, O_PATH | O_DIRECTORY | O_CLOEXEC);
	dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(d);
	assert_int_equal(overlay_whiteout(hfd, ".wh.gone", &err), 1);
	assert_int_equal(overlay_whiteout(dfd, ".wh..wh..opq", &err), 1);
}

static void free_stack(struct stack *s)
{
	free(s->low);
	free(s->high);
	free(s->upper);
	free(s->work);
	free(s->merged);
	tu_rmdir(s->dir);
}

/* In the overlay stage's namespaces (tu_in_stage_namespaces has checked
 * the mount one is not the host's, whose tree this would make private
 * and mount on): mount the stack, check what the merged view shows
 * (exit 10+N for the Nth wrong fact), write one file. */
static int merged_view(void *arg)
{
	struct stack *s = arg;
	struct dd_error err = { 0 };
	_cleanup_free_ char *data = NULL;

	if (mount_make_private("/", &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	if (overlay_mount_data((char *[]){ s->low, s->high, NULL }, s->upper, s->work, &data,
			       &err) < 0 ||
	    overlay_mount(s->merged, data, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 3;
	}
	if (strcmp(read_text(s->merged, "kept"), s->kept))
		return 10;
	if (strcmp(read_text(s->merged, "replaced"), s->replaced))
		return 11;
	if (access(dd_strdup_printf("%s/gone", s->merged), F_OK) == 0)
		return 12;
	if (access(dd_strdup_printf("%s/d/hidden", s->merged), F_OK) == 0)
		return 13;
	if (strcmp(read_text(s->merged, "d/new"), s->kept))
		return 14;
	write_text(s->merged, "written", s->written);
	if (unlink(dd_strdup_printf("%s/kept", s->merged)) < 0)
		return 15;
	return 0;
}

/* Run merged_view in a child of ns_spawn; its exit status, or 128+N when
 * signal N killed it.  An overlay that outlived the child on the host
 * (no mount namespace of its own) is taken down and fails the test. */
static int in_stage_namespaces(struct stack *s)
{
	struct stat merged, parent;
	int rc = tu_in_stage_namespaces(&overlay_stage, CLONE_NEWNS, merged_view, s);

	assert_int_equal(stat(s->merged, &merged), 0);
	assert_int_equal(stat(s->dir, &parent), 0);
	if (merged.st_dev != parent.st_dev) {
		umount2(s->merged, MNT_DETACH);
		fail_msg("the overlay at '%s' is mounted on the host (overlay stage namespaces "
			 "%#lx)", s->merged, overlay_stage.namespaces);
	}
	return rc;
}

static void test_the_merged_view_shows_the_top_layer_and_hides_whiteouts(void **state)
{
	struct stack s;
	int rc;

	make_stack(&s);
	rc = in_stage_namespaces(&s);
	if (rc) {
		free_stack(&s);
		if (tu_child_msg[0])
			fail_msg("merged view: %s", tu_child_msg);
		fail_msg("merged view: exit %d (10 lower file lost, 11 upper layer not on top, "
			 "12 whiteout ignored, 13 opaque dir shows lower entries, 14 upper dir "
			 "entry lost; 2 private tree failed, 3 mount failed, 128+N signal N)", rc);
	}
	free_stack(&s);
}

static void test_writes_land_in_the_upper_directory_only(void **state)
{
	struct stack s;
	struct stat st;
	char path[4096];
	int rc;

	make_stack(&s);
	rc = in_stage_namespaces(&s);
	if (rc)
		free_stack(&s);
	tu_assert_child_ok(rc);
	/* The child's mount namespace is gone; its changes stay in upper. */
	assert_string_equal(read_text(s.upper, "written"), s.written);
	snprintf(path, sizeof(path), "%s/kept", s.upper);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	assert_string_equal(read_text(s.low, "kept"), s.kept);
	assert_string_equal(read_text(s.low, "written"), "");
	assert_string_equal(read_text(s.high, "written"), "");
	/* ... and the mount point on the host shows nothing of the overlay. */
	assert_string_equal(read_text(s.merged, "written"), "");
	free_stack(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_data_lists_the_top_layer_first),
		cmocka_unit_test(test_mount_data_of_one_read_only_layer),
		cmocka_unit_test(test_mount_data_refuses_separators_naming_the_path),
		cmocka_unit_test(test_mount_data_refuses_more_than_a_page),
		cmocka_unit_test(test_mount_data_fills_a_page_but_not_a_byte_more),
		cmocka_unit_test(test_whiteout_becomes_a_0_0_character_device),
		cmocka_unit_test(test_opaque_marker_sets_the_xattr_on_its_directory),
		cmocka_unit_test(test_ordinary_names_are_not_whiteouts),
		cmocka_unit_test(test_the_merged_view_shows_the_top_layer_and_hides_whiteouts),
		cmocka_unit_test(test_writes_land_in_the_upper_directory_only),
	};

	return cmocka_run_group_tests_name("lab 08 overlay", tests, NULL, tu_cleanup);
}
