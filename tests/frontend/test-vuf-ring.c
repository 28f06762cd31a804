// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-vuf-ring.c - libvuf guest memory and driver-side rings, checked by
 * reading back guest memory and playing the device by hand.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "vuf.h"

#define GPA	0x100000ull
#define MEMSZ	(4ull << 20)

/**
 * struct ring - a test ring with pointers to its areas
 * @m:		Guest memory
 * @vq:		Virtqueue
 * @desc:	Descriptor table / ring
 * @avail:	Avail ring / driver event area
 * @used:	Used ring / device event area
 */
struct ring {
	struct vuf_mem *m;
	struct vuf_vq *vq;
	uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
};

/**
 * ring_new() - Create guest memory and a ring in it
 * @r:		Ring to fill
 * @size:	Ring size
 * @flags:	VUF_VQ_* flags
 */
static void ring_new(struct ring *r, uint16_t size, unsigned int flags)
{
	uint64_t d, a, u;

	r->m = vuf_mem_new();
	g_assert_cmpint(vuf_mem_add_region(r->m, GPA, MEMSZ, 0), ==, 0);
	r->vq = vuf_vq_new(r->m, 0, size, flags, 0);
	g_assert_nonnull(r->vq);
	vuf_vq_ring_gpa(r->vq, &d, &a, &u);
	r->desc = vuf_mem_ptr(r->m, d, 16);
	r->avail = vuf_mem_ptr(r->m, a, 4);
	r->used = vuf_mem_ptr(r->m, u, 4);
	g_assert_nonnull(r->desc);
}

/**
 * ring_free() - Free a test ring and its memory
 * @r:		Ring
 */
static void ring_free(struct ring *r)
{
	vuf_vq_free(r->vq);
	vuf_mem_free(r->m);
}

/**
 * ld16() - Read a little-endian u16
 * @p:		Pointer
 *
 * Return: value
 */
static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/**
 * ld32() - Read a little-endian u32
 * @p:		Pointer
 *
 * Return: value
 */
static uint32_t ld32(const uint8_t *p)
{
	return ld16(p) | (uint32_t)ld16(p + 2) << 16;
}

/**
 * ld64() - Read a little-endian u64
 * @p:		Pointer
 *
 * Return: value
 */
