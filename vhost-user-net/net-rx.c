// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-rx.c - tap to guest: frames are read with readv() straight into
 * guest buffers. Chains are popped ahead into a stash until they can hold
 * the largest frame the tap may hand out; the frame then fills one chain
 * or, with MRG_RXBUF, as many as it needs (num_buffers in its header), and
 * the rest stay stashed for the next frame. With no buffers the tap is not
 * read at all until the guest posts some: no busy loop, and the kernel's
 * queue does the buffering. Stashed chains are given back (unpopped) when
 * the ring stops or guest memory changes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net-int.h"
#include "vu-iov.h"

#define RX_BATCH	64	/* frames per worker run */
#define RX_CHAIN_IOV	64	/* descriptors of one RX chain */
#define RX_NUM_BUFFERS	10	/* offset of num_buffers in the header */

/**
 * struct net_rx_stash - RX chains popped ahead, oldest first
 * @elem:	The chains (a ring of NET_RX_STASH)
 * @iov:	Their buffers
 * @cap:	Writable bytes of each
 * @head:	Index of the oldest
 * @count:	How many are held
 * @total:	Writable bytes of all held
 * @rdv:	The readv() vector over the chains a frame may fill
 * @spill:	One byte past them: a frame that reaches it did not fit
 */
struct net_rx_stash {
	struct vu_elem elem[NET_RX_STASH];
	struct iovec iov[NET_RX_STASH][RX_CHAIN_IOV];
	uint32_t cap[NET_RX_STASH];
	unsigned int head;
	unsigned int count;
	uint64_t total;
	struct iovec rdv[NET_IOV_MAX + 1];
	uint8_t spill;
};

/**
 * stash_slot() - Ring index of the @i-th oldest stashed chain
 * @s:		Stash
 * @i:		Position, 0 the oldest
 *
 * Return: the slot
 */
static unsigned int stash_slot(const struct net_rx_stash *s, unsigned int i)
{
	return (s->head + i) % NET_RX_STASH;
}

/**
 * rx_bad_chain() - Drop an unusable RX chain (returned empty), log once
 * @p:		Queue pair
 * @vq:		RX ring
 * @elem:	The chain
 */
static void rx_bad_chain(struct net_pair *p, struct vu_queue *vq,
			 const struct vu_elem *elem)
{
	if (!p->rx_logged)
		g_warning("pair %u: RX chain %u is not a writable buffer of at "
			  "least %u bytes; returned empty (logged once)",
			  p->index, elem->id, NET_HDR_SIZE);
	p->rx_logged = true;
	vu_queue_push(vq, elem, 0);
}

/**
 * rx_pop_one() - Stash one more chain
 * @p:		Queue pair
 * @vq:		RX ring
 *
 * An unusable chain is returned empty when the stash is empty; otherwise
 * it is unpopped again (so that the stash can still be unpopped in order
 * at a stop) and returned once the stash has drained.
 *
 * Return: 1 if a chain was stashed, 0 if the ring is empty or an unusable
 * chain waits behind the stash, -1 if an unusable chain was returned
 */
static int rx_pop_one(struct net_pair *p, struct vu_queue *vq)
{
	struct net_rx_stash *s = p->stash;
	unsigned int slot = stash_slot(s, s->count);
	struct vu_elem *e = &s->elem[slot];
	uint64_t cap;

	e->iov = s->iov[slot];
	e->iov_max = RX_CHAIN_IOV;
	if (vu_queue_pop(vq, e) <= 0)
		return 0;
	cap = vu_iov_length(e->iov + e->out_num, e->in_num);
	if (e->out_num || cap < NET_HDR_SIZE || cap > UINT32_MAX) {
		if (s->count) {
			vu_queue_unpop(vq, e);
			return 0;
		}
		rx_bad_chain(p, vq, e);
		return -1;
	}
	s->cap[slot] = (uint32_t)cap;
	s->total += cap;
	s->count++;
	return 1;
}

/**
 * rx_refill() - Stash chains until a frame surely fits
 * @p:		Queue pair
 * @vq:		RX ring
 *
 * Return: true if a frame may be read (mergeable: the stash holds rx_need
 * bytes, is full, or waits in front of an unusable chain; otherwise: one
 * chain)
 */
