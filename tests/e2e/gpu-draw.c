// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-draw.c - vu-gpu-draw, the e2e guests' display tool (libc and the
 * kernel's UAPI headers only): draws known patterns through the fbdev and
 * the DRM dumb buffer interfaces and drives the DRM cursor, so that the
 * host can check what reached the display.
 *
 *   vu-gpu-draw [OPTIONS] fb PATTERN     draw PATTERN into /dev/fb0's mmap
 *   vu-gpu-draw [OPTIONS] dumb PATTERN   draw PATTERN into a dumb buffer,
 *                                        SETCRTC it, then paint the --box
 *                                        rectangle and DIRTYFB only that
 *   vu-gpu-draw [OPTIONS] cursor X Y [X Y]...
 *                                        scan out --pattern, set a 64x64
 *                                        ARGB cursor at the first X Y, then
 *                                        move it to each later X Y; hide it
 *                                        after --hold
 *
 * PATTERN: "v:" (vertical bands, left to right) or "h:" (horizontal bands,
 * top to bottom), then up to 16 comma-separated RRGGBB colours; pixel x of
 * a W-wide screen is in vertical band x * N / W (rounded down), likewise
 * rows. The box of "dumb" spans [W/4 + 3, W/2 + 7) x [H/3 + 5, 2H/3 + 1).
 *
 * Options: --ready FILE (created once everything is drawn), --hold SEC
 * (keep the display that long before cleaning up, default 0), --box RRGGBB
 * (dumb: the box colour, default ffffff), --hot HX,HY (cursor hotspot,
 * default 0,0), --pattern PATTERN (cursor: the scanout, default v:404040).
 *
 * Lines printed: "gpu-draw: fb WxH bpp B stride S", "gpu-draw: mode WxH
 * connector C crtc R", "gpu-draw: box X1 Y1 X2 Y2", "gpu-draw: cursor
 * X,Y", "gpu-draw: released" (the display is no longer held). Exit status
 * 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/fb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Debian ships the DRM UAPI headers with libdrm-dev, in include/libdrm */
#if __has_include(<drm/drm_mode.h>)
#include <drm/drm.h>
#include <drm/drm_mode.h>
#else
#include <drm.h>
#include <drm_mode.h>
#endif

#define GD_MAX_BANDS	16	/* colours in one PATTERN */
#define GD_MAX_MOVES	16	/* cursor positions */
#define GD_CURSOR	64	/* cursor width and height (virtio-gpu's) */
#define GD_MAX_OBJS	64	/* connectors, crtcs, encoders, modes looked at */

/**
 * struct gd_pattern - a parsed PATTERN
 * @vertical:	Bands are columns (else rows)
 * @n:		Number of bands
 * @rgb:	Colour of each band, 0xRRGGBB
 */
struct gd_pattern {
	bool vertical;
	unsigned int n;
	uint32_t rgb[GD_MAX_BANDS];
};

/**
 * struct gd_opts - the command line
 * @ready:	File to create once drawn, or NULL
 * @hold_s:	Seconds to keep the display before cleaning up
 * @box:	Box colour of "dumb", 0xRRGGBB
 * @hot_x:	Cursor hotspot column
 * @hot_y:	Cursor hotspot row
 * @pattern:	Scanout pattern of "cursor"
 * @args:	Positional arguments, the subcommand first
 * @nargs:	Number of @args
 */
struct gd_opts {
	const char *ready;
	unsigned int hold_s;
	uint32_t box;
	uint32_t hot_x;
	uint32_t hot_y;
	const char *pattern;
	char **args;
	int nargs;
};

/**
 * struct gd_output - the connector and crtc a DRM program drives
 * @fd:		The DRM device
 * @conn:	Connector id
 * @crtc:	CRTC id
 * @mode:	The connector's preferred mode
 */
struct gd_output {
	int fd;
	uint32_t conn;
	uint32_t crtc;
	struct drm_mode_modeinfo mode;
};

