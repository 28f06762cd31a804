// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-blk-session.c - the vhost-user-blk back-end across its lifetime:
 * recovery of requests in flight after kill -9 and a restart, rings stopped
 * with requests in flight, and online resize with CONFIG_CHANGE.
 */
#include <signal.h>
#include <string.h>

#include <glib.h>

#include "blk-harness.h"

#define NREQ		48u
#define REQ_BYTES	(64u << 10)
#define REQ_SECTORS	(REQ_BYTES / VBLK_SECTOR)
#define CAPACITY	(BLKT_IMG_SIZE / VBLK_SECTOR)
#define ROUNDS		4

/**
 * split_inflight() - Descriptors the back-end marked in flight on ring 0
 * @inf:	Inflight region (split ring layout, virtio queue 0 first)
 * @qsize:	Ring size
 *
 * The split layout: u64 features, u16 version, desc_num, last_batch_head,
 * used_idx, then desc_num entries of 16 bytes whose first byte is the
 * inflight flag.
 *
 * Return: count
 */
static unsigned int split_inflight(const struct vuf_inflight *inf,
				   unsigned int qsize)
{
	const uint8_t *p = inf->addr;
	unsigned int i, n = 0;

	g_assert_nonnull(p);
	g_assert_cmpuint(inf->mmap_size, >=, 16 + 16ull * qsize);
	for (i = 0; i < qsize; i++)
		n += p[16 + 16 * i] != 0;
	return n;
}

/**
 * post_writes() - Post NREQ writes of REQ_BYTES, each its own pattern
 * @q:		Ring
 * @round:	Round number (changes the patterns)
 * @seed:	Filled with the pattern seed of each chain id
 * @buf:	REQ_BYTES of scratch
 */
static void post_writes(struct blkq *q, unsigned int round, uint32_t *seed,
			uint8_t *buf)
{
	unsigned int i;
	int id;

	q->indirect = true;
	for (i = 0; i < NREQ; i++) {
		blkt_fill(buf, REQ_BYTES, round * 1000 + i);
		id = blkq_post(q, VBLK_T_OUT, (uint64_t)i * REQ_SECTORS, buf,
			       REQ_BYTES, 0);
		seed[id] = round * 1000 + i;
	}
}

/**
 * count_done() - Account completions: each chain id exactly once, OK
 * @d:		Completions
 * @n:		Number of @d
 * @seen:	Completions per chain id, updated
 */
static void count_done(const struct blkt_done *d, unsigned int n,
		       unsigned int *seen)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		g_assert_cmpuint(d[i].status, ==, VBLK_S_OK);
		g_assert_cmpuint(d[i].len, ==, 1);
		g_assert_cmpuint(++seen[d[i].id], ==, 1);
	}
}

/**
 * check_writes() - Every write of post_writes() completed once and is in
 * the file
 * @t:		Harness
 * @seed:	Pattern seed per chain id (0: unused id)
 * @seen:	Completions per chain id
 * @buf:	REQ_BYTES of scratch
 */
static void check_writes(const struct blkt *t, const uint32_t *seed,
			 const unsigned int *seen, uint8_t *buf)
{
	unsigned int i, n = 0;

	for (i = 0; i < BLKT_QSIZE; i++) {
		if (!seed[i])
			continue;
		g_assert_cmpuint(seen[i], ==, 1);
		blkt_fill(buf, REQ_BYTES, seed[i]);
		blkt_file_check(t, (uint64_t)(seed[i] % 1000) * REQ_BYTES, buf,
				REQ_BYTES);
		n++;
	}
	g_assert_cmpuint(n, ==, NREQ);
}

/**
 * crash_round() - Writes in flight, kill -9, restart, reconnect: every
 * write completes exactly once and is in the file
 * @t:		Harness (connected, inflight region set)
 * @round:	Round number
 *
 * Return: requests the dead back-end had marked in flight
 */
static unsigned int crash_round(struct blkt *t, unsigned int round)
{
	unsigned int seen[BLKT_QSIZE] = { 0 }, n, inflight;
	uint8_t *buf = g_malloc(REQ_BYTES);
	uint32_t seed[BLKT_QSIZE] = { 0 };
	struct blkt_done d[NREQ];

	post_writes(&t->q[0], round, seed, buf);
	blkt_kill(t, SIGKILL);
	inflight = split_inflight(vuf_session_inflight(t->s), BLKT_QSIZE);
	n = blkq_poll(&t->q[0], d, NREQ);
	count_done(d, n, seen);
	blkt_respawn(t);
	g_assert_cmpint(vuf_session_reconnect_path(t->s, t->sock, 5000), ==, 0);
	g_assert_cmpint(vuf_vq_kick(t->q[0].vq), ==, 0);
	blkq_wait(&t->q[0], d, NREQ - n);
	count_done(d, NREQ - n, seen);
	g_usleep(100000);
	g_assert_cmpuint(blkq_poll(&t->q[0], d, NREQ), ==, 0);
	check_writes(t, seed, seen, buf);
	g_test_message("round %u: %u collected before the kill, %u marked "
		       "in flight", round, n, inflight);
	g_free(buf);
	return inflight;
}

