/* test_02_namespaces.c: lab 02, creating and joining namespaces. */
#include "testutil.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "chapters/02-namespaces/namespaces.h"

static ino_t ns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Exits 0 when the child's namespace differs from the parent's. */
static int compare_ns(void *arg)
{
	ino_t parent_uts = *(ino_t *)arg;
	ino_t mine = ns_inode("/proc/self/ns/uts");

	return mine && mine != parent_uts ? 0 : 1;
}

static void test_spawn_with_newuts_creates_a_new_uts_namespace(void **state)
{
	struct dd_error err = { 0 };
	ino_t host_uts = ns_inode("/proc/self/ns/uts");
	int status;
	pid_t pid = ns_spawn(CLONE_NEWUTS, compare_ns, &host_uts, &err);

	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int getpid_is_one(void *arg)
{
	return getpid() == 1 ? 0 : 1;
}

static void test_spawn_with_newpid_makes_the_child_pid_1(void **state)
{
	struct dd_error err = { 0 };
	int status;
	pid_t pid = ns_spawn(CLONE_NEWPID, getpid_is_one, NULL, &err);

	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* A child killed by a signal has no exit status: WEXITSTATUS alone
	 * would read its death as success. */
	assert_false(WIFSIGNALED(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A child in its own UTS namespace with a random hostname; a second
 * child joins it by path and must then see that hostname. */
static char joined_name[32];
static pid_t holder;

static int join_and_check(void *arg)
{
	struct dd_error err = { 0 };
	char path[64], seen[65] = "";

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", holder);
	if (ns_join(path, CLONE_NEWUTS, &err) < 0)
		return 1;
	gethostname(seen, sizeof(seen) - 1);
	return strcmp(seen, joined_name) == 0 ? 0 : 2;
}

static void test_join_by_path_enters_the_same_namespace(void **state)
{
	int pipefd[2];
	char c;

	snprintf(joined_name, sizeof(joined_name), "dd-join-%u", tu_random(1, 1u << 30));
	assert_int_equal(pipe(pipefd), 0);
	holder = fork();
	if (holder == 0) {
		/* Dies with the test, even when an assertion ends it early. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWUTS) < 0 || sethostname(joined_name, strlen(joined_name)) < 0)
			_exit(1);
		write(pipefd[1], "r", 1);
		pause();
		_exit(0);
	}
	int ready = read(pipefd[0], &c, 1);
	int rc = ready == 1 ? tu_in_child(join_and_check, NULL) : -1;

	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(ready, 1);
	assert_int_equal(rc, 0);
}

static void test_join_of_a_missing_path_names_the_path(void **state)
{
	struct dd_error err = { 0 };

	assert_int_equal(ns_join("/proc/self/ns/no-such-ns", 0, &err), -1);
	assert_non_null(strstr(err.msg, "/proc/self/ns/no-such-ns"));
	assert_int_equal(err.errnum, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_with_newuts_creates_a_new_uts_namespace),
		cmocka_unit_test(test_spawn_with_newpid_makes_the_child_pid_1),
		cmocka_unit_test(test_join_by_path_enters_the_same_namespace),
		cmocka_unit_test(test_join_of_a_missing_path_names_the_path),
	};

	return cmocka_run_group_tests_name("lab 02 namespaces", tests, NULL, tu_cleanup);
}
