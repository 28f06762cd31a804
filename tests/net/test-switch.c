// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-switch.c - vhost-user-net --switch, a learning L2 switch between
 * vhost-user ports, each driven by its own libvuf guest: features,
 * flooding, learning, a MAC that moves, frames to the sender's own port,
 * mergeable and too-big frames, back-pressure (a sender held while the
 * destination has no buffers) and a stalled destination, a burst into a
 * port with buffers, --poll-us, a guest that reconnects, hostile TX
 * chains, packed rings and SIGTERM. Needs no root: there is no tap.
 */
#include <signal.h>
#include <string.h>

#include "switch-harness.h"

/* Unicast frames held in test_hold() */
#define SWT_HELD	200u

#define PORTS		3u
#define BURST_ROUND	200u	/* TX chains posted before waiting */
#define BURST_TIME_MS	2500	/* test_burst() goes on for */

static const uint8_t unknown_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x99, 0x99 };
static const uint8_t other_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x77, 0x77 };

/**
 * start() - A three-port switch, every guest connected (no buffers)
 *
 * Return: the harness, or NULL to skip (VU_NET not set)
 */
static struct swt *start(void)
{
	struct swt *sw = swt_new(PORTS);

	if (!sw) {
		g_test_skip("VU_NET is not set");
		return NULL;
	}
	swt_start(sw);
	return sw;
}

/**
 * post_all() - Post RX chains on every port
 * @sw:		Harness
 * @len:	Bytes of each chain
 * @count:	Chains per port
 */
static void post_all(struct swt *sw, uint32_t len, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < sw->nports; i++)
		nett_rx_post(&sw->port[i], 0, len, count);
}

/**
 * learn() - A port broadcasts from its MAC; every other port receives it
 * @sw:		Harness (RX buffers on every port)
 * @port:	Port
 * @seed:	Payload seed
 */
static void learn(struct swt *sw, unsigned int port, uint32_t seed)
{
	uint8_t frame[SWT_ANNOUNCE_LEN];
	unsigned int i;

	swt_announce(sw, port, seed);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[port], seed);
	for (i = 0; i < sw->nports; i++)
		if (i != port)
			swt_expect(sw, i, frame, sizeof(frame));
}

/**
 * marker() - A port broadcasts a frame; it must be the next frame every
 * other port receives (so nothing else was on its way to them)
 * @sw:		Harness (RX buffers on every port)
 * @from:	Sending port
 * @seed:	Payload seed
 */
static void marker(struct swt *sw, unsigned int from, uint32_t seed)
{
	uint8_t frame[90];
	unsigned int i;

	swt_frame(frame, sizeof(frame), swt_broadcast, other_mac, seed);
	swt_send(sw, from, frame, sizeof(frame));
	for (i = 0; i < sw->nports; i++)
		if (i != from)
			swt_expect(sw, i, frame, sizeof(frame));
}

/**
 * expect_single() - A port receives exactly @frame next, in one chain,
 * header all zero but num_buffers 1
 * @sw:		Harness
 * @port:	Receiving port
 * @frame:	Expected frame
 * @len:	Its length
 */
static void expect_single(struct swt *sw, unsigned int port,
			  const uint8_t *frame, size_t len)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);

	swt_recv(sw, port, f);
	g_assert_cmpuint(f->nused, ==, 1);
	g_assert_cmpuint(f->hdr.num_buffers, ==, 1);
	g_assert_cmpuint(f->used_len[0], ==, VNET_HDR_LEN + len);
	g_assert_cmpmem(f->data, f->len, frame, len);
	g_free(f);
}

/**
 * check_port_features() - A port offers the switch's features and no
 * offload; one queue pair; link up
 * @sw:		Harness (connected)
 * @port:	Port
 */