static uint64_t ld64(const uint8_t *p)
{
	return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

/**
 * st16() - Write a little-endian u16
 * @p:		Pointer
 * @v:		Value
 */
static void st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/**
 * st32() - Write a little-endian u32
 * @p:		Pointer
 * @v:		Value
 */
static void st32(uint8_t *p, uint32_t v)
{
	st16(p, (uint16_t)v);
	st16(p + 2, (uint16_t)(v >> 16));
}

/**
 * post_echo() - Post one chain: "hello" out, 64 bytes in
 * @r:		Ring
 * @indirect:	As one indirect descriptor
 *
 * Return: chain id
 */
static int post_echo(struct ring *r, bool indirect)
{
	struct iovec out = { (void *)"hello", 5 };
	uint32_t in = 64;

	return vuf_vq_post(r->vq, &out, 1, &in, 1, indirect);
}

/**
 * test_mem_regions() - Regions, overlap, translation bounds, allocation
 */
static void test_mem_regions(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_region reg;
	uint64_t a, b;

	g_assert_cmpint(vuf_mem_add_region(m, 0x1000, 0x3000, 0), ==, 0);
	g_assert_cmpint(vuf_mem_add_region(m, 0x10000, 0x2000, 123), ==, 1);
	g_assert_cmpint(vuf_mem_add_region(m, 0x3000, 0x2000, 0), ==, -EEXIST);
	g_assert_cmpint(vuf_mem_add_region(m, 0x0, 0, 0), ==, -EINVAL);
	g_assert_cmpint(vuf_mem_region(m, 1, &reg), ==, 0);
	g_assert_cmpuint(reg.mmap_offset, ==, 123);
	g_assert_cmpuint(reg.uva, ==, (uintptr_t)reg.ptr);
	g_assert(vuf_mem_ptr(m, 0x10000, 1) == reg.ptr);
	g_assert_cmpuint(vuf_mem_uva(m, 0x10010), ==, reg.uva + 0x10);
	g_assert_nonnull(vuf_mem_ptr(m, 0x3fff, 1));
	g_assert_null(vuf_mem_ptr(m, 0x3fff, 2));
	g_assert_null(vuf_mem_ptr(m, 0xfff, 1));
	g_assert_cmpuint(vuf_mem_uva(m, 0x4000), ==, VUF_GPA_INVALID);
	a = vuf_mem_alloc(m, 10, 1);
	b = vuf_mem_alloc(m, 10, 256);
	g_assert_cmpuint(a, ==, 0x1000);
	g_assert_cmpuint(b, ==, 0x1100);
	g_assert_cmpuint(vuf_mem_alloc(m, 0x2000, 8), ==, 0x1110);
	g_assert_cmpuint(vuf_mem_alloc(m, 0x1000, 8), ==, 0x10000);
	g_assert_cmpuint(vuf_mem_alloc(m, 0x1001, 1), ==, VUF_GPA_INVALID);
	g_assert_cmpuint(vuf_mem_alloc(m, 8, 3), ==, VUF_GPA_INVALID);
	g_assert_cmpint(vuf_mem_remove_region(m, 0), ==, 0);
	g_assert_cmpint(vuf_mem_remove_region(m, 0), ==, -ENOENT);
	g_assert_null(vuf_mem_ptr(m, 0x1000, 1));
	g_assert_cmpuint(vuf_mem_slots(m), ==, 2);
	vuf_mem_free(m);
}

/**
 * test_mem_fd_view() - A region's memfd holds the bytes at mmap_offset
 */
static void test_mem_fd_view(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_region reg;
	uint8_t *view;

	g_assert_cmpint(vuf_mem_add_region(m, 0x2000, 0x1000, 77), ==, 0);
	g_assert_cmpint(vuf_mem_region(m, 0, &reg), ==, 0);
	memcpy(vuf_mem_ptr(m, 0x2010, 4), "abcd", 4);
	view = mmap(NULL, 0x1000 + 77, PROT_READ, MAP_SHARED, reg.fd, 0);
	g_assert(view != MAP_FAILED);
	g_assert_cmpmem(view + 77 + 0x10, 4, "abcd", 4);
	munmap(view, 0x1000 + 77);
	vuf_mem_free(m);
}

/**
 * test_split_post() - A direct chain in the descriptor table and avail ring
 */
static void test_split_post(void)
{
	struct ring r;
	uint16_t d0, d1;
	uint32_t len;
	int id;

	ring_new(&r, 8, 0);
	id = post_echo(&r, false);
	g_assert_cmpint(id, ==, 0);
	g_assert_cmpuint(ld16(r.avail + 2), ==, 1);
	g_assert_cmpuint(ld16(r.avail + 4), ==, 0);
	d0 = 0;
	g_assert_cmpuint(ld16(r.desc + 12), ==, 1);		/* NEXT */
	d1 = ld16(r.desc + 14);
	g_assert_cmpuint(ld32(r.desc + 8), ==, 5);
	g_assert_cmpmem(vuf_mem_ptr(r.m, ld64(r.desc), 5), 5, "hello", 5);
	g_assert_cmpuint(ld16(r.desc + d1 * 16 + 12), ==, 2);	/* WRITE */
	g_assert_cmpuint(ld32(r.desc + d1 * 16 + 8), ==, 64);
	g_assert(vuf_vq_buf(r.vq, (uint16_t)id, 1, &len) ==
		 vuf_mem_ptr(r.m, ld64(r.desc + d1 * 16), 64));
	g_assert_cmpuint(len, ==, 64);
	g_assert_cmpuint(d0 != d1, ==, 1);
	g_assert_cmpuint(vuf_vq_room(r.vq), ==, 6);
	g_assert_cmpuint(vuf_vq_in_flight(r.vq), ==, 1);
	id = post_echo(&r, false);
	g_assert_cmpint(id, ==, 2);
	g_assert_cmpuint(ld16(r.avail + 2), ==, 2);
	g_assert_cmpuint(ld16(r.avail + 6), ==, 2);
	ring_free(&r);
}

/**
 * test_split_indirect() - One INDIRECT descriptor pointing at a table
 */
static void test_split_indirect(void)
{
	struct ring r;
	uint8_t *t;
	int id;

	ring_new(&r, 8, 0);
	id = post_echo(&r, true);
	g_assert_cmpint(id, ==, 0);
	g_assert_cmpuint(ld16(r.desc + 12), ==, 4);		/* INDIRECT */
	g_assert_cmpuint(ld32(r.desc + 8), ==, 32);
	t = vuf_mem_ptr(r.m, ld64(r.desc), 32);
	g_assert_nonnull(t);
	g_assert_cmpuint(ld16(t + 12), ==, 1);
	g_assert_cmpuint(ld16(t + 14), ==, 1);
	g_assert_cmpmem(vuf_mem_ptr(r.m, ld64(t), 5), 5, "hello", 5);
	g_assert_cmpuint(ld16(t + 16 + 12), ==, 2);
	g_assert_cmpuint(ld32(t + 16 + 8), ==, 64);
	g_assert_cmpuint(vuf_vq_room(r.vq), ==, 7);
	ring_free(&r);
}

/**
 * device_push_split() - Play the device: put one used element
 * @r:		Ring
 * @id:		Head id
 * @len:	Bytes written
 */
static void device_push_split(struct ring *r, uint32_t id, uint32_t len)
{
	uint16_t idx = ld16(r->used + 2);
	uint16_t size = vuf_vq_size(r->vq);

	st32(r->used + 4 + 8 * (idx % size), id);
	st32(r->used + 8 + 8 * (idx % size), len);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(r->used + 2, (uint16_t)(idx + 1));
}

/**
 * test_split_collect() - Used elements come back; bad ones are refused
 */
static void test_split_collect(void)
{
	struct vuf_used u[4];
	struct ring r;
	int a, b;

	ring_new(&r, 4, VUF_VQ_EVENT_IDX);
	a = post_echo(&r, false);
	b = post_echo(&r, false);
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, 0);
	device_push_split(&r, (uint32_t)b, 7);
	device_push_split(&r, (uint32_t)a, 9);
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, 2);
	g_assert_cmpuint(u[0].id, ==, b);
	g_assert_cmpuint(u[0].len, ==, 7);
	g_assert_cmpuint(u[1].id, ==, a);
	g_assert_cmpuint(vuf_vq_room(r.vq), ==, 4);
	g_assert_cmpuint(vuf_vq_in_flight(r.vq), ==, 0);
	/* drained: used_event asks for a call at the next used index */
	g_assert_cmpuint(ld16(r.avail + 4 + 2 * 4), ==, 2);
	a = post_echo(&r, false);
	device_push_split(&r, 3, 1);	/* id 3 is not a head in flight */
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, -EPROTO);
	g_assert_cmpstr(vuf_vq_error(r.vq), !=, "");
	ring_free(&r);
}