/**
 * struct gd_dumb - a dumb buffer, its framebuffer and its mapping
 * @handle:	GEM handle, 0 when not created
 * @fb:		Framebuffer id, 0 when not added
 * @width:	Pixels per row
 * @height:	Rows
 * @pitch:	Bytes per row
 * @size:	Bytes
 * @map:	The mapping, or NULL
 */
struct gd_dumb {
	uint32_t handle;
	uint32_t fb;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint64_t size;
	uint8_t *map;
};

/**
 * usage() - Print the usage and exit
 * @rc:		Exit status
 */
static void __attribute__((noreturn)) usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: vu-gpu-draw [--ready FILE] [--hold SEC] [--box RRGGBB]"
		" [--hot HX,HY]\n"
		"                   [--pattern PATTERN] COMMAND\n"
		"  fb PATTERN | dumb PATTERN | cursor X Y [X Y]...\n"
		"PATTERN: v:RRGGBB,... (columns) or h:RRGGBB,... (rows)\n");
	exit(rc);
}

/**
 * fail() - Print a message (and errno's text when @err) and return -1
 * @err:	An errno value, or 0
 * @what:	What failed
 *
 * Return: -1
 */
static int fail(int err, const char *what)
{
	if (err)
		fprintf(stderr, "vu-gpu-draw: %s: %s\n", what, strerror(err));
	else
		fprintf(stderr, "vu-gpu-draw: %s\n", what);
	return -1;
}

/**
 * parse_uint() - Parse a decimal number up to @max
 * @s:		Text
 * @max:	Largest value accepted
 * @out:	The value
 *
 * Return: 0, or -1 when @s is not such a number
 */
