// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-evdev-check.c - vu-input-evdev-check: vhost-user-input's evdev mode
 * against real evdev devices made with uinput (run in the e2e guest by
 * guest/input-evdev.sh; works on any host with /dev/uinput, as root).
 *
 *   vu-input-evdev-check [GTEST-OPTIONS] DAEMON
 *
 * For a keyboard (LEDs, MSC_SCAN, autorepeat), a mouse with wheels and a
 * pen tablet it: creates the uinput device, starts DAEMON on its event
 * node, drives it with libvuf as QEMU would, and checks the config space
 * against the kernel's view of the device, that injected frames reach the
 * event queue whole and in order (four buffers posted at a time, as QEMU
 * 10 does), the LED status path back into the device, the grab (and
 * --no-grab), the resync after the kernel dropped events, and the exit
 * status when the device goes away (1) or on SIGTERM (0).
 *
 * Exit status: 0 when every check passed, 77 without /dev/uinput.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libevdev/libevdev.h>
#include <libevdev/libevdev-uinput.h>

#include "vuf.h"

/* virtio-input (virtio 1.2, 5.8): config selects and sizes */
#define CFG_UNSET	0x00
#define CFG_ID_NAME	0x01
#define CFG_ID_SERIAL	0x02
#define CFG_ID_DEVIDS	0x03
#define CFG_PROP_BITS	0x10
#define CFG_EV_BITS	0x11
#define CFG_ABS_INFO	0x12
#define CFG_HDR		8u
#define CFG_PAYLOAD	128u
#define CFG_SIZE	(CFG_HDR + CFG_PAYLOAD)
#define EVENT_SIZE	8u
#define QUEUE_EVENT	0
#define QUEUE_STATUS	1

#define EVC_GPA		0x100000ull
#define EVC_RAM		(4u << 20)
#define EVC_QSIZE	64u
#define EVC_SLOT	64u	/* bytes of buffer space per chain */
#define EVC_POSTED	4u	/* eventq buffers in flight, as QEMU 10 */
#define EVC_WAIT_MS	3000	/* for anything that should come */
#define EVC_QUIET_MS	300	/* to show that nothing comes */
#define EVC_EXIT_MS	2000	/* for the daemon to exit */
#define EVC_MAX_EVENTS	2048

/**
 * struct evc_event - one event as the tests write them
 * @type:	EV_*
 * @code:	Code
 * @value:	Value
 */
struct evc_event {
	uint16_t type;
	uint16_t code;
	int32_t value;
};

#define SYN	{ EV_SYN, SYN_REPORT, 0 }

/**
 * struct evc - one uinput device and the daemon serving it
 * @what:	"keyboard", "mouse", "tablet" (progress lines)
 * @ui:		The uinput device, NULL once destroyed
 * @real:	The kernel's view of it (libevdev on its event node)
 * @real_fd:	Fd behind @real
 * @node:	Its event node
 * @dir:	Temporary directory of the socket
 * @sock:	vhost-user socket path
 * @pid:	The daemon, 0 once reaped
 * @mem:	Guest memory
 * @s:		The vhost-user session
 * @evq:	Event queue
 * @stq:	Status queue
 */
struct evc {
	const char *what;
	struct libevdev_uinput *ui;
	struct libevdev *real;
	int real_fd;
	char *node;
	char *dir;
	char *sock;
	GPid pid;
	struct vuf_mem *mem;
	struct vuf_session *s;
	struct vuf_vq *evq;
	struct vuf_vq *stq;
};

static const char *daemon_path;

/**
 * progress() - Print one progress line
 * @t:		Device under test
 * @fmt:	printf format
 * @...:	Arguments
 */
static void G_GNUC_PRINTF(2, 3) progress(const struct evc *t,
					 const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	printf("# %s: %s\n", t->what, msg);
	fflush(stdout);
	g_free(msg);
}

/* ---- the devices ---- */

/**
 * def_keyboard() - A keyboard: keys 1..248, three LEDs, MSC_SCAN, repeat
 *
 * Return: the definition
 */
static struct libevdev *def_keyboard(void)
{
	static const int rep[2] = { 500, 30 };
	struct libevdev *d = libevdev_new();
	unsigned int k;

	libevdev_set_name(d, "vu-evdev-check keyboard");
	libevdev_set_id_bustype(d, BUS_USB);
	libevdev_set_id_vendor(d, 0x1d6b);
	libevdev_set_id_product(d, 0x0104);
	libevdev_set_id_version(d, 0x0111);
	for (k = KEY_ESC; k <= KEY_MICMUTE; k++)
		libevdev_enable_event_code(d, EV_KEY, k, NULL);
	libevdev_enable_event_code(d, EV_LED, LED_NUML, NULL);
	libevdev_enable_event_code(d, EV_LED, LED_CAPSL, NULL);
	libevdev_enable_event_code(d, EV_LED, LED_SCROLLL, NULL);
	libevdev_enable_event_code(d, EV_MSC, MSC_SCAN, NULL);
	libevdev_enable_event_code(d, EV_REP, REP_DELAY, &rep[0]);
	libevdev_enable_event_code(d, EV_REP, REP_PERIOD, &rep[1]);
	return d;
}

/**
 * def_mouse() - A mouse: five buttons, X/Y, both wheels
 *
 * Return: the definition
 */
