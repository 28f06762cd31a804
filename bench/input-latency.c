// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-latency.c - vu-input-latency: how long vhost-user-input takes from a
 * control line to the event on the ring, and how many events a second it
 * can deliver.
 *
 * Run (from the source root, after ninja -C build):
 *
 *   build/tests/input/vu-input-latency build/vhost-user-input/vhost-user-input
 *
 * starts the daemon as a virtual mouse in a temporary directory; or, with a
 * daemon already running with --virtual=mouse:
 *
 *   vu-input-latency --socket=VHOST_USER_SOCKET --control=CONTROL_SOCKET
 *
 * Latency: 64 event buffers are posted, then --count times (10,000) one
 * line [{"type":"rel","code":"REL_X","value":1},{"type":"syn"}] is written
 * to the control socket and the used ring is busy-polled (no eventfd wait,
 * so the figure is the daemon's, not our wakeup's) until both events are
 * in; the two buffers are posted again outside the timed part. Times run
 * from just before the write() to the first used entry ("first event") and
 * to the SYN_REPORT's entry ("whole frame"); p50/p90/p99/max in us.
 *
 * Saturation: a sender thread writes such frames as fast as it can (16
 * lines per write()) for --seconds (2) while the main loop posts buffers
 * back as they are used; then the sender stops and the ring is drained.
 * Events/s counts what was delivered within the window; dropped is events
 * sent minus events delivered (the daemon's --max-events bound at work).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

#include "input-harness.h"

#define FRAME_LINE	"[{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":1}," \
			"{\"type\":\"syn\"}]\n"
#define SEND_BATCH	16	/* frames per write() when saturating */
#define POLL_LIMIT_NS	(2 * G_TIME_SPAN_SECOND * 1000)

/* --wait=call: block on the call eventfd instead of spinning */
static bool wait_call;

/**
 * struct sender - the saturation sender thread
 * @fd:		Control socket
 * @stop:	Set by the main loop to end the thread
 * @frames:	Frames written so far
 */
struct sender {
	int fd;
	atomic_bool stop;
	atomic_ulong frames;
};

/**
 * now_ns() - Monotonic time
 *
 * Return: nanoseconds
 */
static gint64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/**
 * write_all() - Write a whole buffer to a socket
 * @fd:		Socket
 * @buf:	Bytes
 * @len:	Number of bytes
 *
 * Return: true if written, false if the daemon hung up
 */
static bool write_all(int fd, const char *buf, size_t len)
{
	ssize_t r;

	while (len) {
		r = send(fd, buf, len, MSG_NOSIGNAL);
		if (r <= 0)
			return false;
		buf += r;
		len -= (size_t)r;
	}
	return true;
}

/**
 * repost() - Post @n event buffers back, kicking only if the daemon asks
 * @t:		Harness
 * @n:		Buffers
 */
static void repost(struct inpt *t, unsigned int n)
{
	inpt_post_quiet(t, n);
	if (vuf_vq_notify(t->evq) < 0)
		g_error("kick: %s", vuf_vq_error(t->evq));
}

/**
 * spin_events() - Busy-poll the used ring until @n events are in
 * @t:		Harness
 * @u:		Completions
 * @n:		How many
 * @first:	Set to the time the first one was seen
 *
 * With --wait=call the bench sleeps on the call eventfd between polls,
 * leaving the CPUs to the daemon (on 2 cores a spinning bench competes
 * with the daemon's two threads and makes the tail its own).
 *
 * Return: the time the last one was seen
 */
static gint64 spin_events(struct inpt *t, struct inpt_used *u,
			  unsigned int n, gint64 *first)
{
	gint64 start = now_ns(), now = start;
	struct inpt_used tmp[INPT_QSIZE];
	unsigned int got = 0, k;

	while (got < n) {
		/* Drained to the end, so that the used event is published */
		k = inpt_poll(t, tmp, INPT_QSIZE);
		now = now_ns();
		if (k > n - got)
			g_error("more events than sent (%u)", got + k);
		memcpy(u + got, tmp, k * sizeof(*tmp));
		if (k && !got)
			*first = now;
		got += k;
		if (now - start > POLL_LIMIT_NS)
			g_error("no event within 2 s (%u of %u)", got, n);
		if (wait_call && got < n)
			vuf_vq_wait_call(t->evq, 100);
	}
	return now;
}

/**
 * one_frame() - Send one frame and time its delivery
 * @t:		Harness
 * @ctl:	Control client
 * @first:	Set to ns from the write to the first event
 * @whole:	Set to ns from the write to the SYN_REPORT
 */
static void one_frame(struct inpt *t, struct inpt_ctl *ctl, gint64 *first,
		      gint64 *whole)
{
	struct inpt_used u[2];
	gint64 t0, t1 = 0, t2;

	t0 = now_ns();
	if (!write_all(ctl->fd, FRAME_LINE, strlen(FRAME_LINE)))
		g_error("control socket closed");
	t2 = spin_events(t, u, 2, &t1);
	if (u[0].len != VIN_EVENT_SIZE || u[0].ev.type != 2 ||
	    u[0].ev.code != 0 || u[0].ev.value != 1 || u[1].ev.type != 0)
		g_error("unexpected events %u/%u/%d %u/%u/%d", u[0].ev.type,
			u[0].ev.code, u[0].ev.value, u[1].ev.type,
			u[1].ev.code, u[1].ev.value);
	*first = t1 - t0;
	*whole = t2 - t0;
	repost(t, 2);
}

/**
 * cmp_i64() - qsort() order for gint64
 * @a:		First
 * @b:		Second
 *
 * Return: <0, 0, >0
 */
static int cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

/**
 * print_dist() - Print percentiles of a set of durations
 * @label:	What was measured
 * @v:		Durations in ns (sorted in place)
 * @n:		Number of @v
 */
static void print_dist(const char *label, gint64 *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	printf("latency %-12s (us): p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
	       label, v[n * 50 / 100] / 1e3, v[n * 90 / 100] / 1e3,
	       v[n * 99 / 100] / 1e3, v[n - 1] / 1e3);
}

/**
 * run_latency() - The latency part
 * @t:		Harness (connected, no buffer posted)
 * @ctl:	Control client
 * @count:	Frames to time
 */
static void run_latency(struct inpt *t, struct inpt_ctl *ctl,
			unsigned int count)
{
	gint64 *first = g_new(gint64, count), *whole = g_new(gint64, count);
	gint64 a, b;
	unsigned int i;

	inpt_post_events(t, INPT_QSIZE);
	for (i = 0; i < 200; i++)
		one_frame(t, ctl, &a, &b);
	for (i = 0; i < count; i++)
		one_frame(t, ctl, &first[i], &whole[i]);
	printf("latency frames: %u of REL_X+SYN, one at a time, %s\n",
	       count, wait_call ? "waiting on the call eventfd" :
	       "busy-polled");
	print_dist("first event", first, count);
	print_dist("whole frame", whole, count);
	g_free(first);
	g_free(whole);
}

/**
 * sender_main() - Saturation sender: batches of frames until told to stop
 * @data:	struct sender
 *
 * Return: NULL
 */
static gpointer sender_main(gpointer data)
{
	struct sender *s = data;
	GString *batch = g_string_new(NULL);
	unsigned int i;

	for (i = 0; i < SEND_BATCH; i++)
		g_string_append(batch, FRAME_LINE);
	while (!atomic_load(&s->stop)) {
		if (!write_all(s->fd, batch->str, batch->len))
			break;
		atomic_fetch_add(&s->frames, SEND_BATCH);
	}
	g_string_free(batch, TRUE);
	return NULL;
}

/**
 * take_events() - Collect what is on the ring and post buffers back,
 * waiting up to @wait_ms for a call if nothing is there
 * @t:		Harness
 * @wait_ms:	How long to wait when the ring is empty
 *
 * Return: events collected (0 after a quiet @wait_ms)
 */
static unsigned int take_events(struct inpt *t, int wait_ms)
{
	struct inpt_used u[INPT_QSIZE];
	unsigned int n = inpt_poll(t, u, INPT_QSIZE);

	if (n) {
		repost(t, n);
		return n;
	}
	vuf_vq_wait_call(t->evq, wait_ms);
	n = inpt_poll(t, u, INPT_QSIZE);
	if (n)
		repost(t, n);
	return n;
}

/**
 * run_saturation() - The saturation part
 * @t:		Harness (connected; the event ring full of buffers)
 * @ctl:	Control client
 * @seconds:	How long the sender runs
 */
static void run_saturation(struct inpt *t, struct inpt_ctl *ctl,
			   double seconds)
{
	struct sender s = { .fd = ctl->fd };
	gint64 start = now_ns(), end = start + (gint64)(seconds * 1e9);
	unsigned long delivered = 0, in_window, sent, n;
	GThread *th = g_thread_new("sender", sender_main, &s);

	while (now_ns() < end)
		delivered += take_events(t, 10);
	in_window = delivered;
	atomic_store(&s.stop, true);
	g_thread_join(th);
	while ((n = take_events(t, 200)))
		delivered += n;
	sent = 2 * atomic_load(&s.frames);
	printf("saturation: %.2f s, frames sent %lu, events sent %lu, "
	       "delivered %lu, dropped %lu\n", seconds, sent / 2, sent,
	       delivered, sent - delivered);
	printf("saturation events/s: %.0f\n", in_window / seconds);
}

/**
 * struct bench_opts - the command line
 * @sock:	--socket: attach to this vhost-user socket
 * @ctl:	--control: and this control socket
 * @count:	--count: frames to time
 * @seconds:	--seconds: saturation window
 * @wait:	--wait: spin or call
 */
struct bench_opts {
	char *sock;
	char *ctl;
	int count;
	char *wait;
	double seconds;
};

/**
 * parse_opts() - Parse the command line
 * @argc:	Argument count (updated)
 * @argv:	Arguments (updated: the daemon path remains)
 * @o:		Options to fill
 */
static void parse_opts(int *argc, char ***argv, struct bench_opts *o)
{
	GOptionEntry entries[] = {
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &o->sock,
		  "vhost-user socket of a running daemon", "PATH" },
		{ "control", 0, 0, G_OPTION_ARG_FILENAME, &o->ctl,
		  "its control socket", "PATH" },
		{ "count", 0, 0, G_OPTION_ARG_INT, &o->count,
		  "frames to time (10000)", "N" },
		{ "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o->seconds,
		  "saturation window (2)", "S" },
		{ "wait", 0, 0, G_OPTION_ARG_STRING, &o->wait,
		  "spin (default: busy-poll the used ring) or call (sleep on "
		  "the call eventfd)", "HOW" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("[DAEMON]");
	GError *err = NULL;

	o->count = 10000;
	o->seconds = 2.0;
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err) ||
	    (!!o->sock != !!o->ctl) || (!o->sock && *argc != 2) ||
	    o->count < 1 || o->seconds <= 0 || (o->wait &&
	    strcmp(o->wait, "spin") && strcmp(o->wait, "call"))) {
		fprintf(stderr, "usage: vu-input-latency DAEMON | "
			"--socket=PATH --control=PATH%s%s\n",
			err ? ": " : "", err ? err->message : "");
		exit(2);
	}
	g_option_context_free(ctx);
	wait_call = o->wait && !strcmp(o->wait, "call");
}