static int parse_uint(const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/**
 * parse_rgb() - Parse six hex digits RRGGBB
 * @s:		Text, at least six characters read
 * @out:	The colour, 0xRRGGBB
 *
 * Return: 0, or -1 when @s does not start with six hex digits
 */
static int parse_rgb(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 6; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/**
 * parse_pattern() - Parse a PATTERN ("v:" or "h:" and RRGGBB colours)
 * @s:		Text
 * @p:		Filled in
 *
 * Return: 0, or -1 with a message
 */
static int parse_pattern(const char *s, struct gd_pattern *p)
{
	if ((s[0] != 'v' && s[0] != 'h') || s[1] != ':')
		return fail(0, "a pattern starts with v: or h:");
	p->vertical = s[0] == 'v';
	p->n = 0;
	s += 2;
	for (;;) {
		if (p->n == GD_MAX_BANDS || parse_rgb(s, &p->rgb[p->n]))
			return fail(0, "bad pattern colour list");
		p->n++;
		s += 6;
		if (!*s)
			return 0;
		if (*s++ != ',')
			return fail(0, "pattern colours are separated by ','");
	}
}

/**
 * pattern_rgb() - The colour of pattern @p at a pixel
 * @p:		The pattern
 * @x:		Column
 * @y:		Row
 * @w:		Screen width
 * @h:		Screen height
 *
 * Return: 0xRRGGBB
 */
static uint32_t pattern_rgb(const struct gd_pattern *p, uint32_t x,
			    uint32_t y, uint32_t w, uint32_t h)
{
	uint64_t band = p->vertical ? (uint64_t)x * p->n / w :
				      (uint64_t)y * p->n / h;

	return p->rgb[band];
}

/**
 * parse_opts() - Parse the command line or exit
 * @argc:	Argument count
 * @argv:	Arguments
 * @o:		Filled in
 */
static void parse_opts(int argc, char **argv, struct gd_opts *o)
{
	static const struct option longopts[] = {
		{ "ready", required_argument, NULL, 'r' },
		{ "hold", required_argument, NULL, 'H' },
		{ "box", required_argument, NULL, 'b' },
		{ "hot", required_argument, NULL, 'o' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*o = (struct gd_opts){ .box = 0xffffff, .pattern = "v:404040" };
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->ready = optarg;
			break;
		case 'H':
			if (parse_uint(optarg, 3600, &o->hold_s))
				usage(1);
			break;
		case 'b':
			if (strlen(optarg) != 6 || parse_rgb(optarg, &o->box))
				usage(1);
			break;
		case 'o':
			if (sscanf(optarg, "%u,%u", &o->hot_x, &o->hot_y) != 2 ||
			    o->hot_x >= GD_CURSOR || o->hot_y >= GD_CURSOR)
				usage(1);
			break;
		case 'p':
			o->pattern = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(1);
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs < 1)
		usage(1);
}

/**
 * hold() - Tell the host the display is ready, then keep it @o->hold_s s
 * @o:		The command line
 *
 * Return: 0, or -1 when the ready file cannot be made
 */
static int hold(const struct gd_opts *o)
{
	struct timespec ts = { .tv_sec = o->hold_s };
	int fd;

	fflush(stdout);
	if (o->ready) {
		fd = open(o->ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return fail(errno, o->ready);
		close(fd);
	}
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}

/* ---- fbdev ------------------------------------------------------------ */

/**
 * fb_pixel() - Pack a colour as the fbdev's pixel format says
 * @var:	The fbdev's variable screen info
 * @rgb:	0xRRGGBB
 *
 * Return: the pixel value
 */
static uint32_t fb_pixel(const struct fb_var_screeninfo *var, uint32_t rgb)
{
	const struct fb_bitfield *f[3] = { &var->red, &var->green, &var->blue };
	uint32_t px = 0;
	int i;

	for (i = 0; i < 3; i++) {
		uint32_t c = rgb >> (16 - 8 * i) & 0xff;

		if (f[i]->length == 0 || f[i]->length > 8)
			continue;
		px |= (c >> (8 - f[i]->length)) << f[i]->offset;
	}
	return px;
}

/**
 * fb_fill() - Draw a pattern into the visible part of a mapped fbdev
 * @map:	The mapping
 * @var:	Variable screen info (size, offsets, format)
 * @stride:	Bytes per row
 * @p:		The pattern
 */
static void fb_fill(uint8_t *map, const struct fb_var_screeninfo *var,
		    uint32_t stride, const struct gd_pattern *p)
{
	uint32_t bpp = var->bits_per_pixel / 8, x, y;

	for (y = 0; y < var->yres; y++) {
		uint8_t *row = map + (size_t)(y + var->yoffset) * stride +
			       (size_t)var->xoffset * bpp;

		for (x = 0; x < var->xres; x++) {
			uint32_t px = fb_pixel(var, pattern_rgb(p, x, y,
						var->xres, var->yres));

			memcpy(row + (size_t)x * bpp, &px, bpp);
		}
	}
}

/**
 * fb_check_geometry() - Check that the visible area lies in the memory
 * @var:	Variable screen info
 * @fix:	Fixed screen info
 *
 * Return: 0, or -1 with a message
 */
static int fb_check_geometry(const struct fb_var_screeninfo *var,
			     const struct fb_fix_screeninfo *fix)
{
	uint64_t bpp = var->bits_per_pixel / 8;
	uint64_t end = (uint64_t)(var->yoffset + var->yres) * fix->line_length;

	if (bpp < 2 || bpp > 4 || var->bits_per_pixel % 8)
		return fail(0, "fb: unsupported bits per pixel");
	if (!var->xres || !var->yres ||
	    (var->xoffset + var->xres) * bpp > fix->line_length ||
	    end > fix->smem_len)
		return fail(0, "fb: visible area outside the memory");
	return 0;
}

/**
 * cmd_fb() - "fb PATTERN": draw through /dev/fb0's mapping
 * @o:		The command line
 *
 * The virtio-gpu fbdev is a shadow buffer with deferred I/O: fsync()
 * flushes the pages written (transfer and flush) at once.
 *
 * Return: 0, or -1 with a message
 */
static int cmd_fb(const struct gd_opts *o)
{
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	struct gd_pattern p;
	uint8_t *map;
	int fd, rc = -1;

	if (o->nargs != 2 || parse_pattern(o->args[1], &p))
		usage(1);
	fd = open("/dev/fb0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(errno, "/dev/fb0");
	if (ioctl(fd, FBIOGET_VSCREENINFO, &var) ||
	    ioctl(fd, FBIOGET_FSCREENINFO, &fix)) {
		fail(errno, "fb: FBIOGET_*SCREENINFO");
		goto out;
	}
	printf("gpu-draw: fb %ux%u bpp %u stride %u\n", var.xres, var.yres,
	       var.bits_per_pixel, fix.line_length);
	if (fb_check_geometry(&var, &fix))
		goto out;
	map = mmap(NULL, fix.smem_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	if (map == MAP_FAILED) {
		fail(errno, "fb: mmap");
		goto out;
	}
	fb_fill(map, &var, fix.line_length, &p);
	if (fsync(fd) && errno != EINVAL)
		fail(errno, "fb: fsync");
	rc = hold(o);
	munmap(map, fix.smem_len);
out:
	close(fd);
	return rc;
}

/* ---- DRM ------------------------------------------------------------- */

/**
 * xioctl() - ioctl(), restarted after EINTR and EAGAIN
 * @fd:		File descriptor
 * @req:	Request
 * @arg:	Argument
 *
 * Return: 0, or -1 with errno set
 */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int rc;

	do {
		rc = ioctl(fd, req, arg);
	} while (rc == -1 && (errno == EINTR || errno == EAGAIN));
	return rc;
}

/**
 * drm_ioctl() - xioctl() with a message on failure
 * @fd:		DRM device
 * @req:	Request
 * @arg:	Argument
 * @what:	The request's name, for the message
 *
 * Return: 0, or -1 with a message
 */
static int drm_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	if (xioctl(fd, req, arg))
		return fail(errno, what);
	return 0;
}

/**
 * ptr() - A pointer as the DRM ioctls take it
 * @p:		The pointer
 *
 * Return: its value as a u64
 */
static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/**
 * pick_mode() - The preferred mode of a list (else the first)
 * @modes:	The modes
 * @n:		How many, at least one
 *
 * Return: the mode's index
 */
static uint32_t pick_mode(const struct drm_mode_modeinfo *modes, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (modes[i].type & DRM_MODE_TYPE_PREFERRED)
			return i;
	return 0;
}

/**
 * get_connector() - A connector's state, modes and encoders
 * @fd:		DRM device
 * @id:		Connector id
 * @c:		Filled in (pointers to @modes and @encs)
 * @modes:	Room for GD_MAX_OBJS modes
 * @encs:	Room for GD_MAX_OBJS encoder ids
 *
 * The first call (no modes asked) makes the kernel probe the connector.
 *
 * Return: 0, or -1 with a message
 */
static int get_connector(int fd, uint32_t id, struct drm_mode_get_connector *c,
			 struct drm_mode_modeinfo *modes, uint32_t *encs)
{
	*c = (struct drm_mode_get_connector){ .connector_id = id };
	if (drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, c, "GETCONNECTOR"))
		return -1;
	if (c->count_modes > GD_MAX_OBJS || c->count_encoders > GD_MAX_OBJS)
		return fail(0, "connector: too many modes or encoders");
	*c = (struct drm_mode_get_connector){
		.connector_id = id,
		.count_modes = GD_MAX_OBJS, .modes_ptr = ptr(modes),
		.count_encoders = GD_MAX_OBJS, .encoders_ptr = ptr(encs),
	};
	if (drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, c, "GETCONNECTOR"))
		return -1;
	if (c->count_modes > GD_MAX_OBJS || c->count_encoders > GD_MAX_OBJS)
		return fail(0, "connector: modes changed while read");
	return 0;
}

/**
 * pick_crtc() - The crtc for a connector: its encoder's, else the first
 *		 one the encoder can drive
 * @fd:		DRM device
 * @c:		The connector
 * @crtcs:	The device's crtc ids
 * @ncrtcs:	How many
 *
 * Return: the crtc id, or 0 with a message
 */
static uint32_t pick_crtc(int fd, const struct drm_mode_get_connector *c,
			  const uint32_t *crtcs, uint32_t ncrtcs)
{
	const uint32_t *encs = (const uint32_t *)(uintptr_t)c->encoders_ptr;
	uint32_t i, j;

	for (i = 0; i < c->count_encoders; i++) {
		struct drm_mode_get_encoder e = { .encoder_id = encs[i] };

		if (drm_ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &e, "GETENCODER"))
			return 0;
		if (e.crtc_id && encs[i] == c->encoder_id)
			return e.crtc_id;
		for (j = 0; j < ncrtcs && j < 32; j++)
			if (e.possible_crtcs & (1u << j))
				return crtcs[j];
	}
	fail(0, "no crtc for the connector");
	return 0;
}

/**
 * find_output() - The first connected connector with a mode, and a crtc
 * @out:	@out->fd set; the rest filled in
 *
 * Return: 0, or -1 with a message
 */
static int find_output(struct gd_output *out)
{
	uint32_t conns[GD_MAX_OBJS], crtcs[GD_MAX_OBJS], encs[GD_MAX_OBJS], i;
	struct drm_mode_modeinfo modes[GD_MAX_OBJS];
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector c;

	if (drm_ioctl(out->fd, DRM_IOCTL_MODE_GETRESOURCES, &res,
		      "GETRESOURCES"))
		return -1;
	if (res.count_connectors > GD_MAX_OBJS || res.count_crtcs > GD_MAX_OBJS)
		return fail(0, "too many connectors or crtcs");
	res = (struct drm_mode_card_res){
		.count_connectors = GD_MAX_OBJS, .connector_id_ptr = ptr(conns),
		.count_crtcs = GD_MAX_OBJS, .crtc_id_ptr = ptr(crtcs),
	};
	if (drm_ioctl(out->fd, DRM_IOCTL_MODE_GETRESOURCES, &res,
		      "GETRESOURCES"))
		return -1;
	for (i = 0; i < res.count_connectors && i < GD_MAX_OBJS; i++) {
		if (get_connector(out->fd, conns[i], &c, modes, encs))
			return -1;
		if (c.connection != 1 || !c.count_modes)  /* 1: connected */
			continue;
		out->conn = conns[i];
		out->mode = modes[pick_mode(modes, c.count_modes)];
		out->crtc = pick_crtc(out->fd, &c, crtcs,
				      res.count_crtcs < GD_MAX_OBJS ?
				      res.count_crtcs : GD_MAX_OBJS);
		return out->crtc ? 0 : -1;
	}
	return fail(0, "no connected connector with a mode");
}

/**
 * dumb_create() - Create, add as a framebuffer (XRGB8888) and map a dumb
 *		   buffer
 * @fd:		DRM device
 * @w:		Width
 * @h:		Height
 * @d:		Filled in; release with dumb_destroy() even on failure
 *
 * Return: 0, or -1 with a message
 */
static int dumb_create(int fd, uint32_t w, uint32_t h, struct gd_dumb *d)
{
	struct drm_mode_create_dumb cr = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd fb = { .width = w, .height = h, .bpp = 32,
				      .depth = 24 };
	struct drm_mode_map_dumb map = { 0 };
	void *m;

	*d = (struct gd_dumb){ .width = w, .height = h };
	if (drm_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cr, "CREATE_DUMB"))
		return -1;
	d->handle = cr.handle;
	d->pitch = cr.pitch;
	d->size = cr.size;
	if (d->pitch < w * 4 || d->size < (uint64_t)d->pitch * h)
		return fail(0, "CREATE_DUMB: buffer too small");
	fb.pitch = d->pitch;
	fb.handle = d->handle;
	if (drm_ioctl(fd, DRM_IOCTL_MODE_ADDFB, &fb, "ADDFB"))
		return -1;
	d->fb = fb.fb_id;
	map.handle = d->handle;
	if (drm_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map, "MAP_DUMB"))
		return -1;
	m = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)map.offset);
	if (m == MAP_FAILED)
		return fail(errno, "mmap of the dumb buffer");
	d->map = m;
	return 0;
}

