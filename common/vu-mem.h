/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-mem.h - guest memory: the region table and bounds-checked translation of
 * guest physical and front-end user addresses to our own pointers.
 */
#ifndef VU_MEM_H
#define VU_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vu-msg.h"

/* Slots offered with CONFIGURE_MEM_SLOTS (what libvhost-user offers) */
#define VU_MEM_MAX_SLOTS 509

/**
 * struct vu_region - one mapped guest memory region
 * @gpa:	Guest physical address of the first byte
 * @size:	Size in bytes
 * @uva:	Front-end user address of the first byte
 * @mmap_offset: Offset of the first byte in the mapping
 * @mmap_addr:	Start of our mapping (covers size + mmap_offset bytes)
 * @mmap_size:	Length of our mapping
 */
struct vu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
	uint8_t *mmap_addr;
	size_t mmap_size;
};

/**
 * struct vu_mem - the guest memory table, regions sorted by @gpa
 * @regions:	Regions, sorted by guest physical address, not overlapping
 * @n:		Number of regions in use
 */
struct vu_mem {
	struct vu_region regions[VU_MEM_MAX_SLOTS];
	unsigned int n;
};

void vu_mem_init(struct vu_mem *mem);
int vu_mem_add(struct vu_mem *mem, const struct vu_mem_region *r, int fd);
int vu_mem_remove(struct vu_mem *mem, const struct vu_mem_region *r);
void vu_mem_clear(struct vu_mem *mem);
void *vu_mem_gpa(const struct vu_mem *mem, uint64_t gpa, uint64_t *len);
void *vu_mem_gpa_find(const struct vu_mem *mem, uint64_t gpa, uint64_t *len,
		      unsigned int *hint);
void *vu_mem_gpa_range(const struct vu_mem *mem, uint64_t gpa, uint64_t len);
void *vu_mem_uva_range(const struct vu_mem *mem, uint64_t uva, uint64_t len);
bool vu_mem_va_to_gpa(const struct vu_mem *mem, const void *va, uint64_t *gpa,
		      uint64_t *len);

/**
 * vu_mem_gpa_hint() - vu_mem_gpa(), trying a remembered region first
 * @mem:	Table
 * @gpa:	Guest physical address
 * @len:	As for vu_mem_gpa()
 * @hint:	In: index of the region that held the last address (any
 *		value: it is checked); out: the region holding @gpa
 *
 * A queue's buffers mostly lie in one region: the table search is then
 * skipped. A stale hint after the table changed is harmless, since the
 * region it names is checked against @gpa. Inline: it runs for every
 * buffer.
 *
 * Return: our pointer to @gpa, or NULL if no region holds it
 */
static inline void *vu_mem_gpa_hint(const struct vu_mem *mem, uint64_t gpa,
				    uint64_t *len, unsigned int *hint)
{
	const struct vu_region *r;
	uint64_t off;

	if (*hint >= mem->n)
		return vu_mem_gpa_find(mem, gpa, len, hint);
	r = &mem->regions[*hint];
	off = gpa - r->gpa;
	if (off >= r->size)
		return vu_mem_gpa_find(mem, gpa, len, hint);
	if (len && *len > r->size - off)
		*len = r->size - off;
	return r->mmap_addr + r->mmap_offset + off;
}

#endif /* VU_MEM_H */
