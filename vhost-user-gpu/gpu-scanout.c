// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-scanout.c - the heads: SET_SCANOUT, RESOURCE_FLUSH (the pixels that
 * reach the display), GET_DISPLAY_INFO and GET_EDID, answered by the
 * front-end when it can, else from the options.
 */
#include <string.h>

#include "gpu-int.h"

/**
 * gpu_build_display_info() - Display info from what we know (the
 * front-end's last answer, else the options); heads side by side
 * @g:		Instance
 * @info:	Response to fill
 */
static void gpu_build_display_info(const struct gpu *g,
				   struct virtio_gpu_resp_display_info *info)
{
	uint32_t x = 0;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->hdr.type = VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
	for (i = 0; i < g->opts.outputs; i++) {
		struct virtio_gpu_display_one *m = &info->pmodes[i];

		m->r.x = x;
		m->r.width = g->scanout[i].width;
		m->r.height = g->scanout[i].height;
		m->enabled = g->scanout[i].enabled;
		x += m->r.width;
	}
}

/**
 * gpu_fill_display_info() - The display info the guest gets, remembered
 * to tell later changes (VIRTIO_GPU_EVENT_DISPLAY)
 * @g:		Instance
 * @info:	Response to fill
 */
void gpu_fill_display_info(struct gpu *g,
			   struct virtio_gpu_resp_display_info *info)
{
	gpu_build_display_info(g, info);
	g->info_seen = *info;
	g->info_seen_valid = true;
}

/**
 * gpu_fill_edid() - Our own EDID for a head
 * @g:		Instance
 * @scanout:	Head (below outputs)
 * @resp:	Response to fill
 */
void gpu_fill_edid(struct gpu *g, uint32_t scanout,
		   struct virtio_gpu_resp_edid *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->hdr.type = VIRTIO_GPU_RESP_OK_EDID;
	resp->size = (uint32_t)gpu_edid_build(resp->edid, sizeof(resp->edid),
					      g->scanout[scanout].width,
					      g->scanout[scanout].height,
					      scanout);
}

/**
 * gpu_display_info_arrived() - The front-end answered GET_DISPLAY_INFO
 * @g:		Instance
 * @info:	Its answer
 *
 * Enabled heads take the front-end's sizes (over the options); a change
 * from what the guest last saw raises VIRTIO_GPU_EVENT_DISPLAY. A control
 * request waiting for it gets it.
 */
void gpu_display_info_arrived(struct gpu *g,
			      const struct virtio_gpu_resp_display_info *info)
{
	struct virtio_gpu_resp_display_info mine;
	unsigned int i;

	for (i = 0; i < g->opts.outputs; i++) {
		const struct virtio_gpu_display_one *m = &info->pmodes[i];
		struct gpu_scanout *s = &g->scanout[i];

		s->enabled = m->enabled != 0;
		if (m->enabled && m->r.width && m->r.height &&
		    m->r.width <= GPU_MAX_DIM && m->r.height <= GPU_MAX_DIM) {
			s->width = m->r.width;
			s->height = m->r.height;
		}
	}
	g->disp.info = *info;
	g->disp.info_valid = true;
	if (g->info_seen_valid) {
		gpu_build_display_info(g, &mine);
		if (memcmp(&g->info_seen, &mine, sizeof(mine)))
			g_atomic_int_or((guint *)&g->events_read,
					VIRTIO_GPU_EVENT_DISPLAY);
	}
	if (g->parked && g->parked->wait == GPU_WAIT_DISPLAY_INFO)
		gpu_ctrl_flush_parked(g);
	gpu_disp_kick_queues(g);
}

/**
 * gpu_cmd_display_info() - GET_DISPLAY_INFO: ask the front-end, or answer
 * from the options
 * @g:		Instance
 * @r:		Request
 *
 * Return: 0 (answered or parked)
 */
uint32_t gpu_cmd_display_info(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resp_display_info info;

	if (gpu_disp_active(g)) {
		gpu_disp_request(g, VUG_GET_DISPLAY_INFO, NULL, 0,
				 GPU_EXP_DISPLAY_INFO);
		gpu_req_park(g, r, GPU_WAIT_DISPLAY_INFO);
		return 0;
	}
	gpu_fill_display_info(g, &info);
	gpu_req_respond(g, vu_dev_queue(g->dev, GPU_QUEUE_CTRL), r, &info,
			sizeof(info));
	return 0;
}

/**
 * gpu_cmd_get_edid() - GET_EDID: the front-end's, when it offers EDID and
 * enables the head (it answers nothing for heads it does not have), else
 * ours
 * @g:		Instance
 * @r:		Request
 *
 * Return: 0 (answered or parked), or an error
 */
