/* cmd_info.c: `drydock info`, what this drydock and this kernel can do. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "chapters/04-user/user.h"
#include "chapters/16-security/security.h"
#include "core/base/cleanup.h"
#include "core/cli/cli.h"
#include "core/runtime/pipeline.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Every chapter of the course, so `info` can list the ones to come. */
static const struct {
	int chapter;
	const char *name;
	const char *summary;
} chapters[] = {
	{ 1, "process", "fork, exec, wait, exit codes, signals" },
	{ 2, "namespaces", "clone with namespace flags, setns" },
	{ 3, "uts", "a private hostname" },
	{ 4, "user", "uid/gid maps, rootless containers" },
	{ 5, "pid", "PID 1, reaping zombies (--init)" },
	{ 6, "mount", "a private mount tree" },
	{ 7, "rootfs", "pivot_root, /proc, /sys, /dev, volumes, importing images" },
	{ 8, "overlay", "layered images, copy-on-write" },
	{ 9, "net", "bridge, veth, NAT, published ports" },
	{ 10, "ipc", "private SysV IPC and POSIX message queues" },
	{ 11, "cgroups", "memory, cpu and pids limits" },
	{ 12, "architecture", "engine, shim, OCI runtime; detached containers" },
	{ 13, "daemon", "drydockd, state across restarts" },
	{ 14, "socket", "the API over a unix socket" },
	{ 15, "tty", "pseudo-terminals, attach" },
	{ 16, "security", "capabilities, seccomp, masked paths" },
};

