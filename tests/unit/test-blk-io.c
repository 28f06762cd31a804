// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-blk-io.c - unit tests of vhost-user-blk's I/O engines (io_uring and
 * threads), each run through the same cases on a real event loop: data
 * round trips, flush, discard, write zeroes, reads past the end of file,
 * errors, many I/Os at once, completion batching, O_DIRECT and (as root) a
 * loop block device.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "blk.h"
#include "vu-dev.h"
#include "vu-loop.h"

#define KIB		1024u
#define WAIT_US		(10 * G_USEC_PER_SEC)
#define MANY		200
#define LOTS		3000	/* more than a ring's SQ and CQ hold */

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/**
 * struct tio - an I/O under test
 * @io:		The I/O
 * @completions: Times blk_io_complete() was called for it
 * @iov:	Its buffers
 */
struct tio {
	struct blk_io io;
	unsigned int completions;
	struct iovec iov[4];
};

/**
 * struct fixture - an engine on one queue of a device with an event loop
 * @ops:	Engine under test
 * @dev:	Device
 * @loop:	Its event loop
 * @blk:	Block device state the engine reads (fd, is_bdev, dev)
 * @q:		The queue
 * @path:	Backing file, or NULL
 * @skip:	The engine cannot run here (io_uring disabled)
 * @done:	struct tio pushed by blk_io_complete()
 * @batches:	Batch sizes pushed by blk_queue_completions_done()
 * @in_batch:	Completions since the last blk_queue_completions_done()
 * @thread:	Thread of the last completion
 */
struct fixture {
	const struct blk_io_ops *ops;
	struct vu_dev *dev;
	struct vu_loop *loop;
	struct blk blk;
	struct blk_queue q;
	char *path;
	bool skip;
	GAsyncQueue *done;
	GAsyncQueue *batches;
	unsigned int in_batch;
	GThread *thread;
};

static const struct vu_device test_device = {
	.name = "blk-io-test",
	.virtio_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.max_queue_size = BLK_QUEUE_SIZE,
};

/**
 * blk_io_complete() - Test version: count and report the completion
 * @q:		Queue (in a struct fixture)
 * @io:		I/O (in a struct tio)
 */
void blk_io_complete(struct blk_queue *q, struct blk_io *io)
{
	struct fixture *f = container_of(q, struct fixture, q);
	struct tio *t = container_of(io, struct tio, io);

	t->completions++;
	f->in_batch++;
	f->thread = g_thread_self();
	g_async_queue_push(f->done, t);
}

/**
 * blk_queue_completions_done() - Test version: report the batch size
 * @q:		Queue (in a struct fixture)
 */
void blk_queue_completions_done(struct blk_queue *q)
{
	struct fixture *f = container_of(q, struct fixture, q);

	/* 0 is never pushed: an empty batch shows as a missing one */
	g_async_queue_push(f->batches, GUINT_TO_POINTER(f->in_batch + 1));
	f->in_batch = 0;
}

/**
 * engine_start() - Start the engine on the current backing, as the daemon
 * does when a queue starts (worker paused)
 * @f:		Fixture
 *
 * Return: what init returned
 */
static int engine_start(struct fixture *f)
{
	int ret;

	vu_dev_lock_queue(f->dev, f->q.vq);
	ret = f->ops->init(&f->q);
	vu_dev_unlock_queue(f->dev, f->q.vq);
	return ret;
}

/**
 * engine_stop() - Stop the engine, worker paused
 * @f:		Fixture
 */
static void engine_stop(struct fixture *f)
{
	vu_dev_lock_queue(f->dev, f->q.vq);
	f->ops->fini(&f->q);
	vu_dev_unlock_queue(f->dev, f->q.vq);
	g_assert_null(f->q.engine);
}

/**
 * fixture_set_up() - A temporary backing file and the engine on it
 * @f:		Fixture
 * @data:	Engine ops
 */
static void fixture_set_up(struct fixture *f, gconstpointer data)
{
	GError *err = NULL;
	int ret;

	f->ops = data;
	f->dev = vu_dev_new(&test_device, NULL);
	f->loop = vu_loop_new(f->dev);
	f->done = g_async_queue_new();
	f->batches = g_async_queue_new();
	f->blk.fd = g_file_open_tmp("test-blk-io-XXXXXX", &f->path, &err);
	g_assert_no_error(err);
	f->blk.dev = f->dev;
	f->q.blk = &f->blk;
	f->q.vq = vu_dev_queue(f->dev, 0);
	ret = engine_start(f);
	if (ret == -ENOSYS || ret == -EPERM) {
		f->skip = true;
		return;
	}
	g_assert_cmpint(ret, ==, 0);
	g_assert_nonnull(f->q.engine);
}

