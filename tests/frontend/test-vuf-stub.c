// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-vuf-stub.c - libvuf against the echo stub back-end: reconnect after a
 * crash with requests in flight, in-band notifications, memory slots.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "stub-harness.h"

#define NREQ	8u
#define QSIZE	64u	/* chain ids are below the ring size */

static struct harness env;

/**
 * test_reconnect_inflight() - Kill the back-end with requests in flight;
 * after reconnecting every request completes exactly once
 */
static void test_reconnect_inflight(void)
{
	struct vuf_mem *m = vuf_mem_new();
	unsigned int seen[QSIZE] = { 0 };
	uint64_t seq[QSIZE] = { 0 };
	struct vuf_session *s;
	struct vuf_used u[NREQ];
	int n, i, ids[NREQ];
	struct vuf_vq *vq;
	GPid pid = harness_start(&env, 50000);

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_EVENT_IDX), VUF_BIT(VUF_PF_INFLIGHT_SHMFD));
	g_assert_cmpint(vuf_session_get_inflight(s, 2, QSIZE), ==, 0);
	vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	for (i = 0; i < (int)NREQ; i++) {
		ids[i] = harness_post(vq, 100 + i, false);
		seq[ids[i]] = 100 + i;
	}
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	g_usleep(120000);
	harness_stop(pid, SIGKILL);
	n = vuf_vq_collect(vq, u, NREQ);
	g_assert_cmpint(n, >=, 0);
	g_assert_cmpint(n, <, (int)NREQ);
	for (i = 0; i < n; i++)
		seen[u[i].id]++;
	pid = harness_start(&env, 0);
	g_assert_cmpint(vuf_session_reconnect_path(s, env.socket, 3000), ==, 0);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	harness_drain(vq, seq, seen, NREQ - (unsigned int)n);
	for (i = 0; i < (int)NREQ; i++)
		g_assert_cmpuint(seen[ids[i]], ==, 1);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * test_inband() - Kicks as VRING_KICK messages, calls as VRING_CALL ones
 */
