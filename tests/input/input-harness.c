// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-harness.c - running vhost-user-input in a temporary directory and
 * driving it as a guest would, through libvuf (see input-harness.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "input-harness.h"
#include "vuf-proc.h"

/**
 * inpt_init() - Find the back-end and make a directory for its sockets
 * @t:		Harness to fill
 *
 * Return: false if VU_INPUT does not name an executable (skip the tests)
 */
bool inpt_init(struct inpt *t)
{
	memset(t, 0, sizeof(*t));
	t->daemon = g_getenv("VU_INPUT");
	if (!t->daemon || access(t->daemon, X_OK))
		return false;
	t->dir = g_dir_make_tmp("vu-input-XXXXXX", NULL);
	g_assert_nonnull(t->dir);
	t->sock = g_build_filename(t->dir, "input.sock", NULL);
	t->ctl = g_build_filename(t->dir, "control.sock", NULL);
	return true;
}

/**
 * inpt_attach() - Use a back-end someone else started, on its sockets
 * @t:		Harness to fill
 * @sock:	Its vhost-user socket
 * @ctl:	Its control socket
 */
void inpt_attach(struct inpt *t, const char *sock, const char *ctl)
{
	memset(t, 0, sizeof(*t));
	t->sock = g_strdup(sock);
	t->ctl = g_strdup(ctl);
}

/**
 * inpt_fini() - Stop what runs, remove the sockets and the directory
 * @t:		Harness
 */
void inpt_fini(struct inpt *t)
{
	inpt_stop(t);
	if (t->dir) {
		g_unlink(t->sock);
		g_unlink(t->ctl);
		g_rmdir(t->dir);
	}
	g_free(t->sock);
	g_free(t->ctl);
	g_free(t->dir);
}

/**
 * inpt_spawn() - Start the back-end on the harness socket
 * @t:		Harness (no back-end running)
 * @opts:	Further options, shell-quoted (may be NULL)
 *
 * Its standard error is the test's; its standard output is discarded (it
 * would corrupt the TAP stream).
 */
void inpt_spawn(struct inpt *t, const char *opts)
{
	char **argv = vuf_argv(t->daemon, t->sock, NULL, opts);
	GError *err = NULL;

	g_assert_cmpint(t->pid, ==, 0);
	if (!vuf_spawn(argv, 0, &t->pid, &err))
		g_error("spawn %s: %s", t->daemon, err->message);
	g_strfreev(argv);
}

/**
 * inpt_spawn_virtual() - Start a virtual device with its control socket
 * @t:		Harness
 * @preset:	--virtual value
 * @extra:	More options, shell-quoted (may be NULL)
 */
void inpt_spawn_virtual(struct inpt *t, const char *preset, const char *extra)
{
	char *opts = g_strdup_printf("--virtual=%s --control=%s %s", preset,
				     t->ctl, extra ? extra : "");

	inpt_spawn(t, opts);
	g_free(opts);
}

/**
 * inpt_kill() - Signal the back-end and reap it
 * @t:		Harness
 * @sig:	Signal; with SIGTERM the back-end must exit with status 0,
 *		which also shows it survived everything the test sent
 */
void inpt_kill(struct inpt *t, int sig)
{
	vuf_reap(&t->pid, sig);
}

/**
 * want_features() - The ring features a QEMU guest would take
 * @t:		Harness
 *
 * Return: feature bits to ask for
 */
static uint64_t want_features(const struct inpt *t)
{
	return VUF_BIT(VUF_F_VERSION_1) | VUF_BIT(VUF_F_EVENT_IDX) |
	       VUF_BIT(VUF_F_INDIRECT_DESC) | t->want_extra;
}

/**
 * add_queue() - Create ring @index and start it
 * @t:		Harness (connected)
 * @index:	Ring index
 *
 * Return: the ring
 */
static struct vuf_vq *add_queue(struct inpt *t, uint16_t index)
{
	struct vuf_vq *vq = vuf_session_add_vq(t->s, index, INPT_QSIZE,
					       INPT_SLOT);

	g_assert_nonnull(vq);
	if (vuf_session_start_vq(t->s, vq))
		g_error("start ring %u: %s", index,
			vuf_conn_error(inpt_conn(t)));
	return vq;
}

/**
 * daemon_gone() - Whether the back-end we started has exited (it is then
 * reaped)
 * @t:		Harness
 *
 * Return: true if it exited
 */
static bool daemon_gone(struct inpt *t)
{
	int status;

	if (!t->pid || waitpid(t->pid, &status, WNOHANG) != t->pid)
		return false;
	t->pid = 0;
	return true;
}

/**
 * inpt_connect() - Connect to the running back-end and set the device up
 * @t:		Harness
 *
 * As QEMU does: negotiation (VERSION_1, EVENT_IDX, INDIRECT_DESC and
 * @t->want_extra; MQ, REPLY_ACK, CONFIG, STATUS), status, memory table,
 * both rings (no buffers posted), DRIVER_OK.
 */
void inpt_connect(struct inpt *t)
{
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	uint64_t pf = VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
		      VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS);
	struct vuf_conn *c;

	if (!t->mem) {
		t->mem = vuf_mem_new();
		g_assert_cmpint(vuf_mem_add_region(t->mem, INPT_GPA, INPT_RAM,
						   0), ==, 0);
	}
	if (vuf_conn_connect(t->sock, INPT_TIMEOUT_MS, &c))
		g_error("connect %s: failed%s", t->sock, daemon_gone(t) ?
			" (the back-end exited)" : "");
	t->s = vuf_session_new(c, t->mem);
	if (vuf_session_negotiate(t->s, want_features(t), pf))
		g_error("negotiate: %s", vuf_conn_error(c));
	t->features = vuf_conn_features(c);
	g_assert_true(vuf_conn_has_pf(c, VUF_PF_CONFIG));
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st), ==, 0);
	g_assert_cmpint(vuf_session_set_mem_table(t->s), ==, 0);
	t->evq = add_queue(t, VIN_QUEUE_EVENT);
	t->stq = add_queue(t, VIN_QUEUE_STATUS);
	t->own = 0;
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st |
				VUF_S_DRIVER_OK), ==, 0);
}