/**
 * fixture_tear_down() - Stop the engine, remove the file
 * @f:		Fixture
 * @data:	Engine ops
 */
static void fixture_tear_down(struct fixture *f, gconstpointer data)
{
	if (!f->skip)
		engine_stop(f);
	vu_loop_free(f->loop);
	vu_dev_free(f->dev);
	if (f->blk.fd >= 0)
		close(f->blk.fd);
	if (f->path)
		g_unlink(f->path);
	g_free(f->path);
	g_async_queue_unref(f->done);
	g_async_queue_unref(f->batches);
}

/**
 * skipped() - Skip a test whose engine cannot run here
 * @f:		Fixture
 *
 * Return: true if skipped
 */
static bool skipped(struct fixture *f)
{
	if (f->skip)
		g_test_skip("io_uring is not available (ENOSYS/EPERM)");
	return f->skip;
}

/**
 * use_fd() - Restart the engine on another backing fd
 * @f:		Fixture
 * @fd:		New fd (the fixture closes it)
 * @is_bdev:	It is a block device
 */
static void use_fd(struct fixture *f, int fd, bool is_bdev)
{
	engine_stop(f);
	if (f->blk.fd >= 0)
		close(f->blk.fd);
	f->blk.fd = fd;
	f->blk.is_bdev = is_bdev;
	g_assert_cmpint(engine_start(f), ==, 0);
}

/**
 * tio_rw() - Set up a read or write over up to four buffers
 * @t:		I/O
 * @op:		BLK_OP_READ or BLK_OP_WRITE
 * @offset:	Byte offset
 * @bufs:	Buffers, NULL-terminated
 * @lens:	Their lengths
 */
static void tio_rw(struct tio *t, enum blk_op op, uint64_t offset,
		   void *const *bufs, const size_t *lens)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->io.op = op;
	t->io.offset = offset;
	t->io.iov = t->iov;
	for (i = 0; i < 4 && bufs[i]; i++) {
		t->iov[i].iov_base = bufs[i];
		t->iov[i].iov_len = lens[i];
	}
	t->io.iovcnt = i;
}

/**
 * tio_range() - Set up a flush, discard or write zeroes
 * @t:		I/O
 * @op:		Operation
 * @offset:	Byte offset
 * @len:	Bytes
 * @unmap:	Zeroes may deallocate
 */
static void tio_range(struct tio *t, enum blk_op op, uint64_t offset,
		      uint64_t len, bool unmap)
{
	memset(t, 0, sizeof(*t));
	t->io.op = op;
	t->io.offset = offset;
	t->io.len = len;
	t->io.unmap = unmap;
}

/**
 * submit_all() - Submit I/Os as the queue's worker would, in one batch
 * @f:		Fixture
 * @t:		I/Os
 * @n:		Number of @t
 * @hold_us:	Keep the worker locked this long after submitting, so that
 *		every completion is there when it reaps
 */
static void submit_all(struct fixture *f, struct tio *t, unsigned int n,
		       gulong hold_us)
{
	unsigned int i;

	vu_dev_lock_queue(f->dev, f->q.vq);
	for (i = 0; i < n; i++)
		g_assert_cmpint(f->ops->submit(&f->q, &t[i].io), ==, 0);
	if (f->ops->flush_submits)
		f->ops->flush_submits(&f->q);
	g_usleep(hold_us);
	vu_dev_unlock_queue(f->dev, f->q.vq);
}

/**
 * wait_all() - Wait for @n completions, each I/O exactly once, and for the
 * batches closing them
 * @f:		Fixture
 * @t:		I/Os
 * @n:		Number of @t
 *
 * Return: number of batches (blk_queue_completions_done() calls)
 */
static unsigned int wait_all(struct fixture *f, struct tio *t, unsigned int n)
{
	unsigned int i, seen = 0, batches = 0, size;

	for (i = 0; i < n; i++)
		g_assert_nonnull(g_async_queue_timeout_pop(f->done, WAIT_US));
	for (i = 0; i < n; i++)
		g_assert_cmpuint(t[i].completions, ==, 1);
	while (seen < n) {
		size = GPOINTER_TO_UINT(g_async_queue_timeout_pop(f->batches,
								  WAIT_US));
		/* size 0: missing batch, 1: empty batch */
		g_assert_cmpuint(size, >, 1);
		seen += size - 1;
		batches++;
	}
	g_assert_cmpuint(seen, ==, n);
	g_assert_true(f->thread != g_thread_self());
	return batches;
}