/**
 * dumb_destroy() - Undo what dumb_create() did
 * @fd:		DRM device
 * @d:		The buffer
 */
static void dumb_destroy(int fd, struct gd_dumb *d)
{
	struct drm_mode_destroy_dumb ds = { .handle = d->handle };

	if (d->map)
		munmap(d->map, d->size);
	if (d->fb)
		xioctl(fd, DRM_IOCTL_MODE_RMFB, &d->fb);
	if (d->handle)
		xioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &ds);
	*d = (struct gd_dumb){ 0 };
}

/**
 * dumb_put() - Store one XRGB8888 (or ARGB8888) pixel
 * @d:		The buffer
 * @x:		Column
 * @y:		Row
 * @px:		The pixel
 */
static void dumb_put(struct gd_dumb *d, uint32_t x, uint32_t y, uint32_t px)
{
	memcpy(d->map + (size_t)y * d->pitch + (size_t)x * 4, &px, 4);
}

/**
 * dumb_fill() - Draw a pattern over a whole dumb buffer
 * @d:		The buffer
 * @p:		The pattern
 */
static void dumb_fill(struct gd_dumb *d, const struct gd_pattern *p)
{
	uint32_t x, y;

	for (y = 0; y < d->height; y++)
		for (x = 0; x < d->width; x++)
			dumb_put(d, x, y, pattern_rgb(p, x, y, d->width,
						      d->height));
}

