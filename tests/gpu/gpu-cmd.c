// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-cmd.c - the guest driver's side of virtio-gpu for tests: posting a
 * command with its response buffer and waiting for the answer, resource
 * backing in guest memory, one helper per 2D command (see gpu-harness.h).
 */
#include <string.h>

#include "gpu-harness.h"

/**
 * gput_alloc() - Guest memory outside the rings and command buffers
 * @t:		Harness (connected)
 * @len:	Bytes (zeroed by the memfd, never reused)
 *
 * Return: guest physical address
 */
uint64_t gput_alloc(struct gput *t, uint64_t len)
{
	uint64_t gpa = vuf_mem_alloc(t->mem, len ? len : 1, 64);

	g_assert_cmpuint(gpa, !=, VUF_GPA_INVALID);
	return gpa;
}

/**
 * gput_ptr() - Our mapping of guest memory
 * @t:		Harness
 * @gpa:	Guest physical address
 * @len:	Bytes that must be inside guest memory
 *
 * Return: pointer
 */
void *gput_ptr(struct gput *t, uint64_t gpa, uint64_t len)
{
	void *p = vuf_mem_ptr(t->mem, gpa, len);

	g_assert_nonnull(p);
	return p;
}

/**
 * wait_used() - Wait for the completion of one chain
 * @t:		Harness
 * @vq:		Queue
 * @id:		Chain id
 *
 * Return: the used length the device reported
 */
static uint32_t wait_used(struct gput *t, struct vuf_vq *vq, int id)
{
	struct vuf_used u;
	int n;

	for (;;) {
		n = vuf_vq_collect(vq, &u, 1);
		if (n < 0)
			g_error("collect: %s", vuf_vq_error(vq));
		if (n == 1)
			break;
		if (vuf_vq_wait_call(vq, GPUT_TIMEOUT_MS))
			g_error("no completion on queue %u (%s)",
				vuf_vq_index(vq), gput_alive(t) ?
				"back-end alive" : "back-end exited");
	}
	g_assert_cmpint(u.id, ==, id);
	return u.len;
}

/**
 * gput_cmd_descs() - Post one caller-placed (maybe hostile) chain, kick and
 * wait for its completion
 * @t:		Harness
 * @vq:		Queue
 * @d:		Buffers
 * @n:		Number of @d
 *
 * Return: the used length
 */
uint32_t gput_cmd_descs(struct gput *t, struct vuf_vq *vq,
			const struct vuf_desc *d, unsigned int n)
{
	int id = vuf_vq_post_descs(vq, d, n, false);

	if (id < 0)
		g_error("post: %s", vuf_vq_error(vq));
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	return wait_used(t, vq, id);
}

/**
 * gput_cmd() - Send a command and wait for the response
 * @t:		Harness (connected)
 * @vq:		Queue (t->ctrl or t->cursor)
 * @cmd:	Command bytes (one readable buffer)
 * @cmd_len:	Bytes of @cmd
 * @resp:	Where the response goes (may be NULL if @resp_len is 0)
 * @resp_len:	Size of the writable buffer (0: none); the buffer is filled
 *		with 0xee first, so unwritten bytes show
 *
 * Return: the used length (what the device says it wrote)
 */
uint32_t gput_cmd(struct gput *t, struct vuf_vq *vq, const void *cmd,
		  uint32_t cmd_len, void *resp, uint32_t resp_len)
{
	uint64_t in = t->cmdbuf + ((cmd_len + 63ull) & ~63ull);
	struct vuf_desc d[2] = { { t->cmdbuf, cmd_len, false },
				 { in, resp_len, true } };
	uint8_t *rp;
	uint32_t used;

	g_assert_cmpuint(in + resp_len, <=, t->cmdbuf + GPUT_CMDBUF);
	memcpy(gput_ptr(t, t->cmdbuf, cmd_len), cmd, cmd_len);
	rp = gput_ptr(t, in, resp_len);
	memset(rp, 0xee, resp_len);
	used = gput_cmd_descs(t, vq, d, resp_len ? 2 : 1);
	g_assert_cmpuint(used, <=, resp_len);
	if (resp_len)
		memcpy(resp, rp, resp_len);
	return used;
}

