// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-virgl.c - 3D through virglrenderer: capsets, contexts, 3D resources,
 * transfers, SUBMIT_3D, fences, and scanouts of 3D resources (a dmabuf
 * when one can be exported, else pixels read back).
 *
 * virglrenderer keeps a GL context current on the thread that created it,
 * so it is started on the worker, at the first command that needs it, and
 * every call into it happens there. A reset seen on the protocol thread is
 * only noted, and carried out on the worker before the next call.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <virgl/virglrenderer.h>

#include "gpu-virgl-lib.h"

#include "gpu-int.h"
#include "gpu-virgl.h"

#define GPU_FENCE_POLL_NS	1000000		/* 1 ms while fences wait */

/**
 * struct virgl_box_wire - virglrenderer's struct virgl_box (not exported)
 * @x:	Left
 * @y:	Top
 * @z:	Front
 * @w:	Width
 * @h:	Height
 * @d:	Depth
 */
struct virgl_box_wire {
	uint32_t x, y, z, w, h, d;
};

/**
 * gpu_virgl_write_fence() - virglrenderer callback: fences up to @fence
 * retired
 * @cookie:	Instance
 * @fence:	Our sequence number of the fence
 */
static void gpu_virgl_write_fence(void *cookie, uint32_t fence)
{
	struct gpu *g = cookie;

	g->virgl->retired = fence;
	g->virgl->retired_valid = true;
}

/**
 * gpu_virgl_log() - virglrenderer's messages, as our debug messages
 * @fmt:	printf format
 * @ap:		Arguments
 */
static G_GNUC_PRINTF(1, 0) void gpu_virgl_log(const char *fmt, va_list ap)
{
	char *msg = g_strdup_vprintf(fmt, ap);

	g_debug("virglrenderer: %s", g_strchomp(msg));
	g_free(msg);
}

/* The render node gpu_virgl_init_here() starts on (the probe's child has
 * no instance to find it in) */
static const char *gpu_virgl_node;

/**
 * gpu_virgl_get_drm_fd() - virglrenderer callback: the render node
 * @cookie:	Unused
 *
 * Return: an fd of the render node, or -1 for none (surfaceless)
 */
static int gpu_virgl_get_drm_fd(void *cookie)
{
	if (!gpu_virgl_node)
		return -1;
	return open(gpu_virgl_node, O_RDWR | O_CLOEXEC);
}

static struct virgl_renderer_callbacks gpu_virgl_cbs = {
	.version = 2,
	.write_fence = gpu_virgl_write_fence,
	.get_drm_fd = gpu_virgl_get_drm_fd,
};

/**
 * gpu_virgl_flags() - virgl_renderer_init flags for a render node or none
 * @node:	Render node, or NULL
 *
 * Return: the flags
 */
int gpu_virgl_flags(const char *node)
{
	return VIRGL_RENDERER_USE_EGL |
	       (node ? 0 : VIRGL_RENDERER_USE_SURFACELESS);
}

/**
 * gpu_virgl_init_here() - virgl_renderer_init on the calling thread
 * @cookie:	Cookie for the callbacks (must not be NULL)
 * @node:	Render node, or NULL
 *
 * Return: 0, or virglrenderer's error
 */
int gpu_virgl_init_here(void *cookie, const char *node)
{
	gpu_virgl_node = node;
	virgl_set_debug_callback(gpu_virgl_log);
	return virgl_renderer_init(cookie, gpu_virgl_flags(node),
				   &gpu_virgl_cbs);
}

/**
 * gpu_virgl_fence_tick() - Timer: poll virglrenderer, answer what retired
 * @dev:	Device
 * @vq:		Control queue (worker)
 * @data:	Instance
 */
