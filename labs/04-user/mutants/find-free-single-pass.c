/* mutant: moves past the entries in one pass over the file's order: after moving past a later entry it never looks again at an earlier one it now overlaps
 * file: chapters/04-user/idmap.c
 * task: from USER_SUBID_MIN, move past every entry the candidate overlaps until none does; fail when the range would end after USER_SUBID_MAX
 */
	unsigned long at = USER_SUBID_MIN;

	for (size_t i = 0; i < n; i++) {
		if (user_ranges_overlap(at, count, entries[i].start, entries[i].count))
			at = entries[i].start + entries[i].count;
	}
	if (at + count - 1 > USER_SUBID_MAX)
		return dd_fail(err, ENOSPC, "No free range of %lu subordinate ids between %lu and "
			       "%lu", count, USER_SUBID_MIN, USER_SUBID_MAX);
	*start = at;
	return 0;
