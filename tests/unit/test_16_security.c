/* test_16_security.c: lab 16, capabilities, seccomp, masked paths, fds. */
#include "testutil.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "chapters/16-security/security.h"
#include "core/base/cleanup.h"
#include "core/base/oci.h"

/* Docker's default set as a bit mask: what /proc/self/status shows. */
static const unsigned long long docker_default_mask = 0xa80425fbULL;

static const struct {
	const char *name;
	int cap;
} some_caps[] = {
	{ "net_admin", CAP_NET_ADMIN },	    { "CAP_SYS_PTRACE", CAP_SYS_PTRACE },
	{ "Chown", CAP_CHOWN },		    { "cap_sys_admin", CAP_SYS_ADMIN },
	{ "SYS_TIME", CAP_SYS_TIME },	    { "CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE },
	{ "mknod", CAP_MKNOD },		    { "Cap_Audit_Write", CAP_AUDIT_WRITE },
};

static void test_capability_names_parse_in_any_case_with_or_without_cap(void **state)
{
	for (size_t k = 0; k < 3; k++) {
		size_t i = tu_random(0, ARRAY_SIZE(some_caps) - 1);
		struct dd_error err = { 0 };
		int cap = -1;

		assert_int_equal(sec_cap_from_name(some_caps[i].name, &cap, &err), 0);
		assert_int_equal(cap, some_caps[i].cap);
	}
}

static void test_unknown_capability_names_are_refused_by_name(void **state)
{
	char typo[32];
	const char *bad[] = { typo, "", "21", "NET ADMIN", "CAP_", "ALLX" };

	snprintf(typo, sizeof(typo), "CAP_NET_ADMN%u", tu_random(1, 999));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct dd_error err = { 0 };
		int cap;

		assert_int_equal(sec_cap_from_name(bad[i], &cap, &err), -1);
		assert_int_equal(err.kind, DD_ERR_USAGE);
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

static unsigned long long mask_of(char *const *names)
{
	unsigned long long m = 0;

	for (size_t i = 0; names && names[i]; i++) {
		struct dd_error err = { 0 };
		int cap;

		assert_int_equal(sec_cap_from_name(names[i], &cap, &err), 0);
		m |= 1ULL << cap;
	}
	return m;
}

static void test_default_capabilities_are_dockers_fourteen_in_three_sets(void **state)
{
	struct dd_caps caps;
	struct dd_error err = { 0 };

	assert_int_equal(sec_caps_build(NULL, NULL, false, &caps, &err), 0);
	assert_true(caps.set);
	assert_int_equal(dd_strv_len(caps.bounding), SEC_DEFAULT_CAPS);
	assert_int_equal(mask_of(caps.bounding), docker_default_mask);
	assert_int_equal(mask_of(caps.effective), docker_default_mask);
	assert_int_equal(mask_of(caps.permitted), docker_default_mask);
	assert_non_null(caps.inheritable);
	assert_null(caps.inheritable[0]);
	assert_null(caps.ambient[0]);
	dd_caps_release(&caps);
}

static void test_cap_add_and_drop_follow_dockers_rules(void **state)
{
	size_t i = tu_random(0, ARRAY_SIZE(some_caps) - 1);
	char *one[] = { (char *)some_caps[i].name, NULL }, *all[] = { "ALL", NULL };
	char *chown_[] = { "CHOWN", NULL };
	struct dd_caps caps;
	struct dd_error err = { 0 };

	/* --cap-drop ALL --cap-add X: X alone. */
	assert_int_equal(sec_caps_build(one, all, false, &caps, &err), 0);
	assert_int_equal(mask_of(caps.effective), 1ULL << some_caps[i].cap);
	assert_int_equal(mask_of(caps.bounding), 1ULL << some_caps[i].cap);
	dd_caps_release(&caps);
	/* --cap-drop ALL: none. */
	assert_int_equal(sec_caps_build(NULL, all, false, &caps, &err), 0);
	assert_null(caps.effective[0]);
	assert_null(caps.bounding[0]);
	dd_caps_release(&caps);
	/* --cap-add X --cap-drop CHOWN: the default, plus X, less CHOWN. */
	assert_int_equal(sec_caps_build(one, chown_, false, &caps, &err), 0);
	assert_int_equal(mask_of(caps.permitted),
			 (docker_default_mask | 1ULL << some_caps[i].cap) & ~(1ULL << CAP_CHOWN));
	dd_caps_release(&caps);
	/* An unknown name in either list: a usage error naming it. */
	one[0] = "CAP_BOGUS";
	assert_int_equal(sec_caps_build(one, NULL, false, &caps, &err), -1);
	assert_int_equal(err.kind, DD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "CAP_BOGUS"));
}

static int parse(const char *text, char *const *caps, struct dd_seccomp **sc, struct dd_error *err)
{
	return sec_profile_parse(text, strlen(text), "test.json", caps, sc, err);
}

/* The action the resolved rules give name (the last rule naming it). */
static const char *action_for(const struct dd_seccomp *sc, const char *name)
{
	const char *found = NULL;

	for (size_t i = 0; i < sc->nrules; i++)
		for (size_t k = 0; sc->rules[i].names[k]; k++)
			if (!strcmp(sc->rules[i].names[k], name) && sc->rules[i].nargs == 0)
				found = sc->rules[i].action;
	return found;
}

static void test_profile_keeps_rules_whose_capabilities_the_container_has(void **state)
{
	const char *text =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
		" \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
		"{\"names\": [\"chroot\"], \"action\": \"SCMP_ACT_ALLOW\","
		" \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}";
	char *plain[] = { "CAP_CHOWN", NULL }, *admin[] = { "CAP_CHOWN", "CAP_SYS_ADMIN", NULL };
	struct dd_seccomp *sc = NULL;
	struct dd_error err = { 0 };

	assert_int_equal(parse(text, plain, &sc, &err), 0);
	assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
	assert_string_equal(action_for(sc, "read"), "SCMP_ACT_ALLOW");
	assert_null(action_for(sc, "mount"));
	assert_string_equal(action_for(sc, "chroot"), "SCMP_ACT_ALLOW");
	dd_seccomp_free(sc);
	sc = NULL;
	assert_int_equal(parse(text, admin, &sc, &err), 0);
	assert_string_equal(action_for(sc, "mount"), "SCMP_ACT_ALLOW");
	assert_null(action_for(sc, "chroot"));
	dd_seccomp_free(sc);
}

static void test_bad_profiles_are_refused_naming_the_culprit(void **state)
{
	char typo[64], unknown_call[256];
	const struct {
		const char *text, *named;
	} bad[] = {
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\",", "not valid JSON" },
		{ "[1, 2]", "object" },
		{ unknown_call, typo },
		{ "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "SCMP_ACT_MAYBE" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 0}]}", "errno" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1,"
		  " \"op\": \"SCMP_CMP_EQ\"}]}]}", "index" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"],"
		  " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1,"
		  " \"op\": \"SCMP_CMP_ABOUT\"}]}]}", "SCMP_CMP_ABOUT" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"mystery\": 1}", "mystery" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\":"
		  " \"SCMP_ARCH_VAX\"}]}", "SCMP_ARCH_VAX" },
	};

	snprintf(typo, sizeof(typo), "keyctl_%u", tu_random(1, 99999));
	snprintf(unknown_call, sizeof(unknown_call),
		 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		 "[\"read\", \"%s\"], \"action\": \"SCMP_ACT_ERRNO\"}]}", typo);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct dd_seccomp *sc = NULL;
		struct dd_error err = { 0 };

		assert_int_equal(parse(bad[i].text, NULL, &sc, &err), -1);
		assert_null(sc);
		assert_int_equal(err.kind, DD_ERR_USAGE);
		assert_non_null(strstr(err.msg, "test.json"));
		if (!strstr(err.msg, bad[i].named))
			fail_msg("'%s' does not name '%s'", err.msg, bad[i].named);
	}
}

