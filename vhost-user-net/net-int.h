/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net-int.h - vhost-user-net's internals: the device, its queue pairs and
 * the tap they are served by.
 *
 * Rings: RX of pair i is ring 2i, TX ring 2i + 1, the control queue ring
 * 2N. Each pair has a worker thread of its own (the control queue runs on
 * pair 0's) and a tap queue fd: TX chains are written to it with writev()
 * straight from guest memory, RX frames read with readv() straight into
 * guest buffers. The virtio-net header (12 bytes with VERSION_1) is the
 * tap's vnet header, so offloads pass through untouched.
 */
#ifndef NET_INT_H
#define NET_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>
#include <glib.h>
#include <sys/uio.h>

#include "vu-device.h"

#define NET_MAX_PAIRS		16
#define NET_HDR_SIZE		12u	/* struct virtio_net_hdr_mrg_rxbuf */
#define NET_ETH_HLEN		14u
#define NET_CONFIG_SIZE		12u	/* mac, status, max pairs, mtu */
/* Largest frame a tap hands out or takes: 64 KiB GSO + Ethernet + VLAN */
#define NET_FRAME_MAX		(65535u + NET_ETH_HLEN + 4u)
#define NET_IOV_MAX		1024u	/* UIO_MAXIOV */
#define NET_RX_STASH		128u	/* chains kept popped for RX */

#ifndef VIRTIO_ID_NET
#define VIRTIO_ID_NET		1
#endif

/**
 * struct net_opts - the device options
 * @tap:	--tap interface name, or NULL
 * @tap_fds:	--tap-fd descriptors
 * @ntap_fds:	Number of @tap_fds
 * @pairs:	--queue-pairs
 * @mac:	--mac (or the generated one)
 * @mtu:	--mtu, 0 if not given
 * @poll_us:	--poll-us, 0 if not given
 */
struct net_opts {
	const char *tap;
	int tap_fds[NET_MAX_PAIRS];
	unsigned int ntap_fds;
	unsigned int pairs;
	uint8_t mac[6];
	unsigned int mtu;
	unsigned int poll_us;
};

/* RX chains popped ahead of the frames that fill them (net-rx.c) */
struct net_rx_stash;
/* The built-in switch (net-switch.c) */
struct net_switch;

/**
 * struct net_pair - one queue pair
 * @net:	Device
 * @index:	Pair number
 * @fd:		Tap queue fd (non-blocking)
 * @rx_watch:	Watch on @fd on the pair's worker, NULL while not reading
 * @rxq:	The RX ring while started, else NULL
 * @stash:	RX chains popped ahead (net-rx.c)
 * @tx_iov:	TX chain buffers (NET_IOV_MAX)
 * @tx_dropped:	TX chains dropped
 * @rx_dropped:	RX frames dropped
 * @tx_logged:	A bad TX chain was logged
 * @rx_logged:	A bad RX chain was logged
 * @detached:	The tap queue is detached (its RX ring is disabled)
 */
struct net_pair {
	struct net *net;
	unsigned int index;
	int fd;
	void *rx_watch;
	struct vu_queue *rxq;
	struct net_rx_stash *stash;
	struct iovec *tx_iov;
	uint64_t tx_dropped;
	uint64_t rx_dropped;
	bool tx_logged;
	bool rx_logged;
	bool detached;
};

/**
 * struct net - the device instance (one per process)
 * @device:	What the core serves
 * @opts:	Options
 * @ifname:	The tap's interface name
 * @pairs:	Queue pairs
 * @tun_offloads: TUN_F_* flags the tap accepts (probed at start)
 * @dev:	The core's instance, known from the first callback
 * @mergeable:	MRG_RXBUF negotiated
 * @rx_need:	Buffer bytes a frame may need (header included): from the
 *		tap's MTU, or 64 KiB when the guest takes GSO frames
 * @mtu:	The tap's MTU
 * @status:	Config status bits (LINK_UP, ANNOUNCE)
 * @sw:		The switch this device is a port of, or NULL (tap)
 * @sw_port:	Its port number
 */
struct net {
	struct vu_device device;
	struct net_opts opts;
	char ifname[16];
	struct net_pair pairs[NET_MAX_PAIRS];
	unsigned int tun_offloads;
	struct vu_dev *dev;
	bool mergeable;
	uint32_t rx_need;
	unsigned int mtu;
	uint16_t status;
	struct net_switch *sw;
	unsigned int sw_port;
};

/* net-tap.c */
bool net_tap_open(struct net *n, GError **err);
void net_tap_close(struct net *n);
int net_tap_set_offloads(struct net *n, uint64_t features);
int net_tap_set_mtu(struct net *n, unsigned int mtu);
int net_tap_get_mtu(struct net *n);
void net_tap_attach_queue(struct net_pair *p, bool on);

/* net-tx.c */
bool net_tx_check(struct net_pair *p, const struct vu_elem *elem,
		  uint64_t *len);
unsigned int net_tx_run(struct net_pair *p, struct vu_dev *dev,
			struct vu_queue *vq);
void net_tx_kicked(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq);
void net_send_rarp(struct net *n, const uint8_t *mac);

/* net-rx.c */
void net_rx_start(struct net_pair *p, struct vu_dev *dev,
		  struct vu_queue *vq);
void net_rx_stop(struct net_pair *p, struct vu_dev *dev);
void net_rx_kicked(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq);
void net_rx_stash_free(struct net_pair *p);
unsigned int net_rx_poll(struct net_pair *p, struct vu_dev *dev);

/* net-poll.c */
void net_pair_poll(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq);

/* net-ctrl.c */
void net_ctrl_kicked(struct net *n, struct vu_dev *dev, struct vu_queue *vq);

/* net-dev.c */
struct net *net_new(const struct net_opts *o, GError **err);
struct net *net_new_port(const struct net_opts *o, struct net_switch *sw,
			 unsigned int port);
void net_free(struct net *n);

/* net-switch.c */
struct net *net_switch_new(const struct net_opts *o, char **paths,
			   GError **err);
void net_switch_free(struct net_switch *sw);
void net_switch_tx_kicked(struct net_pair *p, struct vu_dev *dev,
			  struct vu_queue *vq);
void net_switch_rx_kicked(struct net_pair *p, struct vu_dev *dev,
			  struct vu_queue *vq);
void net_switch_rx_stop(struct net_pair *p, struct vu_dev *dev);
void net_switch_reset(struct net *n);
void net_switch_timer_move(struct net *n);
void net_switch_rarp(struct net *n, uint8_t *frame, uint32_t len);

#endif /* NET_INT_H */
