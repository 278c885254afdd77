/* test_03_uts.c: lab 03, a private hostname.
 *
 * The namespace comes from the code under test: the child is cloned by
 * chapter 02's ns_spawn with the namespaces the uts stage says it relies
 * on, and the hostname is set by the stage's own child hook.  A stage
 * that forgets CLONE_NEWUTS therefore fails here, instead of being
 * rescued by a namespace the test made itself. */
#include "testutil.h"

#include <sched.h>
#include <sys/stat.h>

#include "chapters/02-namespaces/namespaces.h"
#include "chapters/03-uts/uts.h"

#define HOST_NAME_SIZE 65 /* HOST_NAME_MAX + 1 */

/* The host's UTS namespace, to tell it from the child's. */
static ino_t host_uts;

static ino_t uts_inode(void)
{
	struct stat st;

	return stat("/proc/self/ns/uts", &st) == 0 ? st.st_ino : 0;
}

/* Exit 0 when the stage set the name; 1 when its hook failed, 2 when
 * the name seen afterwards is another, 3 when the child shares the
 * host's UTS namespace (then the hook is not called: it would rename
 * this machine). */
static int set_by_the_stage(void *arg)
{
	struct dd_error err = { 0 };
	struct dd_config cfg = { .hostname = arg, .hostname_set = true,
				 .namespaces = uts_stage.namespaces };
	struct dd_container c = { .cfg = &cfg };
	char seen[HOST_NAME_SIZE] = "";

	if (uts_inode() == host_uts)
		return 3;
	if (uts_stage.child(&c, &err) < 0) {
		fprintf(stderr, "uts child hook: %s\n", err.msg);
		return 1;
	}
	gethostname(seen, sizeof(seen) - 1);
	return strcmp(seen, arg) == 0 ? 0 : 2;
}

static void test_set_hostname_changes_only_the_new_namespace(void **state)
{
	struct dd_error err = { 0 };
	char name[32], host_before[HOST_NAME_SIZE] = "", host_after[HOST_NAME_SIZE] = "";
	int status;
	pid_t pid;

	snprintf(name, sizeof(name), "dd-uts-%u", tu_random(1, 1u << 30));
	gethostname(host_before, sizeof(host_before) - 1);
	host_uts = uts_inode();
	assert_true(host_uts != 0);
	pid = ns_spawn(uts_stage.namespaces, set_by_the_stage, name, &err);
	if (pid < 0)
		fail_msg("ns_spawn(%#lx): %s", uts_stage.namespaces, err.msg);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	gethostname(host_after, sizeof(host_after) - 1);
	/* A stage that set the name outside a namespace of its own renamed
	 * this machine: put the name back before failing. */
	if (strcmp(host_before, host_after) != 0) {
		sethostname(host_before, strlen(host_before));
		fail_msg("the host was renamed '%s' (uts stage namespaces %#lx)", host_after,
			 uts_stage.namespaces);
	}
	if (!(uts_stage.namespaces & CLONE_NEWUTS))
		fail_msg("the uts stage does not ask for CLONE_NEWUTS (namespaces %#lx)",
			 uts_stage.namespaces);
	if (WIFSIGNALED(status))
		fail_msg("the child was killed by signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3)
		fail_msg("the child of ns_spawn(%#lx) shares the host's UTS namespace",
			 uts_stage.namespaces);
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The kernel takes at most 64 bytes (HOST_NAME_MAX): a longer name is
 * refused, and the caller must hear of it. */
static int set_too_long(void *arg)
{
	struct dd_error err = { 0 };
	const char *name = arg;
	char before[65] = "", after[65] = "";

	if (unshare(CLONE_NEWUTS) < 0)
		return tu_child_fail("unshare(CLONE_NEWUTS): %s", strerror(errno));
	gethostname(before, sizeof(before) - 1);
	if (uts_set_hostname(name, &err) == 0)
		return tu_child_fail("uts_set_hostname returned 0 for a %zu-byte name, which "
				     "sethostname(2) refuses: check its return value",
				     strlen(name));
	gethostname(after, sizeof(after) - 1);
	if (strcmp(before, after))
		return tu_child_fail("the hostname changed to '%s' though setting it failed", after);
	if (err.errnum != EINVAL || !strstr(err.msg, name))
		return tu_child_fail("the error should name the hostname and say EINVAL; it "
				     "says (errno %d): %s", err.errnum, err.msg);
	return 0;
}

static void test_set_hostname_refuses_a_name_longer_than_64_bytes_naming_it(void **state)
{
	char name[128];
	size_t len = tu_random(65, 100);

	for (size_t i = 0; i < len; i++)
		name[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[tu_random(0, 35)];
	name[len] = '\0';
	tu_child_ok(set_too_long, name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_hostname_changes_only_the_new_namespace),
		cmocka_unit_test(test_set_hostname_refuses_a_name_longer_than_64_bytes_naming_it),
	};

	return cmocka_run_group_tests_name("lab 03 uts", tests, NULL, tu_cleanup);
}
