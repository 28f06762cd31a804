// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-ctrl.c - the control queue: each chain's command is read, checked
 * against the command table, run, and answered (or parked until the
 * display or a fence answers for it). Commands run in ring order.
 */
#include <string.h>

#include "gpu-int.h"
#include "vu-iov.h"

/* Requests served per worker run before the rest is rescheduled */
#define GPU_CTRL_BATCH	64

/**
 * struct gpu_cmd - one command the control queue knows
 * @type:	Command type
 * @name:	For logs
 * @size:	Bytes of its fixed part (header included)
 * @run:	Handler: the response type, or 0 if it answered or parked
 *		the request itself; NULL for 3D commands (gpu-virgl.c)
 */
struct gpu_cmd {
	uint32_t type;
	const char *name;
	uint32_t size;
	uint32_t (*run)(struct gpu *g, struct gpu_req *r);
};

#define CMD(t, s, fn) { VIRTIO_GPU_CMD_##t, #t, sizeof(struct s), fn }

static const struct gpu_cmd gpu_cmds[] = {
	CMD(GET_DISPLAY_INFO, virtio_gpu_ctrl_hdr, gpu_cmd_display_info),
	CMD(RESOURCE_CREATE_2D, virtio_gpu_resource_create_2d,
	    gpu_cmd_create_2d),
	CMD(RESOURCE_UNREF, virtio_gpu_resource_unref, gpu_cmd_unref),
	CMD(SET_SCANOUT, virtio_gpu_set_scanout, gpu_cmd_set_scanout),
	CMD(RESOURCE_FLUSH, virtio_gpu_resource_flush, gpu_cmd_flush),
	CMD(TRANSFER_TO_HOST_2D, virtio_gpu_transfer_to_host_2d,
	    gpu_cmd_transfer_2d),
	CMD(RESOURCE_ATTACH_BACKING, virtio_gpu_resource_attach_backing,
	    gpu_cmd_attach_backing),
	CMD(RESOURCE_DETACH_BACKING, virtio_gpu_resource_unref,
	    gpu_cmd_detach_backing),
	CMD(GET_EDID, virtio_gpu_get_edid, gpu_cmd_get_edid),
	CMD(GET_CAPSET_INFO, virtio_gpu_get_capset_info, NULL),
	CMD(GET_CAPSET, virtio_gpu_get_capset, NULL),
	CMD(CTX_CREATE, virtio_gpu_ctx_create, NULL),
	CMD(CTX_DESTROY, virtio_gpu_ctrl_hdr, NULL),
	CMD(CTX_ATTACH_RESOURCE, virtio_gpu_resource_unref, NULL),
	CMD(CTX_DETACH_RESOURCE, virtio_gpu_resource_unref, NULL),
	CMD(RESOURCE_CREATE_3D, virtio_gpu_resource_create_3d, NULL),
	CMD(TRANSFER_TO_HOST_3D, virtio_gpu_transfer_host_3d, NULL),
	CMD(TRANSFER_FROM_HOST_3D, virtio_gpu_transfer_host_3d, NULL),
	CMD(SUBMIT_3D, virtio_gpu_cmd_submit, NULL),
};

/**
 * gpu_cmd_find() - The table entry of a command type
 * @type:	Command type from the guest
 *
 * Return: the entry, or NULL
 */
static const struct gpu_cmd *gpu_cmd_find(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(gpu_cmds); i++)
		if (gpu_cmds[i].type == type)
			return &gpu_cmds[i];
	return NULL;
}

/**
 * gpu_req_data() - Copy device-readable bytes of a request
 * @r:		Request
 * @off:	Offset in its readable bytes
 * @buf:	Destination
 * @len:	Bytes wanted
 *
 * Return: bytes copied (fewer if the request is shorter)
 */
size_t gpu_req_data(const struct gpu_req *r, uint64_t off, void *buf,
		    size_t len)
{
	return vu_iov_to_buf(r->elem.iov, r->elem.out_num, off, buf, len);
}

/**
 * gpu_resp_fill_hdr() - Make a response header match its request
 * @req:	Request header
 * @resp:	Response header; its type is kept
 *
 * A fenced request's response carries the fence back (and the context and
 * ring index): that is how the driver learns the fence retired.
 */
