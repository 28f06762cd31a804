// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-state.c - DEVICE_STATE: the transfer of the device's own state through
 * an fd (SET_DEVICE_STATE_FD, CHECK_DEVICE_STATE). The transfer runs on a
 * thread of its own: the front-end reads or writes the other end while we
 * answer it, and a pipe fills up long before a state of any size is written.
 */
#include <errno.h>
#include <unistd.h>

#include "vu-dev.h"
#include "vu-handlers.h"

/**
 * vu_state_thread() - Run one transfer to completion
 * @data:	Device
 *
 * Return: NULL
 */
static gpointer vu_state_thread(gpointer data)
{
	struct vu_dev *dev = data;
	const struct vu_device *d = dev->device;
	int ret;

	if (dev->state_load)
		ret = d->load_state(dev, dev->state_fd);
	else
		ret = d->save_state(dev, dev->state_fd);
	/* Closing our end is the end-of-state mark for the reader */
	close(dev->state_fd);
	dev->state_fd = -1;
	dev->state_result = ret < 0 ? ret : 0;
	return NULL;
}

/**
 * vu_dev_state_join() - Wait for a running transfer to end
 * @dev:	Device
 */
void vu_dev_state_join(struct vu_dev *dev)
{
	if (dev->state_thread)
		g_thread_join(dev->state_thread);
	dev->state_thread = NULL;
}

/**
 * vu_h_set_device_state_fd() - SET_DEVICE_STATE_FD: start a transfer
 * @dev:	Device
 * @m:		Request with the transfer fd, turned into the reply
 *
 * We always use the front-end's fd, so the reply has the "no fd" bit set.
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_set_device_state_fd)
{
	const struct vu_state_xfer *x = &m->payload.xfer;
	bool ok = x->phase == 0 && x->direction <= VU_STATE_LOAD &&
		  dev->device->save_state && dev->device->load_state;

	vu_dev_state_join(dev);
	if (!ok) {
		g_warning("SET_DEVICE_STATE_FD: direction %u phase %u refused",
			  x->direction, x->phase);
		vu_msg_set_reply_u64(m, VU_STATE_REPLY_NOFD | 1);
		return VU_REPLY;
	}
	dev->state_load = x->direction == VU_STATE_LOAD;
	dev->state_fd = vu_msg_take_fd(m, 0);
	dev->state_result = -EINPROGRESS;
	dev->state_thread = g_thread_new("vu-state", vu_state_thread, dev);
	vu_msg_set_reply_u64(m, VU_STATE_REPLY_NOFD);
	return VU_REPLY;
}

/**
 * vu_h_check_device_state() - CHECK_DEVICE_STATE: did the transfer work?
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * Return: VU_REPLY (0 on success, 1 on failure)
 */
VU_HANDLER(vu_h_check_device_state)
{
	vu_dev_state_join(dev);
	if (dev->state_result < 0)
		g_warning("device state transfer failed: %s",
			  g_strerror(-dev->state_result));
	vu_msg_set_reply_u64(m, dev->state_result < 0);
	return VU_REPLY;
}
