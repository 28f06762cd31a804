// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-split.c - the split virtqueue layout (virtio 1.2, 2.7): descriptor chain
 * walking with every guest index, length and address validated, used ring
 * updates, event idx and notification suppression.
 *
 * Choices where the specification leaves room:
 * - used->idx is published on every push (vu_split_flush() is then a no-op
 *   kept for symmetry): inflight tracking needs the used index to be visible
 *   right after each used entry, and batching is about notifications, which
 *   vu_split_should_notify() does once per batch.
 * - A zero-length descriptor is accepted and produces no iovec.
 * - An indirect table must lie in one guest memory region; one that spans
 *   regions is treated as malformed (guests allocate tables in one piece).
 * - A descriptor with VU_DESC_F_INDIRECT must not also have VU_DESC_F_NEXT,
 *   and may not appear inside an indirect table.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vu-log.h"
#include "vu-mem.h"
#include "vu-queue.h"
#include "vu-ring-io.h"

/**
 * vu_split_used_event() - The driver's used_event field (avail->ring[size])
 * @vq:		Queue, mapped
 *
 * Return: pointer to used_event
 */
static uint16_t *vu_split_used_event(const struct vu_queue *vq)
{
	return &vq->avail->ring[vq->size];
}

/**
 * vu_split_log_used() - Log a write to the used ring for live migration
 * @vq:		Queue
 * @off:	Offset of the write in the used ring
 * @len:	Bytes written
 */
static void vu_split_log_used(const struct vu_queue *vq, uint64_t off,
			      uint64_t len)
{
	if (!vq->log || !vq->log->enabled || !(vq->addr.flags & VU_VRING_F_LOG))
		return;
	vu_log_write(vq->log, vq->addr.log_guest + off, len);
}

/**
 * vu_split_set_avail_event() - Write avail_event (after used->ring[size])
 * @vq:		Queue, mapped
 * @idx:	Avail index at which the driver should kick next
 */
static void vu_split_set_avail_event(const struct vu_queue *vq, uint16_t idx)
{
	uint64_t off = offsetof(struct vu_used, ring) +
		       sizeof(struct vu_used_elem) * vq->size;

	vu_wr16((uint16_t *)&vq->used->ring[vq->size], idx);
	vu_split_log_used(vq, off, sizeof(uint16_t));
}

/**
 * vu_split_ring() - Translate one ring part and check its alignment
 * @vq:		Queue
 * @uva:	Front-end user address of the part
 * @len:	Bytes the part occupies, event fields included
 * @align:	Required alignment
 * @p:		Out: our pointer to the part
 *
 * Return: 0 on success, -EINVAL if misaligned, -EFAULT if not in one region
 */
static int vu_split_ring(const struct vu_queue *vq, uint64_t uva, uint64_t len,
			 uintptr_t align, void **p)
{
	if (uva & (align - 1))
		return -EINVAL;
	*p = vu_mem_uva_range(vq->mem, uva, len);
	if (!*p)
		return -EFAULT;
	if ((uintptr_t)*p & (align - 1))
		return -EINVAL;
	return 0;
}

/**
 * vu_split_map() - Translate the split ring addresses of a queue
 * @vq:		Queue with @size, @mem and @addr set
 *
 * Also takes the used index from the ring when nothing is left unpublished,
 * so that a restarted back-end continues where the previous one stopped.
 *
 * Return: 0 on success, -EINVAL for a bad size or alignment, -EFAULT if a
 *	   ring is not entirely inside one memory region
 */
