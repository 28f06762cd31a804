// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guest.c - a fake guest memory for unit tests (see guest.h).
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "guest.h"

/**
 * guest_init() - Create guest RAM and map it as the device layer would
 * @g:		Guest to initialise
 * @size:	Bytes of RAM (page multiple)
 */
void guest_init(struct guest *g, uint64_t size)
{
	struct vu_mem_region r = {
		.guest_addr = GUEST_GPA_BASE,
		.size = size,
		.user_addr = GUEST_UVA_BASE,
		.mmap_offset = 0,
	};

	memset(g, 0, sizeof(*g));
	g->fd = memfd_create("guest", MFD_CLOEXEC);
	g_assert_cmpint(g->fd, >=, 0);
	g_assert_cmpint(ftruncate(g->fd, (off_t)size), ==, 0);
	g->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	g_assert(g->ram != MAP_FAILED);
	g->size = size;
	vu_mem_init(&g->mem);
	g_assert_cmpint(vu_mem_add(&g->mem, &r, dup(g->fd)), ==, 0);
}

/**
 * guest_fini() - Release a fake guest
 * @g:		Guest
 */
void guest_fini(struct guest *g)
{
	vu_mem_clear(&g->mem);
	munmap(g->ram, g->size);
	close(g->fd);
}

/**
 * guest_alloc() - Allocate zeroed guest memory
 * @g:		Guest
 * @len:	Bytes
 * @align:	Alignment (power of two)
 *
 * Return: guest physical address of the allocation
 */
uint64_t guest_alloc(struct guest *g, uint64_t len, uint64_t align)
{
	uint64_t off = (g->next + align - 1) & ~(align - 1);

	g_assert_cmpuint(off + len, <=, g->size);
	g->next = off + len;
	memset(g->ram + off, 0, len);
	return GUEST_GPA_BASE + off;
}

/**
 * guest_ptr() - The test's pointer to a guest physical address
 * @g:		Guest
 * @gpa:	Guest physical address inside RAM
 *
 * Return: pointer into the test's mapping
 */
void *guest_ptr(struct guest *g, uint64_t gpa)
{
	g_assert_cmpuint(gpa, >=, GUEST_GPA_BASE);
	g_assert_cmpuint(gpa - GUEST_GPA_BASE, <, g->size);
	return g->ram + (gpa - GUEST_GPA_BASE);
}

/**
 * guest_uva() - The front-end user address of a guest physical address
 * @gpa:	Guest physical address
 *
 * Return: user address, as SET_VRING_ADDR would carry it
 */
uint64_t guest_uva(uint64_t gpa)
{
	return gpa - GUEST_GPA_BASE + GUEST_UVA_BASE;
}
