// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-input.c - vhost-user-input driven over its sockets: the config space
 * of every virtual preset, events from the control socket to the event
 * queue (order, frames, buffering, overflow, several clients, bad lines),
 * the status queue back to the clients, hostile chains, reconnects, and the
 * command line.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/input.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "input-harness.h"

#define EV(t, c, v)	((struct inpt_event){ (t), (c), (v) })
#define SYN		EV(EV_SYN, SYN_REPORT, 0)
#define MAX_EVENTS	512u

/**
 * struct cap_range - codes a preset has, first to last
 * @type:	EV_* type
 * @first:	First code
 * @last:	Last code
 */
struct cap_range {
	uint16_t type;
	uint16_t first;
	uint16_t last;
};

/**
 * struct axis_spec - the range of one absolute axis of a preset
 * @axis:	ABS_*
 * @min:	Minimum
 * @max:	Maximum
 */
struct axis_spec {
	uint8_t axis;
	int32_t min;
	int32_t max;
};

/**
 * struct preset - what the specification promises of a --virtual preset
 * @name:	--virtual value
 * @caps:	Codes, terminated by a zero @type
 * @axes:	Absolute axes, terminated by a zero @max
 * @props:	PROP_BITS byte 0
 */
struct preset {
	const char *name;
	struct cap_range caps[8];
	struct axis_spec axes[8];
	uint8_t props;
};

static const struct preset presets[] = {
	{ "keyboard", {
		{ EV_KEY, 1, 255 }, { EV_LED, LED_NUML, LED_SCROLLL },
		{ EV_REP, REP_DELAY, REP_PERIOD },
		{ EV_MSC, MSC_SCAN, MSC_SCAN },
	  }, { { 0 } }, 0 },
	{ "mouse", {
		{ EV_KEY, BTN_LEFT, BTN_EXTRA }, { EV_REL, REL_X, REL_Y },
		{ EV_REL, REL_HWHEEL, REL_HWHEEL },
		{ EV_REL, REL_WHEEL, REL_WHEEL },
	  }, { { 0 } }, 0 },
	{ "tablet", {
		{ EV_ABS, ABS_X, ABS_Y }, { EV_KEY, BTN_LEFT, BTN_MIDDLE },
		{ EV_REL, REL_WHEEL, REL_WHEEL },
	  }, { { ABS_X, 0, 32767 }, { ABS_Y, 0, 32767 } }, 0 },
	{ "touchscreen", {
		{ EV_KEY, BTN_TOUCH, BTN_TOUCH }, { EV_ABS, ABS_X, ABS_Y },
		{ EV_ABS, ABS_MT_SLOT, ABS_MT_SLOT },
		{ EV_ABS, ABS_MT_POSITION_X, ABS_MT_POSITION_Y },
		{ EV_ABS, ABS_MT_TRACKING_ID, ABS_MT_TRACKING_ID },
	  }, { { ABS_X, 0, 32767 }, { ABS_Y, 0, 32767 },
	       { ABS_MT_SLOT, 0, 9 }, { ABS_MT_TRACKING_ID, 0, 65535 },
	       { ABS_MT_POSITION_X, 0, 32767 },
	       { ABS_MT_POSITION_Y, 0, 32767 } }, 1u << INPUT_PROP_DIRECT },
};

/**
 * start() - A virtual device, connected, with a control client
 * @t:		Harness to fill
 * @preset:	--virtual value
 * @extra:	More options, or NULL
 * @ctl:	Set to a control client (may be NULL: none)
 *
 * Return: false to skip (no back-end binary)
 */
static bool start(struct inpt *t, const char *preset, const char *extra,
		  struct inpt_ctl **ctl)
{
	if (!inpt_init(t)) {
		g_test_skip("VU_INPUT is not set");
		return false;
	}
	inpt_start(t, preset, extra);
	if (ctl)
		*ctl = inpt_ctl_open(t->ctl);
	return true;
}

/**
 * finish() - SIGTERM the back-end (exit status 0) with the control client
 * still connected, then clean up
 * @t:		Harness
 * @ctl:	Control client, or NULL
 */
static void finish(struct inpt *t, struct inpt_ctl *ctl)
{
	inpt_fini(t);
	inpt_ctl_close(ctl);
}

/**
 * check_events() - Events are exactly what was expected
 * @got:	Events received
 * @n:		Number of @got
 * @want:	Events expected
 * @nwant:	Number of @want
 */
static void check_events(const struct inpt_event *got, unsigned int n,
			 const struct inpt_event *want, unsigned int nwant)
{
	unsigned int i;

	for (i = 0; i < MIN(n, nwant); i++)
		if (got[i].type != want[i].type ||
		    got[i].code != want[i].code ||
		    got[i].value != want[i].value)
			g_error("event %u: got %u/%u/%d, want %u/%u/%d", i,
				got[i].type, got[i].code, got[i].value,
				want[i].type, want[i].code, want[i].value);
	g_assert_cmpuint(n, ==, nwant);
}

/**
 * expect() - Wait for exactly these events, then for silence
 * @t:		Harness
 * @want:	Events expected, in order
 * @n:		Number of @want
 */
static void expect(struct inpt *t, const struct inpt_event *want,
		   unsigned int n)
{
	struct inpt_event got[MAX_EVENTS];

	g_assert_cmpuint(n, <=, MAX_EVENTS);
	inpt_wait_events(t, got, n);
	check_events(got, n, want, n);
	inpt_expect_no_used(t, INPT_QUIET_MS);
}

/**
 * last_nonzero() - The config size rule for a bitmap
 * @b:		128 bytes
 *
 * Return: index of the last non-zero byte + 1, 0 if none
 */
