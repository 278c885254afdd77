/*
 * cmd_run.c: `drydock run`, the engine side of a container.
 *
 * The engine turns flags and an image into a container: it resolves the
 * image (importing a built-in one on first use), reserves a name, gives
 * the container the image's layers as its root, writes the OCI
 * config.json, and hands the struct dd_container to the runtime.  When
 * the container exits it records the exit code, or removes it (--rm).
 */
#include <errno.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chapters/01-process/process.h"
#include "chapters/03-uts/uts.h"
#include "chapters/04-user/user.h"
#include "chapters/16-security/security.h"
#include "core/base/cleanup.h"
#include "core/cli/cli.h"
#include "core/runtime/container.h"
#include "core/image/image.h"
#include "core/base/log.h"
#include "core/base/oci.h"
#include "core/base/paths.h"
#include "core/engine/run_opts.h"
#include "core/runtime/pipeline.h"
#include "core/runtime/proc.h"
#include "core/runtime/runtime.h"
#include "core/base/util.h"

static const char default_path[] =
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
static const char default_command[] = "sh";
#define SHORT_ID_LEN 12

/* The command line as one string, for `drydock ps`. */
static char *join_command(char **argv)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (size_t i = 0; s && argv && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Did -u's user bring its home from the image's /etc/passwd? */
static bool has_home(const struct dd_config *cfg)
{
	for (size_t i = 0; cfg->env && cfg->env[i]; i++)
		if (!strncmp(cfg->env[i], "HOME=", 5))
			return true;
	return false;
}

/* Environment: drydock's defaults, then the image's, then -e. */
static int build_env(const struct dd_run_opts *o, const struct dd_image *img,
		     struct dd_config *cfg)
{
	_cleanup_free_ char *host_env = NULL;

	host_env = dd_strdup_printf("HOSTNAME=%s", cfg->hostname ? cfg->hostname : "");
	if (!host_env || dd_config_setenv(cfg, default_path) < 0 ||
	    dd_config_setenv(cfg, host_env) < 0 ||
	    (!has_home(cfg) && dd_config_setenv(cfg, "HOME=/root") < 0))
		return -1;
	for (size_t i = 0; img->env && img->env[i]; i++)
		if (strchr(img->env[i], '=') && dd_config_setenv(cfg, img->env[i]) < 0)
			return -1;
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (dd_config_setenv(cfg, o->env[i]) < 0)
			return -1;
	return 0;
}

/* The command, as Docker makes it: the image's entrypoint, then the
 * command line's arguments or else the image's Cmd. */
static int build_args(const struct dd_run_opts *o, const struct dd_image *img,
		      struct dd_config *cfg, struct dd_error *err)
{
	char *const *cmd = o->cmd && o->cmd[0] ? o->cmd : img->cmd;

	for (size_t i = 0; img->entrypoint && img->entrypoint[i]; i++)
		if (dd_strv_push(&cfg->args, img->entrypoint[i]) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	for (size_t i = 0; cmd && cmd[i]; i++)
		if (dd_strv_push(&cfg->args, cmd[i]) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	if (cfg->args && cfg->args[0])
		return 0;
	if (img->layers && !img->rootfs) /* a loaded image, which said nothing */
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "No command specified: image '%s' has no Cmd or Entrypoint",
				    o->image);
	if (dd_strv_push(&cfg->args, default_command) < 0)
		return dd_fail(err, ENOMEM, "Out of memory");
	return 0;
}

/* Everything the container will be, from the flags and the image. */
static int build_config(const struct dd_run_opts *o, const struct dd_image *img,
			const char *id, const char *rootfs, struct dd_config *cfg,
			struct dd_error *err)
{
	char short_id[SHORT_ID_LEN + 1];

	snprintf(short_id, sizeof(short_id), "%.*s", SHORT_ID_LEN, id);
	if (o->hostname && !o->uts_host) {
		if (!uts_valid_hostname(o->hostname))
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "Invalid hostname '%s': use letters, digits, '-' and "
					    "'.', at most 63 characters", o->hostname);
	}
	cfg->hostname = strdup(o->hostname ? o->hostname : short_id);
	cfg->hostname_set = o->hostname != NULL;
	cfg->rootfs = strdup(rootfs);
	if (!cfg->hostname || !cfg->rootfs || build_env(o, img, cfg) < 0)
		return dd_fail(err, ENOMEM, "Out of memory");
	for (size_t i = 0; img->layers && img->layers[i]; i++)
		if (dd_strv_push(&cfg->layers, img->layers[i]) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	if (build_args(o, img, cfg, err) < 0)
		return -1;
	if (!o->workdir && img->workdir) {
		free(cfg->cwd);
		cfg->cwd = strdup(img->workdir);
	}
	if (o->workdir) {
		free(cfg->cwd);
		cfg->cwd = strdup(o->workdir);
	}
	for (size_t i = 0; o->volumes && o->volumes[i]; i++)
		if (dd_parse_volume(o->volumes[i], cfg, err) < 0)
			return -1;
	for (size_t i = 0; o->tmpfs && o->tmpfs[i]; i++)
		if (dd_config_add_mount(cfg, DD_MOUNT_TMPFS, NULL, o->tmpfs[i], false) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	cfg->readonly_root = o->read_only;
	cfg->interactive = o->interactive;
	cfg->init = o->init;
	cfg->ephemeral = o->rm;
	/* The namespaces are the stages' own, less what the user shares
	 * with the host.  The network stays root's by default until chapter
	 * 09 gives a container a network of its own; without root it is
	 * one of the container's own, as podman's: through slirp4netns when
	 * it is installed, else loopback only. */
	if (geteuid() != 0 && !o->network_host && !o->network_none)
		cfg->slirp4netns = o->network_slirp || dd_find_program("slirp4netns");
	else
		cfg->slirp4netns = o->network_slirp;
	/* slirp4netns opens /dev/net/tun as the user; udev makes it 0666,
	 * a machine without udev may have left it root's. */
	if (cfg->slirp4netns && access("/dev/net/tun", R_OK | W_OK) < 0) {
		if (o->network_slirp)
			return dd_fail_kind(err, DD_ERR_USAGE, errno, "--network slirp4netns needs "
					    "/dev/net/tun open to you (udev makes it mode 0666)");
		dd_warn("/dev/net/tun is not open to you (udev makes it mode 0666): the "
			"container's network has loopback only");
		cfg->slirp4netns = false;
	}
	if (cfg->slirp4netns && !cfg->nuid_maps)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "--network slirp4netns needs a user "
				    "namespace: run drydock without root, or add --userns private");
	cfg->namespaces = dd_pipeline_namespaces((o->uts_host ? CLONE_NEWUTS : 0) |
						 (cfg->nuid_maps ? 0 : CLONE_NEWUSER) |
						 (o->pid_host ? CLONE_NEWPID : 0) |
						 (o->network_host ||
						  (geteuid() == 0 && !o->network_none &&
						   !cfg->slirp4netns) ? CLONE_NEWNET : 0));
	return 0;
}

/* The flags drydock parses but whose chapter is still to come. */
static int refuse_unsupported(const struct dd_run_opts *o, struct dd_error *err)
{
	if (o->hostname && o->uts_host)
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Conflicting options: --hostname and --uts host (the host's "
				    "name cannot be changed from a container)");
	if (o->tty)
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "-t (a pseudo-terminal) comes with chapter 15 (tty), which "
				    "drydock does not have yet: use -i for a pipe to stdin");
	if (o->detach)
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "-d (detached containers) comes with chapter 12 "
				    "(architecture), which drydock does not have yet");
	return 0;
}

