/* mutant: sets the uid before the gid: once the uid is not 0 the effective capabilities are gone, and setresgid fails with EPERM
 * file: chapters/04-user/maps.c
 * task: set the supplementary groups, then the gid, then the uid (each with setres*), in that order
 */
	if (setgroups(cfg->ngroups, cfg->groups) < 0)
		return dd_fail(err, errno, "Cannot set the %zu supplementary groups", cfg->ngroups);
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		return dd_fail(err, errno, "Cannot become uid %u", (unsigned)cfg->uid);
	if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		return dd_fail(err, errno, "Cannot become gid %u", (unsigned)cfg->gid);
