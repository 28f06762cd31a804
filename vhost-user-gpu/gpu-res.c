// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-res.c - resources: the id table, the host memory the guest makes us
 * allocate (bounded by --max-hostmem), and the guest pages backing each
 * resource, checked against guest memory and translated once per memory
 * table.
 */
#include <string.h>

#include "gpu-int.h"
#include "vu-mem.h"

/**
 * gpu_res_find() - Look a resource up
 * @g:		Instance
 * @id:		Resource id from the guest
 *
 * Return: the resource, or NULL (0 is never a resource)
 */
struct gpu_res *gpu_res_find(struct gpu *g, uint32_t id)
{
	if (!id)
		return NULL;
	return g_hash_table_lookup(g->res, GUINT_TO_POINTER(id));
}

/**
 * gpu_hostmem_take() - Count bytes against --max-hostmem
 * @g:		Instance
 * @bytes:	Bytes about to be allocated
 *
 * Return: true if they fit (and are now counted)
 */
bool gpu_hostmem_take(struct gpu *g, uint64_t bytes)
{
	if (bytes > g->opts.max_hostmem ||
	    g->hostmem > g->opts.max_hostmem - bytes)
		return false;
	g->hostmem += bytes;
	return true;
}

/**
 * gpu_hostmem_give() - Uncount bytes
 * @g:		Instance
 * @bytes:	Bytes freed
 */
void gpu_hostmem_give(struct gpu *g, uint64_t bytes)
{
	g->hostmem -= MIN(bytes, g->hostmem);
}

/**
 * gpu_rect_inside() - Whether a rectangle lies within a surface
 * @r:		Rectangle from the guest
 * @width:	Surface width
 * @height:	Surface height
 *
 * Return: true if every pixel of @r is inside (no overflow possible)
 */
bool gpu_rect_inside(const struct virtio_gpu_rect *r, uint32_t width,
		     uint32_t height)
{
	return r->x <= width && r->width <= width - r->x &&
	       r->y <= height && r->height <= height - r->y;
}

/**
 * gpu_backing_free() - Release a backing's arrays (not the memory count)
 * @b:		Backing
 */
static void gpu_backing_free(struct gpu_backing *b)
{
	g_free(b->ents);
	g_free(b->iov);
	memset(b, 0, sizeof(*b));
}

/**
 * gpu_backing_detach() - Drop a resource's backing
 * @g:		Instance
 * @res:	Resource
 */
void gpu_backing_detach(struct gpu *g, struct gpu_res *res)
{
	if (!res->back.ents)
		return;
	gpu_hostmem_give(g, res->back.cost);
	gpu_backing_free(&res->back);
}

/**
 * gpu_backing_count() - How many iovecs an entry list translates to
 * @mem:	Guest memory
 * @ents:	Entries
 * @n:		Number of entries
 * @niov:	Set to the count
 *
 * Return: true if every byte of every entry is in guest memory
 */
static bool gpu_backing_count(const struct vu_mem *mem,
			      const struct virtio_gpu_mem_entry *ents,
			      unsigned int n, unsigned int *niov)
{
	unsigned int i, count = 0;

	for (i = 0; i < n; i++) {
		uint64_t gpa = ents[i].addr, left = ents[i].length;

		if (!left || gpa + left < gpa)
			return false;
		while (left) {
			uint64_t chunk = left;

			if (!vu_mem_gpa(mem, gpa, &chunk) || !chunk)
				return false;
			gpa += chunk;
			left -= chunk;
			count++;
		}
	}
	*niov = count;
	return true;
}

/**
 * gpu_backing_fill() - Translate the entries into @b->iov
 * @mem:	Guest memory
 * @b:		Backing with @iov sized by gpu_backing_count()
 */
static void gpu_backing_fill(const struct vu_mem *mem, struct gpu_backing *b)
{
	unsigned int i, k = 0;

	b->len = 0;
	for (i = 0; i < b->nents; i++) {
		uint64_t gpa = b->ents[i].addr, left = b->ents[i].length;

		while (left && k < b->niov) {
			uint64_t chunk = left;
			void *p = vu_mem_gpa(mem, gpa, &chunk);

			b->iov[k].iov_base = p;
			b->iov[k].iov_len = chunk;
			k++;
			gpa += chunk;
			left -= chunk;
			b->len += chunk;
		}
	}
}

