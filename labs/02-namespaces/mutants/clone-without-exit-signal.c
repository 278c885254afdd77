/* mutant: leaves clone3's exit_signal at 0: the parent gets no SIGCHLD and a plain waitpid never sees the child
 * file: chapters/02-namespaces/namespaces.c
 * task: clone3 a child with the namespace flags and SIGCHLD as its exit signal; the child runs fn(arg) and _exit()s
 */
	struct clone_args args = {
		.flags = flags,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid < 0)
		return dd_fail(err, errno, "Cannot create namespaces (clone3 flags %#lx)", flags);
	if (pid == 0)
		_exit(fn(arg));
	return (pid_t)pid;
