// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-gpu-model.c - unit tests of vhost-user-gpu's device model: the EDID
 * we make, pixel conversion for every 2D format, rectangle checks at the
 * overflow edges, and 2D commands sent through a fake guest's control
 * queue (host copy checked byte for byte, --max-hostmem, bad ids, memory
 * changes under a backing).
 */
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib.h>

#include "gpu-int.h"
#include "guest.h"
#include "vu-dev.h"

#define GUEST_SIZE	(1u << 20)
#define QSIZE		8
#define RESP_MAX	2048
#define HDR		sizeof(struct virtio_gpu_ctrl_hdr)

/* Warnings logged so far: guest mistakes are logged once, not fatal */
static unsigned int warnings;

/**
 * log_handler() - Log handler: count warnings, drop debug messages
 * @domain:	Log domain
 * @level:	Level
 * @msg:	Message
 * @data:	Unused
 */
static void log_handler(const gchar *domain, GLogLevelFlags level,
			const gchar *msg, gpointer data)
{
	if (level & G_LOG_LEVEL_DEBUG)
		return;
	if (level & G_LOG_LEVEL_WARNING)
		warnings++;
	g_test_message("%s", msg);
}

/* ---- EDID ---- */

/**
 * edid_size() - The preferred mode of an EDID's first detailed timing
 * @e:		EDID block
 * @w:		Out: width
 * @h:		Out: height
 */
static void edid_size(const uint8_t *e, uint32_t *w, uint32_t *h)
{
	const uint8_t *d = e + 54;

	*w = d[2] | (uint32_t)(d[4] >> 4) << 8;
	*h = d[5] | (uint32_t)(d[7] >> 4) << 8;
}

/**
 * edid_check() - Check the fixed parts of one of our EDIDs
 * @e:		EDID block (128 bytes)
 */
static void edid_check(const uint8_t *e)
{
	static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0 };
	uint8_t sum = 0;
	unsigned int i;

	g_assert_cmpmem(e, 8, magic, 8);
	for (i = 0; i < 128; i++)
		sum += e[i];
	g_assert_cmpuint(sum, ==, 0);
	g_assert_cmpuint(e[18], ==, 1);		/* version 1.4 */
	g_assert_cmpuint(e[19], ==, 4);
	g_assert_cmpuint(e[54] | e[55] << 8, >, 0);	/* pixel clock */
	g_assert_cmpuint(e[126], ==, 0);	/* no extension blocks */
}

/**
 * test_edid_basic() - Header, checksum, the mode and the head's name
 */
static void test_edid_basic(void)
{
	uint8_t e[256];
	uint32_t w, h;

	memset(e, 0xee, sizeof(e));
	g_assert_cmpuint(gpu_edid_build(e, sizeof(e), 1280, 800, 2), ==, 128);
	edid_check(e);
	edid_size(e, &w, &h);
	g_assert_cmpuint(w, ==, 1280);
	g_assert_cmpuint(h, ==, 800);
	g_assert_nonnull(memmem(e, 128, "vhost-user 2\n", 13));
	g_assert_cmpuint(e[128], ==, 0xee);	/* nothing past the block */
}

/**
 * test_edid_clamp() - Sizes outside 1..4095 are clamped; a short buffer
 * gets nothing
 */
static void test_edid_clamp(void)
{
	static const uint32_t in[][4] = {
		{ 0, 0, 1, 1 }, { 4095, 4095, 4095, 4095 },
		{ 4096, 1, 4095, 1 }, { 100000, 16384, 4095, 4095 },
		{ 1, 0xffffffff, 1, 4095 }, { 3840, 2160, 3840, 2160 },
	};
	uint8_t e[128];
	uint32_t w, h;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(in); i++) {
		g_assert_cmpuint(gpu_edid_build(e, sizeof(e), in[i][0],
						in[i][1], i), ==, 128);
		edid_check(e);
		edid_size(e, &w, &h);
		g_assert_cmpuint(w, ==, in[i][2]);
		g_assert_cmpuint(h, ==, in[i][3]);
	}
	memset(e, 0x5a, sizeof(e));
	g_assert_cmpuint(gpu_edid_build(e, 127, 640, 480, 0), ==, 0);
	g_assert_cmpuint(e[0], ==, 0x5a);
}

/* ---- pixels ---- */

