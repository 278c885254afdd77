/* test_07_rootfs.c: lab 07, pivot_root and the container's /dev.
 *
 * The mount namespace comes from the code under test: each child is
 * cloned by chapter 02's ns_spawn with the namespaces the rootfs stage
 * declares (tu_stage_child_ok), its tree made private by chapter 06's
 * mount_make_private.  A stage that forgot CLONE_NEWNS fails here,
 * before the lab's code could pivot or mount on the host's tree. */
#include "testutil.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "chapters/06-mount/mount.h"
#include "chapters/07-rootfs/rootfs.h"

/* In the child: make its mount tree private, as the mount stage does
 * before the rootfs stage runs; 0, or 1 with the reason reported. */
static int make_tree_private(void)
{
	struct dd_error err = { 0 };

	if (mount_make_private("/", &err) < 0)
		return tu_child_fail("set-up: a private mount tree: %s", err.msg);
	return 0;
}

/* After the pivot: the marker is at "/", the host's files are gone and
 * "/.." is "/" itself. */
static int pivot_and_look(void *arg)
{
	const char *root = arg;
	struct dd_error err = { 0 };
	struct stat top, up;

	if (make_tree_private())
		return 1;
	if (rootfs_pivot(root, &err) < 0)
		return tu_child_fail("rootfs_pivot(\"%s\") returned -1: %s", root, err.msg);
	if (access("/marker", F_OK) < 0)
		return tu_child_fail("after the pivot, /marker (made in the new root) is missing: "
				     "/ is not the new root");
	if (access("/etc/passwd", F_OK) == 0 || access(root, F_OK) == 0)
		return tu_child_fail("after the pivot the host's files are still reachable "
				     "(/etc/passwd or %s): was the old root detached?", root);
	if (stat("/", &top) < 0 || stat("/..", &up) < 0 || chdir("/..") < 0)
		return tu_child_fail("cannot stat / or /.. after the pivot: %s", strerror(errno));
	if (top.st_ino != up.st_ino || top.st_dev != up.st_dev)
		return tu_child_fail("/.. is not / after the pivot: cd .. leaves the root");
	return 0;
}

static void test_pivot_root_leaves_no_way_back_to_the_host(void **state)
{
	char *root = tu_mkdtemp();
	char marker[4096];

	snprintf(marker, sizeof(marker), "%s/marker", root);
	close(open(marker, O_CREAT | O_WRONLY, 0644));
	tu_stage_child_ok(&rootfs_stage, CLONE_NEWNS, pivot_and_look, root);
	tu_rmdir(root);
}

static int make_dev_and_look(void *arg)
{
	const char *root = arg;
	struct dd_error err = { 0 };
	char path[4096];
	struct stat st;
	int rootfd;

	if (make_tree_private())
		return 1;
	rootfd = open(root, O_PATH | O_DIRECTORY);
	if (rootfs_make_dev(rootfd, &err) < 0)
		return tu_child_fail("rootfs_make_dev returned -1: %s", err.msg);
	snprintf(path, sizeof(path), "%s/dev/null", root);
	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3) ||
	    (st.st_mode & 0666) != 0666)
		return tu_child_fail("/dev/null is not a character device 1:3 with mode 0666");
	snprintf(path, sizeof(path), "%s/dev/sda", root);
	if (access(path, F_OK) == 0)
		return tu_child_fail("/dev/sda exists: the host's disks must stay outside");
	snprintf(path, sizeof(path), "%s/dev/pts/ptmx", root);
	if (access(path, F_OK) < 0)
		return tu_child_fail("/dev/pts/ptmx is missing: no devpts at /dev/pts");
	return 0;
}

static void test_dev_holds_null_and_ptys_but_no_host_disks(void **state)
{
	char *root = tu_mkdtemp();

	tu_stage_child_ok(&rootfs_stage, CLONE_NEWNS, make_dev_and_look, root);
	tu_rmdir(root);
}

static int mount_volume_and_write(void *arg)
{
	char **dirs = arg;
	struct dd_error err = { 0 };
	struct dd_config cfg = { 0 };
	char path[4096];
	int rootfd, fd;

	if (make_tree_private())
		return 1;
	dd_config_add_mount(&cfg, DD_MOUNT_BIND, dirs[1], "/data", true);
	rootfd = open(dirs[0], O_PATH | O_DIRECTORY);
	if (rootfs_mount_volumes(rootfd, &cfg, &err) < 0)
		return tu_child_fail("rootfs_mount_volumes returned -1: %s", err.msg);
	snprintf(path, sizeof(path), "%s/data/seen", dirs[0]);
	if (access(path, F_OK) < 0)
		return tu_child_fail("the volume's file 'seen' is not at /data/seen: the host "
				     "directory was not mounted there");
	snprintf(path, sizeof(path), "%s/data/new", dirs[0]);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		return tu_child_fail("a file could be created in the :ro volume: a bind mount "
				     "takes MS_RDONLY only from a second, remounting call");
	if (errno != EROFS)
		return tu_child_fail("creating a file in the :ro volume failed with %s, not EROFS",
				     strerror(errno));
	return 0;
}

static void test_read_only_volume_shows_the_host_dir_and_refuses_writes(void **state)
{
	char *dirs[2] = { tu_mkdtemp(), tu_mkdtemp() };
	char seen[4096];

	snprintf(seen, sizeof(seen), "%s/seen", dirs[1]);
	close(open(seen, O_CREAT | O_WRONLY, 0644));
	tu_stage_child_ok(&rootfs_stage, CLONE_NEWNS, mount_volume_and_write, dirs);
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
