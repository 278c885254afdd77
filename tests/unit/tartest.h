/*
 * tartest.h: build small tar archives for the import tests with
 * libarchive's write API, entry by entry, including the hostile ones
 * (".." names, symlinks out of the root, links to host files).
 */
#ifndef DD_TARTEST_H
#define DD_TARTEST_H

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core/base/cleanup.h"
#include "testutil.h"

struct tt_entry {
	const char *name;
	mode_t type;          /* AE_IFREG (0 means that too), AE_IFDIR, AE_IFLNK, ... */
	mode_t perm;          /* 0 means 0644 (0755 for directories) */
	const char *data;     /* a regular file's contents */
	size_t size;          /* 0: strlen(data) */
	const char *symlink;  /* AE_IFLNK's target */
	const char *hardlink; /* a hard link to this earlier name */
	uid_t uid;
	gid_t gid;
	unsigned rdev_major, rdev_minor;
	long long mtime;
};

/* Write the entries to path as a pax tar, through filter
 * (ARCHIVE_FILTER_NONE, _GZIP, _XZ, _ZSTD). */
static inline void tt_write_archive(const char *path, const struct tt_entry *e, size_t n,
				    int filter)
{
	struct archive *a = archive_write_new();

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (filter != ARCHIVE_FILTER_NONE)
		assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		mode_t type = e[i].type ? e[i].type : AE_IFREG;
		size_t size = e[i].data ? (e[i].size ? e[i].size : strlen(e[i].data)) : 0;

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_filetype(ae, type);
		archive_entry_set_perm(ae, e[i].perm ? e[i].perm : type == AE_IFDIR ? 0755 : 0644);
		archive_entry_set_uid(ae, e[i].uid);
		archive_entry_set_gid(ae, e[i].gid);
		archive_entry_set_mtime(ae, e[i].mtime ? e[i].mtime : 1000000000, 0);
		if (e[i].symlink)
			archive_entry_set_symlink(ae, e[i].symlink);
		if (e[i].hardlink) {
			archive_entry_set_hardlink(ae, e[i].hardlink);
			size = 0;
		}
		if (type == AE_IFCHR || type == AE_IFBLK)
			archive_entry_set_rdev(ae, makedev(e[i].rdev_major, e[i].rdev_minor));
		archive_entry_set_size(ae, type == AE_IFREG ? (la_int64_t)size : 0);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (size)
			assert_int_equal(archive_write_data(a, e[i].data, size), (la_ssize_t)size);
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* A file name no other test run will use. */
static inline void tt_random_name(char *out, size_t len, const char *prefix)
{
	char hex[17];
	struct dd_error err;

	assert_int_equal(dd_random_hex(hex, 8, &err), 0);
	snprintf(out, len, "%s%s", prefix, hex);
}

/* n bytes of printable random text, NUL-terminated (caller frees). */
static inline char *tt_random_text(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = 'a' + tu_random(0, 25);
	s[n] = '\0';
	return s;
}

#endif
