/* markers.c: finding and cutting solution regions (see markers.h). */
#include "markers.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

static const char begin_tag[] = "/* BEGIN SOLUTION";
static const char end_line[] = "/* END SOLUTION */";

/* One line of the text, without its newline. */
struct line {
	const char *start;
	size_t len;      /* without the newline */
	size_t indent;   /* leading blanks */
};

static struct line line_at(const char *p)
{
	struct line l = { .start = p };
	const char *nl = strchr(p, '\n');

	l.len = nl ? (size_t)(nl - p) : strlen(p);
	while (l.indent < l.len && (p[l.indent] == ' ' || p[l.indent] == '\t'))
		l.indent++;
	return l;
}

/* Does the line, blanks trimmed, equal s / start with s? */
static bool trimmed_equals(const struct line *l, const char *s)
{
	size_t end = l->len;

	while (end > l->indent && isspace((unsigned char)l->start[end - 1]))
		end--;
	return end - l->indent == strlen(s) && !memcmp(l->start + l->indent, s, strlen(s));
}

static bool trimmed_starts(const struct line *l, const char *s)
{
	return l->len - l->indent >= strlen(s) && !memcmp(l->start + l->indent, s, strlen(s));
}

/* The text after the tag: ": task" or "(lab 5): task", then the comment end. */
static int parse_begin(const char *name, int lineno, const struct line *l, int default_lab,
		       struct dd_marker_region *r, struct dd_error *err)
{
	_cleanup_free_ char *text = strndup(l->start + l->indent, l->len - l->indent);
	char *p, *close;
	size_t n;

	if (!text)
		return dd_fail(err, ENOMEM, "%s:%d: out of memory", name, lineno);
	p = text + strlen(begin_tag);
	r->lab = default_lab;
	if (*p == '(') {
		if (sscanf(p, "(lab %d)", &r->lab) != 1 || !(p = strchr(p, ')')))
			return dd_fail(err, 0, "%s:%d: malformed '(lab N)' in a solution marker",
				       name, lineno);
		p++;
	}
	if (*p != ':')
		return dd_fail(err, 0, "%s:%d: a solution marker needs ': task'", name, lineno);
	close = strstr(p, "*/");
	if (!close || close[2 + strspn(close + 2, " \t\r")] != '\0')
		return dd_fail(err, 0, "%s:%d: a solution marker must end its line with '*/'",
			       name, lineno);
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	while (close > p && (close[-1] == ' ' || close[-1] == '\t'))
		close--;
	n = close - p;
	if (n == 0)
		return dd_fail(err, 0, "%s:%d: a solution marker has an empty task", name, lineno);
	if (n >= sizeof(r->task))
		return dd_fail(err, 0, "%s:%d: a solution marker's task is too long", name, lineno);
	if (r->lab <= 0)
		return dd_fail(err, 0, "%s:%d: a solution marker outside chapters/ must say "
				       "'(lab N)'", name, lineno);
	memcpy(r->task, p, n);
	r->task[n] = '\0';
	r->file_scope = l->indent == 0;
	return 0;
}

int dd_markers_scan(const char *name, const char *text, int default_lab,
		    struct dd_marker_region **regions, size_t *n, struct dd_error *err)
{
	struct dd_marker_region *list = NULL, cur = { 0 };
	bool open = false;
	int lineno = 0;
	size_t count = 0;

