/* run_opts.c: parsing the flags of `drydock run` (see run_opts.h). */
#include "core/engine/run_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/flags.h"
#include "core/base/util.h"

const char dd_run_usage[] =
	"Usage: drydock run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
	"\n"
	"Run a command in a new container, in the foreground.\n"
	"\n"
	"Options:\n"
	"      --rm                 Remove the container when it exits\n"
	"      --name NAME          Assign a name to the container\n"
	"  -h, --hostname NAME      Container hostname (default: its short id)\n"
	"  -e, --env KEY=VALUE      Set an environment variable (KEY alone: the host's value)\n"
	"      --env-file FILE      Read KEY=VALUE lines from FILE\n"
	"  -w, --workdir DIR        Working directory inside the container\n"
	"  -i, --interactive        Keep stdin open\n"
	"  -v, --volume SRC:DST[:ro]  Bind-mount a host path (read-only with :ro)\n"
	"      --tmpfs DST          Mount a tmpfs at DST\n"
	"      --read-only          Mount the container's root read-only\n"
	"      --init               Run an init as PID 1 that reaps zombies\n"
	"      --uts host           Share the host's UTS namespace (hostname)\n"
	"      --pid host           Share the host's PID namespace\n"
	"      --network MODE       none: a network namespace of its own with only\n"
	"                           loopback; host: the host's network (the default\n"
	"                           for root until chapter 09); slirp4netns: its own,\n"
	"                           with outbound traffic through slirp4netns (the\n"
	"                           default without root, when it is installed)\n"
"  -u, --user USER[:GROUP]  Run as USER (a name in the image's /etc/passwd or a\n"
	"                           uid) and GROUP (a name in its /etc/group or a gid)\n"
	"      --group-add GROUP    Add a supplementary group (a name or a gid)\n"
	"      --userns MODE        private: a user namespace of its own, the container's\n"
	"                           ids mapped onto drydock's range in /etc/subuid and\n"
	"                           /etc/subgid; host: the host's ids (the default)\n"
	"      --cap-add CAP        Add a capability (NET_ADMIN, SYS_PTRACE, ...; ALL)\n"
	"      --cap-drop CAP       Drop a capability of the default set (ALL: every one)\n"
	"      --privileged         Every capability drydock holds, no seccomp filter,\n"
	"                           no masked or read-only paths\n"
	"      --security-opt OPT   no-new-privileges, seccomp=unconfined or\n"
	"                           seccomp=FILE.json (a profile in Docker's format)\n"
	"      --ulimit T=S[:H]     Set a resource limit (nofile=1024:2048); a hard\n"
	"                           limit cannot exceed the host's without CAP_SYS_RESOURCE\n"
	"      --help               Print this help\n"
	"\n"
	"Exit status: the command's own; 128+N if killed by signal N; 125 if drydock\n"
	"failed; 126 if the command cannot be executed; 127 if it was not found.\n";

enum flag_id {
	F_RM, F_NAME, F_HOSTNAME, F_ENV, F_ENV_FILE, F_WORKDIR, F_INTERACTIVE, F_TTY,
	F_VOLUME, F_TMPFS, F_READ_ONLY, F_INIT, F_UTS, F_PID, F_DETACH, F_NETWORK,
	F_CAP_ADD, F_CAP_DROP, F_PRIVILEGED, F_SECURITY_OPT, F_ULIMIT, F_USER, F_GROUP_ADD,
	F_USERNS
};

static const struct dd_flag run_flags[] = {
	{ 0, "rm", false, F_RM },
	{ 0, "name", true, F_NAME },
	{ 'h', "hostname", true, F_HOSTNAME },
	{ 'e', "env", true, F_ENV },
	{ 0, "env-file", true, F_ENV_FILE },
	{ 'w', "workdir", true, F_WORKDIR },
	{ 'i', "interactive", false, F_INTERACTIVE },
	{ 't', "tty", false, F_TTY },
	{ 'd', "detach", false, F_DETACH },
	{ 'v', "volume", true, F_VOLUME },
	{ 0, "tmpfs", true, F_TMPFS },
	{ 0, "read-only", false, F_READ_ONLY },
	{ 0, "init", false, F_INIT },
	{ 0, "uts", true, F_UTS },
	{ 0, "pid", true, F_PID },
	{ 0, "network", true, F_NETWORK },
	{ 0, "net", true, F_NETWORK },
	{ 0, "cap-add", true, F_CAP_ADD },
	{ 0, "cap-drop", true, F_CAP_DROP },
	{ 0, "privileged", false, F_PRIVILEGED },
	{ 0, "security-opt", true, F_SECURITY_OPT },
	{ 0, "ulimit", true, F_ULIMIT },
	{ 'u', "user", true, F_USER },
	{ 0, "group-add", true, F_GROUP_ADD },
	{ 0, "userns", true, F_USERNS },
};

