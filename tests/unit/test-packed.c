// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-packed.c - unit tests of the packed virtqueue layout (common/vu-packed.c)
 * through the common entry points: a test "driver" writes descriptors into a
 * fake guest's ring and checks what the device wrote back.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "guest.h"
#include "vu-log.h"
#include "vu-queue.h"

#define RAM_SIZE	(1u << 20)
#define MAX_IDS		64
#define IOV_MAX_TEST	32
#define F_PACKED	(1ull << VU_F_RING_PACKED)
#define F_INDIRECT	(1ull << VU_F_RING_INDIRECT_DESC)
#define F_EVENT_IDX	(1ull << VU_F_RING_EVENT_IDX)

/**
 * struct buf - one buffer the test driver offers
 * @gpa:	Guest physical address
 * @len:	Length
 * @flags:	Extra descriptor flags (WRITE, INDIRECT, or NEXT to force it)
 */
struct buf {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags;
};

/**
 * struct tring - a packed ring, the driver's view of it and the device queue
 * @g:		Fake guest
 * @vq:		Device side queue
 * @desc:	Test's pointer to the descriptor ring
 * @drv:	Test's pointer to the driver event area
 * @dev:	Test's pointer to the device event area
 * @desc_gpa:	Guest address of the descriptor ring
 * @dev_gpa:	Guest address of the device event area
 * @avail:	Driver: next slot to make available
 * @avail_wrap:	Driver: Driver Ring Wrap Counter
 * @used:	Driver: next slot to look for a used descriptor
 * @used_wrap:	Driver: expected Device Ring Wrap Counter at @used
 * @sgs:	Driver: descriptors in the chain of each buffer id
 * @iov_max:	iov_max handed to vu_queue_pop()
 * @iov:	iovecs for @elem
 * @elem:	Element popped last
 */
struct tring {
	struct guest g;
	struct vu_queue vq;
	struct vu_pdesc *desc;
	struct vu_pevent *drv;
	struct vu_pevent *dev;
	uint64_t desc_gpa;
	uint64_t dev_gpa;
	uint16_t avail;
	bool avail_wrap;
	uint16_t used;
	bool used_wrap;
	uint16_t sgs[MAX_IDS];
	unsigned int iov_max;
	struct iovec iov[IOV_MAX_TEST];
	struct vu_elem elem;
};

/**
 * ring_new() - Create a guest with a mapped packed ring
 * @size:	Queue size (at most 256: the ring fits in a page)
 * @features:	Features besides VIRTIO_F_RING_PACKED
 *
 * Each ring part gets its own page, so that dirty log bits tell them apart.
 *
 * Return: the ring, to be freed with ring_free()
 */
static struct tring *ring_new(uint16_t size, uint64_t features)
{
	struct tring *r = g_new0(struct tring, 1);
	uint64_t drv_gpa;

	guest_init(&r->g, RAM_SIZE);
	r->desc_gpa = guest_alloc(&r->g, (uint64_t)size * 16, 4096);
	drv_gpa = guest_alloc(&r->g, 4, 4096);
	r->dev_gpa = guest_alloc(&r->g, 4, 4096);
	r->desc = guest_ptr(&r->g, r->desc_gpa);
	r->drv = guest_ptr(&r->g, drv_gpa);
	r->dev = guest_ptr(&r->g, r->dev_gpa);
	vu_queue_init(&r->vq, 0);
	r->vq.size = size;
	r->vq.features = F_PACKED | features;
	r->vq.mem = &r->g.mem;
	r->vq.addr.desc_user = guest_uva(r->desc_gpa);
	r->vq.addr.avail_user = guest_uva(drv_gpa);
	r->vq.addr.used_user = guest_uva(r->dev_gpa);
	g_assert_cmpint(vu_queue_map(&r->vq), ==, 0);
	r->avail_wrap = true;
	r->used_wrap = true;
	r->iov_max = IOV_MAX_TEST;
	return r;
}

/**
 * ring_free() - Release a ring and its guest
 * @r:		Ring
 */
static void ring_free(struct tring *r)
{
	vu_queue_reset(&r->vq);
	guest_fini(&r->g);
	g_free(r);
}

/**
 * avail_bits() - AVAIL/USED flags of an available descriptor
 * @wrap:	Driver Ring Wrap Counter
 *
 * Return: the flags
 */
static uint16_t avail_bits(bool wrap)
{
	return wrap ? VU_DESC_F_AVAIL : VU_DESC_F_USED;
}

/**
 * drv_post() - Make a chain available, as a driver does: every descriptor
 *		but the first, then the first one's flags after a barrier
 * @r:		Ring
 * @bufs:	Buffers, in chain order
 * @n:		Number of buffers (at most the free slots)
 * @id:		Buffer id, written in the last descriptor only
 *
 * Return: the slot of the chain's first descriptor
 */
static uint16_t drv_post(struct tring *r, const struct buf *bufs,
			 unsigned int n, uint16_t id)
{
	uint16_t head = r->avail, head_flags = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vu_pdesc *d = &r->desc[r->avail];
		uint16_t f = bufs[i].flags | avail_bits(r->avail_wrap);

		if (i + 1 < n)
			f |= VU_DESC_F_NEXT;
		d->addr = bufs[i].gpa;
		d->len = bufs[i].len;
		d->id = i + 1 < n ? 0xbeef : id;	/* only the last counts */
		if (i)
			d->flags = f;
		else
			head_flags = f;
		if (++r->avail == r->vq.size) {
			r->avail = 0;
			r->avail_wrap = !r->avail_wrap;
		}
	}
	if (id < MAX_IDS)
		r->sgs[id] = (uint16_t)n;
	__atomic_store_n(&r->desc[head].flags, head_flags, __ATOMIC_RELEASE);
	return head;
}

/**
 * drv_used() - Read the next used descriptor, as a driver does
 * @r:		Ring
 * @id:		Out: buffer id
 * @len:	Out: length written
 * @flags:	Out: flags
 *
 * Return: true if a used descriptor was there (and the driver moved on by
 * the chain length of its buffer id)
 */