static void check_port_features(struct swt *sw, unsigned int port)
{
	static const unsigned int need[] = {
		VUF_F_VERSION_1, VUF_F_IN_ORDER, VNET_F_MRG_RXBUF, VNET_F_MAC,
		VNET_F_STATUS,
		VNET_F_CTRL_VQ, VNET_F_CTRL_RX, VNET_F_GUEST_ANNOUNCE,
	};
	static const unsigned int never[] = {
		VNET_F_CSUM, VNET_F_GUEST_CSUM, VNET_F_GUEST_TSO4,
		VNET_F_GUEST_TSO6, VNET_F_GUEST_ECN, VNET_F_GUEST_UFO,
		VNET_F_HOST_TSO4, VNET_F_HOST_TSO6, VNET_F_HOST_ECN,
		VNET_F_HOST_UFO, VNET_F_MQ,
	};
	struct nett *t = &sw->port[port];
	uint64_t offered = vuf_session_offered(t->s), num;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(need); i++)
		if (!(offered & VUF_BIT(need[i])))
			g_error("port %u: feature %u not offered", port,
				need[i]);
	for (i = 0; i < G_N_ELEMENTS(never); i++)
		if (offered & VUF_BIT(never[i]))
			g_error("port %u: offload feature %u offered", port,
				never[i]);
	if (vuf_conn_has_pf(nett_conn(t), VUF_PF_MQ)) {
		g_assert_cmpint(vuf_get_queue_num(nett_conn(t), &num), ==, 0);
		g_assert_cmpuint(num, ==, 3);
	}
	g_assert_cmpuint(nett_config_u16(t, VNET_CFG_STATUS), ==,
			 VNET_S_LINK_UP);
	g_assert_cmpuint(nett_config_u16(t, VNET_CFG_MAX_PAIRS), ==, 1);
}

/**
 * test_features() - Every port is a device of its own: features without
 * offloads, one queue pair, a unicast MAC of its own
 */
static void test_features(void)
{
	struct swt *sw = start();
	unsigned int i, k;

	if (!sw)
		return;
	for (i = 0; i < PORTS; i++) {
		check_port_features(sw, i);
		g_assert_cmpuint(sw->mac[i][0] & 1, ==, 0);
		for (k = 0; k < i; k++)
			if (!memcmp(sw->mac[i], sw->mac[k], 6))
				g_error("ports %u and %u share a MAC", k, i);
	}
	swt_free(sw);
}

/**
 * test_broadcast() - A broadcast from port 0 reaches ports 1 and 2
 * byte-exact (header zero but num_buffers 1), never port 0; the sender's
 * TX header is not passed on
 */
static void test_broadcast(void)
{
	const struct vnet_hdr junk = { 0, 0, 42, 1000, 34, 6, 7 };
	uint8_t frame[300];
	struct swt *sw = start();
	int id;

	if (!sw)
		return;
	post_all(sw, SWT_RX_BUF, 8);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[0], 1);
	swt_send(sw, 0, frame, sizeof(frame));
	expect_single(sw, 1, frame, sizeof(frame));
	expect_single(sw, 2, frame, sizeof(frame));
	swt_frame(frame, 200, swt_broadcast, sw->mac[0], 2);
	id = swt_tx_post(sw, 0, &junk, frame, 200);
	g_assert_cmpint(id, >=, 0);
	nett_wait_used(&sw->port[0], &sw->port[0].tx[0], NULL, 1);
	expect_single(sw, 1, frame, 200);
	expect_single(sw, 2, frame, 200);
	swt_expect_none(sw, 0);
	swt_free(sw);
}

/**
 * test_unicast() - Once port 1's MAC is learnt, a frame to it reaches
 * port 1 only; an unknown unicast floods to ports 1 and 2
 */
static void test_unicast(void)
{
	uint8_t frame[200];
	struct swt *sw = start();

	if (!sw)
		return;
	post_all(sw, SWT_RX_BUF, 16);
	learn(sw, 1, 1);
	swt_frame(frame, sizeof(frame), sw->mac[1], sw->mac[0], 2);
	swt_send(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 1, frame, sizeof(frame));
	marker(sw, 0, 3);
	swt_frame(frame, sizeof(frame), unknown_mac, sw->mac[0], 4);
	swt_send(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 1, frame, sizeof(frame));
	swt_expect(sw, 2, frame, sizeof(frame));
	swt_expect_none(sw, 0);
	swt_free(sw);
}

