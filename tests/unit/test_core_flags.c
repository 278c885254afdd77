/* test_core_flags.c: the one command-line parser behaves as Docker's. */
#include "testutil.h"

#include "core/base/cleanup.h"
#include "core/base/flags.h"

enum { F_ALL, F_QUIET, F_NAME, F_COUNT };

static const struct dd_flag flags[] = {
	{ 'a', "all", false, F_ALL },
	{ 'q', "quiet", false, F_QUIET },
	{ 'n', "name", true, F_NAME },
};

struct seen {
	int times[F_COUNT];
	const char *name;
};

static int note(void *arg, const struct dd_flag *f, const char *value, struct dd_error *err)
{
	struct seen *s = arg;

	s->times[f->id]++;
	if (f->id == F_NAME)
		s->name = value;
	return 0;
}

/* Parse a NULL-terminated argv; returns dd_flags_parse's result. */
static int parse(char **argv, bool stop, struct seen *s, char ***ops, int *n,
		 struct dd_error *err)
{
	const struct dd_flags_spec spec = { .flags = flags, .nflags = ARRAY_SIZE(flags),
					    .stop_at_operand = stop, .apply = note, .arg = s };
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(s, 0, sizeof(*s));
	return dd_flags_parse(&spec, argc, argv, ops, n, err);
}

static void test_flags_may_follow_operands(void **state)
{
	char *argv[] = { "rm", "a", "b", "-a", NULL };
	struct dd_error err = { 0 };
	struct seen s;
	char **ops;
	int n;

	assert_int_equal(parse(argv, false, &s, &ops, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ops[0], "a");
	assert_string_equal(ops[1], "b");
	assert_null(ops[2]);
	assert_int_equal(s.times[F_ALL], 1);
	free(ops);
}

static void test_short_flags_cluster_and_values_attach(void **state)
{
	char *argv[] = { "ps", "-aq", "-nfirst", "--name=second", "--name", "third", NULL };
	struct dd_error err = { 0 };
	struct seen s;
	char **ops;
	int n;

	assert_int_equal(parse(argv, false, &s, &ops, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(s.times[F_ALL], 1);
	assert_int_equal(s.times[F_QUIET], 1);
	assert_int_equal(s.times[F_NAME], 3);
	assert_string_equal(s.name, "third");
	free(ops);
}

static void test_double_dash_ends_the_flags(void **state)
{
	char *argv[] = { "rm", "--", "-a", "--name", NULL };
	struct dd_error err = { 0 };
	struct seen s;
	char **ops;
	int n;

	assert_int_equal(parse(argv, false, &s, &ops, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ops[0], "-a");
	assert_string_equal(ops[1], "--name");
	assert_int_equal(s.times[F_ALL], 0);
	free(ops);
}

static void test_the_first_operand_can_end_the_flags(void **state)
{
	char *argv[] = { "run", "-a", "image", "sh", "-a", "--name", NULL };
	struct dd_error err = { 0 };
	struct seen s;
	char **ops;
	int n;

	assert_int_equal(parse(argv, true, &s, &ops, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(ops[0], "image");
	assert_string_equal(ops[2], "-a");
	assert_int_equal(s.times[F_ALL], 1);
	free(ops);
}

static void test_bad_flags_are_usage_errors_that_name_them(void **state)
{
	char *unknown[] = { "ps", "--bogus=1", NULL }, *cluster[] = { "ps", "-ax", NULL };
	char *missing[] = { "ps", "--name", NULL }, *extra[] = { "ps", "--all=yes", NULL };
	struct dd_error err = { 0 };
	struct seen s;
	char **ops;
	int n;

	assert_int_equal(parse(unknown, false, &s, &ops, &n, &err), -1);
	assert_int_equal(err.kind, DD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "--bogus"));
	assert_int_equal(parse(cluster, false, &s, &ops, &n, &err), -1);
	assert_non_null(strstr(err.msg, "-x"));
	assert_int_equal(parse(missing, false, &s, &ops, &n, &err), -1);
	assert_non_null(strstr(err.msg, "needs a value"));
	assert_int_equal(parse(extra, false, &s, &ops, &n, &err), -1);
	assert_non_null(strstr(err.msg, "takes no value"));
}

static void test_a_lone_dash_is_an_operand(void **state)
{
	char *argv[] = { "import", "-", "name", NULL };
	struct dd_error err = { 0 };
	struct seen s;
	char **ops;
	int n;

	assert_int_equal(parse(argv, false, &s, &ops, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ops[0], "-");
	free(ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_may_follow_operands),
		cmocka_unit_test(test_short_flags_cluster_and_values_attach),
		cmocka_unit_test(test_double_dash_ends_the_flags),
		cmocka_unit_test(test_the_first_operand_can_end_the_flags),
		cmocka_unit_test(test_bad_flags_are_usage_errors_that_name_them),
		cmocka_unit_test(test_a_lone_dash_is_an_operand),
	};

	return cmocka_run_group_tests_name("core flags", tests, NULL, tu_cleanup);
}