/* What the built-in profile must refuse to a container with the default set. */
static const char *const refused[] = {
	"keyctl",	 "add_key",	"request_key", "kexec_load",  "open_by_handle_at",
	"init_module", "finit_module", "delete_module", "bpf",	      "perf_event_open",
	"mount",	 "umount2",	"unshare",     "setns",	      "pivot_root",
	"reboot",	 "swapon",	"acct",	       "clock_settime", "iopl",
};

static void test_default_profile_refuses_what_docker_refuses(void **state)
{
	struct dd_caps caps;
	struct dd_seccomp *sc = NULL;
	struct dd_error err = { 0 };

	assert_int_equal(sec_caps_build(NULL, NULL, false, &caps, &err), 0);
	assert_int_equal(sec_profile_parse(sec_default_profile, sec_default_profile_size(), "default",
					   caps.effective, &sc, &err), 0);
	assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
	assert_int_equal(sc->default_errno, EPERM);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (action_for(sc, refused[i]))
			fail_msg("the default profile allows %s", refused[i]);
	assert_string_equal(action_for(sc, "read"), "SCMP_ACT_ALLOW");
	assert_string_equal(action_for(sc, "execve"), "SCMP_ACT_ALLOW");
	assert_string_equal(action_for(sc, "chroot"), "SCMP_ACT_ALLOW"); /* CAP_SYS_CHROOT */
	dd_seccomp_free(sc);
	dd_caps_release(&caps);
}

