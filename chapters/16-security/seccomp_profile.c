/*
 * seccomp_profile.c: chapter 16, reading a seccomp profile (lab 16).
 *
 * A profile says which system calls a container may make.  drydock
 * reads Docker's JSON format (docs.docker.com/engine/security/seccomp):
 *
 *   { "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
 *     "archMap": [ { "architecture": "SCMP_ARCH_X86_64",
 *                    "subArchitectures": [ "SCMP_ARCH_X86", "SCMP_ARCH_X32" ] } ],
 *     "syscalls": [ { "names": [ "read", "write" ], "action": "SCMP_ACT_ALLOW" },
 *                   { "names": [ "mount" ], "action": "SCMP_ACT_ALLOW",
 *                     "includes": { "caps": [ "CAP_SYS_ADMIN" ] } } ] }
 *
 * and keeps the rules whose "includes" hold and whose "excludes" do not,
 * for this container's capabilities and this machine's architecture:
 * what is left is the OCI form (linux.seccomp in config.json) that the
 * stage turns into a filter.  drydock's own default is
 * default-seccomp.json beside this file, built into the binary.
 *
 * Threat model: the profile is untrusted input (--security-opt
 * seccomp=FILE, maybe downloaded).  A mistake in it weakens the
 * container silently, so everything unexpected is refused by name: a
 * file that is not JSON, an unknown key, action, operator or
 * architecture, a system call libseccomp does not know (a typo would
 * otherwise let the call through the default action), an argument index
 * past 5 or more than 6 conditions, an errno that is not 1..4095.  Sizes
 * are bounded (SEC_PROFILE_MAX bytes); jansson is not recursive beyond
 * its own depth limit, and nothing here recurses.
 */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/base/cleanup.h"
#include "security.h"

/* The built-in profile, embedded from default-seccomp.json (see the Makefile). */
__asm__(".section .rodata\n"
	".global sec_default_profile\n"
	".type sec_default_profile, @object\n"
	"sec_default_profile:\n"
	".incbin \"chapters/16-security/default-seccomp.json\"\n"
	".byte 0\n"
	/* A size, so a program linking the shared test library can copy it;
	 * the length is kept apart, in a hidden word, because a copied
	 * sec_default_profile no longer lies beside any end label. */
	".size sec_default_profile, .-sec_default_profile\n"
	".balign 8\n"
	".global sec_default_profile_bytes\n"
	".hidden sec_default_profile_bytes\n"
	"sec_default_profile_bytes:\n"
	".quad sec_default_profile_bytes - sec_default_profile\n"
	".previous\n");
extern const unsigned long sec_default_profile_bytes __attribute__((visibility("hidden")));

size_t sec_default_profile_size(void)
{
	/* The bytes up to the word include the NUL and the alignment; the
	 * text ends at the NUL. */
	return strnlen(sec_default_profile, sec_default_profile_bytes);
}

#define SEC_PROFILE_MAX (1 << 20) /* 1 MiB: Docker's own is about 20 KiB */
#define SEC_ERRNO_MAX 4095

/* Go's names, which Docker profiles use in includes/excludes "arches". */
static const char *native_goarch(void)
{
	static const struct {
		const char *machine, *goarch;
	} arches[] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "386" },
		{ "armv7l", "arm" },   { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" },
	};
	struct utsname u;

	if (uname(&u) == 0)
		for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
			if (!strcmp(u.machine, arches[i].machine))
				return arches[i].goarch;
	return "unknown";
}

/* "5.10.0-21-amd64" >= "4.8"? */
static bool kernel_at_least(const char *want)
{
	struct utsname u;
	int have_major = 0, have_minor = 0, want_major = 0, want_minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &have_major, &have_minor) < 1 ||
	    sscanf(want, "%d.%d", &want_major, &want_minor) < 1)
		return false;
	return have_major > want_major || (have_major == want_major && have_minor >= want_minor);
}

/* Is capability name (with or without CAP_) in caps ("CAP_CHOWN", ...)? */
static bool caps_have(char *const *caps, const char *name)
{
	const char *base = strncasecmp(name, "CAP_", 4) ? name : name + 4;

	for (size_t i = 0; caps && caps[i]; i++) {
		const char *c = strncasecmp(caps[i], "CAP_", 4) ? caps[i] : caps[i] + 4;

		if (!strcasecmp(c, base))
			return true;
	}
	return false;
}

/* A list of strings, or a usage error naming what. */
static int string_list(json_t *a, const char *source, const char *what, char ***out,
		       struct dd_error *err)
{
	size_t i;
	json_t *v;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: %s must be a list "
				    "of strings", source, what);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: %s must be a "
					    "list of strings", source, what);
		if (out && dd_strv_push(out, json_string_value(v)) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}

static int check_keys(json_t *o, const char *const *allowed, const char *source,
		      const char *where, struct dd_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: %s must be an object",
				    source, where);
	json_object_foreach(o, key, v) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, key))
			a++;
		if (!*a)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: unknown key "
					    "'%s' in %s", source, key, where);
	}
	return 0;
}

