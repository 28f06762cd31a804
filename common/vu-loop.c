// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-loop.c - GLib integration. The front-end connection is served on the
 * default main context (the protocol thread). Each worker thread runs its
 * own GMainContext (vu-pool.c) and serves the kicks of the queues the
 * device assigned to it, so a busy queue never blocks the protocol thread
 * or another worker. A per-worker mutex, held while a worker runs device
 * code, lets the protocol thread change rings and memory safely. Devices
 * of one worker group share workers, and so one lock.
 */
#include <errno.h>
#include <sys/eventfd.h>

#include <glib-unix.h>

#include "vu-loop.h"
#include "vu-pool.h"

/**
 * struct vu_qwatch - how a queue is served
 * @loop:	Loop
 * @vq:		Queue
 * @worker:	Worker serving it
 * @kick:	Source watching the kick fd, or NULL
 * @idle_pending: A run of vu_loop_kick() is scheduled and has not started
 */
struct vu_qwatch {
	struct vu_loop *loop;
	struct vu_queue *vq;
	struct vu_worker *worker;
	GSource *kick;
	gint idle_pending;
};

/**
 * struct vu_loop - the event loop of one device instance
 * @refs:	References: the owner's, and one per source that points here
 * @dead:	vu_loop_free() ran: callbacks still pending do nothing (set
 *		under every worker lock of the loop)
 * @dev:	Device
 * @pool:	Pool the workers come from
 * @workers:	The distinct workers serving the device's queues, in pool
 *		order (the order their locks are taken in)
 * @nworkers:	Number of @workers
 * @qw:		Per-queue state, dev->nvqs entries
 */
struct vu_loop {
	gint refs;
	bool dead;
	struct vu_dev *dev;
	struct vu_pool *pool;
	struct vu_worker **workers;
	unsigned int nworkers;
	struct vu_qwatch *qw;
};

/**
 * struct vu_conn - a watched front-end connection
 * @dev:	Device
 * @closed:	Called once the session ended
 * @data:	For @closed
 */
struct vu_conn {
	struct vu_dev *dev;
	void (*closed)(struct vu_dev *dev, void *data);
	void *data;
};

/**
 * vu_loop_ref() - Take a reference to a loop (for a source's data)
 * @loop:	Loop
 *
 * Return: @loop
 */
static struct vu_loop *vu_loop_ref(struct vu_loop *loop)
{
	g_atomic_int_inc(&loop->refs);
	return loop;
}

/**
 * vu_loop_unref() - Drop a reference; the last frees the loop
 * @loop:	Loop
 */
static void vu_loop_unref(struct vu_loop *loop)
{
	if (!g_atomic_int_dec_and_test(&loop->refs))
		return;
	g_free(loop->workers);
	g_free(loop->qw);
	g_free(loop);
}

/**
 * vu_loop_qw_unref() - Destroy notification of a source on a queue watch
 * @data:	Queue watch
 */
static void vu_loop_qw_unref(gpointer data)
{
	struct vu_qwatch *qw = data;

	vu_loop_unref(qw->loop);
}

/**
 * vu_loop_no_block() - Let a source be dispatched without being blocked
 * @s:		Source
 *
 * GLib blocks a source that cannot recurse while its callback runs: it
 * takes the source's fds out of the poll set and puts them back, and each
 * of those wakes the context (an eventfd write, an extra poll and a read
 * per dispatch: per guest kick). Our callbacks never run the loop they
 * are dispatched from, so nothing needs blocking.
 */
static void vu_loop_no_block(GSource *s)
{
	g_source_set_can_recurse(s, TRUE);
}

/**
 * vu_loop_source() - Attach a source calling @fn with @qw to the queue's
 * worker; it holds a reference to the loop
 * @qw:		Queue watch
 * @s:		Source (the caller keeps its reference)
 * @fn:		Callback
 */
static void vu_loop_source(struct vu_qwatch *qw, GSource *s, GSourceFunc fn)
{
	vu_loop_no_block(s);
	vu_loop_ref(qw->loop);
	g_source_set_callback(s, fn, qw, vu_loop_qw_unref);
	g_source_attach(s, qw->worker->ctx);
}

/**
 * vu_loop_run_locked() - Let the device process a queue
 * @qw:		Queue watch, its worker's lock held
 *
 * A disabled ring is processed only by devices that asked for it
 * (process_disabled: net discards a disabled ring's TX).
 */
