// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-dev.c - the vhost-user-net device: features, config space, the rings
 * of each queue pair on the pair's worker, NET_SET_MTU and SEND_RARP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "net-int.h"

#define NET_QUEUE_SIZE_MAX	1024

/**
 * net_of() - The instance behind a core device
 * @dev:	Device
 *
 * Return: the struct net (the core instance remembered)
 */
static struct net *net_of(struct vu_dev *dev)
{
	struct net *n = vu_dev_priv(dev);

	n->dev = dev;
	return n;
}

/**
 * net_ctrl_ring() - Ring index of the control queue
 * @n:		Device
 *
 * Return: 2N
 */
static unsigned int net_ctrl_ring(const struct net *n)
{
	return 2 * n->opts.pairs;
}

/**
 * net_queue_worker() - queue_worker: a worker per queue pair
 * @dev:	Device
 * @q:		Ring
 *
 * Return: the pair's worker (the control queue shares pair 0's)
 */
static unsigned int net_queue_worker(struct vu_dev *dev, unsigned int q)
{
	struct net *n = vu_dev_priv(dev);

	return q < net_ctrl_ring(n) ? q / 2 : 0;
}

/**
 * net_get_config() - get_config: mac, status, max pairs, mtu
 * @dev:	Device
 * @buf:	Destination
 * @offset:	Offset
 * @len:	Bytes
 *
 * Return: 0, or -EINVAL outside the config space
 */
static int net_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t offset,
			  uint32_t len)
{
	struct net *n = net_of(dev);
	uint8_t img[NET_CONFIG_SIZE];
	uint16_t v;

	if (offset > sizeof(img) || len > sizeof(img) - offset)
		return -EINVAL;
	memcpy(img, n->opts.mac, 6);
	v = GUINT16_TO_LE(n->status);
	memcpy(img + 6, &v, 2);
	v = GUINT16_TO_LE((uint16_t)n->opts.pairs);
	memcpy(img + 8, &v, 2);
	v = GUINT16_TO_LE((uint16_t)n->mtu);
	memcpy(img + 10, &v, 2);
	memcpy(buf, img + offset, len);
	return 0;
}

/**
 * net_set_config() - set_config: the config space is read-only
 * @dev:	Device
 * @buf:	Bytes
 * @offset:	Offset
 * @len:	Bytes
 * @flags:	Flags
 *
 * Return: -EPERM
 */
static int net_set_config(struct vu_dev *dev, const uint8_t *buf,
			  uint32_t offset, uint32_t len, uint32_t flags)
{
	return -EPERM;
}

/**
 * net_update_rx_need() - Buffer bytes one frame may need
 * @n:		Device
 * @features:	Negotiated features
 */
static void net_update_rx_need(struct net *n, uint64_t features)
{
	uint64_t gso = (1ull << VIRTIO_NET_F_GUEST_TSO4) |
		       (1ull << VIRTIO_NET_F_GUEST_TSO6) |
		       (1ull << VIRTIO_NET_F_GUEST_UFO);

	if (features & gso)
		n->rx_need = NET_HDR_SIZE + NET_FRAME_MAX;
	else
		n->rx_need = NET_HDR_SIZE + n->mtu + NET_ETH_HLEN + 4;
}

/**
 * net_features_set() - features_set: buffers and offloads to match
 * @dev:	Device
 * @features:	Negotiated features
 */
static void net_features_set(struct vu_dev *dev, uint64_t features)
{
	struct net *n = net_of(dev);
	int r;

	n->mergeable = features & (1ull << VIRTIO_NET_F_MRG_RXBUF);
	net_update_rx_need(n, features);
	r = n->sw ? 0 : net_tap_set_offloads(n, features);
	if (r < 0)
		g_warning("%s: TUNSETOFFLOAD: %s", n->ifname, g_strerror(-r));
}

/**
 * net_queue_started() - queue_started
 * @dev:	Device
 * @vq:		Ring (protocol thread, its worker paused)
 */
static void net_queue_started(struct vu_dev *dev, struct vu_queue *vq)
{
	struct net *n = net_of(dev);

	if (vq->index < net_ctrl_ring(n) && !(vq->index & 1) && !n->sw)
		net_rx_start(&n->pairs[vq->index / 2], dev, vq);
}

/**
 * net_queue_stopped() - queue_stopped / queue_drain: an RX ring gives its
 * stashed chains back and stops reading the tap
 * @dev:	Device
 * @vq:		Ring (protocol thread, its worker running)
 */
static void net_queue_stopped(struct vu_dev *dev, struct vu_queue *vq)
{
	struct net *n = net_of(dev);

	if (vq->index >= net_ctrl_ring(n) || (vq->index & 1))
		return;
	if (n->sw)
		net_switch_rx_stop(&n->pairs[vq->index / 2], dev);
	else
		net_rx_stop(&n->pairs[vq->index / 2], dev);
}

