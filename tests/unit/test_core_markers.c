/* test_core_markers.c: cutting solution regions out of a handout (core/markers.h). */
#include "testutil.h"

#include "core/lab/markers.h"

/* A chapter file of lab 3 with one region of each kind and one of lab 9. */
static const char source[] =
	"/* chapter */\n"
	"/* BEGIN SOLUTION: a helper */\n"
	"static int helper(void) { return 1; }\n"
	"/* END SOLUTION */\n"
	"\n"
	"int f(struct dd_error *err)\n"
	"{\n"
	"\tint keep = 1;\n"
	"\t/* BEGIN SOLUTION: call helper and return 0 */\n"
	"\treturn helper() - keep;\n"
	"\t/* END SOLUTION */\n"
	"}\n"
	"int g(struct dd_error *err)\n"
	"{\n"
	"    /* BEGIN SOLUTION(lab 9): later work */\n"
	"    return 9;\n"
	"    /* END SOLUTION */\n"
	"}\n";

/* The handout of text for labs from_lab and later, or NULL with err filled. */
static char *cut(const char *name, const char *text, int from_lab, struct dd_error *err)
{
	char *out = NULL;
	size_t len = 0;

	if (dd_markers_cut(name, text, strlen(text), dd_markers_lab_of_path(name), from_lab,
			   &out, &len, err) < 0) {
		assert_null(out);
		return NULL;
	}
	assert_int_equal(len, strlen(out));
	return out;
}

static char *cut_ok(const char *text, int from_lab)
{
	struct dd_error err = { 0 };
	char *out = cut("chapters/03-uts/uts.c", text, from_lab, &err);

	if (!out)
		fail_msg("unexpected error: %s", err.msg);
	return out;
}

/* The error message cutting text gives (static buffer). */
static const char *cut_error(const char *text)
{
	static struct dd_error err;
	char *out;

	memset(&err, 0, sizeof(err));
	out = cut("chapters/03-uts/uts.c", text, 1, &err);
	if (out) {
		free(out);
		fail_msg("no error for:\n%s", text);
	}
	return err.msg;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!haystack || !strstr(haystack, needle))
		fail_msg("expected to find\n%s\nin\n%s", needle, haystack ? haystack : "nothing");
}

static void test_region_inside_a_function_becomes_todo_and_return_not_implemented(void **state)
{
	char *out = cut_ok(source, 3);

	assert_contains(out, "{\n"
			     "\tint keep = 1;\n"
			     "\t/* TODO(lab 03): call helper and return 0 */\n"
			     "\treturn dd_not_implemented(err, 3, \"call helper and return 0\");\n"
			     "}\n");
	assert_null(strstr(out, "helper() - keep"));
	free(out);
}

static void test_stub_takes_the_region_lab_and_its_indentation(void **state)
{
	unsigned lab = tu_random(10, 99);
	char text[256], want[512];
	char *out;

	snprintf(text, sizeof(text),
		 "int f(struct dd_error *err)\n{\n  \t /* BEGIN SOLUTION(lab %u): do it */\n"
		 "\treturn 0;\n  \t /* END SOLUTION */\n}\n", lab);
	snprintf(want, sizeof(want),
		 "int f(struct dd_error *err)\n{\n  \t /* TODO(lab %u): do it */\n"
		 "  \t return dd_not_implemented(err, %u, \"do it\");\n}\n", lab, lab);
	out = cut_ok(text, lab);
	assert_string_equal(out, want);
	free(out);
}

static void test_file_scope_region_becomes_a_todo_comment_only(void **state)
{
	char *out = cut_ok(source, 3);

	assert_true(!strncmp(out, "/* chapter */\n/* TODO(lab 03): a helper */\n\nint f(",
			     strlen("/* chapter */\n/* TODO(lab 03): a helper */\n\nint f(")));
	assert_null(strstr(out, "static int helper"));
	assert_null(strstr(out, "dd_not_implemented(err, 3, \"a helper\")"));
	free(out);
}

