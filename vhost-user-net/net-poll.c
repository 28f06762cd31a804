// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-poll.c - --poll-us on the tap back-end: after a kick or a frame, a
 * queue pair's worker keeps polling its TX ring (guest kicks off) and its
 * tap queue as long as there is traffic and for poll_us after the last,
 * trading a CPU for the latency of the wake-ups. It steps aside whenever
 * another thread wants the worker (the protocol thread changing rings or
 * memory).
 */
#include "net-int.h"

/**
 * poll_once() - One look at both directions of a pair
 * @p:		Queue pair
 * @dev:	Device
 * @tx:		Its TX ring, or NULL if it does not run
 *
 * Return: chains and frames handled
 */
static unsigned int poll_once(struct net_pair *p, struct vu_dev *dev,
			      struct vu_queue *tx)
{
	unsigned int n = net_rx_poll(p, dev);

	if (tx)
		n += net_tx_run(p, dev, tx);
	return n;
}

/**
 * pair_tx() - A pair's TX ring, if it runs
 * @p:		Queue pair
 * @dev:	Device
 *
 * Return: the ring, or NULL
 */
static struct vu_queue *pair_tx(struct net_pair *p, struct vu_dev *dev)
{
	struct vu_queue *vq = vu_dev_queue(dev, 2 * p->index + 1);

	return vq && vq->started && !vq->broken ? vq : NULL;
}

/**
 * net_pair_poll() - Poll a tap pair while it is busy, and poll_us more
 * @p:		Queue pair
 * @dev:	Device
 * @vq:		The ring the worker was called for (TX or RX of @p)
 *
 * Kicks are asked for again before returning and both directions looked
 * at once more, so nothing queued in between is missed. When another
 * thread wants the worker, polling stops and is rescheduled after it.
 */
void net_pair_poll(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq)
{
	unsigned int poll_us = p->net->opts.poll_us;
	struct vu_queue *tx = pair_tx(p, dev);
	gint64 end, now;

	for (;;) {
		if (tx)
			vu_queue_set_notification(tx, false);
		end = g_get_monotonic_time() + poll_us;
		while (!vu_dev_lock_wanted(dev, vq)) {
			now = g_get_monotonic_time();
			if (poll_once(p, dev, tx))
				end = now + poll_us;
			else if (now >= end)
				break;
		}
		if (tx)
			vu_queue_set_notification(tx, true);
		if (!poll_once(p, dev, tx))
			return;
		if (vu_dev_lock_wanted(dev, vq)) {
			vu_dev_kick(dev, vq);
			return;
		}
	}
}
