// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-input-config.c - unit tests of vhost-user-input's device model:
 * the description setters, the config space answer to every select and
 * subsel for each --virtual preset, and the description of an evdev device
 * (a libevdev_new() device, no kernel node needed).
 */
#include <string.h>

#include <glib.h>
#include <libevdev/libevdev.h>

#include "input.h"

/**
 * struct bits_case - an expected EV_BITS or PROP_BITS answer
 * @subsel:	Event type (EV_BITS)
 * @size:	Expected size
 * @byte:	Index of one byte to check
 * @value:	Its expected value
 */
struct bits_case {
	uint8_t subsel;
	uint8_t size;
	uint8_t byte;
	uint8_t value;
};

/**
 * query() - input_desc_query() on a payload pre-filled with garbage
 * @d:		Description
 * @select:	Select
 * @subsel:	Sub-selection
 * @payload:	Payload filled by the query
 *
 * Return: the size; the bytes beyond it are asserted zero
 */
static uint8_t query(const struct input_desc *d, uint8_t select,
		     uint8_t subsel, uint8_t payload[INPUT_CFG_PAYLOAD])
{
	uint8_t size;
	unsigned int i;

	memset(payload, 0xa5, INPUT_CFG_PAYLOAD);
	size = input_desc_query(d, select, subsel, payload);
	g_assert_cmpuint(size, <=, INPUT_CFG_PAYLOAD);
	for (i = size; i < INPUT_CFG_PAYLOAD; i++)
		g_assert_cmpuint(payload[i], ==, 0);
	return size;
}

/**
 * virtual_desc() - A --virtual preset, asserted to exist
 * @d:		Filled
 * @type:	Preset name
 */
static void virtual_desc(struct input_desc *d, const char *type)
{
	g_autoptr(GError) err = NULL;

	memset(d, 0x5a, sizeof(*d));
	g_assert_true(input_desc_virtual(d, type, &err));
	g_assert_no_error(err);
}

/**
 * check_devids() - ID_DEVIDS is 8 bytes, four le16
 * @d:		Description
 * @bus:	Expected bustype
 * @vendor:	Expected vendor
 * @product:	Expected product
 * @version:	Expected version
 */
static void check_devids(const struct input_desc *d, uint16_t bus,
			 uint16_t vendor, uint16_t product, uint16_t version)
{
	const uint8_t want[8] = {
		bus & 0xff, bus >> 8, vendor & 0xff, vendor >> 8,
		product & 0xff, product >> 8, version & 0xff, version >> 8,
	};
	uint8_t p[INPUT_CFG_PAYLOAD];

	g_assert_cmpuint(query(d, INPUT_CFG_ID_DEVIDS, 0, p), ==, 8);
	g_assert_cmpmem(p, 8, want, 8);
}

/**
 * check_string() - ID_NAME / ID_SERIAL answer the string without its NUL
 * @d:		Description
 * @select:	INPUT_CFG_ID_NAME or INPUT_CFG_ID_SERIAL
 * @want:	Expected string
 */
static void check_string(const struct input_desc *d, uint8_t select,
			 const char *want)
{
	uint8_t p[INPUT_CFG_PAYLOAD];
	uint8_t size = query(d, select, 0, p);

	g_assert_cmpmem(p, size, want, strlen(want));
}

/**
 * check_bits() - A list of expected bitmap answers
 * @d:		Description
 * @select:	INPUT_CFG_EV_BITS or INPUT_CFG_PROP_BITS
 * @cases:	Expectations
 * @n:		Number of @cases
 */
static void check_bits(const struct input_desc *d, uint8_t select,
		       const struct bits_case *cases, unsigned int n)
{
	uint8_t p[INPUT_CFG_PAYLOAD];
	unsigned int i;

	for (i = 0; i < n; i++) {
		g_assert_cmpuint(query(d, select, cases[i].subsel, p), ==,
				 cases[i].size);
		g_assert_cmphex(p[cases[i].byte], ==, cases[i].value);
	}
}

