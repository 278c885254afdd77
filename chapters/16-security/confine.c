/*
 * confine.c: chapter 16, the security stage (lab 16).
 *
 * Everything the other files of the chapter make is applied here, in
 * the child, at DD_PHASE_CONFINE: after the root is in place and before
 * the start barrier and the --init, so every process the container
 * will ever have inherits it.  The order matters:
 *
 *   1. refuse a /proc, /sys or /dev that the image made a symlink
 *   2. mask and make read-only the dangerous parts of /proc and /sys
 *      (mounts: they need CAP_SYS_ADMIN, so they come first)
 *   3. rlimits (--ulimit)
 *   4. close every descriptor drydock has but the two it still needs,
 *      check the working directory, make this process non-dumpable
 *      (CVE-2024-21626: a leaked directory fd is a way out of the root)
 *   5. no_new_privs, if asked
 *   6. shrink the bounding set
 *   7. load the seccomp filter (CAP_SYS_ADMIN is still effective)
 *   8. set the effective, permitted and inheritable sets, and ambient
 *
 * The engine's half, sec_configure(), turns the flags into the config.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "security.h"

/* --ulimit names, as Docker's (and setrlimit(2)'s without RLIMIT_). */
static const struct {
	const char *type;
	int resource;
} rlimits[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

int sec_rlimit_resource(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++)
		if (!strcasecmp(type, rlimits[i].type) || !strcasecmp(type, rlimits[i].type + 7))
			return rlimits[i].resource;
	return -1;
}

/* --- the engine's half ------------------------------------------------ */

static bool has_cap_sys_resource(void)
{
	cap_t self = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (self) {
		cap_get_flag(self, CAP_SYS_RESOURCE, CAP_EFFECTIVE, &v);
		cap_free(self);
	}
	return v == CAP_SET;
}

static int parse_limit(const char *s, const char *spec, unsigned long long *out,
		       struct dd_error *err)
{
	char *end;

	if (!strcmp(s, "unlimited") || !strcmp(s, "-1")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-')
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid --ulimit '%s': '%s' is not a "
				    "number", spec, s);
	return 0;
}

/* "nofile=1024[:2048]", kept within what this host allows. */
static int add_ulimit(struct dd_config *cfg, const char *spec, struct dd_error *err)
{
	_cleanup_free_ char *copy = strdup(spec);
	char *eq = copy ? strchr(copy, '=') : NULL, *colon, type[32];
	unsigned long long soft, hard;
	struct rlimit host;
	int res;

	if (!copy)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (!eq)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid --ulimit '%s': expected "
				    "TYPE=SOFT[:HARD], e.g. nofile=1024:2048", spec);
	*eq++ = '\0';
	res = sec_rlimit_resource(copy);
	if (res < 0 || strlen(copy) > 20)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid --ulimit '%s': unknown limit "
				    "'%s' (nofile, nproc, core, stack, memlock, ...)", spec, copy);
	colon = strchr(eq, ':');
	if (colon)
		*colon++ = '\0';
	if (parse_limit(eq, spec, &soft, err) < 0 ||
	    parse_limit(colon ? colon : eq, spec, &hard, err) < 0)
		return -1;
	if (soft > hard)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid --ulimit '%s': the soft limit is "
				    "above the hard limit", spec);
	if (getrlimit(res, &host) == 0 && hard > host.rlim_max && !has_cap_sys_resource())
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Cannot set --ulimit '%s': its hard limit is above this host's "
				    "(%llu), and raising a hard limit needs CAP_SYS_RESOURCE, which "
				    "drydock does not hold here; use a hard limit of at most %llu",
				    spec, (unsigned long long)host.rlim_max,
				    (unsigned long long)host.rlim_max);
	snprintf(type, sizeof(type), "RLIMIT_%s", copy);
	for (char *p = type; *p; p++)
		*p = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
	if (dd_config_add_rlimit(cfg, type, soft, hard) < 0)
		return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

