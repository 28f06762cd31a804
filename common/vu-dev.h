/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-dev.h - the device state machine: one front-end connection's features,
 * memory, rings and status, driven by the requests of vu-msg.c's table.
 */
#ifndef VU_DEV_H
#define VU_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "vu-device.h"
#include "vu-inflight.h"
#include "vu-log.h"
#include "vu-mem.h"
#include "vu-msg.h"
#include "vu-queue.h"

/**
 * struct vu_dev_hooks - how an event loop plugs into the core; any may be NULL
 * @lock:		Keep every worker away from queues and memory
 * @unlock:		Let workers run again
 * @lock_queue:		Keep the worker serving @vq away (it may serve others)
 * @unlock_queue:	Let it run again
 * @lock_wanted:	Whether another thread waits for @vq's worker lock
 * @queue_changed:	A queue's kick fd or started state changed: (re)watch it
 * @kick:		Run the device's queue_kicked for @vq on its worker
 * @watch_fd:		Call a device function on @vq's worker when an fd is
 *			readable (@out false) or writable (@out true);
 *			returns a handle, or NULL
 * @unwatch_fd:		Stop such a watch
 * @opaque:		For the loop
 */
struct vu_dev_hooks {
	void (*lock)(struct vu_dev *dev);
	void (*unlock)(struct vu_dev *dev);
	void (*lock_queue)(struct vu_dev *dev, struct vu_queue *vq);
	void (*unlock_queue)(struct vu_dev *dev, struct vu_queue *vq);
	bool (*lock_wanted)(struct vu_dev *dev, struct vu_queue *vq);
	void (*queue_changed)(struct vu_dev *dev, struct vu_queue *vq);
	void (*kick)(struct vu_dev *dev, struct vu_queue *vq);
	void *(*watch_fd)(struct vu_dev *dev, struct vu_queue *vq, int fd,
			  bool out, vu_fd_fn fn, void *data);
	void (*unwatch_fd)(struct vu_dev *dev, void *watch);
	void *opaque;
};

/**
 * struct vu_dev - a device instance and its current front-end session
 * @device:		What the device is
 * @priv:		The daemon's own data
 * @hooks:		Event loop hooks
 * @sock:		Front-end connection, -1 if none
 * @backend_fd:		BACKEND_REQ channel, -1 if none
 * @backend_lock:	Serialises requests on @backend_fd
 * @offered:		Virtio features offered (GET_FEATURES)
 * @offered_proto:	Protocol features offered
 * @features:		Virtio features acknowledged (SET_FEATURES)
 * @proto:		Protocol features acknowledged
 * @features_set:	SET_FEATURES was received
 * @owner:		SET_OWNER was received
 * @status:		Virtio device status byte (SET_STATUS)
 * @mem:		Guest memory
 * @log:		Dirty log
 * @inflight:		Inflight region
 * @inflight_on:	The front-end set up @inflight in this session
 * @vqs:		Queues (device->num_queues of them)
 * @nvqs:		Number of entries in @vqs
 * @state_thread:	DEVICE_STATE transfer running, or NULL
 * @state_fd:		Its fd, -1 if none
 * @state_load:		It loads (else it saves)
 * @state_result:	Result of the last state transfer (0 or -errno)
 */
struct vu_dev {
	const struct vu_device *device;
	void *priv;
	struct vu_dev_hooks hooks;
	int sock;
	int backend_fd;
	GMutex backend_lock;
	uint64_t offered;
	uint64_t offered_proto;
	uint64_t features;
	uint64_t proto;
	bool features_set;
	bool owner;
	uint8_t status;
	struct vu_mem mem;
	struct vu_log log;
	struct vu_inflight inflight;
	bool inflight_on;
	struct vu_queue *vqs;
	unsigned int nvqs;
	GThread *state_thread;
	int state_fd;
	bool state_load;
	int state_result;
};

struct vu_dev *vu_dev_new(const struct vu_device *device, void *priv);
void vu_dev_free(struct vu_dev *dev);
void vu_dev_set_hooks(struct vu_dev *dev, const struct vu_dev_hooks *hooks);
void vu_dev_attach(struct vu_dev *dev, int sock);
void vu_dev_disconnect(struct vu_dev *dev);
int vu_dev_process(struct vu_dev *dev);
enum vu_result vu_dev_dispatch(struct vu_dev *dev, struct vu_msg *m);
bool vu_dev_has_proto(const struct vu_dev *dev, unsigned int bit);
void vu_dev_stop_queue(struct vu_dev *dev, struct vu_queue *vq);
void vu_dev_reset(struct vu_dev *dev);
void vu_dev_lock(struct vu_dev *dev);
void vu_dev_unlock(struct vu_dev *dev);
void vu_dev_state_join(struct vu_dev *dev);

#endif /* VU_DEV_H */