/**
 * check_abs() - ABS_INFO of one axis, five le32
 * @d:		Description
 * @axis:	ABS_* axis
 * @min:	Expected minimum
 * @max:	Expected maximum
 */
static void check_abs(const struct input_desc *d, uint8_t axis,
		      uint32_t min, uint32_t max)
{
	const uint8_t want[20] = {
		min & 0xff, (min >> 8) & 0xff, (min >> 16) & 0xff, min >> 24,
		max & 0xff, (max >> 8) & 0xff, (max >> 16) & 0xff, max >> 24,
	};
	uint8_t p[INPUT_CFG_PAYLOAD];

	g_assert_cmpuint(query(d, INPUT_CFG_ABS_INFO, axis, p), ==, 20);
	g_assert_cmpmem(p, 20, want, 20);
}

/**
 * check_consistent() - Every select/subsel answer agrees with the model
 * @d:		Description
 *
 * Unknown selects, UNSET and non-zero subsels of the ID selects answer 0;
 * EV_BITS of EV_SYN answers 0; ABS_INFO answers 20 exactly for the axes
 * in the EV_ABS bitmap; each EV_BITS bit matches input_desc_has_code().
 */
static void check_consistent(const struct input_desc *d)
{
	uint8_t p[INPUT_CFG_PAYLOAD];
	unsigned int sel, sub, bit;
	uint8_t size;

	for (sel = 0; sel < 256; sel++) {
		for (sub = 0; sub < 256; sub++) {
			size = query(d, sel, sub, p);
			switch (sel) {
			case INPUT_CFG_ID_NAME:
			case INPUT_CFG_ID_SERIAL:
			case INPUT_CFG_ID_DEVIDS:
			case INPUT_CFG_PROP_BITS:
				if (sub)
					g_assert_cmpuint(size, ==, 0);
				break;
			case INPUT_CFG_EV_BITS:
				if (sub == EV_SYN || sub >= INPUT_EV_CNT)
					g_assert_cmpuint(size, ==, 0);
				g_assert_true(!size || p[size - 1]);
				g_assert_cmpint(!!size, ==,
						input_desc_has_type(d, sub) &&
						sub != EV_SYN);
				for (bit = 0; bit < INPUT_CODE_CNT; bit++)
					g_assert_cmpint(!!(p[bit / 8] &
							   (1u << bit % 8)),
							==,
							sub != EV_SYN &&
							input_desc_has_code(d,
								sub, bit));
				break;
			case INPUT_CFG_ABS_INFO:
				g_assert_cmpuint(size, ==,
						 input_desc_has_code(d, EV_ABS,
								     sub) ?
						 20 : 0);
				break;
			default:
				g_assert_cmpuint(size, ==, 0);
			}
		}
	}
}

/**
 * test_empty() - A fresh description answers nothing but zero ids
 */
static void test_empty(void)
{
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];
	unsigned int t;

	memset(&d, 0x5a, sizeof(d));
	input_desc_init(&d);
	g_assert_cmpuint(query(&d, INPUT_CFG_UNSET, 0, p), ==, 0);
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_NAME, 0, p), ==, 0);
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_SERIAL, 0, p), ==, 0);
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==, 0);
	check_devids(&d, 0, 0, 0, 0);
	for (t = 0; t < INPUT_EV_CNT; t++)
		g_assert_false(input_desc_has_type(&d, t));
	check_consistent(&d);
}

/**
 * test_setters() - Out of range types, codes, axes, props are ignored
 */
