/* sync.c: typed messages, with file descriptors, over a seqpacket socket. */
#include "core/runtime/sync.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What travels: a fixed header, then the payload. */
struct wire_header {
	uint32_t type;
	int32_t chapter;
	uint32_t len;
};

int dd_msg_send(int sock, const struct dd_msg *m, struct dd_error *err)
{
	struct wire_header h = { .type = m->type, .chapter = m->chapter, .len = m->len };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)m->payload, .iov_len = m->len },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * DD_MSG_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	if (m->len > DD_MSG_MAX_PAYLOAD || m->nfds < 0 || m->nfds > DD_MSG_MAX_FDS)
		return dd_fail(err, EINVAL, "Cannot send a message of %zu bytes and %d fds",
			       m->len, m->nfds);
	if (m->nfds > 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * m->nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * m->nfds);
		memcpy(CMSG_DATA(c), m->fds, sizeof(int) * m->nfds);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return dd_fail(err, errno, "Cannot send message %d to the container's process",
			       (int)m->type);
	return 0;
}

int dd_msg_send_type(int sock, enum dd_msg_type type, struct dd_error *err)
{
	struct dd_msg m = { .type = type };

	return dd_msg_send(sock, &m, err);
}

void dd_msg_send_error(int sock, const struct dd_error *err)
{
	struct dd_msg m = { .type = DD_MSG_ERROR, .len = sizeof(*err) };
	struct dd_error ignored;

	_Static_assert(sizeof(struct dd_error) <= DD_MSG_MAX_PAYLOAD, "an error fits a message");
	memcpy(m.payload, err, sizeof(*err));
	dd_msg_send(sock, &m, &ignored);
}

void dd_msg_close_fds(struct dd_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = 0;
}

int dd_msg_recv(int sock, struct dd_msg *m, struct dd_error *err)
{
	struct wire_header h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = m->payload, .iov_len = sizeof(m->payload) },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * DD_MSG_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {
		.msg_iov = iov, .msg_iovlen = 2,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	m->type = 0;
	m->len = 0;
	m->nfds = 0;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < 0)
		return dd_fail(err, errno, "Cannot read from the container's process");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		m->nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(m->fds, CMSG_DATA(c), sizeof(int) * m->nfds);
	}
	if ((size_t)n < sizeof(h) || h.len != (size_t)n - sizeof(h) || (msg.msg_flags & MSG_TRUNC)) {
		dd_msg_close_fds(m);
		return dd_fail(err, EPROTO, "A malformed message came from the container's process");
	}
	m->type = h.type;
	m->chapter = h.chapter;
	m->len = h.len;
	if (m->type != DD_MSG_ERROR)
		return 1;
	dd_msg_close_fds(m);
	if (m->len != sizeof(*err))
		return dd_fail(err, EPROTO, "A malformed error came from the container's process");
	memcpy(err, m->payload, sizeof(*err));
	err->msg[sizeof(err->msg) - 1] = '\0';
	return -1;
}