/**
 * test_mac_moves() - A MAC learnt on port 1 then seen on port 2: frames
 * to it go to port 2 only
 */
static void test_mac_moves(void)
{
	uint8_t frame[150];
	struct swt *sw = start();

	if (!sw)
		return;
	post_all(sw, SWT_RX_BUF, 16);
	learn(sw, 1, 1);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[1], 2);
	swt_send(sw, 2, frame, sizeof(frame));
	swt_expect(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 1, frame, sizeof(frame));
	swt_frame(frame, sizeof(frame), sw->mac[1], sw->mac[0], 3);
	swt_send(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 2, frame, sizeof(frame));
	marker(sw, 0, 4);
	swt_free(sw);
}

/**
 * test_own_port() - A frame from port 0 to a MAC learnt on port 0 goes
 * nowhere (not flooded, not back to the sender)
 */
static void test_own_port(void)
{
	uint8_t frame[120];
	struct swt *sw = start();

	if (!sw)
		return;
	post_all(sw, SWT_RX_BUF, 16);
	learn(sw, 0, 1);
	swt_frame(frame, sizeof(frame), sw->mac[0], other_mac, 2);
	swt_send(sw, 0, frame, sizeof(frame));
	marker(sw, 0, 3);
	swt_expect_none(sw, 0);
	swt_free(sw);
}

/**
 * expect_merged() - A port receives @frame next in chains of @buf bytes:
 * as many as it takes, all full but the last, num_buffers saying so
 * @sw:		Harness (MRG_RXBUF negotiated on @port)
 * @port:	Receiving port
 * @buf:	Bytes of each of its RX chains
 * @frame:	Expected frame
 * @len:	Its length
 */
static void expect_merged(struct swt *sw, unsigned int port, uint32_t buf,
			  const uint8_t *frame, size_t len)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	uint32_t total = VNET_HDR_LEN + (uint32_t)len;
	unsigned int n = (total + buf - 1) / buf, i;

	swt_recv(sw, port, f);
	g_assert_cmpuint(f->hdr.num_buffers, ==, n);
	g_assert_cmpuint(f->nused, ==, n);
	for (i = 0; i + 1 < n; i++)
		g_assert_cmpuint(f->used_len[i], ==, buf);
	g_assert_cmpuint(f->used_len[n - 1], ==, total - (n - 1) * buf);
	g_assert_cmpmem(f->data, f->len, frame, len);
	g_free(f);
}

/**
 * test_rx_mergeable() - A 4000-byte frame into 1500-byte mergeable chains
 * comes in 3 (num_buffers 3), into 2048-byte ones in 2; a small frame
 * after it in one
 */
static void test_rx_mergeable(void)
{
	uint8_t frame[4000];
	struct swt *sw = start();

	if (!sw)
		return;
	g_assert_true(nett_has(&sw->port[2], VNET_F_MRG_RXBUF));
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 8);
	nett_rx_post(&sw->port[2], 0, 1500, 8);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[0], 1);
	swt_send(sw, 0, frame, sizeof(frame));
	expect_merged(sw, 2, 1500, frame, sizeof(frame));
	expect_merged(sw, 1, SWT_RX_BUF, frame, sizeof(frame));
	swt_frame(frame, 100, swt_broadcast, sw->mac[0], 2);
	swt_send(sw, 0, frame, 100);
	expect_single(sw, 2, frame, 100);
	expect_single(sw, 1, frame, 100);
	swt_free(sw);
}

/**
 * test_rx_too_big() - Without MRG_RXBUF, a 4000-byte frame does not fit
 * the 2048-byte chain: dropped, and the next small frame gets that chain;
 * a mergeable port gets both
 */
