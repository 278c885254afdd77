/*
 * config.h: what a container is, as the runtime sees it.
 *
 * struct dd_config is the part of an OCI runtime config.json that drydock
 * understands (process, root, hostname, mounts, namespaces).  The engine
 * fills it from the command line and the image; oci.c writes and reads it
 * as config.json.  struct dd_container is one container while it runs.
 */
#ifndef DD_CONFIG_H
#define DD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct dd_error;
struct dd_stage;

enum dd_mount_type {
	DD_MOUNT_BIND,  /* -v SRC:DST[:ro] */
	DD_MOUNT_TMPFS  /* --tmpfs DST */
};

struct dd_mount {
	enum dd_mount_type type;
	char *source;   /* host path (bind) or NULL */
	char *target;   /* absolute path inside the container */
	bool readonly;
};

/* Capabilities by name ("CAP_CHOWN"), one list per set, as the OCI
 * process.capabilities object.  set is false when the config says
 * nothing: the process then keeps what it has. */
struct dd_caps {
	char **bounding, **effective, **permitted, **inheritable, **ambient;
	bool set;
};

/* A seccomp filter in the OCI form of linux.seccomp: the rules already
 * chosen for this container (chapter 16 resolves a Docker profile's
 * conditions into it).  Names are libseccomp's ("SCMP_ACT_ERRNO",
 * "SCMP_CMP_MASKED_EQ", "SCMP_ARCH_X86_64"). */
#define DD_SECCOMP_MAX_ARGS 6
#define DD_SECCOMP_NAME_MAX 32

struct dd_seccomp_arg {
	unsigned int index;
	unsigned long long value, value_two;
	char op[DD_SECCOMP_NAME_MAX];
};

struct dd_seccomp_rule {
	char **names;
	char action[DD_SECCOMP_NAME_MAX];
	unsigned int errno_ret;
	bool errno_set;
	struct dd_seccomp_arg args[DD_SECCOMP_MAX_ARGS];
	size_t nargs;
};

struct dd_seccomp {
	char default_action[DD_SECCOMP_NAME_MAX];
	unsigned int default_errno;
	bool default_errno_set;
	char **architectures;
	struct dd_seccomp_rule *rules;
	size_t nrules;
	/* The filter compiled to BPF by the engine (chapter 16's cache), for
	 * the child to load as it is; in memory only, not in config.json. */
	void *bpf;
	size_t bpf_len;
};

/* One line of a user namespace's uid_map or gid_map, as OCI's
 * linux.uidMappings: ids container..container+count-1 inside are
 * host..host+count-1 outside (chapter 04). */
struct dd_id_map {
	unsigned int container, host, count;
};

/* The kernel takes up to 340 lines; drydock writes at most these. */
#define DD_ID_MAPS_MAX 5
/* --group-add and the user's groups in the image's /etc/group. */
#define DD_GROUPS_MAX 64

/* --ulimit TYPE=SOFT[:HARD], as process.rlimits ("RLIMIT_NOFILE"). */
struct dd_rlimit {
	char *type;
	unsigned long long soft, hard;
};

struct dd_config {
	char **args;          /* NULL-terminated argv */
	char **env;           /* NULL-terminated "KEY=VALUE" */
	char *cwd;            /* absolute, inside the container */
	char *hostname;
	bool hostname_set;    /* the user asked for one with --hostname */
	char *rootfs;         /* host path of the container's root directory */
	char **layers;        /* the image's layer directories, bottom first */
	bool readonly_root;   /* --read-only */
	bool interactive;     /* -i: keep stdin open */
	bool init;            /* --init: a reaping PID 1 */
	bool ephemeral;       /* --rm: its writable layer goes with it */
	/* CLONE_NEW* flags to create: the stages' (dd_pipeline_namespaces)
	 * less those shared with the host; the runtime clears them all when
	 * lab 02 is not done and the child is a plain fork. */
	unsigned long namespaces;
	struct dd_mount *mounts;
	size_t nmounts;
	/* Confinement (chapter 16). */
	struct dd_caps caps;
	bool no_new_privs;           /* --security-opt no-new-privileges */
	struct dd_seccomp *seccomp;  /* NULL: unconfined */
	char **masked_paths;         /* hidden: /dev/null or an empty tmpfs over them */
	char **readonly_paths;       /* remounted read-only */
	struct dd_rlimit *rlimits;
	size_t nrlimits;
	bool privileged;             /* --privileged: every capability, no filter, no masks */
	/* The user namespace (chapter 04): with CLONE_NEWUSER in
	 * namespaces, the maps drydock writes for the child.  Empty: the
	 * host's ids. */
	struct dd_id_map uid_maps[DD_ID_MAPS_MAX], gid_maps[DD_ID_MAPS_MAX];
	size_t nuid_maps, ngid_maps;
	/* process.user: who the command runs as, inside the container. */
	uid_t uid;
	gid_t gid;
	gid_t groups[DD_GROUPS_MAX]; /* supplementary groups */
	size_t ngroups;
	bool user_set;               /* -u or the image's User: switch to uid/gid */
	/* Without root: outbound traffic through slirp4netns, a user-space
	 * TCP/IP stack behind a tap device in the container (chapter 04). */
	bool slirp4netns;
};

