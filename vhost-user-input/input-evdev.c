// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-evdev.c - the evdev source: a host /dev/input/eventN read with
 * libevdev on the input thread, taken exclusively unless --no-grab, whole
 * SYN_REPORT frames handed to the event ring; LED and sound status events
 * from the driver written back to it. The device going away ends the
 * daemon with status 1, for the management layer to restart it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>

#include "input-int.h"
#include "vu-backend.h"

/* Events read per wake-up before the thread looks at its loop again */
#define EVDEV_READ_BATCH	1024

/**
 * struct input_evdev - the evdev source's state
 * @fd:		The device node, non-blocking
 * @evdev:	libevdev's handle on @fd
 * @path:	The node's path (for messages)
 * @grabbed:	We hold EVIOCGRAB
 * @writable:	@fd is open for writing (status events)
 * @syncing:	Reading the events that resynchronise after SYN_DROPPED
 * @skipping:	Dropping the rest of an overlong frame, up to its SYN_REPORT
 * @src:	Watch on @fd in the input thread's context
 * @frame:	The frame being assembled (struct vinput_event)
 * @long_logged: An overlong frame was logged already
 * @write_logged: A failed status write was logged already
 */
struct input_evdev {
	int fd;
	struct libevdev *evdev;
	const char *path;
	bool grabbed;
	bool writable;
	bool syncing;
	bool skipping;
	GSource *src;
	GArray *frame;
	bool long_logged;
	bool write_logged;
};

/**
 * evdev_add() - Add one event to the frame; a SYN_REPORT commits it
 * @in:		Instance
 * @e:		Source state
 * @ie:		Event read
 */
static void evdev_add(struct input *in, struct input_evdev *e,
		      const struct input_event *ie)
{
	struct vinput_event ev = {
		.type = ie->type, .code = ie->code, .value = ie->value,
	};
	bool syn = ev.type == EV_SYN && ev.code == SYN_REPORT;

	/* LEDs and sounds are outputs: what we read back is our own write */
	if (ev.type == EV_LED || ev.type == EV_SND)
		return;
	if (ev.type != EV_SYN && !input_desc_has_code(&in->desc, ev.type,
						      ev.code))
		return;

	if (e->skipping) {
		e->skipping = !syn;
		return;
	}
	/* An empty frame says nothing (our LED's SYN_REPORT comes back so) */
	if (syn && !e->frame->len)
		return;
	if (!syn && e->frame->len + 1 >= in->opts.max_events) {
		/* Even with its SYN_REPORT it could not be buffered */
		if (!e->long_logged)
			g_warning("%s: frame longer than %u events dropped",
				  e->path, in->opts.max_events);
		e->long_logged = true;
		g_array_set_size(e->frame, 0);
		e->skipping = true;
		return;
	}
	g_array_append_val(e->frame, ev);
	if (syn) {
		input_commit(in, (const struct vinput_event *)e->frame->data,
			     e->frame->len);
		g_array_set_size(e->frame, 0);
	}
}

/**
 * evdev_gone() - The device failed: log, end the daemon with status 1
 * @e:		Source state
 * @rc:		The negative errno libevdev returned, or 0 for a hang-up
 *
 * Return: G_SOURCE_REMOVE (never poll a dead fd again)
 */
static gboolean evdev_gone(struct input_evdev *e, int rc)
{
	if (rc == -ENODEV || rc == 0)
		g_warning("%s: input device disappeared (unplugged?), exiting",
			  e->path);
	else
		g_warning("%s: read failed: %s, exiting", e->path,
			  g_strerror(-rc));
	vu_backend_quit(1);
	return G_SOURCE_REMOVE;
}

/**
 * evdev_read_one() - Read one event and act on it
 * @in:		Instance
 * @e:		Source state
 *
 * Return: 1 when an event was read, 0 when none is left, or a negative
 * errno when the device failed
 */
static int evdev_read_one(struct input *in, struct input_evdev *e)
{
	unsigned int flags = e->syncing ? LIBEVDEV_READ_FLAG_SYNC :
					  LIBEVDEV_READ_FLAG_NORMAL;
	struct input_event ie;
	int rc = libevdev_next_event(e->evdev, flags, &ie);

	if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
		evdev_add(in, e, &ie);
		return 1;
	}
	if (rc == LIBEVDEV_READ_STATUS_SYNC) {
		if (!e->syncing) {
			/* SYN_DROPPED: the open frame is incomplete */
			g_debug("%s: events dropped, resynchronising",
				e->path);
			g_array_set_size(e->frame, 0);
			e->skipping = false;
			e->syncing = true;
		} else {
			evdev_add(in, e, &ie);
		}
		return 1;
	}
	if (rc == -EAGAIN && e->syncing) {
		e->syncing = false;
		return 1;
	}
	return rc == -EAGAIN ? 0 : (rc < 0 ? rc : -EIO);
}

/**
 * evdev_ready() - The device node is readable (or hung up)
 * @fd:		The node
 * @cond:	Condition
 * @data:	Instance
 *
 * Return: G_SOURCE_CONTINUE, or G_SOURCE_REMOVE once the device is gone
 */
