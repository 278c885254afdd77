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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_hostname_changes_only_the_new_namespace),
	};

	return cmocka_run_group_tests_name("lab 03 uts", tests, NULL, tu_cleanup);
}
