// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-dev.c - the device state machine: one front-end session, the request
 * dispatcher (validate, check support, run the handler, reply), ring stop and
 * reset, and the services devices use to signal the guest.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vu-dev.h"

/* Features the core provides to every device */
#define VU_CORE_FEATURES						\
	((1ull << VU_F_VERSION_1) | (1ull << VU_F_PROTOCOL_FEATURES) |	\
	 (1ull << VU_F_RING_INDIRECT_DESC) | (1ull << VU_F_RING_EVENT_IDX) | \
	 (1ull << VU_F_RING_PACKED) | (1ull << VU_F_LOG_ALL))

#define VU_CORE_PROTO							\
	((1ull << VU_PF_MQ) | (1ull << VU_PF_REPLY_ACK) |		\
	 (1ull << VU_PF_LOG_SHMFD) | (1ull << VU_PF_CONFIGURE_MEM_SLOTS) | \
	 (1ull << VU_PF_STATUS) | (1ull << VU_PF_RESET_DEVICE))

#define VU_DEVICE_PROTO							\
	((1ull << VU_PF_CONFIG) | (1ull << VU_PF_INFLIGHT_SHMFD) |	\
	 (1ull << VU_PF_DEVICE_STATE) | (1ull << VU_PF_BACKEND_REQ) |	\
	 (1ull << VU_PF_BACKEND_SEND_FD) | (1ull << VU_PF_NET_MTU) |	\
	 (1ull << VU_PF_RARP))

/**
 * vu_dev_offered_proto() - Protocol features offered for a device
 * @device:	Device type
 *
 * Return: protocol feature bits
 */
static uint64_t vu_dev_offered_proto(const struct vu_device *device)
{
	uint64_t pf = VU_CORE_PROTO | (device->protocol_features &
				       VU_DEVICE_PROTO);

	if (device->config_size)
		pf |= 1ull << VU_PF_CONFIG;
	if (pf & (1ull << VU_PF_BACKEND_REQ))
		pf |= 1ull << VU_PF_INBAND_NOTIFICATIONS;
	return pf;
}

/**
 * vu_dev_new() - Create a device instance
 * @device:	Device type (must outlive the instance)
 * @priv:	Daemon data, returned by vu_dev_priv()
 *
 * Return: the new device, not connected
 */
struct vu_dev *vu_dev_new(const struct vu_device *device, void *priv)
{
	struct vu_dev *dev = g_new0(struct vu_dev, 1);
	unsigned int i;

	dev->device = device;
	dev->priv = priv;
	dev->sock = -1;
	dev->backend_fd = -1;
	dev->state_fd = -1;
	dev->state_result = -ENODATA;
	g_mutex_init(&dev->backend_lock);
	dev->offered = VU_CORE_FEATURES | device->features;
	dev->offered &= ~(1ull << VU_F_ACCESS_PLATFORM);
	dev->offered_proto = vu_dev_offered_proto(device);
	vu_mem_init(&dev->mem);
	vu_inflight_init(&dev->inflight);
	dev->nvqs = device->num_queues;
	dev->vqs = g_new0(struct vu_queue, dev->nvqs);
	for (i = 0; i < dev->nvqs; i++) {
		vu_queue_init(&dev->vqs[i], i);
		dev->vqs[i].mem = &dev->mem;
		dev->vqs[i].log = &dev->log;
	}
	return dev;
}

/**
 * vu_dev_free() - Disconnect and free a device instance
 * @dev:	Device, may be NULL
 */
void vu_dev_free(struct vu_dev *dev)
{
	if (!dev)
		return;
	vu_dev_disconnect(dev);
	vu_inflight_clear(&dev->inflight);
	g_mutex_clear(&dev->backend_lock);
	g_free(dev->vqs);
	g_free(dev);
}

/**
 * vu_dev_set_hooks() - Plug an event loop into the device
 * @dev:	Device
 * @hooks:	Hooks (copied)
 */
void vu_dev_set_hooks(struct vu_dev *dev, const struct vu_dev_hooks *hooks)
{
	dev->hooks = *hooks;
}

/**
 * vu_dev_attach() - Start a session on a connected socket
 * @dev:	Device, not connected
 * @sock:	Connected socket, owned by the device from now on
 */
