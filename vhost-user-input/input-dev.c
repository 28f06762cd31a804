// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-dev.c - the vhost-user-input device: its struct vu_device, the
 * select/subsel config space, the hand-over of frames from the input thread
 * to the event ring, and the status ring.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include "input-int.h"
#include "vu-iov.h"
#include "vu-pool.h"

/* Events delivered per worker run before the rest is rescheduled */
#define INPUT_BATCH		256
/* Status events handled per worker run */
#define INPUT_STATUS_BATCH	256
/* Descriptors per chain looked at */
#define INPUT_IOV_MAX		16

/**
 * input_of() - The instance behind a core device
 * @dev:	Device
 *
 * Return: the struct input; also remembered for input_commit()
 */
static struct input *input_of(struct vu_dev *dev)
{
	struct input *in = vu_dev_priv(dev);

	in->dev = dev;
	return in;
}

/**
 * input_get_config() - get_config: the image of the current select/subsel
 * @dev:	Device
 * @buf:	Destination
 * @offset:	Offset in config space
 * @len:	Bytes
 *
 * Return: 0, or -EINVAL outside the 136 bytes
 */
static int input_get_config(struct vu_dev *dev, uint8_t *buf,
			    uint32_t offset, uint32_t len)
{
	struct input *in = input_of(dev);
	uint8_t img[INPUT_CFG_SIZE];

	if (offset > sizeof(img) || len > sizeof(img) - offset)
		return -EINVAL;
	input_config_image(&in->desc, in->select, in->subsel, img);
	memcpy(buf, img + offset, len);
	return 0;
}

/**
 * input_set_config() - set_config: the driver writes select and subsel
 * @dev:	Device
 * @buf:	Bytes written
 * @offset:	Offset in config space
 * @len:	Bytes
 * @flags:	Ignored
 *
 * QEMU writes the whole 136 bytes whenever the driver writes one; only
 * bytes 0 and 1 are writable, the rest is ignored.
 *
 * Return: 0, or -EINVAL outside the 136 bytes
 */
static int input_set_config(struct vu_dev *dev, const uint8_t *buf,
			    uint32_t offset, uint32_t len, uint32_t flags)
{
	struct input *in = input_of(dev);

	if (offset > INPUT_CFG_SIZE || len > INPUT_CFG_SIZE - offset)
		return -EINVAL;
	if (offset == 0 && len > 0)
		in->select = buf[0];
	if (offset <= 1 && offset + len > 1)
		in->subsel = buf[1 - offset];
	return 0;
}

/**
 * input_event_pack() - The virtio layout of an event
 * @ev:		Event
 * @out:	8 bytes: le16 type, le16 code, le32 value
 */
static void input_event_pack(const struct vinput_event *ev, uint8_t *out)
{
	uint16_t t = GUINT16_TO_LE(ev->type), c = GUINT16_TO_LE(ev->code);
	uint32_t v = GUINT32_TO_LE((uint32_t)ev->value);

	memcpy(out, &t, 2);
	memcpy(out + 2, &c, 2);
	memcpy(out + 4, &v, 4);
}

/**
 * input_event_unpack() - An event from its virtio layout
 * @in:		8 bytes
 * @ev:		Event to fill
 */
static void input_event_unpack(const uint8_t *in, struct vinput_event *ev)
{
	uint16_t t, c;
	uint32_t v;

	memcpy(&t, in, 2);
	memcpy(&c, in + 2, 2);
	memcpy(&v, in + 4, 4);
	ev->type = GUINT16_FROM_LE(t);
	ev->code = GUINT16_FROM_LE(c);
	ev->value = (int32_t)GUINT32_FROM_LE(v);
}

/**
 * input_put_event() - Put one event into the next event-ring buffer
 * @in:		Instance (its lock held)
 * @vq:		Event ring (its worker's lock held)
 * @ev:		Event
 *
 * Return: 1 when delivered, 0 when the guest posted no buffer, -1 when the
 * chain was too short for an event (returned empty; the event stays)
 */
