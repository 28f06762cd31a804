// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-split.c - unit tests of split virtqueues (common/vu-split.c and
 * common/vu-queue.c): rings built by hand in a fake guest memory, chains
 * popped and pushed, hostile rings rejected, notification suppression.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "guest.h"
#include "vu-log.h"
#include "vu-queue.h"

#define GUEST_SIZE	(1u << 20)
#define QSIZE		8
#define IOV_MAX_TEST	64
#define F(bit)		(1ULL << (bit))

/* Warnings logged so far, and the last one: the log handler keeps them */
static unsigned int warnings;
static char last_warning[256];

/**
 * struct ring - a split ring in a fake guest and the device's view of it
 * @g:		Guest memory
 * @vq:		The queue under test
 * @desc:	Guest physical address of the descriptor table
 * @avail:	Guest physical address of the avail ring
 * @used:	Guest physical address of the used ring
 * @d:		Test's pointer to the descriptor table
 * @a:		Test's pointer to the avail ring
 * @u:		Test's pointer to the used ring
 * @avail_idx:	Driver's next avail index
 * @iov:	Iovecs for @elem
 * @elem:	Element popped into
 */
struct ring {
	struct guest g;
	struct vu_queue vq;
	uint64_t desc, avail, used;
	struct vu_desc *d;
	struct vu_avail *a;
	struct vu_used *u;
	uint16_t avail_idx;
	struct iovec iov[IOV_MAX_TEST];
	struct vu_elem elem;
};

/**
 * count_warnings() - Log handler: count warnings, pass the rest on
 * @domain:	Log domain
 * @level:	Log level
 * @msg:	Message
 * @data:	Unused
 */
static void count_warnings(const gchar *domain, GLogLevelFlags level,
			   const gchar *msg, gpointer data)
{
	if (level & G_LOG_LEVEL_WARNING) {
		warnings++;
		g_strlcpy(last_warning, msg, sizeof(last_warning));
		g_test_message("warning: %s", msg);
		return;
	}
	g_log_default_handler(domain, level, msg, data);
}

/**
 * ring_init() - Build an empty split ring and map it
 * @r:		Ring to set up
 * @size:	Queue size
 * @features:	Negotiated features
 */
static void ring_init(struct ring *r, uint16_t size, uint64_t features)
{
	memset(r, 0, sizeof(*r));
	guest_init(&r->g, GUEST_SIZE);
	r->desc = guest_alloc(&r->g, 16u * size, 16);
	r->avail = guest_alloc(&r->g, 6 + 2u * size, 2);
	r->used = guest_alloc(&r->g, 6 + 8u * size, 4);
	r->d = guest_ptr(&r->g, r->desc);
	r->a = guest_ptr(&r->g, r->avail);
	r->u = guest_ptr(&r->g, r->used);

	vu_queue_init(&r->vq, 3);
	r->vq.size = size;
	r->vq.features = features;
	r->vq.mem = &r->g.mem;
	r->vq.addr.desc_user = guest_uva(r->desc);
	r->vq.addr.avail_user = guest_uva(r->avail);
	r->vq.addr.used_user = guest_uva(r->used);
	r->vq.addr.log_guest = r->used;
	g_assert_cmpint(vu_queue_map(&r->vq), ==, 0);
	r->elem.iov = r->iov;
	r->elem.iov_max = IOV_MAX_TEST;
	warnings = 0;
}

/**
 * ring_fini() - Release a ring
 * @r:		Ring
 */
static void ring_fini(struct ring *r)
{
	vu_queue_reset(&r->vq);
	guest_fini(&r->g);
}

/**
 * set_desc() - Write a descriptor in a table
 * @table:	Descriptor table (ring's or indirect)
 * @i:		Index
 * @addr:	Buffer guest physical address
 * @len:	Buffer length
 * @flags:	VU_DESC_F_*
 * @next:	Next index
 */
static void set_desc(struct vu_desc *table, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	table[i].addr = htole64(addr);
	table[i].len = htole32(len);
	table[i].flags = htole16(flags);
	table[i].next = htole16(next);
}

/**
 * make_avail() - Publish a head in the avail ring
 * @r:		Ring
 * @head:	Head descriptor index
 */
static void make_avail(struct ring *r, uint16_t head)
{
	r->a->ring[r->avail_idx % r->vq.size] = htole16(head);
	r->avail_idx++;
	r->a->idx = htole16(r->avail_idx);
}

/**
 * buf() - Allocate a guest buffer
 * @r:		Ring
 * @len:	Bytes
 *
 * Return: guest physical address
 */
static uint64_t buf(struct ring *r, uint64_t len)
{
	return guest_alloc(&r->g, len, 8);
}

/**
 * dev_ptr() - The device's pointer to a guest physical address
 * @r:		Ring
 * @gpa:	Address in guest memory
 *
 * Return: pointer into the device's mapping (not the test's)
 */
static void *dev_ptr(struct ring *r, uint64_t gpa)
{
	void *p = vu_mem_gpa_range(&r->g.mem, gpa, 1);

	g_assert_nonnull(p);
	return p;
}

/**
 * used_event() - The driver's used_event field
 * @r:		Ring
 *
 * Return: pointer to it in guest memory
 */
static uint16_t *used_event(struct ring *r)
{
	return &r->a->ring[r->vq.size];
}

/**
 * avail_event() - The device's avail_event field
 * @r:		Ring
 *
 * Return: its value
 */
static uint16_t avail_event(struct ring *r)
{
	return le16toh(*(uint16_t *)&r->u->ring[r->vq.size]);
}

/**
 * test_simple() - An out buffer then an in buffer, popped and pushed
 */
