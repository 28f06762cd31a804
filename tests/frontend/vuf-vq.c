// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-vq.c - libvuf virtqueues, driver side, the part common to both ring
 * formats: creation, buffer slots, posting chains, kicks, calls, collection.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vuf-priv.h"

/**
 * vuf_vq_fail() - Record why a virtqueue operation failed
 * @vq:		Virtqueue
 * @err:	Positive errno value
 * @fmt:	printf format of the description
 *
 * Return: -@err
 */
int vuf_vq_fail(struct vuf_vq *vq, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vq->err, sizeof(vq->err), fmt, ap);
	va_end(ap);
	return -err;
}

/**
 * vuf_vq_error() - Describe the last failure on a virtqueue
 * @vq:		Virtqueue
 *
 * Return: one line, empty if nothing failed yet
 */
const char *vuf_vq_error(const struct vuf_vq *vq)
{
	return vq->err;
}

/**
 * vuf_vq_alloc() - Allocate a ring area in guest memory
 * @vq:		Virtqueue (its memory)
 * @len:	Bytes
 * @align:	Alignment
 * @ptr:	Set to our pointer to the area
 *
 * Return: guest physical address, or VUF_GPA_INVALID
 */
uint64_t vuf_vq_alloc(struct vuf_vq *vq, uint64_t len, uint64_t align,
		      uint8_t **ptr)
{
	uint64_t gpa = vuf_mem_alloc(vq->mem, len, align);

	*ptr = gpa == VUF_GPA_INVALID ? NULL : vuf_mem_ptr(vq->mem, gpa, len);
	return gpa;
}

/**
 * vuf_vq_new() - Create a virtqueue in guest memory
 * @m:		Guest memory for the ring and the buffer slots
 * @index:	Ring index
 * @size:	Descriptors: 1 to 32768, a power of two for split rings
 * @flags:	VUF_VQ_PACKED, VUF_VQ_EVENT_IDX
 * @slot_size:	Buffer bytes reserved per chain id (0: VUF_SLOT_DEFAULT)
 *
 * Allocates the ring, @size slots of @slot_size bytes, a kick and a call
 * eventfd.
 *
 * Return: the virtqueue, or NULL (bad size, or memory exhausted)
 */
struct vuf_vq *vuf_vq_new(struct vuf_mem *m, uint16_t index, uint16_t size,
			  unsigned int flags, uint32_t slot_size)
{
	bool packed = flags & VUF_VQ_PACKED;
	struct vuf_vq *vq;

	if (!size || size > 32768 || (!packed && (size & (size - 1))))
		return NULL;
	slot_size = slot_size ? (slot_size + 15) & ~15u : VUF_SLOT_DEFAULT;
	vq = g_new0(struct vuf_vq, 1);
	vq->mem = m;
	vq->index = index;
	vq->size = size;
	vq->flags = flags;
	vq->ops = packed ? &vuf_packed_ops : &vuf_split_ops;
	vq->slot_size = slot_size;
	vq->chains = g_new0(struct vuf_chain, size);
	vq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vq->slots_gpa = vuf_mem_alloc(m, (uint64_t)size * slot_size, 4096);
	if (vq->kick_fd < 0 || vq->call_fd < 0 ||
	    vq->slots_gpa == VUF_GPA_INVALID || vq->ops->layout(vq)) {
		vuf_vq_free(vq);
		return NULL;
	}
	return vq;
}

/**
 * vuf_vq_free() - Free a virtqueue (its guest memory is not reclaimed)
 * @vq:		Virtqueue, or NULL
 */
void vuf_vq_free(struct vuf_vq *vq)
{
	unsigned int i;

	if (!vq)
		return;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	for (i = 0; i < vq->size; i++)
		g_free(vq->chains[i].bufs);
	g_free(vq->chains);
	g_free(vq->next);
	g_free(vq->free_ids);
	g_free(vq);
}

/**
 * vuf_vq_index() - Ring index
 * @vq:		Virtqueue
 *
 * Return: index
 */
uint16_t vuf_vq_index(const struct vuf_vq *vq)
{
	return vq->index;
}

/**
 * vuf_vq_size() - Ring size
 * @vq:		Virtqueue
 *
 * Return: descriptors
 */
uint16_t vuf_vq_size(const struct vuf_vq *vq)
{
	return vq->size;
}

/**
 * vuf_vq_flags() - Ring format flags
 * @vq:		Virtqueue
 *
 * Return: VUF_VQ_* flags
 */
unsigned int vuf_vq_flags(const struct vuf_vq *vq)
{
	return vq->flags;
}