/**
 * test_split_full() - Posting into a full ring fails cleanly
 */
static void test_split_full(void)
{
	struct ring r;

	ring_new(&r, 4, 0);
	g_assert_cmpint(post_echo(&r, false), >=, 0);
	g_assert_cmpint(post_echo(&r, false), >=, 0);
	g_assert_cmpint(post_echo(&r, false), ==, -ENOSPC);
	g_assert_cmpint(post_echo(&r, true), ==, -ENOSPC);
	g_assert_null(vuf_vq_new(r.m, 1, 6, 0, 0));	/* split: power of 2 */
	ring_free(&r);
}

/**
 * test_split_kick() - avail_event and NO_NOTIFY decide whether to kick
 */
static void test_split_kick(void)
{
	struct ring r, e;
	uint64_t v;

	ring_new(&r, 8, 0);
	g_assert_false(vuf_vq_kick_needed(r.vq));
	post_echo(&r, false);
	g_assert_true(vuf_vq_kick_needed(r.vq));
	st16(r.used, 1);				/* NO_NOTIFY */
	g_assert_false(vuf_vq_kick_needed(r.vq));
	g_assert_cmpint(vuf_vq_notify(r.vq), ==, 0);
	st16(r.used, 0);
	post_echo(&r, false);
	g_assert_cmpint(vuf_vq_notify(r.vq), ==, 1);
	g_assert_cmpint(read(vuf_vq_kick_fd(r.vq), &v, 8), ==, 8);
	g_assert_cmpuint(v, ==, 1);
	g_assert_cmpuint(vuf_vq_kicks(r.vq), ==, 1);
	ring_free(&r);

	ring_new(&e, 8, VUF_VQ_EVENT_IDX);
	st16(e.used + 4 + 8 * 8, 1);			/* avail_event = 1 */
	post_echo(&e, false);				/* avail 0 -> 1 */
	g_assert_false(vuf_vq_kick_needed(e.vq));
	post_echo(&e, false);				/* 1 -> 2 crosses 1 */
	g_assert_true(vuf_vq_kick_needed(e.vq));
	g_assert_cmpuint(vuf_vq_avail_event(e.vq), ==, 1);
	g_assert_cmpint(vuf_vq_kick(e.vq), ==, 0);
	post_echo(&e, false);				/* 2 -> 3, event 1 */
	g_assert_false(vuf_vq_kick_needed(e.vq));
	vuf_vq_enable_calls(e.vq, false);
	g_assert_cmpuint(ld16(e.avail), ==, 1);
	vuf_vq_set_used_event(e.vq, 77);
	g_assert_cmpuint(ld16(e.avail + 4 + 2 * 8), ==, 77);
	ring_free(&e);
}

