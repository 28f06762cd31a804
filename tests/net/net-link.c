// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-link.c - the network side of the tests: interface flags and MTU,
 * AF_PACKET sockets on the tap (see net-harness.h), and the CPU time a
 * process used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "net-harness.h"

/**
 * link_ioctl() - An interface ioctl on a throw-away socket
 * @ifname:	Interface
 * @req:	SIOC* request
 * @ifr:	In/out request (its name is set here)
 *
 * Return: 0, or a negative errno
 */
static int link_ioctl(const char *ifname, unsigned long req,
		      struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	g_assert_cmpint(s, >=, 0);
	g_strlcpy(ifr->ifr_name, ifname, sizeof(ifr->ifr_name));
	if (ioctl(s, req, ifr) < 0)
		r = -errno;
	close(s);
	return r;
}

/**
 * nett_link_index() - An interface's index
 * @ifname:	Interface
 *
 * Return: the index, 0 if there is no such interface
 */
int nett_link_index(const char *ifname)
{
	return (int)if_nametoindex(ifname);
}

/**
 * nett_link_up() - Bring an interface up (`ip link set IFNAME up`)
 * @ifname:	Interface
 */
void nett_link_up(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int r = link_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	if (!r) {
		ifr.ifr_flags |= IFF_UP;
		r = link_ioctl(ifname, SIOCSIFFLAGS, &ifr);
	}
	if (r)
		g_error("%s up: %s", ifname, g_strerror(-r));
}

/**
 * nett_link_mtu() - An interface's MTU (SIOCGIFMTU)
 * @ifname:	Interface
 *
 * Return: the MTU
 */
int nett_link_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int r = link_ioctl(ifname, SIOCGIFMTU, &ifr);

	if (r)
		g_error("%s MTU: %s", ifname, g_strerror(-r));
	return ifr.ifr_mtu;
}

/**
 * nett_pkt_open() - An AF_PACKET socket that sees every frame of an
 * interface and sends frames out of it
 * @ifindex:	Interface
 * @vnet:	Every frame sent or received carries a 10-byte virtio-net
 *		header (PACKET_VNET_HDR): offload metadata
 *
 * On a tap, a frame sent here goes to the tap's reader (the guest's RX)
 * and a frame the reader writes is received here (the guest's TX).
 *
 * Return: the socket
 */
int nett_pkt_open(int ifindex, bool vnet)
{
	struct sockaddr_ll a = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), on = 1;

	g_assert_cmpint(fd, >=, 0);
	if (vnet)
		g_assert_cmpint(setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &on,
					   sizeof(on)), ==, 0);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		g_error("bind AF_PACKET: %s", g_strerror(errno));
	return fd;
}

/**
 * pkt_sendv() - Send one frame from its pieces
 * @fd:		AF_PACKET socket (bound)
 * @iov:	Pieces
 * @n:		Number of @iov
 * @len:	Their total
 */
static void pkt_sendv(int fd, struct iovec *iov, unsigned int n, size_t len)
{
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = n };
	ssize_t r = sendmsg(fd, &m, 0);

	if (r < 0)
		g_error("AF_PACKET send of %zu bytes: %s", len,
			g_strerror(errno));
	g_assert_cmpint(r, ==, (ssize_t)len);
}

/**
 * nett_pkt_send() - Send a frame out of the interface (into the tap)
 * @fd:		AF_PACKET socket from nett_pkt_open(.., false)
 * @frame:	Ethernet frame
 * @len:	Its length
 */
void nett_pkt_send(int fd, const void *frame, size_t len)
{
	struct iovec iov = { (void *)frame, len };

	pkt_sendv(fd, &iov, 1, len);
}

/**
 * nett_pkt_send_vnet() - Send a frame with offload metadata
 * @fd:		AF_PACKET socket from nett_pkt_open(.., true)
 * @h:		Its virtio-net header (num_buffers is not sent)
 * @frame:	Ethernet frame
 * @len:	Its length
 */
void nett_pkt_send_vnet(int fd, const struct vnet_hdr *h, const void *frame,
			size_t len)
{
	uint8_t hb[VNET_PKT_HDR_LEN];
	struct iovec iov[2] = { { hb, sizeof(hb) }, { (void *)frame, len } };

	nett_hdr_encode(h, hb, sizeof(hb));
	pkt_sendv(fd, iov, 2, sizeof(hb) + len);
}

