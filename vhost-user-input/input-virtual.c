// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-virtual.c - vhost-user-input: the device descriptions of --virtual,
 * a keyboard, a mouse, a tablet and a multi-touch touchscreen, all on
 * BUS_VIRTUAL with vendor 0, product 1 to 4 and version 1.
 */
#include <string.h>

#include <glib.h>
#include <linux/input.h>

#include "input.h"

#define VIRT_VENDOR	0x0000
#define VIRT_VERSION	1
#define VIRT_POS_MAX	32767	/* ABS_X/ABS_Y range of tablet and touch */
#define VIRT_SLOTS	10	/* touchscreen contacts */

/**
 * struct virt_preset - one --virtual device type
 * @type:	Name given to --virtual
 * @product:	ID_DEVIDS product
 * @fill:	Sets the bits and axes of the type
 */
struct virt_preset {
	const char *type;
	uint16_t product;
	void (*fill)(struct input_desc *d);
};

/**
 * set_range() - Add an absolute axis from min to max, no fuzz, flat, res
 * @d:		Description
 * @axis:	ABS_* axis
 * @min:	Minimum
 * @max:	Maximum
 */
static void set_range(struct input_desc *d, unsigned int axis, int32_t min,
		      int32_t max)
{
	struct vinput_absinfo info = { .min = min, .max = max };

	input_desc_set_abs(d, axis, &info);
}

/**
 * fill_keyboard() - Keys 1..255, NumLock/CapsLock/ScrollLock LEDs,
 * autorepeat and MSC_SCAN
 * @d:		Description
 */
static void fill_keyboard(struct input_desc *d)
{
	unsigned int code;

	for (code = 1; code <= 255; code++)
		input_desc_set_code(d, EV_KEY, code);
	input_desc_set_code(d, EV_LED, LED_NUML);
	input_desc_set_code(d, EV_LED, LED_CAPSL);
	input_desc_set_code(d, EV_LED, LED_SCROLLL);
	input_desc_set_code(d, EV_REP, REP_DELAY);
	input_desc_set_code(d, EV_REP, REP_PERIOD);
	input_desc_set_code(d, EV_MSC, MSC_SCAN);
}

/**
 * fill_mouse() - Five buttons, relative X/Y and both wheels
 * @d:		Description
 */
static void fill_mouse(struct input_desc *d)
{
	input_desc_set_code(d, EV_KEY, BTN_LEFT);
	input_desc_set_code(d, EV_KEY, BTN_RIGHT);
	input_desc_set_code(d, EV_KEY, BTN_MIDDLE);
	input_desc_set_code(d, EV_KEY, BTN_SIDE);
	input_desc_set_code(d, EV_KEY, BTN_EXTRA);
	input_desc_set_code(d, EV_REL, REL_X);
	input_desc_set_code(d, EV_REL, REL_Y);
	input_desc_set_code(d, EV_REL, REL_WHEEL);
	input_desc_set_code(d, EV_REL, REL_HWHEEL);
}

/**
 * fill_tablet() - Absolute X/Y, three buttons and a wheel
 * @d:		Description
 */
static void fill_tablet(struct input_desc *d)
{
	set_range(d, ABS_X, 0, VIRT_POS_MAX);
	set_range(d, ABS_Y, 0, VIRT_POS_MAX);
	input_desc_set_code(d, EV_KEY, BTN_LEFT);
	input_desc_set_code(d, EV_KEY, BTN_RIGHT);
	input_desc_set_code(d, EV_KEY, BTN_MIDDLE);
	input_desc_set_code(d, EV_REL, REL_WHEEL);
}

/**
 * fill_touchscreen() - Direct input, BTN_TOUCH, single-touch X/Y and
 * multi-touch protocol B (slots, tracking ids, positions)
 * @d:		Description
 */
static void fill_touchscreen(struct input_desc *d)
{
	input_desc_set_prop(d, INPUT_PROP_DIRECT);
	input_desc_set_code(d, EV_KEY, BTN_TOUCH);
	set_range(d, ABS_X, 0, VIRT_POS_MAX);
	set_range(d, ABS_Y, 0, VIRT_POS_MAX);
	set_range(d, ABS_MT_SLOT, 0, VIRT_SLOTS - 1);
	set_range(d, ABS_MT_TRACKING_ID, 0, 65535);
	set_range(d, ABS_MT_POSITION_X, 0, VIRT_POS_MAX);
	set_range(d, ABS_MT_POSITION_Y, 0, VIRT_POS_MAX);
}

static const struct virt_preset virt_presets[] = {
	{ "keyboard", 1, fill_keyboard },
	{ "mouse", 2, fill_mouse },
	{ "tablet", 3, fill_tablet },
	{ "touchscreen", 4, fill_touchscreen },
};

static const char *const virt_type_names[] = {
	"keyboard", "mouse", "tablet", "touchscreen", NULL,
};

G_STATIC_ASSERT(G_N_ELEMENTS(virt_type_names) ==
		G_N_ELEMENTS(virt_presets) + 1);

/**
 * input_virtual_types() - The types --virtual accepts
 *
 * Return: static NULL-terminated list, in product id order
 */
const char *const *input_virtual_types(void)
{
	return virt_type_names;
}

/**
 * input_desc_virtual() - Describe one of the virtual devices
 * @d:		Description, initialised and filled on success, untouched on
 *		failure
 * @type:	"keyboard", "mouse", "tablet" or "touchscreen"
 * @err:	Set on failure (G_OPTION_ERROR_BAD_VALUE)
 *
 * The name is "vhost-user-input <type>"; the caller may replace it.
 *
 * Return: true on success, false for an unknown or NULL @type
 */
bool input_desc_virtual(struct input_desc *d, const char *type,
			GError **err)
{
	const struct virt_preset *p;
	g_autofree char *valid = NULL;
	unsigned int i;

	for (i = 0; type && i < G_N_ELEMENTS(virt_presets); i++) {
		p = &virt_presets[i];
		if (strcmp(type, p->type))
			continue;
		input_desc_init(d);
		g_snprintf(d->name, sizeof(d->name), "vhost-user-input %s",
			   p->type);
		d->bustype = BUS_VIRTUAL;
		d->vendor = VIRT_VENDOR;
		d->product = p->product;
		d->version = VIRT_VERSION;
		p->fill(d);
		return true;
	}
	valid = g_strjoinv(", ", (char **)virt_type_names);
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "unknown virtual input device type '%s' (valid: %s)",
		    type ? type : "(none)", valid);
	return false;
}
