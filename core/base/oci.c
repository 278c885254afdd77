/* oci.c: writing and reading OCI runtime config.json (see oci.h). */
#include "core/base/oci.h"

#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"

/* The OCI names of the namespaces drydock knows, by clone flag. */
static const struct {
	unsigned long flag;
	const char *type;
} oci_namespaces[] = {
	{ CLONE_NEWPID, "pid" },   { CLONE_NEWNS, "mount" }, { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWIPC, "ipc" },   { CLONE_NEWNET, "network" }, { CLONE_NEWUSER, "user" },
	{ CLONE_NEWCGROUP, "cgroup" },
};

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *mounts_json(const struct dd_config *cfg)
{
	json_t *a = json_array();

	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct dd_mount *m = &cfg->mounts[i];
		json_t *opts = json_array();

		if (m->type == DD_MOUNT_BIND) {
			json_array_append_new(opts, json_string("rbind"));
			json_array_append_new(opts, json_string(m->readonly ? "ro" : "rw"));
		} else {
			json_array_append_new(opts, json_string("nosuid"));
			json_array_append_new(opts, json_string("nodev"));
			json_array_append_new(opts, json_string("mode=1777"));
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}", "destination", m->target,
						   "type", m->type == DD_MOUNT_BIND ? "bind" : "tmpfs",
						   "source", m->source ? m->source : "tmpfs",
						   "options", opts));
	}
	return a;
}

/* process.capabilities, process.noNewPrivileges, process.rlimits. */
static void confinement_process_json(const struct dd_config *cfg, json_t *proc)
{
	json_t *rl = json_array();

	if (cfg->caps.set)
		json_object_set_new(proc, "capabilities",
				    json_pack("{s:o, s:o, s:o, s:o, s:o}",
					      "bounding", strv_json(cfg->caps.bounding),
					      "effective", strv_json(cfg->caps.effective),
					      "permitted", strv_json(cfg->caps.permitted),
					      "inheritable", strv_json(cfg->caps.inheritable),
					      "ambient", strv_json(cfg->caps.ambient)));
	json_object_set_new(proc, "noNewPrivileges", json_boolean(cfg->no_new_privs));
	for (size_t i = 0; i < cfg->nrlimits; i++)
		json_array_append_new(rl, json_pack("{s:s, s:I, s:I}", "type", cfg->rlimits[i].type,
						    "soft", (json_int_t)cfg->rlimits[i].soft,
						    "hard", (json_int_t)cfg->rlimits[i].hard));
	json_object_set_new(proc, "rlimits", rl);
}

static json_t *id_maps_json(const struct dd_id_map *maps, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "containerID",
						   (json_int_t)maps[i].container, "hostID",
						   (json_int_t)maps[i].host, "size",
						   (json_int_t)maps[i].count));
	return a;
}

/* process.user and linux.uidMappings, linux.gidMappings (chapter 04). */
static void user_json(const struct dd_config *cfg, json_t *proc, json_t *linux_)
{
	json_t *user = json_object_get(proc, "user"), *groups = json_array();

	json_object_set_new(user, "uid", json_integer(cfg->uid));
	json_object_set_new(user, "gid", json_integer(cfg->gid));
	for (size_t i = 0; i < cfg->ngroups; i++)
		json_array_append_new(groups, json_integer(cfg->groups[i]));
	json_object_set_new(user, "additionalGids", groups);
	if (!cfg->nuid_maps)
		return;
	json_object_set_new(linux_, "uidMappings", id_maps_json(cfg->uid_maps, cfg->nuid_maps));
	json_object_set_new(linux_, "gidMappings", id_maps_json(cfg->gid_maps, cfg->ngid_maps));
}

static json_t *seccomp_json(const struct dd_seccomp *sc)
{
	json_t *rules = json_array(), *o;

	for (size_t i = 0; i < sc->nrules; i++) {
		const struct dd_seccomp_rule *r = &sc->rules[i];
		json_t *args = json_array();
		json_t *rule = json_pack("{s:o, s:s}", "names", strv_json(r->names), "action",
					 r->action);

		for (size_t k = 0; k < r->nargs; k++)
			json_array_append_new(args, json_pack("{s:i, s:I, s:I, s:s}", "index",
							      (int)r->args[k].index, "value",
							      (json_int_t)r->args[k].value,
							      "valueTwo",
							      (json_int_t)r->args[k].value_two,
							      "op", r->args[k].op));
		json_object_set_new(rule, "args", args);
		if (r->errno_set)
			json_object_set_new(rule, "errnoRet", json_integer(r->errno_ret));
		json_array_append_new(rules, rule);
	}
	o = json_pack("{s:s, s:o, s:o}", "defaultAction", sc->default_action, "architectures",
		      strv_json(sc->architectures), "syscalls", rules);
	if (sc->default_errno_set)
		json_object_set_new(o, "defaultErrnoRet", json_integer(sc->default_errno));
	return o;
}

