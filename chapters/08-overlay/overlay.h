/*
 * overlay.h: chapter 08, layered images and a copy-on-write container
 * layer.
 *
 * An image is a stack of layers, bottom first; each layer is a directory
 * of the files it adds or changes, and of whiteouts for the files it
 * deletes.  A container sees the stack merged by overlayfs, with one more
 * layer on top, its own, where every write lands.
 */
#ifndef DD_OVERLAY_H
#define DD_OVERLAY_H

#include "core/base/error.h"
#include "core/stage.h"

/* A layer archive says "delete NAME" with an empty member named
 * ".wh.NAME", and "hide every lower entry of this directory" with a
 * member ".wh..wh..opq" inside it. */
#define OVERLAY_WHITEOUT_PREFIX ".wh."
#define OVERLAY_OPAQUE_MARKER ".wh..wh..opq"

/* The data argument of mount(2) for overlayfs: "lowerdir=...,upperdir=
 * ...,workdir=...".  layers are host paths, bottom first (the order of an
 * image's manifest), NULL-terminated, at least one.  upper and work may
 * both be NULL for a read-only stack.  A path that overlayfs cannot take
 * (a ',' or ':' in it) or a list too long for one page is refused. */
int overlay_mount_data(char *const *layers, const char *upper, const char *work,
		       char **out, struct dd_error *err);

/* Mount the overlay described by data at target. */
int overlay_mount(const char *target, const char *data, struct dd_error *err);

/* Turn an archive member named base, in the layer directory dirfd, into
 * what overlayfs reads: ".wh.NAME" becomes a 0/0 character device NAME,
 * ".wh..wh..opq" marks dirfd opaque (xattr trusted.overlay.opaque "y").
 * Returns 1 when base was a whiteout (handled), 0 when it is an ordinary
 * member, -1 on error. */
int overlay_whiteout(int dirfd, const char *base, struct dd_error *err);

extern const struct dd_stage overlay_stage;

#endif
