/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blk.h - vhost-user-blk: the block device's state, its requests, and the
 * interface between request handling (blk-req.c) and the I/O engines
 * (blk-io-uring.c, blk-io-threads.c).
 */
#ifndef BLK_H
#define BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <glib.h>

#include "vu-device.h"

/* virtio-blk (virtio 1.2, 5.2) */
#define VIRTIO_ID_BLOCK			2
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_TOPOLOGY		10
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#define VIRTIO_BLK_WZ_UNMAP		1	/* write-zeroes segment flag */
#define VIRTIO_BLK_ID_BYTES		20
#define BLK_SECTOR			512u

#define BLK_MAX_QUEUES			64
#define BLK_QUEUE_SIZE			1024	/* largest ring we accept */
#define BLK_SEG_MAX			126	/* data segments per request */
#define BLK_IOV_MAX			(BLK_SEG_MAX + 8) /* + header, status */
#define BLK_MAX_DISCARD_SEGS		32

/**
 * struct virtio_blk_config - the config space, little-endian, as the spec
 * lays it out (60 bytes up to write_zeroes_may_unmap)
 */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	struct {
		uint16_t cylinders;
		uint8_t heads;
		uint8_t sectors;
	} geometry;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
} __attribute__((packed));

/**
 * enum blk_op - what an I/O engine is asked to do
 * @BLK_OP_READ:	preadv into @iov
 * @BLK_OP_WRITE:	pwritev from @iov
 * @BLK_OP_FLUSH:	fdatasync
 * @BLK_OP_DISCARD:	punch a hole (file) / BLKDISCARD (device)
 * @BLK_OP_ZEROES:	zero a range, deallocating if @unmap (file: fallocate
 *			ZERO_RANGE or PUNCH_HOLE; device: BLKZEROOUT)
 */
enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,
	BLK_OP_DISCARD,
	BLK_OP_ZEROES,
};

struct blk_queue;
struct blk_req_pool;

/**
 * struct blk_io - one I/O an engine performs for a request
 * @op:		Operation
 * @offset:	Byte offset in the backing file
 * @len:	Bytes (discard/zeroes; read/write use @iov)
 * @iov:	Data buffers in guest memory (read/write)
 * @iovcnt:	Number of @iov
 * @unmap:	Zeroes: may deallocate
 * @result:	Set by the engine before blk_io_complete(): bytes
 *		transferred (read/write) or 0, or -errno
 * @next:	For the engine's own lists (threads engine)
 */
struct blk_io {
	enum blk_op op;
	uint64_t offset;
	uint64_t len;
	struct iovec *iov;
	int iovcnt;
	bool unmap;
	int64_t result;
	struct blk_io *next;
};

/**
 * struct blk_io_ops - an I/O engine, one instance per queue
 * @name:	"io_uring" or "threads"
 * @init:	Set up the engine for @q (q->engine); return 0 or -errno
 * @fini:	Tear it down; nothing is in flight
 * @submit:	Start @io; completion is reported later through
 *		blk_io_complete() on the queue's worker thread (the engine
 *		watches its own completion fd with vu_dev_watch_fd()).
 *		Return 0, or -errno if it could not even be started (the
 *		request then fails at once)
 * @flush_submits: Push queued submissions to the kernel (io_uring batches
 *		submissions until the end of a kick); may be NULL
 */
struct blk_io_ops {
	const char *name;
	int (*init)(struct blk_queue *q);
	void (*fini)(struct blk_queue *q);
	int (*submit)(struct blk_queue *q, struct blk_io *io);
	void (*flush_submits)(struct blk_queue *q);
};

extern const struct blk_io_ops blk_io_uring_ops;
extern const struct blk_io_ops blk_io_threads_ops;

/**
 * struct blk - the block device
 * @path:		--blk-file
 * @fd:			Backing file or device
 * @is_bdev:		Backing is a block device
 * @read_only:		--read-only
 * @direct:		Opened with O_DIRECT (--cache=none and it worked)
 * @writeback:		Write cache enabled (WCE): flushes needed; with
 *			writethrough every write is followed by fdatasync
 * @size:		Bytes (a multiple of 512 is exposed)
 * @blk_size:		--logical-block-size (512, 1024, 2048, 4096)
 * @serial:		--serial, GET_ID bytes (NUL padded, not terminated)
 * @num_queues:		Queues
 * @can_discard:	Backing supports discard
 * @can_zeroes:		Backing supports write zeroes
 * @io:			Engine ops
 * @dev:		The vhost-user device instance (set after setup)
 * @queues:		Per-queue state, @num_queues entries
 * @lock:		Protects @size and @writeback against the protocol
 *			thread (resize, SET_CONFIG) while workers read them
 *			(workers read them with __atomic loads, no lock)
 * @device:		The vhost-user device description served (daemon
 *			only; the engines do not use the fields below)
 * @writeback_default:	@writeback at start and after a device reset
 * @poll_us:		--poll-us: busy-poll an idle ring this long before
 *			asking the guest for kicks again (0: off)
 * @watch:		--watch: poll the backing size every second
 * @sighup_src:		SIGHUP source (resize check), 0 if none
 * @watch_src:		--watch timer source, 0 if none
 */
struct blk {
	char *path;
	int fd;
	bool is_bdev;
	bool read_only;
	bool direct;
	bool writeback;
	uint64_t size;
	uint32_t blk_size;
	uint8_t serial[VIRTIO_BLK_ID_BYTES];
	unsigned int num_queues;
	bool can_discard;
	bool can_zeroes;
	const struct blk_io_ops *io;
	struct vu_dev *dev;
	struct blk_queue *queues;
	GMutex lock;
	struct vu_device device;
	bool writeback_default;
	unsigned int poll_us;
	bool watch;
	guint sighup_src;
	guint watch_src;
};

/**
 * struct blk_queue - one virtqueue's requests and engine
 * @blk:	Device
 * @vq:		The virtqueue (set when the ring starts)
 * @engine:	The engine's private state
 * @inflight:	Requests submitted and not completed
 * @drain_lock:	With @drained, lets queue_stopped wait for @inflight == 0
 * @drained:	Signalled when @inflight drops to 0
 * @completed:	Requests completed since the last vu_dev_complete()
 * @pool:	The queue's preallocated requests (blk-req.c's own)
 */
struct blk_queue {
	struct blk *blk;
	struct vu_queue *vq;
	void *engine;
	unsigned int inflight;
	GMutex drain_lock;
	GCond drained;
	unsigned int completed;
	struct blk_req_pool *pool;
};

/*
 * blk-req.c: requests. Engines call blk_io_complete() for each finished
 * I/O, on the queue's worker thread, then blk_queue_completions_done()
 * once per batch (one guest notification per batch).
 * blk_io_complete() never calls back into the engine; follow-up I/Os (the
 * flush after a write-through write, the next discard segment) are
 * submitted from blk_queue_completions_done(), which may therefore call
 * @submit and @flush_submits: call it with no engine lock held.
 */
void blk_queue_kicked(struct vu_dev *dev, struct vu_queue *vq);
void blk_io_complete(struct blk_queue *q, struct blk_io *io);
void blk_queue_completions_done(struct blk_queue *q);
void blk_queue_drain(struct blk_queue *q);

#endif /* BLK_H */