/**
 * inpt_start() - Start a virtual device and connect to it
 * @t:		Harness
 * @preset:	--virtual value
 * @extra:	More options (may be NULL)
 */
void inpt_start(struct inpt *t, const char *preset, const char *extra)
{
	inpt_spawn_virtual(t, preset, extra);
	inpt_connect(t);
}

/**
 * inpt_disconnect() - Close the session and free guest memory: the next
 * inpt_connect() starts a new guest
 * @t:		Harness
 */
void inpt_disconnect(struct inpt *t)
{
	vuf_session_free(t->s);
	t->s = NULL;
	t->evq = NULL;
	t->stq = NULL;
	vuf_mem_free(t->mem);
	t->mem = NULL;
}

/**
 * inpt_stop() - Disconnect, then SIGTERM the back-end, which must exit
 * cleanly
 * @t:		Harness
 */
void inpt_stop(struct inpt *t)
{
	inpt_disconnect(t);
	inpt_kill(t, SIGTERM);
}

/**
 * inpt_reconnect() - Drop the connection and connect again, as QEMU does
 * after losing its back-end: the rings restart where the used rings are,
 * with the buffers still posted
 * @t:		Harness (connected)
 */
void inpt_reconnect(struct inpt *t)
{
	if (vuf_session_reconnect_path(t->s, t->sock, INPT_TIMEOUT_MS))
		g_error("reconnect: %s", vuf_conn_error(inpt_conn(t)));
}

/**
 * inpt_conn() - The current connection
 * @t:		Harness
 *
 * Return: connection
 */
struct vuf_conn *inpt_conn(const struct inpt *t)
{
	return vuf_session_conn(t->s);
}
