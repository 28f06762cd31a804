/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net-harness.h - running vhost-user-net on a real tap inside a private
 * network namespace, and driving it: libvuf plays the guest (config space,
 * RX, TX and control rings) and an AF_PACKET socket on the tap plays the
 * network (it sees what the guest sent and sends what the guest receives).
 */
#ifndef NET_HARNESS_H
#define NET_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "vuf.h"

/* virtio-net feature bits, from the virtio 1.2 specification (5.1.3) */
#define VNET_F_CSUM		0
#define VNET_F_GUEST_CSUM	1
#define VNET_F_MTU		3
#define VNET_F_MAC		5
#define VNET_F_GUEST_TSO4	7
#define VNET_F_GUEST_TSO6	8
#define VNET_F_GUEST_ECN	9
#define VNET_F_GUEST_UFO	10
#define VNET_F_HOST_TSO4	11
#define VNET_F_HOST_TSO6	12
#define VNET_F_HOST_ECN		13
#define VNET_F_HOST_UFO		14
#define VNET_F_MRG_RXBUF	15
#define VNET_F_STATUS		16
#define VNET_F_CTRL_VQ		17
#define VNET_F_CTRL_RX		18
#define VNET_F_GUEST_ANNOUNCE	21
#define VNET_F_MQ		22

/* struct virtio_net_hdr flags and gso types */
#define VNET_HDR_F_NEEDS_CSUM	1u
#define VNET_HDR_F_DATA_VALID	2u
#define VNET_GSO_NONE		0u
#define VNET_GSO_TCPV4		1u
#define VNET_GSO_UDP		3u
#define VNET_GSO_TCPV6		4u

/* Config space (struct virtio_net_config, the part the device has) */
#define VNET_CFG_MAC		0
#define VNET_CFG_STATUS		6
#define VNET_CFG_MAX_PAIRS	8
#define VNET_CFG_MTU		10
#define VNET_CFG_SIZE		12
#define VNET_S_LINK_UP		1u
#define VNET_S_ANNOUNCE		2u

/* Control queue classes and commands */
#define VNET_CTRL_RX		0
#define VNET_CTRL_RX_PROMISC	0
#define VNET_CTRL_RX_ALLMULTI	1
#define VNET_CTRL_ANNOUNCE	3
#define VNET_CTRL_ANNOUNCE_ACK	0
#define VNET_CTRL_MQ		4
#define VNET_CTRL_MQ_PAIRS_SET	0
#define VNET_OK			0
#define VNET_ERR		1
#define VNET_ACK_NONE		0xeeu	/* ack byte before the device writes */

#define VNET_HDR_LEN		12u	/* virtio_net_hdr_mrg_rxbuf */
#define VNET_PKT_HDR_LEN	10u	/* PACKET_VNET_HDR: virtio_net_hdr */
#define ETH_HDR_LEN		14u
#define IP4_HDR_LEN		20u
#define UDP_HDR_LEN		8u
#define TCP_HDR_LEN		20u
#define NETT_FRAME_MAX		(65536u + 64u)

#define NETT_MAX_PAIRS		4u
#define NETT_GPA		0x100000ull
#define NETT_RAM		(48u << 20)
#define NETT_QSIZE		256u
#define NETT_SLOT		4096u	/* buffer bytes per chain id */
#define NETT_RX_BUF		2048u	/* default RX chain */
#define NETT_TIMEOUT_MS		5000
#define NETT_QUIET_MS		300	/* "nothing more comes" */
#define NETT_MAX_USED		64u	/* chains of one received frame */
#define NETT_RUN_NO_TUN		1u	/* nett_run_sync(): hide /dev/net/tun */
#define NETT_RUN_SETUP_FAILED	99	/* ... and that failed: exit status */

/**
 * struct vnet_hdr - the 12-byte virtio-net header, host byte order
 * @flags:	VNET_HDR_F_*
 * @gso_type:	VNET_GSO_*
 * @hdr_len:	Header bytes (GSO)
 * @gso_size:	Segment payload size
 * @csum_start:	Where checksumming starts
 * @csum_offset: Where the checksum goes, from @csum_start
 * @num_buffers: Chains of a merged frame
 */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/**
 * struct nettq - one ring and the completions taken from it, not yet used
 * @vq:		The ring, NULL if not started
 * @pend:	Completions collected ahead (a FIFO)
 * @head:	Index of the oldest in @pend
 * @count:	How many are in @pend
 */
struct nettq {
	struct vuf_vq *vq;
	struct vuf_used pend[NETT_QSIZE];
	unsigned int head;
	unsigned int count;
};

/**
 * struct nett - one vhost-user-net under test, its tap, and the guest
 * @daemon:	Back-end binary (VU_NET)
 * @dir:	Temporary directory holding the socket
 * @sock:	vhost-user socket path
 * @ifname:	The tap's name (vutapN, unique in the test)
 * @pid:	Running back-end, 0 if none
 * @pairs:	Queue pairs started by nett_connect()
 * @want:	Virtio features to ask for (nett_init() sets the usual ones)
 * @want_pf:	Protocol features to ask for on top of the usual ones
 * @features:	Negotiated virtio features
 * @mem:	Guest memory
 * @s:		Session, NULL until nett_connect()
 * @rx:		RX rings (ring 2i)
 * @tx:		TX rings (ring 2i + 1)
 * @ctrl:	Control queue (ring 2 * @pairs)
 * @ifindex:	The tap's interface index, 0 before nett_connect()
 * @pkt:	AF_PACKET socket on the tap, -1 before nett_connect()
 */