static bool rx_refill(struct net_pair *p, struct vu_queue *vq)
{
	struct net_rx_stash *s = p->stash;
	bool merge = p->net->mergeable;
	int r = 1;

	while (s->count < NET_RX_STASH && r != 0 &&
	       (merge ? s->total < p->net->rx_need : s->count == 0))
		r = rx_pop_one(p, vq);
	if (!s->count)
		return false;
	return !merge || s->total >= p->net->rx_need ||
	       s->count == NET_RX_STASH || !vu_queue_empty(vq);
}

/**
 * rx_vector() - The readv() vector over the chains a frame may fill
 * @p:		Queue pair
 * @room:	Set to the bytes it covers
 *
 * A last one-byte iovec catches frames that do not fit: the tap returns
 * only what it copied.
 *
 * Return: the number of iovecs in the stash's @rdv
 */
static unsigned int rx_vector(struct net_pair *p, size_t *room)
{
	struct net_rx_stash *s = p->stash;
	unsigned int c, i, n = 0, chains = p->net->mergeable ? s->count : 1;
	struct vu_elem *e;

	*room = 0;
	for (c = 0; c < chains; c++) {
		e = &s->elem[stash_slot(s, c)];
		for (i = 0; i < e->in_num && n < NET_IOV_MAX; i++) {
			s->rdv[n] = e->iov[e->out_num + i];
			*room += s->rdv[n++].iov_len;
		}
	}
	s->rdv[n].iov_base = &s->spill;
	s->rdv[n++].iov_len = 1;
	return n;
}

/**
 * rx_chains_used() - How many stashed chains a frame filled
 * @s:		Stash
 * @len:	Bytes readv() wrote (header included)
 * @merge:	Mergeable buffers (else one chain)
 *
 * Return: the count, at least 1
 */
static unsigned int rx_chains_used(const struct net_rx_stash *s, size_t len,
				   bool merge)
{
	unsigned int k = 0;

	if (!merge)
		return 1;
	while (k < s->count) {
		len -= MIN(len, s->cap[stash_slot(s, k)]);
		k++;
		if (!len)
			break;
	}
	return k;
}

/**
 * rx_complete() - Hand a received frame's chains to the guest
 * @p:		Queue pair
 * @vq:		RX ring
 * @len:	Bytes readv() wrote (header included)
 */
static void rx_complete(struct net_pair *p, struct vu_queue *vq, size_t len)
{
	struct net_rx_stash *s = p->stash;
	unsigned int k = rx_chains_used(s, len, p->net->mergeable), slot;
	uint16_t nbuf = GUINT16_TO_LE((uint16_t)k);
	struct vu_elem *e;
	uint32_t part;

	/* The tap leaves num_buffers alone: it is ours to write */
	e = &s->elem[s->head];
	vu_iov_from_buf(e->iov + e->out_num, e->in_num, RX_NUM_BUFFERS, &nbuf,
			sizeof(nbuf));
	while (k--) {
		slot = s->head;
		part = (uint32_t)MIN(len, s->cap[slot]);
		len -= part;
		vu_queue_push(vq, &s->elem[slot], part);
		s->head = (s->head + 1) % NET_RX_STASH;
		s->total -= s->cap[slot];
		s->count--;
	}
}

/**
 * rx_one() - Receive one frame
 * @p:		Queue pair
 * @vq:		RX ring (enabled, on the worker)
 *
 * Return: 1 when a frame was handled (delivered or dropped), 0 when the
 * guest posted too few buffers, -1 when the tap has nothing
 */
