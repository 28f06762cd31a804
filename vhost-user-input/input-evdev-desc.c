// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-evdev-desc.c - vhost-user-input: the device description of a real
 * evdev device, read from libevdev (which holds what the kernel reported).
 *
 * Force feedback (EV_FF) is left out: virtio-input has no way to upload
 * effects, so advertising it would only let the guest try and fail. EV_SYN
 * is implied and never part of the description.
 */
#include <glib.h>
#include <libevdev/libevdev.h>

#include "input.h"

/* The types whose codes are copied from the device; EV_REP apart */
static const unsigned int evdev_desc_types[] = {
	EV_KEY, EV_REL, EV_ABS, EV_MSC, EV_SW, EV_LED, EV_SND,
};

/**
 * copy_id_string() - Copy a device string, truncated to the config payload
 * @dst:	Destination of INPUT_CFG_PAYLOAD + 1 bytes
 * @src:	String from libevdev, NULL when the device has none
 */
static void copy_id_string(char *dst, const char *src)
{
	g_strlcpy(dst, src ? src : "", INPUT_CFG_PAYLOAD + 1);
}

/**
 * desc_abs() - Copy one absolute axis present on the device
 * @d:		Description
 * @ev:		Device
 * @axis:	ABS_* axis
 */
static void desc_abs(struct input_desc *d, const struct libevdev *ev,
		     unsigned int axis)
{
	const struct input_absinfo *k = libevdev_get_abs_info(ev, axis);
	struct vinput_absinfo info;

	if (!k)
		return;
	info.min = k->minimum;
	info.max = k->maximum;
	info.fuzz = k->fuzz;
	info.flat = k->flat;
	info.res = k->resolution;
	input_desc_set_abs(d, axis, &info);
}

/**
 * desc_codes() - Copy every code of one event type the device has
 * @d:		Description
 * @ev:		Device
 * @type:	EV_* type (not EV_REP)
 */
static void desc_codes(struct input_desc *d, const struct libevdev *ev,
		       unsigned int type)
{
	int max = libevdev_event_type_get_max(type);
	unsigned int code;

	if (max < 0)
		return;
	for (code = 0; code <= (unsigned int)max && code < INPUT_CODE_CNT;
	     code++) {
		if (!libevdev_has_event_code(ev, type, code))
			continue;
		if (type == EV_ABS)
			desc_abs(d, ev, code);
		else
			input_desc_set_code(d, type, code);
	}
}

/**
 * input_desc_from_evdev() - Describe an evdev device for the config space
 * @d:		Description, initialised here
 * @ev:		Device; only read (libevdev's getters take a const pointer,
 *		so no cast is needed)
 *
 * Copies name, uniq (as the serial), phys, ids, properties, the codes of
 * EV_KEY, EV_REL, EV_ABS, EV_MSC, EV_SW, EV_LED, EV_SND with the absinfo of
 * each axis, and REP_DELAY/REP_PERIOD when the device has EV_REP. Strings
 * longer than the 128-byte payload are truncated.
 */
void input_desc_from_evdev(struct input_desc *d, const struct libevdev *ev)
{
	unsigned int i;

	input_desc_init(d);
	copy_id_string(d->name, libevdev_get_name(ev));
	copy_id_string(d->serial, libevdev_get_uniq(ev));
	copy_id_string(d->phys, libevdev_get_phys(ev));
	d->bustype = (uint16_t)libevdev_get_id_bustype(ev);
	d->vendor = (uint16_t)libevdev_get_id_vendor(ev);
	d->product = (uint16_t)libevdev_get_id_product(ev);
	d->version = (uint16_t)libevdev_get_id_version(ev);
	for (i = 0; i < VINPUT_PROP_CNT; i++)
		if (libevdev_has_property(ev, i))
			input_desc_set_prop(d, i);
	for (i = 0; i < G_N_ELEMENTS(evdev_desc_types); i++)
		desc_codes(d, ev, evdev_desc_types[i]);
	if (libevdev_has_event_type(ev, EV_REP)) {
		input_desc_set_code(d, EV_REP, REP_DELAY);
		input_desc_set_code(d, EV_REP, REP_PERIOD);
	}
}