/**
 * test_inflight() - Recovery after kill -9 with requests in flight
 * (INFLIGHT_SHMFD), repeated until a kill caught some in flight
 * @data:	Engine name
 */
static void test_inflight(const void *data)
{
	uint8_t wce = 0;
	unsigned int r, caught = 0;
	char *opts;
	struct blkt t;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return;
	}
	opts = g_strdup_printf("--io=%s", (const char *)data);
	blkt_spawn(&t, opts);
	g_free(opts);
	blkt_connect(&t, 1, VUF_BIT(VUF_PF_INFLIGHT_SHMFD));
	g_assert_true(vuf_conn_has_pf(blkt_conn(&t), VUF_PF_INFLIGHT_SHMFD));
	for (r = 1; r <= ROUNDS && !caught; r++) {
		/* writethrough: each write waits for the disk, more in flight */
		g_assert_cmpint(vuf_set_config(blkt_conn(&t),
					       VBLK_CFG_WRITEBACK, &wce, 1, 0),
				==, 0);
		caught += crash_round(&t, r);
	}
	if (!caught)
		g_test_message("no kill caught a request in flight");
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_stop_drains() - GET_VRING_BASE with writes in flight answers only
 * once all of them are in the used ring; the ring then restarts
 * @data:	Engine name
 */
static void test_stop_drains(const void *data)
{
	unsigned int seen[BLKT_QSIZE] = { 0 };
	uint8_t *buf = g_malloc(REQ_BYTES);
	uint32_t seed[BLKT_QSIZE] = { 0 };
	struct blkt_done d[NREQ];
	uint32_t base;
	char *opts;
	struct blkt t;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		goto out;
	}
	opts = g_strdup_printf("--io=%s", (const char *)data);
	blkt_start(&t, opts, 1);
	g_free(opts);
	post_writes(&t.q[0], 1, seed, buf);
	g_assert_cmpint(vuf_session_stop_vq(t.s, t.q[0].vq, &base), ==, 0);
	/* what was taken is done; the rest waits in the ring */
	g_assert_cmpuint(base, <=, NREQ);
	g_assert_cmpuint(blkq_poll(&t.q[0], d, NREQ), ==, base);
	count_done(d, base, seen);
	g_test_message("%u of %u requests taken before the stop", base, NREQ);
	g_assert_cmpint(vuf_session_start_vq(t.s, t.q[0].vq), ==, 0);
	g_assert_cmpint(vuf_vq_kick(t.q[0].vq), ==, 0);
	blkq_wait(&t.q[0], d, NREQ - base);
	count_done(d, NREQ - base, seen);
	check_writes(&t, seed, seen, buf);
	g_assert_cmpuint(blkq_read(&t.q[0], 0, buf, 4096), ==, VBLK_S_OK);
	blkt_file_check(&t, 0, buf, 4096);
	blkt_stop(&t);
	blkt_fini(&t);
out:
	g_free(buf);
}

/**
 * test_poll() - --poll-us: right after a request the ring is polled, so a
 * request posted without a kick completes and no kick is asked for; once
 * the ring was idle for the window, kicks are asked for again
 */
static void test_poll(void)
{
	uint8_t buf[4096];
	struct blkt_done d;
	struct blkt t;
	uint64_t kicks;
	int id;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return;
	}
	blkt_start(&t, "--poll-us=300000", 1);
	blkt_fill(buf, sizeof(buf), 7);
	t.q[0].notify = true;
	g_assert_cmpuint(blkq_write(&t.q[0], 0, buf, 4096), ==, VBLK_S_OK);
	/* The ring is being polled: posting asks for no kick */
	kicks = vuf_vq_kicks(t.q[0].vq);
	id = blkq_post(&t.q[0], VBLK_T_OUT, 8, buf, 4096, 0);
	g_assert_cmpint(id, >=, 0);
	g_assert_cmpuint(vuf_vq_kicks(t.q[0].vq), ==, kicks);
	d = blkq_run(&t.q[0], id);
	g_assert_cmpuint(d.status, ==, VBLK_S_OK);
	blkt_file_check(&t, 8 * VBLK_SECTOR, buf, 4096);
	/* Idle past the window: kicks are wanted again, and work */
	g_usleep(700000);
	kicks = vuf_vq_kicks(t.q[0].vq);
	id = blkq_post(&t.q[0], VBLK_T_OUT, 16, buf, 4096, 0);
	g_assert_cmpuint(vuf_vq_kicks(t.q[0].vq), ==, kicks + 1);
	d = blkq_run(&t.q[0], id);
	g_assert_cmpuint(d.status, ==, VBLK_S_OK);
	blkt_file_check(&t, 16 * VBLK_SECTOR, buf, 4096);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * expect_config_change() - The back-end sends CONFIG_CHANGE within 5 s
 * @t:		Harness
 */
