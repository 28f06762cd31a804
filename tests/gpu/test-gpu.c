// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-gpu.c - a virtio-gpu vhost-user back-end driven as QEMU and a guest
 * driver would: display info and EDID (from the display socket and our
 * own), every 2D command with the pixels the display receives, the errors
 * the README promises, the host memory cap, fences, config space, the
 * cursor queue, framing, a display that backs up, goes away or is
 * replaced, reconnects, hostile chains (virgl: test-gpu-virgl.c). Tests
 * named /gpu/qemu/... run the shared behaviour against QEMU's own daemon
 * (VU_GPU_QEMU) to check the harness itself.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "gpu-harness.h"

#define MB		(1ull << 20)

/**
 * struct fb - a 2D resource with its backing
 * @id:		Resource id
 * @format:	Format
 * @w:		Width
 * @h:		Height
 * @b:		Backing (width x height x 4 bytes, rows packed)
 */
struct fb {
	uint32_t id;
	uint32_t format;
	uint32_t w;
	uint32_t h;
	struct gput_backing *b;
};

static const uint32_t formats[] = {
	VG_FMT_B8G8R8A8, VG_FMT_B8G8R8X8, VG_FMT_A8R8G8B8, VG_FMT_X8R8G8B8,
	VG_FMT_R8G8B8A8, VG_FMT_X8B8G8R8, VG_FMT_A8B8G8R8, VG_FMT_R8G8B8X8,
};

/**
 * start() - Start a back-end and connect to it
 * @t:		Harness to fill
 * @env:	Variable naming the binary (VU_GPU or VU_GPU_QEMU)
 * @opts:	Options (may be NULL)
 * @cfg:	Display side, or NULL for none
 *
 * Return: false to skip (no such binary)
 */
static bool start(struct gput *t, const char *env, const char *opts,
		  const struct gpud_cfg *cfg)
{
	if (!gput_init(t, env)) {
		g_test_skip(!strcmp(env, "VU_GPU") ? "VU_GPU is not set" :
			    "VU_GPU_QEMU is not set");
		return false;
	}
	gput_start(t, opts, cfg);
	return true;
}

/**
 * start_ours() - Our back-end with the default display side
 * @t:		Harness to fill
 * @opts:	Options (may be NULL)
 *
 * Return: false to skip
 */
static bool start_ours(struct gput *t, const char *opts)
{
	struct gpud_cfg cfg;

	gpud_cfg_default(&cfg);
	return start(t, "VU_GPU", opts, &cfg);
}

/**
 * pattern() - The colour a test draws at a pixel
 * @x:		Column
 * @y:		Row
 * @seed:	Varies the picture
 *
 * Return: 0x00RRGGBB
 */
static uint32_t pattern(uint32_t x, uint32_t y, uint32_t seed)
{
	uint32_t r = (x * 7 + seed) & 0xff, g = (y * 13 + seed * 3) & 0xff;
	uint32_t b = (x + y + seed * 5) & 0xff;

	return r << 16 | g << 8 | b;
}

/**
 * encode() - One pixel in the memory layout of a format
 * @format:	Format (the name gives the byte order)
 * @rgb:	0x00RRGGBB
 * @out:	Four bytes; alpha or the unused byte is 0x80
 */
static void encode(uint32_t format, uint32_t rgb, uint8_t out[4])
{
	uint8_t r = rgb >> 16, g = rgb >> 8, b = rgb, x = 0x80;

	switch (format) {
	case VG_FMT_B8G8R8A8: case VG_FMT_B8G8R8X8:
		out[0] = b; out[1] = g; out[2] = r; out[3] = x;
		break;
	case VG_FMT_A8R8G8B8: case VG_FMT_X8R8G8B8:
		out[0] = x; out[1] = r; out[2] = g; out[3] = b;
		break;
	case VG_FMT_R8G8B8A8: case VG_FMT_R8G8B8X8:
		out[0] = r; out[1] = g; out[2] = b; out[3] = x;
		break;
	default: /* X8B8G8R8, A8B8G8R8 */
		out[0] = x; out[1] = b; out[2] = g; out[3] = r;
		break;
	}
}

/**
 * fb_new() - Create a 2D resource and attach a backing in pieces
 * @t:		Harness
 * @f:		Filled
 * @id:		Resource id
 * @format:	Format
 * @w:		Width
 * @h:		Height
 * @pieces:	Backing entries
 */
static void fb_new(struct gput *t, struct fb *f, uint32_t id, uint32_t format,
		   uint32_t w, uint32_t h, unsigned int pieces)
{
	*f = (struct fb){ id, format, w, h, NULL };
	g_assert_cmphex(gput_create_2d(t, id, format, w, h), ==,
			VG_RESP_OK_NODATA);
	f->b = gput_backing_new(t, (uint64_t)w * h * 4, pieces);
	g_assert_cmphex(gput_attach_backing(t, id, f->b), ==,
			VG_RESP_OK_NODATA);
}

/**
 * fb_draw() - Draw the pattern into a rectangle of the backing
 * @t:		Harness
 * @f:		Resource
 * @r:		Rectangle (in resource coordinates)
 * @seed:	Pattern seed
 */
static void fb_draw(struct gput *t, const struct fb *f, struct vg_rect r,
		    uint32_t seed)
{
	uint8_t *row = g_malloc((size_t)r.width * 4);
	uint32_t x, y;

	for (y = r.y; y < r.y + r.height; y++) {
		for (x = 0; x < r.width; x++)
			encode(f->format, pattern(r.x + x, y, seed),
			       row + 4 * x);
		gput_backing_write(t, f->b, ((uint64_t)y * f->w + r.x) * 4,
				   row, (uint64_t)r.width * 4);
	}
	g_free(row);
}

/**
 * fb_offset() - Offset in the backing of a rectangle's first pixel
 * @f:		Resource
 * @r:		Rectangle
 *
 * Return: bytes
 */
static uint64_t fb_offset(const struct fb *f, struct vg_rect r)
{
	return ((uint64_t)r.y * f->w + r.x) * 4;
}

/**
 * fb_free() - Forget the backing (the resource stays in the device)
 * @f:		Resource
 */
static void fb_free(struct fb *f)
{
	g_free(f->b);
	f->b = NULL;
}

/**
 * wait_msg() - Wait for a display message that must come
 * @t:		Harness (with a display)
 * @request:	Display request id
 *
 * Return: the message (gpud_msg_free())
 */
static struct gpud_msg *wait_msg(struct gput *t, uint32_t request)
{
	struct gpud_msg *m = gpud_wait(t->display, request, GPUT_TIMEOUT_MS);

	if (!m)
		g_error("display: no %s within %d ms (back-end %s)",
			gpud_request_name(request), GPUT_TIMEOUT_MS,
			gput_alive(t) ? "alive" : "exited");
	return m;
}

/**
 * expect_scanout() - The display gets SCANOUT with a size
 * @t:		Harness
 * @head:	Head
 * @w:		Width (0: disabled)
 * @h:		Height
 */
static void expect_scanout(struct gput *t, uint32_t head, uint32_t w,
			   uint32_t h)
{
	struct gpud_msg *m = wait_msg(t, VGD_SCANOUT);
	struct vgd_scanout s;

	g_assert_cmpuint(m->size, ==, sizeof(s));
	memcpy(&s, m->payload, sizeof(s));
	g_assert_cmpuint(s.scanout_id, ==, head);
	g_assert_cmpuint(s.width, ==, w);
	g_assert_cmpuint(s.height, ==, h);
	gpud_msg_free(m);
}

/**
 * expect_update() - The display gets UPDATE of a head-relative rectangle
 * whose pixels show the pattern
 * @t:		Harness
 * @head:	Head
 * @r:		Rectangle expected, relative to the head
 * @ox:		Resource column of the head's left edge
 * @oy:		Resource row of the head's top edge
 * @seed:	Pattern seed the resource was drawn with
 */
static void expect_update(struct gput *t, uint32_t head, struct vg_rect r,
			  uint32_t ox, uint32_t oy, uint32_t seed)
{
	struct gpud_msg *m = wait_msg(t, VGD_UPDATE);
	struct vgd_update u;
	uint32_t x, y, px, want;

	g_assert_cmpuint(m->size, >=, sizeof(u));
	memcpy(&u, m->payload, sizeof(u));
	g_assert_cmpuint(u.scanout_id, ==, head);
	g_assert_cmpuint(u.x, ==, r.x);
	g_assert_cmpuint(u.y, ==, r.y);
	g_assert_cmpuint(u.width, ==, r.width);
	g_assert_cmpuint(u.height, ==, r.height);
	g_assert_cmpuint(m->size, ==, sizeof(u) + (uint64_t)r.width *
			 r.height * 4);
	for (y = 0; y < r.height; y++) {
		for (x = 0; x < r.width; x++) {
			memcpy(&px, m->payload + sizeof(u) +
			       ((size_t)y * r.width + x) * 4, 4);
			want = pattern(ox + r.x + x, oy + r.y + y, seed);
			if ((px & 0xffffff) != want)
				g_error("head %u pixel %u,%u: 0x%06x, want "
					"0x%06x", head, r.x + x, r.y + y,
					px & 0xffffff, want);
		}
	}
	gpud_msg_free(m);
}

