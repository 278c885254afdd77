/* test_07_import.c: lab 07, unpacking an image's tarball without ever
 * writing outside the destination. */
#include "tartest.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "chapters/07-rootfs/import.h"

/* Each test: top/ holds the archives, top/dest/ is where they go, so a
 * "../x" entry that escaped would land in top/ where we can look. */
struct ctx {
	char *top;
	char dest[1024];
	int destfd;
	struct rootfs_extract_stats st;
	struct dd_error err;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->top = tu_mkdtemp();
	snprintf(c->dest, sizeof(c->dest), "%s/dest", c->top);
	if (mkdir(c->dest, 0755) < 0)
		return -1;
	c->destfd = open(c->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = c;
	return c->destfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	close(c->destfd);
	tu_rmdir(c->top);
	free(c);
	return 0;
}

static char *path_in(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

/* Write entries as top/NAME (compressed with filter) and extract into destfd. */
static int extract_into(struct ctx *c, int destfd, const char *name, const struct tt_entry *e,
			size_t n, int filter)
{
	char path[2048];
	int fd, rc;

	tt_write_archive(path_in(path, sizeof(path), c->top, name), e, n, filter);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(&c->err, 0, sizeof(c->err));
	rc = rootfs_extract(fd, destfd, &c->st, &c->err);
	close(fd);
	return rc;
}

static int extract(struct ctx *c, const struct tt_entry *e, size_t n)
{
	return extract_into(c, c->destfd, "archive.tar", e, n, ARCHIVE_FILTER_NONE);
}

static bool exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

static void assert_file_holds(const char *path, const char *text)
{
	char *data = NULL;
	size_t len;
	struct dd_error err;

	assert_int_equal(dd_read_file(path, &data, &len, &err), 0);
	assert_string_equal(data, text);
	free(data);
}

static void test_import_names_are_relative_to_the_root(void **state)
{
	struct ctx *c = *state;
	char name[64], abs[128], path[2048], *text = tt_random_text(32);
	struct tt_entry e[] = { { .name = abs, .data = text },
				{ .name = "./etc//./hostname", .data = "box\n" } };

	tt_random_name(name, sizeof(name), "ddunit-abs-");
	snprintf(abs, sizeof(abs), "/tmp/%s", name);
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), 0);
	assert_file_holds(path_in(path, sizeof(path), c->dest, abs + 1), text);
	assert_file_holds(path_in(path, sizeof(path), c->dest, "etc/hostname"), "box\n");
	assert_false(exists(abs)); /* the leading '/' did not mean the host's root */
	free(text);
}

static void test_import_refuses_dotdot_entry(void **state)
{
	struct ctx *c = *state;
	char name[64], up1[128], up2[128], path[2048];
	struct tt_entry e[] = { { .name = "etc/ok", .data = "ok" }, { .name = up1, .data = "x" } };

	tt_random_name(name, sizeof(name), "ddunit-up-");
	snprintf(up1, sizeof(up1), "../%s", name);
	snprintf(up2, sizeof(up2), "etc/../../../%s", name);
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), -1);
	assert_non_null(strstr(c->err.msg, up1));
	assert_true(exists(path_in(path, sizeof(path), c->dest, "etc/ok"))); /* earlier entries done */
	assert_false(exists(path_in(path, sizeof(path), c->top, name)));
	e[1].name = up2;
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), -1);
	assert_non_null(strstr(c->err.msg, "'..'"));
	assert_false(exists(path_in(path, sizeof(path), c->top, name)));
	assert_false(exists(path_in(path, sizeof(path), "/tmp", name)));
}

/* "escape -> /" then "escape/tmp/NAME": resolved inside the root, the
 * file lands in dest/tmp/NAME; it must never reach the host's /tmp. */
