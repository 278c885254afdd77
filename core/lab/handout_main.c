/*
 * handout_main.c: ddhandout, the tool behind `make handout`.
 *
 *   ddhandout --lab NN SRC DEST   write the student tree for lab NN
 *   ddhandout --list SRC          print every solution region: file:line lab task
 *   ddhandout --mutant FILE TREE  put the mutant FILE (mutant.h) into TREE, in place
 *
 * The tree is the files git knows in SRC (committed or not, minus what
 * .gitignore excludes), or, outside a git checkout, every file but build/
 * and .git/.  Each .c and .h file under chapters/ and core/ goes through
 * dd_markers_cut() (markers.h); every other file, tests/ and labs/
 * included, is copied as it is, except what only the instructor has:
 * the labs' mutants (labs/NN-name/mutants/), their hidden tests
 * (tests/hidden/) and hidden manifests (labs/NN-name/points.hidden).
 * DEST also gets a file HANDOUT saying which lab it is for.
 *
 * All or nothing: every file is cut in memory and every marker error
 * reported before DEST is touched; DEST must not exist or be empty, and
 * if writing fails, what was written is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/lab/markers.h"
#include "core/lab/mutant.h"
#include "core/base/util.h"

#define DIR_MODE 0755

/* One file of the tree, by its path relative to SRC. */
struct entry {
	char *path;
	char *cut; /* the handout's text, if the file was cut */
	size_t cut_len;
	int regions; /* regions replaced */
	bool drop;   /* not part of the handout */
};

struct tree {
	struct entry *files;
	size_t n, cap;
};

static int usage(void)
{
	fputs(
	    "Usage: ddhandout --lab NN SRC DEST   write the handout for lab NN to DEST\n"
	    "       ddhandout --list SRC          list the solution regions of SRC\n"
	    "       ddhandout --mutant FILE TREE  apply the mutant FILE to TREE in place\n",
	    stderr);
	return 2;
}

/* ddhandout's own prefix rather than dd_error_print()'s "drydock:". */
static void report(const struct dd_error *err)
{
	fprintf(stderr, "ddhandout: %s\n", err->msg);
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->files[i].path);
		free(t->files[i].cut);
	}
	free(t->files);
}

static int tree_add(struct tree *t, const char *path, size_t len, struct dd_error *err)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct entry *f = realloc(t->files, cap * sizeof(*f));

		if (!f)
			return dd_fail(err, ENOMEM, "Cannot list the tree");
		t->files = f;
		t->cap = cap;
	}
	memset(&t->files[t->n], 0, sizeof(t->files[t->n]));
	t->files[t->n].path = strndup(path, len);
	if (!t->files[t->n].path)
		return dd_fail(err, ENOMEM, "Cannot list the tree");
	t->n++;
	return 0;
}

/* The files git knows: tracked, plus untracked ones .gitignore lets through. */
static int list_git(const char *src, struct tree *t, struct dd_error *err)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0, cap = 0;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return dd_fail(err, errno, "Cannot run git in '%s'", src);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return dd_fail(err, errno, "Cannot run git in '%s'", src);
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execlp("git", "git", "-C", src, "ls-files", "-z", "--cached", "--others",
		       "--exclude-standard", (char *)NULL);
		fprintf(stderr, "ddhandout: Cannot run git: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *grown = realloc(out, cap = cap ? cap * 2 : 65536);

			if (!grown) {
				close(fds[0]);
				waitpid(pid, NULL, 0);
				return dd_fail(err, ENOMEM,
					       "Cannot list the files of '%s'", src);
			}
			out = grown;
		}
		n = read(fds[0], out + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return dd_fail(err, 0,
			       "Cannot list the files of '%s': git ls-files failed", src);
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(out + i, len - i);

		if (n && tree_add(t, out + i, n, err) < 0)
			return -1;
		i += n + 1;
	}
	return 0;
}

