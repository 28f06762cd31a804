// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-poll.c - --poll-us on the tap back-end: after a kick or a frame, a
 * queue pair's worker keeps polling its TX ring (guest kicks off) and its
 * tap queue as long as there is traffic and for poll_us after the last
 * (common/vu-poll.c), trading a CPU for the latency of the wake-ups.
 */
#include "net-int.h"
#include "vu-poll.h"

/**
 * struct pair_poll - what one poll of a tap pair looks at
 * @p:		Queue pair
 * @dev:	Device
 * @tx:		Its TX ring, or NULL if it does not run
 */
struct pair_poll {
	struct net_pair *p;
	struct vu_dev *dev;
	struct vu_queue *tx;
};

/**
 * pair_round() - One look at both directions of a pair
 * @data:	struct pair_poll
 *
 * Return: chains and frames handled
 */
static unsigned int pair_round(void *data)
{
	struct pair_poll *pp = data;
	unsigned int n = net_rx_poll(pp->p, pp->dev);

	if (pp->tx)
		n += net_tx_run(pp->p, pp->dev, pp->tx);
	return n;
}

/**
 * pair_notify() - Ask the pair's TX ring for kicks, or tell it not to
 * @data:	struct pair_poll
 * @on:		Kicks wanted
 */
static void pair_notify(void *data, bool on)
{
	struct pair_poll *pp = data;

	if (pp->tx)
		vu_queue_set_notification(pp->tx, on);
}

/* --poll-us: the pair's TX ring and tap queue */
static const struct vu_poller pair_poller = {
	.round = pair_round,
	.notify = pair_notify,
};

/**
 * net_pair_poll() - Poll a tap pair while it is busy, and poll_us more
 * @p:		Queue pair
 * @dev:	Device
 * @vq:		The ring the worker was called for (TX or RX of @p)
 */
void net_pair_poll(struct net_pair *p, struct vu_dev *dev,
		   struct vu_queue *vq)
{
	struct pair_poll pp = { .p = p, .dev = dev };
	struct vu_queue *tx = vu_dev_queue(dev, 2 * p->index + 1);

	if (tx && tx->started && !tx->broken)
		pp.tx = tx;
	vu_poll(dev, vq, p->net->opts.poll_us, &pair_poller, &pp);
}
