// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-inflight.c - unit tests of inflight I/O tracking (common/vu-inflight.c):
 * the region layout shared with QEMU, creating and taking back regions, and
 * back-end crashes simulated on split and packed rings in a fake guest.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "guest.h"
#include "vu-inflight.h"
#include "vu-queue.h"

#define RAM_SIZE	(1u << 20)
#define QSIZE		8
#define NQUEUES		2
#define QINDEX		1	/* the queue under test: not the first region */
#define NELEMS		8
#define IOVS		8
#define F_PACKED	(1ull << VU_F_RING_PACKED)
#define F_INDIRECT	(1ull << VU_F_RING_INDIRECT_DESC)

/**
 * struct rig - a ring in a fake guest, its inflight region, and the device
 *		queue of the current back-end "process"
 * @g:		Guest memory
 * @packed:	Packed layout
 * @desc:	Split descriptor table or packed ring (guest address)
 * @avail:	Split avail ring or packed driver event area (guest address)
 * @used:	Split used ring or packed device event area (guest address)
 * @d:		Test's pointer to the split descriptor table
 * @a:		Test's pointer to the split avail ring
 * @u:		Test's pointer to the split used ring
 * @pd:		Test's pointer to the packed ring
 * @next:	Driver: split next avail index, packed next slot
 * @wrap:	Driver: packed Driver Ring Wrap Counter
 * @inf:	The region as this back-end holds it
 * @vq:		The device queue
 * @iov:	iovecs of @elem
 * @elem:	Elements popped, by test number
 */
struct rig {
	struct guest g;
	bool packed;
	uint64_t desc, avail, used;
	struct vu_desc *d;
	struct vu_avail *a;
	struct vu_used *u;
	struct vu_pdesc *pd;
	uint16_t next;
	bool wrap;
	struct vu_inflight inf;
	struct vu_queue vq;
	struct iovec iov[NELEMS][IOVS];
	struct vu_elem elem[NELEMS];
};

/**
 * fd_is_open() - Check whether a file descriptor is open
 * @fd:		File descriptor
 *
 * Return: true if open
 */
static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* ------------------------------------------------------- region level */

/**
 * test_layout() - Structures match the specification's byte layout, queue
 *		   regions are 64-byte aligned
 */
static void test_layout(void)
{
	g_assert_cmpuint(sizeof(struct vu_inflight_desc_split), ==, 16);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_split, next), ==, 6);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_split, counter), ==,
			 8);
	g_assert_cmpuint(offsetof(struct vu_inflight_split, version), ==, 8);
	g_assert_cmpuint(offsetof(struct vu_inflight_split, desc_num), ==, 10);
	g_assert_cmpuint(offsetof(struct vu_inflight_split, last_batch_head),
			 ==, 12);
	g_assert_cmpuint(offsetof(struct vu_inflight_split, used_idx), ==, 14);
	g_assert_cmpuint(offsetof(struct vu_inflight_split, desc), ==, 16);

	g_assert_cmpuint(sizeof(struct vu_inflight_desc_packed), ==, 32);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, next), ==, 2);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, last), ==, 4);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, num), ==, 6);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, counter), ==,
			 8);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, id), ==, 16);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, flags), ==,
			 18);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, len), ==, 20);
	g_assert_cmpuint(offsetof(struct vu_inflight_desc_packed, addr), ==,
			 24);
	g_assert_cmpuint(offsetof(struct vu_inflight_packed, free_head), ==,
			 12);
	g_assert_cmpuint(offsetof(struct vu_inflight_packed, old_used_idx), ==,
			 18);
	g_assert_cmpuint(offsetof(struct vu_inflight_packed,
				  used_wrap_counter), ==, 20);
	g_assert_cmpuint(offsetof(struct vu_inflight_packed,
				  old_used_wrap_counter), ==, 21);
	g_assert_cmpuint(offsetof(struct vu_inflight_packed, desc), ==, 32);

	/* 16 + 16 * n and 32 + 32 * n, rounded up to 64 */
	g_assert_cmpuint(vu_inflight_queue_bytes(1, false), ==, 64);
	g_assert_cmpuint(vu_inflight_queue_bytes(3, false), ==, 64);
	g_assert_cmpuint(vu_inflight_queue_bytes(4, false), ==, 128);
	g_assert_cmpuint(vu_inflight_queue_bytes(128, false), ==, 2112);
	g_assert_cmpuint(vu_inflight_queue_bytes(256, false), ==, 4160);
	g_assert_cmpuint(vu_inflight_queue_bytes(1, true), ==, 64);
	g_assert_cmpuint(vu_inflight_queue_bytes(2, true), ==, 128);
	g_assert_cmpuint(vu_inflight_queue_bytes(256, true), ==, 8256);
	g_assert_cmpuint(vu_inflight_queue_bytes(32768, true), ==, 1048640);
	g_assert_cmpuint(vu_inflight_queue_bytes(32768, false), ==, 524352);
}

/**
 * test_create() - A new region: sized, sealed, headers written, queues
 *		   found at their offsets, replaced by a second create
 */