static void test_rx_too_big(void)
{
	uint8_t big[4000], small[100];
	struct swt *sw = swt_new(PORTS);

	if (!sw) {
		g_test_skip("VU_NET is not set");
		return;
	}
	sw->port[1].want &= ~VUF_BIT(VNET_F_MRG_RXBUF);
	swt_start(sw);
	g_assert_false(nett_has(&sw->port[1], VNET_F_MRG_RXBUF));
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 1);
	nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, 8);
	swt_frame(big, sizeof(big), swt_broadcast, sw->mac[0], 1);
	swt_frame(small, sizeof(small), swt_broadcast, sw->mac[0], 2);
	swt_send(sw, 0, big, sizeof(big));
	swt_send(sw, 0, small, sizeof(small));
	expect_single(sw, 1, small, sizeof(small));
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 4);
	swt_expect_none(sw, 1);
	expect_merged(sw, 2, SWT_RX_BUF, big, sizeof(big));
	expect_single(sw, 2, small, sizeof(small));
	swt_free(sw);
}

/**
 * burst_frame() - Frame @seed of a burst between two ports
 * @sw:		Harness
 * @buf:	Frame (at least 260 bytes)
 * @from:	Sending port
 * @to:		Receiving port
 * @seed:	Its number
 *
 * Return: its length (60 to 259)
 */
static size_t burst_frame(struct swt *sw, uint8_t *buf, unsigned int from,
			  unsigned int to, uint32_t seed)
{
	size_t len = 60 + seed % 200;

	swt_frame(buf, len, sw->mac[to], sw->mac[from], seed);
	return len;
}

/**
 * post_plain() - Post a TX chain of one descriptor (header and frame) on a
 * port's ring, without kicking
 * @sw:		Harness
 * @port:	Sending port
 * @frame:	Ethernet frame
 * @len:	Its length (at most 260)
 */
static void post_plain(struct swt *sw, unsigned int port,
		       const uint8_t *frame, size_t len)
{
	uint8_t buf[VNET_HDR_LEN + 260] = { 0 };
	struct iovec iov = { buf, VNET_HDR_LEN + len };

	g_assert_cmpuint(len, <=, 260);
	memcpy(buf + VNET_HDR_LEN, frame, len);
	g_assert_cmpint(vuf_vq_post(sw->port[port].tx[0].vq, &iov, 1, NULL, 0,
				    false), >=, 0);
}

/**
 * send_burst() - Send frames @first .. @first + @n - 1 from one port to
 * another's learnt MAC, BURST_ROUND chains at a time
 * @sw:		Harness
 * @from:	Sending port
 * @to:		Receiving port (its MAC learnt)
 * @first:	Seed of the first frame
 * @n:		Frames
 * @kick_each:	Kick after each chain (else once per BURST_ROUND chains)
 */
static void send_burst(struct swt *sw, unsigned int from, unsigned int to,
		       uint32_t first, unsigned int n, bool kick_each)
{
	struct nett *t = &sw->port[from];
	unsigned int i, posted = 0;
	uint8_t frame[260];
	size_t len;

	for (i = 0; i < n; i++) {
		len = burst_frame(sw, frame, from, to, first + i);
		post_plain(sw, from, frame, len);
		posted++;
		if (kick_each || posted == BURST_ROUND || i + 1 == n)
			g_assert_cmpint(vuf_vq_kick(t->tx[0].vq), ==, 0);
		if (posted < BURST_ROUND && i + 1 < n)
			continue;
		nett_wait_used(t, &t->tx[0], NULL, posted);
		posted = 0;
	}
}

/**
 * expect_burst() - A port receives the frames of send_burst(), in order
 * @sw:		Harness
 * @from:	Port they were sent from
 * @to:		Receiving port
 * @first:	Seed of the first frame
 * @n:		Frames
 */
