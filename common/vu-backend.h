/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-backend.h - the vhost-user backend program conventions, once for every
 * daemon: --socket-path/--fd, --print-capabilities, --print-device-info,
 * --verbose, --version, SIGTERM/SIGINT and exit codes.
 */
#ifndef VU_BACKEND_H
#define VU_BACKEND_H

#include <glib.h>

#include "vu-device.h"

/**
 * struct vu_backend - what a daemon tells the conventions code about itself
 * @name:		Program name ("vhost-user-blk")
 * @type:		Descriptor type from the vhost-user.json schema ("block")
 * @summary:		One line for --help
 * @virtio_id:		Virtio device id, for --print-device-info
 * @min_queues:		Fewest queues the device can run with
 * @max_queues:		Most queues the device can be configured with
 * @config_size:	Config space size, for --print-device-info
 * @options:		Device options (NULL-terminated), or NULL
 * @features:		Fill @out with the --print-capabilities features; may
 *			probe the host (NULL: no features)
 * @setup:		After option parsing: open what the device needs and
 *			return the device to serve (NULL with @err set on error)
 * @teardown:		At exit: release what @setup acquired (may be NULL)
 */
struct vu_backend {
	const char *name;
	const char *type;
	const char *summary;
	uint32_t virtio_id;
	unsigned int min_queues;
	unsigned int max_queues;
	uint32_t config_size;
	GOptionEntry *options;
	void (*features)(GPtrArray *out);
	const struct vu_device *(*setup)(void **priv, GError **err);
	void (*teardown)(void *priv);
};

int vu_backend_main(const struct vu_backend *b, int argc, char **argv);
void vu_backend_quit(int status);
bool vu_backend_serve(const char *path, const struct vu_device *device,
		      void *priv, GError **err);

#endif /* VU_BACKEND_H */