static void test_create(void)
{
	size_t qb = vu_inflight_queue_bytes(128, true);
	struct vu_inflight_packed *p;
	struct vu_inflight_split *s;
	struct vu_inflight inf;
	int fd, old, seals;
	struct stat st;
	unsigned int i;

	vu_inflight_init(&inf);
	g_assert_null(vu_inflight_queue(&inf, 0));
	fd = vu_inflight_create(&inf, 3, 128, true);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(inf.fd, ==, fd);
	g_assert_cmpuint(inf.size, ==, 3 * qb);
	g_assert_cmpuint(inf.offset, ==, 0);
	g_assert_cmpint(fstat(fd, &st), ==, 0);
	g_assert_cmpuint((uint64_t)st.st_size, ==, 3 * qb);
	seals = fcntl(fd, F_GET_SEALS);
	g_assert_cmpint(seals & F_SEAL_SHRINK, !=, 0);
	g_assert_true((uint8_t *)vu_inflight_queue(&inf, 2) ==
		      (uint8_t *)inf.map + 2 * qb);
	g_assert_null(vu_inflight_queue(&inf, 3));
	for (i = 0; i < 3; i++) {
		p = vu_inflight_queue(&inf, i);
		g_assert_cmpuint(p->desc_num, ==, 128);
		g_assert_cmpuint(p->version, ==, 0);	/* fresh until used */
		g_assert_cmpuint(p->used_wrap_counter, ==, 1);
		g_assert_cmpuint(p->old_used_wrap_counter, ==, 1);
		g_assert_cmpuint(p->free_head, ==, 0);
		g_assert_cmpuint(p->desc[0].next, ==, 1);
		g_assert_cmpuint(p->desc[127].next, ==, 128);
		g_assert_cmpuint(p->desc[5].inflight, ==, 0);
	}

	old = fd;
	fd = vu_inflight_create(&inf, 1, 64, false);
	g_assert_cmpint(fd, >=, 0);
	g_assert_false(fd_is_open(old));
	g_assert_false(inf.packed);
	s = vu_inflight_queue(&inf, 0);
	g_assert_cmpuint(s->desc_num, ==, 64);
	g_assert_cmpuint(s->desc[63].inflight, ==, 0);
	g_assert_null(vu_inflight_queue(&inf, 1));
	vu_inflight_clear(&inf);
	g_assert_false(fd_is_open(fd));
	g_assert_null(inf.map);
	g_assert_cmpint(inf.fd, ==, -1);
	g_assert_null(vu_inflight_queue(&inf, 0));
}

/**
 * test_create_errors() - Bad geometries are refused, keeping the region
 */
static void test_create_errors(void)
{
	struct vu_inflight inf;
	int fd;

	vu_inflight_init(&inf);
	fd = vu_inflight_create(&inf, 1, 64, false);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(vu_inflight_create(&inf, 0, 64, false), ==, -EINVAL);
	g_assert_cmpint(vu_inflight_create(&inf, 1, 0, false), ==, -EINVAL);
	g_assert_cmpint(vu_inflight_create(&inf, 1, 32769, true), ==, -EINVAL);
	g_assert_cmpint(vu_inflight_create(&inf, 65535, 32768, true), ==,
			-E2BIG);
	g_assert_cmpint(inf.fd, ==, fd);	/* failures keep the region */
	g_assert_nonnull(vu_inflight_queue(&inf, 0));
	vu_inflight_clear(&inf);
}

/**
 * test_set() - A region handed back (as after a reconnect) shows what the
 *		previous holder wrote; a non-zero offset is honoured
 */