static void gpu_virgl_fence_tick(struct vu_dev *dev, struct vu_queue *vq,
				 void *data)
{
	struct gpu *g = data;
	uint64_t n;

	if (read(g->virgl->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		g_debug("fence timer: %s", g_strerror(errno));
	gpu_virgl_retire(g);
}

/**
 * gpu_virgl_timer_arm() - Poll for fences every millisecond, or stop
 * @v:		virgl state
 * @on:		Whether fences wait
 */
static void gpu_virgl_timer_arm(struct gpu_virgl *v, bool on)
{
	struct itimerspec its = { 0 };

	if (on == v->timer_on)
		return;
	if (on) {
		its.it_value.tv_nsec = GPU_FENCE_POLL_NS;
		its.it_interval.tv_nsec = GPU_FENCE_POLL_NS;
	}
	timerfd_settime(v->timer_fd, 0, &its, NULL);
	v->timer_on = on;
}

/**
 * gpu_virgl_retire() - Poll virglrenderer and answer the fenced requests
 * that retired, in order
 * @g:		Instance (worker)
 */
void gpu_virgl_retire(struct gpu *g)
{
	struct gpu_virgl *v = g->virgl;
	struct vu_queue *vq = vu_dev_queue(g->dev, GPU_QUEUE_CTRL);
	struct gpu_req *r;
	bool done = false;

	if (!v->ready)
		return;
	virgl_renderer_poll();
	while (v->retired_valid && (r = g_queue_peek_head(&g->fenced)) &&
	       (int32_t)(r->fence_seq - v->retired) <= 0) {
		g_queue_pop_head(&g->fenced);
		gpu_req_respond_type(g, vq, r, r->resp_type);
		g_free(r);
		done = true;
	}
	if (done)
		vu_dev_complete(g->dev, vq);
	gpu_virgl_timer_arm(v, !g_queue_is_empty(&g->fenced));
	g_mutex_lock(&v->lock);
	v->nfenced = g_queue_get_length(&g->fenced);
	g_cond_broadcast(&v->cond);
	g_mutex_unlock(&v->lock);
}

/**
 * gpu_virgl_ready() - Make virglrenderer usable on this thread: start it
 * the first time, carry out a pending reset
 * @g:		Instance (worker)
 *
 * Return: true if it runs
 */
bool gpu_virgl_ready(struct gpu *g)
{
	struct gpu_virgl *v = g->virgl;
	int r;

	if (!v || v->failed)
		return false;
	if (!v->timer_watch)
		v->timer_watch = vu_dev_watch_fd(g->dev,
			vu_dev_queue(g->dev, GPU_QUEUE_CTRL), v->timer_fd,
			gpu_virgl_fence_tick, g);
	if (v->ready) {
		if (v->reset_pending)
			virgl_renderer_reset();
		v->reset_pending = false;
		return true;
	}
	r = gpu_virgl_init_here(g, v->node);
	if (r) {
		gpu_warn_once(g, GPU_LOG_VIRGL, "virglrenderer failed to start "
			      "(%d): 3D commands fail", r);
		v->failed = true;
		return false;
	}
	v->ready = true;
	v->reset_pending = false;
	g_message("virglrenderer started (%s)", v->node ? v->node :
		  "surfaceless: Mesa's choice, llvmpipe without a GPU");
	return true;
}

/**
 * gpu_virgl_fence() - Answer a fenced request once the renderer is done
 * with everything submitted before it
 * @g:		Instance
 * @r:		Request (&g->req), with its response type decided
 * @resp:	That response type
 *
 * Return: true if the request is parked on a fence
 */
bool gpu_virgl_fence(struct gpu *g, struct gpu_req *r, uint32_t resp)
{
	struct gpu_virgl *v = g->virgl;
	struct gpu_req *p;

	if (!(r->hdr.flags & VIRTIO_GPU_FLAG_FENCE) || !gpu_virgl_ready(g))
		return false;
	r->fence_seq = ++v->fence_seq;
	r->resp_type = resp;
	if (virgl_renderer_create_fence((int)r->fence_seq, r->hdr.ctx_id))
		return false;
	p = gpu_req_park(g, r, GPU_WAIT_FENCE);
	g_mutex_lock(&v->lock);
	v->nfenced = g_queue_get_length(&g->fenced);
	g_mutex_unlock(&v->lock);
	(void)p;
	gpu_virgl_retire(g);
	return true;
}

/**
 * gpu_virgl_fence_wait() - Wait (protocol thread) until no fenced request
 * is left, or @timeout_ms passed
 * @g:		Instance
 * @timeout_ms:	Longest wait
 */
void gpu_virgl_fence_wait(struct gpu *g, int timeout_ms)
{
	struct gpu_virgl *v = g->virgl;
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	if (!v)
		return;
	g_mutex_lock(&v->lock);
	while (v->nfenced && g_cond_wait_until(&v->cond, &v->lock, end))
		;
	g_mutex_unlock(&v->lock);
}

/**
 * gpu_virgl_num_capsets() - num_capsets of the config space
 * @g:		Instance
 *
 * Return: 2 (VIRGL and VIRGL2) with --virgl, else 0
 */
unsigned int gpu_virgl_num_capsets(const struct gpu *g)
{
	return g->virgl ? 2 : 0;
}

/**
 * gpu_virgl_start() - --virgl: check a renderer can start here (in a child
 * process: the real start happens on the worker), and set up
 * @g:		Instance
 * @err:	Error
 *
 * Return: true if it can
 */
bool gpu_virgl_start(struct gpu *g, GError **err)
{
	struct gpu_virgl *v;
	char *node;

	if (!gpu_virgl_lib_load(err))
		return false;
	node = gpu_virgl_pick_node(g->opts.render_node, err);
	if (g->opts.render_node && !node)
		return false;
	g_clear_error(err);
	if (!gpu_virgl_try(node, err)) {
		g_free(node);
		return false;
	}
	v = g_new0(struct gpu_virgl, 1);
	v->node = node;
	v->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
				     TFD_CLOEXEC);
	g_mutex_init(&v->lock);
	g_cond_init(&v->cond);
	v->ctxs = g_hash_table_new(g_direct_hash, g_direct_equal);
	g->virgl = v;
	if (v->timer_fd < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "timerfd: %s", g_strerror(errno));
		return false;
	}
	return true;
}

