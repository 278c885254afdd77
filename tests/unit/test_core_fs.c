/* test_core_fs.c: the file-system helpers the engine relies on. */
#include "testutil.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "core/base/oci.h"
#include "core/stage.h"

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static void test_copy_tree_keeps_modes_links_and_contents(void **state)
{
	char *src = tu_mkdtemp(), *parent = tu_mkdtemp(), dest[1024], path[4096], target[64];
	struct stat a, b;
	ssize_t n;

	write_file(src, "suid", "x", 04755);
	snprintf(path, sizeof(path), "%s/sub", src);
	mkdir(path, 0711);
	write_file(src, "sub/data", "hello", 0600);
	snprintf(path, sizeof(path), "%s/abs", src);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/hard", src);
	{
		char from[4096];

		snprintf(from, sizeof(from), "%s/sub/data", src);
		assert_int_equal(link(from, path), 0);
	}
	snprintf(dest, sizeof(dest), "%s/copy", parent);
	{
		struct dd_error err = { 0 };

		assert_int_equal(dd_copy_tree(src, dest, &err), 0);
	}
	snprintf(path, sizeof(path), "%s/suid", dest);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(a.st_mode & 07777, 04755);
	snprintf(path, sizeof(path), "%s/sub", dest);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0711);
	snprintf(path, sizeof(path), "%s/abs", dest);
	n = readlink(path, target, sizeof(target) - 1);
	assert_int_equal(n, strlen("/etc/passwd"));
	snprintf(path, sizeof(path), "%s/hard", dest);
	assert_int_equal(stat(path, &a), 0);
	snprintf(path, sizeof(path), "%s/sub/data", dest);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino); /* still one file with two names */
	assert_int_equal(b.st_size, 5);
	tu_rmdir(src);
	tu_rmdir(parent);
}