/* Every file under dir (relative rel), skipping build/ and .git/ at the top. */
static int list_walk(int fd, const char *rel, struct tree *t, struct dd_error *err)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return dd_fail(err, errno, "Cannot read directory '%s'",
			       *rel ? rel : ".");
	}
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!*rel &&
		    (!strcmp(de->d_name, "build") || !strcmp(de->d_name, ".git")))
			continue;
		path = *rel ? dd_strdup_printf("%s/%s", rel, de->d_name)
			    : strdup(de->d_name);
		if (!path)
			return dd_fail(err, ENOMEM, "Cannot list the tree");
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return dd_fail(err, errno, "Cannot stat '%s'", path);
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0)
				return dd_fail(err, errno, "Cannot open directory '%s'",
					       path);
			if (list_walk(sub, path, t, err) < 0)
				return -1;
		} else if (tree_add(t, path, strlen(path), err) < 0) {
			return -1;
		}
	}
	if (errno)
		return dd_fail(err, errno, "Cannot read directory '%s'",
			       *rel ? rel : ".");
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static bool under(const char *path, const char *dir, size_t n)
{
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* Is f a HANDOUT stamp?  Returns the length of its directory (0 at the
 * top), or -1. */
static long handout_dir(const char *path)
{
	size_t n = strlen(path);

	if (n < 7 || strcmp(path + n - 7, "HANDOUT"))
		return -1;
	if (n == 7)
		return 0;
	return path[n - 8] == '/' ? (long)(n - 8) : -1;
}

/* What a handout never holds: the wrong solutions and the tests a
 * student is not shown (labs/NN-name/mutants/, labs/NN-name/points.hidden,
 * tests/hidden/). */
static bool instructor_only(const char *path)
{
	const char *rest;

	if (under(path, "tests/hidden", 12))
		return true;
	if (strncmp(path, "labs/", 5) || !(rest = strchr(path + 5, '/')))
		return false;
	return under(rest + 1, "mutants", 7) || !strcmp(rest + 1, "points.hidden");
}

/* The tree's files, sorted, without build/, old handouts, and skip (a
 * tree-relative directory: the new handout itself if DEST is inside SRC). */
static int list_tree(const char *src, const char *skip, struct tree *t,
		     struct dd_error *err)
{
	_cleanup_free_ char *git = dd_strdup_printf("%s/.git", src);
	size_t kept = 0;
	struct stat st;

	if (!git)
		return dd_fail(err, ENOMEM, "Cannot list the tree");
	if (lstat(git, &st) == 0) {
		if (list_git(src, t, err) < 0)
			return -1;
	} else {
		int fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return dd_fail(err, errno, "Cannot open source tree '%s'", src);
		if (list_walk(fd, "", t, err) < 0)
			return -1;
	}
	if (t->n)
		qsort(t->files, t->n, sizeof(*t->files), by_path);
	/* Drop build/, .git/, skip, and handouts written into the tree
	 * earlier: any directory holding a HANDOUT stamp, and the stamp of
	 * a tree that is itself a handout (the new one gets its own). */
	for (size_t i = 0; i < t->n; i++) {
		struct entry *f = &t->files[i];
		long d = handout_dir(f->path);

		if (under(f->path, "build", 5) || under(f->path, ".git", 4) ||
		    instructor_only(f->path) || (skip && under(f->path, skip, strlen(skip))))
			f->drop = true;
		if (d == 0)
			f->drop = true;
		for (size_t k = 0; d > 0 && k < t->n; k++)
			if (under(t->files[k].path, f->path, d))
				t->files[k].drop = true;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct entry *f = &t->files[i];

		if (f->drop || (kept && !strcmp(t->files[kept - 1].path, f->path))) {
			free(f->path);
			continue;
		}
		t->files[kept++] = *f;
	}
	t->n = kept;
	return 0;
}

/* Is this file one the markers apply to? */
static bool is_cut(const char *path)
{
	size_t n = strlen(path);

	if (n < 2 || path[n - 2] != '.' || (path[n - 1] != 'c' && path[n - 1] != 'h'))
		return false;
	return !strncmp(path, "chapters/", 9) || !strncmp(path, "core/", 5);
}

/* Scan (from_lab 0) or cut every file the markers apply to, reporting
 * every error; returns the number of files in error. */
static int cut_all(const char *src, struct tree *t, int from_lab, bool list)
{
	int bad = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct entry *f = &t->files[i];
		_cleanup_free_ struct dd_marker_region *r = NULL;
		_cleanup_free_ char *full = NULL, *text = NULL;
		struct dd_error err = {0};
		int lab = dd_markers_lab_of_path(f->path);
		size_t len, n = 0;
		struct stat st;

		if (!is_cut(f->path))
			continue;
		full = dd_strdup_printf("%s/%s", src, f->path);
		if (!full || lstat(full, &st) < 0 || !S_ISREG(st.st_mode))
			continue; /* missing or not a file: the copy says so */
		if (dd_read_file(full, &text, &len, &err) < 0 ||
		    dd_markers_scan(f->path, text, len, lab, &r, &n, &err) < 0 ||
		    (!list && dd_markers_cut(f->path, text, len, lab, from_lab, &f->cut,
					     &f->cut_len, &err) < 0)) {
			report(&err);
			bad++;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (list)
				printf("%s:%d %02d %s\n", f->path, r[k].begin_line,
				       r[k].lab, r[k].task);
			else if (r[k].lab >= from_lab)
				f->regions++;
		}
	}
	return bad;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}

