// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-harness.c - the private network namespace the tests run in, and
 * vhost-user-net started in it and driven as a guest would, through libvuf
 * (see net-harness.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "net-harness.h"
#include "vuf-proc.h"

#define NETT_RUN_LIMIT_S	5	/* nett_run_sync() children: SIGALRM */

static bool netns_ok;

/**
 * write_sysctl() - Write a value to a file under /proc/sys
 * @path:	The file
 * @value:	What to write
 */
static void write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0)
		g_debug("%s: %s", path, g_strerror(errno));
	close(fd);
}

/**
 * remount_sys() - In a private mount namespace, mount a sysfs that shows
 * the new network namespace, as `ip netns exec` does
 *
 * Return: true on success (failure only means /sys shows the old one)
 */
static bool remount_sys(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return false;
	if (umount2("/sys", MNT_DETACH) < 0)
		return false;
	return mount("sysfs", "/sys", "sysfs", 0, NULL) == 0;
}

/**
 * nett_netns_enter() - Move the test (and every back-end it starts) into a
 * private network namespace with only `lo`, up, and no IPv6 (so that the
 * kernel sends nothing of its own on the taps)
 *
 * Call once, before any test; the tests skip when it failed.
 *
 * Return: true if the namespace is in place
 */
bool nett_netns_enter(void)
{
	bool sys = false;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) == 0)
		sys = remount_sys();
	else if (unshare(CLONE_NEWNET) < 0)
		return false;
	if (!sys)
		g_printerr("# /sys not remounted: shows another namespace\n");
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	nett_link_up("lo");
	netns_ok = true;
	return true;
}

/**
 * nett_init() - Find the back-end and make a directory for its socket
 * @t:		Harness to fill
 *
 * Return: false if VU_NET does not name an executable or there is no
 * private network namespace (skip the test)
 */
bool nett_init(struct nett *t)
{
	memset(t, 0, sizeof(*t));
	t->pkt = -1;
	t->daemon = g_getenv("VU_NET");
	if (!netns_ok || !t->daemon || access(t->daemon, X_OK))
		return false;
	t->dir = g_dir_make_tmp("vu-net-XXXXXX", NULL);
	g_assert_nonnull(t->dir);
	t->sock = g_build_filename(t->dir, "net.sock", NULL);
	t->want = VUF_BIT(VUF_F_VERSION_1) | VUF_BIT(VUF_F_EVENT_IDX) |
		  VUF_BIT(VUF_F_INDIRECT_DESC) | VUF_BIT(VNET_F_MRG_RXBUF) |
		  VUF_BIT(VNET_F_MAC) | VUF_BIT(VNET_F_STATUS) |
		  VUF_BIT(VNET_F_CTRL_VQ) | VUF_BIT(VNET_F_CTRL_RX) |
		  VUF_BIT(VNET_F_MQ) | VUF_BIT(VNET_F_MTU);
	return true;
}

/**
 * nett_fini() - Stop what runs, remove the socket and its directory
 * @t:		Harness
 */
void nett_fini(struct nett *t)
{
	nett_stop(t);
	g_unlink(t->sock);
	g_rmdir(t->dir);
	g_free(t->sock);
	g_free(t->dir);
}

/**
 * nett_next_ifname() - A tap name not used before by this test program
 * @name:	Filled with vutapN
 */
void nett_next_ifname(char name[16])
{
	static unsigned int next;

	snprintf(name, 16, "vutap%u", next++);
}

/**
 * nett_spawn() - Start the back-end on the harness socket
 * @t:		Harness (no back-end running); @ifname is chosen if empty
 * @opts:	Further options, shell-quoted (may be NULL). With --tap-fd the
 *		descriptors the test opened without FD_CLOEXEC are inherited.
 *
 * Its standard error is the test's; its standard output is discarded (it
 * would corrupt the TAP stream).
 */
