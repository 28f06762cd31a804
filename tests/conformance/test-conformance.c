// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-conformance.c - the stub device driven by our test front-end over a
 * real socket through whole QEMU-like sessions: negotiate, map memory,
 * start rings, process requests (split and packed rings, with and without
 * event idx and indirect chains), GET_VRING_BASE and restart, reset,
 * reconnect; crash recovery through the inflight region; a hostile guest
 * and a hostile front-end.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stub-harness.h"

#define QSIZE		64u
#define ROUND		32u	/* requests per kick */
#define ROUNDS		8u
#define STATUS_OK	0x0fu	/* ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK */
#define NEEDS_RESET	0x40u

static struct harness env;

/**
 * struct mode - one ring configuration
 * @name:	Test name suffix
 * @features:	Virtio features asked for
 * @indirect:	Post chains as indirect descriptors
 */
struct mode {
	const char *name;
	uint64_t features;
	bool indirect;
};

static const struct mode modes[] = {
	{ "split", VUF_BIT(VUF_F_EVENT_IDX), false },
	{ "split-noevent", 0, false },
	{ "split-indirect", VUF_BIT(VUF_F_EVENT_IDX) |
	  VUF_BIT(VUF_F_INDIRECT_DESC), true },
	{ "packed", VUF_BIT(VUF_F_RING_PACKED) | VUF_BIT(VUF_F_EVENT_IDX),
	  false },
	{ "packed-noevent", VUF_BIT(VUF_F_RING_PACKED), false },
	{ "packed-indirect", VUF_BIT(VUF_F_RING_PACKED) |
	  VUF_BIT(VUF_F_EVENT_IDX) | VUF_BIT(VUF_F_INDIRECT_DESC), true },
};

/**
 * run_round() - Post, kick once and drain a round of echo requests
 * @vq:		Ring
 * @n:		Requests
 * @first:	Sequence number of the first
 * @indirect:	As indirect chains
 */
static void run_round(struct vuf_vq *vq, unsigned int n, uint64_t first,
		      bool indirect)
{
	unsigned int seen[QSIZE] = { 0 };
	uint64_t seq[QSIZE] = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++)
		seq[harness_post(vq, first + i, indirect)] = first + i;
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	harness_drain(vq, seq, seen, n);
	for (i = 0; i < QSIZE; i++)
		g_assert_cmpuint(seen[i], <=, 1);
}

/**
 * config_counter() - The stub's completed-request counter (config 0-7)
 * @c:		Connection
 *
 * Return: counter
 */
static uint64_t config_counter(struct vuf_conn *c)
{
	uint64_t v;

	g_assert_cmpint(vuf_get_config(c, 0, &v, sizeof(v)), ==, 0);
	return GUINT64_FROM_LE(v);
}

/**
 * no_completion() - Nothing completes on a ring within a short time
 * @vq:		Ring
 *
 * Return: true if no used entry appeared
 */
static bool no_completion(struct vuf_vq *vq)
{
	struct vuf_used u;

	g_usleep(200000);
	return vuf_vq_collect(vq, &u, 1) == 0;
}

/**
 * negotiate_checks() - What the session negotiated, and basic queries
 * @s:		Session
 * @md:		Mode
 */
static void negotiate_checks(struct vuf_session *s, const struct mode *md)
{
	struct vuf_conn *c = vuf_session_conn(s);
	uint64_t n;
	uint8_t st;

	g_assert_cmphex(vuf_conn_features(c) & md->features, ==, md->features);
	g_assert_cmpint(vuf_get_queue_num(c, &n), ==, 0);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(config_counter(c), ==, 0);
	g_assert_cmpint(vuf_set_status(c, STATUS_OK), ==, 0);
	g_assert_cmpint(vuf_get_status(c, &st), ==, 0);
	g_assert_cmpuint(st, ==, STATUS_OK);
}

/**
 * traffic() - Rounds of requests on both rings; one call per batch at most
 * @q0:		Ring 0
 * @q1:		Ring 1
 * @md:		Mode
 */
static void traffic(struct vuf_vq *q0, struct vuf_vq *q1,
		    const struct mode *md)
{
	unsigned int r;

	for (r = 0; r < ROUNDS; r++)
		run_round(r % 2 ? q1 : q0, ROUND, r * ROUND, md->indirect);
	/* Batching: never more calls than completions, and far fewer with
	 * event idx, where the driver asks for one call per drained batch */
	g_assert_cmpuint(vuf_vq_calls(q0) + vuf_vq_calls(q1), <=,
			 ROUNDS * ROUND);
	if (md->features & VUF_BIT(VUF_F_EVENT_IDX))
		g_assert_cmpuint(vuf_vq_calls(q0) + vuf_vq_calls(q1), <=,
				 ROUNDS * 4);
}