/* The text of a profile file, read on the host before anything starts. */
static int read_profile(const char *path, char *const *caps, struct dd_seccomp **out,
			struct dd_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (dd_read_file(path, &text, &len, err) < 0)
		return dd_fail_kind(err, DD_ERR_USAGE, err->errnum, "Cannot read seccomp profile "
				    "'%s'", path);
	return sec_profile_parse(text, len, path, caps, out, err);
}

bool sec_request_wanted(const struct sec_request *rq)
{
	if (dd_strv_len(rq->cap_drop) || dd_strv_len(rq->ulimits))
		return true;
	for (size_t i = 0; rq->security_opt && rq->security_opt[i]; i++)
		if (strcmp(rq->security_opt[i], "seccomp=unconfined") &&
		    strcmp(rq->security_opt[i], "seccomp:unconfined"))
			return true;
	return false;
}

int sec_configure(struct dd_config *cfg, const struct sec_request *rq, struct dd_error *err)
{
	const char *profile = NULL;
	bool unconfined = rq->privileged;

	for (size_t i = 0; rq->security_opt && rq->security_opt[i]; i++) {
		const char *o = rq->security_opt[i];

		if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges:true") ||
		    !strcmp(o, "no-new-privileges=true"))
			cfg->no_new_privs = true;
		else if (!strcmp(o, "no-new-privileges:false") || !strcmp(o, "no-new-privileges=false"))
			cfg->no_new_privs = false;
		else if ((!strncmp(o, "seccomp=", 8) || !strncmp(o, "seccomp:", 8)) && o[8]) {
			unconfined = !strcmp(o + 8, "unconfined");
			profile = unconfined ? NULL : o + 8;
		} else
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid --security-opt '%s': "
					    "drydock knows no-new-privileges and "
					    "seccomp=unconfined|FILE.json", o);
	}
	if (sec_caps_build(rq->cap_add, rq->cap_drop, rq->privileged, &cfg->caps, err) < 0)
		return -1;
	if (profile && read_profile(profile, cfg->caps.effective, &cfg->seccomp, err) < 0)
		return -1;
	if (!profile && !unconfined &&
	    sec_profile_parse(sec_default_profile, sec_default_profile_size(), "(drydock's default)",
			      cfg->caps.effective, &cfg->seccomp, err) < 0)
		return -1;
	if (cfg->seccomp && sec_seccomp_compile(cfg->seccomp, rq->cache_dir, err) < 0)
		return -1;
	for (size_t i = 0; rq->ulimits && rq->ulimits[i]; i++)
		if (add_ulimit(cfg, rq->ulimits[i], err) < 0)
			return -1;
	cfg->privileged = rq->privileged;
	if (rq->privileged)
		return 0;
	for (size_t i = 0; sec_default_masked[i]; i++)
		if (dd_strv_push(&cfg->masked_paths, sec_default_masked[i]) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	for (size_t i = 0; sec_default_readonly[i]; i++)
		if (dd_strv_push(&cfg->readonly_paths, sec_default_readonly[i]) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

/* --- the child's half ------------------------------------------------- */

int sec_set_rlimits(const struct dd_config *cfg, struct dd_error *err)
{
	for (size_t i = 0; i < cfg->nrlimits; i++) {
		const struct dd_rlimit *r = &cfg->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
		int res = sec_rlimit_resource(r->type);

		if (res < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown rlimit '%s'", r->type);
		if (setrlimit(res, &rl) < 0)
			return dd_fail(err, errno, "Cannot set %s to %llu:%llu%s", r->type, r->soft,
				       r->hard, errno == EPERM ? " (raising a hard limit needs "
				       "CAP_SYS_RESOURCE)" : "");
	}
	return 0;
}

static __attribute__((unused)) int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int sec_close_fds(const int *keep, size_t n, struct dd_error *err)
{
	/* BEGIN SOLUTION: close every file descriptor from 3 up except those in keep, with close_range(2) over the gaps */
	int sorted[8];
	unsigned int from = 3;

	if (n > ARRAY_SIZE(sorted))
		return dd_fail(err, EINVAL, "Too many descriptors to keep");
	memcpy(sorted, keep, n * sizeof(int));
	qsort(sorted, n, sizeof(int), compare_ints);
	for (size_t i = 0; i <= n; i++) {
		unsigned int to = i < n ? (unsigned int)sorted[i] : ~0U;

		if (i < n && (sorted[i] < 0 || (unsigned int)sorted[i] < from))
			continue; /* not open, or below 3, or kept twice */
		if (to > from && syscall(SYS_close_range, from, to - 1, 0) < 0)
			return dd_fail(err, errno, "Cannot close drydock's descriptors %u-%u", from,
				       to - 1);
		if (to != ~0U)
			from = to + 1;
	}
	return 0;
	/* END SOLUTION */
}

int sec_check_cwd(const char *cwd, struct dd_error *err)
{
	/* BEGIN SOLUTION: open the working directory inside the root without magic links, enter it, and check with getcwd that it is under the root */
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	char buf[4096];

	if (root < 0)
		return dd_fail(err, errno, "Cannot open the container's root");
	fd = syscall(SYS_openat2, root, cwd, &how, sizeof(how));
	if (fd < 0)
		return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno, "Cannot use working directory "
				    "'%s' inside the container", cwd);
	/* A directory outside the root has no path from it: getcwd(3)
	 * then fails or says "(unreachable)". */
	errno = 0;
	if (fchdir(fd) < 0 || !getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return dd_fail_kind(err, DD_ERR_CANNOT_EXEC, errno ? errno : EACCES,
				    "Working directory '%s' is outside the container's root", cwd);
	return 0;
	/* END SOLUTION */
}

/* --- the stage -------------------------------------------------------- */

static int security_child(struct dd_container *c, struct dd_error *err)
{
	const struct dd_config *cfg = c->cfg;
	const int keep[] = { c->sync_fd, c->barrier_fd };
	bool own_root = cfg->rootfs && (cfg->namespaces & CLONE_NEWNS);

	if (own_root && (sec_check_special_dirs(err) < 0 ||
			 sec_mask_paths(cfg->masked_paths, err) < 0 ||
			 sec_readonly_paths(cfg->readonly_paths, err) < 0))
		return -1;
	if (sec_set_rlimits(cfg, err) < 0 || sec_close_fds(keep, ARRAY_SIZE(keep), err) < 0 ||
	    (own_root && sec_check_cwd(cfg->cwd, err) < 0))
		return -1;
	/* Until exec, this process runs drydock's binary inside the
	 * container (and an --init does for good): no process of the
	 * container may open it through /proc/PID/exe or ptrace it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot make the container's init non-dumpable");
	if (cfg->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot set no_new_privs");
	if (cfg->caps.set && sec_caps_limit_bounding(&cfg->caps, err) < 0)
		return -1;
	if (cfg->seccomp && sec_seccomp_load(cfg->seccomp, err) < 0)
		return -1;
	if (cfg->caps.set && sec_caps_set(&cfg->caps, err) < 0)
		return -1;
	return 0;
}

static bool security_wanted(const struct dd_config *cfg)
{
	return cfg->caps.set || cfg->seccomp || cfg->no_new_privs || cfg->nrlimits ||
	       dd_strv_len(cfg->masked_paths) || dd_strv_len(cfg->readonly_paths);
}

static int security_selftest(struct dd_error *err)
{
	struct dd_caps caps;

	if (sec_caps_build(NULL, NULL, false, &caps, err) < 0)
		return -1;
	dd_caps_release(&caps);
	return 0;
}

const struct dd_stage security_stage = {
	.name = "security",
	.chapter = 16,
	.summary = "confinement (capabilities, seccomp, masked paths, fd hygiene, a sealed binary)",
	.phase = DD_PHASE_CONFINE,
	.wanted = security_wanted,
	.child = security_child,
	.selftest = security_selftest,
};