static void test_import_never_writes_through_a_symlink_to_the_host(void **state)
{
	struct ctx *c = *state;
	char name[64], through[128], through_up[128], host[128], path[2048], target[16];
	struct tt_entry e[] = {
		{ .name = "escape", .type = AE_IFLNK, .symlink = "/" },
		{ .name = "up", .type = AE_IFLNK, .symlink = "../../../../../../.." },
		{ .name = through, .data = "pwned" },
		{ .name = through_up, .data = "pwned" },
	};
	int rc;
	ssize_t n;

	tt_random_name(name, sizeof(name), "ddunit-esc-");
	snprintf(through, sizeof(through), "escape/tmp/%s", name);
	snprintf(through_up, sizeof(through_up), "up/tmp/%s-up", name);
	snprintf(host, sizeof(host), "/tmp/%s", name);
	char host_up[136];
	bool escaped, escaped_up;

	snprintf(host_up, sizeof(host_up), "%s-up", host);
	rc = extract(c, e, ARRAY_SIZE(e));
	/* Look, then remove what an escaping extraction wrote on the host,
	 * before any assertion can end the test. */
	escaped = exists(host);
	escaped_up = exists(host_up);
	unlink(host);
	unlink(host_up);
	n = readlink(path_in(path, sizeof(path), c->dest, "escape"), target, sizeof(target));
	assert_int_equal(n, 1); /* the symlink itself was stored */
	if (escaped || escaped_up)
		fail_msg("the archive's file was written to the host's %s, through the symlink "
			 "'%s' in the archive: resolve names inside the root (RESOLVE_IN_ROOT)",
			 escaped ? host : host_up, escaped ? "escape -> /" : "up -> ../..");
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/tmp/%s", c->dest, name);
		assert_file_holds(path, "pwned"); /* where the container will see it */
	}
}

/* A later regular file of the same name replaces a symlink; it is not
 * written through it. */
static void test_import_replaces_a_symlink_instead_of_following_it(void **state)
{
	struct ctx *c = *state;
	char victim[1024], path[2048];
	struct tt_entry e[] = { { .name = "etc/passwd", .type = AE_IFLNK, .symlink = victim },
				{ .name = "etc/passwd", .data = "root:x:0:0::/:/bin/sh\n" } };
	struct stat sb;
	int fd;

	path_in(victim, sizeof(victim), c->top, "victim");
	fd = open(victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "host", 4), 4);
	close(fd);
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), 0);
	assert_file_holds(victim, "host");
	assert_int_equal(lstat(path_in(path, sizeof(path), c->dest, "etc/passwd"), &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
}

static void test_import_stores_absolute_symlink_targets_as_is(void **state)
{
	struct ctx *c = *state;
	char target[64], path[2048], seen[128] = "";
	struct tt_entry e[] = { { .name = "etc/localtime", .type = AE_IFLNK, .symlink = target },
				{ .name = "bin/sh", .type = AE_IFLNK, .symlink = "busybox" } };

	tt_random_name(target, sizeof(target), "/usr/share/zoneinfo/");
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), 0);
	assert_true(readlink(path_in(path, sizeof(path), c->dest, "etc/localtime"), seen,
			     sizeof(seen) - 1) > 0);
	assert_string_equal(seen, target);
	assert_int_equal(c->st.symlinks, 2);
}

static void test_import_keeps_hardlinks_inside_the_archive(void **state)
{
	struct ctx *c = *state;
	char a[2048], b[2048];
	struct tt_entry e[] = { { .name = "bin/busybox", .data = "binary", .perm = 0755 },
				{ .name = "/bin/sh", .hardlink = "/bin/busybox" } };
	struct stat sa, sb;

	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), 0);
	assert_int_equal(stat(path_in(a, sizeof(a), c->dest, "bin/busybox"), &sa), 0);
	assert_int_equal(stat(path_in(b, sizeof(b), c->dest, "bin/sh"), &sb), 0);
	assert_int_equal(sa.st_ino, sb.st_ino);
	assert_int_equal(sa.st_nlink, 2);
}