static void test_later_labs_are_replaced_and_earlier_labs_keep_their_code(void **state)
{
	char *out = cut_ok(source, 4); /* lab 3 is done, lab 9 is not */

	assert_contains(out, "\t/* BEGIN SOLUTION: call helper and return 0 */\n"
			     "\treturn helper() - keep;\n"
			     "\t/* END SOLUTION */\n");
	assert_contains(out, "    /* TODO(lab 09): later work */\n"
			     "    return dd_not_implemented(err, 9, \"later work\");\n}\n");
	assert_null(strstr(out, "return 9;"));
	free(out);

	out = cut_ok(source, 1); /* lab 1's handout: everything replaced */
	assert_null(strstr(out, "SOLUTION"));
	free(out);
}

static void test_text_outside_regions_is_byte_identical(void **state)
{
	/* CRLF lines, trailing blanks, and no newline at the end. */
	static const char text[] = "a  \r\n"
				   "\t/* BEGIN SOLUTION: x */\r\n"
				   "\tgone();\r\n"
				   "\t/* END SOLUTION */\r\n"
				   "\v b \t\r\n"
				   "last";
	static const char want[] = "a  \r\n"
				   "\t/* TODO(lab 03): x */\r\n"
				   "\treturn dd_not_implemented(err, 3, \"x\");\r\n"
				   "\v b \t\r\n"
				   "last";
	char *out = cut_ok(text, 3);

	assert_string_equal(out, want);
	free(out);

	out = cut_ok(source, 10); /* every lab done: the text unchanged */
	assert_string_equal(out, source);
	free(out);
}

static void test_task_with_quotes_is_escaped_in_the_c_string(void **state)
{
	char *out = cut_ok("\t/* BEGIN SOLUTION: print \"hi\\n\", then what?? */\n"
			   "\t/* END SOLUTION */\n",
			   3);

	assert_string_equal(out, "\t/* TODO(lab 03): print \"hi\\n\", then what?? */\n"
				 "\treturn dd_not_implemented(err, 3, "
				 "\"print \\\"hi\\\\n\\\", then what?\\?\");\n");
	free(out);
}

static void test_begin_never_closed_is_an_error_naming_its_line(void **state)
{
	assert_contains(cut_error("a\n\t/* BEGIN SOLUTION: x */\nb\n"),
			"chapters/03-uts/uts.c:2: BEGIN SOLUTION never closed");
}

static void test_end_without_begin_is_an_error_naming_its_line(void **state)
{
	assert_contains(cut_error("a\nb\n\t/* END SOLUTION */\n"),
			"chapters/03-uts/uts.c:3: END SOLUTION without a BEGIN SOLUTION");
	assert_contains(cut_error("/* BEGIN SOLUTION: x */\n/* END SOLUTION */\n"
				  "/* END SOLUTION */\n"),
			"uts.c:3: END SOLUTION without");
}

static void test_nested_begin_is_an_error_naming_both_lines(void **state)
{
	assert_contains(cut_error("/* BEGIN SOLUTION: x */\n\n\t/* BEGIN SOLUTION: y */\n"
				  "\t/* END SOLUTION */\n/* END SOLUTION */\n"),
			"uts.c:3: BEGIN SOLUTION inside the region opened at line 1");
}

static void test_empty_task_is_an_error_naming_the_line(void **state)
{
	assert_contains(cut_error("\n\n/* BEGIN SOLUTION:   */\n/* END SOLUTION */\n"),
			"uts.c:3: solution marker with an empty task");
	assert_contains(cut_error("\n/* BEGIN SOLUTION(lab 4):*/\n/* END SOLUTION */\n"),
			"uts.c:2: solution marker with an empty task");
}

static void test_near_miss_markers_are_errors_not_text(void **state)
{
	/* Each would otherwise leave a solution in the handout. */
	assert_contains(cut_error("/* BEGIN SOLUTION */\n/* END SOLUTION */\n"), "uts.c:1: malformed");
	assert_contains(cut_error("/*BEGIN SOLUTION: x*/ f();\n/* END SOLUTION */\n"), "uts.c:1: malformed");
	assert_contains(cut_error("/* BEGIN SOLUTION(lab x): y */\n/* END SOLUTION */\n"),
			"uts.c:1: bad '(lab N)'");
	assert_contains(cut_error("/* BEGIN SOLUTION: x */\n/* END SOLUTION */ }\n"),
			"uts.c:2: malformed end marker");
	assert_contains(cut_error("/* BEGIN SOLUTION: a */ b */\n/* END SOLUTION */\n"),
			"uts.c:1: a solution marker's task may not contain");
}