void vu_dev_attach(struct vu_dev *dev, int sock)
{
	dev->sock = sock;
}

/**
 * vu_dev_lock() - Keep every worker away from queues and memory
 * @dev:	Device
 */
void vu_dev_lock(struct vu_dev *dev)
{
	if (dev->hooks.lock)
		dev->hooks.lock(dev);
}

/**
 * vu_dev_unlock() - Let the workers run again
 * @dev:	Device
 */
void vu_dev_unlock(struct vu_dev *dev)
{
	if (dev->hooks.unlock)
		dev->hooks.unlock(dev);
}

/**
 * vu_dev_lock_queue() - Keep the worker serving one queue away from it
 * @dev:	Device
 * @vq:		Queue
 */
void vu_dev_lock_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	if (dev->hooks.lock_queue)
		dev->hooks.lock_queue(dev, vq);
}

/**
 * vu_dev_unlock_queue() - Let the worker serving a queue run again
 * @dev:	Device
 * @vq:		Queue
 */
void vu_dev_unlock_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	if (dev->hooks.unlock_queue)
		dev->hooks.unlock_queue(dev, vq);
}

/**
 * vu_dev_lock_wanted() - Whether another thread (the protocol thread, an
 * input thread) waits for the lock of @vq's worker
 * @dev:	Device
 * @vq:		Queue (called on its worker)
 *
 * A device busy-polling on a worker checks this and returns soon when it
 * is true, rescheduling itself with vu_dev_kick().
 *
 * Return: true if it should step aside
 */
bool vu_dev_lock_wanted(struct vu_dev *dev, struct vu_queue *vq)
{
	return dev->hooks.lock_wanted && dev->hooks.lock_wanted(dev, vq);
}

/**
 * vu_dev_watch_fd() - Have a device function run on a queue's worker
 * whenever an fd (an I/O completion eventfd, a tap) is readable
 * @dev:	Device
 * @vq:		Queue whose worker (and lock) the callback runs under
 * @fd:		File descriptor (stays the device's)
 * @fn:		Callback
 * @data:	For @fn
 *
 * Return: a handle for vu_dev_unwatch_fd(), or NULL if there is no event
 * loop (unit tests) or no such queue
 */
void *vu_dev_watch_fd(struct vu_dev *dev, struct vu_queue *vq, int fd,
		      vu_fd_fn fn, void *data)
{
	if (!vq || !dev->hooks.watch_fd)
		return NULL;
	return dev->hooks.watch_fd(dev, vq, fd, false, fn, data);
}

/**
 * vu_dev_watch_fd_out() - Have a device function run on a queue's worker
 * whenever an fd is writable (a socket the device writes without blocking)
 * @dev:	Device
 * @vq:		Queue whose worker (and lock) the callback runs under
 * @fd:		File descriptor (stays the device's)
 * @fn:		Callback
 * @data:	For @fn
 *
 * Return: a handle for vu_dev_unwatch_fd(), or NULL if there is no event
 * loop (unit tests) or no such queue
 */
void *vu_dev_watch_fd_out(struct vu_dev *dev, struct vu_queue *vq, int fd,
			  vu_fd_fn fn, void *data)
{
	if (!vq || !dev->hooks.watch_fd)
		return NULL;
	return dev->hooks.watch_fd(dev, vq, fd, true, fn, data);
}

/**
 * vu_dev_unwatch_fd() - Stop a watch; the callback does not run again once
 * this returns (unless it is running now, on the worker)
 * @dev:	Device
 * @watch:	Handle from vu_dev_watch_fd(), may be NULL
 */
void vu_dev_unwatch_fd(struct vu_dev *dev, void *watch)
{
	if (watch && dev->hooks.unwatch_fd)
		dev->hooks.unwatch_fd(dev, watch);
}

/**
 * vu_dev_kick() - Have the device look at a started queue
 * @dev:	Device
 * @vq:		Queue
 *
 * Without an event loop (tests, fuzzing) the device runs right here.
 */
void vu_dev_kick(struct vu_dev *dev, struct vu_queue *vq)
{
	if (!vq->started)
		return;
	if (dev->hooks.kick)
		dev->hooks.kick(dev, vq);
	else if (dev->device->queue_kicked)
		dev->device->queue_kicked(dev, vq);
}