static uint8_t last_nonzero(const uint8_t *b)
{
	unsigned int n = VIN_CFG_PAYLOAD;

	while (n && !b[n - 1])
		n--;
	return (uint8_t)n;
}

/**
 * check_bitmap() - A bitmap field reads back as expected
 * @t:		Harness
 * @select:	PROP_BITS or EV_BITS
 * @subsel:	Subselector
 * @want:	The 128-byte bitmap expected
 */
static void check_bitmap(struct inpt *t, uint8_t select, uint8_t subsel,
			 const uint8_t *want)
{
	uint8_t got[VIN_CFG_PAYLOAD];
	uint8_t size = inpt_cfg_query(t, select, subsel, got);

	if (size != last_nonzero(want))
		g_error("select 0x%x subsel 0x%x: size %u, want %u", select,
			subsel, size, last_nonzero(want));
	g_assert_cmpmem(got, VIN_CFG_PAYLOAD, want, VIN_CFG_PAYLOAD);
}

/**
 * check_ev_bits() - EV_BITS of every type (and PROP_BITS) match a preset;
 * EV_SYN and every type the preset lacks read as size 0
 * @t:		Harness
 * @p:		Preset
 */
static void check_ev_bits(struct inpt *t, const struct preset *p)
{
	uint8_t (*bits)[VIN_CFG_PAYLOAD] = g_malloc0(EV_CNT *
						     VIN_CFG_PAYLOAD);
	uint8_t props[VIN_CFG_PAYLOAD] = { p->props };
	const struct cap_range *r;
	unsigned int type, c;

	for (r = p->caps; r->type; r++)
		for (c = r->first; c <= r->last; c++)
			bits[r->type][c / 8] |= (uint8_t)(1u << (c % 8));
	for (type = 0; type < EV_CNT; type++)
		check_bitmap(t, VIN_CFG_EV_BITS, (uint8_t)type, bits[type]);
	check_bitmap(t, VIN_CFG_EV_BITS, 0xff, bits[EV_SYN]);
	check_bitmap(t, VIN_CFG_PROP_BITS, 0, props);
	g_free(bits);
}

/**
 * le32_at() - A little-endian 32-bit value in a payload
 * @p:		Payload
 * @off:	Offset
 *
 * Return: value
 */
