/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vuf-priv.h - libvuf internals shared by its source files: the connection
 * and virtqueue structures, ring format operations, byte order and barriers.
 */
#ifndef VUF_PRIV_H
#define VUF_PRIV_H

#include <endian.h>
#include <stdarg.h>

#include <glib.h>

#include "vuf.h"

#define VUF_DEFAULT_TIMEOUT_MS	5000
#define VUF_MAX_VRINGS		256	/* ring index is 8 bits in KICK/CALL */

/**
 * struct vuf_conn - one front-end connection to a back-end
 * @fd:			Connected Unix socket
 * @bfd:		Our end of the back-end request channel, -1 if none
 * @timeout_ms:		How long to wait for a reply (or to send)
 * @auto_ack:		Ask for REPLY_ACK on requests without a reply of
 *			their own, once REPLY_ACK is negotiated
 * @broken:		A message was cut mid-way: the stream is out of sync
 * @features:		Features last sent with SET_FEATURES
 * @protocol_features:	Protocol features last sent
 * @last_ack:		Last non-zero REPLY_ACK value received
 * @pending:		Back-end channel requests read while waiting for an
 *			in-band call, not yet handed to vuf_backend_recv()
 * @inband_calls:	VRING_CALL messages seen per ring index
 * @err:		Description of the last failure
 */
struct vuf_conn {
	int fd;
	int bfd;
	int timeout_ms;
	bool auto_ack;
	bool broken;
	uint64_t features;
	uint64_t protocol_features;
	uint64_t last_ack;
	GQueue pending;
	uint64_t inband_calls[VUF_MAX_VRINGS];
	char err[256];
};

