// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-packed.c - the packed virtqueue layout (virtio 1.2, 2.8): reading
 * available descriptor chains, writing used descriptors, event suppression.
 *
 * Positions: vq->last_avail_idx/avail_wrap is the next ring slot to read and
 * the Driver Ring Wrap Counter we expect there; vq->used_idx/used_wrap is the
 * next slot to write and our Device Ring Wrap Counter. The spec starts both
 * counters at 1: vu_queue_reset() owns that, and SET_VRING_BASE replaces all
 * four with its encoding (bits 0-14, 15, 16-30, 31). vu_packed_map() never
 * touches them, because it also runs again when the memory table changes.
 * vq->signalled_used holds the used position at the last should_notify check
 * in the same encoding as a descriptor event (slot | wrap << 15).
 *
 * Choices where the specification leaves room:
 * - Every used descriptor is published as it is pushed (its flags are the
 *   publication), so vu_packed_flush() has nothing to do; batching is about
 *   notifications, which vu_packed_should_notify() does once per batch.
 * - An indirect descriptor must be alone in its chain (no NEXT, not after
 *   other descriptors); its table must lie in one guest memory region and
 *   hold at most the queue size entries, none of them indirect.
 * - Used descriptors carry VU_DESC_F_WRITE when their length is nonzero.
 */

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vu-log.h"
#include "vu-mem.h"
#include "vu-queue.h"
#include "vu-ring-io.h"

#define PACKED_WRAP_SHIFT	15
#define PACKED_OFF_MASK		((1u << PACKED_WRAP_SHIFT) - 1)
#define PACKED_EVENT_F_MASK	3

/**
 * packed_fail() - Mark the queue broken for a malformed ring
 * @vq:		Queue
 * @why:	What the guest did wrong (logged the first time only)
 *
 * Return: -EIO
 */
static int packed_fail(struct vu_queue *vq, const char *why)
{
	vu_queue_set_broken(vq, why);
	return -EIO;
}

/**
 * packed_avail() - Is a descriptor with these flags available to us?
 * @flags:	Descriptor flags, host order
 * @wrap:	Driver Ring Wrap Counter expected at this slot
 *
 * Return: true if AVAIL matches @wrap and USED does not
 */
static bool packed_avail(uint16_t flags, bool wrap)
{
	return !!(flags & VU_DESC_F_AVAIL) == wrap &&
	       !!(flags & VU_DESC_F_USED) != wrap;
}

/**
 * packed_load() - Copy a descriptor out of guest memory, once
 * @src:	Descriptor in guest memory (any alignment)
 * @dst:	Host-order copy
 *
 * The compiler barrier makes every later check use the copy: the guest can
 * change the original under us, and reading it twice would let it pass a
 * check with one value and be used with another.
 */
static void packed_load(const void *src, struct vu_pdesc *dst)
{
	memcpy(dst, src, sizeof(*dst));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	dst->addr = le64toh(dst->addr);
	dst->len = le32toh(dst->len);
	dst->id = le16toh(dst->id);
	dst->flags = le16toh(dst->flags);
}

/**
 * packed_advance() - Move a ring position forward, flipping its wrap counter
 * @idx:	Slot, below @size
 * @wrap:	Wrap counter of @idx
 * @n:		Slots to move, at most @size
 * @size:	Queue size
 */
static void packed_advance(uint16_t *idx, bool *wrap, uint16_t n,
			   uint16_t size)
{
	uint32_t next = (uint32_t)*idx + n;

	if (next >= size) {
		next -= size;
		*wrap = !*wrap;
	}
	*idx = (uint16_t)next;
}

/**
 * packed_add_buf() - Append one buffer of a chain to an element
 * @vq:		Queue
 * @elem:	Element being built
 * @d:		Descriptor (host order) naming the buffer
 *
 * vu_queue_map_desc() checks the buffer's bounds and that device-writable
 * buffers come last.
 *
 * Return: 0, or -EIO with the queue marked broken
 */