/**
 * run() - Submit I/Os in one batch and wait for all of them
 * @f:		Fixture
 * @t:		I/Os
 * @n:		Number of @t
 */
static void run(struct fixture *f, struct tio *t, unsigned int n)
{
	submit_all(f, t, n, 0);
	wait_all(f, t, n);
}

/**
 * run_one() - Run one I/O
 * @f:		Fixture
 * @t:		I/O
 *
 * Return: its result
 */
static int64_t run_one(struct fixture *f, struct tio *t)
{
	run(f, t, 1);
	return t->io.result;
}

/**
 * fill() - Write a byte pattern into the backing file directly
 * @f:		Fixture
 * @offset:	Byte offset
 * @len:	Bytes
 * @c:		Byte
 */
static void fill(struct fixture *f, off_t offset, size_t len, int c)
{
	g_autofree uint8_t *buf = g_malloc(len);

	memset(buf, c, len);
	g_assert_cmpint(pwrite(f->blk.fd, buf, len, offset), ==, (ssize_t)len);
	g_assert_cmpint(fsync(f->blk.fd), ==, 0);
}

/**
 * all_bytes() - Whether a buffer holds only one byte value
 * @buf:	Buffer
 * @len:	Bytes
 * @c:		Value
 *
 * Return: true if every byte is @c
 */
static bool all_bytes(const uint8_t *buf, size_t len, uint8_t c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != c)
			return false;
	return true;
}

/**
 * read_back() - Read a range through the engine and check its bytes
 * @f:		Fixture
 * @offset:	Byte offset
 * @len:	Bytes
 * @c:		Expected value of every byte
 */
static void read_back(struct fixture *f, uint64_t offset, size_t len,
		      uint8_t c)
{
	g_autofree uint8_t *buf = g_malloc(len);
	void *bufs[] = { buf, NULL };
	size_t lens[] = { len };
	struct tio t;

	memset(buf, c ^ 0x5a, len);
	tio_rw(&t, BLK_OP_READ, offset, bufs, lens);
	g_assert_cmpint(run_one(f, &t), ==, (int64_t)len);
	g_assert_true(all_bytes(buf, len, c));
}

/**
 * blocks() - Allocated 512-byte blocks of the backing file
 * @f:		Fixture
 *
 * Return: st_blocks
 */
static blkcnt_t blocks(struct fixture *f)
{
	struct stat st;

	g_assert_cmpint(fstat(f->blk.fd, &st), ==, 0);
	return st.st_blocks;
}