/**
 * gpu_virgl_stop() - Release the virgl state (at exit)
 * @g:		Instance
 */
void gpu_virgl_stop(struct gpu *g)
{
	struct gpu_virgl *v = g->virgl;

	if (!v)
		return;
	if (v->timer_fd >= 0)
		close(v->timer_fd);
	g_mutex_clear(&v->lock);
	g_cond_clear(&v->cond);
	g_hash_table_destroy(v->ctxs);
	g_free(v->node);
	g_free(v);
	g->virgl = NULL;
}

/**
 * gpu_virgl_reset() - Forget contexts and 3D resources (device reset)
 * @g:		Instance (any thread, worker paused or on it)
 *
 * Carried out on the worker before the next renderer call; the fence
 * timer's watch is dropped until then.
 */
void gpu_virgl_reset(struct gpu *g)
{
	struct gpu_virgl *v = g->virgl;
	struct gpu_req *r;
	unsigned int i;

	if (!v)
		return;
	v->reset_pending = true;
	/* The watch goes with the session: the event loop may go next */
	vu_dev_unwatch_fd(g->dev, v->timer_watch);
	v->timer_watch = NULL;
	gpu_virgl_timer_arm(v, false);
	g_hash_table_remove_all(v->ctxs);
	while ((r = g_queue_pop_head(&g->fenced)))
		g_free(r);
	for (i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++)
		v->dmabuf[i] = false;
	g_mutex_lock(&v->lock);
	v->nfenced = 0;
	g_cond_broadcast(&v->cond);
	g_mutex_unlock(&v->lock);
}

/**
 * gpu_virgl_unref() - A 3D resource goes away
 * @g:		Instance (worker)
 * @res:	Resource
 */
void gpu_virgl_unref(struct gpu *g, struct gpu_res *res)
{
	if (!gpu_virgl_ready(g))
		return;
	if (res->back.ents)
		virgl_renderer_resource_detach_iov((int)res->id, NULL, NULL);
	virgl_renderer_resource_unref(res->id);
}

/**
 * gpu_virgl_attach() - A 3D resource got its backing
 * @g:		Instance (worker)
 * @res:	Resource
 */
void gpu_virgl_attach(struct gpu *g, struct gpu_res *res)
{
	if (gpu_virgl_ready(g))
		virgl_renderer_resource_attach_iov((int)res->id, res->back.iov,
						   (int)res->back.niov);
}

/**
 * gpu_virgl_detach() - A 3D resource loses its backing
 * @g:		Instance (worker)
 * @res:	Resource
 */
void gpu_virgl_detach(struct gpu *g, struct gpu_res *res)
{
	if (gpu_virgl_ready(g))
		virgl_renderer_resource_detach_iov((int)res->id, NULL, NULL);
}

