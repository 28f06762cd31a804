/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-loop.h - GLib integration: the front-end connection on the main context,
 * and worker threads, each with its own GMainContext, that serve the kicks of
 * the queues a device assigns to them.
 */
#ifndef VU_LOOP_H
#define VU_LOOP_H

#include <glib.h>

#include "vu-dev.h"

struct vu_loop;

struct vu_loop *vu_loop_new(struct vu_dev *dev);
void vu_loop_free(struct vu_loop *loop);
guint vu_loop_watch_conn(struct vu_dev *dev, int sock,
			 void (*closed)(struct vu_dev *dev, void *data),
			 void *data);

#endif /* VU_LOOP_H */
