// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-loop.c - GLib integration. The front-end connection is served on the
 * default main context (the protocol thread). Each worker thread runs its
 * own GMainContext and serves the kicks of the queues the device assigned
 * to it, so a busy queue never blocks the protocol thread or another
 * worker. A per-worker mutex, held while a worker runs device code, lets
 * the protocol thread change rings and memory safely.
 */
#include <errno.h>
#include <sys/eventfd.h>

#include <glib-unix.h>

#include "vu-loop.h"

/**
 * struct vu_worker - one worker thread
 * @ctx:	Its main context
 * @loop:	Its main loop
 * @thread:	The thread
 * @lock:	Held while it runs device code, and by the protocol thread
 *		while it changes shared state
 */
struct vu_worker {
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
	GMutex lock;
};

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
 * @dev:	Device
 * @workers:	Worker threads
 * @nworkers:	Number of workers
 * @qw:		Per-queue state, dev->nvqs entries
 */
struct vu_loop {
	struct vu_dev *dev;
	struct vu_worker *workers;
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

	g_mutex_lock(&qw->worker->lock);
	if (g_source_is_destroyed(g_main_current_source())) {
		ret = G_SOURCE_REMOVE;
	} else if (eventfd_read(fd, &v) < 0 && errno != EAGAIN) {
		g_warning("queue %u: kick fd unreadable: %s", qw->vq->index,
			  g_strerror(errno));
		ret = G_SOURCE_REMOVE;
	} else {
		vu_loop_run_locked(qw);
	}
	g_mutex_unlock(&qw->worker->lock);
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
	g_source_set_callback(qw->kick, G_SOURCE_FUNC(vu_loop_kick_ready), qw,
			      NULL);
	g_source_attach(qw->kick, qw->worker->ctx);
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

	g_mutex_lock(&qw->worker->lock);
	/* Cleared first: a kick while the device runs schedules another run */
	g_atomic_int_set(&qw->idle_pending, 0);
	vu_loop_run_locked(qw);
	g_mutex_unlock(&qw->worker->lock);
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
	g_source_set_callback(s, vu_loop_idle_run, qw, NULL);
	g_source_attach(s, qw->worker->ctx);
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
 * vu_loop_fd_ready() - A watched device fd is readable
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

	g_mutex_lock(&w->qw->worker->lock);
	if (g_source_is_destroyed(g_main_current_source()))
		ret = G_SOURCE_REMOVE;
	else
		w->fn(w->qw->loop->dev, w->qw->vq, w->data);
	g_mutex_unlock(&w->qw->worker->lock);
	return ret;
}

/**
 * vu_loop_watch_fd() - Hook: watch a device fd on a queue's worker
 * @dev:	Device
 * @vq:		Queue
 * @fd:		File descriptor
 * @fn:		Callback
 * @data:	For @fn
 *
 * Return: the watch
 */
static void *vu_loop_watch_fd(struct vu_dev *dev, struct vu_queue *vq, int fd,
			      vu_fd_fn fn, void *data)
{
	struct vu_loop *loop = dev->hooks.opaque;
	struct vu_fdwatch *w = g_new0(struct vu_fdwatch, 1);

	w->qw = &loop->qw[vq->index];
	w->fn = fn;
	w->data = data;
	w->src = g_unix_fd_source_new(fd, G_IO_IN);
	g_source_set_callback(w->src, G_SOURCE_FUNC(vu_loop_fd_ready), w,
			      g_free);
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
 * vu_loop_lock() - Hook: hold every worker's lock
 * @dev:	Device
 */
static void vu_loop_lock(struct vu_dev *dev)
{
	struct vu_loop *loop = dev->hooks.opaque;
	unsigned int i;

	for (i = 0; i < loop->nworkers; i++)
		g_mutex_lock(&loop->workers[i].lock);
}

/**
 * vu_loop_unlock() - Hook: release every worker's lock
 * @dev:	Device
 */
static void vu_loop_unlock(struct vu_dev *dev)
{
	struct vu_loop *loop = dev->hooks.opaque;
	unsigned int i;

	for (i = loop->nworkers; i > 0; i--)
		g_mutex_unlock(&loop->workers[i - 1].lock);
}

/**
 * vu_loop_lock_queue() - Hook: hold the lock of one queue's worker
 * @dev:	Device
 * @vq:		Queue
 */
static void vu_loop_lock_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;

	g_mutex_lock(&loop->qw[vq->index].worker->lock);
}

/**
 * vu_loop_unlock_queue() - Hook: release the lock of one queue's worker
 * @dev:	Device
 * @vq:		Queue
 */