uint32_t gpu_cmd_get_edid(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_get_edid e;
	struct virtio_gpu_resp_edid resp;

	memcpy(&e, r->cmd, sizeof(e));
	if (e.scanout >= g->opts.outputs)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (gpu_disp_has(g, VUG_PF_EDID) && g->disp.info_valid &&
	    g->disp.info.pmodes[e.scanout].enabled) {
		uint32_t id = e.scanout;

		gpu_disp_request(g, VUG_GET_EDID, &id, sizeof(id),
				 GPU_EXP_EDID);
		gpu_req_park(g, r, GPU_WAIT_EDID)->scanout = e.scanout;
		return 0;
	}
	gpu_fill_edid(g, e.scanout, &resp);
	gpu_req_respond(g, vu_dev_queue(g->dev, GPU_QUEUE_CTRL), r, &resp,
			sizeof(resp));
	return 0;
}

/**
 * gpu_scanout_disable() - Turn a head off and tell the display
 * @g:		Instance
 * @id:		Head
 */
static void gpu_scanout_disable(struct gpu *g, unsigned int id)
{
	struct gpu_scanout *s = &g->scanout[id];
	struct gpu_res *old = gpu_res_find(g, s->res_id);
	struct vug_scanout m = { .scanout_id = id };

	if (old)
		old->scanouts &= ~(1u << id);
	s->res_id = 0;
	gpu_disp_send(g, VUG_SCANOUT, &m, sizeof(m), NULL, 0, GPU_DATA_COPY, -1);
}

/**
 * gpu_scanout_detach() - A resource goes away: heads showing it go off
 * @g:		Instance
 * @res:	Resource
 */
void gpu_scanout_detach(struct gpu *g, struct gpu_res *res)
{
	unsigned int i;

	for (i = 0; i < g->opts.outputs && res->scanouts; i++)
		if (res->scanouts & (1u << i))
			gpu_scanout_disable(g, i);
}

/**
 * gpu_cmd_set_scanout() - SET_SCANOUT
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
uint32_t gpu_cmd_set_scanout(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_set_scanout c;
	struct gpu_scanout *s;
	struct gpu_res *res, *old;
	struct vug_scanout m;

	memcpy(&c, r->cmd, sizeof(c));
	if (c.scanout_id >= g->opts.outputs)
		return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	s = &g->scanout[c.scanout_id];
	if (!c.resource_id) {
		gpu_scanout_disable(g, c.scanout_id);
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	res = gpu_res_find(g, c.resource_id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!c.r.width || !c.r.height ||
	    !gpu_rect_inside(&c.r, res->width, res->height))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	old = gpu_res_find(g, s->res_id);
	if (old)
		old->scanouts &= ~(1u << c.scanout_id);
	s->res_id = res->id;
	s->r = c.r;
	res->scanouts |= 1u << c.scanout_id;
	if (res->is_3d && gpu_virgl_scanout(g, c.scanout_id, res, &c.r))
		return VIRTIO_GPU_RESP_OK_NODATA;
	m.scanout_id = c.scanout_id;
	m.width = c.r.width;
	m.height = c.r.height;
	gpu_disp_send(g, VUG_SCANOUT, &m, sizeof(m), NULL, 0, GPU_DATA_COPY, -1);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_rect_intersect() - The common part of two rectangles
 * @a:		Rectangle
 * @b:		Rectangle
 * @out:	Their intersection
 *
 * Return: false if it is empty
 */
static bool gpu_rect_intersect(const struct virtio_gpu_rect *a,
			       const struct virtio_gpu_rect *b,
			       struct virtio_gpu_rect *out)
{
	uint64_t x0 = MAX(a->x, b->x), y0 = MAX(a->y, b->y);
	uint64_t x1 = MIN((uint64_t)a->x + a->width, (uint64_t)b->x + b->width);
	uint64_t y1 = MIN((uint64_t)a->y + a->height,
			  (uint64_t)b->y + b->height);

	if (x1 <= x0 || y1 <= y0)
		return false;
	out->x = (uint32_t)x0;
	out->y = (uint32_t)y0;
	out->width = (uint32_t)(x1 - x0);
	out->height = (uint32_t)(y1 - y0);
	return true;
}

/**
 * gpu_update_pixels() - Pixels of a rectangle of a 2D resource as
 * x8r8g8b8, packed (rows copied as they are where the format matches)
 * @res:	Resource
 * @r:		Rectangle inside it
 * @dst:	r->width * r->height pixels
 */
static void gpu_update_pixels(const struct gpu_res *res,
			      const struct virtio_gpu_rect *r, uint32_t *dst)
{
	const uint8_t *src = res->data + (size_t)r->y * res->stride +
			     (size_t)r->x * 4;
	bool same = gpu_format_is_xrgb(res->format);
	uint32_t k;

	for (k = 0; k < r->height; k++) {
		const uint8_t *row = src + (size_t)k * res->stride;

		if (same)
			memcpy(dst + (size_t)k * r->width, row,
			       (size_t)r->width * 4);
		else
			gpu_pixels_to_xrgb(res->format, row,
					   dst + (size_t)k * r->width,
					   r->width);
	}
}

