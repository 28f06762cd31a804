// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-net.c - vhost-user-net on a real tap, in a private network
 * namespace, driven over its socket: features and config space, TX chains
 * out of the tap, frames into RX buffers (mergeable or not, no buffers,
 * disabled rings), hostile chains, checksum and segmentation offloads both
 * ways, queue pairs, the control queue, NET_SET_MTU, SEND_RARP, and the
 * command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <json-glib/json-glib.h>

#include "net-harness.h"

#define TAP_FLAGS	(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)

static const uint8_t other_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };

/**
 * start() - A back-end on a fresh tap, connected, the usual features
 * @t:		Harness to fill
 * @opts:	Back-end options, or NULL
 * @pairs:	Its queue pairs
 *
 * Return: false to skip (no back-end or no network namespace)
 */
static bool start(struct nett *t, const char *opts, unsigned int pairs)
{
	if (!nett_init(t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return false;
	}
	nett_start(t, opts, pairs);
	return true;
}

/**
 * start_with() - start(), asking for other virtio features
 * @t:		Harness to fill
 * @opts:	Back-end options, or NULL
 * @pairs:	Its queue pairs
 * @add:	Features to ask for on top of the usual ones
 * @del:	Usual features not to ask for
 *
 * Return: false to skip
 */
static bool start_with(struct nett *t, const char *opts, unsigned int pairs,
		       uint64_t add, uint64_t del)
{
	if (!nett_init(t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return false;
	}
	t->want = (t->want | add) & ~del;
	nett_start(t, opts, pairs);
	return true;
}

/**
 * expect_tap_frame() - The next frame out of the tap is exactly @frame
 * @t:		Harness
 * @frame:	Expected frame
 * @len:	Its length
 */
static void expect_tap_frame(struct nett *t, const uint8_t *frame,
			     size_t len)
{
	static uint8_t buf[NETT_FRAME_MAX];
	int r = nett_pkt_recv(t->pkt, buf, sizeof(buf), NETT_TIMEOUT_MS);

	if (r < 0)
		g_error("no %zu-byte frame came out of the tap", len);
	g_assert_cmpint(r, ==, (int)len);
	g_assert_cmpmem(buf, len, frame, len);
}

/**
 * expect_rx_frame() - The guest receives exactly @frame on a pair, in one
 * chain, with a plain header
 * @t:		Harness
 * @pair:	Queue pair
 * @frame:	Expected frame
 * @len:	Its length
 */
static void expect_rx_frame(struct nett *t, unsigned int pair,
			    const uint8_t *frame, size_t len)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);

	if (!nett_rx_frame(t, pair, f, NETT_TIMEOUT_MS))
		g_error("pair %u: the %zu-byte frame never came", pair, len);
	g_assert_cmpuint(f->nempty, ==, 0);
	g_assert_cmpuint(f->hdr.flags & ~VNET_HDR_F_DATA_VALID, ==, 0);
	g_assert_cmpuint(f->hdr.gso_type, ==, VNET_GSO_NONE);
	g_assert_cmpuint(f->hdr.num_buffers, ==, 1);
	g_assert_cmpuint(f->nused, ==, 1);
	g_assert_cmpuint(f->used_len[0], ==, VNET_HDR_LEN + len);
	g_assert_cmpmem(f->data, f->len, frame, len);
	g_free(f);
}

/**
 * send_udp() - Send a UDP frame into the tap (towards the guest)
 * @t:		Harness
 * @buf:	Frame buffer
 * @len:	Frame length
 * @seed:	Payload seed (also the source port)
 */
static void send_udp(struct nett *t, uint8_t *buf, size_t len, uint32_t seed)
{
	nett_udp_frame(buf, len, NULL, (uint16_t)(1000 + seed), seed);
	nett_pkt_send(t->pkt, buf, len);
}

/**
 * open_tap() - Create (or attach to) a tap in the test
 * @name:	Interface name
 * @flags:	IFF_* flags
 * @cloexec:	Open with O_CLOEXEC (else it is inherited by the back-end)
 *
 * Return: the queue fd
 */
static int open_tap(const char *name, short flags, bool cloexec)
{
	struct ifreq ifr = { .ifr_flags = flags };
	int fd = open("/dev/net/tun", O_RDWR | (cloexec ? O_CLOEXEC : 0));

	g_assert_cmpint(fd, >=, 0);
	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		g_error("TUNSETIFF %s: %s", name, g_strerror(errno));
	return fd;
}

/**
 * tap_takes_ufo() - Whether this kernel's taps accept TUN_F_UFO
 *
 * Return: true if they do
 */
static bool tap_takes_ufo(void)
{
	char name[16];
	int fd;
	bool ok;

	nett_next_ifname(name);
	fd = open_tap(name, TAP_FLAGS, true);
	ok = ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_UFO) == 0;
	close(fd);
	return ok;
}

/**
 * check_offered() - Every feature the specification promises is offered
 * @t:		Harness (connected)
 */
static void check_offered(struct nett *t)
{
	static const unsigned int bits[] = {
		VUF_F_VERSION_1, VNET_F_MRG_RXBUF, VNET_F_CSUM,
		VNET_F_GUEST_CSUM, VNET_F_HOST_TSO4, VNET_F_HOST_TSO6,
		VNET_F_HOST_ECN, VNET_F_GUEST_TSO4, VNET_F_GUEST_TSO6,
		VNET_F_GUEST_ECN, VNET_F_MAC, VNET_F_STATUS, VNET_F_CTRL_VQ,
		VNET_F_CTRL_RX, VNET_F_GUEST_ANNOUNCE, VUF_F_INDIRECT_DESC,
		VUF_F_EVENT_IDX, VUF_F_RING_PACKED,
	};
	static const unsigned int pf[] = {
		VUF_PF_MQ, VUF_PF_REPLY_ACK, VUF_PF_CONFIG, VUF_PF_STATUS,
		VUF_PF_NET_MTU, VUF_PF_RARP,
	};
	uint64_t f = vuf_session_offered(t->s);
	uint64_t p = vuf_session_offered_protocol(t->s);
	bool ufo = tap_takes_ufo();
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(bits); i++)
		if (!(f & VUF_BIT(bits[i])))
			g_error("feature bit %u not offered", bits[i]);
	for (i = 0; i < G_N_ELEMENTS(pf); i++)
		if (!(p & VUF_BIT(pf[i])))
			g_error("protocol feature bit %u not offered", pf[i]);
	g_assert_cmpint(!!(f & VUF_BIT(VNET_F_GUEST_UFO)), ==, ufo);
	g_assert_cmpint(!!(f & VUF_BIT(VNET_F_HOST_UFO)), ==, ufo);
}

/**
 * check_tun_flags() - The tap the back-end made has the flags the
 * specification names (read from sysfs, when it shows this namespace)
 * @t:		Harness
 * @mq:		IFF_MULTI_QUEUE expected
 */
static void check_tun_flags(struct nett *t, bool mq)
{
	char *path = g_strdup_printf("/sys/class/net/%s/tun_flags", t->ifname);
	char *text = NULL;
	guint64 fl;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		fl = g_ascii_strtoull(text, NULL, 16);
		g_assert_cmphex(fl & (TAP_FLAGS | IFF_TUN | IFF_MULTI_QUEUE),
				==, TAP_FLAGS | (mq ? IFF_MULTI_QUEUE : 0));
	} else {
		g_test_message("%s: not readable", path);
	}
	g_free(text);
	g_free(path);
}