static gboolean evdev_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct input *in = data;
	struct input_evdev *e = in->src_priv;
	unsigned int n;
	int r = 1;

	for (n = 0; n < EVDEV_READ_BATCH && r > 0; n++)
		r = evdev_read_one(in, e);
	if (r < 0)
		return evdev_gone(e, r);
	if (r == 0 && (cond & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)))
		return evdev_gone(e, 0);
	return G_SOURCE_CONTINUE;
}

/**
 * evdev_open_node() - Open the node, read-write if we may
 * @e:		Source state (@path set)
 * @err:	Error
 *
 * Return: true on success
 */
static bool evdev_open_node(struct input_evdev *e, GError **err)
{
	e->fd = open(e->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	e->writable = e->fd >= 0;
	if (e->fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS))
		e->fd = open(e->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (e->fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "cannot open %s: %s", e->path, g_strerror(errno));
		return false;
	}
	if (!e->writable)
		g_message("%s: read-only: LED and sound events from the guest "
			  "are dropped", e->path);
	return true;
}

/**
 * evdev_attach() - Wrap the node in libevdev and grab it
 * @e:		Source state (@fd open)
 * @grab:	Take it exclusively
 * @err:	Error
 *
 * Return: true on success
 */
static bool evdev_attach(struct input_evdev *e, bool grab, GError **err)
{
	int rc = libevdev_new_from_fd(e->fd, &e->evdev);

	if (rc < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(-rc),
			    "%s is not an evdev input device: %s", e->path,
			    g_strerror(-rc));
		return false;
	}
	if (!grab)
		return true;
	rc = libevdev_grab(e->evdev, LIBEVDEV_GRAB);
	if (rc < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(-rc),
			    "cannot grab %s (another program holds it; see "
			    "--no-grab): %s", e->path, g_strerror(-rc));
		return false;
	}
	e->grabbed = true;
	return true;
}

/**
 * input_evdev_open() - Open --evdev-path and describe it
 * @in:		Instance
 * @err:	Error
 *
 * Return: true on success (@in->src set; stop releases it either way)
 */
bool input_evdev_open(struct input *in, GError **err)
{
	struct input_evdev *e = g_new0(struct input_evdev, 1);

	e->path = in->opts.evdev_path;
	e->frame = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	in->src = &input_evdev_source;
	in->src_priv = e;
	if (!evdev_open_node(e, err) || !evdev_attach(e, !in->opts.no_grab,
						      err))
		return false;
	input_desc_from_evdev(&in->desc, e->evdev);
	g_message("%s: \"%s\" bus 0x%04x vendor 0x%04x product 0x%04x%s%s%s",
		  e->path, in->desc.name, in->desc.bustype, in->desc.vendor,
		  in->desc.product, *in->desc.phys ? " phys " : "",
		  in->desc.phys, e->grabbed ? ", grabbed" : "");
	return true;
}

/**
 * evdev_start() - Watch the node on the input thread's context
 * @in:		Instance
 * @err:	Unused
 *
 * Return: true
 */
static bool evdev_start(struct input *in, GError **err)
{
	struct input_evdev *e = in->src_priv;

	e->src = g_unix_fd_source_new(e->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(e->src, G_SOURCE_FUNC(evdev_ready), in, NULL);
	g_source_attach(e->src, in->ctx);
	return true;
}

/**
 * evdev_status() - On the ring worker: write an LED/sound event back
 * @in:		Instance
 * @ev:		Event (type and code checked by input-dev.c)
 */
static void evdev_status(struct input *in, const struct vinput_event *ev)
{
	struct input_evdev *e = in->src_priv;
	struct input_event ie[2] = {
		{ .type = ev->type, .code = ev->code, .value = ev->value },
		{ .type = EV_SYN, .code = SYN_REPORT },
	};

	/* With its SYN_REPORT the kernel applies it now, not at the next frame */
	if (e->writable && write(e->fd, ie, sizeof(ie)) == sizeof(ie))
		return;
	if (!e->write_logged)
		g_warning("%s: cannot write status event: %s", e->path,
			  e->writable ? g_strerror(errno) : "opened read-only");
	e->write_logged = true;
}

/**
 * evdev_stop() - Release the grab, close the node
 * @in:		Instance (the input thread has ended)
 */
static void evdev_stop(struct input *in)
{
	struct input_evdev *e = in->src_priv;

	if (e->src) {
		g_source_destroy(e->src);
		g_source_unref(e->src);
	}
	if (e->grabbed)
		libevdev_grab(e->evdev, LIBEVDEV_UNGRAB);
	if (e->evdev)
		libevdev_free(e->evdev);
	if (e->fd >= 0)
		close(e->fd);
	g_array_free(e->frame, TRUE);
	g_free(e);
	in->src_priv = NULL;
}

const struct input_source input_evdev_source = {
	.start = evdev_start,
	.stop = evdev_stop,
	.status = evdev_status,
};