static void gpu_resp_fill_hdr(const struct virtio_gpu_ctrl_hdr *req,
			      struct virtio_gpu_ctrl_hdr *resp)
{
	resp->flags = 0;
	resp->fence_id = 0;
	resp->ctx_id = 0;
	resp->ring_idx = 0;
	memset(resp->padding, 0, sizeof(resp->padding));
	if (!(req->flags & VIRTIO_GPU_FLAG_FENCE))
		return;
	resp->flags = VIRTIO_GPU_FLAG_FENCE;
	resp->fence_id = req->fence_id;
	resp->ctx_id = req->ctx_id;
	if (req->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) {
		resp->flags |= VIRTIO_GPU_FLAG_INFO_RING_IDX;
		resp->ring_idx = req->ring_idx;
	}
}

/**
 * gpu_req_respond() - Write a response and return the chain
 * @g:		Instance
 * @vq:		Queue the request came from
 * @r:		Request
 * @resp:	Response, starting with a struct virtio_gpu_ctrl_hdr whose
 *		type is set (the rest of the header is filled here)
 * @len:	Response bytes
 *
 * A response that does not fit the writable buffers becomes ERR_UNSPEC;
 * a chain that cannot even hold a header is returned empty.
 */
void gpu_req_respond(struct gpu *g, struct vu_queue *vq, struct gpu_req *r,
		     void *resp, size_t len)
{
	struct virtio_gpu_ctrl_hdr err = { .type = VIRTIO_GPU_RESP_ERR_UNSPEC };
	struct virtio_gpu_ctrl_hdr *h = resp;
	size_t done = 0;

	if (r->in_len < len) {
		h = &err;
		len = sizeof(err);
	}
	if (r->in_len >= len) {
		gpu_resp_fill_hdr(&r->hdr, h);
		done = vu_iov_from_buf(r->elem.iov + r->elem.out_num,
				       r->elem.in_num, 0, h, len);
	} else {
		gpu_warn_once(g, GPU_LOG_SHORT_CHAIN, "queue %u: chain %u has "
			      "no room for a response; returned empty",
			      vq->index, r->elem.id);
	}
	vu_queue_push(vq, &r->elem, (uint32_t)done);
}

/**
 * gpu_req_respond_type() - Answer with a bare header
 * @g:		Instance
 * @vq:		Queue
 * @r:		Request
 * @type:	Response type
 */
void gpu_req_respond_type(struct gpu *g, struct vu_queue *vq,
			  struct gpu_req *r, uint32_t type)
{
	struct virtio_gpu_ctrl_hdr h = { .type = type };

	gpu_req_respond(g, vq, r, &h, sizeof(h));
}

/**
 * gpu_req_park() - Keep a request until an answer comes for it
 * @g:		Instance
 * @r:		Request (&g->req)
 * @wait:	What it waits for
 *
 * A fenced request is copied to the fence list, and the control queue
 * goes on; any other parked request stops the control queue until it is
 * answered (commands run in order).
 *
 * Return: the parked request
 */
struct gpu_req *gpu_req_park(struct gpu *g, struct gpu_req *r,
			     enum gpu_wait wait)
{
	struct gpu_req *p = r;

	if (wait == GPU_WAIT_FENCE) {
		p = g_new(struct gpu_req, 1);
		memcpy(p, r, sizeof(*p));
		p->elem.iov = p->iov;
		g_queue_push_tail(&g->fenced, p);
	} else {
		g->parked = p;
	}
	p->wait = wait;
	return p;
}

/**
 * gpu_ctrl_flush_parked() - Answer what waits with what we know ourselves
 * @g:		Instance (the control queue is stopping, or memory changes)
 *
 * Display info and EDID come from the options; a flush waiting for its
 * acknowledgement just completes, and so do requests whose fence did not
 * retire in time.
 */
void gpu_ctrl_flush_parked(struct gpu *g)
{
	struct vu_queue *vq = vu_dev_queue(g->dev, GPU_QUEUE_CTRL);
	struct gpu_req *r;

	while ((r = g_queue_pop_head(&g->fenced))) {
		gpu_req_respond_type(g, vq, r, r->resp_type);
		g_free(r);
	}
	r = g->parked;
	if (!r) {
		vu_dev_complete(g->dev, vq);
		return;
	}
	g->parked = NULL;
	if (r->wait == GPU_WAIT_DISPLAY_INFO) {
		struct virtio_gpu_resp_display_info info;

		gpu_fill_display_info(g, &info);
		gpu_req_respond(g, vq, r, &info, sizeof(info));
	} else if (r->wait == GPU_WAIT_EDID) {
		struct virtio_gpu_resp_edid edid;

		gpu_fill_edid(g, r->scanout, &edid);
		gpu_req_respond(g, vq, r, &edid, sizeof(edid));
	} else {
		gpu_req_respond_type(g, vq, r, VIRTIO_GPU_RESP_OK_NODATA);
	}
	vu_dev_complete(g->dev, vq);
}