static void test_setters(void)
{
	struct vinput_absinfo info = { .min = -5, .max = 5 };
	struct input_desc d, before;
	uint8_t p[INPUT_CFG_PAYLOAD];

	input_desc_init(&d);
	input_desc_set_code(&d, INPUT_EV_CNT, 1);
	input_desc_set_code(&d, EV_KEY, INPUT_CODE_CNT);
	input_desc_set_code(&d, ~0u, ~0u);
	input_desc_set_abs(&d, INPUT_ABS_CNT, &info);
	input_desc_set_prop(&d, VINPUT_PROP_CNT);
	input_desc_set_prop(&d, ~0u);
	input_desc_init(&before);
	g_assert_cmpmem(&d, sizeof(d), &before, sizeof(before));
	g_assert_false(input_desc_has_code(&d, INPUT_EV_CNT, 0));
	g_assert_false(input_desc_has_code(&d, EV_KEY, INPUT_CODE_CNT));
	g_assert_false(input_desc_has_type(&d, ~0u));

	input_desc_set_code(&d, EV_KEY, INPUT_CODE_CNT - 1);
	g_assert_true(input_desc_has_code(&d, EV_KEY, INPUT_CODE_CNT - 1));
	g_assert_true(input_desc_has_type(&d, EV_KEY));
	g_assert_cmpuint(query(&d, INPUT_CFG_EV_BITS, EV_KEY, p), ==, 128);
	g_assert_cmphex(p[127], ==, 0x80);

	input_desc_set_abs(&d, INPUT_ABS_CNT - 1, &info);
	g_assert_true(input_desc_has_code(&d, EV_ABS, INPUT_ABS_CNT - 1));
	g_assert_true(input_desc_has_type(&d, EV_ABS));
	check_abs(&d, INPUT_ABS_CNT - 1, (uint32_t)-5, 5);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, INPUT_ABS_CNT, p), ==,
			 0);

	input_desc_set_prop(&d, VINPUT_PROP_CNT - 1);
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==,
			 VINPUT_PROP_CNT / 8);
	g_assert_cmphex(p[VINPUT_PROP_CNT / 8 - 1], ==, 0x80);

	/* EV_SYN is never reported, even when a caller sets a bit */
	input_desc_set_code(&d, EV_SYN, SYN_REPORT);
	g_assert_cmpuint(query(&d, INPUT_CFG_EV_BITS, EV_SYN, p), ==, 0);
	check_consistent(&d);
}

/**
 * test_absinfo_le() - ABS_INFO's five fields, little-endian, in order
 */
static void test_absinfo_le(void)
{
	struct vinput_absinfo info = {
		.min = -2, .max = 0x12345678, .fuzz = 0x0102,
		.flat = 0x7f, .res = 0x01000000,
	};
	const uint8_t want[20] = {
		0xfe, 0xff, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12,
		0x02, 0x01, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01,
	};
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];

	input_desc_init(&d);
	input_desc_set_abs(&d, ABS_PRESSURE, &info);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_PRESSURE, p), ==,
			 20);
	g_assert_cmpmem(p, 20, want, 20);
	/* an axis whose EV_ABS bit is absent answers 0 */
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_X, p), ==, 0);
	check_bits(&d, INPUT_CFG_EV_BITS,
		   &(struct bits_case){ EV_ABS, 4, 3, 0x01 }, 1);
}

/**
 * test_name_truncation() - Names answer at most 128 bytes, even unterminated
 */
static void test_name_truncation(void)
{
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];

	input_desc_init(&d);
	memset(d.name, 'n', sizeof(d.name));	/* no NUL at all */
	memset(d.serial, 's', 127);
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_NAME, 0, p), ==, 128);
	g_assert_cmpuint(p[0], ==, 'n');
	g_assert_cmpuint(p[127], ==, 'n');
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_SERIAL, 0, p), ==, 127);
	g_assert_cmpuint(p[126], ==, 's');
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_NAME, 1, p), ==, 0);
}

/**
 * test_image() - The 136-byte image: header, then the query's payload
 */