/**
 * test_session() - A whole session in one ring mode
 * @data:	struct mode
 */
static void test_session(gconstpointer data)
{
	const struct mode *md = data;
	const uint64_t pf = VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS) |
			    VUF_BIT(VUF_PF_RESET_DEVICE) | VUF_BIT(VUF_PF_MQ);
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_vq *q0, *q1;
	struct vuf_session *s;
	uint32_t base;
	uint8_t st;
	GPid pid = harness_start(&env, 0);

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, md->features, pf);
	negotiate_checks(s, md);
	q0 = vuf_session_add_vq(s, 0, QSIZE, 0);
	q1 = vuf_session_add_vq(s, 1, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, q0), ==, 0);
	g_assert_cmpint(vuf_session_start_vq(s, q1), ==, 0);
	traffic(q0, q1, md);
	g_assert_cmpuint(config_counter(vuf_session_conn(s)), ==,
			 ROUNDS * ROUND);

	/* GET_VRING_BASE stops the ring; it restarts from that base */
	g_assert_cmpint(vuf_session_stop_vq(s, q0, &base), ==, 0);
	if (!(md->features & VUF_BIT(VUF_F_RING_PACKED)))
		g_assert_cmpuint(base, ==, ROUNDS / 2 * ROUND);
	g_assert_cmpint(vuf_session_start_vq(s, q0), ==, 0);
	run_round(q0, ROUND, 1000, md->indirect);

	/* RESET_DEVICE: status cleared, rings no longer served */
	g_assert_cmpint(vuf_reset_device(vuf_session_conn(s)), ==, 0);
	g_assert_cmpint(vuf_get_status(vuf_session_conn(s), &st), ==, 0);
	g_assert_cmpuint(st, ==, 0);
	harness_post(q1, 7, md->indirect);
	g_assert_cmpint(vuf_vq_kick(q1), ==, 0);
	g_assert_true(no_completion(q1));
	vuf_session_free(s);
	vuf_mem_free(m);

	/* The daemon listens again: a fresh session is served */
	m = vuf_mem_new();
	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, md->features, pf);
	negotiate_checks(s, md);
	q0 = vuf_session_add_vq(s, 0, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, q0), ==, 0);
	run_round(q0, ROUND, 2000, md->indirect);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * test_crash_recovery() - kill -9 the stub with requests in flight; after
 * it restarts and the front-end reconnects with the inflight region, every
 * request completes exactly once
 * @data:	struct mode
 */
static void test_crash_recovery(gconstpointer data)
{
	const struct mode *md = data;
	struct vuf_mem *m = vuf_mem_new();
	unsigned int seen[QSIZE] = { 0 }, i, done;
	uint64_t seq[QSIZE] = { 0 };
	struct vuf_used u[ROUND];
	struct vuf_session *s;
	struct vuf_vq *vq;
	GPid pid = harness_start(&env, 40000);
	int n;

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, md->features,
			    VUF_BIT(VUF_PF_INFLIGHT_SHMFD));
	g_assert_cmpint(vuf_session_get_inflight(s, 2, QSIZE), ==, 0);
	vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	for (i = 0; i < 8; i++)
		seq[harness_post(vq, 100 + i, md->indirect)] = 100 + i;
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	g_usleep(100000);
	harness_stop(pid, SIGKILL);
	n = vuf_vq_collect(vq, u, ROUND);
	g_assert_cmpint(n, >=, 0);
	g_assert_cmpint(n, <, 8);
	for (i = 0; i < (unsigned int)n; i++)
		seen[u[i].id]++;
	done = (unsigned int)n;
	pid = harness_start(&env, 0);
	g_assert_cmpint(vuf_session_reconnect_path(s, env.socket, 3000), ==, 0);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	harness_drain(vq, seq, seen, 8 - done);
	for (i = 0; i < QSIZE; i++)
		g_assert_cmpuint(seen[i], ==, seq[i] ? 1 : 0);
	/* The ring goes on normally after the recovery */
	run_round(vq, 16, 500, md->indirect);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * test_hostile_guest() - A chain pointing outside guest memory breaks the
 * ring: no completion, the error notifier fires, GET_STATUS says
 * NEEDS_RESET; the daemon keeps answering and serves the next session
 */
