/* mutant: calls setdomainname(2) instead of sethostname(2)
 * file: chapters/03-uts/uts.c
 * task: set the hostname of this UTS namespace with sethostname(2)
 */
	if (setdomainname(name, strlen(name)) < 0)
		return dd_fail(err, errno, "Cannot set hostname '%s'", name);
	return 0;
