/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-device.h - the one interface a device daemon implements: what the device
 * is (id, queues, features, config space) and what it does when the core
 * calls it. Everything protocol-related stays in the core.
 */
#ifndef VU_DEVICE_H
#define VU_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "vu-msg.h"
#include "vu-queue.h"

struct vu_dev;

/**
 * struct vu_device - a device type, filled in by the daemon before it runs
 * @name:		Short name, for logs ("blk", "stub")
 * @virtio_id:		Virtio device id (2 = block, 1 = net, 18 = input, 16 = gpu)
 * @num_queues:		Number of queues the device serves (GET_QUEUE_NUM)
 * @max_queue_size:	Largest queue size accepted (SET_VRING_NUM)
 * @features:		Device-specific virtio feature bits offered; the core
 *			adds VERSION_1, PROTOCOL_FEATURES, INDIRECT_DESC,
 *			EVENT_IDX, RING_PACKED and LOG_ALL
 * @protocol_features:	Optional protocol features the device wants, as bits
 *			of enum vu_proto_feature: CONFIG, INFLIGHT_SHMFD,
 *			DEVICE_STATE, BACKEND_REQ (+ BACKEND_SEND_FD), NET_MTU,
 *			RARP; the core always offers MQ, REPLY_ACK, LOG_SHMFD,
 *			CONFIGURE_MEM_SLOTS, STATUS, RESET_DEVICE
 * @config_size:	Size of the device config space (0: no CONFIG)
 * @process_disabled: queue_kicked also runs for started rings that are
 *		disabled (the device must then cause no side effects: net
 *		discards TX); otherwise such rings wait until enabled
 * @worker_group:	NULL, or a key shared by devices of one process whose
 *			queues are to run on the same worker threads (the
 *			ports of a switch: one port's code may then touch
 *			another's rings, under the one worker lock)
 * @queue_worker:	Worker thread serving queue @q (NULL: one per queue);
 *			workers are numbered from 0 (within the group)
 * @get_config:		Copy @len bytes of config space at @offset to @buf;
 *			the core has checked the range against @config_size.
 *			Return: 0, or negative errno
 * @set_config:		Write config space (the range is checked).
 *			Return: 0, or negative errno (the front-end is told)
 * @features_set:	The front-end set @features (protocol thread)
 * @queue_started:	A queue got its kick fd and can be processed (protocol
 *			thread, worker paused)
 * @queue_stopped:	A queue is being stopped (GET_VRING_BASE, reset,
 *			disconnect): complete or abandon every request of it
 *			before returning. Called on the protocol thread with
 *			the workers running, so completions can still arrive
 * @queue_drain:	Guest memory is about to change (SET_MEM_TABLE,
 *			ADD/REM_MEM_REG) while the queue runs: complete every
 *			request in flight before returning, and keep the queue
 *			ready (vu_queue_pop() hands out nothing meanwhile).
 *			Same thread rules as @queue_stopped. Devices that
 *			complete requests inside queue_kicked need none
 * @queue_kicked:	The guest kicked the queue (on its worker thread)
 * @mem_changed:	The memory table changed (protocol thread, paused)
 * @reset:		Reset device state (RESET_DEVICE, disconnect)
 * @message:		Device-specific requests (GPU_SET_SOCKET, NET_SET_MTU,
 *			SEND_RARP): return VU_FAIL for ones it does not handle
 * @save_state:		Write the device state to @fd (DEVICE_STATE); 0 or -errno
 * @load_state:		Read the device state from @fd; 0 or -errno
 */
struct vu_device {
	const char *name;
	uint32_t virtio_id;
	unsigned int num_queues;
	uint16_t max_queue_size;
	uint64_t features;
	uint64_t protocol_features;
	uint32_t config_size;
	bool process_disabled;
	const void *worker_group;

	unsigned int (*queue_worker)(struct vu_dev *dev, unsigned int q);
	int (*get_config)(struct vu_dev *dev, uint8_t *buf, uint32_t offset,
			  uint32_t len);
	int (*set_config)(struct vu_dev *dev, const uint8_t *buf,
			  uint32_t offset, uint32_t len, uint32_t flags);
	void (*features_set)(struct vu_dev *dev, uint64_t features);
	void (*queue_started)(struct vu_dev *dev, struct vu_queue *vq);
	void (*queue_stopped)(struct vu_dev *dev, struct vu_queue *vq);
	void (*queue_drain)(struct vu_dev *dev, struct vu_queue *vq);
	void (*queue_kicked)(struct vu_dev *dev, struct vu_queue *vq);
	void (*mem_changed)(struct vu_dev *dev);
	void (*reset)(struct vu_dev *dev);
	enum vu_result (*message)(struct vu_dev *dev, struct vu_msg *m);
	int (*save_state)(struct vu_dev *dev, int fd);
	int (*load_state)(struct vu_dev *dev, int fd);
};

/**
 * typedef vu_fd_fn - A device's fd became readable (see vu_dev_watch_fd())
 * or writable (vu_dev_watch_fd_out())
 * @dev:	Device
 * @vq:		Queue the watch belongs to (the callback runs on its worker,
 *		with the worker's lock held, like queue_kicked)
 * @data:	The device's data for the watch
 */
typedef void (*vu_fd_fn)(struct vu_dev *dev, struct vu_queue *vq, void *data);

/* Services the core gives a device (vu-dev.c) */
void *vu_dev_priv(const struct vu_dev *dev);
struct vu_queue *vu_dev_queue(struct vu_dev *dev, unsigned int index);
bool vu_dev_has_feature(const struct vu_dev *dev, unsigned int bit);
void vu_dev_notify(struct vu_dev *dev, struct vu_queue *vq);
void vu_dev_complete(struct vu_dev *dev, struct vu_queue *vq);
void vu_dev_kick(struct vu_dev *dev, struct vu_queue *vq);
void vu_dev_lock_queue(struct vu_dev *dev, struct vu_queue *vq);
void vu_dev_unlock_queue(struct vu_dev *dev, struct vu_queue *vq);
bool vu_dev_lock_wanted(struct vu_dev *dev, struct vu_queue *vq);
int vu_dev_config_changed(struct vu_dev *dev);
void *vu_dev_watch_fd(struct vu_dev *dev, struct vu_queue *vq, int fd,
		      vu_fd_fn fn, void *data);
void *vu_dev_watch_fd_out(struct vu_dev *dev, struct vu_queue *vq, int fd,
			  vu_fd_fn fn, void *data);
void vu_dev_unwatch_fd(struct vu_dev *dev, void *watch);

#endif /* VU_DEVICE_H */
