/*
 * log.h: the few ways drydock talks to the user besides errors.
 *
 * Library code never writes to stderr itself: it hands each line to the
 * process's log sink.  A front end chooses the sink (the CLI: stderr; a
 * daemon: its own log, per container); a container's process, before
 * exec, has one that sends the line to the drydock that made it, so a
 * warning is printed on drydock's stderr, never in the container's.
 */
#ifndef DD_LOG_H
#define DD_LOG_H

enum dd_log_level { DD_LOG_WARNING, DD_LOG_DEBUG };

/* Gets one line, without "drydock: " and without a newline. */
typedef void (*dd_log_sink)(void *arg, enum dd_log_level level, const char *line);

/* Route every later warning and debug line to sink (NULL: stderr). */
void dd_log_set_sink(dd_log_sink sink, void *arg);

/* The default sink: "drydock: warning: ..." on stderr. */
void dd_log_stderr(void *arg, enum dd_log_level level, const char *line);

/* A warning; never silenced. */
void dd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with DRYDOCK_DEBUG set. */
void dd_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