/**
 * expect_works() - The control queue still answers correctly
 * @t:		Harness
 */
static void expect_works(struct gput *t)
{
	struct vg_resp_display_info di;

	g_assert_cmphex(gput_display_info(t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].enabled, ==, 1);
}

/**
 * test_display_info() - GET_DISPLAY_INFO answers the display side's heads,
 * and the protocol features both sides know are enabled
 * @data:	Variable naming the back-end
 */
static void test_display_info(gconstpointer data)
{
	struct vg_resp_display_info di;
	struct gpud_cfg cfg;
	struct gput t;
	unsigned int i;

	gpud_cfg_default(&cfg);
	cfg.features = 1ull << VGD_PF_EDID;
	cfg.width[0] = 1111;
	cfg.height[0] = 777;
	if (!start(&t, data, NULL, &cfg))
		return;
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].r.width, ==, 1111);
	g_assert_cmpuint(di.pmodes[0].r.height, ==, 777);
	g_assert_cmpuint(di.pmodes[0].enabled, ==, 1);
	for (i = 1; i < VG_MAX_SCANOUTS; i++)
		g_assert_cmpuint(di.pmodes[i].enabled, ==, 0);
	g_assert_cmpuint(gpud_count(t.display, VGD_GET_PROTOCOL_FEATURES), ==,
			 1);
	g_assert_cmpuint(gpud_count(t.display, VGD_GET_DISPLAY_INFO), >=, 1);
	g_assert_cmphex(gpud_set_features(t.display), ==,
			1ull << VGD_PF_EDID);
	gput_fini(&t);
}

/**
 * test_display_info_local() - Without a display socket, GET_DISPLAY_INFO
 * answers --outputs and --resolution (default one 1280x800 head)
 */
static void test_display_info_local(void)
{
	struct vg_resp_display_info di;
	struct gput t;
	unsigned int i;

	if (!start(&t, "VU_GPU", NULL, NULL))
		return;
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].r.width, ==, 1280);
	g_assert_cmpuint(di.pmodes[0].r.height, ==, 800);
	g_assert_cmpuint(di.pmodes[0].enabled, ==, 1);
	g_assert_cmpuint(di.pmodes[1].enabled, ==, 0);
	gput_fini(&t);

	/* libvirt passes a render node whether it asks for 3D or not */
	g_assert_true(start(&t, "VU_GPU", "--outputs=3 --render-node=/dev/null "
			    "--resolution=800x600,640x480,1920x1080", NULL));
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].r.width, ==, 800);
	g_assert_cmpuint(di.pmodes[0].r.height, ==, 600);
	g_assert_cmpuint(di.pmodes[1].r.width, ==, 640);
	g_assert_cmpuint(di.pmodes[1].r.height, ==, 480);
	g_assert_cmpuint(di.pmodes[2].r.width, ==, 1920);
	g_assert_cmpuint(di.pmodes[2].r.height, ==, 1080);
	for (i = 0; i < VG_MAX_SCANOUTS; i++)
		g_assert_cmpuint(di.pmodes[i].enabled, ==, i < 3);
	gput_fini(&t);
}

/**
 * test_flush() - A frame drawn in a backing of several pieces reaches the
 * display: SCANOUT, then UPDATE of the whole frame and of a sub-rectangle
 * with its pixels
 * @data:	Variable naming the back-end
 */
