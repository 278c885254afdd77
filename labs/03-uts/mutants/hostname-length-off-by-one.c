/* mutant: passes strlen(name) - 1 as the length, dropping the name's last character
 * file: chapters/03-uts/uts.c
 * task: set the hostname of this UTS namespace with sethostname(2)
 */
	if (sethostname(name, strlen(name) - 1) < 0)
		return dd_fail(err, errno, "Cannot set hostname '%s'", name);
	return 0;
