// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-switch-fwd.c - the switch's data path. All ports run on one worker,
 * so forwarding is a copy from the sender's TX chain straight into the
 * destination's RX chains, with no queue in between. Used entries are
 * published (and guests notified) once per round, per ring.
 *
 * A unicast frame whose destination has no RX buffers waits at the head of
 * the sender's ring (back-pressure, no loss) until the destination posts
 * buffers, at most SW_HOLD_US: a guest that never does is marked stalled
 * and its frames are dropped until it posts buffers again, so it cannot
 * hold up its peers. Floods never wait.
 *
 * With --poll-us the TX rings are polled, with the guests' kicks off, as
 * long as frames keep coming and for poll_us after the last; the worker
 * steps aside whenever the protocol thread wants its lock.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "net-switch.h"
#include "vu-iov.h"
#include "vu-poll.h"

#define SW_TX_BATCH	256	/* chains per kick before yielding */
#define SW_ROUND	128	/* chains per port per polling round */

/* Where sw_touch_frames() leaves what it read, so the loads stay */
static volatile uint8_t sw_touch_sink;

/**
 * sw_ring() - A port's ring, if it runs
 * @sp:		Port
 * @k:		0 for RX, 1 for TX
 *
 * Return: the ring, or NULL if it is not started (or broken)
 */
static struct vu_queue *sw_ring(const struct sw_port *sp, unsigned int k)
{
	struct vu_dev *dev = sp->net->dev;
	struct vu_queue *vq = dev ? vu_dev_queue(dev, k) : NULL;

	return vq && vq->started && !vq->broken ? vq : NULL;
}

/**
 * sw_stash_at() - The stash entry @j places after its first
 * @st:		Stash
 * @j:		Position, below SW_STASH
 *
 * Return: the slot
 */
static unsigned int sw_stash_at(const struct sw_stash *st, unsigned int j)
{
	return (st->head + j) % SW_STASH;
}

/**
 * sw_prefetch_w() - Start taking a cache line for writing
 * @p:		An address in it
 *
 * PREFETCHW on x86-64 (the line comes exclusive: the other CPU's copy is
 * invalidated now, not when the copy stores to it); elsewhere a plain
 * prefetch.
 */
static inline void sw_prefetch_w(const void *p)
{
#if defined(__x86_64__)
	__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p, 1);
#endif
}

/**
 * sw_rx_flush() - Write the used entries noted by sw_rx_used()
 * @sp:		Port
 * @vq:		Its RX ring
 */
static void sw_rx_flush(struct sw_port *sp, struct vu_queue *vq)
{
	vu_queue_push_burst(vq, sp->used, sp->nused, sp->used_len);
	sp->nused = 0;
}

/**
 * sw_rx_used() - Note an RX chain as used; the entries of a port are
 * written in bursts (sw_rx_flush())
 * @sp:		Port
 * @vq:		Its RX ring
 * @e:		The chain
 * @len:	Bytes written into it
 */
static void sw_rx_used(struct sw_port *sp, struct vu_queue *vq,
		       const struct vu_elem *e, uint32_t len)
{
	if (sp->nused == SW_STASH)
		sw_rx_flush(sp, vq);
	sp->used[sp->nused] = *e;
	sp->used_len[sp->nused++] = len;
	sp->rx_dirty = true;
}

/**
 * sw_stash_take() - Keep a popped RX chain in the stash; one no frame can
 * use is handed back empty, in ring order
 * @sp:		Port
 * @vq:		Its RX ring
 * @slot:	The chain's slot (the next after the stash's chains)
 * @left:	Chains popped from @slot on
 *
 * Ports offer VIRTIO_F_IN_ORDER: buffers are used in the order they were
 * made available. An unusable chain behind stashed ones is therefore
 * given back to the ring (with those popped after it) and handed back
 * only once it is first in line.
 *
 * Return: true if kept
 */
static bool sw_stash_take(struct sw_port *sp, struct vu_queue *vq,
			  unsigned int slot, unsigned int left)
{
	struct sw_stash *st = sp->stash;
	struct vu_elem *e = &st->elem[slot];
	uint64_t cap = vu_iov_length(e->iov, e->in_num);

	if (e->out_num || cap < NET_HDR_SIZE || cap > UINT32_MAX) {
		while (--left)
			vu_queue_unpop(vq, &st->elem[slot + left]);
		if (st->n)
			vu_queue_unpop(vq, e);
		else
			sw_rx_used(sp, vq, e, 0);
		return false;
	}
	sw_prefetch_w(e->iov[0].iov_base);
	st->cap[slot] = (uint32_t)cap;
	st->n++;
	return true;
}