/**
 * pkt_recvv() - Receive the next frame that came in (frames the interface
 * sent itself are skipped)
 * @fd:		AF_PACKET socket
 * @iov:	Where it goes
 * @n:		Number of @iov
 * @timeout_ms:	How long to wait
 *
 * Return: bytes received (the real size, even if truncated), or -1 if
 * none came in time
 */
static int pkt_recvv(int fd, struct iovec *iov, unsigned int n,
		     int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sockaddr_ll a;
	struct msghdr m;
	ssize_t r;

	for (;;) {
		m = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof(a),
				     .msg_iov = iov, .msg_iovlen = n };
		r = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
		if (r >= 0 && a.sll_pkttype != PACKET_OUTGOING)
			return (int)r;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			g_error("AF_PACKET receive: %s", g_strerror(errno));
		if (r >= 0)
			continue;
		timeout_ms = (int)((end - g_get_monotonic_time()) / 1000);
		if (timeout_ms <= 0 || poll(&p, 1, timeout_ms) == 0)
			return -1;
	}
}

/**
 * nett_pkt_recv() - Receive the next frame the tap's reader wrote
 * @fd:		AF_PACKET socket from nett_pkt_open(.., false)
 * @buf:	Where it goes
 * @size:	Size of @buf
 * @timeout_ms:	How long to wait
 *
 * Return: frame length, or -1 if none came in time
 */
int nett_pkt_recv(int fd, void *buf, size_t size, int timeout_ms)
{
	struct iovec iov = { buf, size };

	return pkt_recvv(fd, &iov, 1, timeout_ms);
}

/**
 * nett_pkt_recv_vnet() - Receive the next frame with its offload metadata
 * @fd:		AF_PACKET socket from nett_pkt_open(.., true)
 * @h:		Its header (num_buffers 0)
 * @buf:	Where the frame goes
 * @size:	Size of @buf
 * @timeout_ms:	How long to wait
 *
 * Return: frame length, or -1 if none came in time
 */
int nett_pkt_recv_vnet(int fd, struct vnet_hdr *h, void *buf, size_t size,
		       int timeout_ms)
{
	uint8_t hb[VNET_PKT_HDR_LEN];
	struct iovec iov[2] = { { hb, sizeof(hb) }, { buf, size } };
	int r = pkt_recvv(fd, iov, 2, timeout_ms);

	if (r < 0)
		return -1;
	g_assert_cmpint(r, >=, (int)sizeof(hb));
	nett_hdr_decode(hb, sizeof(hb), h);
	return r - (int)sizeof(hb);
}

/**
 * nett_pkt_expect_none() - Check that no frame comes in for a while
 * @fd:		AF_PACKET socket (plain)
 * @ms:		How long
 */
void nett_pkt_expect_none(int fd, int ms)
{
	uint8_t buf[128];
	int r = nett_pkt_recv(fd, buf, sizeof(buf), ms);

	if (r >= 0)
		g_error("unexpected %d-byte frame on the tap (ethertype "
			"%02x%02x)", r, buf[12], buf[13]);
}

/**
 * nett_pkt_drain() - Throw away what was received so far
 * @fd:		AF_PACKET socket
 */
void nett_pkt_drain(int fd)
{
	uint8_t buf[64];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

/**
 * nett_cpu_ms() - CPU time (user + system, all threads) a process used
 * @pid:	The process
 *
 * Return: milliseconds, at the clock tick's resolution
 */
uint64_t nett_cpu_ms(GPid pid)
{
	char *path = g_strdup_printf("/proc/%d/stat", (int)pid), *buf, *p;
	unsigned long long ut, st;
	long hz = sysconf(_SC_CLK_TCK);

	g_assert_true(g_file_get_contents(path, &buf, NULL, NULL));
	g_free(path);
	/* After "pid (comm)": state is field 3, utime 14, stime 15 */
	p = strrchr(buf, ')');
	g_assert_nonnull(p);
	g_assert_cmpint(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
			       "%*u %*u %llu %llu", &ut, &st), ==, 2);
	g_free(buf);
	return (ut + st) * 1000ull / (uint64_t)(hz > 0 ? hz : 100);
}