char *dd_oci_seccomp_json(const struct dd_seccomp *sc)
{
	json_t *o = seccomp_json(sc);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}

static void confinement_linux_json(const struct dd_config *cfg, json_t *linux_)
{
	if (cfg->seccomp)
		json_object_set_new(linux_, "seccomp", seccomp_json(cfg->seccomp));
	json_object_set_new(linux_, "maskedPaths", strv_json(cfg->masked_paths));
	json_object_set_new(linux_, "readonlyPaths", strv_json(cfg->readonly_paths));
}

char *dd_oci_config_json(const struct dd_config *cfg, struct dd_error *err)
{
	json_t *ns = json_array(), *root;
	char *text;

	for (size_t i = 0; i < sizeof(oci_namespaces) / sizeof(oci_namespaces[0]); i++)
		if (cfg->namespaces & oci_namespaces[i].flag)
			json_array_append_new(ns, json_pack("{s:s}", "type", oci_namespaces[i].type));
	root = json_pack("{s:s, s:{s:b, s:{s:i, s:i}, s:o, s:o, s:s}, s:{s:s, s:b}, s:s?,"
			 " s:o, s:{s:o}, s:{s:s}}",
			 "ociVersion", "1.0.2",
			 "process", "terminal", 0, "user", "uid", 0, "gid", 0,
			 "args", strv_json(cfg->args), "env", strv_json(cfg->env), "cwd", cfg->cwd,
			 "root", "path", cfg->rootfs ? cfg->rootfs : "rootfs",
			 "readonly", cfg->readonly_root,
			 "hostname", cfg->hostname,
			 "mounts", mounts_json(cfg),
			 "linux", "namespaces", ns,
			 "annotations", "io.drydock.init", cfg->init ? "true" : "false");
	if (!root) {
		dd_fail(err, ENOMEM, "Cannot build config.json");
		return NULL;
	}
	confinement_process_json(cfg, json_object_get(root, "process"));
	confinement_linux_json(cfg, json_object_get(root, "linux"));
	user_json(cfg, json_object_get(root, "process"), json_object_get(root, "linux"));
	json_object_set_new(json_object_get(root, "annotations"), "io.drydock.user",
			    json_string(cfg->user_set ? "true" : "false"));
	json_object_set_new(json_object_get(root, "annotations"), "io.drydock.privileged",
			    json_string(cfg->privileged ? "true" : "false"));
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!text)
		dd_fail(err, ENOMEM, "Cannot build config.json");
	return text;
}

int dd_oci_write_config(const struct dd_config *cfg, const char *path, struct dd_error *err)
{
	_cleanup_free_ char *text = dd_oci_config_json(cfg, err);

	if (!text)
		return -1;
	return dd_write_file_atomic(path, text, strlen(text), 0600, err);
}

static int read_strv(json_t *arr, char ***out)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || dd_strv_push(out, json_string_value(v)) < 0)
			return -1;
	}
	return 0;
}

/* A JSON integer (written from an unsigned value: -1 reads back as
 * all ones, RLIM_INFINITY), or false. */
static bool read_u64(json_t *v, unsigned long long *out)
{
	if (!json_is_integer(v))
		return false;
	*out = (unsigned long long)json_integer_value(v);
	return true;
}

static int copy_name(char *dst, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) >= DD_SECCOMP_NAME_MAX)
		return -1;
	strcpy(dst, s);
	return 0;
}

