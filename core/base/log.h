/* log.h: the few ways drydock talks to the user besides errors. */
#ifndef DD_LOG_H
#define DD_LOG_H

/* "drydock: warning: ..." on stderr; never silenced. */
void dd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "drydock: ..." on stderr, only with DRYDOCK_DEBUG set. */
void dd_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
