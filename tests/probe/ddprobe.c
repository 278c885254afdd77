/*
 * ddprobe: what does a process inside the container see?
 *
 * The scenario tests copy this static binary into the test image as
 * /bin/ddprobe and run it inside containers.  It reports the facts the
 * kernel gives it (ids, hostname, namespaces, mounts, processes, uid
 * maps, cgroup, limits, capabilities, open fds, network addresses) as
 * one JSON object, so the tests assert on facts instead of screen text.
 *
 *   ddprobe [ACTION...] [FACT...]        (ddprobe --help lists them)
 *
 * Actions run first, in the order given; each adds one result object to
 * "actions" (on failure the result holds "error" and "errno").  Then the
 * facts named on the command line are reported, or all of them.
 *
 * The JSON object is always the LAST LINE of stdout: `--print TEXT`
 * writes lines before it (a test can wait for "ready"), nothing comes
 * after it.  An unknown fact or action: a message on stderr, exit 2.
 *
 * Only libc is used, so the probe links statically into any image.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define MAX_FIELDS 64	      /* fields on one mountinfo line */
#define ORPHAN_LIFETIME_MS 50 /* how long an orphaned grandchild lives */
#define ORPHAN_SETTLE_MS 300  /* long enough for every grandchild to exit */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CLIMB_STEPS 64	      /* ".." steps: deeper than any real root */
#define UNCOVER_STEPS 16      /* mounts peeled off an rbind, at most */
#define ESCAPE_READ_MAX 4096  /* bytes of a reached file reported */

extern char **environ;

/* ------------------------------------------------------------------ */
/* A small JSON writer: containers nest, commas are placed for us.     */

#define JSON_MAX_DEPTH 16

static FILE *json; /* the object is built in memory, printed at the end */
static int json_depth;
static bool json_has_items[JSON_MAX_DEPTH];