static void test_image(void)
{
	uint8_t img[INPUT_CFG_SIZE], p[INPUT_CFG_PAYLOAD];
	const char *name = "vhost-user-input tablet";
	struct input_desc d;

	virtual_desc(&d, "tablet");
	memset(img, 0xa5, sizeof(img));
	input_config_image(&d, INPUT_CFG_ID_NAME, 0, img);
	g_assert_cmpuint(img[0], ==, INPUT_CFG_ID_NAME);
	g_assert_cmpuint(img[1], ==, 0);
	g_assert_cmpuint(img[2], ==, strlen(name));
	g_assert_cmpmem(img + 3, 5, "\0\0\0\0\0", 5);
	g_assert_cmpmem(img + 8, strlen(name), name, strlen(name));
	g_assert_cmpuint(img[8 + strlen(name)], ==, 0);

	memset(img, 0xa5, sizeof(img));
	input_config_image(&d, INPUT_CFG_ABS_INFO, ABS_Y, img);
	g_assert_cmpuint(img[0], ==, INPUT_CFG_ABS_INFO);
	g_assert_cmpuint(img[1], ==, ABS_Y);
	g_assert_cmpuint(img[2], ==, 20);
	g_assert_cmpmem(img + 3, 5, "\0\0\0\0\0", 5);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_Y, p), ==, 20);
	g_assert_cmpmem(img + 8, INPUT_CFG_PAYLOAD, p, INPUT_CFG_PAYLOAD);

	memset(img, 0xa5, sizeof(img));
	input_config_image(&d, 0xff, 0x7f, img);
	g_assert_cmpuint(img[0], ==, 0xff);
	g_assert_cmpuint(img[1], ==, 0x7f);
	memset(p, 0, sizeof(p));
	g_assert_cmpmem(img + 2, 6, p, 6);
	g_assert_cmpmem(img + 8, INPUT_CFG_PAYLOAD, p, INPUT_CFG_PAYLOAD);
}

/**
 * test_keyboard() - The keyboard preset, select by select
 */
static void test_keyboard(void)
{
	static const struct bits_case ev[] = {
		{ EV_KEY, 32, 0, 0xfe },	/* KEY_ESC (1) .. 255 */
		{ EV_KEY, 32, 31, 0xff },
		{ EV_LED, 1, 0, 0x07 },		/* NUML, CAPSL, SCROLLL */
		{ EV_REP, 1, 0, 0x03 },		/* REP_DELAY, REP_PERIOD */
		{ EV_MSC, 1, 0, 0x10 },		/* MSC_SCAN */
		{ EV_REL, 0, 0, 0 },
		{ EV_ABS, 0, 0, 0 },
		{ EV_SW, 0, 0, 0 },
		{ EV_FF, 0, 0, 0 },
		{ EV_SYN, 0, 0, 0 },
	};
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];

	virtual_desc(&d, "keyboard");
	check_string(&d, INPUT_CFG_ID_NAME, "vhost-user-input keyboard");
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_SERIAL, 0, p), ==, 0);
	check_devids(&d, BUS_VIRTUAL, 0, 1, 1);
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==, 0);
	check_bits(&d, INPUT_CFG_EV_BITS, ev, G_N_ELEMENTS(ev));
	g_assert_false(input_desc_has_code(&d, EV_KEY, KEY_RESERVED));
	g_assert_false(input_desc_has_code(&d, EV_KEY, 256));
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_X, p), ==, 0);
	check_consistent(&d);
}

/**
 * test_mouse() - The mouse preset
 */
static void test_mouse(void)
{
	static const struct bits_case ev[] = {
		{ EV_KEY, BTN_LEFT / 8 + 1, BTN_LEFT / 8, 0x1f },
		{ EV_REL, 2, 0, 0x43 },		/* X, Y, HWHEEL */
		{ EV_REL, 2, 1, 0x01 },		/* WHEEL */
		{ EV_ABS, 0, 0, 0 },
		{ EV_LED, 0, 0, 0 },
		{ EV_REP, 0, 0, 0 },
	};
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];

	virtual_desc(&d, "mouse");
	check_string(&d, INPUT_CFG_ID_NAME, "vhost-user-input mouse");
	check_devids(&d, BUS_VIRTUAL, 0, 2, 1);
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==, 0);
	check_bits(&d, INPUT_CFG_EV_BITS, ev, G_N_ELEMENTS(ev));
	g_assert_true(input_desc_has_code(&d, EV_KEY, BTN_EXTRA));
	g_assert_false(input_desc_has_code(&d, EV_KEY, BTN_FORWARD));
	check_consistent(&d);
}

