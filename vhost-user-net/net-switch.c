// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-switch.c - the built-in L2 learning switch (--switch): several
 * vhost-user ports in one process, each a device of its own with its own
 * socket and worker. A frame a guest sends is copied once into the inbox of
 * each destination port (the port its destination MAC was learnt on, or
 * every other port for broadcast, multicast and unknown destinations: never
 * back to the sender); the destination port's worker copies it into its
 * guest's RX buffers. Source MACs are learnt from TX and age out after
 * SW_AGE_US. Frames carry no offloads: ports are offered no checksum or
 * segmentation features, so every frame is complete.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "net-int.h"
#include "vu-iov.h"
#include "vu-backend.h"

#define SW_INBOX	256			/* frames queued per port */
#define SW_MACS		256			/* learnt addresses */
#define SW_AGE_US	(300 * G_USEC_PER_SEC)	/* address ageing */
#define SW_RX_BATCH	64			/* frames per worker run */
#define SW_RX_CHAINS	64			/* chains one frame may fill */
#define SW_CHAIN_IOV	16			/* descriptors per RX chain */

/**
 * struct sw_frame - a frame waiting in an inbox
 * @buf:	The frame (without virtio-net header), grown as needed
 * @len:	Its length
 * @cap:	Size of @buf
 */
struct sw_frame {
	uint8_t *buf;
	uint32_t len;
	uint32_t cap;
};

/**
 * struct sw_port - the switch's view of one port
 * @net:	The port's device
 * @lock:	Protects @head, @count and the slots after the last (senders
 *		fill them under it); the port's worker reads the first slot
 *		without it, as no sender touches it while @count covers it
 * @frames:	Inbox ring
 * @head:	Oldest frame
 * @count:	Frames queued
 * @efd:	Eventfd: the inbox went from empty to not empty
 * @watch:	Watch on @efd while the RX ring runs
 * @waiters:	Ports whose unicast TX waits for room here (bit per port)
 * @dropped:	Frames dropped (inbox full, or too big for the guest)
 */
