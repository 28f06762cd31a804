// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - vhost-user-blk: the device options, their validation, and the
 * program conventions of common/vu-backend.c around the block device.
 */
#include <string.h>

#include <glib.h>

#include "blk-int.h"
#include "vu-backend.h"

static char *opt_blk_file;
static gboolean opt_read_only;
static char *opt_serial;
static int opt_num_queues = -1;
static char *opt_cache;
static char *opt_io;
static int opt_blk_size = BLK_SECTOR;
static gboolean opt_watch;
static int opt_poll_us;

static GOptionEntry blk_options[] = {
	{ "blk-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_blk_file,
	  "Image file or block device to serve (required)", "PATH" },
	{ "read-only", 0, 0, G_OPTION_ARG_NONE, &opt_read_only,
	  "Open it read-only and offer a read-only disk", NULL },
	{ "serial", 0, 0, G_OPTION_ARG_STRING, &opt_serial,
	  "Disk serial (GET_ID); its first 20 bytes are used", "STR" },
	{ "num-queues", 0, 0, G_OPTION_ARG_INT, &opt_num_queues,
	  "Request queues, 1-64 (default: one per online CPU)", "N" },
	{ "cache", 0, 0, G_OPTION_ARG_STRING, &opt_cache,
	  "none (O_DIRECT, the default) or writeback (host page cache)",
	  "MODE" },
	{ "io", 0, 0, G_OPTION_ARG_STRING, &opt_io,
	  "I/O engine: io_uring (default) or threads", "ENGINE" },
	{ "logical-block-size", 0, 0, G_OPTION_ARG_INT, &opt_blk_size,
	  "Logical block size: 512 (default), 1024, 2048 or 4096", "N" },
	{ "watch", 0, 0, G_OPTION_ARG_NONE, &opt_watch,
	  "Check the backing size every second (SIGHUP always does)", NULL },
	{ "poll-us", 0, 0, G_OPTION_ARG_INT, &opt_poll_us,
	  "Busy-poll idle rings up to N microseconds (0-1000000, default 0: "
	  "off)", "N" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/**
 * blk_bad_option() - Set the error for an invalid option value
 * @err:	Error to set
 * @msg:	What is wrong
 *
 * Return: false
 */
static bool blk_bad_option(GError **err, const char *msg)
{
	g_set_error_literal(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
	return false;
}

/**
 * blk_parse_modes() - Check --cache and --io
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if both are valid
 */
static bool blk_parse_modes(struct blk_opts *o, GError **err)
{
	if (!opt_cache || !strcmp(opt_cache, "none"))
		o->cache = BLK_CACHE_NONE;
	else if (!strcmp(opt_cache, "writeback"))
		o->cache = BLK_CACHE_WRITEBACK;
	else
		return blk_bad_option(err,
			"--cache must be 'none' or 'writeback'");
	if (!opt_io || !strcmp(opt_io, "io_uring"))
		o->io = &blk_io_uring_ops;
	else if (!strcmp(opt_io, "threads"))
		o->io = &blk_io_threads_ops;
	else
		return blk_bad_option(err,
			"--io must be 'io_uring' or 'threads'");
	return true;
}

/**
 * blk_parse_options() - Validate the device options
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if they are usable
 */
static bool blk_parse_options(struct blk_opts *o, GError **err)
{
	memset(o, 0, sizeof(*o));
	if (!opt_blk_file || !*opt_blk_file)
		return blk_bad_option(err, "--blk-file is required");
	if (opt_num_queues != -1 &&
	    (opt_num_queues < 1 || opt_num_queues > BLK_MAX_QUEUES))
		return blk_bad_option(err, "--num-queues must be 1 to 64");
	if (opt_blk_size != 512 && opt_blk_size != 1024 &&
	    opt_blk_size != 2048 && opt_blk_size != 4096)
		return blk_bad_option(err,
			"--logical-block-size must be 512, 1024, 2048 or 4096");
	if (opt_poll_us < 0 || opt_poll_us > 1000000)
		return blk_bad_option(err, "--poll-us must be 0 to 1000000");
	if (!blk_parse_modes(o, err))
		return false;
	o->path = opt_blk_file;
	o->read_only = opt_read_only;
	o->serial = opt_serial;
	o->num_queues = opt_num_queues > 0 ? opt_num_queues : 0;
	o->blk_size = opt_blk_size;
	o->watch = opt_watch;
	o->poll_us = (unsigned int)opt_poll_us;
	return true;
}

/**
 * blk_features() - --print-capabilities features
 * @out:	Array of g_malloc'ed strings to fill
 */
static void blk_features(GPtrArray *out)
{
	g_ptr_array_add(out, g_strdup("read-only"));
	g_ptr_array_add(out, g_strdup("blk-file"));
}

/**
 * blk_setup() - Check the options, open the backing, build the device
 * @priv:	Set to the struct blk
 * @err:	Error
 *
 * Return: the device to serve, or NULL with @err set
 */
static const struct vu_device *blk_setup(void **priv, GError **err)
{
	struct blk_opts o;
	struct blk *blk;

	if (!blk_parse_options(&o, err))
		return NULL;
	blk = blk_new(&o, err);
	if (!blk)
		return NULL;
	*priv = blk;
	return &blk->device;
}

/**
 * blk_teardown() - Release the device
 * @priv:	The struct blk from blk_setup()
 */
static void blk_teardown(void *priv)
{
	blk_free(priv);
}

static const struct vu_backend blk_backend = {
	.name = "vhost-user-blk",
	.type = "block",
	.summary = "vhost-user block device back-end serving an image file "
		   "or a block device.",
	.virtio_id = VIRTIO_ID_BLOCK,
	.min_queues = 1,
	.max_queues = BLK_MAX_QUEUES,
	.config_size = sizeof(struct virtio_blk_config),
	.options = blk_options,
	.features = blk_features,
	.setup = blk_setup,
	.teardown = blk_teardown,
};

/**
 * main() - Run the block device daemon
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	int ret = vu_backend_main(&blk_backend, argc, argv);

	g_free(opt_blk_file);
	g_free(opt_serial);
	g_free(opt_cache);
	g_free(opt_io);
	return ret;
}
