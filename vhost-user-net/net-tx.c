// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-tx.c - guest to tap: each TX chain (virtio-net header + frame) is
 * written to the pair's tap queue with one writev() straight from guest
 * memory; the header is the tap's vnet header, so checksum and
 * segmentation offloads cost nothing here. Also the RARP of SEND_RARP.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net-int.h"
#include "vu-iov.h"

#define TX_BATCH	256	/* chains per worker run */
#define RARP_LEN	60	/* padded to the Ethernet minimum */

/**
 * tx_drop() - Count a dropped chain, logging the first of a pair
 * @p:		Queue pair
 * @why:	Reason
 * @id:		Chain head
 */
static void tx_drop(struct net_pair *p, const char *why, unsigned int id)
{
	p->tx_dropped++;
	if (!p->tx_logged)
		g_warning("pair %u: TX chain %u dropped: %s (logged once)",
			  p->index, id, why);
	p->tx_logged = true;
}

/**
 * net_tx_check() - Is a TX chain a frame we can send
 * @p:		Queue pair
 * @elem:	Chain
 * @len:	Set to its length, header included
 *
 * Return: true if so; else the chain was counted (and the first logged)
 */
bool net_tx_check(struct net_pair *p, const struct vu_elem *elem,
		  uint64_t *len)
{
	*len = elem->out_num == 1 ? elem->iov[0].iov_len :
	       vu_iov_length(elem->iov, elem->out_num);
	if (elem->in_num) {
		tx_drop(p, "device-writable buffers in a TX chain", elem->id);
		return false;
	}
	if (*len < NET_HDR_SIZE + NET_ETH_HLEN ||
	    *len > NET_HDR_SIZE + NET_FRAME_MAX) {
		tx_drop(p, "bad length", elem->id);
		return false;
	}
	return true;
}

/**
 * tx_send() - Write one chain to the tap
 * @p:		Queue pair
 * @elem:	Chain
 */
static void tx_send(struct net_pair *p, const struct vu_elem *elem)
{
	uint64_t len;
	ssize_t n;

	if (!net_tx_check(p, elem, &len))
		return;
	do {
		n = writev(p->fd, elem->iov, (int)elem->out_num);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return;
	if (errno == EAGAIN || errno == ENOBUFS)
		p->tx_dropped++;
	else
		tx_drop(p, g_strerror(errno), elem->id);
}

/**
 * net_tx_run() - Send what the guest queued on a tap pair's TX ring
 * @p:		Queue pair (tap)
 * @dev:	Device
 * @vq:		TX ring (on the pair's worker, lock held)
 *
 * A disabled ring's chains are consumed without being sent, as the
 * vhost-user specification asks. At most TX_BATCH chains, one
 * notification.
 *
 * Return: chains consumed
 */
unsigned int net_tx_run(struct net_pair *p, struct vu_dev *dev,
			struct vu_queue *vq)
{
	struct vu_elem elem;
	unsigned int n;

	for (n = 0; n < TX_BATCH; n++) {
		elem.iov = p->tx_iov;
		elem.iov_max = NET_IOV_MAX;
		if (vu_queue_pop(vq, &elem) <= 0)
			break;
		if (vq->enabled)
			tx_send(p, &elem);
		else
			p->tx_dropped++;
		vu_queue_push(vq, &elem, 0);
	}
	if (n)
		vu_dev_complete(dev, vq);
	return n;
}

/**
 * net_tx_kicked() - The guest queued frames on a TX ring
 * @p:		Queue pair
 * @dev:	Device
 * @vq:		TX ring (on the pair's worker, lock held)
 *
 * Switch ports forward instead (net-switch-fwd.c); with --poll-us the
 * pair is polled for a while (net-poll.c); else a full batch reschedules
 * the ring so other work on the worker gets its turn.
 */
void net_tx_kicked(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq)
{
	if (p->net->sw) {
		net_switch_tx_kicked(p, dev, vq);
		return;
	}
	if (p->net->opts.poll_us) {
		net_pair_poll(p, dev, vq);
		return;
	}
	if (net_tx_run(p, dev, vq) == TX_BATCH)
		vu_dev_kick(dev, vq);
}

/**
 * net_send_rarp() - Announce a MAC upstream: a RARP broadcast from it
 * @n:		Device
 * @mac:	The guest's MAC
 *
 * SEND_RARP comes after a migration, so that switches learn where the
 * guest is now. Written to tap queue 0 with an all-zero vnet header.
 */
void net_send_rarp(struct net *n, const uint8_t *mac)
{
	uint8_t buf[NET_HDR_SIZE + RARP_LEN] = { 0 };
	uint8_t *f = buf + NET_HDR_SIZE;
	static const uint8_t arp_hdr[] = {
		0x80, 0x35,		/* ethertype RARP */
		0x00, 0x01, 0x08, 0x00,	/* Ethernet, IPv4 */
		6, 4, 0x00, 0x03,	/* sizes, op: request reverse */
	};

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	memcpy(f + 12, arp_hdr, sizeof(arp_hdr));
	memcpy(f + 22, mac, 6);		/* sender hardware address */
	memcpy(f + 32, mac, 6);		/* target hardware address */
	if (n->sw)
		net_switch_rarp(n, buf, sizeof(buf));
	else if (write(n->pairs[0].fd, buf, sizeof(buf)) < 0)
		g_warning("RARP: %s", g_strerror(errno));
	else
		g_message("RARP sent for %02x:%02x:%02x:%02x:%02x:%02x",
			  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
