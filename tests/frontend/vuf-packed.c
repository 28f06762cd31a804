// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-packed.c - libvuf packed virtqueue, driver side: descriptor ring with
 * AVAIL/USED bits and wrap counters, buffer ids, driver and device event
 * suppression areas.
 */
#include <errno.h>

#include "vuf-priv.h"

#define EVENT_F_ENABLE	0u
#define EVENT_F_DISABLE	1u
#define EVENT_F_DESC	2u
#define WRAP_BIT	15

/**
 * packed_layout() - Allocate the ring and event areas; reset state
 * @vq:		Virtqueue
 *
 * Return: 0, or -ENOMEM if guest memory is exhausted
 */
static int packed_layout(struct vuf_vq *vq)
{
	uint16_t i;

	vq->desc_gpa = vuf_vq_alloc(vq, (uint64_t)vq->size * VUF_DESC_SIZE,
				    16, &vq->desc);
	vq->avail_gpa = vuf_vq_alloc(vq, 4, 4, &vq->avail);
	vq->used_gpa = vuf_vq_alloc(vq, 4, 4, &vq->used);
	if (!vq->desc || !vq->avail || !vq->used)
		return -ENOMEM;
	vq->free_ids = g_new(uint16_t, vq->size);
	for (i = 0; i < vq->size; i++)
		vq->free_ids[i] = (uint16_t)(vq->size - 1 - i);
	vq->nfree_ids = vq->size;
	vq->num_free = vq->size;
	vq->next_avail = 0;
	vq->avail_wrap = true;
	vq->next_used = 0;
	vq->used_wrap = true;
	vuf_st16(vq->avail, 1u << WRAP_BIT);
	vuf_st16(vq->avail + 2, (vq->flags & VUF_VQ_EVENT_IDX) ?
		 EVENT_F_DESC : EVENT_F_ENABLE);
	return 0;
}

/**
 * packed_next_id() - Buffer id the next chain will get
 * @vq:		Virtqueue
 *
 * Return: id (the ring is never out of ids while it has free slots)
 */
static uint16_t packed_next_id(const struct vuf_vq *vq)
{
	return vq->free_ids[vq->nfree_ids - 1];
}

/**
 * avail_flags() - AVAIL/USED bits marking a descriptor available
 * @wrap:	Driver wrap counter at its position
 *
 * Return: flag bits
 */
static uint16_t avail_flags(bool wrap)
{
	return wrap ? VUF_DESC_F_AVAIL : VUF_DESC_F_USED;
}

/**
 * write_desc() - Fill a packed descriptor except its flags
 * @p:		Descriptor
 * @d:		Buffer
 * @id:		Buffer id
 */
static void write_desc(uint8_t *p, const struct vuf_desc *d, uint16_t id)
{
	vuf_st64(p, d->gpa);
	vuf_st32(p + 8, d->len);
	vuf_st16(p + 12, id);
}

/**
 * write_table() - Fill an indirect table (only the WRITE flag is valid there)
 * @t:		Table
 * @d:		Buffers
 * @n:		Number of buffers
 */
static void write_table(uint8_t *t, const struct vuf_desc *d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		write_desc(t + (size_t)i * VUF_DESC_SIZE, &d[i], 0);
		vuf_st16(t + (size_t)i * VUF_DESC_SIZE + 14,
			 d[i].write ? VUF_DESC_F_WRITE : 0);
	}
}

/**
 * packed_add() - Make a chain available, head flags written last
 * @vq:		Virtqueue
 * @d:		Buffers
 * @n:		Number of buffers
 * @table_gpa:	Indirect table address, 0 for a direct chain
 *
 * Return: buffer id (the chain id)
 */
static int packed_add(struct vuf_vq *vq, const struct vuf_desc *d,
		      unsigned int n, uint64_t table_gpa)
{
	struct vuf_desc ind = { table_gpa, n * VUF_DESC_SIZE, false };
	uint16_t id = vq->free_ids[--vq->nfree_ids];
	uint16_t head_flags = 0, pos = vq->next_avail;
	bool wrap = vq->avail_wrap;
	unsigned int i;

	if (table_gpa) {
		write_table(vuf_mem_ptr(vq->mem, table_gpa, ind.len), d, n);
		d = &ind;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		uint8_t *p = vq->desc + (size_t)pos * VUF_DESC_SIZE;
		uint16_t f = avail_flags(wrap);

		f |= d[i].write ? VUF_DESC_F_WRITE : 0;
		f |= i + 1 < n ? VUF_DESC_F_NEXT : 0;
		f |= table_gpa ? VUF_DESC_F_INDIRECT : 0;
		write_desc(p, &d[i], id);
		if (i)
			vuf_st16(p + 14, f);
		else
			head_flags = f;
		if (++pos == vq->size) {
			pos = 0;
			wrap = !wrap;
		}
	}
	vuf_st16_release(vq->desc + (size_t)vq->next_avail * VUF_DESC_SIZE +
			 14, head_flags);
	vq->next_avail = pos;
	vq->avail_wrap = wrap;
	vq->num_free -= (uint16_t)n;
	vq->num_added += (uint16_t)n;
	return id;
}