static int32_t le32_at(const uint8_t *p, unsigned int off)
{
	return (int32_t)((uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
			 (uint32_t)p[off + 2] << 16 |
			 (uint32_t)p[off + 3] << 24);
}

/**
 * axis_of() - The spec of an axis in a preset
 * @p:		Preset
 * @axis:	ABS_*
 *
 * Return: the spec, or NULL if the preset has no such axis
 */
static const struct axis_spec *axis_of(const struct preset *p,
				       unsigned int axis)
{
	const struct axis_spec *a;

	for (a = p->axes; a->max; a++)
		if (a->axis == axis)
			return a;
	return NULL;
}

/**
 * check_abs_info() - ABS_INFO of every axis: 20 bytes with the preset's
 * range, or size 0 and a zero payload
 * @t:		Harness
 * @p:		Preset
 */
static void check_abs_info(struct inpt *t, const struct preset *p)
{
	static const uint8_t zero[VIN_CFG_PAYLOAD];
	uint8_t got[VIN_CFG_PAYLOAD];
	const struct axis_spec *a;
	unsigned int axis;
	uint8_t size;

	for (axis = 0; axis < 0x100; axis++) {
		size = inpt_cfg_query(t, VIN_CFG_ABS_INFO, (uint8_t)axis, got);
		a = axis < ABS_CNT ? axis_of(p, axis) : NULL;
		if (!a) {
			g_assert_cmpuint(size, ==, 0);
			g_assert_cmpmem(got, sizeof(got), zero, sizeof(zero));
			continue;
		}
		g_assert_cmpuint(size, ==, 20);
		g_assert_cmpint(le32_at(got, 0), ==, a->min);
		g_assert_cmpint(le32_at(got, 4), ==, a->max);
	}
}

/**
 * check_ids() - ID_NAME, ID_SERIAL and ID_DEVIDS
 * @t:		Harness
 * @name:	Expected name
 */
static void check_ids(struct inpt *t, const char *name)
{
	uint8_t got[VIN_CFG_PAYLOAD];
	uint8_t size;

	size = inpt_cfg_query(t, VIN_CFG_ID_NAME, 0, got);
	g_assert_cmpmem(got, size, name, strlen(name));
	g_assert_cmpuint(inpt_cfg_query(t, VIN_CFG_ID_SERIAL, 0, got), ==, 0);
	g_assert_cmpuint(inpt_cfg_query(t, VIN_CFG_ID_DEVIDS, 0, got), ==, 8);
	g_assert_cmpuint(got[0] | got[1] << 8, ==, BUS_VIRTUAL);
}

/**
 * test_config() - The whole config space of one preset
 * @data:	The preset
 */
static void test_config(const void *data)
{
	const struct preset *p = data;
	char *name = g_strdup_printf("vhost-user-input %s", p->name);
	uint64_t nq = 0;
	struct inpt t;

	if (!start(&t, p->name, NULL, NULL))
		goto out;
	g_assert_cmpint(vuf_get_queue_num(inpt_conn(&t), &nq), ==, 0);
	g_assert_cmpuint(nq, ==, 2);
	check_ids(&t, name);
	check_ev_bits(&t, p);
	check_abs_info(&t, p);
	inpt_fini(&t);
out:
	g_free(name);
}

/**
 * test_config_name() - --name sets ID_NAME (128 bytes at most)
 */
static void test_config_name(void)
{
	const char *name = "Test Pad (42) with a longer name";
	char *opt = g_strdup_printf("'--name=%s'", name);
	struct inpt t;

	if (!start(&t, "tablet", opt, NULL))
		goto out;
	check_ids(&t, name);
	inpt_fini(&t);
out:
	g_free(opt);
}

/**
 * check_empty() - A field that must read as size 0 and a zero payload
 * @t:		Harness
 * @select:	Selector
 * @subsel:	Subselector
 */
static void check_empty(struct inpt *t, uint8_t select, uint8_t subsel)
{
	static const uint8_t zero[VIN_CFG_PAYLOAD];
	uint8_t got[VIN_CFG_PAYLOAD];

	if (inpt_cfg_query(t, select, subsel, got))
		g_error("select 0x%x subsel 0x%x: size %u, want 0", select,
			subsel, t->cfg[2]);
	g_assert_cmpmem(got, sizeof(got), zero, sizeof(zero));
}

/**
 * test_config_select() - UNSET and unknown selects read empty; SET_CONFIG
 * at offset 1 changes only subsel; bytes from 2 on are ignored
 */
static void test_config_select(void)
{
	uint8_t img[VIN_CFG_SIZE], sub = EV_REL;
	static const unsigned int bad[] = { 0x00, 0x04, 0x0f, 0x13, 0x20,
					    0x7f, 0x80, 0xff };
	struct inpt t;
	unsigned int i;

	if (!start(&t, "mouse", NULL, NULL))
		return;
	for (i = 0; i < G_N_ELEMENTS(bad); i++)
		check_empty(&t, (uint8_t)bad[i], 0);
	check_empty(&t, VIN_CFG_UNSET, EV_KEY);
	g_assert_cmpuint(inpt_cfg_query(&t, VIN_CFG_EV_BITS, EV_KEY, NULL),
			 ==, BTN_EXTRA / 8 + 1);
	g_assert_cmpint(vuf_set_config(inpt_conn(&t), 1, &sub, 1, 0), ==, 0);
	inpt_cfg_read(&t, img);
	g_assert_cmpuint(img[0], ==, VIN_CFG_EV_BITS);
	g_assert_cmpuint(img[1], ==, EV_REL);
	g_assert_cmpuint(img[2], ==, REL_WHEEL / 8 + 1);
	memset(img, 0xa5, sizeof(img));
	img[0] = VIN_CFG_ID_DEVIDS;
	img[1] = 0;
	g_assert_cmpint(vuf_set_config(inpt_conn(&t), 0, img, VIN_CFG_SIZE,
				       0), ==, 0);
	inpt_cfg_read(&t, img);
	g_assert_cmpuint(img[0], ==, VIN_CFG_ID_DEVIDS);
	g_assert_cmpuint(img[2], ==, 8);
	g_assert_cmpuint(img[8] | img[9] << 8, ==, BUS_VIRTUAL);
	inpt_fini(&t);
}

/**
 * test_events_keyboard() - Key press and release frames, one object per
 * line or arrays, names, EV_* names and integer codes, in order
 */
static void test_events_keyboard(void)
{
	static const struct inpt_event want[] = {
		EV(EV_KEY, KEY_A, 1), SYN, EV(EV_KEY, KEY_A, 0), SYN,
		EV(EV_KEY, KEY_A, 1), SYN,
		EV(EV_MSC, MSC_SCAN, 458756), EV(EV_KEY, KEY_LEFTSHIFT, 2),
		EV(EV_LED, LED_CAPSL, 1), SYN,
	};
	struct inpt_ctl *c;
	struct inpt t;

	if (!start(&t, "keyboard", NULL, &c))
		return;
	inpt_post_events(&t, 32);
	inpt_ctl_send(c, "[{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":1},"
		      "{\"type\":\"syn\"}]");
	inpt_ctl_send(c, "[{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":0},"
		      "{\"type\":\"syn\"}]");
	inpt_ctl_send(c, "{\"type\":\"EV_KEY\",\"code\":30,\"value\":1}");
	inpt_ctl_send(c, "{\"type\":\"syn\"}");
	inpt_ctl_send(c, "[{\"type\":\"msc\",\"code\":\"MSC_SCAN\","
		      "\"value\":458756},{\"type\":\"key\",\"code\":"
		      "\"KEY_LEFTSHIFT\",\"value\":2},{\"type\":\"led\","
		      "\"code\":\"LED_CAPSL\",\"value\":1},{\"type\":"
		      "\"EV_SYN\",\"code\":\"SYN_REPORT\",\"value\":0}]");
	expect(&t, want, G_N_ELEMENTS(want));
	inpt_ctl_expect_silence(c, INPT_QUIET_MS);
	finish(&t, c);
}

/**
 * test_events_mouse() - Relative motion and buttons, negative and extreme
 * values (little-endian on the ring)
 */
