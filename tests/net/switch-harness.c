// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * switch-harness.c - vhost-user-net --switch started and driven as its
 * guests would: a libvuf session per port, frames sent on one port's TX
 * ring and looked for in the others' RX rings (see switch-harness.h).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "switch-harness.h"
#include "vuf-proc.h"

const uint8_t swt_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * swt_new() - A switch harness with its socket paths (nothing started)
 * @nports:	Ports (2 to SWT_MAX_PORTS)
 *
 * Every port asks for the usual features (nett_init()'s, less the tap's);
 * change @port[i].want before connecting to ask for others.
 *
 * Return: the harness (swt_free()), or NULL if VU_NET does not name an
 * executable (skip the test)
 */
struct swt *swt_new(unsigned int nports)
{
	const char *daemon = g_getenv("VU_NET");
	struct swt *sw;
	unsigned int i;

	g_assert_cmpuint(nports, >=, 2);
	g_assert_cmpuint(nports, <=, SWT_MAX_PORTS);
	if (!daemon || access(daemon, X_OK))
		return NULL;
	sw = g_new0(struct swt, 1);
	sw->daemon = daemon;
	sw->nports = nports;
	sw->dir = g_dir_make_tmp("vu-switch-XXXXXX", NULL);
	g_assert_nonnull(sw->dir);
	for (i = 0; i < nports; i++) {
		struct nett *t = &sw->port[i];
		char name[16];

		snprintf(name, sizeof(name), "port%u.sock", i);
		t->daemon = daemon;
		t->pkt = -1;
		t->sock = g_build_filename(sw->dir, name, NULL);
		t->want = VUF_BIT(VUF_F_VERSION_1) |
			  VUF_BIT(VUF_F_EVENT_IDX) |
			  VUF_BIT(VUF_F_INDIRECT_DESC) |
			  VUF_BIT(VNET_F_MRG_RXBUF) | VUF_BIT(VNET_F_MAC) |
			  VUF_BIT(VNET_F_STATUS) | VUF_BIT(VNET_F_CTRL_VQ) |
			  VUF_BIT(VNET_F_CTRL_RX) |
			  VUF_BIT(VNET_F_GUEST_ANNOUNCE);
	}
	return sw;
}

/**
 * swt_free() - Disconnect every guest, SIGTERM the back-end (it must exit
 * with status 0), remove the sockets and free
 * @sw:		Harness, may be NULL
 */
void swt_free(struct swt *sw)
{
	unsigned int i;

	if (!sw)
		return;
	for (i = 0; i < sw->nports; i++)
		swt_disconnect(sw, i);
	swt_kill(sw, SIGTERM);
	for (i = 0; i < sw->nports; i++) {
		g_unlink(sw->port[i].sock);
		g_free(sw->port[i].sock);
	}
	g_rmdir(sw->dir);
	g_free(sw->dir);
	g_free(sw);
}

/**
 * swt_spawn() - Start the back-end: --socket-path=port 0's socket --switch
 * and a --port for each further port (and --poll-us if @poll_us is set)
 * @sw:		Harness (no back-end running)
 *
 * Its standard error is the test's; its standard output is discarded (it
 * would corrupt the TAP stream).
 */
void swt_spawn(struct swt *sw)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	unsigned int i;

	g_assert_cmpint(sw->pid, ==, 0);
	g_ptr_array_add(argv, g_strdup(sw->daemon));
	g_ptr_array_add(argv, g_strdup_printf("--socket-path=%s",
					      sw->port[0].sock));
	g_ptr_array_add(argv, g_strdup("--switch"));
	if (sw->poll_us)
		g_ptr_array_add(argv, g_strdup_printf("--poll-us=%u",
						      sw->poll_us));
	for (i = 1; i < sw->nports; i++)
		g_ptr_array_add(argv, g_strdup_printf("--port=%s",
						      sw->port[i].sock));
	g_ptr_array_add(argv, NULL);
	if (!vuf_spawn((char **)argv->pdata, 0, &sw->pid, &err))
		g_error("spawn %s: %s", sw->daemon, err->message);
	g_ptr_array_free(argv, TRUE);
}

/**
 * swt_kill() - Signal the back-end and reap it
 * @sw:		Harness
 * @sig:	Signal; with SIGTERM the back-end must exit with status 0,
 *		which also shows it survived everything the test sent
 */
void swt_kill(struct swt *sw, int sig)
{
	vuf_reap(&sw->pid, sig);
}

/**
 * start_ring() - Create ring @index of a port and start it
 * @t:		The port's guest (negotiated)
 * @q:		Where the ring goes
 * @index:	Ring index
 * @size:	Ring size
 */