static void test_simple(void)
{
	struct ring r;
	uint64_t out, in;

	ring_init(&r, QSIZE, 0);
	out = buf(&r, 16);
	in = buf(&r, 32);
	memset(guest_ptr(&r.g, out), 0xab, 16);
	set_desc(r.d, 5, out, 16, VU_DESC_F_NEXT, 2);
	set_desc(r.d, 2, in, 32, VU_DESC_F_WRITE, 0);
	g_assert_true(vu_queue_empty(&r.vq));
	make_avail(&r, 5);
	g_assert_false(vu_queue_empty(&r.vq));

	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 5);
	g_assert_cmpuint(r.elem.out_num, ==, 1);
	g_assert_cmpuint(r.elem.in_num, ==, 1);
	g_assert_true(r.iov[0].iov_base == dev_ptr(&r, out));
	g_assert_cmpuint(r.iov[0].iov_len, ==, 16);
	g_assert_cmpuint(((uint8_t *)r.iov[0].iov_base)[15], ==, 0xab);
	g_assert_true(r.iov[1].iov_base == dev_ptr(&r, in));
	g_assert_cmpuint(r.iov[1].iov_len, ==, 32);
	g_assert_cmpuint(r.vq.inuse, ==, 1);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 0);
	g_assert_true(vu_queue_empty(&r.vq));

	memset(r.iov[1].iov_base, 0xcd, 7);
	vu_queue_push(&r.vq, &r.elem, 7);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(r.vq.inuse, ==, 0);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 1);
	g_assert_cmpuint(le32toh(r.u->ring[0].id), ==, 5);
	g_assert_cmpuint(le32toh(r.u->ring[0].len), ==, 7);
	g_assert_cmpuint(((uint8_t *)guest_ptr(&r.g, in))[6], ==, 0xcd);
	g_assert_cmpuint(vu_queue_get_base(&r.vq), ==, 1);
	g_assert_cmpuint(warnings, ==, 0);
	ring_fini(&r);
}

/**
 * test_full_chain() - A chain using every descriptor is accepted, and the
 *		       avail ring wraps around
 */
static void test_full_chain(void)
{
	struct ring r;
	unsigned int i, round;

	ring_init(&r, QSIZE, 0);
	for (i = 0; i < QSIZE; i++)
		set_desc(r.d, i, buf(&r, 4), 4,
			 i < QSIZE - 1 ? VU_DESC_F_NEXT : VU_DESC_F_WRITE,
			 (uint16_t)(i + 1));
	for (round = 0; round < 3 * QSIZE; round++) {
		make_avail(&r, 0);
		g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
		g_assert_cmpuint(r.elem.out_num, ==, QSIZE - 1);
		g_assert_cmpuint(r.elem.in_num, ==, 1);
		vu_queue_push(&r.vq, &r.elem, 4);
	}
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 3 * QSIZE);
	g_assert_false(r.vq.broken);
	ring_fini(&r);
}

/**
 * test_indirect() - An indirect table walked through its NEXT links
 */
static void test_indirect(void)
{
	struct ring r;
	uint64_t table = 0, b[3];
	struct vu_desc *t;
	unsigned int i;

	ring_init(&r, QSIZE, F(VU_F_RING_INDIRECT_DESC));
	table = guest_alloc(&r.g, 4 * 16, 16);
	t = guest_ptr(&r.g, table);
	for (i = 0; i < 3; i++)
		b[i] = buf(&r, 64);
	/* order 0 -> 3 -> 1; entry 2 unused */
	set_desc(t, 0, b[0], 10, VU_DESC_F_NEXT, 3);
	set_desc(t, 3, b[1], 20, VU_DESC_F_NEXT, 1);
	set_desc(t, 1, b[2], 30, VU_DESC_F_WRITE, 0);
	set_desc(r.d, 4, table, 4 * 16, VU_DESC_F_INDIRECT, 0);
	make_avail(&r, 4);

	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 4);
	g_assert_cmpuint(r.elem.out_num, ==, 2);
	g_assert_cmpuint(r.elem.in_num, ==, 1);
	g_assert_true(r.iov[0].iov_base == dev_ptr(&r, b[0]));
	g_assert_cmpuint(r.iov[1].iov_len, ==, 20);
	g_assert_true(r.iov[2].iov_base == dev_ptr(&r, b[2]));
	g_assert_cmpuint(r.iov[2].iov_len, ==, 30);
	vu_queue_push(&r.vq, &r.elem, 30);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(le32toh(r.u->ring[0].id), ==, 4);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 1);
	ring_fini(&r);
}

/**
 * test_zero_len() - A zero-length descriptor yields no iovec
 */
static void test_zero_len(void)
{
	struct ring r;

	ring_init(&r, QSIZE, 0);
	set_desc(r.d, 0, buf(&r, 8), 0, VU_DESC_F_NEXT, 1);
	set_desc(r.d, 1, buf(&r, 8), 8, VU_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.out_num, ==, 0);
	g_assert_cmpuint(r.elem.in_num, ==, 1);
	ring_fini(&r);
}

/**
 * add_second_region() - Add guest RAM right after the fixture's region
 * @r:		Ring
 * @size:	Bytes
 *
 * Return: guest physical address of the new region
 */
static uint64_t add_second_region(struct ring *r, uint64_t size)
{
	struct vu_mem_region reg = {
		.guest_addr = GUEST_GPA_BASE + GUEST_SIZE,
		.size = size,
		.user_addr = GUEST_UVA_BASE + 0x10000000,
	};
	int fd = memfd_create("second", MFD_CLOEXEC);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
	g_assert_cmpint(vu_mem_add(&r->g.mem, &reg, fd), ==, 0);
	return reg.guest_addr;
}

/**
 * test_cross_region() - A buffer spanning two regions gives two iovecs
 */
