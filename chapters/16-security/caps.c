/*
 * caps.c: chapter 16, capabilities (lab 16).
 *
 * Root's power is split into some forty capabilities (capabilities(7)):
 * CAP_SYS_ADMIN to mount, CAP_SYS_MODULE to load kernel modules,
 * CAP_NET_ADMIN to reconfigure the network...  A process has five sets
 * of them: effective (what it may do now), permitted (what it may make
 * effective), inheritable and ambient (what survives execve), and the
 * bounding set, the ceiling that nothing it or its children exec can
 * ever rise above.  A container keeps Docker's 14 harmless ones in the
 * bounding, effective and permitted sets and nothing in the other two,
 * so its root can chown and bind port 80 but not remount, load modules
 * or reach the host's devices.  Dropping only the effective set is not
 * enough: a capability left in the permitted set can be raised again,
 * one left in the bounding set comes back through a file capability.
 *
 * The names come from the command line (--cap-add, --cap-drop): they
 * are checked against libcap's table and refused by name when unknown.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "core/base/cleanup.h"
#include "security.h"

/* Docker's default set (moby's oci/caps/defaults.go), in its order. */
const char *const sec_default_caps[SEC_DEFAULT_CAPS] = {
	"CAP_CHOWN",	"CAP_DAC_OVERRIDE", "CAP_FSETID",	    "CAP_FOWNER",
	"CAP_MKNOD",	"CAP_NET_RAW",	    "CAP_SETGID",	    "CAP_SETUID",
	"CAP_SETFCAP",	"CAP_SETPCAP",	    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",	"CAP_AUDIT_WRITE",
};

#define CAP_NAME_MAX 64

int sec_cap_from_name(const char *name, int *cap, struct dd_error *err)
{
	/* BEGIN SOLUTION: turn a capability name (any case, with or without CAP_) into its number with libcap, refusing unknown names */
	char lower[CAP_NAME_MAX] = "cap_";
	const char *base = name;
	cap_value_t value;
	size_t n;

	if (!strncasecmp(base, "CAP_", 4))
		base += 4;
	n = strlen(base);
	if (n == 0 || n + 5 > sizeof(lower))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown capability '%s'", name);
	for (size_t i = 0; i <= n; i++)
		lower[4 + i] = tolower((unsigned char)base[i]);
	/* libcap also takes a bare number ("21"): a name must be a name. */
	for (size_t i = 4; lower[i]; i++)
		if (!islower((unsigned char)lower[i]) && lower[i] != '_')
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown capability '%s'", name);
	if (cap_from_name(lower, &value) < 0 || value < 0 || value >= (cap_value_t)cap_max_bits())
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Unknown capability '%s' (capabilities(7) lists them, "
				    "e.g. NET_ADMIN or CAP_SYS_PTRACE)", name);
	*cap = value;
	return 0;
	/* END SOLUTION */
}

/* "CAP_CHOWN" for CAP_CHOWN, as OCI spells it. */
static __attribute__((unused)) int cap_oci_name(int cap, char out[CAP_NAME_MAX])
{
	char *s = cap_to_name(cap);

	if (!s)
		return -1;
	snprintf(out, CAP_NAME_MAX, "CAP_%s", !strncmp(s, "cap_", 4) ? s + 4 : s);
	cap_free(s);
	for (char *p = out; *p; p++)
		*p = toupper((unsigned char)*p);
	return 0;
}

/* Can drydock hand this capability on?  Only if it holds it itself;
 * without root (chapter 04), the container's root holds every
 * capability of drydock's bounding set, in the user namespace it is
 * given and only there. */
static __attribute__((unused)) bool cap_held(cap_t self, int cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	if (cap_get_bound(cap) != 1)
		return false;
	return geteuid() != 0 ||
	       (cap_get_flag(self, cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET);
}

static __attribute__((unused)) bool has_all(char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcasecmp(v[i], "ALL"))
			return true;
	return false;
}

/* Set want[cap] for each name in names (ALL aside) to value. */
static __attribute__((unused)) int mark_names(char *const *names, bool value, bool *want, const char *flag,
		      struct dd_error *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		int cap;

		if (!strcasecmp(names[i], "ALL"))
			continue;
		if (sec_cap_from_name(names[i], &cap, err) < 0)
			return dd_error_wrap(err, "Invalid %s", flag);
		want[cap] = value;
	}
	return 0;
}

int sec_caps_build(char *const *add, char *const *drop, bool privileged, struct dd_caps *out,
		   struct dd_error *err)
{
	/* BEGIN SOLUTION: decide the container's capabilities: Docker's default set (or all that drydock holds with --privileged or --cap-add ALL, none with --cap-drop ALL), plus --cap-add, minus --cap-drop; refuse one drydock does not hold */
	int last = cap_max_bits();
	bool want[CAP_LAST_CAP + 64] = { false };
	cap_t self = cap_get_proc();
	int rc = 0;

