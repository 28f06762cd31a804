// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-loop.c - unit tests of the event loop: queues are served by the
 * worker threads the device assigns, device fd watches run there with the
 * worker's lock, and stop when unwatched.
 */
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "vu-dev.h"
#include "vu-loop.h"

#define NQ 4

/**
 * struct seen - what the fd callbacks observed
 * @thread:	Thread each queue's callback ran on
 * @calls:	Callbacks per queue
 * @fd:		Eventfd per queue
 * @done:	Signalled after each callback
 */
struct seen {
	GThread *thread[NQ];
	unsigned int calls[NQ];
	int fd[NQ];
	GAsyncQueue *done;
};

/**
 * pairs() - queue_worker: queues 0-1 on worker 0, 2-3 on worker 1
 * @dev:	Device
 * @q:		Queue
 *
 * Return: worker index
 */
static unsigned int pairs(struct vu_dev *dev, unsigned int q)
{
	return q / 2;
}

static const struct vu_device loop_device = {
	.name = "loop",
	.virtio_id = 63,
	.num_queues = NQ,
	.max_queue_size = 64,
	.queue_worker = pairs,
};

/**
 * on_fd() - Record the thread, drain the eventfd, report
 * @dev:	Device
 * @vq:		Queue
 * @data:	struct seen
 */
static void on_fd(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct seen *s = data;
	eventfd_t v;

	g_assert_cmpint(eventfd_read(s->fd[vq->index], &v), ==, 0);
	s->thread[vq->index] = g_thread_self();
	s->calls[vq->index]++;
	g_async_queue_push(s->done, GUINT_TO_POINTER(vq->index + 1));
}

/**
 * test_workers_and_watches() - Each queue's watch runs on its worker
 */
static void test_workers_and_watches(void)
{
	struct seen s = { .done = g_async_queue_new() };
	struct vu_dev *dev = vu_dev_new(&loop_device, &s);
	struct vu_loop *loop = vu_loop_new(dev);
	void *w[NQ];
	unsigned int q;

	for (q = 0; q < NQ; q++) {
		s.fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		w[q] = vu_dev_watch_fd(dev, vu_dev_queue(dev, q), s.fd[q],
				       on_fd, &s);
		g_assert_nonnull(w[q]);
		g_assert_cmpint(eventfd_write(s.fd[q], 1), ==, 0);
		g_assert_nonnull(g_async_queue_timeout_pop(s.done, 5000000));
	}
	g_assert_true(s.thread[0] == s.thread[1]);
	g_assert_true(s.thread[2] == s.thread[3]);
	g_assert_true(s.thread[0] != s.thread[2]);
	g_assert_true(s.thread[0] != g_thread_self());

	/* While the protocol thread holds queue 0's worker, queue 2's
	 * worker still runs */
	vu_dev_lock_queue(dev, vu_dev_queue(dev, 0));
	g_assert_cmpint(eventfd_write(s.fd[2], 1), ==, 0);
	g_assert_nonnull(g_async_queue_timeout_pop(s.done, 5000000));
	g_assert_cmpint(eventfd_write(s.fd[1], 1), ==, 0);
	g_assert_null(g_async_queue_timeout_pop(s.done, 100000));
	vu_dev_unlock_queue(dev, vu_dev_queue(dev, 0));
	g_assert_cmpuint(GPOINTER_TO_UINT(g_async_queue_timeout_pop(s.done,
								    5000000)),
			 ==, 2);

	/* Unwatched: no more callbacks */
	vu_dev_unwatch_fd(dev, w[3]);
	g_assert_cmpint(eventfd_write(s.fd[3], 1), ==, 0);
	g_assert_null(g_async_queue_timeout_pop(s.done, 100000));
	g_assert_cmpuint(s.calls[3], ==, 1);

	for (q = 0; q < 3; q++)
		vu_dev_unwatch_fd(dev, w[q]);
	vu_loop_free(loop);
	vu_dev_free(dev);
	for (q = 0; q < NQ; q++)
		close(s.fd[q]);
	g_async_queue_unref(s.done);
}

/**
 * test_quick_free() - A loop freed right after it is made does not hang
 * (a worker that had not started its main loop yet missed the quit)
 */
static void test_quick_free(void)
{
	unsigned int i;

	for (i = 0; i < 200; i++) {
		struct vu_dev *dev = vu_dev_new(&loop_device, NULL);

		vu_loop_free(vu_loop_new(dev));
		vu_dev_free(dev);
	}
}

/**
 * test_no_loop() - Without an event loop there is nothing to watch with
 */
static void test_no_loop(void)
{
	struct vu_dev *dev = vu_dev_new(&loop_device, NULL);

	g_assert_null(vu_dev_watch_fd(dev, vu_dev_queue(dev, 0), 0, on_fd,
				      NULL));
	g_assert_null(vu_dev_watch_fd(dev, NULL, 0, on_fd, NULL));
	vu_dev_unwatch_fd(dev, NULL);
	vu_dev_free(dev);
}

