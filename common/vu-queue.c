// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-queue.c - the layout-independent part of a virtqueue: state, base index,
 * inflight resubmission, dirty logging of written buffers, the broken state,
 * and dispatch to the split (vu-split.c) or packed (vu-packed.c) layout.
 *
 * Division of work with the layouts: this file counts @inuse (popped, not yet
 * pushed), hands out inflight resubmissions, calls the inflight hooks, logs the
 * device-writable buffers of pushed elements, and refuses to touch a broken or
 * unmapped queue. The layouts own their ring indices, @pending, the event idx
 * state, and the dirty logging of their own ring writes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "vu-inflight.h"
#include "vu-log.h"
#include "vu-mem.h"
#include "vu-queue.h"

/**
 * vu_queue_unmap() - Forget the ring pointers
 * @vq:		Queue
 */
static void vu_queue_unmap(struct vu_queue *vq)
{
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->pdesc = NULL;
	vq->driver_event = NULL;
	vq->device_event = NULL;
	vq->mapped_size = 0;
}

/**
 * vu_queue_forget() - Clear ring pointers and indices
 * @vq:		Queue
 */
static void vu_queue_forget(struct vu_queue *vq)
{
	vu_queue_unmap(vq);
	vq->last_avail_idx = 0;
	vq->avail_wrap = true;
	vq->shadow_avail_idx = 0;
	vq->used_idx = 0;
	vq->used_wrap = true;
	vq->published_used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_used_valid = false;
	vq->pending = 0;
	vq->inuse = 0;
	vq->notify_off = false;
	vq->broken = false;
}

/**
 * vu_queue_init() - Initialise a queue with no rings and no fds
 * @vq:		Queue
 * @index:	Queue index
 */
void vu_queue_init(struct vu_queue *vq, unsigned int index)
{
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->kick_fd = -1;
	vq->call_fd = -1;
	vq->err_fd = -1;
	vu_queue_forget(vq);
}

/**
 * vu_queue_drop_resubmit() - Free the inflight resubmission list
 * @vq:		Queue
 */
static void vu_queue_drop_resubmit(struct vu_queue *vq)
{
	g_free(vq->resubmit);
	vq->resubmit = NULL;
	vq->resubmit_num = 0;
	vq->resubmit_pos = 0;
}

/**
 * vu_queue_reset() - Forget rings, indices, the broken state and the
 *		      resubmission list; keep the index and the fds (the
 *		      device layer owns them)
 * @vq:		Queue
 */
void vu_queue_reset(struct vu_queue *vq)
{
	vu_queue_forget(vq);
	vu_queue_drop_resubmit(vq);
}

/**
 * vu_queue_mapped() - Check whether the rings of the queue's layout are mapped
 * @vq:		Queue
 *
 * Return: true if every ring part is mapped
 */
static inline bool vu_queue_mapped(const struct vu_queue *vq)
{
	if (!vq->size || vq->size != vq->mapped_size)
		return false;
	if (vu_queue_packed(vq))
		return vq->pdesc && vq->driver_event && vq->device_event;
	return vq->desc && vq->avail && vq->used;
}

/**
 * vu_queue_usable() - Check whether the queue may be processed
 * @vq:		Queue
 *
 * Return: true if mapped and not broken
 */
static bool vu_queue_usable(const struct vu_queue *vq)
{
	return !vq->broken && vu_queue_mapped(vq);
}

/**
 * vu_queue_map() - Translate the ring addresses through the memory table
 * @vq:		Queue with @size, @features, @mem and @addr set
 *
 * On failure the rings are left unmapped. The rings stay usable only while
 * @size is the size they were mapped for.
 *
 * Return: 0 on success, -EINVAL for a bad size or misaligned ring, -EFAULT if
 *	   a ring is not entirely inside one memory region
 */
int vu_queue_map(struct vu_queue *vq)
{
	int r;

	vu_queue_unmap(vq);
	if (!vq->mem || !vq->size || vq->size > VU_QUEUE_MAX_SIZE)
		return -EINVAL;
	r = vu_queue_packed(vq) ? vu_packed_map(vq) : vu_split_map(vq);
	if (r)
		return r > 0 ? -EINVAL : r;
	vq->mapped_size = vq->size;
	return 0;
}

