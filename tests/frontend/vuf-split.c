// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-split.c - libvuf split virtqueue, driver side: descriptor table with a
 * private free list, available ring with used_event, used ring reading.
 */
#include <errno.h>

#include "vuf-priv.h"

#define AVAIL_F_NO_INTERRUPT	1u
#define USED_F_NO_NOTIFY	1u

/**
 * split_layout() - Allocate desc table, avail and used rings; reset state
 * @vq:		Virtqueue
 *
 * Return: 0, or -ENOMEM if guest memory is exhausted
 */
static int split_layout(struct vuf_vq *vq)
{
	uint16_t i;

	vq->desc_gpa = vuf_vq_alloc(vq, (uint64_t)vq->size * VUF_DESC_SIZE,
				    16, &vq->desc);
	vq->avail_gpa = vuf_vq_alloc(vq, 6 + 2ull * vq->size, 2, &vq->avail);
	vq->used_gpa = vuf_vq_alloc(vq, 6 + 8ull * vq->size, 4, &vq->used);
	if (!vq->desc || !vq->avail || !vq->used)
		return -ENOMEM;
	vq->next = g_new(uint16_t, vq->size);
	for (i = 0; i < vq->size; i++)
		vq->next[i] = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = vq->size;
	return 0;
}

/**
 * split_next_id() - Head descriptor the next chain will get
 * @vq:		Virtqueue
 *
 * Return: descriptor index
 */
static uint16_t split_next_id(const struct vuf_vq *vq)
{
	return vq->free_head;
}

/**
 * write_desc() - Fill one split descriptor
 * @p:		Descriptor
 * @gpa:	Buffer address
 * @len:	Buffer length
 * @flags:	VUF_DESC_F_* flags
 * @next:	Next descriptor index
 */
static void write_desc(uint8_t *p, uint64_t gpa, uint32_t len, uint16_t flags,
		       uint16_t next)
{
	vuf_st64(p, gpa);
	vuf_st32(p + 8, len);
	vuf_st16(p + 12, flags);
	vuf_st16(p + 14, next);
}

/**
 * write_chain() - Write buffers as a linked chain of descriptors
 * @base:	Table (ring table or indirect table)
 * @link:	Free-list links to follow from @first; NULL for an indirect
 *		table, where the chain is simply 0, 1, 2, ...
 * @first:	First descriptor index
 * @d:		Buffers
 * @n:		Number of buffers
 *
 * Return: the index after the last descriptor used
 */
static uint16_t write_chain(uint8_t *base, const uint16_t *link,
			    uint16_t first, const struct vuf_desc *d,
			    unsigned int n)
{
	uint16_t cur = first, nxt;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t f = d[i].write ? VUF_DESC_F_WRITE : 0;

		nxt = link ? link[cur] : (uint16_t)(cur + 1);
		if (i + 1 < n)
			f |= VUF_DESC_F_NEXT;
		write_desc(base + (size_t)cur * VUF_DESC_SIZE, d[i].gpa,
			   d[i].len, f, i + 1 < n ? nxt : 0);
		cur = nxt;
	}
	return cur;
}

/**
 * split_add() - Make a chain available
 * @vq:		Virtqueue
 * @d:		Buffers
 * @n:		Number of buffers
 * @table_gpa:	Indirect table address, 0 for a direct chain
 *
 * Return: head descriptor index (the chain id)
 */
static int split_add(struct vuf_vq *vq, const struct vuf_desc *d,
		     unsigned int n, uint64_t table_gpa)
{
	uint16_t head = vq->free_head;
	uint8_t *slot;

	if (table_gpa) {
		struct vuf_desc ind = { table_gpa, n * VUF_DESC_SIZE, false };

		write_chain(vuf_mem_ptr(vq->mem, table_gpa, ind.len), NULL, 0,
			    d, n);
		vq->free_head = write_chain(vq->desc, vq->next, head, &ind, 1);
		vuf_st16(vq->desc + (size_t)head * VUF_DESC_SIZE + 12,
			 VUF_DESC_F_INDIRECT);
		vq->num_free--;
	} else {
		vq->free_head = write_chain(vq->desc, vq->next, head, d, n);
		vq->num_free -= (uint16_t)n;
	}
	slot = vq->avail + 4 + 2 * (size_t)(vq->avail_idx % vq->size);
	vuf_st16(slot, head);
	vq->avail_idx++;
	vuf_st16_release(vq->avail + 2, vq->avail_idx);
	vq->num_added++;
	return head;
}