static void test_set(void)
{
	/* Regions leave room for the packed layout, whatever the queues use */
	size_t qb = vu_inflight_queue_bytes(16, true);
	struct vu_inflight a, b;
	struct vu_inflight_split *sa, *sb;
	uint8_t *raw;
	int fd;

	vu_inflight_init(&a);
	vu_inflight_init(&b);
	fd = vu_inflight_create(&a, 2, 16, false);
	g_assert_cmpint(fd, >=, 0);
	sa = vu_inflight_queue(&a, 1);
	sa->desc[7].inflight = 1;
	sa->desc[7].counter = 42;
	g_assert_cmpint(vu_inflight_set(&b, dup(fd), a.size, 0, 2, 16, false),
			==, 0);
	g_assert_cmpint(b.fd, >=, 0);
	sb = vu_inflight_queue(&b, 1);
	g_assert_cmpuint(sb->desc[7].counter, ==, 42);
	g_assert_cmpuint(sb->desc_num, ==, 16);
	vu_inflight_clear(&a);
	vu_inflight_clear(&b);

	/* A front-end's own file, region at an offset */
	fd = memfd_create("frontend", MFD_CLOEXEC);
	g_assert_cmpint(ftruncate(fd, 4096 + 2 * (off_t)qb), ==, 0);
	raw = mmap(NULL, 4096 + 2 * qb, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	g_assert(raw != MAP_FAILED);
	((struct vu_inflight_split *)(raw + 4096 + qb))->used_idx = 0x1234;
	g_assert_cmpint(vu_inflight_set(&b, dup(fd), 2 * qb, 4096, 2, 16,
					false), ==, 0);
	sb = vu_inflight_queue(&b, 1);
	g_assert_cmpuint(sb->used_idx, ==, 0x1234);
	g_assert_true((uint8_t *)vu_inflight_queue(&b, 0) ==
		      (uint8_t *)b.map + 4096);
	vu_inflight_clear(&b);
	munmap(raw, 4096 + 2 * qb);
	close(fd);
}

/**
 * expect_set_fails() - A SET_INFLIGHT_FD must be refused and its fd closed,
 *			leaving the previous region in place
 * @inf:	Region holding a valid region
 * @file:	File to dup for the message
 * @size:	mmap size
 * @offset:	mmap offset
 * @nq:		Queues
 * @qs:		Queue size
 */
static void expect_set_fails(struct vu_inflight *inf, int file, uint64_t size,
			     uint64_t offset, uint16_t nq, uint16_t qs)
{
	void *map = inf->map;
	int fd = dup(file);

	g_assert_cmpint(vu_inflight_set(inf, fd, size, offset, nq, qs, false),
			==, -EINVAL);
	g_assert_false(fd_is_open(fd));
	g_assert_true(inf->map == map);
}

/**
 * test_set_hostile() - Inconsistent descriptions are refused
 */
static void test_set_hostile(void)
{
	/* Regions leave room for the packed layout, whatever the queues use */
	size_t qb = vu_inflight_queue_bytes(16, true);
	struct vu_inflight inf;
	int fd;

	vu_inflight_init(&inf);
	fd = vu_inflight_create(&inf, 2, 16, false);
	g_assert_cmpint(fd, >=, 0);
	fd = dup(fd);	/* the front-end's copy */
	expect_set_fails(&inf, fd, 2 * qb - 1, 0, 2, 16);	/* too small */
	expect_set_fails(&inf, fd, 2 * qb, 0, 3, 16);	/* more queues */
	expect_set_fails(&inf, fd, 2 * qb, 0, 2, 20);	/* bigger queues */
	expect_set_fails(&inf, fd, 2 * qb, 0, 0, 16);
	expect_set_fails(&inf, fd, 2 * qb, 0, 2, 0);
	expect_set_fails(&inf, fd, 2 * qb, 0, 2, 40000);
	expect_set_fails(&inf, fd, 2 * qb, UINT64_MAX - 8, 2, 16);
	expect_set_fails(&inf, fd, UINT64_MAX, 64, 2, 16);
	expect_set_fails(&inf, fd, 2 * qb, 3, 2, 16);	/* misaligned */
	expect_set_fails(&inf, fd, 4 * qb, 0, 2, 16);	/* past the file */
	expect_set_fails(&inf, fd, 2 * qb, qb, 2, 16);	/* past the file */
	g_assert_cmpint(vu_inflight_set(&inf, -1, 2 * qb, 0, 2, 16, false), ==,
			-EBADF);
	/* The same values with a valid file are fine */
	g_assert_cmpint(vu_inflight_set(&inf, dup(fd), 2 * qb, 0, 2, 16, false),
			==, 0);
	vu_inflight_clear(&inf);
	close(fd);
}

/* ----------------------------------------------------------- the rig */

/**
 * rig_init() - A guest with an empty ring and a fresh inflight region
 * @r:		Rig
 * @packed:	Packed layout
 */
static void rig_init(struct rig *r, bool packed)
{
	memset(r, 0, sizeof(*r));
	guest_init(&r->g, RAM_SIZE);
	r->packed = packed;
	r->wrap = true;
	if (packed) {
		r->desc = guest_alloc(&r->g, 16u * QSIZE, 16);
		r->avail = guest_alloc(&r->g, 4, 4);
		r->used = guest_alloc(&r->g, 4, 4);
		r->pd = guest_ptr(&r->g, r->desc);
	} else {
		r->desc = guest_alloc(&r->g, 16u * QSIZE, 16);
		r->avail = guest_alloc(&r->g, 6 + 2u * QSIZE, 2);
		r->used = guest_alloc(&r->g, 6 + 8u * QSIZE, 4);
		r->d = guest_ptr(&r->g, r->desc);
		r->a = guest_ptr(&r->g, r->avail);
		r->u = guest_ptr(&r->g, r->used);
	}
	vu_inflight_init(&r->inf);
	g_assert_cmpint(vu_inflight_create(&r->inf, NQUEUES, QSIZE, packed),
			>=, 0);
	vu_queue_init(&r->vq, QINDEX);
}

/**
 * rig_start() - Start the queue as a (new) back-end does: base, ring
 *		 addresses, then the inflight region, recovering it
 * @r:		Rig
 * @base:	SET_VRING_BASE value
 *
 * Return: vu_inflight_attach()'s result
 */
static int rig_start(struct rig *r, uint32_t base)
{
	unsigned int i;

	vu_queue_reset(&r->vq);
	vu_queue_init(&r->vq, QINDEX);
	r->vq.size = QSIZE;
	r->vq.features = F_INDIRECT | (r->packed ? F_PACKED : 0);
	r->vq.mem = &r->g.mem;
	r->vq.addr.desc_user = guest_uva(r->desc);
	r->vq.addr.avail_user = guest_uva(r->avail);
	r->vq.addr.used_user = guest_uva(r->used);
	g_assert_cmpint(vu_queue_set_base(&r->vq, base), ==, 0);
	g_assert_cmpint(vu_queue_map(&r->vq), ==, 0);
	for (i = 0; i < NELEMS; i++) {
		r->elem[i].iov = r->iov[i];
		r->elem[i].iov_max = IOVS;
	}
	return vu_inflight_attach(&r->inf, &r->vq);
}

/**
 * rig_crash() - The back-end dies; a new one gets the region back from the
 *		 front-end with SET_INFLIGHT_FD and starts the queue
 * @r:		Rig
 * @base:	SET_VRING_BASE the front-end sends
 *
 * Return: vu_inflight_attach()'s result in the new back-end
 */
static int rig_crash(struct rig *r, uint32_t base)
{
	struct vu_inflight old = r->inf;
	int fd = dup(old.fd);

	vu_inflight_init(&r->inf);
	g_assert_cmpint(vu_inflight_set(&r->inf, fd, old.size, old.offset,
					old.num_queues, old.queue_size,
					old.packed), ==, 0);
	r->vq.inflight = NULL;
	vu_inflight_clear(&old);
	return rig_start(r, base);
}

/**
 * rig_fini() - Release a rig
 * @r:		Rig
 */
static void rig_fini(struct rig *r)
{
	vu_queue_reset(&r->vq);
	vu_inflight_clear(&r->inf);
	guest_fini(&r->g);
}

/**
 * buf_gpa() - Guest address of the buffer of a test request
 * @n:		Request number
 *
 * Return: address, in the upper half of guest RAM
 */
static uint64_t buf_gpa(unsigned int n)
{
	return GUEST_GPA_BASE + RAM_SIZE / 2 + 0x1000 * (uint64_t)n;
}

/**
 * dev_ptr() - The device's pointer to a guest address
 * @r:		Rig
 * @gpa:	Guest physical address
 *
 * Return: pointer in the device's mapping of guest memory
 */
static void *dev_ptr(struct rig *r, uint64_t gpa)
{
	void *p = vu_mem_gpa_range(&r->g.mem, gpa, 1);

	g_assert_nonnull(p);
	return p;
}

/**
 * split_post() - Driver: make a one-buffer chain available at a head
 * @r:		Rig (split)
 * @head:	Descriptor index, also the request number
 */
static void split_post(struct rig *r, uint16_t head)
{
	r->d[head].addr = htole64(buf_gpa(head));
	r->d[head].len = htole32(100 + head);
	r->d[head].flags = 0;
	r->a->ring[r->next % QSIZE] = htole16(head);
	r->next++;
	__atomic_store_n(&r->a->idx, htole16(r->next), __ATOMIC_RELEASE);
}

/**
 * split_used_idx() - The used->idx the device published
 * @r:		Rig (split)
 *
 * Return: used->idx
 */
static uint16_t split_used_idx(struct rig *r)
{
	return le16toh(r->u->idx);
}

/**
 * pop() - Pop into an element slot of the rig
 * @r:		Rig
 * @i:		Element slot
 *
 * Return: vu_queue_pop()'s result
 */
static int pop(struct rig *r, unsigned int i)
{
	r->elem[i].out_num = r->elem[i].in_num = 0;
	return vu_queue_pop(&r->vq, &r->elem[i]);
}

/**
 * expect_split_pop() - Pop and check which request came out
 * @r:		Rig (split)
 * @i:		Element slot
 * @head:	Expected head, also the request number
 */
static void expect_split_pop(struct rig *r, unsigned int i, uint16_t head)
{
	g_assert_cmpint(pop(r, i), ==, 1);
	g_assert_cmpuint(r->elem[i].id, ==, head);
	g_assert_cmpuint(r->elem[i].out_num, ==, 1);
	g_assert_true(r->elem[i].iov[0].iov_base == dev_ptr(r, buf_gpa(head)));
	g_assert_cmpuint(r->elem[i].iov[0].iov_len, ==, 100 + head);
}

/**
 * split_region() - The split region of the queue under test
 * @r:		Rig
 *
 * Return: region
 */
static struct vu_inflight_split *split_region(struct rig *r)
{
	return vu_inflight_queue(&r->inf, QINDEX);
}

/* ------------------------------------------------------------- split */

/**
 * test_split_crash() - Requests in flight come back after a crash in
 *			submission order, before new ones
 */
static void test_split_crash(void)
{
	struct vu_inflight_split *s;
	struct rig r;

	rig_init(&r, false);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	s = split_region(&r);
	g_assert_cmpuint(s->version, ==, VU_INFLIGHT_VERSION);
	split_post(&r, 3);
	split_post(&r, 1);
	split_post(&r, 2);
	split_post(&r, 0);
	expect_split_pop(&r, 0, 3);
	expect_split_pop(&r, 1, 1);
	expect_split_pop(&r, 2, 2);
	expect_split_pop(&r, 3, 0);
	g_assert_cmpuint(s->desc[3].inflight, ==, 1);
	g_assert_cmpuint(s->desc[0].inflight, ==, 1);
	g_assert_cmpuint(s->desc[3].counter, <, s->desc[1].counter);
	g_assert_cmpuint(s->desc[2].counter, <, s->desc[0].counter);

	vu_queue_push(&r.vq, &r.elem[1], 0);	/* head 1 */
	vu_queue_push(&r.vq, &r.elem[2], 0);	/* head 2 */
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(split_used_idx(&r), ==, 2);
	g_assert_cmpuint(s->desc[1].inflight, ==, 0);
	g_assert_cmpuint(s->desc[2].inflight, ==, 0);
	g_assert_cmpuint(s->used_idx, ==, 2);
	split_post(&r, 5);
	split_post(&r, 4);

	/* QEMU sends the used index as base after losing the back-end */
	g_assert_cmpint(rig_crash(&r, split_used_idx(&r)), ==, 2);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 4);
	g_assert_cmpint(vu_inflight_recover(&r.vq), ==, 2);	/* idempotent */
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 4);
	g_assert_false(vu_queue_empty(&r.vq));
	expect_split_pop(&r, 0, 3);
	expect_split_pop(&r, 1, 0);
	expect_split_pop(&r, 2, 5);
	expect_split_pop(&r, 3, 4);
	g_assert_cmpint(pop(&r, 4), ==, 0);
	g_assert_cmpuint(r.vq.inuse, ==, 4);

	/* New requests are tracked after the resubmitted ones */
	s = split_region(&r);
	g_assert_cmpuint(s->desc[5].counter, >, s->desc[0].counter);
	g_assert_cmpuint(s->desc[0].counter, >, s->desc[3].counter);
	vu_queue_push(&r.vq, &r.elem[1], 0);
	vu_queue_push(&r.vq, &r.elem[0], 0);
	vu_queue_push(&r.vq, &r.elem[3], 0);
	vu_queue_push(&r.vq, &r.elem[2], 0);
	vu_queue_flush(&r.vq);
	g_assert_cmpuint(split_used_idx(&r), ==, 6);
	g_assert_cmpuint(le32toh(r.u->ring[2].id), ==, 0);
	g_assert_cmpuint(le32toh(r.u->ring[3].id), ==, 3);

	/* Nothing left: a second crash resubmits nothing */
	g_assert_cmpint(rig_crash(&r, 6), ==, 0);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 6);
	g_assert_cmpint(pop(&r, 0), ==, 0);
	rig_fini(&r);
}

