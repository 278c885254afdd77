/*
 * image_load_diffid.c: the config's rootfs.diff_ids, checked against the
 * layers `drydock load` unpacks.
 *
 * An image names its layers twice.  The manifest names blobs by the
 * sha256 of their bytes, compressed as they are shipped; the config
 * (whose sha256 is the image's id) lists in rootfs.diff_ids the sha256 of
 * each layer's tar once uncompressed, bottom first.  The config is what
 * the image's id vouches for, so only a check of the diff_ids ties the
 * files a container will see to that id: without it, a docker save
 * archive before Docker 25, whose layers carry no digest at all, could
 * hold any layer under a well-known image id.  `docker load` refuses such
 * an image, and so do we.
 *
 * Threat model: the archive comes from anyone.  A blob may claim to be
 * uncompressed and be compressed, hold a stream that decompresses to
 * gigabytes, or be cut short; the config may list more, fewer or other
 * diff_ids than the manifest lists layers.  The decompression here is
 * libarchive's, reading the blob from the spool (opened with the spool
 * as its root, image_load_spool.c) in bounded chunks, and it only hashes:
 * nothing it reads is written anywhere.
 */
#include "core/image/image_load.h"

#include <archive.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/sha256.h"

#define READ_CHUNK (64 * 1024)

/* The sha256 of what libarchive's filters make of the blob.  Its "raw"
 * format hands the decompressed stream over as it is, tar or not. */
static int hash_decompressed(int fd, const struct dd_load_layer *l, char hex[65],
			     bool *compressed, struct dd_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct dd_sha256 sha;
	const void *buf;
	size_t len;
	la_int64_t offset;
	int r;

	if (!a)
		return dd_fail(err, ENOMEM, "Cannot read layer '%s'", l->path);
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	dd_sha256_init(&sha);
	*compressed = false;
	r = archive_read_open_fd(a, fd, READ_CHUNK);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(a, &e);
	/* The filter chain ends with "none": one filter is no compression,
	 * and then the blob's own sha256 is already the answer. */
	if (r == ARCHIVE_OK && archive_filter_count(a) > 1) {
		*compressed = true;
		while ((r = archive_read_data_block(a, &buf, &len, &offset)) == ARCHIVE_OK)
			dd_sha256_update(&sha, buf, len);
		if (r == ARCHIVE_EOF)
			r = ARCHIVE_OK;
	} else if (r == ARCHIVE_EOF) {
		r = ARCHIVE_OK; /* an empty blob: the tar of nothing is empty too */
	}
	if (r != ARCHIVE_OK) {
		dd_fail(err, archive_errno(a) > 0 ? archive_errno(a) : 0,
			"Cannot decompress layer '%s': %s", l->path, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	archive_read_free(a);
	dd_sha256_hex(&sha, hex);
	return 0;
}

int dd_load_diff_id(int spoolfd, struct dd_load_layer *l, struct dd_error *err)
{
	_cleanup_close_ int fd = dd_load_open(spoolfd, l->path, err);
	bool compressed = false;
	char hex[65];

	if (fd < 0)
		return -1;
	if (hash_decompressed(fd, l, hex, &compressed, err) < 0)
		return -1;
	snprintf(l->diff_id, sizeof(l->diff_id), "%s", compressed ? hex : l->id);
	return 0;
}

int dd_load_check_diff_ids(const struct dd_load_plan *plan, struct dd_error *err)
{
	for (size_t i = 0; i < plan->nimages; i++) {
		const struct dd_load_image *img = &plan->images[i];

		/* dd_load_plan_read() saw to it that the counts agree. */
		for (size_t k = 0; k < img->nlayers && k < img->ndiff_ids; k++) {
			const struct dd_load_layer *l = &plan->layers[img->layers[k]];

			if (strcmp(l->diff_id, img->diff_ids[k]))
				return dd_fail(err, 0, "Layer %zu of image %.12s, '%s', does not match "
					       "the config's rootfs.diff_ids[%zu] sha256:%s: its "
					       "uncompressed sha256 is %s", k + 1, img->id, l->path,
					       k, img->diff_ids[k], l->diff_id);
		}
	}
	return 0;
}
