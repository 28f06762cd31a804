// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-handlers-mem.c - request handlers for guest memory (the table and
 * single regions), the dirty log, the inflight region and the transfer of
 * device state.
 */
#include <errno.h>
#include <unistd.h>

#include "vu-dev.h"
#include "vu-handlers.h"

/**
 * vu_mem_changed() - Re-translate every ring after the memory changed
 * @dev:	Device, locked
 *
 * Every queue is remapped (or left unmapped), so no pointer into a region
 * that went away survives; a started ring whose memory went away is marked
 * broken.
 */
static void vu_mem_changed(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++) {
		struct vu_queue *vq = &dev->vqs[i];

		if (vu_queue_map(vq) < 0 && vq->started)
			vu_queue_set_broken(vq, "ring not in the new memory");
	}
	if (dev->device->mem_changed)
		dev->device->mem_changed(dev);
}

/**
 * vu_mem_quiesce() - Complete the requests in flight before memory changes
 * @dev:	Device, locked
 *
 * Requests in flight hold pointers into the regions about to be unmapped.
 * Running rings hand out no new chains until vu_mem_resume(); each is
 * drained with its worker unlocked, so completions can arrive.
 */
static void vu_mem_quiesce(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].started)
			dev->vqs[i].draining = true;
	if (!dev->device->queue_drain)
		return;
	for (i = 0; i < dev->nvqs; i++) {
		struct vu_queue *vq = &dev->vqs[i];

		if (!vq->started)
			continue;
		vu_dev_unlock_queue(dev, vq);
		dev->device->queue_drain(dev, vq);
		vu_dev_lock_queue(dev, vq);
	}
}

/**
 * vu_mem_resume() - Let running rings go on after a memory change
 * @dev:	Device, locked
 *
 * Each is kicked once for what the guest posted meanwhile.
 */
static void vu_mem_resume(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++) {
		struct vu_queue *vq = &dev->vqs[i];

		if (!vq->started)
			continue;
		vq->draining = false;
		if (vq->enabled)
			vu_dev_kick(dev, vq);
	}
}

/**
 * vu_h_set_mem_table() - SET_MEM_TABLE: replace the whole memory table
 * @dev:	Device
 * @m:		Request with one fd per region
 *
 * Return: VU_OK, VU_CLOSE if the message is inconsistent, VU_FAIL if a
 * region cannot be mapped (the table is then empty)
 */
VU_HANDLER(vu_h_set_mem_table)
{
	const struct vu_mem_table *t = &m->payload.mem;
	unsigned int i;
	int ret = 0;

	if (t->nregions > VU_MEM_TABLE_MAX || t->nregions != m->nfds ||
	    m->hdr.size != 8 + t->nregions * sizeof(struct vu_mem_region)) {
		g_warning("SET_MEM_TABLE: %u regions, %u fds, %u bytes",
			  t->nregions, m->nfds, m->hdr.size);
		return VU_CLOSE;
	}
	vu_mem_quiesce(dev);
	vu_mem_clear(&dev->mem);
	for (i = 0; i < t->nregions; i++) {
		ret = vu_mem_add(&dev->mem, &t->regions[i], vu_msg_take_fd(m, i));
		if (ret < 0) {
			g_warning("SET_MEM_TABLE: region %u: %s", i,
				  g_strerror(-ret));
			vu_mem_clear(&dev->mem);
			break;
		}
	}
	vu_mem_changed(dev);
	vu_mem_resume(dev);
	return ret < 0 ? VU_FAIL : VU_OK;
}

/**
 * vu_h_get_max_mem_slots() - GET_MAX_MEM_SLOTS
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_get_max_mem_slots)
{
	vu_msg_set_reply_u64(m, VU_MEM_MAX_SLOTS);
	return VU_REPLY;
}

/**
 * vu_h_add_mem_reg() - ADD_MEM_REG: add one region
 * @dev:	Device
 * @m:		Request with the region's fd
 *
 * Return: VU_OK, or VU_FAIL if it cannot be added
 */
VU_HANDLER(vu_h_add_mem_reg)
{
	int ret = vu_mem_add(&dev->mem, &m->payload.mem_single.region,
			     vu_msg_take_fd(m, 0));

	if (ret < 0) {
		g_warning("ADD_MEM_REG: %s", g_strerror(-ret));
		return VU_FAIL;
	}
	vu_mem_changed(dev);
	return VU_OK;
}

/**
 * vu_h_rem_mem_reg() - REM_MEM_REG: remove one region (an fd it may carry
 * is closed by the dispatcher)
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL if no region matches
 */
