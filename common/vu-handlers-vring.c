// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-handlers-vring.c - request handlers for the rings: size, addresses,
 * base, kick/call/err notifiers, enable, and the start/stop rules.
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "vu-dev.h"
#include "vu-handlers.h"

/**
 * vu_vring() - The queue a ring request names
 * @dev:	Device
 * @index:	Index from the request
 * @what:	Request name, for the log
 *
 * Return: the queue, or NULL (logged) if the index is out of range
 */
static struct vu_queue *vu_vring(struct vu_dev *dev, uint64_t index,
				 const char *what)
{
	if (index >= dev->nvqs) {
		g_warning("%s: ring %" G_GUINT64_FORMAT " out of range (%u)",
			  what, index, dev->nvqs);
		return NULL;
	}
	return &dev->vqs[index];
}

/**
 * vu_vring_mapped() - Are the rings of a queue mapped?
 * @vq:		Queue
 *
 * Return: true if vu_queue_map() succeeded for the current addresses
 */
static bool vu_vring_mapped(const struct vu_queue *vq)
{
	return (vq->desc || vq->pdesc) && vq->mapped_size == vq->size;
}

/**
 * vu_h_set_vring_num() - SET_VRING_NUM: the queue size
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL for a size we cannot serve
 */
VU_HANDLER(vu_h_set_vring_num)
{
	struct vu_queue *vq = vu_vring(dev, m->payload.state.index, "NUM");
	uint32_t num = m->payload.state.num;
	bool packed = vu_dev_has_feature(dev, VU_F_RING_PACKED);

	if (!vq || vq->started)
		return VU_FAIL;
	if (num == 0 || num > dev->device->max_queue_size ||
	    num > VU_QUEUE_MAX_SIZE || (!packed && (num & (num - 1)))) {
		g_warning("ring %u: size %u not supported", vq->index, num);
		return VU_FAIL;
	}
	vq->size = (uint16_t)num;
	return VU_OK;
}

/**
 * vu_h_set_vring_addr() - SET_VRING_ADDR: where the ring lives
 * @dev:	Device
 * @m:		Request
 *
 * Also used while the ring runs, to turn used-ring logging on or off.
 *
 * Return: VU_OK, or VU_FAIL if the addresses are outside guest memory
 */
VU_HANDLER(vu_h_set_vring_addr)
{
	struct vu_queue *vq = vu_vring(dev, m->payload.addr.index, "ADDR");
	int ret;

	if (!vq || !vq->size)
		return VU_FAIL;
	vq->addr = m->payload.addr;
	ret = vu_queue_map(vq);
	if (ret < 0) {
		g_warning("ring %u: addresses not in guest memory: %s",
			  vq->index, g_strerror(-ret));
		return VU_FAIL;
	}
	return VU_OK;
}

/**
 * vu_h_set_vring_base() - SET_VRING_BASE: where the ring starts
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL if the ring runs or the base is invalid
 */
VU_HANDLER(vu_h_set_vring_base)
{
	struct vu_queue *vq = vu_vring(dev, m->payload.state.index, "BASE");

	if (!vq || vq->started)
		return VU_FAIL;
	if (vu_queue_set_base(vq, m->payload.state.num) < 0)
		return VU_FAIL;
	return VU_OK;
}

/**
 * vu_h_get_vring_base() - GET_VRING_BASE: stop the ring, report its base
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * In-flight requests complete before the reply (vu_dev_stop_queue()).
 *
 * Return: VU_REPLY, or VU_FAIL for a bad index
 */
VU_HANDLER(vu_h_get_vring_base)
{
	struct vu_queue *vq = vu_vring(dev, m->payload.state.index, "GET_BASE");

	if (!vq)
		return VU_FAIL;
	vu_dev_stop_queue(dev, vq);
	m->payload.state.num = vu_queue_get_base(vq);
	vu_msg_set_reply(m, sizeof(m->payload.state));
	return VU_REPLY;
}

/**
 * vu_vring_notifier() - Decode the u64 of SET_VRING_KICK/CALL/ERR
 * @dev:	Device
 * @m:		Request
 * @vq:		Set to the queue it names
 * @fd:		Set to the fd it carries (owned by the caller), or -1
 *
 * Return: VU_OK, VU_FAIL for a bad index, VU_CLOSE if the fd count does not
 * match the NOFD flag or reserved bits are set
 */
static enum vu_result vu_vring_notifier(struct vu_dev *dev, struct vu_msg *m,
					struct vu_queue **vq, int *fd)
{
	uint64_t v = m->payload.u64;
	bool nofd = v & VU_VRING_NOFD;

	*fd = -1;
	if ((v & ~(VU_VRING_IDX_MASK | VU_VRING_NOFD)) ||
	    (nofd ? m->nfds != 0 : m->nfds != 1)) {
		g_warning("%s: malformed notifier %#" G_GINT64_MODIFIER
			  "x with %u fds", vu_msg_name(m->hdr.request), v,
			  m->nfds);
		return VU_CLOSE;
	}
	*vq = vu_vring(dev, v & VU_VRING_IDX_MASK, vu_msg_name(m->hdr.request));
	if (!*vq)
		return VU_FAIL;
	*fd = vu_msg_take_fd(m, 0);
	return VU_OK;
}

