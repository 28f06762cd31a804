// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stub-harness.c - running the echo stub device under a test and driving it
 * with libvuf (see stub-harness.h).
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "stub-harness.h"

#define HARNESS_BATCH 16

/**
 * harness_init() - Find the stub and make a socket directory
 * @h:		Harness to fill
 *
 * Return: false if VU_STUB does not name an executable (skip the tests)
 */
bool harness_init(struct harness *h)
{
	h->stub = g_getenv("VU_STUB");
	if (!h->stub || access(h->stub, X_OK))
		return false;
	h->dir = g_dir_make_tmp("vu-harness-XXXXXX", NULL);
	g_assert_nonnull(h->dir);
	h->socket = g_build_filename(h->dir, "stub.sock", NULL);
	return true;
}

/**
 * harness_fini() - Remove the socket directory
 * @h:		Harness
 */
void harness_fini(struct harness *h)
{
	g_unlink(h->socket);
	g_rmdir(h->dir);
	g_free(h->socket);
	g_free(h->dir);
}

/**
 * harness_start() - Start the stub listening on the harness socket
 * @h:		Harness
 * @delay_us:	--delay-us value (time per request)
 *
 * Return: its pid (reap it with harness_stop())
 */
GPid harness_start(const struct harness *h, int delay_us)
{
	char *sock = g_strdup_printf("--socket-path=%s", h->socket);
	char *delay = g_strdup_printf("--delay-us=%d", delay_us);
	char *argv[] = { (char *)h->stub, sock, delay, NULL };
	GError *err = NULL;
	GPid pid;

	g_assert_true(g_spawn_async(NULL, argv, NULL,
				    G_SPAWN_DO_NOT_REAP_CHILD |
				    G_SPAWN_STDOUT_TO_DEV_NULL |
				    G_SPAWN_STDERR_TO_DEV_NULL,
				    NULL, NULL, &pid, &err));
	g_free(sock);
	g_free(delay);
	return pid;
}

/**
 * harness_stop() - Signal the stub and reap it
 * @pid:	Its pid
 * @sig:	Signal
 */
void harness_stop(GPid pid, int sig)
{
	kill(pid, sig);
	waitpid(pid, NULL, 0);
}

/**
 * harness_session() - Connect, negotiate with REPLY_ACK, send the memory
 * table
 * @h:		Harness
 * @m:		Guest memory
 * @features:	Virtio features wanted (VERSION_1 is added)
 * @protocol:	Protocol features wanted (REPLY_ACK is added)
 *
 * Return: the session
 */
struct vuf_session *harness_session(const struct harness *h,
				    struct vuf_mem *m, uint64_t features,
				    uint64_t protocol)
{
	struct vuf_session *s;
	struct vuf_conn *c;

	g_assert_cmpint(vuf_conn_connect(h->socket, 3000, &c), ==, 0);
	s = vuf_session_new(c, m);
	g_assert_cmpint(vuf_session_negotiate(s, features |
			VUF_BIT(VUF_F_VERSION_1), protocol |
			VUF_BIT(VUF_PF_REPLY_ACK)), ==, 0);
	g_assert_true(vuf_conn_has_pf(c, VUF_PF_REPLY_ACK));
	g_assert_cmpint(vuf_session_set_mem_table(s), ==, 0);
	return s;
}

/**
 * harness_post() - Post one echo request: 16 bytes out, 64 bytes in
 * @vq:		Ring
 * @seq:	Sequence number written in the request
 * @indirect:	As one indirect descriptor
 *
 * Return: chain id
 */
int harness_post(struct vuf_vq *vq, uint64_t seq, bool indirect)
{
	uint64_t hdr[2] = { GUINT64_TO_LE(1), GUINT64_TO_LE(seq) };
	struct iovec out = { hdr, sizeof(hdr) };
	uint32_t in = 64;
	int id = vuf_vq_post(vq, &out, 1, &in, 1, indirect);

	g_assert_cmpint(id, >=, 0);
	return id;
}

/**
 * harness_check_echo() - A completion echoes its request
 * @vq:		Ring
 * @u:		Completion
 * @seq:	Sequence number expected
 */
void harness_check_echo(struct vuf_vq *vq, const struct vuf_used *u,
			uint64_t seq)
{
	uint64_t hdr[2] = { GUINT64_TO_LE(1), GUINT64_TO_LE(seq) };

	g_assert_cmpuint(u->len, ==, 16);
	g_assert_cmpmem(vuf_vq_buf(vq, u->id, 1, NULL), 16, hdr, 16);
}

/**
 * harness_drain() - Collect and check completions until @want arrived
 * @vq:		Ring
 * @seq:	Sequence number per chain id (ring size entries)
 * @seen:	Completions per chain id (ring size entries), updated
 * @want:	Completions to wait for
 */
void harness_drain(struct vuf_vq *vq, const uint64_t *seq, unsigned int *seen,
		   unsigned int want)
{
	struct vuf_used u[HARNESS_BATCH];
	unsigned int got = 0;
	int n, i;

	while (got < want) {
		n = vuf_vq_collect(vq, u, HARNESS_BATCH);
		g_assert_cmpint(n, >=, 0);
		for (i = 0; i < n; i++) {
			harness_check_echo(vq, &u[i], seq[u[i].id]);
			seen[u[i].id]++;
		}
		got += (unsigned int)n;
		if (!n)
			g_assert_cmpint(vuf_vq_wait_call(vq, 5000), ==, 0);
	}
}