/**
 * test_features() - Features and GET_QUEUE_NUM, with and without
 * --queue-pairs and --mtu
 */
static void test_features(void)
{
	struct nett t;
	uint64_t num, f;

	if (!start(&t, NULL, 1))
		return;
	check_offered(&t);
	check_tun_flags(&t, false);
	f = vuf_session_offered(t.s);
	g_assert_false(f & VUF_BIT(VNET_F_MQ));
	g_assert_false(f & VUF_BIT(VNET_F_MTU));
	g_assert_cmpint(vuf_get_queue_num(nett_conn(&t), &num), ==, 0);
	g_assert_cmpuint(num, ==, 3);
	nett_stop(&t);
	t.ifname[0] = 0;
	nett_start(&t, "--queue-pairs=3 --mtu=1400", 3);
	f = vuf_session_offered(t.s);
	g_assert_true(f & VUF_BIT(VNET_F_MQ));
	g_assert_true(f & VUF_BIT(VNET_F_MTU));
	g_assert_cmpint(vuf_get_queue_num(nett_conn(&t), &num), ==, 0);
	g_assert_cmpuint(num, ==, 7);
	nett_fini(&t);
}

/**
 * test_config() - MAC, status, max_virtqueue_pairs and MTU; read-only
 */
static void test_config(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	uint8_t cfg[VNET_CFG_SIZE], again[VNET_CFG_SIZE], st[2];
	struct nett t;

	if (!start(&t, "--mac=52:54:00:12:34:56 --queue-pairs=2 --mtu=1400",
		   2))
		return;
	nett_config(&t, cfg);
	g_assert_cmpmem(cfg + VNET_CFG_MAC, 6, mac, 6);
	g_assert_cmpuint(nett_config_u16(&t, VNET_CFG_STATUS), ==,
			 VNET_S_LINK_UP);
	g_assert_cmpuint(nett_config_u16(&t, VNET_CFG_MAX_PAIRS), ==, 2);
	g_assert_cmpuint(nett_config_u16(&t, VNET_CFG_MTU), ==, 1400);
	g_assert_cmpint(nett_link_mtu(t.ifname), ==, 1400);
	g_assert_cmpint(vuf_get_config(nett_conn(&t), VNET_CFG_STATUS, st, 2),
			==, 0);
	g_assert_cmpuint(st[0], ==, VNET_S_LINK_UP);
	memset(cfg, 0x11, 6);
	g_assert_cmpint(vuf_set_config(nett_conn(&t), 0, cfg, 6, 0), !=, 0);
	nett_config(&t, again);
	g_assert_cmpmem(again, 6, mac, 6);
	nett_fini(&t);
}

/**
 * test_default_mac() - Without --mac: locally administered, unicast, the
 * same again for the same tap name
 */
static void test_default_mac(void)
{
	uint8_t a[VNET_CFG_SIZE], b[VNET_CFG_SIZE];
	struct nett t;

	if (!start(&t, NULL, 1))
		return;
	nett_config(&t, a);
	g_assert_cmpuint(a[0] & 3, ==, 2);
	nett_stop(&t);
	nett_start(&t, NULL, 1);
	nett_config(&t, b);
	g_assert_cmpmem(a, 6, b, 6);
	nett_fini(&t);
}

/**
 * test_tx_split() - TX chains split anywhere (inside the header too), or
 * indirect, come out of the tap byte-exact; used length 0
 */
static void test_tx_split(void)
{
	static const unsigned int pieces[] = { 1, 2, 4, 8 };
	uint8_t frame[600];
	struct vuf_used u;
	struct nett t;
	unsigned int i;
	int id;

	if (!start(&t, NULL, 1))
		return;
	for (i = 0; i < G_N_ELEMENTS(pieces); i++) {
		nett_udp_frame(frame, 100 + 150 * i, other_mac, 7, i);
		id = nett_tx_frame(&t, 0, NULL, frame, 100 + 150 * i,
				   pieces[i]);
		nett_wait_used(&t, &t.tx[0], &u, 1);
		g_assert_cmpuint(u.id, ==, (unsigned int)id);
		g_assert_cmpuint(u.len, ==, 0);
		expect_tap_frame(&t, frame, 100 + 150 * i);
	}
	nett_fini(&t);
}

/**
 * test_tx_batch() - Many chains, indirect ones among them, one kick: all
 * come out in order
 */
static void test_tx_batch(void)
{
	uint8_t buf[VNET_HDR_LEN + 200] = { 0 }, frame[200];
	struct iovec iov[2] = { { buf, VNET_HDR_LEN }, { NULL, 0 } };
	struct nett t;
	unsigned int i;

	if (!start(&t, NULL, 1))
		return;
	for (i = 0; i < 32; i++) {
		nett_udp_frame(buf + VNET_HDR_LEN, 60 + i, other_mac, 9, i);
		iov[1] = (struct iovec){ buf + VNET_HDR_LEN, 60 + i };
		g_assert_cmpint(vuf_vq_post(t.tx[0].vq, iov, 2, NULL, 0,
					    i & 1), >=, 0);
	}
	g_assert_cmpint(vuf_vq_kick(t.tx[0].vq), ==, 0);
	nett_wait_used(&t, &t.tx[0], NULL, 32);
	for (i = 0; i < 32; i++) {
		nett_udp_frame(frame, 60 + i, other_mac, 9, i);
		expect_tap_frame(&t, frame, 60 + i);
	}
	nett_fini(&t);
}

/**
 * post_tx_nokick() - Queue a UDP frame on pair 0's TX ring, no kick
 * @t:		Harness
 * @frame:	Filled with the frame
 * @len:	Its length (at most 200)
 * @seed:	Payload seed
 */
static void post_tx_nokick(struct nett *t, uint8_t *frame, size_t len,
			   uint32_t seed)
{
	static uint8_t buf[8][VNET_HDR_LEN + 200];
	uint8_t *b = buf[seed % 8];
	struct iovec iov = { b, VNET_HDR_LEN + len };

	memset(b, 0, VNET_HDR_LEN);
	nett_udp_frame(frame, len, other_mac, 11, seed);
	memcpy(b + VNET_HDR_LEN, frame, len);
	g_assert_cmpint(vuf_vq_post(t->tx[0].vq, &iov, 1, NULL, 0, false), >=,
			0);
}

/**
 * test_poll() - --poll-us on a tap: frames queued without a kick while
 * the pair polls go out, RX works, kicks work again once it went idle,
 * and a front-end leaving is not held up by the polling worker
 */
static void test_poll(void)
{
	uint8_t frame[1514];
	struct nett t;
	unsigned int i;
	gint64 t0;

	if (!start(&t, "--poll-us=1000000", 1))
		return;
	nett_rx_post(&t, 0, NETT_RX_BUF, 8);
	send_udp(&t, frame, 400, 1);
	expect_rx_frame(&t, 0, frame, 400);
	/* The pair polls now: no kicks */
	for (i = 0; i < 4; i++) {
		post_tx_nokick(&t, frame, 100 + i, 10 + i);
		expect_tap_frame(&t, frame, 100 + i);
	}
	nett_wait_used(&t, &t.tx[0], NULL, 4);
	send_udp(&t, frame, 300, 2);
	expect_rx_frame(&t, 0, frame, 300);
	/* Busy: disconnecting must not wait for the 1 s window */
	post_tx_nokick(&t, frame, 120, 20);
	expect_tap_frame(&t, frame, 120);
	t0 = g_get_monotonic_time();
	nett_fini(&t);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, G_USEC_PER_SEC / 2);
}

