// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-io-threads.c - the thread-pool I/O engine of vhost-user-blk: blocking
 * system calls (preadv, pwritev, fdatasync, fallocate, BLKDISCARD) run on a
 * few threads per queue, and their completions are handed back to the
 * queue's worker through an eventfd.
 *
 * Each queue has its own pool of at most THREADS_MAX threads, started on
 * demand when a submission finds no idle thread and kept until fini: queues
 * stay independent (no lock shared between workers) and an idle queue costs
 * no thread. The io_uring engine also runs one of these, for what io_uring
 * cannot do without blocking; for that it swaps q->engine around init,
 * submit and fini, so nothing here reads q->engine outside those three.
 *
 * Transfers are full length: short reads and writes are continued, EINTR
 * retried. A read reaching the end of a regular file (the device size is the
 * file size at start, but the file may have shrunk since) returns zeroes for
 * the missing part and succeeds, as a hole would.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "blk.h"
#include "vu-iov.h"

#define THREADS_MAX	4		/* threads per queue */
#define ZERO_BUF	(64 * 1024)	/* zeroes per write (fallback) */

/* Aligned for O_DIRECT; written when a backing cannot zero a range itself */
static const uint8_t zero_buf[ZERO_BUF] __attribute__((aligned(4096)));

/**
 * struct threads_engine - one queue's thread pool
 * @q:		Queue; its worker reaps completions
 * @fd:		Backing file or device (q->blk->fd)
 * @is_bdev:	@fd is a block device
 * @efd:	Eventfd written when @done becomes non-empty
 * @watch:	Watch of @efd on the queue's worker
 * @lock:	Protects everything below
 * @work:	Signalled when @head gets an I/O, or on @stop
 * @head:	Submitted I/Os not yet taken by a thread, oldest first
 * @tail:	Where the next submission is linked
 * @pending:	Number of I/Os on @head
 * @done:	Completed I/Os not yet reaped, newest first
 * @threads:	Threads started
 * @nthreads:	Number of @threads
 * @idle:	Threads waiting for work
 * @stop:	fini was called: threads exit
 */
struct threads_engine {
	struct blk_queue *q;
	int fd;
	bool is_bdev;
	int efd;
	void *watch;
	GMutex lock;
	GCond work;
	struct blk_io *head;
	struct blk_io **tail;
	unsigned int pending;
	struct blk_io *done;
	GThread *threads[THREADS_MAX];
	unsigned int nthreads;
	unsigned int idle;
	bool stop;
};

/**
 * iov_skip() - Drop the first bytes of an I/O vector the caller may change
 * @iov:	Vector, updated to its first entry with data left
 * @cnt:	Entries, updated
 * @n:		Bytes to drop, at most the vector's total
 */
static void iov_skip(struct iovec **iov, int *cnt, size_t n)
{
	while (*cnt && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*cnt)--;
	}
	if (*cnt) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}

/**
 * iov_zero() - Fill an I/O vector with zeroes
 * @iov:	Vector
 * @cnt:	Entries
 */
static void iov_zero(const struct iovec *iov, int cnt)
{
	int i;

	for (i = 0; i < cnt; i++)
		memset(iov[i].iov_base, 0, iov[i].iov_len);
}

/**
 * past_eof() - Whether a position is at or past the end of a regular file
 * @fd:		File
 * @pos:	Byte offset
 *
 * Return: true for a regular file no longer than @pos
 */
static bool past_eof(int fd, uint64_t pos)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_size <= pos;
}

/**
 * rw_once() - One preadv or pwritev, retried on EINTR
 * @fd:		File
 * @read:	Read (else write)
 * @iov:	Buffers
 * @cnt:	Entries
 * @pos:	Byte offset
 *
 * Return: bytes transferred, or -errno
 */