static int read_seccomp_rule(json_t *jr, struct dd_seccomp_rule *r)
{
	unsigned long long n;
	json_t *a;
	size_t k;

	if (read_strv(json_object_get(jr, "names"), &r->names) < 0 || !r->names ||
	    copy_name(r->action, json_object_get(jr, "action")) < 0)
		return -1;
	if (read_u64(json_object_get(jr, "errnoRet"), &n)) {
		r->errno_ret = n;
		r->errno_set = true;
	}
	json_array_foreach(json_object_get(jr, "args"), k, a) {
		struct dd_seccomp_arg *arg = &r->args[r->nargs];

		if (r->nargs >= DD_SECCOMP_MAX_ARGS || !read_u64(json_object_get(a, "index"), &n) ||
		    n >= DD_SECCOMP_MAX_ARGS ||
		    copy_name(arg->op, json_object_get(a, "op")) < 0)
			return -1;
		arg->index = n;
		read_u64(json_object_get(a, "value"), &arg->value);
		read_u64(json_object_get(a, "valueTwo"), &arg->value_two);
		r->nargs++;
	}
	return 0;
}

static int read_seccomp(json_t *j, struct dd_seccomp **out)
{
	struct dd_seccomp *sc;
	unsigned long long n;
	json_t *jr, *rules = json_object_get(j, "syscalls");
	size_t i;

	if (!json_is_object(j))
		return 0;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -1;
	*out = sc;
	if (copy_name(sc->default_action, json_object_get(j, "defaultAction")) < 0 ||
	    read_strv(json_object_get(j, "architectures"), &sc->architectures) < 0)
		return -1;
	if (read_u64(json_object_get(j, "defaultErrnoRet"), &n)) {
		sc->default_errno = n;
		sc->default_errno_set = true;
	}
	sc->rules = calloc(json_array_size(rules) + 1, sizeof(*sc->rules));
	if (!sc->rules)
		return -1;
	json_array_foreach(rules, i, jr) {
		if (read_seccomp_rule(jr, &sc->rules[sc->nrules++]) < 0)
			return -1;
	}
	return 0;
}

static int read_confinement(json_t *j, json_t *proc, struct dd_config *cfg)
{
	json_t *caps = json_object_get(proc, "capabilities"), *linux_ = json_object_get(j, "linux");
	json_t *v;
	size_t i;
	const char *s;

	if (json_is_object(caps)) {
		cfg->caps.set = true;
		if (read_strv(json_object_get(caps, "bounding"), &cfg->caps.bounding) < 0 ||
		    read_strv(json_object_get(caps, "effective"), &cfg->caps.effective) < 0 ||
		    read_strv(json_object_get(caps, "permitted"), &cfg->caps.permitted) < 0 ||
		    read_strv(json_object_get(caps, "inheritable"), &cfg->caps.inheritable) < 0 ||
		    read_strv(json_object_get(caps, "ambient"), &cfg->caps.ambient) < 0)
			return -1;
	}
	cfg->no_new_privs = json_is_true(json_object_get(proc, "noNewPrivileges"));
	json_array_foreach(json_object_get(proc, "rlimits"), i, v) {
		unsigned long long soft, hard;

		s = json_string_value(json_object_get(v, "type"));
		if (!s || !read_u64(json_object_get(v, "soft"), &soft) ||
		    !read_u64(json_object_get(v, "hard"), &hard) ||
		    dd_config_add_rlimit(cfg, s, soft, hard) < 0)
			return -1;
	}
	if (read_strv(json_object_get(linux_, "maskedPaths"), &cfg->masked_paths) < 0 ||
	    read_strv(json_object_get(linux_, "readonlyPaths"), &cfg->readonly_paths) < 0 ||
	    read_seccomp(json_object_get(linux_, "seccomp"), &cfg->seccomp) < 0)
		return -1;
	s = json_string_value(json_object_get(json_object_get(j, "annotations"),
					      "io.drydock.privileged"));
	cfg->privileged = s && !strcmp(s, "true");
	return 0;
}

static int read_id_maps(json_t *a, struct dd_id_map *maps, size_t *n)
{
	unsigned long long c, h, size;
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (*n >= DD_ID_MAPS_MAX || !read_u64(json_object_get(v, "containerID"), &c) ||
		    !read_u64(json_object_get(v, "hostID"), &h) ||
		    !read_u64(json_object_get(v, "size"), &size))
			return -1;
		maps[(*n)++] = (struct dd_id_map){ .container = c, .host = h, .count = size };
	}
	return 0;
}