static char *path_in(const char *dir, const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* The fallback while lab 08 is not done: layers copied bottom first,
 * merged as overlayfs would show them. */
static void test_copy_of_layers_applies_whiteouts_and_opaque_dirs(void **state)
{
	char *low = tu_mkdtemp(), *high = tu_mkdtemp(), *parent = tu_mkdtemp();
	char *layers[] = { low, high, NULL }, dest[1024];
	struct dd_config cfg = { .layers = layers, .rootfs = dest };
	struct dd_container c = { .name = "t", .cfg = &cfg };
	struct dd_error err = { 0 };
	char text[32];
	struct stat st;

	snprintf(text, sizeof(text), "t%u", tu_random(1, 1u << 30));
	write_file(low, "kept", text, 0644);
	write_file(low, "gone", "x", 0644);
	write_file(low, "replaced", "old", 0644);
	assert_int_equal(mkdir(path_in(low, "d"), 0755), 0);
	write_file(low, "d/hidden", "x", 0644);
	assert_int_equal(mkdir(path_in(low, "m"), 0755), 0);
	write_file(low, "m/below", text, 0644);
	assert_int_equal(mknod(path_in(high, "gone"), S_IFCHR, 0), 0);
	write_file(high, "replaced", text, 0600);
	assert_int_equal(mkdir(path_in(high, "d"), 0700), 0);
	assert_int_equal(setxattr(path_in(high, "d"), "trusted.overlay.opaque", "y", 1, 0), 0);
	write_file(high, "d/new", text, 0644);
	assert_int_equal(mkdir(path_in(high, "m"), 0755), 0);
	write_file(high, "m/above", text, 0644);
	assert_int_equal(mknod(path_in(high, "nothing-below"), S_IFCHR, 0), 0);
	snprintf(dest, sizeof(dest), "%s/root", parent);

	assert_int_equal(dd_copy_image_root(&c, &err), 0);
	assert_int_equal(stat(path_in(dest, "kept"), &st), 0);
	assert_int_equal(access(path_in(dest, "gone"), F_OK), -1);
	assert_int_equal(access(path_in(dest, "nothing-below"), F_OK), -1);
	assert_int_equal(stat(path_in(dest, "replaced"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, (off_t)strlen(text));
	assert_int_equal(stat(path_in(dest, "d"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(access(path_in(dest, "d/hidden"), F_OK), -1);
	assert_int_equal(access(path_in(dest, "d/new"), F_OK), 0);
	assert_int_equal(access(path_in(dest, "m/below"), F_OK), 0); /* merged, not opaque */
	assert_int_equal(access(path_in(dest, "m/above"), F_OK), 0);
	tu_rmdir(low);
	tu_rmdir(high);
	tu_rmdir(parent);
}

static int rm_across_mount(void *arg)
{
	char *dir = arg, sub[1024], keep[2048];
	struct dd_error err = { 0 };
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 10;
	snprintf(sub, sizeof(sub), "%s/mnt", dir);
	mkdir(sub, 0755);
	if (mount("ddtest-rm", sub, "tmpfs", 0, "size=1m") < 0)
		return 11;
	snprintf(keep, sizeof(keep), "%s/keep", sub);
	fd = open(keep, O_CREAT | O_WRONLY, 0644);
	close(fd);
	if (dd_rm_rf(dir, &err) == 0)
		return 1;
	if (!strstr(err.msg, "mount point"))
		return 2;
	return access(keep, F_OK) == 0 ? 0 : 3; /* nothing under the mount was touched */
}

static void test_rm_rf_never_crosses_into_a_mount(void **state)
{
	char *dir = tu_mkdtemp();

	assert_int_equal(tu_in_child(rm_across_mount, dir), 0);
	tu_rmdir(dir);
}

static void test_mkdir_in_root_follows_symlinks_inside_the_root(void **state)
{
	char *root = tu_mkdtemp(), *outside = tu_mkdtemp(), path[4096];
	struct dd_error err = { 0 };
	int rootfd, fd;

	/* An image whose /escape points at a host directory by absolute path. */
	snprintf(path, sizeof(path), "%s/escape", root);
	assert_int_equal(symlink(outside, path), 0);
	rootfd = open(root, O_PATH | O_DIRECTORY);
	fd = dd_mkdir_in_root(rootfd, "/escape/made", 0755, &err);
	snprintf(path, sizeof(path), "%s/made", outside);
	assert_int_not_equal(access(path, F_OK), 0); /* the host is untouched */
	if (fd >= 0)
		close(fd);
	close(rootfd);
	tu_rmdir(root);
	tu_rmdir(outside);
}

static void test_oci_config_round_trips(void **state)
{
	struct dd_config *cfg = dd_config_new(), *back = NULL;
	char *dir = tu_mkdtemp(), path[4096];
	struct dd_error err = { 0 };

	dd_strv_push(&cfg->args, "sh");
	dd_strv_push(&cfg->args, "-c");
	dd_config_setenv(cfg, "A=1");
	cfg->hostname = strdup("box");
	cfg->rootfs = strdup("/r");
	cfg->readonly_root = true;
	cfg->init = true;
	cfg->namespaces = CLONE_NEWPID | CLONE_NEWUTS;
	dd_config_add_mount(cfg, DD_MOUNT_BIND, "/src", "/dst", true);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(dd_oci_write_config(cfg, path, &err), 0);
	assert_int_equal(dd_oci_read_config(path, dir, &back, &err), 0);
	assert_string_equal(back->args[1], "-c");
	assert_string_equal(back->env[0], "A=1");
	assert_string_equal(back->hostname, "box");
	assert_true(back->readonly_root && back->init);
	assert_int_equal(back->namespaces, CLONE_NEWPID | CLONE_NEWUTS);
	assert_int_equal(back->nmounts, 1);
	assert_true(back->mounts[0].readonly);
	dd_config_free(cfg);
	dd_config_free(back);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_tree_keeps_modes_links_and_contents),
		cmocka_unit_test(test_copy_of_layers_applies_whiteouts_and_opaque_dirs),
		cmocka_unit_test(test_rm_rf_never_crosses_into_a_mount),
		cmocka_unit_test(test_mkdir_in_root_follows_symlinks_inside_the_root),
		cmocka_unit_test(test_oci_config_round_trips),
	};

	return cmocka_run_group_tests_name("core file system", tests, NULL, tu_cleanup);
}
