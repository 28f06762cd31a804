/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-queue.h - virtqueues: split and packed rings, indirect chains turned into
 * iovecs, event idx and notification suppression, used-entry batching. Knows
 * nothing of sockets or threads: the caller serialises access to one queue.
 */
#ifndef VU_QUEUE_H
#define VU_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vu-msg.h"

struct vu_mem;
struct vu_log;

/* Ring layouts (virtio 1.2, 2.7 and 2.8), little-endian in guest memory */
#define VU_DESC_F_NEXT		1
#define VU_DESC_F_WRITE		2
#define VU_DESC_F_INDIRECT	4
#define VU_DESC_F_AVAIL		(1 << 7)	/* packed */
#define VU_DESC_F_USED		(1 << 15)	/* packed */
#define VU_AVAIL_F_NO_INTERRUPT	1
#define VU_USED_F_NO_NOTIFY	1
#define VU_EVENT_F_ENABLE	0	/* packed event flags */
#define VU_EVENT_F_DISABLE	1
#define VU_EVENT_F_DESC		2

/* Largest queue size: the virtio limit for split rings */
#define VU_QUEUE_MAX_SIZE	32768

/**
 * struct vu_desc - split ring (and indirect table) descriptor
 * @addr:	Guest physical address of the buffer
 * @len:	Buffer length
 * @flags:	VU_DESC_F_*
 * @next:	Next descriptor if VU_DESC_F_NEXT
 */
struct vu_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/**
 * struct vu_avail - split available ring; ring[num] is used_event
 * @flags:	VU_AVAIL_F_NO_INTERRUPT
 * @idx:	Next entry the driver will fill
 * @ring:	Heads of available chains
 */
struct vu_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

/**
 * struct vu_used_elem - split used ring entry
 * @id:		Head of the chain
 * @len:	Bytes written into the chain's in buffers
 */
struct vu_used_elem {
	uint32_t id;
	uint32_t len;
};

/**
 * struct vu_used - split used ring; after ring[num] comes avail_event (u16)
 * @flags:	VU_USED_F_NO_NOTIFY
 * @idx:	Next entry the device will fill
 * @ring:	Used entries
 */
struct vu_used {
	uint16_t flags;
	uint16_t idx;
	struct vu_used_elem ring[];
};

/**
 * struct vu_pdesc - packed ring descriptor
 * @addr:	Guest physical address of the buffer
 * @len:	Buffer length (used length when the device writes it back)
 * @id:		Buffer id
 * @flags:	VU_DESC_F_* including AVAIL/USED
 */
struct vu_pdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

/**
 * struct vu_pevent - packed ring driver/device event suppression area
 * @off_wrap:	Descriptor offset (bits 0-14) and wrap counter (bit 15)
 * @flags:	VU_EVENT_F_*
 */
struct vu_pevent {
	uint16_t off_wrap;
	uint16_t flags;
};

/**
 * struct vu_elem - one descriptor chain, as iovecs into our mapping of guest
 * memory; the caller supplies the iovec array
 * @id:		Split: head index; packed: buffer id
 * @ndescs:	Descriptors the chain occupies in the ring (packed accounting)
 * @out_num:	Device-readable buffers: iov[0 .. out_num - 1]
 * @in_num:	Device-writable buffers: iov[out_num .. out_num + in_num - 1]
 * @iov_max:	Capacity of @iov, set by the caller before vu_queue_pop()
 * @iov:	Buffers, out first then in
 */
struct vu_elem {
	uint16_t id;
	uint16_t ndescs;
	unsigned int out_num;
	unsigned int in_num;
	unsigned int iov_max;
	struct iovec *iov;
};

/**
 * struct vu_resubmit - a request found in flight in the inflight region
 * @index:	Split: head index; packed: descriptor slot of the chain's head
 * @counter:	Submission order
 */
struct vu_resubmit {
	uint16_t index;
	uint64_t counter;
};

