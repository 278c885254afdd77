/*
 * import.h: chapter 07, unpacking a root file system tarball safely.
 *
 * An image arrives as a tar archive (optionally gz, xz or zstd
 * compressed).  rootfs_extract() unpacks it into an empty directory and
 * never writes outside it, whatever names, links and symlinks the
 * archive holds.
 */
#ifndef DD_ROOTFS_IMPORT_H
#define DD_ROOTFS_IMPORT_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/base/error.h"

struct rootfs_extract_stats {
	unsigned long files, dirs, symlinks, hardlinks;
	unsigned long skipped_devices; /* device nodes, fifos and sockets */
	unsigned long long bytes;      /* data written to regular files */
};

/* Where the archive's bytes come from.  read() returns the number of
 * bytes read, 0 at the end, or -1 with errno set (the import stops). */
struct rootfs_reader {
	ssize_t (*read)(void *arg, void *buf, size_t len);
	void *arg;
	/* Optional: called for each member once its parent directory is open
	 * (dirfd, safely resolved) and before anything is written; returns 1
	 * when it took care of the member itself, 0 to extract it as usual,
	 * -1 with err filled to stop.  Image layers use it for whiteouts. */
	int (*member)(void *arg, int dirfd, const char *base, struct dd_error *err);
};

/* Unpack the archive read from archive_fd into the directory dest_dirfd
 * (which should be empty).  Device nodes, fifos and sockets are skipped
 * with one note on stderr.  st may be NULL.  On error the directory may
 * hold part of the archive: the caller removes it. */
int rootfs_extract(int archive_fd, int dest_dirfd, struct rootfs_extract_stats *st,
		   struct dd_error *err);

/* The same, reading through in (image.c hashes every byte it reads). */
int rootfs_extract_from(const struct rootfs_reader *in, int dest_dirfd,
			struct rootfs_extract_stats *st, struct dd_error *err);

/* Path safety (safepath.c). */

/* Turn an archive member's name into one relative to the root: leading
 * '/' and '.' components dropped, "a//b" made "a/b", "" for the root
 * itself.  A name with a ".." component is refused. */
int rootfs_clean_name(const char *name, char out[PATH_MAX], struct dd_error *err);

/* Open the directory that holds the cleaned name, resolving every
 * component inside rootfd as the container would see it (a symlink can
 * never lead out), creating missing directories when create is true.
 * Returns an O_PATH fd and points *base at the last component. */
int rootfs_open_parent(int rootfd, const char *name, bool create, const char **base,
		       struct dd_error *err);

#endif
