// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-chan.c - libvuf back-end request channel: the socketpair handed over
 * with SET_BACKEND_REQ_FD, requests the back-end sends on it (CONFIG_CHANGE,
 * in-band VRING_CALL, ...) and our REPLY_ACK answers.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vuf-priv.h"

/**
 * vuf_backend_channel_open() - Create the back-end channel and hand it over
 * @c:		Connection
 *
 * Sends SET_BACKEND_REQ_FD with one end of a new socketpair and keeps the
 * other, replacing any previous channel.
 *
 * Return: 0 or -errno
 */
int vuf_backend_channel_open(struct vuf_conn *c)
{
	int sv[2];
	int r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return vuf_fail(c, errno, "socketpair: %s", g_strerror(errno));
	r = vuf_request(c, VUF_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1, 0, NULL);
	close(sv[1]);
	if (r) {
		close(sv[0]);
		return r;
	}
	if (c->bfd >= 0)
		close(c->bfd);
	c->bfd = sv[0];
	return 0;
}

/**
 * vuf_backend_fd() - Our end of the back-end channel
 * @c:		Connection
 *
 * Return: file descriptor, -1 if no channel was opened
 */
int vuf_backend_fd(const struct vuf_conn *c)
{
	return c->bfd;
}

/**
 * chan_recv() - Receive and validate one back-end request
 * @c:		Connection
 * @m:		Message to fill
 * @deadline:	Give up after this
 *
 * In-band VRING_CALL messages are counted per ring here.
 *
 * Return: 0, -ENOTCONN without channel, -EPROTO for a malformed request,
 * or -errno (-ETIMEDOUT)
 */
static int chan_recv(struct vuf_conn *c, struct vuf_msg *m, gint64 deadline)
{
	struct vuf_vring_state s;
	int r;

	if (c->bfd < 0)
		return vuf_fail(c, ENOTCONN, "no back-end channel");
	r = vuf_sock_recv_msg(c->bfd, m, deadline);
	if (r == -ETIMEDOUT)
		return vuf_fail(c, ETIMEDOUT, "no back-end request in time");
	if (r)
		return vuf_fail(c, -r, "back-end channel: %s", g_strerror(-r));
	if ((m->flags & 0x3) != VUF_FLAG_VERSION ||
	    (m->flags & VUF_FLAG_REPLY)) {
		vuf_msg_close_fds(m);
		return vuf_fail(c, EPROTO, "back-end request %u with flags "
				"0x%x", m->request, m->flags);
	}
	if (m->request == VUF_BACKEND_VRING_CALL) {
		if (m->size != sizeof(s)) {
			vuf_msg_close_fds(m);
			return vuf_fail(c, EPROTO, "VRING_CALL of %u bytes",
					m->size);
		}
		memcpy(&s, m->payload, sizeof(s));
		if (s.index < VUF_MAX_VRINGS)
			c->inband_calls[s.index]++;
	}
	return 0;
}

/**
 * vuf_chan_pump() - Read one back-end request while waiting for a call
 * @c:		Connection
 * @deadline:	Give up after this
 *
 * A VRING_CALL is counted and acknowledged; anything else is queued for
 * vuf_backend_recv().
 *
 * Return: 0 or -errno
 */
int vuf_chan_pump(struct vuf_conn *c, gint64 deadline)
{
	struct vuf_msg *m = g_new(struct vuf_msg, 1);
	int r = chan_recv(c, m, deadline);

	if (!r && m->request == VUF_BACKEND_VRING_CALL) {
		r = vuf_backend_reply(c, m, 0);
		vuf_msg_close_fds(m);
	} else if (!r) {
		g_queue_push_tail(&c->pending, m);
		return 0;
	}
	g_free(m);
	return r;
}

/**
 * vuf_backend_recv() - Receive the next request the back-end sent us
 * @c:		Connection
 * @m:		Message to fill (the caller owns its fds and must answer
 *		with vuf_backend_reply() if it carries NEED_REPLY)
 * @timeout_ms:	How long to wait; negative for the connection's timeout
 *
 * Return: 0, -ETIMEDOUT, -EPROTO for a malformed request, or -errno
 */
int vuf_backend_recv(struct vuf_conn *c, struct vuf_msg *m, int timeout_ms)
{
	struct vuf_msg *q = g_queue_pop_head(&c->pending);

	if (q) {
		*m = *q;
		g_free(q);
		return 0;
	}
	return chan_recv(c, m, vuf_deadline(timeout_ms < 0 ? c->timeout_ms :
					    timeout_ms));
}

/**
 * vuf_backend_reply() - Acknowledge a back-end request if it asked for it
 * @c:		Connection
 * @req:	The request received
 * @value:	0 for success, non-zero for failure
 *
 * Return: 0 (also when no reply was asked for) or -errno
 */
int vuf_backend_reply(struct vuf_conn *c, const struct vuf_msg *req,
		      uint64_t value)
{
	uint8_t buf[VUF_HDR_SIZE + sizeof(uint64_t)];
	uint32_t hdr[3] = { req->request, VUF_REPLY_FLAGS, sizeof(value) };
	int r;

	if (!(req->flags & VUF_FLAG_NEED_REPLY))
		return 0;
	if (c->bfd < 0)
		return vuf_fail(c, ENOTCONN, "no back-end channel");
	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + VUF_HDR_SIZE, &value, sizeof(value));
	r = vuf_sock_send(c->bfd, buf, sizeof(buf), NULL, 0,
			  vuf_deadline(c->timeout_ms));
	if (r)
		return vuf_fail(c, -r, "reply on back-end channel: %s",
				g_strerror(-r));
	return 0;
}

/**
 * vuf_backend_inband_calls() - In-band VRING_CALL messages seen for a ring
 * @c:		Connection
 * @index:	Ring index
 *
 * Return: count since the connection was made
 */
uint64_t vuf_backend_inband_calls(const struct vuf_conn *c, uint32_t index)
{
	return index < VUF_MAX_VRINGS ? c->inband_calls[index] : 0;
}