/**
 * test_rx_basic() - Frames into the tap reach RX buffers with a 12-byte
 * header, num_buffers 1
 */
static void test_rx_basic(void)
{
	static const size_t lens[] = { 60, 500, 1514 };
	uint8_t frame[1514];
	struct nett t;
	unsigned int i;

	if (!start(&t, NULL, 1))
		return;
	nett_rx_post(&t, 0, NETT_RX_BUF, 8);
	for (i = 0; i < G_N_ELEMENTS(lens); i++) {
		send_udp(&t, frame, lens[i], i);
		expect_rx_frame(&t, 0, frame, lens[i]);
	}
	nett_fini(&t);
}

/**
 * test_rx_split_chain() - An RX chain of several descriptors: the header
 * and the frame spread over them
 */
static void test_rx_split_chain(void)
{
	static const uint32_t parts[] = { 5, 7, 100, 1900 };
	uint8_t frame[1000];
	struct nett t;

	if (!start_with(&t, NULL, 1, 0, VUF_BIT(VNET_F_MRG_RXBUF)))
		return;
	g_assert_cmpint(vuf_vq_post(t.rx[0].vq, NULL, 0, parts,
				    G_N_ELEMENTS(parts), false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(t.rx[0].vq), ==, 0);
	send_udp(&t, frame, sizeof(frame), 3);
	expect_rx_frame(&t, 0, frame, sizeof(frame));
	nett_fini(&t);
}

/**
 * test_rx_mergeable() - A 4000-byte frame in 1500-byte chains: 3 chains,
 * num_buffers 3, the bytes reassemble
 */
static void test_rx_mergeable(void)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	uint8_t frame[4000];
	struct nett t;

	if (!start(&t, "--mtu=4000", 1))
		goto out;
	g_assert_true(nett_has(&t, VNET_F_MRG_RXBUF));
	nett_rx_post(&t, 0, 1500, 8);
	send_udp(&t, frame, sizeof(frame), 1);
	g_assert_true(nett_rx_frame(&t, 0, f, NETT_TIMEOUT_MS));
	g_assert_cmpuint(f->hdr.num_buffers, ==, 3);
	g_assert_cmpuint(f->nused, ==, 3);
	g_assert_cmpuint(f->used_len[0], ==, 1500);
	g_assert_cmpuint(f->used_len[1], ==, 1500);
	g_assert_cmpuint(f->used_len[2], ==, VNET_HDR_LEN + 4000 - 3000);
	g_assert_cmpmem(f->data, f->len, frame, sizeof(frame));
	send_udp(&t, frame, 100, 2);
	expect_rx_frame(&t, 0, frame, 100);
	nett_fini(&t);
out:
	g_free(f);
}

/**
 * test_rx_too_big() - Without MRG_RXBUF a frame larger than the chain is
 * dropped, and the next frame fits
 */
static void test_rx_too_big(void)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	uint8_t big[1000], small[100];
	uint32_t len = 512;
	struct nett t;

	if (!start_with(&t, NULL, 1, 0, VUF_BIT(VNET_F_MRG_RXBUF)))
		goto out;
	g_assert_false(nett_has(&t, VNET_F_MRG_RXBUF));
	g_assert_cmpint(vuf_vq_post(t.rx[0].vq, NULL, 0, &len, 1, false), >=,
			0);
	nett_rx_post(&t, 0, NETT_RX_BUF, 4);
	send_udp(&t, big, sizeof(big), 1);
	send_udp(&t, small, sizeof(small), 2);
	g_assert_true(nett_rx_frame(&t, 0, f, NETT_TIMEOUT_MS));
	if (f->len != sizeof(small))
		g_error("a %u-byte frame came in the %u-byte chain: %s", f->len,
			len, memcmp(f->data, big, f->len) ? "garbage" :
			"the head of the too big frame, truncated");
	g_assert_cmpmem(f->data, f->len, small, sizeof(small));
	send_udp(&t, big, sizeof(big), 3);
	expect_rx_frame(&t, 0, big, sizeof(big));
	nett_fini(&t);
out:
	g_free(f);
}

/**
 * test_rx_no_buffers() - Frames that come with no RX buffer wait; the
 * back-end does not spin meanwhile, and delivers them once buffers come,
 * in one batch (one call)
 */
static void test_rx_no_buffers(void)
{
	uint8_t frame[3][300];
	uint64_t cpu, calls;
	struct nett t;
	unsigned int i;

	if (!start(&t, NULL, 1))
		return;
	for (i = 0; i < 3; i++)
		send_udp(&t, frame[i], sizeof(frame[i]), i);
	g_usleep(100000);
	cpu = nett_cpu_ms(t.pid);
	g_usleep(G_USEC_PER_SEC);
	cpu = nett_cpu_ms(t.pid) - cpu;
	g_test_message("back-end CPU time over 1 s without RX buffers: "
		       "%" G_GUINT64_FORMAT " ms", cpu);
	g_assert_cmpuint(cpu, <, 50);
	calls = vuf_vq_calls(t.rx[0].vq);
	nett_rx_post(&t, 0, NETT_RX_BUF, 8);
	for (i = 0; i < 3; i++)
		expect_rx_frame(&t, 0, frame[i], sizeof(frame[i]));
	g_assert_cmpuint(vuf_vq_calls(t.rx[0].vq) - calls, ==, 1);
	nett_fini(&t);
}

/**
 * test_tx_disabled() - A disabled TX ring: chains consumed, nothing sent;
 * enabled again, it sends
 */
static void test_tx_disabled(void)
{
	uint8_t frame[200];
	struct vuf_used u[3];
	struct nett t;
	unsigned int i;

	if (!start(&t, NULL, 1))
		return;
	g_assert_cmpint(vuf_set_vring_enable(nett_conn(&t), 1, false), ==, 0);
	nett_udp_frame(frame, sizeof(frame), other_mac, 5, 5);
	for (i = 0; i < 3; i++)
		nett_tx_frame(&t, 0, NULL, frame, sizeof(frame), 2);
	nett_wait_used(&t, &t.tx[0], u, 3);
	for (i = 0; i < 3; i++)
		g_assert_cmpuint(u[i].len, ==, 0);
	nett_pkt_expect_none(t.pkt, NETT_QUIET_MS);
	g_assert_cmpint(vuf_set_vring_enable(nett_conn(&t), 1, true), ==, 0);
	nett_tx_frame(&t, 0, NULL, frame, sizeof(frame), 2);
	nett_wait_used(&t, &t.tx[0], NULL, 1);
	expect_tap_frame(&t, frame, sizeof(frame));
	nett_fini(&t);
}

/**
 * wait_marker() - Receive frames on a pair until one of @len bytes with
 * the payload of @frame comes
 * @t:		Harness
 * @pair:	Queue pair
 * @frame:	The frame looked for
 * @len:	Its length
 *
 * Return: frames received before it
 */
static unsigned int wait_marker(struct nett *t, unsigned int pair,
				const uint8_t *frame, size_t len)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	unsigned int before = 0;

	for (;;) {
		if (!nett_rx_frame(t, pair, f, NETT_TIMEOUT_MS))
			g_error("the marker frame never came");
		if (f->len == len && !memcmp(f->data, frame, len))
			break;
		before++;
	}
	g_free(f);
	return before;
}

/**
 * test_rx_disabled() - A disabled RX ring gets nothing; enabled again, it
 * receives
 */