/**
 * test_split_crash_after_used() - A crash after used->idx was published but
 *				   before the region was updated: the
 *				   request is not repeated
 */
static void test_split_crash_after_used(void)
{
	struct rig r;

	rig_init(&r, false);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	split_post(&r, 6);
	split_post(&r, 2);
	expect_split_pop(&r, 0, 6);
	expect_split_pop(&r, 1, 2);
	/* vu_queue_push() without its vu_inflight_post_put() */
	vu_inflight_pre_put(&r.vq, &r.elem[0]);
	vu_split_push(&r.vq, &r.elem[0], 0);
	vu_split_flush(&r.vq);
	g_assert_cmpuint(split_used_idx(&r), ==, 1);
	g_assert_cmpuint(split_region(&r)->desc[6].inflight, ==, 1);
	g_assert_cmpuint(split_region(&r)->last_batch_head, ==, 6);

	g_assert_cmpint(rig_crash(&r, 1), ==, 1);
	g_assert_cmpuint(split_region(&r)->desc[6].inflight, ==, 0);
	g_assert_cmpuint(split_region(&r)->used_idx, ==, 1);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 2);
	expect_split_pop(&r, 0, 2);
	g_assert_cmpint(pop(&r, 1), ==, 0);
	rig_fini(&r);
}

