/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input-int.h - vhost-user-input's daemon internals: the device instance,
 * its event source (an evdev node or the control socket of a virtual
 * device) and the thread that reads that source.
 *
 * Threads: the protocol runs on the main thread, both rings on one worker
 * (the core's), and the source on the input thread, which has a GLib main
 * context of its own. The source queues whole frames in @frames (under
 * @lock); while the event ring runs the input thread then delivers them
 * itself under the worker's lock, otherwise they wait, and a wake-up
 * eventfd the worker watches covers what is left over.
 */
#ifndef INPUT_INT_H
#define INPUT_INT_H

#include <gio/gio.h>
#include <glib.h>

#include "input.h"
#include "vu-device.h"

struct input;

/**
 * struct input_source - where events come from and status events go
 * @start:	On the input thread's context (not yet running): open
 *		watches; false with @err set on failure
 * @stop:	After the input thread ended: release everything
 * @status:	On the ring worker: a status event from the driver (already
 *		checked against the description)
 */
struct input_source {
	bool (*start)(struct input *in, GError **err);
	void (*stop)(struct input *in);
	void (*status)(struct input *in, const struct vinput_event *ev);
};

/**
 * struct input_opts - the device options
 * @evdev_path:	--evdev-path, or NULL
 * @no_grab:	--no-grab
 * @virtual_type: --virtual, or NULL
 * @control:	--control socket path (virtual mode)
 * @name:	--name (virtual mode), or NULL for the preset's
 * @max_events:	--max-events: bound of the frame buffer
 */
struct input_opts {
	const char *evdev_path;
	bool no_grab;
	const char *virtual_type;
	const char *control;
	const char *name;
	unsigned int max_events;
};

/**
 * struct input - the device instance (one per process)
 * @device:	What the core serves
 * @desc:	What the config space describes
 * @opts:	Options
 * @src:	The event source's operations
 * @src_priv:	The event source's state
 * @lock:	Protects @frames
 * @frames:	Committed frames not yet delivered
 * @wake_fd:	Eventfd: frames were committed (watched on the ring worker)
 * @watch:	The worker's watch on @wake_fd while the event ring runs
 * @dev:	The core's instance, known from the first callback
 * @direct_lock: Held by the input thread while it delivers itself; taken
 *		by the main thread to turn @direct off (lock order:
 *		@direct_lock, the worker's lock, @lock)
 * @direct:	The event ring runs: the input thread may deliver a frame
 *		itself under the worker's lock, saving the worker's wake-up
 * @select:	Config select (main thread)
 * @subsel:	Config subsel (main thread)
 * @short_logged: A too-short chain was logged already
 * @status_logged: A rejected status event was logged already
 * @ctx:	The input thread's main context
 * @loop:	The input thread's main loop
 * @thread:	The input thread
 */
struct input {
	struct vu_device device;
	struct input_desc desc;
	struct input_opts opts;
	const struct input_source *src;
	void *src_priv;
	GMutex lock;
	struct input_frames *frames;
	int wake_fd;
	void *watch;
	struct vu_dev *dev;
	GMutex direct_lock;
	gint direct;
	uint8_t select;
	uint8_t subsel;
	bool short_logged;
	bool status_logged;
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
};

/* input-dev.c */
struct input *input_new(const struct input_opts *o, GError **err);
void input_free(struct input *in);
void input_commit(struct input *in, const struct vinput_event *ev,
		  unsigned int n);

/* input-evdev.c */
extern const struct input_source input_evdev_source;
bool input_evdev_open(struct input *in, GError **err);

/* input-server.c */
extern const struct input_source input_server_source;
bool input_server_open(struct input *in, GError **err);

#endif /* INPUT_INT_H */