static void test_rx_disabled(void)
{
	uint8_t frame[200];
	struct nett t;
	unsigned int i, before;

	if (!start(&t, NULL, 1))
		return;
	g_assert_cmpint(vuf_set_vring_enable(nett_conn(&t), 0, false), ==, 0);
	nett_rx_post(&t, 0, NETT_RX_BUF, 8);
	g_assert_cmpint(vuf_vq_kick(t.rx[0].vq), ==, 0);
	for (i = 0; i < 2; i++)
		send_udp(&t, frame, sizeof(frame), i);
	nett_expect_no_used(&t.rx[0], NETT_QUIET_MS);
	g_assert_cmpint(vuf_set_vring_enable(nett_conn(&t), 0, true), ==, 0);
	send_udp(&t, frame, sizeof(frame), 77);
	before = wait_marker(&t, 0, frame, sizeof(frame));
	g_test_message("%u frames sent while disabled came after enabling",
		       before);
	g_assert_cmpuint(before, <=, 2);
	nett_fini(&t);
}

/**
 * post_tx_descs() - Post a caller-laid-out TX chain and kick
 * @t:		Harness
 * @d:		Buffers
 * @n:		How many
 */
static void post_tx_descs(struct nett *t, const struct vuf_desc *d,
			  unsigned int n)
{
	g_assert_cmpint(vuf_vq_post_descs(t->tx[0].vq, d, n, false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(t->tx[0].vq), ==, 0);
}

/**
 * test_hostile_tx() - TX chains too short, with a writable descriptor, or
 * with a header the tap refuses are dropped; the back-end goes on
 */
static void test_hostile_tx(void)
{
	const struct vnet_hdr bad_csum = { VNET_HDR_F_NEEDS_CSUM, 0, 0, 0,
					   5000, 6, 0 };
	const struct vnet_hdr bad_gso = { 0, 0x33, 54, 100, 0, 0, 0 };
	uint8_t frame[200], hdr[VNET_HDR_LEN] = { 0 };
	struct vuf_desc d[2];
	struct nett t;

	if (!start(&t, NULL, 1))
		return;
	nett_udp_frame(frame, sizeof(frame), other_mac, 4, 4);
	d[0] = (struct vuf_desc){ nett_scratch(&t, hdr, sizeof(hdr)),
				  VNET_HDR_LEN, false };
	d[1] = (struct vuf_desc){ nett_scratch(&t, frame, 13), 13, false };
	post_tx_descs(&t, d, 2);
	d[1] = (struct vuf_desc){ nett_scratch(&t, frame, sizeof(frame)),
				  sizeof(frame), true };
	post_tx_descs(&t, d, 2);
	nett_tx_frame(&t, 0, &bad_csum, frame, sizeof(frame), 1);
	nett_tx_frame(&t, 0, &bad_gso, frame, sizeof(frame), 1);
	nett_wait_used(&t, &t.tx[0], NULL, 4);
	nett_pkt_expect_none(t.pkt, NETT_QUIET_MS);
	nett_tx_frame(&t, 0, NULL, frame, sizeof(frame), 3);
	nett_wait_used(&t, &t.tx[0], NULL, 1);
	expect_tap_frame(&t, frame, sizeof(frame));
	nett_fini(&t);
}

/**
 * hostile_rx_case() - A 4-byte RX chain and one with a readable buffer
 * come back empty; the frame goes to the good chain after them
 * @mergeable:	Negotiate MRG_RXBUF
 */
static void hostile_rx_case(bool mergeable)
{
	uint8_t frame[300];
	struct vuf_desc d[2];
	struct vuf_used u;
	struct nett t;
	unsigned int i;

	if (!start_with(&t, NULL, 1, 0,
			mergeable ? 0 : VUF_BIT(VNET_F_MRG_RXBUF)))
		return;
	d[0] = (struct vuf_desc){ nett_scratch(&t, NULL, 4), 4, true };
	g_assert_cmpint(vuf_vq_post_descs(t.rx[0].vq, d, 1, false), >=, 0);
	d[0] = (struct vuf_desc){ nett_scratch(&t, NULL, 16), 16, false };
	d[1] = (struct vuf_desc){ nett_scratch(&t, NULL, 2048), 2048, true };
	g_assert_cmpint(vuf_vq_post_descs(t.rx[0].vq, d, 2, false), >=, 0);
	nett_rx_post(&t, 0, NETT_RX_BUF, 4);
	g_assert_cmpint(vuf_vq_kick(t.rx[0].vq), ==, 0);
	for (i = 0; i < 2; i++) {
		g_assert_true(nettq_next(&t.rx[0], &u, NETT_TIMEOUT_MS));
		g_assert_cmpuint(u.len, ==, 0);
	}
	send_udp(&t, frame, sizeof(frame), 8);
	expect_rx_frame(&t, 0, frame, sizeof(frame));
	nett_fini(&t);
}

/**
 * test_hostile_rx() - Bad RX chains, with and without MRG_RXBUF
 */
static void test_hostile_rx(void)
{
	hostile_rx_case(false);
	hostile_rx_case(true);
}

/**
 * test_hostile_rx_gap() - MRG_RXBUF, a small chain then a bad one: the
 * frames that do not fit what is in front of the bad chain must not reach
 * the guest truncated (whole frames only)
 */
static void test_hostile_rx_gap(void)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	uint8_t a[1000], b[300];
	uint32_t len = 100;
	struct vuf_desc d;
	struct nett t;

	if (!start(&t, NULL, 1))
		goto out;
	g_assert_cmpint(vuf_vq_post(t.rx[0].vq, NULL, 0, &len, 1, false), >=,
			0);
	d = (struct vuf_desc){ nett_scratch(&t, NULL, 4), 4, true };
	g_assert_cmpint(vuf_vq_post_descs(t.rx[0].vq, &d, 1, false), >=, 0);
	nett_rx_post(&t, 0, NETT_RX_BUF, 4);
	g_assert_cmpint(vuf_vq_kick(t.rx[0].vq), ==, 0);
	send_udp(&t, a, sizeof(a), 1);
	send_udp(&t, b, sizeof(b), 2);
	while (nett_rx_frame(&t, 0, f, NETT_QUIET_MS)) {
		if (f->len == sizeof(b) && !memcmp(f->data, b, sizeof(b)))
			continue;
		if (f->len != sizeof(a) || memcmp(f->data, a, sizeof(a)))
			g_error("a %u-byte frame in %u chain(s) of %u bytes: "
				"not one that was sent", f->len, f->nused,
				f->used_len[0]);
	}
	nett_fini(&t);
out:
	g_free(f);
}

/**
 * test_offload_tx_csum() - A TX frame asking for a checksum (NEEDS_CSUM)
 * reaches the tap with its offsets; completed as asked, it verifies
 */
static void test_offload_tx_csum(void)
{
	const struct vnet_hdr h = { VNET_HDR_F_NEEDS_CSUM, 0, 0, 0,
				    ETH_HDR_LEN + IP4_HDR_LEN, 6, 0 };
	uint8_t frame[400], got[400];
	struct vnet_hdr gh;
	struct nett t;
	int pv, r;

	if (!start_with(&t, NULL, 1, VUF_BIT(VNET_F_CSUM), 0))
		return;
	pv = nett_pkt_open(t.ifindex, true);
	nett_udp_frame(frame, sizeof(frame), other_mac, 6, 6);
	nett_l4_seed_csum(frame, sizeof(frame));
	g_assert_false(nett_l4_csum_ok(frame, sizeof(frame)));
	nett_tx_frame(&t, 0, &h, frame, sizeof(frame), 3);
	r = nett_pkt_recv_vnet(pv, &gh, got, sizeof(got), NETT_TIMEOUT_MS);
	g_assert_cmpint(r, ==, (int)sizeof(frame));
	g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
	g_assert_true(gh.flags & VNET_HDR_F_NEEDS_CSUM);
	g_assert_cmpuint(gh.csum_start, ==, h.csum_start);
	g_assert_cmpuint(gh.csum_offset, ==, h.csum_offset);
	nett_complete_csum(got, sizeof(got), &gh);
	g_assert_true(nett_l4_csum_ok(got, sizeof(got)));
	close(pv);
	nett_fini(&t);
}