static int read_user(json_t *j, json_t *proc, struct dd_config *cfg)
{
	json_t *user = json_object_get(proc, "user"), *linux_ = json_object_get(j, "linux"), *v;
	unsigned long long n;
	const char *s;
	size_t i;

	if (read_u64(json_object_get(user, "uid"), &n))
		cfg->uid = n;
	if (read_u64(json_object_get(user, "gid"), &n))
		cfg->gid = n;
	json_array_foreach(json_object_get(user, "additionalGids"), i, v) {
		if (cfg->ngroups >= DD_GROUPS_MAX || !read_u64(v, &n))
			return -1;
		cfg->groups[cfg->ngroups++] = n;
	}
	s = json_string_value(json_object_get(json_object_get(j, "annotations"),
					      "io.drydock.user"));
	cfg->user_set = s && !strcmp(s, "true");
	if (read_id_maps(json_object_get(linux_, "uidMappings"), cfg->uid_maps,
			 &cfg->nuid_maps) < 0)
		return -1;
	return read_id_maps(json_object_get(linux_, "gidMappings"), cfg->gid_maps,
			    &cfg->ngid_maps);
}

int dd_oci_read_config(const char *path, const char *bundle_dir, struct dd_config **out,
		       struct dd_error *err)
{
	_cleanup_config_ struct dd_config *cfg = dd_config_new();
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr), *proc, *v;
	const char *s;
	size_t i;

	if (!j)
		return dd_fail(err, 0, "Cannot read '%s': line %d: %s", path, jerr.line, jerr.text);
	if (!cfg) {
		json_decref(j);
		return dd_fail(err, ENOMEM, "Out of memory");
	}
	proc = json_object_get(j, "process");
	if (read_strv(json_object_get(proc, "args"), &cfg->args) < 0 ||
	    read_strv(json_object_get(proc, "env"), &cfg->env) < 0) {
		json_decref(j);
		return dd_fail(err, EINVAL, "Invalid process in '%s'", path);
	}
	if ((s = json_string_value(json_object_get(proc, "cwd")))) {
		free(cfg->cwd);
		cfg->cwd = strdup(s);
	}
	if ((s = json_string_value(json_object_get(j, "hostname")))) {
		cfg->hostname = strdup(s);
		cfg->hostname_set = true;
	}
	v = json_object_get(j, "root");
	s = json_string_value(json_object_get(v, "path"));
	if (s)
		cfg->rootfs = s[0] == '/' ? strdup(s) : dd_strdup_printf("%s/%s", bundle_dir, s);
	cfg->readonly_root = json_is_true(json_object_get(v, "readonly"));
	json_array_foreach(json_object_get(json_object_get(j, "linux"), "namespaces"), i, v) {
		s = json_string_value(json_object_get(v, "type"));
		for (size_t k = 0; s && k < sizeof(oci_namespaces) / sizeof(oci_namespaces[0]); k++)
			if (!strcmp(s, oci_namespaces[k].type))
				cfg->namespaces |= oci_namespaces[k].flag;
	}
	json_array_foreach(json_object_get(j, "mounts"), i, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *dst = json_string_value(json_object_get(v, "destination"));
		const char *src = json_string_value(json_object_get(v, "source"));
		json_t *opt;
		size_t k;
		bool ro = false;

		json_array_foreach(json_object_get(v, "options"), k, opt)
			ro |= json_string_value(opt) && !strcmp(json_string_value(opt), "ro");
		if (!type || !dst)
			continue;
		if (!strcmp(type, "bind"))
			dd_config_add_mount(cfg, DD_MOUNT_BIND, src, dst, ro);
		else if (!strcmp(type, "tmpfs"))
			dd_config_add_mount(cfg, DD_MOUNT_TMPFS, NULL, dst, false);
	}
	s = json_string_value(json_object_get(json_object_get(j, "annotations"),
					      "io.drydock.init"));
	cfg->init = s && !strcmp(s, "true");
	if (read_confinement(j, proc, cfg) < 0) {
		json_decref(j);
		return dd_fail(err, EINVAL, "Invalid confinement (capabilities, rlimits, seccomp, "
			       "masked or read-only paths) in '%s'", path);
	}
	if (read_user(j, proc, cfg) < 0) {
		json_decref(j);
		return dd_fail(err, EINVAL, "Invalid user or id maps in '%s'", path);
	}
	json_decref(j);
	*out = move_ptr(cfg);
	return 0;
}