struct nett {
	const char *daemon;
	char *dir;
	char *sock;
	char ifname[16];
	GPid pid;
	unsigned int pairs;
	uint64_t want;
	uint64_t want_pf;
	uint64_t features;
	struct vuf_mem *mem;
	struct vuf_session *s;
	struct nettq rx[NETT_MAX_PAIRS];
	struct nettq tx[NETT_MAX_PAIRS];
	struct nettq ctrl;
	int ifindex;
	int pkt;
};

/**
 * struct nett_frame - one frame received by the guest
 * @hdr:	Its virtio-net header (from the first chain)
 * @data:	The frame (header stripped), reassembled over the chains
 * @len:	Bytes of @data
 * @nused:	Chains it came in
 * @nempty:	Chains returned empty (used length 0) just before it
 * @used_len:	Used length of each chain
 */
struct nett_frame {
	struct vnet_hdr hdr;
	uint8_t data[NETT_FRAME_MAX];
	uint32_t len;
	unsigned int nused;
	unsigned int nempty;
	uint32_t used_len[NETT_MAX_USED];
};

/**
 * struct nett_run - what a daemon run to completion left behind
 * @status:	Wait status (-1 if it had to be killed after 5 s)
 * @out:	Its standard output
 * @err:	Its standard error
 */
struct nett_run {
	int status;
	char *out;
	char *err;
};

/* net-harness.c: namespace, daemon, session */
bool nett_netns_enter(void);
bool nett_init(struct nett *t);
void nett_fini(struct nett *t);
void nett_next_ifname(char name[16]);
void nett_spawn(struct nett *t, const char *opts);
void nett_kill(struct nett *t, int sig);
void nett_connect(struct nett *t, unsigned int pairs);
void nett_start(struct nett *t, const char *opts, unsigned int pairs);
void nett_stop(struct nett *t);
struct vuf_conn *nett_conn(const struct nett *t);
bool nett_has(const struct nett *t, unsigned int bit);
void nett_run_sync(const struct nett *t, const char *opts, unsigned int flags,
		   struct nett_run *r);
void nett_run_clear(struct nett_run *r);

/* net-link.c: interfaces, AF_PACKET, process accounting */
int nett_link_index(const char *ifname);
void nett_link_up(const char *ifname);
int nett_link_mtu(const char *ifname);
int nett_pkt_open(int ifindex, bool vnet);
void nett_pkt_send(int fd, const void *frame, size_t len);
void nett_pkt_send_vnet(int fd, const struct vnet_hdr *h, const void *frame,
			size_t len);
int nett_pkt_recv(int fd, void *buf, size_t size, int timeout_ms);
int nett_pkt_recv_vnet(int fd, struct vnet_hdr *h, void *buf, size_t size,
		       int timeout_ms);
void nett_pkt_expect_none(int fd, int ms);
void nett_pkt_drain(int fd);
uint64_t nett_cpu_ms(GPid pid);

/* net-queues.c: the rings */
int nett_tx_post(struct nett *t, unsigned int pair, const struct iovec *iov,
		 unsigned int n);
int nett_tx_frame(struct nett *t, unsigned int pair,
		  const struct vnet_hdr *h, const void *frame, size_t len,
		  unsigned int pieces);
void nett_wait_used(struct nett *t, struct nettq *q, struct vuf_used *u,
		    unsigned int n);
bool nettq_next(struct nettq *q, struct vuf_used *u, int timeout_ms);
void nett_expect_no_used(struct nettq *q, int ms);
int nett_rx_post(struct nett *t, unsigned int pair, uint32_t len,
		 unsigned int count);
bool nett_rx_frame(struct nett *t, unsigned int pair, struct nett_frame *f,
		   int timeout_ms);
uint8_t nett_ctrl(struct nett *t, uint8_t cls, uint8_t cmd,
		  const void *data, uint32_t len);
uint64_t nett_scratch(struct nett *t, const void *bytes, uint32_t len);
void nett_config(struct nett *t, uint8_t cfg[VNET_CFG_SIZE]);
uint16_t nett_config_u16(struct nett *t, unsigned int off);

/* net-frames.c: building and checking frames */
void nett_hdr_encode(const struct vnet_hdr *h, uint8_t *buf, size_t len);
void nett_hdr_decode(const uint8_t *buf, size_t len, struct vnet_hdr *h);
size_t nett_udp_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
		      uint16_t sport, uint32_t seed);
size_t nett_tcp_frame(uint8_t *buf, size_t payload, uint32_t seed);
void nett_l4_seed_csum(uint8_t *frame, size_t len);
bool nett_l4_csum_ok(const uint8_t *frame, size_t len);
void nett_complete_csum(uint8_t *frame, size_t len,
			const struct vnet_hdr *h);

#endif /* NET_HARNESS_H */
