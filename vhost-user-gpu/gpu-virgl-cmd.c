// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-virgl-cmd.c - the 3D commands of the control queue, each checked
 * before it reaches virglrenderer: capsets, contexts (at most 64), 3D
 * resources (their host memory counted against --max-hostmem), transfers
 * and SUBMIT_3D (at most 4 MiB of commands).
 */
#include <string.h>

#include <virgl/virglrenderer.h>

#include "gpu-virgl-lib.h"

#include "gpu-virgl.h"

#define GPU_SUBMIT_MAX		(4u << 20)
#define GPU_CAPSET_MAX		(64u << 10)	/* largest capset answered */

/**
 * gpu_capset_of() - The capset id of a capset index
 * @index:	Index from the guest
 *
 * Return: VIRGL, VIRGL2, or 0 for an index we do not have
 */
static uint32_t gpu_capset_of(uint32_t index)
{
	if (index == 0)
		return VIRTIO_GPU_CAPSET_VIRGL;
	if (index == 1)
		return VIRTIO_GPU_CAPSET_VIRGL2;
	return 0;
}

/**
 * gpu_cmd_capset_info() - GET_CAPSET_INFO
 * @g:		Instance
 * @vq:		Control queue
 * @r:		Request
 *
 * Return: 0 (answered) or an error
 */
static uint32_t gpu_cmd_capset_info(struct gpu *g, struct vu_queue *vq,
				    struct gpu_req *r)
{
	struct virtio_gpu_get_capset_info c;
	struct virtio_gpu_resp_capset_info resp = { 0 };

	memcpy(&c, r->cmd, sizeof(c));
	resp.capset_id = gpu_capset_of(c.capset_index);
	if (!resp.capset_id)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	virgl_renderer_get_cap_set(resp.capset_id, &resp.capset_max_version,
				   &resp.capset_max_size);
	resp.hdr.type = VIRTIO_GPU_RESP_OK_CAPSET_INFO;
	gpu_req_respond(g, vq, r, &resp, sizeof(resp));
	return 0;
}

/**
 * gpu_cmd_capset() - GET_CAPSET
 * @g:		Instance
 * @vq:		Control queue
 * @r:		Request
 *
 * Return: 0 (answered) or an error
 */
static uint32_t gpu_cmd_capset(struct gpu *g, struct vu_queue *vq,
			       struct gpu_req *r)
{
	struct virtio_gpu_get_capset c;
	struct virtio_gpu_ctrl_hdr *resp;
	uint32_t max_ver = 0, max_size = 0;

	memcpy(&c, r->cmd, sizeof(c));
	if (c.capset_id != VIRTIO_GPU_CAPSET_VIRGL &&
	    c.capset_id != VIRTIO_GPU_CAPSET_VIRGL2)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	virgl_renderer_get_cap_set(c.capset_id, &max_ver, &max_size);
	if (!max_size || max_size > GPU_CAPSET_MAX ||
	    c.capset_version > max_ver)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	resp = g_malloc0(sizeof(*resp) + max_size);
	virgl_renderer_fill_caps(c.capset_id, c.capset_version, resp + 1);
	resp->type = VIRTIO_GPU_RESP_OK_CAPSET;
	gpu_req_respond(g, vq, r, resp, sizeof(*resp) + max_size);
	g_free(resp);
	return 0;
}