int vu_split_map(struct vu_queue *vq)
{
	uint64_t n = vq->size;
	void *desc, *avail, *used;
	int r;

	if (!n || n > VU_QUEUE_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	r = vu_split_ring(vq, vq->addr.desc_user, n * sizeof(struct vu_desc),
			  16, &desc);
	if (!r)
		r = vu_split_ring(vq, vq->addr.avail_user, 4 + 2 * n + 2, 2,
				  &avail);
	if (!r)
		r = vu_split_ring(vq, vq->addr.used_user,
				  4 + sizeof(struct vu_used_elem) * n + 2, 4,
				  &used);
	if (r)
		return r;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	if (vq->used_idx == vq->published_used_idx) {
		vq->used_idx = vu_rd16(&vq->used->idx);
		vq->published_used_idx = vq->used_idx;
	}
	return 0;
}

/**
 * vu_split_avail_refresh() - Read the driver's avail index into the shadow
 * @vq:		Queue, mapped
 *
 * Return: number of available entries not yet popped, or -EIO if the index
 *	   is more than the queue size ahead (the queue is then broken)
 */
static int vu_split_avail_refresh(struct vu_queue *vq)
{
	uint16_t idx = vu_rd16(&vq->avail->idx);
	uint16_t n = (uint16_t)(idx - vq->last_avail_idx);

	if (n > vq->size) {
		vu_queue_set_broken(vq, "avail index jumped past queue size");
		return -EIO;
	}
	vq->shadow_avail_idx = idx;
	/* Ring entries below idx are read only after idx itself */
	vu_rmb();
	return n;
}

/**
 * struct vu_split_walk - position in a descriptor chain walk
 * @table:	Descriptor table being walked: the ring's or an indirect one
 * @num:	Entries in @table
 * @left:	Descriptors that may still be visited in @table (bounds loops)
 * @indirect:	@table is an indirect table
 */
struct vu_split_walk {
	const uint8_t *table;
	unsigned int num;
	unsigned int left;
	bool indirect;
};

/**
 * vu_split_desc() - Copy a descriptor out of guest memory, in host order
 * @w:		Walk: the table to read
 * @i:		Index in the table, below @w->num
 * @d:		Out: the descriptor
 *
 * Indirect tables need not be aligned, hence the byte copy.
 */
static void vu_split_desc(const struct vu_split_walk *w, unsigned int i,
			  struct vu_desc *d)
{
	memcpy(d, w->table + (size_t)i * sizeof(*d), sizeof(*d));
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/**
 * vu_split_indirect() - Switch a walk to the indirect table of a descriptor
 * @vq:		Queue
 * @w:		Walk to switch
 * @d:		Descriptor with VU_DESC_F_INDIRECT
 *
 * Return: NULL on success, else why the descriptor is malformed
 */
static const char *vu_split_indirect(const struct vu_queue *vq,
				     struct vu_split_walk *w,
				     const struct vu_desc *d)
{
	const void *t;

	if (!vu_queue_has_feature(vq, VU_F_RING_INDIRECT_DESC))
		return "indirect descriptor without the feature";
	if (w->indirect)
		return "indirect descriptor inside an indirect table";
	if (d->flags & VU_DESC_F_NEXT)
		return "indirect descriptor with NEXT";
	if (!d->len || d->len % sizeof(struct vu_desc))
		return "indirect table length not a multiple of 16";
	if (d->len / sizeof(struct vu_desc) > VU_QUEUE_MAX_SIZE)
		return "indirect table too long";
	t = vu_mem_gpa_range(vq->mem, d->addr, d->len);
	if (!t)
		return "indirect table outside guest memory";
	w->table = t;
	w->num = d->len / sizeof(struct vu_desc);
	w->left = w->num;
	w->indirect = true;
	return NULL;
}

/**
 * vu_split_buffer() - Append a descriptor's buffer to an element
 * @vq:		Queue
 * @elem:	Element
 * @d:		Direct descriptor
 *
 * Return: NULL on success, else why the descriptor is malformed
 */
static const char *vu_split_buffer(struct vu_queue *vq, struct vu_elem *elem,
				   const struct vu_desc *d)
{
	int r = vu_queue_map_desc(vq, elem, d->addr, d->len,
				  d->flags & VU_DESC_F_WRITE);

	switch (r) {
	case 0:
		return NULL;
	case -E2BIG:
		return "chain has more buffers than the device accepts";
	case -EINVAL:
		return "device-readable descriptor after a device-writable one";
	default:
		return "buffer outside guest memory";
	}
}

/**
 * vu_split_walk_chain() - Walk a chain, filling an element
 * @vq:		Queue, mapped
 * @head:	Head index, below the queue size
 * @elem:	Element to fill
 *
 * Return: NULL on success, else why the chain is malformed
 */
static const char *vu_split_walk_chain(struct vu_queue *vq, uint16_t head,
				       struct vu_elem *elem)
{
	struct vu_split_walk w = {
		.table = (const uint8_t *)vq->desc,
		.num = vq->size,
		.left = vq->size,
	};
	unsigned int i = head;
	const char *why;
	struct vu_desc d;

	for (;;) {
		if (!w.left--)
			return "descriptor chain loops or is too long";
		vu_split_desc(&w, i, &d);
		if (!w.indirect)
			elem->ndescs++;
		if (d.flags & VU_DESC_F_INDIRECT) {
			why = vu_split_indirect(vq, &w, &d);
			if (why)
				return why;
			i = 0;
			continue;
		}
		why = vu_split_buffer(vq, elem, &d);
		if (why)
			return why;
		if (!(d.flags & VU_DESC_F_NEXT))
			return NULL;
		i = d.next;
		if (i >= w.num)
			return "next descriptor index out of range";
	}
}

/**
 * vu_split_read_chain() - Build the element for the chain at a head index
 * @vq:		Queue, mapped
 * @head:	Head index (from the avail ring or an inflight record)
 * @elem:	Element to fill; @iov and @iov_max set by the caller
 *
 * Does not touch the ring indices: used by pop and by inflight resubmission.
 *
 * Return: 0 on success, -EIO if the chain is malformed (queue marked broken)
 */
int vu_split_read_chain(struct vu_queue *vq, uint16_t head,
			struct vu_elem *elem)
{
	const char *why = "head index out of range";

	elem->id = head;
	elem->ndescs = 0;
	elem->out_num = 0;
	elem->in_num = 0;
	if (vq->desc && head < vq->size)
		why = vu_split_walk_chain(vq, head, elem);
	if (!why)
		return 0;
	vu_queue_set_broken(vq, why);
	return -EIO;
}

/**
 * vu_split_recheck() - Look once more after publishing avail_event
 * @vq:		Queue, found empty, event idx on
 *
 * A driver that added a chain just now decides whether to kick from
 * avail_event. Our avail_event store and our avail->idx load may be
 * reordered (store to load, even on x86): without the full barrier the
 * driver could read the old avail_event and not kick while we read the
 * old index and stop - a lost wakeup.
 *
 * Return: as vu_split_avail_refresh()
 */
static int vu_split_recheck(struct vu_queue *vq)
{
	vu_split_set_avail_event(vq, vq->last_avail_idx);
	vu_mb();
	return vu_split_avail_refresh(vq);
}

/**
 * vu_split_pop() - Take the next available chain
 * @vq:		Queue, mapped and not broken
 * @elem:	Element to fill; @iov and @iov_max set by the caller
 *
 * Return: 1 with a chain in @elem, 0 if the ring is empty, -EIO if it is
 *	   malformed (queue marked broken)
 */
int vu_split_pop(struct vu_queue *vq, struct vu_elem *elem)
{
	uint16_t head;
	int r;

	if (vq->last_avail_idx == vq->shadow_avail_idx) {
		r = vu_split_avail_refresh(vq);
		if (r == 0 && vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX) &&
		    !vq->notify_off)
			r = vu_split_recheck(vq);
		if (r <= 0)
			return r;
	}
	/* A driver re-offering heads we hold could make us pop forever */
	if (vq->inuse >= vq->size) {
		vu_queue_set_broken(vq, "more chains in flight than slots");
		return -EIO;
	}
	head = vu_rd16(&vq->avail->ring[vq->last_avail_idx & (vq->size - 1)]);
	r = vu_split_read_chain(vq, head, elem);
	if (r < 0)
		return r;
	vq->last_avail_idx++;
	if (vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX) && !vq->notify_off) {
		vu_split_set_avail_event(vq, vq->last_avail_idx);
	}
	return 1;
}

