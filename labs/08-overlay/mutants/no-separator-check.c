/* mutant: copies layer paths without checking for ',' and ':', so a path holding them changes the mount's options
 * file: chapters/08-overlay/overlay.c
 * task: a helper that appends one path to the option string, refusing the characters that separate overlayfs's options
 */
static int append_path(char *buf, size_t *len, const char *prefix, const char *path,
		       struct dd_error *err)
{
	size_t need = strlen(prefix) + strlen(path);

	if (*len + need > MOUNT_DATA_MAX)
		return dd_fail(err, E2BIG,
			       "Too many layers for one overlay mount: the options exceed "
			       "%d bytes", MOUNT_DATA_MAX);
	memcpy(buf + *len, prefix, strlen(prefix));
	memcpy(buf + *len + strlen(prefix), path, strlen(path) + 1);
	*len += need;
	return 0;
}