/**
 * test_tablet() - The tablet preset and its two axes
 */
static void test_tablet(void)
{
	static const struct bits_case ev[] = {
		{ EV_KEY, BTN_LEFT / 8 + 1, BTN_LEFT / 8, 0x07 },
		{ EV_REL, 2, 0, 0x00 },
		{ EV_REL, 2, 1, 0x01 },		/* WHEEL */
		{ EV_ABS, 1, 0, 0x03 },		/* X, Y */
	};
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];

	virtual_desc(&d, "tablet");
	check_string(&d, INPUT_CFG_ID_NAME, "vhost-user-input tablet");
	check_devids(&d, BUS_VIRTUAL, 0, 3, 1);
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==, 0);
	check_bits(&d, INPUT_CFG_EV_BITS, ev, G_N_ELEMENTS(ev));
	check_abs(&d, ABS_X, 0, 32767);
	check_abs(&d, ABS_Y, 0, 32767);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_Z, p), ==, 0);
	check_consistent(&d);
}

/**
 * test_touchscreen() - The touchscreen preset: property, button, axes
 */
static void test_touchscreen(void)
{
	static const struct bits_case ev[] = {
		{ EV_KEY, BTN_TOUCH / 8 + 1, BTN_TOUCH / 8, 0x04 },
		{ EV_ABS, 8, 0, 0x03 },		/* X, Y */
		{ EV_ABS, 8, 5, 0x80 },		/* MT_SLOT (0x2f) */
		{ EV_ABS, 8, 6, 0x60 },		/* MT_POSITION_X/Y */
		{ EV_ABS, 8, 7, 0x02 },		/* MT_TRACKING_ID (0x39) */
		{ EV_REL, 0, 0, 0 },
	};
	static const struct bits_case prop[] = {
		{ 0, 1, 0, 1u << INPUT_PROP_DIRECT },
	};
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];

	virtual_desc(&d, "touchscreen");
	check_string(&d, INPUT_CFG_ID_NAME, "vhost-user-input touchscreen");
	check_devids(&d, BUS_VIRTUAL, 0, 4, 1);
	check_bits(&d, INPUT_CFG_PROP_BITS, prop, G_N_ELEMENTS(prop));
	check_bits(&d, INPUT_CFG_EV_BITS, ev, G_N_ELEMENTS(ev));
	check_abs(&d, ABS_X, 0, 32767);
	check_abs(&d, ABS_Y, 0, 32767);
	check_abs(&d, ABS_MT_SLOT, 0, 9);
	check_abs(&d, ABS_MT_TRACKING_ID, 0, 65535);
	check_abs(&d, ABS_MT_POSITION_X, 0, 32767);
	check_abs(&d, ABS_MT_POSITION_Y, 0, 32767);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_MT_PRESSURE, p), ==,
			 0);
	check_consistent(&d);
}

/**
 * test_virtual_types() - The type list, and an unknown type's error
 */