struct sw_port {
	struct net *net;
	GMutex lock;
	struct sw_frame frames[SW_INBOX];
	unsigned int head;
	unsigned int count;
	int efd;
	void *watch;
	uint64_t waiters;
	uint64_t dropped;
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
 * struct net_switch - the switch
 * @ports:	Ports
 * @nports:	Number of @ports
 * @lock:	Protects @macs
 * @macs:	Learnt addresses
 * @nmacs:	Entries used in @macs
 */
struct net_switch {
	struct sw_port *ports;
	unsigned int nports;
	GMutex lock;
	struct sw_mac macs[SW_MACS];
	unsigned int nmacs;
};

/**
 * sw_mac_find() - The entry of an address
 * @sw:		Switch (locked)
 * @mac:	Address
 *
 * Return: its index, or -1
 */
static int sw_mac_find(const struct net_switch *sw, const uint8_t *mac)
{
	unsigned int i;

	for (i = 0; i < sw->nmacs; i++)
		if (!memcmp(sw->macs[i].mac, mac, 6))
			return (int)i;
	return -1;
}

/**
 * sw_learn() - Note that @mac lives behind @port
 * @sw:		Switch (locked)
 * @mac:	Source address of a frame (unicast)
 * @port:	Port it came from
 * @now:	Monotonic time (us)
 */
static void sw_learn(struct net_switch *sw, const uint8_t *mac,
		     unsigned int port, gint64 now)
{
	int i = sw_mac_find(sw, mac);
	unsigned int k, victim = 0;

	if (i < 0 && sw->nmacs < SW_MACS) {
		i = (int)sw->nmacs++;
	} else if (i < 0) {
		for (k = 1; k < sw->nmacs; k++)
			if (sw->macs[k].seen < sw->macs[victim].seen)
				victim = k;
		i = (int)victim;
	}
	memcpy(sw->macs[i].mac, mac, 6);
	sw->macs[i].port = port;
	sw->macs[i].seen = now;
}

/**
 * sw_route() - Learn a frame's source, find its destination port
 * @sw:		Switch
 * @eth:	Destination and source MAC of the frame
 * @port:	Port it came from
 * @now:	Monotonic time of the TX batch (us)
 *
 * One lock per frame for both.
 *
 * Return: the destination port, or -1 to flood (broadcast, multicast,
 * unknown or aged out)
 */
static int sw_route(struct net_switch *sw, const uint8_t *eth,
		    unsigned int port, gint64 now)
{
	int i, dst = -1;

	g_mutex_lock(&sw->lock);
	if (!(eth[6] & 1))
		sw_learn(sw, eth + 6, port, now);
	if (!(eth[0] & 1)) {
		i = sw_mac_find(sw, eth);
		if (i >= 0 && now - sw->macs[i].seen < SW_AGE_US)
			dst = (int)sw->macs[i].port;
	}
	g_mutex_unlock(&sw->lock);
	return dst;
}

/**
 * sw_enqueue() - Copy a frame into a port's inbox and wake its worker
 * @dst:	Destination port
 * @elem:	TX chain of the sender
 * @len:	Frame length (without header)
 * @from:	Sending port, to be kicked once there is room again; or -1
 *		to drop the frame when the inbox is full (floods)
 *
 * Return: false if the inbox is full (the frame was not taken)
 */
static bool sw_enqueue(struct sw_port *dst, const struct vu_elem *elem,
		       uint32_t len, int from)
{
	static const uint64_t one = 1;
	struct sw_frame *f;
	bool wake;

	/* Copied under the lock: several ports may send to @dst at once */
	g_mutex_lock(&dst->lock);
	if (dst->count == SW_INBOX) {
		if (from >= 0)
			dst->waiters |= 1ull << from;
		else
			dst->dropped++;
		g_mutex_unlock(&dst->lock);
		return false;
	}
	f = &dst->frames[(dst->head + dst->count) % SW_INBOX];
	if (f->cap < len) {
		f->buf = g_realloc(f->buf, len);
		f->cap = len;
	}
	vu_iov_to_buf(elem->iov, elem->out_num, NET_HDR_SIZE, f->buf, len);
	f->len = len;
	wake = dst->count++ == 0;
	g_mutex_unlock(&dst->lock);
	if (wake && write(dst->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		g_debug("switch eventfd: %s", g_strerror(errno));
	return true;
}

/**
 * net_switch_tx() - Forward one TX chain of a port's guest
 * @p:		The port's queue pair (@sw_now: the batch's time)
 * @elem:	The chain (readable only, checked by the caller)
 * @len:	Its length, header included
 *
 * Called on the sending port's worker. A unicast frame whose destination
 * inbox is full is not taken: the sender stops and is kicked again when
 * there is room (back-pressure instead of loss). Floods drop instead.
 *
 * Return: false if the chain was not taken (to be given back)
 */
bool net_switch_tx(struct net_pair *p, const struct vu_elem *elem,
		   uint32_t len)
{
	struct net *n = p->net;
	struct net_switch *sw = n->sw;
	uint8_t eth[12];
	unsigned int i;
	int dst;

	len -= NET_HDR_SIZE;
	vu_iov_to_buf(elem->iov, elem->out_num, NET_HDR_SIZE, eth,
		      sizeof(eth));
	dst = sw_route(sw, eth, n->sw_port, p->sw_now);
	if (dst == (int)n->sw_port)
		return true;
	if (dst >= 0)
		return sw_enqueue(&sw->ports[dst], elem, len, (int)n->sw_port);
	for (i = 0; i < sw->nports; i++)
		if (i != n->sw_port)
			sw_enqueue(&sw->ports[i], elem, len, -1);
	return true;
}

/**
 * struct sw_rx - the chains one frame is being copied into
 * @elem:	Chains
 * @iov:	Their buffers
 * @cap:	Writable bytes of each
 * @n:		Chains popped
 */
struct sw_rx {
	struct vu_elem elem[SW_RX_CHAINS];
	struct iovec iov[SW_RX_CHAINS][SW_CHAIN_IOV];
	uint32_t cap[SW_RX_CHAINS];
	unsigned int n;
};

/**
 * net_switch_rx_size() - Size of a port's RX scratch (struct sw_rx)
 *
 * Return: bytes
 */
size_t net_switch_rx_size(void)
{
	return sizeof(struct sw_rx);
}

/**
 * sw_rx_pop_one() - Pop one usable RX chain
 * @r:		Chains so far
 * @vq:		RX ring
 *
 * An unusable first chain is returned empty and the next one tried; one
 * behind popped chains breaks the ring (they could not be given back in
 * order).
 *
 * Return: true if a chain was added
 */
static bool sw_rx_pop_one(struct sw_rx *r, struct vu_queue *vq)
{
	struct vu_elem *e = &r->elem[r->n];
	uint64_t cap;

	for (;;) {
		e->iov = r->iov[r->n];
		e->iov_max = SW_CHAIN_IOV;
		if (vu_queue_pop(vq, e) <= 0)
			return false;
		cap = vu_iov_length(e->iov + e->out_num, e->in_num);
		if (!e->out_num && cap >= NET_HDR_SIZE && cap <= UINT32_MAX)
			break;
		if (r->n) {
			vu_queue_set_broken(vq, "unusable RX chain");
			return false;
		}
		vu_queue_push(vq, e, 0);
	}
	r->cap[r->n++] = (uint32_t)cap;
	return true;
}

/**
 * enum sw_take - what sw_rx_take() found
 * @SW_TAKE_OK:		The chains hold the frame
 * @SW_TAKE_WAIT:	The ring ran out: wait for the guest's buffers
 * @SW_TAKE_DROP:	The frame can never fit (one chain without mergeable
 *			buffers, or SW_RX_CHAINS with them): drop it
 */
enum sw_take {
	SW_TAKE_OK,
	SW_TAKE_WAIT,
	SW_TAKE_DROP,
};

/**
 * sw_rx_take() - Pop chains for a frame of @need bytes
 * @r:		Chains (emptied first)
 * @vq:		RX ring
 * @need:	Bytes, header included
 * @merge:	Mergeable buffers
 *
 * Unless the chains hold the frame, what was popped is given back.
 *
 * Return: see enum sw_take
 */
static enum sw_take sw_rx_take(struct sw_rx *r, struct vu_queue *vq,
			       uint32_t need, bool merge)
{
	unsigned int max = merge ? SW_RX_CHAINS : 1u;
	uint64_t total = 0;
	bool full;

	r->n = 0;
	while (total < need && r->n < max) {
		if (!sw_rx_pop_one(r, vq))
			break;
		total += r->cap[r->n - 1];
	}
	if (total >= need)
		return SW_TAKE_OK;
	full = r->n == max;
	while (r->n && !vq->broken)
		vu_queue_unpop(vq, &r->elem[--r->n]);
	return full ? SW_TAKE_DROP : SW_TAKE_WAIT;
}

/**
 * sw_rx_scatter() - Copy bytes into the popped chains at an offset
 * @r:		Chains
 * @off:	Offset over all of them
 * @src:	Bytes
 * @len:	How many
 */
static void sw_rx_scatter(const struct sw_rx *r, size_t off, const void *src,
			  size_t len)
{
	const struct vu_elem *e;
	unsigned int c;
	size_t k;

	for (c = 0; c < r->n && len; c++) {
		if (off >= r->cap[c]) {
			off -= r->cap[c];
			continue;
		}
		e = &r->elem[c];
		k = vu_iov_from_buf(e->iov + e->out_num, e->in_num, off, src,
				    len);
		src = (const uint8_t *)src + k;
		len -= k;
		off = 0;
	}
}

/**
 * sw_rx_deliver() - Copy a frame into the chains, hand them to the guest
 * @r:		Chains holding at least the frame
 * @vq:		RX ring
 * @f:		Frame
 */
static void sw_rx_deliver(struct sw_rx *r, struct vu_queue *vq,
			  const struct sw_frame *f)
{
	uint8_t hdr[NET_HDR_SIZE] = { 0 };
	size_t left = NET_HDR_SIZE + f->len;
	unsigned int c, used = 0;
	uint32_t part;

	while (used < r->n && left > 0) {
		left -= MIN(left, r->cap[used]);
		used++;
	}
	hdr[10] = (uint8_t)used;
	sw_rx_scatter(r, 0, hdr, sizeof(hdr));
	sw_rx_scatter(r, NET_HDR_SIZE, f->buf, f->len);
	left = NET_HDR_SIZE + f->len;
	for (c = 0; c < r->n; c++) {
		part = (uint32_t)MIN(left, r->cap[c]);
		left -= part;
		vu_queue_push(vq, &r->elem[c], part);
	}
}

/**
 * sw_inbox_take() - Drop the first @k frames of an inbox, wake the ports
 * waiting for room
 * @sw:		Switch
 * @sp:		Port
 * @k:		How many were delivered (or dropped)
 *
 * Return: frames still queued
 */
static unsigned int sw_inbox_take(struct net_switch *sw, struct sw_port *sp,
				  unsigned int k)
{
	unsigned int i, left;
	struct net *w;
	uint64_t waiters;

	g_mutex_lock(&sp->lock);
	sp->head = (sp->head + k) % SW_INBOX;
	sp->count -= k;
	left = sp->count;
	waiters = sp->waiters;
	sp->waiters = 0;
	g_mutex_unlock(&sp->lock);
	/* Senders that stopped on a full inbox go on (on their workers) */
	for (i = 0; waiters && i < sw->nports; i++) {
		if (!(waiters & (1ull << i)))
			continue;
		w = sw->ports[i].net;
		if (w->dev)
			vu_dev_kick(w->dev, vu_dev_queue(w->dev, 1));
	}
	return left;
}

/**
 * sw_inbox_peek() - Where the queued frames start, and how many there are
 * @sp:		Port
 * @head:	Set to the first slot
 *
 * The slots stay stable until sw_inbox_take(): senders only fill slots
 * after the last.
 *
 * Return: the number of frames queued
 */
static unsigned int sw_inbox_peek(struct sw_port *sp, unsigned int *head)
{
	unsigned int n;

	g_mutex_lock(&sp->lock);
	*head = sp->head;
	n = sp->count;
	g_mutex_unlock(&sp->lock);
	return n;
}

/**
 * sw_rx_drain() - Move inbox frames into the port's RX ring
 * @p:		The port's queue pair
 * @dev:	Device
 * @vq:		RX ring (on the port's worker, lock held)
 *
 * Stops when the guest has no buffers left: its next kick goes on. Two
 * inbox locks per batch, not per frame.
 */
static void sw_rx_drain(struct net_pair *p, struct vu_dev *dev,
			struct vu_queue *vq)
{
	struct sw_port *sp = &p->net->sw->ports[p->net->sw_port];
	unsigned int head, n = sw_inbox_peek(sp, &head), i, left;
	struct sw_rx *r = p->sw_rx;
	enum sw_take take;
	struct sw_frame *f;

	n = MIN(n, SW_RX_BATCH);
	for (i = 0; i < n; i++) {
		f = &sp->frames[(head + i) % SW_INBOX];
		take = sw_rx_take(r, vq, NET_HDR_SIZE + f->len,
				  p->net->mergeable);
		if (take == SW_TAKE_WAIT || vq->broken)
			break;
		if (take == SW_TAKE_OK)
			sw_rx_deliver(r, vq, f);
		else
			p->rx_dropped++;	/* can never fit */
	}
	if (!i)
		return;
	left = sw_inbox_take(p->net->sw, sp, i);
	vu_dev_complete(dev, vq);
	/* More came meanwhile (no wake-up for a non-empty inbox): go on */
	if (i == n && left)
		vu_dev_kick(dev, vq);
}

/**
 * sw_ready() - Watch callback: frames arrived in the port's inbox
 * @dev:	Device
 * @vq:		RX ring
 * @data:	The port's queue pair
 */
static void sw_ready(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct net_pair *p = data;
	struct sw_port *sp = &p->net->sw->ports[p->net->sw_port];
	uint64_t v;

	if (read(sp->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		g_debug("switch eventfd: %s", g_strerror(errno));
	if (vq->started && vq->enabled && !vq->broken)
		sw_rx_drain(p, dev, vq);
}

/**
 * net_switch_rx_kicked() - RX buffers posted (or the ring enabled)
 * @p:		The port's queue pair
 * @dev:	Device
 * @vq:		RX ring (on the port's worker, lock held)
 */
void net_switch_rx_kicked(struct net_pair *p, struct vu_dev *dev,
			  struct vu_queue *vq)
{
	struct sw_port *sp = &p->net->sw->ports[p->net->sw_port];

	if (!sp->watch)
		sp->watch = vu_dev_watch_fd(dev, vq, sp->efd, sw_ready, p);
	if (vq->enabled)
		sw_rx_drain(p, dev, vq);
}

/**
 * net_switch_rx_stop() - The RX ring stops: stop watching the inbox
 * @p:		The port's queue pair
 * @dev:	Device (protocol thread)
 *
 * Frames keep arriving in the inbox (up to its size) for the next start.
 */
void net_switch_rx_stop(struct net_pair *p, struct vu_dev *dev)
{
	struct sw_port *sp = &p->net->sw->ports[p->net->sw_port];

	vu_dev_unwatch_fd(dev, sp->watch);
	sp->watch = NULL;
}

/**
 * net_switch_reset() - The port's driver went away: its inbox is stale
 * @n:		The port's device
 */
void net_switch_reset(struct net *n)
{
	struct sw_port *sp = &n->sw->ports[n->sw_port];

	g_mutex_lock(&sp->lock);
	sp->head = 0;
	sp->count = 0;
	g_mutex_unlock(&sp->lock);
}

/**
 * net_switch_rarp() - SEND_RARP on a port: broadcast a RARP from @mac
 * @n:		The port's device
 * @frame:	Header and RARP frame
 * @len:	Their length
 */
void net_switch_rarp(struct net *n, uint8_t *frame, uint32_t len)
{
	struct iovec iov = { .iov_base = frame, .iov_len = len };
	struct vu_elem elem = { .iov = &iov, .out_num = 1, .iov_max = 1 };

	n->pairs[0].sw_now = g_get_monotonic_time();
	net_switch_tx(&n->pairs[0], &elem, len);
}

/**
 * sw_port_init() - Set up one port
 * @sw:		Switch
 * @i:		Port number
 * @o:		Options for its device
 * @err:	Error
 *
 * Return: true on success
 */
static bool sw_port_init(struct net_switch *sw, unsigned int i,
			 const struct net_opts *o, GError **err)
{
	struct sw_port *sp = &sw->ports[i];

	g_mutex_init(&sp->lock);
	sp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sp->efd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "eventfd: %s", g_strerror(errno));
		return false;
	}
	sp->net = net_new_port(o, sw, i);
	return true;
}

/**
 * net_switch_new() - Make the switch and its ports; serve ports 1..N-1
 * @o:		Options of the ports (--mac is port 0's; the others get
 *		derived ones)
 * @paths:	Socket paths of ports 1..N-1 (NULL-terminated; port 0 is
 *		the daemon's --socket-path / --fd)
 * @err:	Error
 *
 * Return: port 0's device, or NULL with @err set
 */
struct net *net_switch_new(const struct net_opts *o, char **paths,
			   GError **err)
{
	struct net_switch *sw = g_new0(struct net_switch, 1);
	struct net_opts po = *o;
	unsigned int i;

	g_mutex_init(&sw->lock);
	sw->nports = 1 + (paths ? g_strv_length(paths) : 0);
	sw->ports = g_new0(struct sw_port, sw->nports);
	for (i = 0; i < sw->nports; i++) {
		if (i)
			memset(po.mac, 0, sizeof(po.mac));
		if (!sw_port_init(sw, i, &po, err))
			goto fail;
		if (i && !vu_backend_serve(paths[i - 1],
					   &sw->ports[i].net->device,
					   sw->ports[i].net, err))
			goto fail;
	}
	g_message("switch with %u ports", sw->nports);
	return sw->ports[0].net;
fail:
	net_switch_free(sw);
	return NULL;
}

/**
 * net_switch_free() - Free the switch and every port (all stopped)
 * @sw:		Switch, may be NULL
 */
void net_switch_free(struct net_switch *sw)
{
	unsigned int i, k;

	if (!sw)
		return;
	for (i = 0; i < sw->nports; i++) {
		struct sw_port *sp = &sw->ports[i];

		net_free(sp->net);
		if (sp->efd > 0)
			close(sp->efd);
		for (k = 0; k < SW_INBOX; k++)
			g_free(sp->frames[k].buf);
		g_mutex_clear(&sp->lock);
	}
	g_free(sw->ports);
	g_mutex_clear(&sw->lock);
	g_free(sw);
}