/* Stages keep private in-memory data here, by chapter number: set in
 * prepare, read by the child (a fork sees the parent's memory).  What a
 * later process must find goes through dd_stage_set() instead. */
#define DD_MAX_CHAPTERS 32

/* A container's lifecycle, as the runtime records it in state.json
 * (core/runtime/state.h):
 *   creating -> created -> running -> stopped */
enum dd_run_status {
	DD_RUN_CREATING,
	DD_RUN_CREATED,
	DD_RUN_RUNNING,
	DD_RUN_STOPPED
};

struct dd_run_state {
	enum dd_run_status status;
	pid_t pid;
	unsigned long long pid_start;
	int exit_code;           /* when stopped and known, else -1 */
	bool oom_killed;
	bool cleaned;            /* the stages' cleanup has run */
	long long started, finished; /* seconds since the epoch */
};

/* One container, as the runtime holds it (core/runtime/runtime.h). */
struct dd_container {
	char id[65];          /* 64 hex digits */
	char *name;           /* for messages */
	char *dir;            /* the bundle and runtime state, on the host (run root) */
	/* Where the container's own layer goes (chapter 08's upper/ and
	 * work/), under the data root so it survives a reboot; NULL: dir. */
	char *layer_dir;
	struct dd_config *cfg;
	pid_t pid;            /* the container's first process, host pid */
	/* pid's start time (clock ticks since boot, /proc/PID/stat): with
	 * it, a pid the kernel has handed to another process since is never
	 * taken for the container's. */
	unsigned long long pid_start;
	int sync_fd;          /* this side's end of the parent/child socket */
	int barrier_fd;       /* the child's O_PATH fd of exec.fifo */
	bool keep_parent;     /* the child may outlive the process that made it */
	void *stage_data[DD_MAX_CHAPTERS];
	void *saved;          /* the stages' saved state, a json_t (runtime/state.c) */
	struct dd_run_state run; /* this process's view; pid and pid_start above */
	/* The stages, in phase order, NULL-terminated; NULL: dd_pipeline
	 * (core/runtime/pipeline.c).  Tests run the runtime with their own. */
	const struct dd_stage *const *stages;
};

struct dd_config *dd_config_new(void);
void dd_config_free(struct dd_config *cfg);
void dd_config_freep(struct dd_config **cfg);
#define _cleanup_config_ __attribute__((cleanup(dd_config_freep)))

/* Append to a NULL-terminated string vector; returns -1 on ENOMEM. */
int dd_strv_push(char ***v, const char *s);
size_t dd_strv_len(char *const *v);
void dd_strv_free(char **v);

/* Set KEY=VALUE in cfg->env, replacing an earlier KEY. */
int dd_config_setenv(struct dd_config *cfg, const char *kv);
void dd_seccomp_free(struct dd_seccomp *s);
void dd_caps_release(struct dd_caps *caps);
int dd_config_add_rlimit(struct dd_config *cfg, const char *type, unsigned long long soft,
			 unsigned long long hard);
int dd_config_add_mount(struct dd_config *cfg, enum dd_mount_type type,
			const char *source, const char *target, bool readonly);

#endif
