/* mutant.c: reading a mutant and putting it in its region (see mutant.h). */
#include "core/lab/mutant.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/cleanup.h"

/* The next line of [*p, end): its trimmed text in [*s, *s + *n), *p moved
 * past its line ending. */
static void next_line(const char **p, const char *end, const char **s, size_t *n)
{
	const char *nl = memchr(*p, '\n', end - *p);
	const char *e = nl ? nl : end;

	*s = *p;
	*p = nl ? nl + 1 : end;
	while (*s < e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (e > *s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*n = e - *s;
}

/* Copy "key: value" into dst if the line [s, s + n) starts with key. */
static int take_value(const char *name, int lineno, const char *s, size_t n,
		      const char *key, char *dst, size_t cap, bool *found,
		      struct dd_error *err)
{
	size_t k = strlen(key);

	if (n < k || memcmp(s, key, k))
		return 0;
	s += k;
	n -= k;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (*found)
		return dd_fail(err, 0, "%s:%d: '%s' given twice", name, lineno, key);
	if (n == 0)
		return dd_fail(err, 0, "%s:%d: '%s' is empty", name, lineno, key);
	if (n >= cap)
		return dd_fail(err, 0, "%s:%d: '%s' is longer than %zu characters", name,
			       lineno, key, cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
	*found = true;
	return 1;
}

/* A tree-relative path the markers apply to, with no way out of the tree. */
static bool is_chapter_path(const char *path)
{
	size_t n = strlen(path);

	if (strncmp(path, "chapters/", 9) && strncmp(path, "core/", 5))
		return false;
	if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//"))
		return false;
	return n > 2 && path[n - 2] == '.' && (path[n - 1] == 'c' || path[n - 1] == 'h');
}

int dd_mutant_parse(const char *name, const char *text, size_t len, struct dd_mutant *m,
		    struct dd_error *err)
{
	_cleanup_free_ struct dd_marker_region *regions = NULL;
	const char *p = text, *end = text + len, *s;
	bool have_mistake = false, have_file = false, have_task = false, closed = false;
	size_t n, count = 0;
	int lineno = 1;

	memset(m, 0, sizeof(*m));
	if (memchr(text, '\0', len))
		return dd_fail(err, 0, "%s: holds a NUL byte: a mutant is C source", name);
	next_line(&p, end, &s, &n);
	if (n < 2 || memcmp(s, "/*", 2))
		return dd_fail(err, 0,
			       "%s:1: a mutant starts with '/* mutant: <the mistake>', "
			       "then ' * file: <path>' and ' * task: <the region's task>'",
			       name);
	s += 2;
	n -= 2;
	while (n && *s == ' ')
		s++, n--;
	if (take_value(name, 1, s, n, "mutant:", m->mistake, sizeof(m->mistake),
		       &have_mistake, err) <= 0)
		return have_mistake ? -1
				    : dd_fail(err, 0,
					      "%s:1: a mutant starts with '/* mutant: "
					      "<the mistake it stands for>'",
					      name);
	while (p < end) {
		int got;

		next_line(&p, end, &s, &n);
		lineno++;
		if (n == 2 && !memcmp(s, "*/", 2)) {
			closed = true;
			break;
		}
		if (n == 0 || *s != '*')
			return dd_fail(err, 0, "%s:%d: the header's lines start with ' * '",
				       name, lineno);
		s++, n--;
		while (n && *s == ' ')
			s++, n--;
		got = take_value(name, lineno, s, n, "file:", m->file, sizeof(m->file),
				 &have_file, err);
		if (got == 0)
			got = take_value(name, lineno, s, n, "task:", m->task,
					 sizeof(m->task), &have_task, err);
		if (got < 0)
			return -1;
		if (got == 0)
			return dd_fail(err, 0,
				       "%s:%d: unknown header line: the header holds "
				       "'file:' and 'task:' lines, closed by ' */'",
				       name, lineno);
	}
	if (!closed)
		return dd_fail(err, 0, "%s: the header is never closed by ' */'", name);
	if (!have_file || !have_task)
		return dd_fail(err, 0, "%s: the header lacks a '%s' line", name,
			       have_file ? "task:" : "file:");
	if (!is_chapter_path(m->file))
		return dd_fail(err, 0,
			       "%s: file '%s' is not a .c or .h file under chapters/ or "
			       "core/, relative to the top of the tree",
			       name, m->file);
	m->body = p;
	m->body_len = end - p;
	/* A marker in the body would open a region inside the region. */
	if (dd_markers_scan(name, m->body, m->body_len, 1, &regions, &count, err) < 0)
		return dd_error_wrap(err, "The body of mutant %s", name);
	if (count)
		return dd_fail(err, 0, "%s: the body holds solution markers: write only "
			       "what goes between them", name);
	return 0;
}

/* Append n bytes; on failure leave *failed set (one check at the end). */
static void add(char **buf, size_t *len, size_t *cap, const char *s, size_t n,
		bool *failed)
{
	if (*failed)
		return;
	if (*len + n + 1 > *cap) {
		size_t want = (*len + n + 1) * 2;
		char *grown = realloc(*buf, want);

		if (!grown) {
			*failed = true;
			return;
		}
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

int dd_mutant_apply(const struct dd_mutant *m, const char *text, size_t len,
		    int default_lab, int *region_lab, char **out, size_t *out_len,
		    struct dd_error *err)
{
	_cleanup_free_ struct dd_marker_region *regions = NULL;
	const struct dd_marker_region *hit = NULL;
	const char *p = text, *end = text + len;
	char *buf = NULL;
	size_t n = 0, blen = 0, cap = 0;
	bool failed = false;
	int matches = 0, lineno = 0;

	if (dd_markers_scan(m->file, text, len, default_lab, &regions, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(regions[i].task, m->task)) {
			hit = &regions[i];
			matches++;
		}
	if (matches == 0)
		return dd_fail(err, 0,
			       "%s has no solution region with the task '%s': the "
			       "marker's text changed, so update the mutant's 'task:' line",
			       m->file, m->task);
	if (matches > 1)
		return dd_fail(err, 0,
			       "%s has %d solution regions with the task '%s': a mutant "
			       "needs a task that names one region",
			       m->file, matches, m->task);
	add(&buf, &blen, &cap, "", 0, &failed);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t whole = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		lineno++;
		if (lineno == hit->end_line) {
			add(&buf, &blen, &cap, m->body, m->body_len, &failed);
			if (m->body_len && m->body[m->body_len - 1] != '\n')
				add(&buf, &blen, &cap, "\n", 1, &failed);
		}
		if (lineno <= hit->begin_line || lineno >= hit->end_line)
			add(&buf, &blen, &cap, p, whole, &failed);
		p += whole;
	}
	if (failed) {
		free(buf);
		return dd_fail(err, ENOMEM, "Cannot apply the mutant to %s", m->file);
	}
	*region_lab = hit->lab;
	*out = buf;
	*out_len = blen;
	return 0;
}