/**
 * sw_stash_fill() - Pop RX chains into a port's stash
 * @sp:		Port
 * @vq:		Its RX ring
 * @want:	Chains the stash should hold (at most SW_STASH)
 *
 * Each chain's buffer is prefetched for writing: the misses of a burst
 * overlap. A chain no frame can use (device-readable buffers, or shorter
 * than the header) is handed back empty once it is first in line.
 */
static void sw_stash_fill(struct sw_port *sp, struct vu_queue *vq,
			  unsigned int want)
{
	struct sw_stash *st = sp->stash;
	unsigned int slot, cnt, got, i;

	/* The entries noted as used point into slots about to be reused
	 * (their buffers are logged from there while migrating) */
	if (sp->nused)
		sw_rx_flush(sp, vq);
	want = MIN(want, SW_STASH);
	while (st->n < want) {
		/* Slots up to the end of the array, in one burst */
		slot = sw_stash_at(st, st->n);
		cnt = MIN(want - st->n, SW_STASH - slot);
		for (i = 0; i < cnt; i++) {
			st->elem[slot + i].iov = st->iov[slot + i];
			st->elem[slot + i].iov_max = SW_CHAIN_IOV;
		}
		got = vu_queue_pop_burst(vq, &st->elem[slot], cnt);
		for (i = 0; i < got; i++)
			if (!sw_stash_take(sp, vq, slot + i, got - i))
				break;
		/* An unusable chain: handed back if it was first, else it
		 * waits to be; the chains after it were given back */
		if (i < got && st->n)
			return;
		if (i == got && got < cnt)
			return;		/* the ring ran out */
	}
}

/**
 * sw_stash_return() - Give the chains left in a port's stash back
 * @sp:		Port
 *
 * Last popped first, as the rings need; nothing stays popped between
 * rounds (the worker's lock is released after each).
 */
static void sw_stash_return(struct sw_port *sp)
{
	struct sw_stash *st = sp->stash;
	struct vu_queue *vq = sw_ring(sp, 0);

	while (vq && st->n)
		vu_queue_unpop(vq, &st->elem[sw_stash_at(st, --st->n)]);
	st->n = 0;
	st->head = 0;
}

/**
 * enum sw_take - what sw_rx_take() found
 * @SW_TAKE_OK:		The first chains of the stash hold the frame
 * @SW_TAKE_WAIT:	The ring ran out: wait for the guest's buffers
 * @SW_TAKE_DROP:	The frame can never fit (one chain without mergeable
 *			buffers, or SW_STASH with them), or the ring broke
 */
enum sw_take {
	SW_TAKE_OK,
	SW_TAKE_WAIT,
	SW_TAKE_DROP,
};

/**
 * sw_rx_take() - How many stashed chains a frame of @need bytes takes
 * @sp:		Port
 * @vq:		Its RX ring
 * @need:	Bytes, header included
 * @k:		Set to the number of chains
 *
 * Return: see enum sw_take
 */
static enum sw_take sw_rx_take(struct sw_port *sp, struct vu_queue *vq,
			       uint32_t need, unsigned int *k)
{
	unsigned int max = sp->net->mergeable ? SW_STASH : 1u, j;
	struct sw_stash *st = sp->stash;
	uint64_t total = 0;

	for (j = 0; total < need && j < max; j++) {
		if (j == st->n)
			sw_stash_fill(sp, vq, st->n + SW_TX_BURST);
		if (vq->broken)
			return SW_TAKE_DROP;
		if (j == st->n)
			return SW_TAKE_WAIT;
		total += st->cap[sw_stash_at(st, j)];
	}
	*k = j;
	return total >= need ? SW_TAKE_OK : SW_TAKE_DROP;
}

/**
 * sw_rx_fill() - Copy a frame from a TX chain into the first @k stashed
 * chains, hand them to the guest
 * @sp:		Port
 * @vq:		Its RX ring
 * @k:		Chains (they hold at least header + frame)
 * @src:	TX chain: a virtio-net header, then the frame
 * @len:	Frame length (without the header)
 */
