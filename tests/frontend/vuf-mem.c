// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-mem.c - libvuf guest memory: regions in memfds at chosen guest physical
 * addresses, a bump allocator, translation, and the memory table messages.
 * A region's user address is our own mapping of it, as with QEMU.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vuf-priv.h"

/**
 * struct vuf_mreg - one region slot
 * @used:		Slot holds a region
 * @fd:			memfd
 * @map:		Our mapping of the whole fd (from offset 0)
 * @map_len:		Bytes mapped: @mmap_offset + @size
 * @gpa:		Guest physical address of the region's first byte
 * @size:		Region bytes
 * @mmap_offset:	Offset of the first byte in @fd and @map
 * @next:		Bump allocator: next free offset in the region
 */
struct vuf_mreg {
	bool used;
	int fd;
	uint8_t *map;
	uint64_t map_len;
	uint64_t gpa;
	uint64_t size;
	uint64_t mmap_offset;
	uint64_t next;
};

/**
 * struct vuf_mem - guest memory
 * @r:		Region slots; indices stay valid when regions are removed
 * @n:		Number of slots
 */
struct vuf_mem {
	struct vuf_mreg *r;
	unsigned int n;
};

/**
 * vuf_mem_new() - Create an empty guest memory
 *
 * Return: the memory (never NULL)
 */
struct vuf_mem *vuf_mem_new(void)
{
	return g_new0(struct vuf_mem, 1);
}

/**
 * release() - Unmap and close one region slot
 * @r:		Slot
 */
static void release(struct vuf_mreg *r)
{
	if (!r->used)
		return;
	munmap(r->map, r->map_len);
	close(r->fd);
	r->used = false;
}

/**
 * vuf_mem_free() - Unmap and close every region
 * @m:		Memory, or NULL
 */
void vuf_mem_free(struct vuf_mem *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		release(&m->r[i]);
	g_free(m->r);
	g_free(m);
}

/**
 * overlaps() - Whether a guest range overlaps an existing region
 * @m:		Memory
 * @gpa:	Start
 * @size:	Bytes (non-zero, no overflow)
 *
 * Return: true on overlap
 */
static bool overlaps(const struct vuf_mem *m, uint64_t gpa, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct vuf_mreg *r = &m->r[i];

		if (r->used && gpa < r->gpa + r->size && r->gpa < gpa + size)
			return true;
	}
	return false;
}

/**
 * vuf_mem_add_region() - Add a region backed by a new memfd
 * @m:		Memory
 * @gpa:	Guest physical address of the region
 * @size:	Bytes
 * @mmap_offset: Bytes of the memfd before the region (any value, so that a
 *		back-end's handling of unaligned offsets can be checked)
 *
 * Return: region index (>= 0), -EINVAL, -EEXIST on overlap, or -errno
 */
int vuf_mem_add_region(struct vuf_mem *m, uint64_t gpa, uint64_t size,
		       uint64_t mmap_offset)
{
	struct vuf_mreg r = { .used = true, .gpa = gpa, .size = size,
			      .mmap_offset = mmap_offset };
	int err;

	if (!size || gpa + size < gpa || mmap_offset > (1ull << 40) ||
	    size > (1ull << 40))
		return -EINVAL;
	if (overlaps(m, gpa, size))
		return -EEXIST;
	r.map_len = size + mmap_offset;
	r.fd = memfd_create("vuf-guest", MFD_CLOEXEC);
	if (r.fd < 0)
		return -errno;
	if (ftruncate(r.fd, (off_t)r.map_len))
		goto fail;
	r.map = mmap(NULL, r.map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r.fd, 0);
	if (r.map == MAP_FAILED)
		goto fail;
	m->r = g_renew(struct vuf_mreg, m->r, m->n + 1);
	m->r[m->n] = r;
	return (int)m->n++;
fail:
	err = errno;
	close(r.fd);
	return -err;
}

/**
 * vuf_mem_remove_region() - Unmap a region (after REM_MEM_REG, typically)
 * @m:		Memory
 * @idx:	Region index
 *
 * Return: 0 or -ENOENT
 */
int vuf_mem_remove_region(struct vuf_mem *m, unsigned int idx)
{
	if (idx >= m->n || !m->r[idx].used)
		return -ENOENT;
	release(&m->r[idx]);
	return 0;
}

/**
 * vuf_mem_slots() - Number of region slots (removed ones included)
 * @m:		Memory
 *
 * Return: one more than the highest region index ever returned
 */
unsigned int vuf_mem_slots(const struct vuf_mem *m)
{
	return m->n;
}

/**
 * vuf_mem_region() - Describe one region
 * @m:		Memory
 * @idx:	Region index
 * @out:	Description
 *
 * Return: 0, or -ENOENT for a removed or unknown index
 */
int vuf_mem_region(const struct vuf_mem *m, unsigned int idx,
		   struct vuf_region *out)
{
	const struct vuf_mreg *r;

	if (idx >= m->n || !m->r[idx].used)
		return -ENOENT;
	r = &m->r[idx];
	out->gpa = r->gpa;
	out->size = r->size;
	out->ptr = r->map + r->mmap_offset;
	out->uva = (uint64_t)(uintptr_t)out->ptr;
	out->mmap_offset = r->mmap_offset;
	out->fd = r->fd;
	return 0;
}

