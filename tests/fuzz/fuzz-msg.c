// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-msg.c - libFuzzer target for request handling: the input is a
 * sequence of front-end requests fed to a device through a real socketpair,
 * with fds attached on request, into an echo device whose queues run
 * synchronously. Memory tables can point at a real memfd, so rings get
 * mapped and walked too. A session ended by a malformed request is followed
 * by a fresh one on a new socketpair, as after a reconnect.
 *
 * Input record: u8 control, then
 * - if control bit 7 is set, a write into guest memory: u32 offset, u16
 *   length, then the bytes (so rings and buffers have fuzzed contents);
 * - else a request with (control & 3) fds (dups of the guest memfd): a
 *   12-byte header, then min(header.size, 512) payload bytes (zero-padded
 *   if the input ends).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "vu-dev.h"

#define FUZZ_MEM_SIZE	(1u << 20)
#define FUZZ_IOV_MAX	16
#define FUZZ_MAX_MSGS	256

static int fuzz_memfd = -1;

/**
 * fuzz_kicked() - Echo device: copy out bytes into in buffers
 * @dev:	Device
 * @vq:		Queue
 */
static void fuzz_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	struct iovec iov[FUZZ_IOV_MAX];
	struct vu_elem e = { .iov_max = FUZZ_IOV_MAX, .iov = iov };
	unsigned int n = 0;

	while (n++ < 1024 && vu_queue_pop(vq, &e) > 0) {
		uint32_t len = 0;

		if (e.in_num && e.out_num) {
			size_t c = MIN(iov[0].iov_len, iov[e.out_num].iov_len);

			memmove(iov[e.out_num].iov_base, iov[0].iov_base, c);
			len = (uint32_t)c;
		}
		vu_queue_push(vq, &e, len);
		e.iov_max = FUZZ_IOV_MAX;
	}
	vu_dev_complete(dev, vq);
}

/**
 * fuzz_get_config() - Config space of 8 zero bytes
 * @dev:	Device
 * @buf:	Destination
 * @off:	Offset
 * @len:	Length
 *
 * Return: 0
 */
static int fuzz_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			   uint32_t len)
{
	memset(buf, 0, len);
	return 0;
}

/**
 * fuzz_state() - save_state/load_state: nothing to transfer
 * @dev:	Device
 * @fd:		Transfer fd
 *
 * Return: 0
 */
static int fuzz_state(struct vu_dev *dev, int fd)
{
	return 0;
}

static const struct vu_device fuzz_device = {
	.name = "fuzz",
	.virtio_id = 63,
	.num_queues = 2,
	.max_queue_size = 256,
	.protocol_features = (1ull << VU_PF_INFLIGHT_SHMFD) |
			     (1ull << VU_PF_BACKEND_REQ) |
			     (1ull << VU_PF_DEVICE_STATE),
	.config_size = 8,
	.get_config = fuzz_get_config,
	.queue_kicked = fuzz_kicked,
	.save_state = fuzz_state,
	.load_state = fuzz_state,
};

/**
 * fuzz_drain() - Read and drop every reply waiting on the front-end side
 * @fe:		Front-end socket
 */
static void fuzz_drain(int fe)
{
	struct pollfd p = { .fd = fe, .events = POLLIN };
	struct vu_msg r;

	while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		if (vu_msg_recv(fe, &r) < 0)
			return;
		vu_msg_close_fds(&r);
	}
}

/**
 * fuzz_connect() - A fresh session on a new socketpair
 * @dev:	Device, not connected
 *
 * Return: the front-end end
 */
static int fuzz_connect(struct vu_dev *dev)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	vu_dev_attach(dev, sv[1]);
	return sv[0];
}

/**
 * fuzz_one() - Send one request and let the device handle it
 * @fe:		Front-end socket
 * @dev:	Device
 * @nfds:	fds to attach (dups of the memfd)
 * @m:		Request
 *
 * Return: what vu_dev_process() returned
 */
static int fuzz_one(int fe, struct vu_dev *dev, unsigned int nfds,
		    struct vu_msg *m)
{
	int fds[3];
	unsigned int i;
	int ret;

	for (i = 0; i < nfds; i++)
		fds[i] = dup(fuzz_memfd);
	ret = vu_msg_send(fe, m, fds, nfds);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (ret < 0)
		return ret;
	ret = vu_dev_process(dev);
	fuzz_drain(fe);
	return ret;
}

/**
 * fuzz_poke() - Apply a guest memory write record
 * @data:	Record, after the control byte
 * @size:	Bytes left in the input
 *
 * Return: bytes consumed
 */
static size_t fuzz_poke(const uint8_t *data, size_t size)
{
	uint32_t off;
	uint16_t len;

	if (size < 6)
		return size;
	memcpy(&off, data, 4);
	memcpy(&len, data + 4, 2);
	len = (uint16_t)MIN(len, size - 6);
	off %= FUZZ_MEM_SIZE;
	if (pwrite(fuzz_memfd, data + 6, MIN(len, FUZZ_MEM_SIZE - off), off) < 0)
		return size;
	return 6u + len;
}

/**
 * fuzz_log_drop() - Log handler that drops everything (speed)
 * @domain:	Log domain
 * @level:	Level
 * @msg:	Message
 * @data:	Unused
 */
static void fuzz_log_drop(const gchar *domain, GLogLevelFlags level,
			  const gchar *msg, gpointer data)
{
}

/**
 * LLVMFuzzerTestOneInput() - libFuzzer entry point
 * @data:	Input
 * @size:	Input size
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_dev *dev = vu_dev_new(&fuzz_device, NULL);
	size_t off = 0;
	unsigned int n = 0;
	int fe;

	if (fuzz_memfd < 0) {
		fuzz_memfd = memfd_create("fuzz-guest", MFD_CLOEXEC);
		g_log_set_default_handler(fuzz_log_drop, NULL);
	}
	/* Fresh zeroed guest memory for every input */
	if (fuzz_memfd < 0 || ftruncate(fuzz_memfd, 0) < 0 ||
	    ftruncate(fuzz_memfd, FUZZ_MEM_SIZE) < 0)
		return 0;
	fe = fuzz_connect(dev);
	while (fe >= 0 && off + 1 + VU_HDR_SIZE <= size &&
	       n++ < FUZZ_MAX_MSGS) {
		struct vu_msg m = { 0 };
		unsigned int nfds = data[off] & 3;
		size_t body;

		if (data[off] & 0x80) {
			off++;
			off += fuzz_poke(data + off, size - off);
			continue;
		}
		memcpy(&m.hdr, data + off + 1, VU_HDR_SIZE);
		off += 1 + VU_HDR_SIZE;
		body = MIN(m.hdr.size, VU_PAYLOAD_MAX);
		memcpy(m.payload.raw, data + off, MIN(body, size - off));
		off += MIN(body, size - off);
		m.hdr.size = (uint32_t)body;
		if (fuzz_one(fe, dev, nfds, &m) < 0) {
			vu_dev_disconnect(dev);
			close(fe);
			fe = fuzz_connect(dev);
		}
	}
	vu_dev_free(dev);
	if (fe >= 0)
		close(fe);
	return 0;
}