static void test_cross_region(void)
{
	uint64_t second, start = GUEST_GPA_BASE + GUEST_SIZE - 100;
	struct ring r;

	ring_init(&r, QSIZE, 0);
	second = add_second_region(&r, 0x1000);
	set_desc(r.d, 0, start, 300, VU_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.in_num, ==, 2);
	g_assert_cmpuint(r.iov[0].iov_len, ==, 100);
	g_assert_true(r.iov[0].iov_base == dev_ptr(&r, start));
	g_assert_cmpuint(r.iov[1].iov_len, ==, 200);
	g_assert_true(r.iov[1].iov_base == dev_ptr(&r, second));
	vu_queue_push(&r.vq, &r.elem, 300);
	vu_queue_flush(&r.vq);

	/* The same buffer with room for one iovec only */
	make_avail(&r, 0);
	r.elem.iov_max = 1;
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_true(r.vq.broken);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 1);
	g_assert_cmpuint(warnings, ==, 1);
	ring_fini(&r);
}

/**
 * struct hostile - one malformed ring
 * @name:	Test path component
 * @features:	Features to negotiate
 * @build:	Writes the malformed ring (and may shrink @elem.iov_max)
 * @why:	Expected part of the warning
 */
struct hostile {
	const char *name;
	uint64_t features;
	void (*build)(struct ring *r);
	const char *why;
};

/**
 * build_next_loop() - Two descriptors pointing at each other
 * @r:		Ring
 */
static void build_next_loop(struct ring *r)
{
	set_desc(r->d, 0, buf(r, 8), 8, VU_DESC_F_NEXT, 1);
	set_desc(r->d, 1, buf(r, 8), 8, VU_DESC_F_NEXT, 0);
	make_avail(r, 0);
}

/**
 * build_self_loop() - A descriptor pointing at itself, zero length
 * @r:		Ring
 */
static void build_self_loop(struct ring *r)
{
	set_desc(r->d, 2, 0, 0, VU_DESC_F_NEXT, 2);
	make_avail(r, 2);
}

/**
 * indirect_table() - Allocate an indirect table and point descriptor 0 at it
 * @r:		Ring
 * @n:		Entries
 * @len:	Length written in the descriptor
 *
 * Return: test's pointer to the table
 */
static struct vu_desc *indirect_table(struct ring *r, unsigned int n,
				      uint32_t len)
{
	uint64_t t = guest_alloc(&r->g, 16ull * n, 16);

	set_desc(r->d, 0, t, len, VU_DESC_F_INDIRECT, 0);
	make_avail(r, 0);
	return guest_ptr(&r->g, t);
}

/**
 * build_indirect_loop() - A loop inside an indirect table
 * @r:		Ring
 */
static void build_indirect_loop(struct ring *r)
{
	struct vu_desc *t = indirect_table(r, 3, 3 * 16);

	set_desc(t, 0, buf(r, 8), 8, VU_DESC_F_NEXT, 1);
	set_desc(t, 1, buf(r, 8), 8, VU_DESC_F_NEXT, 2);
	set_desc(t, 2, buf(r, 8), 8, VU_DESC_F_NEXT, 1);
}

/**
 * build_outside() - A buffer beyond the end of guest memory
 * @r:		Ring
 */
static void build_outside(struct ring *r)
{
	set_desc(r->d, 0, GUEST_GPA_BASE + GUEST_SIZE - 8, 16, 0, 0);
	make_avail(r, 0);
}

/**
 * build_below() - A buffer below the start of guest memory
 * @r:		Ring
 */
static void build_below(struct ring *r)
{
	set_desc(r->d, 0, GUEST_GPA_BASE - 8, 16, 0, 0);
	make_avail(r, 0);
}

/**
 * build_len_overflow() - addr + len wraps around
 * @r:		Ring
 */
static void build_len_overflow(struct ring *r)
{
	set_desc(r->d, 0, UINT64_MAX - 8, 100, 0, 0);
	make_avail(r, 0);
}

/**
 * build_indirect_in_indirect() - An indirect descriptor inside a table
 * @r:		Ring
 */
static void build_indirect_in_indirect(struct ring *r)
{
	struct vu_desc *t = indirect_table(r, 2, 2 * 16);

	set_desc(t, 0, buf(r, 8), 8, VU_DESC_F_NEXT, 1);
	set_desc(t, 1, r->desc, 16, VU_DESC_F_INDIRECT, 0);
}

/**
 * build_indirect_good() - A valid indirect table (used without the feature)
 * @r:		Ring
 */
static void build_indirect_good(struct ring *r)
{
	struct vu_desc *t = indirect_table(r, 1, 16);

	set_desc(t, 0, buf(r, 8), 8, 0, 0);
}

/**
 * build_indirect_len() - Indirect table length not a multiple of 16
 * @r:		Ring
 */
static void build_indirect_len(struct ring *r)
{
	struct vu_desc *t = indirect_table(r, 2, 24);

	set_desc(t, 0, buf(r, 8), 8, 0, 0);
}

/**
 * build_indirect_empty() - Indirect table of length 0
 * @r:		Ring
 */
static void build_indirect_empty(struct ring *r)
{
	indirect_table(r, 1, 0);
}

/**
 * build_indirect_next() - Indirect descriptor that also has NEXT
 * @r:		Ring
 */
static void build_indirect_next(struct ring *r)
{
	struct vu_desc *t = indirect_table(r, 1, 16);

	set_desc(t, 0, buf(r, 8), 8, 0, 0);
	set_desc(r->d, 0, le64toh(r->d[0].addr), 16,
		 VU_DESC_F_INDIRECT | VU_DESC_F_NEXT, 1);
	set_desc(r->d, 1, buf(r, 8), 8, 0, 0);
}

/**
 * build_indirect_outside() - Indirect table partly outside guest memory
 * @r:		Ring
 */
static void build_indirect_outside(struct ring *r)
{
	set_desc(r->d, 0, GUEST_GPA_BASE + GUEST_SIZE - 16, 32,
		 VU_DESC_F_INDIRECT, 0);
	make_avail(r, 0);
}

