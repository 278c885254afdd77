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
	json_decref(j);
	*out = move_ptr(cfg);
	return 0;
}