static const int group_key;

static const struct vu_device group_device = {
	.name = "group",
	.virtio_id = 63,
	.num_queues = NQ,
	.max_queue_size = 64,
	.queue_worker = pairs,
	.worker_group = &group_key,
};

/**
 * struct wanted - what a callback that waits for a lock waiter saw
 * @dev:	Device
 * @seen:	vu_dev_lock_wanted() turned true while the callback ran
 * @started:	Signalled when the callback runs
 */
struct wanted {
	struct vu_dev *dev;
	gint seen;
	GAsyncQueue *started;
};

/**
 * on_fd_poll() - Stand for a device busy-polling on its worker: spin until
 * another thread wants the lock (at most 5 s)
 * @dev:	Device
 * @vq:		Queue
 * @data:	struct wanted
 */
static void on_fd_poll(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct wanted *w = data;
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	eventfd_t v;

	g_assert_cmpint(eventfd_read(vq->kick_fd, &v), ==, 0);
	g_async_queue_push(w->started, GUINT_TO_POINTER(1));
	while (g_get_monotonic_time() < end)
		if (vu_dev_lock_wanted(dev, vq)) {
			g_atomic_int_set(&w->seen, 1);
			return;
		}
}

/**
 * test_shared_group() - Devices of one worker group run on the same
 * threads; one device going away leaves the others served; a spinning
 * callback learns that the protocol thread waits for the lock
 */
static void test_shared_group(void)
{
	struct seen s = { .done = g_async_queue_new() };
	struct wanted wt = { .started = g_async_queue_new() };
	struct vu_dev *a = vu_dev_new(&group_device, &s);
	struct vu_dev *b = vu_dev_new(&group_device, &s);
	struct vu_loop *la = vu_loop_new(a), *lb = vu_loop_new(b);
	struct vu_queue *qa = vu_dev_queue(a, 0), *qb = vu_dev_queue(b, 1);
	GThread *ta;
	void *wa, *wb;

	s.fd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s.fd[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	wa = vu_dev_watch_fd(a, qa, s.fd[0], on_fd, &s);
	wb = vu_dev_watch_fd(b, qb, s.fd[1], on_fd, &s);
	g_assert_cmpint(eventfd_write(s.fd[0], 1), ==, 0);
	g_assert_nonnull(g_async_queue_timeout_pop(s.done, 5000000));
	ta = s.thread[0];
	g_assert_cmpint(eventfd_write(s.fd[1], 1), ==, 0);
	g_assert_nonnull(g_async_queue_timeout_pop(s.done, 5000000));
	g_assert_true(s.thread[1] == ta);

	/* Locking a queue of device a keeps b's queue on that worker away */
	vu_dev_lock_queue(a, qa);
	g_assert_cmpint(eventfd_write(s.fd[1], 1), ==, 0);
	g_assert_null(g_async_queue_timeout_pop(s.done, 100000));
	vu_dev_unlock_queue(a, qa);
	g_assert_nonnull(g_async_queue_timeout_pop(s.done, 5000000));

	/* a goes away: b is still served by the shared worker */
	vu_dev_unwatch_fd(a, wa);
	vu_loop_free(la);
	vu_dev_free(a);
	g_assert_cmpint(eventfd_write(s.fd[1], 1), ==, 0);
	g_assert_nonnull(g_async_queue_timeout_pop(s.done, 5000000));
	g_assert_true(s.thread[1] == ta);
	vu_dev_unwatch_fd(b, wb);

	/* A spinning callback sees the protocol thread wait for the lock */
	qb->kick_fd = s.fd[1];
	wt.dev = b;
	wb = vu_dev_watch_fd(b, qb, s.fd[1], on_fd_poll, &wt);
	g_assert_cmpint(eventfd_write(s.fd[1], 1), ==, 0);
	g_assert_nonnull(g_async_queue_timeout_pop(wt.started, 5000000));
	vu_dev_lock_queue(b, qb);
	g_assert_cmpint(g_atomic_int_get(&wt.seen), ==, 1);
	vu_dev_unlock_queue(b, qb);
	qb->kick_fd = -1;
	vu_dev_unwatch_fd(b, wb);
	vu_loop_free(lb);
	vu_dev_free(b);
	close(s.fd[0]);
	close(s.fd[1]);
	g_async_queue_unref(s.done);
	g_async_queue_unref(wt.started);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/loop/workers-and-watches", test_workers_and_watches);
	g_test_add_func("/loop/quick-free", test_quick_free);
	g_test_add_func("/loop/no-loop", test_no_loop);
	g_test_add_func("/loop/shared-group", test_shared_group);
	return g_test_run();
}