static void vu_loop_run_locked(struct vu_qwatch *qw)
{
	struct vu_dev *dev = qw->loop->dev;
	struct vu_queue *vq = qw->vq;

	if (vq->started && (vq->enabled || dev->device->process_disabled) &&
	    !vq->broken && dev->device->queue_kicked)
		dev->device->queue_kicked(dev, vq);
}

/**
 * vu_loop_kick_ready() - The kick eventfd of a queue is readable
 * @fd:		Kick eventfd
 * @cond:	Condition
 * @data:	Queue watch
 *
 * The lock is taken before the fd is touched: the protocol thread closes
 * kick fds only while it holds it, after destroying this source.
 *
 * Return: G_SOURCE_CONTINUE, or G_SOURCE_REMOVE if the source is stale
 */
static gboolean vu_loop_kick_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct vu_qwatch *qw = data;
	gboolean ret = G_SOURCE_CONTINUE;
	eventfd_t v;

	vu_worker_enter(qw->worker);
	if (qw->loop->dead || g_source_is_destroyed(g_main_current_source())) {
		ret = G_SOURCE_REMOVE;
	} else if (eventfd_read(fd, &v) < 0 && errno != EAGAIN) {
		g_warning("queue %u: kick fd unreadable: %s", qw->vq->index,
			  g_strerror(errno));
		ret = G_SOURCE_REMOVE;
	} else {
		vu_loop_run_locked(qw);
	}
	vu_worker_unlock(qw->worker);
	return ret;
}

/**
 * vu_loop_queue_changed() - Hook: watch a queue's current kick fd
 * @dev:	Device, locked
 * @vq:		Queue
 */
static void vu_loop_queue_changed(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;
	struct vu_qwatch *qw = &loop->qw[vq->index];

	if (qw->kick) {
		g_source_destroy(qw->kick);
		g_source_unref(qw->kick);
		qw->kick = NULL;
	}
	if (!vq->started || vq->kick_fd < 0)
		return;
	qw->kick = g_unix_fd_source_new(vq->kick_fd, G_IO_IN);
	vu_loop_source(qw, qw->kick, G_SOURCE_FUNC(vu_loop_kick_ready));
}

/**
 * vu_loop_idle_run() - Idle callback running a queue on its worker
 * @data:	Queue watch
 *
 * Return: G_SOURCE_REMOVE
 */
static gboolean vu_loop_idle_run(gpointer data)
{
	struct vu_qwatch *qw = data;

	vu_worker_enter(qw->worker);
	/* Cleared first: a kick while the device runs schedules another run */
	g_atomic_int_set(&qw->idle_pending, 0);
	if (!qw->loop->dead)
		vu_loop_run_locked(qw);
	vu_worker_unlock(qw->worker);
	return G_SOURCE_REMOVE;
}

/**
 * vu_loop_kick() - Hook: run a queue on its worker soon (in-band kick,
 * enable, start)
 * @dev:	Device
 * @vq:		Queue
 */
static void vu_loop_kick(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;
	struct vu_qwatch *qw = &loop->qw[vq->index];
	GSource *s;

	/* One pending run per queue: more would pile up under load */
	if (!g_atomic_int_compare_and_exchange(&qw->idle_pending, 0, 1))
		return;
	s = g_idle_source_new();
	vu_loop_source(qw, s, vu_loop_idle_run);
	g_source_unref(s);
}

/**
 * struct vu_fdwatch - a device's fd watched on a queue's worker
 * @qw:		Queue watch (worker, queue)
 * @fn:		Device callback
 * @data:	For @fn
 * @src:	The GLib source
 */
struct vu_fdwatch {
	struct vu_qwatch *qw;
	vu_fd_fn fn;
	void *data;
	GSource *src;
};

/**
 * vu_loop_fd_ready() - A watched device fd is readable (or writable)
 * @fd:		The fd
 * @cond:	Condition
 * @data:	struct vu_fdwatch
 *
 * Return: G_SOURCE_CONTINUE, or G_SOURCE_REMOVE if the watch was stopped
 */
static gboolean vu_loop_fd_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct vu_fdwatch *w = data;
	gboolean ret = G_SOURCE_CONTINUE;

	vu_worker_enter(w->qw->worker);
	if (w->qw->loop->dead ||
	    g_source_is_destroyed(g_main_current_source()))
		ret = G_SOURCE_REMOVE;
	else
		w->fn(w->qw->loop->dev, w->qw->vq, w->data);
	vu_worker_unlock(w->qw->worker);
	return ret;
}

