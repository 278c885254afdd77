/*
 * paths.h: the layout of drydock's two roots, known here and nowhere else.
 *
 * The data root (--root, $DRYDOCK_ROOT) holds what must survive a
 * reboot:
 *
 *   <root>/images/<id>/          an image: image.json, rootfs/ (imported)
 *   <root>/images/repositories.json, .lock
 *   <root>/layers/<digest>/      a loaded image's layer, stored once
 *   <root>/containers/<id>/      a container's record (container.json) and
 *                                its own layer, upper/ and work/ (chapter 08)
 *   <root>/tmp/                  work in progress (core/image/image_tmp.c)
 *   <root>/cache/seccomp/        compiled seccomp filters, by digest (chapter 16)
 *
 * The run root (--runroot, $DRYDOCK_RUNROOT) holds what lives only as
 * long as the machine runs, on a tmpfs where /run is one (as Docker's
 * /run/docker and containerd's /run/containerd):
 *
 *   <runroot>/containers/<id>/   a container's OCI bundle and runtime state:
 *                                config.json, state.json, exec.fifo, rootfs/
 *   <runroot>/names/<name>       a reserved container name (holds the id)
 *
 * Which roots a command uses by default is the front end's choice
 * (core/cli/cli.c, resolve_roots()).
 */
#ifndef DD_PATHS_H
#define DD_PATHS_H

struct dd_roots {
	const char *data; /* what survives a reboot: images, records, layers */
	const char *run;  /* live state: bundles, runtime state, mount points, names */
};

/* The folders: the DD_DIR_RUN_ ones are under the run root, the others
 * under the data root. */
enum dd_state_dir {
	DD_DIR_IMAGES,
	DD_DIR_LAYERS,
	DD_DIR_CONTAINERS,
	DD_DIR_TMP,
	DD_DIR_CACHE,
	DD_DIR_RUN_CONTAINERS,
	DD_DIR_RUN_NAMES
};

/* <root>/<dir>, or <root>/<dir>/<what fmt makes> (fmt NULL: the folder
 * itself), root being the data root or, for a DD_DIR_RUN_ folder, the
 * run root.  A new string (caller frees), NULL when out of memory. */
char *dd_state_path(const char *root, enum dd_state_dir dir, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
