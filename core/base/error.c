/* error.c: filling, wrapping and printing struct dd_error. */
#include "core/base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fill(struct dd_error *err, enum dd_error_kind kind, int errnum,
		const char *fmt, va_list ap)
{
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);

	if (errnum && n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	err->kind = kind;
	err->errnum = errnum;
	err->lab = 0;
	return -1;
}

int dd_fail(struct dd_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, DD_ERR_SYSTEM, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int dd_fail_kind(struct dd_error *err, enum dd_error_kind kind, int errnum,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int dd_not_implemented(struct dd_error *err, int lab, const char *task)
{
	dd_fail_kind(err, DD_ERR_NOT_IMPLEMENTED, 0,
		     "Not implemented (lab %02d): %s", lab, task);
	err->lab = lab;
	return -1;
}

int dd_error_wrap(struct dd_error *err, const char *fmt, ...)
{
	char old[DD_ERROR_MAX];
	size_t n;
	va_list ap;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n + 2 < sizeof(err->msg)) {
		memcpy(err->msg + n, ": ", 2);
		memccpy(err->msg + n + 2, old, '\0', sizeof(err->msg) - n - 2);
		err->msg[sizeof(err->msg) - 1] = '\0';
	}
	return -1;
}

bool dd_is_not_implemented(const struct dd_error *err)
{
	return err->kind == DD_ERR_NOT_IMPLEMENTED;
}

int dd_error_exit_code(const struct dd_error *err)
{
	switch (err->kind) {
	case DD_ERR_CANNOT_EXEC:
		return DD_EXIT_CANNOT_EXEC;
	case DD_ERR_NOT_FOUND:
		return DD_EXIT_NOT_FOUND;
	default:
		return DD_EXIT_ERROR;
	}
}

void dd_error_print(const struct dd_error *err)
{
	fprintf(stderr, "drydock: %s\n", err->msg[0] ? err->msg : "Unknown error");
}

void dd_error_clear(struct dd_error *err)
{
	memset(err, 0, sizeof(*err));
}