	if (!self)
		return dd_fail(err, errno, "Cannot read drydock's own capabilities");
	memset(out, 0, sizeof(*out));
	out->set = true;
	if (last > (int)ARRAY_SIZE(want))
		last = ARRAY_SIZE(want);
	if (privileged || has_all(add)) {
		for (int cap = 0; cap < last; cap++)
			want[cap] = cap_held(self, cap);
	} else if (!has_all(drop)) {
		for (size_t i = 0; i < SEC_DEFAULT_CAPS; i++) {
			int cap;

			if (sec_cap_from_name(sec_default_caps[i], &cap, err) < 0) {
				cap_free(self);
				return -1;
			}
			want[cap] = true;
		}
	}
	/* --cap-drop ALL --cap-add X keeps X: adds are applied last then. */
	if (has_all(drop))
		rc = mark_names(add, true, want, "--cap-add", err);
	else if (!privileged)
		rc = mark_names(add, true, want, "--cap-add", err) < 0 ? -1
			: mark_names(drop, false, want, "--cap-drop", err);
	for (int cap = 0; rc == 0 && cap < last; cap++) {
		char name[CAP_NAME_MAX];

		if (!want[cap])
			continue;
		if (cap_oci_name(cap, name) < 0) {
			rc = dd_fail(err, errno, "Cannot name capability %d", cap);
			break;
		}
		if (!cap_held(self, cap)) {
			rc = dd_fail_kind(err, DD_ERR_USAGE, 0,
					  "Cannot give the container %s: drydock does not hold it "
					  "itself (it is not in its bounding or permitted set), and "
					  "no process can hand on a capability it lacks", name);
			break;
		}
		if (dd_strv_push(&out->bounding, name) < 0 ||
		    dd_strv_push(&out->effective, name) < 0 ||
		    dd_strv_push(&out->permitted, name) < 0)
			rc = dd_fail(err, ENOMEM, "Out of memory");
	}
	cap_free(self);
	/* Empty lists, not missing ones: "none" must read back as none. */
	if (rc == 0 && ((!out->bounding && !(out->bounding = calloc(1, sizeof(char *)))) ||
			(!out->effective && !(out->effective = calloc(1, sizeof(char *)))) ||
			(!out->permitted && !(out->permitted = calloc(1, sizeof(char *)))) ||
			!(out->inheritable = calloc(1, sizeof(char *))) ||
			!(out->ambient = calloc(1, sizeof(char *)))))
		rc = dd_fail(err, ENOMEM, "Out of memory");
	if (rc < 0)
		dd_caps_release(out);
	return rc;
	/* END SOLUTION */
}

/* Is cap named in list? */
static __attribute__((unused)) int cap_listed(char *const *list, int cap, bool *found, struct dd_error *err)
{
	*found = false;
	for (size_t i = 0; list && list[i]; i++) {
		int c;

		if (sec_cap_from_name(list[i], &c, err) < 0)
			return dd_error_wrap(err, "Invalid capability in the config");
		if (c == cap)
			*found = true;
	}
	return 0;
}

int sec_caps_limit_bounding(const struct dd_caps *caps, struct dd_error *err)
{
	/* BEGIN SOLUTION: drop from the bounding set every capability caps->bounding does not list */
	int last = cap_max_bits();

	for (int cap = 0; cap < last; cap++) {
		bool keep;

		if (cap_listed(caps->bounding, cap, &keep, err) < 0)
			return -1;
		if (keep || cap_get_bound(cap) != 1)
			continue;
		if (cap_drop_bound(cap) < 0)
			return dd_fail(err, errno, "Cannot drop capability %d from the bounding set",
				       cap);
	}
	return 0;
	/* END SOLUTION */
}

/* Fill one flag of c from a list of names. */
static __attribute__((unused)) int set_flag(cap_t c, cap_flag_t flag, char *const *list, struct dd_error *err)
{
	for (size_t i = 0; list && list[i]; i++) {
		int cap;
		cap_value_t v;

		if (sec_cap_from_name(list[i], &cap, err) < 0)
			return dd_error_wrap(err, "Invalid capability in the config");
		v = cap;
		if (cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return dd_fail(err, errno, "Cannot set %s", list[i]);
	}
	return 0;
}

int sec_caps_set(const struct dd_caps *caps, struct dd_error *err)
{
	/* BEGIN SOLUTION: set the effective, permitted and inheritable sets with one cap_set_proc, then clear the ambient set and raise the ambient capabilities listed */
	cap_t c = cap_init();
	int rc = 0;

	if (!c)
		return dd_fail(err, errno, "Cannot build a capability set");
	if (set_flag(c, CAP_EFFECTIVE, caps->effective, err) < 0 ||
	    set_flag(c, CAP_PERMITTED, caps->permitted, err) < 0 ||
	    set_flag(c, CAP_INHERITABLE, caps->inheritable, err) < 0)
		rc = -1;
	else if (cap_set_proc(c) < 0)
		rc = dd_fail(err, errno, "Cannot set the container's capabilities");
	cap_free(c);
	if (rc < 0)
		return rc;
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return dd_fail(err, errno, "Cannot clear the ambient capabilities");
	for (size_t i = 0; caps->ambient && caps->ambient[i]; i++) {
		int cap;

		if (sec_cap_from_name(caps->ambient[i], &cap, err) < 0)
			return dd_error_wrap(err, "Invalid ambient capability in the config");
		if (cap_set_ambient(cap, CAP_SET) < 0)
			return dd_fail(err, errno, "Cannot raise ambient capability %s",
				       caps->ambient[i]);
	}
	return 0;
	/* END SOLUTION */
}
