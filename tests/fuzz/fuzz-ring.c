// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-ring.c - libFuzzer target: the input becomes a guest memory image
 * holding a split or packed ring, which is popped and pushed until empty or
 * broken; the ring code must never read or write outside guest memory.
 *
 * Input layout (little-endian):
 *   0	queue size selector
 *   1	flags: 0 indirect, 1 event idx, 2 packed, 3 notify on empty,
 *	4 dirty log, 5 log used ring, 6 raw (unaligned) ring offsets
 *   2	iov_max selector
 *   3	operation seed (unpop, flush and notify patterns; bit 4: pop and
 *	push in bursts)
 *   4	desc offset (u16), 6 avail/driver (u16), 8 used/device (u16)
 *   10	SET_VRING_BASE value (u32)
 *   14	used length pushed (u16)
 *   16	guest memory image, copied to guest physical address 0
 * Guest memory is two regions of FUZZ_REGION bytes, contiguous in guest
 * physical addresses but separate mappings, so buffers may span both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "vu-log.h"
#include "vu-mem.h"
#include "vu-queue.h"

#define FUZZ_REGION	0x8000u
#define FUZZ_HDR	16
#define FUZZ_UVA	0x7f0000000000ull
#define FUZZ_IOV	64
#define FUZZ_ROUNDS	512
#define FUZZ_BURST	8

/**
 * struct fuzz_hdr - the decoded input header
 * @size:	Queue size
 * @flags:	Flag byte (see the file comment)
 * @iov_max:	Iovecs offered per element
 * @ops:	Operation seed
 * @desc:	Descriptor area guest physical address
 * @avail:	Avail ring or driver area guest physical address
 * @used:	Used ring or device area guest physical address
 * @base:	Value for vu_queue_set_base()
 * @len:	Used length pushed
 */
struct fuzz_hdr {
	uint16_t size;
	uint8_t flags;
	unsigned int iov_max;
	uint8_t ops;
	uint64_t desc, avail, used;
	uint32_t base;
	uint32_t len;
};

/* Guest memory, set up once and refilled from each input */
static struct vu_mem fuzz_mem;

/* Dirty log bitmap: deliberately short, to exercise the overflow path */
static uint8_t fuzz_bitmap[2];

/**
 * fuzz_quiet() - Log handler dropping messages: broken rings are expected
 * @domain:	Log domain
 * @level:	Level
 * @msg:	Message
 * @data:	Unused
 */
static void fuzz_quiet(const gchar *domain, GLogLevelFlags level,
		       const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

/**
 * fuzz_region() - Create one guest memory region from a fresh memfd
 * @gpa:	Guest physical address
 * @uva:	User address
 */
static void fuzz_region(uint64_t gpa, uint64_t uva)
{
	struct vu_mem_region r = {
		.guest_addr = gpa, .size = FUZZ_REGION, .user_addr = uva,
		.mmap_offset = 0x10,
	};
	int fd = memfd_create("fuzz-guest", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, FUZZ_REGION + 0x10) ||
	    vu_mem_add(&fuzz_mem, &r, fd))
		abort();
}

/**
 * fuzz_setup() - One-time setup: two adjacent guest memory regions
 */
static void fuzz_setup(void)
{
	g_log_set_default_handler(fuzz_quiet, NULL);
	vu_mem_init(&fuzz_mem);
	fuzz_region(0, FUZZ_UVA);
	fuzz_region(FUZZ_REGION, FUZZ_UVA + 0x100000);
}

/**
 * fuzz_fill() - Copy the image into guest memory, zeroing the rest
 * @img:	Image
 * @len:	Image length
 */
static void fuzz_fill(const uint8_t *img, size_t len)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint8_t *p = vu_mem_gpa_range(&fuzz_mem, i * FUZZ_REGION,
					      FUZZ_REGION);
		size_t off = (size_t)i * FUZZ_REGION;
		size_t n = len > off ? MIN(len - off, FUZZ_REGION) : 0;

		memcpy(p, img + off, n);
		memset(p + n, 0, FUZZ_REGION - n);
	}
}