/**
 * net_queue_kicked() - queue_kicked: TX, RX buffers or a control command
 * @dev:	Device
 * @vq:		Ring (on its worker, lock held; maybe disabled)
 */
static void net_queue_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	struct net *n = net_of(dev);
	struct net_pair *p;

	if (vq->index == net_ctrl_ring(n)) {
		net_ctrl_kicked(n, dev, vq);
		return;
	}
	if (vq->index > net_ctrl_ring(n))
		return;
	p = &n->pairs[vq->index / 2];
	if (vq->index & 1)
		net_tx_kicked(p, dev, vq);
	else if (n->sw)
		net_switch_rx_kicked(p, dev, vq);
	else
		net_rx_kicked(p, dev, vq);
}

/**
 * net_message() - message: NET_SET_MTU and SEND_RARP
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL
 */
static enum vu_result net_message(struct vu_dev *dev, struct vu_msg *m)
{
	struct net *n = net_of(dev);
	uint8_t mac[8];
	int r;

	if (m->hdr.request == VU_NET_SET_MTU) {
		if (m->payload.u64 < 68 || m->payload.u64 > 65535)
			return VU_FAIL;
		r = n->sw ? 0 : net_tap_set_mtu(n, (unsigned int)m->payload.u64);
		if (r < 0) {
			g_warning("%s: MTU %" G_GUINT64_FORMAT ": %s", n->ifname,
				  m->payload.u64, g_strerror(-r));
			return VU_FAIL;
		}
		n->mtu = (unsigned int)m->payload.u64;
		return VU_OK;
	}
	if (m->hdr.request != VU_SEND_RARP)
		return VU_FAIL;
	memcpy(mac, &m->payload.u64, sizeof(mac));
	net_send_rarp(n, mac);
	if (vu_dev_has_feature(dev, VIRTIO_NET_F_GUEST_ANNOUNCE)) {
		n->status |= VIRTIO_NET_S_ANNOUNCE;
		vu_dev_config_changed(dev);
	}
	return VU_OK;
}

/**
 * net_reset() - reset: link up, no announce pending
 * @dev:	Device (rings stopped, workers locked)
 *
 * A switch port also forgets its core instance: the other ports reach
 * its rings through it, and it may be freed after a disconnect. The next
 * session's callbacks set it again.
 */
static void net_reset(struct vu_dev *dev)
{
	struct net *n = net_of(dev);

	n->status = VIRTIO_NET_S_LINK_UP;
	n->mergeable = false;
	if (n->sw) {
		net_switch_reset(n);
		n->dev = NULL;
	}
}

/**
 * net_offered() - The virtio-net feature bits we offer
 * @n:		Device (tap open, offloads probed)
 *
 * Return: the bits
 */
static uint64_t net_offered(const struct net *n)
{
	static const unsigned int always[] = {
		VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_CSUM,
		VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6,
		VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS,
		VIRTIO_NET_F_CTRL_VQ, VIRTIO_NET_F_CTRL_RX,
		VIRTIO_NET_F_GUEST_ANNOUNCE,
	};
	uint64_t f = 0;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(always); i++)
		f |= 1ull << always[i];
	/* Switch ports: frames are copied whole, no offloads either way;
	 * buffers are used in the order they were made available (drivers
	 * then take simpler paths: DPDK's in-order ones) */
	if (n->sw)
		return (1ull << VU_F_IN_ORDER) | (f & ~((1ull << VIRTIO_NET_F_CSUM) |
			      (1ull << VIRTIO_NET_F_HOST_TSO4) |
			      (1ull << VIRTIO_NET_F_HOST_TSO6) |
			      (1ull << VIRTIO_NET_F_HOST_ECN))) |
		       (n->opts.mtu ? 1ull << VIRTIO_NET_F_MTU : 0);
	if (n->tun_offloads & 0x01)	/* TUN_F_CSUM */
		f |= 1ull << VIRTIO_NET_F_GUEST_CSUM;
	if ((n->tun_offloads & 0x07) == 0x07)	/* CSUM, TSO4, TSO6 */
		f |= (1ull << VIRTIO_NET_F_GUEST_TSO4) |
		     (1ull << VIRTIO_NET_F_GUEST_TSO6);
	if (n->tun_offloads & 0x08)	/* TUN_F_TSO_ECN */
		f |= 1ull << VIRTIO_NET_F_GUEST_ECN;
	if (n->tun_offloads & 0x10)	/* TUN_F_UFO */
		f |= (1ull << VIRTIO_NET_F_GUEST_UFO) |
		     (1ull << VIRTIO_NET_F_HOST_UFO);
	if (n->opts.mtu)
		f |= 1ull << VIRTIO_NET_F_MTU;
	if (n->opts.pairs > 1)
		f |= 1ull << VIRTIO_NET_F_MQ;
	return f;
}