static void test_hostile_guest(void)
{
	struct vuf_desc bad[2] = { { 0x7000000000ull, 16, false },
				   { HARNESS_GPA, 64, true } };
	struct vuf_mem *m = vuf_mem_new();
	struct pollfd p = { .events = POLLIN };
	struct vuf_session *s;
	struct vuf_vq *vq;
	GPid pid = harness_start(&env, 0);
	uint8_t st;

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, 0, VUF_BIT(VUF_PF_STATUS));
	vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	p.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g_assert_cmpint(vuf_set_vring_err(vuf_session_conn(s), 0, p.fd), ==, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	g_assert_cmpint(vuf_vq_post_descs(vq, bad, 2, false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	g_assert_cmpint(poll(&p, 1, 5000), ==, 1);
	g_assert_true(no_completion(vq));
	g_assert_cmpint(vuf_get_status(vuf_session_conn(s), &st), ==, 0);
	g_assert_true(st & NEEDS_RESET);
	close(p.fd);
	vuf_session_free(s);
	vuf_mem_free(m);

	m = vuf_mem_new();
	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, 0, 0);
	vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	run_round(vq, 4, 0, false);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * test_hostile_frontend() - Malformed requests end the session (the
 * daemon closes the connection) and the next connection is served
 */
static void test_hostile_frontend(void)
{
	static const uint32_t bad_size[] = { 2, 1, 3, 0xdeadbeef };
	uint32_t bad_fds[3 + 2 + 2 * 8] = { 5, 1, 8 + 2 * 32, 2 };
	struct vuf_conn *c;
	uint64_t f;
	GPid pid = harness_start(&env, 0);
	int fd = eventfd(0, EFD_CLOEXEC);

	/* SET_FEATURES carrying 3 bytes: malformed */
	g_assert_cmpint(vuf_conn_connect(env.socket, 3000, &c), ==, 0);
	g_assert_cmpint(vuf_send_raw(c, bad_size, 15, NULL, 0), ==, 0);
	g_assert_true(vuf_conn_wait_closed(c, 3000));
	vuf_conn_free(c);
	/* SET_MEM_TABLE with 2 regions and 1 fd: malformed */
	g_assert_cmpint(vuf_conn_connect(env.socket, 3000, &c), ==, 0);
	g_assert_cmpint(vuf_send_raw(c, bad_fds, sizeof(bad_fds), &fd, 1), ==,
			0);
	g_assert_true(vuf_conn_wait_closed(c, 3000));
	vuf_conn_free(c);
	close(fd);
	/* Still serving */
	g_assert_cmpint(vuf_conn_connect(env.socket, 3000, &c), ==, 0);
	g_assert_cmpint(vuf_get_features(c, &f), ==, 0);
	g_assert_true(f & VUF_BIT(VUF_F_VERSION_1));
	vuf_conn_free(c);
	harness_stop(pid, SIGTERM);
}

/**
 * elapsed_ms() - Milliseconds since a g_get_monotonic_time() value
 * @since:	Start time
 *
 * Return: milliseconds
 */
static gint64 elapsed_ms(gint64 since)
{
	return (g_get_monotonic_time() - since) / 1000;
}

/**
 * test_busy_queue() - While one queue's worker is busy for half a second,
 * the protocol thread answers at once and the other queue completes
 */
static void test_busy_queue(void)
{
	struct vuf_mem *m = vuf_mem_new();
	unsigned int seen[QSIZE] = { 0 }, i;
	uint64_t seq[QSIZE] = { 0 }, f;
	struct vuf_session *s;
	struct vuf_vq *q0, *q1;
	GPid pid = harness_start(&env, 20000);
	gint64 t0, t;

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_EVENT_IDX), 0);
	q0 = vuf_session_add_vq(s, 0, QSIZE, 0);
	q1 = vuf_session_add_vq(s, 1, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, q0), ==, 0);
	g_assert_cmpint(vuf_session_start_vq(s, q1), ==, 0);
	t0 = g_get_monotonic_time();
	for (i = 0; i < 25; i++)
		seq[harness_post(q0, i, false)] = i;
	g_assert_cmpint(vuf_vq_kick(q0), ==, 0);
	g_usleep(40000);

	t = g_get_monotonic_time();
	g_assert_cmpint(vuf_get_features(vuf_session_conn(s), &f), ==, 0);
	g_assert_cmpint(elapsed_ms(t), <, 200);
	t = g_get_monotonic_time();
	run_round(q1, 1, 100, false);
	g_assert_cmpint(elapsed_ms(t), <, 250);

	harness_drain(q0, seq, seen, 25);
	/* 25 requests of 20 ms: the first queue really was busy throughout */
	g_assert_cmpint(elapsed_ms(t0), >=, 450);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * log_bit() - Is the dirty bit of a guest page set?
 * @log:	Bitmap
 * @gpa:	Guest physical address
 *
 * Return: true if set
 */