/**
 * vuf_vq_ring_gpa() - Guest physical addresses of the ring areas
 * @vq:		Virtqueue
 * @desc:	Descriptor table / ring
 * @avail:	Available ring (packed: driver event area)
 * @used:	Used ring (packed: device event area)
 */
void vuf_vq_ring_gpa(const struct vuf_vq *vq, uint64_t *desc, uint64_t *avail,
		     uint64_t *used)
{
	*desc = vq->desc_gpa;
	*avail = vq->avail_gpa;
	*used = vq->used_gpa;
}

/**
 * vuf_vq_ring_addr() - The SET_VRING_ADDR payload for this ring
 * @vq:		Virtqueue
 * @a:		Filled with our user addresses (flags 0, log = used gpa)
 */
void vuf_vq_ring_addr(const struct vuf_vq *vq, struct vuf_vring_addr *a)
{
	a->index = vq->index;
	a->flags = 0;
	a->desc_user = vuf_mem_uva(vq->mem, vq->desc_gpa);
	a->used_user = vuf_mem_uva(vq->mem, vq->used_gpa);
	a->avail_user = vuf_mem_uva(vq->mem, vq->avail_gpa);
	a->log_guest = vq->used_gpa;
}

/**
 * vuf_vq_kick_fd() - The kick eventfd (to pass with SET_VRING_KICK)
 * @vq:		Virtqueue
 *
 * Return: file descriptor, owned by @vq
 */
int vuf_vq_kick_fd(const struct vuf_vq *vq)
{
	return vq->kick_fd;
}

/**
 * vuf_vq_call_fd() - The call eventfd (to pass with SET_VRING_CALL)
 * @vq:		Virtqueue
 *
 * Return: file descriptor, owned by @vq
 */
int vuf_vq_call_fd(const struct vuf_vq *vq)
{
	return vq->call_fd;
}

/**
 * vuf_vq_attach() - Tie a virtqueue to a connection for in-band notifications
 * @vq:		Virtqueue
 * @c:		Connection, or NULL to detach
 *
 * When INBAND_NOTIFICATIONS is negotiated on @c, kicks become VRING_KICK
 * messages and VRING_CALL messages on the back-end channel count as calls.
 */
void vuf_vq_attach(struct vuf_vq *vq, struct vuf_conn *c)
{
	vq->conn = c;
	vq->inband_seen = c ? vuf_backend_inband_calls(c, vq->index) : 0;
}

/**
 * slot_gpa() - Guest address of the buffer slot of a chain id
 * @vq:		Virtqueue
 * @id:		Chain id
 *
 * Return: guest physical address
 */
static uint64_t slot_gpa(const struct vuf_vq *vq, uint16_t id)
{
	return vq->slots_gpa + (uint64_t)id * vq->slot_size;
}

/**
 * record_chain() - Remember the buffers of a chain for vuf_vq_buf()
 * @ch:		Chain bookkeeping
 * @d:		Buffers
 * @n:		Number of buffers
 * @ndesc:	Ring descriptors the chain occupies
 */
static void record_chain(struct vuf_chain *ch, const struct vuf_desc *d,
			 unsigned int n, uint16_t ndesc)
{
	if (ch->cap < n) {
		ch->bufs = g_renew(struct vuf_desc, ch->bufs, n);
		ch->cap = (uint16_t)n;
	}
	memcpy(ch->bufs, d, n * sizeof(*d));
	ch->nbufs = (uint16_t)n;
	ch->ndesc = ndesc;
	ch->busy = true;
}

/**
 * vuf_vq_post_descs() - Make a chain of caller-placed buffers available
 * @vq:		Virtqueue
 * @d:		Buffers, in order (readable ones first, as virtio requires;
 *		not checked, so tests can break the rule on purpose)
 * @n:		Number of buffers (1 to 65535)
 * @indirect:	Put the buffers in an indirect table (in the chain's slot)
 *		and one INDIRECT descriptor in the ring
 *
 * Return: chain id (>= 0), -ENOSPC if the ring is full, -E2BIG if the
 * indirect table does not fit the slot, -EINVAL
 */