static void sw_rx_fill(struct sw_port *sp, struct vu_queue *vq,
		       unsigned int k, const struct vu_elem *src,
		       uint32_t len)
{
	uint8_t hdr[NET_HDR_SIZE] = { 0 };
	uint64_t left = NET_HDR_SIZE + (uint64_t)len, soff = NET_HDR_SIZE;
	struct sw_stash *st = sp->stash;
	const struct vu_elem *e;
	uint32_t part, skip;
	unsigned int c, slot;

	hdr[10] = (uint8_t)k;	/* num_buffers: the chains used */
	e = &st->elem[st->head];
	if (k == 1 && e->iov[0].iov_len >= left) {
		/* The usual case: one buffer holds header and frame */
		memcpy(e->iov[0].iov_base, hdr, sizeof(hdr));
		vu_iov_to_buf(src->iov, src->out_num, NET_HDR_SIZE,
			      (uint8_t *)e->iov[0].iov_base + NET_HDR_SIZE, len);
		sw_rx_used(sp, vq, e, (uint32_t)left);
		st->head = sw_stash_at(st, 1);
		st->n--;
		return;
	}
	for (c = 0; c < k; c++) {
		slot = sw_stash_at(st, c);
		e = &st->elem[slot];
		part = (uint32_t)MIN(left, st->cap[slot]);
		skip = c ? 0 : NET_HDR_SIZE;
		if (!c)
			vu_iov_from_buf(e->iov, e->in_num, 0, hdr, sizeof(hdr));
		vu_iov_copy(e->iov, e->in_num, skip, src->iov, src->out_num,
			    soff, part - skip);
		soff += part - skip;
		left -= part;
		sw_rx_used(sp, vq, e, part);
	}
	st->head = sw_stash_at(st, k);
	st->n -= k;
}

/**
 * enum sw_res - what became of a frame for one port
 * @SW_SENT:	In the port's RX ring
 * @SW_WAIT:	The port has no RX buffers now
 * @SW_DROPPED:	Dropped: the port's RX ring does not run, or the frame can
 *		never fit
 */
enum sw_res {
	SW_SENT,
	SW_WAIT,
	SW_DROPPED,
};

/**
 * sw_deliver() - Copy a frame into a port's guest
 * @sw:		Switch
 * @dst:	Destination port
 * @elem:	TX chain (header + frame)
 * @len:	Frame length (without the header)
 *
 * Return: see enum sw_res
 */
static enum sw_res sw_deliver(struct net_switch *sw, struct sw_port *dst,
			      const struct vu_elem *elem, uint32_t len)
{
	struct vu_queue *vq = sw_ring(dst, 0);
	enum sw_take take;
	unsigned int k;

	if (!vq || !vq->enabled) {
		dst->dropped++;
		return SW_DROPPED;
	}
	take = sw_rx_take(dst, vq, NET_HDR_SIZE + len, &k);
	if (take == SW_TAKE_WAIT)
		return SW_WAIT;
	if (take == SW_TAKE_DROP) {
		dst->dropped++;
		return SW_DROPPED;
	}
	sw_rx_fill(dst, vq, k, elem, len);
	dst->rx_dirty = true;
	dst->stalled = false;
	return SW_SENT;
}

/**
 * sw_timer_arm() - Come back when a held frame's wait may have run out
 * @sw:		Switch
 */
static void sw_timer_arm(struct net_switch *sw)
{
	struct itimerspec its = {
		.it_value.tv_nsec = SW_HOLD_US * 1000 / 2,
	};

	if (sw->timer_armed || sw->tfd < 0)
		return;
	if (!timerfd_settime(sw->tfd, 0, &its, NULL))
		sw->timer_armed = true;
}

/**
 * sw_hold() - A unicast frame found no RX buffers: wait, or give up
 * @sw:		Switch
 * @from:	Sending port
 * @dst:	Destination port
 *
 * Return: true if the frame is to wait at the head of the sender's ring
 */
static bool sw_hold(struct net_switch *sw, struct sw_port *from,
		    struct sw_port *dst)
{
	if (!from->held_since)
		from->held_since = sw->now;
	if (dst->stalled || sw->now - from->held_since >= SW_HOLD_US) {
		if (!dst->stalled)
			g_message("switch port %u posts no RX buffers: its "
				  "frames are dropped until it does",
				  (unsigned int)(dst - sw->ports));
		dst->stalled = true;
		dst->dropped++;
		from->held_since = 0;
		return false;
	}
	dst->waiters |= 1ull << (from - sw->ports);
	sw_timer_arm(sw);
	return true;
}