/**
 * build_indirect_huge() - Indirect table longer than any queue
 * @r:		Ring
 */
static void build_indirect_huge(struct ring *r)
{
	set_desc(r->d, 0, GUEST_GPA_BASE, (VU_QUEUE_MAX_SIZE + 1) * 16,
		 VU_DESC_F_INDIRECT, 0);
	make_avail(r, 0);
}

/**
 * build_head_range() - Head index equal to the queue size
 * @r:		Ring
 */
static void build_head_range(struct ring *r)
{
	make_avail(r, QSIZE);
}

/**
 * build_next_range() - NEXT index equal to the queue size
 * @r:		Ring
 */
static void build_next_range(struct ring *r)
{
	set_desc(r->d, 0, buf(r, 8), 8, VU_DESC_F_NEXT, QSIZE);
	make_avail(r, 0);
}

/**
 * build_indirect_next_range() - NEXT index past the end of an indirect table
 * @r:		Ring
 */
static void build_indirect_next_range(struct ring *r)
{
	struct vu_desc *t = indirect_table(r, 2, 2 * 16);

	set_desc(t, 0, buf(r, 8), 8, VU_DESC_F_NEXT, 2);
}

/**
 * build_avail_jump() - avail->idx more than the queue size ahead
 * @r:		Ring
 */
static void build_avail_jump(struct ring *r)
{
	set_desc(r->d, 0, buf(r, 8), 8, 0, 0);
	r->a->idx = htole16(QSIZE + 1);
}

/**
 * build_too_long() - A chain through every descriptor, then back to the head
 * @r:		Ring
 */
static void build_too_long(struct ring *r)
{
	unsigned int i;

	for (i = 0; i < QSIZE; i++)
		set_desc(r->d, i, buf(r, 4), 4, VU_DESC_F_NEXT,
			 (uint16_t)((i + 1) % QSIZE));
	make_avail(r, 0);
}

/**
 * build_ro_after_wr() - A device-readable descriptor after a writable one
 * @r:		Ring
 */
static void build_ro_after_wr(struct ring *r)
{
	set_desc(r->d, 0, buf(r, 8), 8, VU_DESC_F_WRITE | VU_DESC_F_NEXT, 1);
	set_desc(r->d, 1, buf(r, 8), 8, 0, 0);
	make_avail(r, 0);
}

/**
 * build_iov_max() - More buffers than the element has iovecs
 * @r:		Ring
 */
static void build_iov_max(struct ring *r)
{
	set_desc(r->d, 0, buf(r, 8), 8, VU_DESC_F_NEXT, 1);
	set_desc(r->d, 1, buf(r, 8), 8, VU_DESC_F_NEXT, 2);
	set_desc(r->d, 2, buf(r, 8), 8, VU_DESC_F_WRITE, 0);
	make_avail(r, 0);
	r->elem.iov_max = 2;
}

static const struct hostile hostile[] = {
	{ "next-loop", 0, build_next_loop,
	  "loops" },
	{ "self-loop", 0, build_self_loop,
	  "loops" },
	{ "indirect-loop", F(VU_F_RING_INDIRECT_DESC), build_indirect_loop,
	  "loops" },
	{ "outside", 0, build_outside,
	  "outside guest memory" },
	{ "below", 0, build_below,
	  "outside guest memory" },
	{ "len-overflow", 0, build_len_overflow,
	  "outside guest memory" },
	{ "indirect-in-indirect", F(VU_F_RING_INDIRECT_DESC),
	  build_indirect_in_indirect,
	  "inside an indirect table" },
	{ "indirect-no-feature", 0, build_indirect_good,
	  "without the feature" },
	{ "indirect-len", F(VU_F_RING_INDIRECT_DESC), build_indirect_len,
	  "multiple of 16" },
	{ "indirect-empty", F(VU_F_RING_INDIRECT_DESC), build_indirect_empty,
	  "multiple of 16" },
	{ "indirect-next", F(VU_F_RING_INDIRECT_DESC), build_indirect_next,
	  "with NEXT" },
	{ "indirect-outside", F(VU_F_RING_INDIRECT_DESC),
	  build_indirect_outside,
	  "table outside guest memory" },
	{ "indirect-huge", F(VU_F_RING_INDIRECT_DESC), build_indirect_huge,
	  "indirect table too long" },
	{ "indirect-next-range", F(VU_F_RING_INDIRECT_DESC),
	  build_indirect_next_range,
	  "index out of range" },
	{ "head-range", 0, build_head_range,
	  "head index" },
	{ "next-range", 0, build_next_range,
	  "next descriptor index" },
	{ "avail-jump", F(VU_F_RING_EVENT_IDX), build_avail_jump,
	  "avail index jumped" },
	{ "too-long", 0, build_too_long,
	  "loops or is too long" },
	{ "ro-after-wr", 0, build_ro_after_wr,
	  "device-readable descriptor after" },
	{ "iov-max", 0, build_iov_max,
	  "more buffers" },
};

/**
 * used_ring_untouched() - Check that the used ring is still all zeroes
 * @r:		Ring
 *
 * Return: true if no byte of the used ring (event field included) was written
 */
static bool used_ring_untouched(struct ring *r)
{
	static const uint8_t zero[6 + 8 * QSIZE];

	return !memcmp(r->u, zero, sizeof(zero));
}

/**
 * test_hostile() - A malformed ring breaks the queue, once, writing nothing
 * @data:	The struct hostile case
 */
