/* mutant: forwards only SIGTERM: ctrl-c (SIGINT), SIGHUP and the user signals never reach the command
 * file: chapters/05-pid/pid.c
 * task: signal handling for the init: remember which signal arrived so the loop can forward it
 */
static volatile sig_atomic_t init_pending[NSIG];

static void init_note_signal(int sig)
{
	init_pending[sig] = 1;
}

static const int init_forwarded[] = {
	SIGTERM,
};