/**
 * vu_split_pop_burst() - Pop up to @n one-descriptor chains in one go
 * @vq:		Queue, mapped and usable, no inflight region, nothing to
 *		resubmit, not draining
 * @elems:	Elements, @iov and @iov_max set by the caller
 * @n:		How many at most
 *
 * The fast path for what network drivers post: one buffer per chain. It
 * stops before the first chain that is anything else (several
 * descriptors, indirect, empty, crossing a memory region, a bad head),
 * which the caller pops with vu_queue_pop() and its full checks, so no
 * check is skipped: only the per-chain overhead.
 *
 * Return: chains popped
 */
unsigned int vu_split_pop_burst(struct vu_queue *vq, struct vu_elem *elems,
				unsigned int n)
{
	const struct vu_split_walk w = {
		.table = (const uint8_t *)vq->desc,
		.num = vq->size,
	};
	uint16_t mask = vq->size - 1, head;
	struct vu_elem *e = elems;
	unsigned int i, avail;
	struct vu_desc d;
	uint64_t chunk;
	void *p;

	avail = (uint16_t)(vq->shadow_avail_idx - vq->last_avail_idx);
	if (!avail && vu_split_avail_refresh(vq) <= 0)
		return 0;
	avail = (uint16_t)(vq->shadow_avail_idx - vq->last_avail_idx);
	if (vq->inuse >= vq->size)
		return 0;
	if (n > avail)
		n = avail;
	if (n > vq->size - vq->inuse)
		n = vq->size - vq->inuse;
	for (i = 0; i < n; i++, e++) {
		head = vu_rd16(&vq->avail->ring[(uint16_t)(vq->last_avail_idx +
							   i) & mask]);
		if (head >= vq->size || !e->iov_max)
			break;
		vu_split_desc(&w, head, &d);
		if ((d.flags & (VU_DESC_F_NEXT | VU_DESC_F_INDIRECT)) || !d.len)
			break;
		chunk = d.len;
		p = vu_mem_gpa_hint(vq->mem, d.addr, &chunk, &vq->mem_hint);
		if (!p || chunk < d.len)
			break;
		e->id = head;
		e->ndescs = 1;
		e->iov[0].iov_base = p;
		e->iov[0].iov_len = d.len;
		e->in_num = !!(d.flags & VU_DESC_F_WRITE);
		e->out_num = !e->in_num;
	}
	vq->last_avail_idx += i;
	vq->inuse += i;
	if (i && vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX) &&
	    !vq->notify_off)
		vu_split_set_avail_event(vq, vq->last_avail_idx);
	return i;
}

