// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-pool.c - worker threads and their pools. Each worker runs a
 * GMainContext of its own. A pool starts workers as loops ask for them and
 * stops them when its last user puts it back; a pool with a group key is
 * found again by every device naming that group. Pools are taken and put
 * back on the protocol thread, at setup and teardown.
 *
 * The worker lock: device code runs under it on the worker; other threads
 * (the protocol thread changing rings, an input thread delivering events)
 * take it through vu_worker_lock(), which announces them in @want so that a
 * device busy-polling on the worker can step aside, and a worker about to
 * run again lets them go first.
 */
#include "vu-pool.h"

/**
 * struct vu_pool - a set of worker threads
 * @group:	Key devices share it by, or NULL (private)
 * @refs:	Loops using it
 * @workers:	Workers started so far (struct vu_worker *)
 */
struct vu_pool {
	const void *group;
	unsigned int refs;
	GPtrArray *workers;
};

/* Pools with a group key (struct vu_pool *), under vu_pools_lock */
static GMutex vu_pools_lock;
static GSList *vu_pools;

/**
 * vu_pool_get() - Take a pool
 * @group:	Worker group: devices giving the same non-NULL key share the
 *		pool; NULL gives a new private one
 *
 * Return: the pool, to be given back with vu_pool_put()
 */
struct vu_pool *vu_pool_get(const void *group)
{
	struct vu_pool *pool = NULL;
	GSList *l;

	g_mutex_lock(&vu_pools_lock);
	for (l = vu_pools; group && l; l = l->next)
		if (((struct vu_pool *)l->data)->group == group)
			pool = l->data;
	if (!pool) {
		pool = g_new0(struct vu_pool, 1);
		pool->group = group;
		pool->workers = g_ptr_array_new();
		if (group)
			vu_pools = g_slist_prepend(vu_pools, pool);
	}
	pool->refs++;
	g_mutex_unlock(&vu_pools_lock);
	return pool;
}

/**
 * vu_loop_thread_main() - A thread running a main loop on its context
 * (made the thread's default) until the loop quits
 * @data:	The GMainLoop
 *
 * Return: NULL
 */
gpointer vu_loop_thread_main(gpointer data)
{
	GMainLoop *loop = data;
	GMainContext *ctx = g_main_loop_get_context(loop);

	g_main_context_push_thread_default(ctx);
	g_main_loop_run(loop);
	g_main_context_pop_thread_default(ctx);
	return NULL;
}

/**
 * vu_worker_new() - Start a worker thread
 * @index:	Its number in the pool
 *
 * Return: the worker
 */
static struct vu_worker *vu_worker_new(unsigned int index)
{
	struct vu_worker *w = g_new0(struct vu_worker, 1);
	char name[16];

	g_mutex_init(&w->lock);
	w->index = index;
	w->ctx = g_main_context_new();
	w->loop = g_main_loop_new(w->ctx, FALSE);
	g_snprintf(name, sizeof(name), "vu-worker-%u", index);
	w->thread = g_thread_new(name, vu_loop_thread_main, w->loop);
	return w;
}

/**
 * vu_pool_worker() - A worker of a pool, started if it is not yet
 * @pool:	Pool
 * @index:	Worker number
 *
 * Return: the worker
 */
struct vu_worker *vu_pool_worker(struct vu_pool *pool, unsigned int index)
{
	struct vu_worker *w;

	g_mutex_lock(&vu_pools_lock);
	while (pool->workers->len <= index)
		g_ptr_array_add(pool->workers,
				vu_worker_new(pool->workers->len));
	w = pool->workers->pdata[index];
	g_mutex_unlock(&vu_pools_lock);
	return w;
}

/**
 * vu_loop_thread_quit() - Idle callback ending a main loop
 * @data:	The GMainLoop
 *
 * Return: G_SOURCE_REMOVE
 */
static gboolean vu_loop_thread_quit(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

/**
 * vu_loop_thread_stop() - End a vu_loop_thread_main() thread, wait for it
 * @loop:	Its main loop
 * @thread:	The thread
 *
 * The quit runs as a source of the loop's own context: a quit from another
 * thread before it reached g_main_loop_run() would be lost, and the join
 * would hang. Sources still attached stay for the caller to free.
 */
void vu_loop_thread_stop(GMainLoop *loop, GThread *thread)
{
	GSource *quit = g_idle_source_new();

	g_source_set_callback(quit, vu_loop_thread_quit, loop, NULL);
	g_source_attach(quit, g_main_loop_get_context(loop));
	g_source_unref(quit);
	g_thread_join(thread);
}

/**
 * vu_worker_free() - Stop a worker thread and free it
 * @w:		Worker
 *
 * Sources still attached are destroyed with its context (their destroy
 * notifications run here).
 */
static void vu_worker_free(struct vu_worker *w)
{
	vu_loop_thread_stop(w->loop, w->thread);
	g_main_loop_unref(w->loop);
	g_main_context_unref(w->ctx);
	g_mutex_clear(&w->lock);
	g_free(w);
}

/**
 * vu_pool_put() - Give a pool back; the last user stops its workers
 * @pool:	Pool, may be NULL
 */
void vu_pool_put(struct vu_pool *pool)
{
	unsigned int i;
	bool last;

	if (!pool)
		return;
	g_mutex_lock(&vu_pools_lock);
	last = --pool->refs == 0;
	if (last)
		vu_pools = g_slist_remove(vu_pools, pool);
	g_mutex_unlock(&vu_pools_lock);
	if (!last)
		return;
	for (i = 0; i < pool->workers->len; i++)
		vu_worker_free(pool->workers->pdata[i]);
	g_ptr_array_unref(pool->workers);
	g_free(pool);
}

/**
 * vu_worker_lock() - Take a worker's lock from another thread
 * @w:		Worker
 *
 * Announced while waiting: see vu_worker_wanted().
 */
void vu_worker_lock(struct vu_worker *w)
{
	g_atomic_int_inc(&w->want);
	g_mutex_lock(&w->lock);
	g_atomic_int_dec_and_test(&w->want);
}

/**
 * vu_worker_unlock() - Release a worker's lock
 * @w:		Worker
 */
void vu_worker_unlock(struct vu_worker *w)
{
	g_mutex_unlock(&w->lock);
}

/**
 * vu_worker_enter() - The worker takes its own lock to run device code
 * @w:		Worker (called on it)
 *
 * Threads waiting for the lock go first: a device that stepped aside from
 * busy polling would otherwise take the lock straight back.
 */
void vu_worker_enter(struct vu_worker *w)
{
	while (g_atomic_int_get(&w->want) > 0)
		g_usleep(20);
	g_mutex_lock(&w->lock);
}

/**
 * vu_worker_wanted() - Whether another thread waits for the worker's lock
 * @w:		Worker
 *
 * Return: true if a device running on it should return soon
 */
bool vu_worker_wanted(struct vu_worker *w)
{
	return g_atomic_int_get(&w->want) > 0;
}