/* Length of the well-formed UTF-8 sequence at s, or 0 if there is none. */
static size_t utf8_length(const unsigned char *s, size_t left)
{
	static const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n = 0;
	uint32_t cp;

	if (s[0] < 0x80) /* ASCII */
		return 1;
	while (n < 5 && (s[0] & (0x80 >> n))) /* leading 1 bits: the length */
		n++;
	if (n < 2 || n > 4 || n > left)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* every other byte is 10xxxxxx */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past Unicode are invalid. */
	if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A quoted JSON string.  JSON must be valid UTF-8, but files and names
 * may hold any bytes: a byte that is not part of valid UTF-8 is written
 * as \u00XX, the character with that number (as Latin-1 would read it). */
static void json_quote(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', json);
	for (size_t i = 0, n; i < len; i += n ? n : 1) {
		n = utf8_length(s + i, len - i);
		if (s[i] == '"' || s[i] == '\\')
			fprintf(json, "\\%c", s[i]);
		else if (s[i] == '\n')
			fputs("\\n", json);
		else if (s[i] < 0x20 || n == 0)
			fprintf(json, "\\u%04x", s[i]);
		else
			fwrite(s + i, 1, n, json);
	}
	fputc('"', json);
}

/* Begin the next value: a comma if one came before, then "key": when in
 * an object (key is NULL for the items of an array). */
static void json_member(const char *key)
{
	if (json_has_items[json_depth])
		fputc(',', json);
	json_has_items[json_depth] = true;
	if (key) {
		json_quote(key, strlen(key));
		fputc(':', json);
	}
}

static void json_open(const char *key, char bracket)
{
	json_member(key);
	fputc(bracket, json);
	json_has_items[++json_depth] = false;
}

static void json_close(char bracket)
{
	json_depth--;
	fputc(bracket, json);
}

static void json_strn(const char *key, const char *s, size_t len)
{
	json_member(key);
	json_quote(s, len);
}

static void json_str(const char *key, const char *s)
{
	json_member(key);
	if (s)
		json_quote(s, strlen(s));
	else
		fputs("null", json);
}

static void json_num(const char *key, long long v)
{
	json_member(key);
	fprintf(json, "%lld", v);
}

static void json_bool(const char *key, bool v)
{
	json_member(key);
	fputs(v ? "true" : "false", json);
}

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */

/* Everything up to end of file, NUL-terminated; NULL with errno set.
 * /proc files say their size is 0, so we read until read() says 0. */
static char *read_all(int fd, size_t *len)
{
	char chunk[4096], *buf = NULL;
	FILE *mem = open_memstream(&buf, len);
	ssize_t r = -1;

	while (mem &&
	       ((r = read(fd, chunk, sizeof(chunk))) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			fwrite(chunk, 1, r, mem);
	int saved = errno;
	if (mem)
		fclose(mem);
	if (r < 0) {
		free(buf);
		errno = saved;
		return NULL;
	}
	return buf;
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = read_all(fd, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

/* Call fn on every line of a file (nothing if it cannot be opened). */
static void for_each_line(const char *path, void (*fn)(char *line))
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		fn(line);
	}
	free(line);
	if (f)
		fclose(f);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A whole non-negative decimal number, or -1. */
static long parse_count(const char *s)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	return (*end || errno) ? -1 : v;
}

/* ------------------------------------------------------------------ */
/* Actions: each writes its fields into its result object and returns  */
/* 0, or -1 with errno set (main then adds "error" and "errno").       */

static int exit_status; /* set by --exit */

static int act_write(const char *arg)
{
	const char *text = strchr(arg, '=') + 1;
	char *path = strndup(arg, text - 1 - arg);
	size_t len = strlen(text);
	int rc = -1;

	json_str("path", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		rc = write(fd, text, len) == (ssize_t)len ? 0 : -1;
		if (close(fd) < 0)
			rc = -1;
	}
	free(path);
	return rc;
}

static int act_read(const char *path)
{
	size_t len;
	char *content = read_file(path, &len);

	json_str("path", path);
	if (!content)
		return -1;
	json_strn("content", content, len);
	free(content);
	return 0;
}

static const char *file_type(mode_t mode)
{
	static const struct {
		mode_t type;
		const char *name;
	} types[] = {
	    {S_IFREG, "file"},	  {S_IFDIR, "dir"},   {S_IFLNK, "symlink"},
	    {S_IFCHR, "char"},	  {S_IFBLK, "block"}, {S_IFIFO, "fifo"},
	    {S_IFSOCK, "socket"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if ((mode & S_IFMT) == types[i].type)
			return types[i].name;
	return "unknown";
}

/* Like stat(1), a symlink is reported as itself, not followed.  A path
 * that does not exist is a fact ("exists": false), not an error. */
static int act_stat(const char *path)
{
	struct stat st;

	json_str("path", path);
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
		json_bool("exists", false);
		return 0;
	}
	json_bool("exists", true);
	json_num("mode", st.st_mode & 07777); /* a number: 0644 reads 420 */
	json_num("uid", st.st_uid);
	json_num("gid", st.st_gid);
	json_num("dev", st.st_dev);
	json_num("ino", st.st_ino);
	json_str("type", file_type(st.st_mode));
	return 0;
}

static int act_mkdir(const char *path)
{
	json_str("path", path);
	return mkdir(path, 0755);
}

/*
 * Leave n orphans behind.  Each child forks a grandchild and exits at
 * once; the grandchild lives a little longer, so when it exits its
 * parent is gone and the kernel has re-parented it to PID 1 of our PID
 * namespace.  Unless that PID 1 reaps it, it stays a zombie: this is how
 * the tests see whether the container has a working init.
 */
#define MAX_ORPHANS 64

static int act_orphans(const char *arg)
{
	long n = parse_count(arg), made = 0, left = 0;
	pid_t orphans[MAX_ORPHANS];
	int pipefd[2];

	if (n > MAX_ORPHANS)
		n = MAX_ORPHANS;
	if (pipe(pipefd) < 0)
		return -1;
	fflush(NULL); /* children must not inherit unwritten output */
	for (; made < n; made++) {
		pid_t child = fork();
		if (child < 0)
			break;
		if (child == 0) {
			pid_t grandchild = fork();

			if (grandchild == 0) {
				sleep_ms(ORPHAN_LIFETIME_MS);
				_exit(0);
			}
			/* Tell the probe the orphan's pid, then orphan it. */
			if (write(pipefd[1], &grandchild, sizeof(grandchild)) < 0)
				_exit(1);
			_exit(0);
		}
		/* Reap the intermediate child only, never an orphan. */
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		if (read(pipefd[0], &orphans[made], sizeof(orphans[made])) !=
		    sizeof(orphans[made]))
			break;
	}
	int saved = errno;
	close(pipefd[0]);
	close(pipefd[1]);
	sleep_ms(ORPHAN_SETTLE_MS);
	/* An orphan that has exited but still answers kill(pid, 0) is a
	 * zombie nobody reaped.  Needs no /proc, so it works in any root. */
	for (long i = 0; i < made; i++)
		if (kill(orphans[i], 0) == 0)
			left++;
	json_num("orphans", made);
	json_num("orphans_unreaped", left);
	errno = saved;
	return made == n ? 0 : -1;
}

static int act_sleep(const char *arg)
{
	sleep_ms(parse_count(arg));
	return 0;
}

static int act_stdin(const char *arg)
{
	size_t len;
	char *data = read_all(STDIN_FILENO, &len);

	if (!data)
		return -1;
	json_strn("stdin", data, len);
	free(data);
	return 0;
}

static int act_exit(const char *arg)
{
	exit_status = parse_count(arg);
	json_num("status", exit_status);
	return 0;
}

/* Straight to stdout, ahead of the JSON, so a test can wait for it. */
static int act_print(const char *text)
{
	printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : -1;
}

/*
 * --escape PATH: try, as an attacker inside the container would, to read
 * the host's file PATH (a test puts a random secret there).  Each way is
 * tried in a child of its own, so a chroot or a mount made on the way
 * changes nothing for the probe, and reports through a pipe what it read.
 * The result lists every attempt ("how", "reached", and what it read);
 * a container whose root is sound reaches the file by none of them.
 *
 *   dotdot        ".." from "/", CLIMB_STEPS times, then PATH relative
 *   chroot-climb  chroot into a new directory without entering it: the
 *                 cwd is then outside the root, and ".." climbs out of
 *                 a chroot(2) jail (not out of pivot_root(2))
 *   proc-root     /proc/N/root/PATH for every N in /proc: a process of
 *                 the host, were one visible, lends its root
 *   rbind         bind /proc/self/root/ (and "/") recursively on a new
 *                 directory and peel its mounts off one by one: an old
 *                 root left attached under the new one shows up there
 */
struct escape_try {
	const char *how;
	int (*attempt)(const char *path, int out); /* in a child: 0, or -1 */
};

/* Copy the file at path (relative to dirfd) to out; 0 if it was read. */
static int reach(int dirfd, const char *path, int out)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	char buf[ESCAPE_READ_MAX];
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || write(out, buf, n) != n)
		return -1;
	return 0;
}

static void climb(void)
{
	for (int i = 0; i < CLIMB_STEPS; i++)
		if (chdir("..") < 0)
			break;
}

static int try_dotdot(const char *path, int out)
{
	if (chdir("/") < 0)
		return -1;
	climb();
	return reach(AT_FDCWD, path + strspn(path, "/"), out);
}

#define ESCAPE_DIRS 4 /* the most scratch directories one attempt makes */

/* The n-th scratch directory of the attempts of the probe whose pid is
 * probe: under /tmp when the image has one, else at the root.  Named by
 * the probe's pid, so the probe itself removes them afterwards (an
 * attempt may end in a chroot it cannot leave). */
static void scratch_name(char *buf, size_t len, pid_t probe, int n)
{
	snprintf(buf, len, "%s/.ddescape-%d-%d", access("/tmp", W_OK) == 0 ? "/tmp" : "",
		 (int)probe, n);
}

/* A fresh directory for an attempt (run in a child of the probe). */
static char *scratch_dir(char *buf, size_t len)
{
	static int made;

	if (made >= ESCAPE_DIRS)
		return NULL;
	scratch_name(buf, len, getppid(), made++);
	return mkdir(buf, 0700) == 0 ? buf : NULL;
}

/* After an attempt: its scratch directories go (empty, or emptied by the
 * unmounts; a mount left in one dies with the container's namespace). */
static void remove_scratch(void)
{
	char dir[64];

	for (int n = 0; n < ESCAPE_DIRS; n++) {
		scratch_name(dir, sizeof(dir), getpid(), n);
		umount2(dir, MNT_DETACH);
		rmdir(dir);
	}
}

static int try_chroot_climb(const char *path, int out)
{
	char dir[64];

	if (!scratch_dir(dir, sizeof(dir)))
		return -1;
	/* chroot without chdir: ".." from the cwd is no longer stopped by
	 * the root, and the last chroot(".") makes the host's "/" ours. */
	int rc = chdir("/") == 0 && chroot(dir) == 0 ? 0 : -1;
	if (rc == 0) {
		climb();
		rc = chroot(".") == 0 ? reach(AT_FDCWD, path, out) : -1;
	}
	return rc;
}

static int try_proc_root(const char *path, int out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char where[PATH_MAX];
	int rc = -1;

	while (rc < 0 && d && (de = readdir(d))) {
		if (parse_count(de->d_name) < 0 && strcmp(de->d_name, "self"))
			continue;
		snprintf(where, sizeof(where), "/proc/%s/root%s", de->d_name, path);
		rc = reach(AT_FDCWD, where, out);
	}
	if (d)
		closedir(d);
	return rc;
}

static int try_rbind(const char *path, int out)
{
	static const char *const sources[] = {"/proc/self/root/", "/"};
	char dir[64], where[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(sources); i++) {
		if (!scratch_dir(dir, sizeof(dir)))
			return -1;
		if (mount(sources[i], dir, NULL, MS_BIND | MS_REC, NULL) < 0)
			continue;
		/* What is under the top mount at dir, one layer at a time. */
		for (int k = 0; k < UNCOVER_STEPS; k++) {
			snprintf(where, sizeof(where), "%s%s", dir, path);
			if (reach(AT_FDCWD, where, out) == 0)
				return 0;
			snprintf(where, sizeof(where), "%s/proc/1/root%s", dir, path);
			if (reach(AT_FDCWD, where, out) == 0)
				return 0;
			if (umount2(dir, MNT_DETACH) < 0)
				break;
		}
	}
	return -1;
}

static const struct escape_try escape_tries[] = {
	{"dotdot", try_dotdot},
	{"chroot-climb", try_chroot_climb},
	{"proc-root", try_proc_root},
	{"rbind", try_rbind},
};

static int act_escape(const char *path)
{
	int reached = 0;

	json_str("path", path);
	json_open("attempts", '[');
	fflush(NULL); /* children must not inherit unwritten output */
	for (size_t i = 0; i < ARRAY_SIZE(escape_tries); i++) {
		int pipefd[2], status = 0;
		size_t len = 0;
		pid_t child;

		if (pipe(pipefd) < 0)
			return -1;
		child = fork();
		if (child < 0)
			return -1;
		if (child == 0) {
			close(pipefd[0]);
			_exit(escape_tries[i].attempt(path, pipefd[1]) == 0 ? 0 : 1);
		}
		close(pipefd[1]);
		char *got = read_all(pipefd[0], &len);
		close(pipefd[0]);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		remove_scratch();
		bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		json_open(NULL, '{');
		json_str("how", escape_tries[i].how);
		json_bool("reached", ok);
		if (ok && got)
			json_strn("content", got, len);
		if (WIFSIGNALED(status))
			json_num("signal", WTERMSIG(status));
		json_close('}');
		reached += ok;
		free(got);
	}
	json_close(']');
	json_num("reached", reached);
	return 0;
}

/*
 * --syscall NAME: try one system call a confined container must not
 * make, with arguments that do no harm if it is allowed.  The result
 * says whether the kernel ran it ("ret") or the error ("errno": 1 is
 * EPERM, what a seccomp filter answers).  keyctl32 is keyctl through
 * the 32-bit entry (int 0x80), which a filter must cover too.
 */
#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING (-3)
#define KEYCTL_I386 288

static long try_syscall(const char *name)
{
	if (strcmp(name, "keyctl") == 0)
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (strcmp(name, "unshare") == 0) /* a UTS namespace of the probe's own */
		return syscall(SYS_unshare, 0x04000000 /* CLONE_NEWUTS */);
	if (strcmp(name, "mount") == 0) /* ENOENT when allowed */
		return mount("none", "/nonexistent-ddprobe", "tmpfs", 0, NULL);
	if (strcmp(name, "personality") == 0) /* PER_BSD, then back */
		return personality(PER_BSD) < 0 ? -1 : personality(PER_LINUX);
#if defined(__x86_64__)
	if (strcmp(name, "keyctl32") == 0) {
		long ret;

		__asm__ volatile("int $0x80"
				 : "=a"(ret)
				 : "a"((long)KEYCTL_I386), "b"((long)KEYCTL_GET_KEYRING_ID),
				   "c"((long)KEY_SPEC_SESSION_KEYRING), "d"(0L)
				 : "memory");
		if (ret < 0 && ret > -4096) {
			errno = -ret;
			return -1;
		}
		return ret;
	}
#endif
	errno = ENOSYS;
	return -1;
}

static int act_syscall(const char *name)
{
	long ret;

	json_str("name", name);
	ret = try_syscall(name);
	if (ret < 0)
		return -1;
	json_num("ret", ret);
	return 0;
}

static bool any_text(const char *arg)
{
	return true;
}
static bool has_equals(const char *arg)
{
	return strchr(arg, '=') != NULL;
}
static bool is_count(const char *arg)
{
	return parse_count(arg) >= 0;
}
static bool is_status(const char *arg)
{
	return is_count(arg) && parse_count(arg) <= 255;
}
static bool is_absolute(const char *arg)
{
	return arg[0] == '/';
}

/* clang-format off */
static const struct action {
	const char *flag;
	int (*run)(const char *arg);
	bool (*valid)(const char *arg); /* NULL: the action takes no argument */
} actions[] = {
	{"--write", act_write, has_equals},   {"--read", act_read, any_text},
	{"--stat", act_stat, any_text},       {"--mkdir", act_mkdir, any_text},
	{"--orphans", act_orphans, is_count}, {"--sleep", act_sleep, is_count},
	{"--stdin", act_stdin, NULL},         {"--exit", act_exit, is_status},
	{"--print", act_print, any_text},     {"--escape", act_escape, is_absolute},
	{"--syscall", act_syscall, any_text},
};
/* clang-format on */

/* ------------------------------------------------------------------ */
/* Facts: each adds the member of the top-level object it is named     */
/* after (and "net" may add "net_error").                              */

/* pid ppid uid gid euid egid: the fact's name picks the call. */
static void fact_id(const char *name)
{
	const char *ids[] = {"pid", "ppid", "uid", "gid", "euid", "egid"};
	long long values[] = {getpid(), getppid(), getuid(),
			      getgid(), geteuid(), getegid()};

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (strcmp(name, ids[i]) == 0)
			json_num(name, values[i]);
}

static void fact_uname(const char *name)
{
	struct utsname u;

	if (uname(&u) == 0)
		json_str(name, strcmp(name, "hostname") == 0 ? u.nodename : u.domainname);
}

static void fact_cwd(const char *name)
{
	char *cwd = getcwd(NULL, 0);

	json_str(name, cwd); /* null when the directory is out of reach */
	free(cwd);
}

static void fact_env(const char *name)
{
	json_open(name, '{');
	for (char **e = environ; *e; e++) {
		char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char *var = strndup(*e, eq - *e);
		json_str(var, eq + 1);
		free(var);
	}
	json_close('}');
}

/* Two processes share a namespace when these inode numbers are equal. */
static void fact_ns(const char *name)
{
	static const char *const kinds[] = {"cgroup", "ipc",  "mnt",
					    "net",    "pid",  "pid_for_children",
					    "time",   "user", "uts"};
	char path[64];
	struct stat st;

	json_open(name, '{');
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
		if (stat(path, &st) == 0)
			json_num(kinds[i], st.st_ino);
	}
	json_close('}');
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* One line of /proc/self/mountinfo (see proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent dev root target options [optional...] - fstype source super_options */
static void mount_line(char *line)
{
	char *field[MAX_FIELDS], *save;
	int n = 0, dash = -1;

	for (char *tok = strtok_r(line, " ", &save); tok && n < MAX_FIELDS;
	     tok = strtok_r(NULL, " ", &save)) {
		if (dash < 0 && n >= 6 && strcmp(tok, "-") == 0)
			dash = n;
		unescape_octal(tok);
		field[n++] = tok;
	}
	if (dash < 0 || n < dash + 4)
		return; /* not a line we understand */
	json_open(NULL, '{');
	json_num("id", atol(field[0]));
	json_num("parent", atol(field[1]));
	json_str("dev", field[2]); /* "major:minor" of the file system */
	json_str("root", field[3]);
	json_str("target", field[4]);
	json_str("source", field[dash + 2]);
	json_str("fstype", field[dash + 1]);
	json_str("options", field[5]);
	json_str("super_options", field[dash + 3]);
	json_close('}');
}

/* "inside outside count" -> [inside, outside, count] */
static void id_map_line(char *line)
{
	long long inside, outside, count;

	if (sscanf(line, "%lld %lld %lld", &inside, &outside, &count) != 3)
		return;
	json_open(NULL, '[');
	json_num(NULL, inside);
	json_num(NULL, outside);
	json_num(NULL, count);
	json_close(']');
}

static void string_line(char *line)
{
	json_str(NULL, line);
}

/* "CapEff:\t000001ffffffffff" and friends, from /proc/self/status. */
static void status_line(char *line)
{
	static const struct {
		const char *prefix, *key;
		bool number;
	} wanted[] = {
	    {"CapEff:", "eff", false},	   {"CapPrm:", "prm", false},
	    {"CapBnd:", "bnd", false},	   {"CapInh:", "inh", false},
	    {"CapAmb:", "amb", false},	   {"NoNewPrivs:", "no_new_privs", true},
	    {"Seccomp:", "seccomp", true},
	};

	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++) {
		size_t plen = strlen(wanted[i].prefix);
		if (strncmp(line, wanted[i].prefix, plen) != 0)
			continue;
		const char *value = line + plen + strspn(line + plen, " \t");
		if (wanted[i].number)
			json_num(wanted[i].key, atol(value));
		else
			json_str(wanted[i].key, value);
	}
}

/*
 * /proc/N/stat is "pid (comm) state ppid ...".  comm is the name the
 * process gave itself and may hold spaces and parentheses ("a) (b"), so
 * it ends at the LAST ')' of the line, never the first.
 */
static bool read_proc_stat(const char *pid, char *comm, size_t size, char *state,
			   long *ppid)
{
	char path[300];
	size_t len;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	char *buf = read_file(path, &len);
	if (!buf)
		return false; /* it exited while we looked */
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	bool ok = open && close > open && sscanf(close + 1, " %c %ld", state, ppid) == 2;
	if (ok)
		snprintf(comm, size, "%.*s", (int)(close - open - 1), open + 1);
	free(buf);
	return ok;
}

/* "procs": every process we can see; "zombies": how many are zombies. */
static void fact_procs(const char *name)
{
	bool list = strcmp(name, "procs") == 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	int zombies = 0;
	char comm[64], state;
	long ppid;

	if (list)
		json_open(name, '[');
	while (d && (de = readdir(d))) {
		if (!is_count(de->d_name) ||
		    !read_proc_stat(de->d_name, comm, sizeof(comm), &state, &ppid))
			continue;
		zombies += state == 'Z';
		if (!list)
			continue;
		json_open(NULL, '{');
		json_num("pid", atol(de->d_name));
		json_num("ppid", ppid);
		json_strn("state", &state, 1);
		json_str("comm", comm);
		json_close('}');
	}
	if (d)
		closedir(d);
	if (list)
		json_close(']');
	else
		json_num(name, zombies);
}

static void fact_root(const char *name)
{
	struct stat st;

	if (stat("/", &st) < 0)
		return;
	json_open(name, '{');
	json_num("dev", st.st_dev);
	json_num("ino", st.st_ino);
	json_close('}');
}

static void fact_limits(const char *name)
{
	static const struct {
		const char *name;
		int resource;
	} limits[] = {
	    {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},	    {"core", RLIMIT_CORE},
	    {"stack", RLIMIT_STACK},   {"memlock", RLIMIT_MEMLOCK}, {"as", RLIMIT_AS},
	};
	struct rlimit rl;

	json_open(name, '{');
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		if (getrlimit(limits[i].resource, &rl) < 0)
			continue;
		json_open(limits[i].name, '[');
		json_num(NULL,
			 rl.rlim_cur == RLIM_INFINITY ? -1 : (long long)rl.rlim_cur);
		json_num(NULL,
			 rl.rlim_max == RLIM_INFINITY ? -1 : (long long)rl.rlim_max);
		json_close(']');
	}
	json_close('}');
}

static void fact_fds(const char *name)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	json_open(name, '[');
	while (d && (de = readdir(d))) {
		/* The directory stream has an fd of its own: not the container's. */
		if (is_count(de->d_name) && atoi(de->d_name) != dirfd(d))
			json_num(NULL, atoi(de->d_name));
	}
	if (d)
		closedir(d);
	json_close(']');
}

