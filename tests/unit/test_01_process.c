/* test_01_process.c: lab 01, fork, exec, wait and exit codes. */
#include "testutil.h"

#include "chapters/01-process/process.h"

static void test_exit_code_is_the_commands_status(void **state)
{
	struct dd_error err = { 0 };
	int code = -1, want = tu_random(1, 120);

	assert_int_equal(proc_exit_code(W_EXITCODE(want, 0), &code, &err), 0);
	assert_int_equal(code, want);
}

static void test_exit_code_after_signal_is_128_plus_n(void **state)
{
	struct dd_error err = { 0 };
	int sig = tu_random(1, 15), code = -1;

	assert_int_equal(proc_exit_code(W_EXITCODE(0, sig), &code, &err), 0);
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

	assert_true(pid > 0);
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
	return dd_error_exit_code(&err);
}

static void test_exec_of_a_missing_command_exits_127(void **state)
{
	struct exec_case ec = { { "dd-no-such-command-f00d", NULL }, { "PATH=/bin:/usr/bin" }, "/" };

	assert_int_equal(tu_in_child(exec_in_child, &ec), 127);
}

static void test_exec_of_a_non_executable_file_exits_126(void **state)
{
	struct exec_case ec = { { "/etc/passwd", NULL }, { "PATH=/bin:/usr/bin" }, "/" };

	assert_int_equal(tu_in_child(exec_in_child, &ec), 126);
}

static void test_exec_gives_the_command_its_env_and_workdir(void **state)
{
	char env[64], script[256];
	unsigned value = tu_random(1000, 999999);
	struct exec_case ec = { { "sh", "-c", script, NULL }, { "PATH=/bin:/usr/bin", env }, "/tmp" };

	snprintf(env, sizeof(env), "DD_VALUE=%u", value);
	snprintf(script, sizeof(script), "test \"$DD_VALUE\" = %u && test \"$(pwd)\" = /tmp", value);
	assert_int_equal(tu_in_child(exec_in_child, &ec), 0);
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
	if (proc_forward_signals(pid, &err) < 0)
		return 3;
	if (fork() == 0) {
		usleep(100000);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	if (proc_wait(pid, &code, &err) < 0)
		return 1;
	return code == 128 + SIGTERM ? 0 : 2;
}

static void test_forwarded_sigterm_reaches_the_container(void **state)
{
	assert_int_equal(tu_in_child(wait_for_sleeper, NULL), 0);
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
