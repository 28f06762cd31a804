// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-harness.c - running a virtio-gpu vhost-user back-end in a temporary
 * directory and connecting to it as QEMU does: negotiation, the display
 * socket, guest memory, the control and cursor queues (see gpu-harness.h).
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gpu-harness.h"
#include "vuf-proc.h"

/**
 * gput_init() - Find the back-end and make a directory for its socket
 * @t:		Harness to fill
 * @env:	Environment variable naming the binary (VU_GPU, VU_GPU_QEMU)
 *
 * Return: false if @env does not name an executable (skip the test)
 */
bool gput_init(struct gput *t, const char *env)
{
	memset(t, 0, sizeof(*t));
	t->daemon = g_getenv(env);
	if (!t->daemon || access(t->daemon, X_OK))
		return false;
	t->foreign = !g_strcmp0(env, "VU_GPU_QEMU");
	t->dir = g_dir_make_tmp("vu-gpu-XXXXXX", NULL);
	g_assert_nonnull(t->dir);
	t->sock = g_build_filename(t->dir, "gpu.sock", NULL);
	return true;
}

/**
 * gput_fini() - Stop what runs, remove the socket and the directory
 * @t:		Harness
 */
void gput_fini(struct gput *t)
{
	gput_stop(t);
	if (t->dir) {
		g_unlink(t->sock);
		g_rmdir(t->dir);
	}
	g_free(t->sock);
	g_free(t->dir);
	t->sock = NULL;
	t->dir = NULL;
}

/**
 * gput_spawn() - Start the back-end on the harness socket
 * @t:		Harness (no back-end running)
 * @opts:	Further options, shell-quoted (may be NULL)
 */
void gput_spawn(struct gput *t, const char *opts)
{
	char **argv = vuf_argv(t->daemon, t->sock, NULL, opts);
	GError *err = NULL;

	g_assert_cmpint(t->pid, ==, 0);
	if (!vuf_spawn(argv, 0, &t->pid, &err))
		g_error("spawn %s: %s", t->daemon, err->message);
	g_strfreev(argv);
}

/**
 * gput_kill() - Signal the back-end and reap it
 * @t:		Harness
 * @sig:	Signal; with SIGTERM ours must exit with status 0
 */
void gput_kill(struct gput *t, int sig)
{
	vuf_reap(&t->pid, t->foreign ? SIGKILL : sig);
}

/**
 * gput_alive() - Whether the back-end we started still runs
 * @t:		Harness
 *
 * Return: false once it exited (it is then reaped)
 */
bool gput_alive(struct gput *t)
{
	int status;

	if (!t->pid)
		return false;
	if (waitpid(t->pid, &status, WNOHANG) != t->pid)
		return true;
	t->pid = 0;
	return false;
}

/**
 * add_queue() - Create ring @index and start it
 * @t:		Harness (negotiated)
 * @index:	Ring index
 *
 * Return: the ring
 */
static struct vuf_vq *add_queue(struct gput *t, uint16_t index)
{
	struct vuf_vq *vq = vuf_session_add_vq(t->s, index, GPUT_QSIZE,
					       GPUT_SLOT);

	g_assert_nonnull(vq);
	if (vuf_session_start_vq(t->s, vq))
		g_error("start ring %u: %s", index,
			vuf_conn_error(gput_conn(t)));
	return vq;
}

/**
 * set_socket() - Start the display side and hand its socket over with
 * GPU_SET_SOCKET, as QEMU does before starting the device
 * @t:		Harness (negotiated)
 * @cfg:	How the display answers
 */
static void set_socket(struct gput *t, const struct gpud_cfg *cfg)
{
	struct vuf_conn *c = gput_conn(t);
	int peer;

	t->display = gpud_new(cfg, &peer);
	if (vuf_request(c, VUF_GPU_SET_SOCKET, NULL, 0, &peer, 1, 0, NULL))
		g_error("GPU_SET_SOCKET: %s", vuf_conn_error(c));
	close(peer);
}

