/* test_01_process.c: lab 01, fork, exec, wait and exit codes. */
#include "testutil.h"

#include "chapters/01-process/process.h"

static void test_exit_code_is_the_commands_status(void **state)
{
	struct dd_error err = { 0 };
	int code = -1, want = tu_random(1, 120);

	tu_assert_ok(proc_exit_code(W_EXITCODE(want, 0), &code, &err), &err);
	assert_int_equal(code, want);
}

static void test_exit_code_after_signal_is_128_plus_n(void **state)
{
	struct dd_error err = { 0 };
	int sig = tu_random(1, 15), code = -1;

	tu_assert_ok(proc_exit_code(W_EXITCODE(0, sig), &code, &err), &err);
	assert_int_equal(code, 128 + sig);
}

static int return_arg(void *arg)
{
	return *(int *)arg;
}

static void test_spawn_runs_fn_in_a_child_and_exits_with_its_result(void **state)
{
	struct dd_error err = { 0 };
	int want = tu_random(1, 120), status;
	pid_t pid = proc_spawn(return_arg, &want, &err);

	if (pid <= 0)
		fail_msg("proc_spawn returned %d: %s", (int)pid, err.msg);
	assert_int_not_equal(pid, getpid());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), want);
}

struct exec_case {
	char *argv[4];
	char *env[3];
	const char *cwd;
};

/* In a child: exec, and on failure exit with the error's exit code. */
static int exec_in_child(void *arg)
{
	struct exec_case *ec = arg;
	struct dd_config cfg = { .args = ec->argv, .env = ec->env, .cwd = (char *)ec->cwd };
	struct dd_error err = { 0 };

	proc_exec(&cfg, &err);
	tu_child_fail("%s", err.msg); /* for the report; the exit code is the fact */
	return dd_error_exit_code(&err);
}

/* Run the case; its exit code must be want (the meaning says why). */
static void expect_exec_code(struct exec_case *ec, int want, const char *meaning)
{
	int rc = tu_in_child(exec_in_child, ec);

	if (rc != want)
		fail_msg("running '%s' gave exit code %d, expected %d (%s); proc_exec said: %s",
			 ec->argv[0], rc, want, meaning,
			 tu_child_msg[0] ? tu_child_msg : "nothing (the exec succeeded)");
}

static void test_exec_of_a_missing_command_exits_127(void **state)
{
	struct exec_case ec = { { "dd-no-such-command-f00d", NULL }, { "PATH=/bin:/usr/bin" }, "/" };

	expect_exec_code(&ec, 127, "not found: DD_ERR_NOT_FOUND");
}

static void test_exec_of_a_non_executable_file_exits_126(void **state)
{
	struct exec_case ec = { { "/etc/passwd", NULL }, { "PATH=/bin:/usr/bin" }, "/" };

	expect_exec_code(&ec, 126, "found but cannot be executed: DD_ERR_CANNOT_EXEC");
}

static void test_exec_gives_the_command_its_env_and_workdir(void **state)
{
	char env[64], script[256];
	unsigned value = tu_random(1000, 999999);
	struct exec_case ec = { { "sh", "-c", script, NULL }, { "PATH=/bin:/usr/bin", env }, "/tmp" };

	snprintf(env, sizeof(env), "DD_VALUE=%u", value);
	snprintf(script, sizeof(script), "test \"$DD_VALUE\" = %u && test \"$(pwd)\" = /tmp", value);
	expect_exec_code(&ec, 0, "the script checks $DD_VALUE and the working directory");
}

static int wait_for_sleeper(void *arg)
{
	struct dd_error err = { 0 };
	int code = -1;
	pid_t pid = fork();

	if (pid == 0) {
		execlp("sleep", "sleep", "10", (char *)NULL);
		_exit(99);
	}
	/* A SIGTERM to us must reach the child: it then dies of it. */
	if (proc_forward_signals(pid, &err) < 0) {
		kill(pid, SIGKILL);
		return tu_child_fail("proc_forward_signals returned -1: %s", err.msg);
	}
	if (fork() == 0) {
		usleep(100000);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	if (proc_wait(pid, &code, &err) < 0) {
		kill(pid, SIGKILL);
		return tu_child_fail("proc_wait returned -1: %s", err.msg);
	}
	if (code != 128 + SIGTERM)
		return tu_child_fail("the container's exit code is %d, not %d (killed by the "
				     "forwarded SIGTERM)", code, 128 + SIGTERM);
	return 0;
}

static void test_forwarded_sigterm_reaches_the_container(void **state)
{
	tu_child_ok(wait_for_sleeper, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_code_is_the_commands_status),
		cmocka_unit_test(test_exit_code_after_signal_is_128_plus_n),
		cmocka_unit_test(test_spawn_runs_fn_in_a_child_and_exits_with_its_result),
		cmocka_unit_test(test_exec_of_a_missing_command_exits_127),
		cmocka_unit_test(test_exec_of_a_non_executable_file_exits_126),
		cmocka_unit_test(test_exec_gives_the_command_its_env_and_workdir),
		cmocka_unit_test(test_forwarded_sigterm_reaches_the_container),
	};

	return cmocka_run_group_tests_name("lab 01 process", tests, NULL, tu_cleanup);
}