/**
 * gput_simple() - Send a control command whose response is a bare header
 * @t:		Harness
 * @cmd:	Command (starting with a struct vg_hdr)
 * @cmd_len:	Bytes
 *
 * The response must be exactly a header, with the command's fence flag,
 * fence id and context echoed when the flag was set.
 *
 * Return: the response type
 */
uint32_t gput_simple(struct gput *t, const void *cmd, uint32_t cmd_len)
{
	const struct vg_hdr *h = cmd;
	struct vg_hdr r;

	g_assert_cmpuint(gput_cmd(t, t->ctrl, cmd, cmd_len, &r, sizeof(r)), ==,
			 sizeof(r));
	if (h->flags & VG_FLAG_FENCE) {
		g_assert_cmpuint(r.flags & VG_FLAG_FENCE, ==, VG_FLAG_FENCE);
		g_assert_cmpuint(r.fence_id, ==, h->fence_id);
		g_assert_cmpuint(r.ctx_id, ==, h->ctx_id);
	}
	return r.type;
}

/**
 * gput_post() - Post a control command with a header-sized response buffer
 * (in its ring slot) and kick, without waiting
 * @t:		Harness
 * @cmd:	Command
 * @cmd_len:	Bytes (at most GPUT_SLOT - 64)
 *
 * Return: chain id, for gput_reap()
 */
int gput_post(struct gput *t, const void *cmd, uint32_t cmd_len)
{
	struct iovec out = { (void *)cmd, cmd_len };
	uint32_t in = sizeof(struct vg_hdr);
	int id = vuf_vq_post(t->ctrl, &out, 1, &in, 1, false);

	if (id < 0)
		g_error("post: %s", vuf_vq_error(t->ctrl));
	g_assert_cmpint(vuf_vq_kick(t->ctrl), ==, 0);
	return id;
}

/**
 * gput_reap() - Wait for the next control completion, which must be a
 * chain posted by gput_post()
 * @t:		Harness
 * @id:		Chain id it must have (control commands complete in order)
 *
 * Return: the response type
 */
uint32_t gput_reap(struct gput *t, int id)
{
	struct vg_hdr *h;
	uint32_t len = 0;

	g_assert_cmpuint(wait_used(t, t->ctrl, id), ==, sizeof(*h));
	h = vuf_vq_buf(t->ctrl, (uint16_t)id, 1, &len);
	g_assert_nonnull(h);
	return h->type;
}

/**
 * gput_reap_len() - Wait for a chain posted by hand
 * @t:		Harness
 * @id:		Its id (the next control completion)
 *
 * Return: the used length
 */
uint32_t gput_reap_len(struct gput *t, int id)
{
	return wait_used(t, t->ctrl, id);
}

/**
 * gput_expect_no_used() - Check that a queue completes nothing for a while
 * @t:		Harness
 * @vq:		Queue
 * @ms:		How long to watch
 */
void gput_expect_no_used(struct gput *t, struct vuf_vq *vq, int ms)
{
	struct vuf_used u;

	vuf_vq_wait_call(vq, ms);
	g_assert_cmpint(vuf_vq_collect(vq, &u, 1), ==, 0);
}

/**
 * hdr() - A command header
 * @type:	Command type
 *
 * Return: the header (no fence)
 */
static struct vg_hdr hdr(uint32_t type)
{
	return (struct vg_hdr){ .type = type };
}

/**
 * gput_create_2d() - RESOURCE_CREATE_2D
 * @t:		Harness
 * @id:		Resource id
 * @format:	Format
 * @width:	Width
 * @height:	Height
 *
 * Return: response type
 */