/**
 * vu_queue_get_base() - The ring state for GET_VRING_BASE
 * @vq:		Queue
 *
 * Return: split: next avail index; packed: avail index (bits 0-14), avail
 *	   wrap (15), used index (16-30), used wrap (31)
 */
uint32_t vu_queue_get_base(const struct vu_queue *vq)
{
	if (!vu_queue_packed(vq))
		return vq->last_avail_idx;
	return (uint32_t)(vq->last_avail_idx & 0x7fff) |
	       (uint32_t)vq->avail_wrap << 15 |
	       (uint32_t)(vq->used_idx & 0x7fff) << 16 |
	       (uint32_t)vq->used_wrap << 31;
}

/**
 * vu_queue_set_base() - Set the ring state from SET_VRING_BASE
 * @vq:		Queue
 * @base:	Encoded as vu_queue_get_base() returns it; for split rings only
 *		the low 16 bits are used
 *
 * Split: the used index comes from the used ring when it is mapped (else from
 * @base, and vu_split_map() reads the ring later).
 *
 * Return: 0 on success, -EINVAL if a packed index is not below the queue size
 */
int vu_queue_set_base(struct vu_queue *vq, uint32_t base)
{
	uint16_t avail = base & 0xffff;
	uint16_t used = avail;

	if (vu_queue_packed(vq)) {
		avail = base & 0x7fff;
		used = (base >> 16) & 0x7fff;
		if (vq->size && (avail >= vq->size || used >= vq->size))
			return -EINVAL;
		vq->avail_wrap = base & (1u << 15);
		vq->used_wrap = base & (1u << 31);
	} else if (vu_queue_mapped(vq)) {
		used = GUINT16_FROM_LE(__atomic_load_n(&vq->used->idx,
						       __ATOMIC_RELAXED));
	}
	vq->last_avail_idx = avail;
	vq->shadow_avail_idx = avail;
	vq->used_idx = used;
	vq->published_used_idx = used;
	vq->signalled_used_valid = false;
	vq->pending = 0;
	vq->inuse = 0;
	return 0;
}

/**
 * vu_queue_pop_resubmit() - Hand out the next request found in flight
 * @vq:		Queue, usable, with a resubmission list
 * @elem:	Element to fill
 *
 * The list is freed on the first call after it is exhausted, not at once, so
 * that vu_queue_unpop() can tell a resubmitted element from a new one.
 *
 * Return: 1 with a chain, 0 once the list is exhausted, negative if broken
 */
static int vu_queue_pop_resubmit(struct vu_queue *vq, struct vu_elem *elem)
{
	uint16_t index;
	int r;

	if (vq->resubmit_pos >= vq->resubmit_num) {
		vu_queue_drop_resubmit(vq);
		return 0;
	}
	index = vq->resubmit[vq->resubmit_pos].index;
	/*
	 * A packed chain's ring slots may have been overwritten by used
	 * entries since it was popped: rebuild it from the region's copies.
	 */
	if (vu_queue_packed(vq))
		r = vu_inflight_read_chain(vq, index, elem);
	else
		r = vu_split_read_chain(vq, index, elem);
	if (r < 0) {
		vu_queue_set_broken(vq, "malformed chain in flight");
		return r;
	}
	vq->resubmit_pos++;
	vq->inuse++;
	return 1;
}

/**
 * vu_queue_pop() - Take the next chain: first requests found in flight after a
 *		    reconnect, then new available chains
 * @vq:		Queue
 * @elem:	Element to fill; @iov and @iov_max set by the caller
 *
 * Return: 1 with a chain in @elem, 0 if there is none, negative if the queue
 *	   is broken (now or before) or its rings are not mapped
 */
int vu_queue_pop(struct vu_queue *vq, struct vu_elem *elem)
{
	uint16_t slot = vq->last_avail_idx;
	bool packed = vu_queue_packed(vq);
	int r;

	if (vq->broken)
		return -EIO;
	if (!vu_queue_mapped(vq))
		return -ENODEV;
	if (vq->draining)
		return 0;
	elem->out_num = 0;
	elem->in_num = 0;
	if (vq->resubmit) {
		r = vu_queue_pop_resubmit(vq, elem);
		if (r)
			return r;
	}
	r = packed ? vu_packed_pop(vq, elem) : vu_split_pop(vq, elem);
	if (r < 0 && !vq->broken)
		vu_queue_set_broken(vq, "malformed ring");
	if (r <= 0)
		return r < 0 ? -EIO : 0;
	vq->inuse++;
	if (vq->inflight)
		vu_inflight_get(vq, elem, packed ? slot : elem->id);
	return 1;
}

