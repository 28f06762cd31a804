// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-load.c - vu-blk-load, a virtio-blk load generator on libvuf: drives a
 * vhost-user-blk back-end at a fixed queue depth per ring (random or
 * sequential reads or writes) for a time or a number of requests, and
 * reports IOPS, MB/s and, with --stat-pid, the back-end's CPU time per
 * request. bench/blk runs it against our daemon and qemu-storage-daemon.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "vuf.h"

#define LD_GPA		0x40000000ull
#define LD_HDR_AREA	4096u	/* header and status, then the data */
#define LD_BATCH	64u
#define LD_MAX_QUEUES	16
#define LD_WAIT_MS	10000

/**
 * struct ld_opts - command-line options
 * @socket:	--socket-path
 * @rw:		--rw: randread, randwrite, read, write
 * @bs:		--bs: bytes per request (a multiple of 512)
 * @iodepth:	--iodepth: requests in flight per ring
 * @seconds:	--seconds: measured time (timed mode)
 * @warmup:	--warmup: seconds run before measuring
 * @requests:	--requests: run exactly this many per ring instead of a time
 * @queues:	--queues: rings, one thread each
 * @ring_size:	--ring-size
 * @stat_pid:	--stat-pid: back-end process to charge CPU time to
 * @writeback:	--writeback: set the WCE byte (0 or 1; -1 leaves it)
 * @indirect:	--indirect: post each request as one indirect descriptor
 * @write:	Derived: writes
 * @random:	Derived: random offsets
 */
struct ld_opts {
	gchar *socket;
	gchar *rw;
	gint bs;
	gint iodepth;
	gdouble seconds;
	gdouble warmup;
	gint64 requests;
	gint queues;
	gint ring_size;
	gint stat_pid;
	gint writeback;
	gboolean indirect;
	bool write;
	bool random;
};

/**
 * struct ld_queue - one ring and its worker
 * @vq:		Ring
 * @opts:	Options
 * @mem:	Guest memory
 * @pool_gpa:	iodepth slots of LD_HDR_AREA + bs bytes
 * @slot_size:	Bytes per slot
 * @free:	Free slot numbers (a stack)
 * @nfree:	Number of @free
 * @slot_of:	Slot of each chain id in flight
 * @sectors:	Device capacity in sectors
 * @pos:	Next sequential offset, in requests
 * @rng:	Random state
 * @posted:	Requests posted
 * @done:	Requests completed (read by the main thread)
 * @errors:	Completions without status OK
 * @fail:	Set when the worker gave up (a message was printed)
 * @thread:	Worker
 */
struct ld_queue {
	struct vuf_vq *vq;
	const struct ld_opts *opts;
	struct vuf_mem *mem;
	uint64_t pool_gpa;
	uint32_t slot_size;
	uint16_t *free;
	unsigned int nfree;
	uint16_t *slot_of;
	uint64_t sectors;
	uint64_t pos;
	uint64_t rng;
	uint64_t posted;
	uint64_t done;
	uint64_t errors;
	bool fail;
	GThread *thread;
};

static int ld_stop;	/* set (atomically) to end a timed run */

/**
 * ld_fail() - Report a failure on one line of stderr
 * @fmt:	printf format
 *
 * Return: 1
 */
static int G_GNUC_PRINTF(1, 2) ld_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vu-blk-load: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/**
 * ld_check() - Check the options and derive the mode flags
 * @o:		Options as parsed
 *
 * Return: 0, or 1 after reporting the error
 */
static int ld_check(struct ld_opts *o)
{
	if (!o->socket)
		return ld_fail("--socket-path is required");
	if (!o->rw)
		o->rw = g_strdup("randread");
	o->write = strstr(o->rw, "write") != NULL;
	o->random = g_str_has_prefix(o->rw, "rand");
	if (strcmp(o->rw + (o->random ? 4 : 0), o->write ? "write" : "read"))
		return ld_fail("--rw: unknown mode %s", o->rw);
	if (o->bs < 512 || o->bs % 512 || o->bs > (64 << 20) ||
	    o->iodepth < 1 || o->queues < 1 || o->queues > LD_MAX_QUEUES ||
	    o->ring_size < 2 || o->ring_size > 32768 ||
	    o->iodepth * (o->indirect ? 1 : 3) > o->ring_size)
		return ld_fail("bad --bs, --iodepth, --queues or --ring-size");
	return 0;
}