static int rx_one(struct net_pair *p, struct vu_queue *vq)
{
	unsigned int niov;
	size_t room;
	ssize_t n;

	if (!rx_refill(p, vq))
		return 0;
	niov = rx_vector(p, &room);
	do {
		n = readv(p->fd, p->stash->rdv, (int)niov);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return -1;
	/* Too long for the buffers, or a runt: lost, the chains stay */
	if (n < (ssize_t)(NET_HDR_SIZE + NET_ETH_HLEN) || (size_t)n > room) {
		p->rx_dropped++;
		return 1;
	}
	rx_complete(p, vq, (size_t)n);
	return 1;
}

/**
 * rx_watch_set() - Start or stop reading the tap
 * @p:		Queue pair
 * @dev:	Device
 * @on:		Read it (on the RX ring's worker)
 */
static void rx_watch_set(struct net_pair *p, struct vu_dev *dev, bool on);

/**
 * net_rx_ready() - Watch callback: the tap has frames
 * @dev:	Device
 * @vq:		RX ring
 * @data:	Queue pair
 *
 * With --poll-us the pair is then polled for a while (net-poll.c).
 */
static void net_rx_ready(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct net_pair *p = data;
	unsigned int i;
	int r = 1;

	if (!vq->started || !vq->enabled || vq->broken) {
		rx_watch_set(p, dev, false);
		return;
	}
	for (i = 0; i < RX_BATCH && r > 0; i++)
		r = rx_one(p, vq);
	vu_dev_complete(dev, vq);
	/* No buffers: leave the frames in the tap until the guest kicks */
	if (r == 0)
		rx_watch_set(p, dev, false);
	else if (p->net->opts.poll_us)
		net_pair_poll(p, dev, vq);
}

static void rx_watch_set(struct net_pair *p, struct vu_dev *dev, bool on)
{
	if (on && !p->rx_watch && p->rxq)
		p->rx_watch = vu_dev_watch_fd(dev, p->rxq, p->fd,
					      net_rx_ready, p);
	else if (!on && p->rx_watch) {
		vu_dev_unwatch_fd(dev, p->rx_watch);
		p->rx_watch = NULL;
	}
}

/**
 * net_rx_poll() - --poll-us: read what the tap has into the guest's
 * buffers, without touching the tap's watch
 * @p:		Queue pair
 * @dev:	Device
 *
 * Return: frames handled
 */
unsigned int net_rx_poll(struct net_pair *p, struct vu_dev *dev)
{
	struct vu_queue *vq = p->rxq;
	unsigned int n = 0;

	if (!vq || !vq->started || !vq->enabled || vq->broken || !p->stash)
		return 0;
	while (n < RX_BATCH && rx_one(p, vq) > 0)
		n++;
	if (n)
		vu_dev_complete(dev, vq);
	return n;
}

/**
 * net_rx_kicked() - The guest posted RX buffers (or the ring was enabled)
 * @p:		Queue pair
 * @dev:	Device
 * @vq:		RX ring (on the pair's worker, lock held)
 *
 * A disabled ring gets nothing: the tap is not read for it, and its tap
 * queue is detached so that the kernel steers frames to the others.
 */
void net_rx_kicked(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq)
{
	p->rxq = vq;
	net_tap_attach_queue(p, vq->enabled);
	if (!vq->enabled) {
		rx_watch_set(p, dev, false);
		return;
	}
	rx_watch_set(p, dev, true);
	net_rx_ready(dev, vq, p);
}

/**
 * net_rx_start() - The RX ring started
 * @p:		Queue pair
 * @dev:	Device
 * @vq:		RX ring (protocol thread, worker paused)
 *
 * Reading starts with the kick the core sends once the ring is enabled.
 */
void net_rx_start(struct net_pair *p, struct vu_dev *dev,
		  struct vu_queue *vq)
{
	p->rxq = vq;
	if (!p->stash)
		p->stash = g_new0(struct net_rx_stash, 1);
}

/**
 * rx_unstash() - Give every stashed chain back to the ring, newest first
 * @p:		Queue pair
 * @vq:		RX ring (its worker's lock held)
 */
static void rx_unstash(struct net_pair *p, struct vu_queue *vq)
{
	struct net_rx_stash *s = p->stash;

	if (!s)
		return;
	while (s->count) {
		s->count--;
		vu_queue_unpop(vq, &s->elem[stash_slot(s, s->count)]);
	}
	s->total = 0;
}

/**
 * net_rx_stop() - The RX ring stops, or guest memory is about to change:
 * stop reading, give the stashed chains back
 * @p:		Queue pair
 * @dev:	Device (protocol thread, the worker running)
 */
void net_rx_stop(struct net_pair *p, struct vu_dev *dev)
{
	struct vu_queue *vq = p->rxq;

	if (!vq)
		return;
	vu_dev_lock_queue(dev, vq);
	rx_watch_set(p, dev, false);
	rx_unstash(p, vq);
	vu_dev_unlock_queue(dev, vq);
}

/**
 * net_rx_stash_free() - Free the stash (the ring is stopped)
 * @p:		Queue pair
 */
void net_rx_stash_free(struct net_pair *p)
{
	g_free(p->stash);
	p->stash = NULL;
}
