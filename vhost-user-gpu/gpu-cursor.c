// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-cursor.c - the cursor queue: UPDATE_CURSOR sends the cursor image
 * (a 64x64 resource the guest filled through the control queue) and its
 * position to the display, MOVE_CURSOR only the position. Requests need
 * no response; a bad one is ignored and logged once.
 */
#include <string.h>

#include "gpu-int.h"
#include "vu-iov.h"

/* Requests served per worker run before the rest is rescheduled */
#define GPU_CURSOR_BATCH	64

/**
 * gpu_cursor_image() - Read a cursor resource as a8r8g8b8
 * @g:		Instance
 * @res:	Resource, 64x64
 * @dst:	64 * 64 pixels
 *
 * Return: true on success
 */
static bool gpu_cursor_image(struct gpu *g, struct gpu_res *res,
			     uint32_t *dst)
{
	struct virtio_gpu_rect all = { 0, 0, GPU_CURSOR_SIZE, GPU_CURSOR_SIZE };
	unsigned int k;

	if (res->is_3d)
		return gpu_virgl_read(g, res, &all, dst);
	for (k = 0; k < GPU_CURSOR_SIZE; k++)
		gpu_pixels_to_argb(res->format, res->data + k * res->stride,
				   dst + k * GPU_CURSOR_SIZE, GPU_CURSOR_SIZE);
	return true;
}

/**
 * gpu_cursor_update() - UPDATE_CURSOR
 * @g:		Instance
 * @c:		Command
 */
static void gpu_cursor_update(struct gpu *g,
			      const struct virtio_gpu_update_cursor *c)
{
	static uint32_t px[GPU_CURSOR_SIZE * GPU_CURSOR_SIZE];
	struct vug_cursor_update *u;
	struct gpu_res *res;

	if (gpu_debug_on())
		g_debug("cursor update: scanout %u resource %u hot %u,%u "
			"pos %u,%u", c->pos.scanout_id, c->resource_id,
			c->hot_x, c->hot_y, c->pos.x, c->pos.y);
	if (!c->resource_id) {
		struct vug_cursor_pos p = { c->pos.scanout_id, c->pos.x,
					    c->pos.y };

		gpu_disp_send(g, VUG_CURSOR_POS_HIDE, &p, sizeof(p), NULL, 0,
			      GPU_DATA_COPY, -1);
		return;
	}
	res = gpu_res_find(g, c->resource_id);
	if (!res || res->width != GPU_CURSOR_SIZE ||
	    res->height != GPU_CURSOR_SIZE) {
		gpu_warn_once(g, GPU_LOG_CURSOR, "cursor: resource %u is not "
			      "a 64x64 resource; ignored", c->resource_id);
		return;
	}
	/* px: only this worker runs cursor commands */
	u = g_new0(struct vug_cursor_update, 1);
	u->pos.scanout_id = c->pos.scanout_id;
	u->pos.x = c->pos.x;
	u->pos.y = c->pos.y;
	u->hot_x = c->hot_x;
	u->hot_y = c->hot_y;
	if (!gpu_cursor_image(g, res, px)) {
		g_free(u);
		return;
	}
	memcpy(u->data, px, sizeof(px));
	/* The whole message is the payload: sent as data after no header */
	gpu_disp_send(g, VUG_CURSOR_UPDATE, NULL, 0, u, sizeof(*u),
		      GPU_DATA_GIVE, -1);
}

/**
 * gpu_cursor_one() - Handle one cursor command
 * @g:		Instance
 * @r:		Request, read
 */
static void gpu_cursor_one(struct gpu *g, const struct gpu_req *r)
{
	struct virtio_gpu_update_cursor c;

	memcpy(&c, r->cmd, sizeof(c));
	if (r->cmd_len < sizeof(c) || c.pos.scanout_id >= g->opts.outputs ||
	    (c.hdr.type != VIRTIO_GPU_CMD_UPDATE_CURSOR &&
	     c.hdr.type != VIRTIO_GPU_CMD_MOVE_CURSOR)) {
		gpu_warn_once(g, GPU_LOG_CURSOR, "cursor queue: malformed "
			      "command (type 0x%x, %zu bytes); ignored",
			      c.hdr.type, r->cmd_len);
		return;
	}
	if (c.hdr.type == VIRTIO_GPU_CMD_UPDATE_CURSOR) {
		gpu_cursor_update(g, &c);
	} else {
		struct vug_cursor_pos p = { c.pos.scanout_id, c.pos.x,
					    c.pos.y };

		if (gpu_debug_on())
			g_debug("cursor move: scanout %u pos %u,%u",
				p.scanout_id, p.x, p.y);
		gpu_disp_send(g, VUG_CURSOR_POS, &p, sizeof(p), NULL, 0,
			      GPU_DATA_COPY, -1);
	}
}

/**
 * gpu_cursor_run() - queue_kicked for the cursor queue
 * @g:		Instance
 * @vq:		Cursor queue (on the worker, lock held)
 *
 * Pauses while display messages wait to be written, so a front-end that
 * stops reading cannot make us queue without bound, and until the display
 * handshake is done.
 */
void gpu_cursor_run(struct gpu *g, struct vu_queue *vq)
{
	struct gpu_req *r = &g->creq;
	unsigned int n;

	for (n = 0; n < GPU_CURSOR_BATCH && !gpu_disp_busy(g) &&
		    !g->disp.handshake; n++) {
		r->elem.iov = r->iov;
		r->elem.iov_max = GPU_IOV_MAX;
		if (vu_queue_pop(vq, &r->elem) <= 0)
			break;
		r->in_len = vu_iov_length(r->elem.iov + r->elem.out_num,
					  r->elem.in_num);
		memset(r->cmd, 0, sizeof(r->cmd));
		r->cmd_len = gpu_req_data(r, 0, r->cmd, sizeof(r->cmd));
		memcpy(&r->hdr, r->cmd, sizeof(r->hdr));
		gpu_cursor_one(g, r);
		if (r->in_len >= sizeof(struct virtio_gpu_ctrl_hdr))
			gpu_req_respond_type(g, vq, r,
					     VIRTIO_GPU_RESP_OK_NODATA);
		else
			vu_queue_push(vq, &r->elem, 0);
	}
	vu_dev_complete(g->dev, vq);
	if (n == GPU_CURSOR_BATCH && !gpu_disp_busy(g) && !g->disp.handshake)
		vu_dev_kick(g->dev, vq);
}
