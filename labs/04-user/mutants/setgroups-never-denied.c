/* mutant: never writes "deny" to setgroups: as root it still works, and an unprivileged writer's container can drop the groups a file's mode denies
 * file: chapters/04-user/maps.c
 * task: write the uid map, deny setgroups when the writer is not privileged, then write the gid map
 */
	(void)privileged;
	if (write_proc_file(pid, "uid_map", uid_text, err) < 0)
		return -1;
	return write_proc_file(pid, "gid_map", gid_text, err);
