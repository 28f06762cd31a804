// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-queues.c - the guest's side of vhost-user-net's rings: TX chains,
 * RX buffers and the frames that come back in them, control commands, the
 * config space (see net-harness.h).
 */
#include <string.h>

#include "net-harness.h"

/**
 * nett_scratch() - Copy bytes to fresh guest memory, for chains the test
 * lays out itself
 * @t:		Harness (connected)
 * @bytes:	What to copy (NULL: fill with 0xee)
 * @len:	How many bytes
 *
 * Return: the guest physical address
 */
uint64_t nett_scratch(struct nett *t, const void *bytes, uint32_t len)
{
	uint64_t gpa = vuf_mem_alloc(t->mem, len ? len : 1, 64);
	uint8_t *p;

	g_assert_cmpuint(gpa, !=, VUF_GPA_INVALID);
	p = vuf_mem_ptr(t->mem, gpa, len ? len : 1);
	if (bytes)
		memcpy(p, bytes, len);
	else
		memset(p, 0xee, len ? len : 1);
	return gpa;
}

/**
 * nett_tx_post() - Post one TX chain of readable buffers and kick
 * @t:		Harness (connected)
 * @pair:	Queue pair
 * @iov:	The buffers (copied to guest memory)
 * @n:		Number of @iov
 *
 * Return: the chain id
 */
int nett_tx_post(struct nett *t, unsigned int pair, const struct iovec *iov,
		 unsigned int n)
{
	struct vuf_vq *vq = t->tx[pair].vq;
	int id = vuf_vq_post(vq, iov, n, NULL, 0, false);

	if (id < 0)
		g_error("TX post: %s", vuf_vq_error(vq));
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	return id;
}

/**
 * nett_tx_frame() - Send a frame from the guest: its header and the frame
 * split over several descriptors, the first cut inside the header
 * @t:		Harness (connected)
 * @pair:	Queue pair
 * @h:		Virtio-net header (NULL: all zero)
 * @frame:	Ethernet frame
 * @len:	Its length (at most NETT_SLOT - 128)
 * @pieces:	Descriptors (1 to 8)
 *
 * Return: the chain id
 */
int nett_tx_frame(struct nett *t, unsigned int pair,
		  const struct vnet_hdr *h, const void *frame, size_t len,
		  unsigned int pieces)
{
	static const struct vnet_hdr zero;
	uint8_t buf[NETT_SLOT];
	size_t total = VNET_HDR_LEN + len, off = 0, cut;
	struct iovec iov[8];
	unsigned int i;

	g_assert_cmpuint(pieces, >=, 1);
	g_assert_cmpuint(pieces, <=, G_N_ELEMENTS(iov));
	g_assert_cmpuint(total, <=, sizeof(buf) - 128);
	nett_hdr_encode(h ? h : &zero, buf, VNET_HDR_LEN);
	memcpy(buf + VNET_HDR_LEN, frame, len);
	for (i = 0; i < pieces; i++) {
		if (i == pieces - 1)
			cut = total;
		else if (i == 0)
			cut = 5;
		else
			cut = off + (total - off) / (pieces - i);
		iov[i] = (struct iovec){ buf + off, cut - off };
		off = cut;
	}
	return nett_tx_post(t, pair, iov, pieces);
}

/**
 * nettq_fill() - Collect what the device used into the FIFO
 * @q:		Ring
 *
 * Return: completions added
 */
static int nettq_fill(struct nettq *q)
{
	struct vuf_used u[NETT_QSIZE];
	int r, i;

	if (q->count >= NETT_QSIZE)
		return 0;
	r = vuf_vq_collect(q->vq, u, NETT_QSIZE - q->count);
	if (r < 0)
		g_error("ring %u: collect: %s", vuf_vq_index(q->vq),
			vuf_vq_error(q->vq));
	for (i = 0; i < r; i++)
		q->pend[(q->head + q->count++) % NETT_QSIZE] = u[i];
	return r;
}

