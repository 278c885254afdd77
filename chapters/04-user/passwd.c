/*
 * passwd.c: chapter 04, who `-u NAME[:GROUP]` is, in the image (lab 04).
 *
 * A user name means what the image's /etc/passwd says, not the host's:
 * "nobody" may be 65534 on the host and 99 in the image.  getpwnam(3)
 * reads the host's files (or asks NSS: LDAP, systemd), so drydock parses
 * the image's /etc/passwd and /etc/group itself, as runc does.
 *
 *   -u NAME        uid and gid of NAME's line in /etc/passwd
 *   -u UID         that uid; its gid from /etc/passwd, else 0 (Docker's)
 *   -u X:GROUP     the gid of GROUP in /etc/group, or a number
 *   groups         every /etc/group line listing the user (none when a
 *                  GROUP is given, as runc), and --group-add
 *
 * Threat model: both files are the image's, so untrusted: lines are
 * parsed field by field, a malformed line is skipped (as libc does),
 * numbers are checked, and a name the image lacks is an error that names
 * it, never a guess.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "user.h"

/* The largest /etc/passwd or /etc/group drydock reads from an image. */
#define PASSWD_MAX_BYTES (4 << 20)
#define PASSWD_FIELDS 7
#define GROUP_FIELDS 4

/* Split the line [s, end) at ':' into at most n fields; how many. */
static size_t split_fields(const char *s, const char *end, const char **f, size_t *len,
			   size_t n)
{
	size_t k = 0;

	while (k < n) {
		const char *c = memchr(s, ':', end - s);

		f[k] = s;
		len[k] = (c ? c : end) - s;
		k++;
		if (!c)
			break;
		s = c + 1;
	}
	return k;
}

static bool field_is(const char *f, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(f, s, len) == 0;
}

/* A decimal id filling the whole field. */
static int parse_id(const char *s, size_t len, unsigned int *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v >= 4294967295ul)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* One line of a file in text whose field `key` (0: name, 2: id) is
 * want; its fields in f, len.  -1 when none is. */
static int find_line(const char *text, size_t nfields, size_t key, const char *want,
		     const char **f, size_t *len)
{
	for (const char *s = text; s && *s;) {
		const char *end = strchrnul(s, '\n');
		unsigned int id;

		if (split_fields(s, end, f, len, nfields) == nfields &&
		    (key == 0 ? field_is(f[0], len[0], want)
			      : parse_id(f[key], len[key], &id) == 0 && field_is(f[key], len[key], want)))
			return 0;
		s = *end ? end + 1 : NULL;
	}
	return -1;
}

static bool is_number(const char *s)
{
	return s[0] && strspn(s, "0123456789") == strlen(s);
}

static int add_group(struct dd_config *cfg, gid_t gid, struct dd_error *err)
{
	for (size_t i = 0; i < cfg->ngroups; i++)
		if (cfg->groups[i] == gid)
			return 0;
	if (cfg->ngroups >= DD_GROUPS_MAX)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "More than %d supplementary groups",
				    DD_GROUPS_MAX);
	cfg->groups[cfg->ngroups++] = gid;
	return 0;
}

/* A group by name or number, as -u X:GROUP and --group-add take it. */
static __attribute__((unused)) int lookup_group(const char *group_text, const char *g, gid_t *gid, struct dd_error *err)
{
	const char *f[GROUP_FIELDS];
	size_t len[GROUP_FIELDS];
	unsigned int id;

	if (is_number(g)) {
		if (parse_id(g, strlen(g), &id) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid group id '%s'", g);
		*gid = id;
		return 0;
	}
	if (!group_text || find_line(group_text, GROUP_FIELDS, 0, g, f, len) < 0 ||
	    parse_id(f[2], len[2], &id) < 0)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unable to find group '%s': no matching "
				    "entry in the image's /etc/group", g);
	*gid = id;
	return 0;
}

/* Every group of /etc/group whose member list names user. */
static __attribute__((unused)) int member_groups(const char *group_text, const char *user, struct dd_config *cfg,
			 struct dd_error *err)
{
	for (const char *s = group_text; s && *s;) {
		const char *end = strchrnul(s, '\n'), *f[GROUP_FIELDS];
		size_t len[GROUP_FIELDS];
		unsigned int gid;

		if (split_fields(s, end, f, len, GROUP_FIELDS) == GROUP_FIELDS &&
		    parse_id(f[2], len[2], &gid) == 0) {
			for (const char *m = f[3], *mend = f[3] + len[3]; m < mend;) {
				const char *comma = memchr(m, ',', mend - m);
				size_t n = (comma ? comma : mend) - m;

				if (strlen(user) == n && memcmp(m, user, n) == 0 &&
				    add_group(cfg, gid, err) < 0)
					return -1;
				m += n + 1;
			}
		}
		s = *end ? end + 1 : NULL;
	}
	return 0;
}