/**
 * check_segments() - The tap saw a TSO frame: either whole, with its GSO
 * metadata, or cut into @payload / 1000 complete segments
 * @pv:		AF_PACKET socket with virtio-net headers
 * @frame:	The frame sent (checksum seeded)
 * @len:	Its length
 */
static void check_segments(int pv, const uint8_t *frame, size_t len)
{
	static uint8_t got[NETT_FRAME_MAX];
	const size_t hl = ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN;
	struct vnet_hdr gh;
	int r = nett_pkt_recv_vnet(pv, &gh, got, sizeof(got), NETT_TIMEOUT_MS);
	unsigned int n = 1;

	g_assert_cmpint(r, >, 0);
	if (gh.gso_type != VNET_GSO_NONE) {
		g_test_message("the tap saw one %d-byte TSO frame", r);
		g_assert_cmpint(r, ==, (int)len);
		g_assert_cmpuint(gh.gso_type, ==, VNET_GSO_TCPV4);
		g_assert_cmpuint(gh.gso_size, ==, 1000);
		g_assert_cmpmem(got + hl, len - hl, frame + hl, len - hl);
		return;
	}
	for (;;) {
		g_assert_cmpint(r, ==, (int)(hl + 1000));
		g_assert_cmpmem(got + hl, 1000, frame + hl + 1000 * (n - 1),
				1000);
		if (n++ == (len - hl) / 1000)
			break;
		r = nett_pkt_recv_vnet(pv, &gh, got, sizeof(got),
				       NETT_TIMEOUT_MS);
	}
}

/**
 * test_offload_tx_gso() - A TCP frame of 3000 payload bytes with gso_type
 * TCPV4 and gso_size 1000 reaches the tap as TSO
 */
static void test_offload_tx_gso(void)
{
	const struct vnet_hdr h = { VNET_HDR_F_NEEDS_CSUM, VNET_GSO_TCPV4,
				    54, 1000, 34, 16, 0 };
	uint8_t frame[3100];
	struct nett t;
	size_t len;
	int pv;

	if (!start_with(&t, NULL, 1, VUF_BIT(VNET_F_CSUM) |
			VUF_BIT(VNET_F_HOST_TSO4), 0))
		return;
	g_assert_true(nett_has(&t, VNET_F_HOST_TSO4));
	pv = nett_pkt_open(t.ifindex, true);
	len = nett_tcp_frame(frame, 3000, 1);
	nett_tx_frame(&t, 0, &h, frame, len, 4);
	nett_wait_used(&t, &t.tx[0], NULL, 1);
	check_segments(pv, frame, len);
	close(pv);
	nett_fini(&t);
}

/**
 * rx_csum_case() - A frame sent into the tap with a checksum left to do:
 * without GUEST_CSUM the guest gets it complete, with GUEST_CSUM it gets
 * NEEDS_CSUM and the offsets
 * @guest_csum:	Negotiate GUEST_CSUM
 */
static void rx_csum_case(bool guest_csum)
{
	const struct vnet_hdr h = { VNET_HDR_F_NEEDS_CSUM, 0, 0, 0, 34, 6, 0 };
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	uint8_t frame[300];
	struct nett t;
	int pv;

	if (!start_with(&t, NULL, 1, guest_csum ?
			VUF_BIT(VNET_F_GUEST_CSUM) : 0, 0))
		goto out;
	pv = nett_pkt_open(t.ifindex, true);
	nett_rx_post(&t, 0, NETT_RX_BUF, 8);
	nett_udp_frame(frame, sizeof(frame), NULL, 3, 3);
	nett_l4_seed_csum(frame, sizeof(frame));
	nett_pkt_send_vnet(pv, &h, frame, sizeof(frame));
	g_assert_true(nett_rx_frame(&t, 0, f, NETT_TIMEOUT_MS));
	g_assert_cmpuint(f->len, ==, sizeof(frame));
	g_assert_cmpmem(f->data, 40, frame, 40);
	if (guest_csum) {
		g_assert_true(f->hdr.flags & VNET_HDR_F_NEEDS_CSUM);
		g_assert_cmpuint(f->hdr.csum_start, ==, 34);
		g_assert_cmpuint(f->hdr.csum_offset, ==, 6);
		nett_complete_csum(f->data, f->len, &f->hdr);
	} else {
		g_assert_false(f->hdr.flags & VNET_HDR_F_NEEDS_CSUM);
	}
	g_assert_true(nett_l4_csum_ok(f->data, f->len));
	close(pv);
	nett_fini(&t);
out:
	g_free(f);
}

/**
 * test_offload_rx_csum() - Checksum offload towards the guest follows
 * GUEST_CSUM (TUNSETOFFLOAD)
 */
static void test_offload_rx_csum(void)
{
	rx_csum_case(false);
	rx_csum_case(true);
}

/**
 * rx_segments() - Without GUEST_TSO4 the guest gets a TSO frame as 3
 * complete segments
 * @t:		Harness (connected, no GUEST_TSO4)
 * @frame:	The frame sent (3000 bytes of payload)
 */
static void rx_segments(struct nett *t, const uint8_t *frame)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	const size_t hl = ETH_HDR_LEN + IP4_HDR_LEN + TCP_HDR_LEN;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		g_assert_true(nett_rx_frame(t, 0, f, NETT_TIMEOUT_MS));
		g_assert_cmpuint(f->hdr.gso_type, ==, VNET_GSO_NONE);
		g_assert_cmpuint(f->len, ==, hl + 1000);
		g_assert_cmpmem(f->data + hl, 1000, frame + hl + 1000 * i,
				1000);
		g_assert_true(nett_l4_csum_ok(f->data, f->len));
	}
	g_free(f);
}

/**
 * rx_whole() - With GUEST_TSO4 the guest gets a TSO frame whole, with its
 * GSO metadata
 * @t:		Harness (connected, GUEST_TSO4 and MRG_RXBUF)
 * @frame:	The frame sent
 * @len:	Its length
 */
static void rx_whole(struct nett *t, const uint8_t *frame, size_t len)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);

	g_assert_true(nett_rx_frame(t, 0, f, NETT_TIMEOUT_MS));
	g_assert_cmpuint(f->hdr.gso_type & 0x7f, ==, VNET_GSO_TCPV4);
	g_assert_cmpuint(f->hdr.gso_size, ==, 1000);
	g_assert_true(f->hdr.flags & VNET_HDR_F_NEEDS_CSUM);
	g_assert_cmpuint(f->len, ==, len);
	g_assert_cmpmem(f->data + 54, len - 54, frame + 54, len - 54);
	g_free(f);
}

/**
 * rx_gso_case() - A TSO frame sent into the tap towards the guest
 * @guest_tso:	Negotiate GUEST_CSUM and GUEST_TSO4
 */
