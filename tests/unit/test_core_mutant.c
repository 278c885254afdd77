/* test_core_mutant.c: reading mutants and putting them in their region (core/lab/mutant.h). */
#include "testutil.h"

#include "core/lab/mutant.h"

static const char chapter[] =
	"int f(struct dd_error *err)\n"
	"{\n"
	"\t/* BEGIN SOLUTION: return the answer */\n"
	"\treturn 42;\n"
	"\t/* END SOLUTION */\n"
	"}\n"
	"int g(struct dd_error *err)\n"
	"{\n"
	"\t/* BEGIN SOLUTION: return nothing */\n"
	"\treturn 0;\n"
	"\t/* END SOLUTION */\n"
	"}\n";

static const char *parse_error(const char *text)
{
	static struct dd_error err;
	struct dd_mutant m;

	memset(&err, 0, sizeof(err));
	if (dd_mutant_parse("m.c", text, strlen(text), &m, &err) == 0)
		fail_msg("no error for:\n%s", text);
	return err.msg;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected to find '%s' in '%s'", needle, haystack);
}

static void test_mutant_replaces_only_the_region_named_by_its_task(void **state)
{
	unsigned value = tu_random(100, 999);
	char text[512], want[1024];
	struct dd_error err = { 0 };
	struct dd_mutant m;
	char *out = NULL;
	size_t len;
	int lab = 0;

	snprintf(text, sizeof(text),
		 "/* mutant: returns a made-up value\n"
		 " * file: chapters/03-uts/x.c\n"
		 " * task: return the answer\n"
		 " */\n"
		 "\treturn %u;\n", value);
	if (dd_mutant_parse("m.c", text, strlen(text), &m, &err) < 0)
		fail_msg("dd_mutant_parse returned -1: %s", err.msg);
	assert_string_equal(m.mistake, "returns a made-up value");
	assert_string_equal(m.file, "chapters/03-uts/x.c");
	if (dd_mutant_apply(&m, chapter, strlen(chapter), 3, &lab, &out, &len, &err) < 0)
		fail_msg("dd_mutant_apply returned -1: %s", err.msg);
	snprintf(want, sizeof(want),
		 "int f(struct dd_error *err)\n{\n\t/* BEGIN SOLUTION: return the answer */\n"
		 "\treturn %u;\n\t/* END SOLUTION */\n}\n%s", value,
		 strstr(chapter, "int g("));
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(lab, 3);
	free(out);
}

static void test_a_task_no_region_has_is_an_error_naming_file_and_task(void **state)
{
	const char text[] = "/* mutant: x\n * file: chapters/03-uts/x.c\n"
			    " * task: return the question\n */\nreturn 1;\n";
	struct dd_error err = { 0 };
	struct dd_mutant m;
	char *out = NULL;
	size_t len;
	int lab;

	assert_int_equal(dd_mutant_parse("m.c", text, strlen(text), &m, &err), 0);
	assert_int_equal(dd_mutant_apply(&m, chapter, strlen(chapter), 3, &lab, &out, &len,
					 &err), -1);
	assert_null(out);
	assert_contains(err.msg, "chapters/03-uts/x.c has no solution region");
	assert_contains(err.msg, "'return the question'");
}

static void test_a_header_without_file_task_or_mistake_is_an_error(void **state)
{
	assert_contains(parse_error("/* x\n * file: chapters/a/b.c\n * task: t\n */\n"),
			"m.c:1: a mutant starts with '/* mutant:");
	assert_contains(parse_error("/* mutant: x\n * task: t\n */\nbody\n"), "lacks a 'file:'");
	assert_contains(parse_error("/* mutant: x\n * file: chapters/a/b.c\n */\n"),
			"lacks a 'task:'");
	assert_contains(parse_error("/* mutant: x\n * file: chapters/a/b.c\n * task: t\n"),
			"never closed");
	assert_contains(parse_error("/* mutant: x\n * file: chapters/a/b.c\n * when: now\n */\n"),
			"m.c:3: unknown header line");
}

static void test_a_file_outside_chapters_and_core_is_refused(void **state)
{
	assert_contains(parse_error("/* mutant: x\n * file: ../etc/passwd\n * task: t\n */\n"),
			"'../etc/passwd' is not a .c or .h file under chapters/ or core/");
	assert_contains(parse_error("/* mutant: x\n * file: chapters/../../x.c\n * task: t\n */\n"),
			"not a .c or .h file");
}

static void test_a_body_with_solution_markers_is_refused(void **state)
{
	assert_contains(parse_error("/* mutant: x\n * file: chapters/03-uts/x.c\n * task: t\n */\n"
				    "/* BEGIN SOLUTION: again */\n/* END SOLUTION */\n"),
			"the body holds solution markers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutant_replaces_only_the_region_named_by_its_task),
		cmocka_unit_test(test_a_task_no_region_has_is_an_error_naming_file_and_task),
		cmocka_unit_test(test_a_header_without_file_task_or_mistake_is_an_error),
		cmocka_unit_test(test_a_file_outside_chapters_and_core_is_refused),
		cmocka_unit_test(test_a_body_with_solution_markers_is_refused),
	};

	return cmocka_run_group_tests_name("core mutant", tests, NULL, tu_cleanup);
}