/* In a child: load the default filter (compiled, as the engine does, or
 * built in place), then try what it must refuse. */
static int filter_child(void *compile)
{
	struct dd_caps caps;
	struct dd_seccomp *sc = NULL;
	struct dd_error err = { 0 };
	long r32;

	if (sec_caps_build(NULL, NULL, false, &caps, &err) < 0 ||
	    sec_profile_parse(sec_default_profile, sec_default_profile_size(), "default",
			      caps.effective, &sc, &err) < 0 ||
	    (compile && sec_seccomp_compile(sc, NULL, &err) < 0) || sec_seccomp_load(sc, &err) < 0)
		return 10;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		return 11; /* no_new_privs is the user's choice, not the filter's */
	if (syscall(SYS_keyctl, 0, -3, 0) != -1 || errno != EPERM)
		return 12;
	if (personality(PER_BSD) != -1 || errno != EPERM)
		return 13;
	if (syscall(SYS_unshare, CLONE_NEWUTS) != -1 || errno != EPERM)
		return 14;
#if defined(__x86_64__)
	/* keyctl through the 32-bit entry: the filter must know that table. */
	__asm__ volatile("int $0x80" : "=a"(r32) : "a"(288L), "b"(0L), "c"(-3L), "d"(0L) : "memory");
	if (r32 != -EPERM)
		return 15;
#else
	(void)r32;
#endif
	if (getpid() <= 0 || personality(0xffffffff) < 0)
		return 16;
	return 0;
}

static void test_default_filter_refuses_keyctl_with_eperm_on_every_entry(void **state)
{
	assert_int_equal(tu_in_child(filter_child, NULL), 0);
	assert_int_equal(tu_in_child(filter_child, "compiled"), 0);
}

static unsigned long long status_mask(const char *key)
{
	char *text = NULL, *p;
	size_t len;
	struct dd_error err = { 0 };
	unsigned long long v;

	assert_int_equal(dd_read_file("/proc/self/status", &text, &len, &err), 0);
	p = strstr(text, key);
	assert_non_null(p);
	v = strtoull(p + strlen(key), NULL, 16);
	free(text);
	return v;
}

static int caps_child(void *arg)
{
	struct dd_caps caps;
	struct dd_error err = { 0 };

	if (sec_caps_build(NULL, NULL, false, &caps, &err) < 0 ||
	    sec_caps_limit_bounding(&caps, &err) < 0 || sec_caps_set(&caps, &err) < 0)
		return 10;
	if (status_mask("CapBnd:") != docker_default_mask)
		return 11;
	if (status_mask("CapPrm:") != docker_default_mask)
		return 12;
	if (status_mask("CapEff:") != docker_default_mask)
		return 13;
	if (status_mask("CapInh:") != 0 || status_mask("CapAmb:") != 0)
		return 14;
	return 0;
}