/**
 * gpu_req_read() - Take a popped chain's lengths, header and fixed part
 * @r:		Request (chain popped into @r->elem)
 *
 * Return: true if it holds at least a header
 */
static bool gpu_req_read(struct gpu_req *r)
{
	r->out_len = vu_iov_length(r->elem.iov, r->elem.out_num);
	r->in_len = vu_iov_length(r->elem.iov + r->elem.out_num,
				  r->elem.in_num);
	memset(r->cmd, 0, sizeof(r->cmd));
	r->cmd_len = gpu_req_data(r, 0, r->cmd, sizeof(r->cmd));
	r->wait = GPU_WAIT_NONE;
	memcpy(&r->hdr, r->cmd, sizeof(r->hdr));
	if (r->cmd_len >= sizeof(r->hdr))
		return true;
	memset(&r->hdr, 0, sizeof(r->hdr));
	return false;
}

/**
 * gpu_ctrl_dispatch() - Run one command
 * @g:		Instance
 * @vq:		Control queue
 * @r:		Request, read
 *
 * Return: the response type, or 0 if answered or parked already
 */
static uint32_t gpu_ctrl_dispatch(struct gpu *g, struct vu_queue *vq,
				  struct gpu_req *r)
{
	const struct gpu_cmd *c = gpu_cmd_find(r->hdr.type);
	uint32_t resp = VIRTIO_GPU_RESP_ERR_UNSPEC;

	if (!c) {
		gpu_warn_once(g, GPU_LOG_BAD_CMD, "control queue: unknown "
			      "command 0x%x", r->hdr.type);
		return resp;
	}
	if (r->cmd_len < c->size) {
		gpu_warn_once(g, GPU_LOG_BAD_CMD, "control queue: %s shorter "
			      "than %u bytes", c->name, c->size);
		return resp;
	}
	/* g_debug() formats before it drops: a fifth of a small frame */
	if (gpu_debug_on())
		g_debug("ctrl: %s", c->name);
	if (c->run)
		return c->run(g, r);
	if (g->virgl && gpu_virgl_dispatch(g, vq, r, &resp))
		return resp;
	return VIRTIO_GPU_RESP_ERR_UNSPEC;
}

/**
 * gpu_ctrl_one() - Serve the next control request, if any
 * @g:		Instance
 * @vq:		Control queue
 *
 * Return: true if there was one
 */
static bool gpu_ctrl_one(struct gpu *g, struct vu_queue *vq)
{
	struct gpu_req *r = &g->req;
	uint32_t resp = VIRTIO_GPU_RESP_ERR_UNSPEC;

	r->elem.iov = r->iov;
	r->elem.iov_max = GPU_IOV_MAX;
	if (vu_queue_pop(vq, &r->elem) <= 0)
		return false;
	g->ctrl_used = true;
	if (gpu_req_read(r))
		resp = gpu_ctrl_dispatch(g, vq, r);
	/* With a renderer, a fence also waits for the 3D work before it */
	if (resp && !(g->virgl && gpu_virgl_fence(g, r, resp)))
		gpu_req_respond_type(g, vq, r, resp);
	return true;
}

/**
 * gpu_ctrl_ready() - Whether the control queue may take a request
 * @g:		Instance
 *
 * Not while one is parked, while a display message waits to be written
 * (its data may point into a resource), or before the display channel's
 * features are known.
 *
 * Return: true if it may
 */
static bool gpu_ctrl_ready(const struct gpu *g)
{
	return !g->parked && !gpu_disp_busy(g) && !g->disp.handshake;
}

/**
 * gpu_ctrl_run() - queue_kicked for the control queue
 * @g:		Instance
 * @vq:		Control queue (on the worker, lock held)
 */
void gpu_ctrl_run(struct gpu *g, struct vu_queue *vq)
{
	unsigned int n = 0;

	while (n < GPU_CTRL_BATCH && gpu_ctrl_ready(g) && gpu_ctrl_one(g, vq)) {
		/*
		 * Each answer is published at once, not per batch: the guest
		 * waits on them (a plane update, a fence) and gets going
		 * sooner; EVENT_IDX keeps the calls to those it asks for
		 */
		vu_dev_complete(g->dev, vq);
		n++;
	}
	if (n == GPU_CTRL_BATCH && gpu_ctrl_ready(g))
		vu_dev_kick(g->dev, vq);
}
