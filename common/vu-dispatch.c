// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-dispatch.c - the request dispatcher: one place that receives a request,
 * validates it against the table, checks that it is supported and
 * negotiated, runs its handler with the workers locked, closes every fd the
 * handler did not keep, and sends the reply or the REPLY_ACK.
 */
#include <errno.h>
#include <unistd.h>

#include "vu-dev.h"

/**
 * vu_dispatch_supported() - Is a (well formed) request handled here?
 * @dev:	Device
 * @m:		Request
 *
 * Return: NULL if it is, else why not
 */
static const char *vu_dispatch_supported(struct vu_dev *dev,
					 const struct vu_msg *m)
{
	const struct vu_msg_spec *s = vu_msg_spec(m->hdr.request);

	if (!s)
		return "unknown request";
	if (!s->handler)
		return "unsupported request";
	if (s->needs >= 0 && !vu_dev_has_proto(dev, (unsigned int)s->needs))
		return "request of a protocol feature not negotiated";
	return NULL;
}

/**
 * vu_dispatch_ring() - The queue a ring request names
 * @dev:	Device
 * @m:		Ring request (validated)
 *
 * Return: the queue, or NULL if the index is out of range (the handler
 * then fails the request)
 */
static struct vu_queue *vu_dispatch_ring(struct vu_dev *dev,
					 const struct vu_msg *m)
{
	uint32_t r = m->hdr.request;
	uint64_t index = m->payload.state.index;

	if (r == VU_SET_VRING_KICK || r == VU_SET_VRING_CALL ||
	    r == VU_SET_VRING_ERR)
		index = m->payload.u64 & VU_VRING_IDX_MASK;
	return vu_dev_queue(dev, (unsigned int)MIN(index, UINT32_MAX));
}

/**
 * vu_dispatch_locked() - Run a handler with what it needs paused
 * @dev:	Device
 * @m:		Request
 * @s:		Its table entry
 *
 * Return: the handler's result
 */
static enum vu_result vu_dispatch_locked(struct vu_dev *dev, struct vu_msg *m,
					 const struct vu_msg_spec *s)
{
	struct vu_queue *vq = NULL;
	enum vu_result r;

	if (s->lock == VU_LOCK_ALL)
		vu_dev_lock(dev);
	if (s->lock == VU_LOCK_RING) {
		vq = vu_dispatch_ring(dev, m);
		if (vq)
			vu_dev_lock_queue(dev, vq);
	}
	r = s->handler(dev, m);
	if (vq)
		vu_dev_unlock_queue(dev, vq);
	if (s->lock == VU_LOCK_ALL)
		vu_dev_unlock(dev);
	return r;
}

/**
 * vu_dev_dispatch() - Handle one received request
 * @dev:	Device
 * @m:		Request; on return, the reply if the result is VU_REPLY
 *
 * Return: what the handler asked for; VU_CLOSE for malformed requests
 */
enum vu_result vu_dev_dispatch(struct vu_dev *dev, struct vu_msg *m)
{
	const char *why = vu_msg_validate(m);
	enum vu_result r;

	if (why) {
		g_warning("front-end sent a malformed %s (%u bytes, %u fds): %s",
			  vu_msg_name(m->hdr.request), m->hdr.size, m->nfds,
			  why);
		vu_msg_close_fds(m);
		return VU_CLOSE;
	}
	why = vu_dispatch_supported(dev, m);
	if (why) {
		g_warning("front-end sent %s (%u): %s",
			  vu_msg_name(m->hdr.request), m->hdr.request, why);
		vu_msg_close_fds(m);
		return VU_FAIL;
	}
	g_debug("request %s, %u bytes, %u fds", vu_msg_name(m->hdr.request),
		m->hdr.size, m->nfds);
	r = vu_dispatch_locked(dev, m, vu_msg_spec(m->hdr.request));
	vu_msg_close_fds(m);
	return r;
}

/**
 * vu_dispatch_reply() - Send what a handled request calls for
 * @dev:	Device
 * @m:		Request, or the reply the handler made of it
 * @r:		Handler result
 *
 * Return: 0, or negative errno if the reply could not be sent
 */
static int vu_dispatch_reply(struct vu_dev *dev, struct vu_msg *m,
			     enum vu_result r)
{
	const struct vu_msg_spec *s = vu_msg_spec(m->hdr.request);
	int fd = m->reply_fd, ret = 0;

	if (r == VU_REPLY) {
		ret = vu_msg_send(dev->sock, m, fd >= 0 ? &fd : NULL,
				  fd >= 0 ? 1 : 0);
	} else if (s && s->replies && s->handler) {
		/* A failed request with a reply of its own still answers */
		vu_msg_set_reply_u64(m, 1);
		ret = vu_msg_send(dev->sock, m, NULL, 0);
	} else if (m->hdr.flags & VU_FLAG_NEED_REPLY) {
		vu_msg_set_reply_u64(m, r == VU_OK ? 0 : 1);
		ret = vu_msg_send(dev->sock, m, NULL, 0);
	}
	if (fd >= 0)
		close(fd);
	m->reply_fd = -1;
	return ret;
}

/**
 * vu_dev_process() - Receive and handle one request from the front-end
 * @dev:	Connected device
 *
 * Return: 0 to keep the session, negative errno to end it (the caller then
 * calls vu_dev_disconnect())
 */
int vu_dev_process(struct vu_dev *dev)
{
	struct vu_msg m;
	enum vu_result r;
	int ret;

	ret = vu_msg_recv(dev->sock, &m);
	if (ret == -EPIPE) {
		g_debug("front-end closed the connection");
		return ret;
	}
	if (ret < 0) {
		g_warning("reading a request failed: %s", g_strerror(-ret));
		return ret;
	}
	r = vu_dev_dispatch(dev, &m);
	if (r == VU_CLOSE)
		return -EPROTO;
	ret = vu_dispatch_reply(dev, &m, r);
	if (ret < 0)
		g_warning("sending a reply failed: %s", g_strerror(-ret));
	return ret;
}
