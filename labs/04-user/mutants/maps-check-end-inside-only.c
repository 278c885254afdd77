/* mutant: checks that a line's inside range ends by the largest id, but not its outside (host) range: a map onto host ids past 2^32 is accepted
 * file: chapters/04-user/idmap.c
 * task: refuse no lines or more than DD_ID_MAPS_MAX, an empty line, a line that runs past the largest id, and two lines whose inside or outside ranges overlap
 */
	if (n == 0 || n > DD_ID_MAPS_MAX)
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid %s: %zu lines (1 to %d)", what,
				    n, DD_ID_MAPS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct dd_id_map *a = &maps[i];

		if (a->count == 0 || (unsigned long)a->container + a->count > USER_ID_LIMIT)
			return dd_fail_kind(err, DD_ERR_USAGE, 0,
					    "Invalid %s line '%u %u %u': it is empty or runs past "
					    "the largest id", what, a->container, a->host, a->count);
		for (size_t k = 0; k < i; k++) {
			const struct dd_id_map *b = &maps[k];

			if (user_ranges_overlap(a->container, a->count, b->container, b->count) ||
			    user_ranges_overlap(a->host, a->count, b->host, b->count))
				return dd_fail_kind(err, DD_ERR_USAGE, 0,
						    "Invalid %s: lines '%u %u %u' and '%u %u %u' "
						    "overlap", what, b->container, b->host, b->count,
						    a->container, a->host, a->count);
		}
	}
	return 0;
