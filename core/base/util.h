/* util.h: small file-system and string helpers shared by every module. */
#ifndef DD_UTIL_H
#define DD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/base/error.h"

/* mkdir -p with the given mode for every component created. */
int dd_mkdir_p(const char *path, mode_t mode, struct dd_error *err);

/* rm -rf that never crosses into another file system (a mount left
 * under the tree is an error, never a way to delete the host's files). */
int dd_rm_rf(const char *path, struct dd_error *err);

/* Copy a directory tree, keeping modes, owners, times, symlinks and
 * hard links; dest must not exist. */
int dd_copy_tree(const char *src, const char *dest, struct dd_error *err);

/* The same, each copy owned by what shift makes of the original's
 * owner (chapter 04: a layer as a user namespace's ids see it). */
int dd_copy_tree_shifted(const char *src, const char *dest,
			 int (*shift)(void *arg, uid_t *uid, gid_t *gid), void *arg,
			 struct dd_error *err);

/* Read a whole file into a NUL-terminated buffer (caller frees). */
int dd_read_file(const char *path, char **out, size_t *len, struct dd_error *err);
/* The same from an open descriptor; name is for the error message. */
int dd_read_fd(int fd, const char *name, char **out, size_t *len, struct dd_error *err);

/* Write a file atomically: a temporary beside it, then rename. */
int dd_write_file_atomic(const char *path, const char *data, size_t len,
			 mode_t mode, struct dd_error *err);

/* n random bytes as 2n lowercase hex digits into out[2n+1]. */
int dd_random_hex(char *out, size_t nbytes, struct dd_error *err);

/* "64m", "1g", "512k", "100" -> bytes; -1 on a malformed size. */
long long dd_parse_size(const char *s);

/* printf into a new string; NULL on ENOMEM. */
char *dd_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "About a minute ago", "3 hours ago": how long since then (epoch seconds). */
void dd_format_ago(long long then, char *buf, size_t len);

bool dd_is_dir(const char *path);

/* Is there an executable name in one of $PATH's directories? */
bool dd_find_program(const char *name);

/* Open path inside root as the container would see it (openat2 with
 * RESOLVE_IN_ROOT: symlinks and ".." never leave root; magic links such
 * as /proc/self/root are refused) with the open(2) flags given, close-on-
 * exec; -1 with err filled. */
int dd_open_in_root(int rootfd, const char *path, int flags, struct dd_error *err);

/* mkdir -p of path inside root, resolved as in dd_open_in_root();
 * returns an O_PATH|O_DIRECTORY fd of the last component. */
int dd_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct dd_error *err);

#endif