/**
 * test_rw() - Data written over three buffers reads back over two
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_rw(struct fixture *f, gconstpointer data)
{
	uint8_t out[4096], in[4096] = { 0 }, file[4096];
	void *wbufs[] = { out, out + 512, out + 2048, NULL };
	void *rbufs[] = { in, in + 1000, NULL };
	size_t wlens[] = { 512, 1536, 2048 }, rlens[] = { 1000, 3096 };
	struct tio t;
	size_t i;

	if (skipped(f))
		return;
	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	tio_rw(&t, BLK_OP_WRITE, 8192, wbufs, wlens);
	g_assert_cmpint(run_one(f, &t), ==, 4096);
	g_assert_cmpint(pread(f->blk.fd, file, sizeof(file), 8192), ==, 4096);
	g_assert_cmpmem(file, sizeof(file), out, sizeof(out));

	tio_rw(&t, BLK_OP_READ, 8192, rbufs, rlens);
	g_assert_cmpint(run_one(f, &t), ==, 4096);
	g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
}

/**
 * test_flush() - A flush after a write succeeds
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_flush(struct fixture *f, gconstpointer data)
{
	uint8_t buf[512] = { 1 };
	void *bufs[] = { buf, NULL };
	size_t lens[] = { sizeof(buf) };
	struct tio t[2];

	if (skipped(f))
		return;
	tio_rw(&t[0], BLK_OP_WRITE, 0, bufs, lens);
	tio_range(&t[1], BLK_OP_FLUSH, 0, 0, false);
	run(f, &t[0], 1);
	g_assert_cmpint(t[0].io.result, ==, 512);
	g_assert_cmpint(run_one(f, &t[1]), ==, 0);
}

/**
 * test_discard() - A discarded range reads as zeroes and is deallocated;
 * the data around it stays
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_discard(struct fixture *f, gconstpointer data)
{
	blkcnt_t before;
	struct tio t;

	if (skipped(f))
		return;
	fill(f, 0, 1024 * KIB, 0xa5);
	before = blocks(f);
	tio_range(&t, BLK_OP_DISCARD, 256 * KIB, 512 * KIB, false);
	g_assert_cmpint(run_one(f, &t), ==, 0);
	g_assert_cmpint(blocks(f), <=, before - 512 * KIB / 512);
	read_back(f, 256 * KIB, 512 * KIB, 0);
	read_back(f, 0, 256 * KIB, 0xa5);
	read_back(f, 768 * KIB, 256 * KIB, 0xa5);
}

/**
 * test_zeroes() - Write zeroes without unmap keeps the allocation, with
 * unmap it may go; both read back zeroes
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_zeroes(struct fixture *f, gconstpointer data)
{
	blkcnt_t before;
	struct tio t;

	if (skipped(f))
		return;
	fill(f, 0, 1024 * KIB, 0x3c);
	before = blocks(f);
	tio_range(&t, BLK_OP_ZEROES, 64 * KIB, 128 * KIB, false);
	g_assert_cmpint(run_one(f, &t), ==, 0);
	g_assert_cmpint(blocks(f), >=, before);
	read_back(f, 64 * KIB, 128 * KIB, 0);
	read_back(f, 0, 64 * KIB, 0x3c);
	read_back(f, 192 * KIB, 64 * KIB, 0x3c);

	tio_range(&t, BLK_OP_ZEROES, 512 * KIB, 256 * KIB, true);
	g_assert_cmpint(run_one(f, &t), ==, 0);
	g_assert_cmpint(blocks(f), <=, before - 256 * KIB / 512);
	read_back(f, 512 * KIB, 256 * KIB, 0);
	read_back(f, 768 * KIB, 256 * KIB, 0x3c);
}

/**
 * test_eof() - Reads reaching past the end of the file (it shrank) are
 * full length, zeroes past the end
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_eof(struct fixture *f, gconstpointer data)
{
	g_autofree uint8_t *buf = g_malloc(16 * KIB);
	void *bufs[] = { buf, buf + 3000, NULL };
	size_t lens[] = { 3000, 16 * KIB - 3000 };
	struct tio t;

	if (skipped(f))
		return;
	fill(f, 0, 12 * KIB, 'x');
	memset(buf, 0xff, 16 * KIB);
	tio_rw(&t, BLK_OP_READ, 8 * KIB, bufs, lens);
	g_assert_cmpint(run_one(f, &t), ==, 16 * KIB);
	g_assert_true(all_bytes(buf, 4 * KIB, 'x'));
	g_assert_true(all_bytes(buf + 4 * KIB, 12 * KIB, 0));

	read_back(f, 1024 * KIB, 4 * KIB, 0);	/* wholly past the end */
}

/**
 * test_errors() - Failed system calls give negative results; bad I/Os are
 * refused at submit
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_errors(struct fixture *f, gconstpointer data)
{
	uint8_t buf[512];
	void *bufs[] = { buf, NULL };
	size_t lens[] = { sizeof(buf) };
	struct tio t;

	if (skipped(f))
		return;
	use_fd(f, open(f->path, O_WRONLY | O_CLOEXEC), false);
	tio_rw(&t, BLK_OP_READ, 0, bufs, lens);
	g_assert_cmpint(run_one(f, &t), ==, -EBADF);

	use_fd(f, open(f->path, O_RDONLY | O_CLOEXEC), false);
	tio_rw(&t, BLK_OP_WRITE, 0, bufs, lens);
	g_assert_cmpint(run_one(f, &t), ==, -EBADF);
	tio_range(&t, BLK_OP_DISCARD, 0, 4096, false);
	g_assert_cmpint(run_one(f, &t), <, 0);
	tio_rw(&t, BLK_OP_READ, UINT64_MAX - 100, bufs, lens);
	g_assert_cmpint(run_one(f, &t), ==, -EINVAL);

	use_fd(f, -1, false);
	tio_range(&t, BLK_OP_FLUSH, 0, 0, false);
	g_assert_cmpint(run_one(f, &t), ==, -EBADF);

	vu_dev_lock_queue(f->dev, f->q.vq);
	t.io.op = (enum blk_op)99;
	g_assert_cmpint(f->ops->submit(&f->q, &t.io), ==, -EINVAL);
	tio_rw(&t, BLK_OP_READ, 0, bufs, lens);
	t.io.iovcnt = -1;
	g_assert_cmpint(f->ops->submit(&f->q, &t.io), ==, -EINVAL);
	vu_dev_unlock_queue(f->dev, f->q.vq);
	g_assert_null(g_async_queue_timeout_pop(f->done, 50000));
}

/**
 * many_rw() - Run @n 4 KiB reads or writes of distinct blocks in one batch
 * @f:		Fixture
 * @op:		BLK_OP_READ or BLK_OP_WRITE
 * @buf:	@n * 4 KiB
 * @n:		I/Os
 * @hold_us:	See submit_all()
 *
 * Return: number of completion batches
 */