void nett_spawn(struct nett *t, const char *opts)
{
	GSpawnFlags fl = 0;
	GError *err = NULL;
	char *tap = NULL;
	char **argv;

	g_assert_cmpint(t->pid, ==, 0);
	if (!t->ifname[0])
		nett_next_ifname(t->ifname);
	if (opts && strstr(opts, "--tap-fd"))
		fl |= G_SPAWN_LEAVE_DESCRIPTORS_OPEN;
	/* --tap=@ifname unless the options name a tap themselves */
	if (!opts || !strstr(opts, "--tap"))
		tap = g_strdup_printf("--tap=%s", t->ifname);
	argv = vuf_argv(t->daemon, t->sock, tap, opts);
	g_free(tap);
	if (!vuf_spawn(argv, fl, &t->pid, &err))
		g_error("spawn %s: %s", t->daemon, err->message);
	g_strfreev(argv);
}

/**
 * nett_kill() - Signal the back-end and reap it
 * @t:		Harness
 * @sig:	Signal; with SIGTERM the back-end must exit with status 0,
 *		which also shows it survived everything the test sent
 */
void nett_kill(struct nett *t, int sig)
{
	vuf_reap(&t->pid, sig);
}

/**
 * daemon_gone() - Whether the back-end we started has exited (it is then
 * reaped)
 * @t:		Harness
 *
 * Return: true if it exited
 */
static bool daemon_gone(struct nett *t)
{
	int status;

	if (!t->pid || waitpid(t->pid, &status, WNOHANG) != t->pid)
		return false;
	t->pid = 0;
	return true;
}

/**
 * start_ring() - Create ring @index and start it
 * @t:		Harness (connected)
 * @q:		Where the ring goes
 * @index:	Ring index
 * @size:	Ring size
 */
static void start_ring(struct nett *t, struct nettq *q, uint16_t index,
		       uint16_t size)
{
	memset(q, 0, sizeof(*q));
	q->vq = vuf_session_add_vq(t->s, index, size, NETT_SLOT);
	g_assert_nonnull(q->vq);
	if (vuf_session_start_vq(t->s, q->vq))
		g_error("start ring %u: %s", index,
			vuf_conn_error(nett_conn(t)));
}

/**
 * start_rings() - Every RX and TX ring of @t->pairs, then the control queue
 * (ring 2 * pairs) if CTRL_VQ was negotiated
 * @t:		Harness (connected)
 */
static void start_rings(struct nett *t)
{
	unsigned int i;

	for (i = 0; i < t->pairs; i++) {
		start_ring(t, &t->rx[i], (uint16_t)(2 * i), NETT_QSIZE);
		start_ring(t, &t->tx[i], (uint16_t)(2 * i + 1), NETT_QSIZE);
	}
	if (nett_has(t, VNET_F_CTRL_VQ))
		start_ring(t, &t->ctrl, (uint16_t)(2 * t->pairs), 64);
}

/**
 * attach_tap() - Bring the back-end's tap up and open an AF_PACKET socket
 * on it
 * @t:		Harness (back-end started: the tap exists)
 */
static void attach_tap(struct nett *t)
{
	t->ifindex = nett_link_index(t->ifname);
	if (!t->ifindex)
		g_error("tap %s does not exist", t->ifname);
	nett_link_up(t->ifname);
	t->pkt = nett_pkt_open(t->ifindex, false);
}

/**
 * nett_connect() - Connect to the running back-end and set the device up
 * @t:		Harness
 * @pairs:	Queue pairs the back-end has (--queue-pairs): all are started
 *
 * As QEMU does: negotiation (@t->want; MQ, REPLY_ACK, CONFIG, STATUS,
 * NET_MTU, RARP and @t->want_pf), status, memory table, the rings (no
 * buffers posted), DRIVER_OK. Then the tap is brought up and watched.
 */
void nett_connect(struct nett *t, unsigned int pairs)
{
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	uint64_t pf = VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
		      VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS) |
		      VUF_BIT(VUF_PF_NET_MTU) | VUF_BIT(VUF_PF_RARP) |
		      t->want_pf;
	struct vuf_conn *c;

	g_assert_cmpuint(pairs, >=, 1);
	g_assert_cmpuint(pairs, <=, NETT_MAX_PAIRS);
	t->mem = vuf_mem_new();
	g_assert_cmpint(vuf_mem_add_region(t->mem, NETT_GPA, NETT_RAM, 0), ==,
			0);
	if (vuf_conn_connect(t->sock, NETT_TIMEOUT_MS, &c))
		g_error("connect %s: failed%s", t->sock, daemon_gone(t) ?
			" (the back-end exited)" : "");
	t->s = vuf_session_new(c, t->mem);
	if (vuf_session_negotiate(t->s, t->want, pf))
		g_error("negotiate: %s", vuf_conn_error(c));
	t->features = vuf_conn_features(c);
	t->pairs = pairs;
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st), ==, 0);
	g_assert_cmpint(vuf_session_set_mem_table(t->s), ==, 0);
	start_rings(t);
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st |
				VUF_S_DRIVER_OK), ==, 0);
	attach_tap(t);
}