/**
 * sw_forward() - Forward one frame of a port's guest
 * @sw:		Switch
 * @from:	Sending port
 * @elem:	Its TX chain (header + frame, checked)
 * @len:	Frame length (without the header)
 *
 * Return: false if the frame must wait (give the chain back)
 */
static bool sw_forward(struct net_switch *sw, struct sw_port *from,
		       const struct vu_elem *elem, uint32_t len)
{
	unsigned int me = (unsigned int)(from - sw->ports), i;
	uint8_t copy[12];
	const uint8_t *eth = copy;
	int dst;

	/* Destination and source MAC: read in place when they are in the
	 * first buffer (the usual case), else gathered */
	if (elem->iov[0].iov_len >= NET_HDR_SIZE + sizeof(copy))
		eth = (const uint8_t *)elem->iov[0].iov_base + NET_HDR_SIZE;
	else
		vu_iov_to_buf(elem->iov, elem->out_num, NET_HDR_SIZE, copy,
			      sizeof(copy));
	dst = sw_route(sw, eth, me);
	if (dst == (int)me)
		return true;
	if (dst >= 0) {
		if (sw_deliver(sw, &sw->ports[dst], elem, len) == SW_WAIT &&
		    sw_hold(sw, from, &sw->ports[dst]))
			return false;
		from->held_since = 0;
		return true;
	}
	for (i = 0; i < sw->nports; i++)
		if (i != me &&
		    sw_deliver(sw, &sw->ports[i], elem, len) == SW_WAIT)
			sw->ports[i].dropped++;
	return true;
}

/**
 * sw_touch_frames() - Load the first byte of each frame of a burst
 * @e:		Chains
 * @n:		How many
 *
 * The frames were written by another CPU: their cache misses (and page
 * walks, which a prefetch may skip) then overlap instead of stalling the
 * forwarding of each frame in turn. Real loads, not prefetches: on a
 * nested hypervisor prefetches that miss the TLB are dropped. The first
 * byte after the 12-byte virtio-net header is often on the next cache
 * line (DPDK puts the header at the end of the mbuf headroom).
 */
static void sw_touch_frames(const struct vu_elem *e, unsigned int n)
{
	const volatile uint8_t *b;
	unsigned int i;
	uint8_t sum = 0;

	for (i = 0; i < n; i++, e++) {
		if (e->out_num && e->iov[0].iov_len > NET_HDR_SIZE)
			b = (const uint8_t *)e->iov[0].iov_base + NET_HDR_SIZE;
		else if (e->out_num > 1 && e->iov[1].iov_len)
			b = e->iov[1].iov_base;
		else
			continue;
		sum += *b;
	}
	sw_touch_sink = sum;
}

/**
 * sw_tx_pop() - Pop a burst of TX chains, and start loading their frames
 * @sw:		Switch
 * @vq:		TX ring
 * @max:	Chains at most (SW_TX_BURST or less)
 *
 * The frames' headers are prefetched: they were written by another CPU,
 * and the misses of a burst then overlap.
 *
 * Return: chains popped into @sw->tx
 */
static unsigned int sw_tx_pop(struct net_switch *sw, struct vu_queue *vq,
			      unsigned int max)
{
	unsigned int i, n;

	for (i = 0; i < max; i++) {
		sw->tx[i].iov = sw->tx_iov + (size_t)i * NET_IOV_MAX;
		sw->tx[i].iov_max = NET_IOV_MAX;
	}
	n = vu_queue_pop_burst(vq, sw->tx, max);
	sw_touch_frames(sw->tx, n);
	return n;
}

/**
 * sw_tx_one() - Forward (or drop) one popped TX chain
 * @sw:		Switch (@now set)
 * @sp:		Sending port
 * @vq:		Its TX ring
 * @elem:	The chain
 *
 * Return: false if it must wait (give it back); else it is done with
 * (the caller hands it back used)
 */
static bool sw_tx_one(struct net_switch *sw, struct sw_port *sp,
		      struct vu_queue *vq, const struct vu_elem *elem)
{
	struct net_pair *p = &sp->net->pairs[0];
	uint64_t len;

	if (!vq->enabled)
		p->tx_dropped++;
	else if (net_tx_check(p, elem, &len) &&
		 !sw_forward(sw, sp, elem, (uint32_t)(len - NET_HDR_SIZE)))
		return false;
	return true;
}