static void test_hostile(gconstpointer data)
{
	const struct hostile *h = data;
	uint64_t v = 0;
	struct ring r;

	ring_init(&r, QSIZE, h->features);
	r.vq.err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g_assert_cmpint(r.vq.err_fd, >=, 0);
	h->build(&r);

	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_true(r.vq.broken);
	g_assert_cmpuint(warnings, ==, 1);
	g_assert_nonnull(strstr(last_warning, h->why));
	g_assert_cmpuint(r.vq.inuse, ==, 0);
	g_assert_true(used_ring_untouched(&r));
	g_assert_cmpint(read(r.vq.err_fd, &v, sizeof(v)), ==, sizeof(v));
	g_assert_cmpuint(v, ==, 1);

	/* Stays broken, silently; nothing else is written */
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_true(vu_queue_empty(&r.vq));
	vu_queue_push(&r.vq, &r.elem, 1);
	vu_queue_flush(&r.vq);
	g_assert_false(vu_queue_should_notify(&r.vq));
	g_assert_cmpuint(warnings, ==, 1);
	g_assert_true(used_ring_untouched(&r));
	g_assert_cmpint(read(r.vq.err_fd, &v, sizeof(v)), ==, -1);

	close(r.vq.err_fd);
	ring_fini(&r);
}

/**
 * test_overcommit() - A driver offering more chains than the queue size
 *		       while the device holds them all breaks the queue
 */
static void test_overcommit(void)
{
	struct ring r;
	unsigned int i;

	ring_init(&r, QSIZE, 0);
	set_desc(r.d, 0, buf(&r, 8), 8, 0, 0);
	for (i = 0; i < QSIZE; i++) {
		make_avail(&r, 0);
		g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	}
	make_avail(&r, 0);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_true(r.vq.broken);
	g_assert_nonnull(strstr(last_warning, "in flight"));
	g_assert_true(used_ring_untouched(&r));
	ring_fini(&r);
}

/**
 * test_publish_batch() - Pushed entries reach the driver (used->idx) only
 * when the batch is flushed: one store to the index line per batch
 */
static void test_publish_batch(void)
{
	struct ring r;
	unsigned int i;

	ring_init(&r, QSIZE, 0);
	for (i = 0; i < 3; i++) {
		set_desc(r.d, (uint16_t)i, buf(&r, 8), 8, VU_DESC_F_WRITE, 0);
		make_avail(&r, (uint16_t)i);
		g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
		vu_queue_push(&r.vq, &r.elem, 8);
		g_assert_cmpuint(le32toh(r.u->ring[i].id), ==, i);
	}
	g_assert_cmpuint(le16toh(r.u->idx), ==, 0);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 3);
	ring_fini(&r);
}

/**
 * test_burst() - vu_queue_pop_burst() takes one-buffer chains in one go
 * and hands a chain of several buffers to the full path, in ring order;
 * a bad head still breaks the ring; vu_queue_push_burst() writes the
 * used entries in order, published by the flush
 */
static void test_burst(void)
{
	struct vu_elem e[6];
	struct iovec iov[6][4];
	uint32_t lens[6] = { 1, 2, 3, 4, 5, 6 };
	uint64_t b[4];
	struct ring r;
	unsigned int i;

	ring_init(&r, QSIZE, 0);
	for (i = 0; i < 4; i++)
		b[i] = buf(&r, 64);
	set_desc(r.d, 0, b[0], 64, 0, 0);
	set_desc(r.d, 1, b[1], 64, VU_DESC_F_WRITE, 0);
	/* Chain 2 -> 3: two buffers */
	set_desc(r.d, 2, b[2], 32, VU_DESC_F_NEXT, 3);
	set_desc(r.d, 3, b[3], 32, VU_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	make_avail(&r, 1);
	make_avail(&r, 2);
	make_avail(&r, 1);
	for (i = 0; i < 6; i++) {
		e[i].iov = iov[i];
		e[i].iov_max = 4;
	}
	g_assert_cmpuint(vu_queue_pop_burst(&r.vq, e, 6), ==, 4);
	g_assert_cmpuint(e[0].id, ==, 0);
	g_assert_cmpuint(e[0].out_num, ==, 1);
	g_assert_cmpuint(e[0].in_num, ==, 0);
	g_assert_true(e[0].iov[0].iov_base == dev_ptr(&r, b[0]));
	g_assert_cmpuint(e[1].id, ==, 1);
	g_assert_cmpuint(e[1].in_num, ==, 1);
	g_assert_cmpuint(e[2].id, ==, 2);
	g_assert_cmpuint(e[2].out_num, ==, 1);
	g_assert_cmpuint(e[2].in_num, ==, 1);
	g_assert_true(e[2].iov[1].iov_base == dev_ptr(&r, b[3]));
	g_assert_cmpuint(e[3].id, ==, 1);
	g_assert_cmpuint(r.vq.inuse, ==, 4);

	vu_queue_push_burst(&r.vq, e, 4, lens);
	g_assert_cmpuint(r.vq.inuse, ==, 0);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 0);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 4);
	for (i = 0; i < 4; i++) {
		g_assert_cmpuint(le32toh(r.u->ring[i].id), ==, e[i].id);
		g_assert_cmpuint(le32toh(r.u->ring[i].len), ==, lens[i]);
	}

	/* A head past the table breaks the ring, burst or not */
	make_avail(&r, QSIZE + 3);
	g_assert_cmpuint(vu_queue_pop_burst(&r.vq, e, 6), ==, 0);
	g_assert_true(r.vq.broken);
	ring_fini(&r);
}

/**
 * pop_push() - Make a one-buffer chain available, pop it and push it
 * @r:		Ring
 * @head:	Descriptor index to use
 */
static void pop_push(struct ring *r, uint16_t head)
{
	set_desc(r->d, head, buf(r, 8), 8, VU_DESC_F_WRITE, 0);
	make_avail(r, head);
	g_assert_cmpint(vu_queue_pop(&r->vq, &r->elem), ==, 1);
	g_assert_cmpuint(r->elem.id, ==, head);
	vu_queue_push(&r->vq, &r->elem, 8);
	vu_queue_flush(&r->vq);
}

/**
 * test_event_idx() - avail_event published; used_event honoured
 */
