/*
 * subid.c: chapter 04, drydock's range in /etc/subuid and /etc/subgid.
 *
 * A container in a user namespace of its own needs host ids that belong
 * to nobody else, so that its root is nobody on the host.  Those ranges
 * are handed out in /etc/subuid and /etc/subgid; drydock keeps one line
 * of its own, "drydock:START:65536", and writes it on first use.
 *
 * Threat model: the files are shared with useradd, usermod and the
 * administrator.  drydock never rewrites a line that is not its own and
 * never loses one: it takes shadow's lock (a "<file>.lock" holding its
 * pid, made with O_EXCL, which useradd respects and which a dead
 * drydock's pid marks as stale), copies every line as it was, appends
 * its own, and renames the new file into place, so a reader sees the old
 * file or the new one, never half of one.  A malformed line is an error,
 * not a reason to guess.  Tests set DRYDOCK_SUBUID and DRYDOCK_SUBGID to
 * copies: the real files are never touched by the test suite.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"
#include "user.h"

/* How long to wait for another writer's lock: 100 tries, 20 ms apart. */
#define SUBID_LOCK_TRIES 100
#define SUBID_LOCK_WAIT_NS 20000000L
#define SUBID_MAX_LINES 4096

const char *user_subid_path(bool gid)
{
	const char *env = getenv(gid ? USER_SUBGID_ENV : USER_SUBUID_ENV);

	if (env && env[0])
		return env;
	return gid ? "/etc/subgid" : "/etc/subuid";
}

/* A lock file whose pid is gone was left by a writer that died. */
static bool lock_is_stale(const char *lock)
{
	char buf[32] = "";
	_cleanup_close_ int fd = open(lock, O_RDONLY | O_CLOEXEC);
	long pid;

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return false; /* being written this very moment: wait */
	pid = strtol(buf, NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static int subid_lock(const char *lock, struct dd_error *err)
{
	const struct timespec wait = { .tv_nsec = SUBID_LOCK_WAIT_NS };
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	for (int i = 0; i < SUBID_LOCK_TRIES; i++) {
		_cleanup_close_ int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd >= 0) {
			if (write(fd, pid, len) != len) {
				unlink(lock);
				return dd_fail(err, errno, "Cannot write the lock '%s'", lock);
			}
			return 0;
		}
		if (errno != EEXIST)
			return dd_fail(err, errno, "Cannot lock '%s'", lock);
		if (lock_is_stale(lock))
			unlink(lock);
		else
			nanosleep(&wait, NULL);
	}
	return dd_fail(err, EBUSY, "Cannot lock '%s': another program holds it", lock);
}

/* The file's lines, parsed; a missing file has none. */
static int read_entries(const char *path, char **text, struct user_subid *entries, size_t *n,
			struct dd_error *err)
{
	size_t len;
	char *line;

	*n = 0;
	if (dd_read_file(path, text, &len, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		dd_error_clear(err);
		*text = strdup("");
		return *text ? 0 : dd_fail(err, ENOMEM, "Out of memory");
	}
	for (line = *text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		int rc;

		if (*n >= SUBID_MAX_LINES)
			return dd_fail(err, E2BIG, "'%s' has more than %d lines", path, SUBID_MAX_LINES);
		rc = user_subid_parse_line(line, &entries[*n], err);
		if (rc < 0)
			return dd_error_wrap(err, "In '%s'", path);
		if (rc == 0)
			(*n)++;
	}
	return 0;
}

/* Append owner's new range to the file's text, written atomically with
 * the file's own mode. */
static int append_range(const char *path, const char *text, const struct user_subid *r,
			struct dd_error *err)
{
	size_t len = strlen(text);
	bool newline = len > 0 && text[len - 1] != '\n';
	_cleanup_free_ char *out = dd_strdup_printf("%s%s%s:%lu:%lu\n", text, newline ? "\n" : "",
						    r->name, r->start, r->count);
	struct stat st;

	if (!out)
		return dd_fail(err, ENOMEM, "Out of memory");
	return dd_write_file_atomic(path, out, strlen(out), stat(path, &st) == 0 ?
				    st.st_mode & 07777 : 0644, err);
}

int user_subid_range(const char *path, const char *owner, unsigned long count,
		     struct user_subid *out, struct dd_error *err)
{
	_cleanup_free_ char *lock = dd_strdup_printf("%s.lock", path), *text = NULL;
	_cleanup_free_ struct user_subid *entries = calloc(SUBID_MAX_LINES, sizeof(*entries));
	size_t n;
	int rc = -1;

	if (!lock || !entries)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (subid_lock(lock, err) < 0)
		return -1;
	if (read_entries(path, &text, entries, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(entries[i].name, owner))
			continue;
		if (entries[i].count < count) {
			dd_fail_kind(err, DD_ERR_USAGE, 0, "The range '%s:%lu:%lu' in '%s' is too small: "
				     "a user namespace needs %lu ids; make it %s:%lu:%lu", owner,
				     entries[i].start, entries[i].count, path, count, owner,
				     entries[i].start, count);
			goto out;
		}
		for (size_t k = 0; k < n; k++) {
			if (k != i && user_ranges_overlap(entries[i].start, count, entries[k].start,
							  entries[k].count)) {
				dd_fail_kind(err, DD_ERR_USAGE, 0, "The range '%s:%lu:%lu' in '%s' "
					     "overlaps '%s:%lu:%lu': the container's ids would be "
					     "another user's", owner, entries[i].start, count, path,
					     entries[k].name, entries[k].start, entries[k].count);
				goto out;
			}
		}
		*out = entries[i];
		out->count = count;
		rc = 0;
		goto out;
	}
	snprintf(out->name, sizeof(out->name), "%s", owner);
	out->count = count;
	if (user_subid_find_free(entries, n, count, &out->start, err) < 0) {
		dd_error_wrap(err, "Cannot add a range for '%s' to '%s'", owner, path);
		goto out;
	}
	rc = append_range(path, text, out, err);
out:
	unlink(lock);
	return rc;
}

int user_subid_lookup(const char *path, const char *name, unsigned int uid, unsigned long count,
		      struct user_subid *out, struct dd_error *err)
{
	_cleanup_free_ struct user_subid *entries = calloc(SUBID_MAX_LINES, sizeof(*entries));
	_cleanup_free_ char *text = NULL;
	char id[16];
	size_t n;

	if (!entries)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (read_entries(path, &text, entries, &n, err) < 0)
		return -1;
	/* shadow's files name a user by login or by number. */
	snprintf(id, sizeof(id), "%u", uid);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(entries[i].name, name) && strcmp(entries[i].name, id))
			continue;
		if (entries[i].count < count)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "The range '%s:%lu:%lu' in '%s' is "
					    "too small: a user namespace needs %lu ids; an "
					    "administrator can add a larger one with usermod "
					    "--add-subuids and --add-subgids", entries[i].name,
					    entries[i].start, entries[i].count, path, count);
		*out = entries[i];
		out->count = count;
		return 0;
	}
	return dd_fail_kind(err, DD_ERR_USAGE, 0, "User '%s' has no subordinate ids in '%s': an "
			    "administrator can add some with `usermod --add-subuids 100000-165535 "
			    "--add-subgids 100000-165535 %s`", name, path, name);
}
