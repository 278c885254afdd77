/* test_03_uts.c: lab 03, a private hostname.
 *
 * The namespace comes from the code under test: the child is cloned by
 * chapter 02's ns_spawn with the namespaces the uts stage says it relies
 * on (tu_in_stage_namespaces), and the hostname is set by the stage's
 * own child hook.  A stage that forgets CLONE_NEWUTS therefore fails
 * here, before its hook could rename the machine, instead of being
 * rescued by a namespace the test made itself. */
#include "testutil.h"

#include <sched.h>

#include "chapters/03-uts/uts.h"

#define HOST_NAME_SIZE 65 /* HOST_NAME_MAX + 1 */

/* In the uts stage's namespaces (tu_in_stage_namespaces has checked the
 * UTS one is not the host's): the stage's hook sets the name. */
static int set_by_the_stage(void *arg)
{
	struct dd_error err = { 0 };
	struct dd_config cfg = { .hostname = arg, .hostname_set = true,
				 .namespaces = uts_stage.namespaces };
	struct dd_container c = { .cfg = &cfg };
	char seen[HOST_NAME_SIZE] = "";

	if (uts_stage.child(&c, &err) < 0)
		return tu_child_fail("the uts stage's child hook returned -1: %s", err.msg);
	gethostname(seen, sizeof(seen) - 1);
	if (strcmp(seen, arg))
		return tu_child_fail("after the uts stage's child hook the hostname is '%s', "
				     "not '%s'", seen, (char *)arg);
	return 0;
}

static void test_set_hostname_changes_only_the_new_namespace(void **state)
{
	char name[32], host_before[HOST_NAME_SIZE] = "", host_after[HOST_NAME_SIZE] = "";
	int rc;

	snprintf(name, sizeof(name), "dd-uts-%u", tu_random(1, 1u << 30));
	gethostname(host_before, sizeof(host_before) - 1);
	rc = tu_in_stage_namespaces(&uts_stage, CLONE_NEWUTS, set_by_the_stage, name);
	gethostname(host_after, sizeof(host_after) - 1);
	/* A stage that set the name outside a namespace of its own renamed
	 * this machine: put the name back before failing. */
	if (strcmp(host_before, host_after) != 0) {
		sethostname(host_before, strlen(host_before));
		fail_msg("the host was renamed '%s' (uts stage namespaces %#lx)", host_after,
			 uts_stage.namespaces);
	}
	if (!(uts_stage.namespaces & CLONE_NEWUTS))
		fail_msg("the uts stage does not ask for CLONE_NEWUTS (namespaces %#lx)",
			 uts_stage.namespaces);
	tu_assert_child_ok(rc);
}

/* The kernel takes at most 64 bytes (HOST_NAME_MAX): a longer name is
 * refused, and the caller must hear of it. */
static int set_too_long(void *arg)
{
	struct dd_error err = { 0 };
	const char *name = arg;
	char before[65] = "", after[65] = "";

	if (unshare(CLONE_NEWUTS) < 0)
		return tu_child_fail("unshare(CLONE_NEWUTS): %s", strerror(errno));
	gethostname(before, sizeof(before) - 1);
	if (uts_set_hostname(name, &err) == 0)
		return tu_child_fail("uts_set_hostname returned 0 for a %zu-byte name, which "
				     "sethostname(2) refuses: check its return value",
				     strlen(name));
	gethostname(after, sizeof(after) - 1);
	if (strcmp(before, after))
		return tu_child_fail("the hostname changed to '%s' though setting it failed", after);
	if (err.errnum != EINVAL || !strstr(err.msg, name))
		return tu_child_fail("the error should name the hostname and say EINVAL; it "
				     "says (errno %d): %s", err.errnum, err.msg);
	return 0;
}

static void test_set_hostname_refuses_a_name_longer_than_64_bytes_naming_it(void **state)
{
	char name[128];
	size_t len = tu_random(65, 100);

	for (size_t i = 0; i < len; i++)
		name[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[tu_random(0, 35)];
	name[len] = '\0';
	tu_child_ok(set_too_long, name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_hostname_changes_only_the_new_namespace),
		cmocka_unit_test(test_set_hostname_refuses_a_name_longer_than_64_bytes_naming_it),
	};

	return cmocka_run_group_tests_name("lab 03 uts", tests, NULL, tu_cleanup);
}
