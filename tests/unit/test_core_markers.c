/* test_core_markers.c: cutting solution regions out of a handout. */
#include "testutil.h"

#include "core/markers.h"

static const char source[] =
	"/* chapter */\n"
	"/* BEGIN SOLUTION: a helper */\n"
	"static int helper(void) { return 1; }\n"
	"/* END SOLUTION */\n"
	"\n"
	"int f(struct dd_error *err)\n"
	"{\n"
	"\tint keep = 1;\n"
	"\t/* BEGIN SOLUTION: call \"helper\" and return 0 */\n"
	"\treturn helper() - keep;\n"
	"\t/* END SOLUTION */\n"
	"}\n"
	"int g(struct dd_error *err)\n"
	"{\n"
	"\t/* BEGIN SOLUTION(lab 9): later work */\n"
	"\treturn 9;\n"
	"\t/* END SOLUTION */\n"
	"}\n";

static char *cut(const char *text, int from_lab, struct dd_error *err)
{
	char *out = NULL;

	if (dd_markers_cut("x.c", text, 3, from_lab, &out, err) < 0)
		return NULL;
	return out;
}

static void test_region_in_a_function_becomes_todo_and_not_implemented(void **state)
{
	struct dd_error err = { 0 };
	char *out = cut(source, 3, &err);

	assert_non_null(out);
	assert_non_null(strstr(out, "\t/* TODO(lab 03): call \"helper\" and return 0 */\n"
				    "\treturn dd_not_implemented(err, 3, \"call \\\"helper\\\" and return 0\");\n"
				    "}\n"));
	assert_null(strstr(out, "return helper() - keep;"));
	assert_non_null(strstr(out, "\tint keep = 1;\n")); /* outside: untouched */
	free(out);
}

static void test_file_scope_region_becomes_a_comment_only(void **state)
{
	struct dd_error err = { 0 };
	char *out = cut(source, 3, &err);

	assert_non_null(out);
	assert_true(strncmp(out, "/* chapter */\n/* TODO(lab 03): a helper */\n\nint f(", 50) == 0);
	assert_null(strstr(out, "static int helper"));
	free(out);
}

static void test_earlier_labs_keep_their_code_byte_for_byte(void **state)
{
	struct dd_error err = { 0 };
	char *out = cut(source, 4, &err);  /* lab 3 is done, lab 9 is not */

	assert_non_null(out);
	assert_non_null(strstr(out, "return helper() - keep;"));
	assert_non_null(strstr(out, "return dd_not_implemented(err, 9, \"later work\");"));
	free(out);
	out = cut(source, 10, &err);     /* every lab done: the same text */
	assert_non_null(out);
	assert_string_equal(out, source);
	free(out);
}

static void expect_error(const char *text, const char *words)
{
	struct dd_error err = { 0 };
	char *out = cut(text, 1, &err);

	assert_null(out);
	assert_non_null(strstr(err.msg, words));
}

static void test_unbalanced_nested_and_empty_markers_are_errors_naming_the_line(void **state)
{
	expect_error("a\n/* BEGIN SOLUTION: x */\nb\n", "x.c:2: solution region never closed");
	expect_error("a\nb\n/* END SOLUTION */\n", "x.c:3: END SOLUTION without a BEGIN");
	expect_error("/* BEGIN SOLUTION: x */\n/* BEGIN SOLUTION: y */\n/* END SOLUTION */\n"
		     "/* END SOLUTION */\n", "x.c:2: solution region inside another");
	expect_error("\n\n/* BEGIN SOLUTION:   */\n/* END SOLUTION */\n", "x.c:3:");
	expect_error("/* BEGIN SOLUTION x */\n/* END SOLUTION */\n", "x.c:1:");
}

static void test_regions_are_listed_with_lab_and_task(void **state)
{
	struct dd_marker_region *r = NULL;
	struct dd_error err = { 0 };
	size_t n = 0;

	assert_int_equal(dd_markers_scan("x.c", source, 3, &r, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(r[0].file_scope);
	assert_int_equal(r[1].begin_line, 9);
	assert_int_equal(r[1].end_line, 11);
	assert_string_equal(r[1].task, "call \"helper\" and return 0");
	assert_int_equal(r[2].lab, 9);
	free(r);
	assert_int_equal(dd_markers_lab_of_path("chapters/07-rootfs/dev.c"), 7);
	assert_int_equal(dd_markers_lab_of_path("core/util.c"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_in_a_function_becomes_todo_and_not_implemented),
		cmocka_unit_test(test_file_scope_region_becomes_a_comment_only),
		cmocka_unit_test(test_earlier_labs_keep_their_code_byte_for_byte),
		cmocka_unit_test(test_unbalanced_nested_and_empty_markers_are_errors_naming_the_line),
		cmocka_unit_test(test_regions_are_listed_with_lab_and_task),
	};

	return cmocka_run_group_tests_name("core markers", tests, NULL, tu_cleanup);
}
