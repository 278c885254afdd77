/* config.c: building and freeing struct dd_config. */
#include "core/base/config.h"

#include <stdlib.h>
#include <string.h>

struct dd_config *dd_config_new(void)
{
	struct dd_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->cwd = strdup("/");
	if (!cfg->cwd) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void dd_config_free(struct dd_config *cfg)
{
	if (!cfg)
		return;
	dd_strv_free(cfg->args);
	dd_strv_free(cfg->env);
	free(cfg->cwd);
	free(cfg->hostname);
	free(cfg->rootfs);
	dd_strv_free(cfg->layers);
	for (size_t i = 0; i < cfg->nmounts; i++) {
		free(cfg->mounts[i].source);
		free(cfg->mounts[i].target);
	}
	free(cfg->mounts);
	dd_caps_release(&cfg->caps);
	dd_seccomp_free(cfg->seccomp);
	dd_strv_free(cfg->masked_paths);
	dd_strv_free(cfg->readonly_paths);
	for (size_t i = 0; i < cfg->nrlimits; i++)
		free(cfg->rlimits[i].type);
	free(cfg->rlimits);
	free(cfg);
}

void dd_caps_release(struct dd_caps *caps)
{
	dd_strv_free(caps->bounding);
	dd_strv_free(caps->effective);
	dd_strv_free(caps->permitted);
	dd_strv_free(caps->inheritable);
	dd_strv_free(caps->ambient);
	memset(caps, 0, sizeof(*caps));
}

void dd_seccomp_free(struct dd_seccomp *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrules; i++)
		dd_strv_free(s->rules[i].names);
	free(s->rules);
	free(s->bpf);
	dd_strv_free(s->architectures);
	free(s);
}

int dd_config_add_rlimit(struct dd_config *cfg, const char *type, unsigned long long soft,
			 unsigned long long hard)
{
	struct dd_rlimit *r;

	for (size_t i = 0; i < cfg->nrlimits; i++) {
		if (!strcmp(cfg->rlimits[i].type, type)) { /* the last one given wins */
			cfg->rlimits[i].soft = soft;
			cfg->rlimits[i].hard = hard;
			return 0;
		}
	}
	r = realloc(cfg->rlimits, (cfg->nrlimits + 1) * sizeof(*r));
	if (!r)
		return -1;
	cfg->rlimits = r;
	r[cfg->nrlimits].type = strdup(type);
	if (!r[cfg->nrlimits].type)
		return -1;
	r[cfg->nrlimits].soft = soft;
	r[cfg->nrlimits].hard = hard;
	cfg->nrlimits++;
	return 0;
}

void dd_config_freep(struct dd_config **cfg)
{
	dd_config_free(*cfg);
}

size_t dd_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int dd_strv_push(char ***v, const char *s)
{
	size_t n = dd_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(char *));

	if (!nv)
		return -1;
	*v = nv;
	nv[n] = strdup(s);
	if (!nv[n])
		return -1;
	nv[n + 1] = NULL;
	return 0;
}

void dd_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int dd_config_setenv(struct dd_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t keylen = eq ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; cfg->env && cfg->env[i]; i++) {
		if (strncmp(cfg->env[i], kv, keylen) == 0 && cfg->env[i][keylen] == '=') {
			char *copy = strdup(kv);

			if (!copy)
				return -1;
			free(cfg->env[i]);
			cfg->env[i] = copy;
			return 0;
		}
	}
	return dd_strv_push(&cfg->env, kv);
}

int dd_config_add_mount(struct dd_config *cfg, enum dd_mount_type type,
			const char *source, const char *target, bool readonly)
{
	struct dd_mount *m = realloc(cfg->mounts, (cfg->nmounts + 1) * sizeof(*m));

	if (!m)
		return -1;
	cfg->mounts = m;
	m = &cfg->mounts[cfg->nmounts];
	m->type = type;
	m->readonly = readonly;
	m->source = source ? strdup(source) : NULL;
	m->target = strdup(target);
	if ((source && !m->source) || !m->target) {
		free(m->source);
		free(m->target);
		return -1;
	}
	cfg->nmounts++;
	return 0;
}