static void expect_burst(struct swt *sw, unsigned int from, unsigned int to,
			 uint32_t first, unsigned int n)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	uint8_t frame[260];
	unsigned int i;
	size_t len;

	for (i = 0; i < n; i++) {
		len = burst_frame(sw, frame, from, to, first + i);
		if (!nett_rx_frame(&sw->port[to], 0, f, NETT_TIMEOUT_MS))
			g_error("port %u: frame %u of %u never came", to,
				i + 1, n);
		if (f->len != len || memcmp(f->data, frame, len))
			g_error("port %u: frame %u of %u is not the one sent",
				to, i + 1, n);
	}
	g_free(f);
}

/**
 * test_hold() - A port without RX buffers: unicast frames for it stay in
 * the sender's TX ring (back-pressure, nothing lost, no copy queued) and
 * are all delivered, in order, once buffers come; the port goes on
 * working. Skipped if the machine is too slow to post the buffers within
 * the hold time (the frames are then dropped, see test_stalled())
 */
static void test_hold(void)
{
	uint8_t frame[260];
	struct vuf_used u[64];
	struct swt *sw = start();
	unsigned int i;
	struct nett *t;
	gint64 t0;

	if (!sw)
		return;
	t = &sw->port[0];
	swt_announce(sw, 2, 1);
	for (i = 0; i < SWT_HELD; i++)
		post_plain(sw, 0, frame, burst_frame(sw, frame, 0, 2, 100 + i));
	t0 = g_get_monotonic_time();
	g_assert_cmpint(vuf_vq_kick(t->tx[0].vq), ==, 0);
	g_usleep(SWT_HOLD_MS * 1000 / 5);
	g_assert_cmpint(vuf_vq_collect(t->tx[0].vq, u, G_N_ELEMENTS(u)), ==,
			0);
	nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, SWT_HELD);
	if (g_get_monotonic_time() - t0 > SWT_HOLD_MS * 1000 * 3 / 4) {
		g_test_skip("too slow to post buffers within the hold time");
		swt_free(sw);
		return;
	}
	expect_burst(sw, 0, 2, 100, SWT_HELD);
	nett_wait_used(t, &t->tx[0], NULL, SWT_HELD);
	swt_expect_none(sw, 2);
	nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, 8);
	send_burst(sw, 0, 2, 1000, 1, false);
	expect_burst(sw, 0, 2, 1000, 1);
	/* Port 1 gets nothing: the burst was unicast, and the announce came
	 * when it had no buffers (floods do not wait) */
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 8);
	swt_expect_none(sw, 1);
	swt_free(sw);
}

/**
 * test_stalled() - A port that never posts RX buffers holds a sender for
 * the hold time once; then its frames are dropped at once, the sender's
 * other traffic flows, and the port gets frames again once it posts
 * buffers (none of the dropped ones)
 */
static void test_stalled(void)
{
	uint8_t frame[160];
	struct swt *sw = start();
	unsigned int i;
	gint64 t0, held, five;

	if (!sw)
		return;
	nett_rx_post(&sw->port[0], 0, SWT_RX_BUF, 16);
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 16);
	learn(sw, 2, 1);
	swt_frame(frame, sizeof(frame), sw->mac[2], sw->mac[0], 10);
	t0 = g_get_monotonic_time();
	swt_send(sw, 0, frame, sizeof(frame));
	held = g_get_monotonic_time() - t0;
	t0 = g_get_monotonic_time();
	for (i = 0; i < 5; i++) {
		swt_frame(frame, sizeof(frame), sw->mac[2], sw->mac[0], 11 + i);
		swt_send(sw, 0, frame, sizeof(frame));
	}
	five = g_get_monotonic_time() - t0;
	g_test_message("held %" G_GINT64_FORMAT " us, then 5 frames in %"
		       G_GINT64_FORMAT " us", held, five);
	g_assert_cmpint(held, >=, SWT_HOLD_MS * 1000 * 9 / 10);
	g_assert_cmpint(five, <, SWT_HOLD_MS * 1000 * 2);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[0], 20);
	swt_send(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 1, frame, sizeof(frame));
	nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, 16);
	swt_frame(frame, sizeof(frame), sw->mac[2], sw->mac[0], 30);
	swt_send(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 2, frame, sizeof(frame));
	swt_expect_none(sw, 2);
	swt_free(sw);
}

