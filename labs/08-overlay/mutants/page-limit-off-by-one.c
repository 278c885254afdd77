/* mutant: checks the options' length after copying one page's worth, off by one: 4096 bytes of options pass
 * file: chapters/08-overlay/overlay.c
 * task: a helper that appends one path to the option string, refusing the characters that separate overlayfs's options
 */
static int append_path(char *buf, size_t *len, const char *prefix, const char *path,
		       struct dd_error *err)
{
	size_t need = strlen(prefix) + strlen(path);

	if (strpbrk(path, ",:"))
		return dd_fail(err, EINVAL,
			       "Cannot use '%s' as an overlay layer: overlayfs separates its "
			       "options with ',' and ':'", path);
	if (*len + need > MOUNT_DATA_MAX + 1)
		return dd_fail(err, E2BIG,
			       "Too many layers for one overlay mount: the options exceed "
			       "%d bytes", MOUNT_DATA_MAX);
	memcpy(buf + *len, prefix, strlen(prefix));
	memcpy(buf + *len + strlen(prefix), path, strlen(path));
	*len += need;
	buf[*len < MOUNT_DATA_MAX ? *len : MOUNT_DATA_MAX] = '\0';
	return 0;
}
