/* mutant: writes both maps first and denies setgroups last: the kernel refuses "deny" once gid_map is written, so an unprivileged writer always fails
 * file: chapters/04-user/maps.c
 * task: write the uid map, deny setgroups when the writer is not privileged, then write the gid map
 */
	if (write_proc_file(pid, "uid_map", uid_text, err) < 0 ||
	    write_proc_file(pid, "gid_map", gid_text, err) < 0)
		return -1;
	if (!privileged && write_proc_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	return 0;
