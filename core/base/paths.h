/*
 * paths.h: the layout of a state root, known here and nowhere else.
 *
 *   <root>/images/<id>/          an image: image.json, rootfs/ (imported)
 *   <root>/images/repositories.json, .lock
 *   <root>/layers/<digest>/      a loaded image's layer, stored once
 *   <root>/containers/<id>/      a container (core/runtime/container.h)
 *   <root>/names/<name>          a reserved container name (holds the id)
 *   <root>/tmp/                  work in progress (core/image/image_tmp.c)
 *   <root>/cache/seccomp/        compiled seccomp filters, by digest (chapter 16)
 */
#ifndef DD_PATHS_H
#define DD_PATHS_H

enum dd_state_dir {
	DD_DIR_IMAGES,
	DD_DIR_LAYERS,
	DD_DIR_CONTAINERS,
	DD_DIR_NAMES,
	DD_DIR_TMP,
	DD_DIR_CACHE
};

/* <root>/<dir>, or <root>/<dir>/<what fmt makes> (fmt NULL: the folder
 * itself).  A new string (caller frees), NULL when out of memory. */
char *dd_state_path(const char *root, enum dd_state_dir dir, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
