/* mutant: ignores sethostname's failure, so a name the kernel refuses is silently not set
 * file: chapters/03-uts/uts.c
 * task: set the hostname of this UTS namespace with sethostname(2)
 */
	sethostname(name, strlen(name));
	return 0;
