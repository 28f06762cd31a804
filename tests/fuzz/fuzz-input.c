// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-input.c - libFuzzer target for vhost-user-input's device model: the
 * JSON control lines a client sends, the config selects a driver writes,
 * and the frame FIFO under arbitrary commit/pop sequences.
 *
 * Input: byte 0 picks the preset (keyboard, mouse, tablet, touchscreen),
 * byte 1 the part: 0-127 a control line (the rest of the input, cut at the
 * first NUL), 128-191 config queries (byte pairs select, subsel), 192-255
 * frame operations (each byte: commit a frame of (b & 15) + 1 events, or
 * pop, or clear).
 */
#include <stdint.h>
#include <string.h>

#include <linux/input-event-codes.h>

#include "input.h"

/**
 * fuzz_line() - Parse a control line; check the all-or-nothing rule
 * @d:		Device description
 * @data:	Line bytes
 * @size:	Their number
 */
static void fuzz_line(const struct input_desc *d, const uint8_t *data,
		      size_t size)
{
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	char *line = g_strndup((const char *)data, size), *error = NULL;
	char *json;

	if (!input_control_parse(d, line, ev, &error)) {
		if (ev->len)
			__builtin_trap();
		json = input_control_error_json(error ? error : "");
		g_free(json);
	} else if (ev->len) {
		json = input_control_event_json(&g_array_index(ev,
					struct vinput_event, 0));
		g_free(json);
	}
	g_free(error);
	g_free(line);
	g_array_free(ev, TRUE);
}

/**
 * fuzz_config() - Query the config space for each (select, subsel) pair
 * @d:		Device description
 * @data:	Pairs
 * @size:	Bytes
 */
static void fuzz_config(const struct input_desc *d, const uint8_t *data,
			size_t size)
{
	uint8_t img[INPUT_CFG_SIZE];
	size_t i;

	for (i = 0; i + 1 < size; i += 2) {
		input_config_image(d, data[i], data[i + 1], img);
		if (img[2] > INPUT_CFG_PAYLOAD)
			__builtin_trap();
	}
}

/**
 * fuzz_frames() - Run commit/pop/clear operations on a small FIFO
 * @data:	Operations
 * @size:	Their number
 */
static void fuzz_frames(const uint8_t *data, size_t size)
{
	struct input_frames *f = input_frames_new(37);
	struct vinput_event ev[16] = { { 0 } }, out;
	unsigned int n;
	size_t i;

	for (i = 0; i < size; i++) {
		n = (data[i] & 15) + 1;
		ev[n - 1] = (struct vinput_event){ EV_SYN, SYN_REPORT, 0 };
		if (data[i] & 0x80)
			input_frames_commit(f, ev, n);
		else if (data[i] & 0x40)
			input_frames_clear(f);
		else if (input_frames_peek(f, &out))
			input_frames_pop(f);
		ev[n - 1] = (struct vinput_event){ EV_KEY, KEY_A, 1 };
		if (input_frames_pending(f) > 37)
			__builtin_trap();
	}
	input_frames_free(f);
}

/**
 * LLVMFuzzerTestOneInput() - libFuzzer entry point
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const presets[] = {
		"keyboard", "mouse", "tablet", "touchscreen",
	};
	static struct input_desc descs[4];
	static int ready;
	unsigned int i;

	if (!ready) {
		for (i = 0; i < 4; i++)
			input_desc_virtual(&descs[i], presets[i], NULL);
		ready = 1;
	}
	if (size < 2)
		return 0;
	if (data[1] < 128)
		fuzz_line(&descs[data[0] & 3], data + 2, size - 2);
	else if (data[1] < 192)
		fuzz_config(&descs[data[0] & 3], data + 2, size - 2);
	else
		fuzz_frames(data + 2, size - 2);
	return 0;
}
