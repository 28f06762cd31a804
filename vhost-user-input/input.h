/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input.h - vhost-user-input: the virtio-input device model shared by the
 * daemon's modules: the device description behind the config space, the
 * frame FIFO between the event sources and the event queue, and the JSON
 * control protocol of the virtual devices.
 *
 * Events are kept in host byte order (struct vinput_event) and converted to
 * the little-endian virtio layout only when they cross the ring.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define VIRTIO_ID_INPUT		18
#define INPUT_QUEUE_EVENT	0	/* device -> driver: input events */
#define INPUT_QUEUE_STATUS	1	/* driver -> device: LEDs, sound */
#define INPUT_NUM_QUEUES	2

/* virtio_input_config.select values (virtio 1.2, 5.8.5) */
#define INPUT_CFG_UNSET		0x00
#define INPUT_CFG_ID_NAME	0x01
#define INPUT_CFG_ID_SERIAL	0x02
#define INPUT_CFG_ID_DEVIDS	0x03
#define INPUT_CFG_PROP_BITS	0x10
#define INPUT_CFG_EV_BITS	0x11
#define INPUT_CFG_ABS_INFO	0x12

#define INPUT_CFG_HDR		8u	/* select, subsel, size, reserved[5] */
#define INPUT_CFG_PAYLOAD	128u	/* the union: string/bitmap/info */
#define INPUT_CFG_SIZE		(INPUT_CFG_HDR + INPUT_CFG_PAYLOAD)	/* 136 */
#define INPUT_EVENT_SIZE	8u	/* le16 type, le16 code, le32 value */

/* Linux evdev limits (linux/input-event-codes.h), fixed by the ABI */
#define INPUT_EV_CNT		0x20	/* event types */
#define INPUT_CODE_CNT		(INPUT_CFG_PAYLOAD * 8)	/* codes per type */
#define INPUT_ABS_CNT		0x40	/* absolute axes */
#define VINPUT_PROP_CNT		0x20	/* input properties (INPUT_PROP_CNT) */

/**
 * struct vinput_event - one evdev event, host byte order
 * @type:	EV_* type
 * @code:	Code within the type (KEY_A, REL_X, ...)
 * @value:	Value
 */
struct vinput_event {
	uint16_t type;
	uint16_t code;
	int32_t value;
};

/**
 * struct vinput_absinfo - one absolute axis (virtio_input_absinfo; named
 * apart from linux/input.h's struct input_absinfo)
 * @min:	Minimum value
 * @max:	Maximum value
 * @fuzz:	Noise filter
 * @flat:	Dead zone
 * @res:	Resolution (units per mm, or per radian)
 */
struct vinput_absinfo {
	int32_t min;
	int32_t max;
	int32_t fuzz;
	int32_t flat;
	int32_t res;
};

/**
 * struct input_desc - everything the config space describes of a device
 * @name:	Device name (ID_NAME), NUL-terminated, at most 128 bytes used
 * @serial:	Serial / uniq (ID_SERIAL), may be empty
 * @phys:	Physical path of an evdev device: logged only, virtio-input
 *		has no select for it (the guest driver makes its own)
 * @bustype:	ID_DEVIDS: bus type (BUS_*)
 * @vendor:	ID_DEVIDS: vendor id
 * @product:	ID_DEVIDS: product id
 * @version:	ID_DEVIDS: version
 * @props:	PROP_BITS bitmap (INPUT_PROP_*)
 * @ev:		EV_BITS bitmap per event type; a type is supported when its
 *		bitmap has a bit set (EV_SYN is implied, never reported)
 * @abs:	ABS_INFO per axis, valid for the axes set in @ev[EV_ABS]
 */
struct input_desc {
	char name[INPUT_CFG_PAYLOAD + 1];
	char serial[INPUT_CFG_PAYLOAD + 1];
	char phys[INPUT_CFG_PAYLOAD + 1];
	uint16_t bustype;
	uint16_t vendor;
	uint16_t product;
	uint16_t version;
	uint8_t props[INPUT_CFG_PAYLOAD];
	uint8_t ev[INPUT_EV_CNT][INPUT_CFG_PAYLOAD];
	struct vinput_absinfo abs[INPUT_ABS_CNT];
};

/* input-config.c: the description and the select/subsel config space */
void input_desc_init(struct input_desc *d);
void input_desc_set_code(struct input_desc *d, unsigned int type,
			 unsigned int code);
bool input_desc_has_code(const struct input_desc *d, unsigned int type,
			 unsigned int code);
bool input_desc_has_type(const struct input_desc *d, unsigned int type);
void input_desc_set_abs(struct input_desc *d, unsigned int axis,
			const struct vinput_absinfo *info);
void input_desc_set_prop(struct input_desc *d, unsigned int prop);
uint8_t input_desc_query(const struct input_desc *d, uint8_t select,
			 uint8_t subsel, uint8_t payload[INPUT_CFG_PAYLOAD]);
void input_config_image(const struct input_desc *d, uint8_t select,
			uint8_t subsel, uint8_t img[INPUT_CFG_SIZE]);

/* input-evdev-desc.c: the description of a real evdev device */
struct libevdev;
void input_desc_from_evdev(struct input_desc *d, const struct libevdev *ev);

/* input-virtual.c: the presets of --virtual */
bool input_desc_virtual(struct input_desc *d, const char *type,
			GError **err);
const char *const *input_virtual_types(void);

/* input-frames.c: bounded FIFO of whole SYN_REPORT frames */
struct input_frames;
struct input_frames *input_frames_new(unsigned int max_events);
void input_frames_free(struct input_frames *f);
bool input_frames_commit(struct input_frames *f,
			 const struct vinput_event *ev, unsigned int n);
bool input_frames_peek(const struct input_frames *f, struct vinput_event *ev);
void input_frames_pop(struct input_frames *f);
unsigned int input_frames_pending(const struct input_frames *f);
uint64_t input_frames_dropped(const struct input_frames *f);
void input_frames_clear(struct input_frames *f);

/* input-control.c: the JSON lines of --control */
bool input_control_parse(const struct input_desc *d, const char *line,
			 GArray *events, char **error);
char *input_control_error_json(const char *message);
char *input_control_event_json(const struct vinput_event *ev);

#endif /* INPUT_H */
