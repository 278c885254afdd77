/*
 * cleanup.h: scope-bound resources, so every early return is leak-free.
 *
 *   _cleanup_free_ char *p = strdup(s);   freed when p goes out of scope
 *   _cleanup_close_ int fd = open(...);   closed when fd goes out of scope
 *   return move_fd(fd);                   hand the fd to the caller instead
 */
#ifndef DD_CLEANUP_H
#define DD_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void dd_freep(void *p)
{
	free(*(void **)p);
}

static inline void dd_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void dd_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void dd_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_ __attribute__((cleanup(dd_freep)))
#define _cleanup_close_ __attribute__((cleanup(dd_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(dd_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(dd_closedirp)))

/* Take ownership: return the value and leave the variable empty. */
#define move_ptr(p)                          \
	({                                   \
		__typeof__(p) moved_ = (p);  \
		(p) = NULL;                  \
		moved_;                      \
	})
#define move_fd(fd)                          \
	({                                   \
		int moved_ = (fd);           \
		(fd) = -1;                   \
		moved_;                      \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
