/* cmd_info.c: `drydock info`, what this drydock and this kernel can do. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

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
	json_t *list;
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
	if (as_json) {
		json_t *root = json_pack("{s:s, s:s, s:s, s:o}", "kernel", kernel, "cgroup_mode",
					 cgroup_mode(), "root", g->root, "chapters", list);
		char *text = json_dumps(root, JSON_INDENT(2));

		puts(text ? text : "{}");
		free(text);
		json_decref(root);
		return 0;
	}
	printf("Kernel:       %s\nCgroup mode:  %s\nState root:   %s\n\nChapters:\n", kernel,
	       cgroup_mode(), g->root);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);

		printf("  %02d %-13s %-12s lab %02d  %s\n", chapters[i].chapter, chapters[i].name,
		       json_is_true(json_object_get(c, "implemented")) ? "implemented" : "TODO",
		       chapters[i].chapter, chapters[i].summary);
	}
	json_decref(list);
	return 0;
}