static bool drv_used(struct tring *r, uint16_t *id, uint32_t *len,
		     uint16_t *flags)
{
	struct vu_pdesc *d = &r->desc[r->used];
	uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE);

	if (!!(f & VU_DESC_F_USED) != r->used_wrap ||
	    !!(f & VU_DESC_F_AVAIL) != r->used_wrap)
		return false;
	*id = d->id;
	*len = d->len;
	*flags = f;
	g_assert_cmpuint(*id, <, MAX_IDS);
	g_assert_cmpuint(r->sgs[*id], >, 0);
	r->used += r->sgs[*id];
	if (r->used >= r->vq.size) {
		r->used -= r->vq.size;
		r->used_wrap = !r->used_wrap;
	}
	return true;
}

/**
 * dev_pop() - Pop through vu_queue_pop() into the ring's element
 * @r:		Ring
 *
 * Return: vu_queue_pop()'s result
 */
static int dev_pop(struct tring *r)
{
	memset(&r->elem, 0, sizeof(r->elem));
	r->elem.iov = r->iov;
	r->elem.iov_max = r->iov_max;
	return vu_queue_pop(&r->vq, &r->elem);
}

/**
 * data_buf() - Allocate a guest buffer filled with a pattern
 * @r:		Ring
 * @len:	Bytes
 * @seed:	Byte i holds seed + i
 *
 * Return: its guest physical address
 */
static uint64_t data_buf(struct tring *r, uint32_t len, uint8_t seed)
{
	uint64_t gpa = guest_alloc(&r->g, len, 16);
	uint8_t *p = guest_ptr(&r->g, gpa);
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i);
	return gpa;
}

/**
 * dev_ptr() - The device's pointer to a guest address
 * @r:		Ring
 * @gpa:	Guest physical address
 *
 * The device maps guest memory separately from the test's own mapping.
 *
 * Return: pointer in the device's mapping
 */
static void *dev_ptr(struct tring *r, uint64_t gpa)
{
	void *p = vu_mem_gpa_range(&r->g.mem, gpa, 1);

	g_assert_nonnull(p);
	return p;
}

/**
 * expect_used() - Check the next used descriptor
 * @r:		Ring
 * @id:		Expected buffer id
 * @len:	Expected length (also decides VU_DESC_F_WRITE)
 */
static void expect_used(struct tring *r, uint16_t id, uint32_t len)
{
	uint16_t got_id, flags;
	uint32_t got_len;

	g_assert_true(drv_used(r, &got_id, &got_len, &flags));
	g_assert_cmpuint(got_id, ==, id);
	g_assert_cmpuint(got_len, ==, len);
	g_assert_cmpuint(!!(flags & VU_DESC_F_WRITE), ==, len != 0);
	g_assert_cmpuint(flags & (VU_DESC_F_NEXT | VU_DESC_F_INDIRECT), ==, 0);
}

/**
 * expect_no_used() - Check that no used descriptor is waiting for the driver
 * @r:		Ring
 */
static void expect_no_used(struct tring *r)
{
	uint16_t id, flags;
	uint32_t len;

	g_assert_false(drv_used(r, &id, &len, &flags));
}

/**
 * expect_in_sync() - Check the device's positions against the driver's
 * @r:		Ring with nothing in flight
 */
static void expect_in_sync(struct tring *r)
{
	g_assert_cmpuint(r->vq.last_avail_idx, ==, r->avail);
	g_assert_cmpuint(r->vq.avail_wrap, ==, r->avail_wrap);
	g_assert_cmpuint(r->vq.used_idx, ==, r->used);
	g_assert_cmpuint(r->vq.used_wrap, ==, r->used_wrap);
}

/**
 * test_single() - One readable buffer: popped, pushed, ring empty after
 */
static void test_single(void)
{
	struct tring *r = ring_new(8, 0);
	struct buf b = { data_buf(r, 32, 7), 32, 0 };
	const uint8_t *p;
	struct vu_elem e;

	g_assert_true(vu_queue_empty(&r->vq));
	g_assert_cmpint(dev_pop(r), ==, 0);
	drv_post(r, &b, 1, 5);
	g_assert_false(vu_queue_empty(&r->vq));
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, 5);
	g_assert_cmpuint(r->elem.ndescs, ==, 1);
	g_assert_cmpuint(r->elem.out_num, ==, 1);
	g_assert_cmpuint(r->elem.in_num, ==, 0);
	g_assert_cmpuint(r->iov[0].iov_len, ==, 32);
	p = r->iov[0].iov_base;
	g_assert_true(p == dev_ptr(r, b.gpa));
	g_assert_cmpuint(p[31], ==, 7 + 31);
	g_assert_cmpuint(r->vq.inuse, ==, 1);
	e = r->elem;
	g_assert_cmpint(dev_pop(r), ==, 0);
	expect_no_used(r);
	vu_queue_push(&r->vq, &e, 0);
	g_assert_cmpuint(r->vq.inuse, ==, 0);
	g_assert_cmpuint(r->desc[0].flags, ==, VU_DESC_F_AVAIL | VU_DESC_F_USED);
	expect_used(r, 5, 0);
	expect_in_sync(r);
	g_assert_true(vu_queue_empty(&r->vq));
	ring_free(r);
}

/**
 * test_chain() - A chain of readable then writable buffers: id from the last
 *		  descriptor, one used descriptor, used index moves by 3
 */
static void test_chain(void)
{
	struct tring *r = ring_new(8, 0);
	struct buf b[3] = {
		{ data_buf(r, 16, 1), 16, 0 },
		{ data_buf(r, 100, 2), 100, VU_DESC_F_WRITE },
		{ data_buf(r, 200, 3), 200, VU_DESC_F_WRITE },
	};

	drv_post(r, b, 3, 9);
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, 9);
	g_assert_cmpuint(r->elem.ndescs, ==, 3);
	g_assert_cmpuint(r->elem.out_num, ==, 1);
	g_assert_cmpuint(r->elem.in_num, ==, 2);
	g_assert_true(r->iov[1].iov_base == dev_ptr(r, b[1].gpa));
	g_assert_cmpuint(r->iov[2].iov_len, ==, 200);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 3);
	vu_queue_push(&r->vq, &r->elem, 250);
	g_assert_cmpuint(r->vq.used_idx, ==, 3);
	/* Only the first slot of the chain is overwritten */
	g_assert_cmpuint(r->desc[1].id, ==, 0xbeef);
	expect_used(r, 9, 250);
	expect_in_sync(r);
	ring_free(r);
}