static void rx_gso_case(bool guest_tso)
{
	const struct vnet_hdr h = { VNET_HDR_F_NEEDS_CSUM, VNET_GSO_TCPV4,
				    54, 1000, 34, 16, 0 };
	uint8_t frame[3100];
	struct nett t;
	size_t len;
	int pv;

	if (!start_with(&t, NULL, 1, guest_tso ? VUF_BIT(VNET_F_GUEST_CSUM) |
			VUF_BIT(VNET_F_GUEST_TSO4) : 0, 0))
		return;
	pv = nett_pkt_open(t.ifindex, true);
	nett_rx_post(&t, 0, NETT_SLOT, 40);
	len = nett_tcp_frame(frame, 3000, 2);
	nett_pkt_send_vnet(pv, &h, frame, len);
	if (guest_tso)
		rx_whole(&t, frame, len);
	else
		rx_segments(&t, frame);
	close(pv);
	nett_fini(&t);
}

/**
 * test_offload_rx_gso() - Segmentation towards the guest follows
 * GUEST_TSO4: segmented by the kernel without it, passed whole with it
 */
static void test_offload_rx_gso(void)
{
	rx_gso_case(false);
	rx_gso_case(true);
}

/**
 * mq_collect() - Receive @n frames on either RX ring
 * @t:		Harness (2 pairs)
 * @per:	Frames that came on each ring
 * @n:		How many are expected (source ports 1000..1000+n-1)
 */
static void mq_collect(struct nett *t, unsigned int per[2], unsigned int n)
{
	struct nett_frame *f = g_new0(struct nett_frame, 1);
	gint64 end = g_get_monotonic_time() + NETT_TIMEOUT_MS * 1000ll;
	unsigned int got = 0, p = 0, sport;
	uint64_t seen = 0;

	while (got < n && g_get_monotonic_time() < end) {
		p ^= 1;
		if (!nett_rx_frame(t, p, f, 20))
			continue;
		g_assert_cmpuint(f->len, ==, 200);
		sport = (unsigned int)(f->data[34] << 8 | f->data[35]) - 1000;
		g_assert_cmpuint(sport, <, n);
		g_assert_false(seen & (1ull << sport));
		seen |= 1ull << sport;
		per[p]++;
		got++;
	}
	g_free(f);
	if (got < n)
		g_error("only %u of %u frames came on the RX rings", got, n);
}

/**
 * mq_tx() - A frame on TX ring 1 and one on TX ring 3 both reach the tap
 * @t:		Harness (2 pairs)
 */
static void mq_tx(struct nett *t)
{
	uint8_t frame[200];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		nett_udp_frame(frame, sizeof(frame), other_mac, 1, 10 + i);
		nett_tx_frame(t, i, NULL, frame, sizeof(frame), 2);
		nett_wait_used(t, &t->tx[i], NULL, 1);
		expect_tap_frame(t, frame, sizeof(frame));
	}
}

/**
 * test_mq() - Two queue pairs: both TX rings reach the tap, flows spread
 * over the RX rings
 */
static void test_mq(void)
{
	unsigned int per[2] = { 0, 0 }, i;
	uint8_t frame[200];
	struct nett t;
	uint16_t two = GUINT16_TO_LE(2);

	if (!start(&t, "--queue-pairs=2", 2))
		return;
	g_assert_true(nett_has(&t, VNET_F_MQ));
	g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_MQ, VNET_CTRL_MQ_PAIRS_SET,
				   &two, 2), ==, VNET_OK);
	mq_tx(&t);
	check_tun_flags(&t, true);
	nett_rx_post(&t, 0, NETT_RX_BUF, 64);
	nett_rx_post(&t, 1, NETT_RX_BUF, 64);
	for (i = 0; i < 32; i++)
		send_udp(&t, frame, sizeof(frame), i);
	mq_collect(&t, per, 32);
	g_test_message("RX ring 0 got %u frames, RX ring 2 got %u", per[0],
		       per[1]);
	nett_fini(&t);
}

/**
 * test_ctrl() - Control queue: VQ_PAIRS_SET in range OK, out of range
 * ERR; RX modes OK; unknown class or command ERR
 */
static void test_ctrl(void)
{
	static const uint16_t pairs[] = { 2, 1, 0, 3, 0xffff };
	static const uint8_t want[] = { VNET_OK, VNET_OK, VNET_ERR, VNET_ERR,
					VNET_ERR };
	uint8_t on = 1;
	uint16_t v;
	struct nett t;
	unsigned int i;

	if (!start(&t, "--queue-pairs=2", 2))
		return;
	g_assert_true(nett_has(&t, VNET_F_CTRL_VQ));
	for (i = 0; i < G_N_ELEMENTS(pairs); i++) {
		v = GUINT16_TO_LE(pairs[i]);
		g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_MQ,
					   VNET_CTRL_MQ_PAIRS_SET, &v, 2), ==,
				 want[i]);
	}
	g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_RX, VNET_CTRL_RX_PROMISC,
				   &on, 1), ==, VNET_OK);
	g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_RX, VNET_CTRL_RX_ALLMULTI,
				   &on, 1), ==, VNET_OK);
	g_assert_cmpuint(nett_ctrl(&t, 0x55, 0, &on, 1), ==, VNET_ERR);
	g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_MQ, 9, &v, 2), ==, VNET_ERR);
	g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_ANNOUNCE, 5, NULL, 0), ==,
			 VNET_ERR);
	nett_fini(&t);
}

/**
 * test_ctrl_ack_first() - The ack is the first writable byte of a command
 * whose writable part is longer than one byte (where QEMU's own virtio-net
 * writes it: the ack is the whole device-writable part of the command), and
 * the used length is 1
 */
static void test_ctrl_ack_first(void)
{
	uint8_t cmd[3] = { VNET_CTRL_RX, VNET_CTRL_RX_PROMISC, 1 }, *ack;
	struct vuf_desc d[2];
	struct vuf_used u;
	struct nett t;

	if (!start(&t, NULL, 1))
		return;
	d[0] = (struct vuf_desc){ nett_scratch(&t, cmd, 3), 3, false };
	d[1] = (struct vuf_desc){ nett_scratch(&t, NULL, 4), 4, true };
	g_assert_cmpint(vuf_vq_post_descs(t.ctrl.vq, d, 2, false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(t.ctrl.vq), ==, 0);
	nett_wait_used(&t, &t.ctrl, &u, 1);
	ack = vuf_mem_ptr(t.mem, d[1].gpa, 4);
	g_test_message("writable bytes after the command: %02x %02x %02x "
		       "%02x, used length %u", ack[0], ack[1], ack[2], ack[3],
		       u.len);
	g_assert_cmpuint(ack[0], ==, VNET_OK);
	g_assert_cmpuint(ack[1], ==, 0xee);
	g_assert_cmpuint(u.len, ==, 1);
	nett_fini(&t);
}

/**
 * set_mtu() - NET_SET_MTU
 * @t:		Harness
 * @mtu:	The MTU
 *
 * Return: 0, or -EREMOTEIO if the back-end refused
 */
static int set_mtu(struct nett *t, uint64_t mtu)
{
	return vuf_request(nett_conn(t), VUF_NET_SET_MTU, &mtu, sizeof(mtu),
			   NULL, 0, 0, NULL);
}

/**
 * test_set_mtu() - NET_SET_MTU sets the tap's MTU; a bad one is refused
 * and changes nothing
 */
static void test_set_mtu(void)
{
	struct nett t;

	if (!start(&t, NULL, 1))
		return;
	g_assert_true(vuf_conn_has_pf(nett_conn(&t), VUF_PF_NET_MTU));
	g_assert_cmpint(set_mtu(&t, 1400), ==, 0);
	g_assert_cmpint(nett_link_mtu(t.ifname), ==, 1400);
	g_assert_cmpint(set_mtu(&t, 9000), ==, 0);
	g_assert_cmpint(nett_link_mtu(t.ifname), ==, 9000);
	g_assert_cmpint(set_mtu(&t, 67), ==, -EREMOTEIO);
	g_assert_cmpint(set_mtu(&t, 1ull << 32 | 1500), ==, -EREMOTEIO);
	g_assert_cmpint(nett_link_mtu(t.ifname), ==, 9000);
	nett_fini(&t);
}

/**
 * expect_rarp() - The next frame out of the tap is a RARP announce of @mac
 * @t:		Harness
 * @mac:	The MAC
 */
static void expect_rarp(struct nett *t, const uint8_t mac[6])
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t arp[10] = { 0x80, 0x35, 0, 1, 8, 0, 6, 4, 0, 3 };
	uint8_t buf[128];
	int r = nett_pkt_recv(t->pkt, buf, sizeof(buf), NETT_TIMEOUT_MS);

	g_assert_cmpint(r, >=, 42);
	g_assert_cmpmem(buf, 6, bcast, 6);
	g_assert_cmpmem(buf + 6, 6, mac, 6);
	g_assert_cmpmem(buf + 12, 10, arp, 10);
	g_assert_cmpmem(buf + 22, 6, mac, 6);
	g_assert_cmpmem(buf + 32, 6, mac, 6);
}