static void test_import_refuses_hardlink_outside_the_root(void **state)
{
	struct ctx *c = *state;
	char victim[1024], abs[1100], path[2048];
	struct tt_entry e[] = { { .name = "etc/ok", .data = "ok" },
				{ .name = "evil", .hardlink = "../victim" } };
	struct stat sb;
	int fd;

	path_in(victim, sizeof(victim), c->top, "victim");
	fd = open(victim, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), -1);
	assert_non_null(strstr(c->err.msg, "evil"));
	assert_true(exists(path_in(path, sizeof(path), c->dest, "etc/ok")));
	/* The host's absolute path names a file inside the root, which the
	 * archive never wrote. */
	snprintf(abs, sizeof(abs), "%s", victim);
	e[1].hardlink = abs;
	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), -1);
	assert_int_equal(stat(victim, &sb), 0);
	assert_int_equal(sb.st_nlink, 1); /* nobody linked to the host's file */
	assert_false(exists(path_in(path, sizeof(path), c->dest, "evil")));
}

static void test_import_skips_device_nodes_and_fifos(void **state)
{
	struct ctx *c = *state;
	char path[2048];
	struct tt_entry e[] = {
		{ .name = "dev/sda", .type = AE_IFBLK, .rdev_major = 8, .rdev_minor = 0 },
		{ .name = "dev/mem", .type = AE_IFCHR, .rdev_major = 1, .rdev_minor = 1 },
		{ .name = "run/fifo", .type = AE_IFIFO },
		{ .name = "etc/ok", .data = "ok" },
	};

	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), 0);
	assert_int_equal(c->st.skipped_devices, 3);
	assert_false(exists(path_in(path, sizeof(path), c->dest, "dev/sda")));
	assert_false(exists(path_in(path, sizeof(path), c->dest, "dev/mem")));
	assert_false(exists(path_in(path, sizeof(path), c->dest, "run/fifo")));
	assert_true(exists(path_in(path, sizeof(path), c->dest, "etc/ok")));
}