/**
 * nett_start() - Start the back-end and connect to it
 * @t:		Harness
 * @opts:	Back-end options (see nett_spawn())
 * @pairs:	Its queue pairs
 */
void nett_start(struct nett *t, const char *opts, unsigned int pairs)
{
	nett_spawn(t, opts);
	nett_connect(t, pairs);
}

/**
 * nett_stop() - Close the tap socket and the session, free guest memory,
 * then SIGTERM the back-end, which must exit cleanly
 * @t:		Harness
 */
void nett_stop(struct nett *t)
{
	if (t->pkt >= 0)
		close(t->pkt);
	t->pkt = -1;
	vuf_session_free(t->s);
	t->s = NULL;
	memset(t->rx, 0, sizeof(t->rx));
	memset(t->tx, 0, sizeof(t->tx));
	memset(&t->ctrl, 0, sizeof(t->ctrl));
	vuf_mem_free(t->mem);
	t->mem = NULL;
	nett_kill(t, SIGTERM);
}

/**
 * nett_conn() - The current connection
 * @t:		Harness
 *
 * Return: connection
 */
struct vuf_conn *nett_conn(const struct nett *t)
{
	return vuf_session_conn(t->s);
}

/**
 * nett_has() - Whether a virtio feature was negotiated
 * @t:		Harness (connected)
 * @bit:	Feature bit
 *
 * Return: true if it was
 */
bool nett_has(const struct nett *t, unsigned int bit)
{
	return t->features & VUF_BIT(bit);
}

/**
 * hide_tun() - In a child: a private mount namespace where /dev/net is an
 * empty tmpfs, so that /dev/net/tun is missing
 *
 * Return: true on success
 */
static bool hide_tun(void)
{
	return unshare(CLONE_NEWNS) == 0 &&
	       mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	       mount("tmpfs", "/dev/net", "tmpfs", 0, NULL) == 0;
}

/**
 * run_child_setup() - In a nett_run_sync() child: die with the test, and
 * by SIGALRM if it runs too long (an alarm survives exec)
 * @data:	The NETT_RUN_* flags, as a pointer
 */
static void run_child_setup(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(NETT_RUN_LIMIT_S);
	if ((GPOINTER_TO_UINT(data) & NETT_RUN_NO_TUN) && !hide_tun())
		_exit(NETT_RUN_SETUP_FAILED);
}

/**
 * nett_run_sync() - Run the back-end with some options until it exits
 * (NETT_RUN_LIMIT_S at most: then SIGALRM ends it)
 * @t:		Harness (for the binary)
 * @opts:	Every option, shell-quoted (no --socket-path is added); with
 *		--tap-fd the test's descriptors without FD_CLOEXEC are passed
 * @flags:	NETT_RUN_NO_TUN: run it where /dev/net/tun is missing (exit
 *		status NETT_RUN_SETUP_FAILED if that cannot be arranged)
 * @r:		What it left behind (nett_run_clear())
 */
void nett_run_sync(const struct nett *t, const char *opts, unsigned int flags,
		   struct nett_run *r)
{
	GSpawnFlags fl = G_SPAWN_DEFAULT;
	char **argv = vuf_argv(t->daemon, NULL, NULL, opts);
	GError *err = NULL;

	if (opts && strstr(opts, "--tap-fd"))
		fl |= G_SPAWN_LEAVE_DESCRIPTORS_OPEN;
	if (!g_spawn_sync(NULL, argv, NULL, fl, run_child_setup,
			  GUINT_TO_POINTER(flags), &r->out, &r->err,
			  &r->status, &err))
		g_error("spawn %s: %s", t->daemon, err->message);
	g_strfreev(argv);
}

/**
 * nett_run_clear() - Free what nett_run_sync() kept
 * @r:		Result
 */
void nett_run_clear(struct nett_run *r)
{
	g_free(r->out);
	g_free(r->err);
}