/**
 * struct vu_queue - one virtqueue
 * @index:		Queue index
 * @size:		Queue size (SET_VRING_NUM), 0 if not set
 * @features:		Negotiated virtio features
 * @mem:		Guest memory, set by the device layer
 * @log:		Dirty log, set by the device layer
 * @addr:		Ring addresses as the front-end gave them
 * @desc:		Split descriptor table (mapped), or NULL
 * @avail:		Split available ring (mapped), or NULL
 * @used:		Split used ring (mapped), or NULL
 * @pdesc:		Packed descriptor ring (mapped), or NULL
 * @driver_event:	Packed driver event suppression area (mapped)
 * @device_event:	Packed device event suppression area (mapped)
 * @last_avail_idx:	Split: next avail entry to read; packed: next slot
 * @avail_wrap:		Packed: wrap counter for @last_avail_idx
 * @shadow_avail_idx:	Split: last avail->idx read from the guest
 * @used_idx:		Split: next used entry; packed: next slot to write
 * @used_wrap:		Packed: wrap counter for @used_idx
 * @published_used_idx:	Split: used->idx last published
 * @signalled_used:	Used index at the last notification (event idx)
 * @signalled_used_valid: @signalled_used can be trusted
 * @pending:		Used entries pushed since the last notification
 * @inuse:		Chains popped and not yet pushed
 * @notify_off:		Notifications are disabled (set_notification(false))
 * @broken:		A malformed ring was seen: no processing until reset
 * @draining:		No new chains are handed out: the ring is stopping or
 *			guest memory is about to change, and the requests in
 *			flight are being completed
 * @started:		Has a kick fd (or in-band kick) and ring addresses
 * @enabled:		SET_VRING_ENABLE(1) (or no PROTOCOL_FEATURES)
 * @kick_fd:		Kick eventfd, -1 if none
 * @call_fd:		Call eventfd, -1 if none
 * @err_fd:		Error eventfd, -1 if none
 * @inflight:		This queue's part of the inflight region, or NULL
 * @inflight_size:	Descriptor states @inflight has room for (set by
 *			vu_inflight_attach(); tracking is off while @size
 *			exceeds it)
 * @inflight_counter:	Next submission counter for the inflight region
 * @resubmit:		Requests to resubmit after a reconnect, by counter
 * @resubmit_num:	Entries in @resubmit
 * @resubmit_pos:	Next entry of @resubmit to hand out
 * @mapped_size:	@size when the rings were last mapped, 0 if unmapped:
 *			a later SET_VRING_NUM makes the rings unusable until
 *			they are mapped again
 * @mem_hint:	Memory region that held this queue's last buffer (a hint
 *		for vu_mem_gpa_hint(), checked on use)
 */
struct vu_queue {
	unsigned int index;
	uint16_t size;
	uint64_t features;
	const struct vu_mem *mem;
	struct vu_log *log;
	struct vu_vring_addr addr;

	struct vu_desc *desc;
	struct vu_avail *avail;
	struct vu_used *used;
	struct vu_pdesc *pdesc;
	struct vu_pevent *driver_event;
	struct vu_pevent *device_event;

	uint16_t last_avail_idx;
	bool avail_wrap;
	uint16_t shadow_avail_idx;
	uint16_t used_idx;
	bool used_wrap;
	uint16_t published_used_idx;
	uint16_t signalled_used;
	bool signalled_used_valid;
	unsigned int pending;
	unsigned int inuse;
	bool notify_off;
	bool broken;
	bool draining;

	bool started;
	bool enabled;
	int kick_fd;
	int call_fd;
	int err_fd;

	void *inflight;
	uint16_t inflight_size;
	uint64_t inflight_counter;
	struct vu_resubmit *resubmit;
	unsigned int resubmit_num;
	unsigned int resubmit_pos;
	uint16_t mapped_size;
	unsigned int mem_hint;
};

