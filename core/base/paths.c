/* paths.c: where things live under the data root and the run root (paths.h). */
#include "core/base/paths.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const dir_names[] = {
	[DD_DIR_IMAGES] = "images",
	[DD_DIR_LAYERS] = "layers",
	[DD_DIR_CONTAINERS] = "containers",
	[DD_DIR_TMP] = "tmp",
	[DD_DIR_CACHE] = "cache",
	[DD_DIR_RUN_CONTAINERS] = "containers",
	[DD_DIR_RUN_NAMES] = "names",
};

char *dd_state_path(const char *root, enum dd_state_dir dir, const char *fmt, ...)
{
	char *rest = NULL, *path = NULL;
	va_list ap;
	int n;

	if (!fmt)
		return asprintf(&path, "%s/%s", root, dir_names[dir]) < 0 ? NULL : path;
	va_start(ap, fmt);
	n = vasprintf(&rest, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if (asprintf(&path, "%s/%s/%s", root, dir_names[dir], rest) < 0)
		path = NULL;
	free(rest);
	return path;
}
