/* test_03_uts.c: lab 03, a private hostname. */
#include "testutil.h"

#include <sched.h>

#include "chapters/03-uts/uts.h"

static int set_in_new_uts(void *arg)
{
	struct dd_error err = { 0 };
	char seen[65] = "";

	if (unshare(CLONE_NEWUTS) < 0)
		return 3;
	if (uts_set_hostname(arg, &err) < 0)
		return 1;
	gethostname(seen, sizeof(seen) - 1);
	return strcmp(seen, arg) == 0 ? 0 : 2;
}

static void test_set_hostname_changes_only_the_new_namespace(void **state)
{
	char name[32], host_before[65] = "", host_after[65] = "";

	snprintf(name, sizeof(name), "dd-uts-%u", tu_random(1, 1u << 30));
	gethostname(host_before, sizeof(host_before) - 1);
	assert_int_equal(tu_in_child(set_in_new_uts, name), 0);
	gethostname(host_after, sizeof(host_after) - 1);
	assert_string_equal(host_before, host_after);
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