/**
 * ld_parse() - Parse and check the command line
 * @argc:	Argument count
 * @argv:	Arguments
 * @o:		Options, filled in
 *
 * Return: 0, or 1 after reporting the error
 */
static int ld_parse(int argc, char **argv, struct ld_opts *o)
{
	GOptionEntry e[] = {
		{ "socket-path", 0, 0, G_OPTION_ARG_FILENAME, &o->socket,
		  "Back-end socket", "PATH" },
		{ "rw", 0, 0, G_OPTION_ARG_STRING, &o->rw,
		  "randread, randwrite, read or write (randread)", "MODE" },
		{ "bs", 0, 0, G_OPTION_ARG_INT, &o->bs,
		  "Bytes per request (4096)", "N" },
		{ "iodepth", 0, 0, G_OPTION_ARG_INT, &o->iodepth,
		  "Requests in flight per ring (32)", "N" },
		{ "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o->seconds,
		  "Seconds measured (5)", "S" },
		{ "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &o->warmup,
		  "Seconds before measuring (1)", "S" },
		{ "requests", 0, 0, G_OPTION_ARG_INT64, &o->requests,
		  "Run this many requests per ring instead", "N" },
		{ "queues", 0, 0, G_OPTION_ARG_INT, &o->queues,
		  "Rings, one thread each (1)", "N" },
		{ "ring-size", 0, 0, G_OPTION_ARG_INT, &o->ring_size,
		  "Ring size (256)", "N" },
		{ "stat-pid", 0, 0, G_OPTION_ARG_INT, &o->stat_pid,
		  "Back-end pid whose CPU time is reported", "PID" },
		{ "writeback", 0, 0, G_OPTION_ARG_INT, &o->writeback,
		  "Set the write cache byte to 0 or 1", "WCE" },
		{ "indirect", 0, 0, G_OPTION_ARG_NONE, &o->indirect,
		  "Post requests as indirect descriptors", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new("- virtio-blk load");
	GError *err = NULL;
	bool ok;

	g_option_context_add_main_entries(ctx, e, NULL);
	ok = g_option_context_parse(ctx, &argc, &argv, &err);
	g_option_context_free(ctx);
	if (!ok) {
		ld_fail("%s", err->message);
		g_error_free(err);
		return 1;
	}
	return ld_check(o);
}

/**
 * ld_next_sector() - Where the next request goes
 * @q:		Ring
 *
 * Return: first sector, a multiple of the request size
 */
static uint64_t ld_next_sector(struct ld_queue *q)
{
	uint64_t per = (uint64_t)q->opts->bs / 512, n = q->sectors / per;
	uint64_t i;

	if (q->opts->random) {
		q->rng ^= q->rng << 13;
		q->rng ^= q->rng >> 7;
		q->rng ^= q->rng << 17;
		i = q->rng % n;
	} else {
		i = q->pos++ % n;
	}
	return i * per;
}

/**
 * ld_post() - Post one request from a free slot
 * @q:		Ring
 *
 * Return: 0 or -errno
 */
static int ld_post(struct ld_queue *q)
{
	uint16_t slot = q->free[--q->nfree];
	uint64_t gpa = q->pool_gpa + (uint64_t)slot * q->slot_size;
	uint8_t *p = vuf_mem_ptr(q->mem, gpa, LD_HDR_AREA);
	uint32_t hdr[2] = { GUINT32_TO_LE(q->opts->write ? 1 : 0), 0 };
	uint64_t sector = GUINT64_TO_LE(ld_next_sector(q));
	struct vuf_desc d[3] = {
		{ gpa, 16, false },
		{ gpa + LD_HDR_AREA, (uint32_t)q->opts->bs, !q->opts->write },
		{ gpa + 16, 1, true },
	};
	int id;

	memcpy(p, hdr, sizeof(hdr));
	memcpy(p + 8, &sector, sizeof(sector));
	p[16] = 0xff;
	id = vuf_vq_post_descs(q->vq, d, 3, q->opts->indirect);
	if (id < 0) {
		q->free[q->nfree++] = slot;
		return id;
	}
	q->slot_of[id] = slot;
	q->posted++;
	return 0;
}

/**
 * ld_complete() - Collect completions and release their slots
 * @q:		Ring
 *
 * Return: completions collected, or -errno
 */
static int ld_complete(struct ld_queue *q)
{
	struct vuf_used u[LD_BATCH];
	uint64_t gpa;
	int n, i;

	n = vuf_vq_collect(q->vq, u, LD_BATCH);
	for (i = 0; i < n; i++) {
		uint16_t slot = q->slot_of[u[i].id];

		gpa = q->pool_gpa + (uint64_t)slot * q->slot_size + 16;
		if (*(uint8_t *)vuf_mem_ptr(q->mem, gpa, 1) != 0)
			q->errors++;
		q->free[q->nfree++] = slot;
	}
	if (n > 0)
		__atomic_store_n(&q->done, q->done + (uint64_t)n,
				 __ATOMIC_RELAXED);
	return n;
}

/**
 * ld_want_more() - Whether the worker should post another request
 * @q:		Ring
 *
 * Return: true while the run goes on and a slot is free
 */
static bool ld_want_more(const struct ld_queue *q)
{
	if (!q->nfree)
		return false;
	if (q->opts->requests)
		return q->posted < (uint64_t)q->opts->requests;
	return !__atomic_load_n(&ld_stop, __ATOMIC_RELAXED);
}

/**
 * ld_worker() - Keep iodepth requests in flight until the run ends, then
 * drain
 * @data:	Ring
 *
 * Return: NULL
 */
static gpointer ld_worker(gpointer data)
{
	struct ld_queue *q = data;
	int n;

	for (;;) {
		while (ld_want_more(q))
			if (ld_post(q) < 0)
				goto fail;
		if (vuf_vq_notify(q->vq) < 0)
			goto fail;
		if (!vuf_vq_in_flight(q->vq) && !ld_want_more(q))
			return NULL;
		n = ld_complete(q);
		if (n < 0)
			goto fail;
		if (!n && vuf_vq_wait_call(q->vq, LD_WAIT_MS))
			goto fail;
	}
fail:
	ld_fail("ring %u: %s", vuf_vq_index(q->vq), vuf_vq_error(q->vq));
	q->fail = true;
	__atomic_store_n(&ld_stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

/**
 * ld_negotiate() - Features, config, memory table
 * @s:		Session
 * @o:		Options
 * @sectors:	Set to the capacity
 *
 * Return: 0, or 1 after reporting
 */
static int ld_negotiate(struct vuf_session *s, const struct ld_opts *o,
			uint64_t *sectors)
{
	struct vuf_conn *c = vuf_session_conn(s);
	uint64_t want = VUF_BIT(VUF_F_VERSION_1) | VUF_BIT(VUF_F_EVENT_IDX) |
			VUF_BIT(12) | VUF_BIT(9) | VUF_BIT(11) |
			(o->indirect ? VUF_BIT(VUF_F_INDIRECT_DESC) : 0);
	uint8_t wce = (uint8_t)o->writeback;
	uint64_t qnum = 1;

	if (vuf_session_negotiate(s, want, VUF_BIT(VUF_PF_MQ) |
				  VUF_BIT(VUF_PF_REPLY_ACK) |
				  VUF_BIT(VUF_PF_CONFIG)))
		return ld_fail("%s", vuf_conn_error(c));
	if (o->indirect &&
	    !(vuf_conn_features(c) & VUF_BIT(VUF_F_INDIRECT_DESC)))
		return ld_fail("back-end does not offer INDIRECT_DESC");
	if (vuf_conn_has_pf(c, VUF_PF_MQ) && vuf_get_queue_num(c, &qnum))
		return ld_fail("%s", vuf_conn_error(c));
	if ((uint64_t)o->queues > qnum)
		return ld_fail("back-end has %" PRIu64 " queues", qnum);
	if (vuf_get_config(c, 0, sectors, sizeof(*sectors)))
		return ld_fail("%s", vuf_conn_error(c));
	*sectors = GUINT64_FROM_LE(*sectors);
	if (*sectors < (uint64_t)o->bs / 512)
		return ld_fail("device of %" PRIu64 " sectors", *sectors);
	if (o->writeback >= 0 &&
	    vuf_set_config(c, 32, &wce, 1, 0))
		return ld_fail("%s", vuf_conn_error(c));
	if (vuf_session_set_mem_table(s))
		return ld_fail("%s", vuf_conn_error(c));
	return 0;
}

/**
 * ld_queue_init() - Create ring @i and its request slots, and start it
 * @q:		Ring to fill
 * @s:		Session
 * @m:		Guest memory
 * @o:		Options
 * @i:		Ring index
 * @sectors:	Capacity
 *
 * Return: 0, or 1 after reporting
 */
static int ld_queue_init(struct ld_queue *q, struct vuf_session *s,
			 struct vuf_mem *m, const struct ld_opts *o,
			 unsigned int i, uint64_t sectors)
{
	uint8_t *pool;
	unsigned int k;

	q->opts = o;
	q->mem = m;
	q->sectors = sectors;
	q->rng = 0x9e3779b97f4a7c15ull * (i + 1);
	q->slot_size = LD_HDR_AREA + (uint32_t)o->bs;
	q->vq = vuf_session_add_vq(s, (uint16_t)i, (uint16_t)o->ring_size, 64);
	q->pool_gpa = vuf_mem_alloc(m, (uint64_t)o->iodepth * q->slot_size,
				    4096);
	if (!q->vq || q->pool_gpa == VUF_GPA_INVALID)
		return ld_fail("guest memory exhausted");
	pool = vuf_mem_ptr(m, q->pool_gpa, (uint64_t)o->iodepth *
			   q->slot_size);
	for (k = 0; k < (uint64_t)o->iodepth * q->slot_size; k++)
		pool[k] = (uint8_t)(k * 7 + i + 1);
	q->free = g_new(uint16_t, o->iodepth);
	q->slot_of = g_new0(uint16_t, o->ring_size);
	for (k = 0; k < (unsigned int)o->iodepth; k++)
		q->free[q->nfree++] = (uint16_t)k;
	if (vuf_session_start_vq(s, q->vq))
		return ld_fail("%s", vuf_conn_error(vuf_session_conn(s)));
	return 0;
}

/**
 * ld_cpu() - CPU seconds of a process (user + system, all threads)
 * @pid:	Process, or 0 for ourselves
 *
 * Return: seconds, or -1 if unknown
 */
static double ld_cpu(int pid)
{
	unsigned long long ut, st;
	struct rusage ru;
	char *path, *text = NULL, *p;
	bool ok;

	if (!pid) {
		getrusage(RUSAGE_SELF, &ru);
		return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	}
	path = g_strdup_printf("/proc/%d/stat", pid);
	ok = g_file_get_contents(path, &text, NULL, NULL);
	g_free(path);
	p = ok ? strrchr(text, ')') : NULL;
	/* after "pid (comm)": state is field 3, utime 14, stime 15 */
	ok = p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu", &ut, &st) == 2;
	g_free(text);
	return ok ? (double)(ut + st) / (double)sysconf(_SC_CLK_TCK) : -1;
}

/**
 * struct ld_sample - counters at one instant
 * @t:		Monotonic time, seconds
 * @done:	Requests completed, all rings
 * @be_cpu:	Back-end CPU seconds (-1 if not asked)
 * @fe_cpu:	Our CPU seconds
 */
struct ld_sample {
	double t;
	uint64_t done;
	double be_cpu;
	double fe_cpu;
};

/**
 * ld_take_sample() - Read the counters
 * @q:		Rings
 * @n:		Number of @q
 * @o:		Options
 * @s:		Filled in
 */
static void ld_take_sample(struct ld_queue *q, unsigned int n,
		      const struct ld_opts *o, struct ld_sample *s)
{
	unsigned int i;

	s->done = 0;
	for (i = 0; i < n; i++)
		s->done += __atomic_load_n(&q[i].done, __ATOMIC_RELAXED);
	s->t = (double)g_get_monotonic_time() / 1e6;
	s->be_cpu = o->stat_pid ? ld_cpu(o->stat_pid) : -1;
	s->fe_cpu = ld_cpu(0);
}

/**
 * ld_report() - Print what was measured between two samples
 * @o:		Options
 * @a:		First sample
 * @b:		Second sample
 * @errors:	Requests that failed
 */
static void ld_report(const struct ld_opts *o, const struct ld_sample *a,
		      const struct ld_sample *b, uint64_t errors)
{
	uint64_t n = b->done - a->done;
	double secs = b->t - a->t, iops = secs > 0 ? n / secs : 0;

	printf("workload: %s bs %d iodepth %d queues %d\n", o->rw, o->bs,
	       o->iodepth, o->queues);
	printf("requests: %" PRIu64 "\n", n);
	printf("errors: %" PRIu64 "\n", errors);
	printf("seconds: %.3f\n", secs);
	printf("iops: %.0f\n", iops);
	printf("mbps: %.1f\n", iops * o->bs / 1e6);
	printf("frontend-cpu-s: %.3f\n", b->fe_cpu - a->fe_cpu);
	if (o->stat_pid && a->be_cpu >= 0 && b->be_cpu >= 0) {
		printf("backend-cpu-s: %.3f\n", b->be_cpu - a->be_cpu);
		printf("backend-us-per-req: %.2f\n",
		       n ? (b->be_cpu - a->be_cpu) * 1e6 / n : 0);
	}
}

/**
 * ld_sleep_until() - Sleep until a monotonic time unless a worker failed
 * @t:		Seconds (g_get_monotonic_time() scale)
 */
static void ld_sleep_until(double t)
{
	while (!__atomic_load_n(&ld_stop, __ATOMIC_RELAXED)) {
		double left = t - (double)g_get_monotonic_time() / 1e6;

		if (left <= 0)
			return;
		g_usleep((gulong)(MIN(left, 0.05) * 1e6));
	}
}

/**
 * ld_run() - Start the workers, measure, stop, join
 * @q:		Rings (started)
 * @o:		Options
 *
 * Return: 0, or 1 if a worker failed or a request got an error
 */
static int ld_run(struct ld_queue *q, const struct ld_opts *o)
{
	struct ld_sample a, b;
	uint64_t errors = 0;
	bool fail = false;
	int i;

	ld_take_sample(q, (unsigned int)o->queues, o, &a);
	for (i = 0; i < o->queues; i++)
		q[i].thread = g_thread_new("ring", ld_worker, &q[i]);
	if (!o->requests) {
		ld_sleep_until(a.t + o->warmup);
		ld_take_sample(q, (unsigned int)o->queues, o, &a);
		ld_sleep_until(a.t + o->seconds);
		ld_take_sample(q, (unsigned int)o->queues, o, &b);
		__atomic_store_n(&ld_stop, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < o->queues; i++) {
		g_thread_join(q[i].thread);
		fail |= q[i].fail;
		errors += q[i].errors;
	}
	if (o->requests)
		ld_take_sample(q, (unsigned int)o->queues, o, &b);
	if (!fail)
		ld_report(o, &a, &b, errors);
	return fail || errors;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on success, 1 on any failure
 */
int main(int argc, char **argv)
{
	struct ld_opts o = { .bs = 4096, .iodepth = 32, .seconds = 5,
			     .warmup = 1, .queues = 1, .ring_size = 256,
			     .writeback = -1 };
	struct ld_queue q[LD_MAX_QUEUES] = { { 0 } };
	struct vuf_session *s = NULL;
	struct vuf_mem *m = vuf_mem_new();
	uint64_t bytes, sectors = 0;
	struct vuf_conn *c;
	int i, r;

	r = ld_parse(argc, argv, &o);
	bytes = (uint64_t)o.queues * ((uint64_t)o.iodepth *
		(LD_HDR_AREA + (uint64_t)o.bs) + (uint64_t)o.ring_size * 96 +
		(1 << 20));
	bytes = (bytes + (4u << 20)) & ~((2ull << 20) - 1);
	if (!r && vuf_mem_add_region(m, LD_GPA, bytes, 0) < 0)
		r = ld_fail("cannot create %" PRIu64 " bytes of memory", bytes);
	if (!r && (r = vuf_conn_connect(o.socket, 5000, &c)))
		r = ld_fail("connect %s: %s", o.socket, g_strerror(-r));
	if (!r) {
		vuf_conn_set_timeout(c, LD_WAIT_MS);
		s = vuf_session_new(c, m);
		r = ld_negotiate(s, &o, &sectors);
	}
	for (i = 0; !r && i < o.queues; i++)
		r = ld_queue_init(&q[i], s, m, &o, (unsigned int)i, sectors);
	if (!r)
		r = ld_run(q, &o);
	vuf_session_free(s);
	vuf_mem_free(m);
	for (i = 0; i < o.queues; i++) {
		g_free(q[i].free);
		g_free(q[i].slot_of);
	}
	g_free(o.socket);
	g_free(o.rw);
	return r;
}
