/*
 * seccomp.c: chapter 16, the system-call filter (lab 16).
 *
 * seccomp(2) lets a process install a small BPF program that the kernel
 * runs on every system call it (and every child it forks) makes; the
 * program answers allow, fail with an errno, or kill.  The filter can
 * never be removed, only made stricter, and it survives execve.
 * libseccomp compiles a list of rules ("allow read", "fail mount with
 * EPERM", "allow clone unless its flags make a namespace") into that
 * program, for each architecture named: a 64-bit x86 kernel also takes
 * 32-bit (int 0x80) and x32 calls, with other numbers, and a filter
 * that knows only one table lets the others by.
 *
 * The stage loads the filter last but for the capability sets: after it
 * the child still opens the start barrier, forks the --init and execs,
 * all allowed by any sane profile.  Loading it needs either
 * no_new_privs or CAP_SYS_ADMIN; the child still has the latter then,
 * so no_new_privs stays the user's choice, as with Docker.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "core/base/cleanup.h"
#include "security.h"

static const struct {
	const char *name;
	long long value; /* errno actions get their errno or-ed in */
} seccomp_actions[] = {
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} seccomp_ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* Which build of this file made a compiled filter: a cached program is
 * only as good as the code that made it (seccomp_cache.c). */
const char sec_seccomp_build_id[] = __DATE__ " " __TIME__;

long long sec_seccomp_action(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_actions); i++)
		if (!strcmp(name, seccomp_actions[i].name))
			return seccomp_actions[i].value;
	return -1;
}

int sec_seccomp_op(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_ops); i++)
		if (!strcmp(name, seccomp_ops[i].name))
			return seccomp_ops[i].op;
	return -1;
}

unsigned int sec_seccomp_arch(const char *name)
{
	/* libseccomp knows "x86_64", "x86", "x32", "aarch64"...: the OCI
	 * name is "SCMP_ARCH_" and that, upper-cased. */
	char lower[DD_SECCOMP_NAME_MAX];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) || strlen(name + 10) >= sizeof(lower))
		return 0;
	for (i = 0; name[10 + i]; i++)
		lower[i] = name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] + 32
								      : name[10 + i];
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

/* The libseccomp action of an OCI action name with its errno. */
static __attribute__((unused)) int action_value(const char *name, bool errno_set, unsigned int errno_ret,
			uint32_t *out, struct dd_error *err)
{
	long long v = sec_seccomp_action(name);

	if (v < 0)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown seccomp action '%s'", name);
	if (v == SCMP_ACT_ERRNO(0))
		v = SCMP_ACT_ERRNO(errno_set ? errno_ret : EPERM);
	else if (v == SCMP_ACT_TRACE(0))
		v = SCMP_ACT_TRACE(errno_set ? errno_ret : EPERM);
	*out = (uint32_t)v;
	return 0;
}

/* Add one rule of the config, for each of its names. */
static __attribute__((unused)) int add_rule(scmp_filter_ctx ctx, const struct dd_seccomp_rule *r, uint32_t def,
		    struct dd_error *err)
{
	struct scmp_arg_cmp cmp[DD_SECCOMP_MAX_ARGS];
	uint32_t act;

	if (action_value(r->action, r->errno_set, r->errno_ret, &act, err) < 0)
		return -1;
	/* libseccomp refuses a rule that says what the default says. */
	if (act == def)
		return 0;
	for (size_t k = 0; k < r->nargs; k++) {
		int op = sec_seccomp_op(r->args[k].op);

		if (op < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown seccomp operator '%s'",
					    r->args[k].op);
		cmp[k] = (struct scmp_arg_cmp){ .arg = r->args[k].index, .op = op,
						.datum_a = r->args[k].value,
						.datum_b = r->args[k].value_two };
	}
	for (size_t i = 0; r->names && r->names[i]; i++) {
		int nr = seccomp_syscall_resolve_name(r->names[i]);
		int rc;

		if (nr == __NR_SCMP_ERROR)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown system call '%s' in the "
					    "seccomp filter", r->names[i]);
		rc = seccomp_rule_add_array(ctx, act, nr, r->nargs, cmp);
		if (rc < 0 && rc != -EEXIST)
			return dd_fail(err, -rc, "Cannot add the seccomp rule for '%s'", r->names[i]);
	}
	return 0;
}

int sec_seccomp_build(const struct dd_seccomp *sc, scmp_filter_ctx *out, struct dd_error *err)
{
	/* BEGIN SOLUTION: build the filter with libseccomp: the default action, every architecture listed, each rule; leave no_new_privs alone */
	scmp_filter_ctx ctx;
	uint32_t def;
	int rc;

	if (action_value(sc->default_action, sc->default_errno_set, sc->default_errno, &def,
			 err) < 0)
		return -1;
	ctx = seccomp_init(def);
	if (!ctx)
		return dd_fail(err, EINVAL, "Cannot start a seccomp filter");
	/* libseccomp would set no_new_privs itself: that is --security-opt
	 * no-new-privileges' business, not the filter's. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; rc == 0 && sc->architectures && sc->architectures[i]; i++) {
		uint32_t arch = sec_seccomp_arch(sc->architectures[i]);

		if (arch == 0) {
			seccomp_release(ctx);
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown seccomp architecture '%s'",
					    sc->architectures[i]);
		}
		rc = seccomp_arch_add(ctx, arch);
		if (rc == -EEXIST)
			rc = 0;
	}
	if (rc < 0) {
		seccomp_release(ctx);
		return dd_fail(err, -rc, "Cannot set up the seccomp filter's architectures");
	}
	for (size_t i = 0; i < sc->nrules; i++) {
		if (add_rule(ctx, &sc->rules[i], def, err) < 0) {
			seccomp_release(ctx);
			return -1;
		}
	}
	*out = ctx;
	return 0;
	/* END SOLUTION */
}

int sec_seccomp_load(const struct dd_seccomp *sc, struct dd_error *err)
{
	scmp_filter_ctx ctx = NULL;
	int rc;

	if (sc->bpf) /* compiled by the engine (seccomp_cache.c) */
		return sec_seccomp_load_bpf(sc, err);
	if (sec_seccomp_build(sc, &ctx, err) < 0)
		return -1;
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return dd_fail(err, -rc, "Cannot load the seccomp filter");
	return 0;
}
