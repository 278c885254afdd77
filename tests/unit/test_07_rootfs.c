/* test_07_rootfs.c: lab 07, pivot_root and the container's /dev. */
#include "testutil.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "chapters/07-rootfs/rootfs.h"

static int enter_private_mount_ns(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* After the pivot: the marker is at "/", the host's files are gone and
 * "/.." is "/" itself. */
static int pivot_and_look(void *arg)
{
	const char *root = arg;
	struct dd_error err = { 0 };
	struct stat top, up;

	if (enter_private_mount_ns() < 0)
		return 10;
	if (rootfs_pivot(root, &err) < 0)
		return 1;
	if (access("/marker", F_OK) < 0)
		return 2;
	if (access("/etc/passwd", F_OK) == 0 || access(root, F_OK) == 0)
		return 3;
	if (stat("/", &top) < 0 || stat("/..", &up) < 0 || chdir("/..") < 0)
		return 4;
	return top.st_ino == up.st_ino && top.st_dev == up.st_dev ? 0 : 5;
}

static void test_pivot_root_leaves_no_way_back_to_the_host(void **state)
{
	char *root = tu_mkdtemp();
	char marker[4096];

	snprintf(marker, sizeof(marker), "%s/marker", root);
	close(open(marker, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(tu_in_child(pivot_and_look, root), 0);
	tu_rmdir(root);
}

static int make_dev_and_look(void *arg)
{
	const char *root = arg;
	struct dd_error err = { 0 };
	char path[4096];
	struct stat st;
	int rootfd;

	if (enter_private_mount_ns() < 0)
		return 10;
	rootfd = open(root, O_PATH | O_DIRECTORY);
	if (rootfs_make_dev(rootfd, &err) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/dev/null", root);
	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3) ||
	    (st.st_mode & 0666) != 0666)
		return 2;
	snprintf(path, sizeof(path), "%s/dev/sda", root);
	if (access(path, F_OK) == 0)
		return 3; /* the host's disks stay outside */
	snprintf(path, sizeof(path), "%s/dev/pts/ptmx", root);
	return access(path, F_OK) == 0 ? 0 : 4;
}

static void test_dev_holds_null_and_ptys_but_no_host_disks(void **state)
{
	char *root = tu_mkdtemp();

	assert_int_equal(tu_in_child(make_dev_and_look, root), 0);
	tu_rmdir(root);
}

static int mount_volume_and_write(void *arg)
{
	char **dirs = arg;
	struct dd_error err = { 0 };
	struct dd_config cfg = { 0 };
	char path[4096];
	int rootfd, fd;

	if (enter_private_mount_ns() < 0)
		return 10;
	dd_config_add_mount(&cfg, DD_MOUNT_BIND, dirs[1], "/data", true);
	rootfd = open(dirs[0], O_PATH | O_DIRECTORY);
	if (rootfs_mount_volumes(rootfd, &cfg, &err) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/data/seen", dirs[0]);
	if (access(path, F_OK) < 0)
		return 2;
	snprintf(path, sizeof(path), "%s/data/new", dirs[0]);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	return fd < 0 && errno == EROFS ? 0 : 3;
}

static void test_read_only_volume_shows_the_host_dir_and_refuses_writes(void **state)
{
	char *dirs[2] = { tu_mkdtemp(), tu_mkdtemp() };
	char seen[4096];

	snprintf(seen, sizeof(seen), "%s/seen", dirs[1]);
	close(open(seen, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(tu_in_child(mount_volume_and_write, dirs), 0);
	tu_rmdir(dirs[0]);
	tu_rmdir(dirs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pivot_root_leaves_no_way_back_to_the_host),
		cmocka_unit_test(test_dev_holds_null_and_ptys_but_no_host_disks),
		cmocka_unit_test(test_read_only_volume_shows_the_host_dir_and_refuses_writes),
	};

	return cmocka_run_group_tests_name("lab 07 rootfs", tests, NULL, tu_cleanup);
}
