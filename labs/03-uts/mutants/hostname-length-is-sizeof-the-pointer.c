/* mutant: passes sizeof(name), the size of a pointer, as the length: names are cut to 8 bytes
 * file: chapters/03-uts/uts.c
 * task: set the hostname of this UTS namespace with sethostname(2)
 */
	if (sethostname(name, sizeof(name)) < 0)
		return dd_fail(err, errno, "Cannot set hostname '%s'", name);
	return 0;