/**
 * test_split_crash_before_used() - A crash after pre_put but before the
 *				    used entry: the request is resubmitted
 */
static void test_split_crash_before_used(void)
{
	struct rig r;

	rig_init(&r, false);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	split_post(&r, 4);
	split_post(&r, 5);
	expect_split_pop(&r, 0, 4);
	expect_split_pop(&r, 1, 5);
	vu_inflight_pre_put(&r.vq, &r.elem[0]);
	g_assert_cmpint(rig_crash(&r, 0), ==, 2);
	expect_split_pop(&r, 0, 4);
	expect_split_pop(&r, 1, 5);
	g_assert_cmpint(pop(&r, 2), ==, 0);
	rig_fini(&r);
}

/**
 * test_split_batch() - A batch of used entries published at once, then put
 *			one by one: a crash in between repeats nothing and
 *			loses nothing
 */
static void test_split_batch(void)
{
	struct rig r;

	rig_init(&r, false);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	split_post(&r, 0);
	split_post(&r, 1);
	split_post(&r, 2);
	expect_split_pop(&r, 0, 0);
	expect_split_pop(&r, 1, 1);
	expect_split_pop(&r, 2, 2);
	/* A device batching: both entries, one used->idx, then the puts */
	vu_inflight_pre_put(&r.vq, &r.elem[1]);
	vu_inflight_pre_put(&r.vq, &r.elem[0]);
	r.u->ring[0].id = htole32(1);
	r.u->ring[1].id = htole32(0);
	__atomic_store_n(&r.u->idx, htole16(2), __ATOMIC_RELEASE);
	vu_inflight_post_put(&r.vq, &r.elem[1]);
	g_assert_cmpint(rig_crash(&r, 2), ==, 1);
	expect_split_pop(&r, 0, 2);
	g_assert_cmpint(pop(&r, 1), ==, 0);
	rig_fini(&r);
}

/**
 * test_split_unget() - A chain given back unused is not resubmitted but
 *			popped again from the ring
 */
static void test_split_unget(void)
{
	struct rig r;

	rig_init(&r, false);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	split_post(&r, 1);
	split_post(&r, 7);
	expect_split_pop(&r, 0, 1);
	expect_split_pop(&r, 1, 7);
	vu_inflight_unget(&r.vq, &r.elem[1]);
	vu_queue_unpop(&r.vq, &r.elem[1]);
	g_assert_cmpuint(split_region(&r)->desc[7].inflight, ==, 0);
	g_assert_cmpint(rig_crash(&r, 0), ==, 1);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 1);
	expect_split_pop(&r, 0, 1);
	expect_split_pop(&r, 1, 7);
	g_assert_cmpint(pop(&r, 2), ==, 0);
	rig_fini(&r);
}

/**
 * test_split_fresh() - A fresh region (e.g. on a migration destination)
 *			keeps the base the front-end sent, and one made for
 *			another queue size is started afresh
 */
static void test_split_fresh(void)
{
	struct vu_inflight_split *s;
	struct rig r;

	rig_init(&r, false);
	/* The guest ran before: 5 used entries, nothing in flight */
	r.next = 5;
	r.a->idx = htole16(5);
	r.u->idx = htole16(5);
	s = split_region(&r);
	s->desc[3].inflight = 1;	/* junk: the region is version 0 */
	g_assert_cmpint(rig_start(&r, 5), ==, 0);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 5);
	g_assert_cmpuint(s->used_idx, ==, 5);
	g_assert_cmpuint(s->desc[3].inflight, ==, 0);
	split_post(&r, 3);
	expect_split_pop(&r, 0, 3);

	/* Same region, recorded for another size: nothing to resubmit */
	s->desc_num = 4;
	g_assert_cmpint(rig_crash(&r, 5), ==, 0);
	g_assert_cmpuint(split_region(&r)->desc_num, ==, QSIZE);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 5);
	rig_fini(&r);
}

/**
 * test_attach_errors() - A queue that does not fit its region is not
 *			  attached
 */
static void test_attach_errors(void)
{
	struct vu_inflight none;
	struct rig r;

	rig_init(&r, false);
	vu_inflight_init(&none);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	g_assert_nonnull(r.vq.inflight);
	g_assert_cmpint(vu_inflight_attach(&none, &r.vq), ==, -ENOENT);
	g_assert_null(r.vq.inflight);
	r.vq.index = NQUEUES;
	g_assert_cmpint(vu_inflight_attach(&r.inf, &r.vq), ==, -ERANGE);
	r.vq.index = QINDEX;
	r.vq.size = QSIZE * 2;
	g_assert_cmpint(vu_inflight_attach(&r.inf, &r.vq), ==, -EINVAL);
	g_assert_null(r.vq.inflight);
	r.vq.size = QSIZE;
	r.vq.features |= F_PACKED;
	g_assert_cmpint(vu_inflight_attach(&r.inf, &r.vq), ==, -EINVAL);
	r.vq.features &= ~F_PACKED;
	g_assert_cmpint(vu_inflight_attach(&r.inf, &r.vq), ==, 0);
	/* Growing the queue afterwards turns tracking off, not unsafe */
	r.vq.size = QSIZE * 2;
	g_assert_cmpint(vu_inflight_recover(&r.vq), ==, -EINVAL);
	r.vq.size = QSIZE;
	rig_fini(&r);
}

/**
 * test_split_hostile() - A corrupt region is survived: bad links and
 *			  indices are ignored, never followed out of range
 */
static void test_split_hostile(void)
{
	struct vu_inflight_split *s;
	unsigned int i;
	struct rig r;

	rig_init(&r, false);
	g_assert_cmpint(rig_start(&r, 0), ==, 0);
	s = split_region(&r);
	for (i = 0; i < QSIZE; i++) {
		s->desc[i].next = 0xffff;
		s->desc[i].inflight = i == 7 ? 1 : (uint8_t)(0xf0 + i);
		s->desc[i].counter = UINT64_MAX - i;
	}
	s->last_batch_head = 0xfff0;
	s->used_idx = 0x8000;
	r.d[7].addr = htole64(buf_gpa(7));
	r.d[7].len = htole32(107);
	g_assert_cmpint(rig_crash(&r, 0), ==, 1);
	g_assert_cmpuint(r.vq.inflight_counter, ==, UINT64_MAX - 6);
	expect_split_pop(&r, 0, 7);
	rig_fini(&r);
}

