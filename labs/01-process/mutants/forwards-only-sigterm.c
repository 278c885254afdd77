/* mutant: forwards only SIGTERM, so ctrl-c (SIGINT) kills drydock and not the container
 * file: chapters/01-process/process.c
 * task: a signal handler that passes the signals a user sends to drydock on to the container
 */
static const int forwarded_signals[] = {
	SIGTERM,
};

static volatile sig_atomic_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}