static void test_flush(gconstpointer data)
{
	struct vg_rect full = vg_rect_make(0, 0, 64, 48);
	struct vg_rect sub = vg_rect_make(10, 7, 20, 9);
	struct gpud_cfg cfg;
	struct gput t;
	struct fb f;

	gpud_cfg_default(&cfg);
	if (!start(&t, data, NULL, &cfg))
		return;
	fb_new(&t, &f, 5, VG_FMT_B8G8R8X8, 64, 48, 5);
	fb_draw(&t, &f, full, 1);
	g_assert_cmphex(gput_transfer(&t, 5, full, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 5, full), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 64, 48);
	g_assert_cmphex(gput_flush(&t, 5, full), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, full, 0, 0, 1);

	fb_draw(&t, &f, sub, 2);
	g_assert_cmphex(gput_transfer(&t, 5, sub, fb_offset(&f, sub)), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_flush(&t, 5, sub), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, sub, 0, 0, 2);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_two_heads() - With --outputs=2, a resource shown on both heads (the
 * second at an offset): a full flush sends one UPDATE per head with
 * head-relative coordinates, a flush inside the second head only one
 */
static void test_two_heads(void)
{
	struct vg_rect full = vg_rect_make(0, 0, 128, 40);
	struct vg_rect left = vg_rect_make(0, 0, 64, 40);
	struct vg_rect right = vg_rect_make(64, 8, 64, 32);
	struct gpud_cfg cfg;
	struct gput t;
	struct fb f;

	gpud_cfg_default(&cfg);
	cfg.nheads = 2;
	cfg.width[1] = 800;
	cfg.height[1] = 600;
	if (!start(&t, "VU_GPU", "--outputs=2", &cfg))
		return;
	fb_new(&t, &f, 9, VG_FMT_B8G8R8X8, 128, 40, 3);
	fb_draw(&t, &f, full, 3);
	g_assert_cmphex(gput_transfer(&t, 9, full, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 9, left), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 64, 40);
	g_assert_cmphex(gput_set_scanout(&t, 1, 9, right), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 1, 64, 32);

	g_assert_cmphex(gput_flush(&t, 9, full), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, vg_rect_make(0, 0, 64, 40), 0, 0, 3);
	expect_update(&t, 1, vg_rect_make(0, 0, 64, 32), 64, 8, 3);

	g_assert_cmphex(gput_flush(&t, 9, vg_rect_make(70, 20, 8, 6)), ==,
			VG_RESP_OK_NODATA);
	expect_update(&t, 1, vg_rect_make(6, 12, 8, 6), 64, 8, 3);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);

	g_assert_cmphex(gput_set_scanout(&t, 1, 0, vg_rect_make(0, 0, 0, 0)),
			==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 1, 0, 0);
	g_assert_cmphex(gput_flush(&t, 9, full), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, vg_rect_make(0, 0, 64, 40), 0, 0, 3);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_backpressure() - While the display does not read, flushes back up
 * behind the socket; once it reads again, every UPDATE arrives whole, in
 * order, with the pixels of its own flush
 */
static void test_backpressure(void)
{
	struct vg_rect full = vg_rect_make(0, 0, 256, 256);
	struct vg_flush fl = { .hdr.type = VG_CMD_RESOURCE_FLUSH, .r = full,
			       .resource_id = 30 };
	struct vg_transfer_2d tr = { .hdr.type = VG_CMD_TRANSFER_TO_HOST_2D,
				     .r = full, .resource_id = 30 };
	struct gpud_cfg cfg;
	int id[5], i;
	struct gput t;
	struct fb f;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	fb_new(&t, &f, 30, VG_FMT_B8G8R8X8, 256, 256, 3);
	fb_draw(&t, &f, full, 1);
	g_assert_cmphex(gput_transfer(&t, 30, full, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 30, full), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 256, 256);
	gpud_pause(t.display, true);
	id[0] = gput_post(&t, &fl, sizeof(fl));
	id[1] = gput_post(&t, &fl, sizeof(fl));
	g_usleep(100000);
	fb_draw(&t, &f, full, 2);
	id[2] = gput_post(&t, &tr, sizeof(tr));
	id[3] = gput_post(&t, &fl, sizeof(fl));
	id[4] = gput_post(&t, &fl, sizeof(fl));
	g_usleep(300000);
	g_assert_true(gput_alive(&t));
	gpud_pause(t.display, false);
	for (i = 0; i < 5; i++)
		g_assert_cmphex(gput_reap(&t, id[i]), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, full, 0, 0, 1);
	expect_update(&t, 0, full, 0, 0, 1);
	expect_update(&t, 0, full, 0, 0, 2);
	expect_update(&t, 0, full, 0, 0, 2);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_display_gone() - When QEMU closes the display socket, the device
 * goes on: GET_DISPLAY_INFO answers at once, flushes succeed
 */
static void test_display_gone(void)
{
	struct vg_rect r = vg_rect_make(0, 0, 16, 16);
	struct vg_resp_display_info di;
	struct gput t;
	struct fb f;

	if (!start_ours(&t, "--resolution=640x480"))
		return;
	fb_new(&t, &f, 31, VG_FMT_B8G8R8X8, 16, 16, 1);
	g_assert_cmphex(gput_set_scanout(&t, 0, 31, r), ==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 16, 16);
	gpud_free(t.display);
	t.display = NULL;
	g_assert_cmphex(gput_transfer(&t, 31, r, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_flush(&t, 31, r), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].enabled, ==, 1);
	/* the options, or the last size the front-end gave */
	g_assert_true((di.pmodes[0].r.width == 640 &&
		       di.pmodes[0].r.height == 480) ||
		      (di.pmodes[0].r.width == 1024 &&
		       di.pmodes[0].r.height == 768));
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_display_silent() - A display that never answers the handshake may
 * hold the control queue up (the README: it waits for replies), but
 * SIGTERM still ends the daemon promptly with status 0
 */
static void test_display_silent(void)
{
	struct vg_create_2d c = { .hdr.type = VG_CMD_RESOURCE_CREATE_2D,
				  .resource_id = 1, .format = VG_FMT_B8G8R8X8,
				  .width = 8, .height = 8 };
	struct vg_hdr gdi = { .type = VG_CMD_GET_DISPLAY_INFO };
	struct gpud_cfg cfg;
	struct gput t;

	gpud_cfg_default(&cfg);
	cfg.silent = true;
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	gput_post(&t, &c, sizeof(c));
	gput_post(&t, &gdi, sizeof(gdi));
	g_usleep(GPUT_QUIET_MS * 1000);
	g_assert_true(gput_alive(&t));
	gput_fini(&t);
}

/**
 * test_display_broken() - A front-end that answers GET_DISPLAY_INFO short
 * or GET_EDID with a size over 1024: the guest's requests still complete
 * with well-formed answers, the daemon survives and exits 0
 */
static void test_display_broken(void)
{
	struct vg_resp_display_info di;
	struct vg_resp_edid e;
	struct gpud_cfg cfg;
	uint8_t blob[128];
	struct gput t;
	uint32_t r;

	gpud_cfg_default(&cfg);
	cfg.info_size = 10;
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	r = gput_display_info(&t, &di);
	g_test_message("short display info: 0x%x", r);
	g_assert_true(r == VG_RESP_OK_DISPLAY_INFO || r == VG_RESP_ERR_UNSPEC);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 8, 8), ==,
			VG_RESP_OK_NODATA);
	gput_fini(&t);

	gpud_cfg_default(&cfg);
	memset(blob, 0x5a, sizeof(blob));
	cfg.edid[0] = blob;
	cfg.edid_len[0] = sizeof(blob);
	cfg.edid_size = 5000;
	g_assert_true(start(&t, "VU_GPU", NULL, &cfg));
	r = gput_edid(&t, 0, &e);
	g_test_message("EDID size 5000: 0x%x, size %u", r, e.size);
	g_assert_true(r == VG_RESP_OK_EDID || r == VG_RESP_ERR_UNSPEC);
	if (r == VG_RESP_OK_EDID)
		g_assert_cmpuint(e.size, <=, VG_EDID_MAX);
	expect_works(&t);
	gput_fini(&t);
}

/**
 * test_unref_shown() - Unreferencing a resource that a head shows: the
 * head stops showing it, later flushes of the id fail, the id can be
 * created again
 */
static void test_unref_shown(void)
{
	struct vg_rect r = vg_rect_make(0, 0, 16, 16);
	struct gput t;
	struct fb f;

	if (!start_ours(&t, NULL))
		return;
	fb_new(&t, &f, 32, VG_FMT_B8G8R8X8, 16, 16, 1);
	g_assert_cmphex(gput_transfer(&t, 32, r, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 32, r), ==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 16, 16);
	g_assert_cmphex(gput_detach(&t, 32), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_flush(&t, 32, r), ==, VG_RESP_OK_NODATA);
	gpud_msg_free(wait_msg(&t, VGD_UPDATE));
	g_assert_cmphex(gput_unref(&t, 32), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_flush(&t, 32, r), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);
	fb_free(&f);
	fb_new(&t, &f, 32, VG_FMT_B8G8R8X8, 8, 8, 1);
	g_assert_cmphex(gput_flush(&t, 32, vg_rect_make(0, 0, 8, 8)), ==,
			VG_RESP_OK_NODATA);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * place() - Copy bytes into fresh guest memory
 * @t:		Harness
 * @src:	Bytes
 * @len:	How many
 *
 * Return: guest physical address
 */
static uint64_t place(struct gput *t, const void *src, uint32_t len)
{
	uint64_t gpa = gput_alloc(t, len);

	memcpy(gput_ptr(t, gpa, len), src, len);
	return gpa;
}

/**
 * test_framing() - Commands and responses split over descriptors as
 * drivers do (Linux sends backing entries in their own buffer), a header
 * split mid-field, a response scattered over three buffers, an indirect
 * chain
 */
static void test_framing(void)
{
	struct vg_create_2d c = { .hdr.type = VG_CMD_RESOURCE_CREATE_2D,
				  .resource_id = 40, .format = VG_FMT_B8G8R8X8,
				  .width = 32, .height = 16 };
	struct vg_attach_backing ab = {
		.hdr.type = VG_CMD_RESOURCE_ATTACH_BACKING, .resource_id = 40 };
	struct vg_rect full = vg_rect_make(0, 0, 32, 16);
	struct vg_hdr gdi = { .type = VG_CMD_GET_DISPLAY_INFO };
	struct vg_resp_display_info di;
	struct vuf_desc d[4];
	uint64_t cmd, resp;
	struct gput t;
	struct fb f;
	int id;

	if (!start_ours(&t, NULL))
		return;
	resp = gput_alloc(&t, 4096);
	cmd = place(&t, &c, sizeof(c));
	d[0] = (struct vuf_desc){ cmd, 10, false };
	d[1] = (struct vuf_desc){ cmd + 10, sizeof(c) - 10, false };
	d[2] = (struct vuf_desc){ resp, 24, true };
	g_assert_cmpuint(gput_cmd_descs(&t, t.ctrl, d, 3), ==, 24);
	g_assert_cmphex(((struct vg_hdr *)gput_ptr(&t, resp, 24))->type, ==,
			VG_RESP_OK_NODATA);

	f = (struct fb){ 40, VG_FMT_B8G8R8X8, 32, 16,
			 gput_backing_new(&t, 32 * 16 * 4, 3) };
	ab.nr_entries = f.b->n;
	d[0] = (struct vuf_desc){ place(&t, &ab, sizeof(ab)), sizeof(ab),
				  false };
	d[1] = (struct vuf_desc){ place(&t, f.b->e, f.b->n * sizeof(f.b->e[0])),
				  f.b->n * sizeof(f.b->e[0]), false };
	g_assert_cmpuint(gput_cmd_descs(&t, t.ctrl, d, 3), ==, 24);
	g_assert_cmphex(((struct vg_hdr *)gput_ptr(&t, resp, 24))->type, ==,
			VG_RESP_OK_NODATA);
	fb_draw(&t, &f, full, 12);
	g_assert_cmphex(gput_transfer(&t, 40, full, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 40, full), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 32, 16);
	g_assert_cmphex(gput_flush(&t, 40, full), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, full, 0, 0, 12);

	d[0] = (struct vuf_desc){ place(&t, &gdi, sizeof(gdi)), sizeof(gdi),
				  false };
	d[1] = (struct vuf_desc){ resp, 20, true };
	d[2] = (struct vuf_desc){ resp + 1024, 100, true };
	d[3] = (struct vuf_desc){ resp + 2048, sizeof(di) - 120, true };
	id = vuf_vq_post_descs(t.ctrl, d, 4, true);
	g_assert_cmpint(id, >=, 0);
	g_assert_cmpint(vuf_vq_kick(t.ctrl), ==, 0);
	g_assert_cmphex(gput_reap_len(&t, id), ==, sizeof(di));
	memcpy(&di, gput_ptr(&t, resp, 20), 20);
	memcpy((uint8_t *)&di + 20, gput_ptr(&t, resp + 1024, 100), 100);
	memcpy((uint8_t *)&di + 120, gput_ptr(&t, resp + 2048,
					      sizeof(di) - 120),
	       sizeof(di) - 120);
	g_assert_cmphex(di.hdr.type, ==, VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].r.width, ==, 1024);
	g_assert_cmpuint(di.pmodes[0].r.height, ==, 768);
	g_assert_cmpuint(di.pmodes[0].enabled, ==, 1);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_transfer_offset() - TRANSFER_TO_HOST_2D reads row n of the
 * rectangle at offset + n x stride of the backing (stride: the resource
 * width x 4), whatever the rectangle's position
 */
static void test_transfer_offset(void)
{
	struct vg_rect full = vg_rect_make(0, 0, 64, 32);
	struct vg_rect sub = vg_rect_make(10, 7, 20, 9);
	struct gput t;
	struct fb f;

	if (!start_ours(&t, NULL))
		return;
	fb_new(&t, &f, 41, VG_FMT_B8G8R8X8, 64, 32, 2);
	fb_draw(&t, &f, full, 13);
	g_assert_cmphex(gput_transfer(&t, 41, full, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_transfer(&t, 41, sub, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 41, sub), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 20, 9);
	g_assert_cmphex(gput_flush(&t, 41, sub), ==, VG_RESP_OK_NODATA);
	/* the head shows sub; its pixel (x, y) came from backing (x, y) */
	expect_update(&t, 0, vg_rect_make(0, 0, 20, 9), 0, 0, 13);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_reconnect() - A new front-end (QEMU restarted, or reconnecting)
 * gets a fresh device: old resource ids are free, host memory given back
 */
static void test_reconnect(void)
{
	struct gpud_cfg cfg;
	struct gput t;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", "--max-hostmem=1M", &cfg))
		return;
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 256, 512), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 128, 256), ==,
			VG_RESP_OK_NODATA);
	gput_disconnect(&t);
	gput_connect(&t, &cfg);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 256, 512), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 128, 256), ==,
			VG_RESP_OK_NODATA);
	gput_fini(&t);
}