static void test_capability_sets_in_a_child_are_the_default_ones(void **state)
{
	assert_int_equal(tu_in_child(caps_child, NULL), 0);
}

static int fds_child(void *arg)
{
	int a = open("/dev/null", O_RDONLY), b = open("/", O_RDONLY | O_DIRECTORY);
	int c = open("/dev/null", O_RDONLY), high = dup2(a, 200 + tu_random(0, 50));
	struct dd_error err = { 0 };

	if (a < 0 || b < 0 || c < 0 || high < 0)
		return 10;
	if (sec_close_fds(&c, 1, &err) < 0)
		return 11;
	if (fcntl(c, F_GETFD) < 0)
		return 12; /* kept */
	if (fcntl(a, F_GETFD) >= 0 || fcntl(b, F_GETFD) >= 0 || fcntl(high, F_GETFD) >= 0)
		return 13; /* should be closed */
	if (fcntl(0, F_GETFD) < 0 && fcntl(1, F_GETFD) < 0)
		return 14;
	return 0;
}

static void test_close_fds_keeps_only_stdio_and_the_named_ones(void **state)
{
	assert_int_equal(tu_in_child(fds_child, NULL), 0);
}

/* In a private mount namespace: mask a file and a directory, make a
 * third path read-only, and look. */
static int paths_child(void *dir)
{
	char file[300], sub[300], ro[300], inside[320], buf[16];
	char *masked[] = { file, sub, NULL }, *readonly[] = { ro, NULL };
	struct dd_error err = { 0 };
	struct stat st;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, NULL) < 0)
		return 10;
	snprintf(file, sizeof(file), "%s/secret", (char *)dir);
	snprintf(sub, sizeof(sub), "%s/sub", (char *)dir);
	snprintf(ro, sizeof(ro), "%s/ro", (char *)dir);
	snprintf(inside, sizeof(inside), "%s/sub/inner", (char *)dir);
	if (mkdir(sub, 0755) < 0 || mkdir(ro, 0755) < 0 ||
	    (fd = open(file, O_CREAT | O_WRONLY, 0644)) < 0 || write(fd, "host", 4) != 4)
		return 11;
	close(fd);
	if ((fd = open(inside, O_CREAT | O_WRONLY, 0644)) < 0)
		return 12;
	close(fd);
	if (sec_mask_paths(masked, &err) < 0 || sec_readonly_paths(readonly, &err) < 0)
		return 13;
	if ((fd = open(file, O_RDONLY)) < 0 || read(fd, buf, sizeof(buf)) != 0)
		return 14; /* the file reads as empty */
	close(fd);
	if (stat(inside, &st) == 0)
		return 15; /* the directory is empty */
	snprintf(inside, sizeof(inside), "%s/ro/new", (char *)dir);
	if (open(inside, O_CREAT | O_WRONLY, 0644) >= 0 || errno != EROFS)
		return 16;
	return 0;
}

static void test_masked_paths_read_empty_and_read_only_paths_refuse_writes(void **state)
{
	char *dir = tu_mkdtemp();

	assert_int_equal(tu_in_child(paths_child, dir), 0);
	tu_rmdir(dir);
}

