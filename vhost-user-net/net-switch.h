/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net-switch.h - the built-in switch's internals, shared by its set-up and
 * learning (net-switch.c) and its data path (net-switch-fwd.c).
 *
 * Every port is a device of its own, but all ports are one worker group:
 * their rings run on one thread under one lock. A frame is copied once,
 * from the sender's TX chain straight into the destination's RX chains.
 */
#ifndef NET_SWITCH_H
#define NET_SWITCH_H

#include "net-int.h"

#define SW_MAX_PORTS	64			/* bits of sw_port.waiters */
#define SW_MACS		256			/* learnt addresses */
#define SW_AGE_US	(300 * G_USEC_PER_SEC)	/* address ageing */
#define SW_HOLD_US	(100 * 1000)		/* a unicast frame waits at
						 * most this long for the
						 * destination's buffers */
#define SW_STASH	64			/* RX chains popped ahead; the
						 * most one frame may fill */
#define SW_CHAIN_IOV	16			/* descriptors per RX chain */
#define SW_TX_BURST	32			/* TX chains popped at once */

/**
 * struct sw_port - the switch's view of one port
 * @net:	The port's device
 * @waiters:	Ports whose TX waits for RX buffers here (bit per port)
 * @held_since:	Monotonic time (us) the head of this port's TX ring began
 *		to wait for a destination's buffers; 0 if it does not
 * @rx_dirty:	RX entries were used since the last publish
 * @tx_dirty:	TX entries were used since the last publish
 * @stalled:	A frame for this port waited SW_HOLD_US in vain: drop its
 *		unicast frames at once until it posts RX buffers
 * @dropped:	Frames for this port dropped (no ring, no room, too big)
 * @stash:	RX chains popped ahead
 * @used:	RX chains filled, their used entries not yet written
 * @used_len:	Bytes written into each
 * @nused:	Entries in @used
 */
struct sw_port {
	struct net *net;
	uint64_t waiters;
	gint64 held_since;
	bool rx_dirty;
	bool tx_dirty;
	bool stalled;
	uint64_t dropped;
	struct sw_stash *stash;
	struct vu_elem used[SW_STASH];
	uint32_t used_len[SW_STASH];
	unsigned int nused;
};

/**
 * struct sw_mac - a learnt address
 * @mac:	Address
 * @port:	Port it was seen on
 * @seen:	Monotonic time it was last seen (us)
 */
struct sw_mac {
	uint8_t mac[6];
	unsigned int port;
	gint64 seen;
};

/**
 * struct sw_stash - RX chains of a port popped ahead of the frames that
 * fill them, within one round (a ring of SW_STASH slots)
 * @elem:	Chains
 * @iov:	Their buffers
 * @cap:	Writable bytes of each
 * @head:	Slot of the first
 * @n:		Chains held
 */
struct sw_stash {
	struct vu_elem elem[SW_STASH];
	struct iovec iov[SW_STASH][SW_CHAIN_IOV];
	uint32_t cap[SW_STASH];
	unsigned int head;
	unsigned int n;
};

/**
 * struct net_switch - the switch (everything here is used on the ports'
 * one worker, under its lock)
 * @ports:	Ports
 * @nports:	Number of @ports
 * @macs:	Learnt addresses
 * @nmacs:	Entries used in @macs
 * @mac_hint:	The two entries sw_mac_find() found last
 * @tx:		Scratch: a burst of TX chains
 * @tx_iov:	Their buffers, NET_IOV_MAX per chain
 * @poll_us:	--poll-us: busy-poll the TX rings this long after the last
 *		frame (0: kicks only)
 * @now:	Monotonic time of the current round (us)
 * @tfd:	Timerfd: a held frame's wait runs out
 * @twatch:	Watch on @tfd (made on the first TX kick)
 * @twatch_port: The port whose instance @twatch belongs to
 * @timer_armed: @tfd is armed
 */
struct net_switch {
	struct sw_port *ports;
	unsigned int nports;
	struct sw_mac macs[SW_MACS];
	unsigned int nmacs;
	unsigned int mac_hint[2];
	struct vu_elem tx[SW_TX_BURST];
	struct iovec *tx_iov;
	unsigned int poll_us;
	gint64 now;
	int tfd;
	void *twatch;
	struct net *twatch_port;
	bool timer_armed;
};

/* net-switch.c */
int sw_route(struct net_switch *sw, const uint8_t *eth, unsigned int port);

#endif /* NET_SWITCH_H */
