// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-resize.c - online resize of vhost-user-blk: on SIGHUP (and every
 * second with --watch) the backing size is read again, and a change is
 * published in the config space and signalled to the front-end
 * (CONFIG_CHANGE over the back-end channel).
 */
#include <signal.h>

#include <glib-unix.h>

#include "blk-int.h"

/**
 * blk_resize_check() - Read the backing size; publish it if it changed
 * @blk:	Device (main thread)
 *
 * Return: true if the size changed
 */
bool blk_resize_check(struct blk *blk)
{
	uint64_t size, old;
	int r = blk_backing_size(blk, &size);

	if (r < 0) {
		g_warning("%s: cannot read the size: %s", blk->path,
			  g_strerror(-r));
		return false;
	}
	g_mutex_lock(&blk->lock);
	old = blk->size;
	__atomic_store_n(&blk->size, size, __ATOMIC_RELAXED);
	g_mutex_unlock(&blk->lock);
	if (size == old)
		return false;
	g_message("%s: size changed from %" G_GUINT64_FORMAT " to %"
		  G_GUINT64_FORMAT " bytes", blk->path, old, size);
	if (blk->dev) {
		r = vu_dev_config_changed(blk->dev);
		if (r < 0)
			g_debug("config change not signalled: %s",
				g_strerror(-r));
	}
	return true;
}

/**
 * blk_on_sighup() - SIGHUP: check the size now
 * @data:	Device
 *
 * Return: G_SOURCE_CONTINUE
 */
static gboolean blk_on_sighup(gpointer data)
{
	blk_resize_check(data);
	return G_SOURCE_CONTINUE;
}

/**
 * blk_on_watch() - --watch timer: check the size
 * @data:	Device
 *
 * Return: G_SOURCE_CONTINUE
 */
static gboolean blk_on_watch(gpointer data)
{
	blk_resize_check(data);
	return G_SOURCE_CONTINUE;
}

/**
 * blk_resize_start() - Check the size on SIGHUP, and periodically with
 * --watch (sources on the default main context)
 * @blk:	Device
 */
void blk_resize_start(struct blk *blk)
{
	blk->sighup_src = g_unix_signal_add(SIGHUP, blk_on_sighup, blk);
	if (blk->watch)
		blk->watch_src = g_timeout_add(BLK_WATCH_INTERVAL_MS,
					       blk_on_watch, blk);
}

/**
 * blk_resize_stop() - Remove the resize sources
 * @blk:	Device
 */
void blk_resize_stop(struct blk *blk)
{
	if (blk->sighup_src)
		g_source_remove(blk->sighup_src);
	if (blk->watch_src)
		g_source_remove(blk->watch_src);
	blk->sighup_src = 0;
	blk->watch_src = 0;
}
