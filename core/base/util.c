/* util.c: file-system and string helpers shared by every module. */
#include "core/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/walk.h"

int dd_mkdir_p(const char *path, mode_t mode, struct dd_error *err)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy)
		return dd_fail(err, ENOMEM, "Cannot create directory '%s'", path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return dd_fail(err, errno, "Cannot create directory '%s'", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return dd_fail(err, errno, "Cannot create directory '%s'", copy);
	return 0;
}

/* rm -rf, entry by entry: anything but a directory goes at once (only a
 * directory can be a mount point to stop at, so only it needs a stat);
 * a directory goes once it is empty. */
static int rm_visit(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err)
{
	const dev_t *dev = w->arg;

	if (!e->st || !S_ISDIR(e->st->st_mode)) {
		if (unlinkat(e->dirfd, e->name, 0) < 0)
			return dd_fail(err, errno, "Cannot remove '%s'", e->rel);
		return DD_WALK_NEXT;
	}
	if (e->st->st_dev != *dev)
		return dd_fail(err, EBUSY, "Refusing to remove '%s', a mount point", e->rel);
	return DD_WALK_DESCEND;
}

static int rm_leave(struct dd_walk *w, const struct dd_walk_entry *e, struct dd_error *err)
{
	if (unlinkat(e->dirfd, e->name, AT_REMOVEDIR) < 0)
		return dd_fail(err, errno, "Cannot remove '%s'", e->rel);
	return 0;
}

int dd_rm_rf(const char *path, struct dd_error *err)
{
	struct stat st;
	struct dd_walk w = { .visit = rm_visit, .leave = rm_leave, .arg = &st.st_dev };
	_cleanup_close_ int fd = -1;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : dd_fail(err, errno, "Cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return dd_fail(err, errno, "Cannot remove '%s'", path);
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '%s'", path);
	if (dd_walk(fd, path, &w, err) < 0)
		return -1;
	if (rmdir(path) < 0)
		return dd_fail(err, errno, "Cannot remove '%s'", path);
	return 0;
}

int dd_read_fd(int fd, const char *name, char **out, size_t *len, struct dd_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - size < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb)
				return dd_fail(err, ENOMEM, "Cannot read '%s'", name);
			buf = nb;
		}
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dd_fail(err, errno, "Cannot read '%s'", name);
		if (n == 0)
			break;
		size += n;
	}
	buf[size] = '\0';
	if (len)
		*len = size;
	*out = move_ptr(buf);
	return 0;
}

int dd_read_file(const char *path, char **out, size_t *len, struct dd_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '%s'", path);
	return dd_read_fd(fd, path, out, len, err);
}

int dd_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
			 struct dd_error *err)
{
	_cleanup_free_ char *tmp = dd_strdup_printf("%s.tmp.%d", path, (int)getpid());
	_cleanup_close_ int fd = -1;

	if (!tmp)
		return dd_fail(err, ENOMEM, "Cannot write '%s'", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return dd_fail(err, errno, "Cannot create '%s'", tmp);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			unlink(tmp);
			return dd_fail(err, saved, "Cannot write '%s'", tmp);
		}
		off += n;
	}
	/* rename() makes the switch atomic for readers; drydock's state is
	 * rewritten often and need not survive a power cut, so no fsync. */
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return dd_fail(err, saved, "Cannot write '%s'", path);
	}
	return 0;
}

int dd_random_hex(char *out, size_t nbytes, struct dd_error *err)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[64];

	if (nbytes > sizeof(buf))
		return dd_fail(err, EINVAL, "Cannot make %zu random bytes", nbytes);
	if (getrandom(buf, nbytes, 0) != (ssize_t)nbytes)
		return dd_fail(err, errno, "Cannot read random bytes");
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 0xf];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

long long dd_parse_size(const char *s)
{
	char *end;
	unsigned long long n, mult = 1;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'b': case 'B': mult = 1; end++; break;
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	default:
		return -1;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || n > (unsigned long long)LLONG_MAX / mult)
		return -1;
	return (long long)(n * mult);
}

char *dd_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* "About a minute ago", "3 hours ago", as Docker prints ages. */
void dd_format_ago(long long then, char *buf, size_t len)
{
	static const struct {
		long long seconds;
		const char *unit;
	} units[] = { { 365 * 86400LL, "year" }, { 30 * 86400LL, "month" },
		      { 7 * 86400LL, "week" }, { 86400, "day" }, { 3600, "hour" },
		      { 60, "minute" }, { 1, "second" } };
	long long d = (long long)time(NULL) - then;

	if (d < 1) {
		snprintf(buf, len, "Less than a second ago");
		return;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long k = d / units[i].seconds;

		if (k == 0)
			continue;
		if (k == 1)
			snprintf(buf, len, "%s %s ago", units[i].seconds == 3600 ? "An" : "About a",
				 units[i].unit);
		else
			snprintf(buf, len, "%lld %ss ago", k, units[i].unit);
		return;
	}
}

bool dd_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int dd_open_in_root(int rootfd, const char *path, int flags, struct dd_error *err)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	if (fd < 0)
		return dd_fail(err, errno, "Cannot open '/%s' inside the container root", path);
	return fd;
}

int dd_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct dd_error *err)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_free_ char *sofar = calloc(1, strlen(path) + 2);
	char *save = NULL;
	int dirfd;

	if (!copy || !sofar)
		return dd_fail(err, ENOMEM, "Cannot create '%s'", path);
	dirfd = dd_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, err);
	for (char *name = strtok_r(copy, "/", &save); name && dirfd >= 0;
	     name = strtok_r(NULL, "/", &save)) {
		if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST) {
			dd_fail(err, errno, "Cannot create '%s' inside the container root", path);
			close(dirfd);
			return -1;
		}
		close(dirfd);
		/* Resolve what we have so far from the container's root, so a
		 * symlink in the image leads where it would inside, never out. */
		strcat(strcat(sofar, "/"), name);
		dirfd = dd_open_in_root(rootfd, sofar, O_PATH | O_DIRECTORY, err);
	}
	return dirfd;
}

bool dd_find_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	for (const char *p = path && *path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");

		if (len > 0 && snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name) <
				       (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		p += len + (p[len] == ':');
	}
	return false;
}