int vuf_vq_post_descs(struct vuf_vq *vq, const struct vuf_desc *d,
		      unsigned int n, bool indirect)
{
	unsigned int need = indirect ? 1 : n;
	uint64_t table = 0;
	uint16_t id;

	if (!n || n > UINT16_MAX)
		return vuf_vq_fail(vq, EINVAL, "chain of %u buffers", n);
	if (need > vq->num_free)
		return vuf_vq_fail(vq, ENOSPC, "ring full");
	id = vq->ops->next_id(vq);
	if (indirect) {
		if ((uint64_t)n * VUF_DESC_SIZE > vq->slot_size)
			return vuf_vq_fail(vq, E2BIG, "indirect table of %u",
					   n);
		table = slot_gpa(vq, id);
	}
	record_chain(&vq->chains[id], d, n, (uint16_t)need);
	vq->in_flight++;
	return vq->ops->add(vq, d, n, table);
}

/**
 * place_bufs() - Lay out a chain's buffers in a slot and copy the out data
 * @vq:		Virtqueue
 * @id:		Chain id whose slot is used
 * @off:	First free byte of the slot
 * @out:	Readable buffers (data copied in)
 * @nout:	Number of @out
 * @in_len:	Sizes of the writable buffers (zeroed)
 * @nin:	Number of @in_len
 * @d:		Filled with nout + nin buffers
 *
 * Return: 0, or -E2BIG if they do not fit the slot
 */
static int place_bufs(struct vuf_vq *vq, uint16_t id, uint64_t off,
		      const struct iovec *out, unsigned int nout,
		      const uint32_t *in_len, unsigned int nin,
		      struct vuf_desc *d)
{
	unsigned int i;

	for (i = 0; i < nout + nin; i++) {
		bool w = i >= nout;
		uint64_t len = w ? in_len[i - nout] : out[i].iov_len;
		uint8_t *p;

		off = (off + 7) & ~7ull;
		if (len > UINT32_MAX || off + len > vq->slot_size)
			return vuf_vq_fail(vq, E2BIG, "buffers exceed the "
					   "%u-byte slot", vq->slot_size);
		d[i] = (struct vuf_desc){ slot_gpa(vq, id) + off,
					  (uint32_t)len, w };
		p = vuf_mem_ptr(vq->mem, d[i].gpa, len);
		if (w)
			memset(p, 0, len);
		else if (len)
			memcpy(p, out[i].iov_base, len);
		off += len;
	}
	return 0;
}

/**
 * vuf_vq_post() - Copy buffers into the chain's slot and make them available
 * @vq:		Virtqueue
 * @out:	Readable buffers: their data is copied into guest memory
 * @nout:	Number of @out
 * @in_len:	Sizes of the writable buffers (zeroed before posting)
 * @nin:	Number of @in_len
 * @indirect:	Use one indirect descriptor for the whole chain
 *
 * The buffers stay readable with vuf_vq_buf() until the id is reused.
 *
 * Return: chain id (>= 0), -ENOSPC if the ring is full, -E2BIG if the
 * buffers do not fit the slot, -EINVAL
 */
int vuf_vq_post(struct vuf_vq *vq, const struct iovec *out, unsigned int nout,
		const uint32_t *in_len, unsigned int nin, bool indirect)
{
	unsigned int n = nout + nin;
	struct vuf_desc *d;
	uint16_t id;
	int r;

	if (!n || n > vq->slot_size / 8)
		return vuf_vq_fail(vq, EINVAL, "chain of %u buffers", n);
	if ((indirect ? 1 : n) > vq->num_free)
		return vuf_vq_fail(vq, ENOSPC, "ring full");
	id = vq->ops->next_id(vq);
	d = g_new(struct vuf_desc, n);
	r = place_bufs(vq, id, indirect ? (uint64_t)n * VUF_DESC_SIZE : 0,
		       out, nout, in_len, nin, d);
	if (!r)
		r = vuf_vq_post_descs(vq, d, n, indirect);
	g_free(d);
	return r;
}

/**
 * vuf_vq_buf() - Find a buffer of a posted chain
 * @vq:		Virtqueue
 * @id:		Chain id
 * @i:		Buffer number, in posting order (out buffers first)
 * @len:	Set to the buffer size (may be NULL)
 *
 * Return: pointer into guest memory, or NULL
 */
void *vuf_vq_buf(const struct vuf_vq *vq, uint16_t id, unsigned int i,
		 uint32_t *len)
{
	const struct vuf_chain *ch;

	if (id >= vq->size || i >= vq->chains[id].nbufs)
		return NULL;
	ch = &vq->chains[id];
	if (len)
		*len = ch->bufs[i].len;
	return vuf_mem_ptr(vq->mem, ch->bufs[i].gpa, ch->bufs[i].len);
}

/**
 * vuf_vq_room() - Free ring descriptors
 * @vq:		Virtqueue
 *
 * Return: how many descriptors a new chain may use (1 is enough indirect)
 */
