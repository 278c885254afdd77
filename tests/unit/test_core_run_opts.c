/* test_core_run_opts.c: `drydock run` parses its flags as Docker does. */
#include "testutil.h"

#include "chapters/03-uts/uts.h"
#include "core/engine/run_opts.h"

static int parse(struct dd_run_opts *o, struct dd_error *err, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return dd_run_opts_parse(argc, argv, o, err);
}

static void test_flags_before_the_image_and_the_command_after(void **state)
{
	struct dd_run_opts o;
	struct dd_error err = { 0 };
	char *argv[] = { "run", "--rm", "--name=web", "-h", "box", "-it", "-e", "A=1", "-eB=2",
			 "-v", "/tmp:/b:ro", "--tmpfs", "/t", "-w", "/w", "busybox", "sh", "-c",
			 "--rm", NULL };

	assert_int_equal(parse(&o, &err, argv), 0);
	assert_true(o.rm && o.interactive && o.tty);
	assert_string_equal(o.name, "web");
	assert_string_equal(o.hostname, "box");
	assert_string_equal(o.env[0], "A=1");
	assert_string_equal(o.env[1], "B=2");
	assert_string_equal(o.volumes[0], "/tmp:/b:ro");
	assert_string_equal(o.tmpfs[0], "/t");
	assert_string_equal(o.workdir, "/w");
	assert_string_equal(o.image, "busybox");
	assert_string_equal(o.cmd[2], "--rm"); /* after the image: the command's */
	dd_run_opts_release(&o);
}

static void expect_usage_error(char **argv, const char *words)
{
	struct dd_run_opts o;
	struct dd_error err = { 0 };

	assert_int_equal(parse(&o, &err, argv), -1);
	assert_int_equal(err.kind, DD_ERR_USAGE);
	assert_int_equal(dd_error_exit_code(&err), 125);
	assert_non_null(strstr(err.msg, words));
	dd_run_opts_release(&o);
}

static void test_bad_flags_are_usage_errors_naming_the_flag(void **state)
{
	expect_usage_error((char *[]){ "run", "-v", "nocolon", "img", NULL }, "nocolon");
	expect_usage_error((char *[]){ "run", "-e", "=x", "img", NULL }, "name is empty");
	expect_usage_error((char *[]){ "run", "--bogus", "img", NULL }, "--bogus");
	expect_usage_error((char *[]){ "run", "-Z", "img", NULL }, "-Z");
	expect_usage_error((char *[]){ "run", "--name", NULL }, "needs a value");
	expect_usage_error((char *[]){ "run", "--rm", NULL }, "image");
	expect_usage_error((char *[]){ "run", "--uts", "private", "img", NULL }, "private");
	expect_usage_error((char *[]){ "run", "-w", "rel", "img", NULL }, "absolute");
	expect_usage_error((char *[]){ "run", "--network", "bridge", "img", NULL }, "chapter 09");
	expect_usage_error((char *[]){ "run", "--net=container:x", "img", NULL }, "container:x");
}

static void test_network_none_and_host(void **state)
{
	struct dd_run_opts o;
	struct dd_error err = { 0 };

	assert_int_equal(parse(&o, &err, (char *[]){ "run", "--network", "none", "img", NULL }), 0);
	assert_true(o.network_none);
	dd_run_opts_release(&o);
	assert_int_equal(parse(&o, &err, (char *[]){ "run", "--net=none", "--network=host", "img",
						     NULL }), 0);
	assert_false(o.network_none); /* the last one counts, as with Docker */
	dd_run_opts_release(&o);
}

