// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-queues.c - the guest side of a virtio-input device under test: the
 * select/subsel config space, the event queue and the status queue (see
 * input-harness.h).
 */
#include <string.h>

#include "input-harness.h"

/**
 * inpt_cfg_read() - Read the whole config space, as QEMU does
 * @t:		Harness (connected)
 * @img:	The 136 bytes
 */
void inpt_cfg_read(struct inpt *t, uint8_t img[VIN_CFG_SIZE])
{
	struct vuf_conn *c = inpt_conn(t);

	if (vuf_get_config(c, 0, img, VIN_CFG_SIZE))
		g_error("GET_CONFIG: %s", vuf_conn_error(c));
}

/**
 * inpt_cfg_query() - Select a config field and read it back
 * @t:		Harness (connected)
 * @select:	virtio_input_config.select
 * @subsel:	virtio_input_config.subsel
 * @payload:	Set to the 128-byte union (may be NULL)
 *
 * As QEMU 10 does, SET_CONFIG sends all 136 bytes at offset 0: the new
 * select and subsel over the image last read (the rest must be ignored),
 * then GET_CONFIG reads all 136 bytes back. The header must echo select and
 * subsel, with a size of at most 128 and zero reserved bytes.
 *
 * Return: the size field
 */
uint8_t inpt_cfg_query(struct inpt *t, uint8_t select, uint8_t subsel,
		       uint8_t payload[VIN_CFG_PAYLOAD])
{
	struct vuf_conn *c = inpt_conn(t);
	static const uint8_t zero[5];

	t->cfg[0] = select;
	t->cfg[1] = subsel;
	if (vuf_set_config(c, 0, t->cfg, VIN_CFG_SIZE, 0))
		g_error("SET_CONFIG: %s", vuf_conn_error(c));
	inpt_cfg_read(t, t->cfg);
	g_assert_cmpuint(t->cfg[0], ==, select);
	g_assert_cmpuint(t->cfg[1], ==, subsel);
	g_assert_cmpuint(t->cfg[2], <=, VIN_CFG_PAYLOAD);
	g_assert_cmpmem(t->cfg + 3, 5, zero, 5);
	if (payload)
		memcpy(payload, t->cfg + VIN_CFG_HDR, VIN_CFG_PAYLOAD);
	return t->cfg[2];
}

/**
 * inpt_post_quiet() - Make event buffers available, without a kick
 * @t:		Harness (connected)
 * @n:		Chains to post, each one writable 8-byte buffer (the ring
 *		must have room)
 */
void inpt_post_quiet(struct inpt *t, unsigned int n)
{
	const uint32_t len = VIN_EVENT_SIZE;
	unsigned int i;
	int id;

	for (i = 0; i < n; i++) {
		id = vuf_vq_post(t->evq, NULL, 0, &len, 1, false);
		if (id < 0)
			g_error("post: %s", vuf_vq_error(t->evq));
		t->own |= 1ull << id;
	}
}

/**
 * inpt_post_events() - Make event buffers available and kick once
 * @t:		Harness (connected)
 * @n:		Chains to post, each one writable 8-byte buffer
 *
 * Return: @n (the ring must have room)
 */
unsigned int inpt_post_events(struct inpt *t, unsigned int n)
{
	inpt_post_quiet(t, n);
	g_assert_cmpint(vuf_vq_kick(t->evq), ==, 0);
	return n;
}

/**
 * inpt_post_event_descs() - Post one caller-placed (maybe hostile) chain on
 * the event queue and kick
 * @t:		Harness
 * @d:		Buffers
 * @n:		Number of @d
 *
 * Return: chain id
 */
int inpt_post_event_descs(struct inpt *t, const struct vuf_desc *d,
			  unsigned int n)
{
	int id = vuf_vq_post_descs(t->evq, d, n, false);

	if (id < 0)
		g_error("post: %s", vuf_vq_error(t->evq));
	t->own &= ~(1ull << id);
	g_assert_cmpint(vuf_vq_kick(t->evq), ==, 0);
	return id;
}

/**
 * inpt_scratch() - Guest memory outside the rings, filled with 0xee
 * @t:		Harness (connected)
 * @len:	Bytes
 *
 * Return: guest physical address
 */
uint64_t inpt_scratch(struct inpt *t, uint32_t len)
{
	uint64_t gpa = vuf_mem_alloc(t->mem, len ? len : 1, 64);

	g_assert_cmpuint(gpa, !=, VUF_GPA_INVALID);
	memset(vuf_mem_ptr(t->mem, gpa, len), 0xee, len);
	return gpa;
}

/**
 * decode() - Read the event the device wrote into a chain of ours
 * @t:		Harness
 * @u:		Completion (its @ev is filled)
 */
static void decode(struct inpt *t, struct inpt_used *u)
{
	uint32_t len = 0;
	uint8_t *p;

	memset(&u->ev, 0, sizeof(u->ev));
	if (!(t->own & (1ull << u->id)))
		return;
	t->own &= ~(1ull << u->id);
	p = vuf_vq_buf(t->evq, u->id, 0, &len);
	g_assert_nonnull(p);
	g_assert_cmpuint(len, ==, VIN_EVENT_SIZE);
	u->ev.type = (uint16_t)(p[0] | p[1] << 8);
	u->ev.code = (uint16_t)(p[2] | p[3] << 8);
	u->ev.value = (int32_t)((uint32_t)p[4] | (uint32_t)p[5] << 8 |
				(uint32_t)p[6] << 16 | (uint32_t)p[7] << 24);
}