/**
 * fuzz_rd16() - Read a little-endian u16 from the input
 * @p:		Input bytes
 *
 * Return: the value
 */
static uint16_t fuzz_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/**
 * fuzz_offset() - Ring offset from the input, aligned unless asked not to be
 * @p:		Input bytes
 * @align:	Alignment
 * @raw:	Keep the raw value
 *
 * Return: guest physical address inside guest memory
 */
static uint64_t fuzz_offset(const uint8_t *p, unsigned int align, bool raw)
{
	uint64_t v = fuzz_rd16(p);

	if (raw)
		return v;
	return (v * align) % (2 * FUZZ_REGION);
}

/**
 * fuzz_decode() - Decode the input header
 * @d:		Input, at least FUZZ_HDR bytes
 * @h:		Out: header
 */
static void fuzz_decode(const uint8_t *d, struct fuzz_hdr *h)
{
	bool raw = d[1] & 0x40;

	h->flags = d[1];
	if (h->flags & 4)
		h->size = (uint16_t)(1 + d[0]);
	else
		h->size = (uint16_t)(1u << (d[0] % 10));
	h->iov_max = 1 + d[2] % FUZZ_IOV;
	h->ops = d[3];
	h->desc = fuzz_offset(d + 4, 16, raw);
	h->avail = fuzz_offset(d + 6, 4, raw);
	h->used = fuzz_offset(d + 8, 4, raw);
	h->base = (uint32_t)fuzz_rd16(d + 10) |
		  (uint32_t)fuzz_rd16(d + 12) << 16;
	h->len = fuzz_rd16(d + 14);
}

/**
 * fuzz_queue() - Set a queue up as the device layer would
 * @vq:		Queue
 * @h:		Header
 * @log:	Dirty log to attach
 *
 * Return: true if the rings could be mapped
 */
static bool fuzz_queue(struct vu_queue *vq, const struct fuzz_hdr *h,
		       struct vu_log *log)
{
	vu_queue_init(vq, 0);
	vq->size = h->size;
	vq->mem = &fuzz_mem;
	vq->features = 1ULL << VU_F_VERSION_1;
	if (h->flags & 1)
		vq->features |= 1ULL << VU_F_RING_INDIRECT_DESC;
	if (h->flags & 2)
		vq->features |= 1ULL << VU_F_RING_EVENT_IDX;
	if (h->flags & 4)
		vq->features |= 1ULL << VU_F_RING_PACKED;
	if (h->flags & 8)
		vq->features |= 1ULL << VU_F_NOTIFY_ON_EMPTY;
	if (h->flags & 0x10)
		vq->log = log;
	if (h->flags & 0x20)
		vq->addr.flags = VU_VRING_F_LOG;
	vq->addr.desc_user = FUZZ_UVA + h->desc;
	vq->addr.avail_user = FUZZ_UVA + h->avail;
	vq->addr.used_user = FUZZ_UVA + h->used;
	vq->addr.log_guest = h->used;
	if (vu_queue_set_base(vq, h->base))
		return false;
	return vu_queue_map(vq) == 0;
}

/**
 * fuzz_consume() - Touch every byte of an element's buffers
 * @elem:	Element
 *
 * Reads the out buffers and writes the in buffers, so that a bad iovec
 * faults (or trips the sanitizer) here.
 *
 * Return: bytes of in buffers
 */
static uint32_t fuzz_consume(const struct vu_elem *elem)
{
	volatile uint8_t sink = 0;
	uint32_t in = 0;
	unsigned int i;
	size_t j;

	for (i = 0; i < elem->out_num + elem->in_num; i++) {
		uint8_t *p = elem->iov[i].iov_base;

		for (j = 0; j < elem->iov[i].iov_len; j++) {
			if (i < elem->out_num)
				sink ^= p[j];
			else
				p[j] = (uint8_t)j;
		}
		if (i >= elem->out_num)
			in += (uint32_t)elem->iov[i].iov_len;
	}
	(void)sink;
	return in;
}