static void test_inband(void)
{
	struct vuf_mem *m = vuf_mem_new();
	unsigned int seen[QSIZE] = { 0 };
	uint64_t seq[QSIZE] = { 0 };
	struct vuf_session *s;
	struct vuf_vq *vq;
	GPid pid = harness_start(&env, 0);
	int i;

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_EVENT_IDX), VUF_BIT(VUF_PF_INBAND_NOTIFICATIONS) |
			 VUF_BIT(VUF_PF_BACKEND_REQ));
	g_assert_true(vuf_conn_has_pf(vuf_session_conn(s),
				      VUF_PF_INBAND_NOTIFICATIONS));
	vq = vuf_session_add_vq(s, 1, QSIZE, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	for (i = 0; i < 16; i++)
		seq[harness_post(vq, (uint64_t)i, false)] = (uint64_t)i;
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	/* used_event is 0: the first completion must be signalled in-band */
	g_assert_cmpint(vuf_vq_wait_call(vq, 5000), ==, 0);
	harness_drain(vq, seq, seen, 16);
	g_assert_cmpuint(vuf_backend_inband_calls(vuf_session_conn(s), 1), >=,
			 1);
	g_assert_cmpuint(vuf_vq_calls(vq), >=, 1);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * test_mem_slots() - Buffers in a region added with ADD_MEM_REG are used;
 * REM_MEM_REG is accepted
 */
static void test_mem_slots(void)
{
	struct vuf_mem *m = vuf_mem_new();
	const uint64_t hi = 0x200000000ull;
	struct vuf_session *s;
	struct vuf_conn *c;
	struct vuf_used u;
	struct vuf_vq *vq;
	uint64_t slots;
	GPid pid = harness_start(&env, 0);
	struct vuf_desc d[2] = { { hi, 16, false }, { hi + 4096, 64, true } };

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_EVENT_IDX), VUF_BIT(VUF_PF_CONFIGURE_MEM_SLOTS));
	c = vuf_session_conn(s);
	g_assert_cmpint(vuf_get_max_mem_slots(c, &slots), ==, 0);
	g_assert_cmpuint(slots, >=, 8);
	vq = vuf_session_add_vq(s, 0, 16, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	g_assert_cmpint(vuf_mem_add_region(m, hi, 1 << 20, 1000), ==, 1);
	g_assert_cmpint(vuf_add_mem_reg(c, m, 1), ==, 0);
	memcpy(vuf_mem_ptr(m, hi, 16), "0123456789abcdef", 16);
	g_assert_cmpint(vuf_vq_post_descs(vq, d, 2, false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	while (vuf_vq_collect(vq, &u, 1) == 0)
		g_assert_cmpint(vuf_vq_wait_call(vq, 5000), ==, 0);
	g_assert_cmpuint(u.len, ==, 16);
	g_assert_cmpmem(vuf_mem_ptr(m, hi + 4096, 16), 16,
			"0123456789abcdef", 16);
	g_assert_cmpint(vuf_rem_mem_reg(c, m, 1), ==, 0);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * run_requests() - Start ring 0 and complete @n echo requests on it
 * @s:		Session
 * @n:		Requests (at most QSIZE / 2 at once)
 */
static void run_requests(struct vuf_session *s, unsigned int n)
{
	unsigned int seen[QSIZE] = { 0 };
	uint64_t seq[QSIZE] = { 0 };
	struct vuf_vq *vq = vuf_session_add_vq(s, 0, QSIZE, 0);
	unsigned int i;

	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	for (i = 0; i < n; i++)
		seq[harness_post(vq, i, false)] = i;
	g_assert_cmpint(vuf_vq_kick(vq), ==, 0);
	harness_drain(vq, seq, seen, n);
	g_assert_cmpint(vuf_session_stop_vq(s, vq, NULL), ==, 0);
}

/**
 * save_state() - SET_DEVICE_STATE_FD(save) and read the state until EOF
 * @c:		Connection
 * @buf:	Destination
 * @size:	Capacity of @buf
 *
 * Return: bytes of state read
 */
static size_t save_state(struct vuf_conn *c, uint8_t *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int p[2], bfd;

	g_assert_cmpint(pipe(p), ==, 0);
	g_assert_cmpint(vuf_set_device_state_fd(c, VUF_STATE_SAVE, 0, p[1],
						&bfd), ==, 0);
	close(p[1]);
	if (bfd >= 0) {
		close(p[0]);
		p[0] = bfd;
	}
	while ((n = read(p[0], buf + got, size - got)) > 0)
		got += (size_t)n;
	g_assert_cmpint(n, ==, 0);
	close(p[0]);
	return got;
}

/**
 * load_state() - SET_DEVICE_STATE_FD(load) and write the state into it
 * @c:		Connection
 * @buf:	State
 * @len:	Bytes
 */
static void load_state(struct vuf_conn *c, const uint8_t *buf, size_t len)
{
	int p[2], bfd;

	g_assert_cmpint(pipe(p), ==, 0);
	g_assert_cmpint(vuf_set_device_state_fd(c, VUF_STATE_LOAD, 0, p[0],
						&bfd), ==, 0);
	close(p[0]);
	if (bfd >= 0) {
		close(p[1]);
		p[1] = bfd;
	}
	g_assert_cmpint(write(p[1], buf, len), ==, (ssize_t)len);
	close(p[1]);
}

/**
 * test_device_state() - State saved from one stub loads into a fresh one
 * (the stub's state is its config space: a request counter first)
 */
static void test_device_state(void)
{
	const uint64_t pf = VUF_BIT(VUF_PF_DEVICE_STATE) |
			    VUF_BIT(VUF_PF_CONFIG);
	struct vuf_mem *m = vuf_mem_new();
	uint8_t st[256], cfg[16];
	struct vuf_session *s;
	uint64_t res = 1, cnt;
	GPid pid = harness_start(&env, 0);
	size_t len;

	g_assert_cmpint(vuf_mem_add_region(m, HARNESS_GPA, HARNESS_RAM, 0), ==,
			0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_EVENT_IDX), pf);
	run_requests(s, 5);
	len = save_state(vuf_session_conn(s), st, sizeof(st));
	g_assert_cmpuint(len, >=, 8);
	g_assert_cmpint(vuf_check_device_state(vuf_session_conn(s), &res), ==,
			0);
	g_assert_cmpuint(res, ==, 0);
	vuf_session_free(s);
	harness_stop(pid, SIGTERM);

	pid = harness_start(&env, 0);
	s = harness_session(&env, m, VUF_BIT(VUF_F_EVENT_IDX), pf);
	load_state(vuf_session_conn(s), st, len);
	res = 1;
	g_assert_cmpint(vuf_check_device_state(vuf_session_conn(s), &res), ==,
			0);
	g_assert_cmpuint(res, ==, 0);
	g_assert_cmpint(vuf_get_config(vuf_session_conn(s), 0, cfg, 16), ==, 0);
	memcpy(&cnt, cfg, 8);
	g_assert_cmpuint(GUINT64_FROM_LE(cnt), ==, 5);
	vuf_session_free(s);
	vuf_mem_free(m);
	harness_stop(pid, SIGTERM);
}

/**
 * main() - Run the cases if the stub is available
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	int ret;

	if (!harness_init(&env)) {
		printf("1..0 # SKIP VU_STUB missing\n");
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vuf-stub/reconnect-inflight",
			test_reconnect_inflight);
	g_test_add_func("/vuf-stub/mem-slots", test_mem_slots);
	g_test_add_func("/vuf-stub/device-state", test_device_state);
	g_test_add_func("/vuf-stub/inband", test_inband);
	ret = g_test_run();
	harness_fini(&env);
	return ret;
}