/**
 * packed_next_used() - Take the next used descriptor
 * @vq:		Virtqueue
 * @u:		Completion
 *
 * Return: 1, 0 if the device has not used the next slot, -EPROTO for an id
 * that is not in flight
 */
static int packed_next_used(struct vuf_vq *vq, struct vuf_used *u)
{
	const uint8_t *p = vq->desc + (size_t)vq->next_used * VUF_DESC_SIZE;
	uint16_t f = vuf_ld16_acquire(p + 14);
	bool avail = f & VUF_DESC_F_AVAIL, used = f & VUF_DESC_F_USED;
	uint16_t id, ndesc;

	if (avail != used || used != vq->used_wrap || !vq->in_flight)
		return 0;
	id = vuf_ld16(p + 12);
	if (id >= vq->size || !vq->chains[id].busy)
		return vuf_vq_fail(vq, EPROTO, "used buffer id %u at slot %u "
				   "is not in flight", id, vq->next_used);
	u->id = id;
	u->len = vuf_ld32(p + 8);
	ndesc = vq->chains[id].ndesc;
	vq->next_used += ndesc;
	if (vq->next_used >= vq->size) {
		vq->next_used -= vq->size;
		vq->used_wrap = !vq->used_wrap;
	}
	vq->free_ids[vq->nfree_ids++] = id;
	vq->num_free += ndesc;
	return 1;
}

/**
 * packed_kick_needed() - Whether the device event area asks for a kick
 * @vq:		Virtqueue
 *
 * Return: true if a kick is due for the descriptors added since the last
 */
static bool packed_kick_needed(const struct vuf_vq *vq)
{
	uint16_t off_wrap, flags, ev, old;

	vuf_mb();
	off_wrap = vuf_ld16(vq->used);
	flags = vuf_ld16(vq->used + 2);
	if (flags == EVENT_F_DISABLE)
		return false;
	if (flags != EVENT_F_DESC || vq->num_added >= vq->size)
		return true;
	ev = off_wrap & ~(1u << WRAP_BIT);
	if ((bool)(off_wrap >> WRAP_BIT) != vq->avail_wrap)
		ev = (uint16_t)(ev - vq->size);
	old = (uint16_t)(vq->next_avail - vq->num_added);
	return vuf_need_event(ev, vq->next_avail, old);
}

/**
 * packed_set_event() - Write off_wrap of the driver event area
 * @vq:		Virtqueue
 * @event:	Slot (bits 0-14) and wrap counter (bit 15) to be called at
 */
static void packed_set_event(struct vuf_vq *vq, uint16_t event)
{
	vuf_st16(vq->avail, event);
}

/**
 * packed_used_pos() - Our next used slot with its wrap counter
 * @vq:		Virtqueue
 *
 * Return: off_wrap value
 */
static uint16_t packed_used_pos(const struct vuf_vq *vq)
{
	return (uint16_t)(vq->next_used | (vq->used_wrap << WRAP_BIT));
}

/**
 * packed_calls() - Set the driver event flags
 * @vq:		Virtqueue
 * @enable:	Whether calls are wanted
 */
static void packed_calls(struct vuf_vq *vq, bool enable)
{
	uint16_t f = EVENT_F_DISABLE;

	if (enable)
		f = (vq->flags & VUF_VQ_EVENT_IDX) ? EVENT_F_DESC :
						     EVENT_F_ENABLE;
	vuf_st16(vq->avail + 2, f);
}

/**
 * packed_avail_event() - off_wrap of the device event area
 * @vq:		Virtqueue
 *
 * Return: value
 */
static uint16_t packed_avail_event(const struct vuf_vq *vq)
{
	return vuf_ld16(vq->used);
}

/**
 * packed_base() - Base after a crash: avail and used halves both set to our
 * next used slot and wrap counter
 * @vq:		Virtqueue
 *
 * Return: base in the GET/SET_VRING_BASE packed encoding
 */
static uint32_t packed_base(const struct vuf_vq *vq)
{
	uint32_t pos = packed_used_pos(vq);

	return pos | (pos << 16);
}

const struct vuf_ring_ops vuf_packed_ops = {
	.layout = packed_layout,
	.next_id = packed_next_id,
	.add = packed_add,
	.next_used = packed_next_used,
	.kick_needed = packed_kick_needed,
	.set_event = packed_set_event,
	.used_pos = packed_used_pos,
	.calls = packed_calls,
	.avail_event = packed_avail_event,
	.base = packed_base,
};
