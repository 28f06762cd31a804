// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-inflight.c - INFLIGHT_SHMFD: the region shared with the front-end that
 * records the requests in flight on each queue, kept up to date as chains are
 * popped and pushed, and read back after a reconnect so that a restarted
 * back-end resubmits what its predecessor left unfinished.
 *
 * Layouts and algorithms are those of the vhost-user specification, section
 * "Inflight I/O tracking" (the region outlives us and may be read by another
 * back-end). Choices where the specification leaves room:
 * - Queue regions follow each other every vu_inflight_queue_bytes(), a 64-byte
 *   multiple, as QEMU and libvhost-user lay them out.
 * - vu_inflight_create() leaves version 0 ("fresh"): the first recovery of a
 *   queue then takes the ring position from SET_VRING_BASE (the region knows
 *   nothing yet, e.g. on a migration destination) and writes version 1.
 *   Once versioned, the region is authoritative for the packed used position,
 *   which a front-end cannot know after a crash.
 * - Split: the region's used_idx counts completed puts (+1 each) rather than
 *   copying used->idx, so that a batch published at once and then put entry
 *   by entry still recovers exactly (entries are put in push order).
 * - Packed: a resubmitted chain is rebuilt from the descriptor copies in the
 *   region (vu_inflight_read_chain()), not from the ring, because used
 *   descriptors written since the pop may have overwritten its ring slots.
 *   Its vu_resubmit index is therefore the region entry of its head. A put
 *   finds the region entry of a chain by its buffer id, scanning the region
 *   (O(queue size) per put: fine for the queue sizes of block devices, which
 *   are the users of inflight tracking). Recovery rebuilds the free list from
 *   the entries no chain in flight holds, so that leaks and corruption heal.
 * - Everything read from the region is validated: the front-end can write it
 *   at any time. It can only lose or repeat its own guest's requests.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "vu-inflight.h"
#include "vu-mem.h"
#include "vu-queue.h"

/* Largest region we create: a front-end asking for more is not plausible */
#define VU_INFLIGHT_MAX_BYTES	(1ull << 30)
/*
 * Our mark of a queue region written in the packed layout, in its features
 * field (which the specification leaves to the back-end): the feature bit
 * VIRTIO_F_RING_PACKED itself.
 */
#define INFLIGHT_PACKED_MARK	(1ull << 34)

_Static_assert(sizeof(struct vu_inflight_desc_split) == 16,
	       "DescStateSplit is 16 bytes");
_Static_assert(sizeof(struct vu_inflight_split) == 16,
	       "QueueRegionSplit header is 16 bytes");
_Static_assert(sizeof(struct vu_inflight_desc_packed) == 32,
	       "DescStatePacked is 32 bytes");
_Static_assert(sizeof(struct vu_inflight_packed) == 32,
	       "QueueRegionPacked header is 32 bytes");

/**
 * inflight_wmb() - Order our writes to the region (and to the ring)
 *
 * A crash can stop us between any two stores: the recovery algorithm relies
 * on the stores reaching memory in program order.
 */
static inline void inflight_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/**
 * vu_inflight_init() - Initialise an empty inflight region descriptor
 * @inf:	Region
 */
void vu_inflight_init(struct vu_inflight *inf)
{
	memset(inf, 0, sizeof(*inf));
	inf->fd = -1;
}

/**
 * vu_inflight_queue_bytes() - Size of one queue's part of the region
 * @queue_size:	Descriptors per queue
 * @packed:	Packed layout
 *
 * Return: header plus one state per descriptor, rounded up to 64 bytes
 */
size_t vu_inflight_queue_bytes(uint16_t queue_size, bool packed)
{
	size_t bytes;

	if (packed)
		bytes = sizeof(struct vu_inflight_packed) +
			(size_t)queue_size *
			sizeof(struct vu_inflight_desc_packed);
	else
		bytes = sizeof(struct vu_inflight_split) +
			(size_t)queue_size *
			sizeof(struct vu_inflight_desc_split);
	return (bytes + VU_INFLIGHT_ALIGN - 1) &
	       ~(size_t)(VU_INFLIGHT_ALIGN - 1);
}

/**
 * inflight_bad_geometry() - Check the queue count and size of a request
 * @num_queues:	Queues
 * @queue_size:	Descriptors per queue
 *
 * Return: true if either is zero or the size exceeds the virtio maximum
 */
static bool inflight_bad_geometry(uint16_t num_queues, uint16_t queue_size)
{
	return !num_queues || !queue_size || queue_size > VU_QUEUE_MAX_SIZE;
}

/**
 * inflight_stride() - Bytes between two queues' parts of the region
 * @queue_size:	Descriptors per queue
 *
 * QEMU asks for the region (GET_INFLIGHT_FD) and hands it back after a
 * reconnect (SET_INFLIGHT_FD) before it sets the features, so the layout
 * is not known yet: every queue gets room for the larger, packed, layout,
 * and the layout is fixed when the queue starts (vu_inflight_attach()).
 *
 * Return: bytes
 */
