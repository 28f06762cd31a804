// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-req.c - virtio-blk requests of vhost-user-blk: a preallocated pool per
 * queue, parsing and validating what the guest posted, handing I/O to the
 * engine, completing (with follow-up I/O: write-through flushes, discard
 * segments) and draining a queue that stops.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "blk-int.h"
#include "vu-iov.h"
#include "vu-dev.h"

/* blk_req_dispatch(): the request went to the engine, no status yet */
#define BLK_PENDING	0xff

#ifndef container_of
#define container_of(ptr, type, member)					\
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

/**
 * struct blk_hdr - the request header as the guest lays it out (LE)
 * @type:	VIRTIO_BLK_T_*
 * @reserved:	Ignored
 * @sector:	First 512-byte sector
 */
struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/**
 * struct blk_seg - a discard / write zeroes segment as the guest lays it out
 * @sector:	First sector (LE)
 * @num_sectors: Sectors (LE)
 * @flags:	VIRTIO_BLK_WZ_UNMAP (LE)
 */
struct blk_seg {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/**
 * struct blk_req - one request, from pop to push; preallocated
 * @q:		Queue
 * @next:	Free list or follow-up list link
 * @elem:	The chain (its buffers in @iov)
 * @io:		The I/O in progress
 * @type:	Request type
 * @status:	The status byte in guest memory
 * @used_len:	Used length reported at completion (all in buffers)
 * @len:	Data bytes (read/write)
 * @flush_after: Write-through: flush once the write is done
 * @bounce:	Aligned copy of the data for O_DIRECT, or NULL
 * @bounce_iov:	@bounce as an iovec
 * @ndata:	Entries of @data
 * @nsegs:	Discard / write zeroes segments in @segs
 * @seg:	The segment in progress
 * @segs:	Segments, copied out of guest memory
 * @iov:	Buffers of the chain
 * @data:	The data buffers: @iov less the header and the status byte
 */
struct blk_req {
	struct blk_queue *q;
	struct blk_req *next;
	struct vu_elem elem;
	struct blk_io io;
	uint32_t type;
	uint8_t *status;
	uint32_t used_len;
	uint64_t len;
	bool flush_after;
	void *bounce;
	struct iovec bounce_iov;
	unsigned int ndata;
	unsigned int nsegs;
	unsigned int seg;
	struct blk_seg segs[BLK_MAX_DISCARD_SEGS];
	struct iovec iov[BLK_IOV_MAX];
	struct iovec data[BLK_IOV_MAX];
};

/**
 * struct blk_req_pool - a queue's requests
 * @reqs:	All of them
 * @size:	Number of @reqs
 * @free:	Free list
 * @follow:	Follow-up I/Os to submit at the end of a completion batch
 * @follow_tail: Last of @follow
 * @starved:	Popping stopped for want of a free request
 * @warned:	An unanswerable request was logged on this queue
 * @engine_ok:	The engine started for this queue
 */
struct blk_req_pool {
	struct blk_req *reqs;
	unsigned int size;
	struct blk_req *free;
	struct blk_req *follow;
	struct blk_req *follow_tail;
	bool starved;
	bool warned;
	bool engine_ok;
};

/**
 * blk_inflight_add() - Count a request in or out of flight
 * @q:		Queue
 * @delta:	+1 or -1
 *
 * queue_stopped waits on the protocol thread for the count to reach 0.
 */
static void blk_inflight_add(struct blk_queue *q, int delta)
{
	g_mutex_lock(&q->drain_lock);
	q->inflight += delta;
	if (!q->inflight)
		g_cond_broadcast(&q->drained);
	g_mutex_unlock(&q->drain_lock);
}

/**
 * blk_capacity_ok() - Check a sector range against the current capacity
 * @blk:	Device
 * @sector:	First sector
 * @bytes:	Length in bytes, a multiple of 512
 *
 * Return: true if the range lies within the disk
 */
static bool blk_capacity_ok(struct blk *blk, uint64_t sector, uint64_t bytes)
{
	uint64_t cap = __atomic_load_n(&blk->size, __ATOMIC_RELAXED) /
		       BLK_SECTOR;

	return sector <= cap && bytes / BLK_SECTOR <= cap - sector;
}

/**
 * blk_req_submit() - Hand the request's I/O to the engine
 * @q:		Queue
 * @req:	Request, @io filled
 *
 * Return: BLK_PENDING, or VIRTIO_BLK_S_IOERR if it could not be started
 */
static uint8_t blk_req_submit(struct blk_queue *q, struct blk_req *req)
{
	req->io.result = 0;
	req->io.next = NULL;
	if (!q->pool->engine_ok || q->blk->io->submit(q, &req->io) < 0)
		return VIRTIO_BLK_S_IOERR;
	return BLK_PENDING;
}

/**
 * blk_req_bounce() - Route a read or write through an aligned buffer when
 * O_DIRECT cannot take the guest's buffers as they are
 * @blk:	Device
 * @req:	Request with @data and @len
 *
 * Return: true, or false if the buffer could not be allocated
 */
static bool blk_req_bounce(struct blk *blk, struct blk_req *req)
{
	req->io.iov = req->data;
	req->io.iovcnt = req->ndata;
	if (!blk->direct || vu_iov_aligned(req->data, req->ndata,
					   BLK_DIO_MEM_ALIGN))
		return true;
	if (posix_memalign(&req->bounce, 4096, req->len)) {
		req->bounce = NULL;
		return false;
	}
	if (req->type == VIRTIO_BLK_T_OUT)
		vu_iov_to_buf(req->data, req->ndata, 0, req->bounce, req->len);
	req->bounce_iov.iov_base = req->bounce;
	req->bounce_iov.iov_len = req->len;
	req->io.iov = &req->bounce_iov;
	req->io.iovcnt = 1;
	return true;
}

/**
 * blk_req_rw() - Start a read or a write
 * @q:		Queue
 * @req:	Request with @data, @ndata and @len
 * @sector:	First sector
 *
 * Return: BLK_PENDING, or the status to complete with at once
 */
static uint8_t blk_req_rw(struct blk_queue *q, struct blk_req *req,
			  uint64_t sector)
{
	struct blk *blk = q->blk;
	bool write = req->type == VIRTIO_BLK_T_OUT;

	if (write && blk->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (req->len % BLK_SECTOR || req->len > BLK_REQ_MAX_BYTES ||
	    req->ndata > BLK_SEG_MAX || !blk_capacity_ok(blk, sector, req->len))
		return VIRTIO_BLK_S_IOERR;
	req->flush_after = write &&
		!__atomic_load_n(&blk->writeback, __ATOMIC_RELAXED);
	if (!req->len)
		return VIRTIO_BLK_S_OK;
	if (!blk_req_bounce(blk, req))
		return VIRTIO_BLK_S_IOERR;
	req->io.op = write ? BLK_OP_WRITE : BLK_OP_READ;
	req->io.offset = sector * BLK_SECTOR;
	req->io.len = req->len;
	req->io.unmap = false;
	return blk_req_submit(q, req);
}

/**
 * blk_req_get_id() - GET_ID: copy the serial into the data buffers
 * @req:	Request with @data
 *
 * Return: VIRTIO_BLK_S_OK
 */
static uint8_t blk_req_get_id(struct blk_req *req)
{
	const struct blk *blk = req->q->blk;

	vu_iov_from_buf(req->data, req->ndata, 0, blk->serial,
			MIN(req->len, (uint64_t)VIRTIO_BLK_ID_BYTES));
	return VIRTIO_BLK_S_OK;
}

/**
 * blk_req_seg_io() - Set the I/O up for the next non-empty segment
 * @req:	Discard or write zeroes request; @seg is the next to do
 *
 * Return: true if there is one, false when every segment is done
 */
static bool blk_req_seg_io(struct blk_req *req)
{
	const struct blk_seg *s;

	for (; req->seg < req->nsegs; req->seg++) {
		s = &req->segs[req->seg];
		if (!s->num_sectors)
			continue;
		req->io.op = req->type == VIRTIO_BLK_T_DISCARD ?
			     BLK_OP_DISCARD : BLK_OP_ZEROES;
		req->io.offset = s->sector * BLK_SECTOR;
		req->io.len = (uint64_t)s->num_sectors * BLK_SECTOR;
		req->io.unmap = s->flags & VIRTIO_BLK_WZ_UNMAP;
		req->io.iov = NULL;
		req->io.iovcnt = 0;
		req->seg++;
		return true;
	}
	return false;
}

/**
 * blk_req_check_seg() - Validate one discard / write zeroes segment
 * @blk:	Device
 * @req:	Request (its type)
 * @s:		Segment, converted to host byte order
 *
 * Return: VIRTIO_BLK_S_OK, UNSUPP for flags the command does not take,
 * IOERR for a range beyond the limits or the disk
 */
static uint8_t blk_req_check_seg(struct blk *blk, const struct blk_req *req,
				 const struct blk_seg *s)
{
	if (s->flags & ~VIRTIO_BLK_WZ_UNMAP)
		return VIRTIO_BLK_S_UNSUPP;
	if (req->type == VIRTIO_BLK_T_DISCARD && s->flags)
		return VIRTIO_BLK_S_UNSUPP;
	if (s->num_sectors > BLK_MAX_DISCARD_SECTORS ||
	    !blk_capacity_ok(blk, s->sector,
			     (uint64_t)s->num_sectors * BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/**
 * blk_req_segs() - DISCARD and WRITE_ZEROES: copy the segments out of guest
 * memory, check them, start the first
 * @q:		Queue
 * @req:	Request with @data and @len (the segment array)
 *
 * Return: BLK_PENDING, or the status to complete with at once
 */
static uint8_t blk_req_segs(struct blk_queue *q, struct blk_req *req)
{
	bool discard = req->type == VIRTIO_BLK_T_DISCARD;
	struct blk *blk = q->blk;
	unsigned int i;
	uint8_t st;

	if (blk->read_only)
		return VIRTIO_BLK_S_IOERR;
	if (discard ? !blk->can_discard : !blk->can_zeroes)
		return VIRTIO_BLK_S_UNSUPP;
	if (!req->len || req->len % sizeof(struct blk_seg) ||
	    req->len / sizeof(struct blk_seg) > BLK_MAX_DISCARD_SEGS)
		return VIRTIO_BLK_S_IOERR;
	req->nsegs = req->len / sizeof(struct blk_seg);
	vu_iov_to_buf(req->data, req->ndata, 0, req->segs, req->len);
	for (i = 0; i < req->nsegs; i++) {
		req->segs[i].sector = GUINT64_FROM_LE(req->segs[i].sector);
		req->segs[i].num_sectors =
			GUINT32_FROM_LE(req->segs[i].num_sectors);
		req->segs[i].flags = GUINT32_FROM_LE(req->segs[i].flags);
		st = blk_req_check_seg(blk, req, &req->segs[i]);
		if (st != VIRTIO_BLK_S_OK)
			return st;
	}
	req->seg = 0;
	if (!blk_req_seg_io(req))
		return VIRTIO_BLK_S_OK;
	return blk_req_submit(q, req);
}

/**
 * blk_req_data() - Find the data buffers of a request
 * @req:	Request, @type set
 * @out_len:	Bytes in the out buffers (header included)
 * @in_len:	Bytes in the in buffers (status included)
 *
 * Reads and GET_ID use the in buffers less the status byte; writes,
 * discard and write zeroes the out buffers less the header.
 *
 * Return: false if there are data bytes on the side the request does not
 * use (a read with device-readable data, a write with device-writable)
 */
static bool blk_req_data(struct blk_req *req, uint64_t out_len,
			 uint64_t in_len)
{
	const struct vu_elem *e = &req->elem;

	req->len = 0;
	req->ndata = 0;
	if (req->type == VIRTIO_BLK_T_IN || req->type == VIRTIO_BLK_T_GET_ID) {
		req->len = in_len - 1;
		req->ndata = vu_iov_slice(e->iov + e->out_num, e->in_num, 0,
					  req->len, req->data);
		return out_len == sizeof(struct blk_hdr);
	}
	if (req->type == VIRTIO_BLK_T_OUT ||
	    req->type == VIRTIO_BLK_T_DISCARD ||
	    req->type == VIRTIO_BLK_T_WRITE_ZEROES) {
		req->len = out_len - sizeof(struct blk_hdr);
		req->ndata = vu_iov_slice(e->iov, e->out_num,
					  sizeof(struct blk_hdr), req->len,
					  req->data);
		return in_len == 1;
	}
	return true;
}

/**
 * blk_req_dispatch() - Carry out a parsed request
 * @q:		Queue
 * @req:	Request with @type and @data
 * @sector:	Header's sector
 *
 * Return: BLK_PENDING, or the status to complete with at once
 */
static uint8_t blk_req_dispatch(struct blk_queue *q, struct blk_req *req,
				uint64_t sector)
{
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		return blk_req_rw(q, req, sector);
	case VIRTIO_BLK_T_FLUSH:
		req->io.op = BLK_OP_FLUSH;
		req->io.offset = req->io.len = 0;
		req->io.iov = NULL;
		req->io.iovcnt = 0;
		return blk_req_submit(q, req);
	case VIRTIO_BLK_T_GET_ID:
		return blk_req_get_id(req);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return blk_req_segs(q, req);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/**
 * blk_req_parse() - Find the header, the status byte and the data
 * @req:	Request just popped
 * @sector:	Set to the header's sector
 * @dir_ok:	Set to false if data lies on the wrong side for the type
 *
 * The header may be split across out buffers and the status byte share
 * an in buffer with data: both are located by byte counts, and the header
 * is copied out so the guest cannot change it under us.
 *
 * Return: false if the request has no header or no status byte (it
 * cannot be answered)
 */
static bool blk_req_parse(struct blk_req *req, uint64_t *sector,
			  bool *dir_ok)
{
	const struct vu_elem *e = &req->elem;
	uint64_t out_len = vu_iov_length(e->iov, e->out_num);
	uint64_t in_len = vu_iov_length(e->iov + e->out_num, e->in_num);
	struct blk_hdr hdr;

	if (out_len < sizeof(hdr) || !in_len)
		return false;
	vu_iov_to_buf(e->iov, e->out_num, 0, &hdr, sizeof(hdr));
	req->type = GUINT32_FROM_LE(hdr.type);
	*sector = GUINT64_FROM_LE(hdr.sector);
	req->status = vu_iov_last_byte(e->iov + e->out_num, e->in_num);
	req->used_len = MIN(in_len, (uint64_t)UINT32_MAX);
	*dir_ok = blk_req_data(req, out_len, in_len);
	return true;
}

/**
 * blk_req_release() - Return a request to the driver and to the pool
 * @q:		Queue
 * @req:	Request
 * @used_len:	Used length to report
 */
static void blk_req_release(struct blk_queue *q, struct blk_req *req,
			    uint32_t used_len)
{
	vu_queue_push(q->vq, &req->elem, used_len);
	free(req->bounce);
	req->bounce = NULL;
	req->next = q->pool->free;
	q->pool->free = req;
	q->completed++;
	blk_inflight_add(q, -1);
}

/**
 * blk_req_done() - Complete a request: status byte, used entry, back to
 * the pool
 * @q:		Queue
 * @req:	Request
 * @status:	VIRTIO_BLK_S_*
 */
static void blk_req_done(struct blk_queue *q, struct blk_req *req,
			 uint8_t status)
{
	*req->status = status;
	blk_req_release(q, req, req->used_len);
}

/**
 * blk_req_start() - Handle a request just popped
 * @q:		Queue
 * @req:	Request, counted in flight
 *
 * One without a header or a status byte cannot be answered: it goes back
 * with used length 0, logged once per queue.
 */
static void blk_req_start(struct blk_queue *q, struct blk_req *req)
{
	uint64_t sector;
	bool dir_ok;
	uint8_t st;

	req->bounce = NULL;
	if (!blk_req_parse(req, &sector, &dir_ok)) {
		if (!q->pool->warned)
			g_warning("queue %u: request without header or status "
				  "byte, returned unanswered", q->vq->index);
		q->pool->warned = true;
		blk_req_release(q, req, 0);
		return;
	}
	st = dir_ok ? blk_req_dispatch(q, req, sector) : VIRTIO_BLK_S_IOERR;
	if (st != BLK_PENDING)
		blk_req_done(q, req, st);
}

/**
 * blk_queue_process() - Pop and start requests while there are some and
 * free request slots to hold them
 * @q:		Queue
 */
static void blk_queue_process(struct blk_queue *q)
{
	struct blk_req_pool *p = q->pool;
	struct blk_req *req;

	for (;;) {
		req = p->free;
		if (!req) {
			p->starved = true;
			return;
		}
		req->elem.iov = req->iov;
		req->elem.iov_max = BLK_IOV_MAX;
		if (vu_queue_pop(q->vq, &req->elem) <= 0)
			return;
		p->free = req->next;
		blk_inflight_add(q, 1);
		blk_req_start(q, req);
	}
}

/**
 * blk_queue_end_batch() - Push queued submissions, publish completions and
 * notify the guest once
 * @q:		Queue
 */
static void blk_queue_end_batch(struct blk_queue *q)
{
	if (q->pool->engine_ok && q->blk->io->flush_submits)
		q->blk->io->flush_submits(q);
	if (q->completed) {
		q->completed = 0;
		vu_dev_complete(q->blk->dev, q->vq);
	}
}

/**
 * blk_queue_poll() - --poll-us: with nothing in flight, spin on the ring
 * for a while before asking the guest for kicks again
 * @q:		Queue (on its worker)
 *
 * While requests are in flight the guest's kicks stay suppressed: each
 * completion batch picks up what was posted meanwhile. Once idle, the
 * ring is polled for poll_us (the window restarts whenever work shows
 * up); then kicks are asked for again and the ring is checked once more,
 * so a request posted in between is not missed.
 */
static void blk_queue_poll(struct blk_queue *q)
{
	gint64 end;

	for (;;) {
		end = g_get_monotonic_time() + q->blk->poll_us;
		while (!q->inflight && g_get_monotonic_time() < end) {
			if (vu_queue_empty(q->vq) || !q->pool->free)
				continue;
			blk_queue_process(q);
			blk_queue_end_batch(q);
			end = g_get_monotonic_time() + q->blk->poll_us;
		}
		if (q->inflight || q->vq->broken || !q->vq->started)
			return;
		vu_queue_set_notification(q->vq, true);
		if (vu_queue_empty(q->vq))
			return;
		vu_queue_set_notification(q->vq, false);
		blk_queue_process(q);
		blk_queue_end_batch(q);
	}
}

/**
 * blk_queue_kicked() - queue_kicked: start every available request
 * @dev:	Device
 * @vq:		Queue (on its worker)
 */
void blk_queue_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	struct blk *blk = vu_dev_priv(dev);
	struct blk_queue *q;

	if (vq->index >= blk->num_queues)
		return;
	q = &blk->queues[vq->index];
	if (!q->pool || q->vq != vq)
		return;
	q->pool->starved = false;
	if (blk->poll_us)
		vu_queue_set_notification(vq, false);
	blk_queue_process(q);
	blk_queue_end_batch(q);
	if (blk->poll_us)
		blk_queue_poll(q);
}

/**
 * blk_req_follow() - Queue a follow-up I/O for the end of the batch
 * @q:		Queue
 * @req:	Request, @io set up again
 */
static void blk_req_follow(struct blk_queue *q, struct blk_req *req)
{
	struct blk_req_pool *p = q->pool;

	req->next = NULL;
	if (p->follow_tail)
		p->follow_tail->next = req;
	else
		p->follow = req;
	p->follow_tail = req;
}

/**
 * blk_req_io_failed() - An I/O failed: retry write zeroes by punching a
 * hole where the filesystem cannot zero a range, else fail the request
 * @q:		Queue
 * @req:	Request
 */
static void blk_req_io_failed(struct blk_queue *q, struct blk_req *req)
{
	struct blk_io *io = &req->io;

	if (io->op == BLK_OP_ZEROES && !io->unmap && q->blk->can_discard &&
	    (io->result == -EOPNOTSUPP || io->result == -ENOTTY)) {
		io->unmap = true;
		blk_req_follow(q, req);
		return;
	}
	g_debug("queue %u: I/O at %" G_GUINT64_FORMAT " failed: %s",
		q->vq->index, io->offset, g_strerror((int)-io->result));
	blk_req_done(q, req, VIRTIO_BLK_S_IOERR);
}

/**
 * blk_io_complete() - An engine finished an I/O (on the queue's worker)
 * @q:		Queue
 * @io:		The I/O, @result set
 */
void blk_io_complete(struct blk_queue *q, struct blk_io *io)
{
	struct blk_req *req = container_of(io, struct blk_req, io);
	bool rw = io->op == BLK_OP_READ || io->op == BLK_OP_WRITE;

	if (io->result < 0) {
		blk_req_io_failed(q, req);
	} else if (rw && (uint64_t)io->result != req->len) {
		blk_req_done(q, req, VIRTIO_BLK_S_IOERR);
	} else if (io->op == BLK_OP_WRITE && req->flush_after) {
		req->flush_after = false;
		io->op = BLK_OP_FLUSH;
		blk_req_follow(q, req);
	} else if ((io->op == BLK_OP_DISCARD || io->op == BLK_OP_ZEROES) &&
		   blk_req_seg_io(req)) {
		blk_req_follow(q, req);
	} else {
		if (io->op == BLK_OP_READ && req->bounce)
			vu_iov_from_buf(req->data, req->ndata, 0, req->bounce,
					req->len);
		blk_req_done(q, req, VIRTIO_BLK_S_OK);
	}
}

/**
 * blk_queue_completions_done() - End of an engine's completion batch:
 * submit follow-ups, resume popping if we ran out of requests, notify once
 * @q:		Queue (on its worker)
 */
void blk_queue_completions_done(struct blk_queue *q)
{
	struct blk_req_pool *p = q->pool;
	struct blk_req *req;
	uint8_t st;

	while (p->follow) {
		req = p->follow;
		p->follow = req->next;
		if (!p->follow)
			p->follow_tail = NULL;
		st = blk_req_submit(q, req);
		if (st != BLK_PENDING)
			blk_req_done(q, req, st);
	}
	/* With --poll-us kicks are off while busy: look for new requests */
	if ((p->starved || q->blk->poll_us) && p->free && q->vq->started &&
	    q->vq->enabled && !q->vq->broken) {
		p->starved = false;
		blk_queue_process(q);
	}
	blk_queue_end_batch(q);
	if (q->blk->poll_us && q->vq->started && q->vq->enabled)
		blk_queue_poll(q);
}

/**
 * blk_queue_drain() - Wait until no request of the queue is in flight
 * @q:		Queue (protocol thread; the worker keeps completing)
 */
void blk_queue_drain(struct blk_queue *q)
{
	g_mutex_lock(&q->drain_lock);
	while (q->inflight)
		g_cond_wait(&q->drained, &q->drain_lock);
	g_mutex_unlock(&q->drain_lock);
}

/**
 * blk_pool_new() - Allocate a queue's requests
 * @q:		Queue
 * @size:	Requests (the ring size)
 *
 * Return: the pool, every request free
 */
static struct blk_req_pool *blk_pool_new(struct blk_queue *q,
					 unsigned int size)
{
	struct blk_req_pool *p = g_new0(struct blk_req_pool, 1);
	unsigned int i;

	p->size = size;
	p->reqs = g_new0(struct blk_req, size);
	for (i = size; i > 0; i--) {
		p->reqs[i - 1].q = q;
		p->reqs[i - 1].next = p->free;
		p->free = &p->reqs[i - 1];
	}
	return p;
}

/**
 * blk_queue_start() - queue_started: requests and engine for a queue
 * @q:		Queue
 * @vq:		Its virtqueue (protocol thread, worker paused)
 *
 * A ring that starts again (a new kick fd) keeps what it has.
 */
void blk_queue_start(struct blk_queue *q, struct vu_queue *vq)
{
	unsigned int size = vq->size ? vq->size : BLK_QUEUE_SIZE;
	int r;

	q->vq = vq;
	if (q->pool)
		return;
	q->pool = blk_pool_new(q, MIN(size, BLK_QUEUE_SIZE));
	q->completed = 0;
	r = q->blk->io->init(q);
	q->pool->engine_ok = r == 0;
	if (r < 0)
		g_warning("queue %u: %s engine failed to start: %s; its "
			  "requests fail", vq->index, q->blk->io->name,
			  g_strerror(-r));
}

/**
 * blk_queue_stop() - queue_stopped: wait for the requests in flight, then
 * stop the engine and free the requests
 * @q:		Queue (protocol thread, its worker running)
 *
 * The engine is torn down with the worker's lock held, so that no
 * completion callback is half-way through it.
 */
void blk_queue_stop(struct blk_queue *q)
{
	struct blk_req_pool *p = q->pool;

	if (!p)
		return;
	blk_queue_drain(q);
	vu_dev_lock_queue(q->blk->dev, q->vq);
	if (p->engine_ok)
		q->blk->io->fini(q);
	q->engine = NULL;
	q->pool = NULL;
	vu_dev_unlock_queue(q->blk->dev, q->vq);
	g_free(p->reqs);
	g_free(p);
}