/* Write one file of the handout: the cut text, or a copy of the source. */
static int put_file(const char *src, const char *dest, const struct entry *f,
		    struct dd_error *err)
{
	_cleanup_free_ char *from = dd_strdup_printf("%s/%s", src, f->path);
	_cleanup_free_ char *to = dd_strdup_printf("%s/%s", dest, f->path);
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int in = -1;
	_cleanup_close_ int out = -1;
	struct stat st;
	char buf[65536];
	ssize_t n;

	if (!from || !to || !(dir = strdup(to)))
		return dd_fail(err, ENOMEM, "Cannot copy '%s'", f->path);
	if (lstat(from, &st) < 0) {
		if (errno == ENOENT) { /* git knows it, but it was deleted */
			fprintf(stderr, "ddhandout: warning: '%s' is missing: left out\n",
				f->path);
			return 0;
		}
		return dd_fail(err, errno, "Cannot stat '%s'", from);
	}
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		fprintf(stderr, "ddhandout: warning: '%s' is not a file: left out\n",
			f->path);
		return 0;
	}
	if (dd_mkdir_p(dirname(dir), DIR_MODE, err) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t len = readlink(from, target, sizeof(target) - 1);

		if (len < 0)
			return dd_fail(err, errno, "Cannot read link '%s'", from);
		target[len] = '\0';
		if (symlink(target, to) < 0)
			return dd_fail(err, errno, "Cannot create link '%s'", to);
		return 0;
	}
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777);
	if (out < 0)
		return dd_fail(err, errno, "Cannot create '%s'", to);
	if (fchmod(out, st.st_mode & 0777) < 0)
		return dd_fail(err, errno, "Cannot set the mode of '%s'", to);
	if (f->cut) {
		if (write_all(out, f->cut, f->cut_len) < 0)
			return dd_fail(err, errno, "Cannot write '%s'", to);
		return 0;
	}
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return dd_fail(err, errno, "Cannot open '%s'", from);
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dd_fail(err, errno, "Cannot read '%s'", from);
		if (write_all(out, buf, n) < 0)
			return dd_fail(err, errno, "Cannot write '%s'", to);
	}
	return 0;
}