/**
 * open_output() - Open /dev/dri/card0 and find what to drive
 * @out:	Filled in; @out->fd is -1 when the open failed
 *
 * Return: 0, or -1 with a message
 */
static int open_output(struct gd_output *out)
{
	out->fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (out->fd < 0)
		return fail(errno, "/dev/dri/card0");
	if (find_output(out))
		return -1;
	printf("gpu-draw: mode %ux%u connector %u crtc %u\n",
	       out->mode.hdisplay, out->mode.vdisplay, out->conn, out->crtc);
	return 0;
}

/**
 * scanout_pattern() - Draw a pattern into a new mode-sized dumb buffer
 *		       and SETCRTC it
 * @out:	The output
 * @spec:	The PATTERN
 * @d:		The buffer, filled in (dumb_destroy() it even on failure)
 *
 * Return: 0, or -1 with a message
 */
static int scanout_pattern(struct gd_output *out, const char *spec,
			   struct gd_dumb *d)
{
	struct drm_mode_crtc crtc = {
		.set_connectors_ptr = ptr(&out->conn), .count_connectors = 1,
		.crtc_id = out->crtc, .mode_valid = 1, .mode = out->mode,
	};
	struct gd_pattern p;

	*d = (struct gd_dumb){ 0 };
	if (parse_pattern(spec, &p))
		return -1;
	if (dumb_create(out->fd, out->mode.hdisplay, out->mode.vdisplay, d))
		return -1;
	dumb_fill(d, &p);
	crtc.fb_id = d->fb;
	return drm_ioctl(out->fd, DRM_IOCTL_MODE_SETCRTC, &crtc, "SETCRTC");
}