/**
 * vu_loop_fdwatch_free() - Destroy notification of a device fd watch
 * @data:	struct vu_fdwatch
 */
static void vu_loop_fdwatch_free(gpointer data)
{
	struct vu_fdwatch *w = data;

	vu_loop_unref(w->qw->loop);
	g_free(w);
}

/**
 * vu_loop_watch_fd() - Hook: watch a device fd on a queue's worker
 * @dev:	Device
 * @vq:		Queue
 * @fd:		File descriptor
 * @out:	Watch for writability instead of readability
 * @fn:		Callback
 * @data:	For @fn
 *
 * Return: the watch
 */
static void *vu_loop_watch_fd(struct vu_dev *dev, struct vu_queue *vq, int fd,
			      bool out, vu_fd_fn fn, void *data)
{
	struct vu_loop *loop = dev->hooks.opaque;
	struct vu_fdwatch *w = g_new0(struct vu_fdwatch, 1);

	w->qw = &loop->qw[vq->index];
	w->fn = fn;
	w->data = data;
	w->src = g_unix_fd_source_new(fd, out ? G_IO_OUT : G_IO_IN);
	vu_loop_no_block(w->src);
	vu_loop_ref(loop);
	g_source_set_callback(w->src, G_SOURCE_FUNC(vu_loop_fd_ready), w,
			      vu_loop_fdwatch_free);
	g_source_attach(w->src, w->qw->worker->ctx);
	return w;
}

/**
 * vu_loop_unwatch_fd() - Hook: stop a device fd watch
 * @dev:	Device
 * @watch:	struct vu_fdwatch (freed with its source)
 */
static void vu_loop_unwatch_fd(struct vu_dev *dev, void *watch)
{
	struct vu_fdwatch *w = watch;
	GSource *src = w->src;

	g_source_destroy(src);
	g_source_unref(src);
}

/**
 * vu_loop_lock() - Hook: hold every worker lock of the device
 * @dev:	Device
 */
static void vu_loop_lock(struct vu_dev *dev)
{
	struct vu_loop *loop = dev->hooks.opaque;
	unsigned int i;

	for (i = 0; i < loop->nworkers; i++)
		vu_worker_lock(loop->workers[i]);
}

/**
 * vu_loop_unlock() - Hook: release every worker lock of the device
 * @dev:	Device
 */
static void vu_loop_unlock(struct vu_dev *dev)
{
	struct vu_loop *loop = dev->hooks.opaque;
	unsigned int i;

	for (i = loop->nworkers; i > 0; i--)
		vu_worker_unlock(loop->workers[i - 1]);
}

/**
 * vu_loop_lock_queue() - Hook: hold the lock of one queue's worker
 * @dev:	Device
 * @vq:		Queue
 */
static void vu_loop_lock_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;

	vu_worker_lock(loop->qw[vq->index].worker);
}

/**
 * vu_loop_unlock_queue() - Hook: release the lock of one queue's worker
 * @dev:	Device
 * @vq:		Queue
 */
static void vu_loop_unlock_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;

	vu_worker_unlock(loop->qw[vq->index].worker);
}

/**
 * vu_loop_lock_wanted() - Hook: does another thread wait for the lock of
 * a queue's worker
 * @dev:	Device
 * @vq:		Queue
 *
 * Return: true if so
 */
static bool vu_loop_lock_wanted(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;

	return vu_worker_wanted(loop->qw[vq->index].worker);
}

/**
 * vu_loop_worker_cmp() - Order workers by their number in the pool
 * @a:		struct vu_worker **
 * @b:		struct vu_worker **
 *
 * Return: <0, 0, >0
 */
static gint vu_loop_worker_cmp(gconstpointer a, gconstpointer b)
{
	const struct vu_worker *wa = *(struct vu_worker *const *)a;
	const struct vu_worker *wb = *(struct vu_worker *const *)b;

	return (wa->index > wb->index) - (wa->index < wb->index);
}

/**
 * vu_loop_assign() - Give each queue the worker the device declares, and
 * list the distinct workers
 * @loop:	Loop, with dev, pool and qw set
 */