/**
 * nettq_next() - The next completion of a ring, waiting for it
 * @q:		Ring
 * @u:		Set to the completion
 * @timeout_ms:	How long to wait
 *
 * Return: false if none came in time
 */
bool nettq_next(struct nettq *q, struct vuf_used *u, int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;
	gint64 left;

	while (!q->count && !nettq_fill(q)) {
		left = (end - g_get_monotonic_time()) / 1000;
		if (left <= 0)
			return false;
		vuf_vq_wait_call(q->vq, (int)left);
	}
	*u = q->pend[q->head];
	q->head = (q->head + 1) % NETT_QSIZE;
	q->count--;
	return true;
}

/**
 * nett_wait_used() - Wait for @n completions of a ring
 * @t:		Harness
 * @q:		Ring
 * @u:		Array for them (may be NULL)
 * @n:		How many
 */
void nett_wait_used(struct nett *t, struct nettq *q, struct vuf_used *u,
		    unsigned int n)
{
	struct vuf_used one;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!nettq_next(q, &one, NETT_TIMEOUT_MS))
			g_error("ring %u: %u of %u chains used (%s)",
				vuf_vq_index(q->vq), i, n,
				vuf_vq_error(q->vq));
		if (u)
			u[i] = one;
	}
}

/**
 * nett_expect_no_used() - Check that a ring completes nothing for a while
 * @q:		Ring
 * @ms:		How long
 */
void nett_expect_no_used(struct nettq *q, int ms)
{
	struct vuf_used u;

	if (nettq_next(q, &u, ms))
		g_error("ring %u: unexpected completion of chain %u (len %u)",
			vuf_vq_index(q->vq), u.id, u.len);
}

/**
 * nett_rx_post() - Post RX chains of one writable buffer each, then notify
 * as a guest does (a kick only if the device asks for it)
 * @t:		Harness (connected)
 * @pair:	Queue pair
 * @len:	Bytes of each buffer (at most NETT_SLOT)
 * @count:	Chains
 *
 * Return: the id of the last chain
 */
int nett_rx_post(struct nett *t, unsigned int pair, uint32_t len,
		 unsigned int count)
{
	struct vuf_vq *vq = t->rx[pair].vq;
	unsigned int i;
	int id = -1;

	for (i = 0; i < count; i++) {
		id = vuf_vq_post(vq, NULL, 0, &len, 1, false);
		if (id < 0)
			g_error("RX post: %s", vuf_vq_error(vq));
	}
	g_assert_cmpint(vuf_vq_notify(vq), >=, 0);
	return id;
}

/**
 * gather() - Append what the device wrote to a chain to a frame
 * @vq:		RX ring
 * @u:		The completion
 * @f:		Frame being reassembled (header still in front)
 */
static void gather(struct vuf_vq *vq, const struct vuf_used *u,
		   struct nett_frame *f)
{
	uint32_t left = u->len, blen, k;
	unsigned int i;
	uint8_t *p;

	for (i = 0; left && (p = vuf_vq_buf(vq, u->id, i, &blen)); i++) {
		k = MIN(MIN(blen, left), (uint32_t)sizeof(f->data) - f->len);
		memcpy(f->data + f->len, p, k);
		f->len += k;
		left -= k;
	}
	if (left)
		g_error("RX chain %u: used length %u exceeds its buffers",
			u->id, u->len);
	if (f->nused < NETT_MAX_USED)
		f->used_len[f->nused] = u->len;
	f->nused++;
}

/**
 * nett_rx_frame() - The next frame the guest received on a pair
 * @t:		Harness (connected)
 * @pair:	Queue pair
 * @f:		Filled: header, frame, the chains' used lengths
 * @timeout_ms:	How long to wait for its first chain
 *
 * Chains returned empty (dropped bad chains) are skipped and counted. With
 * MRG_RXBUF the frame's num_buffers chains are reassembled (they must
 * follow); otherwise it is one chain.
 *
 * Return: false if no frame came in time
 */