/**
 * vuf_mem_ptr() - Translate a guest physical range to a pointer
 * @m:		Memory
 * @gpa:	Guest physical address
 * @len:	Bytes that must all lie in one region (0 counts as 1)
 *
 * Return: pointer, or NULL if the range is not entirely inside one region
 */
void *vuf_mem_ptr(const struct vuf_mem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	if (!len)
		len = 1;
	for (i = 0; i < m->n; i++) {
		const struct vuf_mreg *r = &m->r[i];

		if (r->used && gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->map + r->mmap_offset + (gpa - r->gpa);
	}
	return NULL;
}

/**
 * vuf_mem_uva() - Translate a guest physical address to our user address
 * @m:		Memory
 * @gpa:	Guest physical address
 *
 * Return: user address, or VUF_GPA_INVALID if not mapped
 */
uint64_t vuf_mem_uva(const struct vuf_mem *m, uint64_t gpa)
{
	void *p = vuf_mem_ptr(m, gpa, 1);

	return p ? (uint64_t)(uintptr_t)p : VUF_GPA_INVALID;
}

/**
 * vuf_mem_alloc() - Allocate guest memory (never freed)
 * @m:		Memory
 * @len:	Bytes (non-zero)
 * @align:	Alignment of the guest physical address (power of two)
 *
 * Return: guest physical address of zeroed memory from the first region
 * with room, or VUF_GPA_INVALID
 */
uint64_t vuf_mem_alloc(struct vuf_mem *m, uint64_t len, uint64_t align)
{
	unsigned int i;

	if (!len || !align || (align & (align - 1)))
		return VUF_GPA_INVALID;
	for (i = 0; i < m->n; i++) {
		struct vuf_mreg *r = &m->r[i];
		uint64_t gpa;

		if (!r->used)
			continue;
		gpa = (r->gpa + r->next + align - 1) & ~(align - 1);
		if (gpa < r->gpa + r->next || gpa - r->gpa > r->size ||
		    len > r->size - (gpa - r->gpa))
			continue;
		r->next = gpa - r->gpa + len;
		return gpa;
	}
	return VUF_GPA_INVALID;
}

/**
 * wire_region() - Describe a region as the messages carry it
 * @r:		Region slot
 * @w:		Wire description
 */
static void wire_region(const struct vuf_mreg *r, struct vuf_wire_region *w)
{
	w->guest_addr = r->gpa;
	w->size = r->size;
	w->user_addr = (uint64_t)(uintptr_t)(r->map + r->mmap_offset);
	w->mmap_offset = r->mmap_offset;
}

/**
 * vuf_set_mem_table() - SET_MEM_TABLE with every region of @m
 * @c:		Connection
 * @m:		Memory (at most VUF_MEM_TABLE_MAX regions)
 *
 * Return: 0, -E2BIG for too many regions, or -errno
 */
int vuf_set_mem_table(struct vuf_conn *c, const struct vuf_mem *m)
{
	struct vuf_wire_mem_table t = { 0 };
	int fds[VUF_MEM_TABLE_MAX];
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		if (!m->r[i].used)
			continue;
		if (t.nregions == VUF_MEM_TABLE_MAX)
			return vuf_fail(c, E2BIG, "SET_MEM_TABLE: more than %u "
					"regions", VUF_MEM_TABLE_MAX);
		wire_region(&m->r[i], &t.regions[t.nregions]);
		fds[t.nregions++] = m->r[i].fd;
	}
	return vuf_request(c, VUF_SET_MEM_TABLE, &t,
			   8 + t.nregions * sizeof(t.regions[0]), fds,
			   t.nregions, 0, NULL);
}

/**
 * mem_single() - Send ADD_MEM_REG or REM_MEM_REG for one region
 * @c:		Connection
 * @m:		Memory
 * @idx:	Region index
 * @request:	VUF_ADD_MEM_REG (passes the fd) or VUF_REM_MEM_REG (no fd)
 *
 * Return: 0, -ENOENT for an unknown region, or -errno
 */
static int mem_single(struct vuf_conn *c, const struct vuf_mem *m,
		      unsigned int idx, uint32_t request)
{
	struct vuf_wire_mem_single s = { 0 };
	bool add = request == VUF_ADD_MEM_REG;

	if (idx >= m->n || !m->r[idx].used)
		return vuf_fail(c, ENOENT, "%s: no region %u",
				vuf_request_name(request), idx);
	wire_region(&m->r[idx], &s.region);
	return vuf_request(c, request, &s, sizeof(s), &m->r[idx].fd, add, 0,
			   NULL);
}

/**
 * vuf_add_mem_reg() - ADD_MEM_REG of one region
 * @c:		Connection
 * @m:		Memory
 * @idx:	Region index
 *
 * Return: 0 or -errno
 */
int vuf_add_mem_reg(struct vuf_conn *c, const struct vuf_mem *m,
		    unsigned int idx)
{
	return mem_single(c, m, idx, VUF_ADD_MEM_REG);
}

/**
 * vuf_rem_mem_reg() - REM_MEM_REG of one region (the region stays mapped
 * here until vuf_mem_remove_region())
 * @c:		Connection
 * @m:		Memory
 * @idx:	Region index
 *
 * Return: 0 or -errno
 */
int vuf_rem_mem_reg(struct vuf_conn *c, const struct vuf_mem *m,
		    unsigned int idx)
{
	return mem_single(c, m, idx, VUF_REM_MEM_REG);
}
