/*
 * seccomp_cache.c: chapter 16, compiled filters kept for the next start.
 *
 * libseccomp turns some 370 rules for three architectures (x86-64, and
 * the 32-bit and x32 tables a 64-bit kernel also serves) into about a
 * thousand BPF instructions, and takes about 10 ms to do it: most of a
 * container's start.  The program depends only on the rules, the
 * libseccomp version, the machine and the build of seccomp.c, so the
 * engine compiles it once, keeps it under
 * <root>/cache/seccomp/<sha256 of those>.bpf, and hands the child the
 * program to load as it is.
 *
 * Threat model: the cache lives in the state root, which only root can
 * write; whoever can write there can already run anything as root.  A
 * file is still checked before use: a whole number of instructions, at
 * most BPF_MAXINSNS, else it is compiled again.  Files are written
 * atomically, so a reader never sees half of one.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/oci.h"
#include "core/base/sha256.h"
#include "core/base/util.h"
#include "security.h"

#define BPF_MAX_BYTES (BPF_MAXINSNS * sizeof(struct sock_filter))

/* What the program depends on, as a digest. */
static int filter_key(const struct dd_seccomp *sc, char key[DD_SHA256_HEX], struct dd_error *err)
{
	_cleanup_free_ char *json = dd_oci_seccomp_json(sc);
	const struct scmp_version *v = seccomp_version();
	char extra[128];
	struct utsname u;
	struct dd_sha256 h;

	if (!json || uname(&u) < 0)
		return dd_fail(err, ENOMEM, "Cannot describe the seccomp filter");
	snprintf(extra, sizeof(extra), "libseccomp %u.%u.%u api %u %s built %s", v->major,
		 v->minor, v->micro, seccomp_api_get(), u.machine, sec_seccomp_build_id);
	dd_sha256_init(&h);
	dd_sha256_update(&h, extra, strlen(extra) + 1);
	dd_sha256_update(&h, json, strlen(json));
	dd_sha256_hex(&h, key);
	return 0;
}

static bool valid_program(size_t len)
{
	return len > 0 && len <= BPF_MAX_BYTES && len % sizeof(struct sock_filter) == 0;
}

int sec_seccomp_compile(struct dd_seccomp *sc, const char *cache_dir, struct dd_error *err)
{
	char key[DD_SHA256_HEX];
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int mem = -1;
	scmp_filter_ctx ctx = NULL;
	char *prog = NULL;
	size_t len = 0;
	off_t end;

	if (filter_key(sc, key, err) < 0)
		return -1;
	path = cache_dir ? dd_strdup_printf("%s/%s.bpf", cache_dir, key) : NULL;
	if (path && dd_read_file(path, &prog, &len, err) == 0 && valid_program(len)) {
		sc->bpf = prog;
		sc->bpf_len = len;
		return 0;
	}
	free(prog);
	dd_error_clear(err);
	if (sec_seccomp_build(sc, &ctx, err) < 0)
		return -1;
	mem = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (mem < 0 || seccomp_export_bpf(ctx, mem) < 0 || (end = lseek(mem, 0, SEEK_END)) < 0 ||
	    !valid_program(end) || !(prog = malloc(end)) || pread(mem, prog, end, 0) != end) {
		seccomp_release(ctx);
		free(prog);
		return dd_fail(err, errno ? errno : EINVAL, "Cannot compile the seccomp filter");
	}
	seccomp_release(ctx);
	sc->bpf = prog;
	sc->bpf_len = end;
	/* A cache that cannot be written only costs time. */
	if (path && dd_mkdir_p(cache_dir, 0700, err) == 0)
		dd_write_file_atomic(path, prog, end, 0600, err);
	dd_error_clear(err);
	return 0;
}

int sec_seccomp_load_bpf(const struct dd_seccomp *sc, struct dd_error *err)
{
	struct sock_fprog fprog = {
		.len = sc->bpf_len / sizeof(struct sock_filter),
		.filter = sc->bpf,
	};

	if (!valid_program(sc->bpf_len))
		return dd_fail(err, EINVAL, "Invalid compiled seccomp filter");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		return dd_fail(err, errno, "Cannot load the seccomp filter");
	return 0;
}