/**
 * release_chain() - Return a chain's descriptors to the free list
 * @vq:		Virtqueue
 * @head:	Head descriptor
 * @ndesc:	Descriptors in the chain
 */
static void release_chain(struct vuf_vq *vq, uint16_t head, uint16_t ndesc)
{
	uint16_t last = head;
	uint16_t i;

	for (i = 1; i < ndesc; i++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;
	vq->free_head = head;
	vq->num_free += ndesc;
}

/**
 * split_next_used() - Take the next used element
 * @vq:		Virtqueue
 * @u:		Completion
 *
 * Return: 1, 0 if the used ring holds nothing new, -EPROTO for an entry
 * that does not match a chain in flight
 */
static int split_next_used(struct vuf_vq *vq, struct vuf_used *u)
{
	uint16_t used_idx = vuf_ld16_acquire(vq->used + 2);
	const uint8_t *e;
	uint32_t id;

	if (used_idx == vq->last_used)
		return 0;
	if ((uint16_t)(used_idx - vq->last_used) > vq->in_flight)
		return vuf_vq_fail(vq, EPROTO, "used idx %u: %u new entries, "
				   "%u in flight", used_idx,
				   (uint16_t)(used_idx - vq->last_used),
				   vq->in_flight);
	e = vq->used + 4 + 8 * (size_t)(vq->last_used % vq->size);
	id = vuf_ld32(e);
	if (id >= vq->size || !vq->chains[id].busy)
		return vuf_vq_fail(vq, EPROTO, "used id %u is not in flight",
				   id);
	u->id = (uint16_t)id;
	u->len = vuf_ld32(e + 4);
	release_chain(vq, u->id, vq->chains[id].ndesc);
	vq->last_used++;
	return 1;
}

/**
 * split_kick_needed() - Whether the device asked for a kick
 * @vq:		Virtqueue
 *
 * Return: true if a kick is due for the chains added since the last one
 */
static bool split_kick_needed(const struct vuf_vq *vq)
{
	vuf_mb();
	if (vq->flags & VUF_VQ_EVENT_IDX) {
		uint16_t ev = vuf_ld16(vq->used + 4 + 8 * (size_t)vq->size);
		uint16_t old = (uint16_t)(vq->avail_idx - vq->num_added);

		return vuf_need_event(ev, vq->avail_idx, old);
	}
	return !(vuf_ld16(vq->used) & USED_F_NO_NOTIFY);
}

/**
 * split_set_event() - Write used_event (the last avail ring entry)
 * @vq:		Virtqueue
 * @event:	Used index at which we want a call
 */
static void split_set_event(struct vuf_vq *vq, uint16_t event)
{
	vuf_st16(vq->avail + 4 + 2 * (size_t)vq->size, event);
}

/**
 * split_used_pos() - Our next used index
 * @vq:		Virtqueue
 *
 * Return: index of the next used entry we will read
 */
static uint16_t split_used_pos(const struct vuf_vq *vq)
{
	return vq->last_used;
}

/**
 * split_calls() - Set or clear VRING_AVAIL_F_NO_INTERRUPT
 * @vq:		Virtqueue
 * @enable:	Whether calls are wanted
 */
static void split_calls(struct vuf_vq *vq, bool enable)
{
	vuf_st16(vq->avail, enable ? 0 : AVAIL_F_NO_INTERRUPT);
}

/**
 * split_avail_event() - Read avail_event (the last used ring entry)
 * @vq:		Virtqueue
 *
 * Return: value
 */
static uint16_t split_avail_event(const struct vuf_vq *vq)
{
	return vuf_ld16(vq->used + 4 + 8 * (size_t)vq->size);
}

/**
 * split_base() - used->idx from guest memory (QEMU's restore after a crash)
 * @vq:		Virtqueue
 *
 * Return: base
 */
static uint32_t split_base(const struct vuf_vq *vq)
{
	return vuf_ld16_acquire(vq->used + 2);
}

const struct vuf_ring_ops vuf_split_ops = {
	.layout = split_layout,
	.next_id = split_next_id,
	.add = split_add,
	.next_used = split_next_used,
	.kick_needed = split_kick_needed,
	.set_event = split_set_event,
	.used_pos = split_used_pos,
	.calls = split_calls,
	.avail_event = split_avail_event,
	.base = split_base,
};