/**
 * test_new_socket() - A second GPU_SET_SOCKET (QEMU sends one at every
 * start of the device) replaces the display: the handshake runs again, the
 * heads are replayed to it (SCANOUT), and updates go to the new one only
 */
static void test_new_socket(void)
{
	struct vg_rect r = vg_rect_make(0, 0, 16, 16);
	struct gpud *old;
	struct gpud_cfg cfg;
	struct gput t;
	struct fb f;
	int peer;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	fb_new(&t, &f, 42, VG_FMT_B8G8R8X8, 16, 16, 1);
	fb_draw(&t, &f, r, 14);
	g_assert_cmphex(gput_transfer(&t, 42, r, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 42, r), ==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 16, 16);

	old = t.display;
	cfg.width[0] = 800;
	cfg.height[0] = 600;
	t.display = gpud_new(&cfg, &peer);
	g_assert_cmpint(vuf_request(gput_conn(&t), VUF_GPU_SET_SOCKET, NULL, 0,
				    &peer, 1, 0, NULL), ==, 0);
	close(peer);
	expect_scanout(&t, 0, 16, 16);
	g_assert_cmphex(gput_flush(&t, 42, r), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, r, 0, 0, 14);
	g_assert_cmpuint(gpud_count(t.display, VGD_GET_PROTOCOL_FEATURES), ==,
			 1);
	gpud_expect_none(old, VGD_UPDATE, GPUT_QUIET_MS);
	gpud_free(old);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_big_flush() - A frame of more than 64 MiB reaches the display as
 * bands of whole rows, each at most 64 MiB, covering it top to bottom
 */
static void test_big_flush(void)
{
	struct vg_rect full = vg_rect_make(0, 0, 4096, 4352);
	struct gpud_cfg cfg;
	struct gpud_msg *m;
	struct vgd_update u;
	uint32_t y = 0;
	struct gput t;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	g_assert_cmphex(gput_create_2d(&t, 43, VG_FMT_B8G8R8X8, 4096, 4352),
			==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 43, full), ==,
			VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 4096, 4352);
	g_assert_cmphex(gput_flush(&t, 43, full), ==, VG_RESP_OK_NODATA);
	while (y < full.height) {
		m = wait_msg(&t, VGD_UPDATE);
		memcpy(&u, m->payload, sizeof(u));
		g_test_message("band at row %u: %u rows", u.y, u.height);
		g_assert_cmpuint(u.x, ==, 0);
		g_assert_cmpuint(u.width, ==, 4096);
		g_assert_cmpuint(u.y, ==, y);
		g_assert_cmpuint(u.height, >, 0);
		g_assert_cmpuint((uint64_t)u.width * u.height * 4, <=, 64 * MB);
		g_assert_cmpuint(m->size, ==, sizeof(u) + (uint64_t)u.width *
				 u.height * 4);
		y += u.height;
		gpud_msg_free(m);
	}
	g_assert_cmpuint(y, ==, full.height);
	gpud_expect_none(t.display, VGD_UPDATE, GPUT_QUIET_MS);
	gput_fini(&t);
}

/**
 * test_formats() - Every format of the specification is accepted, and the
 * display gets its pixels as x8r8g8b8
 */
static void test_formats(void)
{
	struct vg_rect full = vg_rect_make(0, 0, 16, 8);
	struct gpud_cfg cfg;
	struct gput t;
	unsigned int i;
	struct fb f;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	for (i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_test_message("format %u", formats[i]);
		fb_new(&t, &f, 100 + i, formats[i], 16, 8, 1);
		fb_draw(&t, &f, full, 10 + i);
		g_assert_cmphex(gput_transfer(&t, f.id, full, 0), ==,
				VG_RESP_OK_NODATA);
		g_assert_cmphex(gput_set_scanout(&t, 0, f.id, full), ==,
				VG_RESP_OK_NODATA);
		expect_scanout(&t, 0, 16, 8);
		g_assert_cmphex(gput_flush(&t, f.id, full), ==,
				VG_RESP_OK_NODATA);
		expect_update(&t, 0, full, 0, 0, 10 + i);
		fb_free(&f);
	}
	for (i = 0; i < G_N_ELEMENTS(formats); i++)
		g_assert_cmphex(gput_unref(&t, 100 + i), ==,
				VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_unref(&t, 100), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	gput_fini(&t);
}

/**
 * test_create_errors() - RESOURCE_CREATE_2D: id 0 or in use, unknown
 * format, zero sizes
 */
static void test_create_errors(void)
{
	struct gput t;

	if (!start_ours(&t, NULL))
		return;
	g_assert_cmphex(gput_create_2d(&t, 0, VG_FMT_B8G8R8X8, 8, 8), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 8, 8), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 8, 8), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_create_2d(&t, 2, 999, 8, 8), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_create_2d(&t, 2, 0, 8, 8), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 0, 8), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 8, 0), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 0xffffffff,
				       0xffffffff), !=, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_unref(&t, 1), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_R8G8B8A8, 4, 4), ==,
			VG_RESP_OK_NODATA);
	gput_fini(&t);
}

/**
 * test_bad_ids() - Commands on a resource that does not exist, a head that
 * does not exist; resource 0 disables a head
 */
static void test_bad_ids(void)
{
	struct vg_rect r = vg_rect_make(0, 0, 8, 8);
	struct vg_mem_entry e = { 0, 4096, 0 };
	struct gput t;

	if (!start_ours(&t, NULL))
		return;
	e.addr = gput_alloc(&t, 4096);
	g_assert_cmphex(gput_unref(&t, 42), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_attach(&t, 42, &e, 1), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_detach(&t, 42), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_transfer(&t, 42, r, 0), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_flush(&t, 42, r), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_set_scanout(&t, 0, 42, r), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(gput_create_2d(&t, 42, VG_FMT_B8G8R8X8, 8, 8), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 1, 42, r), ==,
			VG_RESP_ERR_INVALID_SCANOUT_ID);
	g_assert_cmphex(gput_set_scanout(&t, 16, 42, r), ==,
			VG_RESP_ERR_INVALID_SCANOUT_ID);
	g_assert_cmphex(gput_set_scanout(&t, 0xffffffff, 0, r), ==,
			VG_RESP_ERR_INVALID_SCANOUT_ID);
	g_assert_cmphex(gput_set_scanout(&t, 0, 42, r), ==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 8, 8);
	g_assert_cmphex(gput_set_scanout(&t, 0, 0, vg_rect_make(0, 0, 0, 0)),
			==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 0, 0);
	gput_fini(&t);
}

/**
 * attach_overclaim() - ATTACH_BACKING whose nr_entries (3) says more than
 * the request holds (1 entry)
 * @t:		Harness
 * @id:		Resource id
 * @e:		The one entry sent
 *
 * Return: response type
 */
static uint32_t attach_overclaim(struct gput *t, uint32_t id,
				 const struct vg_mem_entry *e)
{
	struct vg_attach_backing ab = {
		.hdr.type = VG_CMD_RESOURCE_ATTACH_BACKING, .resource_id = id,
		.nr_entries = 3 };
	uint8_t buf[sizeof(ab) + sizeof(*e)];

	memcpy(buf, &ab, sizeof(ab));
	memcpy(buf + sizeof(ab), e, sizeof(*e));
	return gput_simple(t, buf, sizeof(buf));
}

/**
 * test_backing() - ATTACH/DETACH_BACKING: the rules on entries, double
 * attach and detach, transfers without backing, re-attach after detach
 */