/* ------------------------------------------------------------- packed */

/**
 * packed_post() - Driver: make a chain of @n buffers available
 * @r:		Rig (packed)
 * @id:		Buffer id, also the request number of the first buffer
 * @n:		Descriptors
 *
 * Buffer k of the chain is request number id + k; the first descriptor's
 * flags are written last.
 */
static void packed_post(struct rig *r, uint16_t id, unsigned int n)
{
	uint16_t head = r->next, head_flags = 0;
	unsigned int k;

	for (k = 0; k < n; k++) {
		struct vu_pdesc *d = &r->pd[r->next];
		uint16_t f = r->wrap ? VU_DESC_F_AVAIL : VU_DESC_F_USED;

		if (k + 1 < n)
			f |= VU_DESC_F_NEXT;
		d->addr = htole64(buf_gpa(id + k));
		d->len = htole32(100 + id + k);
		d->id = htole16(k + 1 < n ? 0xbeef : id);
		if (k)
			d->flags = htole16(f);
		else
			head_flags = f;
		if (++r->next == QSIZE) {
			r->next = 0;
			r->wrap = !r->wrap;
		}
	}
	__atomic_store_n(&r->pd[head].flags, htole16(head_flags),
			 __ATOMIC_RELEASE);
}

/**
 * expect_chain() - Check an element is the chain posted with an id
 * @r:		Rig (packed)
 * @e:		Element
 * @id:		Buffer id
 * @n:		Descriptors
 */
static void expect_chain(struct rig *r, const struct vu_elem *e, uint16_t id,
			 unsigned int n)
{
	unsigned int k;

	g_assert_cmpuint(e->id, ==, id);
	g_assert_cmpuint(e->ndescs, ==, n);
	g_assert_cmpuint(e->out_num, ==, n);
	for (k = 0; k < n; k++) {
		g_assert_true(e->iov[k].iov_base ==
			      dev_ptr(r, buf_gpa(id + k)));
		g_assert_cmpuint(e->iov[k].iov_len, ==, 100 + id + k);
	}
}

/**
 * expect_packed_pop() - Pop a new chain and check it
 * @r:		Rig (packed)
 * @i:		Element slot
 * @id:		Expected buffer id
 * @n:		Expected descriptors
 */
static void expect_packed_pop(struct rig *r, unsigned int i, uint16_t id,
			      unsigned int n)
{
	g_assert_cmpint(pop(r, i), ==, 1);
	expect_chain(r, &r->elem[i], id, n);
}

/**
 * expect_resubmit() - Read the next resubmitted chain and check it
 * @r:		Rig (packed)
 * @i:		Element slot
 * @id:		Expected buffer id
 * @n:		Expected descriptors
 *
 * Reads through vu_inflight_read_chain(), as resubmission of packed chains
 * must (their ring slots may have been overwritten by used descriptors).
 */
static void expect_resubmit(struct rig *r, unsigned int i, uint16_t id,
			    unsigned int n)
{
	struct vu_elem *e = &r->elem[i];

	g_assert_cmpuint(r->vq.resubmit_pos, <, r->vq.resubmit_num);
	e->out_num = e->in_num = 0;
	g_assert_cmpint(vu_inflight_read_chain(&r->vq,
			r->vq.resubmit[r->vq.resubmit_pos].index, e), ==, 0);
	r->vq.resubmit_pos++;
	r->vq.inuse++;
	expect_chain(r, e, id, n);
}

/**
 * packed_region() - The packed region of the queue under test
 * @r:		Rig
 *
 * Return: region
 */
static struct vu_inflight_packed *packed_region(struct rig *r)
{
	return vu_inflight_queue(&r->inf, QINDEX);
}

/**
 * packed_base() - SET_VRING_BASE encoding of packed positions
 * @avail:	Avail slot
 * @avail_wrap:	Avail wrap counter
 * @used:	Used slot
 * @used_wrap:	Used wrap counter
 *
 * Return: the value
 */
static uint32_t packed_base(uint16_t avail, bool avail_wrap, uint16_t used,
			    bool used_wrap)
{
	return avail | (uint32_t)avail_wrap << 15 | (uint32_t)used << 16 |
	       (uint32_t)used_wrap << 31;
}

/**
 * count_free() - Entries on the free list of a packed region
 * @p:		Region
 *
 * Return: their number (stops at QSIZE + 1 for a cycle)
 */
static unsigned int count_free(const struct vu_inflight_packed *p)
{
	unsigned int n = 0;
	uint16_t e = p->free_head;

	while (e < QSIZE && n <= QSIZE) {
		n++;
		e = p->desc[e].next;
	}
	return n;
}

/**
 * test_layout_at_start() - A region made before the features were known
 *			    (QEMU's GET_INFLIGHT_FD comes before SET_FEATURES)
 *			    serves a packed queue; a region marked with the
 *			    other layout is reset, not misread
 */
static void test_layout_at_start(void)
{
	struct vu_inflight_packed *p;
	struct rig r;

	rig_init(&r, true);
	vu_inflight_clear(&r.inf);
	g_assert_cmpint(vu_inflight_create(&r.inf, NQUEUES, QSIZE, false), >=,
			0);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	packed_post(&r, 10, 1);
	packed_post(&r, 20, 2);
	expect_packed_pop(&r, 0, 10, 1);
	expect_packed_pop(&r, 1, 20, 2);
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 2);

	/* Recorded in flight again; now pretend a split queue wrote it */
	p = packed_region(&r);
	p->features = 0;
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 0);
	rig_fini(&r);
}

/**
 * test_packed_crash() - Chains in flight come back from the region's copies
 *			 although used descriptors overwrote their slots,
 *			 and the ring positions are restored
 */