/**
 * struct fmt_case - one format and what the bytes 11 22 33 44 become
 * @format:	Format
 * @xrgb:	As x8r8g8b8
 * @argb:	As a8r8g8b8
 */
struct fmt_case {
	uint32_t format;
	uint32_t xrgb;
	uint32_t argb;
};

/* Names give the byte order in memory: B8G8R8A8 is B, G, R, A */
static const struct fmt_case fmt_cases[] = {
	{ VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 0xff332211, 0x44332211 },
	{ VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0xff332211, 0xff332211 },
	{ VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 0xff223344, 0x11223344 },
	{ VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 0xff223344, 0xff223344 },
	{ VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 0xff112233, 0x44112233 },
	{ VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, 0xff443322, 0xff443322 },
	{ VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 0xff443322, 0x11443322 },
	{ VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, 0xff112233, 0xff112233 },
};

/**
 * test_pixels() - Every format to x8r8g8b8 and a8r8g8b8, several pixels
 */
static void test_pixels(void)
{
	static const uint8_t src[12] = { 0x11, 0x22, 0x33, 0x44, 0x11, 0x22,
					 0x33, 0x44, 0x11, 0x22, 0x33, 0x44 };
	uint32_t dst[4];
	unsigned int i, k;

	for (i = 0; i < G_N_ELEMENTS(fmt_cases); i++) {
		const struct fmt_case *c = &fmt_cases[i];

		g_assert_true(gpu_format_known(c->format));
		memset(dst, 0, sizeof(dst));
		gpu_pixels_to_xrgb(c->format, src, dst, 3);
		for (k = 0; k < 3; k++)
			g_assert_cmphex(dst[k], ==, c->xrgb);
		g_assert_cmphex(dst[3], ==, 0);
		gpu_pixels_to_argb(c->format, src, dst, 3);
		for (k = 0; k < 3; k++)
			g_assert_cmphex(dst[k], ==, c->argb);
		g_assert_cmphex(dst[3], ==, 0);
		/* Passed through unconverted only if already x8r8g8b8 */
		g_assert_true(gpu_format_is_xrgb(c->format) ==
			      (c->xrgb == 0xff332211));
	}
}

/**
 * test_pixels_unknown() - Formats outside the specification are refused
 * and convert to nothing
 */
static void test_pixels_unknown(void)
{
	static const uint32_t bad[] = { 0, 5, 66, 120, 135, 0xffffffff };
	uint8_t src[4] = { 1, 2, 3, 4 };
	uint32_t dst = 0x12345678;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(gpu_format_known(bad[i]));
		gpu_pixels_to_xrgb(bad[i], src, &dst, 1);
		gpu_pixels_to_argb(bad[i], src, &dst, 1);
		g_assert_cmphex(dst, ==, 0x12345678);
	}
}

/* ---- rectangles ---- */

/**
 * test_rect_inside() - Inside, outside, empty at the edges, and sums that
 * overflow 32 bits
 */
static void test_rect_inside(void)
{
	static const struct {
		struct virtio_gpu_rect r;
		uint32_t w, h;
		bool inside;
	} c[] = {
		{ { 0, 0, 10, 10 }, 10, 10, true },
		{ { 5, 5, 5, 5 }, 10, 10, true },
		{ { 5, 5, 6, 5 }, 10, 10, false },
		{ { 5, 5, 5, 6 }, 10, 10, false },
		{ { 10, 10, 0, 0 }, 10, 10, true },
		{ { 11, 0, 0, 0 }, 10, 10, false },
		{ { 0, 11, 0, 0 }, 10, 10, false },
		{ { 0, 0, 0, 0 }, 0, 0, true },
		{ { 1, 0, UINT32_MAX, 1 }, 10, 10, false },
		{ { 0, 1, 1, UINT32_MAX }, 10, 10, false },
		{ { UINT32_MAX, 0, 1, 1 }, 10, 10, false },
		{ { UINT32_MAX, UINT32_MAX, 1, 1 }, UINT32_MAX, UINT32_MAX,
		  false },
		{ { UINT32_MAX - 1, 0, 1, 1 }, UINT32_MAX, 1, true },
		{ { 0, 0, UINT32_MAX, UINT32_MAX }, UINT32_MAX, UINT32_MAX,
		  true },
		{ { 0x80000000u, 0, 0x80000000u, 1 }, UINT32_MAX, 1, false },
	};
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(c); i++)
		g_assert_true(gpu_rect_inside(&c[i].r, c[i].w, c[i].h) ==
			      c[i].inside);
}

