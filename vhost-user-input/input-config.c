// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-config.c - vhost-user-input: the device description and the
 * virtio-input config space built from it for one select/subsel pair.
 *
 * Every query fills the whole 128-byte payload (zeroes beyond the size it
 * returns), whatever select and subsel the guest chose, and multi-byte
 * fields are written little-endian byte by byte, whatever the host.
 */
#include <string.h>

#include <linux/input-event-codes.h>

#include "input.h"

#define INPUT_ABSINFO_SIZE	20u	/* five le32 */
#define INPUT_DEVIDS_SIZE	8u	/* four le16 */

/**
 * input_desc_init() - Empty description: no name, ids 0, no bits, no axes
 * @d:		Description to initialise
 */
void input_desc_init(struct input_desc *d)
{
	memset(d, 0, sizeof(*d));
}

/**
 * input_desc_set_code() - Mark one code of one event type as supported
 * @d:		Description
 * @type:	EV_* type, ignored unless below INPUT_EV_CNT
 * @code:	Code, ignored unless below INPUT_CODE_CNT
 */
void input_desc_set_code(struct input_desc *d, unsigned int type,
			 unsigned int code)
{
	if (type >= INPUT_EV_CNT || code >= INPUT_CODE_CNT)
		return;
	d->ev[type][code / 8] |= (uint8_t)(1u << (code % 8));
}

/**
 * input_desc_has_code() - Whether one code of one event type is supported
 * @d:		Description
 * @type:	EV_* type
 * @code:	Code
 *
 * Return: true if set; false for an out of range @type or @code
 */
bool input_desc_has_code(const struct input_desc *d, unsigned int type,
			 unsigned int code)
{
	if (type >= INPUT_EV_CNT || code >= INPUT_CODE_CNT)
		return false;
	return d->ev[type][code / 8] & (1u << (code % 8));
}

/**
 * input_desc_has_type() - Whether an event type has any code set
 * @d:		Description
 * @type:	EV_* type
 *
 * Nothing in the model sets EV_SYN codes, so EV_SYN reads false unless a
 * caller set one explicitly; the config space never reports it anyway.
 *
 * Return: true if the type's bitmap has a bit set
 */
bool input_desc_has_type(const struct input_desc *d, unsigned int type)
{
	unsigned int i;

	if (type >= INPUT_EV_CNT)
		return false;
	for (i = 0; i < INPUT_CFG_PAYLOAD; i++)
		if (d->ev[type][i])
			return true;
	return false;
}

/**
 * input_desc_set_abs() - Add an absolute axis with its range
 * @d:		Description
 * @axis:	ABS_* axis, ignored unless below INPUT_ABS_CNT
 * @info:	Range, fuzz, flat and resolution
 *
 * Also sets the axis in the EV_ABS bitmap.
 */
void input_desc_set_abs(struct input_desc *d, unsigned int axis,
			const struct vinput_absinfo *info)
{
	if (axis >= INPUT_ABS_CNT)
		return;
	d->abs[axis] = *info;
	input_desc_set_code(d, EV_ABS, axis);
}

/**
 * input_desc_set_prop() - Set one input property (INPUT_PROP_*)
 * @d:		Description
 * @prop:	Property, ignored unless below VINPUT_PROP_CNT
 */
void input_desc_set_prop(struct input_desc *d, unsigned int prop)
{
	if (prop >= VINPUT_PROP_CNT)
		return;
	d->props[prop / 8] |= (uint8_t)(1u << (prop % 8));
}

/**
 * put_le16() - Store a 16-bit value little-endian
 * @p:		Destination, 2 bytes
 * @v:		Value
 */
static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/**
 * put_le32() - Store a 32-bit value little-endian
 * @p:		Destination, 4 bytes
 * @v:		Value (two's complement for negative numbers)
 */
static void put_le32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

/**
 * query_string() - ID_NAME / ID_SERIAL payload
 * @s:		String, read up to INPUT_CFG_PAYLOAD bytes even if unterminated
 * @payload:	Zeroed payload to fill
 *
 * Return: the string's length without the NUL, at most INPUT_CFG_PAYLOAD
 */
