/* markers.c: finding and cutting solution regions (see markers.h). */
#include "core/lab/markers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/cleanup.h"

#define BEGIN_WORD "BEGIN SOLUTION"
#define END_WORD "END SOLUTION"
#define MARKER_FORM                                                                      \
	"'/* " BEGIN_WORD ": <task> */' or '/* " BEGIN_WORD "(lab N): <task> */'"

/* One line of the text: where it starts, its length without the line
 * ending, the whole length with it, and its leading blanks. */
struct line {
	const char *start;
	size_t len, whole, indent;
};

static struct line line_at(const char *p, const char *end)
{
	struct line l = {.start = p};
	const char *nl = memchr(p, '\n', end - p);

	l.whole = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
	l.len = nl ? l.whole - 1 : l.whole;
	if (l.len > 0 && p[l.len - 1] == '\r')
		l.len--;
	while (l.indent < l.len && (p[l.indent] == ' ' || p[l.indent] == '\t'))
		l.indent++;
	return l;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The line without its leading and trailing blanks: [*s, *s + *n). */
static void trim(const struct line *l, const char **s, size_t *n)
{
	size_t e = l->len;

	while (e > l->indent && is_blank(l->start[e - 1]))
		e--;
	*s = l->start + l->indent;
	*n = e - l->indent;
}

static bool skip_word(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || memcmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

static void skip_blanks(const char **p, const char *end)
{
	while (*p < end && is_blank(**p))
		(*p)++;
}

enum marker { NOT_A_MARKER, MARKER_BEGIN, MARKER_END };

/* Does the line start like a marker?  "/" "*", blanks, then the word.
 * On a match *rest points just after the word, *end at the trimmed end. */
static enum marker marker_kind(const struct line *l, const char **rest, const char **end)
{
	const char *p;
	size_t n;

	trim(l, &p, &n);
	*end = p + n;
	if (!skip_word(&p, *end, "/*"))
		return NOT_A_MARKER;
	skip_blanks(&p, *end);
	*rest = p;
	if (skip_word(rest, *end, BEGIN_WORD))
		return MARKER_BEGIN;
	if (skip_word(rest, *end, END_WORD))
		return MARKER_END;
	return NOT_A_MARKER;
}

/* "(lab N)": the lab, or -1. */
static int parse_lab(const char **p, const char *end)
{
	int lab = 0, digits = 0;

	if (!skip_word(p, end, "("))
		return -1;
	skip_blanks(p, end);
	if (!skip_word(p, end, "lab"))
		return -1;
	skip_blanks(p, end);
	while (*p < end && **p >= '0' && **p <= '9' && digits < 3) {
		lab = lab * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	skip_blanks(p, end);
	if (!digits || !skip_word(p, end, ")"))
		return -1;
	return lab;
}

/* Would the task, put in the TODO comment, end or nest a comment? */
static bool has_comment_delimiter(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if ((s[i] == '*' && s[i + 1] == '/') || (s[i] == '/' && s[i + 1] == '*'))
			return true;
	return false;
}

/* The rest of a BEGIN line after the word: "(lab N)"?, ":", task, "*" "/". */
static int parse_begin(const char *name, int lineno, const char *p, const char *end,
		       int default_lab, struct dd_marker_region *r, struct dd_error *err)
{
	const char *task;
	size_t n;

	r->lab = default_lab;
	skip_blanks(&p, end);
	if (p < end && *p == '(') {
		r->lab = parse_lab(&p, end);
		if (r->lab < 1 || r->lab > DD_MARKER_LAB_MAX)
			return dd_fail(err, 0,
				       "%s:%d: bad '(lab N)' in a solution marker: N is "
				       "a lab number from 1 to %d",
				       name, lineno, DD_MARKER_LAB_MAX);
		skip_blanks(&p, end);
	}
	if (!skip_word(&p, end, ":") || end - p < 2 || memcmp(end - 2, "*/", 2))
		return dd_fail(err, 0,
			       "%s:%d: malformed solution marker: write %s alone "
			       "on its line",
			       name, lineno, MARKER_FORM);
	end -= 2;
	skip_blanks(&p, end);
	while (end > p && is_blank(end[-1]))
		end--;
	task = p;
	n = end - p;
	if (n == 0)
		return dd_fail(err, 0,
			       "%s:%d: solution marker with an empty task: say in a "
			       "few words what the student writes here",
			       name, lineno);
	if (has_comment_delimiter(task, n))
		return dd_fail(err, 0,
			       "%s:%d: a solution marker's task may not contain '/*' "
			       "or '*/'",
			       name, lineno);
	if (memchr(task, '\0', n))
		return dd_fail(err, 0, "%s:%d: a solution marker's task holds a NUL byte",
			       name, lineno);
	if (n >= sizeof(r->task))
		return dd_fail(err, 0,
			       "%s:%d: a solution marker's task is longer than %zu "
			       "characters",
			       name, lineno, sizeof(r->task) - 1);
	if (r->lab < 1)
		return dd_fail(err, 0,
			       "%s:%d: solution marker without a lab: outside "
			       "chapters/NN-name/ write '" BEGIN_WORD "(lab N): task'",
			       name, lineno);
	memcpy(r->task, task, n);
	r->task[n] = '\0';
	return 0;
}

/* The rest of an END line after the word: blanks, then the comment's end. */
static bool is_end_exactly(const char *p, const char *end)
{
	skip_blanks(&p, end);
	return end - p == 2 && !memcmp(p, "*/", 2);
}

int dd_markers_scan(const char *name, const char *text, size_t len, int default_lab,
		    struct dd_marker_region **regions, size_t *n, struct dd_error *err)
{
	_cleanup_free_ struct dd_marker_region *list = NULL;
	struct dd_marker_region cur = {0};
	const char *end = text + len;
	bool open = false;
	size_t count = 0;
	int lineno = 0;

	for (const char *p = text; p < end;) {
		struct line l = line_at(p, end);
		const char *rest, *lend;
		enum marker kind = marker_kind(&l, &rest, &lend);

		lineno++;
		p += l.whole;
		if (kind == MARKER_BEGIN) {
			if (open)
				return dd_fail(err, 0,
					       "%s:%d: " BEGIN_WORD " inside the region "
					       "opened at line %d: regions do not nest; "
					       "close that one first",
					       name, lineno, cur.begin_line);
			memset(&cur, 0, sizeof(cur));
			if (parse_begin(name, lineno, rest, lend, default_lab, &cur,
					err) < 0)
				return -1;
			cur.begin_line = lineno;
			cur.file_scope = l.indent == 0;
			open = true;
		} else if (kind == MARKER_END) {
			struct dd_marker_region *grown;

			if (!is_end_exactly(rest, lend))
				return dd_fail(err, 0,
					       "%s:%d: malformed end marker: write "
					       "'/* " END_WORD " */' alone on its line",
					       name, lineno);
			if (!open)
				return dd_fail(err, 0,
					       "%s:%d: " END_WORD " without a " BEGIN_WORD
					       " before it",
					       name, lineno);
			grown = realloc(list, (count + 1) * sizeof(*grown));
			if (!grown)
				return dd_fail(err, ENOMEM,
					       "%s: cannot list its solution regions",
					       name);
			list = grown;
			cur.end_line = lineno;
			list[count++] = cur;
			open = false;
		}
	}
	if (open)
		return dd_fail(err, 0,
			       "%s:%d: " BEGIN_WORD " never closed: no '/* " END_WORD
			       " */' follows it",
			       name, cur.begin_line);
	*regions = move_ptr(list);
	*n = count;
	return 0;
}

/* A growing, always NUL-terminated output buffer; a failed append sets
 * failed and leaves the rest to the caller's single check. */
struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *d = realloc(b->data, cap);

		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* The task as the inside of a C string literal: quotes and backslashes
 * escaped, control characters as octal, and "??" split so it can never
 * read as a trigraph (which -Wall warns about). */
static void buf_add_c_string(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			buf_add(b, esc, 2);
		} else if (c == '\t') {
			buf_puts(b, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\%03o", c);
			buf_puts(b, esc);
		} else if (c == '?' && p > s && p[-1] == '?') {
			buf_puts(b, "\\?");
		} else {
			buf_add(b, p, 1);
		}
	}
}

/* What replaces a region: the TODO comment, and inside a function the
 * return of "not implemented", each at the BEGIN line's indentation and
 * with its line ending. */
static void emit_stub(struct buf *b, const struct line *begin,
		      const struct dd_marker_region *r)
{
	const char *eol = begin->start[begin->whole - 1] != '\n' ? "\n"
			  : begin->len + 2 == begin->whole	 ? "\r\n"
								 : "\n";
	char head[64];

	snprintf(head, sizeof(head), "/* TODO(lab %02d): ", r->lab);
	buf_add(b, begin->start, begin->indent);
	buf_puts(b, head);
	buf_puts(b, r->task);
	buf_puts(b, " */");
	buf_puts(b, eol);
	if (r->file_scope)
		return;
	snprintf(head, sizeof(head), "return dd_not_implemented(err, %d, \"", r->lab);
	buf_add(b, begin->start, begin->indent);
	buf_puts(b, head);
	buf_add_c_string(b, r->task);
	buf_puts(b, "\");");
	buf_puts(b, eol);
}

int dd_markers_cut(const char *name, const char *text, size_t len, int default_lab,
		   int from_lab, char **out, size_t *out_len, struct dd_error *err)
{
	_cleanup_free_ struct dd_marker_region *regions = NULL;
	const char *end = text + len;
	struct buf b = {0};
	size_t n = 0, next = 0;
	int lineno = 0;

	if (dd_markers_scan(name, text, len, default_lab, &regions, &n, err) < 0)
		return -1;
	buf_add(&b, "", 0);
	for (const char *p = text; p < end;) {
		struct line l = line_at(p, end);
		const struct dd_marker_region *r = next < n ? &regions[next] : NULL;
		bool cut = r && r->lab >= from_lab && lineno + 1 >= r->begin_line;

		lineno++;
		p += l.whole;
		if (cut && lineno == r->begin_line)
			emit_stub(&b, &l, r);
		else if (!cut)
			buf_add(&b, l.start, l.whole);
		if (r && lineno == r->end_line)
			next++;
	}
	if (b.failed) {
		free(b.data);
		return dd_fail(err, ENOMEM, "%s: cannot cut its solution regions", name);
	}
	*out = b.data;
	*out_len = b.len;
	return 0;
}

int dd_markers_lab_of_path(const char *path)
{
	static const char dir[] = "chapters/";
	const char *p = path;

	for (;;) {
		const char *hit = strstr(p, dir);

		if (!hit)
			return 0;
		/* "chapters/" as a whole component, then two digits and '-' */
		if ((hit == path || hit[-1] == '/') && hit[9] >= '0' && hit[9] <= '9' &&
		    hit[10] >= '0' && hit[10] <= '9' && hit[11] == '-') {
			int lab = (hit[9] - '0') * 10 + (hit[10] - '0');

			return lab > 0 ? lab : 0;
		}
		p = hit + 1;
	}
}