static void test_event_idx(void)
{
	struct ring r;

	ring_init(&r, QSIZE, F(VU_F_RING_EVENT_IDX));
	set_desc(r.d, 0, buf(&r, 8), 8, 0, 0);
	set_desc(r.d, 1, buf(&r, 8), 8, 0, 0);
	make_avail(&r, 0);
	make_avail(&r, 1);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(avail_event(&r), ==, 1);

	/* Disabled: avail_event no longer moves */
	vu_queue_set_notification(&r.vq, false);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(avail_event(&r), ==, 1);
	vu_queue_set_notification(&r.vq, true);
	g_assert_cmpuint(avail_event(&r), ==, 2);
	vu_queue_push(&r.vq, &r.elem, 0);
	vu_queue_push(&r.vq, &r.elem, 0);

	/* First check after start: always notify */
	*used_event(&r) = htole16(100);
	g_assert_true(vu_queue_should_notify(&r.vq));
	/* used idx 2 -> 3, used_event 100: no */
	pop_push(&r, 2);
	g_assert_false(vu_queue_should_notify(&r.vq));
	/* used idx 3 -> 4, used_event 3: yes */
	*used_event(&r) = htole16(3);
	pop_push(&r, 3);
	g_assert_true(vu_queue_should_notify(&r.vq));
	/* used idx 4 -> 6, used_event 4: crossed within the batch: yes */
	*used_event(&r) = htole16(4);
	pop_push(&r, 4);
	pop_push(&r, 5);
	g_assert_true(vu_queue_should_notify(&r.vq));
	/* used idx 6 -> 7, used_event 5 (already passed): no */
	*used_event(&r) = htole16(5);
	pop_push(&r, 6);
	g_assert_false(vu_queue_should_notify(&r.vq));
	/* NO_INTERRUPT is ignored with event idx */
	r.a->flags = htole16(VU_AVAIL_F_NO_INTERRUPT);
	*used_event(&r) = htole16(7);
	pop_push(&r, 7);
	g_assert_true(vu_queue_should_notify(&r.vq));
	g_assert_cmpuint(avail_event(&r), ==, 8);
	ring_fini(&r);
}

/**
 * test_no_interrupt() - Without event idx, NO_INTERRUPT and NO_NOTIFY
 */
static void test_no_interrupt(void)
{
	struct ring r;

	ring_init(&r, QSIZE, 0);
	g_assert_false(vu_queue_should_notify(&r.vq));
	pop_push(&r, 0);
	g_assert_true(vu_queue_should_notify(&r.vq));
	r.a->flags = htole16(VU_AVAIL_F_NO_INTERRUPT);
	pop_push(&r, 1);
	g_assert_false(vu_queue_should_notify(&r.vq));
	r.a->flags = 0;
	pop_push(&r, 2);
	g_assert_true(vu_queue_should_notify(&r.vq));
	g_assert_false(vu_queue_should_notify(&r.vq));

	vu_queue_set_notification(&r.vq, false);
	g_assert_cmpuint(le16toh(r.u->flags), ==, VU_USED_F_NO_NOTIFY);
	vu_queue_set_notification(&r.vq, true);
	g_assert_cmpuint(le16toh(r.u->flags), ==, 0);
	g_assert_cmpuint(avail_event(&r), ==, 0);
	ring_fini(&r);
}

/**
 * test_notify_on_empty() - NOTIFY_ON_EMPTY overrides NO_INTERRUPT when empty
 */
static void test_notify_on_empty(void)
{
	struct ring r;

	ring_init(&r, QSIZE, F(VU_F_NOTIFY_ON_EMPTY));
	r.a->flags = htole16(VU_AVAIL_F_NO_INTERRUPT);
	set_desc(r.d, 0, buf(&r, 8), 8, 0, 0);
	set_desc(r.d, 1, buf(&r, 8), 8, 0, 0);
	make_avail(&r, 0);
	make_avail(&r, 1);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	vu_queue_push(&r.vq, &r.elem, 0);
	/* one chain still available: suppressed */
	g_assert_false(vu_queue_should_notify(&r.vq));
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	vu_queue_push(&r.vq, &r.elem, 0);
	g_assert_true(vu_queue_should_notify(&r.vq));
	ring_fini(&r);
}

/**
 * test_batch() - Three pushes, one flush, one notification
 */
static void test_batch(void)
{
	struct vu_elem e[3];
	struct iovec iov[3];
	struct ring r;
	unsigned int i;

	ring_init(&r, QSIZE, F(VU_F_RING_EVENT_IDX));
	for (i = 0; i < 3; i++) {
		set_desc(r.d, 6 - i, buf(&r, 8), 8, VU_DESC_F_WRITE, 0);
		make_avail(&r, (uint16_t)(6 - i));
		e[i].iov = &iov[i];
		e[i].iov_max = 1;
		g_assert_cmpint(vu_queue_pop(&r.vq, &e[i]), ==, 1);
	}
	g_assert_cmpuint(r.vq.inuse, ==, 3);
	/* complete out of order */
	vu_queue_push(&r.vq, &e[1], 1);
	vu_queue_push(&r.vq, &e[2], 2);
	vu_queue_push(&r.vq, &e[0], 3);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 3);
	g_assert_cmpuint(le32toh(r.u->ring[0].id), ==, 5);
	g_assert_cmpuint(le32toh(r.u->ring[1].id), ==, 4);
	g_assert_cmpuint(le32toh(r.u->ring[2].id), ==, 6);
	g_assert_cmpuint(le32toh(r.u->ring[2].len), ==, 3);
	*used_event(&r) = htole16(0);
	g_assert_true(vu_queue_should_notify(&r.vq));
	g_assert_false(vu_queue_should_notify(&r.vq));
	g_assert_cmpuint(r.vq.inuse, ==, 0);

	/* A second batch, the driver asking for a call at its first entry */
	for (i = 0; i < 3; i++) {
		make_avail(&r, (uint16_t)(6 - i));
		g_assert_cmpint(vu_queue_pop(&r.vq, &e[i]), ==, 1);
	}
	*used_event(&r) = htole16(3);
	for (i = 0; i < 3; i++)
		vu_queue_push(&r.vq, &e[i], 0);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(le16toh(r.u->idx), ==, 6);
	g_assert_true(vu_queue_should_notify(&r.vq));
	g_assert_false(vu_queue_should_notify(&r.vq));
	ring_fini(&r);
}

