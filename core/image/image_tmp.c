/*
 * image_tmp.c: work in progress under <root>/tmp, shared by `import` and
 * `load`.
 *
 * Whatever changes the store is built in a private directory,
 * <root>/tmp/PREFIX-XXXXXX, and renamed into place only once complete.
 * The builder holds an flock on a .lock file inside it: a directory
 * whose lock is free belongs to a builder that died (even by SIGKILL),
 * and the next call into the store removes it (image_store.c).  SIGINT,
 * SIGTERM, SIGHUP and SIGPIPE do not kill the builder: they make its
 * next read fail, so it removes its own directory and says why.
 */
#include "core/image/image_store.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/paths.h"
#include "core/base/util.h"

static volatile sig_atomic_t caught_signal;

static const int store_signals[DD_STORE_NSIGNALS] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

static void note_signal(int sig)
{
	caught_signal = sig;
}

/* No SA_RESTART: a blocked read(2) returns EINTR and the work stops. */
void dd_store_catch_signals(struct sigaction old[DD_STORE_NSIGNALS])
{
	struct sigaction sa = { .sa_handler = note_signal };

	caught_signal = 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < DD_STORE_NSIGNALS; i++)
		sigaction(store_signals[i], &sa, &old[i]);
}

void dd_store_restore_signals(const struct sigaction old[DD_STORE_NSIGNALS])
{
	for (size_t i = 0; i < DD_STORE_NSIGNALS; i++)
		sigaction(store_signals[i], &old[i], NULL);
}

int dd_store_interrupted(void)
{
	return caught_signal;
}

ssize_t dd_store_read_hashed(void *arg, void *buf, size_t len)
{
	struct dd_hashed_input *in = arg;
	ssize_t n;

	do {
		if (caught_signal) {
			errno = EINTR;
			return -1;
		}
		n = read(in->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		dd_sha256_update(&in->sha, buf, n);
	return n;
}

/* Made and locked under the store lock, so that no dd_store_open() can
 * see the directory before its lock is held. */
char *dd_store_start_tmp(const char *root, const char *prefix, int *lockfd,
			 struct dd_error *err)
{
	_cleanup_close_ int store = dd_store_open(root, err);
	_cleanup_free_ char *dir = dd_state_path(root, DD_DIR_TMP, "%s-XXXXXX", prefix);
	_cleanup_free_ char *lock = NULL;

	if (store < 0)
		return NULL;
	if (!dir || !mkdtemp(dir)) {
		dd_fail(err, dir ? errno : ENOMEM, "Cannot create a directory in '%s/tmp'", root);
		return NULL;
	}
	lock = dd_strdup_printf("%s/.lock", dir);
	*lockfd = lock ? dd_store_lock_file(lock, LOCK_EX, err)
		       : dd_fail(err, ENOMEM, "Cannot lock '%s'", dir);
	if (*lockfd < 0) {
		rmdir(dir);
		return NULL;
	}
	return move_ptr(dir);
}
