/*
 * sync.h: the messages drydock and a container's first process exchange
 * while the container is being made.
 *
 * They talk over a SOCK_SEQPACKET socket pair: one message per packet, so
 * a message is never split or merged with the next, and file descriptors
 * ride along as SCM_RIGHTS.  The child's end is close-on-exec: when the
 * command is exec'd, drydock reads end-of-file, which is how it knows the
 * exec worked.
 *
 *   drydock                                 child
 *   -------                                 -----
 *   GO                    ------------->    child hooks, phase by phase
 *                         <-------------    WARNING (any time; printed by drydock)
 *                         <-------------    STEP chapter [payload] [fds]
 *   that stage's step hook
 *   STEP_DONE [payload] [fds] ---------->   the stage goes on
 *                         <-------------    CREATED: waiting at the barrier
 *   START                 ------------->    (run: the barrier is the socket)
 *   ... or start: the barrier opens (exec.fifo, see runtime.c) ...
 *                         <-------------    ERROR, or end-of-file on exec
 *
 * Either side sends ERROR (a struct dd_error) instead of its next message
 * when it cannot go on.
 */
#ifndef DD_SYNC_H
#define DD_SYNC_H

#include <stddef.h>

#include "core/base/error.h"

enum dd_msg_type {
	DD_MSG_GO = 1,     /* parent: the parent hooks are done, go on */
	DD_MSG_WARNING,    /* child: a line for drydock's stderr */
	DD_MSG_STEP,       /* child: a stage needs its parent step now */
	DD_MSG_STEP_DONE,  /* parent: the step is done */
	DD_MSG_CREATED,    /* child: every hook before the barrier ran */
	DD_MSG_START,      /* parent: go past the barrier (a container not parked) */
	DD_MSG_ERROR       /* either: a struct dd_error, the end of the talk */
};

#define DD_MSG_MAX_PAYLOAD 2048
#define DD_MSG_MAX_FDS 4

struct dd_msg {
	enum dd_msg_type type;
	int chapter;               /* DD_MSG_STEP: the stage asking */
	size_t len;                /* bytes used in payload */
	char payload[DD_MSG_MAX_PAYLOAD];
	int fds[DD_MSG_MAX_FDS];   /* received fds belong to the receiver */
	int nfds;
};

/* Send one message (payload and fds may be empty). */
int dd_msg_send(int sock, const struct dd_msg *m, struct dd_error *err);
/* Send a message of a type with no payload. */
int dd_msg_send_type(int sock, enum dd_msg_type type, struct dd_error *err);
/* Send err as an ERROR message; best effort (the peer may be gone). */
void dd_msg_send_error(int sock, const struct dd_error *err);
/* Receive one message.  Returns 1, 0 at end-of-file, -1 on failure.
 * A received ERROR is copied into err and returned as -1. */
int dd_msg_recv(int sock, struct dd_msg *m, struct dd_error *err);
/* Close the fds a received message carried. */
void dd_msg_close_fds(struct dd_msg *m);

#endif
