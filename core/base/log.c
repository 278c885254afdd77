/* log.c: warnings and debug lines, through the process's log sink. */
#include "core/base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/base/error.h"

/* The one piece of process-wide state here, and deliberately so: the
 * sink is where this process's lines go, chosen once by its front end. */
static dd_log_sink log_sink = dd_log_stderr;
static void *log_arg;

void dd_log_set_sink(dd_log_sink sink, void *arg)
{
	log_sink = sink ? sink : dd_log_stderr;
	log_arg = sink ? arg : NULL;
}

void dd_log_stderr(void *arg, enum dd_log_level level, const char *line)
{
	fprintf(stderr, "drydock: %s%s\n", level == DD_LOG_DEBUG ? "debug: " : "warning: ", line);
}

static void log_v(enum dd_log_level level, const char *fmt, va_list ap)
{
	char line[DD_ERROR_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	log_sink(log_arg, level, line);
}

void dd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(DD_LOG_WARNING, fmt, ap);
	va_end(ap);
}

void dd_debug(const char *fmt, ...)
{
	static int enabled = -1;
	va_list ap;

	if (enabled < 0)
		enabled = getenv("DRYDOCK_DEBUG") != NULL;
	if (!enabled)
		return;
	va_start(ap, fmt);
	log_v(DD_LOG_DEBUG, fmt, ap);
	va_end(ap);
}
