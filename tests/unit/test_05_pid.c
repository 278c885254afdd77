/* test_05_pid.c: lab 05, an init that reaps and forwards. */
#include "testutil.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "chapters/05-pid/pid.h"

/* The signals the lab says the init passes on (labs/05-pid/README.md). */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
};
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

/* How long a command in these tests lives at most: a signal the init
 * failed to pass on must end the test, not hang it. */
#define COMMAND_LIFETIME 4 /* seconds */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In a test's child: the init's exit code must be the command's. */
static int expect_code(int code, int want)
{
	if (code != want)
		return tu_child_fail("pid_init_loop gave exit code %d; the command exited with %d",
				     code, want);
	return 0;
}

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
	pid_t main_pid, left;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return tu_child_fail("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	make_orphan();
	make_orphan();
	main_pid = fork();
	if (main_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		usleep(200000);
		_exit(want);
	}
	if (pid_init_loop(main_pid, &code, &err) < 0)
		return tu_child_fail("pid_init_loop returned -1: %s", err.msg);
	if (expect_code(code, want))
		return 1;
	/* Every orphan has exited by now and must have been reaped. */
	usleep(100000);
	left = waitpid(-1, NULL, WNOHANG);
	if (left != -1 || errno != ECHILD)
		return tu_child_fail("pid_init_loop returned with a child left unreaped (waitpid "
				     "found pid %d): it must reap every orphan, not only the command",
				     (int)left);
	return 0;
}

static void test_init_reaps_orphans_and_returns_the_commands_exit_code(void **state)
{
	int want = tu_random(1, 120);

	tu_child_ok(init_reaps, &want);
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
		return tu_child_fail("pipe: %s", strerror(errno));
	main_pid = fork();
	if (main_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		alarm(COMMAND_LIFETIME);
		signal(SIGTERM, on_term);
		write(ready[1], "r", 1);
		while (!got_term)
			pause();
		_exit(want);
	}
	if (read(ready[0], &c, 1) != 1)
		return tu_child_fail("the command never started");
	if (pid_init_signals(main_pid, &err) < 0) {
		kill(main_pid, SIGKILL);
		return tu_child_fail("pid_init_signals returned -1: %s", err.msg);
	}
	if (fork() == 0) {
		usleep(50000);
		kill(getppid(), SIGTERM); /* to the init, not to the command */
		_exit(0);
	}
	if (pid_init_loop(main_pid, &code, &err) < 0) {
		kill(main_pid, SIGKILL);
		return tu_child_fail("pid_init_loop returned -1: %s", err.msg);
	}
	if (code == 128 + SIGALRM)
		return tu_child_fail("the SIGTERM sent to the init never reached the command "
				     "(it gave up after %d s)", COMMAND_LIFETIME);
	return expect_code(code, want);
}

static void test_init_forwards_sigterm_to_the_command(void **state)
{
	int want = tu_random(1, 120);

	tu_child_ok(init_forwards, &want);
}

/* The command of the next test: catch every forwarded signal, tell the
 * test which one came (one byte each), and leave once all have. */
static volatile sig_atomic_t caught_sig;

static void on_any(int sig)
{
	caught_sig = sig;
}

static void command_catching_all(int ack_fd, int ready_fd, int want)
{
	struct sigaction sa = { .sa_handler = on_any };
	sigset_t all, none;
	size_t seen = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(COMMAND_LIFETIME);
	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &sa, NULL);
	write(ready_fd, "r", 1);
	while (seen < NFORWARDED) {
		unsigned char b;

		caught_sig = 0;
		sigsuspend(&none); /* no signal can slip in between checks */
		if (!caught_sig)
			continue;
		b = (unsigned char)caught_sig;
		write(ack_fd, &b, 1);
		seen++;
	}
	_exit(want);
}

/* Send every forwarded signal, in a random order, to the init; after
 * each, wait for the command to say it came.  Writes to result_fd the
 * text of the first failure, or nothing. */
static void send_each(pid_t init, int ack_fd, int result_fd)
{
	int order[NFORWARDED];
	char msg[256];

	for (size_t i = 0; i < NFORWARDED; i++)
		order[i] = forwarded[i];
	for (size_t i = NFORWARDED - 1; i > 0; i--) {
		size_t j = tu_random(0, i);
		int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < NFORWARDED; i++) {
		struct pollfd p = { .fd = ack_fd, .events = POLLIN };
		unsigned char b = 0;

		usleep(20000);
		kill(init, order[i]);
		if (poll(&p, 1, 1500) != 1 || read(ack_fd, &b, 1) != 1) {
			snprintf(msg, sizeof(msg),
				 "SIG%s, sent to the init while it waited (no child exiting), "
				 "never reached the command (%zu of %zu signals had). An init "
				 "must forward a signal as soon as it interrupts waitpid: check "
				 "for EINTR only after forwarding, and install the handlers "
				 "without SA_RESTART",
				 sigabbrev_np(order[i]), i, NFORWARDED);
			write(result_fd, msg, strlen(msg));
			return;
		}
		if (b != order[i]) {
			snprintf(msg, sizeof(msg), "the init sent SIG%s when SIG%s was sent to it",
				 sigabbrev_np(b), sigabbrev_np(order[i]));
			write(result_fd, msg, strlen(msg));
			return;
		}
	}
}