/* ---- the control queue through a fake guest ---- */

/**
 * struct ctx - a device model with its control queue on a fake guest
 * @g:		Guest memory
 * @gpu:	Device model
 * @dev:	Core instance (no event loop: kicks run at once)
 * @vq:		Control queue
 * @d:		Descriptor table (test's mapping)
 * @a:		Avail ring
 * @u:		Used ring
 * @avail_idx:	Next avail index
 * @out:	Command buffer (guest physical)
 * @in:		Response buffer (guest physical)
 */
struct ctx {
	struct guest g;
	struct gpu *gpu;
	struct vu_dev *dev;
	struct vu_queue *vq;
	struct vu_desc *d;
	struct vu_avail *a;
	struct vu_used *u;
	uint16_t avail_idx;
	uint64_t out, in;
};

/**
 * ctx_init() - Build a 2D device and start its control queue
 * @c:		Context
 * @outputs:	Heads
 * @hostmem:	--max-hostmem
 */
static void ctx_init(struct ctx *c, unsigned int outputs, uint64_t hostmem)
{
	struct gpu_opts o = { .outputs = outputs, .max_hostmem = hostmem };
	uint64_t desc, avail, used;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < outputs; i++) {
		o.width[i] = 1024 + i;
		o.height[i] = 768;
	}
	guest_init(&c->g, GUEST_SIZE);
	desc = guest_alloc(&c->g, 16 * QSIZE, 16);
	avail = guest_alloc(&c->g, 6 + 2 * QSIZE, 2);
	used = guest_alloc(&c->g, 6 + 8 * QSIZE, 4);
	c->out = guest_alloc(&c->g, 4096, 8);
	c->in = guest_alloc(&c->g, RESP_MAX, 8);
	c->d = guest_ptr(&c->g, desc);
	c->a = guest_ptr(&c->g, avail);
	c->u = guest_ptr(&c->g, used);
	c->gpu = gpu_new(&o, NULL);
	g_assert_nonnull(c->gpu);
	c->dev = vu_dev_new(&c->gpu->device, c->gpu);
	c->vq = vu_dev_queue(c->dev, GPU_QUEUE_CTRL);
	c->vq->size = QSIZE;
	c->vq->features = 1ull << VU_F_VERSION_1;
	c->vq->mem = &c->g.mem;
	c->vq->addr.desc_user = guest_uva(desc);
	c->vq->addr.avail_user = guest_uva(avail);
	c->vq->addr.used_user = guest_uva(used);
	g_assert_cmpint(vu_queue_map(c->vq), ==, 0);
	c->vq->started = c->vq->enabled = true;
	c->gpu->device.queue_started(c->dev, c->vq);
}

/**
 * ctx_fini() - Free a context
 * @c:		Context
 */
static void ctx_fini(struct ctx *c)
{
	vu_dev_free(c->dev);
	gpu_free(c->gpu);
	guest_fini(&c->g);
}

/**
 * ctx_cmd_in() - Send one command, take its response
 * @c:		Context
 * @req:	Command bytes
 * @len:	Their number
 * @resp:	Response buffer, or NULL
 * @in_len:	Response bytes offered (0: a chain without any)
 *
 * Return: bytes the device wrote (the used length)
 */
static uint32_t ctx_cmd_in(struct ctx *c, const void *req, size_t len,
			   void *resp, uint32_t in_len)
{
	uint16_t used = c->u->idx;
	struct vu_used_elem *e;

	memcpy(guest_ptr(&c->g, c->out), req, len);
	memset(guest_ptr(&c->g, c->in), 0xa5, RESP_MAX);
	c->d[0] = (struct vu_desc){ c->out, (uint32_t)len,
				    in_len ? VU_DESC_F_NEXT : 0, 1 };
	c->d[1] = (struct vu_desc){ c->in, in_len, VU_DESC_F_WRITE, 0 };
	c->a->ring[c->avail_idx % QSIZE] = 0;
	c->a->idx = ++c->avail_idx;
	vu_dev_kick(c->dev, c->vq);
	g_assert_cmpuint(c->u->idx, ==, (uint16_t)(used + 1));
	e = &c->u->ring[used % QSIZE];
	g_assert_cmpuint(e->id, ==, 0);
	g_assert_cmpuint(e->len, <=, in_len);
	if (resp)
		memcpy(resp, guest_ptr(&c->g, c->in), e->len);
	return e->len;
}