static void test_import_refuses_truncated_archive_naming_the_entry(void **state)
{
	struct ctx *c = *state;
	char big[64], path[2048], *text = tt_random_text(64 * 1024);
	struct tt_entry e[] = { { .name = "etc/first", .data = "first" },
				{ .name = big, .data = text } };
	struct stat sb;
	int fd;

	tt_random_name(big, sizeof(big), "usr/lib/big-");
	tt_write_archive(path_in(path, sizeof(path), c->top, "cut.tar"), e, ARRAY_SIZE(e),
			 ARCHIVE_FILTER_NONE);
	assert_int_equal(stat(path, &sb), 0);
	/* Cut in the middle of the big file's data. */
	assert_int_equal(truncate(path, sb.st_size - 10240 - 20000), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(rootfs_extract(fd, c->destfd, &c->st, &c->err), -1);
	close(fd);
	assert_non_null(strstr(c->err.msg, "Corrupt archive"));
	assert_non_null(strstr(c->err.msg, big));
	assert_non_null(strstr(c->err.msg, "offset"));
	assert_file_holds(path_in(path, sizeof(path), c->dest, "etc/first"), "first");
	free(text);
}

static void test_import_refuses_files_that_are_not_archives(void **state)
{
	struct ctx *c = *state;
	char path[2048], junk[8192];
	struct tt_entry ok[] = { { .name = "etc/ok", .data = "ok" } };
	int fd;

	assert_int_equal(extract(c, ok, ARRAY_SIZE(ok)), 0); /* a real one works */
	assert_int_equal(getrandom(junk, sizeof(junk), 0), sizeof(junk));
	fd = open(path_in(path, sizeof(path), c->top, "junk"), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(rootfs_extract(fd, c->destfd, &c->st, &c->err), -1);
	assert_non_null(strstr(c->err.msg, "Not a tar archive"));
	assert_int_equal(ftruncate(fd, 0), 0); /* and an empty file is no archive either */
	assert_int_equal(rootfs_extract(fd, c->destfd, &c->st, &c->err), -1);
	assert_non_null(strstr(c->err.msg, "empty"));
	close(fd);
}

static void test_import_reads_gzip_xz_and_zstd(void **state)
{
	struct ctx *c = *state;
	static const struct {
		const char *name;
		int filter;
	} kinds[] = { { "gz", ARCHIVE_FILTER_GZIP }, { "xz", ARCHIVE_FILTER_XZ },
		      { "zst", ARCHIVE_FILTER_ZSTD } };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char *text = tt_random_text(tu_random(1, 100000)), path[2048];
		struct tt_entry e[] = { { .name = "data/file", .data = text } };
		int sub;

		assert_int_equal(mkdirat(c->destfd, kinds[i].name, 0755), 0);
		sub = openat(c->destfd, kinds[i].name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_int_equal(extract_into(c, sub, kinds[i].name, e, 1, kinds[i].filter), 0);
		close(sub);
		snprintf(path, sizeof(path), "%s/%s/data/file", c->dest, kinds[i].name);
		assert_file_holds(path, text);
		free(text);
	}
}

static void test_import_keeps_modes_owners_times_and_setuid(void **state)
{
	struct ctx *c = *state;
	char path[2048];
	uid_t uid = tu_random(1000, 60000);
	gid_t gid = tu_random(1000, 60000);
	long long when = tu_random(100000000, 1500000000);
	struct tt_entry e[] = {
		{ .name = "usr/bin/su", .data = "su", .perm = 04755 },
		{ .name = "usr/bin/wall", .data = "w", .perm = 02755, .gid = 5 },
		{ .name = "opt", .type = AE_IFDIR, .perm = 0750, .uid = uid, .gid = gid, .mtime = when },
		{ .name = "opt/secret", .data = "s", .perm = 0600, .uid = uid, .gid = gid, .mtime = when },
		{ .name = "tmp", .type = AE_IFDIR, .perm = 01777 },
	};
	struct stat sb;

	assert_int_equal(extract(c, e, ARRAY_SIZE(e)), 0);
	assert_int_equal(stat(path_in(path, sizeof(path), c->dest, "usr/bin/su"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 04755);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(stat(path_in(path, sizeof(path), c->dest, "usr/bin/wall"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 02755);
	assert_int_equal(sb.st_gid, 5);
	assert_int_equal(stat(path_in(path, sizeof(path), c->dest, "opt/secret"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_uid, uid);
	assert_int_equal(sb.st_gid, gid);
	assert_int_equal(sb.st_mtime, when);
	/* The directory's time survives the file written into it. */
	assert_int_equal(stat(path_in(path, sizeof(path), c->dest, "opt"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);
	assert_int_equal(sb.st_uid, uid);
	assert_int_equal(sb.st_mtime, when);
	assert_int_equal(stat(path_in(path, sizeof(path), c->dest, "tmp"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 01777);
}

static void test_import_name_rules(void **state)
{
	char out[PATH_MAX];
	struct dd_error err;

	assert_int_equal(rootfs_clean_name("/usr//bin/./sh", out, &err), 0);
	assert_string_equal(out, "usr/bin/sh");
	assert_int_equal(rootfs_clean_name("./", out, &err), 0);
	assert_string_equal(out, "");
	assert_int_equal(rootfs_clean_name("..hidden/x..", out, &err), 0);
	assert_string_equal(out, "..hidden/x..");
	assert_int_equal(rootfs_clean_name("a/b/..", out, &err), -1);
	assert_int_equal(rootfs_clean_name("/../etc/shadow", out, &err), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_import_names_are_relative_to_the_root),
		T(test_import_refuses_dotdot_entry),
		T(test_import_never_writes_through_a_symlink_to_the_host),
		T(test_import_replaces_a_symlink_instead_of_following_it),
		T(test_import_stores_absolute_symlink_targets_as_is),
		T(test_import_keeps_hardlinks_inside_the_archive),
		T(test_import_refuses_hardlink_outside_the_root),
		T(test_import_skips_device_nodes_and_fifos),
		T(test_import_refuses_truncated_archive_naming_the_entry),
		T(test_import_refuses_files_that_are_not_archives),
		T(test_import_reads_gzip_xz_and_zstd),
		T(test_import_keeps_modes_owners_times_and_setuid),
		cmocka_unit_test(test_import_name_rules),
	};

	return cmocka_run_group_tests_name("lab 07 import", tests, NULL, NULL);
}