static struct libevdev *def_mouse(void)
{
	static const unsigned int btn[] = {
		BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA,
	};
	static const unsigned int rel[] = {
		REL_X, REL_Y, REL_WHEEL, REL_HWHEEL,
	};
	struct libevdev *d = libevdev_new();
	unsigned int i;

	libevdev_set_name(d, "vu-evdev-check mouse");
	libevdev_set_id_bustype(d, BUS_USB);
	libevdev_set_id_vendor(d, 0x046d);
	libevdev_set_id_product(d, 0xc077);
	libevdev_set_id_version(d, 0x0110);
	for (i = 0; i < G_N_ELEMENTS(btn); i++)
		libevdev_enable_event_code(d, EV_KEY, btn[i], NULL);
	for (i = 0; i < G_N_ELEMENTS(rel); i++)
		libevdev_enable_event_code(d, EV_REL, rel[i], NULL);
	libevdev_enable_property(d, INPUT_PROP_POINTER);
	return d;
}

/**
 * def_tablet() - A pen tablet: X/Y with fuzz and resolution, pressure,
 * a signed tilt axis with a dead zone, pen buttons, INPUT_PROP_DIRECT
 *
 * Return: the definition
 */
static struct libevdev *def_tablet(void)
{
	static const struct input_absinfo x = { 0, 0, 4095, 4, 0, 16 };
	static const struct input_absinfo y = { 0, 0, 2047, 0, 0, 16 };
	static const struct input_absinfo p = { 0, 0, 1023, 0, 0, 0 };
	static const struct input_absinfo tilt = { 0, -64, 63, 0, 2, 57 };
	struct libevdev *d = libevdev_new();

	libevdev_set_name(d, "vu-evdev-check tablet");
	libevdev_set_id_bustype(d, BUS_I2C);
	libevdev_set_id_vendor(d, 0x056a);
	libevdev_set_id_product(d, 0x5000);
	libevdev_set_id_version(d, 0x0002);
	libevdev_enable_event_code(d, EV_KEY, BTN_TOOL_PEN, NULL);
	libevdev_enable_event_code(d, EV_KEY, BTN_TOUCH, NULL);
	libevdev_enable_event_code(d, EV_KEY, BTN_STYLUS, NULL);
	libevdev_enable_event_code(d, EV_ABS, ABS_X, &x);
	libevdev_enable_event_code(d, EV_ABS, ABS_Y, &y);
	libevdev_enable_event_code(d, EV_ABS, ABS_PRESSURE, &p);
	libevdev_enable_event_code(d, EV_ABS, ABS_TILT_X, &tilt);
	libevdev_enable_property(d, INPUT_PROP_DIRECT);
	return d;
}

/**
 * evc_create() - Create the uinput device and open its event node
 * @t:		Device under test, zeroed
 * @what:	Its short name
 * @def:	Its definition (freed here)
 */