#define usage(err, ...) dd_fail_kind(err, DD_ERR_USAGE, 0, __VA_ARGS__)

/* -e KEY=VALUE, or -e KEY for the host's value (skipped when unset). */
static int add_env(struct dd_run_opts *o, const char *kv, struct dd_error *err)
{
	const char *eq = strchr(kv, '=');
	_cleanup_free_ char *full = NULL;

	if (kv[0] == '=' || kv[0] == '\0')
		return usage(err, "Invalid environment variable '%s': the name is empty", kv);
	if (!eq) {
		const char *host = getenv(kv);

		if (!host)
			return 0;
		full = dd_strdup_printf("%s=%s", kv, host);
		kv = full;
	}
	if (!kv || dd_strv_push(&o->env, kv) < 0)
		return dd_fail(err, ENOMEM, "Cannot add environment variable");
	return 0;
}

static int apply_flag(void *arg, const struct dd_flag *f, const char *val,
		      struct dd_error *err)
{
	struct dd_run_opts *o = arg;

	switch (f->id) {
	case F_RM: o->rm = true; break;
	case F_INTERACTIVE: o->interactive = true; break;
	case F_TTY: o->tty = true; break;
	case F_DETACH: o->detach = true; break;
	case F_READ_ONLY: o->read_only = true; break;
	case F_INIT: o->init = true; break;
	case F_PRIVILEGED: o->privileged = true; break;
	case F_CAP_ADD:
	case F_CAP_DROP:
	case F_SECURITY_OPT:
	case F_ULIMIT:
	case F_GROUP_ADD: {
		char ***list = f->id == F_CAP_ADD ? &o->cap_add : f->id == F_CAP_DROP ? &o->cap_drop
			       : f->id == F_ULIMIT ? &o->ulimits
			       : f->id == F_GROUP_ADD ? &o->group_add : &o->security_opt;

		return dd_strv_push(list, val) < 0 ? dd_fail(err, ENOMEM, "Out of memory") : 0;
	}
	case F_NAME: o->name = val; break;
	case F_USER: o->user = val; break;
	case F_USERNS:
		if (strcmp(val, "private") && strcmp(val, "host"))
			return usage(err, "Invalid --userns '%s': use private (a user namespace of "
				     "the container's own) or host", val);
		o->userns = val;
		break;
	case F_HOSTNAME: o->hostname = val; break;
	case F_WORKDIR:
		if (val[0] != '/')
			return usage(err, "Invalid working directory '%s': it must be an absolute path", val);
		o->workdir = val;
		break;
	case F_ENV:
		return add_env(o, val, err);
	case F_ENV_FILE:
		return dd_read_env_file(val, &o->env, err);
	case F_VOLUME: {
		/* Check it now, so a bad volume is a usage error that starts nothing. */
		struct dd_config *scratch = dd_config_new();
		int rc = scratch ? dd_parse_volume(val, scratch, err) : -1;

		dd_config_free(scratch);
		if (rc < 0)
			return scratch ? -1 : dd_fail(err, ENOMEM, "Out of memory");
		return dd_strv_push(&o->volumes, val) < 0 ? dd_fail(err, ENOMEM, "Out of memory") : 0;
	}
	case F_TMPFS:
		if (val[0] != '/')
			return usage(err, "Invalid tmpfs '%s': it must be an absolute path", val);
		return dd_strv_push(&o->tmpfs, val) < 0 ? dd_fail(err, ENOMEM, "Out of memory") : 0;
	case F_UTS:
	case F_PID:
		if (strcmp(val, "host") != 0)
			return usage(err, "Invalid namespace mode '%s': only 'host' is supported", val);
		*(f->id == F_UTS ? &o->uts_host : &o->pid_host) = true;
		break;
	case F_NETWORK:
		if (!strcmp(val, "none") || !strcmp(val, "host") || !strcmp(val, "slirp4netns")) {
			o->network_none = !strcmp(val, "none");
			o->network_host = !strcmp(val, "host");
			o->network_slirp = !strcmp(val, "slirp4netns");
			break;
		}
		if (!strcmp(val, "bridge") || !strcmp(val, "default"))
			return usage(err, "Network '%s' comes with chapter 09 (net), which drydock "
				     "does not have yet: use --network none or host", val);
		return usage(err, "Invalid network '%s': use none, host or slirp4netns", val);
	}
	return 0;
}

