/* test_05_pid.c: lab 05, an init that reaps and forwards. */
#include "testutil.h"

#include <signal.h>
#include <sys/prctl.h>

#include "chapters/05-pid/pid.h"

/* Leaves an orphan behind: its parent exits at once, it lives 50 ms. */
static void make_orphan(void)
{
	if (fork() == 0) {
		if (fork() == 0) {
			usleep(50000);
			_exit(0);
		}
		_exit(0);
	}
}

/* As a subreaper we stand in for PID 1: orphans come to us. */
static int init_reaps(void *arg)
{
	struct dd_error err = { 0 };
	int want = *(int *)arg, code = -1;
	pid_t main_pid;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return 10;
	make_orphan();
	make_orphan();
	main_pid = fork();
	if (main_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		usleep(200000);
		_exit(want);
	}
	if (pid_init_loop(main_pid, &code, &err) < 0)
		return 11;
	if (code != want)
		return 12;
	/* Every orphan has exited by now and must have been reaped. */
	usleep(100000);
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : 13;
}

static void test_init_reaps_orphans_and_returns_the_commands_exit_code(void **state)
{
	int want = tu_random(1, 120);

	assert_int_equal(tu_in_child(init_reaps, &want), 0);
}

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	got_term = 1;
}

static int init_forwards(void *arg)
{
	struct dd_error err = { 0 };
	int want = *(int *)arg, code = -1;
	int ready[2];
	pid_t main_pid;
	char c;

	if (pipe(ready) < 0)
		return 10;
	main_pid = fork();
	if (main_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		signal(SIGTERM, on_term);
		write(ready[1], "r", 1);
		while (!got_term)
			pause();
		_exit(want);
	}
	if (read(ready[0], &c, 1) != 1)
		return 11;
	if (pid_init_signals(main_pid, &err) < 0) {
		kill(main_pid, SIGKILL);
		return 14;
	}
	if (fork() == 0) {
		usleep(50000);
		kill(getppid(), SIGTERM); /* to the init, not to the command */
		_exit(0);
	}
	if (pid_init_loop(main_pid, &code, &err) < 0) {
		kill(main_pid, SIGKILL);
		return 12;
	}
	return code == want ? 0 : 13;
}

static void test_init_forwards_sigterm_to_the_command(void **state)
{
	int want = tu_random(1, 120);

	assert_int_equal(tu_in_child(init_forwards, &want), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_reaps_orphans_and_returns_the_commands_exit_code),
		cmocka_unit_test(test_init_forwards_sigterm_to_the_command),
	};

	return cmocka_run_group_tests_name("lab 05 pid", tests, NULL, tu_cleanup);
}