/* "10.0.0.2/24" or "fe80::1/64"; false for other address families. */
static bool format_address(const struct ifaddrs *a, char *out, size_t size)
{
	int family = a->ifa_addr ? a->ifa_addr->sa_family : AF_UNSPEC;
	size_t bytes = family == AF_INET ? 4 : 16;
	const void *addr, *mask;
	char host[INET6_ADDRSTRLEN];
	int prefix = 0;

	if (family == AF_INET) {
		addr = &((const struct sockaddr_in *)a->ifa_addr)->sin_addr;
		mask = a->ifa_netmask
			   ? &((const struct sockaddr_in *)a->ifa_netmask)->sin_addr
			   : NULL;
	} else if (family == AF_INET6) {
		addr = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		mask = a->ifa_netmask
			   ? &((const struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr
			   : NULL;
	} else {
		return false;
	}
	for (size_t i = 0; mask && i < bytes; i++) /* 255.255.255.0 -> 24 */
		prefix += __builtin_popcount(((const unsigned char *)mask)[i]);
	if (!inet_ntop(family, addr, host, sizeof(host)))
		return false;
	snprintf(out, size, "%s/%d", host, prefix);
	return true;
}

/* getifaddrs() gives one entry per address (and one per link); we group
 * them by interface, in the order the interfaces first appear. */
static void fact_net(const char *name)
{
	struct ifaddrs *all;
	char buf[INET6_ADDRSTRLEN + 16];

	json_open(name, '[');
	if (getifaddrs(&all) < 0) {
		json_close(']');
		json_str("net_error", strerror(errno));
		return;
	}
	for (struct ifaddrs *a = all; a; a = a->ifa_next) {
		bool seen = false;
		for (struct ifaddrs *b = all; b != a && !seen; b = b->ifa_next)
			seen = strcmp(a->ifa_name, b->ifa_name) == 0;
		if (seen)
			continue;
		json_open(NULL, '{');
		json_str("name", a->ifa_name);
		json_num("flags", a->ifa_flags); /* IFF_UP is 1, IFF_LOOPBACK 8 */
		json_open("addrs", '[');
		for (struct ifaddrs *b = a; b; b = b->ifa_next)
			if (strcmp(a->ifa_name, b->ifa_name) == 0 &&
			    format_address(b, buf, sizeof(buf)))
				json_str(NULL, buf);
		json_close(']');
		json_close('}');
	}
	json_close(']');
	freeifaddrs(all);
}

static void fact_tty(const char *name)
{
	json_bool(name,
		  isatty(strcmp(name, "stdin_tty") == 0 ? STDIN_FILENO : STDOUT_FILENO));
}

/* clang-format off */
/* Every fact, in the order of the report.  A fact is a function, or a
 * file read line by line into an array or object. */
static const struct fact {
	const char *name;
	void (*report)(const char *name);
	const char *file;
	void (*line)(char *line);
	char bracket;
} facts[] = {
	{.name = "pid", .report = fact_id}, {.name = "ppid", .report = fact_id},
	{.name = "uid", .report = fact_id}, {.name = "gid", .report = fact_id},
	{.name = "euid", .report = fact_id}, {.name = "egid", .report = fact_id},
	{.name = "hostname", .report = fact_uname}, {.name = "domainname", .report = fact_uname},
	{.name = "cwd", .report = fact_cwd}, {.name = "env", .report = fact_env},
	{.name = "ns", .report = fact_ns},
	{.name = "mounts", .file = "/proc/self/mountinfo", .line = mount_line, .bracket = '['},
	{.name = "procs", .report = fact_procs}, {.name = "zombies", .report = fact_procs},
	{.name = "root", .report = fact_root},
	{.name = "uid_map", .file = "/proc/self/uid_map", .line = id_map_line, .bracket = '['},
	{.name = "gid_map", .file = "/proc/self/gid_map", .line = id_map_line, .bracket = '['},
	{.name = "cgroup", .file = "/proc/self/cgroup", .line = string_line, .bracket = '['},
	{.name = "limits", .report = fact_limits},
	{.name = "caps", .file = "/proc/self/status", .line = status_line, .bracket = '{'},
	{.name = "fds", .report = fact_fds}, {.name = "net", .report = fact_net},
	{.name = "stdin_tty", .report = fact_tty}, {.name = "stdout_tty", .report = fact_tty},
};
/* clang-format on */

static void report_fact(const struct fact *f)
{
	if (f->report) {
		f->report(f->name);
		return;
	}
	json_open(f->name, f->bracket);
	for_each_line(f->file, f->line);
	json_close(f->bracket == '[' ? ']' : '}');
}

static int find_fact(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(facts); i++)
		if (strcmp(name, facts[i].name) == 0)
			return i;
	return -1;
}

static const struct action *find_action(const char *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(flag, actions[i].flag) == 0)
			return &actions[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("Usage: ddprobe [ACTION...] [FACT...]\n"
	      "Actions: --write PATH=TEXT, --read PATH, --stat PATH, --mkdir PATH,\n"
	      "  --orphans N, --sleep MS, --stdin, --exit N, --print TEXT,\n"
	      "  --escape HOSTPATH (every way out of the root tried, see the source)\n"
	      "  --syscall keyctl|keyctl32|unshare|mount|personality\n"
	      "Facts: pid ppid uid gid euid egid hostname domainname cwd env ns\n"
	      "  mounts procs zombies root uid_map gid_map cgroup limits caps fds\n"
	      "  net stdin_tty stdout_tty (all of them when none is named)\n"
	      "The JSON object is the last line of stdout.\n",
	      f);
}

int main(int argc, char **argv)
{
	bool wanted[ARRAY_SIZE(facts)] = {false}, any_wanted = false;
	char *out = NULL;
	size_t out_len = 0;

	/* Check the whole command line before anything has side effects. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strncmp(argv[i], "--", 2) == 0) {
			const struct action *a = find_action(argv[i]);
			if (!a) {
				fprintf(stderr, "ddprobe: unknown action '%s'\n",
					argv[i]);
				return EXIT_USAGE;
			}
			if (a->valid && (i + 1 >= argc || !a->valid(argv[++i]))) {
				fprintf(stderr, "ddprobe: %s needs a valid argument\n",
					a->flag);
				return EXIT_USAGE;
			}
			continue;
		}
		int f = find_fact(argv[i]);
		if (f < 0) {
			fprintf(stderr, "ddprobe: unknown fact '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
		wanted[f] = any_wanted = true;
	}

	json = open_memstream(&out, &out_len);
	if (!json) {
		perror("ddprobe: open_memstream");
		return 1;
	}
	json_open(NULL, '{');
	json_open("actions", '[');
	for (int i = 1; i < argc; i++) {
		const struct action *a = find_action(argv[i]);
		if (!a)
			continue;
		const char *arg = a->valid ? argv[++i] : NULL;
		json_open(NULL, '{');
		json_str("action", a->flag + 2);
		if (a->run(arg) < 0) {
			int e = errno;
			json_str("error", strerror(e));
			json_num("errno", e);
		}
		json_close('}');
	}
	json_close(']');
	for (size_t f = 0; f < ARRAY_SIZE(facts); f++)
		if (!any_wanted || wanted[f])
			report_fact(&facts[f]);
	json_close('}');

	if (fclose(json) != 0) {
		perror("ddprobe: building the report");
		return 1;
	}
	fwrite(out, 1, out_len, stdout);
	fputc('\n', stdout);
	free(out);
	if (fflush(stdout) != 0)
		return 1;
	return exit_status;
}
