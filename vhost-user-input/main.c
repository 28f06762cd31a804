// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - vhost-user-input: the device options, their validation, and the
 * program conventions of common/vu-backend.c around the input device.
 */
#include <string.h>

#include <glib.h>

#include "input-int.h"
#include "vu-backend.h"

#define INPUT_MAX_EVENTS_DEFAULT	1024
#define INPUT_MAX_EVENTS_LIMIT		(1 << 20)

static char *opt_evdev_path;
static gboolean opt_no_grab;
static char *opt_virtual;
static char *opt_control;
static char *opt_name;
static int opt_max_events = INPUT_MAX_EVENTS_DEFAULT;

static GOptionEntry input_options[] = {
	{ "evdev-path", 0, 0, G_OPTION_ARG_FILENAME, &opt_evdev_path,
	  "Pass this evdev device through (/dev/input/eventN)", "PATH" },
	{ "no-grab", 0, 0, G_OPTION_ARG_NONE, &opt_no_grab,
	  "Do not take the evdev device exclusively", NULL },
	{ "virtual", 0, 0, G_OPTION_ARG_STRING, &opt_virtual,
	  "Serve a virtual device: keyboard, mouse, tablet or touchscreen",
	  "TYPE" },
	{ "control", 0, 0, G_OPTION_ARG_FILENAME, &opt_control,
	  "Control socket of the virtual device (JSON events, one per line)",
	  "PATH" },
	/* FILENAME: taken as bytes, whatever the locale (names are bytes) */
	{ "name", 0, 0, G_OPTION_ARG_FILENAME, &opt_name,
	  "Name of the virtual device", "STR" },
	{ "max-events", 0, 0, G_OPTION_ARG_INT, &opt_max_events,
	  "Events buffered while the guest posts no buffers (default 1024); "
	  "beyond, the oldest whole frames are dropped", "N" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/**
 * input_bad_option() - Set the error for an invalid option combination
 * @err:	Error to set
 * @msg:	What is wrong
 *
 * Return: false
 */
static bool input_bad_option(GError **err, const char *msg)
{
	g_set_error_literal(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
	return false;
}

/**
 * input_parse_options() - Validate the device options
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if they are usable
 */
static bool input_parse_options(struct input_opts *o, GError **err)
{
	memset(o, 0, sizeof(*o));
	if (!!opt_evdev_path == !!opt_virtual)
		return input_bad_option(err, "exactly one of --evdev-path and "
					"--virtual is required");
	if (opt_virtual && !opt_control)
		return input_bad_option(err, "--virtual needs --control=PATH");
	if (opt_evdev_path && (opt_control || opt_name))
		return input_bad_option(err, "--control and --name are for "
					"--virtual only");
	if (opt_virtual && opt_no_grab)
		return input_bad_option(err, "--no-grab is for --evdev-path "
					"only");
	if (opt_max_events < 1 || opt_max_events > INPUT_MAX_EVENTS_LIMIT)
		return input_bad_option(err, "--max-events must be 1 to "
					"1048576");
	o->evdev_path = opt_evdev_path;
	o->no_grab = opt_no_grab;
	o->virtual_type = opt_virtual;
	o->control = opt_control;
	o->name = opt_name;
	o->max_events = (unsigned int)opt_max_events;
	return true;
}

/**
 * input_features() - --print-capabilities features
 * @out:	Array of g_malloc'ed strings to fill
 *
 * Only the schema's names: the virtual mode has none a client could use.
 */
static void input_features(GPtrArray *out)
{
	g_ptr_array_add(out, g_strdup("evdev-path"));
	g_ptr_array_add(out, g_strdup("no-grab"));
}

/**
 * input_setup() - Check the options, open the source, build the device
 * @priv:	Set to the struct input
 * @err:	Error
 *
 * Return: the device to serve, or NULL with @err set
 */
static const struct vu_device *input_setup(void **priv, GError **err)
{
	struct input_opts o;
	struct input *in;

	if (!input_parse_options(&o, err))
		return NULL;
	in = input_new(&o, err);
	if (!in)
		return NULL;
	*priv = in;
	return &in->device;
}

/**
 * input_teardown() - Release the device
 * @priv:	The struct input from input_setup()
 */
static void input_teardown(void *priv)
{
	input_free(priv);
}

static const struct vu_backend input_backend = {
	.name = "vhost-user-input",
	.type = "input",
	.summary = "vhost-user input device back-end: an evdev device passed "
		   "through, or a virtual keyboard, mouse, tablet or "
		   "touchscreen driven through a control socket.",
	.virtio_id = VIRTIO_ID_INPUT,
	.min_queues = INPUT_NUM_QUEUES,
	.max_queues = INPUT_NUM_QUEUES,
	.config_size = INPUT_CFG_SIZE,
	.options = input_options,
	.features = input_features,
	.setup = input_setup,
	.teardown = input_teardown,
};

/**
 * main() - Run the input device daemon
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status (1 also when the evdev device disappears)
 */
int main(int argc, char **argv)
{
	int ret = vu_backend_main(&input_backend, argc, argv);

	g_free(opt_evdev_path);
	g_free(opt_virtual);
	g_free(opt_control);
	g_free(opt_name);
	return ret;
}