uint32_t gput_create_2d(struct gput *t, uint32_t id, uint32_t format,
			uint32_t width, uint32_t height)
{
	struct vg_create_2d c = { hdr(VG_CMD_RESOURCE_CREATE_2D), id, format,
				  width, height };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * gput_unref() - RESOURCE_UNREF
 * @t:		Harness
 * @id:		Resource id
 *
 * Return: response type
 */
uint32_t gput_unref(struct gput *t, uint32_t id)
{
	struct vg_res_cmd c = { hdr(VG_CMD_RESOURCE_UNREF), id, 0 };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * gput_detach() - RESOURCE_DETACH_BACKING
 * @t:		Harness
 * @id:		Resource id
 *
 * Return: response type
 */
uint32_t gput_detach(struct gput *t, uint32_t id)
{
	struct vg_res_cmd c = { hdr(VG_CMD_RESOURCE_DETACH_BACKING), id, 0 };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * gput_attach() - RESOURCE_ATTACH_BACKING with the entries in the same
 * buffer as the command
 * @t:		Harness
 * @id:		Resource id
 * @e:		Entries (sent as they are, maybe hostile)
 * @n:		Number of @e (also sent as nr_entries)
 *
 * Return: response type
 */
uint32_t gput_attach(struct gput *t, uint32_t id,
		     const struct vg_mem_entry *e, uint32_t n)
{
	struct vg_attach_backing c = { hdr(VG_CMD_RESOURCE_ATTACH_BACKING),
				       id, n };
	size_t len = sizeof(c) + (size_t)n * sizeof(*e);
	uint8_t *buf = g_malloc(len);
	uint32_t r;

	memcpy(buf, &c, sizeof(c));
	if (n)
		memcpy(buf + sizeof(c), e, (size_t)n * sizeof(*e));
	r = gput_simple(t, buf, (uint32_t)len);
	g_free(buf);
	return r;
}

/**
 * gput_backing_new() - Guest memory for a resource, in pieces that are
 * neither contiguous nor in increasing address order
 * @t:		Harness
 * @len:	Bytes in all
 * @pieces:	Entries (1 or more; the last takes the remainder)
 *
 * Return: the backing (g_free())
 */
struct gput_backing *gput_backing_new(struct gput *t, uint64_t len,
				      unsigned int pieces)
{
	struct gput_backing *b = g_malloc0(sizeof(*b) +
					   pieces * sizeof(b->e[0]));
	uint64_t each = len / pieces;
	unsigned int i;

	b->len = len;
	b->n = pieces;
	for (i = pieces; i-- > 0;) {
		uint64_t l = i == pieces - 1 ? len - each * (pieces - 1) : each;

		b->e[i].addr = gput_alloc(t, l + 4096);
		b->e[i].length = (uint32_t)l;
	}
	return b;
}

/**
 * walk() - Copy between a linear buffer and a backing
 * @t:		Harness
 * @b:		Backing
 * @off:	Offset in the backing
 * @buf:	Linear buffer
 * @len:	Bytes
 * @to_guest:	Direction
 */
static void walk(struct gput *t, const struct gput_backing *b, uint64_t off,
		 uint8_t *buf, uint64_t len, bool to_guest)
{
	uint32_t i;

	g_assert_cmpuint(off + len, <=, b->len);
	for (i = 0; i < b->n && len; i++) {
		uint64_t l = b->e[i].length, n;
		uint8_t *p;

		if (off >= l) {
			off -= l;
			continue;
		}
		n = MIN(l - off, len);
		p = gput_ptr(t, b->e[i].addr + off, n);
		if (to_guest)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		buf += n;
		len -= n;
		off = 0;
	}
}

/**
 * gput_backing_write() - Write bytes into a backing, as the guest draws
 * @t:		Harness
 * @b:		Backing
 * @off:	Offset in the backing
 * @src:	Bytes
 * @len:	How many
 */
void gput_backing_write(struct gput *t, const struct gput_backing *b,
			uint64_t off, const void *src, uint64_t len)
{
	walk(t, b, off, (uint8_t *)src, len, true);
}

/**
 * gput_backing_read() - Read bytes back from a backing
 * @t:		Harness
 * @b:		Backing
 * @off:	Offset in the backing
 * @dst:	Destination
 * @len:	How many
 */
void gput_backing_read(struct gput *t, const struct gput_backing *b,
		       uint64_t off, void *dst, uint64_t len)
{
	walk(t, b, off, dst, len, false);
}

/**
 * gput_attach_backing() - RESOURCE_ATTACH_BACKING of a whole backing
 * @t:		Harness
 * @id:		Resource id
 * @b:		Backing
 *
 * Return: response type
 */
uint32_t gput_attach_backing(struct gput *t, uint32_t id,
			     const struct gput_backing *b)
{
	return gput_attach(t, id, b->e, b->n);
}

/**
 * gput_transfer() - TRANSFER_TO_HOST_2D
 * @t:		Harness
 * @id:		Resource id
 * @r:		Rectangle
 * @offset:	Offset of its first pixel in the backing
 *
 * Return: response type
 */
uint32_t gput_transfer(struct gput *t, uint32_t id, struct vg_rect r,
		       uint64_t offset)
{
	struct vg_transfer_2d c = { hdr(VG_CMD_TRANSFER_TO_HOST_2D), r, offset,
				    id, 0 };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * gput_set_scanout() - SET_SCANOUT
 * @t:		Harness
 * @scanout:	Head
 * @id:		Resource id (0 disables)
 * @r:		Part of the resource shown
 *
 * Return: response type
 */
uint32_t gput_set_scanout(struct gput *t, uint32_t scanout, uint32_t id,
			  struct vg_rect r)
{
	struct vg_set_scanout c = { hdr(VG_CMD_SET_SCANOUT), r, scanout, id };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * gput_flush() - RESOURCE_FLUSH
 * @t:		Harness
 * @id:		Resource id
 * @r:		Damage
 *
 * Return: response type
 */
uint32_t gput_flush(struct gput *t, uint32_t id, struct vg_rect r)
{
	struct vg_flush c = { hdr(VG_CMD_RESOURCE_FLUSH), r, id, 0 };

	return gput_simple(t, &c, sizeof(c));
}

/**
 * gput_display_info() - GET_DISPLAY_INFO
 * @t:		Harness
 * @di:		Response
 *
 * Return: response type (the whole struct was written when OK)
 */
uint32_t gput_display_info(struct gput *t, struct vg_resp_display_info *di)
{
	struct vg_hdr c = hdr(VG_CMD_GET_DISPLAY_INFO);
	uint32_t used = gput_cmd(t, t->ctrl, &c, sizeof(c), di, sizeof(*di));

	if (di->hdr.type == VG_RESP_OK_DISPLAY_INFO)
		g_assert_cmpuint(used, ==, sizeof(*di));
	return di->hdr.type;
}

/**
 * gput_edid() - GET_EDID
 * @t:		Harness
 * @scanout:	Head
 * @e:		Response
 *
 * Return: response type (the whole struct was written when OK)
 */
uint32_t gput_edid(struct gput *t, uint32_t scanout, struct vg_resp_edid *e)
{
	struct vg_get_edid c = { hdr(VG_CMD_GET_EDID), scanout, 0 };
	uint32_t used = gput_cmd(t, t->ctrl, &c, sizeof(c), e, sizeof(*e));

	if (e->hdr.type == VG_RESP_OK_EDID)
		g_assert_cmpuint(used, ==, sizeof(*e));
	return e->hdr.type;
}

/**
 * gput_cursor() - UPDATE_CURSOR or MOVE_CURSOR on the cursor queue, with no
 * response buffer (as Linux posts them), waiting for its completion
 * @t:		Harness
 * @cmd:	VG_CMD_UPDATE_CURSOR or VG_CMD_MOVE_CURSOR
 * @scanout:	Head
 * @x:		Position
 * @y:		Position
 * @id:		Cursor resource (UPDATE_CURSOR; 0 hides)
 */
void gput_cursor(struct gput *t, uint32_t cmd, uint32_t scanout, uint32_t x,
		 uint32_t y, uint32_t id)
{
	struct vg_update_cursor c = { hdr(cmd), { scanout, x, y, 0 }, id,
				      3, 5, 0 };

	gput_cmd(t, t->cursor, &c, sizeof(c), NULL, 0);
}