/**
 * net_fill_device() - The struct vu_device of an instance
 * @n:		Device
 */
static void net_fill_device(struct net *n)
{
	struct vu_device *d = &n->device;

	d->name = "vhost-user-net";
	d->virtio_id = VIRTIO_ID_NET;
	d->num_queues = 2 * n->opts.pairs + 1;
	d->max_queue_size = NET_QUEUE_SIZE_MAX;
	d->features = net_offered(n);
	d->protocol_features = (1ull << VU_PF_CONFIG) |
			       (1ull << VU_PF_NET_MTU) | (1ull << VU_PF_RARP) |
			       (1ull << VU_PF_BACKEND_REQ);
	d->config_size = NET_CONFIG_SIZE;
	d->process_disabled = true;
	d->queue_worker = net_queue_worker;
	d->get_config = net_get_config;
	d->set_config = net_set_config;
	d->features_set = net_features_set;
	d->queue_started = net_queue_started;
	d->queue_stopped = net_queue_stopped;
	d->queue_drain = net_queue_stopped;
	d->queue_kicked = net_queue_kicked;
	d->message = net_message;
	d->reset = net_reset;
}

/**
 * net_default_mac() - A stable, locally administered MAC from the tap name
 * @n:		Device (tap open)
 */
static void net_default_mac(struct net *n)
{
	static const uint8_t zero[6];
	GChecksum *c;
	uint8_t sum[32];
	gsize len = sizeof(sum);

	if (memcmp(n->opts.mac, zero, 6))
		return;
	c = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(c, (const guchar *)"vhost-user-net:", -1);
	g_checksum_update(c, (const guchar *)n->ifname, -1);
	g_checksum_get_digest(c, sum, &len);
	g_checksum_free(c);
	memcpy(n->opts.mac, sum, 6);
	n->opts.mac[0] = (n->opts.mac[0] & 0xfe) | 0x02;
}

/**
 * net_new() - Open the tap, build the device
 * @o:		Options (checked by main.c)
 * @err:	Error
 *
 * Return: the instance, or NULL with @err set
 */
struct net *net_new(const struct net_opts *o, GError **err)
{
	struct net *n = g_new0(struct net, 1);
	unsigned int i;

	n->opts = *o;
	for (i = 0; i < NET_MAX_PAIRS; i++) {
		n->pairs[i].net = n;
		n->pairs[i].index = i;
		n->pairs[i].fd = -1;
		n->pairs[i].tx_iov = g_new(struct iovec, NET_IOV_MAX);
	}
	if (!net_tap_open(n, err)) {
		net_free(n);
		return NULL;
	}
	if (n->opts.mtu && net_tap_set_mtu(n, n->opts.mtu) < 0)
		g_warning("%s: cannot set MTU %u", n->ifname, n->opts.mtu);
	n->mtu = (unsigned int)net_tap_get_mtu(n);
	net_default_mac(n);
	n->status = VIRTIO_NET_S_LINK_UP;
	net_update_rx_need(n, 0);
	net_fill_device(n);
	return n;
}

/**
 * net_new_port() - A switch port's device: no tap, no offloads
 * @o:		Options (--mac, --mtu)
 * @sw:		Switch
 * @port:	Port number
 *
 * Return: the instance
 */
struct net *net_new_port(const struct net_opts *o, struct net_switch *sw,
			 unsigned int port)
{
	struct net *n = g_new0(struct net, 1);
	unsigned int i;

	n->opts = *o;
	n->opts.pairs = 1;
	n->sw = sw;
	n->sw_port = port;
	n->pairs[0].net = n;
	n->pairs[0].fd = -1;
	n->pairs[0].tx_iov = g_new(struct iovec, NET_IOV_MAX);
	for (i = 1; i < NET_MAX_PAIRS; i++)
		n->pairs[i].fd = -1;
	snprintf(n->ifname, sizeof(n->ifname), "switch-port%u", port);
	n->mtu = o->mtu ? o->mtu : 1500;
	n->status = VIRTIO_NET_S_LINK_UP;
	net_default_mac(n);
	net_update_rx_need(n, 0);
	net_fill_device(n);
	/* Every port on one worker: forwarding touches two ports' rings */
	n->device.worker_group = sw;
	return n;
}

/**
 * net_free() - Close the tap, free
 * @n:		Instance, may be NULL
 */
void net_free(struct net *n)
{
	unsigned int i;

	if (!n)
		return;
	net_tap_close(n);
	for (i = 0; i < NET_MAX_PAIRS; i++) {
		net_rx_stash_free(&n->pairs[i]);
		g_free(n->pairs[i].tx_iov);
	}
	g_free(n);
}
