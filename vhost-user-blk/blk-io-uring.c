// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-io-uring.c - the io_uring I/O engine of vhost-user-blk: one ring per
 * queue, submissions batched until the end of a kick, completions reaped on
 * the queue's worker when the ring's eventfd fires.
 *
 * Contract with the daemon (blk-req.c / blk.c):
 * - init runs when the queue starts (queue_started: protocol thread, worker
 *   paused), once q->vq is set: the completion eventfd is watched on that
 *   queue's worker then.
 * - submit and flush_submits run on the queue's worker (queue_kicked, or a
 *   completion callback calling back into blk-req).
 * - fini runs with nothing in flight AND while the worker cannot be running
 *   the engine's callback (worker paused or locked): the last completion
 *   wakes a drain while the callback has not returned yet, so tearing down
 *   right after a drain on an unlocked worker would free state in use.
 *
 * What io_uring cannot do without blocking a kernel thread of ours is done
 * by a private instance of the threads engine (blk-io-threads.c):
 * - discard and write zeroes on a block device (the BLKDISCARD and
 *   BLKZEROOUT ioctls are synchronous and may take seconds);
 * - zeroes on a file system without FALLOC_FL_ZERO_RANGE (written zeroes);
 * - short reads and writes, and -EAGAIN/-EINTR: the whole I/O is done again
 *   there, with full-length loops. Redoing is safe (same data, same place)
 *   and rare: at the end of a file that shrank (the rest reads as zeroes,
 *   see blk-io-threads.c), or on a signal.
 * Its threads start only when first needed.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <liburing.h>

#include "blk.h"
#include "vu-iov.h"

/**
 * struct uring_engine - one queue's ring
 * @ring:	The ring; SQ of BLK_QUEUE_SIZE entries (a request needs one
 *		SQE at a time), CQ twice that, overflow kept by the kernel
 * @have_ring:	@ring was set up
 * @q:		Queue
 * @fd:		Backing file or device (q->blk->fd)
 * @is_bdev:	@fd is a block device
 * @efd:	Eventfd registered with the ring, -1 if none
 * @watch:	Watch of @efd on the queue's worker
 * @queued:	SQEs prepared and not yet submitted
 * @helper:	The threads engine's state for what the ring cannot do
 */
struct uring_engine {
	struct io_uring ring;
	bool have_ring;
	struct blk_queue *q;
	int fd;
	bool is_bdev;
	int efd;
	void *watch;
	unsigned int queued;
	void *helper;
};

/**
 * helper_submit() - Hand an I/O to the private threads engine
 * @u:		Engine
 * @io:		I/O
 *
 * The threads engine finds its state in q->engine, so that points at it
 * for the call (the worker is the only user of q->engine while the queue
 * runs). Its completions come through its own eventfd watch.
 *
 * Return: 0, or -errno
 */
static int helper_submit(struct uring_engine *u, struct blk_io *io)
{
	struct blk_queue *q = u->q;
	void *self = q->engine;
	int ret;

	q->engine = u->helper;
	ret = blk_io_threads_ops.submit(q, io);
	q->engine = self;
	return ret;
}

/**
 * uring_flush() - Submit the prepared SQEs
 * @u:		Engine
 *
 * On failure (-EBUSY: completions are waiting to be reaped; -EAGAIN: no
 * kernel memory) the SQEs stay in the ring and go with the next flush, at
 * the next kick or completion.
 */
static void uring_flush(struct uring_engine *u)
{
	int ret;

	if (!u->queued)
		return;
	ret = io_uring_submit(&u->ring);
	if (ret > 0)
		u->queued -= MIN((unsigned int)ret, u->queued);
}

/**
 * uring_result() - Turn a CQE's result into the I/O's, or redo the I/O
 * @u:		Engine
 * @io:		I/O
 * @res:	cqe->res
 *
 * Return: true if @io->result is set and @io completes now, false if the
 * threads engine does it again
 */
static bool uring_result(struct uring_engine *u, struct blk_io *io, int res)
{
	bool redo = false;
	int ret;

	switch (io->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		redo = res == -EAGAIN || res == -EINTR ||
		       (res >= 0 && (uint64_t)res !=
			vu_iov_length(io->iov, (unsigned int)io->iovcnt));
		break;
	case BLK_OP_DISCARD:		/* a hint: nothing to punch with */
		if (res == -EOPNOTSUPP)
			res = 0;
		break;
	case BLK_OP_ZEROES:		/* no ZERO_RANGE: write zeroes */
		redo = res == -EOPNOTSUPP;
		break;
	case BLK_OP_FLUSH:
		break;
	}
	if (redo) {
		ret = helper_submit(u, io);
		if (!ret)
			return false;
		res = ret;
	}
	io->result = res;
	return true;
}

/**
 * uring_ready() - The ring's eventfd fired: complete what finished
 * @dev:	Device
 * @vq:		Queue (its worker, locked)
 * @data:	Engine
 *
 * The eventfd is read before the CQ, so a CQE posted after the last peek
 * fires it again. Completions may submit more I/O: flushed at the end.
 */
static void uring_ready(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct uring_engine *u = data;
	struct io_uring_cqe *cqe;
	unsigned int n = 0;
	struct blk_io *io;
	eventfd_t v;
	int res;

	eventfd_read(u->efd, &v);
	while (!io_uring_peek_cqe(&u->ring, &cqe)) {
		io = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&u->ring, cqe);
		if (!uring_result(u, io, res))
			continue;
		blk_io_complete(u->q, io);
		n++;
	}
	if (n)
		blk_queue_completions_done(u->q);
	uring_flush(u);
}