/**
 * test_poll() - With --poll-us the switch picks up frames queued without
 * a kick while it polls, asks for kicks again once idle, and answers the
 * protocol while busy: a port reconnects during a stream of frames
 */
static void test_poll(void)
{
	struct swt *sw = swt_new(PORTS);
	uint8_t frame[260];
	unsigned int i;
	uint32_t seed = 0;

	if (!sw) {
		g_test_skip("VU_NET is not set");
		return;
	}
	sw->poll_us = 300000;
	swt_start(sw);
	post_all(sw, SWT_RX_BUF, 64);
	learn(sw, 1, 1);
	learn(sw, 2, 2);
	/* Polling now (the announces were frames): no kick needed */
	for (i = 0; i < 10; i++)
		post_plain(sw, 0, frame, burst_frame(sw, frame, 0, 2, i));
	expect_burst(sw, 0, 2, 0, 10);
	/* Idle past the window: kicks again */
	g_usleep(2 * sw->poll_us);
	nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, 64);
	send_burst(sw, 0, 2, 100, 20, false);
	expect_burst(sw, 0, 2, 100, 20);
	/* Port 1 reconnects while port 0 streams to port 2 */
	for (i = 0; i < 5; i++) {
		nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, 40);
		send_burst(sw, 0, 2, 200 + seed, 40, true);
		if (i == 2) {
			swt_disconnect(sw, 1);
			swt_connect(sw, 1);
			nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 16);
		}
		expect_burst(sw, 0, 2, 200 + seed, 40);
		seed += 40;
	}
	learn(sw, 1, 3);
	swt_free(sw);
}

/**
 * test_burst() - Frames that come while port 2's worker is delivering the
 * ones before them, to a guest with buffers to spare, are all delivered
 * though the guest does not kick again
 *
 * Port 0 sends one chain per kick, so that its worker forwards while port
 * 2's delivers: a switch that wakes the receiver only when its inbox goes
 * from empty to not empty, and does not look at the inbox again after a
 * batch, leaves frames behind. It is a race: rounds go on for
 * BURST_TIME_MS.
 */
static void test_burst(void)
{
	struct swt *sw = start();
	gint64 end = g_get_monotonic_time() + BURST_TIME_MS * 1000;
	uint32_t seed = 0;

	if (!sw)
		return;
	swt_announce(sw, 2, 1);
	while (g_get_monotonic_time() < end) {
		nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, BURST_ROUND);
		send_burst(sw, 0, 2, seed, BURST_ROUND, true);
		expect_burst(sw, 0, 2, seed, BURST_ROUND);
		seed += BURST_ROUND;
	}
	g_test_message("%u frames in bursts", seed);
	swt_free(sw);
}

/**
 * reconnect_port2() - Port 2's guest goes away and a new driver comes:
 * new memory, rings, session; buffers posted
 * @sw:		Harness
 */
static void reconnect_port2(struct swt *sw)
{
	swt_disconnect(sw, 2);
	swt_connect(sw, 2);
	nett_rx_post(&sw->port[2], 0, SWT_RX_BUF, 16);
}

/**
 * test_reconnect() - Port 2's guest goes away with frames for it held (it
 * had no buffers) and comes back as a new driver: the stale frames are not
 * delivered to it, and forwarding resumes both ways
 */
static void test_reconnect(void)
{
	uint8_t frame[180];
	struct swt *sw = start();
	unsigned int i;

	if (!sw)
		return;
	nett_rx_post(&sw->port[0], 0, SWT_RX_BUF, 16);
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 16);
	learn(sw, 2, 1);
	for (i = 0; i < 3; i++) {
		swt_frame(frame, sizeof(frame), sw->mac[2], sw->mac[0], 10 + i);
		swt_send(sw, 0, frame, sizeof(frame));
	}
	reconnect_port2(sw);
	swt_frame(frame, sizeof(frame), sw->mac[2], sw->mac[0], 20);
	swt_send(sw, 0, frame, sizeof(frame));
	swt_expect(sw, 2, frame, sizeof(frame));
	learn(sw, 2, 21);
	marker(sw, 0, 22);
	swt_expect_none(sw, 2);
	swt_free(sw);
}