/* Does a condition object ({caps, arches, minKernel}) hold? */
static int condition_holds(json_t *c, char *const *caps, const char *source, bool *holds,
			   struct dd_error *err)
{
	static const char *const keys[] = { "caps", "arches", "minKernel", NULL };
	_cleanup_free_ char **want_caps = NULL;
	json_t *a = json_object_get(c, "arches"), *v;
	const char *k = json_string_value(json_object_get(c, "minKernel"));
	size_t i;
	int cap;

	*holds = true;
	if (check_keys(c, keys, source, "a rule's includes or excludes", err) < 0 ||
	    string_list(json_object_get(c, "caps"), source, "caps", NULL, err) < 0 ||
	    string_list(a, source, "arches", NULL, err) < 0)
		return -1;
	json_array_foreach(json_object_get(c, "caps"), i, v) {
		if (sec_cap_from_name(json_string_value(v), &cap, err) < 0)
			return dd_error_wrap(err, "Seccomp profile %s", source);
		*holds &= caps_have(caps, json_string_value(v));
	}
	if (json_array_size(a) > 0) {
		bool found = false;

		json_array_foreach(a, i, v)
			found |= !strcmp(json_string_value(v), native_goarch());
		*holds &= found;
	}
	if (k)
		*holds &= kernel_at_least(k);
	return 0;
}

static int parse_args(json_t *args, struct dd_seccomp_rule *r, const char *source,
		      struct dd_error *err)
{
	static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
	size_t i;
	json_t *a;

	if (args && !json_is_array(args))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: args must be a list",
				    source);
	if (json_array_size(args) > DD_SECCOMP_MAX_ARGS)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: a rule has %zu "
				    "conditions on its arguments, at most %d are allowed",
				    source, json_array_size(args), DD_SECCOMP_MAX_ARGS);
	json_array_foreach(args, i, a) {
		struct dd_seccomp_arg *arg = &r->args[r->nargs++];
		json_t *idx = json_object_get(a, "index"), *val = json_object_get(a, "value");
		json_t *two = json_object_get(a, "valueTwo");
		const char *op = json_string_value(json_object_get(a, "op"));

		if (check_keys(a, keys, source, "an argument condition", err) < 0)
			return -1;
		if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
		    json_integer_value(idx) >= DD_SECCOMP_MAX_ARGS)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: an argument "
					    "index must be 0 to 5", source);
		if (!json_is_integer(val) || (two && !json_is_integer(two)))
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: an argument "
					    "value must be an integer", source);
		if (!op || sec_seccomp_op(op) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: unknown "
					    "operator '%s'", source, op ? op : "(none)");
		arg->index = json_integer_value(idx);
		arg->value = (unsigned long long)json_integer_value(val);
		arg->value_two = two ? (unsigned long long)json_integer_value(two) : 0;
		snprintf(arg->op, sizeof(arg->op), "%s", op);
	}
	return 0;
}

static int parse_errno(json_t *v, const char *source, unsigned int *out, struct dd_error *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > SEC_ERRNO_MAX)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: an errno must be a "
				    "number from 1 to %d", source, SEC_ERRNO_MAX);
	*out = json_integer_value(v);
	return 0;
}

/* One entry of "syscalls": kept (appended to sc) if its conditions hold. */
static int parse_rule(json_t *jr, char *const *caps, const char *source, struct dd_seccomp *sc,
		      struct dd_error *err)
{
	static const char *const keys[] = { "names",    "name",	    "action", "errnoRet", "args",
					    "includes", "excludes", "comment", NULL };
	struct dd_seccomp_rule r = { 0 };
	const char *action = json_string_value(json_object_get(jr, "action"));
	json_t *inc = json_object_get(jr, "includes"), *exc = json_object_get(jr, "excludes");
	bool in = true, out = false;

