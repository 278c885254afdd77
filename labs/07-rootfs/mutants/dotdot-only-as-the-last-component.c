/* mutant: refuses '..' only as the last component: 'a/../../etc/passwd' climbs out of the root
 * file: chapters/07-rootfs/safepath.c
 * task: make a member name relative to the root (drop leading '/', '.' and empty components) and refuse any '..' component
 */
	size_t len = 0;

	for (const char *p = name; *p;) {
		const char *end = strchrnul(p, '/');
		size_t n = end - p;

		if (n == 2 && p[0] == '.' && p[1] == '.' && !*end)
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
