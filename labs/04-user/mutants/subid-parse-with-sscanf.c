/* mutant: parses the line with sscanf("%[^:]:%lu:%lu"), which skips spaces, takes a sign (wrapping "-1" to a huge number) and ignores whatever follows the count
 * file: chapters/04-user/idmap.c
 * task: split "name:start:count" at its two colons, parse both numbers strictly, refuse a range that is empty or runs past the largest id
 */
	size_t len = strcspn(line, "\n");

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len == 0 || line[0] == '#')
		return 1;
	if (sscanf(line, "%63[^:]:%lu:%lu", out->name, &out->start, &out->count) != 3 ||
	    out->count == 0 || out->start + out->count > USER_ID_LIMIT)
		return dd_fail_kind(err, DD_ERR_USAGE, 0,
				    "Invalid subordinate id line '%.*s': expected name:start:count "
				    "with a range that ends by %lu", (int)len, line, USER_ID_LIMIT);
	return 0;