unsigned int vuf_vq_room(const struct vuf_vq *vq)
{
	return vq->num_free;
}

/**
 * vuf_vq_in_flight() - Chains posted and not collected
 * @vq:		Virtqueue
 *
 * Return: count
 */
unsigned int vuf_vq_in_flight(const struct vuf_vq *vq)
{
	return vq->in_flight;
}

/**
 * vuf_vq_kick_needed() - Whether the device wants a kick for what was added
 * @vq:		Virtqueue
 *
 * Honours avail_event (event idx) or the no-notify flag. Does not change
 * state: vuf_vq_kick() and vuf_vq_notify() reset the "added" count.
 *
 * Return: true if a kick is due
 */
bool vuf_vq_kick_needed(const struct vuf_vq *vq)
{
	return vq->num_added && vq->ops->kick_needed(vq);
}

/**
 * vuf_vq_kick() - Kick the back-end unconditionally
 * @vq:		Virtqueue
 *
 * Writes the kick eventfd, or sends VRING_KICK when in-band notifications
 * are negotiated on the attached connection.
 *
 * Return: 0 or -errno
 */
int vuf_vq_kick(struct vuf_vq *vq)
{
	uint64_t one = 1;
	int r;

	vq->num_added = 0;
	vq->kicks++;
	if (vq->conn &&
	    vuf_conn_has_pf(vq->conn, VUF_PF_INBAND_NOTIFICATIONS)) {
		r = vuf_vring_kick_inband(vq->conn, vq->index);
		return r ? vuf_vq_fail(vq, -r, "%s",
				       vuf_conn_error(vq->conn)) : 0;
	}
	if (write(vq->kick_fd, &one, sizeof(one)) != sizeof(one))
		return vuf_vq_fail(vq, errno, "kick: %s", g_strerror(errno));
	return 0;
}

/**
 * vuf_vq_notify() - Kick only if the device asked for it
 * @vq:		Virtqueue
 *
 * Return: 1 if kicked, 0 if suppressed, or -errno
 */
int vuf_vq_notify(struct vuf_vq *vq)
{
	int r;

	if (!vuf_vq_kick_needed(vq)) {
		vq->num_added = 0;
		return 0;
	}
	r = vuf_vq_kick(vq);
	return r ? r : 1;
}

/**
 * vuf_vq_kicks() - Kicks sent so far
 * @vq:		Virtqueue
 *
 * Return: count
 */
uint64_t vuf_vq_kicks(const struct vuf_vq *vq)
{
	return vq->kicks;
}

/**
 * take_calls() - Count calls that have arrived, without waiting
 * @vq:		Virtqueue
 *
 * Return: true if at least one call was counted
 */
static bool take_calls(struct vuf_vq *vq)
{
	bool got = false;
	uint64_t v;

	if (vq->conn) {
		v = vuf_backend_inband_calls(vq->conn, vq->index);
		if (v > vq->inband_seen) {
			vq->calls += v - vq->inband_seen;
			vq->inband_seen = v;
			got = true;
		}
	}
	if (read(vq->call_fd, &v, sizeof(v)) == sizeof(v)) {
		vq->calls += v;
		got = true;
	}
	return got;
}

/**
 * poll_ms() - Milliseconds left until a deadline, for poll()
 * @deadline:	Deadline from vuf_deadline()
 *
 * Return: milliseconds (rounded up), or -1 for no deadline
 */
static int poll_ms(gint64 deadline)
{
	gint64 left;

	if (deadline == G_MAXINT64)
		return -1;
	left = (deadline - g_get_monotonic_time() + 999) / 1000;
	return (int)CLAMP(left, 0, G_MAXINT);
}

/**
 * vuf_vq_wait_call() - Wait for the back-end to signal used buffers
 * @vq:		Virtqueue
 * @timeout_ms:	How long to wait (negative: forever)
 *
 * Counts every call that arrived (eventfd writes accumulate; in-band
 * VRING_CALL messages are read from the back-end channel).
 *
 * Return: 0 once at least one call was counted, -ETIMEDOUT, or -errno
 */