static size_t inflight_stride(uint16_t queue_size)
{
	return vu_inflight_queue_bytes(queue_size, true);
}

/**
 * inflight_format() - Write the header of a zeroed queue region
 * @region:	Queue region, zeroed
 * @queue_size:	Descriptors
 * @packed:	Packed layout
 *
 * The version stays 0 (see the file comment). Packed: every entry is free,
 * linked in order; both wrap counters start at 1 like the ring's.
 */
static void inflight_format(void *region, uint16_t queue_size, bool packed)
{
	struct vu_inflight_packed *p = region;
	struct vu_inflight_split *s = region;
	unsigned int i;

	if (!packed) {
		s->desc_num = queue_size;
		return;
	}
	p->desc_num = queue_size;
	p->used_wrap_counter = 1;
	p->old_used_wrap_counter = 1;
	for (i = 0; i < queue_size; i++)
		p->desc[i].next = (uint16_t)(i + 1);
}

/**
 * inflight_install() - Replace the region of a device with a new mapping
 * @inf:	Region descriptor
 * @fd:		File descriptor, now owned by @inf
 * @map:	Mapping of @fd from offset 0
 * @map_size:	Length of @map
 * @offset:	Offset of the region in @map
 * @size:	Size of the region
 * @num_queues:	Queues
 * @queue_size:	Descriptors per queue
 * @packed:	Packed layout
 */
static void inflight_install(struct vu_inflight *inf, int fd, void *map,
			     size_t map_size, uint64_t offset, uint64_t size,
			     uint16_t num_queues, uint16_t queue_size,
			     bool packed)
{
	vu_inflight_clear(inf);
	inf->fd = fd;
	inf->map = map;
	inf->map_size = map_size;
	inf->offset = offset;
	inf->size = size;
	inf->num_queues = num_queues;
	inf->queue_size = queue_size;
	inf->packed = packed;
}

/**
 * inflight_memfd() - Create a sealed memfd of a given size
 * @size:	Bytes
 *
 * Sealed against shrinking, so that the front-end cannot make our mapping
 * fault, and against growing, which no one needs.
 *
 * Return: the fd, or -errno
 */