static void test_ulimit_within_the_host_is_kept_and_above_it_refused(void **state)
{
	struct rlimit host;
	char ok[64], above[64], *list[] = { ok, NULL };
	struct sec_request rq = { .ulimits = list };
	struct dd_config *cfg = dd_config_new();
	struct dd_error err = { 0 };
	unsigned long long soft;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &host), 0);
	soft = tu_random(64, 512);
	snprintf(ok, sizeof(ok), "nofile=%llu:%llu", soft, soft + 1);
	assert_int_equal(sec_configure(cfg, &rq, &err), 0);
	assert_int_equal(cfg->nrlimits, 1);
	assert_string_equal(cfg->rlimits[0].type, "RLIMIT_NOFILE");
	assert_int_equal(cfg->rlimits[0].soft, soft);
	assert_int_equal(cfg->rlimits[0].hard, soft + 1);
	dd_config_free(cfg);
	if (host.rlim_max == RLIM_INFINITY || getuid() != 0)
		return;
	snprintf(above, sizeof(above), "nofile=%llu:%llu", (unsigned long long)host.rlim_max + 1,
		 (unsigned long long)host.rlim_max + 1);
	list[0] = above;
	cfg = dd_config_new();
	/* The host may hold CAP_SYS_RESOURCE (then it may raise it). */
	if (sec_configure(cfg, &rq, &err) < 0) {
		assert_int_equal(err.kind, DD_ERR_USAGE);
		assert_non_null(strstr(err.msg, "CAP_SYS_RESOURCE"));
	}
	dd_config_free(cfg);
}

static void test_confinement_survives_config_json(void **state)
{
	char *drop[] = { "ALL", NULL }, *add[] = { "NET_RAW", NULL };
	char *opts[] = { "no-new-privileges", NULL }, lim[64], *ulimits[] = { lim, NULL };
	struct sec_request rq = { .cap_add = add, .cap_drop = drop, .security_opt = opts,
				  .ulimits = ulimits };
	struct dd_config *cfg = dd_config_new(), *back = NULL;
	struct dd_error err = { 0 };
	char *dir = tu_mkdtemp(), path[300];
	unsigned int n = tu_random(10, 900);

	snprintf(lim, sizeof(lim), "nproc=%u", n);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(sec_configure(cfg, &rq, &err), 0);
	assert_int_equal(dd_oci_write_config(cfg, path, &err), 0);
	assert_int_equal(dd_oci_read_config(path, dir, &back, &err), 0);
	assert_true(back->caps.set);
	assert_string_equal(back->caps.bounding[0], "CAP_NET_RAW");
	assert_null(back->caps.bounding[1]);
	assert_int_equal(dd_strv_len(back->caps.ambient), 0);
	assert_true(back->no_new_privs);
	assert_int_equal(back->nrlimits, 1);
	assert_int_equal(back->rlimits[0].soft, n);
	assert_int_equal(back->seccomp->nrules, cfg->seccomp->nrules);
	assert_string_equal(back->seccomp->rules[0].names[0], cfg->seccomp->rules[0].names[0]);
	assert_int_equal(dd_strv_len(back->masked_paths), dd_strv_len(cfg->masked_paths));
	assert_int_equal(dd_strv_len(back->readonly_paths), dd_strv_len(cfg->readonly_paths));
	dd_config_free(cfg);
	dd_config_free(back);
	tu_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capability_names_parse_in_any_case_with_or_without_cap),
		cmocka_unit_test(test_unknown_capability_names_are_refused_by_name),
		cmocka_unit_test(test_default_capabilities_are_dockers_fourteen_in_three_sets),
		cmocka_unit_test(test_cap_add_and_drop_follow_dockers_rules),
		cmocka_unit_test(test_profile_keeps_rules_whose_capabilities_the_container_has),
		cmocka_unit_test(test_bad_profiles_are_refused_naming_the_culprit),
		cmocka_unit_test(test_default_profile_refuses_what_docker_refuses),
		cmocka_unit_test(test_default_filter_refuses_keyctl_with_eperm_on_every_entry),
		cmocka_unit_test(test_capability_sets_in_a_child_are_the_default_ones),
		cmocka_unit_test(test_close_fds_keeps_only_stdio_and_the_named_ones),
		cmocka_unit_test(test_masked_paths_read_empty_and_read_only_paths_refuse_writes),
		cmocka_unit_test(test_ulimit_within_the_host_is_kept_and_above_it_refused),
		cmocka_unit_test(test_confinement_survives_config_json),
	};

	return cmocka_run_group_tests_name("lab 16 security", tests, NULL, tu_cleanup);
}