static int packed_add_buf(struct vu_queue *vq, struct vu_elem *elem,
			  const struct vu_pdesc *d)
{
	switch (vu_queue_map_desc(vq, elem, d->addr, d->len,
				  d->flags & VU_DESC_F_WRITE)) {
	case 0:
		return 0;
	case -E2BIG:
		return packed_fail(vq, "chain has more buffers than the device accepts");
	case -EINVAL:
		return packed_fail(vq, "device-readable buffer after a device-writable one");
	default:
		return packed_fail(vq, "buffer outside guest memory");
	}
}

/**
 * packed_check_indirect() - Validate a ring descriptor naming a table
 * @vq:		Queue
 * @d:		The descriptor with VU_DESC_F_INDIRECT (host order)
 *
 * Return: 0, or -EIO with the queue marked broken
 */
static int packed_check_indirect(struct vu_queue *vq, const struct vu_pdesc *d)
{
	if (!vu_queue_has_feature(vq, VU_F_RING_INDIRECT_DESC))
		return packed_fail(vq, "indirect descriptor not negotiated");
	if (d->flags & VU_DESC_F_NEXT)
		return packed_fail(vq, "indirect descriptor with NEXT");
	if (!d->len || d->len % sizeof(struct vu_pdesc))
		return packed_fail(vq, "bad indirect table length");
	if (d->len / sizeof(struct vu_pdesc) > vq->size)
		return packed_fail(vq, "indirect table longer than the queue");
	return 0;
}

/**
 * packed_read_indirect() - Append the buffers of an indirect table
 * @vq:		Queue
 * @elem:	Element being built
 * @d:		Ring descriptor with VU_DESC_F_INDIRECT (host order)
 *
 * Packed tables have no next field: entries follow in order and the table
 * length gives their number. Only VU_DESC_F_WRITE counts in an entry; a
 * nested table is rejected rather than ignored, as no driver writes one.
 *
 * Return: 0, or -EIO with the queue marked broken
 */