/**
 * gpu_update_band() - Send the pixels of a rectangle to a head, as one
 * UPDATE
 * @g:		Instance
 * @id:		Head showing @res
 * @res:	Resource
 * @r:		Rectangle of @res, inside the head's part of it
 *
 * Whole rows of an x8r8g8b8-compatible resource go straight from the
 * resource (no copy: the queues wait until they are written); anything
 * else is converted into a buffer of the message's own.
 */
static void gpu_update_band(struct gpu *g, unsigned int id,
			    struct gpu_res *res, const struct virtio_gpu_rect *r)
{
	const struct gpu_scanout *s = &g->scanout[id];
	struct vug_update u = {
		.scanout_id = id,
		.x = r->x - s->r.x,
		.y = r->y - s->r.y,
		.width = r->width,
		.height = r->height,
	};
	size_t len = (size_t)r->width * r->height * 4;
	uint32_t *px;

	if (!res->is_3d && gpu_format_is_xrgb(res->format) &&
	    r->width == res->width) {
		gpu_disp_send(g, VUG_UPDATE, &u, sizeof(u),
			      res->data + (size_t)r->y * res->stride, len,
			      GPU_DATA_BORROW, -1);
		return;
	}
	px = g_try_malloc(len);
	if (!px)
		return;
	if (res->is_3d) {
		if (!gpu_virgl_read(g, res, r, px)) {
			g_free(px);
			return;
		}
	} else {
		gpu_update_pixels(res, r, px);
	}
	gpu_disp_send(g, VUG_UPDATE, &u, sizeof(u), px, len, GPU_DATA_GIVE,
		      -1);
}

/**
 * gpu_update_scanout() - Send the pixels of a rectangle to a head, in
 * bands of at most GPU_UPDATE_MAX bytes
 * @g:		Instance
 * @id:		Head showing @res
 * @res:	Resource
 * @r:		Rectangle of @res, inside the head's part of it
 */
void gpu_update_scanout(struct gpu *g, unsigned int id, struct gpu_res *res,
			const struct virtio_gpu_rect *r)
{
	uint32_t rows = (uint32_t)MAX(1u, GPU_UPDATE_MAX / ((size_t)r->width * 4));
	struct virtio_gpu_rect band = *r;
	uint32_t done;

	for (done = 0; done < r->height; done += band.height) {
		band.y = r->y + done;
		band.height = MIN(rows, r->height - done);
		gpu_update_band(g, id, res, &band);
	}
}

/**
 * gpu_scanout_replay() - Tell a new display what every head shows
 * @g:		Instance (worker), the display handshake done
 *
 * A front-end that was restarted, or handed us a new socket, knows
 * nothing of our heads, and must not get an UPDATE before a SCANOUT.
 */
void gpu_scanout_replay(struct gpu *g)
{
	struct vug_scanout m;
	unsigned int i;

	for (i = 0; i < g->opts.outputs; i++) {
		struct gpu_res *res = gpu_res_find(g, g->scanout[i].res_id);
		const struct virtio_gpu_rect *r = &g->scanout[i].r;

		if (!res)
			continue;
		if (res->is_3d && gpu_virgl_scanout(g, i, res, r))
			continue;
		m = (struct vug_scanout){ i, r->width, r->height };
		gpu_disp_send(g, VUG_SCANOUT, &m, sizeof(m), NULL, 0,
			      GPU_DATA_COPY, -1);
		gpu_update_scanout(g, i, res, r);
	}
}

/**
 * gpu_cmd_flush() - RESOURCE_FLUSH: update every head showing the resource
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type, or 0 if parked (a dmabuf update waits for the
 * display's acknowledgement)
 */
uint32_t gpu_cmd_flush(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resource_flush f;
	struct virtio_gpu_rect part;
	struct gpu_res *res;
	unsigned int i;

	memcpy(&f, r->cmd, sizeof(f));
	res = gpu_res_find(g, f.resource_id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!gpu_rect_inside(&f.r, res->width, res->height))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!gpu_disp_active(g))
		return VIRTIO_GPU_RESP_OK_NODATA;
	for (i = 0; i < g->opts.outputs; i++) {
		if (!(res->scanouts & (1u << i)) ||
		    !gpu_rect_intersect(&f.r, &g->scanout[i].r, &part))
			continue;
		if (res->is_3d && gpu_virgl_flush(g, i, res, &part, r))
			return 0;
		gpu_update_scanout(g, i, res, &part);
	}
	return VIRTIO_GPU_RESP_OK_NODATA;
}