static void start_ring(struct nett *t, struct nettq *q, uint16_t index,
		       uint16_t size)
{
	memset(q, 0, sizeof(*q));
	q->vq = vuf_session_add_vq(t->s, index, size, SWT_SLOT);
	g_assert_nonnull(q->vq);
	if (vuf_session_start_vq(t->s, q->vq))
		g_error("%s: start ring %u: %s", t->sock, index,
			vuf_conn_error(nett_conn(t)));
}

/**
 * handshake() - Connect a port's guest and negotiate, as QEMU does
 * @t:		The port's guest (fresh memory set)
 */
static void handshake(struct nett *t)
{
	uint64_t pf = VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
		      VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS) |
		      VUF_BIT(VUF_PF_RARP) | t->want_pf;
	struct vuf_conn *c;

	if (vuf_conn_connect(t->sock, NETT_TIMEOUT_MS, &c))
		g_error("connect %s: failed", t->sock);
	t->s = vuf_session_new(c, t->mem);
	if (vuf_session_negotiate(t->s, t->want, pf))
		g_error("%s: negotiate: %s", t->sock, vuf_conn_error(c));
	t->features = vuf_conn_features(c);
	t->pairs = 1;
}

/**
 * swt_connect() - Set a port's guest up: its own memory, negotiation,
 * status, memory table, rings 0 (rx), 1 (tx) and 2 (ctrl, if negotiated)
 * with no buffers posted, DRIVER_OK; its MAC read from the config space
 * @sw:		Harness (back-end running)
 * @port:	Port number (disconnected)
 */
void swt_connect(struct swt *sw, unsigned int port)
{
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	struct nett *t = &sw->port[port];
	uint8_t cfg[VNET_CFG_SIZE];
	bool status;

	g_assert_null(t->s);
	t->mem = vuf_mem_new();
	g_assert_cmpint(vuf_mem_add_region(t->mem, NETT_GPA, NETT_RAM, 0), ==,
			0);
	handshake(t);
	status = vuf_conn_has_pf(nett_conn(t), VUF_PF_STATUS);
	if (status)
		g_assert_cmpint(vuf_session_set_status(t->s, st), ==, 0);
	g_assert_cmpint(vuf_session_set_mem_table(t->s), ==, 0);
	start_ring(t, &t->rx[0], 0, NETT_QSIZE);
	start_ring(t, &t->tx[0], 1, NETT_QSIZE);
	if (nett_has(t, VNET_F_CTRL_VQ))
		start_ring(t, &t->ctrl, 2, 64);
	if (status)
		g_assert_cmpint(vuf_session_set_status(t->s, st |
				VUF_S_DRIVER_OK), ==, 0);
	nett_config(t, cfg);
	memcpy(sw->mac[port], cfg + VNET_CFG_MAC, 6);
}

/**
 * swt_disconnect() - A port's guest goes away: its session closed (the
 * back-end sees the hang-up), its rings and memory freed
 * @sw:		Harness
 * @port:	Port number (may be disconnected already)
 */
void swt_disconnect(struct swt *sw, unsigned int port)
{
	struct nett *t = &sw->port[port];

	vuf_session_free(t->s);
	t->s = NULL;
	memset(t->rx, 0, sizeof(t->rx));
	memset(t->tx, 0, sizeof(t->tx));
	memset(&t->ctrl, 0, sizeof(t->ctrl));
	vuf_mem_free(t->mem);
	t->mem = NULL;
}

/**
 * swt_start() - Start the back-end and connect every port's guest
 * @sw:		Harness
 */
void swt_start(struct swt *sw)
{
	unsigned int i;

	swt_spawn(sw);
	for (i = 0; i < sw->nports; i++)
		swt_connect(sw, i);
}

/**
 * swt_frame() - An Ethernet frame with a recognisable payload
 * @buf:	Frame
 * @len:	Its length (at least 14)
 * @dst:	Destination MAC
 * @src:	Source MAC
 * @seed:	Makes the payload differ from frame to frame
 */
void swt_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
	       const uint8_t src[6], uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	g_assert_cmpuint(len, >=, ETH_HDR_LEN);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = (uint8_t)(SWT_ETHERTYPE >> 8);
	buf[13] = (uint8_t)SWT_ETHERTYPE;
	for (i = ETH_HDR_LEN; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}

/**
 * swt_tx_post() - Post a frame on a port's TX ring and kick, without
 * waiting; cut inside the header and inside the destination MAC
 * @sw:		Harness
 * @port:	Sending port
 * @h:		Virtio-net header (NULL: all zero)
 * @frame:	Ethernet frame
 * @len:	Its length (at least 8, at most SWT_SLOT - 64)
 *
 * Return: the chain id
 */