/**
 * inpt_poll() - Collect the event queue completions already there
 * @t:		Harness
 * @u:		Completions, in order
 * @max:	Size of @u
 *
 * Return: completions collected (no waiting)
 */
unsigned int inpt_poll(struct inpt *t, struct inpt_used *u, unsigned int max)
{
	struct vuf_used v[INPT_QSIZE];
	unsigned int got = 0, i;
	int r;

	do {
		r = vuf_vq_collect(t->evq, v, MIN(max - got, INPT_QSIZE));
		if (r < 0)
			g_error("collect: %s", vuf_vq_error(t->evq));
		for (i = 0; i < (unsigned int)r; i++) {
			u[got + i].id = v[i].id;
			u[got + i].len = v[i].len;
			decode(t, &u[got + i]);
		}
		got += (unsigned int)r;
	} while (r && got < max);
	return got;
}

/**
 * inpt_wait_used() - Collect @n event queue completions (5 s at most
 * between two)
 * @t:		Harness
 * @u:		Completions, in order
 * @n:		How many
 */
void inpt_wait_used(struct inpt *t, struct inpt_used *u, unsigned int n)
{
	unsigned int got = 0;

	while (got < n) {
		got += inpt_poll(t, u + got, n - got);
		if (got < n && vuf_vq_wait_call(t->evq, INPT_TIMEOUT_MS))
			g_error("event queue: %u of %u completions: %s", got,
				n, vuf_vq_error(t->evq));
	}
}

/**
 * inpt_wait_events() - Wait for @n events, each in a chain of ours with a
 * used length of 8
 * @t:		Harness
 * @ev:		Events, in order
 * @n:		How many
 */
void inpt_wait_events(struct inpt *t, struct inpt_event *ev, unsigned int n)
{
	struct inpt_used *u = g_new(struct inpt_used, MAX(n, 1));
	unsigned int i;

	inpt_wait_used(t, u, n);
	for (i = 0; i < n; i++) {
		g_assert_cmpuint(u[i].len, ==, VIN_EVENT_SIZE);
		ev[i] = u[i].ev;
	}
	g_free(u);
}

/**
 * inpt_drain() - Collect events until none comes for INPT_QUIET_MS
 * @t:		Harness
 * @ev:		Events, in order
 * @max:	Size of @ev: more events fail the test
 * @repost:	Post a new buffer for each one used
 *
 * Return: events collected
 */
unsigned int inpt_drain(struct inpt *t, struct inpt_event *ev,
			unsigned int max, bool repost)
{
	struct inpt_used u[INPT_QSIZE];
	unsigned int got = 0, n, i;

	for (;;) {
		n = inpt_poll(t, u, INPT_QSIZE);
		g_assert_cmpuint(got + n, <=, max);
		for (i = 0; i < n; i++) {
			g_assert_cmpuint(u[i].len, ==, VIN_EVENT_SIZE);
			ev[got++] = u[i].ev;
		}
		if (n && repost)
			inpt_post_events(t, n);
		if (!n && vuf_vq_wait_call(t->evq, INPT_QUIET_MS))
			return got;
	}
}

/**
 * inpt_expect_no_used() - Nothing completes on the event queue for a while
 * @t:		Harness
 * @ms:		How long to watch
 */
void inpt_expect_no_used(struct inpt *t, int ms)
{
	struct inpt_used u;

	vuf_vq_wait_call(t->evq, ms);
	if (inpt_poll(t, &u, 1))
		g_error("unexpected completion: id %u len %u event %u/%u/%d",
			u.id, u.len, u.ev.type, u.ev.code, u.ev.value);
}

/**
 * inpt_post_status_raw() - Post one readable buffer on the status queue
 * @t:		Harness
 * @bytes:	Its contents
 * @len:	Bytes
 */
void inpt_post_status_raw(struct inpt *t, const void *bytes, uint32_t len)
{
	struct iovec iov = { (void *)bytes, len };

	if (vuf_vq_post(t->stq, &iov, 1, NULL, 0, false) < 0)
		g_error("post status: %s", vuf_vq_error(t->stq));
	g_assert_cmpint(vuf_vq_kick(t->stq), ==, 0);
}

/**
 * inpt_post_status() - Post one status event (LED, sound), little-endian
 * @t:		Harness
 * @type:	EV_* type
 * @code:	Code
 * @value:	Value
 */
void inpt_post_status(struct inpt *t, uint16_t type, uint16_t code,
		      int32_t value)
{
	uint32_t v = (uint32_t)value;
	uint8_t b[VIN_EVENT_SIZE] = {
		(uint8_t)type, (uint8_t)(type >> 8),
		(uint8_t)code, (uint8_t)(code >> 8),
		(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
		(uint8_t)(v >> 24),
	};

	inpt_post_status_raw(t, b, sizeof(b));
}

/**
 * inpt_wait_status_used() - Wait until @n status buffers come back
 * @t:		Harness
 * @n:		How many
 */
void inpt_wait_status_used(struct inpt *t, unsigned int n)
{
	struct vuf_used u[INPT_QSIZE];
	unsigned int got = 0;
	int r;

	while (got < n) {
		r = vuf_vq_collect(t->stq, u, MIN(n - got, INPT_QSIZE));
		if (r < 0)
			g_error("status collect: %s", vuf_vq_error(t->stq));
		got += (unsigned int)r;
		if (got < n && vuf_vq_wait_call(t->stq, INPT_TIMEOUT_MS))
			g_error("status queue: %u of %u completions: %s", got,
				n, vuf_vq_error(t->stq));
	}
}