/**
 * sw_tx_run() - Forward what a port's guest queued, a burst at a time
 * @sw:		Switch (@now set)
 * @sp:		Port
 * @max:	Chains at most
 *
 * A disabled ring's chains are consumed and dropped. When a frame must
 * wait, it and the rest of its burst are given back, last first.
 *
 * Return: chains consumed
 */
static unsigned int sw_tx_run(struct net_switch *sw, struct sw_port *sp,
			      unsigned int max)
{
	struct vu_queue *vq = sw_ring(sp, 1);
	unsigned int done = 0, n, i;

	while (vq && done < max) {
		n = sw_tx_pop(sw, vq, MIN(max - done, SW_TX_BURST));
		for (i = 0; i < n; i++)
			if (!sw_tx_one(sw, sp, vq, &sw->tx[i]))
				break;
		vu_queue_push_burst(vq, sw->tx, i, NULL);
		sp->tx_dirty |= i > 0;
		done += i;
		if (i < n) {
			while (n > i)
				vu_queue_unpop(vq, &sw->tx[--n]);
			break;
		}
		if (n < SW_TX_BURST)
			break;
	}
	return done;
}

/**
 * sw_publish() - Give stashed RX chains back, publish the used entries of
 * every ring touched, notify
 * @sw:		Switch
 */
static void sw_publish(struct net_switch *sw)
{
	struct sw_port *sp;
	struct vu_queue *vq;
	unsigned int i;

	for (i = 0; i < sw->nports; i++) {
		sp = &sw->ports[i];
		vq = sw_ring(sp, 0);
		if (vq && sp->nused)
			sw_rx_flush(sp, vq);
		sp->nused = 0;
		sw_stash_return(sp);
		if (sp->rx_dirty && vq)
			vu_dev_complete(sp->net->dev, vq);
		if (sp->tx_dirty && (vq = sw_ring(sp, 1)))
			vu_dev_complete(sp->net->dev, vq);
		sp->rx_dirty = false;
		sp->tx_dirty = false;
	}
}

/**
 * sw_tx_resume() - Run a port's TX ring again; past a batch, go on later
 * @sw:		Switch (@now set)
 * @sp:		Port
 */
static void sw_tx_resume(struct net_switch *sw, struct sw_port *sp)
{
	struct vu_queue *vq;

	if (sw_tx_run(sw, sp, SW_TX_BATCH) == SW_TX_BATCH &&
	    (vq = sw_ring(sp, 1)))
		vu_dev_kick(sp->net->dev, vq);
}

/**
 * sw_round() - One polling round: up to SW_ROUND chains from every port,
 * then the used entries published
 * @data:	Switch
 *
 * Publishing less often means fewer stores to the used index lines the
 * drivers poll; SW_ROUND bounds how long one port waits for the others.
 *
 * Return: chains consumed
 */
static unsigned int sw_round(void *data)
{
	struct net_switch *sw = data;
	unsigned int i, n = 0;

	sw->now = g_get_monotonic_time();
	for (i = 0; i < sw->nports; i++)
		n += sw_tx_run(sw, &sw->ports[i], SW_ROUND);
	sw_publish(sw);
	return n;
}

/**
 * sw_notify_all() - Ask every running ring for kicks, or tell it not to
 * @data:	Switch
 * @on:		Kicks wanted
 */
static void sw_notify_all(void *data, bool on)
{
	struct net_switch *sw = data;
	struct vu_queue *vq;
	unsigned int i, k;

	for (i = 0; i < sw->nports; i++)
		for (k = 0; k < 2; k++)
			if ((vq = sw_ring(&sw->ports[i], k)))
				vu_queue_set_notification(vq, on);
}

/* --poll-us: every port's rings, from the one worker */
static const struct vu_poller sw_poller = {
	.round = sw_round,
	.notify = sw_notify_all,
};

/**
 * sw_timer_fired() - Held frames may have waited long enough: retry them
 * @dev:	Device the timer is watched with
 * @vq:		Its ring
 * @data:	Switch
 */
