// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-2d.c - the 2D resource commands: create, unref, attach and detach
 * backing, and TRANSFER_TO_HOST_2D, which copies guest pixels into the
 * host copy of a resource. Every size comes from the guest: all arithmetic
 * is checked before anything is allocated or copied.
 */
#include <string.h>

#include "gpu-int.h"

#define GPU_BPP		4	/* every 2D format has 4 bytes per pixel */

/**
 * struct gpu_iov_cursor - a position in an iovec array, moved forward
 * @iov:	Array
 * @n:		Entries
 * @i:		Current entry
 * @off:	Offset in it
 * @pos:	Offset from the start of the array
 */
struct gpu_iov_cursor {
	const struct iovec *iov;
	unsigned int n;
	unsigned int i;
	size_t off;
	uint64_t pos;
};

/**
 * gpu_iov_seek() - Move the cursor to an absolute offset
 * @c:		Cursor
 * @pos:	Offset; going backwards restarts from the beginning
 */
static void gpu_iov_seek(struct gpu_iov_cursor *c, uint64_t pos)
{
	if (pos < c->pos) {
		c->i = 0;
		c->off = 0;
		c->pos = 0;
	}
	while (c->i < c->n && pos - c->pos >= c->iov[c->i].iov_len - c->off) {
		c->pos += c->iov[c->i].iov_len - c->off;
		c->i++;
		c->off = 0;
	}
	if (c->i < c->n) {
		c->off += pos - c->pos;
		c->pos = pos;
	}
}

/**
 * gpu_iov_read() - Copy bytes at the cursor and move past them
 * @c:		Cursor
 * @dst:	Destination
 * @len:	Bytes (the caller checked they exist)
 */
static void gpu_iov_read(struct gpu_iov_cursor *c, uint8_t *dst, size_t len)
{
	while (len && c->i < c->n) {
		size_t chunk = MIN(len, c->iov[c->i].iov_len - c->off);

		memcpy(dst, (const uint8_t *)c->iov[c->i].iov_base + c->off,
		       chunk);
		dst += chunk;
		len -= chunk;
		c->off += chunk;
		c->pos += chunk;
		if (c->off == c->iov[c->i].iov_len) {
			c->i++;
			c->off = 0;
		}
	}
}

/**
 * gpu_cmd_create_2d() - RESOURCE_CREATE_2D
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
uint32_t gpu_cmd_create_2d(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resource_create_2d c;
	uint64_t stride, bytes;
	struct gpu_res *res;

	memcpy(&c, r->cmd, sizeof(c));
	if (!c.resource_id || gpu_res_find(g, c.resource_id))
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!gpu_format_known(c.format) || !c.width || !c.height ||
	    c.width > GPU_MAX_DIM || c.height > GPU_MAX_DIM)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	stride = (uint64_t)c.width * GPU_BPP;
	bytes = stride * c.height;
	if (!gpu_hostmem_take(g, bytes + GPU_RES_OVERHEAD))
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	res = g_new0(struct gpu_res, 1);
	res->data = g_try_malloc0(bytes);
	if (!res->data) {
		gpu_hostmem_give(g, bytes + GPU_RES_OVERHEAD);
		g_free(res);
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	res->id = c.resource_id;
	res->format = c.format;
	res->width = c.width;
	res->height = c.height;
	res->stride = (uint32_t)stride;
	res->hostmem = bytes + GPU_RES_OVERHEAD;
	g_hash_table_insert(g->res, GUINT_TO_POINTER(res->id), res);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_cmd_unref() - RESOURCE_UNREF; heads showing it are disabled
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
uint32_t gpu_cmd_unref(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resource_unref u;
	struct gpu_res *res;

	memcpy(&u, r->cmd, sizeof(u));
	res = gpu_res_find(g, u.resource_id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	gpu_res_destroy(g, res);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_cmd_attach_backing() - RESOURCE_ATTACH_BACKING
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
uint32_t gpu_cmd_attach_backing(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resource_attach_backing a;
	struct gpu_res *res;
	uint32_t resp;

	memcpy(&a, r->cmd, sizeof(a));
	res = gpu_res_find(g, a.resource_id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (res->back.ents)
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	resp = gpu_backing_attach(g, res, r, a.nr_entries);
	if (resp == VIRTIO_GPU_RESP_OK_NODATA && res->is_3d)
		gpu_virgl_attach(g, res);
	return resp;
}

/**
 * gpu_cmd_detach_backing() - RESOURCE_DETACH_BACKING
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
uint32_t gpu_cmd_detach_backing(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_resource_unref d;
	struct gpu_res *res;

	memcpy(&d, r->cmd, sizeof(d));
	res = gpu_res_find(g, d.resource_id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!res->back.ents)
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	if (res->is_3d)
		gpu_virgl_detach(g, res);
	gpu_backing_detach(g, res);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_transfer_fits() - Whether a transfer's source lies in the backing
 * @res:	Resource (backing mapped)
 * @t:		Transfer, its rectangle inside the resource and not empty
 *
 * Row k of the rectangle is read at offset + k * stride.
 *
 * Return: true if every byte read is in the backing
 */
