// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-gpu-virgl.c - vhost-user-gpu --virgl driven as a guest's Mesa virgl
 * driver would, on whatever renderer the host has (llvmpipe on machines
 * without a GPU): the capsets, a context, a 3D render target cleared to a
 * colour by a virgl command stream, read back with TRANSFER_FROM_HOST_3D,
 * and shown on a head. Skipped when the daemon's --print-capabilities has
 * no "virgl".
 */
#include <string.h>

#include <glib.h>

#include "gpu-harness.h"

/* Gallium and virgl protocol values (virglrenderer's virgl_protocol.h,
 * Mesa's p_defines.h) */
#define PIPE_TEXTURE_2D			2
#define PIPE_BIND_RENDER_TARGET		(1u << 1)
#define PIPE_BIND_SAMPLER_VIEW		(1u << 3)
#define PIPE_CLEAR_COLOR0		(1u << 2)
#define VIRGL_FORMAT_B8G8R8X8_UNORM	2
#define VIRGL_CCMD_CREATE_OBJECT	1
#define VIRGL_CCMD_SET_FRAMEBUFFER_STATE 5
#define VIRGL_CCMD_CLEAR		7
#define VIRGL_OBJECT_SURFACE		8
#define VIRGL_CMD0(cmd, obj, len)	((cmd) | ((obj) << 8) | ((len) << 16))

#define CTX		1u
#define RES		50u
#define W		64u
#define H		32u

/**
 * virgl_ok() - Whether the daemon says a renderer starts here
 * @daemon:	Binary
 *
 * Return: true if --print-capabilities lists "virgl"
 */
static bool virgl_ok(const char *daemon)
{
	char *argv[] = { (char *)daemon, "--print-capabilities", NULL };
	char *out = NULL;
	bool ok;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
			  NULL, &out, NULL, NULL, NULL))
		return false;
	ok = out && strstr(out, "\"virgl\"");
	g_free(out);
	return ok;
}

/**
 * start_virgl() - Our daemon with --virgl and a display, VIRGL negotiated
 * @t:		Harness to fill
 *
 * Return: false to skip
 */
static bool start_virgl(struct gput *t)
{
	struct gpud_cfg cfg;

	if (!gput_init(t, "VU_GPU")) {
		g_test_skip("VU_GPU is not set");
		return false;
	}
	if (!virgl_ok(t->daemon)) {
		gput_fini(t);
		g_test_skip("no virgl renderer on this host");
		return false;
	}
	gpud_cfg_default(&cfg);
	t->virgl = true;
	gput_start(t, "--virgl", &cfg);
	g_assert_true(t->features & VUF_BIT(VG_F_VIRGL));
	return true;
}

/**
 * ctx_hdr() - A header addressed to our context, fenced
 * @type:	Command type
 * @fence:	Fence id
 *
 * Return: the header
 */
static struct vg_hdr ctx_hdr(uint32_t type, uint64_t fence)
{
	return (struct vg_hdr){ .type = type, .flags = VG_FLAG_FENCE,
				.fence_id = fence, .ctx_id = CTX };
}

/**
 * test_capsets() - Two capsets, VIRGL (1) and VIRGL2 (2), each readable
 * whole at its highest version; num_capsets says 2
 */
