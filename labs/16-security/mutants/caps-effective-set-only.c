/* mutant: drops capabilities from the effective set only: the permitted set keeps all of root's, so the container can raise any of them again
 * file: chapters/16-security/caps.c
 * task: set the effective, permitted and inheritable sets with one cap_set_proc, then clear the ambient set and raise the ambient capabilities listed
 */
	cap_t c = cap_get_proc();
	int rc = 0;

	if (!c)
		return dd_fail(err, errno, "Cannot read the capabilities");
	if (cap_clear_flag(c, CAP_EFFECTIVE) < 0 ||
	    set_flag(c, CAP_EFFECTIVE, caps->effective, err) < 0)
		rc = -1;
	else if (cap_set_proc(c) < 0)
		rc = dd_fail(err, errno, "Cannot set the container's capabilities");
	cap_free(c);
	return rc;
