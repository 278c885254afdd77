/*
 * idmap.c: chapter 04, the arithmetic of id maps (lab 04).
 *
 * A user namespace sees its own ids through two maps, uid_map and
 * gid_map: each line "inside outside count" says that ids inside..
 * inside+count-1 in the namespace are the host's outside..outside+
 * count-1.  Everything here is pure arithmetic on such lines and on the
 * lines of /etc/subuid ("name:start:count"), the ranges of host ids an
 * administrator handed out to be used as somebody's subordinate ids.
 *
 * Threat model: /etc/subuid is written by root, but other programs
 * (useradd, usermod, an administrator's editor) write it too, so a line
 * may be anything; a malformed line is an error that names it, never a
 * range guessed from half a line.  The numbers are unsigned and checked
 * for wrapping: a range past 2^32 would map ids the kernel never meant.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user.h"

/* The largest id plus one: ids are 32-bit, and (uid_t)-1 means "none". */
#define USER_ID_LIMIT 4294967295ul

bool user_ranges_overlap(unsigned long a, unsigned long na, unsigned long b, unsigned long nb)
{
	/* Two half-open ranges overlap when each starts before the other ends. */
	return na > 0 && nb > 0 && a < b + nb && b < a + na;
}

int user_map_id(const struct dd_id_map *maps, size_t n, unsigned int id, unsigned int *host)
{
	for (size_t i = 0; i < n; i++) {
		if (id >= maps[i].container && id - maps[i].container < maps[i].count) {
			*host = maps[i].host + (id - maps[i].container);
			return 0;
		}
	}
	return -1;
}

int user_unmap_id(const struct dd_id_map *maps, size_t n, unsigned int host, unsigned int *id)
{
	for (size_t i = 0; i < n; i++) {
		if (host >= maps[i].host && host - maps[i].host < maps[i].count) {
			*id = maps[i].container + (host - maps[i].host);
			return 0;
		}
	}
	return -1;
}

int user_maps_check(const struct dd_id_map *maps, size_t n, const char *what,
		    struct dd_error *err)
{
	/* BEGIN SOLUTION: refuse no lines or more than DD_ID_MAPS_MAX, an empty line, a line that runs past the largest id, and two lines whose inside or outside ranges overlap */
	if (n == 0 || n > DD_ID_MAPS_MAX)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid %s: %zu lines (1 to %d)", what,
				    n, DD_ID_MAPS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct dd_id_map *a = &maps[i];

		if (a->count == 0 || (unsigned long)a->container + a->count > USER_ID_LIMIT ||
		    (unsigned long)a->host + a->count > USER_ID_LIMIT)
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "Invalid %s line '%u %u %u': it is empty or runs past "
					    "the largest id", what, a->container, a->host, a->count);
		for (size_t k = 0; k < i; k++) {
			const struct dd_id_map *b = &maps[k];

			if (user_ranges_overlap(a->container, a->count, b->container, b->count) ||
			    user_ranges_overlap(a->host, a->count, b->host, b->count))
				return dd_fail_kind(err, DD_ERR_USAGE, 0,
						    "Invalid %s: lines '%u %u %u' and '%u %u %u' "
						    "overlap", what, b->container, b->host, b->count,
						    a->container, a->host, a->count);
		}
	}
	return 0;
	/* END SOLUTION */
}

int user_maps_format(const struct dd_id_map *maps, size_t n, char *buf, size_t len,
		     struct dd_error *err)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%u %u %u\n", maps[i].container,
				 maps[i].host, maps[i].count);

		if (w < 0 || (size_t)w >= len - used)
			return dd_fail(err, ENOSPC, "An id map of %zu lines is too long", n);
		used += w;
	}
	return (int)used;
}

/* A decimal number that fills the whole field, no sign, no wrap. */
static __attribute__((unused)) int parse_number(const char *s, size_t len, unsigned long *out)
{
	char buf[16], *end;

	if (len == 0 || len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtoul(buf, &end, 10);
	return errno || *end || *out > USER_ID_LIMIT ? -1 : 0;
}

int user_subid_parse_line(const char *line, struct user_subid *out, struct dd_error *err)
{
	/* BEGIN SOLUTION: split "name:start:count" at its two colons, parse both numbers strictly, refuse a range that is empty or runs past the largest id */
	size_t len = strcspn(line, "\n");
	const char *c1, *c2;

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len == 0 || line[0] == '#')
		return 1;
	c1 = memchr(line, ':', len);
	c2 = c1 ? memchr(c1 + 1, ':', len - (c1 + 1 - line)) : NULL;
	if (!c1 || !c2 || c1 == line || (size_t)(c1 - line) >= sizeof(out->name) ||
	    memchr(c2 + 1, ':', len - (c2 + 1 - line)) ||
	    parse_number(c1 + 1, c2 - c1 - 1, &out->start) < 0 ||
	    parse_number(c2 + 1, len - (c2 + 1 - line), &out->count) < 0 || out->count == 0 ||
	    out->start + out->count > USER_ID_LIMIT)
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Invalid subordinate id line '%.*s': expected name:start:count "
				    "with a range that ends by %lu", (int)len, line, USER_ID_LIMIT);
	memcpy(out->name, line, c1 - line);
	out->name[c1 - line] = '\0';
	return 0;
	/* END SOLUTION */
}

int user_subid_find_free(const struct user_subid *entries, size_t n, unsigned long count,
			 unsigned long *start, struct dd_error *err)
{
	/* BEGIN SOLUTION: from USER_SUBID_MIN, move past every entry the candidate overlaps until none does; fail when the range would end after USER_SUBID_MAX */
	unsigned long at = USER_SUBID_MIN;
	bool moved = true;

	/* Each pass moves past one entry in the way; at most n passes. */
	while (moved) {
		moved = false;
		for (size_t i = 0; i < n; i++) {
			if (user_ranges_overlap(at, count, entries[i].start, entries[i].count)) {
				at = entries[i].start + entries[i].count;
				moved = true;
			}
		}
	}
	if (at + count - 1 > USER_SUBID_MAX)
		return dd_fail(err, ENOSPC, "No free range of %lu subordinate ids between %lu and "
			       "%lu", count, USER_SUBID_MIN, USER_SUBID_MAX);
	*start = at;
	return 0;
	/* END SOLUTION */
}