int swt_tx_post(struct swt *sw, unsigned int port, const struct vnet_hdr *h,
		const uint8_t *frame, size_t len)
{
	static const struct vnet_hdr zero;
	uint8_t hdr[VNET_HDR_LEN];
	struct iovec iov[4] = {
		{ hdr, 5 }, { hdr + 5, VNET_HDR_LEN - 5 },
		{ (void *)frame, 3 }, { (void *)(frame + 3), len - 3 },
	};

	g_assert_cmpuint(len, >=, 8);
	g_assert_cmpuint(len, <=, SWT_SLOT - 64);
	nett_hdr_encode(h ? h : &zero, hdr, VNET_HDR_LEN);
	return nett_tx_post(&sw->port[port], 0, iov, G_N_ELEMENTS(iov));
}

/**
 * swt_send() - Send a frame from a port's guest and wait until the
 * back-end has used the chain (the frame is then in the inboxes it goes
 * to); used length 0
 * @sw:		Harness
 * @port:	Sending port
 * @frame:	Ethernet frame
 * @len:	Its length
 */
void swt_send(struct swt *sw, unsigned int port, const uint8_t *frame,
	      size_t len)
{
	struct nett *t = &sw->port[port];
	int id = swt_tx_post(sw, port, NULL, frame, len);
	struct vuf_used u;

	nett_wait_used(t, &t->tx[0], &u, 1);
	g_assert_cmpuint(u.id, ==, (unsigned int)id);
	g_assert_cmpuint(u.len, ==, 0);
}

/**
 * swt_recv() - The next frame a port's guest receives; its header must be
 * all zero but num_buffers, which must be the chains it came in
 * @sw:		Harness
 * @port:	Receiving port (RX buffers posted)
 * @f:		Filled (the test fails if nothing comes in time)
 */
void swt_recv(struct swt *sw, unsigned int port, struct nett_frame *f)
{
	if (!nett_rx_frame(&sw->port[port], 0, f, NETT_TIMEOUT_MS))
		g_error("port %u: no frame came", port);
	g_assert_cmpuint(f->nempty, ==, 0);
	g_assert_cmpuint(f->hdr.flags, ==, 0);
	g_assert_cmpuint(f->hdr.gso_type, ==, VNET_GSO_NONE);
	g_assert_cmpuint(f->hdr.hdr_len, ==, 0);
	g_assert_cmpuint(f->hdr.gso_size, ==, 0);
	g_assert_cmpuint(f->hdr.csum_start, ==, 0);
	g_assert_cmpuint(f->hdr.csum_offset, ==, 0);
	g_assert_cmpuint(f->hdr.num_buffers, ==, f->nused);
}

/**
 * swt_expect() - A port's guest receives exactly @frame next
 * @sw:		Harness
 * @port:	Receiving port (RX buffers posted)
 * @frame:	Expected frame
 * @len:	Its length
 */
void swt_expect(struct swt *sw, unsigned int port, const uint8_t *frame,
		size_t len)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);

	swt_recv(sw, port, f);
	if (f->len != len || memcmp(f->data, frame, len))
		g_error("port %u: expected a %zu-byte frame, got another: "
			"%u bytes (ethertype %02x%02x, dst %02x:..:%02x, src "
			"%02x:..:%02x) in %u chain(s)", port, len, f->len,
			f->data[12], f->data[13], f->data[0], f->data[5],
			f->data[6], f->data[11], f->nused);
	g_free(f);
}

/**
 * swt_expect_none() - A port's guest receives nothing for a while
 * @sw:		Harness
 * @port:	Port (RX buffers posted)
 */
void swt_expect_none(struct swt *sw, unsigned int port)
{
	nett_expect_no_used(&sw->port[port].rx[0], NETT_QUIET_MS);
}

/**
 * swt_announce() - A port's guest broadcasts a frame from its MAC (the
 * switch learns where it is); waits until the chain is used
 * @sw:		Harness
 * @port:	Port
 * @seed:	Payload seed
 *
 * The other ports get the frame, swt_frame(SWT_ANNOUNCE_LEN bytes, to
 * swt_broadcast, from @sw->mac[@port], @seed): the caller receives it
 * where it matters.
 */
void swt_announce(struct swt *sw, unsigned int port, uint32_t seed)
{
	uint8_t frame[SWT_ANNOUNCE_LEN];

	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[port], seed);
	swt_send(sw, port, frame, sizeof(frame));
}
