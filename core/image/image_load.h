/*
 * image_load.h: the pieces of `drydock load`, shared by image_load.c
 * (layers and the store), image_load_spool.c (the outer archive) and
 * image_load_manifest.c (what the archive says it holds).  Not for
 * chapters: they go through image.h.
 */
#ifndef DD_IMAGE_LOAD_H
#define DD_IMAGE_LOAD_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/base/error.h"

/* A manifest, an index or a config is a few KiB: anything much larger
 * is not one, and is not read into memory. */
#define DD_LOAD_MAX_JSON (4 << 20)
/* Docker's own limit; overlayfs could not stack many more anyway. */
#define DD_LOAD_MAX_LAYERS 127
/* An index may point at an index; no real image needs more than two. */
#define DD_LOAD_MAX_NESTING 4

/* One layer blob, named once however many images list it. */
struct dd_load_layer {
	char *path;      /* inside the archive: "blobs/sha256/<hex>" or "<dir>/layer.tar" */
	char digest[65]; /* the sha256 its name or its descriptor promises, or "" */
	char id[65];     /* the sha256 of its bytes, once read: the layer's id */
	char diff_id[65]; /* the sha256 of the tar inside, compressed or not, once read */
	char *dir;       /* where it was unpacked in tmp/, or NULL if the store has it */
};

struct dd_load_image {
	char id[65];     /* the sha256 of its config blob */
	char **tags;     /* "NAME:TAG", NULL-terminated; NULL when untagged */
	size_t *layers;  /* indexes into the plan's layers, bottom first */
	size_t nlayers;
	json_t *config;  /* Env, Cmd, Entrypoint, WorkingDir, User, where given */
	/* The config's rootfs.diff_ids, hex, bottom first: the sha256 of
	 * each layer's uncompressed tar, one per entry of layers. */
	char (*diff_ids)[65];
	size_t ndiff_ids;
};

/* Everything the archive holds, read before any layer is unpacked. */
struct dd_load_plan {
	struct dd_load_image *images;
	size_t nimages;
	struct dd_load_layer *layers;
	size_t nlayers;
};

/* --- image_load_spool.c --------------------------------------------------- */

/* A name inside the archive as a plain relative path ("./a//b" -> "a/b");
 * an absolute name, a ".." component or an empty name is refused. */
int dd_load_clean_path(const char *name, char out[PATH_MAX], struct dd_error *err);

/* Open path (cleaned) inside the spooled archive, never following a
 * symlink or leaving the directory. */
int dd_load_open(int spoolfd, const char *path, struct dd_error *err);

/* Unpack the archive read from fd into the empty directory spoolfd:
 * regular files and directories with plain relative names, nothing else. */
int dd_load_spool(int fd, int spoolfd, struct dd_error *err);

/* --- image_load_diffid.c -------------------------------------------------- */

/* Set l->diff_id: the sha256 of the tar inside the blob at l->path,
 * whose own sha256 (l->id) is known; the blob is decompressed only when
 * it is compressed. */
int dd_load_diff_id(int spoolfd, struct dd_load_layer *l, struct dd_error *err);

/* Does every image's config name, in rootfs.diff_ids, the tars its
 * layers hold, in their order?  Once every layer's diff_id is set. */
int dd_load_check_diff_ids(const struct dd_load_plan *plan, struct dd_error *err);

/* --- image_load_manifest.c ------------------------------------------------ */

/* Read manifest.json (docker save) or else index.json (OCI image layout)
 * and every manifest and config they lead to. */
int dd_load_plan_read(int spoolfd, struct dd_load_plan *plan, struct dd_error *err);
void dd_load_plan_free(struct dd_load_plan *plan);

#endif