/**
 * post_hostile() - Post a caller-laid-out chain on port 0's TX ring, kick
 * @sw:		Harness
 * @d:		Buffers
 * @n:		How many
 */
static void post_hostile(struct swt *sw, const struct vuf_desc *d,
			 unsigned int n)
{
	struct vuf_vq *vq = sw->port[0].tx[0].vq;

	g_assert_cmpint(vuf_vq_post_descs(vq, d, n, false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
}

/**
 * test_hostile_tx() - TX chains with a writable descriptor, or shorter
 * than header + Ethernet header, are used and dropped; a chain of exactly
 * that length is forwarded; the port goes on
 */
static void test_hostile_tx(void)
{
	uint8_t frame[200], hdr[VNET_HDR_LEN] = { 0 };
	struct swt *sw = start();
	struct nett *t;
	struct vuf_desc d[2];

	if (!sw)
		return;
	t = &sw->port[0];
	post_all(sw, SWT_RX_BUF, 16);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[0], 1);
	d[0] = (struct vuf_desc){ nett_scratch(t, hdr, sizeof(hdr)),
				  VNET_HDR_LEN, false };
	d[1] = (struct vuf_desc){ nett_scratch(t, frame, 13), 13, false };
	post_hostile(sw, d, 2);
	post_hostile(sw, d, 1);
	d[1] = (struct vuf_desc){ nett_scratch(t, frame, sizeof(frame)),
				  sizeof(frame), true };
	post_hostile(sw, d, 2);
	post_hostile(sw, d + 1, 1);
	d[1] = (struct vuf_desc){ nett_scratch(t, frame, 14), 14, false };
	post_hostile(sw, d, 2);
	nett_wait_used(t, &t->tx[0], NULL, 5);
	swt_expect(sw, 1, frame, ETH_HDR_LEN);
	swt_expect(sw, 2, frame, ETH_HDR_LEN);
	marker(sw, 0, 2);
	swt_expect_none(sw, 0);
	swt_free(sw);
}

/**
 * test_in_order() - Ports offer VIRTIO_F_IN_ORDER; with it negotiated, a
 * device-readable RX chain between good ones comes back empty in its
 * place in the ring (after the frame in the chain before it, before the
 * frame in the chain after it), never ahead of a stashed chain
 */
static void test_in_order(void)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	struct swt *sw = swt_new(PORTS);
	uint8_t frame[3][150], junk[64] = { 0 };
	struct vuf_desc bad;
	struct nett *t;
	unsigned int i;

	if (!sw) {
		g_test_skip("VU_NET is not set");
		g_free(f);
		return;
	}
	for (i = 0; i < PORTS; i++)
		sw->port[i].want |= VUF_BIT(VUF_F_IN_ORDER);
	swt_start(sw);
	t = &sw->port[2];
	g_assert_true(nett_has(t, VUF_F_IN_ORDER));
	nett_rx_post(t, 0, SWT_RX_BUF, 1);
	bad = (struct vuf_desc){ nett_scratch(t, junk, sizeof(junk)),
				 sizeof(junk), false };
	g_assert_cmpint(vuf_vq_post_descs(t->rx[0].vq, &bad, 1, false), >=, 0);
	nett_rx_post(t, 0, SWT_RX_BUF, 2);
	for (i = 0; i < 3; i++) {
		swt_frame(frame[i], sizeof(frame[i]), swt_broadcast,
			  sw->mac[0], 40 + i);
		swt_send(sw, 0, frame[i], sizeof(frame[i]));
	}
	for (i = 0; i < 3; i++) {
		if (!nett_rx_frame(t, 0, f, NETT_TIMEOUT_MS))
			g_error("frame %u never came", i);
		g_test_message("frame %u: len %u nempty %u nused %u", i, f->len, f->nempty, f->nused);
		g_assert_cmpuint(f->nempty, ==, i == 1 ? 1 : 0);
		g_assert_cmpmem(f->data, f->len, frame[i], sizeof(frame[i]));
	}
	g_free(f);
	swt_free(sw);
}