static int packed_read_indirect(struct vu_queue *vq, struct vu_elem *elem,
				const struct vu_pdesc *d)
{
	const uint8_t *table;
	struct vu_pdesc e;
	uint32_t i, n;
	int ret;

	ret = packed_check_indirect(vq, d);
	if (ret < 0)
		return ret;
	table = vu_mem_gpa_range(vq->mem, d->addr, d->len);
	if (!table)
		return packed_fail(vq, "indirect table outside guest memory");
	n = d->len / sizeof(e);
	for (i = 0; i < n; i++) {
		packed_load(table + (size_t)i * sizeof(e), &e);
		if (e.flags & VU_DESC_F_INDIRECT)
			return packed_fail(vq, "nested indirect table");
		ret = packed_add_buf(vq, elem, &e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * vu_packed_map() - Map the descriptor ring and both event areas
 * @vq:		Queue with size, memory and front-end addresses set
 *
 * addr.avail_user is the driver event area, addr.used_user the device one.
 * Positions and wrap counters are left as they are (see the file comment).
 *
 * Return: 0, -EINVAL for a bad size, position or alignment, -EFAULT if a
 * part is not inside one memory region
 */
int vu_packed_map(struct vu_queue *vq)
{
	uint64_t bytes = (uint64_t)vq->size * sizeof(struct vu_pdesc);
	void *desc, *drv, *dev;

	vq->pdesc = NULL;
	vq->driver_event = NULL;
	vq->device_event = NULL;
	if (!vq->mem || !vq->size || vq->size > VU_QUEUE_MAX_SIZE ||
	    vq->last_avail_idx >= vq->size || vq->used_idx >= vq->size)
		return -EINVAL;
	desc = vu_mem_uva_range(vq->mem, vq->addr.desc_user, bytes);
	drv = vu_mem_uva_range(vq->mem, vq->addr.avail_user,
			       sizeof(struct vu_pevent));
	dev = vu_mem_uva_range(vq->mem, vq->addr.used_user,
			       sizeof(struct vu_pevent));
	if (!desc || !drv || !dev)
		return -EFAULT;
	/* The spec's alignment, which our atomic accesses rely on */
	if ((uintptr_t)desc % 16 || (uintptr_t)drv % 4 || (uintptr_t)dev % 4)
		return -EINVAL;
	vq->pdesc = desc;
	vq->driver_event = drv;
	vq->device_event = dev;
	return 0;
}

/**
 * vu_packed_read_chain() - Turn the chain starting at a slot into iovecs
 * @vq:		Queue
 * @slot:	Ring slot of the chain's first descriptor
 * @elem:	Element to fill (iov and iov_max set by the caller)
 *
 * Does not look at the AVAIL/USED bits: vu_packed_pop() checked them, and
 * inflight resubmission reads chains the driver made available earlier.
 * The buffer id is the last descriptor's; @elem->ndescs counts ring slots.
 *
 * Return: 0, or -EIO if the chain is malformed (queue marked broken)
 */
int vu_packed_read_chain(struct vu_queue *vq, uint16_t slot,
			 struct vu_elem *elem)
{
	struct vu_pdesc d;
	uint16_t n = 0;
	int ret;

	if (!vq->pdesc || slot >= vq->size)
		return packed_fail(vq, "bad packed chain slot");
	elem->out_num = 0;
	elem->in_num = 0;
	elem->ndescs = 0;
	do {
		if (n == vq->size)
			return packed_fail(vq, "chain longer than the queue");
		packed_load(&vq->pdesc[slot], &d);
		if ((d.flags & VU_DESC_F_INDIRECT) && n)
			return packed_fail(vq, "indirect descriptor in a chain");
		if (d.flags & VU_DESC_F_INDIRECT)
			ret = packed_read_indirect(vq, elem, &d);
		else
			ret = packed_add_buf(vq, elem, &d);
		if (ret < 0)
			return ret;
		n++;
		if (++slot == vq->size)
			slot = 0;
	} while (d.flags & VU_DESC_F_NEXT);
	elem->id = d.id;
	elem->ndescs = n;
	return 0;
}

/**
 * vu_packed_empty() - Is there no available chain at the next slot?
 * @vq:		Queue
 *
 * Reads the flags of the next slot, then orders later reads after it.
 *
 * Return: true if nothing is available (or the ring is not mapped)
 */
bool vu_packed_empty(struct vu_queue *vq)
{
	uint16_t flags;

	if (!vq->pdesc || vq->last_avail_idx >= vq->size)
		return true;
	flags = le16toh(__atomic_load_n(&vq->pdesc[vq->last_avail_idx].flags,
					__ATOMIC_RELAXED));
	vu_rmb();
	return !packed_avail(flags, vq->avail_wrap);
}

/**
 * vu_packed_pop() - Take the next available chain
 * @vq:		Queue, mapped and not broken
 * @elem:	Element to fill; @iov and @iov_max set by the caller
 *
 * Return: 1 with a chain in @elem, 0 if nothing is available, -EIO if the
 *	   ring is malformed (queue marked broken) or not usable
 */
int vu_packed_pop(struct vu_queue *vq, struct vu_elem *elem)
{
	int ret;

	if (vq->broken || !vq->pdesc)
		return -EIO;
	if (vu_packed_empty(vq))
		return 0;
	/* A driver re-offering slots we hold would have no limit otherwise */
	if (vq->inuse >= vq->size)
		return packed_fail(vq, "more chains in flight than the queue size");
	ret = vu_packed_read_chain(vq, vq->last_avail_idx, elem);
	if (ret < 0)
		return ret;
	packed_advance(&vq->last_avail_idx, &vq->avail_wrap, elem->ndescs,
		       vq->size);
	return 1;
}

/**
 * vu_packed_unpop() - Give back the chain popped last, to be popped again
 * @vq:		Queue
 * @elem:	The element vu_packed_pop() filled: rewinds by its slot count
 */
void vu_packed_unpop(struct vu_queue *vq, const struct vu_elem *elem)
{
	uint16_t n = elem->ndescs;

	if (!n || n > vq->size || vq->last_avail_idx >= vq->size)
		return;
	if (vq->last_avail_idx >= n) {
		vq->last_avail_idx -= n;
	} else {
		vq->last_avail_idx = (uint16_t)(vq->last_avail_idx + vq->size - n);
		vq->avail_wrap = !vq->avail_wrap;
	}
}

/**
 * packed_log() - Log one of our writes to guest memory for live migration
 * @vq:		Queue
 * @p:		Our pointer to what we wrote
 * @len:	Bytes written
 *
 * The address comes from our own pointer rather than addr.log_guest, whose
 * meaning for packed rings front-ends do not agree on.
 */
static void packed_log(const struct vu_queue *vq, const void *p, uint64_t len)
{
	uint64_t gpa, avail = len;

	if (!vq->log || !vq->log->enabled || !(vq->addr.flags & VU_VRING_F_LOG))
		return;
	if (vu_mem_va_to_gpa(vq->mem, p, &gpa, &avail))
		vu_log_write(vq->log, gpa, len);
}

/**
 * vu_packed_push() - Write a used descriptor for a chain and publish it
 * @vq:		Queue, mapped
 * @elem:	The element vu_packed_pop() filled
 * @len:	Bytes written into its device-writable buffers
 *
 * The used descriptor goes to the next used slot, whatever slot the chain
 * came from, and the position moves on by the chain's slot count; the driver
 * finds that count again by buffer id. WRITE is set when @len is nonzero, as
 * the spec gives len a meaning only then.
 */
void vu_packed_push(struct vu_queue *vq, const struct vu_elem *elem,
		    uint32_t len)
{
	struct vu_pdesc *d;
	uint16_t flags = 0;

	if (!vq->pdesc || vq->used_idx >= vq->size || !elem->ndescs ||
	    elem->ndescs > vq->size)
		return;
	d = &vq->pdesc[vq->used_idx];
	__atomic_store_n(&d->id, htole16(elem->id), __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, htole32(len), __ATOMIC_RELAXED);
	if (len)
		flags |= VU_DESC_F_WRITE;
	if (vq->used_wrap)
		flags |= VU_DESC_F_AVAIL | VU_DESC_F_USED;
	/* id and len must be visible before the flags hand them over */
	vu_wmb();
	__atomic_store_n(&d->flags, htole16(flags), __ATOMIC_RELAXED);
	packed_log(vq, d, sizeof(*d));
	packed_advance(&vq->used_idx, &vq->used_wrap, elem->ndescs, vq->size);
	/* Slots, not chains: should_notify needs to know if a lap went by */
	vq->pending += elem->ndescs;
}

/**
 * vu_packed_flush() - Publish pushed entries: nothing to do for packed
 * @vq:		Queue
 *
 * vu_packed_push() already made each used descriptor visible.
 */
void vu_packed_flush(struct vu_queue *vq)
{
	(void)vq;
}

/**
 * vu_packed_set_notification() - Ask for kicks, or not
 * @vq:		Queue
 * @enable:	Ask the driver to kick us when it makes buffers available
 *
 * With event idx we ask only for the next slot we will read. After enabling,
 * a full barrier: the caller then re-checks the ring, and must not miss a
 * buffer the driver made available without seeing our request.
 */
void vu_packed_set_notification(struct vu_queue *vq, bool enable)
{
	uint16_t flags = enable ? VU_EVENT_F_ENABLE : VU_EVENT_F_DISABLE;
	uint16_t off_wrap;

	if (!vq->device_event)
		return;
	if (enable && vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX)) {
		off_wrap = (uint16_t)(vq->last_avail_idx |
				      vq->avail_wrap << PACKED_WRAP_SHIFT);
		__atomic_store_n(&vq->device_event->off_wrap,
				 htole16(off_wrap), __ATOMIC_RELAXED);
		vu_wmb();
		flags = VU_EVENT_F_DESC;
	}
	__atomic_store_n(&vq->device_event->flags, htole16(flags),
			 __ATOMIC_RELAXED);
	packed_log(vq, vq->device_event, sizeof(*vq->device_event));
	if (enable)
		vu_mb();
}

/**
 * packed_event_crossed() - Did we write the driver's event slot since @old?
 * @vq:		Queue
 * @old:	Used position at the previous check (slot | wrap << 15)
 * @event:	The driver's off_wrap
 *
 * Positions are laid out on a line two laps long whose second lap is the
 * current one: [old, new) is what we wrote since the previous check.
 *
 * Return: true if the event position lies in [old, new), or if more than
 * a lap went by (we can no longer tell, so better notify)
 */
static bool packed_event_crossed(const struct vu_queue *vq, uint16_t old,
				 uint16_t event)
{
	uint32_t size = vq->size, n = vq->used_idx + size, o, e;
	bool wrap = vq->used_wrap;

	o = (old & PACKED_OFF_MASK) +
	    ((bool)(old >> PACKED_WRAP_SHIFT) == wrap ? size : 0);
	e = (event & PACKED_OFF_MASK) +
	    ((bool)(event >> PACKED_WRAP_SHIFT) == wrap ? size : 0);
	if (o > n)
		return true;
	return e >= o && e < n;
}

/**
 * packed_driver_wants() - Apply the driver's event suppression setting
 * @vq:		Queue, mapped
 * @old:	Used position at the previous check
 * @valid:	@old can be trusted
 *
 * DISABLE: no. ENABLE: yes. DESC (only with event idx): if we wrote the
 * descriptor the driver named since the previous check. Any other value
 * (DESC without event idx, the reserved 3) notifies: a spurious interrupt
 * costs less than a hang.
 *
 * Return: true if the driver wants a used buffer notification
 */
static bool packed_driver_wants(const struct vu_queue *vq, uint16_t old,
				bool valid)
{
	uint16_t flags, event;

	flags = le16toh(__atomic_load_n(&vq->driver_event->flags,
					__ATOMIC_RELAXED));
	event = le16toh(__atomic_load_n(&vq->driver_event->off_wrap,
					__ATOMIC_RELAXED));
	flags &= PACKED_EVENT_F_MASK;
	if (flags == VU_EVENT_F_DISABLE)
		return false;
	if (flags != VU_EVENT_F_DESC ||
	    !vu_queue_has_feature(vq, VU_F_RING_EVENT_IDX) || !valid)
		return true;
	return packed_event_crossed(vq, old, event);
}

/**
 * vu_packed_should_notify() - Decide whether the driver wants a used
 *			       notification for the descriptors pushed since
 *			       the last call
 * @vq:		Queue, mapped
 *
 * Return: true if the call fd should be signalled
 */
bool vu_packed_should_notify(struct vu_queue *vq)
{
	unsigned int pushed = vq->pending;
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_used_valid;

	if (!pushed || !vq->driver_event)
		return false;
	vq->pending = 0;
	/* Our used descriptors must be visible before we read the driver's */
	vu_mb();
	vq->signalled_used = (uint16_t)(vq->used_idx |
					vq->used_wrap << PACKED_WRAP_SHIFT);
	vq->signalled_used_valid = true;
	if (vu_queue_has_feature(vq, VU_F_NOTIFY_ON_EMPTY) && !vq->inuse &&
	    vu_packed_empty(vq))
		return true;
	/* A lap or more since the last check: positions alias, so notify */
	return packed_driver_wants(vq, old, valid && pushed < vq->size);
}
