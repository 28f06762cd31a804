// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-edid.c - our own EDID (VESA E-EDID 1.4, one 128-byte block) for a
 * head of a given size: its preferred detailed timing is that size with
 * reduced blanking at 60 Hz (lower where the pixel clock would not fit),
 * and its name and serial number name the head.
 */
#include <stdio.h>
#include <string.h>

#include "gpu-int.h"

#define EDID_BLOCK		128
#define EDID_DESC		18
#define EDID_MAX_ACTIVE		4095	/* 12 bits in a detailed timing */
#define EDID_HBLANK		160	/* reduced blanking */
#define EDID_HFRONT		48
#define EDID_HSYNC		32
#define EDID_VFRONT		3
#define EDID_VSYNC		6
#define EDID_DPI		96	/* for the physical size */

/**
 * edid_timing() - Write the detailed timing descriptor of a mode
 * @d:		18 bytes
 * @w:		Width (1 to 4095)
 * @h:		Height (1 to 4095)
 */
static void edid_timing(uint8_t *d, uint32_t w, uint32_t h)
{
	uint32_t vblank = EDID_VFRONT + EDID_VSYNC + MAX(14u, h / 30);
	uint64_t total = (uint64_t)(w + EDID_HBLANK) * (h + vblank);
	uint32_t hz = 60, clk, wmm = w * 254 / (EDID_DPI * 10);
	uint32_t hmm = h * 254 / (EDID_DPI * 10);

	while (hz > 1 && total * hz / 10000 > 0xffff)
		hz--;
	clk = (uint32_t)(total * hz / 10000);
	d[0] = clk & 0xff;
	d[1] = clk >> 8;
	d[2] = w & 0xff;
	d[3] = EDID_HBLANK & 0xff;
	d[4] = (uint8_t)(((w >> 8) & 0xf) << 4 | ((EDID_HBLANK >> 8) & 0xf));
	d[5] = h & 0xff;
	d[6] = vblank & 0xff;
	d[7] = (uint8_t)(((h >> 8) & 0xf) << 4 | ((vblank >> 8) & 0xf));
	d[8] = EDID_HFRONT;
	d[9] = EDID_HSYNC;
	d[10] = EDID_VFRONT << 4 | EDID_VSYNC;
	d[11] = 0;
	d[12] = wmm & 0xff;
	d[13] = hmm & 0xff;
	d[14] = (uint8_t)(((wmm >> 8) & 0xf) << 4 | ((hmm >> 8) & 0xf));
	d[17] = 0x1a;	/* digital separate sync, hsync +, vsync - */
}

/**
 * edid_text() - Write a text descriptor (name, serial)
 * @d:		18 bytes
 * @tag:	0xfc (name) or 0xff (serial)
 * @text:	Up to 13 characters
 */
static void edid_text(uint8_t *d, uint8_t tag, const char *text)
{
	size_t n = MIN(strlen(text), 13);

	d[3] = tag;
	memset(d + 5, ' ', 13);
	memcpy(d + 5, text, n);
	if (n < 13)
		d[5 + n] = '\n';
}

/**
 * edid_header() - Write the fixed part: ids, version, basic parameters,
 * sRGB chromaticity, no legacy timings
 * @e:		Block
 * @w:		Width in pixels
 * @h:		Height in pixels
 * @head:	Head number (product code and serial)
 */
static void edid_header(uint8_t *e, uint32_t w, uint32_t h,
			unsigned int head)
{
	static const uint8_t magic[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0 };
	static const uint8_t srgb[10] = { 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99,
					  0x26, 0x0f, 0x50, 0x54 };
	uint16_t maker = ('V' - '@') << 10 | ('U' - '@') << 5 | ('D' - '@');
	unsigned int i;

	memcpy(e, magic, sizeof(magic));
	e[8] = maker >> 8;
	e[9] = maker & 0xff;
	e[10] = (uint8_t)(0x34 + head);	/* product code 0x1234 + head */
	e[11] = 0x12;
	e[12] = (uint8_t)(head + 1);	/* serial number */
	e[16] = 1;			/* week */
	e[17] = 2026 - 1990;		/* year */
	e[18] = 1;
	e[19] = 4;			/* EDID 1.4 */
	e[20] = 0xa5;			/* digital, 8 bits, DisplayPort */
	e[21] = (uint8_t)MAX(1u, w * 254 / (EDID_DPI * 100));	/* cm */
	e[22] = (uint8_t)MAX(1u, h * 254 / (EDID_DPI * 100));
	e[23] = 120;			/* gamma 2.2 */
	e[24] = 0x06;			/* sRGB, preferred mode is native */
	memcpy(e + 25, srgb, sizeof(srgb));
	for (i = 38; i < 54; i++)
		e[i] = 1;		/* no standard timings */
}

/**
 * gpu_edid_build() - An EDID for a head of the given size
 * @out:	Destination
 * @max:	Its size (at least 128 bytes, else nothing is written)
 * @width:	Width in pixels (clamped to 1..4095)
 * @height:	Height in pixels (clamped to 1..4095)
 * @head:	Head number
 *
 * Return: bytes written (128, or 0)
 */
size_t gpu_edid_build(uint8_t *out, size_t max, uint32_t width,
		      uint32_t height, unsigned int head)
{
	uint32_t w = CLAMP(width, 1, EDID_MAX_ACTIVE);
	uint32_t h = CLAMP(height, 1, EDID_MAX_ACTIVE);
	char text[16];
	uint8_t sum = 0;
	unsigned int i;

	if (max < EDID_BLOCK)
		return 0;
	memset(out, 0, EDID_BLOCK);
	edid_header(out, w, h, head);
	edid_timing(out + 54, w, h);
	snprintf(text, sizeof(text), "vhost-user %u", head);
	edid_text(out + 54 + EDID_DESC, 0xfc, text);
	snprintf(text, sizeof(text), "VUGPU%04u", head);
	edid_text(out + 54 + 2 * EDID_DESC, 0xff, text);
	out[54 + 3 * EDID_DESC + 3] = 0x10;	/* dummy descriptor */
	for (i = 0; i < EDID_BLOCK - 1; i++)
		sum += out[i];
	out[EDID_BLOCK - 1] = (uint8_t)(0x100 - sum);
	return EDID_BLOCK;
}