/* Is dest absent (0), an empty directory (1), or unusable (-1)? */
static int dest_state(const char *dest, struct dd_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;

	if (lstat(dest, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return dd_fail(err, errno, "Cannot stat '%s'", dest);
	}
	if (!S_ISDIR(st.st_mode))
		return dd_fail(err, 0,
			       "Cannot write the handout to '%s': it is not a "
			       "directory; give a new directory",
			       dest);
	d = opendir(dest);
	if (!d)
		return dd_fail(err, errno, "Cannot read '%s'", dest);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return dd_fail(err, 0,
				       "Cannot write the handout to '%s': it is "
				       "not empty; give a new or empty directory",
				       dest);
	return 1;
}

/* Remove everything in dir, and dir itself unless keep. */
static int empty_dir(const char *dir, bool keep, struct dd_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (!keep)
		return dd_rm_rf(dir, err);
	d = opendir(dir);
	if (!d)
		return dd_fail(err, errno, "Cannot read '%s'", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = dd_strdup_printf("%s/%s", dir, de->d_name);
		if (!path)
			return dd_fail(err, ENOMEM, "Cannot empty '%s'", dir);
		if (dd_rm_rf(path, err) < 0)
			return -1;
	}
	return 0;
}

/* Undo a failed handout: remove what was written, leave dest as found. */
static void remove_written(const char *dest, bool existed)
{
	struct dd_error err = {0};

	if (empty_dir(dest, existed, &err) < 0) {
		report(&err);
		fprintf(stderr, "ddhandout: '%s' is left half written: remove it\n",
			dest);
	}
}

/* dest relative to src, if dest is inside src (so the listing skips it). */
static char *dest_inside(const char *src, const char *dest)
{
	_cleanup_free_ char *rsrc = realpath(src, NULL);
	_cleanup_free_ char *copy = strdup(dest), *copy2 = strdup(dest);
	_cleanup_free_ char *rparent = NULL;
	char *full;
	size_t n;

	if (!rsrc || !copy || !copy2 || !(rparent = realpath(dirname(copy), NULL)))
		return NULL;
	full = dd_strdup_printf("%s/%s", rparent, basename(copy2));
	n = strlen(rsrc);
	if (full && !strncmp(full, rsrc, n) && full[n] == '/') {
		char *rel = strdup(full + n + 1);

		free(full);
		return rel;
	}
	free(full);
	return NULL;
}

static int make_handout(int lab, const char *src, const char *dest)
{
	_cleanup_free_ char *skip = dest_inside(src, dest);
	_cleanup_free_ char *stamp = NULL;
	struct tree t = {0};
	struct dd_error err = {0};
	int state, bad, regions = 0, rc = 1;
	size_t i;
	char line[64];

	state = dest_state(dest, &err);
	if (state < 0 || list_tree(src, skip, &t, &err) < 0)
		goto fail_early;
	bad = cut_all(src, &t, lab, false);
	if (bad) {
		fprintf(stderr,
			"ddhandout: %d file%s with bad solution markers: nothing "
			"written\n",
			bad, bad == 1 ? "" : "s");
		goto out;
	}
	if (dd_mkdir_p(dest, DIR_MODE, &err) < 0)
		goto fail;
	for (i = 0; i < t.n; i++) {
		if (put_file(src, dest, &t.files[i], &err) < 0)
			goto fail;
		regions += t.files[i].regions;
	}
	stamp = dd_strdup_printf("%s/HANDOUT", dest);
	snprintf(line, sizeof(line), "drydock handout for lab %02d\n", lab);
	if (!stamp)
		dd_fail(&err, ENOMEM, "Cannot write '%s/HANDOUT'", dest);
	if (!stamp || dd_write_file_atomic(stamp, line, strlen(line), 0644, &err) < 0)
		goto fail;
	printf("ddhandout: lab %02d: %zu files, %d solution regions replaced, in %s\n",
	       lab, t.n, regions, dest);
	rc = 0;
	goto out;
fail:
	report(&err);
	remove_written(dest, state == 1);
	goto out;
fail_early:
	report(&err);
out:
	tree_free(&t);
	return rc;
}

static int list_regions(const char *src)
{
	struct tree t = {0};
	struct dd_error err = {0};
	int bad;

	if (list_tree(src, NULL, &t, &err) < 0) {
		report(&err);
		return 1;
	}
	bad = cut_all(src, &t, 0, true);
	tree_free(&t);
	return bad ? 1 : 0;
}

/* labs/NN-name/mutants/X.c: NN, or 0 for a mutant kept anywhere else. */
static int lab_of_mutant(const char *path)
{
	const char *hit = strstr(path, "labs/");

	while (hit) {
		if ((hit == path || hit[-1] == '/') && hit[5] >= '0' && hit[5] <= '9' &&
		    hit[6] >= '0' && hit[6] <= '9' && hit[7] == '-') {
			const char *slash = strchr(hit + 5, '/');

			if (slash && !strncmp(slash, "/mutants/", 9))
				return (hit[5] - '0') * 10 + (hit[6] - '0');
		}
		hit = strstr(hit + 1, "labs/");
	}
	return 0;
}

/* Put a mutant into its region of tree, in place.  A mutant kept under
 * labs/NN-name/mutants/ must replace a region of lab NN: the self-check
 * runs lab NN's tests on it. */
static int apply_mutant(const char *mutant, const char *tree)
{
	_cleanup_free_ char *text = NULL, *target = NULL, *src = NULL, *out = NULL;
	struct dd_error err = {0};
	struct dd_mutant m;
	size_t len, src_len, out_len;
	int want = lab_of_mutant(mutant), lab;
	struct stat st;

	if (dd_read_file(mutant, &text, &len, &err) < 0 ||
	    dd_mutant_parse(mutant, text, len, &m, &err) < 0)
		goto fail;
	target = dd_strdup_printf("%s/%s", tree, m.file);
	if (!target) {
		dd_fail(&err, ENOMEM, "Cannot apply %s", mutant);
		goto fail;
	}
	if (stat(target, &st) < 0) {
		dd_fail(&err, errno, "Cannot apply %s: its file '%s' is missing", mutant,
			target);
		goto fail;
	}
	if (dd_read_file(target, &src, &src_len, &err) < 0 ||
	    dd_mutant_apply(&m, src, src_len, dd_markers_lab_of_path(m.file), &lab, &out,
			    &out_len, &err) < 0)
		goto fail;
	if (want && lab != want) {
		dd_fail(&err, 0,
			"%s is kept with lab %02d but replaces a region of lab %02d in %s: "
			"move it to that lab's mutants/",
			mutant, want, lab, m.file);
		goto fail;
	}
	if (dd_write_file_atomic(target, out, out_len, st.st_mode & 07777, &err) < 0)
		goto fail;
	printf("ddhandout: %s applied to %s (lab %02d): %s\n", mutant, m.file, lab,
	       m.mistake);
	return 0;
fail:
	report(&err);
	return 1;
}

/* "03" or "3": a lab number, or -1. */
static int parse_lab(const char *s)
{
	int lab = 0;

	if (!*s || strlen(s) > 2)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		lab = lab * 10 + (*s - '0');
	}
	return lab >= 1 ? lab : -1;
}

int main(int argc, char **argv)
{
	int lab;

	if (argc == 3 && !strcmp(argv[1], "--list"))
		return list_regions(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "--mutant"))
		return apply_mutant(argv[2], argv[3]);
	if (argc != 5 || strcmp(argv[1], "--lab"))
		return usage();
	lab = parse_lab(argv[2]);
	if (lab < 0) {
		fprintf(stderr, "ddhandout: '%s' is not a lab number (01 to %d)\n",
			argv[2], DD_MARKER_LAB_MAX);
		return 2;
	}
	return make_handout(lab, argv[3], argv[4]);
}
