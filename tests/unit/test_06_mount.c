/* test_06_mount.c: lab 06, a private mount tree. */
#include "testutil.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "chapters/06-mount/mount.h"

struct mount_case {
	char *dir;          /* a shared tmpfs on the host */
	char sub[4096];     /* where the child mounts */
	char source[64];    /* the child's tmpfs, by name */
};

/* In a new mount namespace: make it private, then mount a tmpfs. */
static int mount_inside(void *arg)
{
	struct mount_case *mc = arg;
	struct dd_error err = { 0 };

	if (unshare(CLONE_NEWNS) < 0)
		return 3;
	if (mount_make_private("/", &err) < 0)
		return 1;
	if (mount(mc->source, mc->sub, "tmpfs", 0, "size=1m") < 0)
		return 2;
	return 0;
}

static void test_a_mount_made_inside_does_not_reach_the_host(void **state)
{
	struct mount_case mc = { .dir = tu_mkdtemp() };
	int rc;

	/* A shared mount of our own on the host: without private
	 * propagation, the child's copy of it would pass mounts back. */
	assert_int_equal(mount("ddtest-peer", mc.dir, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(mount(NULL, mc.dir, NULL, MS_SHARED, NULL), 0);
	snprintf(mc.sub, sizeof(mc.sub), "%s/sub", mc.dir);
	assert_int_equal(mkdir(mc.sub, 0755), 0);
	snprintf(mc.source, sizeof(mc.source), "ddtest-%u", tu_random(1, 1u << 30));

	rc = tu_in_child(mount_inside, &mc);
	int leaked = tu_host_has_mount_source(mc.source);

	umount2(mc.dir, MNT_DETACH); /* takes a leaked mount with it */
	tu_rmdir(mc.dir);
	assert_int_equal(rc, 0);
	if (leaked)
		fail_msg("the tmpfs '%s' mounted inside appeared on the host", mc.source);
}

static void test_make_private_of_a_missing_path_names_it(void **state)
{
	struct dd_error err = { 0 };

	assert_int_equal(mount_make_private("/dd-no-such-dir", &err), -1);
	assert_non_null(strstr(err.msg, "/dd-no-such-dir"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_mount_made_inside_does_not_reach_the_host),
		cmocka_unit_test(test_make_private_of_a_missing_path_names_it),
	};

	return cmocka_run_group_tests_name("lab 06 mount", tests, NULL, tu_cleanup);
}