/**
 * uring_sqe() - Get a free SQE, submitting the queued ones if the SQ is full
 * @u:		Engine
 *
 * Return: the SQE, or NULL if the ring takes no more now
 */
static struct io_uring_sqe *uring_sqe(struct uring_engine *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe) {
		uring_flush(u);
		sqe = io_uring_get_sqe(&u->ring);
	}
	return sqe;
}

/**
 * uring_prep() - Fill an SQE for an I/O
 * @u:		Engine
 * @sqe:	SQE
 * @io:		I/O, checked by uring_submit()
 */
static void uring_prep(struct uring_engine *u, struct io_uring_sqe *sqe,
		       struct blk_io *io)
{
	int mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	switch (io->op) {
	case BLK_OP_READ:
		io_uring_prep_readv(sqe, u->fd, io->iov, io->iovcnt,
				    io->offset);
		break;
	case BLK_OP_WRITE:
		io_uring_prep_writev(sqe, u->fd, io->iov, io->iovcnt,
				     io->offset);
		break;
	case BLK_OP_FLUSH:
		io_uring_prep_fsync(sqe, u->fd, IORING_FSYNC_DATASYNC);
		break;
	case BLK_OP_DISCARD:
	case BLK_OP_ZEROES:
		if (io->op == BLK_OP_ZEROES && !io->unmap)
			mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		io_uring_prep_fallocate(sqe, u->fd, mode, (off_t)io->offset,
					(off_t)io->len);
		break;
	}
	io_uring_sqe_set_data(sqe, io);
}

/**
 * uring_submit() - Queue an I/O; it goes to the kernel at flush_submits
 * @q:		Queue
 * @io:		I/O
 *
 * Return: 0, -EINVAL for an unknown operation or a bad vector, -EBUSY if
 * the ring is full
 */
static int uring_submit(struct blk_queue *q, struct blk_io *io)
{
	struct uring_engine *u = q->engine;
	struct io_uring_sqe *sqe;

	if ((unsigned int)io->op > BLK_OP_ZEROES ||
	    ((io->op == BLK_OP_READ || io->op == BLK_OP_WRITE) &&
	     (io->iovcnt < 0 || (io->iovcnt && !io->iov))))
		return -EINVAL;
	if (u->is_bdev &&
	    (io->op == BLK_OP_DISCARD || io->op == BLK_OP_ZEROES))
		return helper_submit(u, io);
	sqe = uring_sqe(u);
	if (!sqe)
		return -EBUSY;
	uring_prep(u, sqe, io);
	u->queued++;
	return 0;
}

/**
 * uring_flush_submits() - End of a kick: submit the batch
 * @q:		Queue
 */
static void uring_flush_submits(struct blk_queue *q)
{
	uring_flush(q->engine);
}

/**
 * uring_free() - Release what uring_setup() set up, as far as it got
 * @u:		Engine (freed)
 */
static void uring_free(struct uring_engine *u)
{
	struct blk_queue *q = u->q;

	vu_dev_unwatch_fd(q->blk->dev, u->watch);
	if (u->helper) {
		q->engine = u->helper;
		blk_io_threads_ops.fini(q);
	}
	if (u->have_ring)
		io_uring_queue_exit(&u->ring);
	if (u->efd >= 0)
		close(u->efd);
	g_free(u);
	q->engine = NULL;
}

/**
 * uring_setup() - Create the ring, its eventfd, the watch and the helper
 * @u:		Engine, with @q, @fd and @is_bdev set
 *
 * Return: 0, or -errno (-ENOSYS/-EPERM: io_uring is not available)
 */
static int uring_setup(struct uring_engine *u)
{
	struct io_uring_params p = { 0 };
	struct blk_queue *q = u->q;
	int ret;

	ret = io_uring_queue_init_params(BLK_QUEUE_SIZE, &u->ring, &p);
	if (ret < 0)
		return ret;
	u->have_ring = true;
	if (!(p.features & IORING_FEAT_NODROP))	/* < 5.5 loses CQEs */
		return -ENOSYS;
	u->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->efd < 0)
		return -errno;
	ret = io_uring_register_eventfd(&u->ring, u->efd);
	if (ret < 0)
		return ret;
	u->watch = vu_dev_watch_fd(q->blk->dev, q->vq, u->efd, uring_ready,
				   u);
	if (!u->watch)		/* no event loop or no ring */
		return -ENXIO;
	q->engine = NULL;
	ret = blk_io_threads_ops.init(q);
	u->helper = q->engine;
	return ret;
}

/**
 * uring_init() - Set up the engine for a queue
 * @q:		Queue, being started (q->vq set), its worker paused
 *
 * Return: 0, or -errno; -ENOSYS or -EPERM when io_uring is missing or
 * forbidden (the caller may fall back to the threads engine)
 */
static int uring_init(struct blk_queue *q)
{
	struct uring_engine *u = g_new0(struct uring_engine, 1);
	int ret;

	u->q = q;
	u->fd = q->blk->fd;
	u->is_bdev = q->blk->is_bdev;
	u->efd = -1;
	ret = uring_setup(u);
	if (ret < 0) {
		uring_free(u);
		return ret;
	}
	q->engine = u;
	return 0;
}

/**
 * uring_fini() - Tear the engine down
 * @q:		Queue: nothing in flight, worker paused or locked (see
 *		the top of this file)
 */
static void uring_fini(struct blk_queue *q)
{
	if (q->engine)
		uring_free(q->engine);
}

const struct blk_io_ops blk_io_uring_ops = {
	.name = "io_uring",
	.init = uring_init,
	.fini = uring_fini,
	.submit = uring_submit,
	.flush_submits = uring_flush_submits,
};