static void test_events_mouse(void)
{
	static const struct inpt_event want[] = {
		EV(EV_REL, REL_X, -5), EV(EV_REL, REL_Y, 7), SYN,
		EV(EV_KEY, BTN_LEFT, 1), SYN, EV(EV_KEY, BTN_LEFT, 0), SYN,
		EV(EV_REL, REL_WHEEL, -1), SYN,
		EV(EV_REL, REL_HWHEEL, G_MAXINT32),
		EV(EV_REL, REL_X, G_MININT32), SYN,
	};
	struct inpt_ctl *c;
	struct inpt t;

	if (!start(&t, "mouse", NULL, &c))
		return;
	inpt_post_events(&t, 32);
	inpt_ctl_send(c, "[{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":-5},"
		      "{\"type\":\"rel\",\"code\":\"REL_Y\",\"value\":7},"
		      "{\"type\":\"syn\"}]");
	inpt_ctl_send(c, "[{\"type\":\"key\",\"code\":\"BTN_LEFT\","
		      "\"value\":1},{\"type\":\"syn\"}]");
	inpt_ctl_send(c, "[{\"type\":\"key\",\"code\":\"BTN_LEFT\","
		      "\"value\":0},{\"type\":\"syn\"}]");
	inpt_ctl_send(c, "{\"type\":\"rel\",\"code\":\"REL_WHEEL\","
		      "\"value\":-1}");
	inpt_ctl_send(c, "{\"type\":\"syn\"}");
	inpt_ctl_send(c, "[{\"type\":\"EV_REL\",\"code\":6,\"value\":"
		      "2147483647},{\"type\":\"rel\",\"code\":0,\"value\":"
		      "-2147483648},{\"type\":\"syn\"}]");
	expect(&t, want, G_N_ELEMENTS(want));
	finish(&t, c);
}

/**
 * test_events_abs() - Absolute axes on the tablet ("axis" or "code") and a
 * multi-touch frame on the touchscreen
 */
static void test_events_abs(void)
{
	static const struct inpt_event tab[] = {
		EV(EV_ABS, ABS_X, 100), EV(EV_ABS, ABS_Y, 32767),
		EV(EV_KEY, BTN_LEFT, 1), SYN,
	};
	static const struct inpt_event ts[] = {
		EV(EV_ABS, ABS_MT_SLOT, 0), EV(EV_ABS, ABS_MT_TRACKING_ID, 5),
		EV(EV_ABS, ABS_MT_POSITION_X, 10),
		EV(EV_ABS, ABS_MT_POSITION_Y, 20), EV(EV_KEY, BTN_TOUCH, 1),
		SYN,
	};
	struct inpt_ctl *c;
	struct inpt t;

	if (!start(&t, "tablet", NULL, &c))
		return;
	inpt_post_events(&t, 16);
	inpt_ctl_send(c, "[{\"type\":\"abs\",\"axis\":\"ABS_X\",\"value\":100},"
		      "{\"type\":\"abs\",\"code\":\"ABS_Y\",\"value\":32767},"
		      "{\"type\":\"key\",\"code\":\"BTN_LEFT\",\"value\":1},"
		      "{\"type\":\"syn\"}]");
	expect(&t, tab, G_N_ELEMENTS(tab));
	finish(&t, c);

	start(&t, "touchscreen", NULL, &c);
	inpt_post_events(&t, 16);
	inpt_ctl_send(c, "[{\"type\":\"abs\",\"code\":\"ABS_MT_SLOT\","
		      "\"value\":0},{\"type\":\"abs\",\"axis\":"
		      "\"ABS_MT_TRACKING_ID\",\"value\":5},{\"type\":\"abs\","
		      "\"code\":\"ABS_MT_POSITION_X\",\"value\":10},"
		      "{\"type\":\"abs\",\"code\":\"ABS_MT_POSITION_Y\","
		      "\"value\":20},{\"type\":\"key\",\"code\":\"BTN_TOUCH\","
		      "\"value\":1},{\"type\":\"syn\"}]");
	expect(&t, ts, G_N_ELEMENTS(ts));
	finish(&t, c);
}

/**
 * send_rel_frame() - Send one mouse frame: REL_X = @v, REL_Y = @v too if
 * @three, then SYN_REPORT
 * @c:		Client
 * @v:		Value
 * @three:	Three events rather than two
 */
static void send_rel_frame(struct inpt_ctl *c, int v, bool three)
{
	char *y = three ? g_strdup_printf("{\"type\":\"rel\",\"code\":"
					  "\"REL_Y\",\"value\":%d},", v) :
			  g_strdup("");
	char *line = g_strdup_printf("[{\"type\":\"rel\",\"code\":\"REL_X\","
				     "\"value\":%d},%s{\"type\":\"syn\"}]",
				     v, y);

	inpt_ctl_send(c, line);
	g_free(line);
	g_free(y);
}

/**
 * test_events_buffered() - Frames committed while no buffer is posted come
 * once buffers are, one event per chain, a frame split across posts
 */
static void test_events_buffered(void)
{
	struct inpt_event want[10], got[10];
	struct inpt_ctl *c;
	struct inpt t;
	int i;

	if (!start(&t, "mouse", NULL, &c))
		return;
	for (i = 0; i < 5; i++) {
		send_rel_frame(c, i + 1, false);
		want[2 * i] = EV(EV_REL, REL_X, i + 1);
		want[2 * i + 1] = SYN;
	}
	inpt_ctl_sync(c);
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	inpt_post_events(&t, 3);
	inpt_wait_events(&t, got, 3);
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	inpt_post_events(&t, 16);
	inpt_wait_events(&t, got + 3, 7);
	check_events(got, 10, want, 10);
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	finish(&t, c);
}

/**
 * check_frames() - Split events into frames and check each is whole: a
 * run ending with SYN whose other events all carry its number @v, REL_X
 * then REL_Y if @v is odd
 * @ev:		Events
 * @n:		Number of @ev
 * @ids:	Set to the frame numbers, in order
 *
 * Return: frames found
 */
static unsigned int check_frames(const struct inpt_event *ev, unsigned int n,
				 int *ids)
{
	unsigned int i = 0, nf = 0, len;
	int v;

	while (i < n) {
		v = ev[i].value;
		len = (v & 1) ? 3 : 2;
		g_assert_cmpuint(i + len, <=, n);
		check_events(ev + i, len - 1, (struct inpt_event[]){
			EV(EV_REL, REL_X, v), EV(EV_REL, REL_Y, v) }, len - 1);
		check_events(ev + i + len - 1, 1, &SYN, 1);
		ids[nf++] = v;
		i += len;
	}
	return nf;
}

