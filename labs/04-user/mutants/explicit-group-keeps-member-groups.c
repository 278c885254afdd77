/* mutant: adds the user's /etc/group memberships even when -u names a group: -u alice:staff still runs with alice's other groups, unlike runc and Docker
 * file: chapters/04-user/passwd.c
 * task: split spec at ':', find the user by name (an error if the image lacks it) or take the number, its gid from /etc/passwd or the group given, its groups from /etc/group, then --group-add
 */
	_cleanup_free_ char *copy = strdup(spec), *home = NULL;
	const char *f[PASSWD_FIELDS], *name = NULL;
	size_t len[PASSWD_FIELDS];
	char *colon;
	unsigned int id;
	bool found;

	if (!copy)
		return dd_fail(err, ENOMEM, "Out of memory");
	colon = strchr(copy, ':');
	if (colon)
		*colon++ = '\0';
	if (!copy[0] || (colon && !colon[0]))
		return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid user '%s': expected "
				    "NAME|UID[:GROUP|GID]", spec);
	if (is_number(copy)) {
		if (parse_id(copy, strlen(copy), &id) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Invalid user id '%s'", copy);
		found = passwd && find_line(passwd, PASSWD_FIELDS, 2, copy, f, len) == 0;
		cfg->uid = id;
		cfg->gid = 0; /* a uid the image does not know: group 0, as Docker */
	} else {
		found = passwd && find_line(passwd, PASSWD_FIELDS, 0, copy, f, len) == 0;
		if (!found || parse_id(f[2], len[2], &id) < 0)
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unable to find user '%s': no "
					    "matching entry in the image's /etc/passwd", copy);
		cfg->uid = id;
	}
	if (found) {
		name = strndup(f[0], len[0]);
		home = strndup(f[5], len[5]);
		if (!name || !home) {
			free((char *)name);
			return dd_fail(err, ENOMEM, "Out of memory");
		}
		if (parse_id(f[3], len[3], &id) == 0)
			cfg->gid = id;
	}
	cfg->ngroups = 0;
	if ((colon && lookup_group(group, colon, &cfg->gid, err) < 0) ||
	    (name && group && member_groups(group, name, cfg, err) < 0)) {
		free((char *)name);
		return -1;
	}
	free((char *)name);
	for (size_t i = 0; group_add && group_add[i]; i++) {
		gid_t gid;

		if (lookup_group(group, group_add[i], &gid, err) < 0 || add_group(cfg, gid, err) < 0)
			return -1;
	}
	cfg->user_set = true;
	if (home && home[0] == '/') {
		_cleanup_free_ char *kv = dd_strdup_printf("HOME=%s", home);

		if (!kv || dd_config_setenv(cfg, kv) < 0)
			return dd_fail(err, ENOMEM, "Out of memory");
	}
	return 0;