/**
 * send_rarp() - SEND_RARP
 * @t:		Harness
 * @mac:	The MAC (the first 6 bytes of the u64 payload)
 */
static void send_rarp(struct nett *t, const uint8_t mac[6])
{
	uint8_t pl[8] = { 0 };

	memcpy(pl, mac, 6);
	g_assert_cmpint(vuf_request(nett_conn(t), VUF_SEND_RARP, pl,
				    sizeof(pl), NULL, 0, 0, NULL), ==, 0);
}

/**
 * expect_config_change() - The back-end sends CONFIG_CHANGE_MSG
 * @t:		Harness (BACKEND_REQ negotiated)
 */
static void expect_config_change(struct nett *t)
{
	struct vuf_conn *c = nett_conn(t);
	struct vuf_msg m;

	if (vuf_backend_recv(c, &m, NETT_TIMEOUT_MS))
		g_error("no back-end message: %s", vuf_conn_error(c));
	g_assert_cmpuint(m.request, ==, VUF_BACKEND_CONFIG_CHANGE);
	g_assert_cmpint(vuf_backend_reply(c, &m, 0), ==, 0);
	vuf_msg_close_fds(&m);
}

/**
 * test_rarp_announce() - SEND_RARP with GUEST_ANNOUNCE: the RARP, then
 * status ANNOUNCE and a config change; the guest's ACK clears it
 */
static void test_rarp_announce(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	struct nett t;
	bool chan;

	if (!nett_init(&t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return;
	}
	t.want |= VUF_BIT(VNET_F_GUEST_ANNOUNCE);
	t.want_pf = VUF_BIT(VUF_PF_BACKEND_REQ);
	nett_start(&t, NULL, 1);
	g_assert_true(nett_has(&t, VNET_F_GUEST_ANNOUNCE));
	send_rarp(&t, mac);
	expect_rarp(&t, mac);
	g_assert_cmpuint(nett_config_u16(&t, VNET_CFG_STATUS), ==,
			 VNET_S_LINK_UP | VNET_S_ANNOUNCE);
	chan = vuf_conn_has_pf(nett_conn(&t), VUF_PF_BACKEND_REQ);
	if (chan)
		expect_config_change(&t);
	g_assert_cmpuint(nett_ctrl(&t, VNET_CTRL_ANNOUNCE,
				   VNET_CTRL_ANNOUNCE_ACK, NULL, 0), ==,
			 VNET_OK);
	g_assert_cmpuint(nett_config_u16(&t, VNET_CFG_STATUS), ==,
			 VNET_S_LINK_UP);
	if (!chan)
		g_error("BACKEND_REQ is not offered: the config change of an "
			"announce cannot be sent");
	nett_fini(&t);
}

/**
 * test_rarp_plain() - SEND_RARP without GUEST_ANNOUNCE: only the RARP
 */
static void test_rarp_plain(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x01, 0x02, 0x03 };
	struct nett t;

	if (!start(&t, NULL, 1))
		return;
	send_rarp(&t, mac);
	expect_rarp(&t, mac);
	g_assert_cmpuint(nett_config_u16(&t, VNET_CFG_STATUS), ==,
			 VNET_S_LINK_UP);
	nett_fini(&t);
}

/**
 * check_fails() - The back-end refuses to start: exit status 1 and exactly
 * one line on standard error
 * @t:		Harness
 * @opts:	Options
 * @flags:	NETT_RUN_* flags
 */
static void check_fails(const struct nett *t, const char *opts,
			unsigned int flags)
{
	struct nett_run r;
	char *nl;

	nett_run_sync(t, opts, flags, &r);
	if (WIFEXITED(r.status) &&
	    WEXITSTATUS(r.status) == NETT_RUN_SETUP_FAILED) {
		g_test_message("'%s': could not hide /dev/net/tun", opts);
		nett_run_clear(&r);
		return;
	}
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 1)
		g_error("'%s': wait status 0x%x, stderr: %s", opts, r.status,
			r.err);
	nl = strchr(r.err, '\n');
	g_assert_nonnull(nl);
	g_assert_cmpuint(nl - r.err, >, 10);
	if (nl[1])
		g_error("'%s': more than one line: %s", opts, r.err);
	*nl = 0;
	g_test_message("'%s': %s", opts, r.err);
	nett_run_clear(&r);
}

/**
 * check_capabilities() - --print-capabilities: type "net", no features
 * @out:	What it printed
 */
static void check_capabilities(const char *out)
{
	JsonParser *p = json_parser_new();
	JsonObject *o;

	g_assert_true(json_parser_load_from_data(p, out, -1, NULL));
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)));
	o = json_node_get_object(json_parser_get_root(p));
	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "net");
	g_assert_cmpuint(json_array_get_length(
		json_object_get_array_member(o, "features")), ==, 0);
	g_object_unref(p);
}

/**
 * fail_with() - check_fails() with the harness socket and more options
 * @t:		Harness
 * @opts:	Options after --socket-path
 * @flags:	NETT_RUN_* flags
 */
static void fail_with(const struct nett *t, const char *opts,
		      unsigned int flags)
{
	char *o = g_strdup_printf("--socket-path=%s %s", t->sock, opts);

	check_fails(t, o, flags);
	g_free(o);
}

/**
 * test_cmdline() - Start failures exit 1 with one line; capabilities
 */