/**
 * cycle() - Post a chain of @n buffers, pop it, check it and push it back
 * @r:		Ring
 * @n:		Buffers (the last @n / 2 writable)
 * @id:		Buffer id
 * @len:	Length to push
 */
static void cycle(struct tring *r, unsigned int n, uint16_t id, uint32_t len)
{
	struct buf b[8];
	unsigned int i;

	g_assert_cmpuint(n, <=, G_N_ELEMENTS(b));
	for (i = 0; i < n; i++) {
		b[i].gpa = GUEST_GPA_BASE + RAM_SIZE / 2 + i * 64;
		b[i].len = 64;
		b[i].flags = i >= n - n / 2 ? VU_DESC_F_WRITE : 0;
	}
	drv_post(r, b, n, id);
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, id);
	g_assert_cmpuint(r->elem.ndescs, ==, n);
	g_assert_cmpuint(r->elem.in_num, ==, n / 2);
	g_assert_cmpuint(r->elem.out_num, ==, n - n / 2);
	vu_queue_push(&r->vq, &r->elem, len);
}

/**
 * test_full_chain() - A chain as long as the queue is accepted, twice
 */
static void test_full_chain(void)
{
	struct tring *r = ring_new(4, 0);

	r->iov_max = 4;
	cycle(r, 4, 3, 64);
	expect_used(r, 3, 64);
	cycle(r, 4, 2, 0);
	expect_used(r, 2, 0);
	expect_in_sync(r);
	g_assert_true(r->vq.avail_wrap);
	ring_free(r);
}

/**
 * test_wrap_chain() - A chain running over the end of the ring
 */
static void test_wrap_chain(void)
{
	struct tring *r = ring_new(8, 0);
	unsigned int i;

	for (i = 0; i < 6; i++) {
		cycle(r, 1, (uint16_t)i, i);
		expect_used(r, (uint16_t)i, i);
	}
	cycle(r, 3, 42, 1000);		/* slots 6, 7, 0 */
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 1);
	g_assert_false(r->vq.avail_wrap);
	g_assert_cmpuint(r->vq.used_idx, ==, 1);
	g_assert_false(r->vq.used_wrap);
	g_assert_cmpuint(r->desc[6].flags & VU_DESC_F_USED, !=, 0);
	expect_used(r, 42, 1000);
	expect_in_sync(r);
	/* Next lap: descriptors now need AVAIL=0, USED=1 */
	cycle(r, 2, 43, 0);
	g_assert_cmpuint(r->desc[1].flags & (VU_DESC_F_AVAIL | VU_DESC_F_USED),
			 ==, 0);
	expect_used(r, 43, 0);
	expect_in_sync(r);
	ring_free(r);
}

/**
 * test_laps() - Many laps of chains of 1 to 3 descriptors on a small ring:
 *		 both wrap counters flip once per lap and stay in step
 */
static void test_laps(void)
{
	struct tring *r = ring_new(4, 0);
	unsigned int i, slots = 0, flips = 0;
	bool wrap = true;

	for (i = 0; i < 40; i++) {
		unsigned int n = i % 3 + 1;

		cycle(r, n, (uint16_t)(i % MAX_IDS), i * 3);
		expect_used(r, (uint16_t)(i % MAX_IDS), i * 3);
		expect_in_sync(r);
		expect_no_used(r);
		slots += n;
		if (r->vq.avail_wrap != wrap) {
			flips++;
			wrap = r->vq.avail_wrap;
		}
	}
	g_assert_cmpuint(slots, >, 2 * 4);
	g_assert_cmpuint(flips, ==, slots / 4);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, slots % 4);
	g_assert_cmpuint(r->vq.avail_wrap, ==, (slots / 4) % 2 == 0);
	ring_free(r);
}

/**
 * test_out_of_order() - Chains completed out of order: used descriptors are
 *			 written in completion order, each moving on by its
 *			 own chain's slot count
 */
static void test_out_of_order(void)
{
	struct tring *r = ring_new(8, 0);
	struct buf b[3] = {
		{ data_buf(r, 8, 0), 8, 0 },
		{ data_buf(r, 8, 0), 8, VU_DESC_F_WRITE },
		{ data_buf(r, 8, 0), 8, VU_DESC_F_WRITE },
	};
	struct vu_elem e[3];
	struct iovec iov[3][4];
	unsigned int i;

	drv_post(r, b, 2, 1);
	drv_post(r, b, 1, 2);
	drv_post(r, b, 3, 3);
	for (i = 0; i < 3; i++) {
		e[i] = (struct vu_elem){ .iov = iov[i], .iov_max = 4 };
		g_assert_cmpint(vu_queue_pop(&r->vq, &e[i]), ==, 1);
		g_assert_cmpuint(e[i].id, ==, i + 1);
	}
	g_assert_cmpuint(r->vq.inuse, ==, 3);
	vu_queue_push(&r->vq, &e[2], 30);
	g_assert_cmpuint(r->vq.used_idx, ==, 3);
	vu_queue_push(&r->vq, &e[0], 10);
	g_assert_cmpuint(r->vq.used_idx, ==, 5);
	vu_queue_push(&r->vq, &e[1], 20);
	g_assert_cmpuint(r->vq.used_idx, ==, 6);
	g_assert_cmpuint(r->desc[0].id, ==, 3);
	g_assert_cmpuint(r->desc[3].id, ==, 1);
	g_assert_cmpuint(r->desc[5].id, ==, 2);
	expect_used(r, 3, 30);
	expect_used(r, 1, 10);
	expect_used(r, 2, 20);
	expect_no_used(r);
	expect_in_sync(r);
	ring_free(r);
}

/**
 * put_table() - Write an indirect table into guest memory
 * @r:		Ring
 * @bufs:	Entries
 * @n:		Number of entries
 *
 * Return: the table's guest physical address
 */
static uint64_t put_table(struct tring *r, const struct buf *bufs,
			  unsigned int n)
{
	uint64_t gpa = guest_alloc(&r->g, (uint64_t)n * 16, 16);
	struct vu_pdesc *t = guest_ptr(&r->g, gpa);
	unsigned int i;

	for (i = 0; i < n; i++) {
		t[i].addr = bufs[i].gpa;
		t[i].len = bufs[i].len;
		t[i].id = 0x7777;	/* reserved in tables: ignored */
		t[i].flags = bufs[i].flags;
	}
	return gpa;
}

