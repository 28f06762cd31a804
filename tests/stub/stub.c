// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stub.c - the stub device, a tiny echo device for the tests: every request's
 * out-buffer bytes are copied into its in buffers. Test-only, never installed.
 *
 * Config space (16 bytes, little-endian): bytes 0-7 count the completed
 * requests (read-only), bytes 8-15 are scratch the front-end may write.
 * RESET_DEVICE and disconnects zero both. The device state (DEVICE_STATE) is
 * the same 16 bytes.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "vu-backend.h"
#include "vu-device.h"

/* Not assigned by the virtio specification: nobody mistakes us for a device */
#define STUB_VIRTIO_ID		63
#define STUB_NUM_QUEUES		2
#define STUB_CONFIG_SIZE	16
#define STUB_SCRATCH_OFF	8
#define STUB_IOV_MAX		64
/* Longest a state transfer may stall before it is abandoned */
#define STUB_STATE_TIMEOUT_MS	5000

/**
 * struct stub - the stub device's state
 * @completed:	Requests completed (config bytes 0-7); workers add to it
 * @lock:	Protects @scratch
 * @scratch:	Config bytes 8-15
 * @delay_us:	--delay-us: sleep this long per request
 */
struct stub {
	_Atomic uint64_t completed;
	GMutex lock;
	uint8_t scratch[8];
	unsigned int delay_us;
};

static int stub_delay_us;

static GOptionEntry stub_options[] = {
	{ "delay-us", 0, 0, G_OPTION_ARG_INT, &stub_delay_us,
	  "Sleep N microseconds per request (to catch requests in flight)",
	  "N" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/**
 * stub_config_image() - Build the whole config space
 * @s:		Stub state
 * @img:	16 bytes to fill
 */
static void stub_config_image(struct stub *s, uint8_t *img)
{
	uint64_t le = GUINT64_TO_LE(atomic_load(&s->completed));

	memcpy(img, &le, sizeof(le));
	g_mutex_lock(&s->lock);
	memcpy(img + STUB_SCRATCH_OFF, s->scratch, sizeof(s->scratch));
	g_mutex_unlock(&s->lock);
}

/**
 * stub_get_config() - Read config space (the core checked the range)
 * @dev:	Device
 * @buf:	Destination
 * @offset:	Offset in config space
 * @len:	Bytes to read
 *
 * Return: 0
 */
static int stub_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t offset,
			   uint32_t len)
{
	uint8_t img[STUB_CONFIG_SIZE];

	if (offset > sizeof(img) || len > sizeof(img) - offset)
		return -EINVAL;
	stub_config_image(vu_dev_priv(dev), img);
	memcpy(buf, img + offset, len);
	return 0;
}

/**
 * stub_set_config() - Write the scratch bytes of config space
 * @dev:	Device
 * @buf:	Source
 * @offset:	Offset in config space
 * @len:	Bytes to write
 * @flags:	Ignored
 *
 * Return: 0, or -EPERM if the write touches the read-only counter
 */
static int stub_set_config(struct vu_dev *dev, const uint8_t *buf,
			   uint32_t offset, uint32_t len, uint32_t flags)
{
	struct stub *s = vu_dev_priv(dev);

	if (offset < STUB_SCRATCH_OFF || offset > STUB_CONFIG_SIZE ||
	    len > STUB_CONFIG_SIZE - offset)
		return -EPERM;
	g_mutex_lock(&s->lock);
	memcpy(s->scratch + (offset - STUB_SCRATCH_OFF), buf, len);
	g_mutex_unlock(&s->lock);
	return 0;
}

/**
 * stub_echo() - Copy a request's out bytes into its in buffers
 * @elem:	Request
 *
 * Return: bytes written into the in buffers
 */
static uint32_t stub_echo(const struct vu_elem *elem)
{
	const struct iovec *out = elem->iov, *in = elem->iov + elem->out_num;
	unsigned int oi = 0, ii = 0;
	size_t ooff = 0, ioff = 0, n;
	uint32_t total = 0;

	while (oi < elem->out_num && ii < elem->in_num && total < UINT32_MAX) {
		n = MIN(out[oi].iov_len - ooff, in[ii].iov_len - ioff);
		n = MIN(n, UINT32_MAX - total);
		/* The guest may point in and out buffers at the same memory */
		memmove((char *)in[ii].iov_base + ioff,
			(const char *)out[oi].iov_base + ooff, n);
		ooff += n;
		ioff += n;
		total += n;
		if (ooff == out[oi].iov_len) {
			oi++;
			ooff = 0;
		}
		if (ioff == in[ii].iov_len) {
			ii++;
			ioff = 0;
		}
	}
	return total;
}

/**
 * stub_queue_kicked() - Echo every available request, then notify once
 * @dev:	Device
 * @vq:		Queue
 */
static void stub_queue_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	struct stub *s = vu_dev_priv(dev);
	struct iovec iov[STUB_IOV_MAX];
	struct vu_elem elem;
	uint32_t len;

	for (;;) {
		elem.iov = iov;
		elem.iov_max = STUB_IOV_MAX;
		if (vu_queue_pop(vq, &elem) <= 0)
			break;
		if (s->delay_us)
			g_usleep(s->delay_us);
		len = stub_echo(&elem);
		vu_queue_push(vq, &elem, len);
		atomic_fetch_add(&s->completed, 1);
	}
	vu_dev_complete(dev, vq);
}

/**
 * stub_reset() - Zero the counter and the scratch bytes
 * @dev:	Device
 */