static void test_capsets(void)
{
	struct vg_get_capset_info ci = { .hdr.type = VG_CMD_GET_CAPSET_INFO };
	struct vg_get_capset gc = { .hdr.type = VG_CMD_GET_CAPSET };
	struct vg_resp_capset_info info;
	struct vg_config cfg;
	struct vg_hdr *rh;
	uint32_t used, max_version;
	uint8_t *resp;
	struct gput t;

	if (!start_virgl(&t))
		return;
	gput_config(&t, &cfg);
	g_assert_cmpuint(cfg.num_capsets, ==, 2);
	for (ci.capset_index = 0; ci.capset_index < 2; ci.capset_index++) {
		used = gput_cmd(&t, t.ctrl, &ci, sizeof(ci), &info,
				sizeof(info));
		g_assert_cmpuint(used, ==, sizeof(info));
		g_assert_cmphex(info.hdr.type, ==, VG_RESP_OK_CAPSET_INFO);
		g_assert_cmpuint(info.capset_id, ==, ci.capset_index + 1);
		g_assert_cmpuint(info.capset_max_version, >=, 1);
		g_assert_cmpuint(info.capset_max_size, >=, 4);
		g_assert_cmpuint(info.capset_max_size, <, 65536);

		gc.capset_id = info.capset_id;
		gc.capset_version = info.capset_max_version;
		resp = g_malloc(sizeof(*rh) + info.capset_max_size);
		used = gput_cmd(&t, t.ctrl, &gc, sizeof(gc), resp,
				sizeof(*rh) + info.capset_max_size);
		rh = (struct vg_hdr *)resp;
		g_assert_cmphex(rh->type, ==, VG_RESP_OK_CAPSET);
		g_assert_cmpuint(used, ==, sizeof(*rh) + info.capset_max_size);
		memcpy(&max_version, resp + sizeof(*rh), 4);
		g_assert_cmpuint(max_version, >=, 1);
		g_free(resp);
	}
	gput_fini(&t);
}

/**
 * put() - Append a dword to a command stream
 * @s:		Stream
 * @v:		Value
 */
static void put(GArray *s, uint32_t v)
{
	g_array_append_val(s, v);
}

/**
 * put_f() - Append a float to a command stream
 * @s:		Stream
 * @f:		Value
 */
static void put_f(GArray *s, float f)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	put(s, v);
}

/**
 * clear_stream() - A virgl command stream: a surface on the resource, the
 * framebuffer with it as colour buffer 0, a CLEAR to a colour
 * @r:		Red (0 to 1)
 * @g:		Green
 * @b:		Blue
 *
 * Return: the dwords (g_array_free())
 */
static GArray *clear_stream(float r, float g, float b)
{
	GArray *s = g_array_new(FALSE, FALSE, 4);

	put(s, VIRGL_CMD0(VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_SURFACE, 5));
	put(s, 1);				/* surface handle */
	put(s, RES);
	put(s, VIRGL_FORMAT_B8G8R8X8_UNORM);
	put(s, 0);				/* level */
	put(s, 0);				/* layers */
	put(s, VIRGL_CMD0(VIRGL_CCMD_SET_FRAMEBUFFER_STATE, 0, 3));
	put(s, 1);				/* nr_cbufs */
	put(s, 0);				/* no depth surface */
	put(s, 1);				/* cbuf 0 */
	put(s, VIRGL_CMD0(VIRGL_CCMD_CLEAR, 0, 8));
	put(s, PIPE_CLEAR_COLOR0);
	put_f(s, r);
	put_f(s, g);
	put_f(s, b);
	put_f(s, 1.0f);
	put(s, 0);				/* depth, a double */
	put(s, 0);
	put(s, 0);				/* stencil */
	return s;
}

/**
 * submit() - SUBMIT_3D of a command stream, fenced
 * @t:		Harness
 * @s:		Dwords
 * @fence:	Fence id
 *
 * Return: response type
 */
static uint32_t submit(struct gput *t, GArray *s, uint64_t fence)
{
	struct vg_submit c = { ctx_hdr(VG_CMD_SUBMIT_3D, fence),
			       s->len * 4, 0 };
	size_t len = sizeof(c) + s->len * 4;
	uint8_t *buf = g_malloc(len);
	uint32_t r;

	memcpy(buf, &c, sizeof(c));
	memcpy(buf + sizeof(c), s->data, s->len * 4);
	r = gput_simple(t, buf, (uint32_t)len);
	g_free(buf);
	return r;
}

/**
 * near() - Whether a byte is the expected 8-bit value of a colour channel
 * @got:	Byte
 * @f:		Channel, 0 to 1
 *
 * Return: true within one step
 */
