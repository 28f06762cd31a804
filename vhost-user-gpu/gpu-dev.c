// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-dev.c - the vhost-user-gpu device: its struct vu_device, the config
 * space, GPU_SET_SOCKET, and what happens to resources, heads and the
 * display when queues stop, memory changes or the device resets.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/timerfd.h>

#include "gpu-int.h"

/**
 * gpu_of() - The instance behind a core device
 * @dev:	Device
 *
 * Return: the struct gpu; also remembered for later use
 */
static struct gpu *gpu_of(struct vu_dev *dev)
{
	struct gpu *g = vu_dev_priv(dev);

	g->dev = dev;
	return g;
}

/**
 * gpu_warn_once() - Log a warning the first time it happens (per reset)
 * @g:		Instance
 * @what:	GPU_LOG_* bit
 * @fmt:	printf format
 * @...:	Arguments
 */
void gpu_warn_once(struct gpu *g, uint32_t what, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (g->logged & what)
		return;
	g->logged |= what;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_warning("%s", msg);
	g_free(msg);
}

/**
 * gpu_config_image() - The whole config space
 * @g:		Instance
 * @img:	16 bytes (little-endian u32 fields)
 */
static void gpu_config_image(struct gpu *g, uint8_t *img)
{
	uint32_t v[4] = {
		GUINT32_TO_LE((uint32_t)g_atomic_int_get(&g->events_read)),
		0,
		GUINT32_TO_LE(g->opts.outputs),
		GUINT32_TO_LE(gpu_virgl_num_capsets(g)),
	};

	memcpy(img, v, sizeof(v));
}

/**
 * gpu_get_config() - get_config
 * @dev:	Device
 * @buf:	Destination
 * @offset:	Offset (checked by the core)
 * @len:	Bytes
 *
 * Return: 0, or -EINVAL outside the 16 bytes
 */
static int gpu_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t offset,
			  uint32_t len)
{
	struct gpu *g = gpu_of(dev);
	uint8_t img[GPU_CFG_SIZE];

	if (offset > sizeof(img) || len > sizeof(img) - offset)
		return -EINVAL;
	gpu_config_image(g, img);
	memcpy(buf, img + offset, len);
	return 0;
}

/**
 * gpu_set_config() - set_config: only events_clear is writable
 * @dev:	Device
 * @buf:	Bytes written
 * @offset:	Offset
 * @len:	Bytes
 * @flags:	Ignored
 *
 * Writing events_clear clears those bits of events_read.
 *
 * Return: 0, or -EINVAL outside the 16 bytes
 */
static int gpu_set_config(struct vu_dev *dev, const uint8_t *buf,
			  uint32_t offset, uint32_t len, uint32_t flags)
{
	struct gpu *g = gpu_of(dev);
	uint8_t img[GPU_CFG_SIZE] = { 0 };
	uint32_t clear;

	if (offset > sizeof(img) || len > sizeof(img) - offset)
		return -EINVAL;
	if (offset + len <= 4 || offset >= 8)
		return 0;
	memcpy(img + offset, buf, len);
	memcpy(&clear, img + 4, sizeof(clear));
	clear = GUINT32_FROM_LE(clear);
	g_atomic_int_and((guint *)&g->events_read, ~clear);
	return 0;
}

/**
 * gpu_queue_worker() - queue_worker: both queues on one worker (they
 * share resources, the display and the renderer)
 * @dev:	Device
 * @q:		Queue
 *
 * Return: 0
 */
static unsigned int gpu_queue_worker(struct vu_dev *dev, unsigned int q)
{
	return 0;
}

/**
 * gpu_queue_kicked() - queue_kicked
 * @dev:	Device
 * @vq:		Queue (worker, lock held)
 */
static void gpu_queue_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	struct gpu *g = gpu_of(dev);

	if (vq->index == GPU_QUEUE_CTRL)
		gpu_ctrl_run(g, vq);
	else if (vq->index == GPU_QUEUE_CURSOR)
		gpu_cursor_run(g, vq);
}

/**
 * gpu_queue_started() - queue_started: a new driver starts over
 * @dev:	Device
 * @vq:		Queue (protocol thread, worker paused)
 *
 * A control queue that starts at index 0 after it served requests belongs
 * to a new driver (the guest rebooted or reloaded it; pausing the VM
 * keeps the index): its resources are gone, as after a virtio reset.
 */
static void gpu_queue_started(struct vu_dev *dev, struct vu_queue *vq)
{
	struct gpu *g = gpu_of(dev);

	if (vq->index != GPU_QUEUE_CTRL || !g->ctrl_used ||
	    vq->last_avail_idx != 0)
		return;
	g_message("control queue restarted from 0: a new driver, "
		  "resources reset");
	gpu_reset_state(g);
}