/**
 * vu_split_unpop() - Give back the chain popped last
 * @vq:		Queue
 * @elem:	The element (unused: the avail index is simply rewound)
 */
void vu_split_unpop(struct vu_queue *vq, const struct vu_elem *elem)
{
	(void)elem;
	vq->last_avail_idx--;
}

/**
 * vu_split_push() - Write a used entry
 * @vq:		Queue, mapped
 * @elem:	Element popped from this queue
 * @len:	Bytes written into the element's in buffers
 *
 * The entry is published (used->idx) by vu_split_flush(), once per batch:
 * the driver polls that cache line, and a store per entry makes it bounce
 * between the CPUs. With an inflight region each entry is published at
 * once: crash recovery tells a published entry from a lost one by
 * comparing used->idx with the region's copy, for the last entry only.
 */
void vu_split_push(struct vu_queue *vq, const struct vu_elem *elem,
		   uint32_t len)
{
	vu_split_push_burst(vq, elem, 1, &len);
	if (vq->inflight)
		vu_split_flush(vq);
}

/**
 * vu_split_push_burst() - Write the used entries of several chains
 * @vq:		Queue, mapped
 * @elems:	Elements popped from this queue
 * @n:		How many
 * @lens:	Bytes written into each one's in buffers, or NULL for none
 *
 * Published by vu_split_flush(), as for vu_split_push().
 */