VU_HANDLER(vu_h_rem_mem_reg)
{
	int ret;

	vu_mem_quiesce(dev);
	ret = vu_mem_remove(&dev->mem, &m->payload.mem_single.region);
	if (ret < 0)
		g_warning("REM_MEM_REG: %s", g_strerror(-ret));
	else
		vu_mem_changed(dev);
	vu_mem_resume(dev);
	return ret < 0 ? VU_FAIL : VU_OK;
}

/**
 * vu_h_set_log_base() - SET_LOG_BASE: the dirty log region
 * @dev:	Device
 * @m:		Request with the log's fd, turned into the reply
 *
 * Return: VU_REPLY (always answered, with 0 or 1)
 */
VU_HANDLER(vu_h_set_log_base)
{
	int ret = vu_log_set(&dev->log, vu_msg_take_fd(m, 0),
			     m->payload.log.size, m->payload.log.offset);

	dev->log.enabled = vu_dev_has_feature(dev, VU_F_LOG_ALL);
	if (ret < 0)
		g_warning("SET_LOG_BASE: %s", g_strerror(-ret));
	vu_msg_set_reply_u64(m, ret < 0);
	return VU_REPLY;
}

/**
 * vu_h_set_log_fd() - SET_LOG_FD: a log notifier we do not need (the fd is
 * closed by the dispatcher)
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK
 */
VU_HANDLER(vu_h_set_log_fd)
{
	return VU_OK;
}

/**
 * vu_inflight_detach() - Detach every queue before the region is replaced
 * @dev:	Device, locked
 *
 * Queues attach again when they start (vu_inflight_attach()).
 */
static void vu_inflight_detach(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++)
		dev->vqs[i].inflight = NULL;
	dev->inflight_on = false;
}

/**
 * vu_inflight_args_ok() - Are the queue count and size of an inflight
 * request ones we serve?
 * @dev:	Device
 * @d:		Request payload
 *
 * Return: true if they are
 */
static bool vu_inflight_args_ok(const struct vu_dev *dev,
				const struct vu_inflight_desc *d)
{
	return d->num_queues >= 1 && d->num_queues <= dev->nvqs &&
	       d->queue_size >= 1 &&
	       d->queue_size <= dev->device->max_queue_size;
}

/**
 * vu_h_get_inflight_fd() - GET_INFLIGHT_FD: allocate the inflight region
 * @dev:	Device
 * @m:		Request, turned into the reply (with the region's fd)
 *
 * Return: VU_REPLY, or VU_FAIL
 */
VU_HANDLER(vu_h_get_inflight_fd)
{
	struct vu_inflight_desc *d = &m->payload.inflight;
	bool packed = vu_dev_has_feature(dev, VU_F_RING_PACKED);
	int fd;

	if (!vu_inflight_args_ok(dev, d))
		return VU_FAIL;
	vu_inflight_detach(dev);
	fd = vu_inflight_create(&dev->inflight, d->num_queues, d->queue_size,
				packed);
	if (fd < 0) {
		g_warning("GET_INFLIGHT_FD: %s", g_strerror(-fd));
		return VU_FAIL;
	}
	m->reply_fd = dup(fd);
	if (m->reply_fd < 0)
		return VU_FAIL;
	dev->inflight_on = true;
	d->mmap_size = dev->inflight.size;
	d->mmap_offset = 0;
	vu_msg_set_reply(m, m->hdr.size);
	return VU_REPLY;
}

/**
 * vu_h_set_inflight_fd() - SET_INFLIGHT_FD: the front-end hands back the
 * region (after a reconnect: what it records is resubmitted)
 * @dev:	Device
 * @m:		Request with the region's fd
 *
 * Return: VU_OK, or VU_FAIL
 */
VU_HANDLER(vu_h_set_inflight_fd)
{
	const struct vu_inflight_desc *d = &m->payload.inflight;
	bool packed = vu_dev_has_feature(dev, VU_F_RING_PACKED);
	int ret;

	if (!vu_inflight_args_ok(dev, d))
		return VU_FAIL;
	vu_inflight_detach(dev);
	ret = vu_inflight_set(&dev->inflight, vu_msg_take_fd(m, 0),
			      d->mmap_size, d->mmap_offset, d->num_queues,
			      d->queue_size, packed);
	if (ret < 0) {
		g_warning("SET_INFLIGHT_FD: %s", g_strerror(-ret));
		return VU_FAIL;
	}
	dev->inflight_on = true;
	return VU_OK;
}