static bool log_bit(const uint8_t *log, uint64_t gpa)
{
	uint64_t page = gpa / 4096;

	return log[page / 8] & (1u << (page % 8));
}

/**
 * test_dirty_log() - With LOG_ALL and a log from SET_LOG_BASE, the pages
 * the device writes (in buffers, and the used ring once SET_VRING_ADDR
 * turns its logging on while the ring runs) are marked dirty
 */
static void test_dirty_log(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_vring_addr a;
	struct vuf_session *s;
	struct vuf_vq *vq;
	uint64_t d, av, used, in_gpa;
	GPid pid = harness_start(&env, 0);
	uint8_t *log, *ram;
	int fd = memfd_create("dirty-log", MFD_CLOEXEC);
	unsigned int i, bits = 0;

	g_assert_cmpint(ftruncate(fd, 4096), ==, 0);
	log = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	g_assert_true(log != MAP_FAILED);
	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_LOG_ALL),
			    VUF_BIT(VUF_PF_LOG_SHMFD));
	g_assert_cmpint(vuf_set_log_base(vuf_session_conn(s), fd, 4096, 0), ==,
			0);
	vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	vuf_vq_ring_addr(vq, &a);
	vuf_vq_ring_gpa(vq, &d, &av, &used);
	a.flags = VUF_VRING_F_LOG;
	a.log_guest = used;
	g_assert_cmpint(vuf_set_vring_addr(vuf_session_conn(s), &a), ==, 0);
	for (i = 0; i < 4096; i++)
		bits += log[i] != 0;
	g_assert_cmpuint(bits, ==, 0);

	run_round(vq, 8, 0, false);
	ram = vuf_mem_ptr(m, HARNESS_GPA, 1);
	in_gpa = HARNESS_GPA +
		 (uint64_t)((uint8_t *)vuf_vq_buf(vq, 0, 1, NULL) - ram);
	g_assert_true(log_bit(log, in_gpa));
	g_assert_true(log_bit(log, used));
	/* Nothing outside guest RAM */
	for (i = 0; i < HARNESS_GPA / 4096; i++)
		g_assert_false(log_bit(log, (uint64_t)i * 4096));
	munmap(log, 4096);
	close(fd);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * test_get_base_drains() - GET_VRING_BASE on a ring with requests in
 * flight answers only once they completed, with the base past them
 */
static void test_get_base_drains(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_used u[16];
	struct vuf_session *s;
	struct vuf_vq *vq;
	GPid pid = harness_start(&env, 20000);
	uint32_t base;
	unsigned int i;

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, 0, 0);
	vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	for (i = 0; i < 10; i++)
		harness_post(vq, i, false);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	g_usleep(30000);
	g_assert_cmpint(vuf_session_stop_vq(s, vq, &base), ==, 0);
	g_assert_cmpuint(base, ==, 10);
	/* Every completion is in the used ring already */
	g_assert_cmpint(vuf_vq_collect(vq, u, 16), ==, 10);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * main() - Register a session and a crash test per ring mode
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	unsigned int i;
	int ret;

	if (!harness_init(&env)) {
		printf("1..0 # SKIP VU_STUB missing\n");
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(modes); i++) {
		char *name = g_strdup_printf("/conformance/session/%s",
					     modes[i].name);

		g_test_add_data_func(name, &modes[i], test_session);
		g_free(name);
		name = g_strdup_printf("/conformance/crash-recovery/%s",
				       modes[i].name);
		g_test_add_data_func(name, &modes[i], test_crash_recovery);
		g_free(name);
	}
	g_test_add_func("/conformance/hostile-guest", test_hostile_guest);
	g_test_add_func("/conformance/hostile-frontend", test_hostile_frontend);
	g_test_add_func("/conformance/busy-queue", test_busy_queue);
	g_test_add_func("/conformance/dirty-log", test_dirty_log);
	g_test_add_func("/conformance/get-base-drains", test_get_base_drains);
	ret = g_test_run();
	harness_fini(&env);
	return ret;
}