/**
 * setup() - Start the daemon as a virtual mouse, or attach to one
 * @t:		Harness to fill
 * @o:		Options
 * @daemon:	Daemon path (when not attaching)
 */
static void setup(struct inpt *t, const struct bench_opts *o,
		  const char *daemon)
{
	if (o->sock) {
		inpt_attach(t, o->sock, o->ctl);
		inpt_connect(t);
		printf("daemon: attached to %s\n", o->sock);
		return;
	}
	g_setenv("VU_INPUT", daemon, TRUE);
	if (!inpt_init(t)) {
		fprintf(stderr, "%s: not an executable\n", daemon);
		exit(2);
	}
	inpt_start(t, "mouse", NULL);
	printf("daemon: %s --virtual=mouse\n", daemon);
}

/**
 * main() - Latency, then saturation
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 (failures abort)
 */
int main(int argc, char **argv)
{
	struct bench_opts o = { 0 };
	struct inpt_ctl *ctl;
	struct inpt t;

	parse_opts(&argc, &argv, &o);
	setup(&t, &o, argc > 1 ? argv[1] : NULL);
	ctl = inpt_ctl_open(t.ctl);
	run_latency(&t, ctl, (unsigned int)o.count);
	run_saturation(&t, ctl, o.seconds);
	inpt_fini(&t);
	inpt_ctl_close(ctl);
	g_free(o.sock);
	g_free(o.ctl);
	return 0;
}
