/* mutant: passes MS_RDONLY with the first bind mount, which ignores it: a :ro volume is writable
 * file: chapters/07-rootfs/rootfs.c
 * task: bind-mount each volume (read-only with :ro) and mount each tmpfs at its target inside the root
 */
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct dd_mount *m = &cfg->mounts[i];
		_cleanup_close_ int target = -1;
		struct stat st;

		if (m->type == DD_MOUNT_TMPFS) {
			target = dd_mkdir_in_root(rootfd, m->target, 0755, err);
			if (target < 0 ||
			    rootfs_mount_at("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV,
					    "mode=1777", err) < 0)
				return target < 0 ? -1 : dd_fail(err, errno,
					"Cannot mount tmpfs at '%s'", m->target);
			continue;
		}
		if (stat(m->source, &st) < 0)
			return dd_fail(err, errno, "Cannot mount volume '%s'", m->source);
		target = volume_target(rootfd, m, !S_ISDIR(st.st_mode), err);
		if (target < 0)
			return -1;
		if (rootfs_mount_at(m->source, target, NULL,
				    MS_BIND | MS_REC | (m->readonly ? MS_RDONLY : 0), NULL, err) < 0)
			return dd_fail(err, errno, "Cannot bind-mount '%s' at '%s'",
				       m->source, m->target);
	}
	return 0;