/**
 * paint_box() - Paint the box of "dumb" and DIRTYFB only its rectangle
 * @out:	The output
 * @d:		The buffer scanned out
 * @rgb:	The box colour, 0xRRGGBB
 *
 * Return: 0, or -1 with a message
 */
static int paint_box(struct gd_output *out, struct gd_dumb *d, uint32_t rgb)
{
	struct drm_clip_rect clip = {
		.x1 = (uint16_t)(d->width / 4 + 3),
		.y1 = (uint16_t)(d->height / 3 + 5),
		.x2 = (uint16_t)(d->width / 2 + 7),
		.y2 = (uint16_t)(d->height * 2 / 3 + 1),
	};
	struct drm_mode_fb_dirty_cmd dirty = {
		.fb_id = d->fb, .num_clips = 1, .clips_ptr = ptr(&clip),
	};
	uint32_t x, y;

	if (d->width < 16 || d->height < 8 || d->width > 65535 ||
	    d->height > 65535)
		return fail(0, "mode too small or too large for the box");
	for (y = clip.y1; y < clip.y2; y++)
		for (x = clip.x1; x < clip.x2; x++)
			dumb_put(d, x, y, rgb);
	printf("gpu-draw: box %u %u %u %u\n", clip.x1, clip.y1, clip.x2,
	       clip.y2);
	return drm_ioctl(out->fd, DRM_IOCTL_MODE_DIRTYFB, &dirty, "DIRTYFB");
}

