// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - vhost-user-gpu: the device options, their validation, the
 * --print-capabilities features, and the program conventions of
 * common/vu-backend.c around the gpu device.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "gpu-int.h"
#include "vu-backend.h"

#define GPU_DEFAULT_WIDTH	1280
#define GPU_DEFAULT_HEIGHT	800
#define GPU_DEFAULT_HOSTMEM	(256ull << 20)

static gboolean opt_virgl;
static char *opt_render_node;
static int opt_outputs = 1;
static char *opt_resolution;
static char *opt_max_hostmem;

static GOptionEntry gpu_options[] = {
	{ "virgl", 0, 0, G_OPTION_ARG_NONE, &opt_virgl,
	  "3D through virglrenderer (on the render node, else on Mesa's "
	  "software renderer)", NULL },
	{ "render-node", 0, 0, G_OPTION_ARG_FILENAME, &opt_render_node,
	  "DRM render node for virgl (default: the first that works; "
	  "unused without --virgl)", "PATH" },
	{ "outputs", 0, 0, G_OPTION_ARG_INT, &opt_outputs,
	  "Heads, 1 to 16 (default 1)", "N" },
	{ "resolution", 0, 0, G_OPTION_ARG_STRING, &opt_resolution,
	  "Preferred size of each head, or one for all (default 1280x800)",
	  "WxH[,WxH...]" },
	{ "max-hostmem", 0, 0, G_OPTION_ARG_STRING, &opt_max_hostmem,
	  "Host memory the guest may have us allocate for resources, with "
	  "K, M or G (default 256M)", "SIZE" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/**
 * gpu_bad_option() - Set the error for an invalid option
 * @err:	Error to set
 * @msg:	What is wrong
 *
 * Return: false
 */
static bool gpu_bad_option(GError **err, const char *msg)
{
	g_set_error_literal(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
	return false;
}

/**
 * gpu_parse_size() - Parse "WxH", each 1 to 4095
 * @s:		Text
 * @w:		Width
 * @h:		Height
 *
 * Return: true if valid
 */
static bool gpu_parse_size(const char *s, uint32_t *w, uint32_t *h)
{
	char *end;
	unsigned long x, y;

	x = strtoul(s, &end, 10);
	if (end == s || *end != 'x')
		return false;
	s = end + 1;
	y = strtoul(s, &end, 10);
	if (end == s || *end)
		return false;
	if (x < 1 || y < 1 || x > 4095 || y > 4095)
		return false;
	*w = (uint32_t)x;
	*h = (uint32_t)y;
	return true;
}

/**
 * gpu_parse_resolution() - --resolution: one size for all heads, or one
 * per head
 * @o:		Options (outputs set)
 * @err:	Error
 *
 * Return: true if valid
 */
static bool gpu_parse_resolution(struct gpu_opts *o, GError **err)
{
	char **v = g_strsplit(opt_resolution ? opt_resolution : "", ",", -1);
	unsigned int n = g_strv_length(v), i;
	bool ok = true;

	for (i = 0; i < o->outputs; i++) {
		o->width[i] = GPU_DEFAULT_WIDTH;
		o->height[i] = GPU_DEFAULT_HEIGHT;
	}
	if (opt_resolution && n != 1 && n != o->outputs)
		ok = gpu_bad_option(err, "--resolution needs one size, or one "
				    "per head");
	for (i = 0; ok && opt_resolution && i < o->outputs; i++)
		if (!gpu_parse_size(v[n == 1 ? 0 : i], &o->width[i],
				    &o->height[i]))
			ok = gpu_bad_option(err, "--resolution: sizes are WxH, "
					    "1 to 4095 each");
	g_strfreev(v);
	return ok;
}

/**
 * gpu_parse_hostmem() - --max-hostmem: bytes with an optional K, M, G
 * @o:		Options
 * @err:	Error
 *
 * Return: true if valid (at least 1 MiB)
 */
static bool gpu_parse_hostmem(struct gpu_opts *o, GError **err)
{
	const char *s = opt_max_hostmem;
	unsigned long long v, mul = 1;
	char *end;

	o->max_hostmem = GPU_DEFAULT_HOSTMEM;
	if (!s)
		return true;
	v = strtoull(s, &end, 10);
	if (end == s)
		return gpu_bad_option(err, "--max-hostmem: a size is needed");
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ull << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30;
	else if (*end)
		return gpu_bad_option(err, "--max-hostmem: suffixes are K, M, "
				      "G");
	if (*end && end[1])
		return gpu_bad_option(err, "--max-hostmem: trailing text");
	if (v > (1ull << 44) / mul || v * mul < (1ull << 20))
		return gpu_bad_option(err, "--max-hostmem: 1M to 16T");
	o->max_hostmem = v * mul;
	return true;
}

/**
 * gpu_parse_options() - Validate the device options
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if usable
 */
static bool gpu_parse_options(struct gpu_opts *o, GError **err)
{
	memset(o, 0, sizeof(*o));
	if (opt_outputs < 1 || opt_outputs > VIRTIO_GPU_MAX_SCANOUTS)
		return gpu_bad_option(err, "--outputs must be 1 to 16");
	/* libvirt passes a node whenever the host has one, 3D or not */
	if (opt_render_node && !opt_virgl)
		g_debug("--render-node without --virgl: not used");
	o->outputs = (unsigned int)opt_outputs;
	o->virgl = opt_virgl;
	o->render_node = opt_render_node;
	return gpu_parse_resolution(o, err) && gpu_parse_hostmem(o, err);
}

/**
 * gpu_features() - --print-capabilities features
 * @out:	Array of g_malloc'ed strings to fill
 *
 * Both depend on the host (gpu_virgl_features()): libvirt picks a render
 * node of its own for a daemon that claims "render-node", and fails the
 * domain where there is none.
 */
static void gpu_features(GPtrArray *out)
{
	gpu_virgl_features(out);
}

/**
 * gpu_setup() - Check the options, build the device
 * @priv:	Set to the struct gpu
 * @err:	Error
 *
 * Return: the device to serve, or NULL with @err set
 */
static const struct vu_device *gpu_setup(void **priv, GError **err)
{
	struct gpu_opts o;
	struct gpu *g;

	if (!gpu_parse_options(&o, err))
		return NULL;
	g = gpu_new(&o, err);
	if (!g)
		return NULL;
	*priv = g;
	return &g->device;
}

/**
 * gpu_teardown() - Release the device
 * @priv:	The struct gpu from gpu_setup()
 */
static void gpu_teardown(void *priv)
{
	gpu_free(priv);
}

static const struct vu_backend gpu_backend = {
	.name = "vhost-user-gpu",
	.type = "gpu",
	.summary = "vhost-user GPU device back-end: virtio-gpu 2D with "
		   "several heads and EDID, and 3D through virglrenderer "
		   "(--virgl), shown through the front-end's display.",
	.virtio_id = VIRTIO_ID_GPU,
	.min_queues = GPU_NUM_QUEUES,
	.max_queues = GPU_NUM_QUEUES,
	.config_size = GPU_CFG_SIZE,
	.options = gpu_options,
	.features = gpu_features,
	.setup = gpu_setup,
	.teardown = gpu_teardown,
};

/**
 * main() - Run the gpu device daemon
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	int ret;

	/* The --virgl check runs this program again (gpu-virgl-probe.c) */
	if (g_getenv(GPU_PROBE_ENV))
		return gpu_virgl_probe_main();
	ret = vu_backend_main(&gpu_backend, argc, argv);

	g_free(opt_render_node);
	g_free(opt_resolution);
	g_free(opt_max_hostmem);
	return ret;
}
