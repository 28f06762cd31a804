/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-poll.h - adaptive busy polling on a worker: the device's rings are
 * polled with guest kicks off while work comes, and for a while after the
 * last; the worker steps aside whenever another thread wants its lock.
 */
#ifndef VU_POLL_H
#define VU_POLL_H

#include <stdbool.h>

#include "vu-device.h"

/**
 * struct vu_poller - what vu_poll() polls
 * @round:	Look at the rings once and do what is there (publishing it);
 *		return how much was done, 0 if nothing
 * @notify:	Ask the polled rings for kicks again (true), or tell them
 *		not to kick (false)
 */
struct vu_poller {
	unsigned int (*round)(void *data);
	void (*notify)(void *data, bool on);
};

void vu_poll(struct vu_dev *dev, struct vu_queue *vq, unsigned int poll_us,
	     const struct vu_poller *p, void *data);

#endif /* VU_POLL_H */
