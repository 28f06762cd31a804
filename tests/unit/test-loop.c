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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/loop/workers-and-watches", test_workers_and_watches);
	g_test_add_func("/loop/quick-free", test_quick_free);
	g_test_add_func("/loop/no-loop", test_no_loop);
	return g_test_run();
}