/**
 * test_base() - SET_VRING_BASE/GET_VRING_BASE, split and packed encodings
 */
static void test_base(void)
{
	struct vu_queue pq;
	struct ring r;

	ring_init(&r, QSIZE, 0);
	r.u->idx = htole16(3);
	g_assert_cmpint(vu_queue_set_base(&r.vq, 5), ==, 0);
	g_assert_cmpuint(vu_queue_get_base(&r.vq), ==, 5);
	r.avail_idx = 5;
	pop_push(&r, 1);
	g_assert_cmpuint(vu_queue_get_base(&r.vq), ==, 6);
	/* The used index continued from the ring's, not from the base */
	g_assert_cmpuint(le16toh(r.u->idx), ==, 4);
	g_assert_cmpuint(le32toh(r.u->ring[3].id), ==, 1);
	/* Wrap of the 16-bit index */
	g_assert_cmpint(vu_queue_set_base(&r.vq, 0xffff), ==, 0);
	r.avail_idx = 0xffff;
	pop_push(&r, 2);
	pop_push(&r, 3);
	g_assert_cmpuint(vu_queue_get_base(&r.vq), ==, 1);
	g_assert_false(r.vq.broken);
	ring_fini(&r);

	vu_queue_init(&pq, 0);
	pq.features = F(VU_F_RING_PACKED);
	pq.size = 256;
	g_assert_cmpint(vu_queue_set_base(&pq, 0x80058003u), ==, 0);
	g_assert_cmpuint(pq.last_avail_idx, ==, 3);
	g_assert_true(pq.avail_wrap);
	g_assert_cmpuint(pq.used_idx, ==, 5);
	g_assert_true(pq.used_wrap);
	g_assert_cmpuint(vu_queue_get_base(&pq), ==, 0x80058003u);
	g_assert_cmpint(vu_queue_set_base(&pq, 0x00ff0010u), ==, 0);
	g_assert_false(pq.avail_wrap);
	g_assert_false(pq.used_wrap);
	g_assert_cmpuint(vu_queue_get_base(&pq), ==, 0x00ff0010u);
	g_assert_cmpint(vu_queue_set_base(&pq, 0x100), ==, -EINVAL);
	g_assert_cmpint(vu_queue_set_base(&pq, 0x1000000), ==, -EINVAL);
}

/**
 * test_unpop() - An unpopped chain is popped again
 */
static void test_unpop(void)
{
	struct ring r;

	ring_init(&r, QSIZE, 0);
	set_desc(r.d, 3, buf(&r, 8), 8, 0, 0);
	set_desc(r.d, 4, buf(&r, 8), 8, 0, 0);
	make_avail(&r, 3);
	make_avail(&r, 4);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 4);
	vu_queue_unpop(&r.vq, &r.elem);
	g_assert_cmpuint(r.vq.inuse, ==, 1);
	g_assert_cmpuint(vu_queue_get_base(&r.vq), ==, 1);
	g_assert_false(vu_queue_empty(&r.vq));
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 4);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 0);
	ring_fini(&r);
}

/**
 * test_resubmit() - Requests found in flight come before new ones
 */
static void test_resubmit(void)
{
	struct ring r;
	unsigned int i;

	ring_init(&r, QSIZE, 0);
	for (i = 0; i < 4; i++)
		set_desc(r.d, i, buf(&r, 8), 8, 0, 0);
	make_avail(&r, 0);
	r.vq.resubmit = g_new0(struct vu_resubmit, 2);
	r.vq.resubmit[0].index = 3;
	r.vq.resubmit[1].index = 1;
	r.vq.resubmit_num = 2;
	g_assert_false(vu_queue_empty(&r.vq));

	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 3);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 1);
	vu_queue_unpop(&r.vq, &r.elem);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 1);
	g_assert_cmpuint(r.elem.out_num, ==, 1);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	g_assert_cmpuint(r.elem.id, ==, 0);
	g_assert_null(r.vq.resubmit);
	g_assert_cmpuint(r.vq.inuse, ==, 3);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 0);

	/* A bad index in the list breaks the queue */
	r.vq.resubmit = g_new0(struct vu_resubmit, 1);
	r.vq.resubmit[0].index = QSIZE;
	r.vq.resubmit_num = 1;
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_true(r.vq.broken);
	g_assert_cmpuint(warnings, ==, 1);
	ring_fini(&r);
	g_assert_null(r.vq.resubmit);
}

/**
 * test_map_errors() - Misaligned, out-of-memory or badly sized rings
 */
static void test_map_errors(void)
{
	struct vu_vring_addr good;
	struct ring r;

	ring_init(&r, QSIZE, 0);
	good = r.vq.addr;

	r.vq.addr.desc_user += 8;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EINVAL);
	g_assert_null(r.vq.desc);
	r.vq.addr = good;
	r.vq.addr.used_user += 2;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EINVAL);
	r.vq.addr = good;
	r.vq.addr.avail_user += 1;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EINVAL);
	r.vq.addr = good;
	r.vq.addr.desc_user = GUEST_UVA_BASE + GUEST_SIZE - 16 * QSIZE + 16;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EFAULT);
	/* used ring whose avail_event field would lie past the end */
	r.vq.addr = good;
	r.vq.addr.used_user = GUEST_UVA_BASE + GUEST_SIZE - (4 + 8 * QSIZE);
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EFAULT);
	/* avail ring whose used_event field would lie past the end */
	r.vq.addr = good;
	r.vq.addr.avail_user = GUEST_UVA_BASE + GUEST_SIZE - (4 + 2 * QSIZE);
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EFAULT);
	r.vq.addr = good;
	r.vq.size = 6;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EINVAL);
	r.vq.size = 0;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, -EINVAL);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_false(r.vq.broken);
	r.vq.size = QSIZE;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, 0);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 0);
	ring_fini(&r);
}

