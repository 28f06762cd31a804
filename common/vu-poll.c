// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-poll.c - adaptive busy polling on a worker (net's --poll-us): the
 * device's rounds run back to back, kicks off, while they find work and
 * for poll_us after the last that did; then kicks are asked for again and
 * one more round runs, so work queued in between is not missed.
 */
#include <glib.h>

#include "vu-poll.h"

/**
 * vu_poll() - Poll until idle for @poll_us, or until another thread wants
 * the worker
 * @dev:	Device whose queue the worker runs now
 * @vq:		That queue (rescheduled when polling steps aside)
 * @poll_us:	Idle time before kicks are asked for again
 * @p:		The device's round and notification functions
 * @data:	For them
 */
void vu_poll(struct vu_dev *dev, struct vu_queue *vq, unsigned int poll_us,
	     const struct vu_poller *p, void *data)
{
	gint64 end, now;

	for (;;) {
		p->notify(data, false);
		end = g_get_monotonic_time() + poll_us;
		while (!vu_dev_lock_wanted(dev, vq)) {
			now = g_get_monotonic_time();
			if (p->round(data))
				end = now + poll_us;
			else if (now >= end)
				break;
		}
		p->notify(data, true);
		if (!p->round(data))
			return;
		if (vu_dev_lock_wanted(dev, vq)) {
			vu_dev_kick(dev, vq);
			return;
		}
	}
}