/**
 * vu_queue_pop_burst() - Pop up to @n chains
 * @vq:		Queue
 * @elems:	Elements to fill, @iov and @iov_max set by the caller
 * @n:		How many at most
 *
 * What @n calls of vu_queue_pop() would do, with less overhead per chain
 * for one-buffer chains of split rings (vu_split_pop_burst()).
 *
 * Return: chains popped (stops at the first vu_queue_pop() that gives
 * none: the queue may then be empty or broken)
 */
unsigned int vu_queue_pop_burst(struct vu_queue *vq, struct vu_elem *elems,
				unsigned int n)
{
	unsigned int i = 0;

	if (!vq->broken && vu_queue_mapped(vq) && !vu_queue_packed(vq) &&
	    !vq->draining && !vq->resubmit && !vq->inflight)
		i = vu_split_pop_burst(vq, elems, n);
	for (; i < n; i++)
		if (vu_queue_pop(vq, &elems[i]) <= 0)
			break;
	return i;
}

/**
 * vu_queue_unpop() - Give back the element popped last, unused
 * @vq:		Queue
 * @elem:	That element; must directly follow its vu_queue_pop()
 *
 * A new chain is also dropped from the inflight region, as it will be
 * recorded again when popped again.
 */
void vu_queue_unpop(struct vu_queue *vq, const struct vu_elem *elem)
{
	if (vq->inuse)
		vq->inuse--;
	/* A resubmitted chain stays recorded in flight: hand it out again */
	if (vq->resubmit && vq->resubmit_pos) {
		vq->resubmit_pos--;
		return;
	}
	if (vq->inflight)
		vu_inflight_unget(vq, elem);
	if (vu_queue_packed(vq))
		vu_packed_unpop(vq, elem);
	else
		vu_split_unpop(vq, elem);
}

/**
 * vu_queue_log_in() - Log the device-writable buffers written by a request
 * @vq:		Queue
 * @elem:	Element
 * @len:	Bytes written, from the first in buffer on
 */
static void vu_queue_log_in(const struct vu_queue *vq,
			    const struct vu_elem *elem, uint64_t len)
{
	unsigned int i, end = elem->out_num + elem->in_num;

	if (!vq->log || !vq->log->enabled || !vq->mem)
		return;
	for (i = elem->out_num; i < end && len; i++) {
		const uint8_t *p = elem->iov[i].iov_base;
		uint64_t left = MIN(elem->iov[i].iov_len, len);

		len -= left;
		while (left) {
			uint64_t gpa, n = left;

			if (!vu_mem_va_to_gpa(vq->mem, p, &gpa, &n))
				break;
			vu_log_write(vq->log, gpa, n);
			p += n;
			left -= n;
		}
	}
}

/**
 * vu_queue_push() - Return a chain to the driver as used
 * @vq:		Queue
 * @elem:	Element popped from this queue
 * @len:	Bytes written into its in buffers
 *
 * Nothing is written to a broken or unmapped queue. The driver may see the
 * entry only after vu_queue_flush() (vu_dev_complete() does both that and
 * the notification), so push a batch, then complete it once.
 */
void vu_queue_push(struct vu_queue *vq, const struct vu_elem *elem,
		   uint32_t len)
{
	if (vq->inuse)
		vq->inuse--;
	if (!vu_queue_usable(vq))
		return;
	if (vq->inflight)
		vu_inflight_pre_put(vq, elem);
	if (vu_queue_packed(vq))
		vu_packed_push(vq, elem, len);
	else
		vu_split_push(vq, elem, len);
	vu_queue_log_in(vq, elem, len);
	if (vq->inflight)
		vu_inflight_post_put(vq, elem);
}

/**
 * vu_queue_push_burst() - vu_queue_push() for several chains
 * @vq:		Queue
 * @elems:	Elements popped from this queue
 * @n:		How many
 * @lens:	Bytes written into each one's in buffers, or NULL for none
 *
 * Split rings without an inflight region or dirty logging take a path
 * with less overhead per chain; anything else goes chain by chain.
 */