static void test_cmdline(void)
{
	struct nett_run r;
	struct nett t;

	if (!nett_init(&t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return;
	}
	fail_with(&t, "--tap=lo", 0);
	fail_with(&t, "--tap=vutx --queue-pairs=17", 0);
	fail_with(&t, "--tap=vutx --mtu=67", 0);
	fail_with(&t, "--tap=vutx --mac=01:00:00:00:00:01", 0);
	fail_with(&t, "", 0);
	fail_with(&t, "--tap=vutx", NETT_RUN_NO_TUN);
	fail_with(&t, "--tap=vutx --queue-pairs=0", 0);
	nett_run_sync(&t, "--print-capabilities", 0, &r);
	g_assert_true(WIFEXITED(r.status));
	g_assert_cmpint(WEXITSTATUS(r.status), ==, 0);
	check_capabilities(r.out);
	nett_run_clear(&r);
	nett_fini(&t);
}

/**
 * test_sigterm() - SIGTERM ends the back-end with status 0: before any
 * front-end came, and while one is connected with buffers posted
 */
static void test_sigterm(void)
{
	uint8_t frame[100];
	struct vuf_conn *c;
	struct nett t;

	if (!nett_init(&t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return;
	}
	nett_spawn(&t, NULL);
	g_assert_cmpint(vuf_conn_connect(t.sock, NETT_TIMEOUT_MS, &c), ==, 0);
	vuf_conn_free(c);
	g_usleep(50000);
	nett_kill(&t, SIGTERM);
	t.ifname[0] = 0;
	nett_start(&t, NULL, 1);
	nett_rx_post(&t, 0, NETT_RX_BUF, 8);
	send_udp(&t, frame, sizeof(frame), 1);
	expect_rx_frame(&t, 0, frame, sizeof(frame));
	send_udp(&t, frame, sizeof(frame), 2);
	nett_kill(&t, SIGTERM);
	nett_fini(&t);
}

/**
 * tx_through() - One TX frame reaches the tap
 * @t:		Harness (connected)
 */
static void tx_through(struct nett *t)
{
	uint8_t frame[120];

	nett_udp_frame(frame, sizeof(frame), other_mac, 2, 2);
	nett_tx_frame(t, 0, NULL, frame, sizeof(frame), 2);
	nett_wait_used(t, &t->tx[0], NULL, 1);
	expect_tap_frame(t, frame, sizeof(frame));
}

/**
 * test_tap_fd() - --tap-fd: an inherited tap with a vnet header serves;
 * one without is refused
 */
static void test_tap_fd(void)
{
	struct nett t;
	char *o;
	int fd;

	if (!nett_init(&t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return;
	}
	nett_next_ifname(t.ifname);
	fd = open_tap(t.ifname, IFF_TAP | IFF_NO_PI, false);
	o = g_strdup_printf("--socket-path=%s --tap-fd=%d", t.sock, fd);
	check_fails(&t, o, 0);
	g_free(o);
	close(fd);
	fd = open_tap(t.ifname, TAP_FLAGS, false);
	o = g_strdup_printf("--tap-fd=%d", fd);
	nett_spawn(&t, o);
	close(fd);
	g_free(o);
	nett_connect(&t, 1);
	tx_through(&t);
	nett_fini(&t);
}

/**
 * test_tap_fd_mq() - --tap-fd with two queues of a multi-queue tap: two
 * queue pairs, both TX rings reach the tap
 */
static void test_tap_fd_mq(void)
{
	struct nett t;
	uint64_t num;
	int fd[2], i;
	char *o;

	if (!nett_init(&t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return;
	}
	nett_next_ifname(t.ifname);
	for (i = 0; i < 2; i++)
		fd[i] = open_tap(t.ifname, TAP_FLAGS | IFF_MULTI_QUEUE, false);
	o = g_strdup_printf("--tap-fd=%d,%d", fd[0], fd[1]);
	nett_spawn(&t, o);
	close(fd[0]);
	close(fd[1]);
	g_free(o);
	nett_connect(&t, 2);
	g_assert_cmpint(vuf_get_queue_num(nett_conn(&t), &num), ==, 0);
	g_assert_cmpuint(num, ==, 5);
	g_assert_true(nett_has(&t, VNET_F_MQ));
	mq_tx(&t);
	nett_fini(&t);
}

/**
 * test_existing_tap() - --tap names a tap that already exists (persistent):
 * the back-end attaches to it
 */
static void test_existing_tap(void)
{
	struct nett t;
	int fd;

	if (!nett_init(&t)) {
		g_test_skip("VU_NET is not set or no network namespace");
		return;
	}
	nett_next_ifname(t.ifname);
	fd = open_tap(t.ifname, TAP_FLAGS, true);
	g_assert_cmpint(ioctl(fd, TUNSETPERSIST, 1), ==, 0);
	close(fd);
	nett_start(&t, NULL, 1);
	tx_through(&t);
	nett_stop(&t);
	fd = open_tap(t.ifname, TAP_FLAGS, true);
	g_assert_cmpint(ioctl(fd, TUNSETPERSIST, 0), ==, 0);
	close(fd);
	nett_fini(&t);
}

/**
 * test_packed() - TX and RX over packed rings
 */
static void test_packed(void)
{
	uint8_t frame[700];
	struct nett t;

	if (!start_with(&t, NULL, 1, VUF_BIT(VUF_F_RING_PACKED), 0))
		return;
	g_assert_true(nett_has(&t, VUF_F_RING_PACKED));
	tx_through(&t);
	nett_rx_post(&t, 0, NETT_RX_BUF, 4);
	send_udp(&t, frame, sizeof(frame), 4);
	expect_rx_frame(&t, 0, frame, sizeof(frame));
	nett_fini(&t);
}

/**
 * main() - Enter a private network namespace, register the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (!nett_netns_enter())
		g_printerr("# no private network namespace (%s): skipping\n",
			   g_strerror(errno));
	g_test_add_func("/net/features", test_features);
	g_test_add_func("/net/config", test_config);
	g_test_add_func("/net/config/default-mac", test_default_mac);
	g_test_add_func("/net/tx/split", test_tx_split);
	g_test_add_func("/net/tx/batch", test_tx_batch);
	g_test_add_func("/net/poll", test_poll);
	g_test_add_func("/net/tx/disabled", test_tx_disabled);
	g_test_add_func("/net/rx/basic", test_rx_basic);
	g_test_add_func("/net/rx/split-chain", test_rx_split_chain);
	g_test_add_func("/net/rx/mergeable", test_rx_mergeable);
	g_test_add_func("/net/rx/too-big", test_rx_too_big);
	g_test_add_func("/net/rx/no-buffers", test_rx_no_buffers);
	g_test_add_func("/net/rx/disabled", test_rx_disabled);
	g_test_add_func("/net/hostile/tx", test_hostile_tx);
	g_test_add_func("/net/hostile/rx", test_hostile_rx);
	g_test_add_func("/net/hostile/rx-gap", test_hostile_rx_gap);
	g_test_add_func("/net/offload/tx-csum", test_offload_tx_csum);
	g_test_add_func("/net/offload/tx-gso", test_offload_tx_gso);
	g_test_add_func("/net/offload/rx-csum", test_offload_rx_csum);
	g_test_add_func("/net/offload/rx-gso", test_offload_rx_gso);
	g_test_add_func("/net/mq", test_mq);
	g_test_add_func("/net/ctrl", test_ctrl);
	g_test_add_func("/net/ctrl/ack-first", test_ctrl_ack_first);
	g_test_add_func("/net/set-mtu", test_set_mtu);
	g_test_add_func("/net/rarp/announce", test_rarp_announce);
	g_test_add_func("/net/rarp/plain", test_rarp_plain);
	g_test_add_func("/net/cmdline", test_cmdline);
	g_test_add_func("/net/sigterm", test_sigterm);
	g_test_add_func("/net/tap-fd", test_tap_fd);
	g_test_add_func("/net/tap-fd/mq", test_tap_fd_mq);
	g_test_add_func("/net/existing-tap", test_existing_tap);
	g_test_add_func("/net/packed", test_packed);
	return g_test_run();
}
