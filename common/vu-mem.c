// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-mem.c - the guest memory table: regions mapped from the front-end's fds,
 * kept sorted by guest physical address, and bounds-checked translations.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vu-mem.h"

/**
 * vu_mem_init() - Initialise an empty memory table
 * @mem:	Table
 */
void vu_mem_init(struct vu_mem *mem)
{
	memset(mem, 0, sizeof(*mem));
}

/**
 * vu_region_ptr() - Our pointer to the first byte of a region
 * @r:		Region
 *
 * Return: pointer to the byte at @r->gpa
 */
static uint8_t *vu_region_ptr(const struct vu_region *r)
{
	return r->mmap_addr + r->mmap_offset;
}

/**
 * vu_mem_lower_bound() - Index of the first region ending above an address
 * @mem:	Table
 * @gpa:	Guest physical address
 *
 * Regions are sorted and do not overlap, so their ends are sorted too.
 *
 * Return: index of the first region with gpa + size > @gpa, or @mem->n
 */
static unsigned int vu_mem_lower_bound(const struct vu_mem *mem, uint64_t gpa)
{
	unsigned int lo = 0, hi = mem->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct vu_region *r = &mem->regions[mid];

		if (r->gpa + r->size <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * vu_mem_find() - Find the region containing a guest physical address
 * @mem:	Table
 * @gpa:	Guest physical address
 *
 * Return: the region, or NULL if @gpa is in none
 */
static const struct vu_region *vu_mem_find(const struct vu_mem *mem,
					   uint64_t gpa)
{
	unsigned int i = vu_mem_lower_bound(mem, gpa);

	if (i < mem->n && mem->regions[i].gpa <= gpa)
		return &mem->regions[i];
	return NULL;
}

/**
 * vu_mem_fd_covers() - Does the fd hold every byte the region maps?
 * @fd:		Region fd
 * @len:	Bytes that will be mapped from offset 0
 *
 * Touching a shared mapping past the end of its file raises SIGBUS, so a
 * region larger than its memfd or file is refused here. (Only a front-end
 * that shrinks the file later, under its own guest's memory, can still do
 * that.) Other kinds of fd (devices) report no size and are trusted.
 *
 * Return: true if the fd is large enough, or its size is unknown
 */
static bool vu_mem_fd_covers(int fd, uint64_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	if (!S_ISREG(st.st_mode))
		return true;
	return (uint64_t)st.st_size >= len;
}

/**
 * vu_mem_region_valid() - Check a region description for overflows
 * @r:		Region as the front-end described it
 *
 * Return: true if the region is non-empty and no end address overflows
 */
static bool vu_mem_region_valid(const struct vu_mem_region *r)
{
	if (!r->size)
		return false;
	if (r->guest_addr + r->size < r->guest_addr)
		return false;
	if (r->user_addr + r->size < r->user_addr)
		return false;
	if (r->mmap_offset + r->size < r->mmap_offset)
		return false;
	return (uint64_t)(size_t)(r->mmap_offset + r->size) ==
	       r->mmap_offset + r->size;
}

/**
 * vu_mem_add() - Map a region and insert it in the table
 * @mem:	Table
 * @r:		Region as the front-end described it
 * @fd:		The region's fd: always closed, on success or failure
 *
 * Return: 0 on success, -EINVAL for an invalid or overlapping region,
 *	   -ENOSPC if the table is full, or the negative errno of mmap()
 */
int vu_mem_add(struct vu_mem *mem, const struct vu_mem_region *r, int fd)
{
	struct vu_region *slot;
	unsigned int i;
	size_t len;
	void *map;

	if (!vu_mem_region_valid(r)) {
		close(fd);
		return -EINVAL;
	}
	if (mem->n >= VU_MEM_MAX_SLOTS) {
		close(fd);
		return -ENOSPC;
	}
	i = vu_mem_lower_bound(mem, r->guest_addr);
	if (i < mem->n && mem->regions[i].gpa < r->guest_addr + r->size) {
		close(fd);
		return -EINVAL;
	}

	len = (size_t)(r->mmap_offset + r->size);
	if (!vu_mem_fd_covers(fd, len)) {
		close(fd);
		return -ERANGE;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);

	memmove(&mem->regions[i + 1], &mem->regions[i],
		(mem->n - i) * sizeof(mem->regions[0]));
	slot = &mem->regions[i];
	slot->gpa = r->guest_addr;
	slot->size = r->size;
	slot->uva = r->user_addr;
	slot->mmap_offset = r->mmap_offset;
	slot->mmap_addr = map;
	slot->mmap_size = len;
	mem->n++;
	return 0;
}

/**
 * vu_mem_drop() - Unmap the region at an index and close the gap
 * @mem:	Table
 * @i:		Index of the region
 */
static void vu_mem_drop(struct vu_mem *mem, unsigned int i)
{
	munmap(mem->regions[i].mmap_addr, mem->regions[i].mmap_size);
	memmove(&mem->regions[i], &mem->regions[i + 1],
		(mem->n - i - 1) * sizeof(mem->regions[0]));
	mem->n--;
	memset(&mem->regions[mem->n], 0, sizeof(mem->regions[0]));
}

/**
 * vu_mem_remove() - Unmap the region matching a description
 * @mem:	Table
 * @r:		Region: matched by guest address, user address and size
 *
 * Return: 0 on success, -ENOENT if no region matches
 */
int vu_mem_remove(struct vu_mem *mem, const struct vu_mem_region *r)
{
	const struct vu_region *found = vu_mem_find(mem, r->guest_addr);

	if (!found || found->gpa != r->guest_addr ||
	    found->uva != r->user_addr || found->size != r->size)
		return -ENOENT;
	vu_mem_drop(mem, (unsigned int)(found - mem->regions));
	return 0;
}

/**
 * vu_mem_clear() - Unmap every region
 * @mem:	Table
 */
void vu_mem_clear(struct vu_mem *mem)
{
	while (mem->n)
		vu_mem_drop(mem, mem->n - 1);
}

/**
 * vu_mem_gpa() - Translate a guest physical address
 * @mem:	Table
 * @gpa:	Guest physical address
 * @len:	In: bytes wanted; out: clamped to the bytes contiguous in the
 *		region holding @gpa (may be NULL)
 *
 * Return: our pointer to @gpa, or NULL if @gpa is in no region
 */
void *vu_mem_gpa(const struct vu_mem *mem, uint64_t gpa, uint64_t *len)
{
	unsigned int hint;

	return vu_mem_gpa_find(mem, gpa, len, &hint);
}

/**
 * vu_mem_gpa_find() - vu_mem_gpa_hint() when the hint missed: search the
 * table and remember the region found
 * @mem:	Table
 * @gpa:	Guest physical address
 * @len:	As for vu_mem_gpa()
 * @hint:	Set to the region holding @gpa
 *
 * Return: our pointer to @gpa, or NULL if no region holds it
 */
void *vu_mem_gpa_find(const struct vu_mem *mem, uint64_t gpa, uint64_t *len,
		      unsigned int *hint)
{
	const struct vu_region *r = vu_mem_find(mem, gpa);
	uint64_t left;

	if (!r)
		return NULL;
	*hint = (unsigned int)(r - mem->regions);
	left = r->gpa + r->size - gpa;
	if (len && *len > left)
		*len = left;
	return vu_region_ptr(r) + (gpa - r->gpa);
}

/**
 * vu_mem_gpa_range() - Translate a guest physical range inside one region
 * @mem:	Table
 * @gpa:	Guest physical address of the first byte
 * @len:	Bytes (0 allowed if @gpa is inside a region)
 *
 * Return: our pointer to @gpa, or NULL unless the whole range is in one region
 */
void *vu_mem_gpa_range(const struct vu_mem *mem, uint64_t gpa, uint64_t len)
{
	const struct vu_region *r = vu_mem_find(mem, gpa);

	if (!r || len > r->gpa + r->size - gpa)
		return NULL;
	return vu_region_ptr(r) + (gpa - r->gpa);
}

/**
 * vu_mem_uva_range() - Translate a front-end user address range
 * @mem:	Table
 * @uva:	Front-end user address of the first byte
 * @len:	Bytes (0 allowed if @uva is inside a region)
 *
 * Regions are not sorted by user address: this is a linear scan, meant for
 * ring setup, not the data path.
 *
 * Return: our pointer to @uva, or NULL unless the whole range is in one region
 */
void *vu_mem_uva_range(const struct vu_mem *mem, uint64_t uva, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->n; i++) {
		const struct vu_region *r = &mem->regions[i];

		if (uva < r->uva || uva - r->uva >= r->size)
			continue;
		if (len > r->size - (uva - r->uva))
			return NULL;
		return vu_region_ptr(r) + (uva - r->uva);
	}
	return NULL;
}

/**
 * vu_mem_va_to_gpa() - Find the guest physical address of one of our pointers
 * @mem:	Table
 * @va:		Pointer into our mapping of guest memory
 * @gpa:	Out: guest physical address of @va
 * @len:	In: bytes; out: clamped to the end of the region holding @va
 *
 * Return: true if @va lies in a region, false otherwise
 */
bool vu_mem_va_to_gpa(const struct vu_mem *mem, const void *va, uint64_t *gpa,
		      uint64_t *len)
{
	uintptr_t p = (uintptr_t)va;
	unsigned int i;

	for (i = 0; i < mem->n; i++) {
		const struct vu_region *r = &mem->regions[i];
		uintptr_t start = (uintptr_t)vu_region_ptr(r);

		if (p < start || p - start >= r->size)
			continue;
		*gpa = r->gpa + (p - start);
		if (*len > r->size - (p - start))
			*len = r->size - (p - start);
		return true;
	}
	return false;
}