/**
 * cmd_dumb() - "dumb PATTERN": a dumb buffer, SETCRTC, the box, DIRTYFB
 * @o:		The command line
 *
 * Return: 0, or -1 with a message
 */
static int cmd_dumb(const struct gd_opts *o)
{
	struct gd_output out;
	struct gd_dumb d = { 0 };
	int rc = -1;

	if (o->nargs != 2)
		usage(1);
	if (open_output(&out))
		goto out;
	if (scanout_pattern(&out, o->args[1], &d) ||
	    paint_box(&out, &d, o->box))
		goto out;
	rc = hold(o);
out:
	if (out.fd >= 0) {
		dumb_destroy(out.fd, &d);
		close(out.fd);
	}
	return rc;
}

/**
 * cursor_image() - Draw the cursor: an opaque bordered square in the
 *		    top left quarter, transparent elsewhere (ARGB8888)
 * @c:		The 64x64 buffer
 */
static void cursor_image(struct gd_dumb *c)
{
	uint32_t x, y;

	for (y = 0; y < GD_CURSOR; y++)
		for (x = 0; x < GD_CURSOR; x++) {
			uint32_t px = 0;

			if (x < 32 && y < 32)
				px = x == 0 || y == 0 || x == 31 || y == 31 ?
				     0xff000000 : 0xffffffff;
			dumb_put(c, x, y, px);
		}
}

/**
 * cursor_set() - DRM_IOCTL_MODE_CURSOR2: set the cursor image (handle 0
 *		  hides it) with the hotspot of @o, at a position
 * @out:	The output
 * @o:		The command line
 * @handle:	The cursor's dumb buffer, or 0
 * @x:		Column
 * @y:		Row
 *
 * Return: 0, or -1 with a message
 */
static int cursor_set(struct gd_output *out, const struct gd_opts *o,
		      uint32_t handle, int32_t x, int32_t y)
{
	struct drm_mode_cursor2 c = {
		.flags = DRM_MODE_CURSOR_BO | DRM_MODE_CURSOR_MOVE,
		.crtc_id = out->crtc, .x = x, .y = y,
		.width = handle ? GD_CURSOR : 0,
		.height = handle ? GD_CURSOR : 0, .handle = handle,
		.hot_x = handle ? (int32_t)o->hot_x : 0,
		.hot_y = handle ? (int32_t)o->hot_y : 0,
	};

	return drm_ioctl(out->fd, DRM_IOCTL_MODE_CURSOR2, &c, "CURSOR2");
}

/**
 * cursor_move() - DRM_IOCTL_MODE_CURSOR with DRM_MODE_CURSOR_MOVE
 * @out:	The output
 * @x:		Column
 * @y:		Row
 *
 * Return: 0, or -1 with a message
 */
