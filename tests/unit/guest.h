/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest.h - a fake guest for unit tests: guest RAM in a memfd, mapped into a
 * struct vu_mem exactly as the device layer would map it, plus a bump
 * allocator for rings and buffers at guest physical addresses.
 */
#ifndef TEST_GUEST_H
#define TEST_GUEST_H

#include <stdint.h>

#include "vu-mem.h"

#define GUEST_GPA_BASE 0x100000ull	/* guest physical address of byte 0 */
#define GUEST_UVA_BASE 0x7f0000000000ull	/* "front-end user address" */

/**
 * struct guest - a fake guest memory
 * @fd:		memfd holding guest RAM
 * @ram:	Test's own mapping of the memfd
 * @size:	Bytes of RAM
 * @next:	Bump allocator: next free offset
 * @mem:	The device-side memory table, one region
 */
struct guest {
	int fd;
	uint8_t *ram;
	uint64_t size;
	uint64_t next;
	struct vu_mem mem;
};

void guest_init(struct guest *g, uint64_t size);
void guest_fini(struct guest *g);
uint64_t guest_alloc(struct guest *g, uint64_t len, uint64_t align);
void *guest_ptr(struct guest *g, uint64_t gpa);
uint64_t guest_uva(uint64_t gpa);

#endif /* TEST_GUEST_H */