static unsigned int many_rw(struct fixture *f, enum blk_op op, uint8_t *buf,
			    unsigned int n, gulong hold_us)
{
	g_autofree struct tio *t = g_new(struct tio, n);
	unsigned int i, batches;

	for (i = 0; i < n; i++) {
		void *bufs[] = { buf + i * 4 * KIB, NULL };
		size_t lens[] = { 4 * KIB };

		tio_rw(&t[i], op, (uint64_t)i * 4 * KIB, bufs, lens);
	}
	submit_all(f, t, n, hold_us);
	batches = wait_all(f, t, n);
	for (i = 0; i < n; i++)
		g_assert_cmpint(t[i].io.result, ==, 4 * KIB);
	return batches;
}

/**
 * test_many() - 200 writes then 200 reads in one batch each: every one
 * completes once, no completion comes late, the data is right
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_many(struct fixture *f, gconstpointer data)
{
	g_autofree uint8_t *out = g_malloc(MANY * 4 * KIB);
	g_autofree uint8_t *in = g_malloc0(MANY * 4 * KIB);
	unsigned int i;

	if (skipped(f))
		return;
	for (i = 0; i < MANY * 4 * KIB; i++)
		out[i] = (uint8_t)(i / (4 * KIB) + i);
	many_rw(f, BLK_OP_WRITE, out, MANY, 0);
	many_rw(f, BLK_OP_READ, in, MANY, 0);
	g_assert_cmpmem(in, MANY * 4 * KIB, out, MANY * 4 * KIB);
	g_assert_null(g_async_queue_timeout_pop(f->done, 100000));
	g_assert_null(g_async_queue_timeout_pop(f->batches, 1000));
}

/**
 * test_batch() - I/Os that all finished before the worker reaps complete
 * in one batch: one blk_queue_completions_done(), not one per I/O
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_batch(struct fixture *f, gconstpointer data)
{
	g_autofree uint8_t *buf = g_malloc0(MANY * 4 * KIB);

	if (skipped(f))
		return;
	fill(f, 0, MANY * 4 * KIB, 0x11);
	g_assert_cmpuint(many_rw(f, BLK_OP_READ, buf, MANY, 500000), ==, 1);
	g_assert_true(all_bytes(buf, MANY * 4 * KIB, 0x11));
}

/**
 * test_lots() - More I/Os in one batch than a ring's SQ and CQ hold
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_lots(struct fixture *f, gconstpointer data)
{
	g_autofree uint8_t *buf = g_malloc0(LOTS * 4 * KIB);

	if (skipped(f))
		return;
	fill(f, 0, LOTS * 4 * KIB, 0x77);
	many_rw(f, BLK_OP_READ, buf, LOTS, 300000);
	g_assert_true(all_bytes(buf, LOTS * 4 * KIB, 0x77));
}

/**
 * test_direct() - O_DIRECT on a file in /var/tmp: aligned round trip, and
 * a read past the end (no unaligned continuation)
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_direct(struct fixture *f, gconstpointer data)
{
	g_autofree char *path = g_strdup("/var/tmp/test-blk-io-XXXXXX");
	uint8_t *out = NULL, *in = NULL;
	void *wbufs[3], *rbufs[3];
	size_t lens[] = { 4 * KIB, 8 * KIB };
	struct tio t;
	int fd;

	if (skipped(f))
		return;
	fd = g_mkstemp_full(path, O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_test_skip("no O_DIRECT file in /var/tmp");
		return;
	}
	g_unlink(path);
	use_fd(f, fd, false);
	g_assert_cmpint(posix_memalign((void **)&out, 4096, 12 * KIB), ==, 0);
	g_assert_cmpint(posix_memalign((void **)&in, 4096, 12 * KIB), ==, 0);
	memset(out, 0xd1, 12 * KIB);
	memset(in, 0xee, 12 * KIB);
	wbufs[0] = out;
	wbufs[1] = out + 4 * KIB;
	wbufs[2] = NULL;
	rbufs[0] = in;
	rbufs[1] = in + 4 * KIB;
	rbufs[2] = NULL;

	tio_rw(&t, BLK_OP_WRITE, 4 * KIB, wbufs, lens);
	g_assert_cmpint(run_one(f, &t), ==, 12 * KIB);
	tio_rw(&t, BLK_OP_READ, 8 * KIB, rbufs, lens);	/* 8K past EOF */
	g_assert_cmpint(run_one(f, &t), ==, 12 * KIB);
	g_assert_true(all_bytes(in, 8 * KIB, 0xd1));
	g_assert_true(all_bytes(in + 8 * KIB, 4 * KIB, 0));
	free(out);
	free(in);
}

