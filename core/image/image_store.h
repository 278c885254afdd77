/*
 * image_store.h: the image store's files and locks, shared by image.c
 * (import, resolve, list, remove), image_load*.c (load), image_store.c,
 * image_tmp.c and image_layers.c.  Not for chapters: they go through
 * image.h.
 */
#ifndef DD_IMAGE_STORE_H
#define DD_IMAGE_STORE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "chapters/07-rootfs/import.h"
#include "core/base/error.h"
#include "core/image/image.h"
#include "core/base/sha256.h"

#define DD_IMAGE_DEFAULT_TAG "latest"
#define DD_IMAGE_ID_LEN 64

/* s is lowercase hex of min to 64 digits. */
bool dd_store_is_hex(const char *s, size_t min);

/* Open (creating) path and flock it with how; returns the fd. */
int dd_store_lock_file(const char *path, int how, struct dd_error *err);

/* Make <root>, images/ and tmp/ (0700), take the store's lock and remove
 * what dead imports left in tmp/; returns the lock's fd (close to release). */
int dd_store_open(const char *root, struct dd_error *err);

/* A JSON object from path; a missing file is {} when missing_ok. */
int dd_store_load_json(const char *path, bool missing_ok, json_t **out, struct dd_error *err);
int dd_store_save_json(const char *path, json_t *j, struct dd_error *err);

/* repositories.json: {"NAME:TAG": "<id>"}. */
int dd_store_load_repos(const char *root, json_t **out, struct dd_error *err);
int dd_store_save_repos(const char *root, json_t *repos, struct dd_error *err);
size_t dd_store_count_tags(json_t *repos, const char *id);
/* Some "NAME:TAG" that points at id, or NULL. */
const char *dd_store_some_tag(json_t *repos, const char *id);

/* Look ref up as NAME[:TAG], then as an id prefix: 1 found (*key is the
 * "NAME:TAG" inside repos, or NULL when found by id), 0 not there, -1 error. */
int dd_store_lookup(const char *root, json_t *repos, const char *ref, char id[65],
		    const char **key, struct dd_error *err);

/* Fill img from images/<id>/image.json, named name:tag. */
int dd_store_load_image(const char *root, const char *id, const char *name, const char *tag,
			struct dd_image *img, struct dd_error *err);

/* Remove images/<id> (moved aside first, so it disappears at once), then
 * each of its layers that no other image lists.  Store lock held. */
int dd_store_delete_image(const char *root, const char *id, struct dd_error *err);

/* Point each "NAME:TAG" of moves ({"NAME:TAG": "<id>"}) at its id, all in
 * one write of repositories.json; an image a tag leaves is removed when no
 * other tag and no container refers to it.  Store lock held. */
int dd_store_move_tags(const char *root, json_t *moves, struct dd_error *err);

/* 1 and who = "<short id> (<name>)" when a container uses image id, 0 if none. */
int dd_store_find_user(const char *root, const char *id, char *who, size_t len,
		       struct dd_error *err);

/* --- work in progress under <root>/tmp (image_tmp.c) --------------------- */

/* Make <root>/tmp/PREFIX-XXXXXX and hold its .lock (*lockfd), so that
 * dd_store_open() leaves it alone for as long as this process lives. */
char *dd_store_start_tmp(const char *root, const char *prefix, int *lockfd,
			 struct dd_error *err);

/* SIGINT, SIGTERM, SIGHUP and SIGPIPE, caught while the store is being
 * written: the next dd_store_read_hashed() fails with EINTR instead. */
#define DD_STORE_NSIGNALS 4
void dd_store_catch_signals(struct sigaction old[DD_STORE_NSIGNALS]);
void dd_store_restore_signals(const struct sigaction old[DD_STORE_NSIGNALS]);
/* The signal caught since dd_store_catch_signals(), or 0. */
int dd_store_interrupted(void);

/* A struct rootfs_reader's read(): every byte read from fd is hashed. */
struct dd_hashed_input {
	int fd;
	struct dd_sha256 sha;
};
ssize_t dd_store_read_hashed(void *arg, void *buf, size_t len);

/* --- shared layers, <root>/layers/<id> (image_layers.c) -------------------- */

/* Remove each of the layers ids that no image's image.json lists (moved
 * aside first, like images).  Store lock held. */
int dd_store_remove_unused_layers(const char *root, char *const *ids, struct dd_error *err);

/* Bytes of file data under the directory path: each regular file once,
 * however many hard links it has, as an import counts what it wrote. */
int dd_store_tree_size(const char *path, long long *size, struct dd_error *err);

/* The store's one extractor: lab 07's (chapter 07, import.c), or while
 * that lab is not done, GNU tar (image_untar.c), through the pipeline's
 * one fallback mechanism.  With needs_lab (layers, whose whiteouts only
 * lab 07's extraction understands) a lab not done is an error.  *size
 * (may be NULL) gets the bytes of file data written. */
int dd_store_unpack(const struct rootfs_reader *in, int dirfd, const char *dir,
		    bool needs_lab, long long *size, struct dd_error *err);

#endif