static void test_virtual_types(void)
{
	const char *const *types = input_virtual_types();
	static const char *const want[] = {
		"keyboard", "mouse", "tablet", "touchscreen",
	};
	g_autoptr(GError) err = NULL;
	struct input_desc d, before;
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		g_assert_cmpstr(types[i], ==, want[i]);
		virtual_desc(&d, types[i]);
		g_assert_cmpuint(d.product, ==, i + 1);
	}
	g_assert_null(types[i]);

	memset(&d, 0x5a, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	g_assert_false(input_desc_virtual(&d, "joystick", &err));
	g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
	g_assert_nonnull(strstr(err->message, "joystick"));
	for (i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_nonnull(strstr(err->message, want[i]));
	g_assert_cmpmem(&d, sizeof(d), &before, sizeof(before));
	g_clear_error(&err);
	g_assert_false(input_desc_virtual(&d, "Keyboard", &err));
	g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
	g_clear_error(&err);
	g_assert_false(input_desc_virtual(&d, "", NULL));
	g_assert_false(input_desc_virtual(&d, NULL, &err));
	g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
}

/**
 * fake_evdev() - A libevdev device with a bit of every kind, EV_FF too
 * @name:	Device name
 *
 * Return: the device, to free with libevdev_free()
 */
static struct libevdev *fake_evdev(const char *name)
{
	struct input_absinfo x = {
		.minimum = -100, .maximum = 1000, .fuzz = 4, .flat = 8,
		.resolution = 12,
	};
	struct input_absinfo slot = { .maximum = 4 };
	struct libevdev *ev = libevdev_new();
	int rep = 250;

	g_assert_nonnull(ev);
	libevdev_set_name(ev, name);
	libevdev_set_uniq(ev, "SN-0042");
	libevdev_set_phys(ev, "usb-0000:00:14.0-1/input0");
	libevdev_set_id_bustype(ev, BUS_USB);
	libevdev_set_id_vendor(ev, 0x046d);
	libevdev_set_id_product(ev, 0xc52b);
	libevdev_set_id_version(ev, 0x0111);
	g_assert_cmpint(libevdev_enable_property(ev, INPUT_PROP_POINTER), ==,
			0);
	g_assert_cmpint(libevdev_enable_property(ev, INPUT_PROP_MAX), ==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_KEY, KEY_A, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_KEY, KEY_MAX, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_KEY, BTN_LEFT, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_REL, REL_WHEEL,
						   NULL), ==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_ABS, ABS_X, &x), ==,
			0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_ABS, ABS_MT_SLOT,
						   &slot), ==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_MSC, MSC_SCAN, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_SW, SW_LID, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_LED, LED_CAPSL,
						   NULL), ==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_SND, SND_BELL, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_REP, REP_DELAY,
						   &rep), ==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_FF, FF_RUMBLE, NULL),
			==, 0);
	g_assert_cmpint(libevdev_enable_event_code(ev, EV_FF, FF_GAIN, NULL),
			==, 0);
	return ev;
}

/**
 * check_same_codes() - The description has exactly the device's codes
 * @d:		Description
 * @ev:		Device
 * @type:	EV_* type
 */
static void check_same_codes(const struct input_desc *d,
			     const struct libevdev *ev, unsigned int type)
{
	unsigned int code;

	for (code = 0; code < INPUT_CODE_CNT; code++)
		g_assert_cmpint(input_desc_has_code(d, type, code), ==,
				libevdev_has_event_code(ev, type, code));
}

/**
 * test_evdev() - input_desc_from_evdev() on a fake device
 */