void vu_queue_push_burst(struct vu_queue *vq, const struct vu_elem *elems,
			 unsigned int n, const uint32_t *lens)
{
	unsigned int i;

	if (vu_queue_usable(vq) && !vu_queue_packed(vq) && !vq->inflight &&
	    (!vq->log || !vq->log->enabled)) {
		vq->inuse -= MIN(n, vq->inuse);
		vu_split_push_burst(vq, elems, n, lens);
		return;
	}
	for (i = 0; i < n; i++)
		vu_queue_push(vq, &elems[i], lens ? lens[i] : 0);
}

/**
 * vu_queue_flush() - Make every pushed used entry visible to the driver
 * @vq:		Queue
 */
void vu_queue_flush(struct vu_queue *vq)
{
	if (!vu_queue_usable(vq))
		return;
	if (vu_queue_packed(vq))
		vu_packed_flush(vq);
	else
		vu_split_flush(vq);
}

/**
 * vu_queue_should_notify() - Check whether the driver wants a notification
 *			      for what was pushed since the last check
 * @vq:		Queue
 *
 * Return: true if the call fd should be signalled
 */
bool vu_queue_should_notify(struct vu_queue *vq)
{
	if (!vu_queue_usable(vq))
		return false;
	if (vu_queue_packed(vq))
		return vu_packed_should_notify(vq);
	return vu_split_should_notify(vq);
}

/**
 * vu_queue_set_notification() - Ask the driver to kick, or not to bother
 * @vq:		Queue
 * @enable:	true to ask for kicks; re-check vu_queue_empty() afterwards
 */
void vu_queue_set_notification(struct vu_queue *vq, bool enable)
{
	vq->notify_off = !enable;
	if (!vu_queue_usable(vq))
		return;
	if (vu_queue_packed(vq))
		vu_packed_set_notification(vq, enable);
	else
		vu_split_set_notification(vq, enable);
}

/**
 * vu_queue_empty() - Check whether there is nothing to pop
 * @vq:		Queue
 *
 * Return: true if no request is waiting (always for broken or unmapped queues)
 */
bool vu_queue_empty(struct vu_queue *vq)
{
	if (!vu_queue_usable(vq))
		return true;
	if (vq->resubmit && vq->resubmit_pos < vq->resubmit_num)
		return false;
	if (vu_queue_packed(vq))
		return vu_packed_empty(vq);
	return vu_split_empty(vq);
}

/**
 * vu_queue_set_broken() - Stop processing a queue the guest has corrupted
 * @vq:		Queue
 * @why:	Reason, for the log
 *
 * Warns and signals the error fd only the first time.
 */
void vu_queue_set_broken(struct vu_queue *vq, const char *why)
{
	uint64_t one = 1;

	if (vq->broken)
		return;
	vq->broken = true;
	g_warning("queue %u broken: %s", vq->index, why);
	if (vq->err_fd >= 0 && write(vq->err_fd, &one, sizeof(one)) < 0)
		g_debug("queue %u: error fd: %s", vq->index, g_strerror(errno));
}

/**
 * vu_queue_map_desc() - Append the iovecs of a guest buffer to an element
 * @vq:		Queue
 * @elem:	Element: out buffers must all come before in buffers
 * @gpa:	Guest physical address of the buffer
 * @len:	Length (0 adds nothing)
 * @write:	Device-writable (an in buffer)
 *
 * A buffer spanning memory regions becomes one iovec per region.
 *
 * Return: 0 on success, -EINVAL for an out buffer after an in buffer,
 *	   -EFAULT if any byte is outside guest memory, -E2BIG if
 *	   @elem->iov_max would be exceeded
 */
int vu_queue_map_desc(struct vu_queue *vq, struct vu_elem *elem,
		      uint64_t gpa, uint32_t len, bool write)
{
	uint64_t left = len;

	if (!write && elem->in_num)
		return -EINVAL;
	if (gpa + left < gpa || !vq->mem)
		return -EFAULT;
	while (left) {
		unsigned int n = elem->out_num + elem->in_num;
		uint64_t chunk = left;
		void *p = vu_mem_gpa_hint(vq->mem, gpa, &chunk, &vq->mem_hint);

		if (!p)
			return -EFAULT;
		if (n >= elem->iov_max)
			return -E2BIG;
		elem->iov[n].iov_base = p;
		elem->iov[n].iov_len = chunk;
		if (write)
			elem->in_num++;
		else
			elem->out_num++;
		gpa += chunk;
		left -= chunk;
	}
	return 0;
}