/**
 * ctx_cmd() - Send one command that answers with a bare header
 * @c:		Context
 * @req:	Command bytes, starting with the header
 * @len:	Their number
 *
 * Return: the response type
 */
static uint32_t ctx_cmd(struct ctx *c, const void *req, size_t len)
{
	struct virtio_gpu_ctrl_hdr h;

	g_assert_cmpuint(ctx_cmd_in(c, req, len, &h, RESP_MAX), ==, HDR);
	return h.type;
}

/**
 * ctx_create() - RESOURCE_CREATE_2D
 * @c:		Context
 * @id:		Resource id
 * @format:	Format
 * @w:		Width
 * @h:		Height
 *
 * Return: the response type
 */
static uint32_t ctx_create(struct ctx *c, uint32_t id, uint32_t format,
			   uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d r = {
		.hdr.type = VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
		.resource_id = id, .format = format, .width = w, .height = h,
	};

	return ctx_cmd(c, &r, sizeof(r));
}

/**
 * ctx_simple() - A command whose body is a resource id (UNREF,
 * DETACH_BACKING)
 * @c:		Context
 * @type:	Command
 * @id:		Resource id
 *
 * Return: the response type
 */
static uint32_t ctx_simple(struct ctx *c, uint32_t type, uint32_t id)
{
	struct virtio_gpu_resource_unref r = { .hdr.type = type,
					       .resource_id = id };

	return ctx_cmd(c, &r, sizeof(r));
}

/**
 * ctx_attach() - RESOURCE_ATTACH_BACKING
 * @c:		Context
 * @id:		Resource id
 * @ents:	Entries
 * @n:		How many
 *
 * Return: the response type
 */
static uint32_t ctx_attach(struct ctx *c, uint32_t id,
			   const struct virtio_gpu_mem_entry *ents,
			   unsigned int n)
{
	uint8_t buf[sizeof(struct virtio_gpu_resource_attach_backing) +
		    8 * sizeof(*ents)];
	struct virtio_gpu_resource_attach_backing a = {
		.hdr.type = VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
		.resource_id = id, .nr_entries = n,
	};

	g_assert_cmpuint(n, <=, 8);
	memcpy(buf, &a, sizeof(a));
	memcpy(buf + sizeof(a), ents, n * sizeof(*ents));
	return ctx_cmd(c, buf, sizeof(a) + n * sizeof(*ents));
}

/**
 * ctx_transfer() - TRANSFER_TO_HOST_2D
 * @c:		Context
 * @id:		Resource id
 * @x:		Rectangle left
 * @y:		Top
 * @w:		Width
 * @h:		Height
 * @offset:	Byte offset of its first pixel in the backing
 *
 * Return: the response type
 */
static uint32_t ctx_transfer(struct ctx *c, uint32_t id, uint32_t x,
			     uint32_t y, uint32_t w, uint32_t h,
			     uint64_t offset)
{
	struct virtio_gpu_transfer_to_host_2d t = {
		.hdr.type = VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
		.r = { x, y, w, h }, .offset = offset, .resource_id = id,
	};

	return ctx_cmd(c, &t, sizeof(t));
}

/**
 * backing_fill() - Fill guest bytes with their backing offset's pattern
 * @c:		Context
 * @gpa:	Start
 * @len:	Bytes
 * @first:	Backing offset of the first byte
 */
static void backing_fill(struct ctx *c, uint64_t gpa, size_t len,
			 size_t first)
{
	uint8_t *p = guest_ptr(&c->g, gpa);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(first + i + 1);
}

/**
 * check_copy() - Compare a resource's host copy with a transfer model
 * @res:	Resource (stride = width * 4)
 * @x:		Rectangle left
 * @y:		Top
 * @w:		Width
 * @h:		Height
 * @offset:	Backing offset of its first pixel
 *
 * Bytes inside the rectangle must hold the backing pattern (offset +
 * row * stride + column), bytes outside must be 0.
 */