int vuf_fail(struct vuf_conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vuf_wait_fd(int fd, short events, gint64 deadline);
gint64 vuf_deadline(int timeout_ms);
int vuf_sock_recv_msg(int fd, struct vuf_msg *m, gint64 deadline);
int vuf_sock_send(int fd, const void *buf, size_t len, const int *fds,
		  unsigned int nfds, gint64 deadline);
int vuf_chan_pump(struct vuf_conn *c, gint64 deadline);

struct vuf_vq;

/**
 * struct vuf_ring_ops - what differs between the split and packed formats
 * @layout:	Allocate the ring areas in guest memory and reset state
 * @next_id:	The id the next @add will return
 * @add:	Make a chain of descriptors available; returns its id
 * @next_used:	Fetch one completion: 1 if one was taken, 0 if none
 * @kick_needed: Whether the device asked to be notified of what was added
 * @set_event:	Publish the used-event (interrupt suppression) value
 * @used_pos:	The used-event value asking for a call at the next completion
 * @calls:	Enable or disable used-buffer notifications (no event idx)
 * @avail_event: Read the device's avail-event value (0 for packed)
 * @base:	Ring state for SET_VRING_BASE after a crash, as QEMU does it
 */
struct vuf_ring_ops {
	int (*layout)(struct vuf_vq *vq);
	uint16_t (*next_id)(const struct vuf_vq *vq);
	int (*add)(struct vuf_vq *vq, const struct vuf_desc *d, unsigned int n,
		   uint64_t table_gpa);
	int (*next_used)(struct vuf_vq *vq, struct vuf_used *u);
	bool (*kick_needed)(const struct vuf_vq *vq);
	void (*set_event)(struct vuf_vq *vq, uint16_t event);
	uint16_t (*used_pos)(const struct vuf_vq *vq);
	void (*calls)(struct vuf_vq *vq, bool enable);
	uint16_t (*avail_event)(const struct vuf_vq *vq);
	uint32_t (*base)(const struct vuf_vq *vq);
};

extern const struct vuf_ring_ops vuf_split_ops;
extern const struct vuf_ring_ops vuf_packed_ops;

/**
 * struct vuf_chain - driver bookkeeping for one chain id
 * @busy:	Posted and not yet collected
 * @ndesc:	Ring descriptors it occupies (1 when indirect)
 * @nbufs:	Buffers in @bufs
 * @cap:	Capacity of @bufs
 * @bufs:	The buffers as posted, for vuf_vq_buf()
 */
struct vuf_chain {
	bool busy;
	uint16_t ndesc;
	uint16_t nbufs;
	uint16_t cap;
	struct vuf_desc *bufs;
};

/**
 * struct vuf_vq - driver side of one virtqueue
 * @mem:		Guest memory holding the ring and buffers
 * @conn:		Connection for in-band kicks and calls, or NULL
 * @ops:		Ring format operations
 * @index:		Ring index
 * @size:		Number of descriptors
 * @flags:		VUF_VQ_* flags
 * @desc_gpa:		Descriptor table (ring)
 * @avail_gpa:		Available ring (packed: driver event area)
 * @used_gpa:		Used ring (packed: device event area)
 * @desc:		Pointer to the descriptor table
 * @avail:		Pointer to the available ring / driver area
 * @used:		Pointer to the used ring / device area
 * @slots_gpa:		Buffer space: one slot of @slot_size bytes per id
 * @slot_size:		Bytes per slot
 * @kick_fd:		Kick eventfd (we write)
 * @call_fd:		Call eventfd (the back-end writes)
 * @kicks:		Kicks sent
 * @calls:		Calls received (eventfd counts plus in-band messages)
 * @inband_seen:	In-band calls already counted into @calls
 * @num_free:		Free ring descriptors
 * @in_flight:		Chains posted and not yet collected
 * @num_added:		Since the last kick decision: chains made available
 *			(split) or ring descriptors filled (packed)
 * @manual_event:	Test set the used event itself: do not update it
 * @started:		Set up on the back-end by vuf_session_start_vq()
 * @have_base:		@base holds a GET_VRING_BASE answer
 * @base:		Last base from GET_VRING_BASE (or set by the test)
 * @avail_idx:		Split: next avail index (free running)
 * @last_used:		Split: next used index to read (free running)
 * @free_head:		Split: head of the free descriptor list
 * @next:		Split: our private copy of the free-list links
 * @next_avail:		Packed: next descriptor slot to fill
 * @avail_wrap:		Packed: driver ring wrap counter
 * @next_used:		Packed: next descriptor slot the device will use
 * @used_wrap:		Packed: used wrap counter
 * @free_ids:		Packed: stack of free buffer ids
 * @nfree_ids:		Packed: entries in @free_ids
 * @chains:		Per-id bookkeeping, @size entries
 * @err:		Description of the last failure
 */
struct vuf_vq {
	struct vuf_mem *mem;
	struct vuf_conn *conn;
	const struct vuf_ring_ops *ops;
	uint16_t index;
	uint16_t size;
	unsigned int flags;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;
	uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
	uint64_t slots_gpa;
	uint32_t slot_size;
	int kick_fd;
	int call_fd;
	uint64_t kicks;
	uint64_t calls;
	uint64_t inband_seen;
	uint16_t num_free;
	unsigned int in_flight;
	uint16_t num_added;
	bool manual_event;
	bool started;
	bool have_base;
	uint32_t base;
	uint16_t avail_idx;
	uint16_t last_used;
	uint16_t free_head;
	uint16_t *next;
	uint16_t next_avail;
	bool avail_wrap;
	uint16_t next_used;
	bool used_wrap;
	uint16_t *free_ids;
	uint16_t nfree_ids;
	struct vuf_chain *chains;
	char err[160];
};

int vuf_vq_fail(struct vuf_vq *vq, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t vuf_vq_alloc(struct vuf_vq *vq, uint64_t len, uint64_t align,
		      uint8_t **ptr);

/* Descriptor flags, common to both formats */
#define VUF_DESC_F_NEXT		1u
#define VUF_DESC_F_WRITE	2u
#define VUF_DESC_F_INDIRECT	4u
#define VUF_DESC_F_AVAIL	(1u << 7)	/* packed */
#define VUF_DESC_F_USED		(1u << 15)	/* packed */
#define VUF_DESC_SIZE		16u

/**
 * vuf_st16() - Store a little-endian u16 shared with the device
 * @p:		Destination (2-byte aligned)
 * @v:		Value
 */
static inline void vuf_st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

/**
 * vuf_ld16() - Load a little-endian u16 shared with the device
 * @p:		Source (2-byte aligned)
 *
 * Return: the value in host order
 */
static inline uint16_t vuf_ld16(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

/**
 * vuf_ld16_acquire() - Load a little-endian u16, ordering later loads after it
 * @p:		Source (2-byte aligned)
 *
 * Return: the value in host order
 */
static inline uint16_t vuf_ld16_acquire(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE));
}

/**
 * vuf_st16_release() - Store a little-endian u16 after all earlier stores
 * @p:		Destination (2-byte aligned)
 * @v:		Value
 */
static inline void vuf_st16_release(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELEASE);
}

/**
 * vuf_st32() - Store a little-endian u32
 * @p:		Destination (4-byte aligned)
 * @v:		Value
 */
static inline void vuf_st32(void *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

/**
 * vuf_ld32() - Load a little-endian u32
 * @p:		Source (4-byte aligned)
 *
 * Return: the value in host order
 */
static inline uint32_t vuf_ld32(const void *p)
{
	return le32toh(__atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED));
}

/**
 * vuf_st64() - Store a little-endian u64
 * @p:		Destination (8-byte aligned)
 * @v:		Value
 */
static inline void vuf_st64(void *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, htole64(v), __ATOMIC_RELAXED);
}

/**
 * vuf_mb() - Full barrier: order our stores before our later loads
 */
static inline void vuf_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/**
 * vuf_need_event() - The virtio event-index test
 * @event:	Index the other side asked to be notified at
 * @new_idx:	Index after the update
 * @old:	Index before the update
 *
 * Return: true if @event lies in [@old, @new_idx) modulo 2^16
 */
static inline bool vuf_need_event(uint16_t event, uint16_t new_idx,
				  uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

#endif /* VUF_PRIV_H */
