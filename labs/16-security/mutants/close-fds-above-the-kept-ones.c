/* mutant: closes only the descriptors above the highest one kept: what drydock was given below its own socket (fd 3, say) still reaches the container
 * file: chapters/16-security/confine.c
 * task: close every file descriptor from 3 up except those in keep, with close_range(2) over the gaps
 */
	int highest = 2;

	for (size_t i = 0; i < n; i++)
		if (keep[i] > highest)
			highest = keep[i];
	if (syscall(SYS_close_range, highest + 1, ~0U, 0) < 0)
		return dd_fail(err, errno, "Cannot close drydock's descriptors");
	return 0;