static void vu_loop_assign(struct vu_loop *loop)
{
	struct vu_dev *dev = loop->dev;
	GPtrArray *used = g_ptr_array_new();
	unsigned int q, w;

	for (q = 0; q < dev->nvqs; q++) {
		w = dev->device->queue_worker ?
		    dev->device->queue_worker(dev, q) : q;
		if (w >= dev->nvqs)
			w = q;
		loop->qw[q].loop = loop;
		loop->qw[q].vq = &dev->vqs[q];
		loop->qw[q].worker = vu_pool_worker(loop->pool, w);
		if (!g_ptr_array_find(used, loop->qw[q].worker, NULL))
			g_ptr_array_add(used, loop->qw[q].worker);
	}
	if (!used->len)
		g_ptr_array_add(used, vu_pool_worker(loop->pool, 0));
	g_ptr_array_sort(used, vu_loop_worker_cmp);
	loop->nworkers = used->len;
	loop->workers = (struct vu_worker **)g_ptr_array_free(used, FALSE);
}

/**
 * vu_loop_new() - Give a device its worker threads and event loop hooks
 * @dev:	Device
 *
 * The workers come from the pool of the device's worker_group (shared with
 * the other devices of the group), else from a pool of its own.
 *
 * Return: the loop; free it with vu_loop_free() before the device
 */
struct vu_loop *vu_loop_new(struct vu_dev *dev)
{
	struct vu_loop *loop = g_new0(struct vu_loop, 1);
	struct vu_dev_hooks hooks = {
		.lock = vu_loop_lock,
		.unlock = vu_loop_unlock,
		.lock_queue = vu_loop_lock_queue,
		.unlock_queue = vu_loop_unlock_queue,
		.lock_wanted = vu_loop_lock_wanted,
		.queue_changed = vu_loop_queue_changed,
		.kick = vu_loop_kick,
		.watch_fd = vu_loop_watch_fd,
		.unwatch_fd = vu_loop_unwatch_fd,
		.opaque = loop,
	};

	loop->refs = 1;
	loop->dev = dev;
	loop->pool = vu_pool_get(dev->device->worker_group);
	loop->qw = g_new0(struct vu_qwatch, dev->nvqs);
	vu_loop_assign(loop);
	vu_dev_set_hooks(dev, &hooks);
	g_debug("%u queues served by %u worker threads", dev->nvqs,
		loop->nworkers);
	return loop;
}

/**
 * vu_loop_free() - Stop serving the device; it goes back to running its
 * queues synchronously (no hooks)
 * @loop:	Loop, may be NULL
 *
 * Under the workers' locks the loop is marked dead and its kick sources
 * destroyed; callbacks already queued on a shared worker then do nothing.
 * The workers stop when the last device of the pool lets go of it.
 */
void vu_loop_free(struct vu_loop *loop)
{
	struct vu_dev_hooks none = { 0 };
	struct vu_pool *pool;
	unsigned int i;

	if (!loop)
		return;
	vu_loop_lock(loop->dev);
	loop->dead = true;
	for (i = 0; i < loop->dev->nvqs; i++)
		if (loop->qw[i].kick) {
			g_source_destroy(loop->qw[i].kick);
			g_source_unref(loop->qw[i].kick);
			loop->qw[i].kick = NULL;
		}
	vu_loop_unlock(loop->dev);
	vu_dev_set_hooks(loop->dev, &none);
	pool = loop->pool;
	vu_loop_unref(loop);
	vu_pool_put(pool);
}

/**
 * vu_loop_conn_ready() - The front-end socket is readable or closed
 * @fd:		Socket
 * @cond:	Condition
 * @data:	Connection
 *
 * Return: G_SOURCE_CONTINUE, or G_SOURCE_REMOVE once the session ended
 */
static gboolean vu_loop_conn_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct vu_conn *c = data;

	if (!(cond & G_IO_IN) || vu_dev_process(c->dev) < 0) {
		vu_dev_disconnect(c->dev);
		if (c->closed)
			c->closed(c->dev, c->data);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/**
 * vu_loop_watch_conn() - Serve a front-end connection on the default
 * main context
 * @dev:	Device, not connected
 * @sock:	Connected socket (owned by the device from now on)
 * @closed:	Called after the session ended and the device was reset
 * @data:	For @closed
 *
 * Return: the GLib source id
 */
guint vu_loop_watch_conn(struct vu_dev *dev, int sock,
			 void (*closed)(struct vu_dev *dev, void *data),
			 void *data)
{
	struct vu_conn *c = g_new0(struct vu_conn, 1);

	c->dev = dev;
	c->closed = closed;
	c->data = data;
	vu_dev_attach(dev, sock);
	return g_unix_fd_add_full(G_PRIORITY_DEFAULT, sock,
				  G_IO_IN | G_IO_HUP | G_IO_ERR,
				  vu_loop_conn_ready, c, g_free);
}
