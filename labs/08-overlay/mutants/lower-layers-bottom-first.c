/* mutant: lists the lower layers in the order they come (bottom first): overlayfs then puts the base image on top
 * file: chapters/08-overlay/overlay.c
 * task: build "lowerdir=TOP:...:BOTTOM,upperdir=UPPER,workdir=WORK" (layers come bottom first; overlayfs wants the top-most lower layer first)
 */
	_cleanup_free_ char *buf = calloc(1, MOUNT_DATA_MAX + 1);
	size_t n = dd_strv_len(layers), len = 0;

	if (!buf)
		return dd_fail(err, ENOMEM, "Out of memory");
	if (n == 0)
		return dd_fail(err, EINVAL, "An overlay needs at least one layer");
	if ((upper == NULL) != (work == NULL))
		return dd_fail(err, EINVAL, "An overlay needs both an upper and a work directory");
	for (size_t i = 0; i < n; i++)
		if (append_path(buf, &len, i == 0 ? "lowerdir=" : ":", layers[i], err) < 0)
			return -1;
	if (upper && (append_path(buf, &len, ",upperdir=", upper, err) < 0 ||
		      append_path(buf, &len, ",workdir=", work, err) < 0))
		return -1;
	*out = move_ptr(buf);
	return 0;
