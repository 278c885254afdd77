/* paths.c: where things live under the data root and the run root (paths.h). */
#include "core/base/paths.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const state_dir_names[] = {
	[DD_DIR_IMAGES] = "images",
	[DD_DIR_LAYERS] = "layers",
	[DD_DIR_CONTAINERS] = "containers",
	[DD_DIR_TMP] = "tmp",
	[DD_DIR_CACHE] = "cache",
};

static const char *const run_dir_names[] = {
	[DD_RUN_CONTAINERS] = "containers",
	[DD_RUN_NAMES] = "names",
};

static char *vpath(const char *root, const char *dir, const char *fmt, va_list ap)
{
	char *rest = NULL, *path = NULL;

	if (!fmt)
		return asprintf(&path, "%s/%s", root, dir) < 0 ? NULL : path;
	if (vasprintf(&rest, fmt, ap) < 0)
		return NULL;
	if (asprintf(&path, "%s/%s/%s", root, dir, rest) < 0)
		path = NULL;
	free(rest);
	return path;
}

char *dd_state_path(const char *root, enum dd_state_dir dir, const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = vpath(root, state_dir_names[dir], fmt, ap);
	va_end(ap);
	return path;
}

char *dd_run_path(const char *runroot, enum dd_run_dir dir, const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = vpath(runroot, run_dir_names[dir], fmt, ap);
	va_end(ap);
	return path;
}
