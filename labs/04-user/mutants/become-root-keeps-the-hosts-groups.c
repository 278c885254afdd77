/* mutant: takes uid and gid 0 but leaves drydock's supplementary groups: unmapped, they show as 65534 and still grant the host's group access
 * file: chapters/04-user/maps.c
 * task: drop the host's supplementary groups (where setgroups is allowed), then take gid 0 and uid 0 of the namespace with setresgid and setresuid
 */
	(void)allowed;
	if (setresgid(0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot become gid 0 in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return dd_fail(err, errno, "Cannot become uid 0 in the user namespace");
	return 0;