static void test_packed_crash(void)
{
	uint16_t avail_before;
	struct vu_inflight_packed *p;
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	p = packed_region(&r);
	g_assert_cmpuint(p->version, ==, VU_INFLIGHT_VERSION);
	packed_post(&r, 10, 1);	/* slot 0 */
	packed_post(&r, 20, 2);	/* slots 1-2 */
	packed_post(&r, 30, 1);	/* slot 3 */
	packed_post(&r, 40, 1);	/* slot 4 */
	expect_packed_pop(&r, 0, 10, 1);
	expect_packed_pop(&r, 1, 20, 2);
	expect_packed_pop(&r, 2, 30, 1);
	expect_packed_pop(&r, 3, 40, 1);
	g_assert_cmpuint(p->free_head, ==, 5);
	g_assert_cmpuint(p->old_free_head, ==, 5);
	g_assert_cmpuint(p->desc[1].num, ==, 2);
	g_assert_cmpuint(p->desc[1].last, ==, 2);
	g_assert_cmpuint(p->desc[2].id, ==, 20);
	g_assert_cmpuint(p->desc[1].inflight, ==, 1);

	/* Out of order: used descriptors land on slots 0 and 2 */
	vu_queue_push(&r.vq, &r.elem[1], 0);
	vu_queue_push(&r.vq, &r.elem[3], 0);
	g_assert_cmpuint(le16toh(r.pd[0].id), ==, 20);
	g_assert_cmpuint(le16toh(r.pd[2].id), ==, 40);
	g_assert_cmpuint(p->used_idx, ==, 3);
	g_assert_cmpuint(p->old_used_idx, ==, 3);
	g_assert_cmpuint(p->desc[1].inflight, ==, 0);
	g_assert_cmpuint(count_free(p), ==, QSIZE - 2);
	packed_post(&r, 50, 1);	/* slot 5 */
	avail_before = r.vq.last_avail_idx;

	/* The front-end's base is stale: the region knows better */
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 2);
	g_assert_cmpint(vu_inflight_recover(&r.vq), ==, 2);	/* idempotent */
	p = packed_region(&r);
	g_assert_cmpuint(count_free(p), ==, QSIZE - 2);
	g_assert_cmpuint(r.vq.used_idx, ==, 3);
	g_assert_true(r.vq.used_wrap);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, avail_before);
	g_assert_true(r.vq.avail_wrap);
	expect_resubmit(&r, 0, 10, 1);
	expect_resubmit(&r, 2, 30, 1);
	expect_packed_pop(&r, 4, 50, 1);
	g_assert_cmpint(pop(&r, 5), ==, 0);

	vu_queue_push(&r.vq, &r.elem[2], 0);
	vu_queue_push(&r.vq, &r.elem[4], 0);
	vu_queue_push(&r.vq, &r.elem[0], 0);
	g_assert_cmpuint(le16toh(r.pd[3].id), ==, 30);
	g_assert_cmpuint(le16toh(r.pd[4].id), ==, 50);
	g_assert_cmpuint(le16toh(r.pd[5].id), ==, 10);
	g_assert_cmpuint(count_free(p), ==, QSIZE);

	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 0);
	g_assert_cmpuint(r.vq.used_idx, ==, 6);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 6);
	rig_fini(&r);
}

/**
 * test_packed_crash_after_used() - A crash after the used descriptor was
 *				    published: the put is committed
 */
static void test_packed_crash_after_used(void)
{
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	packed_post(&r, 1, 2);
	packed_post(&r, 5, 1);
	expect_packed_pop(&r, 0, 1, 2);
	expect_packed_pop(&r, 1, 5, 1);
	vu_inflight_pre_put(&r.vq, &r.elem[0]);
	vu_packed_push(&r.vq, &r.elem[0], 0);
	g_assert_cmpuint(packed_region(&r)->old_used_idx, ==, 0);

	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 1);
	g_assert_cmpuint(r.vq.used_idx, ==, 2);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 3);
	expect_resubmit(&r, 1, 5, 1);
	g_assert_cmpuint(count_free(packed_region(&r)), ==, QSIZE - 1);
	rig_fini(&r);
}

/**
 * test_packed_crash_before_used() - A crash between pre_put and the used
 *				     descriptor: the put is rolled back
 */
static void test_packed_crash_before_used(void)
{
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	packed_post(&r, 1, 2);
	packed_post(&r, 5, 1);
	expect_packed_pop(&r, 0, 1, 2);
	expect_packed_pop(&r, 1, 5, 1);
	vu_inflight_pre_put(&r.vq, &r.elem[0]);
	g_assert_cmpuint(packed_region(&r)->used_idx, ==, 2);

	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 2);
	g_assert_cmpuint(r.vq.used_idx, ==, 0);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 3);
	expect_resubmit(&r, 0, 1, 2);
	expect_resubmit(&r, 1, 5, 1);
	vu_queue_push(&r.vq, &r.elem[1], 0);
	vu_queue_push(&r.vq, &r.elem[0], 0);
	g_assert_cmpuint(le16toh(r.pd[0].id), ==, 5);
	g_assert_cmpuint(le16toh(r.pd[1].id), ==, 1);
	g_assert_cmpuint(count_free(packed_region(&r)), ==, QSIZE);
	rig_fini(&r);
}

/**
 * test_packed_wrap() - Positions and wrap counters survive a crash after
 *			the ring wrapped
 */
static void test_packed_wrap(void)
{
	unsigned int i;
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	for (i = 0; i < 5; i++) {
		packed_post(&r, (uint16_t)i, 2);
		expect_packed_pop(&r, 0, (uint16_t)i, 2);
		vu_queue_push(&r.vq, &r.elem[0], 0);
	}
	/* 10 slots used: positions 2, wrap 0 */
	packed_post(&r, 7, 1);
	packed_post(&r, 8, 3);
	expect_packed_pop(&r, 0, 7, 1);
	expect_packed_pop(&r, 1, 8, 3);
	g_assert_false(r.vq.used_wrap);
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 2);
	g_assert_cmpuint(r.vq.used_idx, ==, 2);
	g_assert_false(r.vq.used_wrap);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 6);
	g_assert_false(r.vq.avail_wrap);
	expect_resubmit(&r, 0, 7, 1);
	expect_resubmit(&r, 1, 8, 3);
	rig_fini(&r);
}