int vuf_vq_wait_call(struct vuf_vq *vq, int timeout_ms)
{
	gint64 deadline = vuf_deadline(timeout_ms);
	int bfd = vq->conn ? vuf_backend_fd(vq->conn) : -1;
	struct pollfd p[2] = { { .fd = vq->call_fd, .events = POLLIN },
			       { .fd = bfd, .events = POLLIN } };
	int r;

	while (!take_calls(vq)) {
		r = poll(p, bfd >= 0 ? 2 : 1, poll_ms(deadline));
		if (r < 0 && errno != EINTR)
			return vuf_vq_fail(vq, errno, "poll: %s",
					   g_strerror(errno));
		if (r == 0)
			return vuf_vq_fail(vq, ETIMEDOUT, "no call within "
					   "%d ms", timeout_ms);
		if (r > 0 && bfd >= 0 && p[1].revents) {
			r = vuf_chan_pump(vq->conn, deadline);
			if (r)
				return vuf_vq_fail(vq, -r, "%s",
						   vuf_conn_error(vq->conn));
		}
	}
	return 0;
}

/**
 * vuf_vq_calls() - Calls received so far
 * @vq:		Virtqueue
 *
 * Counts, without waiting, the calls pending on the eventfd (and in-band
 * calls already read) on top of those vuf_vq_wait_call() took.
 *
 * Return: count
 */
uint64_t vuf_vq_calls(struct vuf_vq *vq)
{
	take_calls(vq);
	return vq->calls;
}

/**
 * collect_one() - Take one completion and release its chain
 * @vq:		Virtqueue
 * @u:		Completion
 *
 * Return: 1, 0 if none, or -EPROTO for a bad used entry
 */
static int collect_one(struct vuf_vq *vq, struct vuf_used *u)
{
	int r = vq->ops->next_used(vq, u);

	if (r == 1) {
		vq->chains[u->id].busy = false;
		vq->in_flight--;
	}
	return r;
}

/**
 * vuf_vq_collect() - Collect completions from the used ring
 * @vq:		Virtqueue
 * @u:		Array for the completions
 * @max:	Size of @u
 *
 * When the ring is drained, publishes the used event asking for a call at
 * the next completion (unless the test set it by hand), then looks again,
 * so that no completion is missed between the two.
 *
 * Return: completions stored (0 if none), or -EPROTO if the device wrote an
 * id that is not in flight (or more entries than were posted)
 */
int vuf_vq_collect(struct vuf_vq *vq, struct vuf_used *u, unsigned int max)
{
	unsigned int n = 0;
	int r;

	while (n < max) {
		r = collect_one(vq, &u[n]);
		if (r == 0 && !vq->manual_event) {
			vq->ops->set_event(vq, vq->ops->used_pos(vq));
			vuf_mb();
			r = collect_one(vq, &u[n]);
		}
		if (r < 0)
			return r;
		if (r == 0)
			break;
		n++;
	}
	return (int)n;
}

/**
 * vuf_vq_set_used_event() - Set the used event by hand (stops auto updates)
 * @vq:		Virtqueue
 * @event:	Split: used_event index; packed: off_wrap of the driver
 *		event area (bit 15 = wrap counter)
 */
void vuf_vq_set_used_event(struct vuf_vq *vq, uint16_t event)
{
	vq->manual_event = true;
	vq->ops->set_event(vq, event);
}

/**
 * vuf_vq_avail_event() - The device's published event value
 * @vq:		Virtqueue
 *
 * Return: split: avail_event from the used ring; packed: off_wrap of the
 * device event area
 */
uint16_t vuf_vq_avail_event(const struct vuf_vq *vq)
{
	vuf_mb();
	return vq->ops->avail_event(vq);
}

/**
 * vuf_vq_enable_calls() - Ask the device for calls, or to suppress them
 * @vq:		Virtqueue
 * @enable:	false sets NO_INTERRUPT (split) / DISABLE (packed)
 */
void vuf_vq_enable_calls(struct vuf_vq *vq, bool enable)
{
	vq->ops->calls(vq, enable);
}

/**
 * vuf_vq_base() - The value to send with SET_VRING_BASE
 * @vq:		Virtqueue
 *
 * The value from the last vuf_vq_set_base() (the last GET_VRING_BASE
 * answer) when there is one; otherwise, as QEMU does after losing a
 * back-end, the position of the used ring: split: used->idx read from guest
 * memory; packed: the next used slot and its wrap counter, for both the
 * avail and used halves.
 *
 * Return: base
 */
uint32_t vuf_vq_base(const struct vuf_vq *vq)
{
	return vq->have_base ? vq->base : vq->ops->base(vq);
}

/**
 * vuf_vq_set_base() - Remember a GET_VRING_BASE answer for the next start
 * @vq:		Virtqueue
 * @base:	Value
 */
void vuf_vq_set_base(struct vuf_vq *vq, uint32_t base)
{
	vq->have_base = true;
	vq->base = base;
}