static void evc_create(struct evc *t, const char *what, struct libevdev *def)
{
	const char *node;
	int i;

	t->what = what;
	g_assert_cmpint(libevdev_uinput_create_from_device(def,
			LIBEVDEV_UINPUT_OPEN_MANAGED, &t->ui), ==, 0);
	libevdev_free(def);
	node = libevdev_uinput_get_devnode(t->ui);
	g_assert_nonnull(node);
	t->node = g_strdup(node);
	for (i = 0; i < 200 && access(t->node, R_OK | W_OK); i++)
		g_usleep(10000);
	t->real_fd = open(t->node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	g_assert_cmpint(t->real_fd, >=, 0);
	g_assert_cmpint(libevdev_new_from_fd(t->real_fd, &t->real), ==, 0);
	t->dir = g_dir_make_tmp("vu-evdev-XXXXXX", NULL);
	g_assert_nonnull(t->dir);
	t->sock = g_build_filename(t->dir, "input.sock", NULL);
	progress(t, "uinput device %s", t->node);
}

/* ---- the daemon ---- */

/**
 * die_with_parent() - In the child before exec: SIGKILL when we die
 * @data:	Unused
 */
static void die_with_parent(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * evc_spawn() - Start the daemon on the device
 * @t:		Device under test
 * @extra:	One more option, or NULL
 */
static void evc_spawn(struct evc *t, const char *extra)
{
	char *sock = g_strdup_printf("--socket-path=%s", t->sock);
	char *ev = g_strdup_printf("--evdev-path=%s", t->node);
	char *argv[] = { (char *)daemon_path, sock, ev, (char *)extra, NULL };
	GError *err = NULL;

	g_assert_true(g_spawn_async(NULL, argv, NULL,
				    G_SPAWN_DO_NOT_REAP_CHILD,
				    die_with_parent, NULL, &t->pid, &err));
	g_assert_no_error(err);
	progress(t, "started %s %s %s %s", daemon_path, sock, ev,
		 extra ? extra : "");
	g_free(sock);
	g_free(ev);
}

/**
 * evc_wait_exit() - Wait for the daemon to exit
 * @t:		Device under test
 * @ms:		How long to wait
 *
 * Return: its wait status, or -1 when it still runs after @ms
 */
static int evc_wait_exit(struct evc *t, int ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
	int st;

	do {
		if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
			t->pid = 0;
			return st;
		}
		g_usleep(5000);
	} while (g_get_monotonic_time() < deadline);
	return -1;
}

/**
 * evc_expect_exit() - Check the daemon exits with @code within @ms
 * @t:		Device under test
 * @code:	Exit status wanted
 * @ms:		Milliseconds
 */
static void evc_expect_exit(struct evc *t, int code, int ms)
{
	gint64 t0 = g_get_monotonic_time();
	int st = evc_wait_exit(t, ms);

	if (st == -1)
		g_error("%s: the daemon still runs after %d ms", t->what, ms);
	g_assert_true(WIFEXITED(st));
	g_assert_cmpint(WEXITSTATUS(st), ==, code);
	progress(t, "daemon exited with status %d after %d ms", code,
		 (int)((g_get_monotonic_time() - t0) / 1000));
}

/**
 * evc_connect() - Connect and set the device up as QEMU does
 * @t:		Device under test (daemon started)
 */
static void evc_connect(struct evc *t)
{
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	uint64_t pf = VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
		      VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_STATUS);
	struct vuf_conn *c;
	uint64_t nq;

	t->mem = vuf_mem_new();
	g_assert_cmpint(vuf_mem_add_region(t->mem, EVC_GPA, EVC_RAM, 0), ==,
			0);
	g_assert_cmpint(vuf_conn_connect(t->sock, 5000, &c), ==, 0);
	t->s = vuf_session_new(c, t->mem);
	g_assert_cmpint(vuf_session_negotiate(t->s, VUF_BIT(VUF_F_VERSION_1) |
			VUF_BIT(VUF_F_EVENT_IDX), pf), ==, 0);
	g_assert_true(vuf_conn_features(c) & VUF_BIT(VUF_F_VERSION_1));
	g_assert_true(vuf_conn_has_pf(c, VUF_PF_CONFIG));
	g_assert_cmpint(vuf_get_queue_num(c, &nq), ==, 0);
	g_assert_cmpuint(nq, >=, 2);
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st), ==, 0);
	g_assert_cmpint(vuf_session_set_mem_table(t->s), ==, 0);
	t->evq = vuf_session_add_vq(t->s, QUEUE_EVENT, EVC_QSIZE, EVC_SLOT);
	t->stq = vuf_session_add_vq(t->s, QUEUE_STATUS, EVC_QSIZE, EVC_SLOT);
	g_assert_nonnull(t->evq);
	g_assert_nonnull(t->stq);
	g_assert_cmpint(vuf_session_start_vq(t->s, t->evq), ==, 0);
	g_assert_cmpint(vuf_session_start_vq(t->s, t->stq), ==, 0);
	if (vuf_conn_has_pf(c, VUF_PF_STATUS))
		g_assert_cmpint(vuf_session_set_status(t->s, st |
				VUF_S_DRIVER_OK), ==, 0);
	progress(t, "connected, features 0x%" G_GINT64_MODIFIER "x",
		 vuf_conn_features(c));
}

/**
 * evc_free() - Stop everything and free the device under test
 * @t:		Device under test
 */
static void evc_free(struct evc *t)
{
	vuf_session_free(t->s);
	vuf_mem_free(t->mem);
	if (t->pid) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	if (t->ui)
		libevdev_uinput_destroy(t->ui);
	libevdev_free(t->real);
	if (t->real_fd > 0)
		close(t->real_fd);
	g_unlink(t->sock);
	g_rmdir(t->dir);
	g_free(t->sock);
	g_free(t->dir);
	g_free(t->node);
}

/* ---- config space ---- */

/**
 * evc_config() - Select @select/@subsel and read the config space
 * @t:		Device under test (connected)
 * @select:	virtio_input_config.select
 * @subsel:	virtio_input_config.subsel
 * @payload:	The union, CFG_PAYLOAD bytes
 *
 * Writes the whole 136 bytes as QEMU does, then reads them back.
 *
 * Return: the size field
 */
static uint8_t evc_config(struct evc *t, uint8_t select, uint8_t subsel,
			  uint8_t *payload)
{
	struct vuf_conn *c = vuf_session_conn(t->s);
	uint8_t img[CFG_SIZE];

	memset(img, 0xa5, sizeof(img));
	img[0] = select;
	img[1] = subsel;
	g_assert_cmpint(vuf_set_config(c, 0, img, CFG_SIZE, 0), ==, 0);
	g_assert_cmpint(vuf_get_config(c, 0, img, CFG_SIZE), ==, 0);
	g_assert_cmpuint(img[0], ==, select);
	g_assert_cmpuint(img[1], ==, subsel);
	memcpy(payload, img + CFG_HDR, CFG_PAYLOAD);
	return img[2];
}

/**
 * bitmap_size() - The virtio-input size of a bitmap
 * @bm:		CFG_PAYLOAD bytes
 *
 * Return: index of the last non-zero byte + 1, 0 if all are zero
 */
static unsigned int bitmap_size(const uint8_t *bm)
{
	unsigned int n = CFG_PAYLOAD;

	while (n && !bm[n - 1])
		n--;
	return n;
}

/**
 * expect_codes() - The EV_BITS bitmap the kernel's view implies
 * @d:		The device (libevdev)
 * @type:	Event type
 * @bm:		Filled, CFG_PAYLOAD bytes
 *
 * Return: its size (0 for EV_SYN and for types the device lacks)
 */