static void expect_config_change(struct blkt *t)
{
	struct vuf_conn *c = blkt_conn(t);
	struct vuf_msg m;

	if (vuf_backend_recv(c, &m, 5000))
		g_error("no CONFIG_CHANGE: %s", vuf_conn_error(c));
	g_assert_cmpuint(m.request, ==, VUF_BACKEND_CONFIG_CHANGE);
	g_assert_cmpint(vuf_backend_reply(c, &m, 0), ==, 0);
	vuf_msg_close_fds(&m);
}

/**
 * test_resize() - Grow the file and SIGHUP: CONFIG_CHANGE, the new
 * capacity, I/O beyond the old end; shrink: I/O there fails again
 */
static void test_resize(void)
{
	uint8_t a[4096];
	struct blkt t;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return;
	}
	blkt_spawn(&t, NULL);
	blkt_connect(&t, 1, VUF_BIT(VUF_PF_BACKEND_REQ));
	g_assert_true(vuf_conn_has_pf(blkt_conn(&t), VUF_PF_BACKEND_REQ));
	blkt_fill(a, sizeof(a), 70);
	g_assert_cmpuint(blkq_write(&t.q[0], CAPACITY + 8, a, 4096), ==,
			 VBLK_S_IOERR);
	blkt_file_resize(&t, 2 * BLKT_IMG_SIZE);
	g_assert_cmpint(kill(t.pid, SIGHUP), ==, 0);
	expect_config_change(&t);
	g_assert_cmpuint(blkt_cfg_u64(&t, VBLK_CFG_CAPACITY), ==, 2 * CAPACITY);
	g_assert_cmpuint(blkq_write(&t.q[0], CAPACITY + 8, a, 4096), ==,
			 VBLK_S_OK);
	blkt_file_check(&t, BLKT_IMG_SIZE + 4096, a, 4096);
	blkt_file_resize(&t, BLKT_IMG_SIZE);
	g_assert_cmpint(kill(t.pid, SIGHUP), ==, 0);
	expect_config_change(&t);
	g_assert_cmpuint(blkt_cfg_u64(&t, VBLK_CFG_CAPACITY), ==, CAPACITY);
	g_assert_cmpuint(blkq_read(&t.q[0], CAPACITY + 8, a, 4096), ==,
			 VBLK_S_IOERR);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_resize_no_channel() - Without a back-end channel SIGHUP still
 * updates the capacity, and the daemon does not mind
 */
static void test_resize_no_channel(void)
{
	struct blkt t;
	int i;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return;
	}
	blkt_start(&t, NULL, 1);
	blkt_file_resize(&t, 3 * BLKT_IMG_SIZE);
	g_assert_cmpint(kill(t.pid, SIGHUP), ==, 0);
	for (i = 0; i < 50; i++) {
		if (blkt_cfg_u64(&t, VBLK_CFG_CAPACITY) == 3 * CAPACITY)
			break;
		g_usleep(100000);
	}
	g_assert_cmpuint(blkt_cfg_u64(&t, VBLK_CFG_CAPACITY), ==, 3 * CAPACITY);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * test_watch() - With --watch a size change is noticed without a signal
 */
static void test_watch(void)
{
	struct blkt t;

	if (!blkt_init(&t, BLKT_IMG_SIZE)) {
		g_test_skip("VU_BLK is not set");
		return;
	}
	blkt_spawn(&t, "--watch");
	blkt_connect(&t, 1, VUF_BIT(VUF_PF_BACKEND_REQ));
	blkt_file_resize(&t, 2 * BLKT_IMG_SIZE);
	expect_config_change(&t);
	g_assert_cmpuint(blkt_cfg_u64(&t, VBLK_CFG_CAPACITY), ==, 2 * CAPACITY);
	blkt_stop(&t);
	blkt_fini(&t);
}

/**
 * main() - Register the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status of the test run
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/blk/io_uring/inflight", "io_uring",
			     test_inflight);
	g_test_add_data_func("/blk/threads/inflight", "threads", test_inflight);
	g_test_add_data_func("/blk/io_uring/stop-drains", "io_uring",
			     test_stop_drains);
	g_test_add_data_func("/blk/threads/stop-drains", "threads",
			     test_stop_drains);
	g_test_add_func("/blk/resize", test_resize);
	g_test_add_func("/blk/resize-no-channel", test_resize_no_channel);
	g_test_add_func("/blk/watch", test_watch);
	g_test_add_func("/blk/poll", test_poll);
	return g_test_run();
}