static bool gpu_transfer_fits(const struct gpu_res *res,
			      const struct virtio_gpu_transfer_to_host_2d *t)
{
	uint64_t span = (uint64_t)res->stride * (t->r.height - 1) +
			(uint64_t)t->r.width * GPU_BPP;

	return t->offset <= res->back.len && span <= res->back.len - t->offset;
}

/**
 * gpu_transfer_copy() - Copy a checked transfer into the host copy
 * @res:	Resource
 * @t:		Transfer (checked by gpu_transfer_fits())
 *
 * Full-width rectangles are one copy: rows are contiguous on both sides.
 */
static void gpu_transfer_copy(struct gpu_res *res,
			      const struct virtio_gpu_transfer_to_host_2d *t)
{
	struct gpu_iov_cursor c = { .iov = res->back.iov, .n = res->back.niov };
	uint8_t *dst = res->data + (size_t)t->r.y * res->stride +
		       (size_t)t->r.x * GPU_BPP;
	size_t row = (size_t)t->r.width * GPU_BPP;
	uint32_t k;

	gpu_iov_seek(&c, t->offset);
	if (row == res->stride) {
		gpu_iov_read(&c, dst, row * t->r.height);
		return;
	}
	/* The usual case: the whole span in one buffer, rows by pointer */
	if (c.i < c.n && c.iov[c.i].iov_len - c.off >=
	    (uint64_t)res->stride * (t->r.height - 1) + row) {
		const uint8_t *src = (const uint8_t *)c.iov[c.i].iov_base + c.off;

		for (k = 0; k < t->r.height; k++)
			memcpy(dst + (size_t)k * res->stride,
			       src + (size_t)k * res->stride, row);
		return;
	}
	for (k = 0; k < t->r.height; k++) {
		gpu_iov_seek(&c, t->offset + (uint64_t)k * res->stride);
		gpu_iov_read(&c, dst + (size_t)k * res->stride, row);
	}
}

/**
 * gpu_cmd_transfer_2d() - TRANSFER_TO_HOST_2D
 * @g:		Instance
 * @r:		Request
 *
 * Return: response type
 */
uint32_t gpu_cmd_transfer_2d(struct gpu *g, struct gpu_req *r)
{
	struct virtio_gpu_transfer_to_host_2d t;
	struct gpu_res *res;

	memcpy(&t, r->cmd, sizeof(t));
	res = gpu_res_find(g, t.resource_id);
	if (!res || res->is_3d)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!res->back.ents)
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	if (!gpu_rect_inside(&t.r, res->width, res->height))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!t.r.width || !t.r.height)
		return VIRTIO_GPU_RESP_OK_NODATA;
	if (!gpu_backing_map(g, &res->back)) {
		gpu_warn_once(g, GPU_LOG_BACKING, "resource %u: backing no "
			      "longer in guest memory", res->id);
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	}
	if (!gpu_transfer_fits(res, &t))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	gpu_transfer_copy(res, &t);
	return VIRTIO_GPU_RESP_OK_NODATA;
}
