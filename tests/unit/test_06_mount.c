/* test_06_mount.c: lab 06, a private mount tree.
 *
 * The mount namespace comes from the code under test: each child is
 * cloned by chapter 02's ns_spawn with the namespaces the mount stage
 * declares (tu_in_stage_namespaces, tu_start), and its tree is made
 * private by the stage's own child hook, which calls mount_make_private.
 * A stage that forgot CLONE_NEWNS fails here, before its hook could make
 * the host's mounts private, instead of being rescued by a namespace the
 * test made itself. */
#include "testutil.h"

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "chapters/06-mount/mount.h"

struct mount_case {
	char *dir;          /* a shared tmpfs on the host */
	char sub[4096];     /* where the child mounts */
	char source[64];    /* the child's tmpfs, by name */
};

/* The mount stage's child hook, in the namespaces it declares; -1 with
 * err filled when it fails. */
static int run_mount_stage(struct dd_error *err)
{
	struct dd_config cfg = { .namespaces = mount_stage.namespaces };
	struct dd_container c = { .cfg = &cfg };

	return mount_stage.child(&c, err);
}

/* In the mount stage's namespaces: its hook makes the tree private,
 * then the child mounts a tmpfs. */
static int mount_inside(void *arg)
{
	struct mount_case *mc = arg;
	struct dd_error err = { 0 };

	if (run_mount_stage(&err) < 0)
		return tu_child_fail("the mount stage's child hook (mount_make_private(\"/\")) "
				     "returned -1: %s", err.msg);
	if (mount(mc->source, mc->sub, "tmpfs", 0, "size=1m") < 0)
		return tu_child_fail("set-up: mounting a tmpfs at '%s': %s", mc->sub,
				     strerror(errno));
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

	rc = tu_in_stage_namespaces(&mount_stage, CLONE_NEWNS, mount_inside, &mc);
	int leaked = tu_host_has_mount_source(mc.source);

	umount2(mc.dir, MNT_DETACH); /* takes a leaked mount with it */
	tu_rmdir(mc.dir);
	tu_assert_child_ok(rc);
	if (leaked)
		fail_msg("the tmpfs '%s' mounted inside appeared on the host", mc.source);
}

static void test_make_private_of_a_missing_path_names_it(void **state)
{
	struct dd_error err = { 0 };

	assert_int_equal(mount_make_private("/dd-no-such-dir", &err), -1);
	assert_non_null(strstr(err.msg, "/dd-no-such-dir"));
}

/* The other direction: after make_private, a mount the host makes in a
 * shared directory must not appear inside.  (MS_SLAVE stops only the
 * mounts going out.) */
struct inward_case {
	char *dir;	 /* a shared tmpfs on the host */
	char source[64]; /* the host's later mount, by name */
	int ready[2], go[2];
};

/* In the mount stage's namespaces: after its hook, wait for the host's
 * mount, then look for it. */
static int look_after_host_mount(void *arg)
{
	struct inward_case *ic = arg;
	struct dd_error err = { 0 };
	char c;

	close(ic->ready[0]);
	close(ic->go[1]);
	if (run_mount_stage(&err) < 0)
		return tu_child_fail("the mount stage's child hook (mount_make_private(\"/\")) "
				     "returned -1: %s", err.msg);
	if (write(ic->ready[1], "r", 1) != 1 || read(ic->go[0], &c, 1) != 1)
		return tu_child_fail("lost the test's parent");
	if (tu_host_has_mount_source(ic->source))
		return tu_child_fail("the tmpfs '%s' the host mounted after mount_make_private "
				     "appeared inside: the mounts must be private, not slaves",
				     ic->source);
	return 0;
}

static void test_a_host_mount_made_afterwards_does_not_reach_inside(void **state)
{
	struct inward_case ic = { .dir = tu_mkdtemp() };
	struct tu_child child;
	char sub[4096], c;
	int rc;

	assert_int_equal(pipe(ic.ready), 0);
	assert_int_equal(pipe(ic.go), 0);
	assert_int_equal(mount("ddtest-peer", ic.dir, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(mount(NULL, ic.dir, NULL, MS_SHARED, NULL), 0);
	snprintf(sub, sizeof(sub), "%s/sub", ic.dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(ic.source, sizeof(ic.source), "ddhost-%u", tu_random(1, 1u << 30));
	tu_start(&child, &mount_stage, CLONE_NEWNS, look_after_host_mount, &ic);
	/* Only the child holds these ends: if it fails early, read sees
	 * the end of the pipe instead of waiting for ever. */
	close(ic.ready[1]);
	close(ic.go[0]);
	int ready = read(ic.ready[0], &c, 1);
	int mounted = mount(ic.source, sub, "tmpfs", 0, "size=1m");

	signal(SIGPIPE, SIG_IGN); /* a child that failed early reads no more */
	write(ic.go[1], "g", 1);
	signal(SIGPIPE, SIG_DFL);
	close(ic.go[1]);
	close(ic.ready[0]);
	rc = tu_wait(&child);
	umount2(ic.dir, MNT_DETACH);
	tu_rmdir(ic.dir);
	/* The child's own word first: it says why it stopped early. */
	if (rc != 0 && tu_child_msg[0])
		fail_msg("%s", tu_child_msg);
	assert_int_equal(ready, 1);
	assert_int_equal(mounted, 0);
	if (rc != 0)
		fail_msg("the tmpfs '%s' the host mounted after mount_make_private appeared "
			 "inside (or the child failed): the mounts must be private, not slaves",
			 ic.source);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_mount_made_inside_does_not_reach_the_host),
		cmocka_unit_test(test_make_private_of_a_missing_path_names_it),
		cmocka_unit_test(test_a_host_mount_made_afterwards_does_not_reach_inside),
	};

	return cmocka_run_group_tests_name("lab 06 mount", tests, NULL, tu_cleanup);
}
