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

/* Region version written by a back-end once it tracks a queue; 0: fresh */
#define VU_INFLIGHT_VERSION	1
/* Queue regions follow each other at this alignment (QEMU, libvhost-user) */
#define VU_INFLIGHT_ALIGN	64

/**
 * struct vu_inflight_desc_split - split ring: state of one descriptor
 *				   (the spec's DescStateSplit)
 * @inflight:	1 if the chain headed here is in flight (heads only)
 * @padding:	Unused
 * @next:	Link of the list of the last batch of used heads
 * @counter:	Submission order (heads only)
 */
struct vu_inflight_desc_split {
	uint8_t inflight;
	uint8_t padding[5];
	uint16_t next;
	uint64_t counter;
};

/**
 * struct vu_inflight_split - split ring: one queue's region
 *			      (the spec's QueueRegionSplit)
 * @features:	Region feature flags, 0
 * @version:	VU_INFLIGHT_VERSION, or 0 for a region no back-end used yet
 * @desc_num:	Entries in @desc: the queue size
 * @last_batch_head: Head of the list of the last batch of used heads
 * @used_idx:	used->idx as of the last completed put
 * @desc:	One entry per descriptor table index
 */
struct vu_inflight_split {
	uint64_t features;
	uint16_t version;
	uint16_t desc_num;
	uint16_t last_batch_head;
	uint16_t used_idx;
	struct vu_inflight_desc_split desc[];
};

/**
 * struct vu_inflight_desc_packed - packed ring: one entry of the region, a
 *				    copy of a descriptor of a chain in flight
 *				    (the spec's DescStatePacked)
 * @inflight:	1 if the chain headed here is in flight (heads only)
 * @padding:	Unused
 * @next:	Next entry: of the free list, or of the chain
 * @last:	Last entry of the chain (heads only)
 * @num:	Descriptors (ring slots) in the chain (heads only)
 * @counter:	Submission order (heads only)
 * @id:		Buffer id of the descriptor
 * @flags:	Flags of the descriptor
 * @len:	Length of the descriptor
 * @addr:	Address of the descriptor
 */
struct vu_inflight_desc_packed {
	uint8_t inflight;
	uint8_t padding;
	uint16_t next;
	uint16_t last;
	uint16_t num;
	uint64_t counter;
	uint16_t id;
	uint16_t flags;
	uint32_t len;
	uint64_t addr;
};

/**
 * struct vu_inflight_packed - packed ring: one queue's region
 *			       (the spec's QueueRegionPacked)
 * @features:		Region feature flags, 0
 * @version:		VU_INFLIGHT_VERSION, or 0 for a fresh region
 * @desc_num:		Entries in @desc: the queue size
 * @free_head:		Head of the free entry list
 * @old_free_head:	@free_head as of the last completed operation
 * @used_idx:		Next used ring slot
 * @old_used_idx:	@used_idx as of the last completed put
 * @used_wrap_counter:	Device ring wrap counter
 * @old_used_wrap_counter: @used_wrap_counter as of the last completed put
 * @padding:		Unused
 * @desc:		Entries
 */
struct vu_inflight_packed {
	uint64_t features;
	uint16_t version;
	uint16_t desc_num;
	uint16_t free_head;
	uint16_t old_free_head;
	uint16_t used_idx;
	uint16_t old_used_idx;
	uint8_t used_wrap_counter;
	uint8_t old_used_wrap_counter;
	uint8_t padding[7];
	struct vu_inflight_desc_packed desc[];
};

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

/* Additions: attach with bounds checks, undo a get, rebuild a packed chain */
int vu_inflight_attach(const struct vu_inflight *inf, struct vu_queue *vq);
void vu_inflight_unget(struct vu_queue *vq, const struct vu_elem *elem);
int vu_inflight_read_chain(struct vu_queue *vq, uint16_t index,
			   struct vu_elem *elem);

#endif /* VU_INFLIGHT_H */