/**
 * test_indirect() - An indirect table: entries in order, one ring slot,
 *		     buffer id from the ring descriptor
 */
static void test_indirect(void)
{
	struct tring *r = ring_new(8, F_INDIRECT);
	struct buf t[3] = {
		{ data_buf(r, 10, 0), 10, 0 },
		{ data_buf(r, 20, 0), 20, VU_DESC_F_NEXT },	/* ignored */
		{ data_buf(r, 30, 0), 30, VU_DESC_F_WRITE },
	};
	struct buf ring = { put_table(r, t, 3), 48,
			    VU_DESC_F_INDIRECT | VU_DESC_F_WRITE };

	cycle(r, 1, 0, 0);
	expect_used(r, 0, 0);
	drv_post(r, &ring, 1, 6);
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, 6);
	g_assert_cmpuint(r->elem.ndescs, ==, 1);
	g_assert_cmpuint(r->elem.out_num, ==, 2);
	g_assert_cmpuint(r->elem.in_num, ==, 1);
	g_assert_true(r->iov[0].iov_base == dev_ptr(r, t[0].gpa));
	g_assert_cmpuint(r->iov[1].iov_len, ==, 20);
	g_assert_true(r->iov[2].iov_base == dev_ptr(r, t[2].gpa));
	vu_queue_push(&r->vq, &r->elem, 30);
	g_assert_cmpuint(r->vq.used_idx, ==, 2);
	expect_used(r, 6, 30);
	expect_in_sync(r);
	ring_free(r);
}

/**
 * test_read_chain() - vu_packed_read_chain() reads a chain at a given slot
 *		       whatever its flags say, and moves no index
 */
static void test_read_chain(void)
{
	struct tring *r = ring_new(8, 0);
	struct vu_elem e = { .iov = r->iov, .iov_max = IOV_MAX_TEST };
	uint64_t gpa = data_buf(r, 64, 0);

	/* Slots 7 and 0, flags with neither AVAIL nor USED: not available */
	r->desc[7] = (struct vu_pdesc){ gpa, 8, 0, VU_DESC_F_NEXT };
	r->desc[0] = (struct vu_pdesc){ gpa + 8, 8, 12, VU_DESC_F_WRITE };
	g_assert_true(vu_queue_empty(&r->vq));
	g_assert_cmpint(vu_packed_read_chain(&r->vq, 7, &e), ==, 0);
	g_assert_cmpuint(e.id, ==, 12);
	g_assert_cmpuint(e.ndescs, ==, 2);
	g_assert_cmpuint(e.out_num, ==, 1);
	g_assert_cmpuint(e.in_num, ==, 1);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 0);
	g_assert_true(r->vq.avail_wrap);
	g_assert_false(r->vq.broken);
	ring_free(r);
}

/**
 * test_not_available() - Descriptors with the wrong AVAIL/USED bits, or whose
 *			  first descriptor is not yet available, are not popped
 */
static void test_not_available(void)
{
	struct tring *r = ring_new(8, 0);
	struct buf b[2] = {
		{ data_buf(r, 8, 0), 8, 0 },
		{ data_buf(r, 8, 0), 8, 0 },
	};

	drv_post(r, b, 2, 1);
	r->desc[0].flags = VU_DESC_F_NEXT | VU_DESC_F_USED;	/* wrong lap */
	g_assert_true(vu_queue_empty(&r->vq));
	g_assert_cmpint(dev_pop(r), ==, 0);
	r->desc[0].flags = VU_DESC_F_NEXT | VU_DESC_F_USED | VU_DESC_F_AVAIL;
	g_assert_cmpint(dev_pop(r), ==, 0);	/* looks used */
	r->desc[0].flags = VU_DESC_F_NEXT;
	g_assert_cmpint(dev_pop(r), ==, 0);	/* zero-initialised */
	r->desc[0].flags = VU_DESC_F_NEXT | VU_DESC_F_AVAIL;
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.ndescs, ==, 2);
	g_assert_false(r->vq.broken);
	ring_free(r);
}

/**
 * post_three() - Post a chain of three small buffers
 * @r:		Ring
 * @id:		Buffer id
 */
static void post_three(struct tring *r, uint16_t id)
{
	struct buf b = { GUEST_GPA_BASE, 8, 0 };
	struct buf bs[3] = { b, b, b };

	drv_post(r, bs, 3, id);
}

/**
 * advance() - Move driver and device on by single-descriptor requests
 * @r:		Ring
 * @n:		Requests
 */
static void advance(struct tring *r, unsigned int n)
{
	while (n--) {
		cycle(r, 1, 0, 0);
		expect_used(r, 0, 0);
	}
}

/**
 * test_unpop() - Unpop rewinds by the chain's slot count, and the same chain
 *		  is popped again
 */
static void test_unpop(void)
{
	struct tring *r = ring_new(8, 0);

	advance(r, 8);			/* slot 0 of the second lap */
	post_three(r, 7);
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 3);
	vu_queue_unpop(&r->vq, &r->elem);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 0);
	g_assert_false(r->vq.avail_wrap);
	g_assert_cmpuint(r->vq.inuse, ==, 0);
	g_assert_false(vu_queue_empty(&r->vq));
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, 7);
	g_assert_cmpuint(r->elem.ndescs, ==, 3);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 3);
	ring_free(r);
}

/**
 * test_unpop_wrap() - Unpop of a chain over the ring end goes back a lap
 */
static void test_unpop_wrap(void)
{
	struct tring *r = ring_new(8, 0);

	advance(r, 6);
	post_three(r, 8);		/* slots 6, 7, 0 */
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 1);
	g_assert_false(r->vq.avail_wrap);
	vu_queue_unpop(&r->vq, &r->elem);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 6);
	g_assert_true(r->vq.avail_wrap);
	g_assert_cmpint(dev_pop(r), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, 8);
	g_assert_cmpuint(r->elem.ndescs, ==, 3);
	ring_free(r);
}

