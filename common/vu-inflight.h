/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-inflight.h - INFLIGHT_SHMFD: the shared region that records which
 * requests are in flight, so that a restarted back-end resubmits them.
 * Layouts and the recovery algorithm follow the vhost-user specification
 * ("Inflight I/O tracking"), for split and packed rings.
 */
#ifndef VU_INFLIGHT_H
#define VU_INFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vu_queue;
struct vu_elem;

/**
 * struct vu_inflight - the inflight region of a device
 * @fd:		The region's memfd (kept: it is handed back to the front-end)
 * @map:	Our mapping of the whole fd
 * @map_size:	Length of @map
 * @offset:	Offset of the region in @map
 * @size:	Size of the region
 * @num_queues:	Queues it covers
 * @queue_size:	Descriptors per queue
 * @packed:	Packed layout
 */
struct vu_inflight {
	int fd;
	void *map;
	size_t map_size;
	uint64_t offset;
	uint64_t size;
	uint16_t num_queues;
	uint16_t queue_size;
	bool packed;
};

void vu_inflight_init(struct vu_inflight *inf);
size_t vu_inflight_queue_bytes(uint16_t queue_size, bool packed);
int vu_inflight_create(struct vu_inflight *inf, uint16_t num_queues,
		       uint16_t queue_size, bool packed);
int vu_inflight_set(struct vu_inflight *inf, int fd, uint64_t size,
		    uint64_t offset, uint16_t num_queues, uint16_t queue_size,
		    bool packed);
void vu_inflight_clear(struct vu_inflight *inf);
void *vu_inflight_queue(const struct vu_inflight *inf, unsigned int index);

/* Per-queue tracking, called by vu-queue.c when vq->inflight is set */
void vu_inflight_get(struct vu_queue *vq, const struct vu_elem *elem,
		     uint16_t slot);
void vu_inflight_pre_put(struct vu_queue *vq, const struct vu_elem *elem);
void vu_inflight_post_put(struct vu_queue *vq, const struct vu_elem *elem);
int vu_inflight_recover(struct vu_queue *vq);

#endif /* VU_INFLIGHT_H */