/**
 * gpu_queue_stopped() - queue_stopped: answer what the control queue
 * holds back
 * @dev:	Device
 * @vq:		Queue (protocol thread, workers running)
 */
static void gpu_queue_stopped(struct vu_dev *dev, struct vu_queue *vq)
{
	struct gpu *g = gpu_of(dev);

	if (vq->index != GPU_QUEUE_CTRL)
		return;
	gpu_virgl_fence_wait(g, 2000);
	vu_dev_lock_queue(dev, vq);
	gpu_ctrl_flush_parked(g);
	vu_dev_unlock_queue(dev, vq);
}

/**
 * gpu_mem_changed() - mem_changed: backings are translated again
 * @dev:	Device (workers paused)
 */
static void gpu_mem_changed(struct vu_dev *dev)
{
	gpu_res_mem_changed(gpu_of(dev));
}

/**
 * gpu_reset_state() - Forget resources and heads (the display stays)
 * @g:		Instance (worker paused or on it)
 */
void gpu_reset_state(struct gpu *g)
{
	unsigned int i;

	gpu_virgl_reset(g);
	gpu_disp_unborrow(g);
	gpu_res_clear(g);
	for (i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		g->scanout[i].res_id = 0;
		memset(&g->scanout[i].r, 0, sizeof(g->scanout[i].r));
	}
	g->ctrl_used = false;
	g->logged = 0;
}

/**
 * gpu_reset() - reset: RESET_DEVICE or the front-end left
 * @dev:	Device (workers paused; queues stopped)
 */
static void gpu_reset(struct vu_dev *dev)
{
	struct gpu *g = gpu_of(dev);

	gpu_disp_close(g);
	gpu_reset_state(g);
	g_atomic_int_set(&g->events_read, 0);
	g->info_seen_valid = false;
}

/**
 * gpu_message() - message: GPU_SET_SOCKET
 * @dev:	Device (workers paused)
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL for requests we do not handle
 */
static enum vu_result gpu_message(struct vu_dev *dev, struct vu_msg *m)
{
	struct gpu *g = gpu_of(dev);

	if (m->hdr.request != VU_GPU_SET_SOCKET || m->nfds != 1)
		return VU_FAIL;
	gpu_disp_set_socket(g, vu_msg_take_fd(m, 0));
	return VU_OK;
}

/**
 * gpu_fill_device() - The struct vu_device of an instance
 * @g:		Instance
 */
static void gpu_fill_device(struct gpu *g)
{
	struct vu_device *d = &g->device;

	d->name = "vhost-user-gpu";
	d->virtio_id = VIRTIO_ID_GPU;
	d->num_queues = GPU_NUM_QUEUES;
	d->max_queue_size = 1024;
	d->features = 1ull << VIRTIO_GPU_F_EDID;
	if (g->opts.virgl)
		d->features |= 1ull << VIRTIO_GPU_F_VIRGL;
	d->protocol_features = 1ull << VU_PF_CONFIG;
	d->config_size = GPU_CFG_SIZE;
	d->queue_worker = gpu_queue_worker;
	d->get_config = gpu_get_config;
	d->set_config = gpu_set_config;
	d->queue_started = gpu_queue_started;
	d->queue_stopped = gpu_queue_stopped;
	d->queue_drain = gpu_queue_stopped;
	d->queue_kicked = gpu_queue_kicked;
	d->mem_changed = gpu_mem_changed;
	d->reset = gpu_reset;
	d->message = gpu_message;
}

/**
 * gpu_new() - Build the device
 * @o:		Options (checked by main.c)
 * @err:	Error
 *
 * Return: the instance, or NULL with @err set (--virgl without a renderer)
 */
struct gpu *gpu_new(const struct gpu_opts *o, GError **err)
{
	struct gpu *g = g_new0(struct gpu, 1);
	unsigned int i;

	g->opts = *o;
	g->disp.fd = -1;
	g->disp.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
					  TFD_CLOEXEC);
	g->res = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_queue_init(&g->disp.out);
	g_queue_init(&g->disp.expect);
	g_queue_init(&g->fenced);
	for (i = 0; i < o->outputs; i++) {
		g->scanout[i].width = o->width[i];
		g->scanout[i].height = o->height[i];
		g->scanout[i].enabled = true;
	}
	if (o->virgl && !gpu_virgl_start(g, err)) {
		gpu_free(g);
		return NULL;
	}
	gpu_fill_device(g);
	return g;
}

/**
 * gpu_free() - Release the device
 * @g:		Instance, may be NULL
 */
void gpu_free(struct gpu *g)
{
	if (!g)
		return;
	gpu_virgl_stop(g);
	gpu_disp_free(g);
	gpu_res_clear(g);
	g_hash_table_destroy(g->res);
	g_free(g);
}
