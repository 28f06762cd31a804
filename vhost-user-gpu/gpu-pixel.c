// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-pixel.c - the 2D pixel formats of virtio-gpu (4 bytes per pixel,
 * named in memory byte order) and their conversion to what the display
 * protocol carries: x8r8g8b8 for scanouts, a8r8g8b8 for cursors (in
 * memory on a little-endian host: B, G, R, X/A).
 */
#include "gpu-int.h"

/**
 * struct gpu_format - where each channel of a format lies in a pixel
 * @format:	enum virtio_gpu_formats
 * @b:		Byte holding blue
 * @g:		Byte holding green
 * @r:		Byte holding red
 * @a:		Byte holding alpha, -1 if none (opaque)
 */
struct gpu_format {
	uint32_t format;
	int8_t b, g, r, a;
};

static const struct gpu_format gpu_formats[] = {
	{ VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 0, 1, 2, 3 },
	{ VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, 1, 2, -1 },
	{ VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 3, 2, 1, 0 },
	{ VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 3, 2, 1, -1 },
	{ VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 2, 1, 0, 3 },
	{ VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, 1, 2, 3, -1 },
	{ VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 1, 2, 3, 0 },
	{ VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, 2, 1, 0, -1 },
};

/**
 * gpu_format_get() - The layout of a format
 * @format:	Format from the guest
 *
 * Return: its entry, or NULL if the specification has no such format
 */
static const struct gpu_format *gpu_format_get(uint32_t format)
{
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(gpu_formats); i++)
		if (gpu_formats[i].format == format)
			return &gpu_formats[i];
	return NULL;
}

/**
 * gpu_format_known() - Whether a 2D format is one of the specification's
 * @format:	Format from the guest
 *
 * Return: true if so
 */
bool gpu_format_known(uint32_t format)
{
	return gpu_format_get(format) != NULL;
}

/**
 * gpu_format_is_xrgb() - Whether a format's bytes already are x8r8g8b8
 * @format:	A known format
 *
 * Return: true for B8G8R8A8 and B8G8R8X8 (what Linux guests use)
 */
bool gpu_format_is_xrgb(uint32_t format)
{
	return format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM ||
	       format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;
}

/**
 * gpu_pixels_convert() - Convert pixels to B, G, R, A byte order
 * @f:		Source layout
 * @src:	Source pixels
 * @dst:	Destination pixels
 * @n:		How many
 * @alpha:	Keep the source alpha (else 0xff)
 */
static void gpu_pixels_convert(const struct gpu_format *f, const uint8_t *src,
			       uint32_t *dst, uint32_t n, bool alpha)
{
	uint32_t i;

	for (i = 0; i < n; i++, src += 4) {
		uint32_t a = alpha && f->a >= 0 ? src[f->a] : 0xff;

		dst[i] = a << 24 | (uint32_t)src[f->r] << 16 |
			 (uint32_t)src[f->g] << 8 | src[f->b];
	}
}

/**
 * gpu_pixels_to_xrgb() - Pixels of a known format as x8r8g8b8
 * @format:	Source format
 * @src:	Source pixels (4 bytes each)
 * @dst:	Destination
 * @n:		Pixels
 */
void gpu_pixels_to_xrgb(uint32_t format, const uint8_t *src, uint32_t *dst,
			uint32_t n)
{
	const struct gpu_format *f = gpu_format_get(format);

	if (f)
		gpu_pixels_convert(f, src, dst, n, false);
}

/**
 * gpu_pixels_to_argb() - Pixels of a known format as a8r8g8b8 (cursors)
 * @format:	Source format
 * @src:	Source pixels (4 bytes each)
 * @dst:	Destination
 * @n:		Pixels
 */
void gpu_pixels_to_argb(uint32_t format, const uint8_t *src, uint32_t *dst,
			uint32_t n)
{
	const struct gpu_format *f = gpu_format_get(format);

	if (f)
		gpu_pixels_convert(f, src, dst, n, true);
}
