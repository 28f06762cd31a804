/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-pool.h - worker threads and the pools that own them. A device's event
 * loop takes its workers from a pool: a pool of its own, or one shared by
 * every device naming the same worker group (the ports of a switch, served
 * by one thread so that a port may touch another port's rings). Also the
 * helpers any thread running a GMainLoop uses (input's source thread).
 */
#ifndef VU_POOL_H
#define VU_POOL_H

#include <stdbool.h>

#include <glib.h>

/**
 * struct vu_worker - one worker thread
 * @ctx:	Its main context
 * @loop:	Its main loop
 * @thread:	The thread
 * @lock:	Held while it runs device code, and by other threads while
 *		they change what it serves
 * @want:	Threads waiting for @lock from outside (see vu_worker_lock())
 * @index:	Its number in the pool
 */
struct vu_worker {
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
	GMutex lock;
	gint want;
	unsigned int index;
};

struct vu_pool;

struct vu_pool *vu_pool_get(const void *group);
struct vu_worker *vu_pool_worker(struct vu_pool *pool, unsigned int index);
void vu_pool_put(struct vu_pool *pool);
void vu_worker_lock(struct vu_worker *w);
void vu_worker_unlock(struct vu_worker *w);
void vu_worker_enter(struct vu_worker *w);
bool vu_worker_wanted(struct vu_worker *w);
gpointer vu_loop_thread_main(gpointer data);
void vu_loop_thread_stop(GMainLoop *loop, GThread *thread);

#endif /* VU_POOL_H */