static bool near(uint8_t got, float f)
{
	float d = (float)got - f * 255.0f;

	return d <= 1.0f && d >= -1.0f;
}

/**
 * check_colour() - Every pixel of a B8G8R8X8 image is the colour
 * @px:		Pixels, rows packed
 * @n:		Pixels
 * @r:		Red
 * @g:		Green
 * @b:		Blue
 */
static void check_colour(const uint8_t *px, size_t n, float r, float g,
			 float b)
{
	size_t i;

	for (i = 0; i < n; i++, px += 4)
		if (!near(px[0], b) || !near(px[1], g) || !near(px[2], r))
			g_error("pixel %zu: %02x %02x %02x (b g r)", i, px[0],
				px[1], px[2]);
}

/**
 * setup_target() - Context 1 with a 64x32 B8G8R8X8 render target attached
 * to it, with guest backing
 * @t:		Harness
 *
 * Return: the backing (g_free())
 */
static struct gput_backing *setup_target(struct gput *t)
{
	struct vg_ctx_create cc = { ctx_hdr(VG_CMD_CTX_CREATE, 1), 4, 0,
				    "test" };
	struct vg_create_3d c3 = { ctx_hdr(VG_CMD_RESOURCE_CREATE_3D, 2), RES,
				   PIPE_TEXTURE_2D,
				   VIRGL_FORMAT_B8G8R8X8_UNORM,
				   PIPE_BIND_RENDER_TARGET |
				   PIPE_BIND_SAMPLER_VIEW, W, H, 1, 1, 0, 0,
				   0, 0 };
	struct vg_res_cmd ca = { ctx_hdr(VG_CMD_CTX_ATTACH_RESOURCE, 3), RES,
				 0 };
	struct gput_backing *b;

	g_assert_cmphex(gput_simple(t, &cc, sizeof(cc)), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_simple(t, &c3, sizeof(c3)), ==,
			VG_RESP_OK_NODATA);
	b = gput_backing_new(t, W * H * 4, 2);
	g_assert_cmphex(gput_attach_backing(t, RES, b), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_simple(t, &ca, sizeof(ca)), ==,
			VG_RESP_OK_NODATA);
	return b;
}

/**
 * expect_shown() - After SET_SCANOUT and RESOURCE_FLUSH of the 3D
 * resource, the display gets either a dmabuf (DMABUF_SCANOUT(2) +
 * DMABUF_UPDATE) or SCANOUT + UPDATE whose pixels are the colour
 * @t:		Harness
 * @r:		Red
 * @g:		Green
 * @b:		Blue
 */
static void expect_shown(struct gput *t, float r, float g, float b)
{
	struct gpud_msg *m = gpud_wait(t->display, 0, GPUT_TIMEOUT_MS);
	struct vgd_update u;

	g_assert_nonnull(m);
	g_test_message("display got %s", gpud_request_name(m->request));
	if (m->request == VGD_DMABUF_SCANOUT ||
	    m->request == VGD_DMABUF_SCANOUT2) {
		g_assert_cmpint(m->fd, >=, 0);
		gpud_msg_free(m);
		m = gpud_wait(t->display, VGD_DMABUF_UPDATE, GPUT_TIMEOUT_MS);
		g_assert_nonnull(m);
		gpud_msg_free(m);
		return;
	}
	g_assert_cmpuint(m->request, ==, VGD_SCANOUT);
	gpud_msg_free(m);
	m = gpud_wait(t->display, VGD_UPDATE, GPUT_TIMEOUT_MS);
	g_assert_nonnull(m);
	memcpy(&u, m->payload, sizeof(u));
	g_assert_cmpuint(u.width, ==, W);
	g_assert_cmpuint(u.height, ==, H);
	g_assert_cmpuint(m->size, ==, sizeof(u) + W * H * 4);
	check_colour(m->payload + sizeof(u), W * H, r, g, b);
	gpud_msg_free(m);
}

