/*
 * error.h: one error convention for all of drydock.
 *
 * A function that can fail returns a negative value and fills a
 * struct dd_error with the errno and a message that names the object.
 * Callers add context with dd_error_wrap() instead of printing, so the
 * user sees one line that says what failed, on what, and why.
 */
#ifndef DD_ERROR_H
#define DD_ERROR_H

#include <stdbool.h>

#define DD_ERROR_MAX 1024

/* Docker's exit codes for errors that are not the command's own. */
enum {
	DD_EXIT_ERROR = 125,     /* drydock itself failed */
	DD_EXIT_CANNOT_EXEC = 126,
	DD_EXIT_NOT_FOUND = 127,
	DD_EXIT_SIGNAL_BASE = 128 /* 128 + N: killed by signal N */
};

/* What kind of failure: lets the caller pick an exit code. */
enum dd_error_kind {
	DD_ERR_NONE = 0,
	DD_ERR_SYSTEM,          /* a syscall or library call failed */
	DD_ERR_USAGE,           /* bad flags or arguments */
	DD_ERR_NOT_IMPLEMENTED, /* a lab that is not done yet */
	DD_ERR_CANNOT_EXEC,     /* exit 126 */
	DD_ERR_NOT_FOUND        /* exit 127 */
};

struct dd_error {
	enum dd_error_kind kind;
	int errnum;      /* errno, or 0 */
	int lab;         /* with DD_ERR_NOT_IMPLEMENTED: the lab to do */
	char msg[DD_ERROR_MAX];
};

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Fill err (errnum may be 0) and return -1.  The message gets ": strerror" appended. */
int dd_fail(struct dd_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like dd_fail() but with an explicit kind (usage, not found, ...). */
int dd_fail_kind(struct dd_error *err, enum dd_error_kind kind, int errnum,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The stub a handout puts where a lab's solution was. */
int dd_not_implemented(struct dd_error *err, int lab, const char *task);

/* Prefix the message with context: "Cannot start container x: <old>". */
int dd_error_wrap(struct dd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool dd_is_not_implemented(const struct dd_error *err);

/* The exit code Docker would use for this error. */
int dd_error_exit_code(const struct dd_error *err);

/* Print "drydock: <msg>" on stderr. */
void dd_error_print(const struct dd_error *err);

void dd_error_clear(struct dd_error *err);

#endif