	if (check_keys(jr, keys, source, "a rule of syscalls", err) < 0)
		return -1;
	if (!action || sec_seccomp_action(action) < 0)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: unknown action '%s'",
				    source, action ? action : "(none)");
	snprintf(r.action, sizeof(r.action), "%s", action);
	if (string_list(json_object_get(jr, "names"), source, "names", &r.names, err) < 0)
		goto fail;
	if (json_is_string(json_object_get(jr, "name")) &&
	    dd_strv_push(&r.names, json_string_value(json_object_get(jr, "name"))) < 0) {
		dd_fail(err, ENOMEM, "Out of memory");
		goto fail;
	}
	if (!r.names) {
		dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: a rule names no system call",
			     source);
		goto fail;
	}
	/* BEGIN SOLUTION: refuse a system call name libseccomp does not know, naming it */
	for (size_t i = 0; r.names[i]; i++)
		if (seccomp_syscall_resolve_name(r.names[i]) == __NR_SCMP_ERROR) {
			dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: unknown system "
				     "call '%s' (libseccomp does not know it: a typo would leave it "
				     "to the default action)", source, r.names[i]);
			goto fail;
		}
	/* END SOLUTION */
	if (json_object_get(jr, "errnoRet")) {
		if (parse_errno(json_object_get(jr, "errnoRet"), source, &r.errno_ret, err) < 0)
			goto fail;
		r.errno_set = true;
	}
	if (parse_args(json_object_get(jr, "args"), &r, source, err) < 0 ||
	    (inc && condition_holds(inc, caps, source, &in, err) < 0))
		goto fail;
	/* An excludes object applies when any of its conditions holds. */
	if (exc) {
		static const char *const keys2[] = { "caps", "arches", "minKernel", NULL };
		size_t i;
		json_t *v;
		int cap;

		if (check_keys(exc, keys2, source, "a rule's excludes", err) < 0 ||
		    string_list(json_object_get(exc, "caps"), source, "caps", NULL, err) < 0 ||
		    string_list(json_object_get(exc, "arches"), source, "arches", NULL, err) < 0)
			goto fail;
		json_array_foreach(json_object_get(exc, "caps"), i, v) {
			if (sec_cap_from_name(json_string_value(v), &cap, err) < 0) {
				dd_error_wrap(err, "Seccomp profile %s", source);
				goto fail;
			}
			out |= caps_have(caps, json_string_value(v));
		}
		json_array_foreach(json_object_get(exc, "arches"), i, v)
			out |= !strcmp(json_string_value(v), native_goarch());
		if (json_string_value(json_object_get(exc, "minKernel")))
			out |= kernel_at_least(json_string_value(json_object_get(exc, "minKernel")));
	}
	if (!in || out) {
		dd_strv_free(r.names);
		return 0;
	}
	sc->rules[sc->nrules++] = r;
	return 0;
fail:
	dd_strv_free(r.names);
	return -1;
}

/* The architectures: archMap's entry for this machine with its
 * sub-architectures, or the old "architectures" list, or native only. */
static int parse_arches(json_t *root, const char *source, struct dd_seccomp *sc,
			struct dd_error *err)
{
	json_t *map = json_object_get(root, "archMap"), *e;
	size_t i;

	if (string_list(json_object_get(root, "architectures"), source, "architectures",
			&sc->architectures, err) < 0)
		return -1;
	if (map && !json_is_array(map))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: archMap must be a list",
				    source);
	json_array_foreach(map, i, e) {
		const char *a = json_string_value(json_object_get(e, "architecture"));

		if (!a || sec_seccomp_arch(a) == 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: unknown "
					    "architecture '%s'", source, a ? a : "(none)");
		if (sec_seccomp_arch(a) != seccomp_arch_native())
			continue;
		if (dd_strv_push(&sc->architectures, a) < 0 ||
		    string_list(json_object_get(e, "subArchitectures"), source, "subArchitectures",
				&sc->architectures, err) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	for (i = 0; sc->architectures && sc->architectures[i]; i++)
		if (sec_seccomp_arch(sc->architectures[i]) == 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: unknown "
					    "architecture '%s'", source, sc->architectures[i]);
	return 0;
}

int sec_profile_parse(const char *text, size_t len, const char *source, char *const *caps,
		      struct dd_seccomp **out, struct dd_error *err)
{
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "archMap",
					    "architectures", "syscalls", NULL };
	struct dd_seccomp *sc;
	json_error_t jerr;
	json_t *root, *rules, *jr;
	const char *def;
	size_t i;
	int rc = -1;

	if (len > SEC_PROFILE_MAX)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s is %zu bytes, more "
				    "than the %d drydock reads", source, len, SEC_PROFILE_MAX);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s is not valid JSON: "
				    "line %d: %s", source, jerr.line, jerr.text);
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		json_decref(root);
		return dd_fail(err, ENOMEM, "Out of memory");
	}
	def = json_string_value(json_object_get(root, "defaultAction"));
	rules = json_object_get(root, "syscalls");
	if (check_keys(root, keys, source, "the profile", err) < 0)
		goto out;
	if (!def || sec_seccomp_action(def) < 0) {
		dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: %s defaultAction '%s'",
			     source, def ? "unknown" : "no", def ? def : "");
		goto out;
	}
	snprintf(sc->default_action, sizeof(sc->default_action), "%s", def);
	if (json_object_get(root, "defaultErrnoRet")) {
		if (parse_errno(json_object_get(root, "defaultErrnoRet"), source,
				&sc->default_errno, err) < 0)
			goto out;
		sc->default_errno_set = true;
	}
	if (rules && !json_is_array(rules)) {
		dd_fail_kind(err, DD_ERR_USAGE, 0, "Seccomp profile %s: syscalls must be a list",
			     source);
		goto out;
	}
	sc->rules = calloc(json_array_size(rules) + 1, sizeof(*sc->rules));
	if (!sc->rules) {
		dd_fail(err, ENOMEM, "Out of memory");
		goto out;
	}
	if (parse_arches(root, source, sc, err) < 0)
		goto out;
	json_array_foreach(rules, i, jr)
		if (parse_rule(jr, caps, source, sc, err) < 0)
			goto out;
	*out = sc;
	sc = NULL;
	rc = 0;
out:
	dd_seccomp_free(sc);
	json_decref(root);
	return rc;
}