/**
 * test_packed_indirect() - A resubmitted indirect chain is read from its
 *			    table again
 */
static void test_packed_indirect(void)
{
	uint64_t table = GUEST_GPA_BASE + RAM_SIZE / 4;
	struct vu_pdesc *t;
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	t = guest_ptr(&r.g, table);
	t[0] = (struct vu_pdesc){ htole64(buf_gpa(60)), htole32(160), 0, 0 };
	t[1] = (struct vu_pdesc){ htole64(buf_gpa(61)), htole32(161), 0, 0 };
	r.pd[0] = (struct vu_pdesc){ htole64(table), htole32(32), htole16(60),
		htole16(VU_DESC_F_INDIRECT | VU_DESC_F_AVAIL) };
	r.next = 1;
	g_assert_cmpint(pop(&r, 0), ==, 1);
	g_assert_cmpuint(r.elem[0].id, ==, 60);
	g_assert_cmpuint(r.elem[0].out_num, ==, 2);
	g_assert_cmpuint(r.elem[0].ndescs, ==, 1);
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 1);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 1);
	g_assert_cmpuint(r.vq.resubmit_num, ==, 1);
	g_assert_cmpint(vu_inflight_read_chain(&r.vq, r.vq.resubmit[0].index,
					       &r.elem[1]), ==, 0);
	g_assert_cmpuint(r.elem[1].ndescs, ==, 1);
	g_assert_cmpuint(r.elem[1].id, ==, 60);
	g_assert_cmpuint(r.elem[1].out_num, ==, 2);
	g_assert_true(r.elem[1].iov[1].iov_base == dev_ptr(&r, buf_gpa(61)));
	/* A table turned bad meanwhile is refused */
	t[1].flags = htole16(VU_DESC_F_INDIRECT);
	r.elem[1].out_num = 0;
	g_assert_cmpint(vu_inflight_read_chain(&r.vq, r.vq.resubmit[0].index,
					       &r.elem[1]), <, 0);
	rig_fini(&r);
}

/**
 * test_packed_unget() - A chain given back unused and popped again is
 *			 recorded once
 */
static void test_packed_unget(void)
{
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	packed_post(&r, 1, 1);
	packed_post(&r, 2, 2);
	expect_packed_pop(&r, 0, 1, 1);
	expect_packed_pop(&r, 1, 2, 2);
	vu_inflight_unget(&r.vq, &r.elem[1]);
	vu_queue_unpop(&r.vq, &r.elem[1]);
	g_assert_cmpuint(count_free(packed_region(&r)), ==, QSIZE - 1);
	expect_packed_pop(&r, 1, 2, 2);
	g_assert_cmpuint(count_free(packed_region(&r)), ==, QSIZE - 3);
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 2);
	g_assert_cmpuint(r.vq.last_avail_idx, ==, 3);
	expect_resubmit(&r, 0, 1, 1);
	expect_resubmit(&r, 1, 2, 2);
	rig_fini(&r);
}

/**
 * test_packed_hostile() - A corrupt packed region: bad links, overlapping
 *			   chains and out-of-range positions are survived
 */
static void test_packed_hostile(void)
{
	struct vu_inflight_packed *p;
	unsigned int i;
	struct rig r;

	rig_init(&r, true);
	g_assert_cmpint(rig_start(&r, packed_base(0, 1, 0, 1)), ==, 0);
	p = packed_region(&r);
	for (i = 0; i < QSIZE; i++) {
		p->desc[i].inflight = 1;
		p->desc[i].num = (uint16_t)(i % 3);
		p->desc[i].next = (uint16_t)(i * 5 + 1);
		p->desc[i].last = (uint16_t)(i * 3);
	}
	p->desc[4].num = 1;	/* the one well-formed chain */
	p->desc[4].last = 4;
	p->free_head = 0xffff;
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, 1);
	p = packed_region(&r);
	g_assert_cmpuint(r.vq.resubmit[0].index, ==, 4);
	g_assert_cmpuint(count_free(p), ==, QSIZE - 1);

	p->old_used_idx = QSIZE + 3;
	g_assert_cmpint(rig_crash(&r, packed_base(0, 1, 0, 1)), ==, -EINVAL);
	g_assert_null(r.vq.inflight);
	rig_fini(&r);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/inflight/layout", test_layout);
	g_test_add_func("/inflight/create", test_create);
	g_test_add_func("/inflight/create-errors", test_create_errors);
	g_test_add_func("/inflight/set", test_set);
	g_test_add_func("/inflight/set-hostile", test_set_hostile);
	g_test_add_func("/inflight/attach-errors", test_attach_errors);
	g_test_add_func("/inflight/split/crash", test_split_crash);
	g_test_add_func("/inflight/split/crash-after-used",
			test_split_crash_after_used);
	g_test_add_func("/inflight/split/crash-before-used",
			test_split_crash_before_used);
	g_test_add_func("/inflight/split/batch", test_split_batch);
	g_test_add_func("/inflight/split/unget", test_split_unget);
	g_test_add_func("/inflight/split/fresh", test_split_fresh);
	g_test_add_func("/inflight/split/hostile", test_split_hostile);
	g_test_add_func("/inflight/packed/layout-at-start",
			test_layout_at_start);
	g_test_add_func("/inflight/packed/crash", test_packed_crash);
	g_test_add_func("/inflight/packed/crash-after-used",
			test_packed_crash_after_used);
	g_test_add_func("/inflight/packed/crash-before-used",
			test_packed_crash_before_used);
	g_test_add_func("/inflight/packed/wrap", test_packed_wrap);
	g_test_add_func("/inflight/packed/indirect", test_packed_indirect);
	g_test_add_func("/inflight/packed/unget", test_packed_unget);
	g_test_add_func("/inflight/packed/hostile", test_packed_hostile);
	return g_test_run();
}