/**
 * gpu_virgl_backing() - A 3D resource's backing, translated again after
 * a memory change (and handed to the renderer again)
 * @g:		Instance
 * @res:	Resource
 *
 * Return: true if it has a usable backing
 */
bool gpu_virgl_backing(struct gpu *g, struct gpu_res *res)
{
	if (!res->back.ents)
		return false;
	if (res->back.valid)
		return true;
	virgl_renderer_resource_detach_iov((int)res->id, NULL, NULL);
	if (!gpu_backing_map(g, &res->back))
		return false;
	gpu_virgl_attach(g, res);
	return true;
}

/**
 * gpu_virgl_read() - Read a rectangle of a 3D resource as x8r8g8b8 (or
 * a8r8g8b8 for cursors: the bytes are the resource's)
 * @g:		Instance (worker)
 * @res:	3D resource
 * @r:		Rectangle inside it
 * @dst:	r->width * r->height pixels
 *
 * Return: true on success
 */
bool gpu_virgl_read(struct gpu *g, struct gpu_res *res,
		    const struct virtio_gpu_rect *r, uint32_t *dst)
{
	struct virgl_box_wire box = { r->x, r->y, 0, r->width, r->height, 1 };
	struct iovec iov = { dst, (size_t)r->width * r->height * 4 };

	if (!gpu_virgl_ready(g))
		return false;
	return virgl_renderer_transfer_read_iov(res->id, 0, 0, r->width * 4, 0,
						(struct virgl_box *)&box, 0,
						&iov, 1) == 0;
}

/**
 * gpu_virgl_scanout() - Show a 3D resource: as a dmabuf if it exports
 * @g:		Instance (worker)
 * @id:		Head
 * @res:	3D resource
 * @r:		Part shown
 *
 * Return: true if sent as a dmabuf (else the caller sends SCANOUT, and
 * flushes send pixels read back)
 */
bool gpu_virgl_scanout(struct gpu *g, unsigned int id, struct gpu_res *res,
		       const struct virtio_gpu_rect *r)
{
	struct virgl_renderer_resource_info info;
	struct vug_dmabuf_scanout2 m = { 0 };
	int fd, stride, offset;

	g->virgl->dmabuf[id] = false;
	if (!gpu_virgl_ready(g) || !gpu_disp_active(g) ||
	    virgl_renderer_resource_get_info((int)res->id, &info) ||
	    virgl_renderer_get_fd_for_texture2(info.tex_id, &fd, &stride,
					       &offset))
		return false;
	m.base.scanout_id = id;
	m.base.x = r->x;
	m.base.y = r->y;
	m.base.width = r->width;
	m.base.height = r->height;
	m.base.fd_width = info.width;
	m.base.fd_height = info.height;
	m.base.fd_stride = (uint32_t)stride;
	m.base.fd_flags = info.flags;
	m.base.fd_drm_fourcc = info.drm_fourcc;
	if (gpu_disp_has(g, VUG_PF_DMABUF2))
		gpu_disp_send(g, VUG_DMABUF_SCANOUT2, &m, sizeof(m), NULL, 0,
			      GPU_DATA_COPY, fd);
	else
		gpu_disp_send(g, VUG_DMABUF_SCANOUT, &m.base, sizeof(m.base),
			      NULL, 0, GPU_DATA_COPY, fd);
	g->virgl->dmabuf[id] = true;
	return true;
}

/**
 * gpu_virgl_flush() - Flush a head showing a 3D resource as a dmabuf
 * @g:		Instance (worker)
 * @id:		Head
 * @res:	Resource
 * @r:		Damaged part (resource coordinates)
 * @req:	The RESOURCE_FLUSH, parked until the display acknowledges
 *
 * Return: true if handled (and @req parked), false to send pixels
 */
bool gpu_virgl_flush(struct gpu *g, unsigned int id, struct gpu_res *res,
		     const struct virtio_gpu_rect *r, struct gpu_req *req)
{
	const struct gpu_scanout *s = &g->scanout[id];
	struct vug_update u = { id, r->x - s->r.x, r->y - s->r.y, r->width,
				r->height };

	if (!g->virgl->dmabuf[id])
		return false;
	gpu_disp_request(g, VUG_DMABUF_UPDATE, &u, sizeof(u), GPU_EXP_DMABUF);
	gpu_req_park(g, req, GPU_WAIT_DMABUF);
	return true;
}