/**
 * test_split_base() - Base after a crash is used->idx from memory
 */
static void test_split_base(void)
{
	struct ring r;

	ring_new(&r, 8, 0);
	post_echo(&r, false);
	post_echo(&r, false);
	device_push_split(&r, 0, 1);
	g_assert_cmpuint(vuf_vq_base(r.vq), ==, 1);
	vuf_vq_set_base(r.vq, 5);
	g_assert_cmpuint(vuf_vq_base(r.vq), ==, 5);
	ring_free(&r);
}

/**
 * pdesc() - Pointer to a packed descriptor
 * @r:		Ring
 * @i:		Slot
 *
 * Return: pointer
 */
static uint8_t *pdesc(struct ring *r, unsigned int i)
{
	return r->desc + 16 * i;
}

/**
 * device_use_packed() - Play the device: mark slot @i used
 * @r:		Ring
 * @i:		Slot
 * @id:		Buffer id
 * @len:	Bytes written
 * @wrap:	Device wrap counter
 */
static void device_use_packed(struct ring *r, unsigned int i, uint16_t id,
			      uint32_t len, bool wrap)
{
	st16(pdesc(r, i) + 12, id);
	st32(pdesc(r, i) + 8, len);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(pdesc(r, i) + 14, wrap ? (1u << 7 | 1u << 15) : 0);
}

/**
 * test_packed_post() - Descriptors with AVAIL/USED bits, ids and chains
 */
static void test_packed_post(void)
{
	struct ring r;
	int id;

	ring_new(&r, 4, VUF_VQ_PACKED);
	id = post_echo(&r, false);
	g_assert_cmpint(id, ==, 0);
	/* AVAIL|NEXT, then AVAIL|WRITE */
	g_assert_cmpuint(ld16(pdesc(&r, 0) + 14), ==, 0x80 | 1);
	g_assert_cmpuint(ld16(pdesc(&r, 1) + 14), ==, 0x80 | 2);
	g_assert_cmpuint(ld16(pdesc(&r, 0) + 12), ==, 0);
	g_assert_cmpuint(ld16(pdesc(&r, 1) + 12), ==, 0);
	g_assert_cmpmem(vuf_mem_ptr(r.m, ld64(pdesc(&r, 0)), 5), 5, "hello", 5);
	g_assert_cmpuint(ld32(pdesc(&r, 1) + 8), ==, 64);
	id = post_echo(&r, true);
	g_assert_cmpint(id, ==, 1);
	/* AVAIL|INDIRECT */
	g_assert_cmpuint(ld16(pdesc(&r, 2) + 14), ==, 0x80 | 4);
	g_assert_cmpuint(ld32(pdesc(&r, 2) + 8), ==, 32);
	g_assert_cmpuint(ld16(pdesc(&r, 2) + 12), ==, 1);
	g_assert_cmpuint(ld16((uint8_t *)vuf_mem_ptr(r.m, ld64(pdesc(&r, 2)),
						 32) + 16 + 14), ==, 2);
	g_assert_cmpuint(vuf_vq_room(r.vq), ==, 1);
	g_assert_cmpint(post_echo(&r, false), ==, -ENOSPC);
	ring_free(&r);
}

/**
 * test_packed_wrap() - Used descriptors, id reuse and the wrap counters
 */
static void test_packed_wrap(void)
{
	struct vuf_used u[4];
	struct ring r;
	int a, b, c;

	ring_new(&r, 4, VUF_VQ_PACKED | VUF_VQ_EVENT_IDX);
	a = post_echo(&r, false);			/* slots 0-1 */
	b = post_echo(&r, true);			/* slot 2 */
	device_use_packed(&r, 0, (uint16_t)b, 3, true);
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, 1);
	g_assert_cmpuint(u[0].id, ==, b);
	g_assert_cmpuint(u[0].len, ==, 3);
	g_assert_cmpuint(vuf_vq_room(r.vq), ==, 2);
	/* next used slot is 1 (b took one slot), wrap 1 */
	g_assert_cmpuint(ld16(r.avail), ==, 1 | 0x8000);
	g_assert_cmpuint(ld16(r.avail + 2), ==, 2);	/* DESC mode */
	c = post_echo(&r, false);			/* slots 3, 0 */
	g_assert_cmpint(c, ==, b);
	g_assert_cmpuint(ld16(pdesc(&r, 3) + 14), ==, 0x80 | 1);
	g_assert_cmpuint(ld16(pdesc(&r, 0) + 14), ==, 0x8000 | 2);
	device_use_packed(&r, 1, (uint16_t)a, 5, true);
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, 1);
	g_assert_cmpuint(u[0].id, ==, a);
	device_use_packed(&r, 3, (uint16_t)c, 6, true);
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, 1);
	/* used position wrapped: slot 1, wrap 0 */
	g_assert_cmpuint(vuf_vq_base(r.vq), ==, 0x00010001);
	g_assert_cmpint(post_echo(&r, false), ==, 1);	/* slots 1-2, wrap 0 */
	device_use_packed(&r, 1, 3, 1, false);	/* id 3 not in flight */
	g_assert_cmpint(vuf_vq_collect(r.vq, u, 4), ==, -EPROTO);
	ring_free(&r);
}