/**
 * test_clear() - A render target cleared by SUBMIT_3D reads back with
 * TRANSFER_FROM_HOST_3D, fences echo, and the head shows it
 */
static void test_clear(void)
{
	struct vg_transfer_3d tf = { ctx_hdr(VG_CMD_TRANSFER_FROM_HOST_3D, 11),
				     { 0, 0, 0, W, H, 1 }, 0, RES, 0, W * 4,
				     0 };
	struct vg_res_cmd cd = { ctx_hdr(VG_CMD_CTX_DETACH_RESOURCE, 12), RES,
				 0 };
	struct vg_hdr destroy = ctx_hdr(VG_CMD_CTX_DESTROY, 13);
	struct vg_rect full = vg_rect_make(0, 0, W, H);
	struct gput_backing *b;
	uint8_t *px;
	struct gput t;
	GArray *s;

	if (!start_virgl(&t))
		return;
	b = setup_target(&t);
	s = clear_stream(1.0f, 0.5f, 0.25f);
	g_assert_cmphex(submit(&t, s, 10), ==, VG_RESP_OK_NODATA);
	g_array_free(s, TRUE);
	g_assert_cmphex(gput_simple(&t, &tf, sizeof(tf)), ==,
			VG_RESP_OK_NODATA);
	px = g_malloc(W * H * 4);
	gput_backing_read(&t, b, 0, px, W * H * 4);
	check_colour(px, W * H, 1.0f, 0.5f, 0.25f);
	g_free(px);

	g_assert_cmphex(gput_set_scanout(&t, 0, RES, full), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_flush(&t, RES, full), ==, VG_RESP_OK_NODATA);
	expect_shown(&t, 1.0f, 0.5f, 0.25f);

	g_assert_cmphex(gput_simple(&t, &cd, sizeof(cd)), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_simple(&t, &destroy, sizeof(destroy)), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_set_scanout(&t, 0, 0, vg_rect_make(0, 0, 0, 0)),
			==, VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_unref(&t, RES), ==, VG_RESP_OK_NODATA);
	g_free(b);
	gput_fini(&t);
}

/**
 * test_bad_context() - 3D commands on a context that does not exist fail,
 * a garbage command stream is answered, and the daemon goes on
 */
static void test_bad_context(void)
{
	struct vg_res_cmd ca = { ctx_hdr(VG_CMD_CTX_ATTACH_RESOURCE, 1), RES,
				 0 };
	struct gput_backing *b;
	struct gput t;
	GArray *s;
	uint32_t r;

	if (!start_virgl(&t))
		return;
	ca.hdr.ctx_id = 7;
	r = gput_simple(&t, &ca, sizeof(ca));
	g_assert_true(r == VG_RESP_ERR_INVALID_CONTEXT_ID ||
		      r == VG_RESP_ERR_INVALID_RESOURCE_ID ||
		      r == VG_RESP_ERR_UNSPEC);
	b = setup_target(&t);
	s = clear_stream(0.0f, 1.0f, 0.0f);
	g_array_index(s, uint32_t, 0) = 0xdeadbeef;
	r = submit(&t, s, 5);
	g_test_message("garbage stream: 0x%x", r);
	g_array_free(s, TRUE);
	g_assert_cmphex(gput_create_2d(&t, 99, VG_FMT_B8G8R8X8, 8, 8), ==,
			VG_RESP_OK_NODATA);
	g_assert_true(gput_alive(&t));
	g_free(b);
	gput_fini(&t);
}

/**
 * create_ctx() - CTX_CREATE of a context id
 * @t:		Harness
 * @id:		Context id
 *
 * Return: response type
 */
static uint32_t create_ctx(struct gput *t, uint32_t id)
{
	struct vg_ctx_create cc = { ctx_hdr(VG_CMD_CTX_CREATE, id), 3, 0,
				    "ctx" };

	cc.hdr.ctx_id = id;
	return gput_simple(t, &cc, sizeof(cc));
}

