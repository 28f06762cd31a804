// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-backend.c - the vhost-user-blk device: its struct vu_device (queues,
 * features, callbacks), creation from the options, engine choice, and
 * teardown.
 */
#include <liburing.h>
#include <string.h>

#include "blk-int.h"

/**
 * blk_attach_dev() - Remember the device instance serving @blk
 * @blk:	Device
 * @dev:	The core's instance (one per process; the same every call)
 *
 * vu_backend_main() creates the instance after setup returns, so it is
 * first seen in a callback; resize needs it for vu_dev_config_changed().
 * Callbacks and resize both run on the main thread.
 */
void blk_attach_dev(struct blk *blk, struct vu_dev *dev)
{
	blk->dev = dev;
}

/**
 * blk_features_set() - features_set: note the device instance
 * @dev:	Device
 * @features:	Negotiated features
 */
static void blk_features_set(struct vu_dev *dev, uint64_t features)
{
	blk_attach_dev(vu_dev_priv(dev), dev);
}

/**
 * blk_queue_started() - queue_started: requests and engine for the queue
 * @dev:	Device
 * @vq:		Queue (protocol thread, its worker paused)
 */
static void blk_queue_started(struct vu_dev *dev, struct vu_queue *vq)
{
	struct blk *blk = vu_dev_priv(dev);

	blk_attach_dev(blk, dev);
	if (vq->index < blk->num_queues)
		blk_queue_start(&blk->queues[vq->index], vq);
}

/**
 * blk_queue_stopped() - queue_stopped: finish what is in flight, stop the
 * engine
 * @dev:	Device
 * @vq:		Queue (protocol thread, its worker running)
 */
static void blk_queue_stopped(struct vu_dev *dev, struct vu_queue *vq)
{
	struct blk *blk = vu_dev_priv(dev);

	if (vq->index < blk->num_queues)
		blk_queue_stop(&blk->queues[vq->index]);
}

/**
 * blk_queue_drain_cb() - queue_drain: guest memory is about to change;
 * finish what is in flight (the core pops nothing new meanwhile)
 * @dev:	Device
 * @vq:		Queue (protocol thread, its worker running)
 */
static void blk_queue_drain_cb(struct vu_dev *dev, struct vu_queue *vq)
{
	struct blk *blk = vu_dev_priv(dev);

	if (vq->index < blk->num_queues)
		blk_queue_drain(&blk->queues[vq->index]);
}

/**
 * blk_reset() - reset: every queue is stopped; the write cache mode goes
 * back to its initial value
 * @dev:	Device
 */
static void blk_reset(struct vu_dev *dev)
{
	blk_config_reset(vu_dev_priv(dev));
}

/**
 * blk_io_uring_works() - Whether io_uring can be set up here
 *
 * Kernels without it, seccomp filters and io_uring_disabled refuse it.
 *
 * Return: 0, or the negative errno of io_uring_queue_init()
 */
static int blk_io_uring_works(void)
{
	struct io_uring ring;
	int r = io_uring_queue_init(4, &ring, 0);

	if (r == 0)
		io_uring_queue_exit(&ring);
	return r;
}

/**
 * blk_select_engine() - The engine asked for, or threads if io_uring
 * cannot run here
 * @io:		--io
 *
 * Return: the engine to use
 */
static const struct blk_io_ops *blk_select_engine(const struct blk_io_ops *io)
{
	int r;

	if (io != &blk_io_uring_ops)
		return io;
	r = blk_io_uring_works();
	if (r == 0)
		return io;
	g_message("io_uring unavailable (%s): using the threads engine",
		  g_strerror(-r));
	return &blk_io_threads_ops;
}

/**
 * blk_default_queues() - One queue per online CPU, at most BLK_MAX_QUEUES
 *
 * Return: queue count
 */
static unsigned int blk_default_queues(void)
{
	unsigned int n = g_get_num_processors();

	return CLAMP(n, 1u, (unsigned int)BLK_MAX_QUEUES);
}

/**
 * blk_init_device() - Fill the struct vu_device the core serves
 * @blk:	Device, backing opened
 */
static void blk_init_device(struct blk *blk)
{
	struct vu_device *d = &blk->device;

	d->name = "blk";
	d->virtio_id = VIRTIO_ID_BLOCK;
	d->num_queues = blk->num_queues;
	d->max_queue_size = BLK_QUEUE_SIZE;
	d->features = blk_config_features(blk);
	d->protocol_features = (1ull << VU_PF_CONFIG) |
			       (1ull << VU_PF_INFLIGHT_SHMFD) |
			       (1ull << VU_PF_BACKEND_REQ) |
			       (1ull << VU_PF_BACKEND_SEND_FD);
	d->config_size = sizeof(struct virtio_blk_config);
	d->queue_worker = NULL;
	d->get_config = blk_get_config;
	d->set_config = blk_set_config;
	d->features_set = blk_features_set;
	d->queue_started = blk_queue_started;
	d->queue_stopped = blk_queue_stopped;
	d->queue_drain = blk_queue_drain_cb;
	d->queue_kicked = blk_queue_kicked;
	d->reset = blk_reset;
}

/**
 * blk_init_queues() - Allocate the per-queue state
 * @blk:	Device, @num_queues set
 */
static void blk_init_queues(struct blk *blk)
{
	unsigned int i;

	blk->queues = g_new0(struct blk_queue, blk->num_queues);
	for (i = 0; i < blk->num_queues; i++) {
		blk->queues[i].blk = blk;
		g_mutex_init(&blk->queues[i].drain_lock);
		g_cond_init(&blk->queues[i].drained);
	}
}

/**
 * blk_new() - Create the block device from validated options
 * @opts:	Options
 * @err:	Error
 *
 * Return: the device, or NULL with @err set (nothing left open)
 */
struct blk *blk_new(const struct blk_opts *opts, GError **err)
{
	struct blk *blk = g_new0(struct blk, 1);

	g_mutex_init(&blk->lock);
	blk->fd = -1;
	blk->path = g_strdup(opts->path);
	blk->read_only = opts->read_only;
	blk->blk_size = opts->blk_size;
	if (opts->serial)
		memcpy(blk->serial, opts->serial,
		       MIN(strlen(opts->serial), sizeof(blk->serial)));
	if (!blk_backing_open(blk, opts->cache, err)) {
		blk_free(blk);
		return NULL;
	}
	/* Writeback with flushes, as QEMU's cache modes but writethrough */
	blk->writeback_default = true;
	blk->writeback = true;
	blk->num_queues = opts->num_queues ? opts->num_queues :
			  blk_default_queues();
	blk->io = blk_select_engine(opts->io);
	blk_init_queues(blk);
	blk_init_device(blk);
	blk->watch = opts->watch;
	blk->poll_us = opts->poll_us;
	blk_resize_start(blk);
	g_debug("%u queues, %s engine, write cache %s", blk->num_queues,
		blk->io->name, blk->writeback ? "on" : "off");
	return blk;
}

/**
 * blk_free() - Release the device; every queue is stopped by now
 * @blk:	Device, may be NULL
 */
void blk_free(struct blk *blk)
{
	unsigned int i;

	if (!blk)
		return;
	blk_resize_stop(blk);
	for (i = 0; blk->queues && i < blk->num_queues; i++) {
		g_mutex_clear(&blk->queues[i].drain_lock);
		g_cond_clear(&blk->queues[i].drained);
	}
	g_free(blk->queues);
	blk_backing_close(blk);
	g_mutex_clear(&blk->lock);
	g_free(blk->path);
	g_free(blk);
}