/**
 * test_packed_kick() - The device event area decides whether to kick
 */
static void test_packed_kick(void)
{
	struct ring r;

	ring_new(&r, 4, VUF_VQ_PACKED | VUF_VQ_EVENT_IDX);
	post_echo(&r, false);				/* slots 0-1 */
	g_assert_true(vuf_vq_kick_needed(r.vq));	/* ENABLE */
	st16(r.used + 2, 1);				/* DISABLE */
	g_assert_false(vuf_vq_kick_needed(r.vq));
	st16(r.used + 2, 2);				/* DESC */
	st16(r.used, 1 | 0x8000);			/* slot 1, wrap 1 */
	g_assert_true(vuf_vq_kick_needed(r.vq));
	st16(r.used, 2 | 0x8000);			/* slot 2 not filled */
	g_assert_false(vuf_vq_kick_needed(r.vq));
	st16(r.used, 1);				/* wrong lap */
	g_assert_false(vuf_vq_kick_needed(r.vq));
	g_assert_cmpuint(vuf_vq_avail_event(r.vq), ==, 1);
	vuf_vq_enable_calls(r.vq, false);
	g_assert_cmpuint(ld16(r.avail + 2), ==, 1);
	vuf_vq_enable_calls(r.vq, true);
	g_assert_cmpuint(ld16(r.avail + 2), ==, 2);
	ring_free(&r);
}

/**
 * test_calls() - Calls are counted from the eventfd; silence times out
 */
static void test_calls(void)
{
	uint64_t one = 1;
	struct ring r;
	gint64 t0;

	ring_new(&r, 8, 0);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(vuf_vq_wait_call(r.vq, 50), ==, -ETIMEDOUT);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 40000);
	g_assert_cmpint(write(vuf_vq_call_fd(r.vq), &one, 8), ==, 8);
	g_assert_cmpint(write(vuf_vq_call_fd(r.vq), &one, 8), ==, 8);
	g_assert_cmpint(write(vuf_vq_call_fd(r.vq), &one, 8), ==, 8);
	g_assert_cmpint(vuf_vq_wait_call(r.vq, 50), ==, 0);
	g_assert_cmpuint(vuf_vq_calls(r.vq), ==, 3);
	ring_free(&r);
}

/**
 * test_ring_addr() - SET_VRING_ADDR carries our user addresses
 */
static void test_ring_addr(void)
{
	struct vuf_vring_addr a;
	uint64_t d, av, u;
	struct ring r;

	ring_new(&r, 16, 0);
	vuf_vq_ring_addr(r.vq, &a);
	vuf_vq_ring_gpa(r.vq, &d, &av, &u);
	g_assert_cmpuint(a.desc_user, ==, (uintptr_t)r.desc);
	g_assert_cmpuint(a.avail_user, ==, (uintptr_t)r.avail);
	g_assert_cmpuint(a.used_user, ==, (uintptr_t)r.used);
	g_assert_cmpuint(a.log_guest, ==, u);
	g_assert_cmpuint(d % 16, ==, 0);
	g_assert_cmpuint(u % 4, ==, 0);
	ring_free(&r);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vuf/mem/regions", test_mem_regions);
	g_test_add_func("/vuf/mem/fd-view", test_mem_fd_view);
	g_test_add_func("/vuf/split/post", test_split_post);
	g_test_add_func("/vuf/split/indirect", test_split_indirect);
	g_test_add_func("/vuf/split/collect", test_split_collect);
	g_test_add_func("/vuf/split/full", test_split_full);
	g_test_add_func("/vuf/split/kick", test_split_kick);
	g_test_add_func("/vuf/split/base", test_split_base);
	g_test_add_func("/vuf/packed/post", test_packed_post);
	g_test_add_func("/vuf/packed/wrap", test_packed_wrap);
	g_test_add_func("/vuf/packed/kick", test_packed_kick);
	g_test_add_func("/vuf/vq/calls", test_calls);
	g_test_add_func("/vuf/vq/ring-addr", test_ring_addr);
	return g_test_run();
}