/**
 * gpu_cmd_ctx_create() - CTX_CREATE
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
static uint32_t gpu_cmd_ctx_create(struct gpu *g, struct gpu_req *r)
{
	struct gpu_virgl *v = g->virgl;
	struct virtio_gpu_ctx_create c;
	int ret;

	memcpy(&c, r->cmd, sizeof(c));
	if (!c.hdr.ctx_id ||
	    g_hash_table_contains(v->ctxs, GUINT_TO_POINTER(c.hdr.ctx_id)))
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if (g_hash_table_size(v->ctxs) >= GPU_MAX_CTX)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	c.nlen = MIN(c.nlen, sizeof(c.debug_name));
	if (c.context_init)
		ret = virgl_renderer_context_create_with_flags(c.hdr.ctx_id,
			c.context_init, c.nlen, c.debug_name);
	else
		ret = virgl_renderer_context_create(c.hdr.ctx_id, c.nlen,
						    c.debug_name);
	if (ret)
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	g_hash_table_add(v->ctxs, GUINT_TO_POINTER(c.hdr.ctx_id));
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_cmd_ctx_destroy() - CTX_DESTROY
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
static uint32_t gpu_cmd_ctx_destroy(struct gpu *g, struct gpu_req *r)
{
	if (!g_hash_table_remove(g->virgl->ctxs,
				 GUINT_TO_POINTER(r->hdr.ctx_id)))
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	virgl_renderer_context_destroy(r->hdr.ctx_id);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_res_3d_cost() - Host memory a 3D resource may take (4 bytes a texel,
 * a third more for mip levels)
 * @c:		Command
 * @bytes:	Set to the estimate
 *
 * Return: false if the sizes overflow
 */
static bool gpu_res_3d_cost(const struct virtio_gpu_resource_create_3d *c,
			    uint64_t *bytes)
{
	uint64_t n = (uint64_t)c->width * MAX(c->height, 1u);

	if (c->width > GPU_MAX_DIM || c->height > GPU_MAX_DIM ||
	    c->depth > GPU_MAX_DIM || c->array_size > GPU_MAX_DIM ||
	    __builtin_mul_overflow(n, (uint64_t)MAX(c->depth, 1u), &n) ||
	    __builtin_mul_overflow(n, (uint64_t)MAX(c->array_size, 1u), &n) ||
	    __builtin_mul_overflow(n, (uint64_t)MAX(c->nr_samples, 1u), &n) ||
	    __builtin_mul_overflow(n, 4u, &n))
		return false;
	*bytes = (c->last_level ? n + n / 3 : n) + GPU_RES_OVERHEAD;
	return true;
}

/**
 * gpu_cmd_create_3d() - RESOURCE_CREATE_3D
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
static uint32_t gpu_cmd_create_3d(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resource_create_3d c;
	struct virgl_renderer_resource_create_args a;
	struct gpu_res *res;
	uint64_t cost;

	memcpy(&c, r->cmd, sizeof(c));
	if (!c.resource_id || gpu_res_find(g, c.resource_id))
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!c.width || !gpu_res_3d_cost(&c, &cost))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!gpu_hostmem_take(g, cost))
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	a = (struct virgl_renderer_resource_create_args) {
		c.resource_id, c.target, c.format, c.bind, c.width, c.height,
		c.depth, c.array_size, c.last_level, c.nr_samples, c.flags,
	};
	if (virgl_renderer_resource_create(&a, NULL, 0)) {
		gpu_hostmem_give(g, cost);
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	}
	res = g_new0(struct gpu_res, 1);
	res->id = c.resource_id;
	res->format = c.format;
	res->width = c.width;
	res->height = MAX(c.height, 1u);
	res->is_3d = true;
	res->hostmem = cost;
	g_hash_table_insert(g->res, GUINT_TO_POINTER(res->id), res);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_cmd_transfer_3d() - TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D;
 * virglrenderer checks the box against the resource and the backing
 * @g:		Instance
 * @r:		Request
 * @to_host:	Direction
 *
 * Return: response type
 */