/**
 * test_events_overflow() - Beyond --max-events the oldest whole frames go:
 * what is delivered is the newest frames that fit, each whole
 */
static void test_events_overflow(void)
{
	struct inpt_event ev[MAX_EVENTS];
	int ids[MAX_EVENTS], i, nf, first;
	unsigned int want = 0;
	struct inpt_ctl *c;
	struct inpt t;

	if (!start(&t, "mouse", "--max-events=8", &c))
		return;
	for (i = 1; i <= 10; i++)
		send_rel_frame(c, i, i & 1);
	inpt_ctl_sync(c);
	/* the newest frames that fit in 8 events: 8, 9 and 10 */
	for (first = 10; first > 0 && want + 2 + (first & 1) <= 8; first--)
		want += 2 + (first & 1);
	inpt_post_events(&t, INPT_QSIZE);
	inpt_wait_events(&t, ev, want);
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	nf = (int)check_frames(ev, want, ids);
	for (i = 0; i < nf; i++)
		g_assert_cmpint(ids[i], ==, first + 1 + i);
	/* the device goes on */
	send_rel_frame(c, 11, true);
	expect(&t, (struct inpt_event[]){ EV(EV_REL, REL_X, 11),
		EV(EV_REL, REL_Y, 11), SYN }, 3);
	finish(&t, c);
}

/**
 * test_events_big_frame() - A frame larger than --max-events, committed
 * with no buffer posted, is delivered whole or not at all
 */
static void test_events_big_frame(void)
{
	struct inpt_event ev[MAX_EVENTS];
	GString *line = g_string_new("[");
	struct inpt_ctl *c;
	struct inpt t;
	unsigned int n, i;

	if (!start(&t, "mouse", "--max-events=4", &c))
		goto out;
	for (i = 0; i < 9; i++)
		g_string_append_printf(line, "{\"type\":\"rel\",\"code\":"
				       "\"REL_X\",\"value\":%u},", i);
	g_string_append(line, "{\"type\":\"syn\"}]");
	inpt_ctl_send(c, line->str);
	inpt_ctl_sync(c);
	inpt_post_events(&t, 32);
	n = inpt_drain(&t, ev, MAX_EVENTS, false);
	g_test_message("big frame: %u events delivered", n);
	g_assert_true(n == 0 || n == 10);
	send_rel_frame(c, 1, false);
	n = inpt_drain(&t, ev, MAX_EVENTS, false);
	check_events(ev, n, (struct inpt_event[]){ EV(EV_REL, REL_X, 1), SYN },
		     2);
	finish(&t, c);
out:
	g_string_free(line, TRUE);
}

/**
 * test_clients_order() - A frame another client commits while one client
 * is still assembling its own goes first; a client that leaves mid-frame
 * commits nothing
 */
static void test_clients_order(void)
{
	static const struct inpt_event want[] = {
		EV(EV_REL, REL_Y, 2), SYN, EV(EV_REL, REL_X, 1), SYN,
		EV(EV_REL, REL_WHEEL, 3), SYN,
	};
	struct inpt_ctl *a, *b;
	struct inpt t;

	if (!start(&t, "mouse", NULL, &a))
		return;
	b = inpt_ctl_open(t.ctl);
	inpt_post_events(&t, 32);
	inpt_ctl_send(a, "{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":1}");
	inpt_ctl_sync(a);
	inpt_ctl_send(b, "{\"type\":\"rel\",\"code\":\"REL_Y\",\"value\":2}");
	inpt_ctl_send(b, "{\"type\":\"syn\"}");
	inpt_ctl_sync(b);
	inpt_ctl_send(a, "{\"type\":\"syn\"}");
	inpt_ctl_sync(a);
	inpt_ctl_send(b, "{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":9}");
	inpt_ctl_sync(b);
	inpt_ctl_close(b);
	inpt_ctl_send(a, "[{\"type\":\"rel\",\"code\":\"REL_WHEEL\","
		      "\"value\":3},{\"type\":\"syn\"}]");
	expect(&t, want, G_N_ELEMENTS(want));
	finish(&t, a);
}

/**
 * send_event_line() - One event of a frame on a line of its own
 * @c:		Client
 * @code:	Code name, or NULL for the SYN_REPORT
 * @v:		Value
 */
static void send_event_line(struct inpt_ctl *c, const char *code, int v)
{
	char *line = code ? g_strdup_printf("{\"type\":\"rel\",\"code\":"
					    "\"%s\",\"value\":%d}", code, v) :
			    g_strdup("{\"type\":\"syn\"}");

	inpt_ctl_send(c, line);
	g_free(line);
}

/**
 * collect_repost() - Wait for @n events, posting buffers back as they are
 * used (32 at a time)
 * @t:		Harness (with buffers posted)
 * @ev:		Events, in order
 * @n:		How many
 */
static void collect_repost(struct inpt *t, struct inpt_event *ev,
			   unsigned int n)
{
	unsigned int got = 0, k;

	while (got < n) {
		k = MIN(n - got, 32u);
		inpt_wait_events(t, ev + got, k);
		inpt_post_events(t, k);
		got += k;
	}
}

/**
 * test_clients_interleaved() - Three clients assemble frames line by line
 * at the same time: every frame arrives whole, each client's in order
 */