static void test_marker_words_inside_code_or_comments_are_not_markers(void **state)
{
	static const char text[] = " * BEGIN SOLUTION: in a comment\n"
				   "\tputs(\"/* BEGIN SOLUTION: in a string */\");\n"
				   "f(); /* END SOLUTION */\n";
	char *out = cut_ok(text, 1);

	assert_string_equal(out, text);
	free(out);
}

static void test_region_outside_chapters_must_name_its_lab(void **state)
{
	struct dd_error err = { 0 };
	char *out;

	assert_null(cut("core/x.c", "\t/* BEGIN SOLUTION: x */\n\t/* END SOLUTION */\n", 1, &err));
	assert_contains(err.msg, "core/x.c:1: solution marker without a lab");
	out = cut("core/x.c", "\t/* BEGIN SOLUTION(lab 5): x */\n\t/* END SOLUTION */\n", 5, &err);
	assert_non_null(out);
	assert_string_equal(out, "\t/* TODO(lab 05): x */\n"
				 "\treturn dd_not_implemented(err, 5, \"x\");\n");
	free(out);
}

static void test_regions_are_listed_with_lines_lab_and_task(void **state)
{
	struct dd_marker_region *r = NULL;
	struct dd_error err = { 0 };
	size_t n = 0;

	assert_int_equal(dd_markers_scan("x.c", source, strlen(source), 3, &r, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(r[0].file_scope);
	assert_int_equal(r[0].begin_line, 2);
	assert_int_equal(r[0].end_line, 4);
	assert_false(r[1].file_scope);
	assert_int_equal(r[1].begin_line, 9);
	assert_int_equal(r[1].end_line, 11);
	assert_int_equal(r[1].lab, 3);
	assert_string_equal(r[1].task, "call helper and return 0");
	assert_int_equal(r[2].lab, 9);
	assert_string_equal(r[2].task, "later work");
	free(r);

	assert_int_equal(dd_markers_scan("x.c", "no markers\n", 11, 3, &r, &n, &err), 0);
	assert_int_equal(n, 0);
	free(r);
}

static void test_lab_of_path_is_the_chapter_number(void **state)
{
	assert_int_equal(dd_markers_lab_of_path("chapters/07-rootfs/dev.c"), 7);
	assert_int_equal(dd_markers_lab_of_path("chapters/16-security/sub/x.h"), 16);
	assert_int_equal(dd_markers_lab_of_path("/tmp/t/chapters/03-uts/uts.c"), 3);
	assert_int_equal(dd_markers_lab_of_path("core/util.c"), 0);
	assert_int_equal(dd_markers_lab_of_path("mychapters/03-uts/uts.c"), 0);
	assert_int_equal(dd_markers_lab_of_path("chapters/3-uts/uts.c"), 0);
	assert_int_equal(dd_markers_lab_of_path("chapters/"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_inside_a_function_becomes_todo_and_return_not_implemented),
		cmocka_unit_test(test_stub_takes_the_region_lab_and_its_indentation),
		cmocka_unit_test(test_file_scope_region_becomes_a_todo_comment_only),
		cmocka_unit_test(test_later_labs_are_replaced_and_earlier_labs_keep_their_code),
		cmocka_unit_test(test_text_outside_regions_is_byte_identical),
		cmocka_unit_test(test_task_with_quotes_is_escaped_in_the_c_string),
		cmocka_unit_test(test_begin_never_closed_is_an_error_naming_its_line),
		cmocka_unit_test(test_end_without_begin_is_an_error_naming_its_line),
		cmocka_unit_test(test_nested_begin_is_an_error_naming_both_lines),
		cmocka_unit_test(test_empty_task_is_an_error_naming_the_line),
		cmocka_unit_test(test_near_miss_markers_are_errors_not_text),
		cmocka_unit_test(test_marker_words_inside_code_or_comments_are_not_markers),
		cmocka_unit_test(test_region_outside_chapters_must_name_its_lab),
		cmocka_unit_test(test_regions_are_listed_with_lines_lab_and_task),
		cmocka_unit_test(test_lab_of_path_is_the_chapter_number),
	};

	return cmocka_run_group_tests_name("core markers", tests, NULL, tu_cleanup);
}