/**
 * test_base() - GET/SET_VRING_BASE encoding, wrap bits included, and the
 *		 ring working from the positions set
 */
static void test_base(void)
{
	struct tring *r = ring_new(8, 0);
	uint32_t base = 5u | 0u << 15 | 3u << 16 | 1u << 31;

	/* Fresh queue: both wrap counters start at 1 */
	g_assert_cmphex(vu_queue_get_base(&r->vq), ==, 0x80008000u);
	g_assert_cmpint(vu_queue_set_base(&r->vq, base), ==, 0);
	g_assert_cmphex(vu_queue_get_base(&r->vq), ==, base);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 5);
	g_assert_false(r->vq.avail_wrap);
	g_assert_cmpuint(r->vq.used_idx, ==, 3);
	g_assert_true(r->vq.used_wrap);

	/* The driver is at slot 5 of an odd lap; the device's used side at 3 */
	r->avail = 5;
	r->avail_wrap = false;
	r->used = 3;
	cycle(r, 2, 4, 77);
	g_assert_cmpuint(r->vq.last_avail_idx, ==, 7);
	g_assert_cmpuint(r->desc[3].flags, ==, VU_DESC_F_AVAIL |
			 VU_DESC_F_USED | VU_DESC_F_WRITE);
	expect_used(r, 4, 77);
	g_assert_cmphex(vu_queue_get_base(&r->vq), ==,
			7u | 0u << 15 | 5u << 16 | 1u << 31);

	g_assert_cmpint(vu_queue_set_base(&r->vq, 8), ==, -EINVAL);
	g_assert_cmpint(vu_queue_set_base(&r->vq, 8u << 16), ==, -EINVAL);
	g_assert_cmpint(vu_queue_set_base(&r->vq, 0x7fff8000u), ==, -EINVAL);
	g_assert_cmpint(vu_queue_set_base(&r->vq, 0x00010007u), ==, 0);
	g_assert_cmphex(vu_queue_get_base(&r->vq), ==, 0x00010007u);
	g_assert_false(r->vq.avail_wrap);
	g_assert_false(r->vq.used_wrap);
	ring_free(r);
}

/**
 * test_map() - Ring parts misaligned or outside guest memory are refused
 */
static void test_map(void)
{
	struct tring *r = ring_new(8, 0);
	struct vu_vring_addr good = r->vq.addr;
	uint64_t end = guest_uva(GUEST_GPA_BASE + RAM_SIZE);

	r->vq.addr.desc_user = good.desc_user + 8;
	g_assert_cmpint(vu_queue_map(&r->vq), ==, -EINVAL);
	g_assert_null(r->vq.pdesc);
	r->vq.addr.desc_user = end - 64;	/* 8 * 16 bytes needed */
	g_assert_cmpint(vu_queue_map(&r->vq), ==, -EFAULT);
	r->vq.addr = good;
	r->vq.addr.avail_user = good.avail_user + 2;
	g_assert_cmpint(vu_queue_map(&r->vq), ==, -EINVAL);
	r->vq.addr = good;
	r->vq.addr.used_user = end;
	g_assert_cmpint(vu_queue_map(&r->vq), ==, -EFAULT);
	g_assert_cmpint(dev_pop(r), <, 0);
	r->vq.addr = good;
	g_assert_cmpint(vu_queue_map(&r->vq), ==, 0);
	g_assert_true(r->vq.pdesc == dev_ptr(r, r->desc_gpa));
	g_assert_true(r->vq.device_event == dev_ptr(r, r->dev_gpa));
	ring_free(r);
}

/**
 * struct hostile - a malformed ring the device must refuse
 * @name:	Test path component
 * @features:	Extra features
 * @setup:	Writes the malformed chain
 * @why:	The reason the queue must be marked broken for
 */
struct hostile {
	const char *name;
	uint64_t features;
	void (*setup)(struct tring *r);
	const char *why;
};

/**
 * post_one() - Post a single-descriptor chain
 * @r:		Ring
 * @gpa:	Buffer address
 * @len:	Buffer length
 * @flags:	Extra flags
 */
static void post_one(struct tring *r, uint64_t gpa, uint32_t len,
		     uint16_t flags)
{
	struct buf b = { gpa, len, flags };

	drv_post(r, &b, 1, 1);
}

/**
 * post_table() - Post an indirect descriptor naming a table
 * @r:		Ring
 * @entries:	Table entries
 * @n:		Number of entries
 * @len:	Length to put in the ring descriptor
 * @flags:	Extra flags for the ring descriptor
 */
static void post_table(struct tring *r, const struct buf *entries,
		       unsigned int n, uint32_t len, uint16_t flags)
{
	post_one(r, put_table(r, entries, n), len, VU_DESC_F_INDIRECT | flags);
}

/**
 * h_loop() - Every slot has NEXT: the chain never ends
 * @r:		Ring (size 4)
 *
 * With room for exactly 4 iovecs, reading a 5th descriptor would be
 * reported as too many buffers instead.
 */
static void h_loop(struct tring *r)
{
	struct buf b = { GUEST_GPA_BASE, 8, VU_DESC_F_NEXT };
	struct buf bs[4] = { b, b, b, b };

	r->iov_max = 4;
	drv_post(r, bs, 4, 1);
}

/**
 * h_nested() - An indirect entry in an indirect table
 * @r:		Ring
 */
static void h_nested(struct tring *r)
{
	struct buf inner = { GUEST_GPA_BASE, 8, 0 };
	struct buf t[2] = {
		{ GUEST_GPA_BASE, 8, 0 },
		{ put_table(r, &inner, 1), 16, VU_DESC_F_INDIRECT },
	};

	post_table(r, t, 2, 32, 0);
}

/**
 * h_indirect_next() - INDIRECT together with NEXT
 * @r:		Ring
 */
static void h_indirect_next(struct tring *r)
{
	struct buf t = { GUEST_GPA_BASE, 8, 0 };
	struct buf b[2] = {
		{ put_table(r, &t, 1), 16, VU_DESC_F_INDIRECT },
		{ GUEST_GPA_BASE, 8, 0 },
	};

	drv_post(r, b, 2, 1);
}

/**
 * h_indirect_second() - An indirect descriptor after a direct one in a chain
 * @r:		Ring
 */