static unsigned int expect_codes(const struct libevdev *d, unsigned int type,
				 uint8_t *bm)
{
	int max = libevdev_event_type_get_max(type);
	unsigned int code;

	memset(bm, 0, CFG_PAYLOAD);
	if (type == EV_SYN || max < 0 || !libevdev_has_event_type(d, type))
		return 0;
	for (code = 0; code <= (unsigned int)max &&
	     code < CFG_PAYLOAD * 8; code++)
		if (libevdev_has_event_code(d, type, code))
			bm[code / 8] |= (uint8_t)(1u << (code % 8));
	return bitmap_size(bm);
}

/**
 * le16_at() - A little-endian 16-bit value
 * @p:		Its bytes
 *
 * Return: the value
 */
static unsigned int le16_at(const uint8_t *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
}

/**
 * le32_at() - A little-endian 32-bit value
 * @p:		Its bytes
 *
 * Return: the value
 */
static int32_t le32_at(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/**
 * check_ids() - ID_NAME, ID_SERIAL and ID_DEVIDS match the device
 * @t:		Device under test (connected)
 */
static void check_ids(struct evc *t)
{
	const char *name = libevdev_get_name(t->real);
	const char *uniq = libevdev_get_uniq(t->real);
	uint8_t p[CFG_PAYLOAD];
	unsigned int n;

	n = evc_config(t, CFG_ID_NAME, 0, p);
	g_assert_cmpuint(n, ==, MIN(strlen(name), CFG_PAYLOAD));
	g_assert_cmpmem(p, n, name, n);
	n = evc_config(t, CFG_ID_SERIAL, 0, p);
	g_assert_cmpuint(n, ==, uniq ? MIN(strlen(uniq), CFG_PAYLOAD) : 0);
	g_assert_cmpuint(evc_config(t, CFG_ID_DEVIDS, 0, p), ==, 8);
	g_assert_cmpuint(le16_at(p), ==, libevdev_get_id_bustype(t->real));
	g_assert_cmpuint(le16_at(p + 2), ==, libevdev_get_id_vendor(t->real));
	g_assert_cmpuint(le16_at(p + 4), ==, libevdev_get_id_product(t->real));
	g_assert_cmpuint(le16_at(p + 6), ==, libevdev_get_id_version(t->real));
}

/**
 * check_bits() - PROP_BITS and EV_BITS of every type match the device
 * @t:		Device under test (connected)
 */
static void check_bits(struct evc *t)
{
	uint8_t p[CFG_PAYLOAD], want[CFG_PAYLOAD];
	unsigned int type, prop, n, size;

	memset(want, 0, sizeof(want));
	for (prop = 0; prop <= INPUT_PROP_MAX; prop++)
		if (libevdev_has_property(t->real, prop))
			want[prop / 8] |= (uint8_t)(1u << (prop % 8));
	n = evc_config(t, CFG_PROP_BITS, 0, p);
	g_assert_cmpuint(n, ==, bitmap_size(want));
	g_assert_cmpmem(p, CFG_PAYLOAD, want, CFG_PAYLOAD);
	for (type = 0; type < 0x20; type++) {
		n = expect_codes(t->real, type, want);
		size = evc_config(t, CFG_EV_BITS, (uint8_t)type, p);
		if (size != n)
			g_error("%s: EV_BITS type %u: size %u, want %u",
				t->what, type, size, n);
		g_assert_cmpmem(p, CFG_PAYLOAD, want, CFG_PAYLOAD);
	}
}

/**
 * check_abs() - ABS_INFO of every axis matches the device
 * @t:		Device under test (connected)
 */
static void check_abs(struct evc *t)
{
	const struct input_absinfo *ai;
	uint8_t p[CFG_PAYLOAD];
	unsigned int a, n;

	for (a = 0; a <= ABS_MAX; a++) {
		n = evc_config(t, CFG_ABS_INFO, (uint8_t)a, p);
		if (!libevdev_has_event_code(t->real, EV_ABS, a)) {
			g_assert_cmpuint(n, ==, 0);
			continue;
		}
		ai = libevdev_get_abs_info(t->real, a);
		g_assert_cmpuint(n, ==, 20);
		g_assert_cmpint(le32_at(p), ==, ai->minimum);
		g_assert_cmpint(le32_at(p + 4), ==, ai->maximum);
		g_assert_cmpint(le32_at(p + 8), ==, ai->fuzz);
		g_assert_cmpint(le32_at(p + 12), ==, ai->flat);
		g_assert_cmpint(le32_at(p + 16), ==, ai->resolution);
	}
}

/**
 * check_selects() - UNSET and an unknown select read as size 0, zeroes;
 * a one-byte write at offset 1 changes only subsel
 * @t:		Device under test (connected)
 */
static void check_selects(struct evc *t)
{
	static const uint8_t zero[CFG_PAYLOAD];
	struct vuf_conn *c = vuf_session_conn(t->s);
	uint8_t p[CFG_PAYLOAD], img[CFG_SIZE], sub = EV_KEY;

	g_assert_cmpuint(evc_config(t, CFG_UNSET, 0, p), ==, 0);
	g_assert_cmpmem(p, CFG_PAYLOAD, zero, CFG_PAYLOAD);
	g_assert_cmpuint(evc_config(t, 0x7f, 3, p), ==, 0);
	g_assert_cmpmem(p, CFG_PAYLOAD, zero, CFG_PAYLOAD);
	evc_config(t, CFG_EV_BITS, EV_SYN, p);
	g_assert_cmpint(vuf_set_config(c, 1, &sub, 1, 0), ==, 0);
	g_assert_cmpint(vuf_get_config(c, 0, img, CFG_SIZE), ==, 0);
	g_assert_cmpuint(img[0], ==, CFG_EV_BITS);
	g_assert_cmpuint(img[1], ==, EV_KEY);
	g_assert_cmpuint(img[2], ==, expect_codes(t->real, EV_KEY, p));
	g_assert_cmpmem(img + CFG_HDR, CFG_PAYLOAD, p, CFG_PAYLOAD);
}

/**
 * check_config() - The whole config space against the kernel's view
 * @t:		Device under test (connected)
 */
static void check_config(struct evc *t)
{
	check_ids(t);
	check_bits(t);
	check_abs(t);
	check_selects(t);
	progress(t, "config space matches the device (%s)",
		 libevdev_get_name(t->real));
}

/* ---- events ---- */

/**
 * inject() - Write events into the uinput device
 * @t:		Device under test
 * @ev:		Events (SYN_REPORTs included)
 * @n:		Number of events
 */
static void inject(struct evc *t, const struct evc_event *ev, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		g_assert_cmpint(libevdev_uinput_write_event(t->ui, ev[i].type,
				ev[i].code, ev[i].value), ==, 0);
}

/**
 * post_events() - Keep @want eventq buffers in flight
 * @t:		Device under test (connected)
 * @want:	Buffers wanted in flight
 */
static void post_events(struct evc *t, unsigned int want)
{
	const uint32_t len = EVENT_SIZE;
	bool posted = false;

	while (vuf_vq_in_flight(t->evq) < want) {
		g_assert_cmpint(vuf_vq_post(t->evq, NULL, 0, &len, 1, false),
				>=, 0);
		posted = true;
	}
	if (posted)
		g_assert_cmpint(vuf_vq_kick(t->evq), ==, 0);
}

/**
 * take_events() - Collect events from the eventq, reposting buffers
 * @t:		Device under test (connected)
 * @ev:		Array for the events
 * @max:	Events wanted
 * @ms:		How long to wait for them
 *
 * Return: events collected (fewer than @max after @ms)
 */
static unsigned int take_events(struct evc *t, struct evc_event *ev,
				unsigned int max, int ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
	struct vuf_used u[EVC_QSIZE];
	unsigned int got = 0;
	uint8_t *b;
	int i, n;

	while (got < max) {
		post_events(t, EVC_POSTED);
		n = vuf_vq_collect(t->evq, u, MIN(max - got, EVC_QSIZE));
		g_assert_cmpint(n, >=, 0);
		for (i = 0; i < n; i++, got++) {
			g_assert_cmpuint(u[i].len, ==, EVENT_SIZE);
			b = vuf_vq_buf(t->evq, u[i].id, 0, NULL);
			ev[got].type = (uint16_t)le16_at(b);
			ev[got].code = (uint16_t)le16_at(b + 2);
			ev[got].value = le32_at(b + 4);
		}
		if (!n && g_get_monotonic_time() >= deadline)
			break;
		if (!n)
			vuf_vq_wait_call(t->evq, 20);
	}
	return got;
}

/**
 * dump_events() - Print an event list (on a mismatch)
 * @label:	What it is
 * @ev:		Events
 * @n:		Number of events
 */
static void dump_events(const char *label, const struct evc_event *ev,
			unsigned int n)
{
	unsigned int i;

	printf("# %s (%u):", label, n);
	for (i = 0; i < n; i++)
		printf(" %u/%u/%d", ev[i].type, ev[i].code, ev[i].value);
	printf("\n");
}

/**
 * same_events() - Compare two event lists, dumping both when they differ
 * @got:	Events seen
 * @ngot:	Their number
 * @want:	Events expected
 * @nwant:	Their number
 *
 * Return: true when equal
 */
static bool same_events(const struct evc_event *got, unsigned int ngot,
			const struct evc_event *want, unsigned int nwant)
{
	if (ngot == nwant && !memcmp(got, want, ngot * sizeof(*got)))
		return true;
	dump_events("got", got, ngot);
	dump_events("want", want, nwant);
	return false;
}

/**
 * expect_events() - Check the eventq delivers exactly @want, then nothing
 * @t:		Device under test (connected)
 * @want:	Events expected, in order
 * @n:		Their number
 */
static void expect_events(struct evc *t, const struct evc_event *want,
			  unsigned int n)
{
	struct evc_event got[EVC_MAX_EVENTS];
	unsigned int ngot;

	g_assert_cmpuint(n, <, EVC_MAX_EVENTS);
	ngot = take_events(t, got, n, EVC_WAIT_MS);
	if (ngot == n)
		ngot += take_events(t, got + n, 1, EVC_QUIET_MS);
	if (!same_events(got, ngot, want, n))
		g_error("%s: the eventq did not deliver the frames injected",
			t->what);
	progress(t, "eventq delivered %u events as injected", n);
}

/**
 * inject_expect() - Inject events and check the eventq delivers them
 * @t:		Device under test (connected)
 * @ev:		Events (whole frames)
 * @n:		Their number
 * @before:	Inject them all before posting any buffer (the daemon must
 *		hold them); else with EVC_POSTED buffers waiting
 */
static void inject_expect(struct evc *t, const struct evc_event *ev,
			  unsigned int n, bool before)
{
	if (!before)
		post_events(t, EVC_POSTED);
	inject(t, ev, n);
	expect_events(t, ev, n);
}

/* ---- the grab ---- */

/**
 * open_spy() - Open the event node as another reader, checking the grab
 * @t:		Device under test (daemon running)
 * @grabbed:	Whether the daemon is expected to hold the grab
 *
 * Return: the fd (non-blocking)
 */
static int open_spy(struct evc *t, bool grabbed)
{
	int fd = open(t->node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int r;

	g_assert_cmpint(fd, >=, 0);
	r = ioctl(fd, EVIOCGRAB, 1);
	if (grabbed) {
		g_assert_cmpint(r, ==, -1);
		g_assert_cmpint(errno, ==, EBUSY);
	} else {
		g_assert_cmpint(r, ==, 0);
		g_assert_cmpint(ioctl(fd, EVIOCGRAB, 0), ==, 0);
	}
	return fd;
}

/**
 * spy_events() - The events another reader of the node got
 * @fd:		The reader (non-blocking)
 * @ev:		Array for them
 * @max:	Its size
 *
 * Return: events read
 */
static unsigned int spy_events(int fd, struct evc_event *ev, unsigned int max)
{
	struct input_event ie;
	unsigned int n = 0;

	while (n < max && read(fd, &ie, sizeof(ie)) == (ssize_t)sizeof(ie)) {
		ev[n].type = ie.type;
		ev[n].code = ie.code;
		ev[n].value = ie.value;
		n++;
	}
	return n;
}

/**
 * check_spy() - Another reader saw @want (no grab) or nothing (grab)
 * @t:		Device under test
 * @fd:		The reader from open_spy() (closed here)
 * @want:	Events injected since it was opened
 * @n:		Their number
 * @grabbed:	Whether the daemon holds the grab
 */
static void check_spy(struct evc *t, int fd, const struct evc_event *want,
		      unsigned int n, bool grabbed)
{
	struct evc_event got[EVC_MAX_EVENTS];
	unsigned int ngot = spy_events(fd, got, G_N_ELEMENTS(got));

	close(fd);
	if (!same_events(got, ngot, want, grabbed ? 0 : n))
		g_error("%s: another reader of %s saw the wrong events",
			t->what, t->node);
	progress(t, grabbed ? "another reader saw nothing (grabbed)" :
		 "another reader saw the same events (--no-grab)");
}

/* ---- LEDs ---- */

/**
 * post_status() - Send one event on the statusq; wait for its completion
 * @t:		Device under test (connected)
 * @ev:		The event
 */
static void post_status(struct evc *t, const struct evc_event *ev)
{
	uint8_t b[EVENT_SIZE] = {
		(uint8_t)ev->type, (uint8_t)(ev->type >> 8),
		(uint8_t)ev->code, (uint8_t)(ev->code >> 8),
		(uint8_t)ev->value, (uint8_t)((uint32_t)ev->value >> 8),
		(uint8_t)((uint32_t)ev->value >> 16),
		(uint8_t)((uint32_t)ev->value >> 24),
	};
	struct iovec iov = { b, sizeof(b) };
	gint64 deadline = g_get_monotonic_time() + EVC_WAIT_MS * 1000;
	struct vuf_used u;
	int n;

	g_assert_cmpint(vuf_vq_post(t->stq, &iov, 1, NULL, 0, false), >=, 0);
	g_assert_cmpint(vuf_vq_kick(t->stq), ==, 0);
	while ((n = vuf_vq_collect(t->stq, &u, 1)) == 0 &&
	       g_get_monotonic_time() < deadline)
		vuf_vq_wait_call(t->stq, 20);
	if (n != 1)
		g_error("%s: the statusq chain was not completed", t->what);
}

/**
 * uinput_led() - Wait for the uinput device to be told to set an LED
 * @t:		Device under test
 * @code:	LED_*
 * @value:	Its state
 *
 * Return: true when the uinput fd delivered EV_LED @code @value in time
 */
static bool uinput_led(struct evc *t, unsigned int code, int value)
{
	struct pollfd p = { libevdev_uinput_get_fd(t->ui), POLLIN, 0 };
	gint64 deadline = g_get_monotonic_time() + EVC_WAIT_MS * 1000;
	struct input_event ie;

	while (g_get_monotonic_time() < deadline) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		if (read(p.fd, &ie, sizeof(ie)) != (ssize_t)sizeof(ie))
			continue;
		if (ie.type == EV_LED && ie.code == code && ie.value == value)
			return true;
	}
	return false;
}

/**
 * after_led() - The next frame after an LED status event arrives whole,
 * and the LED does not come back to the guest (an echo)
 * @t:		Device under test (connected)
 *
 * The echo is the kernel passing the LED written to the node on to its
 * readers: at the next SYN_REPORT, which is the next input frame's unless
 * the daemon wrote one after the LED.
 *
 * Return: "no" (the echo fails the test)
 */
static const char *after_led(struct evc *t)
{
	static const struct evc_event ev[] = {
		{ EV_KEY, KEY_C, 1 }, SYN, { EV_KEY, KEY_C, 0 }, SYN,
	};
	static const struct evc_event led = { EV_LED, LED_CAPSL, 1 };
	struct evc_event got[16];
	unsigned int n, skip = 0;

	post_events(t, EVC_POSTED);
	inject(t, ev, G_N_ELEMENTS(ev));
	n = take_events(t, got, G_N_ELEMENTS(ev), EVC_WAIT_MS);
	if (n && !memcmp(&got[0], &led, sizeof(led))) {
		skip = n > 1 && got[1].type == EV_SYN ? 2 : 1;
		n += take_events(t, got + n, skip, EVC_WAIT_MS);
	}
	n += take_events(t, got + n, 1, EVC_QUIET_MS);
	if (!same_events(got + skip, n - skip, ev, G_N_ELEMENTS(ev)))
		g_error("%s: the frame after the LED went wrong", t->what);
	/* The daemon drops what it reads back of its own LED write */
	if (skip)
		g_error("%s: the LED came back to the guest (%s echo)",
			t->what, skip == 2 ? "a separate" : "a merged");
	return "no";
}

/**
 * check_led() - A statusq LED event reaches the device, and the event
 * queue goes on
 * @t:		Device under test (connected)
 * @spy:	Another reader of the node (for EVIOCGLED)
 */
static void check_led(struct evc *t, int spy)
{
	static const struct evc_event led = { EV_LED, LED_CAPSL, 1 };
	uint8_t leds[(LED_MAX + 8) / 8] = { 0 };

	post_status(t, &led);
	if (!uinput_led(t, LED_CAPSL, 1))
		g_error("%s: no EV_LED LED_CAPSL 1 on the uinput fd", t->what);
	g_assert_cmpint(ioctl(spy, EVIOCGLED(sizeof(leds)), leds), >=, 0);
	g_assert_true(leds[LED_CAPSL / 8] & 1u << (LED_CAPSL % 8));
	progress(t, "statusq LED_CAPSL 1 reached the device; the next frame "
		 "came whole, with %s echo of the LED", after_led(t));
}

/* ---- SYN_DROPPED ---- */

/**
 * overflow() - Stop the daemon, overflow its evdev buffer, continue it
 * @t:		Device under test (connected)
 * @frames:	Two-event ABS_X frames to inject meanwhile
 * @last:	The final frame (pen down at X 2000)
 * @nlast:	Its events
 */
static void overflow(struct evc *t, unsigned int frames,
		     const struct evc_event *last, unsigned int nlast)
{
	struct evc_event f[2] = { { EV_ABS, ABS_X, 0 }, SYN };
	unsigned int i;
	int st;

	g_assert_cmpint(kill(t->pid, SIGSTOP), ==, 0);
	g_assert_cmpint(waitpid(t->pid, &st, WUNTRACED), ==, t->pid);
	g_assert_true(WIFSTOPPED(st));
	for (i = 0; i < frames; i++) {
		f[0].value = i % 2 ? 100 : 3000;
		inject(t, f, 2);
	}
	inject(t, last, nlast);
	g_assert_cmpint(kill(t->pid, SIGCONT), ==, 0);
}

/**
 * check_resync() - After the kernel dropped events, the daemon resyncs:
 * whole frames of known events arrive, ending in the final state, and
 * later frames arrive exactly
 * @t:		Device under test (connected)
 */
static void check_resync(struct evc *t)
{
	static const struct evc_event last[] = {
		{ EV_KEY, BTN_TOUCH, 1 }, { EV_ABS, ABS_X, 2000 }, SYN };
	static const struct evc_event up[] = { { EV_KEY, BTN_TOUCH, 0 }, SYN };
	struct evc_event got[EVC_MAX_EVENTS];
	unsigned int n, i, dropped = 0;
	int x = -1, touch = -1;

	overflow(t, 500, last, G_N_ELEMENTS(last));
	n = take_events(t, got, G_N_ELEMENTS(got), EVC_WAIT_MS);
	g_assert_cmpuint(n, >, 0);
	g_assert_cmpuint(n, <, G_N_ELEMENTS(got));
	for (i = 0; i < n; i++) {
		g_assert_true(got[i].type == EV_SYN || got[i].type == EV_KEY ||
			      got[i].type == EV_ABS);
		dropped += got[i].type == EV_SYN && got[i].code == SYN_DROPPED;
		if (got[i].type == EV_ABS && got[i].code == ABS_X)
			x = got[i].value;
		if (got[i].type == EV_KEY && got[i].code == BTN_TOUCH)
			touch = got[i].value;
	}
	g_assert_cmpuint(got[n - 1].type, ==, EV_SYN);
	g_assert_cmpuint(got[n - 1].code, ==, SYN_REPORT);
	g_assert_cmpint(x, ==, 2000);
	g_assert_cmpint(touch, ==, 1);
	progress(t, "after an overflow: %u events, %u SYN_DROPPED passed on, "
		 "final state right", n, dropped);
	inject_expect(t, up, G_N_ELEMENTS(up), false);
}

/* ---- the tests ---- */

/**
 * test_keyboard() - Keyboard: config, frames held while no buffers were
 * posted, the grab, the LED status path, exit 1 when the device goes
 */
static void test_keyboard(void)
{
	static const struct evc_event ev[] = {
		{ EV_MSC, MSC_SCAN, 0x1e }, { EV_KEY, KEY_A, 1 }, SYN,
		{ EV_MSC, MSC_SCAN, 0x1e }, { EV_KEY, KEY_A, 0 }, SYN,
		{ EV_KEY, KEY_LEFTSHIFT, 1 }, SYN,
		{ EV_KEY, KEY_B, 1 }, SYN,
		{ EV_KEY, KEY_B, 0 }, { EV_KEY, KEY_LEFTSHIFT, 0 }, SYN,
		{ EV_KEY, KEY_ENTER, 1 }, SYN, { EV_KEY, KEY_ENTER, 0 }, SYN,
	};
	struct evc t = { 0 };
	int spy;

	evc_create(&t, "keyboard", def_keyboard());
	evc_spawn(&t, NULL);
	evc_connect(&t);
	check_config(&t);
	spy = open_spy(&t, true);
	inject_expect(&t, ev, G_N_ELEMENTS(ev), true);
	check_led(&t, spy);
	check_spy(&t, spy, ev, G_N_ELEMENTS(ev), true);
	libevdev_uinput_destroy(t.ui);
	t.ui = NULL;
	evc_expect_exit(&t, 1, EVC_EXIT_MS);
	evc_free(&t);
}

/**
 * test_mouse() - Mouse with --no-grab: config, frames, another reader sees
 * them too, SIGTERM gives exit 0
 */
static void test_mouse(void)
{
	static const struct evc_event ev[] = {
		{ EV_REL, REL_X, 5 }, { EV_REL, REL_Y, -3 }, SYN,
		{ EV_KEY, BTN_LEFT, 1 }, SYN,
		{ EV_REL, REL_X, -20 }, SYN,
		{ EV_KEY, BTN_LEFT, 0 }, SYN,
		{ EV_REL, REL_WHEEL, 1 }, SYN,
		{ EV_REL, REL_HWHEEL, -1 }, { EV_KEY, BTN_SIDE, 1 }, SYN,
		{ EV_KEY, BTN_SIDE, 0 }, SYN,
	};
	struct evc t = { 0 };
	int spy;

	evc_create(&t, "mouse", def_mouse());
	evc_spawn(&t, "--no-grab");
	evc_connect(&t);
	check_config(&t);
	spy = open_spy(&t, false);
	inject_expect(&t, ev, G_N_ELEMENTS(ev), false);
	check_spy(&t, spy, ev, G_N_ELEMENTS(ev), false);
	g_assert_cmpint(kill(t.pid, SIGTERM), ==, 0);
	evc_expect_exit(&t, 0, EVC_EXIT_MS);
	evc_free(&t);
}

/**
 * test_tablet() - Tablet: config (abs info, props), frames through four
 * buffers, resync after SYN_DROPPED, SIGTERM releases the grab
 */
static void test_tablet(void)
{
	static const struct evc_event ev[] = {
		{ EV_KEY, BTN_TOOL_PEN, 1 }, { EV_ABS, ABS_X, 1000 },
		{ EV_ABS, ABS_Y, 500 }, { EV_ABS, ABS_PRESSURE, 10 }, SYN,
		{ EV_KEY, BTN_TOUCH, 1 }, { EV_ABS, ABS_PRESSURE, 300 }, SYN,
		{ EV_ABS, ABS_X, 2000 }, { EV_ABS, ABS_Y, 1500 }, SYN,
		{ EV_ABS, ABS_TILT_X, -40 }, SYN,
		{ EV_ABS, ABS_X, 4095 }, SYN,
		{ EV_KEY, BTN_STYLUS, 1 }, SYN, { EV_KEY, BTN_STYLUS, 0 }, SYN,
		{ EV_KEY, BTN_TOUCH, 0 }, { EV_ABS, ABS_PRESSURE, 0 }, SYN,
	};
	struct evc t = { 0 };
	int spy;

	evc_create(&t, "tablet", def_tablet());
	evc_spawn(&t, NULL);
	evc_connect(&t);
	check_config(&t);
	inject_expect(&t, ev, G_N_ELEMENTS(ev), false);
	check_resync(&t);
	g_assert_cmpint(kill(t.pid, SIGTERM), ==, 0);
	evc_expect_exit(&t, 0, EVC_EXIT_MS);
	spy = open(t.node, O_RDONLY | O_CLOEXEC);
	g_assert_cmpint(spy, >=, 0);
	g_assert_cmpint(ioctl(spy, EVIOCGRAB, 1), ==, 0);
	close(spy);
	progress(&t, "the grab is gone after SIGTERM");
	evc_free(&t);
}

/**
 * main() - Run the checks against the daemon named on the command line
 * @argc:	Argument count
 * @argv:	Arguments: [GTEST-OPTIONS] DAEMON
 *
 * Return: 0 when all passed, 77 without /dev/uinput, else failure
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	daemon_path = argc > 1 ? argv[1] : g_getenv("VU_INPUT");
	if (!daemon_path || access(daemon_path, X_OK)) {
		fprintf(stderr, "usage: vu-input-evdev-check DAEMON\n");
		return 2;
	}
	if (access("/dev/uinput", R_OK | W_OK)) {
		printf("1..0 # SKIP no usable /dev/uinput\n");
		return 77;
	}
	g_test_add_func("/input-evdev/keyboard", test_keyboard);
	g_test_add_func("/input-evdev/mouse", test_mouse);
	g_test_add_func("/input-evdev/tablet", test_tablet);
	return g_test_run();
}