static void test_volume_specs_are_checked(void **state)
{
	struct dd_config *cfg = dd_config_new();
	struct dd_error err = { 0 };

	assert_int_equal(dd_parse_volume("/tmp:/data:ro", cfg, &err), 0);
	assert_string_equal(cfg->mounts[0].target, "/data");
	assert_true(cfg->mounts[0].readonly);
	assert_int_equal(dd_parse_volume("/tmp:/rw:rw", cfg, &err), 0);
	assert_false(cfg->mounts[1].readonly);
	assert_int_equal(dd_parse_volume("named:/data", cfg, &err), -1);
	assert_int_equal(dd_parse_volume("/tmp:rel", cfg, &err), -1);
	assert_int_equal(dd_parse_volume("/tmp:/x:zz", cfg, &err), -1);
	assert_int_equal(dd_parse_volume("/dd-no-such-dir-x:/x", cfg, &err), -1);
	assert_non_null(strstr(err.msg, "/dd-no-such-dir-x"));
	dd_config_free(cfg);
}

static void test_env_file_skips_comments_and_rejects_empty_names(void **state)
{
	char *dir = tu_mkdtemp(), path[4096];
	char **env = NULL;
	struct dd_error err = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/env", dir);
	f = fopen(path, "w");
	fputs("# comment\n\nA=1\n  B=two words\n", f);
	fclose(f);
	assert_int_equal(dd_read_env_file(path, &env, &err), 0);
	assert_int_equal(dd_strv_len(env), 2);
	assert_string_equal(env[1], "B=two words");
	f = fopen(path, "w");
	fputs("=oops\n", f);
	fclose(f);
	assert_int_equal(dd_read_env_file(path, &env, &err), -1);
	assert_non_null(strstr(err.msg, "line 1"));
	dd_strv_free(env);
	tu_rmdir(dir);
}

static void test_later_env_replaces_earlier_keys(void **state)
{
	struct dd_config *cfg = dd_config_new();

	assert_int_equal(dd_config_setenv(cfg, "PATH=/bin"), 0);
	assert_int_equal(dd_config_setenv(cfg, "PATHX=1"), 0);
	assert_int_equal(dd_config_setenv(cfg, "PATH=/usr/bin"), 0);
	assert_int_equal(dd_strv_len(cfg->env), 2);
	assert_string_equal(cfg->env[0], "PATH=/usr/bin");
	dd_config_free(cfg);
}

static void test_sizes_parse_like_docker(void **state)
{
	assert_int_equal(dd_parse_size("64m"), 64LL << 20);
	assert_int_equal(dd_parse_size("1g"), 1LL << 30);
	assert_int_equal(dd_parse_size("512k"), 512LL << 10);
	assert_int_equal(dd_parse_size("100"), 100);
	assert_int_equal(dd_parse_size("10mb"), 10LL << 20);
	assert_int_equal(dd_parse_size("-1m"), -1);
	assert_int_equal(dd_parse_size("m"), -1);
	assert_int_equal(dd_parse_size("12x"), -1);
}

static void test_hostnames_are_checked_before_anything_starts(void **state)
{
	assert_true(uts_valid_hostname("web-1"));
	assert_true(uts_valid_hostname("a.b.example"));
	assert_false(uts_valid_hostname(""));
	assert_false(uts_valid_hostname("-leading"));
	assert_false(uts_valid_hostname("trailing-"));
	assert_false(uts_valid_hostname("has space"));
	assert_false(uts_valid_hostname("a..b"));
	assert_false(uts_valid_hostname(
		"x234567890123456789012345678901234567890123456789012345678901234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_before_the_image_and_the_command_after),
		cmocka_unit_test(test_bad_flags_are_usage_errors_naming_the_flag),
		cmocka_unit_test(test_network_none_and_host),
		cmocka_unit_test(test_volume_specs_are_checked),
		cmocka_unit_test(test_env_file_skips_comments_and_rejects_empty_names),
		cmocka_unit_test(test_later_env_replaces_earlier_keys),
		cmocka_unit_test(test_sizes_parse_like_docker),
		cmocka_unit_test(test_hostnames_are_checked_before_anything_starts),
	};

	return cmocka_run_group_tests_name("core run flags", tests, NULL, tu_cleanup);
}