static void h_indirect_second(struct tring *r)
{
	struct buf t = { GUEST_GPA_BASE, 8, 0 };
	struct buf b[2] = {
		{ GUEST_GPA_BASE, 8, 0 },
		{ put_table(r, &t, 1), 16, VU_DESC_F_INDIRECT },
	};

	drv_post(r, b, 2, 1);
}

/**
 * h_table_len() - Table length not a multiple of 16
 * @r:		Ring
 */
static void h_table_len(struct tring *r)
{
	struct buf t[3] = { { GUEST_GPA_BASE, 8, 0 }, { GUEST_GPA_BASE, 8, 0 },
			    { GUEST_GPA_BASE, 8, 0 } };

	post_table(r, t, 3, 40, 0);
}

/**
 * h_table_empty() - Table of length 0
 * @r:		Ring
 */
static void h_table_empty(struct tring *r)
{
	struct buf t = { GUEST_GPA_BASE, 8, 0 };

	post_table(r, &t, 1, 0, 0);
}

/**
 * h_table_long() - Table with more entries than the queue size (4)
 * @r:		Ring
 */
static void h_table_long(struct tring *r)
{
	struct buf t = { GUEST_GPA_BASE, 8, 0 };
	struct buf ts[5] = { t, t, t, t, t };

	post_table(r, ts, 5, 80, 0);
}

/**
 * h_table_outside() - Table running past the end of guest memory
 * @r:		Ring
 */
static void h_table_outside(struct tring *r)
{
	post_one(r, GUEST_GPA_BASE + RAM_SIZE - 16, 32, VU_DESC_F_INDIRECT);
}

/**
 * h_no_feature() - An indirect descriptor without VIRTIO_F_INDIRECT_DESC
 * @r:		Ring
 */
static void h_no_feature(struct tring *r)
{
	struct buf t = { GUEST_GPA_BASE, 8, 0 };

	post_table(r, &t, 1, 16, 0);
}

/**
 * h_outside() - Buffer beyond guest memory
 * @r:		Ring
 */
static void h_outside(struct tring *r)
{
	post_one(r, GUEST_GPA_BASE + RAM_SIZE, 8, 0);
}

/**
 * h_below() - Buffer below guest memory (address 0)
 * @r:		Ring
 */
static void h_below(struct tring *r)
{
	post_one(r, 0, 8, VU_DESC_F_WRITE);
}

/**
 * h_straddle() - Buffer starting in guest memory and running past its end
 * @r:		Ring
 */
static void h_straddle(struct tring *r)
{
	post_one(r, GUEST_GPA_BASE + RAM_SIZE - 8, 0xffffffffu, 0);
}

/**
 * h_overflow() - Address plus length wraps around 2^64
 * @r:		Ring
 */
static void h_overflow(struct tring *r)
{
	post_one(r, UINT64_MAX - 7, 16, 0);
}

/**
 * h_write_read() - A readable buffer after a writable one
 * @r:		Ring
 */
static void h_write_read(struct tring *r)
{
	struct buf b[2] = {
		{ GUEST_GPA_BASE, 8, VU_DESC_F_WRITE },
		{ GUEST_GPA_BASE, 8, 0 },
	};

	drv_post(r, b, 2, 1);
}

/**
 * h_write_read_table() - A readable entry after a writable one in a table
 * @r:		Ring
 */
static void h_write_read_table(struct tring *r)
{
	struct buf t[2] = {
		{ GUEST_GPA_BASE, 8, VU_DESC_F_WRITE },
		{ GUEST_GPA_BASE, 8, 0 },
	};

	post_table(r, t, 2, 32, 0);
}

/**
 * h_too_many() - More buffers than the caller's iovec array holds
 * @r:		Ring
 */
static void h_too_many(struct tring *r)
{
	struct buf b = { GUEST_GPA_BASE, 8, 0 };
	struct buf bs[3] = { b, b, b };

	r->iov_max = 2;
	drv_post(r, bs, 3, 1);
}

/**
 * h_overcommit() - The driver offers a slot again while the device still
 *		    holds every chain of the ring
 * @r:		Ring (size 4)
 */
static void h_overcommit(struct tring *r)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		post_one(r, GUEST_GPA_BASE, 8, 0);
		g_assert_cmpint(dev_pop(r), ==, 1);
	}
	post_one(r, GUEST_GPA_BASE, 8, 0);
}

static const struct hostile hostile_cases[] = {
	{ "loop", 0, h_loop,
	  "chain longer than the queue" },
	{ "nested-indirect", F_INDIRECT, h_nested,
	  "nested indirect table" },
	{ "indirect-next", F_INDIRECT, h_indirect_next,
	  "indirect descriptor with NEXT" },
	{ "indirect-in-chain", F_INDIRECT, h_indirect_second,
	  "indirect descriptor in a chain" },
	{ "table-len", F_INDIRECT, h_table_len,
	  "bad indirect table length" },
	{ "table-empty", F_INDIRECT, h_table_empty,
	  "bad indirect table length" },
	{ "table-long", F_INDIRECT, h_table_long,
	  "indirect table longer than the queue" },
	{ "table-outside", F_INDIRECT, h_table_outside,
	  "indirect table outside guest memory" },
	{ "indirect-not-negotiated", 0, h_no_feature,
	  "indirect descriptor not negotiated" },
	{ "outside", 0, h_outside,
	  "buffer outside guest memory" },
	{ "below", 0, h_below,
	  "buffer outside guest memory" },
	{ "straddle", 0, h_straddle,
	  "buffer outside guest memory" },
	{ "len-overflow", 0, h_overflow,
	  "buffer outside guest memory" },
	{ "write-then-read", 0, h_write_read,
	  "device-readable buffer after a device-writable one" },
	{ "write-then-read-table", F_INDIRECT, h_write_read_table,
	  "device-readable buffer after a device-writable one" },
	{ "too-many-buffers", 0, h_too_many,
	  "chain has more buffers than the device accepts" },
	{ "overcommit", 0, h_overcommit,
	  "more chains in flight than the queue size" },
};

/**
 * test_hostile() - A malformed chain: pop fails, the queue is broken, and
 *		    nothing is written to the ring, then or later
 * @data:	The struct hostile case
 */
