/* mutant: walks the first 32 capabilities only, as if the set were one 32-bit word: CAP_SYSLOG, CAP_BPF, CAP_PERFMON and the rest stay in the bounding set
 * file: chapters/16-security/caps.c
 * task: drop from the bounding set every capability caps->bounding does not list
 */
	for (int cap = 0; cap < 32; cap++) {
		bool keep;

		if (cap_listed(caps->bounding, cap, &keep, err) < 0)
			return -1;
		if (keep || cap_get_bound(cap) != 1)
			continue;
		if (cap_drop_bound(cap) < 0)
			return dd_fail(err, errno, "Cannot drop capability %d from the bounding set",
				       cap);
	}
	return 0;