static ssize_t rw_once(int fd, bool read, const struct iovec *iov, int cnt,
		       uint64_t pos)
{
	ssize_t n;

	do {
		n = read ? preadv(fd, iov, cnt, (off_t)pos) :
			   pwritev(fd, iov, cnt, (off_t)pos);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/**
 * do_rw() - Read or write all of an I/O's buffers
 * @fd:		File or device
 * @io:		I/O (BLK_OP_READ or BLK_OP_WRITE); its vector stays as is
 *
 * A short transfer continues on a copy of the vector. A read that ends at
 * the end of a regular file, or gets 0 bytes, zero-fills the rest.
 *
 * Return: the vector's total bytes, or -errno (-EIO: a write made no
 * progress)
 */
static int64_t do_rw(int fd, const struct blk_io *io)
{
	bool read = io->op == BLK_OP_READ;
	uint64_t total = vu_iov_length(io->iov, (unsigned int)io->iovcnt);
	uint64_t done = 0;
	struct iovec *copy = NULL, *iov = io->iov;
	int cnt = io->iovcnt;
	int64_t ret = 0;
	ssize_t n;

	while (done < total) {
		n = rw_once(fd, read, iov, cnt, io->offset + done);
		if (n < 0 || (n == 0 && !read)) {
			ret = n < 0 ? n : -EIO;
			break;
		}
		done += n;
		if (done == total)
			break;
		if (!copy) {
			copy = g_new(struct iovec, cnt);
			memcpy(copy, io->iov, sizeof(*iov) * cnt);
			iov = copy;
			iov_skip(&iov, &cnt, done);
		} else {
			iov_skip(&iov, &cnt, n);
		}
		if (read && (n == 0 || past_eof(fd, io->offset + done))) {
			iov_zero(iov, cnt);
			done = total;
		}
	}
	g_free(copy);
	return ret < 0 ? ret : (int64_t)total;
}

/**
 * write_zeroes() - Write zeroes over a range, for backings that cannot
 * zero it otherwise
 * @fd:		File or device
 * @pos:	Byte offset
 * @len:	Bytes
 *
 * Return: 0, or -errno
 */
static int write_zeroes(int fd, uint64_t pos, uint64_t len)
{
	struct iovec iov = { .iov_base = (void *)zero_buf };
	ssize_t n;

	while (len) {
		iov.iov_len = MIN(len, (uint64_t)ZERO_BUF);
		n = rw_once(fd, false, &iov, 1, pos);
		if (n <= 0)
			return n < 0 ? (int)n : -EIO;
		pos += n;
		len -= n;
	}
	return 0;
}

/**
 * do_fallocate() - fallocate, retried on EINTR
 * @fd:		File or device
 * @mode:	FALLOC_FL_* flags
 * @pos:	Byte offset
 * @len:	Bytes
 *
 * Return: 0, or -errno
 */
static int do_fallocate(int fd, int mode, uint64_t pos, uint64_t len)
{
	int ret;

	do {
		ret = fallocate(fd, mode, (off_t)pos, (off_t)len);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/**
 * do_bdev_ioctl() - BLKDISCARD or BLKZEROOUT over a range
 * @fd:		Block device
 * @req:	Request
 * @pos:	Byte offset
 * @len:	Bytes
 *
 * Return: 0, or -errno
 */
static int do_bdev_ioctl(int fd, unsigned long req, uint64_t pos,
			 uint64_t len)
{
	uint64_t range[2] = { pos, len };
	int ret;

	do {
		ret = ioctl(fd, req, range);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/**
 * do_discard() - Deallocate a range
 * @e:		Engine
 * @io:		I/O
 *
 * Discard is a hint: a file system that cannot punch holes succeeds
 * without doing anything.
 *
 * Return: 0, or -errno
 */
static int do_discard(const struct threads_engine *e, const struct blk_io *io)
{
	int ret;

	if (e->is_bdev)
		return do_bdev_ioctl(e->fd, BLKDISCARD, io->offset, io->len);
	ret = do_fallocate(e->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			   io->offset, io->len);
	return ret == -EOPNOTSUPP ? 0 : ret;
}

/**
 * do_zeroes() - Zero a range, deallocating it only if allowed
 * @e:		Engine
 * @io:		I/O
 *
 * With unmap: a hole in a file, BLKZEROOUT (which may unmap) on a device.
 * Without: FALLOC_FL_ZERO_RANGE (allocated zeroes; on a device, zeroing
 * without unmap). Where that is not supported, zeroes are written.
 *
 * Return: 0, or -errno
 */
static int do_zeroes(const struct threads_engine *e, const struct blk_io *io)
{
	int ret;

	if (io->unmap && e->is_bdev)
		return do_bdev_ioctl(e->fd, BLKZEROOUT, io->offset, io->len);
	if (io->unmap)
		ret = do_fallocate(e->fd, FALLOC_FL_PUNCH_HOLE |
				   FALLOC_FL_KEEP_SIZE, io->offset, io->len);
	else
		ret = do_fallocate(e->fd, FALLOC_FL_ZERO_RANGE |
				   FALLOC_FL_KEEP_SIZE, io->offset, io->len);
	if (ret == -EOPNOTSUPP)
		ret = write_zeroes(e->fd, io->offset, io->len);
	return ret;
}

/**
 * do_io() - Perform an I/O with blocking system calls
 * @e:		Engine
 * @io:		I/O
 *
 * Return: the result for @io->result: bytes (read, write), 0, or -errno
 */
static int64_t do_io(const struct threads_engine *e, const struct blk_io *io)
{
	switch (io->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		return do_rw(e->fd, io);
	case BLK_OP_FLUSH:
		return fdatasync(e->fd) < 0 ? -errno : 0;
	case BLK_OP_DISCARD:
		return do_discard(e, io);
	case BLK_OP_ZEROES:
		return do_zeroes(e, io);
	}
	return -EOPNOTSUPP;
}

/**
 * threads_take() - Wait for the next submitted I/O
 * @e:		Engine, locked
 *
 * Return: the I/O, or NULL when the engine stops
 */
static struct blk_io *threads_take(struct threads_engine *e)
{
	struct blk_io *io;

	while (!e->head && !e->stop) {
		e->idle++;
		g_cond_wait(&e->work, &e->lock);
		e->idle--;
	}
	if (e->stop)
		return NULL;
	io = e->head;
	e->pending--;
	e->head = io->next;
	if (!e->head)
		e->tail = &e->head;
	return io;
}

/**
 * threads_main() - A pool thread: perform I/Os until the engine stops
 * @data:	Engine
 *
 * The eventfd is written only when the done list was empty: the reaper
 * reads the eventfd before it takes the list, so a later completion finds
 * the list empty again and wakes it.
 *
 * Return: NULL
 */
static gpointer threads_main(gpointer data)
{
	struct threads_engine *e = data;
	struct blk_io *io;
	bool wake;

	g_mutex_lock(&e->lock);
	while ((io = threads_take(e))) {
		g_mutex_unlock(&e->lock);
		io->result = do_io(e, io);
		g_mutex_lock(&e->lock);
		wake = !e->done;
		io->next = e->done;
		e->done = io;
		if (wake)
			eventfd_write(e->efd, 1);
	}
	g_mutex_unlock(&e->lock);
	return NULL;
}

/**
 * threads_reap() - The eventfd fired: complete what the pool finished
 * @dev:	Device
 * @vq:		Queue (its worker, locked)
 * @data:	Engine
 */
static void threads_reap(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct threads_engine *e = data;
	struct blk_io *list, *fifo = NULL, *io;
	eventfd_t v;

	eventfd_read(e->efd, &v);
	g_mutex_lock(&e->lock);
	list = e->done;
	e->done = NULL;
	g_mutex_unlock(&e->lock);
	if (!list)
		return;
	while (list) {		/* oldest first */
		io = list;
		list = io->next;
		io->next = fifo;
		fifo = io;
	}
	while ((io = fifo)) {
		fifo = io->next;
		io->next = NULL;
		blk_io_complete(e->q, io);
	}
	blk_queue_completions_done(e->q);
}

/**
 * threads_init() - Set up the engine for a queue (no thread yet)
 * @q:		Queue, stopped; q->blk->fd is open and q->vq set
 *
 * Return: 0, or -errno (-ENXIO: no event loop to watch completions with)
 */
static int threads_init(struct blk_queue *q)
{
	struct threads_engine *e;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (efd < 0)
		return -errno;
	e = g_new0(struct threads_engine, 1);
	e->q = q;
	e->fd = q->blk->fd;
	e->is_bdev = q->blk->is_bdev;
	e->efd = efd;
	e->tail = &e->head;
	g_mutex_init(&e->lock);
	g_cond_init(&e->work);
	e->watch = vu_dev_watch_fd(q->blk->dev, q->vq, efd, threads_reap, e);
	if (!e->watch) {	/* no loop or no ring: would never complete */
		g_cond_clear(&e->work);
		g_mutex_clear(&e->lock);
		g_free(e);
		close(efd);
		return -ENXIO;
	}
	q->engine = e;
	return 0;
}

/**
 * threads_fini() - Stop the threads and free the engine
 * @q:		Queue, stopped, nothing in flight; its worker must not be
 *		running the engine's callback (see blk-io-uring.c)
 *
 * The threads are joined before the eventfd is closed: a thread may still
 * be writing it for an I/O the worker already reaped.
 */
static void threads_fini(struct blk_queue *q)
{
	struct threads_engine *e = q->engine;
	unsigned int i;

	if (!e)
		return;
	vu_dev_unwatch_fd(q->blk->dev, e->watch);
	g_mutex_lock(&e->lock);
	e->stop = true;
	g_cond_broadcast(&e->work);
	g_mutex_unlock(&e->lock);
	for (i = 0; i < e->nthreads; i++)
		g_thread_join(e->threads[i]);
	close(e->efd);
	g_cond_clear(&e->work);
	g_mutex_clear(&e->lock);
	g_free(e);
	q->engine = NULL;
}

/**
 * threads_grow() - Start one more thread if the idle ones will not take
 * all queued I/Os
 * @e:		Engine, locked
 *
 * Return: 0, or -errno if no thread could be started and none runs
 */
static int threads_grow(struct threads_engine *e)
{
	GError *err = NULL;
	GThread *t;

	if (e->pending < e->idle || e->nthreads == THREADS_MAX)
		return 0;
	t = g_thread_try_new("blk-io", threads_main, e, &err);
	if (!t) {
		g_error_free(err);
		return e->nthreads ? 0 : -EAGAIN;
	}
	e->threads[e->nthreads++] = t;
	return 0;
}

/**
 * threads_submit() - Queue an I/O for the pool; never waits for it
 * @q:		Queue
 * @io:		I/O
 *
 * Return: 0, -EINVAL for an unknown operation or a bad vector, -EAGAIN if
 * no thread can run it
 */
static int threads_submit(struct blk_queue *q, struct blk_io *io)
{
	struct threads_engine *e = q->engine;
	int ret;

	if ((unsigned int)io->op > BLK_OP_ZEROES ||
	    ((io->op == BLK_OP_READ || io->op == BLK_OP_WRITE) &&
	     (io->iovcnt < 0 || (io->iovcnt && !io->iov))))
		return -EINVAL;
	g_mutex_lock(&e->lock);
	ret = threads_grow(e);
	if (!ret) {
		io->next = NULL;
		*e->tail = io;
		e->tail = &io->next;
		e->pending++;
		g_cond_signal(&e->work);
	}
	g_mutex_unlock(&e->lock);
	return ret;
}

const struct blk_io_ops blk_io_threads_ops = {
	.name = "threads",
	.init = threads_init,
	.fini = threads_fini,
	.submit = threads_submit,
};