static uint8_t query_string(const char *s, uint8_t *payload)
{
	size_t len = strnlen(s, INPUT_CFG_PAYLOAD);

	memcpy(payload, s, len);
	return (uint8_t)len;
}

/**
 * query_devids() - ID_DEVIDS payload: bustype, vendor, product, version
 * @d:		Description
 * @payload:	Payload to fill
 *
 * Return: 8
 */
static uint8_t query_devids(const struct input_desc *d, uint8_t *payload)
{
	put_le16(payload, d->bustype);
	put_le16(payload + 2, d->vendor);
	put_le16(payload + 4, d->product);
	put_le16(payload + 6, d->version);
	return INPUT_DEVIDS_SIZE;
}

/**
 * query_bitmap() - PROP_BITS / EV_BITS payload
 * @bits:	Bitmap of INPUT_CFG_PAYLOAD bytes
 * @payload:	Payload to fill
 *
 * Return: index of the last non-zero byte + 1, 0 for an empty bitmap
 */
static uint8_t query_bitmap(const uint8_t *bits, uint8_t *payload)
{
	unsigned int size = INPUT_CFG_PAYLOAD;

	while (size > 0 && !bits[size - 1])
		size--;
	memcpy(payload, bits, size);
	return (uint8_t)size;
}

/**
 * query_abs() - ABS_INFO payload: min, max, fuzz, flat, res
 * @d:		Description
 * @axis:	ABS_* axis (the subsel)
 * @payload:	Payload to fill
 *
 * Return: 20, or 0 when the axis is not in the EV_ABS bitmap
 */
static uint8_t query_abs(const struct input_desc *d, unsigned int axis,
			 uint8_t *payload)
{
	const struct vinput_absinfo *a;

	if (axis >= INPUT_ABS_CNT || !input_desc_has_code(d, EV_ABS, axis))
		return 0;
	a = &d->abs[axis];
	put_le32(payload, a->min);
	put_le32(payload + 4, a->max);
	put_le32(payload + 8, a->fuzz);
	put_le32(payload + 12, a->flat);
	put_le32(payload + 16, a->res);
	return INPUT_ABSINFO_SIZE;
}

/**
 * input_desc_query() - The config payload for one select/subsel pair
 * @d:		Description
 * @select:	INPUT_CFG_* (anything, as the guest wrote it)
 * @subsel:	Event type for EV_BITS, axis for ABS_INFO; must be 0 for the
 *		other selects (virtio 1.2, 5.8.5), else nothing is returned
 * @payload:	Filled completely: the answer, zeroes beyond it
 *
 * Return: the size field, 0 for an unset, unknown or unsupported pair
 */
uint8_t input_desc_query(const struct input_desc *d, uint8_t select,
			 uint8_t subsel, uint8_t payload[INPUT_CFG_PAYLOAD])
{
	memset(payload, 0, INPUT_CFG_PAYLOAD);
	switch (select) {
	case INPUT_CFG_ID_NAME:
		return subsel ? 0 : query_string(d->name, payload);
	case INPUT_CFG_ID_SERIAL:
		return subsel ? 0 : query_string(d->serial, payload);
	case INPUT_CFG_ID_DEVIDS:
		return subsel ? 0 : query_devids(d, payload);
	case INPUT_CFG_PROP_BITS:
		return subsel ? 0 : query_bitmap(d->props, payload);
	case INPUT_CFG_EV_BITS:
		if (subsel == EV_SYN || subsel >= INPUT_EV_CNT)
			return 0;
		return query_bitmap(d->ev[subsel], payload);
	case INPUT_CFG_ABS_INFO:
		return query_abs(d, subsel, payload);
	default:
		return 0;
	}
}

/**
 * input_config_image() - The whole 136-byte config space for a selection
 * @d:		Description
 * @select:	INPUT_CFG_*
 * @subsel:	Sub-selection
 * @img:	Filled completely: select, subsel, size, 5 zero bytes, payload
 */
void input_config_image(const struct input_desc *d, uint8_t select,
			uint8_t subsel, uint8_t img[INPUT_CFG_SIZE])
{
	memset(img, 0, INPUT_CFG_HDR);
	img[0] = select;
	img[1] = subsel;
	img[2] = input_desc_query(d, select, subsel, img + INPUT_CFG_HDR);
}
