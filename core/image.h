/*
 * image.h: the image store under <root>/images.
 *
 * An image is a root directory plus a little metadata.  Names are
 * Docker's NAME[:TAG] (tag "latest" when omitted).  The built-in images
 * (busybox, probe) ship as tarballs beside the drydock binary and are
 * imported on first use into whatever state root is in effect.
 */
#ifndef DD_IMAGE_H
#define DD_IMAGE_H

#include <stddef.h>

#include "error.h"

struct dd_image {
	char id[65];    /* 64 hex digits */
	char *name;     /* "busybox" */
	char *tag;      /* "latest" */
	char *rootfs;   /* host path of the image's root directory */
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

/* Every image in the store, sorted by name and tag; caller frees. */
int dd_image_list(const char *root, struct dd_image **out, size_t *n,
		  struct dd_error *err);

/* Remove NAME[:TAG] or an id prefix. */
int dd_image_remove(const char *root, const char *ref, struct dd_error *err);

void dd_image_release(struct dd_image *img);
void dd_image_list_free(struct dd_image *list, size_t n);

/* Split "name[:tag]" into owned strings; -1 with err on a malformed name. */
int dd_image_parse_ref(const char *ref, char **name, char **tag, struct dd_error *err);

#endif