static void check_copy(const struct gpu_res *res, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h, uint64_t offset)
{
	uint32_t row, col;

	for (row = 0; row < res->height; row++) {
		for (col = 0; col < res->stride; col++) {
			uint8_t want = 0, got = res->data[row * res->stride +
							  col];

			if (row >= y && row < y + h && col >= x * 4 &&
			    col < (x + w) * 4)
				want = (uint8_t)(offset + (row - y) *
						 res->stride + (col - x * 4) +
						 1);
			g_assert_cmphex(got, ==, want);
		}
	}
}

/**
 * test_transfer() - Sub-rectangles and whole rows copied from a backing of
 * two entries, byte for byte
 */
static void test_transfer(void)
{
	struct virtio_gpu_mem_entry ents[2];
	struct gpu_res *res;
	struct ctx c;
	uint64_t b0, b1;

	ctx_init(&c, 1, 1 << 20);
	/* 8x4 pixels: 128 bytes, stride 32; entries of 44 and 84 bytes */
	b0 = guest_alloc(&c.g, 44, 8);
	b1 = guest_alloc(&c.g, 84 + 64, 64) + 64;
	backing_fill(&c, b0, 44, 0);
	backing_fill(&c, b1, 84, 44);
	ents[0] = (struct virtio_gpu_mem_entry){ b0, 44, 0 };
	ents[1] = (struct virtio_gpu_mem_entry){ b1, 84, 0 };
	g_assert_cmphex(ctx_create(&c, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM,
				   8, 4), ==, VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_attach(&c, 1, ents, 2), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	res = gpu_res_find(c.gpu, 1);
	g_assert_nonnull(res);
	g_assert_cmpuint(res->stride, ==, 32);
	g_assert_cmpuint(res->back.len, ==, 128);

	/* 3x2 at (2,1), its first pixel at its own place: 32 + 8 */
	g_assert_cmphex(ctx_transfer(&c, 1, 2, 1, 3, 2, 40), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	check_copy(res, 2, 1, 3, 2, 40);
	/* The same rectangle read from the start of the backing */
	memset(res->data, 0, 128);
	g_assert_cmphex(ctx_transfer(&c, 1, 2, 1, 3, 2, 0), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	check_copy(res, 2, 1, 3, 2, 0);
	/* Whole rows 1-2: one copy across the entries' boundary */
	memset(res->data, 0, 128);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 1, 8, 2, 32), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	check_copy(res, 0, 1, 8, 2, 32);
	/* The last row from offset 96 fits; from 100 it does not */
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 3, 8, 1, 96), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 3, 8, 1, 100), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_transfer(&c, 1, 1, 0, 8, 1, 0), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 0, 1, 1, UINT64_MAX - 2), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 0, 0, 0, 0), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmpuint(c.gpu->hostmem, ==, 0);
	ctx_fini(&c);
}

/**
 * test_hostmem() - --max-hostmem bounds resources and backing arrays;
 * what is freed can be allocated again
 */