/**
 * want_features() - The features QEMU's vhost-user-gpu-pci asks for
 * @t:		Harness
 *
 * Return: feature bits
 */
static uint64_t want_features(const struct gput *t)
{
	uint64_t f = VUF_BIT(VUF_F_VERSION_1) | VUF_BIT(VUF_F_EVENT_IDX) |
		     VUF_BIT(VUF_F_INDIRECT_DESC) | VUF_BIT(VG_F_EDID);

	return t->virgl ? f | VUF_BIT(VG_F_VIRGL) : f;
}

/**
 * gput_connect() - Connect to the running back-end and set the device up
 * @t:		Harness
 * @cfg:	Display side to give it, or NULL for none
 *
 * Negotiation (VERSION_1, EVENT_IDX, INDIRECT_DESC, EDID, VIRGL if
 * @t->virgl; MQ, REPLY_ACK, CONFIG, STATUS), GPU_SET_SOCKET, status,
 * memory table, both rings, DRIVER_OK.
 */
void gput_connect(struct gput *t, const struct gpud_cfg *cfg)
{
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	uint64_t pf = VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
		      VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS);
	struct vuf_conn *c;

	if (!t->mem) {
		t->mem = vuf_mem_new();
		g_assert_cmpint(vuf_mem_add_region(t->mem, GPUT_GPA, GPUT_RAM,
						   0), ==, 0);
	}
	if (vuf_conn_connect(t->sock, GPUT_TIMEOUT_MS, &c))
		g_error("connect %s: failed%s", t->sock, gput_alive(t) ? "" :
			" (the back-end exited)");
	t->s = vuf_session_new(c, t->mem);
	if (vuf_session_negotiate(t->s, want_features(t), pf))
		g_error("negotiate: %s", vuf_conn_error(c));
	t->features = vuf_conn_features(c);
	if (cfg)
		set_socket(t, cfg);
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st), ==, 0);
	g_assert_cmpint(vuf_session_set_mem_table(t->s), ==, 0);
	t->ctrl = add_queue(t, VG_QUEUE_CTRL);
	t->cursor = add_queue(t, VG_QUEUE_CURSOR);
	t->cmdbuf = vuf_mem_alloc(t->mem, GPUT_CMDBUF, 4096);
	g_assert_cmpuint(t->cmdbuf, !=, VUF_GPA_INVALID);
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st |
				VUF_S_DRIVER_OK), ==, 0);
}

/**
 * gput_start() - Start the back-end and connect to it
 * @t:		Harness
 * @opts:	Options (may be NULL)
 * @cfg:	Display side, or NULL for none
 */
void gput_start(struct gput *t, const char *opts, const struct gpud_cfg *cfg)
{
	gput_spawn(t, opts);
	gput_connect(t, cfg);
}

/**
 * gput_disconnect() - Close the session, the display and guest memory
 * @t:		Harness
 */
void gput_disconnect(struct gput *t)
{
	vuf_session_free(t->s);
	t->s = NULL;
	t->ctrl = NULL;
	t->cursor = NULL;
	gpud_free(t->display);
	t->display = NULL;
	vuf_mem_free(t->mem);
	t->mem = NULL;
}

/**
 * gput_stop() - Disconnect, then SIGTERM the back-end, which must exit 0
 * @t:		Harness
 */
void gput_stop(struct gput *t)
{
	gput_disconnect(t);
	gput_kill(t, SIGTERM);
}

/**
 * gput_conn() - The current connection
 * @t:		Harness (connected)
 *
 * Return: connection
 */
struct vuf_conn *gput_conn(const struct gput *t)
{
	return vuf_session_conn(t->s);
}

/**
 * gput_config() - Read the 16-byte config space
 * @t:		Harness (connected)
 * @cfg:	Filled
 */
void gput_config(struct gput *t, struct vg_config *cfg)
{
	struct vuf_conn *c = gput_conn(t);

	if (vuf_get_config(c, 0, cfg, sizeof(*cfg)))
		g_error("GET_CONFIG: %s", vuf_conn_error(c));
}