/**
 * test_packed() - Every guest on packed rings: learning, unicast and a
 * frame over two mergeable chains
 */
static void test_packed(void)
{
	struct swt *sw = swt_new(PORTS);
	uint8_t frame[3000];
	unsigned int i;

	if (!sw) {
		g_test_skip("VU_NET is not set");
		return;
	}
	for (i = 0; i < PORTS; i++)
		sw->port[i].want |= VUF_BIT(VUF_F_RING_PACKED);
	swt_start(sw);
	for (i = 0; i < PORTS; i++)
		g_assert_true(nett_has(&sw->port[i], VUF_F_RING_PACKED));
	post_all(sw, SWT_RX_BUF, 16);
	learn(sw, 1, 1);
	swt_frame(frame, 200, sw->mac[1], sw->mac[0], 2);
	swt_send(sw, 0, frame, 200);
	swt_expect(sw, 1, frame, 200);
	marker(sw, 0, 3);
	swt_frame(frame, sizeof(frame), swt_broadcast, sw->mac[2], 4);
	swt_send(sw, 2, frame, sizeof(frame));
	expect_merged(sw, 0, SWT_RX_BUF, frame, sizeof(frame));
	expect_merged(sw, 1, SWT_RX_BUF, frame, sizeof(frame));
	swt_free(sw);
}

/**
 * expect_sockets_gone() - The back-end exited and removed every socket
 * @sw:		Harness (back-end reaped)
 */
static void expect_sockets_gone(struct swt *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nports; i++)
		if (g_file_test(sw->port[i].sock, G_FILE_TEST_EXISTS))
			g_error("%s left behind", sw->port[i].sock);
}

/**
 * test_sigterm() - SIGTERM ends the switch with status 0 and its sockets
 * removed: before any guest came, and with every guest connected and
 * frames waiting in the inboxes
 */
static void test_sigterm(void)
{
	struct swt *sw = swt_new(PORTS);
	struct vuf_conn *c;
	unsigned int i;

	if (!sw) {
		g_test_skip("VU_NET is not set");
		return;
	}
	swt_spawn(sw);
	g_assert_cmpint(vuf_conn_connect(sw->port[PORTS - 1].sock,
					 NETT_TIMEOUT_MS, &c), ==, 0);
	vuf_conn_free(c);
	swt_kill(sw, SIGTERM);
	expect_sockets_gone(sw);
	swt_start(sw);
	nett_rx_post(&sw->port[1], 0, SWT_RX_BUF, 8);
	for (i = 0; i < PORTS; i++)
		swt_announce(sw, i, i);
	swt_kill(sw, SIGTERM);
	expect_sockets_gone(sw);
	swt_free(sw);
}

/**
 * main() - Register the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/switch/features", test_features);
	g_test_add_func("/switch/broadcast", test_broadcast);
	g_test_add_func("/switch/unicast", test_unicast);
	g_test_add_func("/switch/mac-moves", test_mac_moves);
	g_test_add_func("/switch/own-port", test_own_port);
	g_test_add_func("/switch/rx/mergeable", test_rx_mergeable);
	g_test_add_func("/switch/rx/too-big", test_rx_too_big);
	g_test_add_func("/switch/hold", test_hold);
	g_test_add_func("/switch/stalled", test_stalled);
	g_test_add_func("/switch/poll", test_poll);
	g_test_add_func("/switch/burst", test_burst);
	g_test_add_func("/switch/reconnect", test_reconnect);
	g_test_add_func("/switch/hostile/tx", test_hostile_tx);
	g_test_add_func("/switch/packed", test_packed);
	g_test_add_func("/switch/in-order", test_in_order);
	g_test_add_func("/switch/sigterm", test_sigterm);
	return g_test_run();
}