static void test_hostmem(void)
{
	uint64_t res_cost = 100 * 100 * 4 + GPU_RES_OVERHEAD;
	uint64_t ent_cost = sizeof(struct virtio_gpu_mem_entry) +
			    sizeof(struct iovec);
	struct virtio_gpu_mem_entry ents[2];
	struct ctx c;

	ctx_init(&c, 1, res_cost + ent_cost);
	ents[0] = (struct virtio_gpu_mem_entry){ c.in, 64, 0 };
	ents[1] = (struct virtio_gpu_mem_entry){ c.in + 64, 64, 0 };
	g_assert_cmphex(ctx_create(&c, 1, 1, 100, 100), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmpuint(c.gpu->hostmem, ==, res_cost);
	g_assert_cmphex(ctx_create(&c, 2, 1, 1, 1), ==,
			VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	g_assert_cmphex(ctx_attach(&c, 1, ents, 2), ==,
			VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	g_assert_cmphex(ctx_attach(&c, 1, ents, 1), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmpuint(c.gpu->hostmem, ==, res_cost + ent_cost);
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
				   1), ==, VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmpuint(c.gpu->hostmem, ==, res_cost);
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmpuint(c.gpu->hostmem, ==, 0);
	g_assert_cmphex(ctx_create(&c, 2, 1, 100, 100), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	/* Sizes whose byte count would overflow: beyond 16384 a side */
	g_assert_cmphex(ctx_create(&c, 3, 1, 0xffffffff, 0xffffffff), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_create(&c, 3, 1, 0x40000000, 0x40000000), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	/* Within the sides, over the 8 MiB cap */
	g_assert_cmphex(ctx_create(&c, 3, 1, 16384, 16384), ==,
			VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	ctx_fini(&c);
}

/**
 * test_bad_ids() - Unknown and reused ids, bad parameters, bad backing
 */
static void test_bad_ids(void)
{
	struct virtio_gpu_mem_entry out = { 0xdead00000000ull, 64, 0 };
	struct virtio_gpu_mem_entry zero = { 0, 0, 0 };
	struct virtio_gpu_set_scanout s = {
		.hdr.type = VIRTIO_GPU_CMD_SET_SCANOUT, .r = { 0, 0, 1, 1 },
		.scanout_id = 1, .resource_id = 1,
	};
	struct ctx c;

	ctx_init(&c, 1, 1 << 20);
	zero.addr = c.in;
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_UNREF, 0), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_UNREF, 9), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(ctx_create(&c, 0, 1, 4, 4), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(ctx_create(&c, 1, 0, 4, 4), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_create(&c, 1, 1, 0, 4), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_create(&c, 1, 1, 4, 4), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_create(&c, 1, 1, 4, 4), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(ctx_cmd(&c, &s, sizeof(s)), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	s.scanout_id = 0;
	s.resource_id = 2;
	g_assert_cmphex(ctx_cmd(&c, &s, sizeof(s)), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	s.resource_id = 1;
	s.r.width = 5;
	g_assert_cmphex(ctx_cmd(&c, &s, sizeof(s)), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 0, 1, 1, 0), ==,
			VIRTIO_GPU_RESP_ERR_UNSPEC);
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
				   1), ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
	g_assert_cmphex(ctx_attach(&c, 1, &out, 1), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_attach(&c, 1, &zero, 1), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(ctx_attach(&c, 1, &zero, 0), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	zero.length = 64;
	g_assert_cmphex(ctx_attach(&c, 1, &zero, 1), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_attach(&c, 1, &zero, 1), ==,
			VIRTIO_GPU_RESP_ERR_UNSPEC);
	g_assert_cmphex(ctx_transfer(&c, 9, 0, 0, 1, 1, 0), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	/* Shorter than its struct, unknown, 3D without virgl: logged once */
	warnings = 0;
	g_assert_cmphex(ctx_cmd(&c, &s, sizeof(s) - 1), ==,
			VIRTIO_GPU_RESP_ERR_UNSPEC);
	s.hdr.type = 0x999;
	g_assert_cmphex(ctx_cmd(&c, &s, sizeof(s)), ==,
			VIRTIO_GPU_RESP_ERR_UNSPEC);
	s.hdr.type = VIRTIO_GPU_CMD_CTX_CREATE;
	g_assert_cmphex(ctx_cmd(&c, &s, sizeof(s)), ==,
			VIRTIO_GPU_RESP_ERR_UNSPEC);
	g_assert_cmpuint(warnings, ==, 1);
	ctx_fini(&c);
}

/**
 * test_responses() - Display info and EDID from the options, fences
 * echoed, responses that do not fit
 */
static void test_responses(void)
{
	struct virtio_gpu_ctrl_hdr h = {
		.type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO,
		.flags = VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX,
		.fence_id = 0x123456789ull, .ctx_id = 7, .ring_idx = 3,
	};
	struct virtio_gpu_get_edid ge = { .hdr.type = VIRTIO_GPU_CMD_GET_EDID,
					  .scanout = 1 };
	struct virtio_gpu_resp_display_info info;
	struct virtio_gpu_resp_edid edid;
	uint32_t w, hh;
	struct ctx c;

	ctx_init(&c, 2, 1 << 20);
	g_assert_cmpuint(ctx_cmd_in(&c, &h, sizeof(h), &info, RESP_MAX), ==,
			 sizeof(info));
	g_assert_cmphex(info.hdr.type, ==, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	g_assert_cmphex(info.hdr.flags, ==, h.flags);
	g_assert_cmphex(info.hdr.fence_id, ==, h.fence_id);
	g_assert_cmpuint(info.hdr.ctx_id, ==, 7);
	g_assert_cmpuint(info.hdr.ring_idx, ==, 3);
	g_assert_cmpuint(info.pmodes[1].r.x, ==, 1024);
	g_assert_cmpuint(info.pmodes[1].r.width, ==, 1025);
	g_assert_cmpuint(info.pmodes[1].enabled, ==, 1);
	g_assert_cmpuint(info.pmodes[2].enabled, ==, 0);
	/* Too short for the display info: a bare error; no room: nothing */
	g_assert_cmpuint(ctx_cmd_in(&c, &h, sizeof(h), &info,
				    sizeof(info) - 1), ==, HDR);
	g_assert_cmphex(info.hdr.type, ==, VIRTIO_GPU_RESP_ERR_UNSPEC);
	g_assert_cmphex(info.hdr.fence_id, ==, h.fence_id);
	g_assert_cmpuint(ctx_cmd_in(&c, &h, sizeof(h), NULL, HDR - 1), ==, 0);
	g_assert_cmpuint(ctx_cmd_in(&c, &h, sizeof(h), NULL, 0), ==, 0);

	g_assert_cmpuint(ctx_cmd_in(&c, &ge, sizeof(ge), &edid, RESP_MAX), ==,
			 sizeof(edid));
	g_assert_cmphex(edid.hdr.type, ==, VIRTIO_GPU_RESP_OK_EDID);
	g_assert_cmpuint(edid.hdr.flags, ==, 0);
	g_assert_cmpuint(edid.size, ==, 128);
	edid_check(edid.edid);
	edid_size(edid.edid, &w, &hh);
	g_assert_cmpuint(w, ==, 1025);
	g_assert_cmpuint(hh, ==, 768);
	ge.scanout = 2;
	g_assert_cmphex(ctx_cmd(&c, &ge, sizeof(ge)), ==,
			VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ctx_fini(&c);
}

/**
 * test_mem_changed() - A backing that leaves guest memory fails its
 * transfers until it is back
 */
static void test_mem_changed(void)
{
	struct vu_mem_region low = {
		.guest_addr = GUEST_GPA_BASE, .size = GUEST_SIZE / 2,
		.user_addr = GUEST_UVA_BASE,
	};
	struct virtio_gpu_mem_entry e;
	struct vu_mem half;
	struct ctx c;

	ctx_init(&c, 1, 1 << 20);
	e = (struct virtio_gpu_mem_entry){ GUEST_GPA_BASE + GUEST_SIZE / 2,
					   64, 0 };
	vu_mem_init(&half);
	g_assert_cmpint(vu_mem_add(&half, &low, dup(c.g.fd)), ==, 0);
	g_assert_cmphex(ctx_create(&c, 1, 1, 4, 4), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_attach(&c, 1, &e, 1), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 0, 4, 4, 0), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	c.vq->mem = &half;
	c.gpu->device.mem_changed(c.dev);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 0, 4, 4, 0), ==,
			VIRTIO_GPU_RESP_ERR_UNSPEC);
	c.vq->mem = &c.g.mem;
	c.gpu->device.mem_changed(c.dev);
	g_assert_cmphex(ctx_transfer(&c, 1, 0, 0, 4, 4, 0), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	g_assert_cmphex(ctx_simple(&c, VIRTIO_GPU_CMD_RESOURCE_UNREF, 1), ==,
			VIRTIO_GPU_RESP_OK_NODATA);
	ctx_fini(&c);
	vu_mem_clear(&half);
}

/**
 * main() - Run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: the test result
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_log_set_default_handler(log_handler, NULL);
	g_test_add_func("/gpu/edid/basic", test_edid_basic);
	g_test_add_func("/gpu/edid/clamp", test_edid_clamp);
	g_test_add_func("/gpu/pixels/formats", test_pixels);
	g_test_add_func("/gpu/pixels/unknown", test_pixels_unknown);
	g_test_add_func("/gpu/rect/inside", test_rect_inside);
	g_test_add_func("/gpu/ctrl/transfer", test_transfer);
	g_test_add_func("/gpu/ctrl/hostmem", test_hostmem);
	g_test_add_func("/gpu/ctrl/bad-ids", test_bad_ids);
	g_test_add_func("/gpu/ctrl/responses", test_responses);
	g_test_add_func("/gpu/ctrl/mem-changed", test_mem_changed);
	return g_test_run();
}