static int inflight_memfd(size_t size)
{
	int fd, ret;

	fd = memfd_create("vu-inflight", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/**
 * vu_inflight_create() - Allocate a region for GET_INFLIGHT_FD
 * @inf:	Region descriptor; a previous region is replaced
 * @num_queues:	Queues, from the message
 * @queue_size:	Descriptors per queue, from the message
 * @packed:	Packed layout (VIRTIO_F_RING_PACKED negotiated)
 *
 * The region starts at offset 0 of the fd and is vu_inflight_queue_bytes()
 * times @num_queues long.
 *
 * Return: the fd (kept in @inf: send a dup), -EINVAL for a bad geometry,
 *	   -E2BIG for an implausibly large region, or another -errno
 */
int vu_inflight_create(struct vu_inflight *inf, uint16_t num_queues,
		       uint16_t queue_size, bool packed)
{
	size_t qbytes, total;
	unsigned int i;
	void *map;
	int fd;

	if (inflight_bad_geometry(num_queues, queue_size))
		return -EINVAL;
	qbytes = inflight_stride(queue_size);
	total = qbytes * num_queues;
	if (total > VU_INFLIGHT_MAX_BYTES)
		return -E2BIG;
	fd = inflight_memfd(total);
	if (fd < 0)
		return fd;
	map = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	/* A new memfd reads as zeroes: only the headers need writing */
	for (i = 0; i < num_queues; i++)
		inflight_format((uint8_t *)map + i * qbytes, queue_size, packed);
	inflight_install(inf, fd, map, total, 0, total, num_queues,
			 queue_size, packed);
	return fd;
}

/**
 * inflight_check_set() - Validate the description from SET_INFLIGHT_FD
 * @fd:		File descriptor
 * @size:	Region size
 * @offset:	Region offset in @fd
 * @num_queues:	Queues
 * @queue_size:	Descriptors per queue
 * @packed:	Packed layout
 *
 * Return: 0 if the region can hold every queue and lies inside the file,
 *	   -EINVAL otherwise, or -errno from fstat()
 */
static int inflight_check_set(int fd, uint64_t size, uint64_t offset,
			      uint16_t num_queues, uint16_t queue_size,
			      bool packed)
{
	uint64_t need;
	struct stat st;

	if (inflight_bad_geometry(num_queues, queue_size))
		return -EINVAL;
	/* The states hold u64 fields: keep them naturally aligned */
	if (offset % 8 || size > UINT64_MAX - offset ||
	    size + offset > SIZE_MAX)
		return -EINVAL;
	need = (uint64_t)inflight_stride(queue_size) * num_queues;
	if (size < need)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < size + offset)
		return -EINVAL;
	return 0;
}

/**
 * vu_inflight_set() - Take the region handed back by SET_INFLIGHT_FD
 * @inf:	Region descriptor; a previous region is replaced on success
 * @fd:		File descriptor (owned by @inf on success, closed on failure)
 * @size:	Region size, from the message
 * @offset:	Region offset in @fd, from the message
 * @num_queues:	Queues, from the message
 * @queue_size:	Descriptors per queue, from the message
 * @packed:	Packed layout (VIRTIO_F_RING_PACKED negotiated)
 *
 * Maps @size + @offset bytes from the start of @fd. Queues attached to the
 * previous region must be detached first (vq->inflight = NULL).
 *
 * Return: 0, -EINVAL for inconsistent values, or another -errno
 */
int vu_inflight_set(struct vu_inflight *inf, int fd, uint64_t size,
		    uint64_t offset, uint16_t num_queues, uint16_t queue_size,
		    bool packed)
{
	void *map;
	int ret;

	if (fd < 0)
		return -EBADF;
	ret = inflight_check_set(fd, size, offset, num_queues, queue_size,
				 packed);
	if (ret < 0)
		goto fail;
	map = mmap(NULL, (size_t)(size + offset), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	inflight_install(inf, fd, map, (size_t)(size + offset), offset, size,
			 num_queues, queue_size, packed);
	return 0;
fail:
	close(fd);
	return ret;
}

/**
 * vu_inflight_clear() - Unmap the region and close its fd
 * @inf:	Region descriptor; queues must be detached first
 */
void vu_inflight_clear(struct vu_inflight *inf)
{
	if (inf->map)
		munmap(inf->map, inf->map_size);
	if (inf->fd >= 0)
		close(inf->fd);
	vu_inflight_init(inf);
}

/**
 * vu_inflight_queue() - One queue's part of the region
 * @inf:	Region descriptor
 * @index:	Queue index
 *
 * Return: pointer to the queue's region, NULL if there is no region or
 *	   @index is beyond the queues it covers
 */
void *vu_inflight_queue(const struct vu_inflight *inf, unsigned int index)
{
	if (!inf->map || index >= inf->num_queues)
		return NULL;
	return (uint8_t *)inf->map + inf->offset +
	       index * inflight_stride(inf->queue_size);
}

/**
 * vu_inflight_attach() - Attach a starting queue to its part of the region
 *			  and recover what was in flight
 * @inf:	Region descriptor
 * @vq:		Queue with size, features and rings set
 *
 * The queue must fit in its region: this is what makes every index below
 * vq->size safe to use in the region. On failure the queue is left detached
 * (no tracking).
 *
 * Return: requests to resubmit (>= 0), -ENOENT without a region, -ERANGE if
 *	   the region does not cover the queue, -EINVAL if the queue is larger
 *	   than the region's queue size or of the other layout, or an error of
 *	   vu_inflight_recover()
 */
int vu_inflight_attach(const struct vu_inflight *inf, struct vu_queue *vq)
{
	void *region;
	int ret;

	vq->inflight = NULL;
	vq->inflight_size = 0;
	if (!inf->map)
		return -ENOENT;
	region = vu_inflight_queue(inf, vq->index);
	if (!region)
		return -ERANGE;
	if (!vq->size || vq->size > inf->queue_size)
		return -EINVAL;
	vq->inflight = region;
	vq->inflight_size = inf->queue_size;
	ret = vu_inflight_recover(vq);
	if (ret < 0) {
		vq->inflight = NULL;
		vq->inflight_size = 0;
	}
	return ret;
}

/**
 * inflight_on() - Is tracking on for a queue?
 * @vq:		Queue
 *
 * Return: true if attached and the queue still fits its region
 */
static bool inflight_on(const struct vu_queue *vq)
{
	return vq->inflight && vq->size && vq->size <= vq->inflight_size;
}

/**
 * inflight_next_counter() - Take the next submission counter of a queue
 * @vq:		Queue
 *
 * Counters start at 1: 0 is what a never-used state holds.
 *
 * Return: the counter
 */
static uint64_t inflight_next_counter(struct vu_queue *vq)
{
	if (!vq->inflight_counter)
		vq->inflight_counter = 1;
	return vq->inflight_counter++;
}

/* ---------------------------------------------------------------- split */

/**
 * split_get() - Record a popped chain as in flight
 * @vq:		Queue, tracking on
 * @head:	Head index of the chain
 */
static void split_get(struct vu_queue *vq, uint16_t head)
{
	struct vu_inflight_split *r = vq->inflight;

	if (head >= vq->size)
		return;
	r->desc[head].counter = inflight_next_counter(vq);
	inflight_wmb();
	r->desc[head].inflight = 1;
}

/**
 * split_pre_put() - Link a head into the last batch before its used entry
 *		     is written
 * @vq:		Queue, tracking on
 * @head:	Head index of the chain
 */
static void split_pre_put(struct vu_queue *vq, uint16_t head)
{
	struct vu_inflight_split *r = vq->inflight;

	if (head >= vq->size)
		return;
	r->desc[head].next = r->last_batch_head;
	inflight_wmb();
	r->last_batch_head = head;
	inflight_wmb();
}

/**
 * split_post_put() - Mark a chain done once used->idx covers it
 * @vq:		Queue, tracking on
 * @head:	Head index of the chain
 */
static void split_post_put(struct vu_queue *vq, uint16_t head)
{
	struct vu_inflight_split *r = vq->inflight;

	inflight_wmb();
	if (head < vq->size)
		r->desc[head].inflight = 0;
	inflight_wmb();
	r->used_idx++;
}

/**
 * inflight_stale() - Must a queue region be reset rather than recovered?
 * @version:	Its version field
 * @desc_num:	Its desc_num field
 * @features:	Its features field, where we mark the packed layout
 * @vq:		The queue attaching to it
 *
 * Fresh regions (version 0), regions of another queue size, and regions
 * written in the other layout (the features negotiated changed between two
 * sessions) hold nothing we could resubmit.
 *
 * Return: true if the region is to be reset
 */
static bool inflight_stale(uint16_t version, uint16_t desc_num,
			   uint64_t features, const struct vu_queue *vq)
{
	bool marked = le64toh(features) & INFLIGHT_PACKED_MARK;

	return version != VU_INFLIGHT_VERSION || desc_num != vq->size ||
	       marked != vu_queue_packed(vq);
}

/**
 * split_reset_region() - Start a queue region afresh
 * @r:		Region of the queue
 * @size:	Queue size
 * @used:	used->idx now
 */
static void split_reset_region(struct vu_inflight_split *r, uint16_t size,
			       uint16_t used)
{
	memset(r->desc, 0, (size_t)size * sizeof(r->desc[0]));
	r->features = 0;
	r->desc_num = size;
	r->last_batch_head = 0;
	r->used_idx = used;
	inflight_wmb();
	r->version = VU_INFLIGHT_VERSION;
}

/**
 * split_fix_last_batch() - Finish a put a crash interrupted
 * @r:		Region of the queue
 * @size:	Queue size
 * @used:	used->idx now
 *
 * used->idx ahead of the region's used_idx by n means that the n heads put
 * last were published but maybe not marked done: clear them, walking the
 * last batch list.
 */
static void split_fix_last_batch(struct vu_inflight_split *r, uint16_t size,
				 uint16_t used)
{
	uint16_t n = (uint16_t)(used - r->used_idx);
	uint16_t head = r->last_batch_head;

	if (n > size)
		n = size;
	while (n-- && head < size) {
		r->desc[head].inflight = 0;
		head = r->desc[head].next;
	}
	inflight_wmb();
	r->used_idx = used;
}

/* --------------------------------------------------------------- packed */

/**
 * packed_copy() - Record a ring descriptor in a region entry
 * @e:		Region entry
 * @d:		Ring descriptor (little-endian, guest memory)
 */
static void packed_copy(struct vu_inflight_desc_packed *e,
			const struct vu_pdesc *d)
{
	struct vu_pdesc c;

	memcpy(&c, d, sizeof(c));
	e->addr = le64toh(c.addr);
	e->len = le32toh(c.len);
	e->id = le16toh(c.id);
	e->flags = le16toh(c.flags);
}

/**
 * packed_get() - Record a popped chain and its descriptors as in flight
 * @vq:		Queue, tracking on
 * @elem:	The chain
 * @slot:	Ring slot of its first descriptor
 *
 * Entries are taken from the free list at old_free_head, which equals
 * free_head between operations.
 */
static void packed_get(struct vu_queue *vq, const struct vu_elem *elem,
		       uint16_t slot)
{
	struct vu_inflight_packed *r = vq->inflight;
	uint16_t size = vq->size, head = r->old_free_head, e = head, i;

	if (!vq->pdesc || head >= size || slot >= size || !elem->ndescs ||
	    elem->ndescs > size)
		return;
	r->desc[head].num = 0;
	r->desc[head].counter = inflight_next_counter(vq);
	r->desc[head].inflight = 1;
	for (i = 0; i < elem->ndescs; i++) {
		if (e >= size)
			return;	/* broken free list: the get is not committed */
		packed_copy(&r->desc[e], &vq->pdesc[(slot + i) % size]);
		r->desc[head].num++;
		r->desc[head].last = e;
		e = r->desc[e].next;
	}
	r->free_head = e;
	inflight_wmb();
	r->old_free_head = e;
}

/**
 * packed_is_head_of() - Is an entry the in-flight head of a chain?
 * @vq:		Queue, tracking on
 * @e:		Entry index
 * @elem:	Chain, identified by its buffer id and length
 *
 * Return: true if @e is in flight and its last descriptor has @elem's id
 */
static bool packed_is_head_of(const struct vu_queue *vq, uint16_t e,
			      const struct vu_elem *elem)
{
	const struct vu_inflight_packed *r = vq->inflight;
	const struct vu_inflight_desc_packed *d;

	if (e >= vq->size)
		return false;
	d = &r->desc[e];
	return d->inflight == 1 && d->num == elem->ndescs &&
	       d->last < vq->size && r->desc[d->last].id == elem->id;
}

/**
 * packed_find() - Find the region entry heading a chain
 * @vq:		Queue, tracking on
 * @elem:	Chain
 *
 * Return: entry index, or -1 if the chain is not recorded
 */
static int packed_find(const struct vu_queue *vq, const struct vu_elem *elem)
{
	uint16_t i;

	for (i = 0; i < vq->size; i++)
		if (packed_is_head_of(vq, i, elem))
			return i;
	return -1;
}

/**
 * packed_release() - Put a chain's entries at the head of the free list
 * @r:		Region of the queue
 * @e:		Head entry, in flight
 */
static void packed_release(struct vu_inflight_packed *r, uint16_t e)
{
	r->desc[r->desc[e].last].next = r->free_head;
	inflight_wmb();
	r->free_head = e;
	inflight_wmb();
}

/**
 * packed_pre_put() - Free a chain's entries and advance the used position,
 *		      before the used descriptor is written
 * @vq:		Queue, tracking on
 * @elem:	Chain
 */
static void packed_pre_put(struct vu_queue *vq, const struct vu_elem *elem)
{
	struct vu_inflight_packed *r = vq->inflight;
	uint32_t used = (uint32_t)vq->used_idx + elem->ndescs;
	bool wrap = vq->used_wrap;
	int e;

	if (!elem->ndescs || elem->ndescs > vq->size || vq->used_idx >= vq->size)
		return;
	e = packed_find(vq, elem);
	if (e >= 0)
		packed_release(r, (uint16_t)e);
	if (used >= vq->size) {
		used -= vq->size;
		wrap = !wrap;
	}
	r->used_idx = (uint16_t)used;
	r->used_wrap_counter = wrap;
	inflight_wmb();
}

/**
 * packed_post_put() - Mark a chain done and commit, once its used
 *		       descriptor is visible
 * @vq:		Queue, tracking on
 * @elem:	Chain
 */
static void packed_post_put(struct vu_queue *vq, const struct vu_elem *elem)
{
	struct vu_inflight_packed *r = vq->inflight;

	inflight_wmb();
	if (packed_is_head_of(vq, r->free_head, elem))
		r->desc[r->free_head].inflight = 0;
	inflight_wmb();
	r->old_free_head = r->free_head;
	r->old_used_idx = r->used_idx;
	r->old_used_wrap_counter = r->used_wrap_counter;
}

/**
 * packed_reset_region() - Start a queue region afresh
 * @r:		Region of the queue
 * @size:	Queue size
 * @used:	Used position now
 * @wrap:	Used wrap counter now
 */
static void packed_reset_region(struct vu_inflight_packed *r, uint16_t size,
				uint16_t used, bool wrap)
{
	memset(r->desc, 0, (size_t)size * sizeof(r->desc[0]));
	inflight_format(r, size, true);
	r->features = htole64(INFLIGHT_PACKED_MARK);
	r->free_head = 0;
	r->old_free_head = 0;
	r->used_idx = used;
	r->old_used_idx = used;
	r->used_wrap_counter = wrap;
	r->old_used_wrap_counter = wrap;
	inflight_wmb();
	r->version = VU_INFLIGHT_VERSION;
}

/**
 * packed_rollback() - Finish or undo a put a crash interrupted
 * @vq:		Queue, tracking on, ring mapped
 *
 * If the used position moved since the last commit, the used descriptor at
 * the committed position tells whether the put reached the driver: if it
 * no longer reads as available, commit; then roll back to the commit.
 *
 * Return: 0, or -EINVAL if the committed position is out of range
 */
static int packed_rollback(struct vu_queue *vq)
{
	struct vu_inflight_packed *r = vq->inflight;
	uint16_t flags, avail;
	bool wrap = r->old_used_wrap_counter;

	if (r->old_used_idx >= vq->size || r->used_idx >= vq->size)
		return -EINVAL;
	if (r->used_idx != r->old_used_idx ||
	    r->used_wrap_counter != r->old_used_wrap_counter) {
		flags = le16toh(__atomic_load_n(&vq->pdesc[r->old_used_idx].flags,
						__ATOMIC_ACQUIRE));
		avail = wrap ? VU_DESC_F_AVAIL : VU_DESC_F_USED;
		if ((flags & (VU_DESC_F_AVAIL | VU_DESC_F_USED)) != avail) {
			r->old_free_head = r->free_head;
			r->old_used_idx = r->used_idx;
			r->old_used_wrap_counter = r->used_wrap_counter;
		}
	}
	r->free_head = r->old_free_head;
	r->used_idx = r->old_used_idx;
	r->used_wrap_counter = r->old_used_wrap_counter;
	return 0;
}

/**
 * packed_clear_free() - Clear the in-flight mark of every free entry
 * @r:		Region of the queue
 * @size:	Queue size
 */
static void packed_clear_free(struct vu_inflight_packed *r, uint16_t size)
{
	uint16_t e = r->free_head;
	unsigned int n;

	for (n = 0; n < size && e < size; n++) {
		r->desc[e].inflight = 0;
		e = r->desc[e].next;
	}
}

/**
 * packed_claim_chain() - Check a chain in flight and mark its entries taken
 * @r:		Region of the queue
 * @size:	Queue size
 * @head:	Head entry, in flight
 * @taken:	Entries held by chains already claimed, updated
 *
 * Return: true if the chain is well formed and shares no entry with another
 */
static bool packed_claim_chain(const struct vu_inflight_packed *r,
			       uint16_t size, uint16_t head, bool *taken)
{
	uint16_t num = r->desc[head].num, e = head, i;

	if (!num || num > size)
		return false;
	for (i = 0; i < num; i++) {
		if (e >= size || taken[e])
			return false;
		if (i + 1 < num)
			e = r->desc[e].next;
	}
	if (e != r->desc[head].last)
		return false;
	for (i = 0, e = head; i < num; i++, e = r->desc[e].next)
		taken[e] = true;
	return true;
}

/**
 * packed_rebuild_free() - Link every entry no chain holds into the free list
 * @r:		Region of the queue
 * @size:	Queue size
 * @taken:	Entries held by chains in flight
 */
static void packed_rebuild_free(struct vu_inflight_packed *r, uint16_t size,
				const bool *taken)
{
	uint16_t i, next = size;

	for (i = size; i-- > 0;) {
		if (taken[i])
			continue;
		r->desc[i].next = next;
		r->desc[i].inflight = 0;
		next = i;
	}
	r->free_head = next;
	r->old_free_head = next;
}

/* ------------------------------------------------------------- recovery */

/**
 * inflight_cmp() - Order resubmissions by counter, then index
 * @a:		struct vu_resubmit
 * @b:		struct vu_resubmit
 *
 * Return: negative, 0 or positive as for qsort()
 */
static int inflight_cmp(const void *a, const void *b)
{
	const struct vu_resubmit *x = a, *y = b;

	if (x->counter != y->counter)
		return x->counter < y->counter ? -1 : 1;
	return (int)x->index - (int)y->index;
}

/**
 * inflight_set_resubmit() - Hand the requests found to the queue
 * @vq:		Queue
 * @list:	Requests, @n of them (owned by the queue afterwards)
 * @n:		Number of requests
 *
 * Sorts by submission order and sets the next counter past every one.
 */
static void inflight_set_resubmit(struct vu_queue *vq,
				  struct vu_resubmit *list, unsigned int n)
{
	unsigned int i;

	g_free(vq->resubmit);
	vq->resubmit = NULL;
	vq->resubmit_num = 0;
	vq->resubmit_pos = 0;
	if (!n) {
		g_free(list);
		return;
	}
	qsort(list, n, sizeof(*list), inflight_cmp);
	for (i = 0; i < n; i++)
		if (list[i].counter >= vq->inflight_counter)
			vq->inflight_counter = list[i].counter + 1;
	if (!vq->inflight_counter)
		vq->inflight_counter = 1;
	vq->resubmit = list;
	vq->resubmit_num = n;
}

/**
 * split_recover() - Recover a split queue after a reconnect
 * @vq:		Queue, tracking on, rings mapped
 *
 * The avail position becomes used->idx plus the requests in flight: a
 * front-end that lost us sends the used index as base.
 *
 * Return: requests to resubmit
 */
static int split_recover(struct vu_queue *vq)
{
	struct vu_inflight_split *r = vq->inflight;
	struct vu_resubmit *list;
	unsigned int n = 0;
	uint16_t used, i;

	used = le16toh(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE));
	if (inflight_stale(r->version, r->desc_num, r->features, vq)) {
		split_reset_region(r, vq->size, used);
		inflight_set_resubmit(vq, NULL, 0);
		return 0;
	}
	split_fix_last_batch(r, vq->size, used);
	list = g_new(struct vu_resubmit, vq->size);
	for (i = 0; i < vq->size; i++) {
		if (r->desc[i].inflight != 1)
			continue;
		list[n].index = i;
		list[n++].counter = r->desc[i].counter;
	}
	inflight_set_resubmit(vq, list, n);
	vq->last_avail_idx = (uint16_t)(used + n);
	vq->shadow_avail_idx = vq->last_avail_idx;
	vq->used_idx = used;
	vq->published_used_idx = used;
	vq->signalled_used_valid = false;
	return (int)n;
}

/**
 * packed_collect() - List the chains in flight and rebuild the free list
 * @vq:		Queue, tracking on
 * @list:	Filled with the head entries and their counters
 * @slots:	Set to the ring slots the chains occupy
 *
 * A malformed chain, one sharing entries with another, or one that would
 * overflow the ring, is dropped (its entries return to the free list).
 *
 * Return: number of chains in @list
 */
static unsigned int packed_collect(struct vu_queue *vq,
				   struct vu_resubmit *list, uint32_t *slots)
{
	struct vu_inflight_packed *r = vq->inflight;
	bool *taken = g_new0(bool, vq->size);
	unsigned int n = 0;
	uint16_t i;

	*slots = 0;
	for (i = 0; i < vq->size; i++) {
		if (r->desc[i].inflight != 1)
			continue;
		if (*slots + r->desc[i].num > vq->size ||
		    !packed_claim_chain(r, vq->size, i, taken)) {
			g_debug("queue %u: dropping bad inflight entry %u",
				vq->index, i);
			continue;
		}
		*slots += r->desc[i].num;
		list[n].index = i;
		list[n++].counter = r->desc[i].counter;
	}
	packed_rebuild_free(r, vq->size, taken);
	g_free(taken);
	return n;
}

/**
 * packed_recover() - Recover a packed queue after a reconnect
 * @vq:		Queue, tracking on, rings mapped
 *
 * The used position comes from the region (after finishing or undoing an
 * interrupted put); the avail position follows it by the ring slots of the
 * chains in flight.
 *
 * Return: requests to resubmit, or -EINVAL for a corrupt region header
 */
static int packed_recover(struct vu_queue *vq)
{
	struct vu_inflight_packed *r = vq->inflight;
	struct vu_resubmit *list;
	uint32_t slots, avail;
	unsigned int n;

	if (inflight_stale(r->version, r->desc_num, r->features, vq)) {
		packed_reset_region(r, vq->size, vq->used_idx, vq->used_wrap);
		inflight_set_resubmit(vq, NULL, 0);
		return 0;
	}
	if (packed_rollback(vq) < 0)
		return -EINVAL;
	packed_clear_free(r, vq->size);
	list = g_new(struct vu_resubmit, vq->size);
	n = packed_collect(vq, list, &slots);
	inflight_set_resubmit(vq, list, n);
	vq->used_idx = r->used_idx;
	vq->used_wrap = r->used_wrap_counter;
	avail = vq->used_idx + slots;
	vq->avail_wrap = vq->used_wrap;
	if (avail >= vq->size) {
		avail -= vq->size;
		vq->avail_wrap = !vq->avail_wrap;
	}
	vq->last_avail_idx = (uint16_t)avail;
	vq->signalled_used_valid = false;
	inflight_wmb();
	r->old_used_idx = r->used_idx;
	r->old_used_wrap_counter = r->used_wrap_counter;
	return (int)n;
}

/**
 * vu_inflight_recover() - Find the requests left in flight by a previous
 *			   back-end, when a queue starts
 * @vq:		Queue, attached (see vu_inflight_attach()), rings mapped, base
 *		set by SET_VRING_BASE
 *
 * A fresh region (version 0), or one made for another queue size, is reset
 * and nothing is resubmitted. Otherwise the queue's avail position (and for
 * packed rings the used position) is set from the region and the requests
 * are listed in vq->resubmit in submission order: split by head index,
 * packed by region entry (read them with vu_inflight_read_chain()).
 *
 * Return: requests to resubmit, 0 if the queue is not attached, or -EINVAL
 *	   if it does not fit its region, its rings are not mapped, or the
 *	   region is corrupt
 */
int vu_inflight_recover(struct vu_queue *vq)
{
	if (!vq->inflight)
		return 0;
	if (!inflight_on(vq))
		return -EINVAL;
	if (vu_queue_packed(vq)) {
		if (!vq->pdesc || vq->used_idx >= vq->size)
			return -EINVAL;
		return packed_recover(vq);
	}
	if (!vq->used)
		return -EINVAL;
	return split_recover(vq);
}

/* --------------------------------------------------------------- hooks */

/**
 * vu_inflight_get() - Record a chain just popped from the ring
 * @vq:		Queue
 * @elem:	The chain (not a resubmitted one: those are recorded already)
 * @slot:	Split: head index; packed: ring slot of the first descriptor
 */
void vu_inflight_get(struct vu_queue *vq, const struct vu_elem *elem,
		     uint16_t slot)
{
	if (!inflight_on(vq))
		return;
	if (vu_queue_packed(vq))
		packed_get(vq, elem, slot);
	else
		split_get(vq, slot);
}

/**
 * vu_inflight_pre_put() - Prepare the region before a chain's used entry is
 *			   written
 * @vq:		Queue
 * @elem:	The chain
 */
void vu_inflight_pre_put(struct vu_queue *vq, const struct vu_elem *elem)
{
	if (!inflight_on(vq))
		return;
	if (vu_queue_packed(vq))
		packed_pre_put(vq, elem);
	else
		split_pre_put(vq, elem->id);
}

/**
 * vu_inflight_post_put() - Mark a chain done once its used entry is visible
 *			    to the driver (used->idx or the flags published)
 * @vq:		Queue
 * @elem:	The chain
 *
 * Chains of one batch must be put in the order they were pushed.
 */
void vu_inflight_post_put(struct vu_queue *vq, const struct vu_elem *elem)
{
	if (!inflight_on(vq))
		return;
	if (vu_queue_packed(vq))
		packed_post_put(vq, elem);
	else
		split_post_put(vq, elem->id);
}

/**
 * vu_inflight_unget() - Forget a chain popped and given back unused
 * @vq:		Queue
 * @elem:	The chain (not a resubmitted one)
 *
 * Call from vu_queue_unpop(): packed entries would otherwise leak and the
 * chain be recorded twice when it is popped again.
 */
void vu_inflight_unget(struct vu_queue *vq, const struct vu_elem *elem)
{
	struct vu_inflight_packed *r = vq->inflight;
	int e;

	if (!inflight_on(vq))
		return;
	if (!vu_queue_packed(vq)) {
		if (elem->id < vq->size)
			((struct vu_inflight_split *)vq->inflight)
				->desc[elem->id].inflight = 0;
		return;
	}
	e = packed_find(vq, elem);
	if (e < 0)
		return;
	packed_release(r, (uint16_t)e);
	/* Committed before the mark goes: a crash leaves nothing leaked */
	r->old_free_head = r->free_head;
	inflight_wmb();
	r->desc[e].inflight = 0;
}

/* ------------------------------------------------------- resubmission */

/**
 * packed_add_indirect() - Append the buffers of a recorded indirect table
 * @vq:		Queue
 * @elem:	Element being built
 * @addr:	Guest physical address of the table
 * @len:	Table length in bytes
 *
 * Return: 0, or a negative errno for a malformed table
 */
static int packed_add_indirect(struct vu_queue *vq, struct vu_elem *elem,
			       uint64_t addr, uint32_t len)
{
	const uint8_t *table;
	struct vu_pdesc d;
	uint32_t i;
	int ret;

	if (!len || len % sizeof(d) || len / sizeof(d) > vq->size)
		return -EINVAL;
	table = vu_mem_gpa_range(vq->mem, addr, len);
	if (!table)
		return -EFAULT;
	for (i = 0; i < len / sizeof(d); i++) {
		memcpy(&d, table + (size_t)i * sizeof(d), sizeof(d));
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (le16toh(d.flags) & VU_DESC_F_INDIRECT)
			return -EINVAL;
		ret = vu_queue_map_desc(vq, elem, le64toh(d.addr),
					le32toh(d.len),
					le16toh(d.flags) & VU_DESC_F_WRITE);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * packed_add_entry() - Append the buffers a recorded descriptor names
 * @vq:		Queue
 * @elem:	Element being built
 * @e:		Region entry (read once: the front-end may change it)
 * @first_of:	Descriptors in the chain if @e is its first, else 0
 * @id:		Set to the entry's buffer id
 *
 * Return: 0, or a negative errno for a malformed descriptor
 */
static int packed_add_entry(struct vu_queue *vq, struct vu_elem *elem,
			    const struct vu_inflight_desc_packed *e,
			    uint16_t first_of, uint16_t *id)
{
	struct vu_inflight_desc_packed c;

	memcpy(&c, e, sizeof(c));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	*id = c.id;
	if (!(c.flags & VU_DESC_F_INDIRECT))
		return vu_queue_map_desc(vq, elem, c.addr, c.len,
					 c.flags & VU_DESC_F_WRITE);
	if (first_of != 1)
		return -EINVAL;	/* an indirect descriptor is a chain alone */
	return packed_add_indirect(vq, elem, c.addr, c.len);
}

/**
 * vu_inflight_read_chain() - Rebuild a request listed in vq->resubmit
 * @vq:		Queue, attached
 * @index:	vq->resubmit[].index: split head index, packed head entry
 * @elem:	Element to fill (iov and iov_max set by the caller)
 *
 * Split chains are read from the descriptor table, which the driver leaves
 * alone while they are in flight; packed chains from the region's copies.
 *
 * Return: 0, or a negative errno for a malformed chain
 */
int vu_inflight_read_chain(struct vu_queue *vq, uint16_t index,
			   struct vu_elem *elem)
{
	const struct vu_inflight_packed *r = vq->inflight;
	uint16_t num, e = index, i, id = 0;
	int ret;

	if (!vu_queue_packed(vq))
		return vu_split_read_chain(vq, index, elem);
	if (!inflight_on(vq) || index >= vq->size)
		return -EINVAL;
	elem->out_num = 0;
	elem->in_num = 0;
	num = r->desc[index].num;
	if (!num || num > vq->size)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		if (e >= vq->size)
			return -EINVAL;
		ret = packed_add_entry(vq, elem, &r->desc[e], i ? 0 : num, &id);
		if (ret < 0)
			return ret;
		e = r->desc[e].next;
	}
	elem->id = id;
	elem->ndescs = num;
	return 0;
}