static int cursor_move(struct gd_output *out, int32_t x, int32_t y)
{
	struct drm_mode_cursor c = {
		.flags = DRM_MODE_CURSOR_MOVE, .crtc_id = out->crtc,
		.x = x, .y = y,
	};

	printf("gpu-draw: cursor %d,%d\n", x, y);
	return drm_ioctl(out->fd, DRM_IOCTL_MODE_CURSOR, &c, "CURSOR move");
}

/**
 * parse_moves() - The X Y pairs of "cursor", inside the mode
 * @o:		The command line
 * @out:	The output (its mode bounds the positions)
 * @xy:		Filled in: x0, y0, x1, y1, ...
 *
 * Return: the number of positions, or -1 with a message
 */
static int parse_moves(const struct gd_opts *o, const struct gd_output *out,
		       uint32_t *xy)
{
	int i, n = (o->nargs - 1) / 2;

	if (n < 1 || n > GD_MAX_MOVES || (o->nargs - 1) % 2)
		usage(1);
	for (i = 0; i < 2 * n; i++) {
		uint32_t max = i % 2 ? out->mode.vdisplay : out->mode.hdisplay;

		if (parse_uint(o->args[1 + i], max ? max - 1 : 0, &xy[i]))
			return fail(0, "cursor position outside the mode");
	}
	return n;
}

/**
 * cursor_run() - Set the cursor at the first position, move it to the
 *		  others, hold, hide it
 * @out:	The output
 * @o:		The command line
 * @c:		The cursor's buffer
 *
 * Return: 0, or -1 with a message
 */
static int cursor_run(struct gd_output *out, const struct gd_opts *o,
		      struct gd_dumb *c)
{
	uint32_t xy[2 * GD_MAX_MOVES];
	int i, n = parse_moves(o, out, xy);

	if (n < 0)
		return -1;
	printf("gpu-draw: cursor %u,%u hot %u,%u\n", xy[0], xy[1], o->hot_x,
	       o->hot_y);
	if (cursor_set(out, o, c->handle, (int32_t)xy[0], (int32_t)xy[1]))
		return -1;
	for (i = 1; i < n; i++)
		if (cursor_move(out, (int32_t)xy[2 * i], (int32_t)xy[2 * i + 1]))
			return -1;
	if (hold(o))
		return -1;
	printf("gpu-draw: cursor hidden\n");
	return cursor_set(out, o, 0, 0, 0);
}

/**
 * cmd_cursor() - "cursor X Y [X Y]...": scan out --pattern, then a 64x64
 *		  ARGB cursor set, moved and hidden
 * @o:		The command line
 *
 * Return: 0, or -1 with a message
 */
static int cmd_cursor(const struct gd_opts *o)
{
	struct gd_dumb d = { 0 }, c = { 0 };
	struct gd_output out;
	int rc = -1;

	if (open_output(&out))
		goto out;
	if (scanout_pattern(&out, o->pattern, &d) ||
	    dumb_create(out.fd, GD_CURSOR, GD_CURSOR, &c))
		goto out;
	cursor_image(&c);
	rc = cursor_run(&out, o, &c);
out:
	if (out.fd >= 0) {
		dumb_destroy(out.fd, &c);
		dumb_destroy(out.fd, &d);
		close(out.fd);
	}
	return rc;
}

/**
 * main() - Run the subcommand
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on success, 1 on failure
 */
int main(int argc, char **argv)
{
	struct gd_opts o;
	int rc;

	parse_opts(argc, argv, &o);
	if (!strcmp(o.args[0], "fb"))
		rc = cmd_fb(&o);
	else if (!strcmp(o.args[0], "dumb"))
		rc = cmd_dumb(&o);
	else if (!strcmp(o.args[0], "cursor"))
		rc = cmd_cursor(&o);
	else
		usage(1);
	printf("gpu-draw: released\n");
	return rc ? 1 : 0;
}