/**
 * loop_attach() - Attach a file to a free loop device, detached when the
 * returned fd is closed
 * @file:	Backing file fd
 *
 * Return: the loop device fd, or -1
 */
static int loop_attach(int file)
{
	struct loop_config cfg = { .fd = (uint32_t)file };
	char name[32];
	int ctl, n, fd = -1, tries;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -1;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	for (tries = 0; tries < 5 && fd < 0; tries++) {
		n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			break;
		g_snprintf(name, sizeof(name), "/dev/loop%d", n);
		fd = open(name, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && ioctl(fd, LOOP_CONFIGURE, &cfg) < 0) {
			close(fd);
			fd = -1;	/* taken meanwhile: try another */
		}
	}
	close(ctl);
	return fd;
}

/**
 * test_bdev() - Discard and zeroes on a block device (a loop device on a
 * file; root only): the ranges read back as zeroes
 * @f:		Fixture
 * @data:	Engine ops
 */
static void test_bdev(struct fixture *f, gconstpointer data)
{
	struct tio t;
	int fd;

	if (skipped(f))
		return;
	fill(f, 0, 1024 * KIB, 0x42);
	fd = loop_attach(f->blk.fd);
	if (fd < 0) {
		g_test_skip("no loop device (needs root)");
		return;
	}
	use_fd(f, fd, true);
	read_back(f, 0, 1024 * KIB, 0x42);
	tio_range(&t, BLK_OP_DISCARD, 0, 64 * KIB, false);
	g_assert_cmpint(run_one(f, &t), ==, 0);
	tio_range(&t, BLK_OP_ZEROES, 256 * KIB, 64 * KIB, false);
	g_assert_cmpint(run_one(f, &t), ==, 0);
	tio_range(&t, BLK_OP_ZEROES, 512 * KIB, 64 * KIB, true);
	g_assert_cmpint(run_one(f, &t), ==, 0);
	read_back(f, 256 * KIB, 64 * KIB, 0);
	read_back(f, 512 * KIB, 64 * KIB, 0);
	read_back(f, 64 * KIB, 192 * KIB, 0x42);
	read_back(f, 576 * KIB, 448 * KIB, 0x42);
}

/**
 * add() - Register a case for one engine
 * @ops:	Engine
 * @name:	Case name
 * @fn:		Test
 */
static void add(const struct blk_io_ops *ops, const char *name,
		void (*fn)(struct fixture *, gconstpointer))
{
	g_autofree char *path = g_strdup_printf("/blk-io/%s/%s", ops->name,
						name);

	g_test_add(path, struct fixture, ops, fixture_set_up, fn,
		   fixture_tear_down);
}

/**
 * main() - Register every case for both engines
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: the GTest result
 */
int main(int argc, char **argv)
{
	static const struct blk_io_ops *const engines[] = {
		&blk_io_uring_ops, &blk_io_threads_ops,
	};
	unsigned int i;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(engines); i++) {
		add(engines[i], "rw", test_rw);
		add(engines[i], "flush", test_flush);
		add(engines[i], "discard", test_discard);
		add(engines[i], "zeroes", test_zeroes);
		add(engines[i], "eof", test_eof);
		add(engines[i], "errors", test_errors);
		add(engines[i], "many", test_many);
		add(engines[i], "batch", test_batch);
		add(engines[i], "lots", test_lots);
		add(engines[i], "direct", test_direct);
		add(engines[i], "bdev", test_bdev);
	}
	return g_test_run();
}