static void test_hostile(const void *data)
{
	const struct hostile *h = data;
	struct tring *r = ring_new(4, h->features);
	uint8_t before[4 * 16 + 4], after[sizeof(before)];
	struct vu_elem fake = { .id = 1, .ndescs = 1 };
	char *msg = g_strdup_printf("queue 0 broken: %s", h->why);
	unsigned int inuse;

	h->setup(r);
	inuse = r->vq.inuse;
	memcpy(before, r->desc, 4 * 16);
	memcpy(before + 4 * 16, r->dev, 4);
	g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, msg);
	g_assert_cmpint(dev_pop(r), <, 0);
	g_test_assert_expected_messages();
	g_assert_true(r->vq.broken);
	g_assert_cmpuint(r->vq.inuse, ==, inuse);
	g_assert_cmpint(dev_pop(r), <, 0);
	g_assert_true(vu_queue_empty(&r->vq));
	vu_queue_push(&r->vq, &fake, 8);
	vu_queue_set_notification(&r->vq, false);
	memcpy(after, r->desc, 4 * 16);
	memcpy(after + 4 * 16, r->dev, 4);
	g_assert_cmpmem(before, sizeof(before), after, sizeof(after));
	g_assert_cmpuint(r->vq.used_idx, ==, 0);
	g_free(msg);
	ring_free(r);
}

/**
 * set_driver_event() - Write the driver event suppression area
 * @r:		Ring
 * @flags:	VU_EVENT_F_*
 * @off:	Descriptor offset
 * @wrap:	Wrap counter
 */
static void set_driver_event(struct tring *r, uint16_t flags, uint16_t off,
			     bool wrap)
{
	r->drv->off_wrap = (uint16_t)(off | wrap << 15);
	r->drv->flags = flags;
}

/**
 * test_notify_modes() - should_notify with DISABLE and ENABLE, and only when
 *			 something was pushed
 */
static void test_notify_modes(void)
{
	struct tring *r = ring_new(8, 0);

	g_assert_false(vu_queue_should_notify(&r->vq));	/* nothing pushed */
	set_driver_event(r, VU_EVENT_F_DISABLE, 0, true);
	cycle(r, 1, 0, 0);
	g_assert_false(vu_queue_should_notify(&r->vq));
	set_driver_event(r, VU_EVENT_F_ENABLE, 0, true);
	g_assert_false(vu_queue_should_notify(&r->vq));	/* already checked */
	cycle(r, 1, 0, 0);
	g_assert_true(vu_queue_should_notify(&r->vq));
	g_assert_false(vu_queue_should_notify(&r->vq));
	/* DESC without event idx is not valid: better notify */
	set_driver_event(r, VU_EVENT_F_DESC, 7, false);
	cycle(r, 1, 0, 0);
	g_assert_true(vu_queue_should_notify(&r->vq));
	ring_free(r);
}

/**
 * test_notify_desc() - The event idx rule within a lap and at the ring end
 */
static void test_notify_desc(void)
{
	struct tring *r = ring_new(8, F_EVENT_IDX);

	set_driver_event(r, VU_EVENT_F_DESC, 2, true);
	advance(r, 1);					/* used 0 */
	g_assert_true(vu_queue_should_notify(&r->vq));	/* first: always */
	advance(r, 1);					/* used 1 */
	g_assert_false(vu_queue_should_notify(&r->vq));
	advance(r, 1);					/* used 2 */
	g_assert_true(vu_queue_should_notify(&r->vq));
	advance(r, 4);					/* 3..6 */
	g_assert_false(vu_queue_should_notify(&r->vq));
	/* Event at slot 0 of the next lap: not reached by writing slot 7 */
	set_driver_event(r, VU_EVENT_F_DESC, 0, false);
	advance(r, 1);					/* used 7 */
	g_assert_cmpuint(r->vq.used_idx, ==, 0);
	g_assert_false(r->vq.used_wrap);
	g_assert_false(vu_queue_should_notify(&r->vq));
	advance(r, 1);					/* used 0, lap 2 */
	g_assert_true(vu_queue_should_notify(&r->vq));
	/* DISABLE and ENABLE still work with event idx */
	set_driver_event(r, VU_EVENT_F_DISABLE, 0, false);
	advance(r, 1);
	g_assert_false(vu_queue_should_notify(&r->vq));
	set_driver_event(r, VU_EVENT_F_ENABLE, 0, false);
	advance(r, 1);
	g_assert_true(vu_queue_should_notify(&r->vq));
	ring_free(r);
}

/**
 * test_notify_desc_laps() - The event idx rule for batches across the ring
 *			     end, multi-slot chains, and more than a lap
 */
static void test_notify_desc_laps(void)
{
	struct tring *r = ring_new(8, F_EVENT_IDX);

	set_driver_event(r, VU_EVENT_F_DESC, 7, true);
	advance(r, 6);					/* 0..5 */
	g_assert_true(vu_queue_should_notify(&r->vq));	/* first: always */
	/* A batch running over the ring end, event in the previous lap */
	advance(r, 4);					/* 6, 7, 0, 1 */
	g_assert_false(r->vq.used_wrap);
	g_assert_true(vu_queue_should_notify(&r->vq));
	/* Event in the current lap, inside a multi-slot chain */
	set_driver_event(r, VU_EVENT_F_DESC, 3, false);
	cycle(r, 3, 9, 0);				/* slots 2..4 */
	expect_used(r, 9, 0);
	g_assert_true(vu_queue_should_notify(&r->vq));
	/* Event at the slot after the one written: not yet */
	set_driver_event(r, VU_EVENT_F_DESC, 6, false);
	advance(r, 1);					/* used 5 */
	g_assert_false(vu_queue_should_notify(&r->vq));
	/* Almost two laps since the last check: cannot tell, so notify */
	set_driver_event(r, VU_EVENT_F_DESC, 7, true);
	advance(r, 15);					/* 6 to 4 */
	g_assert_cmpuint(r->vq.used_idx, ==, 5);
	g_assert_false(r->vq.used_wrap);
	g_assert_true(vu_queue_should_notify(&r->vq));
	/* Exactly two laps: same position and wrap as at the last check, so
	 * [old, new) looks empty; the event was passed twice: notify */
	set_driver_event(r, VU_EVENT_F_DESC, 2, false);
	advance(r, 16);
	g_assert_cmpuint(r->vq.used_idx, ==, 5);
	g_assert_false(r->vq.used_wrap);
	g_assert_true(vu_queue_should_notify(&r->vq));
	ring_free(r);
}