bool nett_rx_frame(struct nett *t, unsigned int pair, struct nett_frame *f,
		   int timeout_ms)
{
	struct nettq *q = &t->rx[pair];
	unsigned int nbuf, i;
	struct vuf_used u;

	f->nempty = 0;
	do {
		if (!nettq_next(q, &u, timeout_ms))
			return false;
	} while (!u.len && ++f->nempty);
	f->len = 0;
	f->nused = 0;
	g_assert_cmpuint(u.len, >=, VNET_HDR_LEN);
	gather(q->vq, &u, f);
	nett_hdr_decode(f->data, VNET_HDR_LEN, &f->hdr);
	nbuf = nett_has(t, VNET_F_MRG_RXBUF) ? f->hdr.num_buffers : 1;
	g_assert_cmpuint(nbuf, >=, 1);
	g_assert_cmpuint(nbuf, <=, NETT_MAX_USED);
	for (i = 1; i < nbuf; i++) {
		if (!nettq_next(q, &u, NETT_TIMEOUT_MS))
			g_error("RX: chain %u of %u of a frame never came",
				i + 1, nbuf);
		gather(q->vq, &u, f);
	}
	f->len -= VNET_HDR_LEN;
	memmove(f->data, f->data + VNET_HDR_LEN, f->len);
	return true;
}

/**
 * nett_ctrl() - Send a control command and wait for its ack
 * @t:		Harness (connected, CTRL_VQ negotiated)
 * @cls:	Class
 * @cmd:	Command
 * @data:	Command data (may be NULL)
 * @len:	Bytes of @data
 *
 * As Linux lays it out: class+command, data, a 1-byte writable ack (set to
 * VNET_ACK_NONE before posting); the chain must come back with used
 * length 1.
 *
 * Return: the ack byte
 */
uint8_t nett_ctrl(struct nett *t, uint8_t cls, uint8_t cmd,
		  const void *data, uint32_t len)
{
	uint8_t hdr[2] = { cls, cmd };
	struct vuf_desc d[3];
	struct vuf_used u;
	unsigned int n = 0;
	uint64_t ack = nett_scratch(t, NULL, 1);
	int id;

	d[n++] = (struct vuf_desc){ nett_scratch(t, hdr, 2), 2, false };
	if (len)
		d[n++] = (struct vuf_desc){ nett_scratch(t, data, len), len,
					    false };
	d[n++] = (struct vuf_desc){ ack, 1, true };
	id = vuf_vq_post_descs(t->ctrl.vq, d, n, false);
	g_assert_cmpint(id, >=, 0);
	g_assert_cmpint(vuf_vq_kick(t->ctrl.vq), ==, 0);
	nett_wait_used(t, &t->ctrl, &u, 1);
	g_assert_cmpuint(u.id, ==, (unsigned int)id);
	g_assert_cmpuint(u.len, ==, 1);
	return *(uint8_t *)vuf_mem_ptr(t->mem, ack, 1);
}

/**
 * nett_config() - Read the whole config space
 * @t:		Harness (connected)
 * @cfg:	Filled
 */
void nett_config(struct nett *t, uint8_t cfg[VNET_CFG_SIZE])
{
	struct vuf_conn *c = nett_conn(t);

	if (vuf_get_config(c, 0, cfg, VNET_CFG_SIZE))
		g_error("GET_CONFIG: %s", vuf_conn_error(c));
}

/**
 * nett_config_u16() - One little-endian 16-bit config field
 * @t:		Harness (connected)
 * @off:	Its offset
 *
 * Return: the value
 */
uint16_t nett_config_u16(struct nett *t, unsigned int off)
{
	uint8_t cfg[VNET_CFG_SIZE];

	g_assert_cmpuint(off + 2, <=, VNET_CFG_SIZE);
	nett_config(t, cfg);
	return (uint16_t)(cfg[off] | cfg[off + 1] << 8);
}