/**
 * destroy_ctx() - CTX_DESTROY of a context id
 * @t:		Harness
 * @id:		Context id
 *
 * Return: response type
 */
static uint32_t destroy_ctx(struct gput *t, uint32_t id)
{
	struct vg_hdr h = ctx_hdr(VG_CMD_CTX_DESTROY, 1000 + id);

	h.ctx_id = id;
	return gput_simple(t, &h, sizeof(h));
}

/**
 * test_contexts() - Context ids: 0 and ids in use are refused, at most 64
 * contexts (ERR_OUT_OF_MEMORY past them), destroying one makes room, a
 * new front-end starts with none
 */
static void test_contexts(void)
{
	struct gput t;
	uint32_t i;

	if (!start_virgl(&t))
		return;
	g_assert_cmphex(create_ctx(&t, 0), ==, VG_RESP_ERR_INVALID_CONTEXT_ID);
	for (i = 1; i <= 64; i++)
		g_assert_cmphex(create_ctx(&t, i), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(create_ctx(&t, 5), ==, VG_RESP_ERR_INVALID_CONTEXT_ID);
	g_assert_cmphex(create_ctx(&t, 65), ==, VG_RESP_ERR_OUT_OF_MEMORY);
	g_assert_cmphex(destroy_ctx(&t, 7), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(destroy_ctx(&t, 7), ==,
			VG_RESP_ERR_INVALID_CONTEXT_ID);
	g_assert_cmphex(create_ctx(&t, 65), ==, VG_RESP_OK_NODATA);
	gput_disconnect(&t);
	gput_connect(&t, NULL);
	g_assert_cmphex(create_ctx(&t, 1), ==, VG_RESP_OK_NODATA);
	g_assert_cmphex(create_ctx(&t, 64), ==, VG_RESP_OK_NODATA);
	gput_fini(&t);
}

/**
 * transfer_3d() - TRANSFER_TO_HOST_3D or TRANSFER_FROM_HOST_3D of a
 * rectangle of the render target
 * @t:		Harness
 * @type:	Command
 * @box:	Region
 * @offset:	Offset in the backing
 * @fence:	Fence id
 *
 * Return: response type
 */
static uint32_t transfer_3d(struct gput *t, uint32_t type, struct vg_box box,
			    uint64_t offset, uint64_t fence)
{
	struct vg_transfer_3d c = { ctx_hdr(type, fence), box, offset, RES, 0,
				    W * 4, 0 };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * test_transfer_round_trip() - Pixels written to the host with
 * TRANSFER_TO_HOST_3D (whole, then a sub-box at its offset) read back
 * identical with TRANSFER_FROM_HOST_3D
 */
static void test_transfer_round_trip(void)
{
	struct vg_box full = { 0, 0, 0, W, H, 1 }, sub = { 8, 4, 0, 16, 8, 1 };
	uint8_t *a = g_malloc(W * H * 4), *b = g_malloc(W * H * 4);
	struct gput_backing *bk;
	struct gput t;
	uint32_t i;

	if (!start_virgl(&t)) {
		g_free(a);
		g_free(b);
		return;
	}
	bk = setup_target(&t);
	for (i = 0; i < W * H * 4; i++)
		a[i] = (uint8_t)(i * 7 + i / 256);
	for (i = 3; i < W * H * 4; i += 4)
		a[i] = 0xff;
	gput_backing_write(&t, bk, 0, a, W * H * 4);
	g_assert_cmphex(transfer_3d(&t, VG_CMD_TRANSFER_TO_HOST_3D, full, 0,
				    20), ==, VG_RESP_OK_NODATA);
	memset(b, 0, W * H * 4);
	gput_backing_write(&t, bk, 0, b, W * H * 4);
	g_assert_cmphex(transfer_3d(&t, VG_CMD_TRANSFER_FROM_HOST_3D, full, 0,
				    21), ==, VG_RESP_OK_NODATA);
	gput_backing_read(&t, bk, 0, b, W * H * 4);
	g_assert_cmpmem(a, W * H * 4, b, W * H * 4);

	/* a sub-box: only its pixels change on the host */
	memset(b, 0x11, W * H * 4);
	gput_backing_write(&t, bk, 0, b, W * H * 4);
	g_assert_cmphex(transfer_3d(&t, VG_CMD_TRANSFER_TO_HOST_3D, sub,
				    (sub.y * W + sub.x) * 4, 22), ==,
			VG_RESP_OK_NODATA);
	for (i = 0; i < sub.h; i++)
		memset(a + ((sub.y + i) * W + sub.x) * 4, 0x11, sub.w * 4);
	g_assert_cmphex(transfer_3d(&t, VG_CMD_TRANSFER_FROM_HOST_3D, full, 0,
				    23), ==, VG_RESP_OK_NODATA);
	gput_backing_read(&t, bk, 0, b, W * H * 4);
	g_assert_cmpmem(a, W * H * 4, b, W * H * 4);
	g_free(a);
	g_free(b);
	g_free(bk);
	gput_fini(&t);
}

/**
 * test_3d_errors() - RESOURCE_CREATE_3D: id 0, an id in use, over
 * --max-hostmem; 3D transfers on unknown resources; GET_CAPSET of an
 * unknown capset
 */
static void test_3d_errors(void)
{
	struct vg_create_3d c3 = { ctx_hdr(VG_CMD_RESOURCE_CREATE_3D, 1), 0,
				   PIPE_TEXTURE_2D,
				   VIRGL_FORMAT_B8G8R8X8_UNORM,
				   PIPE_BIND_RENDER_TARGET, 1024, 1024, 1, 1,
				   0, 0, 0, 0 };
	struct vg_get_capset gc = { .hdr.type = VG_CMD_GET_CAPSET,
				    .capset_id = 9, .capset_version = 1 };
	struct vg_box box = { 0, 0, 0, 8, 8, 1 };
	struct gpud_cfg cfg;
	uint8_t resp[64];
	struct gput t;

	if (!gput_init(&t, "VU_GPU") || !virgl_ok(t.daemon)) {
		gput_fini(&t);
		g_test_skip("no VU_GPU with a virgl renderer");
		return;
	}
	gpud_cfg_default(&cfg);
	t.virgl = true;
	gput_start(&t, "--virgl --max-hostmem=1M", &cfg);
	g_assert_cmphex(gput_simple(&t, &c3, sizeof(c3)), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	c3.resource_id = 60;
	g_assert_cmphex(gput_simple(&t, &c3, sizeof(c3)), ==,
			VG_RESP_ERR_OUT_OF_MEMORY);
	c3.width = c3.height = 64;
	g_assert_cmphex(gput_simple(&t, &c3, sizeof(c3)), ==,
			VG_RESP_OK_NODATA);
	g_assert_cmphex(gput_simple(&t, &c3, sizeof(c3)), ==,
			VG_RESP_ERR_INVALID_RESOURCE_ID);
	g_assert_cmphex(transfer_3d(&t, VG_CMD_TRANSFER_FROM_HOST_3D, box, 0,
				    2), !=, VG_RESP_OK_NODATA);
	gput_cmd(&t, t.ctrl, &gc, sizeof(gc), resp, sizeof(resp));
	g_assert_cmphex(((struct vg_hdr *)resp)->type, !=, VG_RESP_OK_CAPSET);
	g_assert_cmphex(gput_unref(&t, 60), ==, VG_RESP_OK_NODATA);
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
	g_test_add_func("/gpu/virgl/capsets", test_capsets);
	g_test_add_func("/gpu/virgl/clear", test_clear);
	g_test_add_func("/gpu/virgl/bad-context", test_bad_context);
	g_test_add_func("/gpu/virgl/contexts", test_contexts);
	g_test_add_func("/gpu/virgl/transfer", test_transfer_round_trip);
	g_test_add_func("/gpu/virgl/errors", test_3d_errors);
	return g_test_run();
}
