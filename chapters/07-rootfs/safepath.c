/*
 * safepath.c: chapter 07, where an archive member may be written (lab 07).
 *
 * A tarball is untrusted input: its names can be absolute ("/etc/passwd"),
 * climb with ".." ("../../root/.ssh/authorized_keys"), or pass through a
 * symlink the same archive created a moment earlier ("escape -> /", then
 * "escape/etc/shadow").  GNU tar's answer is to strip the leading '/' and
 * refuse "..".  Symlinks are the subtle part: resolving the path string
 * on the host would follow "escape" to the host's "/".  openat2(2) with
 * RESOLVE_IN_ROOT resolves every component as if the destination were
 * "/", so "escape/etc/shadow" lands in the image's own /etc, exactly
 * where the container will later see it.
 */
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/util.h"

int rootfs_clean_name(const char *name, char out[PATH_MAX], struct dd_error *err)
{
	/* BEGIN SOLUTION: make a member name relative to the root (drop leading '/', '.' and empty components) and refuse any '..' component */
	size_t len = 0;

	for (const char *p = name; *p;) {
		const char *end = strchrnul(p, '/');
		size_t n = end - p;

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return dd_fail(err, 0, "Refusing entry '%.256s': its path climbs out of "
					       "the root with '..'", name);
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (len + n + 2 > PATH_MAX)
				return dd_fail(err, ENAMETOOLONG, "Refusing entry '%.256s'", name);
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = *end ? end + 1 : end;
	}
	out[len] = '\0';
	return 0;
	/* END SOLUTION */
}

int rootfs_open_parent(int rootfd, const char *name, bool create, const char **base,
		       struct dd_error *err)
{
	/* BEGIN SOLUTION: open the directory holding name with openat2(RESOLVE_IN_ROOT), creating it inside the root if asked, and point *base at the last component */
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		/* Symlinks are followed as inside the container: "/" and ".."
		 * stop at rootfd.  /proc's magic links could jump anywhere. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *slash = strrchr(name, '/');
	_cleanup_free_ char *dir = strndup(name, slash ? (size_t)(slash - name) : 0);
	int fd;

	if (!dir)
		return dd_fail(err, ENOMEM, "Cannot extract '%s'", name);
	*base = slash ? slash + 1 : name;
	fd = syscall(SYS_openat2, rootfd, *dir ? dir : ".", &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if (errno != ENOENT || !create)
		return dd_fail(err, errno, "Cannot open '/%s' inside the root", dir);
	/* The archive did not list the directory itself (tar allows that):
	 * make it, again resolving each component inside the root. */
	return dd_mkdir_in_root(rootfd, dir, 0755, err);
	/* END SOLUTION */
}