static void test_evdev(void)
{
	static const unsigned int types[] = {
		EV_KEY, EV_REL, EV_ABS, EV_MSC, EV_SW, EV_LED, EV_SND,
	};
	static const uint8_t abs_x[20] = {
		0x9c, 0xff, 0xff, 0xff,		/* -100 */
		0xe8, 0x03, 0x00, 0x00,		/* 1000 */
		0x04, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x00, 0x00,
		0x0c, 0x00, 0x00, 0x00,
	};
	struct libevdev *ev = fake_evdev("Fake Mouse");
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];
	unsigned int i;

	memset(&d, 0x5a, sizeof(d));
	input_desc_from_evdev(&d, ev);
	g_assert_cmpstr(d.name, ==, "Fake Mouse");
	g_assert_cmpstr(d.serial, ==, "SN-0042");
	g_assert_cmpstr(d.phys, ==, "usb-0000:00:14.0-1/input0");
	check_string(&d, INPUT_CFG_ID_NAME, "Fake Mouse");
	check_string(&d, INPUT_CFG_ID_SERIAL, "SN-0042");
	check_devids(&d, BUS_USB, 0x046d, 0xc52b, 0x0111);
	check_bits(&d, INPUT_CFG_PROP_BITS,
		   &(struct bits_case){ 0, 4, 0, 1u << INPUT_PROP_POINTER }, 1);
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==, 4);
	g_assert_cmphex(p[3], ==, 0x80);
	for (i = 0; i < G_N_ELEMENTS(types); i++)
		check_same_codes(&d, ev, types[i]);
	g_assert_true(input_desc_has_code(&d, EV_KEY, KEY_MAX));
	g_assert_true(input_desc_has_code(&d, EV_REP, REP_DELAY));
	g_assert_true(input_desc_has_code(&d, EV_REP, REP_PERIOD));
	g_assert_false(input_desc_has_code(&d, EV_REP, 2));
	/* force feedback and EV_SYN are left out */
	g_assert_false(input_desc_has_type(&d, EV_FF));
	g_assert_false(input_desc_has_type(&d, EV_SYN));
	g_assert_cmpuint(query(&d, INPUT_CFG_EV_BITS, EV_FF, p), ==, 0);
	g_assert_cmpuint(query(&d, INPUT_CFG_EV_BITS, EV_SYN, p), ==, 0);
	check_abs(&d, ABS_MT_SLOT, 0, 4);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_X, p), ==, 20);
	g_assert_cmpmem(p, 20, abs_x, 20);
	g_assert_cmpuint(query(&d, INPUT_CFG_ABS_INFO, ABS_Y, p), ==, 0);
	check_consistent(&d);
	libevdev_free(ev);
}

/**
 * test_evdev_bare() - A device with nothing set: no serial, no bits
 */
static void test_evdev_bare(void)
{
	struct libevdev *ev = libevdev_new();
	g_autofree char *longname = g_strnfill(200, 'x');
	struct input_desc d;
	uint8_t p[INPUT_CFG_PAYLOAD];
	unsigned int t;

	g_assert_nonnull(ev);
	memset(&d, 0x5a, sizeof(d));
	input_desc_from_evdev(&d, ev);
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_NAME, 0, p), ==, 0);
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_SERIAL, 0, p), ==, 0);
	g_assert_cmpstr(d.phys, ==, "");
	g_assert_cmpuint(query(&d, INPUT_CFG_PROP_BITS, 0, p), ==, 0);
	for (t = 0; t < INPUT_EV_CNT; t++)
		g_assert_false(input_desc_has_type(&d, t));
	check_devids(&d, 0, 0, 0, 0);

	libevdev_set_name(ev, longname);
	input_desc_from_evdev(&d, ev);
	g_assert_cmpuint(strlen(d.name), ==, 128);
	g_assert_cmpuint(query(&d, INPUT_CFG_ID_NAME, 0, p), ==, 128);
	g_assert_cmpmem(p, 128, longname, 128);
	libevdev_free(ev);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: g_test_run()'s status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/input-config/empty", test_empty);
	g_test_add_func("/input-config/setters", test_setters);
	g_test_add_func("/input-config/absinfo-le", test_absinfo_le);
	g_test_add_func("/input-config/name-truncation", test_name_truncation);
	g_test_add_func("/input-config/image", test_image);
	g_test_add_func("/input-config/keyboard", test_keyboard);
	g_test_add_func("/input-config/mouse", test_mouse);
	g_test_add_func("/input-config/tablet", test_tablet);
	g_test_add_func("/input-config/touchscreen", test_touchscreen);
	g_test_add_func("/input-config/virtual-types", test_virtual_types);
	g_test_add_func("/input-config/evdev", test_evdev);
	g_test_add_func("/input-config/evdev-bare", test_evdev_bare);
	return g_test_run();
}