int user_resolve(const char *spec, const char *passwd, const char *group,
		 char *const *group_add, struct dd_config *cfg, struct dd_error *err)
{
	/* BEGIN SOLUTION: split spec at ':', find the user by name (an error if the image lacks it) or take the number, its gid from /etc/passwd or the group given, its groups from /etc/group, then --group-add */
	_cleanup_free_ char *copy = strdup(spec), *home = NULL;
	const char *f[PASSWD_FIELDS], *name = NULL;
	size_t len[PASSWD_FIELDS];
	char *colon;
	unsigned int id;
	bool found;

	if (!copy)
		return dd_fail(err, ENOMEM, "Out of memory");
	colon = strchr(copy, ':');
	if (colon)
		*colon++ = '\0';
	if (!copy[0] || (colon && !colon[0]))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid user '%s': expected "
				    "NAME|UID[:GROUP|GID]", spec);
	if (is_number(copy)) {
		if (parse_id(copy, strlen(copy), &id) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid user id '%s'", copy);
		found = passwd && find_line(passwd, PASSWD_FIELDS, 2, copy, f, len) == 0;
		cfg->uid = id;
		cfg->gid = 0; /* a uid the image does not know: group 0, as Docker */
	} else {
		found = passwd && find_line(passwd, PASSWD_FIELDS, 0, copy, f, len) == 0;
		if (!found || parse_id(f[2], len[2], &id) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unable to find user '%s': no "
					    "matching entry in the image's /etc/passwd", copy);
		cfg->uid = id;
	}
	if (found) {
		name = strndup(f[0], len[0]);
		home = strndup(f[5], len[5]);
		if (!name || !home) {
			free((char *)name);
			return dd_fail(err, ENOMEM, "Out of memory");
		}
		if (parse_id(f[3], len[3], &id) == 0)
			cfg->gid = id;
	}
	cfg->ngroups = 0;
	/* An explicit group replaces the user's groups, as in runc and
	 * Docker: -u alice:staff runs with staff and --group-add alone. */
	if ((colon && lookup_group(group, colon, &cfg->gid, err) < 0) ||
	    (!colon && name && group && member_groups(group, name, cfg, err) < 0)) {
		free((char *)name);
		return -1;
	}
	free((char *)name);
	for (size_t i = 0; group_add && group_add[i]; i++) {
		gid_t gid;

		if (lookup_group(group, group_add[i], &gid, err) < 0 || add_group(cfg, gid, err) < 0)
			return -1;
	}
	cfg->user_set = true;
	if (home && home[0] == '/') {
		_cleanup_free_ char *kv = dd_strdup_printf("HOME=%s", home);

		if (!kv || dd_config_setenv(cfg, kv) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
	/* END SOLUTION */
}

/* The image's file at path: from the topmost layer that has it; NULL
 * (and 0) when none does. */
static int read_image_file(char *const *dirs, const char *path, char **out,
			   struct dd_error *err)
{
	*out = NULL;
	for (size_t i = 0; dirs && dirs[i]; i++) {
		_cleanup_close_ int root = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int fd = -1;
		size_t used = 0;
		ssize_t n;

		if (root < 0)
			return dd_fail(err, errno, "Cannot open the image layer '%s'", dirs[i]);
		fd = dd_open_in_root(root, path, O_RDONLY | O_NOFOLLOW, err);
		if (fd < 0) {
			if (err->errnum != ENOENT && err->errnum != ELOOP)
				return -1;
			dd_error_clear(err);
			continue;
		}
		*out = malloc(PASSWD_MAX_BYTES + 1);
		if (!*out)
			return dd_fail(err, ENOMEM, "Out of memory");
		while ((n = read(fd, *out + used, PASSWD_MAX_BYTES - used)) > 0)
			used += n;
		if (n < 0)
			return dd_fail(err, errno, "Cannot read the image's %s", path);
		(*out)[used] = '\0';
		return 0;
	}
	return 0;
}

/* The image's layers, top first, as the engine gave them. */
int user_resolve_in_image(const struct user_request *rq, struct dd_config *cfg,
			  struct dd_error *err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	if (read_image_file(rq->image_dirs, "/etc/passwd", &passwd, err) < 0 ||
	    read_image_file(rq->image_dirs, "/etc/group", &group, err) < 0)
		return -1;
	return user_resolve(rq->user, passwd, group, rq->group_add, cfg, err);
}