static void test_backing(void)
{
	struct vg_rect r = vg_rect_make(0, 0, 16, 16);
	struct vg_mem_entry e[2], *many;
	struct gput t;
	unsigned int i;
	struct fb f;

	if (!start_ours(&t, NULL))
		return;
	g_assert_cmphex(gput_create_2d(&t, 3, VG_FMT_B8G8R8X8, 16, 16), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_transfer(&t, 3, r, 0), ==, VG_RESP_ERR_UNSPEC);
	g_assert_cmphex(gput_detach(&t, 3), ==, VG_RESP_ERR_UNSPEC);
	g_assert_cmphex(gput_attach(&t, 3, NULL, 0), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	e[0] = (struct vg_mem_entry){ gput_alloc(&t, 1024), 1024, 0 };
	e[1] = (struct vg_mem_entry){ gput_alloc(&t, 1024), 0, 0 };
	g_assert_cmphex(gput_attach(&t, 3, e, 2), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	e[1] = (struct vg_mem_entry){ GPUT_GPA + GPUT_RAM - 512, 1024, 0 };
	g_assert_cmphex(gput_attach(&t, 3, e, 2), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	e[1] = (struct vg_mem_entry){ 0xffffffffffff0000ull, 0x20000, 0 };
	g_assert_cmphex(gput_attach(&t, 3, e, 2), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(attach_overclaim(&t, 3, &e[0]), !=, VG_RESP_OK_NODATA);
	many = g_new0(struct vg_mem_entry, 16385);
	for (i = 0; i < 16385; i++)
		many[i] = e[0];
	g_assert_cmphex(gput_attach(&t, 3, many, 16385), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_attach(&t, 3, many, 16384), ==,
			VG_RESP_OK_NODATA);
	g_free(many);
	g_assert_cmphex(gput_attach(&t, 3, e, 1), ==, VG_RESP_ERR_UNSPEC);
	g_assert_cmphex(gput_detach(&t, 3), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_detach(&t, 3), ==, VG_RESP_ERR_UNSPEC);
	g_assert_cmphex(gput_unref(&t, 3), ==, VG_RESP_OK_NODATA);

	fb_new(&t, &f, 4, VG_FMT_B8G8R8X8, 16, 16, 7);
	fb_draw(&t, &f, r, 4);
	g_assert_cmphex(gput_transfer(&t, 4, r, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 4, r), ==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 16, 16);
	g_assert_cmphex(gput_flush(&t, 4, r), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, r, 0, 0, 4);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_bad_rects() - Rectangles outside the resource, empty, or whose sums
 * overflow 32 bits; a source outside the backing
 */
static void test_bad_rects(void)
{
	static const struct vg_rect bad[] = {
		{ 60, 0, 10, 8 }, { 0, 40, 8, 10 }, { 0, 0, 65, 1 },
		{ 0, 0, 1, 49 }, { 0, 0, 0xffffffff, 1 },
		{ 0, 0, 1, 0xffffffff }, { 0xffffffff, 0, 2, 1 },
		{ 0, 0xffffffff, 1, 2 }, { 0xfffffff0, 0xfffffff0, 0x20, 0x20 },
		{ 64, 0, 1, 1 },
	};
	struct vg_rect full = vg_rect_make(0, 0, 64, 48);
	struct gput t;
	unsigned int i;
	struct fb f;

	if (!start_ours(&t, NULL))
		return;
	fb_new(&t, &f, 7, VG_FMT_B8G8R8X8, 64, 48, 2);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("rect %u,%u %ux%u", bad[i].x, bad[i].y,
			       bad[i].width, bad[i].height);
		g_assert_cmphex(gput_transfer(&t, 7, bad[i], 0), ==,
				VG_RESP_ERR_INVALID_PARAMETER);
		g_assert_cmphex(gput_set_scanout(&t, 0, 7, bad[i]), ==,
				VG_RESP_ERR_INVALID_PARAMETER);
		g_assert_cmphex(gput_flush(&t, 7, bad[i]), ==,
				VG_RESP_ERR_INVALID_PARAMETER);
	}
	g_assert_cmphex(gput_set_scanout(&t, 0, 7, vg_rect_make(0, 0, 0, 8)),
			==, VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_set_scanout(&t, 0, 7, vg_rect_make(0, 0, 8, 0)),
			==, VG_RESP_ERR_INVALID_PARAMETER);
	/* the source: offset + stride x rows past the backing */
	g_assert_cmphex(gput_transfer(&t, 7, vg_rect_make(0, 47, 64, 1),
				      47 * 64 * 4 + 4), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_transfer(&t, 7, vg_rect_make(0, 46, 64, 2),
				      46 * 64 * 4 + 4), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_transfer(&t, 7, full, 64 * 48 * 4), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_transfer(&t, 7, vg_rect_make(0, 0, 1, 1),
				      0xfffffffffffffff0ull), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_transfer(&t, 7, full, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_transfer(&t, 7, vg_rect_make(63, 47, 1, 1),
				      64 * 48 * 4 - 4), ==, VG_RESP_OK_NODATA);
	fb_free(&f);

	/* a backing smaller than the resource */
	g_assert_cmphex(gput_create_2d(&t, 8, VG_FMT_B8G8R8X8, 64, 48), ==,
			VG_RESP_OK_NODATA);
	f.b = gput_backing_new(&t, 64 * 24 * 4, 1);
	g_assert_cmphex(gput_attach_backing(&t, 8, f.b), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_transfer(&t, 8, full, 0), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	g_assert_cmphex(gput_transfer(&t, 8, vg_rect_make(0, 0, 64, 24), 0),
			==, VG_RESP_OK_NODATA);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_hostmem() - --max-hostmem caps what the guest makes us allocate:
 * ERR_OUT_OF_MEMORY over it, memory comes back on UNREF, and the device
 * keeps working
 */
static void test_hostmem(void)
{
	struct vg_rect r = vg_rect_make(0, 0, 32, 32);
	struct gput t;
	struct fb f;

	if (!start_ours(&t, "--max-hostmem=1M"))
		return;
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 1024, 1024),
			==, VG_RESP_ERR_OUT_OF_MEMORY);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 16384, 16384),
			==, VG_RESP_ERR_OUT_OF_MEMORY);
	g_assert_cmphex(gput_create_2d(&t, 1, VG_FMT_B8G8R8X8, 256, 512), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 256, 512), ==,
			VG_RESP_ERR_OUT_OF_MEMORY);
	g_assert_cmphex(gput_unref(&t, 1), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_create_2d(&t, 2, VG_FMT_B8G8R8X8, 256, 512), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_unref(&t, 2), ==, VG_RESP_OK_NODATA);

	fb_new(&t, &f, 3, VG_FMT_B8G8R8X8, 32, 32, 1);
	fb_draw(&t, &f, r, 6);
	g_assert_cmphex(gput_transfer(&t, 3, r, 0), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 3, r), ==, VG_RESP_OK_NODATA);
	expect_scanout(&t, 0, 32, 32);
	g_assert_cmphex(gput_flush(&t, 3, r), ==, VG_RESP_OK_NODATA);
	expect_update(&t, 0, r, 0, 0, 6);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * fenced() - Send a command with the fence flag and check the echo
 * @t:		Harness
 * @cmd:	Command (its header is changed)
 * @len:	Bytes
 * @fence:	Fence id
 *
 * Return: response type
 */
static uint32_t fenced(struct gput *t, void *cmd, uint32_t len,
		       uint64_t fence)
{
	struct vg_hdr *h = cmd;

	h->flags |= VG_FLAG_FENCE;
	h->fence_id = fence;
	return gput_simple(t, cmd, len);
}

/**
 * test_fences() - The fence flag and id are echoed, on success and on
 * error; without the flag no fence comes back
 */
static void test_fences(void)
{
	struct vg_create_2d c = { .hdr.type = VG_CMD_RESOURCE_CREATE_2D,
				  .resource_id = 11, .format = VG_FMT_B8G8R8X8,
				  .width = 8, .height = 8 };
	struct vg_res_cmd u = { .hdr.type = VG_CMD_RESOURCE_UNREF,
				.resource_id = 11 };
	struct vg_hdr r;
	struct gput t;

	if (!start_ours(&t, NULL))
		return;
	g_assert_cmphex(fenced(&t, &c, sizeof(c), 0x123456789abcull), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(fenced(&t, &c, sizeof(c), 0x123456789abdull), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(fenced(&t, &u, sizeof(u), UINT64_MAX), ==,
			VG_RESP_OK_NODATA);
	c.hdr.flags = 0;
	c.hdr.fence_id = 77;
	g_assert_cmpuint(gput_cmd(&t, t.ctrl, &c, sizeof(c), &r, sizeof(r)),
			 ==, sizeof(r));
	g_assert_cmphex(r.type, ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(r.flags & VG_FLAG_FENCE, ==, 0);
	gput_fini(&t);
}

/**
 * make_edid() - A 256-byte blob the display side hands out
 * @buf:	Filled
 */
static void make_edid(uint8_t buf[256])
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
}

/**
 * check_own_edid() - Our own EDID: 128 bytes, the header, a valid
 * checksum, a preferred timing of the head's size
 * @e:		Response
 * @w:		Head width
 * @h:		Head height
 */
static void check_own_edid(const struct vg_resp_edid *e, uint32_t w,
			   uint32_t h)
{
	static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0 };
	const uint8_t *d = e->edid + 54;
	uint8_t sum = 0;
	unsigned int i;

	g_assert_cmpuint(e->size, >=, 128);
	g_assert_cmpuint(e->size % 128, ==, 0);
	g_assert_cmpmem(e->edid, 8, magic, 8);
	for (i = 0; i < 128; i++)
		sum += e->edid[i];
	g_assert_cmpuint(sum, ==, 0);
	g_assert_cmpuint(d[0] | d[1] << 8, !=, 0);
	g_assert_cmpuint(d[2] | (d[4] & 0xf0) << 4, ==, w);
	g_assert_cmpuint(d[5] | (d[7] & 0xf0) << 4, ==, h);
}

/**
 * settle() - GET_DISPLAY_INFO, as a guest driver sends first: the display
 * handshake is then over
 * @t:		Harness
 */
static void settle(struct gput *t)
{
	struct vg_resp_display_info di;

	g_assert_cmphex(gput_display_info(t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
}

/**
 * test_edid_first() - GET_EDID as the very first command after the display
 * socket is set still gets the display's blob (and, when the display has
 * no EDID feature, our own of the display's head size), ten times over;
 * failures are reported without stopping the other tests
 */
static void test_edid_first(void)
{
	unsigned int i, bad_blob = 0, bad_size = 0;
	struct vg_resp_edid e;
	struct gpud_cfg cfg;
	uint8_t blob[256];
	struct gput t;

	make_edid(blob);
	for (i = 0; i < 20; i++) {
		gpud_cfg_default(&cfg);
		cfg.edid[0] = blob;
		cfg.edid_len[0] = sizeof(blob);
		if (i & 1) {
			cfg.features = 1ull << VGD_PF_DMABUF2;
			cfg.width[0] = 1600;
		}
		if (!start(&t, "VU_GPU", NULL, &cfg))
			return;
		g_assert_cmphex(gput_edid(&t, 0, &e), ==, VG_RESP_OK_EDID);
		if (!(i & 1) && e.size != sizeof(blob))
			bad_blob++;
		if ((i & 1) && (e.edid[56] | (e.edid[58] & 0xf0) << 4) != 1600)
			bad_size++;
		gput_fini(&t);
	}
	if (bad_blob || bad_size) {
		g_test_message("first-command GET_EDID: %u of 10 not the "
			       "display's blob, %u of 10 not the display's "
			       "size", bad_blob, bad_size);
		g_test_fail();
	}
}

/**
 * test_edid() - GET_EDID: the display's blob when it offers EDID, our own
 * for the head's size when it does not (or when there is no display), bad
 * heads. As Linux does, GET_DISPLAY_INFO comes first (see
 * test_edid_first() for GET_EDID as the very first command).
 */
static void test_edid(void)
{
	struct vg_resp_edid e;
	struct gpud_cfg cfg;
	uint8_t blob[256];
	struct gput t;

	gpud_cfg_default(&cfg);
	make_edid(blob);
	cfg.edid[0] = blob;
	cfg.edid_len[0] = sizeof(blob);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	settle(&t);
	g_assert_cmphex(gput_edid(&t, 0, &e), ==, VG_RESP_OK_EDID);
	g_assert_cmpuint(e.size, ==, sizeof(blob));
	g_assert_cmpmem(e.edid, sizeof(blob), blob, sizeof(blob));
	g_assert_cmpuint(gpud_count(t.display, VGD_GET_EDID), ==, 1);
	g_assert_cmphex(gput_edid(&t, 1, &e), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	gput_fini(&t);

	cfg.features = 1ull << VGD_PF_DMABUF2;
	cfg.width[0] = 1600;
	cfg.height[0] = 900;
	g_assert_true(start(&t, "VU_GPU", NULL, &cfg));
	settle(&t);
	g_assert_cmphex(gput_edid(&t, 0, &e), ==, VG_RESP_OK_EDID);
	check_own_edid(&e, 1600, 900);
	g_assert_cmpuint(gpud_count(t.display, VGD_GET_EDID), ==, 0);
	gput_fini(&t);

	g_assert_true(start(&t, "VU_GPU", "--outputs=2 "
			    "--resolution=1024x768,1920x1200", NULL));
	g_assert_cmphex(gput_edid(&t, 1, &e), ==, VG_RESP_OK_EDID);
	check_own_edid(&e, 1920, 1200);
	g_assert_cmphex(gput_edid(&t, 0, &e), ==, VG_RESP_OK_EDID);
	check_own_edid(&e, 1024, 768);
	g_assert_cmphex(gput_edid(&t, 2, &e), ==,
			VG_RESP_ERR_INVALID_PARAMETER);
	gput_fini(&t);
}

/**
 * test_config() - Config space: num_scanouts from --outputs, no capsets
 * without virgl, events_clear clears events_read; the EDID feature is
 * offered
 */
static void test_config(void)
{
	struct vg_config cfg;
	uint32_t clear;
	struct gput t;

	if (!start_ours(&t, "--outputs=3"))
		return;
	g_assert_true(t.features & VUF_BIT(VG_F_EDID));
	g_assert_false(t.features & VUF_BIT(VG_F_VIRGL));
	gput_config(&t, &cfg);
	g_assert_cmpuint(cfg.num_scanouts, ==, 3);
	g_assert_cmpuint(cfg.num_capsets, ==, 0);
	g_assert_cmphex(cfg.events_read & ~1u, ==, 0);
	clear = cfg.events_read | 1u;
	g_assert_cmpint(vuf_set_config(gput_conn(&t), 4, &clear, 4, 0), ==, 0);
	gput_config(&t, &cfg);
	g_assert_cmphex(cfg.events_read, ==, 0);
	g_assert_cmpuint(cfg.num_scanouts, ==, 3);
	gput_fini(&t);
}

/**
 * test_display_event() - When the display side's heads change after the
 * guest read them, events_read gets VIRTIO_GPU_EVENT_DISPLAY; events_clear
 * clears it; an unchanged answer raises nothing
 */
static void test_display_event(void)
{
	struct vg_resp_display_info di;
	struct vg_config cfg;
	uint32_t clear = 1;
	struct gput t;

	if (!start_ours(&t, NULL))
		return;
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].r.width, ==, 1024);
	gput_config(&t, &cfg);
	g_assert_cmphex(cfg.events_read, ==, 0);
	gpud_set_heads(t.display, 1, 1200, 700);
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	g_assert_cmpuint(di.pmodes[0].r.width, ==, 1200);
	g_assert_cmpuint(di.pmodes[0].r.height, ==, 700);
	gput_config(&t, &cfg);
	g_assert_cmphex(cfg.events_read, ==, 1);
	g_assert_cmpint(vuf_set_config(gput_conn(&t), 4, &clear, 4, 0), ==, 0);
	gput_config(&t, &cfg);
	g_assert_cmphex(cfg.events_read, ==, 0);
	g_assert_cmphex(gput_display_info(&t, &di), ==,
			VG_RESP_OK_DISPLAY_INFO);
	gput_config(&t, &cfg);
	g_assert_cmphex(cfg.events_read, ==, 0);
	gput_fini(&t);
}

/**
 * make_cursor() - A 64x64 cursor resource drawn with the pattern
 * @t:		Harness
 * @f:		Filled
 * @id:		Resource id
 * @seed:	Pattern seed
 */
static void make_cursor(struct gput *t, struct fb *f, uint32_t id,
			uint32_t seed)
{
	struct vg_rect r = vg_rect_make(0, 0, 64, 64);

	fb_new(t, f, id, VG_FMT_B8G8R8A8, 64, 64, 2);
	fb_draw(t, f, r, seed);
	g_assert_cmphex(gput_transfer(t, id, r, 0), ==, VG_RESP_OK_NODATA);
}

/**
 * expect_cursor_pos() - The display gets a cursor position message
 * @t:		Harness
 * @request:	VGD_CURSOR_POS or VGD_CURSOR_POS_HIDE
 * @head:	Head
 * @x:		Position
 * @y:		Position
 */
static void expect_cursor_pos(struct gput *t, uint32_t request, uint32_t head,
			      uint32_t x, uint32_t y)
{
	struct gpud_msg *m = wait_msg(t, request);
	struct vgd_cursor_pos p;

	g_assert_cmpuint(m->size, ==, sizeof(p));
	memcpy(&p, m->payload, sizeof(p));
	g_assert_cmpuint(p.scanout_id, ==, head);
	if (request == VGD_CURSOR_POS) {
		g_assert_cmpuint(p.x, ==, x);
		g_assert_cmpuint(p.y, ==, y);
	}
	gpud_msg_free(m);
}

/**
 * expect_cursor_update() - The display gets CURSOR_UPDATE with the
 * position, the hot spot and the 64x64 pixels
 * @t:		Harness
 * @x:		Position
 * @y:		Position
 * @seed:	Pattern seed of the cursor image
 */
static void expect_cursor_update(struct gput *t, uint32_t x, uint32_t y,
				 uint32_t seed)
{
	struct gpud_msg *m = wait_msg(t, VGD_CURSOR_UPDATE);
	struct vgd_cursor_update *c;
	uint32_t i, want;

	g_assert_cmpuint(m->size, ==, sizeof(*c));
	c = (struct vgd_cursor_update *)m->payload;
	g_assert_cmpuint(c->pos.scanout_id, ==, 0);
	g_assert_cmpuint(c->pos.x, ==, x);
	g_assert_cmpuint(c->pos.y, ==, y);
	g_assert_cmpuint(c->hot_x, ==, 3);
	g_assert_cmpuint(c->hot_y, ==, 5);
	for (i = 0; i < VG_CURSOR_DIM * VG_CURSOR_DIM; i++) {
		want = pattern(i % 64, i / 64, seed) | 0x80000000u;
		if (c->data[i] != want)
			g_error("cursor pixel %u: 0x%08x, want 0x%08x", i,
				c->data[i], want);
	}
	gpud_msg_free(m);
}

/**
 * test_cursor() - UPDATE_CURSOR sends the image, MOVE_CURSOR the position,
 * resource 0 hides
 * @data:	Variable naming the back-end
 */
static void test_cursor(gconstpointer data)
{
	struct gpud_cfg cfg;
	struct gput t;
	struct fb f;

	gpud_cfg_default(&cfg);
	if (!start(&t, data, NULL, &cfg))
		return;
	make_cursor(&t, &f, 20, 8);
	gput_cursor(&t, VG_CMD_UPDATE_CURSOR, 0, 100, 200, 20);
	expect_cursor_update(&t, 100, 200, 8);
	gput_cursor(&t, VG_CMD_MOVE_CURSOR, 0, 300, 17, 20);
	expect_cursor_pos(&t, VGD_CURSOR_POS, 0, 300, 17);
	/* QEMU's daemon fails an assertion on resource 0 (QEMU 10) */
	if (!t.foreign) {
		gput_cursor(&t, VG_CMD_UPDATE_CURSOR, 0, 5, 6, 0);
		expect_cursor_pos(&t, VGD_CURSOR_POS_HIDE, 0, 5, 6);
	}
	gpud_expect_none(t.display, 0, GPUT_QUIET_MS);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_cursor_errors() - The cursor queue: an in buffer gets OK_NODATA; a
 * bad head or a cursor that is not 64x64 sends nothing and the queue goes
 * on
 */
static void test_cursor_errors(void)
{
	struct vg_update_cursor c = { .hdr.type = VG_CMD_MOVE_CURSOR,
				      .pos = { 0, 1, 2, 0 } };
	struct gpud_cfg cfg;
	struct vg_hdr r;
	struct gput t;
	struct fb f;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	g_assert_cmpuint(gput_cmd(&t, t.cursor, &c, sizeof(c), &r, sizeof(r)),
			 ==, sizeof(r));
	g_assert_cmphex(r.type, ==, VG_RESP_OK_NODATA);
	expect_cursor_pos(&t, VGD_CURSOR_POS, 0, 1, 2);

	fb_new(&t, &f, 21, VG_FMT_B8G8R8A8, 32, 32, 1);
	gput_cursor(&t, VG_CMD_UPDATE_CURSOR, 0, 10, 10, 21);
	gput_cursor(&t, VG_CMD_UPDATE_CURSOR, 0, 10, 10, 999);
	gput_cursor(&t, VG_CMD_MOVE_CURSOR, 1, 10, 10, 0);
	gput_cursor(&t, VG_CMD_UPDATE_CURSOR, 7, 10, 10, 0);
	gpud_expect_none(t.display, 0, GPUT_QUIET_MS);
	fb_free(&f);

	make_cursor(&t, &f, 22, 9);
	gput_cursor(&t, VG_CMD_UPDATE_CURSOR, 0, 40, 41, 22);
	expect_cursor_update(&t, 40, 41, 9);
	fb_free(&f);
	gput_fini(&t);
}

/**
 * test_short_commands() - Requests shorter than their struct and unknown
 * types answer ERR_UNSPEC
 */
static void test_short_commands(void)
{
	static const uint32_t types[] = {
		VG_CMD_RESOURCE_CREATE_2D, VG_CMD_RESOURCE_UNREF,
		VG_CMD_SET_SCANOUT, VG_CMD_RESOURCE_FLUSH,
		VG_CMD_TRANSFER_TO_HOST_2D, VG_CMD_RESOURCE_ATTACH_BACKING,
		VG_CMD_RESOURCE_DETACH_BACKING, VG_CMD_GET_EDID,
	};
	struct vg_set_scanout c;
	struct gput t;
	unsigned int i;

	if (!start_ours(&t, NULL))
		return;
	for (i = 0; i < G_N_ELEMENTS(types); i++) {
		memset(&c, 0, sizeof(c));
		c.hdr.type = types[i];
		g_assert_cmphex(gput_simple(&t, &c, sizeof(c.hdr) + 4), ==,
				VG_RESP_ERR_UNSPEC);
	}
	g_assert_cmphex(gput_simple(&t, &c, 8), ==, VG_RESP_ERR_UNSPEC);
	c.hdr.type = 0x999;
	g_assert_cmphex(gput_simple(&t, &c, sizeof(c)), ==, VG_RESP_ERR_UNSPEC);
	c.hdr.type = VG_CMD_UPDATE_CURSOR;
	g_assert_cmphex(gput_simple(&t, &c, sizeof(c)), ==, VG_RESP_ERR_UNSPEC);
	expect_works(&t);
	gput_fini(&t);
}

/**
 * test_hostile_chains() - A response buffer too small for a header, one
 * too small for the response, a chain with no writable part: the chain
 * comes back empty or with ERR_UNSPEC and the queue goes on
 */
static void test_hostile_chains(void)
{
	struct vg_hdr c = { .type = VG_CMD_GET_DISPLAY_INFO };
	struct vuf_desc d[2];
	struct vg_hdr r;
	uint64_t buf;
	struct gput t;

	if (!start_ours(&t, NULL))
		return;
	buf = gput_alloc(&t, 4096);
	memcpy(gput_ptr(&t, buf, sizeof(c)), &c, sizeof(c));
	d[0] = (struct vuf_desc){ buf, sizeof(c), false };
	d[1] = (struct vuf_desc){ buf + 1024, 8, true };
	g_assert_cmpuint(gput_cmd_descs(&t, t.ctrl, d, 2), ==, 0);
	g_assert_cmpuint(gput_cmd(&t, t.ctrl, &c, sizeof(c), &r, sizeof(r)),
			 ==, sizeof(r));
	g_assert_cmphex(r.type, ==, VG_RESP_ERR_UNSPEC);
	g_assert_cmpuint(gput_cmd_descs(&t, t.ctrl, d, 1), ==, 0);
	d[0] = (struct vuf_desc){ buf, 8, false };
	d[1] = (struct vuf_desc){ buf + 1024, 1024, true };
	g_assert_cmpuint(gput_cmd_descs(&t, t.ctrl, d, 2), ==, sizeof(r));
	g_assert_cmphex(((struct vg_hdr *)gput_ptr(&t, buf + 1024,
						   sizeof(r)))->type, ==,
			VG_RESP_ERR_UNSPEC);
	expect_works(&t);
	gput_fini(&t);
}

/**
 * post_hostile() - Post a chain that may break the queue, and take its
 * completion if one comes
 * @t:		Harness
 * @vq:		Queue
 * @d:		Buffers
 * @n:		Number of @d
 */
static void post_hostile(struct gput *t, struct vuf_vq *vq,
			 const struct vuf_desc *d, unsigned int n)
{
	struct vuf_used u;
	int id = vuf_vq_post_descs(vq, d, n, false);

	g_assert_cmpint(id, >=, 0);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	vuf_vq_wait_call(vq, GPUT_QUIET_MS);
	if (vuf_vq_collect(vq, &u, 1) == 1)
		g_assert_cmpuint(u.len, ==, 0);
}

/**
 * test_hostile_memory() - Buffers outside guest memory, on both queues:
 * the daemon survives each (the queue may stop, as QEMU's do), serves the
 * next front-end normally, and exits 0 on SIGTERM
 */
static void test_hostile_memory(void)
{
	const uint64_t far = 0x7f0000000000ull, end = GPUT_GPA + GPUT_RAM;
	struct vg_hdr c = { .type = VG_CMD_GET_DISPLAY_INFO };
	struct gpud_cfg cfg;
	struct vuf_desc d[2];
	struct gput t;
	unsigned int i;
	uint64_t buf;

	gpud_cfg_default(&cfg);
	if (!start(&t, "VU_GPU", NULL, &cfg))
		return;
	for (i = 0; i < 6; i++) {
		buf = gput_alloc(&t, 4096);
		memcpy(gput_ptr(&t, buf, sizeof(c)), &c, sizeof(c));
		d[0] = (struct vuf_desc){ buf, sizeof(c), false };
		d[1] = (struct vuf_desc){ buf + 1024, 1024, true };
		if (i == 0)
			d[1].gpa = far;
		else if (i == 1)
			d[0].gpa = far;
		else if (i == 2)
			d[0].gpa = end - 8;
		else if (i == 3)
			d[1].gpa = end - 8;
		else if (i == 4)
			d[0].gpa = UINT64_MAX - 4;
		else
			d[0].gpa = far;
		g_test_message("hostile chain %u", i);
		post_hostile(&t, i == 5 ? t.cursor : t.ctrl, d, 2);
		g_assert_true(gput_alive(&t));
		gput_disconnect(&t);
		gput_connect(&t, &cfg);
		expect_works(&t);
	}
	gput_fini(&t);
}

static const uint32_t edge[] = {
	0, 1, 2, 7, 31, 32, 63, 64, 65, 255, 4096, 16384, 16385, 0x7fffffff,
	0x80000000, 0xfffffff0, 0xffffffff,
};

/**
 * pick() - A random edge value, or a small random one
 * @r:		Random source
 *
 * Return: value
 */
static uint32_t pick(GRand *r)
{
	if (g_rand_boolean(r))
		return edge[g_rand_int_range(r, 0, G_N_ELEMENTS(edge))];
	return (uint32_t)g_rand_int_range(r, 0, 80);
}

/**
 * random_cmd() - Fill a random 2D command (type from the 2D set, fields
 * from edge values and small ids)
 * @t:		Harness (for backing addresses inside guest memory)
 * @r:		Random source
 * @buf:	Command, 128 bytes
 * @scratch:	Guest memory backing entries may point into (64 KiB)
 *
 * Return: bytes to send (sometimes short)
 */
static uint32_t random_cmd(struct gput *t, GRand *r, uint32_t *buf,
			   uint64_t scratch)
{
	static const uint32_t types[] = {
		VG_CMD_GET_DISPLAY_INFO, VG_CMD_RESOURCE_CREATE_2D,
		VG_CMD_RESOURCE_UNREF, VG_CMD_SET_SCANOUT,
		VG_CMD_RESOURCE_FLUSH, VG_CMD_TRANSFER_TO_HOST_2D,
		VG_CMD_RESOURCE_ATTACH_BACKING, VG_CMD_RESOURCE_DETACH_BACKING,
		VG_CMD_GET_EDID, VG_CMD_GET_CAPSET_INFO, VG_CMD_CTX_CREATE,
		VG_CMD_SUBMIT_3D, 0x999,
	};
	struct vg_mem_entry *e = (struct vg_mem_entry *)(buf + 8);
	unsigned int i;

	memset(buf, 0, 128);
	buf[0] = types[g_rand_int_range(r, 0, G_N_ELEMENTS(types))];
	for (i = 6; i < 32; i++)
		buf[i] = i == 6 ? (uint32_t)g_rand_int_range(r, 0, 6) : pick(r);
	if (buf[0] == VG_CMD_RESOURCE_CREATE_2D && g_rand_boolean(r))
		buf[7] = formats[g_rand_int_range(r, 0, G_N_ELEMENTS(formats))];
	if (buf[0] == VG_CMD_RESOURCE_ATTACH_BACKING) {
		buf[7] = (uint32_t)g_rand_int_range(r, 0, 4);
		for (i = 0; i < buf[7]; i++)
			e[i] = (struct vg_mem_entry){
				g_rand_boolean(r) ? scratch + pick(r) :
				(uint64_t)pick(r) << 20, pick(r), 0 };
	}
	if (g_rand_int_range(r, 0, 8) == 0)
		return (uint32_t)g_rand_int_range(r, 0, 128);
	return 128;
}

/**
 * test_random() - Thousands of random 2D commands with edge values (seed
 * 20261204, or VU_GPU_SEED): every chain completes with a well-formed
 * response, the daemon survives, still answers, and exits 0
 */
static void test_random(void)
{
	const char *env = g_getenv("VU_GPU_SEED");
	guint32 seed = env ? (guint32)strtoul(env, NULL, 0) : 20261204;
	GRand *r = g_rand_new_with_seed(seed);
	struct gpud_cfg cfg;
	uint32_t buf[32], used;
	uint8_t resp[1100];
	struct gput t;
	unsigned int i, ok = 0;
	uint64_t scratch;

	gpud_cfg_default(&cfg);
	cfg.keep = false;
	if (!start(&t, "VU_GPU", "--outputs=2 --max-hostmem=64M", &cfg)) {
		g_rand_free(r);
		return;
	}
	scratch = gput_alloc(&t, 65536);
	for (i = 0; i < 4000; i++) {
		uint32_t len = random_cmd(&t, r, buf, scratch);
		uint32_t type;

		used = gput_cmd(&t, t.ctrl, buf, len, resp, sizeof(resp));
		g_assert_cmpuint(used, >=, sizeof(struct vg_hdr));
		memcpy(&type, resp, 4);
		if (!((type >= VG_RESP_OK_NODATA && type <= 0x1106) ||
		      (type >= VG_RESP_ERR_UNSPEC &&
		       type <= VG_RESP_ERR_INVALID_PARAMETER)))
			g_error("command %u (0x%x): response 0x%x", i, buf[0],
				type);
		ok += type < VG_RESP_ERR_UNSPEC;
	}
	g_test_message("seed %u: %u of %u answered OK", seed, ok, i);
	g_assert_cmpuint(ok, >, 400);
	g_rand_free(r);
	gpud_clear(t.display);
	expect_works(&t);
	g_assert_true(gput_alive(&t));
	gput_fini(&t);
}

/**
 * main() - Register the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: g_test_run()
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/gpu/qemu/display-info", "VU_GPU_QEMU",
			     test_display_info);
	g_test_add_data_func("/gpu/qemu/flush", "VU_GPU_QEMU", test_flush);
	g_test_add_data_func("/gpu/qemu/cursor", "VU_GPU_QEMU", test_cursor);
	g_test_add_data_func("/gpu/display-info/front-end", "VU_GPU",
			     test_display_info);
	g_test_add_func("/gpu/display-info/local", test_display_info_local);
	g_test_add_data_func("/gpu/flush/one-head", "VU_GPU", test_flush);
	g_test_add_func("/gpu/flush/two-heads", test_two_heads);
	g_test_add_func("/gpu/formats", test_formats);
	g_test_add_func("/gpu/framing", test_framing);
	g_test_add_func("/gpu/flush/big", test_big_flush);
	g_test_add_func("/gpu/flush/transfer-offset", test_transfer_offset);
	g_test_add_func("/gpu/reconnect", test_reconnect);
	g_test_add_func("/gpu/display/new-socket", test_new_socket);
	g_test_add_func("/gpu/flush/backpressure", test_backpressure);
	g_test_add_func("/gpu/flush/unref-shown", test_unref_shown);
	g_test_add_func("/gpu/display/gone", test_display_gone);
	g_test_add_func("/gpu/display/silent", test_display_silent);
	g_test_add_func("/gpu/display/broken", test_display_broken);
	g_test_add_func("/gpu/errors/create", test_create_errors);
	g_test_add_func("/gpu/errors/ids", test_bad_ids);
	g_test_add_func("/gpu/errors/backing", test_backing);
	g_test_add_func("/gpu/errors/rects", test_bad_rects);
	g_test_add_func("/gpu/errors/short", test_short_commands);
	g_test_add_func("/gpu/hostmem", test_hostmem);
	g_test_add_func("/gpu/fences", test_fences);
	g_test_add_func("/gpu/edid", test_edid);
	g_test_add_func("/gpu/config", test_config);
	g_test_add_func("/gpu/config/display-event", test_display_event);
	g_test_add_data_func("/gpu/cursor/update", "VU_GPU", test_cursor);
	g_test_add_func("/gpu/cursor/errors", test_cursor_errors);
	g_test_add_func("/gpu/hostile/chains", test_hostile_chains);
	g_test_add_func("/gpu/hostile/memory", test_hostile_memory);
	g_test_add_func("/gpu/hostile/random", test_random);
	/* last: it fails while the daemon answers GET_EDID before the
	 * display handshake is over, and GTest stops at a failure */
	g_test_add_func("/gpu/edid/first-command", test_edid_first);
	return g_test_run();
}
