/*
 * image.h: the image store under <root>/images.
 *
 * An image is a root directory plus a little metadata.  Names are
 * Docker's NAME[:TAG] (tag "latest" when omitted).  The built-in images
 * (busybox, probe) ship as tarballs beside the drydock binary and are
 * imported on first use into whatever state root is in effect.
 *
 * On disk:
 *   <root>/images/<id>/rootfs/       the root file system of an imported image
 *   <root>/images/<id>/image.json    {"id", "name", "tag", "created", "size"},
 *                                    and for a loaded image "layers" (ids,
 *                                    bottom first) and "config" (Env, Cmd,
 *                                    Entrypoint, WorkingDir, User)
 *   <root>/layers/<layer id>/        one layer of loaded images, shared
 *                                    (whiteouts in overlayfs's form)
 *   <root>/images/repositories.json  {"NAME:TAG": "<id>", ...}
 *   <root>/images/.lock              flock'ed while the store changes
 *   <root>/tmp/import-XXXXXX/        an import in progress
 *   <root>/tmp/load-XXXXXX/          a load in progress
 *
 * The id is the sha256 of the archive's bytes, so importing the same
 * tarball under a second name only adds a tag.  A loaded image's id is
 * the sha256 of its config, a layer's the sha256 of its blob.  Importing
 * or loading over an existing NAME:TAG moves the tag; the image it
 * pointed at is removed when no other tag and no container refers to
 * it, else it stays as a dangling image (listed as <none>:<none>,
 * removable by id).  A layer goes with the last image that lists it.
 */
#ifndef DD_IMAGE_H
#define DD_IMAGE_H

#include <stddef.h>

#include "core/base/error.h"

struct dd_image {
	char id[65];    /* 64 hex digits */
	char *name;     /* "busybox" */
	char *tag;      /* "latest" */
	char *rootfs;   /* an imported image's root directory, else NULL */
	char **layers;  /* host paths of its layers, bottom first, NULL-ended */
	/* From the image's config; NULL where it says nothing. */
	char **env;        /* "KEY=VALUE" */
	char **entrypoint;
	char **cmd;
	char *workdir;
	char *user;
	long long size; /* bytes on disk */
	long long created; /* seconds since the epoch */
};

/* Find NAME[:TAG]; imports a built-in image when the store lacks it.
 * A missing image is an error naming it ("Unable to find image ..."). */
int dd_image_resolve(const char *root, const char *ref, struct dd_image *out,
		     struct dd_error *err);

/* Import a tarball (path, or "-" for stdin) as NAME[:TAG]; all or nothing. */
int dd_image_import(const char *root, const char *file, const char *ref,
		    struct dd_image *out, struct dd_error *err);

/* What dd_image_load() loaded, for `load` to say as Docker does. */
struct dd_image_loaded {
	char **tags; /* "NAME:TAG" of each tag set, in the archive's order (may be NULL) */
	char **ids;  /* the ids of the images the archive gives no name (may be NULL) */
};

/* Load a `docker save` or OCI image layout archive (path, or "-" for
 * stdin, optionally gz, xz or zstd compressed): its layers into
 * <root>/layers, its images and their tags into the store; all or
 * nothing.  Needs labs 07 (unpacking) and 08 (whiteouts). */
int dd_image_load(const char *root, const char *file, struct dd_image_loaded *out,
		  struct dd_error *err);
void dd_image_loaded_release(struct dd_image_loaded *loaded);

/* Every image in the store, sorted by name and tag; caller frees. */
int dd_image_list(const char *root, struct dd_image **out, size_t *n,
		  struct dd_error *err);

/* Remove NAME[:TAG] or an id prefix. */
int dd_image_remove(const char *root, const char *ref, struct dd_error *err);

/* What dd_image_remove_report() did, so `rmi` can say it as Docker does. */
struct dd_image_removal {
	char **untagged;  /* "NAME:TAG"s removed, NULL-terminated (may be NULL) */
	char deleted[65]; /* the id whose files were removed, or "" */
};

int dd_image_remove_report(const char *root, const char *ref,
			   struct dd_image_removal *what, struct dd_error *err);
void dd_image_removal_release(struct dd_image_removal *what);

/* Where the built-in image NAME.tar is looked for: $DRYDOCK_IMAGES, else
 * images/ beside the drydock binary, else ../share/drydock/images. */
char *dd_image_builtin_path(const char *name);

void dd_image_release(struct dd_image *img);
void dd_image_list_free(struct dd_image *list, size_t n);

/* Split "name[:tag]" into owned strings; -1 with err on a malformed name. */
int dd_image_parse_ref(const char *ref, char **name, char **tag, struct dd_error *err);

#endif