/**
 * test_notify_empty() - VIRTIO_F_NOTIFY_ON_EMPTY overrides DISABLE once the
 *			 ring is empty and nothing is in flight
 */
static void test_notify_empty(void)
{
	struct tring *r = ring_new(8, 1ull << VU_F_NOTIFY_ON_EMPTY);
	struct vu_elem e[2];
	struct iovec iov[2];
	unsigned int i;

	set_driver_event(r, VU_EVENT_F_DISABLE, 0, true);
	post_one(r, GUEST_GPA_BASE, 8, 0);
	post_one(r, GUEST_GPA_BASE, 8, 0);
	for (i = 0; i < 2; i++) {
		e[i] = (struct vu_elem){ .iov = &iov[i], .iov_max = 1 };
		g_assert_cmpint(vu_queue_pop(&r->vq, &e[i]), ==, 1);
	}
	vu_queue_push(&r->vq, &e[0], 0);
	g_assert_false(vu_queue_should_notify(&r->vq));	/* one in flight */
	vu_queue_push(&r->vq, &e[1], 0);
	g_assert_true(vu_queue_should_notify(&r->vq));
	post_one(r, GUEST_GPA_BASE, 8, 0);
	post_one(r, GUEST_GPA_BASE, 8, 0);
	g_assert_cmpint(dev_pop(r), ==, 1);
	vu_queue_push(&r->vq, &r->elem, 0);
	g_assert_false(vu_queue_should_notify(&r->vq));	/* one waiting */
	ring_free(r);
}

/**
 * test_set_notification() - What the device writes in its event area
 */
static void test_set_notification(void)
{
	struct tring *r = ring_new(8, 0);

	vu_queue_set_notification(&r->vq, false);
	g_assert_cmpuint(r->dev->flags, ==, VU_EVENT_F_DISABLE);
	vu_queue_set_notification(&r->vq, true);
	g_assert_cmpuint(r->dev->flags, ==, VU_EVENT_F_ENABLE);
	ring_free(r);

	r = ring_new(8, F_EVENT_IDX);
	advance(r, 10);			/* next slot to read: 2, second lap */
	vu_queue_set_notification(&r->vq, true);
	g_assert_cmpuint(r->dev->flags, ==, VU_EVENT_F_DESC);
	g_assert_cmphex(r->dev->off_wrap, ==, 2);
	advance(r, 6);			/* slot 0, third lap */
	vu_queue_set_notification(&r->vq, true);
	g_assert_cmphex(r->dev->off_wrap, ==, 0x8000);
	vu_queue_set_notification(&r->vq, false);
	g_assert_cmpuint(r->dev->flags, ==, VU_EVENT_F_DISABLE);
	ring_free(r);
}

/**
 * log_bit() - Read the dirty bit of a guest page
 * @log:	Log
 * @gpa:	Address in the page
 *
 * Return: true if the page is marked dirty
 */
static bool log_bit(const struct vu_log *log, uint64_t gpa)
{
	uint64_t page = gpa / VU_LOG_PAGE;

	return log->base[page / 8] & (1u << (page % 8));
}

/**
 * test_dirty_log() - Used descriptors and event area writes are logged when
 *		      the ring asks for logging, and only then
 */
static void test_dirty_log(void)
{
	struct tring *r = ring_new(8, F_EVENT_IDX);
	uint64_t bytes = (GUEST_GPA_BASE + RAM_SIZE) / VU_LOG_PAGE / 8;
	struct vu_log log = { 0 };
	int fd = memfd_create("log", MFD_CLOEXEC);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, (off_t)bytes), ==, 0);
	g_assert_cmpint(vu_log_set(&log, fd, bytes, 0), ==, 0);
	log.enabled = true;
	r->vq.log = &log;
	advance(r, 1);
	vu_queue_set_notification(&r->vq, true);
	g_assert_false(log_bit(&log, r->desc_gpa));
	g_assert_false(log_bit(&log, r->dev_gpa));
	r->vq.addr.flags = VU_VRING_F_LOG;
	advance(r, 1);
	g_assert_true(log_bit(&log, r->desc_gpa));
	g_assert_false(log_bit(&log, r->dev_gpa));
	vu_queue_set_notification(&r->vq, true);
	g_assert_true(log_bit(&log, r->dev_gpa));
	r->vq.log = NULL;
	vu_log_clear(&log);
	ring_free(r);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: the GTest result
 */
int main(int argc, char **argv)
{
	unsigned int i;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/packed/single", test_single);
	g_test_add_func("/packed/chain", test_chain);
	g_test_add_func("/packed/full-chain", test_full_chain);
	g_test_add_func("/packed/wrap-chain", test_wrap_chain);
	g_test_add_func("/packed/laps", test_laps);
	g_test_add_func("/packed/out-of-order", test_out_of_order);
	g_test_add_func("/packed/indirect", test_indirect);
	g_test_add_func("/packed/read-chain", test_read_chain);
	g_test_add_func("/packed/not-available", test_not_available);
	g_test_add_func("/packed/unpop", test_unpop);
	g_test_add_func("/packed/unpop-wrap", test_unpop_wrap);
	g_test_add_func("/packed/base", test_base);
	g_test_add_func("/packed/map", test_map);
	for (i = 0; i < G_N_ELEMENTS(hostile_cases); i++) {
		char *path = g_strdup_printf("/packed/hostile/%s",
					     hostile_cases[i].name);

		g_test_add_data_func(path, &hostile_cases[i], test_hostile);
		g_free(path);
	}
	g_test_add_func("/packed/notify-modes", test_notify_modes);
	g_test_add_func("/packed/notify-desc", test_notify_desc);
	g_test_add_func("/packed/notify-desc-laps", test_notify_desc_laps);
	g_test_add_func("/packed/notify-empty", test_notify_empty);
	g_test_add_func("/packed/set-notification", test_set_notification);
	g_test_add_func("/packed/dirty-log", test_dirty_log);
	return g_test_run();
}