/* v2 when /sys/fs/cgroup is cgroup2; hybrid when only .../unified is. */
static const char *cgroup_mode(void)
{
	struct statfs fs;

	if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return "v2";
	if (statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return "hybrid";
	return "v1";
}


static json_t *strv_array(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* What a container started now with no flags gets (chapter 16). */
static json_t *confinement(void)
{
	_cleanup_config_ struct dd_config *cfg = dd_config_new();
	const struct sec_request rq = { 0 };
	struct dd_error err = { 0 };
	json_t *o, *sc = json_null();
	size_t allowed = 0;

	if (!cfg || sec_configure(cfg, &rq, &err) < 0)
		return json_pack("{s:b, s:s}", "implemented", 0, "why", err.msg);
	for (size_t i = 0; cfg->seccomp && i < cfg->seccomp->nrules; i++)
		if (!strcmp(cfg->seccomp->rules[i].action, "SCMP_ACT_ALLOW"))
			allowed += dd_strv_len(cfg->seccomp->rules[i].names);
	if (cfg->seccomp)
		sc = json_pack("{s:s, s:s, s:i, s:o, s:i}", "profile", "drydock's default",
			       "default_action", cfg->seccomp->default_action, "default_errno",
			       (int)cfg->seccomp->default_errno, "architectures",
			       strv_array(cfg->seccomp->architectures), "allowed_rules",
			       (int)allowed);
	o = json_pack("{s:b, s:o, s:o, s:o, s:b, s:o, s:o, s:b}", "implemented", 1,
		      "capabilities", strv_array(cfg->caps.effective), "ambient",
		      strv_array(cfg->caps.ambient), "seccomp", sc, "no_new_privs",
		      cfg->no_new_privs, "masked_paths", strv_array(cfg->masked_paths),
		      "readonly_paths", strv_array(cfg->readonly_paths), "sealed_binary", 1);
	return o;
}

/* The user namespace a container gets without flags (chapter 04). */
static json_t *user_namespace(void)
{
	if (!dd_stage_implemented(&user_stage))
		return json_pack("{s:b, s:s}", "implemented", 0, "why",
				 "chapter 04 (user) is not implemented yet (lab 04)");
	if (geteuid() == 0)
		return json_pack("{s:b, s:s, s:s, s:s}", "implemented", 1, "default", "host",
				 "private", "--userns private maps the container's 0..65535 "
				 "onto drydock's range", "subuid", user_subid_path(false));
	return json_pack("{s:b, s:s, s:s, s:s}", "implemented", 1, "default", "private",
			 "private", "without root: the container's root is you, its other "
			 "ids your own subordinate range", "subuid", user_subid_path(false));
}

static void print_user_namespace(json_t *u)
{
	printf("\nUser namespace of a container started without flags (chapter 04):\n");
	if (!json_is_true(json_object_get(u, "implemented"))) {
		printf("  none: %s\n", json_string_value(json_object_get(u, "why")));
		return;
	}
	printf("  default:        %s (%s; subordinate ids from %s)\n",
	       json_string_value(json_object_get(u, "default")),
	       json_string_value(json_object_get(u, "private")),
	       json_string_value(json_object_get(u, "subuid")));
}

static void print_confinement(json_t *c)
{
	json_t *sc = json_object_get(c, "seccomp"), *v;
	size_t i;

	printf("\nConfinement of a container started without flags (chapter 16):\n");
	if (!json_is_true(json_object_get(c, "implemented"))) {
		printf("  none: %s\n", json_string_value(json_object_get(c, "why")));
		return;
	}
	printf("  capabilities:   %zu in the bounding, effective and permitted sets; "
	       "inheritable and ambient empty\n                 ",
	       json_array_size(json_object_get(c, "capabilities")));
	json_array_foreach(json_object_get(c, "capabilities"), i, v)
		printf("%s%s", i ? " " : "", json_string_value(v));
	printf("\n  seccomp:        %s: %d system calls allowed (with conditions on some), "
	       "the rest fail with errno %d; architectures",
	       json_string_value(json_object_get(sc, "profile")),
	       (int)json_integer_value(json_object_get(sc, "allowed_rules")),
	       (int)json_integer_value(json_object_get(sc, "default_errno")));
	json_array_foreach(json_object_get(sc, "architectures"), i, v)
		printf(" %s", json_string_value(v));
	printf("\n  no_new_privs:   off (on with --security-opt no-new-privileges)\n");
	printf("  masked paths:   %zu (/dev/null or an empty tmpfs over them)\n",
	       json_array_size(json_object_get(c, "masked_paths")));
	printf("  read-only:      %zu (/proc/sys, /proc/sysrq-trigger, ...)\n",
	       json_array_size(json_object_get(c, "readonly_paths")));
	printf("  drydock binary: run from a sealed memfd copy (CVE-2019-5736); drydock's "
	       "descriptors closed before exec (CVE-2024-21626)\n");
}

static const struct dd_flag info_flags[] = {
	{ 0, "format", true, 0 },
};

static int apply_info(void *arg, const struct dd_flag *f, const char *value,
		      struct dd_error *err)
{
	if (strcmp(value, "json") != 0)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Only '--format json' is supported, "
				    "not '%s'", value);
	*(bool *)arg = true;
	return 0;
}

int cmd_info(int argc, char **argv, struct dd_globals *g)
{
	bool as_json = false;
	const struct dd_flags_spec spec = { .flags = info_flags, .nflags = ARRAY_SIZE(info_flags),
					    .apply = apply_info, .arg = &as_json };
	_cleanup_free_ char **ops = NULL;
	json_t *list, *conf, *userns;
	struct utsname u;
	char kernel[sizeof(u.release) + sizeof(u.machine) + 2] = "unknown";
	int n;

	if (dd_cli_parse("info", &spec, argc, argv, &ops, &n) < 0)
		return DD_EXIT_ERROR;
	if (n > 0)
		return dd_cli_usage_error("info", "Unknown argument: %s", ops[0]);
	list = json_array();
	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s", u.release, u.machine);

	for (size_t i = 0; i < ARRAY_SIZE(chapters); i++) {
		const struct dd_stage *s = dd_pipeline_stage(chapters[i].chapter);
		bool done = s && dd_stage_implemented(s);

		json_array_append_new(list, json_pack("{s:i, s:i, s:s, s:s, s:b, s:b}",
						      "chapter", chapters[i].chapter,
						      "lab", chapters[i].chapter,
						      "name", chapters[i].name,
						      "summary", chapters[i].summary,
						      "implemented", done, "present", s != NULL));
	}
	conf = dd_stage_implemented(&security_stage) ? confinement()
		: json_pack("{s:b, s:s}", "implemented", 0, "why",
			    "chapter 16 (security) is not implemented yet (lab 16)");
	userns = user_namespace();
	if (as_json) {
		json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "kernel", kernel,
					 "cgroup_mode", cgroup_mode(), "root", g->roots.data,
					 "runroot", g->roots.run, "chapters", list,
					 "confinement", conf, "user_namespace", userns);
		char *text = json_dumps(root, JSON_INDENT(2));

		puts(text ? text : "{}");
		free(text);
		json_decref(root);
		return 0;
	}
	printf("Kernel:       %s\nCgroup mode:  %s\nData root:    %s\nRun root:     %s\n\n"
	       "Chapters:\n", kernel, cgroup_mode(), g->roots.data, g->roots.run);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);

		printf("  %02d %-13s %-12s lab %02d  %s\n", chapters[i].chapter, chapters[i].name,
		       json_is_true(json_object_get(c, "implemented")) ? "implemented" : "TODO",
		       chapters[i].chapter, chapters[i].summary);
	}
	print_user_namespace(userns);
	print_confinement(conf);
	json_decref(userns);
	json_decref(conf);
	json_decref(list);
	return 0;
}