static void test_clients_interleaved(void)
{
	struct inpt_event *ev = g_new(struct inpt_event, MAX_EVENTS);
	int ids[MAX_EVENTS], next[3] = { 0 }, f, k;
	struct inpt_ctl *c[3];
	struct inpt t;
	unsigned int i;

	if (!start(&t, "mouse", NULL, NULL))
		goto out;
	for (k = 0; k < 3; k++)
		c[k] = inpt_ctl_open(t.ctl);
	inpt_post_events(&t, INPT_QSIZE);
	for (f = 0; f < 20; f++) {
		for (k = 0; k < 3; k++)
			send_event_line(c[k], "REL_X", 2 * (k * 100 + f) + 1);
		for (k = 0; k < 3; k++)
			send_event_line(c[k], "REL_Y", 2 * (k * 100 + f) + 1);
		for (k = 0; k < 3; k++)
			send_event_line(c[k], NULL, 0);
	}
	collect_repost(&t, ev, 180);
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	g_assert_cmpuint(check_frames(ev, 180, ids), ==, 60);
	for (i = 0; i < 60; i++) {
		k = (ids[i] - 1) / 2 / 100;
		g_assert_cmpint((ids[i] - 1) / 2 % 100, ==, next[k]++);
	}
	for (k = 0; k < 3; k++)
		inpt_ctl_close(c[k]);
	inpt_fini(&t);
out:
	g_free(ev);
}

static const char *const bad_lines[] = {
	"{not json",
	"42",
	"\"rel\"",
	"[1,2]",
	"{\"type\":\"bogus\",\"code\":0,\"value\":1}",
	"{\"type\":\"EV_BOGUS\",\"code\":0,\"value\":1}",
	"{\"code\":\"REL_X\",\"value\":1}",
	"{}",
	"{\"type\":2,\"code\":0,\"value\":1}",
	"{\"type\":\"rel\",\"value\":1}",
	"{\"type\":\"rel\",\"code\":\"REL_X\"}",
	"{\"type\":\"rel\",\"code\":\"REL_BOGUS\",\"value\":1}",
	"{\"type\":\"rel\",\"code\":\"KEY_A\",\"value\":1}",
	"{\"type\":\"key\",\"code\":\"KEY_A\",\"value\":1}",
	"{\"type\":\"abs\",\"code\":\"ABS_X\",\"value\":1}",
	"{\"type\":\"rel\",\"code\":70000,\"value\":1}",
	"{\"type\":\"rel\",\"code\":-1,\"value\":1}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":\"1\"}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":1.5}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":1e3}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":true}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":null}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":2147483648}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":-2147483649}",
	"{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":99999999999999999999}",
	"[{\"type\":\"rel\",\"code\":\"REL_Y\",\"value\":3},"
	"{\"type\":\"bogus\"},{\"type\":\"syn\"}]",
	"[{\"type\":\"rel\",\"code\":\"REL_Y\",\"value\":3},"
	"{\"type\":\"syn\"},{\"type\":\"rel\",\"code\":\"REL_Z\","
	"\"value\":1}]",
};

/**
 * test_control_malformed() - Every kind of bad line gets one error reply
 * and changes nothing, not even the client's frame in progress; good
 * lines get no reply
 */
static void test_control_malformed(void)
{
	static const struct inpt_event want[] = {
		EV(EV_REL, REL_X, 7), SYN,
	};
	struct inpt_ctl *c;
	struct inpt t;
	unsigned int i;

	if (!start(&t, "mouse", NULL, &c))
		return;
	inpt_post_events(&t, 32);
	inpt_ctl_send(c, "{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":7}");
	for (i = 0; i < G_N_ELEMENTS(bad_lines); i++) {
		g_test_message("bad line: %s", bad_lines[i]);
		g_free(inpt_ctl_expect_error(c, bad_lines[i]));
	}
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	inpt_ctl_send(c, "{\"type\":\"syn\"}");
	expect(&t, want, G_N_ELEMENTS(want));
	inpt_ctl_expect_silence(c, INPT_QUIET_MS);
	finish(&t, c);
}

/**
 * send_lenient() - Send bytes, stopping quietly if the daemon hangs up
 * or stops reading for 5 s
 * @c:		Client
 * @buf:	Bytes
 * @len:	Number of bytes
 */
static void send_lenient(struct inpt_ctl *c, const void *buf, size_t len)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	size_t off = 0;
	ssize_t r;

	while (off < len) {
		r = send(c->fd, (const char *)buf + off, len - off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0)
			off += (size_t)r;
		else if (r == 0 || errno != EAGAIN ||
			 poll(&p, 1, INPT_TIMEOUT_MS) <= 0)
			return;
	}
}

/**
 * test_control_hostile() - A huge line and bytes that are not text are
 * refused (an error reply or a hang-up) and other clients go on
 */
static void test_control_hostile(void)
{
	static const struct inpt_event want[] = {
		EV(EV_REL, REL_X, 1), SYN,
	};
	char *big = g_strnfill(1 << 20, 'x'), *reply;
	static const char bin[] = "\x01\x02\xff\xfe{\x00}";
	struct inpt_ctl *c, *d;
	struct inpt t;

	if (!start(&t, "mouse", NULL, &c))
		goto out;
	inpt_post_events(&t, 32);
	send_lenient(c, big, strlen(big));
	send_lenient(c, "\n", 1);
	reply = inpt_ctl_read(c, INPT_TIMEOUT_MS);
	g_free(reply);
	inpt_ctl_close(c);
	c = inpt_ctl_open(t.ctl);
	send_lenient(c, bin, sizeof(bin));
	d = inpt_ctl_open(t.ctl);
	send_rel_frame(d, 1, false);
	expect(&t, want, G_N_ELEMENTS(want));
	inpt_ctl_close(c);
	finish(&t, d);
out:
	g_free(big);
}