/**
 * vu_dev_close_fd() - Close an fd slot and mark it empty
 * @fd:		Slot
 */
static void vu_dev_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * vu_dev_stop_queue() - Stop a ring: no more kicks, in-flight work drained
 * @dev:	Device; the caller holds the lock of @vq's worker (at least)
 * @vq:		Queue
 *
 * The device's queue_stopped runs with @vq's worker unlocked, so that
 * completions still on their way can be pushed before we return.
 */
void vu_dev_stop_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	bool was_started = vq->started;

	vq->started = false;
	vq->draining = true;
	if (dev->hooks.queue_changed)
		dev->hooks.queue_changed(dev, vq);
	if (was_started && dev->device->queue_stopped) {
		vu_dev_unlock_queue(dev, vq);
		dev->device->queue_stopped(dev, vq);
		vu_dev_lock_queue(dev, vq);
	}
	if (was_started)
		vu_queue_flush(vq);
	vu_dev_close_fd(&vq->kick_fd);
	vu_dev_close_fd(&vq->call_fd);
	g_clear_pointer(&vq->resubmit, g_free);
	vq->resubmit_num = vq->resubmit_pos = 0;
}

/**
 * vu_dev_reset() - Reset the device: rings stopped and forgotten, features
 * and status cleared; the owner, protocol features and memory stay
 * @dev:	Device, locked by the caller
 */
void vu_dev_reset(struct vu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++) {
		struct vu_queue *vq = &dev->vqs[i];

		vu_dev_stop_queue(dev, vq);
		vu_dev_close_fd(&vq->err_fd);
		vu_queue_reset(vq);
		vq->size = 0;
		vq->enabled = false;
		vq->inflight = NULL;
		memset(&vq->addr, 0, sizeof(vq->addr));
	}
	dev->features = 0;
	dev->features_set = false;
	dev->status = 0;
	dev->log.enabled = false;
	if (dev->device->reset)
		dev->device->reset(dev);
}

/**
 * vu_dev_disconnect() - End the session: rings stopped, state reset, the
 * socket and every fd of the session closed. The inflight region's memfd
 * is kept: it belongs to the front-end, which hands it back on reconnect.
 * @dev:	Device; nothing happens if it is not connected
 */
void vu_dev_disconnect(struct vu_dev *dev)
{
	if (dev->sock < 0)
		return;
	vu_dev_state_join(dev);
	vu_dev_lock(dev);
	vu_dev_reset(dev);
	vu_mem_clear(&dev->mem);
	vu_log_clear(&dev->log);
	dev->proto = 0;
	dev->owner = false;
	dev->inflight_on = false;
	vu_dev_unlock(dev);
	g_mutex_lock(&dev->backend_lock);
	vu_dev_close_fd(&dev->backend_fd);
	g_mutex_unlock(&dev->backend_lock);
	vu_dev_close_fd(&dev->sock);
	g_debug("front-end session ended");
}

/**
 * vu_dev_has_proto() - Is a protocol feature negotiated?
 * @dev:	Device
 * @bit:	enum vu_proto_feature
 *
 * Return: true if acknowledged by the front-end
 */
bool vu_dev_has_proto(const struct vu_dev *dev, unsigned int bit)
{
	return bit < 64 && (dev->proto & (1ull << bit));
}

/**
 * vu_dev_has_feature() - Is a virtio feature negotiated?
 * @dev:	Device
 * @bit:	Feature bit
 *
 * Return: true if acknowledged by the front-end
 */
bool vu_dev_has_feature(const struct vu_dev *dev, unsigned int bit)
{
	return bit < 64 && (dev->features & (1ull << bit));
}

/**
 * vu_dev_priv() - The daemon's data for a device
 * @dev:	Device
 *
 * Return: the pointer given to vu_dev_new()
 */
void *vu_dev_priv(const struct vu_dev *dev)
{
	return dev->priv;
}

/**
 * vu_dev_queue() - A queue of the device
 * @dev:	Device
 * @index:	Queue index
 *
 * Return: the queue, or NULL if @index is out of range
 */
struct vu_queue *vu_dev_queue(struct vu_dev *dev, unsigned int index)
{
	return index < dev->nvqs ? &dev->vqs[index] : NULL;
}