/**
 * gpu_guest_mem() - The guest memory table, as the control queue sees it
 * @g:		Instance
 *
 * Return: the table (NULL before the front-end set one up)
 */
static const struct vu_mem *gpu_guest_mem(struct gpu *g)
{
	return vu_dev_queue(g->dev, GPU_QUEUE_CTRL)->mem;
}

/**
 * gpu_backing_map() - Translate a backing for the current memory table
 * @g:		Instance
 * @b:		Backing with entries
 *
 * Return: true if every entry is in guest memory (@b->valid)
 */
bool gpu_backing_map(struct gpu *g, struct gpu_backing *b)
{
	const struct vu_mem *mem = gpu_guest_mem(g);
	unsigned int niov;

	if (b->valid)
		return true;
	if (!mem || !gpu_backing_count(mem, b->ents, b->nents, &niov))
		return false;
	if (niov != b->niov) {
		/* Counted even over the cap: the guest asked for it before */
		gpu_hostmem_give(g, (uint64_t)b->niov * sizeof(struct iovec));
		g->hostmem += (uint64_t)niov * sizeof(struct iovec);
		b->cost += ((uint64_t)niov - b->niov) * sizeof(struct iovec);
		g_free(b->iov);
		b->iov = g_new(struct iovec, niov);
		b->niov = niov;
	}
	gpu_backing_fill(mem, b);
	b->valid = true;
	return true;
}

/**
 * gpu_backing_attach() - RESOURCE_ATTACH_BACKING's work
 * @g:		Instance
 * @res:	Resource without backing
 * @r:		Request (entries follow the fixed part)
 * @nr_entries:	Entries announced
 *
 * Return: OK_NODATA or the error response
 */
uint32_t gpu_backing_attach(struct gpu *g, struct gpu_res *res,
			    const struct gpu_req *r, uint32_t nr_entries)
{
	const struct vu_mem *mem = gpu_guest_mem(g);
	size_t bytes = (size_t)nr_entries * sizeof(struct virtio_gpu_mem_entry);
	struct gpu_backing b = { 0 };
	uint64_t cost;

	if (!nr_entries || nr_entries > GPU_MAX_ENTRIES)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	b.ents = g_malloc(bytes);
	b.nents = nr_entries;
	if (gpu_req_data(r, sizeof(struct virtio_gpu_resource_attach_backing),
			 b.ents, bytes) < bytes ||
	    !mem || !gpu_backing_count(mem, b.ents, b.nents, &b.niov)) {
		gpu_backing_free(&b);
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	}
	cost = bytes + (uint64_t)b.niov * sizeof(struct iovec);
	if (!gpu_hostmem_take(g, cost)) {
		gpu_backing_free(&b);
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	b.iov = g_new(struct iovec, b.niov);
	gpu_backing_fill(mem, &b);
	b.valid = true;
	b.cost = cost;
	res->back = b;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/**
 * gpu_res_destroy() - Remove a resource from the table and free it
 * @g:		Instance
 * @res:	Resource
 */
void gpu_res_destroy(struct gpu *g, struct gpu_res *res)
{
	gpu_scanout_detach(g, res);
	if (res->is_3d)
		gpu_virgl_unref(g, res);
	gpu_hostmem_give(g, res->hostmem + res->back.cost);
	gpu_backing_free(&res->back);
	g_hash_table_remove(g->res, GUINT_TO_POINTER(res->id));
	g_free(res->data);
	g_free(res);
}

/**
 * gpu_res_clear() - Forget every resource (device reset)
 * @g:		Instance
 */
void gpu_res_clear(struct gpu *g)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, g->res);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct gpu_res *res = v;

		g_hash_table_iter_steal(&it);
		gpu_backing_free(&res->back);
		g_free(res->data);
		g_free(res);
	}
	g->hostmem = 0;
}

/**
 * gpu_res_mem_changed() - The memory table changed: backings are
 * translated again when next used
 * @g:		Instance (worker paused)
 */
void gpu_res_mem_changed(struct gpu *g)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, g->res);
	while (g_hash_table_iter_next(&it, NULL, &v))
		((struct gpu_res *)v)->back.valid = false;
}
