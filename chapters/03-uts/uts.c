/*
 * uts.c: chapter 03, a private hostname (lab 03).
 *
 * The UTS namespace (named after the "UNIX Time-sharing System" struct
 * utsname) holds the hostname and the NIS domain name.  The child was
 * cloned with CLONE_NEWUTS, so sethostname(2) there changes only the
 * container's copy: the host keeps its name.
 */
#include "uts.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

/* The kernel's limit (HOST_NAME_MAX, __NEW_UTS_LEN). */
#define UTS_HOSTNAME_MAX 64

bool uts_valid_hostname(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len == 0 || len >= UTS_HOSTNAME_MAX || name[0] == '-' || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			return false;
		label++;
	}
	return name[len - 1] != '-' && name[len - 1] != '.';
}

int uts_set_hostname(const char *name, struct dd_error *err)
{
	/* BEGIN SOLUTION: set the hostname of this UTS namespace with sethostname(2) */
	if (sethostname(name, strlen(name)) < 0)
		return dd_fail(err, errno, "Cannot set hostname '%s'", name);
	return 0;
	/* END SOLUTION */
}

static int uts_child(struct dd_container *c, struct dd_error *err)
{
	if (!c->cfg->hostname || !(c->cfg->namespaces & CLONE_NEWUTS))
		return 0; /* --uts host: the host's name stays */
	return uts_set_hostname(c->cfg->hostname, err);
}

static bool uts_wanted(const struct dd_config *cfg)
{
	return cfg->hostname_set;
}

static int uts_selftest(struct dd_error *err)
{
	return uts_set_hostname("selftest", err);
}

const struct dd_stage uts_stage = {
	.name = "uts",
	.chapter = 3,
	.summary = "a private hostname",
	.phase = DD_PHASE_IDENTITY,
	.namespaces = CLONE_NEWUTS,
	.wanted = uts_wanted,
	.child = uts_child,
	.selftest = uts_selftest,
};