/**
 * check_led_line() - A status line is {"type":"led","code":@code,
 * "value":@value}
 * @c:		Client
 * @code:	Code name expected
 * @value:	Value expected
 */
static void check_led_line(struct inpt_ctl *c, const char *code, int value)
{
	char *line = inpt_ctl_read(c, INPT_TIMEOUT_MS);
	JsonParser *p = json_parser_new();
	JsonObject *o;

	if (!line)
		g_error("no status line for %s", code);
	if (!json_parser_load_from_data(p, line, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		g_error("status line is not a JSON object: %s", line);
	o = json_node_get_object(json_parser_get_root(p));
	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "led");
	g_assert_cmpstr(json_object_get_string_member(o, "code"), ==, code);
	g_assert_cmpint(json_object_get_int_member(o, "value"), ==, value);
	g_object_unref(p);
	g_free(line);
}

/**
 * test_status_led() - LED events on the status queue reach every control
 * client as lines; a short status buffer is returned and ignored
 */
static void test_status_led(void)
{
	struct inpt_ctl *a, *b;
	struct inpt t;

	if (!start(&t, "keyboard", NULL, &a))
		return;
	b = inpt_ctl_open(t.ctl);
	inpt_ctl_sync(a);
	inpt_ctl_sync(b);
	inpt_post_status(&t, EV_LED, LED_CAPSL, 1);
	inpt_wait_status_used(&t, 1);
	check_led_line(a, "LED_CAPSL", 1);
	check_led_line(b, "LED_CAPSL", 1);
	inpt_post_status_raw(&t, "\x11\x00\x00\x00", 4);
	inpt_wait_status_used(&t, 1);
	inpt_post_status(&t, EV_LED, LED_NUML, 0);
	inpt_wait_status_used(&t, 1);
	check_led_line(a, "LED_NUML", 0);
	check_led_line(b, "LED_NUML", 0);
	inpt_ctl_expect_silence(a, INPT_QUIET_MS);
	inpt_ctl_close(b);
	finish(&t, a);
}

/**
 * test_hostile_chains() - Event chains with too little writable room are
 * returned with used length 0 and the event goes to the next chain; a
 * split or larger buffer takes exactly one event
 */
static void test_hostile_chains(void)
{
	struct inpt_used u[6];
	uint64_t g4, gro, gs, g16;
	struct inpt_ctl *c;
	struct inpt t;
	uint8_t *p;
	int id[4];

	if (!start(&t, "mouse", NULL, &c))
		return;
	g4 = inpt_scratch(&t, 4);
	gro = inpt_scratch(&t, 8);
	gs = inpt_scratch(&t, 8);
	g16 = inpt_scratch(&t, 16);
	id[0] = inpt_post_event_descs(&t, &(struct vuf_desc){ g4, 4, true }, 1);
	id[1] = inpt_post_event_descs(&t, &(struct vuf_desc){ gro, 8, false },
				      1);
	id[2] = inpt_post_event_descs(&t, (struct vuf_desc[]){
		{ gs, 3, true }, { gs + 3, 5, true } }, 2);
	id[3] = inpt_post_event_descs(&t, &(struct vuf_desc){ g16, 16, true },
				      1);
	inpt_post_events(&t, 2);
	inpt_ctl_send(c, "[{\"type\":\"rel\",\"code\":\"REL_X\",\"value\":-2},"
		      "{\"type\":\"rel\",\"code\":\"REL_Y\",\"value\":3},"
		      "{\"type\":\"rel\",\"code\":\"REL_WHEEL\",\"value\":1},"
		      "{\"type\":\"syn\"}]");
	inpt_wait_used(&t, u, 6);
	g_assert_cmpint(u[0].id, ==, id[0]);
	g_assert_cmpuint(u[0].len, ==, 0);
	g_assert_cmpint(u[1].id, ==, id[1]);
	g_assert_cmpuint(u[1].len, ==, 0);
	g_assert_cmpint(u[2].id, ==, id[2]);
	g_assert_cmpuint(u[2].len, ==, 8);
	p = vuf_mem_ptr(t.mem, gs, 8);
	g_assert_cmpmem(p, 8, "\x02\x00\x00\x00\xfe\xff\xff\xff", 8);
	g_assert_cmpint(u[3].id, ==, id[3]);
	g_assert_cmpuint(u[3].len, ==, 8);
	p = vuf_mem_ptr(t.mem, g16, 16);
	g_assert_cmpmem(p, 16, "\x02\x00\x01\x00\x03\x00\x00\x00"
			"\xee\xee\xee\xee\xee\xee\xee\xee", 16);
	check_events((struct inpt_event[]){ u[4].ev, u[5].ev }, 2,
		     (struct inpt_event[]){ EV(EV_REL, REL_WHEEL, 1), SYN },
		     2);
	g_assert_cmpmem(vuf_mem_ptr(t.mem, gro, 8), 8,
			"\xee\xee\xee\xee\xee\xee\xee\xee", 8);
	inpt_expect_no_used(&t, INPT_QUIET_MS);
	finish(&t, c);
}

/**
 * test_reconnect() - The front-end goes away with buffers posted and comes
 * back: the rings restart where they were and events flow again, three
 * times; then a new guest connects and events flow to it
 */
static void test_reconnect(void)
{
	struct inpt_event ev[4];
	struct inpt_ctl *c;
	struct inpt t;
	int round;

	if (!start(&t, "mouse", NULL, &c))
		return;
	inpt_post_events(&t, 8);
	for (round = 0; round < 3; round++) {
		send_rel_frame(c, round, false);
		inpt_wait_events(&t, ev, 2);
		check_events(ev, 2, (struct inpt_event[]){
			EV(EV_REL, REL_X, round), SYN }, 2);
		inpt_reconnect(&t);
	}
	inpt_post_events(&t, 8);
	send_rel_frame(c, 5, true);
	expect(&t, (struct inpt_event[]){ EV(EV_REL, REL_X, 5),
		EV(EV_REL, REL_Y, 5), SYN }, 3);
	/* a new guest: new memory, rings from 0 */
	inpt_disconnect(&t);
	inpt_connect(&t);
	inpt_post_events(&t, 4);
	send_rel_frame(c, 6, false);
	expect(&t, (struct inpt_event[]){ EV(EV_REL, REL_X, 6), SYN }, 2);
	finish(&t, c);
}

/**
 * test_packed() - Events and status over packed rings
 */
static void test_packed(void)
{
	struct inpt_ctl *c;
	struct inpt t;

	if (!inpt_init(&t)) {
		g_test_skip("VU_INPUT is not set");
		return;
	}
	t.want_extra = VUF_BIT(VUF_F_RING_PACKED);
	inpt_start(&t, "keyboard", NULL);
	c = inpt_ctl_open(t.ctl);
	g_assert_true(t.features & VUF_BIT(VUF_F_RING_PACKED));
	inpt_post_events(&t, INPT_QSIZE);
	inpt_ctl_send(c, "[{\"type\":\"key\",\"code\":\"KEY_Z\",\"value\":1},"
		      "{\"type\":\"syn\"}]");
	expect(&t, (struct inpt_event[]){ EV(EV_KEY, KEY_Z, 1), SYN }, 2);
	inpt_ctl_sync(c);
	inpt_post_status(&t, EV_LED, LED_SCROLLL, 1);
	inpt_wait_status_used(&t, 1);
	check_led_line(c, "LED_SCROLLL", 1);
	finish(&t, c);
}

/**
 * check_fails() - The back-end refuses a command line: exit status 1 and
 * exactly one line on standard error
 * @t:		Harness
 * @opts:	Options after --socket-path
 */
static void check_fails(const struct inpt *t, const char *opts)
{
	char *all = g_strdup_printf("--socket-path=%s %s", t->sock, opts);
	struct inpt_run r;

	inpt_run_sync(t, all, &r);
	g_test_message("%s -> %s", opts, r.err);
	g_assert_cmpint(r.status, !=, -1);
	g_assert_true(WIFEXITED(r.status));
	g_assert_cmpint(WEXITSTATUS(r.status), ==, 1);
	g_assert_true(g_str_has_suffix(r.err, "\n"));
	g_assert_true(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
	inpt_run_clear(&r);
	g_free(all);
}

/**
 * check_capabilities() - --print-capabilities: {"type":"input",
 * "features":["evdev-path","no-grab"]}, however it is laid out
 * @out:	What the daemon printed
 */
static void check_capabilities(const char *out)
{
	JsonParser *p = json_parser_new();
	JsonArray *f;
	JsonObject *o;

	if (!json_parser_load_from_data(p, out, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		g_error("capabilities are not a JSON object: %s", out);
	o = json_node_get_object(json_parser_get_root(p));
	g_assert_cmpuint(json_object_get_size(o), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "input");
	f = json_object_get_array_member(o, "features");
	g_assert_nonnull(f);
	g_assert_cmpuint(json_array_get_length(f), ==, 2);
	g_assert_cmpstr(json_array_get_string_element(f, 0), ==, "evdev-path");
	g_assert_cmpstr(json_array_get_string_element(f, 1), ==, "no-grab");
	g_object_unref(p);
}

/**
 * test_cmdline() - Bad presets, a missing --control or no device at all
 * fail at start; --print-capabilities describes the options
 */
static void test_cmdline(void)
{
	char *opt;
	struct inpt_run r;
	struct inpt t;

	if (!inpt_init(&t)) {
		g_test_skip("VU_INPUT is not set");
		return;
	}
	opt = g_strdup_printf("--virtual=bogus --control=%s", t.ctl);
	check_fails(&t, opt);
	check_fails(&t, "--virtual=mouse");
	check_fails(&t, "");
	inpt_run_sync(&t, "--print-capabilities", &r);
	g_assert_cmpint(r.status, ==, 0);
	check_capabilities(r.out);
	inpt_run_clear(&r);
	g_free(opt);
	inpt_fini(&t);
}

/**
 * main() - Register the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	unsigned int i;
	char *path;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(presets); i++) {
		path = g_strdup_printf("/input/config/%s", presets[i].name);
		g_test_add_data_func(path, &presets[i], test_config);
		g_free(path);
	}
	g_test_add_func("/input/config/name", test_config_name);
	g_test_add_func("/input/config/select", test_config_select);
	g_test_add_func("/input/events/keyboard", test_events_keyboard);
	g_test_add_func("/input/events/mouse", test_events_mouse);
	g_test_add_func("/input/events/abs", test_events_abs);
	g_test_add_func("/input/events/buffered", test_events_buffered);
	g_test_add_func("/input/events/overflow", test_events_overflow);
	g_test_add_func("/input/events/big-frame", test_events_big_frame);
	g_test_add_func("/input/clients/order", test_clients_order);
	g_test_add_func("/input/clients/interleaved", test_clients_interleaved);
	g_test_add_func("/input/control/malformed", test_control_malformed);
	g_test_add_func("/input/control/hostile", test_control_hostile);
	g_test_add_func("/input/status/led", test_status_led);
	g_test_add_func("/input/hostile/chains", test_hostile_chains);
	g_test_add_func("/input/reconnect", test_reconnect);
	g_test_add_func("/input/packed", test_packed);
	g_test_add_func("/input/cmdline", test_cmdline);
	return g_test_run();
}
