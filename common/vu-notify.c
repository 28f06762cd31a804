// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-notify.c - signalling the front-end: used-buffer notifications through
 * the call eventfd (or in-band over the BACKEND_REQ channel) and back-end
 * requests such as CONFIG_CHANGE.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vu-dev.h"

/**
 * vu_backend_request() - Send a request on the BACKEND_REQ channel
 * @dev:	Device
 * @request:	enum vu_backend_request
 * @payload:	Payload, or NULL
 * @size:	Payload bytes
 *
 * No REPLY_ACK is asked for: the front-end may answer a CONFIG_CHANGE with
 * a GET_CONFIG of its own before acknowledging, and the protocol thread
 * waiting for that acknowledgement would deadlock both sides.
 *
 * Return: 0, or negative errno
 */
static int vu_backend_request(struct vu_dev *dev, uint32_t request,
			      const void *payload, uint32_t size)
{
	struct vu_msg m = { .hdr = { request, VU_FLAG_VERSION, size } };
	int ret = -ENOTCONN;

	if (size)
		memcpy(m.payload.raw, payload, size);
	g_mutex_lock(&dev->backend_lock);
	if (dev->backend_fd >= 0)
		ret = vu_msg_send(dev->backend_fd, &m, NULL, 0);
	g_mutex_unlock(&dev->backend_lock);
	return ret;
}

/**
 * vu_dev_signal() - Signal a queue's used buffers to the front-end
 * @dev:	Device
 * @vq:		Queue
 */
static void vu_dev_signal(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_vring_state s = { .index = vq->index, .num = 0 };

	if (vq->call_fd >= 0) {
		if (eventfd_write(vq->call_fd, 1) < 0)
			g_debug("queue %u: call failed: %s", vq->index,
				g_strerror(errno));
		return;
	}
	if (vu_dev_has_proto(dev, VU_PF_INBAND_NOTIFICATIONS))
		vu_backend_request(dev, VU_BACKEND_VRING_CALL, &s, sizeof(s));
}

/**
 * vu_dev_notify() - Notify the guest of used buffers unless it suppressed it
 * @dev:	Device
 * @vq:		Queue (on its worker thread)
 */
void vu_dev_notify(struct vu_dev *dev, struct vu_queue *vq)
{
	if (vu_queue_should_notify(vq))
		vu_dev_signal(dev, vq);
}

/**
 * vu_dev_complete() - Publish a batch of pushed used entries, then notify
 * the guest once for the whole batch
 * @dev:	Device
 * @vq:		Queue (on its worker thread)
 */
void vu_dev_complete(struct vu_dev *dev, struct vu_queue *vq)
{
	vu_queue_flush(vq);
	vu_dev_notify(dev, vq);
}

/**
 * vu_dev_config_changed() - Tell the front-end the config space changed
 * @dev:	Device
 *
 * Return: 0, -ENOTSUP if the BACKEND_REQ channel was not negotiated, or
 * another negative errno
 */
int vu_dev_config_changed(struct vu_dev *dev)
{
	if (!vu_dev_has_proto(dev, VU_PF_BACKEND_REQ) ||
	    !vu_dev_has_proto(dev, VU_PF_CONFIG))
		return -ENOTSUP;
	return vu_backend_request(dev, VU_BACKEND_CONFIG_CHANGE, NULL, 0);
}
