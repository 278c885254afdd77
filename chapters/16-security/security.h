/*
 * security.h: chapter 16, confining the container as Docker does.
 *
 * The engine turns the user's flags into the config's confinement
 * (sec_configure: capabilities, the seccomp filter, masked and
 * read-only paths, no_new_privs, rlimits); the stage applies it in the
 * child at DD_PHASE_CONFINE, before the barrier and before an --init is
 * forked, so every process of the container is held by it.
 */
#ifndef DD_SECURITY_H
#define DD_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/config.h"
#include "core/base/error.h"
#include "core/stage.h"

/* What the user asked for on the command line. */
struct sec_request {
	char **cap_add, **cap_drop;  /* names, "ALL" allowed */
	char **security_opt;         /* "no-new-privileges", "seccomp=unconfined|FILE" */
	char **ulimits;              /* "nofile=1024[:2048]" */
	const char *cache_dir;       /* compiled seccomp filters; NULL: none */
	bool privileged;
};

/* Fill cfg's confinement from the request: Docker's defaults, then the
 * flags.  Bad input is a usage error that names the culprit. */
int sec_configure(struct dd_config *cfg, const struct sec_request *rq, struct dd_error *err);
/* Does the request ask for confinement beyond none at all (so a handout
 * without lab 16 must refuse it)? */
bool sec_request_wanted(const struct sec_request *rq);

/* caps.c */
#define SEC_DEFAULT_CAPS 14
extern const char *const sec_default_caps[SEC_DEFAULT_CAPS];
/* "NET_ADMIN", "cap_net_admin", "CAP_NET_ADMIN" -> CAP_NET_ADMIN. */
int sec_cap_from_name(const char *name, int *cap, struct dd_error *err);
/* Docker's rules: default set, + add, - drop; "ALL" in add or drop;
 * privileged: every capability drydock holds.  Fills out->bounding,
 * effective and permitted alike, inheritable and ambient empty. */
int sec_caps_build(char *const *add, char *const *drop, bool privileged, struct dd_caps *out,
		   struct dd_error *err);
/* In the child: drop from the bounding set what caps->bounding lacks. */
int sec_caps_limit_bounding(const struct dd_caps *caps, struct dd_error *err);
/* In the child: effective, permitted, inheritable, then ambient. */
int sec_caps_set(const struct dd_caps *caps, struct dd_error *err);

/* seccomp_profile.c: a profile in Docker's JSON format. */
extern const char sec_default_profile[];
size_t sec_default_profile_size(void);
/* Parse text (named source in messages) and keep the rules whose
 * conditions hold for capabilities caps (the container's effective
 * set) on this machine. */
int sec_profile_parse(const char *text, size_t len, const char *source, char *const *caps,
		      struct dd_seccomp **out, struct dd_error *err);

/* seccomp.c: the filter itself, through libseccomp. */
#include <seccomp.h>
int sec_seccomp_build(const struct dd_seccomp *sc, scmp_filter_ctx *out, struct dd_error *err);
/* In the child: sc->bpf if the engine compiled it, else build and load. */
int sec_seccomp_load(const struct dd_seccomp *sc, struct dd_error *err);

/* seccomp_cache.c: compile to sc->bpf, through <cache_dir>/<digest>.bpf
 * (cache_dir NULL: no cache). */
int sec_seccomp_compile(struct dd_seccomp *sc, const char *cache_dir, struct dd_error *err);
int sec_seccomp_load_bpf(const struct dd_seccomp *sc, struct dd_error *err);
extern const char sec_seccomp_build_id[];
/* libseccomp's values for OCI names; -1 (action, op) or 0 (arch) if unknown. */
long long sec_seccomp_action(const char *name);
int sec_seccomp_op(const char *name);
unsigned int sec_seccomp_arch(const char *name);

/* paths.c */
extern const char *const sec_default_masked[];
extern const char *const sec_default_readonly[];
/* /proc, /sys and /dev must be the real mounts, not symlinks the image made. */
int sec_check_special_dirs(struct dd_error *err);
int sec_mask_paths(char *const *paths, struct dd_error *err);
int sec_readonly_paths(char *const *paths, struct dd_error *err);

/* confine.c */
/* Close every fd from 3 up but those in keep[0..n). */
int sec_close_fds(const int *keep, size_t n, struct dd_error *err);
/* The working directory is inside the root, reached without magic links. */
int sec_check_cwd(const char *cwd, struct dd_error *err);
/* "nofile" -> RLIMIT_NOFILE's OCI name "RLIMIT_NOFILE", and the number. */
int sec_rlimit_resource(const char *type);
int sec_set_rlimits(const struct dd_config *cfg, struct dd_error *err);

/* sealed.c: run drydock from a sealed copy of itself (CVE-2019-5736). */
int sec_exec_sealed_copy(char **argv, struct dd_error *err);
/* Is this process already running from a sealed copy? */
bool sec_running_sealed(void);

extern const struct dd_stage security_stage;

#endif