static void sw_timer_fired(struct vu_dev *dev, struct vu_queue *vq,
			   void *data)
{
	struct net_switch *sw = data;
	unsigned int i;
	uint64_t v;

	if (read(sw->tfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		g_debug("switch timer: %s", g_strerror(errno));
	sw->timer_armed = false;
	sw->now = g_get_monotonic_time();
	for (i = 0; i < sw->nports; i++)
		if (sw->ports[i].held_since)
			sw_tx_resume(sw, &sw->ports[i]);
	sw_publish(sw);
}

/**
 * sw_timer_watch() - Watch the hold timer through a port's TX ring
 * @sw:		Switch (workers locked)
 * @n:		The port (its core instance known)
 *
 * The watch belongs to that port's instance: net_switch_reset() moves it
 * when the port's session ends.
 */
static void sw_timer_watch(struct net_switch *sw, struct net *n)
{
	sw->twatch = vu_dev_watch_fd(n->dev, vu_dev_queue(n->dev, 1), sw->tfd,
				     sw_timer_fired, sw);
	sw->twatch_port = n;
}

/**
 * net_switch_timer_move() - A port's session ends: if the hold timer is
 * watched through it, watch it through another port that has a session
 * @n:		The port (protocol thread, workers locked)
 */
void net_switch_timer_move(struct net *n)
{
	struct net_switch *sw = n->sw;
	unsigned int i;

	if (sw->twatch_port != n)
		return;
	vu_dev_unwatch_fd(n->dev, sw->twatch);
	sw->twatch = NULL;
	sw->twatch_port = NULL;
	for (i = 0; i < sw->nports; i++)
		if (sw->ports[i].net != n && sw->ports[i].net->dev) {
			sw_timer_watch(sw, sw->ports[i].net);
			return;
		}
}

/**
 * net_switch_tx_kicked() - A port's guest queued frames
 * @p:		The port's queue pair
 * @dev:	Device
 * @vq:		TX ring (on the switch's worker, lock held)
 */
void net_switch_tx_kicked(struct net_pair *p, struct vu_dev *dev,
			  struct vu_queue *vq)
{
	struct net_switch *sw = p->net->sw;

	if (!sw->twatch)
		sw_timer_watch(sw, p->net);
	sw->now = g_get_monotonic_time();
	sw_tx_resume(sw, &sw->ports[p->net->sw_port]);
	sw_publish(sw);
	if (sw->poll_us)
		vu_poll(dev, vq, sw->poll_us, &sw_poller, sw);
}

/**
 * sw_run_waiters() - The ports waiting for a port's RX buffers go on
 * @sw:		Switch
 * @sp:		The port (its guest posted buffers, or its ring stopped)
 */
static void sw_run_waiters(struct net_switch *sw, struct sw_port *sp)
{
	uint64_t waiters = sp->waiters;
	unsigned int i;

	sp->waiters = 0;
	sp->stalled = false;
	sw->now = g_get_monotonic_time();
	for (i = 0; waiters && i < sw->nports; i++)
		if (waiters & (1ull << i))
			sw_tx_resume(sw, &sw->ports[i]);
	sw_publish(sw);
}

/**
 * net_switch_rx_kicked() - A port's guest posted RX buffers (or enabled
 * the ring): the ports waiting for them go on
 * @p:		The port's queue pair
 * @dev:	Device
 * @vq:		RX ring (on the switch's worker, lock held)
 */
void net_switch_rx_kicked(struct net_pair *p, struct vu_dev *dev,
			  struct vu_queue *vq)
{
	struct net_switch *sw = p->net->sw;

	sw_run_waiters(sw, &sw->ports[p->net->sw_port]);
}

/**
 * net_switch_rx_stop() - A port's RX ring stops: the ports waiting for it
 * go on at once, dropping their frames for it (none reaches the port's
 * next driver)
 * @p:		The port's queue pair
 * @dev:	Device (protocol thread, worker running)
 */
void net_switch_rx_stop(struct net_pair *p, struct vu_dev *dev)
{
	struct net_switch *sw = p->net->sw;
	struct vu_queue *rxq = vu_dev_queue(dev, 0);

	vu_dev_lock_queue(dev, rxq);
	sw_run_waiters(sw, &sw->ports[p->net->sw_port]);
	vu_dev_unlock_queue(dev, rxq);
}

/**
 * net_switch_rarp() - SEND_RARP on a port: broadcast a RARP from it
 * @n:		The port's device (protocol thread, workers locked)
 * @frame:	Header and RARP frame
 * @len:	Their length
 */
void net_switch_rarp(struct net *n, uint8_t *frame, uint32_t len)
{
	struct iovec iov = { .iov_base = frame, .iov_len = len };
	struct vu_elem elem = { .iov = &iov, .out_num = 1, .iov_max = 1 };
	struct net_switch *sw = n->sw;

	sw->now = g_get_monotonic_time();
	sw_forward(sw, &sw->ports[n->sw_port], &elem, len - NET_HDR_SIZE);
	sw_publish(sw);
}