static int init_forwards_each(void *arg)
{
	struct dd_error err = { 0 };
	int want = *(int *)arg, code = -1;
	int ack[2], ready[2], result[2];
	pid_t main_pid, init = getpid();
	char msg[512] = "", c;
	ssize_t n;

	if (pipe(ack) < 0 || pipe(ready) < 0 || pipe(result) < 0)
		return tu_child_fail("pipe: %s", strerror(errno));
	main_pid = fork();
	if (main_pid == 0)
		command_catching_all(ack[1], ready[1], want);
	/* Only the command holds the acknowledgements' write end (and the
	 * ready pipe's): when it is gone, a reader sees the end of the pipe
	 * and stops at once. */
	close(ack[1]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		return tu_child_fail("the command never started");
	if (pid_init_signals(main_pid, &err) < 0) {
		kill(main_pid, SIGKILL);
		return tu_child_fail("pid_init_signals returned -1: %s", err.msg);
	}
	/* The sender is not the init's child but an orphan's: no child of
	 * the init exits while it sends, so only the signal itself can wake
	 * the init's waitpid. */
	if (fork() == 0) {
		if (fork() == 0) {
			close(result[0]);
			send_each(init, ack[0], result[1]);
			_exit(0);
		}
		_exit(0);
	}
	if (pid_init_loop(main_pid, &code, &err) < 0) {
		kill(main_pid, SIGKILL);
		return tu_child_fail("pid_init_loop returned -1: %s", err.msg);
	}
	close(result[1]);
	n = read(result[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	if (msg[0])
		return tu_child_fail("%s", msg);
	return expect_code(code, want);
}

static void test_init_forwards_every_signal_even_when_no_child_exits(void **state)
{
	int want = tu_random(1, 120);
	int rc = tu_in_child(init_forwards_each, &want);

	if (rc > 128)
		fail_msg("the init was killed by SIG%s, sent to it for the command: it must "
			 "catch every signal it forwards (%s)", sigabbrev_np(rc - 128),
			 tu_child_msg[0] ? tu_child_msg : "it said nothing");
	if (rc != 0)
		fail_msg("%s", tu_child_msg[0] ? tu_child_msg : "the init's test failed silently");
}

/* The command starts a background job and exits: the init must return
 * with the command's code at once, not wait for the job. */
static int init_with_background_job(void *arg)
{
	struct dd_error err = { 0 };
	int want = *(int *)arg, code = -1, job[2];
	pid_t main_pid, bg = 0;
	double start, took;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || pipe(job) < 0)
		return tu_child_fail("set-up: %s", strerror(errno));
	main_pid = fork();
	if (main_pid == 0) {
		pid_t p = fork();

		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			sleep(COMMAND_LIFETIME); /* `sleep 8 &` */
			_exit(0);
		}
		write(job[1], &p, sizeof(p));
		_exit(want);
	}
	if (read(job[0], &bg, sizeof(bg)) != sizeof(bg))
		return tu_child_fail("the command never started its background job");
	start = now();
	if (pid_init_loop(main_pid, &code, &err) < 0) {
		kill(bg, SIGKILL);
		return tu_child_fail("pid_init_loop returned -1: %s", err.msg);
	}
	took = now() - start;
	kill(bg, SIGKILL);
	if (took > 1.0)
		return tu_child_fail("pid_init_loop returned %.1f s after the command exited: "
				     "it waited for the background job too. The init's work "
				     "ends with the command (the kernel kills the rest)", took);
	return expect_code(code, want);
}

static void test_init_returns_when_the_command_exits_though_a_background_job_runs(void **state)
{
	int want = tu_random(1, 120);

	tu_child_ok(init_with_background_job, &want);
}

static int init_killed_command(void *arg)
{
	static const int deadly[] = { SIGKILL, SIGTERM, SIGUSR1, SIGHUP, SIGSEGV };
	int sig = deadly[tu_random(0, sizeof(deadly) / sizeof(deadly[0]) - 1)];
	struct dd_error err = { 0 };
	int code = -1;
	pid_t main_pid = fork();

	if (main_pid == 0) {
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(0);
	}
	if (pid_init_loop(main_pid, &code, &err) < 0)
		return tu_child_fail("pid_init_loop returned -1: %s", err.msg);
	if (code != 128 + sig)
		return tu_child_fail("the command died of SIG%s (%d): expected exit code %d, "
				     "pid_init_loop gave %d", sigabbrev_np(sig), sig, 128 + sig, code);
	return 0;
}

static void test_init_gives_128_plus_n_when_the_command_dies_of_signal_n(void **state)
{
	tu_child_ok(init_killed_command, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_reaps_orphans_and_returns_the_commands_exit_code),
		cmocka_unit_test(test_init_forwards_sigterm_to_the_command),
		cmocka_unit_test(test_init_forwards_every_signal_even_when_no_child_exits),
		cmocka_unit_test(test_init_returns_when_the_command_exits_though_a_background_job_runs),
		cmocka_unit_test(test_init_gives_128_plus_n_when_the_command_dies_of_signal_n),
	};

	return cmocka_run_group_tests_name("lab 05 pid", tests, NULL, tu_cleanup);
}