int dd_run_opts_parse(int argc, char **argv, struct dd_run_opts *o, struct dd_error *err)
{
	/* Everything after the image is the container's command, flags too. */
	const struct dd_flags_spec spec = {
		.flags = run_flags, .nflags = ARRAY_SIZE(run_flags),
		.stop_at_operand = true, .apply = apply_flag, .arg = o,
	};
	_cleanup_free_ char **ops = NULL;
	int n;

	memset(o, 0, sizeof(*o));
	if (dd_flags_parse(&spec, argc, argv, &ops, &n, err) < 0)
		return -1;
	if (n == 0)
		return usage(err, "'drydock run' needs at least 1 argument: the image");
	o->image = ops[0];
	for (int i = 1; i < n; i++)
		if (dd_strv_push(&o->cmd, ops[i]) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

void dd_run_opts_release(struct dd_run_opts *o)
{
	dd_strv_free(o->cmd);
	dd_strv_free(o->env);
	dd_strv_free(o->volumes);
	dd_strv_free(o->tmpfs);
	dd_strv_free(o->cap_add);
	dd_strv_free(o->cap_drop);
	dd_strv_free(o->security_opt);
	dd_strv_free(o->ulimits);
	dd_strv_free(o->group_add);
	memset(o, 0, sizeof(*o));
}

int dd_parse_volume(const char *spec, struct dd_config *cfg, struct dd_error *err)
{
	_cleanup_free_ char *copy = strdup(spec);
	char *src, *dst, *mode;
	bool ro = false;

	if (!copy)
		return dd_fail(err, ENOMEM, "Out of memory");
	src = copy;
	dst = strchr(src, ':');
	if (!dst || dst == src || !dst[1])
		return usage(err, "Invalid volume '%s': expected SRC:DST[:ro]", spec);
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode) {
		*mode++ = '\0';
		if (!strcmp(mode, "ro"))
			ro = true;
		else if (strcmp(mode, "rw") != 0)
			return usage(err, "Invalid volume mode in '%s': expected ro or rw", spec);
	}
	if (src[0] != '/')
		return usage(err, "Invalid volume '%s': the source must be an absolute host path "
			     "(named volumes are not supported)", spec);
	if (dst[0] != '/')
		return usage(err, "Invalid volume '%s': the destination must be an absolute path", spec);
	if (!dd_is_dir(src) && access(src, F_OK) < 0)
		return dd_fail_kind(err, DD_ERR_USAGE, errno, "Invalid volume '%s': source '%s'",
				    spec, src);
	if (dd_config_add_mount(cfg, DD_MOUNT_BIND, src, dst, ro) < 0)
		return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

int dd_read_env_file(const char *path, char ***env, struct dd_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int lineno = 0;
	ssize_t n;

	if (!f)
		return dd_fail_kind(err, DD_ERR_USAGE, errno, "Cannot read env file '%s'", path);
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		lineno++;
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '=')
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "Env file '%s', line %d: the name is empty", path, lineno);
		if (!strchr(s, '=')) {
			const char *host = getenv(s);
			_cleanup_free_ char *kv = host ? dd_strdup_printf("%s=%s", s, host) : NULL;

			if (host && (!kv || dd_strv_push(env, kv) < 0))
				return dd_fail(err, ENOMEM, "Out of memory");
			continue;
		}
		if (dd_strv_push(env, s) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
}