/* A signal while the container is being prepared: stop and clean up
 * instead of dying with half a container on disk. */
static volatile sig_atomic_t interrupted;

static void note_interrupt(int sig)
{
	interrupted = sig;
}

static void catch_interrupts(void)
{
	struct sigaction sa = { .sa_handler = note_interrupt };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct run_ctx {
	const struct dd_roots *roots;
	struct dd_state st;
	struct dd_image img;
	struct dd_config *cfg;
	char *dir;       /* the bundle, under the run root */
	char *layer_dir; /* the record and the container's layer, under the data root */
	bool created;
	sigset_t mask; /* the signal mask before the container was made */
};

/* Capabilities, seccomp, masked paths, rlimits (chapter 16), checked
 * before anything exists.  Without lab 16 a container runs unconfined,
 * which satisfies --privileged and --cap-add; what asks for more
 * confinement than none is refused (the stage itself warns). */
static int configure_security(const char *root, const struct dd_run_opts *o,
			      struct dd_config *cfg, struct dd_error *err)
{
	_cleanup_free_ char *cache = dd_state_path(root, DD_DIR_CACHE, "seccomp");
	const struct sec_request rq = {
		.cap_add = o->cap_add, .cap_drop = o->cap_drop, .security_opt = o->security_opt,
		.ulimits = o->ulimits, .privileged = o->privileged, .cache_dir = cache,
	};
	const struct dd_fallback f = { .wanted = sec_request_wanted(&rq) };
	int rc = sec_configure(cfg, &rq, err);

	if (rc < 0 && dd_is_not_implemented(err) && !f.wanted) {
		dd_error_clear(err);
		return 0;
	}
	return dd_stage_fallback(&security_stage, rc, &f, err);
}

/* The user namespace and the user (chapter 04), resolved against the
 * image before anything exists.  Without lab 04 the container runs as
 * the host's root: -u and --userns are refused, the image's User only
 * warned about. */
static int configure_user(const struct dd_run_opts *o, const struct dd_image *img,
			  struct dd_config *cfg, struct dd_error *err)
{
	_cleanup_free_ char **top_first = calloc(dd_strv_len(img->layers) + 1, sizeof(char *));
	size_t n = dd_strv_len(img->layers);
	bool image_user = !o->user && img->user && img->user[0];
	struct user_request rq = {
		.userns = o->userns, .user = o->user ? o->user : image_user ? img->user : NULL,
		.user_from_image = image_user, .group_add = o->group_add, .image_dirs = top_first,
	};
	const struct dd_fallback f = { .wanted = user_request_wanted(&rq) };
	int rc;

	if (!top_first)
		return dd_fail(err, ENOMEM, "Out of memory");
	for (size_t i = 0; i < n; i++)
		top_first[i] = img->layers[n - 1 - i];
	rc = user_configure(cfg, &rq, err);
	if (rc < 0 && dd_is_not_implemented(err) && !f.wanted) {
		if (image_user && strcmp(img->user, "root") && strcmp(img->user, "0") &&
		    strcmp(img->user, "0:0"))
			dd_warn("image '%s' asks to run as user '%s': drydock runs it as root until "
				"chapter 04 (user) is done", o->image, img->user);
		dd_error_clear(err);
		return 0;
	}
	return dd_stage_fallback(&user_stage, rc, &f, err);
}

static int prepare_container(struct run_ctx *r, const struct dd_run_opts *o,
			     struct dd_error *err)
{
	_cleanup_free_ char *rootfs = NULL, *config = NULL;

	r->cfg = dd_config_new();
	if (!r->cfg)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (configure_security(r->roots->data, o, r->cfg, err) < 0)
		return -1;
	if (dd_image_resolve(r->roots->data, o->image, &r->img, err) < 0 ||
	    configure_user(o, &r->img, r->cfg, err) < 0)
		return -1;
	r->st.image = strdup(o->image);
	r->st.image_id = strdup(r->img.id);
	r->st.command = join_command(o->cmd && o->cmd[0] ? o->cmd : r->img.cmd);
	/* rm -f waits for this drydock to finish, recognised by its start time. */
	r->st.engine_pid = getpid();
	if (dd_proc_start_time(r->st.engine_pid, &r->st.engine_pid_start, err) < 0 ||
	    dd_container_create(r->roots, o->name, &r->st, err) < 0)
		return -1;
	r->created = true;
	r->dir = dd_container_dir(r->roots, r->st.id);
	r->layer_dir = dd_container_layer_dir(r->roots, r->st.id);
	rootfs = r->dir ? dd_strdup_printf("%s/rootfs", r->dir) : NULL;
	config = r->dir ? dd_strdup_printf("%s/config.json", r->dir) : NULL;
	if (!rootfs || !config || !r->layer_dir)
		return dd_fail(err, ENOMEM, "Out of memory");
	/* The root itself is made by the overlay stage (or its fallback, a
	 * copy) when the container starts. */
	if (build_config(o, &r->img, r->st.id, rootfs, r->cfg, err) < 0)
		return -1;
	free(r->st.command);
	r->st.command = join_command(r->cfg->args);
	return dd_oci_write_config(r->cfg, config, err);
}

/* Once the container's process exists, before its command may start:
 * pass on to it the signals sent to this drydock.  They were held since
 * before the clone, so none is lost between. */
static int on_created(struct dd_container *c, void *arg, struct dd_error *err)
{
	struct run_ctx *r = arg;
	int rc;

	rc = proc_forward_signals(c->pid, err);
	sigprocmask(SIG_SETMASK, &r->mask, NULL);
	return rc;
}

/* The runtime has recorded the exit in state.json; the engine removes
 * the container (--rm), or keeps it for ps and rm. */
static int finish(struct run_ctx *r, bool remove, struct dd_error *err)
{
	if (!r->created || !r->layer_dir || !dd_is_dir(r->layer_dir))
		return 0; /* never made, or already removed by `rm -f` */
	return remove ? dd_container_remove(r->roots, &r->st, err) : 0;
}

int cmd_run(int argc, char **argv, struct dd_globals *g)
{
	struct run_ctx r = { .roots = &g->roots };
	struct dd_container c = { .sync_fd = -1, .barrier_fd = -1 };
	struct dd_runtime_hooks hooks = { .created = on_created, .arg = &r };
	sigset_t all;
	int rc;
	struct dd_run_opts o;
	struct dd_error err = { 0 };
	int exit_code = DD_EXIT_ERROR;

	if (dd_run_opts_parse(argc, argv, &o, &err) < 0 || refuse_unsupported(&o, &err) < 0) {
		dd_run_opts_release(&o);
		return dd_cli_usage_error("run", "%s", err.msg);
	}
	/* A process of the container sees one of drydock's when an --init
	 * stays as its PID 1, or when it shares the host's PID namespace
	 * (this very drydock): then drydock runs from a sealed copy of
	 * itself, which no container can write through /proc/PID/exe
	 * (CVE-2019-5736).  Otherwise the only drydock process inside is the
	 * child, alone in its PID namespace until it execs. */
	if ((o.init || o.pid_host) && sec_exec_sealed_copy(g->argv, &err) < 0) {
		if (!dd_is_not_implemented(&err)) {
			dd_error_print(&err);
			dd_run_opts_release(&o);
			return DD_EXIT_ERROR;
		}
		dd_error_clear(&err);
	}
	catch_interrupts();
	if (prepare_container(&r, &o, &err) < 0)
		goto fail;
	if (interrupted) {
		dd_fail(&err, 0, "Interrupted by signal %d before the container started",
			(int)interrupted);
		goto fail;
	}

	memcpy(c.id, r.st.id, sizeof(c.id));
	c.name = r.st.name;
	c.dir = r.dir;
	c.layer_dir = r.layer_dir;
	c.cfg = r.cfg;
	/* Hold every signal until on_created forwards them to the child. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &r.mask);
	rc = dd_runtime_run(&c, &hooks, &exit_code, &err);
	sigprocmask(SIG_SETMASK, &r.mask, NULL);
	json_decref(c.saved);
	if (rc < 0)
		goto fail;
	r.st.exit_code = exit_code;
	if (finish(&r, o.rm, &err) < 0)
		dd_error_print(&err);
	goto out;
fail:
	dd_error_print(&err);
	/* Stopped by a signal before the command ran: say so, as a shell would. */
	exit_code = interrupted ? DD_EXIT_SIGNAL_BASE + interrupted : dd_error_exit_code(&err);
	r.st.exit_code = exit_code;
	/* A container that never ran is not kept, as with Docker. */
	if (finish(&r, true, &err) < 0)
		dd_error_print(&err);
out:
	dd_config_free(r.cfg);
	free(r.dir);
	free(r.layer_dir);
	dd_state_release(&r.st);
	dd_image_release(&r.img);
	dd_run_opts_release(&o);
	return exit_code;
}