	for (const char *p = text; *p; ) {
		struct line l = line_at(p);

		lineno++;
		if (trimmed_starts(&l, begin_tag)) {
			if (open) {
				free(list);
				return dd_fail(err, 0, "%s:%d: solution region inside another (opened "
						       "at line %d)", name, lineno, cur.begin_line);
			}
			memset(&cur, 0, sizeof(cur));
			if (parse_begin(name, lineno, &l, default_lab, &cur, err) < 0) {
				free(list);
				return -1;
			}
			cur.begin_line = lineno;
			open = true;
		} else if (trimmed_equals(&l, end_line) || trimmed_starts(&l, "/* END SOLUTION")) {
			struct dd_marker_region *nl;

			if (!open || !trimmed_equals(&l, end_line)) {
				free(list);
				return dd_fail(err, 0, open ? "%s:%d: malformed END SOLUTION marker"
							    : "%s:%d: END SOLUTION without a BEGIN",
					       name, lineno);
			}
			nl = realloc(list, (count + 1) * sizeof(*nl));
			if (!nl) {
				free(list);
				return dd_fail(err, ENOMEM, "%s: out of memory", name);
			}
			list = nl;
			cur.end_line = lineno;
			list[count++] = cur;
			open = false;
		}
		p = l.start + l.len + (l.start[l.len] == '\n');
	}
	if (open) {
		free(list);
		return dd_fail(err, 0, "%s:%d: solution region never closed (no END SOLUTION)",
			       name, cur.begin_line);
	}
	*regions = list;
	*n = count;
	return 0;
}

/* Append to a growing buffer. */
struct buf {
	char *data;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *d = realloc(b->data, cap);

		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* The task as the body of a C string literal. */
static int buf_add_c_string(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if ((*s == '"' || *s == '\\') && buf_add(b, "\\", 1) < 0)
			return -1;
		if (buf_add(b, s, 1) < 0)
			return -1;
	}
	return 0;
}

static int emit_stub(struct buf *b, const struct line *begin, const struct dd_marker_region *r)
{
	char lab[64];

	snprintf(lab, sizeof(lab), "/* TODO(lab %02d): ", r->lab);
	if (buf_add(b, begin->start, begin->indent) < 0 || buf_add(b, lab, strlen(lab)) < 0 ||
	    buf_add(b, r->task, strlen(r->task)) < 0 || buf_add(b, " */\n", 4) < 0)
		return -1;
	if (r->file_scope)
		return 0;
	snprintf(lab, sizeof(lab), "return dd_not_implemented(err, %d, \"", r->lab);
	if (buf_add(b, begin->start, begin->indent) < 0 || buf_add(b, lab, strlen(lab)) < 0 ||
	    buf_add_c_string(b, r->task) < 0 || buf_add(b, "\");\n", 4) < 0)
		return -1;
	return 0;
}

int dd_markers_cut(const char *name, const char *text, int default_lab, int from_lab,
		   char **out, struct dd_error *err)
{
	_cleanup_free_ struct dd_marker_region *regions = NULL;
	struct buf b = { 0 };
	size_t n, next = 0;
	int lineno = 0;

	if (dd_markers_scan(name, text, default_lab, &regions, &n, err) < 0)
		return -1;
	if (buf_add(&b, "", 0) < 0)
		return dd_fail(err, ENOMEM, "%s: out of memory", name);
	for (const char *p = text; *p; ) {
		struct line l = line_at(p);
		size_t whole = l.len + (l.start[l.len] == '\n');
		const struct dd_marker_region *r = next < n ? &regions[next] : NULL;

		lineno++;
		if (r && lineno == r->begin_line && r->lab >= from_lab) {
			if (emit_stub(&b, &l, r) < 0)
				goto oom;
		} else if (!(r && r->lab >= from_lab && lineno > r->begin_line &&
			     lineno <= r->end_line)) {
			if (buf_add(&b, l.start, whole) < 0)
				goto oom;
		}
		if (r && lineno == r->end_line)
			next++;
		p += whole;
	}
	*out = b.data;
	return 0;
oom:
	free(b.data);
	return dd_fail(err, ENOMEM, "%s: out of memory", name);
}

int dd_markers_lab_of_path(const char *path)
{
	const char *p = strstr(path, "chapters/");
	int lab = 0;

	if (p && sscanf(p, "chapters/%2d-", &lab) == 1)
		return lab;
	return 0;
}