static int input_put_event(struct input *in, struct vu_queue *vq,
			   const struct vinput_event *ev)
{
	struct iovec iov[INPUT_IOV_MAX];
	struct vu_elem elem = { .iov = iov, .iov_max = INPUT_IOV_MAX };
	uint8_t raw[INPUT_EVENT_SIZE];

	if (vu_queue_pop(vq, &elem) <= 0)
		return 0;
	input_event_pack(ev, raw);
	if (vu_iov_from_buf(iov + elem.out_num, elem.in_num, 0, raw,
			    sizeof(raw)) < sizeof(raw)) {
		if (!in->short_logged)
			g_warning("event ring: chain %u has fewer than 8 "
				  "writable bytes; returned empty", elem.id);
		in->short_logged = true;
		vu_queue_push(vq, &elem, 0);
		return -1;
	}
	vu_queue_push(vq, &elem, sizeof(raw));
	return 1;
}

/**
 * input_deliver() - Move committed events into the event ring
 * @in:		Instance
 * @dev:	Device
 * @vq:		Event ring (on its worker, lock held)
 *
 * At most INPUT_BATCH chains per run; the rest is rescheduled. One guest
 * notification per run.
 */
static void input_deliver(struct input *in, struct vu_dev *dev,
			  struct vu_queue *vq)
{
	struct vinput_event ev;
	unsigned int n = 0;
	int r = 1;

	if (!vq->started || !vq->enabled || vq->broken)
		return;
	g_mutex_lock(&in->lock);
	while (n < INPUT_BATCH && input_frames_peek(in->frames, &ev)) {
		r = input_put_event(in, vq, &ev);
		if (r == 0)
			break;
		if (r > 0)
			input_frames_pop(in->frames);
		n++;
	}
	g_mutex_unlock(&in->lock);
	if (n)
		vu_dev_complete(dev, vq);
	if (n == INPUT_BATCH && r != 0)
		vu_dev_kick(dev, vq);
}

/**
 * input_status_ok() - Whether a status event may reach the source
 * @in:		Instance
 * @ev:		Event from the driver
 *
 * Only LEDs and sounds the device has: the guest must not inject keys or
 * other events into a host device.
 *
 * Return: true if it may
 */
static bool input_status_ok(const struct input *in,
			    const struct vinput_event *ev)
{
	if (ev->type != EV_LED && ev->type != EV_SND)
		return false;
	return input_desc_has_code(&in->desc, ev->type, ev->code);
}

/**
 * input_status_one() - Handle one status-ring chain
 * @in:		Instance
 * @elem:	The chain (popped)
 */
static void input_status_one(struct input *in, const struct vu_elem *elem)
{
	uint8_t raw[INPUT_EVENT_SIZE];
	struct vinput_event ev;

	if (vu_iov_to_buf(elem->iov, elem->out_num, 0, raw, sizeof(raw)) <
	    sizeof(raw)) {
		if (!in->status_logged)
			g_warning("status ring: chain %u shorter than an "
				  "event; ignored", elem->id);
		in->status_logged = true;
		return;
	}
	input_event_unpack(raw, &ev);
	/* Linux echoes MSC_SCAN and sets repeat rates here: not for the host */
	if (ev.type == EV_SYN || ev.type == EV_MSC || ev.type == EV_REP)
		return;
	if (!input_status_ok(in, &ev)) {
		if (!in->status_logged)
			g_warning("status ring: event type %u code %u is not "
				  "an LED or sound of this device; ignored",
				  ev.type, ev.code);
		in->status_logged = true;
		return;
	}
	in->src->status(in, &ev);
}

/**
 * input_status() - Drain the status ring
 * @in:		Instance
 * @dev:	Device
 * @vq:		Status ring (on its worker, lock held)
 */
static void input_status(struct input *in, struct vu_dev *dev,
			 struct vu_queue *vq)
{
	struct iovec iov[INPUT_IOV_MAX];
	struct vu_elem elem;
	unsigned int n;