/**
 * vu_vring_start() - Start a ring that has its kick notifier
 * @dev:	Device
 * @vq:		Queue
 *
 * Requests found in the inflight region are queued for resubmission, and
 * the device is kicked once to pick up what the guest already posted.
 *
 * Return: VU_OK, or VU_FAIL if the ring is not mapped
 */
static enum vu_result vu_vring_start(struct vu_dev *dev, struct vu_queue *vq)
{
	int n;

	if (!vu_vring_mapped(vq) && vu_queue_map(vq) < 0) {
		g_warning("ring %u: kick before valid ring addresses",
			  vq->index);
		return VU_FAIL;
	}
	vq->started = true;
	vq->draining = false;
	vq->inflight = NULL;
	if (dev->inflight_on) {
		n = vu_inflight_attach(&dev->inflight, vq);
		if (n > 0)
			g_message("ring %u: resubmitting %d in-flight requests",
				  vq->index, n);
		else if (n < 0)
			g_warning("ring %u: no inflight tracking: %s",
				  vq->index, g_strerror(-n));
	}
	if (dev->hooks.queue_changed)
		dev->hooks.queue_changed(dev, vq);
	if (dev->device->queue_started)
		dev->device->queue_started(dev, vq);
	if (vq->enabled || dev->device->process_disabled)
		vu_dev_kick(dev, vq);
	return VU_OK;
}

/**
 * vu_h_set_vring_kick() - SET_VRING_KICK: the kick notifier; starts the ring
 * @dev:	Device
 * @m:		Request
 *
 * Without an fd (NOFD) kicks come in-band (VRING_KICK) or not at all.
 *
 * Return: VU_OK, VU_FAIL or VU_CLOSE
 */
VU_HANDLER(vu_h_set_vring_kick)
{
	struct vu_queue *vq;
	enum vu_result r;
	int fd;

	r = vu_vring_notifier(dev, m, &vq, &fd);
	if (r != VU_OK)
		return r;
	/* Stop watching the old fd before it is closed */
	vq->started = false;
	if (dev->hooks.queue_changed)
		dev->hooks.queue_changed(dev, vq);
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = fd;
	return vu_vring_start(dev, vq);
}

/**
 * vu_vring_replace_fd() - Install the fd of SET_VRING_CALL or SET_VRING_ERR
 * @dev:	Device
 * @m:		Request
 * @field:	offsetof() the fd slot in struct vu_queue
 *
 * Return: VU_OK, VU_FAIL or VU_CLOSE
 */
static enum vu_result vu_vring_replace_fd(struct vu_dev *dev, struct vu_msg *m,
					  size_t field)
{
	struct vu_queue *vq;
	enum vu_result r;
	int fd, *slot;

	r = vu_vring_notifier(dev, m, &vq, &fd);
	if (r != VU_OK)
		return r;
	slot = (int *)((char *)vq + field);
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
	return VU_OK;
}

/**
 * vu_h_set_vring_call() - SET_VRING_CALL: the used-buffer notifier
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, VU_FAIL or VU_CLOSE
 */
VU_HANDLER(vu_h_set_vring_call)
{
	return vu_vring_replace_fd(dev, m, offsetof(struct vu_queue, call_fd));
}

/**
 * vu_h_set_vring_err() - SET_VRING_ERR: the ring error notifier
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, VU_FAIL or VU_CLOSE
 */
VU_HANDLER(vu_h_set_vring_err)
{
	return vu_vring_replace_fd(dev, m, offsetof(struct vu_queue, err_fd));
}

/**
 * vu_h_set_vring_enable() - SET_VRING_ENABLE: enable or disable a ring
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL for a bad index or value
 */
VU_HANDLER(vu_h_set_vring_enable)
{
	struct vu_queue *vq = vu_vring(dev, m->payload.state.index, "ENABLE");
	uint32_t on = m->payload.state.num;

	if (!vq || on > 1)
		return VU_FAIL;
	vq->enabled = on;
	/* Devices that process disabled rings also hear of the change */
	if (on || dev->device->process_disabled)
		vu_dev_kick(dev, vq);
	return VU_OK;
}

/**
 * vu_h_vring_kick() - VRING_KICK: an in-band kick; the first one starts the
 * ring (with in-band notifications SET_VRING_KICK may never come)
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL for a bad index or a ring not ready to start
 */
VU_HANDLER(vu_h_vring_kick)
{
	struct vu_queue *vq = vu_vring(dev, m->payload.state.index, "KICK");

	if (!vq)
		return VU_FAIL;
	if (!vq->started)
		return vu_vring_start(dev, vq);
	if (vq->enabled)
		vu_dev_kick(dev, vq);
	return VU_OK;
}