static void vu_loop_unlock_queue(struct vu_dev *dev, struct vu_queue *vq)
{
	struct vu_loop *loop = dev->hooks.opaque;

	g_mutex_unlock(&loop->qw[vq->index].worker->lock);
}

/**
 * vu_loop_worker_main() - A worker thread: run its context until told to
 * stop
 * @data:	Worker
 *
 * Return: NULL
 */
static gpointer vu_loop_worker_main(gpointer data)
{
	struct vu_worker *w = data;

	g_main_context_push_thread_default(w->ctx);
	g_main_loop_run(w->loop);
	g_main_context_pop_thread_default(w->ctx);
	return NULL;
}

/**
 * vu_loop_assign() - Assign queues to workers as the device declares
 * @loop:	Loop, with dev and qw set
 *
 * Return: number of workers needed
 */
static unsigned int vu_loop_assign(struct vu_loop *loop)
{
	struct vu_dev *dev = loop->dev;
	unsigned int q, n = 1, w;

	for (q = 0; q < dev->nvqs; q++) {
		w = dev->device->queue_worker ?
		    dev->device->queue_worker(dev, q) : q;
		if (w >= dev->nvqs)
			w = q;
		loop->qw[q].worker = GUINT_TO_POINTER(w + 1);
		n = MAX(n, w + 1);
	}
	return n;
}

/**
 * vu_loop_start_workers() - Create and start the worker threads
 * @loop:	Loop, with nworkers set
 */
static void vu_loop_start_workers(struct vu_loop *loop)
{
	unsigned int i;

	loop->workers = g_new0(struct vu_worker, loop->nworkers);
	for (i = 0; i < loop->nworkers; i++) {
		struct vu_worker *w = &loop->workers[i];
		char name[16];

		g_mutex_init(&w->lock);
		w->ctx = g_main_context_new();
		w->loop = g_main_loop_new(w->ctx, FALSE);
		g_snprintf(name, sizeof(name), "vu-worker-%u", i);
		w->thread = g_thread_new(name, vu_loop_worker_main, w);
	}
}

/**
 * vu_loop_new() - Give a device its worker threads and event loop hooks
 * @dev:	Device
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
		.queue_changed = vu_loop_queue_changed,
		.kick = vu_loop_kick,
		.watch_fd = vu_loop_watch_fd,
		.unwatch_fd = vu_loop_unwatch_fd,
		.opaque = loop,
	};
	unsigned int q;

	loop->dev = dev;
	loop->qw = g_new0(struct vu_qwatch, dev->nvqs);
	loop->nworkers = vu_loop_assign(loop);
	vu_loop_start_workers(loop);
	for (q = 0; q < dev->nvqs; q++) {
		unsigned int w = GPOINTER_TO_UINT(loop->qw[q].worker) - 1;

		loop->qw[q].loop = loop;
		loop->qw[q].vq = &dev->vqs[q];
		loop->qw[q].worker = &loop->workers[w];
	}
	vu_dev_set_hooks(dev, &hooks);
	g_debug("%u queues served by %u worker threads", dev->nvqs,
		loop->nworkers);
	return loop;
}

/**
 * vu_loop_worker_quit() - Idle callback ending a worker's loop
 * @data:	Worker
 *
 * Quitting from the worker itself: a quit from another thread before the
 * worker reached g_main_loop_run() would be lost, and the join would hang.
 *
 * Return: G_SOURCE_REMOVE
 */
static gboolean vu_loop_worker_quit(gpointer data)
{
	struct vu_worker *w = data;

	g_main_loop_quit(w->loop);
	return G_SOURCE_REMOVE;
}

/**
 * vu_loop_free() - Stop the workers; the device goes back to running its
 * queues synchronously (no hooks)
 * @loop:	Loop, may be NULL
 */
void vu_loop_free(struct vu_loop *loop)
{
	struct vu_dev_hooks none = { 0 };
	unsigned int i;

	if (!loop)
		return;
	for (i = 0; i < loop->dev->nvqs; i++)
		if (loop->qw[i].kick) {
			g_source_destroy(loop->qw[i].kick);
			g_source_unref(loop->qw[i].kick);
		}
	for (i = 0; i < loop->nworkers; i++) {
		struct vu_worker *w = &loop->workers[i];
		GSource *quit = g_idle_source_new();

		g_source_set_callback(quit, vu_loop_worker_quit, w, NULL);
		g_source_attach(quit, w->ctx);
		g_source_unref(quit);
		g_thread_join(w->thread);
		g_main_loop_unref(w->loop);
		g_main_context_unref(w->ctx);
		g_mutex_clear(&w->lock);
	}
	vu_dev_set_hooks(loop->dev, &none);
	g_free(loop->workers);
	g_free(loop->qw);
	g_free(loop);
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