static uint32_t gpu_cmd_transfer_3d(struct gpu *g, struct gpu_req *r,
				    bool to_host)
{
	struct virtio_gpu_transfer_host_3d t;
	struct gpu_res *res;
	int ret;

	memcpy(&t, r->cmd, sizeof(t));
	res = gpu_res_find(g, t.resource_id);
	if (!res || !res->is_3d)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!gpu_virgl_backing(g, res))
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	if (to_host)
		ret = virgl_renderer_transfer_write_iov(t.resource_id,
			t.hdr.ctx_id, (int)t.level, t.stride, t.layer_stride,
			(struct virgl_box *)&t.box, t.offset, NULL, 0);
	else
		ret = virgl_renderer_transfer_read_iov(t.resource_id,
			t.hdr.ctx_id, t.level, t.stride, t.layer_stride,
			(struct virgl_box *)&t.box, t.offset, NULL, 0);
	return ret ? VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER :
		     VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_cmd_submit() - SUBMIT_3D
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
static uint32_t gpu_cmd_submit(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_cmd_submit c;
	uint32_t *buf;
	int ret;

	memcpy(&c, r->cmd, sizeof(c));
	if (c.size > GPU_SUBMIT_MAX || c.size % 4)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!c.size)
		return VIRTIO_GPU_RESP_OK_NODATA;
	buf = g_try_malloc(c.size);
	if (!buf)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	if (gpu_req_data(r, sizeof(c), buf, c.size) < c.size) {
		g_free(buf);
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	}
	ret = virgl_renderer_submit_cmd(buf, (int)c.hdr.ctx_id,
					(int)(c.size / 4));
	g_free(buf);
	return ret ? VIRTIO_GPU_RESP_ERR_UNSPEC : VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_cmd_ctx_resource() - CTX_ATTACH_RESOURCE, CTX_DETACH_RESOURCE (a
 * no-op for 2D resources, which the renderer does not know)
 * @g:		Instance
 * @r:		Request
 * @attach:	Which
 *
 * Return: response type
 */
static uint32_t gpu_cmd_ctx_resource(struct gpu *g, struct gpu_req *r,
				     bool attach)
{
	struct virtio_gpu_resource_unref c;
	struct gpu_res *res;

	memcpy(&c, r->cmd, sizeof(c));
	res = gpu_res_find(g, c.resource_id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	/* Linux attaches every buffer, 2D ones (ours alone) included */
	if (!res->is_3d)
		return VIRTIO_GPU_RESP_OK_NODATA;
	if (attach)
		virgl_renderer_ctx_attach_resource((int)c.hdr.ctx_id,
						   (int)c.resource_id);
	else
		virgl_renderer_ctx_detach_resource((int)c.hdr.ctx_id,
						   (int)c.resource_id);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_virgl_dispatch() - Run a 3D command
 * @g:		Instance
 * @vq:		Control queue
 * @r:		Request (its fixed part checked)
 * @resp:	Set to the response type (0: answered)
 *
 * Return: true if the command is a 3D one and the renderer runs
 */
bool gpu_virgl_dispatch(struct gpu *g, struct vu_queue *vq, struct gpu_req *r,
			uint32_t *resp)
{
	if (!gpu_virgl_ready(g))
		return false;
	switch (r->hdr.type) {
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO:
		*resp = gpu_cmd_capset_info(g, vq, r);
		break;
	case VIRTIO_GPU_CMD_GET_CAPSET:
		*resp = gpu_cmd_capset(g, vq, r);
		break;
	case VIRTIO_GPU_CMD_CTX_CREATE:
		*resp = gpu_cmd_ctx_create(g, r);
		break;
	case VIRTIO_GPU_CMD_CTX_DESTROY:
		*resp = gpu_cmd_ctx_destroy(g, r);
		break;
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE:
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE:
		*resp = gpu_cmd_ctx_resource(g, r, r->hdr.type ==
					     VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D:
		*resp = gpu_cmd_create_3d(g, r);
		break;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		*resp = gpu_cmd_transfer_3d(g, r, r->hdr.type ==
					    VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D);
		break;
	case VIRTIO_GPU_CMD_SUBMIT_3D:
		*resp = gpu_cmd_submit(g, r);
		break;
	default:
		return false;
	}
	return true;
}