	for (n = 0; n < INPUT_STATUS_BATCH; n++) {
		elem.iov = iov;
		elem.iov_max = INPUT_IOV_MAX;
		if (vu_queue_pop(vq, &elem) <= 0)
			break;
		input_status_one(in, &elem);
		vu_queue_push(vq, &elem, 0);
	}
	if (n)
		vu_dev_complete(dev, vq);
	if (n == INPUT_STATUS_BATCH)
		vu_dev_kick(dev, vq);
}

/**
 * input_queue_kicked() - queue_kicked: buffers posted or status sent
 * @dev:	Device
 * @vq:		Queue
 */
static void input_queue_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	struct input *in = input_of(dev);

	if (vq->index == INPUT_QUEUE_EVENT)
		input_deliver(in, dev, vq);
	else if (vq->index == INPUT_QUEUE_STATUS)
		input_status(in, dev, vq);
}

/**
 * input_woken() - Watch callback: the input thread committed frames
 * @dev:	Device
 * @vq:		Event ring
 * @data:	Instance
 */
static void input_woken(struct vu_dev *dev, struct vu_queue *vq, void *data)
{
	struct input *in = data;
	uint64_t v;

	if (read(in->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		g_debug("wake eventfd: %s", g_strerror(errno));
	input_deliver(in, dev, vq);
}

/**
 * input_queue_started() - queue_started: watch the wake-up eventfd
 * @dev:	Device
 * @vq:		Queue (protocol thread, its worker paused)
 *
 * The core kicks the ring right after this, which delivers what waits.
 */
static void input_queue_started(struct vu_dev *dev, struct vu_queue *vq)
{
	struct input *in = input_of(dev);

	if (vq->index != INPUT_QUEUE_EVENT || in->watch)
		return;
	in->watch = vu_dev_watch_fd(dev, vq, in->wake_fd, input_woken, in);
	/* Not under direct_lock: we hold the worker's lock (lock order) */
	g_atomic_int_set(&in->direct, 1);
}

/**
 * input_queue_stopped() - queue_stopped: stop watching the eventfd
 * @dev:	Device
 * @vq:		Queue
 *
 * Undelivered frames stay buffered for the next start.
 */
static void input_queue_stopped(struct vu_dev *dev, struct vu_queue *vq)
{
	struct input *in = input_of(dev);

	if (vq->index != INPUT_QUEUE_EVENT)
		return;
	/* Waits for a delivery of the input thread to end */
	g_mutex_lock(&in->direct_lock);
	g_atomic_int_set(&in->direct, 0);
	g_mutex_unlock(&in->direct_lock);
	vu_dev_unwatch_fd(dev, in->watch);
	in->watch = NULL;
}

/**
 * input_reset() - reset: the driver starts over
 * @dev:	Device
 *
 * Frames buffered for the previous driver are dropped: a new driver must
 * not see a stale key press.
 */
static void input_reset(struct vu_dev *dev)
{
	struct input *in = input_of(dev);

	in->select = 0;
	in->subsel = 0;
	g_mutex_lock(&in->lock);
	input_frames_clear(in->frames);
	g_mutex_unlock(&in->lock);
}

/**
 * input_queue_worker() - queue_worker: both rings on one worker
 * @dev:	Device
 * @q:		Queue index
 *
 * Return: 0
 */
static unsigned int input_queue_worker(struct vu_dev *dev, unsigned int q)
{
	return 0;
}

/**
 * input_deliver_now() - From the input thread: deliver under the worker's
 * lock instead of waking the worker
 * @in:		Instance
 *
 * One thread hop less between an event and the ring. The event ring's
 * queue_stopped turns this off under @direct_lock before the ring (or the
 * worker) goes away.
 *
 * Return: true if it ran, false if the ring does not run
 */
static bool input_deliver_now(struct input *in)
{
	struct vu_queue *vq;
	bool ran = false;

	g_mutex_lock(&in->direct_lock);
	if (g_atomic_int_get(&in->direct)) {
		vq = vu_dev_queue(in->dev, INPUT_QUEUE_EVENT);
		vu_dev_lock_queue(in->dev, vq);
		input_deliver(in, in->dev, vq);
		vu_dev_unlock_queue(in->dev, vq);
		ran = true;
	}
	g_mutex_unlock(&in->direct_lock);
	return ran;
}

/**
 * input_commit() - From the input thread: queue a whole frame and deliver
 * it (or wake the event ring's worker)
 * @in:		Instance
 * @ev:		Events, the last a SYN_REPORT
 * @n:		How many
 */
void input_commit(struct input *in, const struct vinput_event *ev,
		  unsigned int n)
{
	static const uint64_t one = 1;
	uint64_t before;
	bool queued;

	g_mutex_lock(&in->lock);
	before = input_frames_dropped(in->frames);
	queued = input_frames_commit(in->frames, ev, n);
	if (input_frames_dropped(in->frames) != before)
		g_debug("frame buffer full: %" G_GUINT64_FORMAT " frames "
			"dropped so far", input_frames_dropped(in->frames));
	g_mutex_unlock(&in->lock);
	if (!queued || input_deliver_now(in))
		return;
	if (write(in->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		g_warning("wake eventfd: %s", g_strerror(errno));
}

/**
 * input_fill_device() - The struct vu_device of an instance
 * @in:		Instance
 */
static void input_fill_device(struct input *in)
{
	struct vu_device *d = &in->device;

	d->name = "vhost-user-input";
	d->virtio_id = VIRTIO_ID_INPUT;
	d->num_queues = INPUT_NUM_QUEUES;
	d->max_queue_size = 1024;
	d->features = 0;
	d->protocol_features = 1ull << VU_PF_CONFIG;
	d->config_size = INPUT_CFG_SIZE;
	d->queue_worker = input_queue_worker;
	d->get_config = input_get_config;
	d->set_config = input_set_config;
	d->queue_started = input_queue_started;
	d->queue_stopped = input_queue_stopped;
	d->queue_kicked = input_queue_kicked;
	d->reset = input_reset;
}

/**
 * input_open_source() - Open the evdev device or the control socket
 * @in:		Instance
 * @err:	Error
 *
 * Return: true on success (@in->desc filled)
 */
static bool input_open_source(struct input *in, GError **err)
{
	if (in->opts.evdev_path)
		return input_evdev_open(in, err);
	if (!input_desc_virtual(&in->desc, in->opts.virtual_type, err))
		return false;
	if (in->opts.name)
		g_strlcpy(in->desc.name, in->opts.name, sizeof(in->desc.name));
	return input_server_open(in, err);
}

/**
 * input_new() - Open the source, build the device, start the input thread
 * @o:		Options (checked by main.c; strings must outlive the instance)
 * @err:	Error
 *
 * Return: the instance, or NULL with @err set
 */
struct input *input_new(const struct input_opts *o, GError **err)
{
	struct input *in = g_new0(struct input, 1);

	in->opts = *o;
	g_mutex_init(&in->lock);
	g_mutex_init(&in->direct_lock);
	in->frames = input_frames_new(o->max_events);
	in->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	in->ctx = g_main_context_new();
	in->loop = g_main_loop_new(in->ctx, FALSE);
	input_desc_init(&in->desc);
	if (in->wake_fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "eventfd: %s", g_strerror(errno));
		input_free(in);
		return NULL;
	}
	if (!input_open_source(in, err) || !in->src->start(in, err)) {
		input_free(in);
		return NULL;
	}
	input_fill_device(in);
	in->thread = g_thread_new("input", vu_loop_thread_main, in->loop);
	return in;
}

/**
 * input_free() - Stop the input thread, close the source, free
 * @in:		Instance, may be NULL
 */
void input_free(struct input *in)
{
	if (!in)
		return;
	if (in->thread)
		vu_loop_thread_stop(in->loop, in->thread);
	if (in->src)
		in->src->stop(in);
	g_main_loop_unref(in->loop);
	g_main_context_unref(in->ctx);
	if (in->wake_fd >= 0)
		close(in->wake_fd);
	input_frames_free(in->frames);
	g_mutex_clear(&in->lock);
	g_mutex_clear(&in->direct_lock);
	g_free(in);
}