static void stub_reset(struct vu_dev *dev)
{
	struct stub *s = vu_dev_priv(dev);

	atomic_store(&s->completed, 0);
	g_mutex_lock(&s->lock);
	memset(s->scratch, 0, sizeof(s->scratch));
	g_mutex_unlock(&s->lock);
}

/**
 * stub_wait_fd() - Wait until a state transfer fd is ready
 * @fd:		Descriptor
 * @events:	POLLIN or POLLOUT
 *
 * Return: 0 when ready, -ETIMEDOUT or a negative errno
 */
static int stub_wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, STUB_STATE_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

/**
 * stub_save_state() - Write the 16 state bytes to a transfer fd
 * @dev:	Device
 * @fd:		Pipe to the front-end (blocking or not)
 *
 * Return: 0, or a negative errno
 */
static int stub_save_state(struct vu_dev *dev, int fd)
{
	uint8_t img[STUB_CONFIG_SIZE];
	size_t done = 0;
	ssize_t n;
	int r;

	stub_config_image(vu_dev_priv(dev), img);
	while (done < sizeof(img)) {
		r = stub_wait_fd(fd, POLLOUT);
		if (r < 0)
			return r;
		n = write(fd, img + done, sizeof(img) - done);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n > 0)
			done += n;
	}
	return 0;
}

/**
 * stub_read_all() - Read a state transfer fd until EOF
 * @fd:		Pipe from the front-end
 * @buf:	Destination
 * @size:	Capacity of @buf
 *
 * Return: bytes read (at most @size; more means the state is too long),
 * or a negative errno
 */
static ssize_t stub_read_all(int fd, uint8_t *buf, size_t size)
{
	size_t done = 0;
	ssize_t n;
	int r;

	while (done < size) {
		r = stub_wait_fd(fd, POLLIN);
		if (r < 0)
			return r;
		n = read(fd, buf + done, size - done);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n > 0)
			done += n;
	}
	return done;
}

/**
 * stub_load_state() - Read the 16 state bytes from a transfer fd
 * @dev:	Device
 * @fd:		Pipe from the front-end
 *
 * Return: 0, or -EINVAL if the state is not exactly 16 bytes, or -errno
 */
static int stub_load_state(struct vu_dev *dev, int fd)
{
	struct stub *s = vu_dev_priv(dev);
	uint8_t img[STUB_CONFIG_SIZE + 1];
	ssize_t n = stub_read_all(fd, img, sizeof(img));
	uint64_t le;

	if (n < 0)
		return n;
	if (n != STUB_CONFIG_SIZE)
		return -EINVAL;
	memcpy(&le, img, sizeof(le));
	atomic_store(&s->completed, GUINT64_FROM_LE(le));
	g_mutex_lock(&s->lock);
	memcpy(s->scratch, img + STUB_SCRATCH_OFF, sizeof(s->scratch));
	g_mutex_unlock(&s->lock);
	return 0;
}

static const struct vu_device stub_device = {
	.name = "stub",
	.virtio_id = STUB_VIRTIO_ID,
	.num_queues = STUB_NUM_QUEUES,
	.max_queue_size = 1024,
	.features = 0,
	.protocol_features = (1ull << VU_PF_CONFIG) |
			     (1ull << VU_PF_INFLIGHT_SHMFD) |
			     (1ull << VU_PF_BACKEND_REQ) |
			     (1ull << VU_PF_BACKEND_SEND_FD) |
			     (1ull << VU_PF_DEVICE_STATE),
	.config_size = STUB_CONFIG_SIZE,
	.queue_worker = NULL,
	.get_config = stub_get_config,
	.set_config = stub_set_config,
	.queue_kicked = stub_queue_kicked,
	.reset = stub_reset,
	.save_state = stub_save_state,
	.load_state = stub_load_state,
};

/**
 * stub_features() - --print-capabilities features
 * @out:	Array of g_malloc'ed strings to fill
 */
static void stub_features(GPtrArray *out)
{
	g_ptr_array_add(out, g_strdup("delay-us"));
}

/**
 * stub_setup() - Check the options and allocate the device state
 * @priv:	Set to the state
 * @err:	Error
 *
 * Return: the stub device, or NULL with @err set
 */
static const struct vu_device *stub_setup(void **priv, GError **err)
{
	struct stub *s;

	if (stub_delay_us < 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--delay-us must not be negative");
		return NULL;
	}
	s = g_new0(struct stub, 1);
	g_mutex_init(&s->lock);
	s->delay_us = stub_delay_us;
	*priv = s;
	return &stub_device;
}

/**
 * stub_teardown() - Free the device state
 * @priv:	State from stub_setup()
 */
static void stub_teardown(void *priv)
{
	struct stub *s = priv;

	g_mutex_clear(&s->lock);
	g_free(s);
}

/* Type "stub" is in no descriptor schema: this binary is never installed */
static const struct vu_backend stub_backend = {
	.name = "vu-stub",
	.type = "stub",
	.summary = "Echo device for the vhost-user tests (not installed).",
	.virtio_id = STUB_VIRTIO_ID,
	.min_queues = STUB_NUM_QUEUES,
	.max_queues = STUB_NUM_QUEUES,
	.config_size = STUB_CONFIG_SIZE,
	.options = stub_options,
	.features = stub_features,
	.setup = stub_setup,
	.teardown = stub_teardown,
};

/**
 * main() - Run the stub device
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	return vu_backend_main(&stub_backend, argc, argv);
}