/**
 * vu_queue_has_feature() - Check a negotiated virtio feature
 * @vq:		Queue
 * @bit:	Feature bit number
 *
 * Inline: the ring code asks this several times per chain.
 *
 * Return: true if the feature is negotiated
 */
static inline bool vu_queue_has_feature(const struct vu_queue *vq,
					unsigned int bit)
{
	return bit < 64 && (vq->features & (1ULL << bit));
}

/**
 * vu_queue_packed() - Check whether the queue uses the packed layout
 * @vq:		Queue
 *
 * Return: true if VIRTIO_F_RING_PACKED is negotiated
 */
static inline bool vu_queue_packed(const struct vu_queue *vq)
{
	return vu_queue_has_feature(vq, VU_F_RING_PACKED);
}

/* vu-queue.c: common to both layouts */
void vu_queue_init(struct vu_queue *vq, unsigned int index);
void vu_queue_reset(struct vu_queue *vq);
int vu_queue_map(struct vu_queue *vq);
uint32_t vu_queue_get_base(const struct vu_queue *vq);
int vu_queue_set_base(struct vu_queue *vq, uint32_t base);
int vu_queue_pop(struct vu_queue *vq, struct vu_elem *elem);
void vu_queue_unpop(struct vu_queue *vq, const struct vu_elem *elem);
unsigned int vu_queue_pop_burst(struct vu_queue *vq, struct vu_elem *elems,
				unsigned int n);
void vu_queue_push(struct vu_queue *vq, const struct vu_elem *elem,
		   uint32_t len);
void vu_queue_flush(struct vu_queue *vq);
void vu_queue_push_burst(struct vu_queue *vq, const struct vu_elem *elems,
			 unsigned int n, const uint32_t *lens);
bool vu_queue_should_notify(struct vu_queue *vq);
void vu_queue_set_notification(struct vu_queue *vq, bool enable);
bool vu_queue_empty(struct vu_queue *vq);
void vu_queue_set_broken(struct vu_queue *vq, const char *why);
int vu_queue_map_desc(struct vu_queue *vq, struct vu_elem *elem,
		      uint64_t gpa, uint32_t len, bool write);

/* vu-split.c */
int vu_split_map(struct vu_queue *vq);
int vu_split_pop(struct vu_queue *vq, struct vu_elem *elem);
int vu_split_read_chain(struct vu_queue *vq, uint16_t head,
			struct vu_elem *elem);
void vu_split_unpop(struct vu_queue *vq, const struct vu_elem *elem);
unsigned int vu_split_pop_burst(struct vu_queue *vq, struct vu_elem *elems,
				unsigned int n);
void vu_split_push(struct vu_queue *vq, const struct vu_elem *elem,
		   uint32_t len);
void vu_split_flush(struct vu_queue *vq);
void vu_split_push_burst(struct vu_queue *vq, const struct vu_elem *elems,
			 unsigned int n, const uint32_t *lens);
bool vu_split_should_notify(struct vu_queue *vq);
void vu_split_set_notification(struct vu_queue *vq, bool enable);
bool vu_split_empty(struct vu_queue *vq);

/* vu-packed.c */
int vu_packed_map(struct vu_queue *vq);
int vu_packed_pop(struct vu_queue *vq, struct vu_elem *elem);
int vu_packed_read_chain(struct vu_queue *vq, uint16_t slot,
			 struct vu_elem *elem);
void vu_packed_unpop(struct vu_queue *vq, const struct vu_elem *elem);
void vu_packed_push(struct vu_queue *vq, const struct vu_elem *elem,
		    uint32_t len);
void vu_packed_flush(struct vu_queue *vq);
bool vu_packed_should_notify(struct vu_queue *vq);
void vu_packed_set_notification(struct vu_queue *vq, bool enable);
bool vu_packed_empty(struct vu_queue *vq);

#endif /* VU_QUEUE_H */