/**
 * test_resize() - A size change after mapping makes the rings unusable until
 *		   they are mapped again for the new size
 */
static void test_resize(void)
{
	struct ring r;

	ring_init(&r, QSIZE, 0);
	set_desc(r.d, 0, buf(&r, 8), 8, 0, 0);
	make_avail(&r, 0);
	r.vq.size = 2 * QSIZE;
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_true(vu_queue_empty(&r.vq));
	g_assert_false(r.vq.broken);
	r.vq.size = QSIZE;
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	r.vq.size = 2 * QSIZE;
	vu_queue_push(&r.vq, &r.elem, 0);
	g_assert_true(used_ring_untouched(&r));
	r.vq.size = QSIZE;
	g_assert_cmpint(vu_queue_map(&r.vq), ==, 0);
	ring_fini(&r);
}

/**
 * test_reset() - Reset clears the broken state and the rings, not the fds
 */
static void test_reset(void)
{
	struct ring r;

	ring_init(&r, QSIZE, 0);
	r.vq.kick_fd = 42;
	vu_queue_set_broken(&r.vq, "test");
	vu_queue_set_broken(&r.vq, "test again");
	g_assert_cmpuint(warnings, ==, 1);
	vu_queue_reset(&r.vq);
	g_assert_false(r.vq.broken);
	g_assert_null(r.vq.desc);
	g_assert_cmpint(r.vq.kick_fd, ==, 42);
	g_assert_cmpuint(r.vq.index, ==, 3);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), <, 0);
	g_assert_cmpint(vu_queue_map(&r.vq), ==, 0);
	pop_push(&r, 0);
	r.vq.kick_fd = -1;
	ring_fini(&r);
}

/**
 * log_bit() - Read the dirty bit of a guest physical address
 * @bitmap:	Log bitmap
 * @gpa:	Address
 *
 * Return: true if its page is marked dirty
 */
static bool log_bit(const uint8_t *bitmap, uint64_t gpa)
{
	uint64_t page = gpa / VU_LOG_PAGE;

	return bitmap[page / 8] & (1u << (page % 8));
}

/**
 * test_log() - Written buffers and used ring writes are logged
 */
static void test_log(void)
{
	uint8_t bitmap[(GUEST_GPA_BASE + 2 * GUEST_SIZE) / VU_LOG_PAGE / 8];
	struct vu_log log = { .base = bitmap, .size = sizeof(bitmap),
			      .enabled = true };
	uint64_t out, in;
	struct ring r;

	memset(bitmap, 0, sizeof(bitmap));
	ring_init(&r, QSIZE, 0);
	r.vq.log = &log;
	r.vq.addr.flags = VU_VRING_F_LOG;
	out = guest_alloc(&r.g, VU_LOG_PAGE, VU_LOG_PAGE);
	in = guest_alloc(&r.g, 3 * VU_LOG_PAGE, VU_LOG_PAGE);
	set_desc(r.d, 0, out, VU_LOG_PAGE, VU_DESC_F_NEXT, 1);
	set_desc(r.d, 1, in, 3 * VU_LOG_PAGE, VU_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	g_assert_cmpint(vu_queue_pop(&r.vq, &r.elem), ==, 1);
	vu_queue_push(&r.vq, &r.elem, VU_LOG_PAGE + 1);
	vu_queue_flush(&r.vq);

	g_assert_false(log_bit(bitmap, out));
	g_assert_true(log_bit(bitmap, in));
	g_assert_true(log_bit(bitmap, in + VU_LOG_PAGE));
	g_assert_false(log_bit(bitmap, in + 2 * VU_LOG_PAGE));
	g_assert_true(log_bit(bitmap, r.used));
	ring_fini(&r);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: GTest's result
 */
int main(int argc, char **argv)
{
	unsigned int i;

	g_test_init(&argc, &argv, NULL);
	/* Broken rings warn: count the warnings instead of aborting */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_log_set_default_handler(count_warnings, NULL);
	g_test_add_func("/split/simple", test_simple);
	g_test_add_func("/split/full-chain", test_full_chain);
	g_test_add_func("/split/publish-batch", test_publish_batch);
	g_test_add_func("/split/burst", test_burst);
	g_test_add_func("/split/indirect", test_indirect);
	g_test_add_func("/split/zero-len", test_zero_len);
	g_test_add_func("/split/cross-region", test_cross_region);
	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		char *path = g_strdup_printf("/split/hostile/%s",
					     hostile[i].name);

		g_test_add_data_func(path, &hostile[i], test_hostile);
		g_free(path);
	}
	g_test_add_func("/split/overcommit", test_overcommit);
	g_test_add_func("/split/event-idx", test_event_idx);
	g_test_add_func("/split/no-interrupt", test_no_interrupt);
	g_test_add_func("/split/notify-on-empty", test_notify_on_empty);
	g_test_add_func("/split/batch", test_batch);
	g_test_add_func("/split/base", test_base);
	g_test_add_func("/split/unpop", test_unpop);
	g_test_add_func("/split/resubmit", test_resubmit);
	g_test_add_func("/split/map-errors", test_map_errors);
	g_test_add_func("/split/resize", test_resize);
	g_test_add_func("/split/reset", test_reset);
	g_test_add_func("/split/log", test_log);
	return g_test_run();
}
