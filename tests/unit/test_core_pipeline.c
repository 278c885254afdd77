/* test_core_pipeline.c: the stage table, the parent/child messages, and
 * pids checked against their start time. */
#include "testutil.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "core/base/cleanup.h"
#include "core/runtime/pipeline.h"
#include "core/runtime/proc.h"
#include "core/runtime/sync.h"

static void test_the_table_lists_stages_in_phase_order_once_each(void **state)
{
	bool seen[DD_MAX_CHAPTERS] = { false };
	int last = 0;

	for (const struct dd_stage *const *sp = dd_pipeline; *sp; sp++) {
		const struct dd_stage *s = *sp;

		assert_true((int)s->phase >= last);
		assert_true(s->chapter > 0 && s->chapter < DD_MAX_CHAPTERS);
		/* A chapter's first stage stands for it; a later one of the
		 * same chapter has another name and no step of its own. */
		if (seen[s->chapter]) {
			assert_ptr_not_equal(dd_pipeline_stage(s->chapter), s);
			assert_string_not_equal(dd_pipeline_stage(s->chapter)->name, s->name);
			assert_null(s->step);
		} else {
			assert_ptr_equal(dd_pipeline_stage(s->chapter), s);
		}
		seen[s->chapter] = true;
		last = (int)s->phase;
	}
	assert_int_equal(last, (int)DD_PHASE_EXEC);
}

static void test_the_namespaces_are_the_stages_own_less_the_hosts(void **state)
{
	unsigned long all = dd_pipeline_namespaces(0);
	const unsigned long each[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC,
				       CLONE_NEWNET };

	for (size_t i = 0; i < ARRAY_SIZE(each); i++) {
		assert_true(all & each[i]);
		assert_false(dd_pipeline_namespaces(each[i]) & each[i]);
		assert_int_equal(dd_pipeline_namespaces(each[i]), all & ~each[i]);
	}
	/* The uts stage is the one that asks for a UTS namespace. */
	assert_true(dd_pipeline_stage(3)->namespaces & CLONE_NEWUTS);
}

static void test_a_message_carries_its_payload_and_fds(void **state)
{
	int sv[2], pipefd[2];
	struct dd_msg m = { .type = DD_MSG_STEP, .chapter = 4, .nfds = 1 }, got;
	struct dd_error err = { 0 };
	char word[16], back[16] = "";

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe(pipefd), 0);
	snprintf(word, sizeof(word), "w%u", tu_random(1, 1u << 30));
	m.len = strlen(word);
	memcpy(m.payload, word, m.len);
	m.fds[0] = pipefd[1];
	assert_int_equal(dd_msg_send(sv[0], &m, &err), 0);
	close(pipefd[1]);
	assert_int_equal(dd_msg_recv(sv[1], &got, &err), 1);
	assert_int_equal(got.type, DD_MSG_STEP);
	assert_int_equal(got.chapter, 4);
	assert_int_equal(got.len, strlen(word));
	assert_memory_equal(got.payload, word, got.len);
	assert_int_equal(got.nfds, 1);
	/* The fd that arrived is the pipe's write end. */
	assert_int_equal(write(got.fds[0], word, strlen(word)), (ssize_t)strlen(word));
	dd_msg_close_fds(&got);
	assert_int_equal(read(pipefd[0], back, sizeof(back) - 1), (ssize_t)strlen(word));
	assert_string_equal(back, word);
	close(pipefd[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_an_error_message_becomes_the_receivers_error(void **state)
{
	int sv[2];
	struct dd_error sent = { 0 }, err = { 0 };
	struct dd_msg got;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	dd_fail_kind(&sent, DD_ERR_NOT_FOUND, 0, "Cannot run 'x%u'", tu_random(1, 1000));
	dd_msg_send_error(sv[0], &sent);
	assert_int_equal(dd_msg_recv(sv[1], &got, &err), -1);
	assert_int_equal(err.kind, DD_ERR_NOT_FOUND);
	assert_string_equal(err.msg, sent.msg);
	close(sv[0]);
	/* The peer gone: end-of-file, not an error. */
	assert_int_equal(dd_msg_recv(sv[1], &got, &err), 0);
	close(sv[1]);
}

static void test_a_pid_with_another_start_time_is_never_signalled(void **state)
{
	struct dd_error err = { 0 };
	unsigned long long start;
	int status, fd;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(dd_proc_start_time(pid, &start, &err), 0);
	/* The same pid, but not the process that started then. */
	assert_int_equal(dd_proc_open(pid, start + 1, &err), -1);
	assert_int_equal(err.errnum, ESRCH);
	assert_true(dd_proc_alive(pid, start));
	fd = dd_proc_open(pid, start, &err);
	assert_true(fd >= 0);
	assert_int_equal(dd_proc_signal(fd, SIGKILL, &err), 0);
	assert_int_equal(dd_proc_wait_gone(fd, 5000, &err), 0);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_false(dd_proc_alive(pid, start));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_table_lists_stages_in_phase_order_once_each),
		cmocka_unit_test(test_the_namespaces_are_the_stages_own_less_the_hosts),
		cmocka_unit_test(test_a_message_carries_its_payload_and_fds),
		cmocka_unit_test(test_an_error_message_becomes_the_receivers_error),
		cmocka_unit_test(test_a_pid_with_another_start_time_is_never_signalled),
	};

	return cmocka_run_group_tests_name("core pipeline", tests, NULL, tu_cleanup);
}