/**
 * fuzz_run() - Pop and push until empty, broken or out of rounds
 * @vq:		Mapped queue
 * @h:		Header
 */
static void fuzz_run(struct vu_queue *vq, const struct fuzz_hdr *h)
{
	struct iovec iov[FUZZ_IOV];
	struct vu_elem elem = { .iov = iov, .iov_max = h->iov_max };
	unsigned int round;

	for (round = 0; round < FUZZ_ROUNDS; round++) {
		uint32_t in;

		if (vu_queue_pop(vq, &elem) <= 0) {
			vu_queue_set_notification(vq, true);
			if (vu_queue_empty(vq))
				break;
			continue;
		}
		in = fuzz_consume(&elem);
		if ((h->ops & 1) && round % 7 == 3) {
			vu_queue_unpop(vq, &elem);
			continue;
		}
		if (h->ops & 2)
			vu_queue_set_notification(vq, round & 1);
		vu_queue_push(vq, &elem, (h->ops & 4) ? h->len : in);
		if (!(h->ops & 8) || round % 3 == 2) {
			vu_queue_flush(vq);
			vu_queue_should_notify(vq);
		}
	}
	vu_queue_flush(vq);
	vu_queue_should_notify(vq);
	vu_queue_get_base(vq);
}

/**
 * fuzz_run_burst() - fuzz_run() through vu_queue_pop_burst() and
 * vu_queue_push_burst() (ops bit 16), FUZZ_BURST chains at a time
 * @vq:		Mapped queue
 * @h:		Header
 */
static void fuzz_run_burst(struct vu_queue *vq, const struct fuzz_hdr *h)
{
	static struct iovec iov[FUZZ_BURST][FUZZ_IOV];
	struct vu_elem elem[FUZZ_BURST];
	uint32_t lens[FUZZ_BURST];
	unsigned int round, i, n;

	for (round = 0; round < FUZZ_ROUNDS / FUZZ_BURST; round++) {
		for (i = 0; i < FUZZ_BURST; i++) {
			elem[i].iov = iov[i];
			elem[i].iov_max = h->iov_max;
		}
		n = vu_queue_pop_burst(vq, elem, 1 + round % FUZZ_BURST);
		if (!n) {
			vu_queue_set_notification(vq, true);
			if (vu_queue_empty(vq))
				break;
			continue;
		}
		for (i = 0; i < n; i++)
			lens[i] = (h->ops & 4) ? h->len : fuzz_consume(&elem[i]);
		if ((h->ops & 1) && round % 5 == 2) {
			while (n)
				vu_queue_unpop(vq, &elem[--n]);
			continue;
		}
		vu_queue_push_burst(vq, elem, n, lens);
		vu_queue_flush(vq);
		vu_queue_should_notify(vq);
	}
	vu_queue_flush(vq);
	vu_queue_get_base(vq);
}

/**
 * LLVMFuzzerTestOneInput() - libFuzzer entry point
 * @data:	Input
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct vu_log log = {
		.base = fuzz_bitmap, .size = sizeof(fuzz_bitmap),
		.enabled = true,
	};
	struct fuzz_hdr h;
	struct vu_queue vq;

	if (!ready) {
		fuzz_setup();
		ready = true;
	}
	if (size < FUZZ_HDR)
		return 0;
	fuzz_decode(data, &h);
	fuzz_fill(data + FUZZ_HDR, size - FUZZ_HDR);
	if (fuzz_queue(&vq, &h, &log)) {
		if (h.ops & 16)
			fuzz_run_burst(&vq, &h);
		else
			fuzz_run(&vq, &h);
	}
	vu_queue_reset(&vq);
	return 0;
}