void vu_split_push_burst(struct vu_queue *vq, const struct vu_elem *elems,
			 unsigned int n, const uint32_t *lens)
{
	struct vu_used_elem *u;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u = &vq->used->ring[(uint16_t)(vq->used_idx + i) &
				    (vq->size - 1)];
		vu_wr32(&u->id, elems[i].id);
		vu_wr32(&u->len, lens ? lens[i] : 0);
		vu_split_log_used(vq, (uint64_t)((uint8_t *)u -
						 (uint8_t *)vq->used),
				  sizeof(*u));
	}
	vq->used_idx += (uint16_t)n;
	vq->pending += n;
}

/**
 * vu_split_flush() - Publish used->idx if entries are unpublished
 * @vq:		Queue, mapped
 */
void vu_split_flush(struct vu_queue *vq)
{
	if (vq->published_used_idx == vq->used_idx)
		return;
	/* Used entries must be visible before the index that covers them */
	vu_wmb();
	vu_wr16(&vq->used->idx, vq->used_idx);
	vu_split_log_used(vq, offsetof(struct vu_used, idx), 2);
	vq->published_used_idx = vq->used_idx;
}

/**
 * vu_need_event() - The virtio event index rule
 * @event:	Index the other side asked to be notified at
 * @new_idx:	Index now
 * @old:	Index at the previous notification
 *
 * Return: true if @event lies in [@old, @new_idx), modulo 2^16
 */
static bool vu_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/**
 * vu_split_should_notify() - Does the driver want a used notification for
 *			      the entries pushed since the last check?
 * @vq:		Queue, mapped
 *
 * Return: true if the call fd should be signalled
 */
bool vu_split_should_notify(struct vu_queue *vq)
{
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_used_valid;

	if (!vq->pending)
		return false;
	vq->pending = 0;
	/* used->idx is published before we read the driver's wishes */
	vu_mb();
	vq->signalled_used = vq->published_used_idx;
	vq->signalled_used_valid = true;
	if (vu_queue_has_feature(vq, VU_F_NOTIFY_ON_EMPTY) && !vq->inuse &&
	    vu_split_empty(vq))
		return true;
	if (!vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX))
		return !(vu_rd16(&vq->avail->flags) & VU_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	return vu_need_event(vu_rd16(vu_split_used_event(vq)),
			     vq->published_used_idx, old);
}

/**
 * vu_split_set_notification() - Ask the driver to kick, or not to bother
 * @vq:		Queue, mapped
 * @enable:	true to ask for kicks
 *
 * With event idx, disabling just stops moving avail_event forward; enabling
 * sets it to the last avail index seen. A full barrier follows enabling, so
 * that a caller's next emptiness check cannot miss an entry added meanwhile.
 */
void vu_split_set_notification(struct vu_queue *vq, bool enable)
{
	uint16_t flags;

	if (vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX)) {
		if (enable)
			vu_split_set_avail_event(vq, vq->shadow_avail_idx);
	} else {
		flags = vu_rd16(&vq->used->flags);
		if (enable)
			flags &= (uint16_t)~VU_USED_F_NO_NOTIFY;
		else
			flags |= VU_USED_F_NO_NOTIFY;
		vu_wr16(&vq->used->flags, flags);
		vu_split_log_used(vq, offsetof(struct vu_used, flags), 2);
	}
	if (enable)
		vu_mb();
}

/**
 * vu_split_empty() - Check whether the driver has made chains available
 * @vq:		Queue, mapped
 *
 * Return: true if there is nothing to pop (or the avail index is corrupt)
 */
bool vu_split_empty(struct vu_queue *vq)
{
	if (vq->shadow_avail_idx != vq->last_avail_idx)
		return false;
	return vu_split_avail_refresh(vq) <= 0;
}
