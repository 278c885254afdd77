/*
 * sealed.c: chapter 16, a binary the container cannot overwrite (lab 16).
 *
 * CVE-2019-5736: a process inside a container could open the runtime's
 * own binary through /proc/PID/exe of a runtime process that had
 * entered the container (runc exec, or an init), wait for it to exit,
 * and write its own program over runc on the host, which root would
 * run next.  drydock's processes inside a container are the child
 * until it execs and the --init for the container's whole life.  The
 * cure, as runc's: `drydock run` re-executes itself from a copy of its
 * binary in a memfd (memfd_create(2)) sealed against every change
 * (F_SEAL_WRITE, F_SEAL_GROW, F_SEAL_SHRINK, then F_SEAL_SEAL), so
 * /proc/PID/exe leads to a file nobody can write, not to the host's
 * binary.  The stage also makes those processes non-dumpable, so
 * without CAP_SYS_PTRACE the container cannot even open the link.
 *
 * The cost is one copy of the binary into memory and one execve at
 * start; `make bench` measures it (doc/16-security.md).  `drydock run`
 * pays it only when the container can see a drydock process: with
 * --init, or --pid host (where `drydock run` itself is in view).
 * Otherwise the child is alone in its new PID namespace until it execs,
 * and after the exec no drydock process is left inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "security.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALED_NAME "drydock"
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool sec_running_sealed(void)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals = self >= 0 ? fcntl(self, F_GET_SEALS) : -1;

	return seals >= 0 && (seals & SEALS) == SEALS;
}

int sec_exec_sealed_copy(char **argv, struct dd_error *err)
{
	/* BEGIN SOLUTION: unless already running from one, copy /proc/self/exe into a memfd, seal it against writes, growth and shrinking, and re-execute drydock from it with the same argv */
	_cleanup_close_ int self = -1, copy = -1;
	char path[PATH_MAX];
	struct stat st;
	off_t off = 0;
	ssize_t n;

	if (sec_running_sealed()) {
		/* comm would be the memfd's name: keep `drydock` for ps and pgrep. */
		prctl(PR_SET_NAME, SEALED_NAME, 0, 0, 0);
		return 0;
	}
	self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0 || fstat(self, &st) < 0)
		return dd_fail(err, errno, "Cannot open drydock's own binary");
	copy = memfd_create(SEALED_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (copy < 0 && errno == EINVAL) /* a kernel before 6.3 knows no MFD_EXEC */
		copy = memfd_create(SEALED_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		return dd_fail(err, errno, "Cannot create a memfd for a sealed copy of drydock");
	while (off < st.st_size) {
		n = sendfile(copy, self, &off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return dd_fail(err, n < 0 ? errno : EIO, "Cannot copy drydock's binary");
	}
	if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
		return dd_fail(err, errno, "Cannot seal the copy of drydock's binary");
	/* The copy has no path: say where it came from (built-in images
	 * are found beside the binary). */
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n > 0) {
		path[n] = '\0';
		setenv("DRYDOCK_EXE", path, 1);
	}
	syscall(SYS_execveat, copy, "", argv, environ, AT_EMPTY_PATH);
	return dd_fail(err, errno, "Cannot execute the sealed copy of drydock");
	/* END SOLUTION */
}
