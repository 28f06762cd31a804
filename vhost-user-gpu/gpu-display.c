// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-display.c - the display channel: the socket the front-end hands over
 * with GPU_SET_SOCKET, where we send scanouts, updates and cursors and
 * ask for display info and EDID. Nothing here ever waits on the socket:
 * it is non-blocking, what cannot be written at once is queued (and the
 * queues pause until it drains), and replies are matched to our requests
 * as they arrive, in order; a reply 5 s late drops the channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "gpu-int.h"

/* Send buffer we ask for: a 1080p frame in a few writes, not hundreds */
#define GPU_DISP_SNDBUF		(8 << 20)

/**
 * gpu_disp_active() - Whether a display socket is set
 * @g:		Instance
 *
 * Return: true if so
 */
bool gpu_disp_active(const struct gpu *g)
{
	return g->disp.fd >= 0;
}

/**
 * gpu_disp_busy() - Whether messages wait to be written
 * @g:		Instance
 *
 * Return: true if so (the queues then pause)
 */
bool gpu_disp_busy(const struct gpu *g)
{
	return g->disp.out.length != 0;
}

/**
 * gpu_disp_has() - Whether a display protocol feature was agreed on
 * @g:		Instance
 * @feature:	VUG_PF_*
 *
 * Return: true if so
 */
bool gpu_disp_has(const struct gpu *g, unsigned int feature)
{
	return gpu_disp_active(g) && (g->disp.features & (1ull << feature));
}

/**
 * gpu_out_free() - Free a queued message
 * @o:		Message
 */
static void gpu_out_free(struct gpu_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	g_free(o->owned);
	g_free(o);
}

/**
 * gpu_disp_kick_queues() - Let both queues run again (something they
 * waited for happened)
 * @g:		Instance
 */
void gpu_disp_kick_queues(struct gpu *g)
{
	vu_dev_kick(g->dev, vu_dev_queue(g->dev, GPU_QUEUE_CTRL));
	vu_dev_kick(g->dev, vu_dev_queue(g->dev, GPU_QUEUE_CURSOR));
}

/**
 * gpu_disp_deadline() - Start or stop the wait for the oldest reply
 * @g:		Instance
 * @on:		Whether a reply is awaited
 */
static void gpu_disp_deadline(struct gpu *g, bool on)
{
	struct itimerspec its = { 0 };

	if (g->disp.timer_fd < 0)
		return;
	its.it_value.tv_sec = on ? GPU_DISP_REPLY_MS / 1000 : 0;
	its.it_value.tv_nsec = on ? (GPU_DISP_REPLY_MS % 1000) * 1000000L : 0;
	timerfd_settime(g->disp.timer_fd, 0, &its, NULL);
}

/**
 * gpu_disp_close() - Forget the display socket and what was queued for it
 * @g:		Instance (on the worker, or with it paused)
 *
 * A control request waiting for the display is answered from our own
 * knowledge; the queues are kicked, as they may have waited.
 */
void gpu_disp_close(struct gpu *g)
{
	struct gpu_disp *d = &g->disp;
	struct gpu_out *o;

	if (d->fd < 0)
		return;
	vu_dev_unwatch_fd(g->dev, d->rwatch);
	vu_dev_unwatch_fd(g->dev, d->wwatch);
	vu_dev_unwatch_fd(g->dev, d->twatch);
	d->rwatch = d->wwatch = d->twatch = NULL;
	gpu_disp_deadline(g, false);
	close(d->fd);
	d->fd = -1;
	while ((o = g_queue_pop_head(&d->out)))
		gpu_out_free(o);
	g_queue_clear(&d->expect);
	d->in_len = 0;
	d->handshake = false;
	d->features = 0;
	d->info_valid = false;
	if (g->parked && g->parked->wait != GPU_WAIT_FENCE)
		gpu_ctrl_flush_parked(g);
	gpu_disp_kick_queues(g);
}

/**
 * gpu_disp_fail() - The display socket failed: go on without it
 * @g:		Instance
 * @why:	What happened
 */
static void gpu_disp_fail(struct gpu *g, const char *why)
{
	if (!g->disp.failed_logged)
		g_warning("display channel: %s; going on without a display",
			  why);
	g->disp.failed_logged = true;
	gpu_disp_close(g);
}

/**
 * gpu_out_advance() - Account for bytes written
 * @o:		Message
 * @n:		Bytes the kernel took
 *
 * Return: true when the whole message is written
 */
static bool gpu_out_advance(struct gpu_out *o, size_t n)
{
	while (o->first < o->niov && n >= o->iov[o->first].iov_len) {
		n -= o->iov[o->first].iov_len;
		o->first++;
	}
	if (o->first < o->niov) {
		o->iov[o->first].iov_base = (uint8_t *)o->iov[o->first].iov_base
					    + n;
		o->iov[o->first].iov_len -= n;
	}
	return o->first == o->niov;
}

/**
 * gpu_out_write() - Write as much of a message as the socket takes
 * @fd:		Socket (non-blocking)
 * @o:		Message; its fd goes with the first byte
 *
 * Return: bytes written, or -errno
 */
static ssize_t gpu_out_write(int fd, struct gpu_out *o)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
		.msg_iov = o->iov + o->first,
		.msg_iovlen = o->niov - o->first,
	};
	ssize_t n;

	if (o->fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &o->fd, sizeof(int));
	}
	do {
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	return n;
}

static void gpu_disp_writable(struct vu_dev *dev, struct vu_queue *vq,
			      void *data);

/**
 * gpu_disp_pump() - Write queued messages until done or the socket is full
 * @g:		Instance
 *
 * Return: true if everything is written
 */
static bool gpu_disp_pump(struct gpu *g)
{
	struct gpu_disp *d = &g->disp;
	struct gpu_out *o;
	ssize_t n;

	while (d->fd >= 0 && (o = g_queue_peek_head(&d->out))) {
		n = gpu_out_write(d->fd, o);
		if (n == -EAGAIN) {
			if (!d->wwatch)
				d->wwatch = vu_dev_watch_fd_out(g->dev,
					vu_dev_queue(g->dev, GPU_QUEUE_CTRL),
					d->fd, gpu_disp_writable, g);
			return false;
		}
		if (n < 0) {
			gpu_disp_fail(g, g_strerror((int)-n));
			return true;
		}
		if (gpu_out_advance(o, (size_t)n))
			gpu_out_free(g_queue_pop_head(&d->out));
	}
	return true;
}

/**
 * gpu_disp_writable() - The socket drained: write on, resume the queues
 * @dev:	Device
 * @vq:		Control queue (its worker)
 * @data:	Instance
 */
static void gpu_disp_writable(struct vu_dev *dev, struct vu_queue *vq,
			      void *data)
{
	struct gpu *g = data;

	if (!gpu_disp_pump(g) || !g->disp.wwatch)
		return;
	vu_dev_unwatch_fd(dev, g->disp.wwatch);
	g->disp.wwatch = NULL;
	gpu_disp_kick_queues(g);
}

/**
 * gpu_disp_send() - Queue one message and write what can be written
 * @g:		Instance
 * @request:	enum vug_request
 * @payload:	Fixed payload (at most 64 bytes, copied)
 * @plen:	Its length
 * @data:	Bulk data after it (pixels), or NULL
 * @dlen:	Its length
 * @how:	GPU_DATA_BORROW: @data stays valid until the queue drains
 *		(it lies in a resource, which no command changes meanwhile)
 *		and is not copied; GPU_DATA_GIVE: @data was g_malloc'ed and
 *		is the message's now; GPU_DATA_COPY: copied
 * @fd:		fd to pass (taken over), or -1
 *
 * Without a display socket nothing is sent.
 */
void gpu_disp_send(struct gpu *g, uint32_t request, const void *payload,
		   uint32_t plen, const void *data, size_t dlen,
		   enum gpu_data how, int fd)
{
	struct vug_hdr h = { .request = request, .size = plen + (uint32_t)dlen };
	struct gpu_out *o;

	if (!gpu_disp_active(g) || plen > sizeof(o->buf) - VUG_HDR_SIZE) {
		if (fd >= 0)
			close(fd);
		if (how == GPU_DATA_GIVE)
			g_free((void *)data);
		return;
	}
	o = g_new0(struct gpu_out, 1);
	o->fd = fd;
	memcpy(o->buf, &h, sizeof(h));
	if (plen)
		memcpy(o->buf + VUG_HDR_SIZE, payload, plen);
	o->iov[0].iov_base = o->buf;
	o->iov[0].iov_len = VUG_HDR_SIZE + plen;
	o->niov = 1;
	if (dlen) {
		if (how == GPU_DATA_COPY)
			o->owned = g_memdup2(data, dlen);
		else if (how == GPU_DATA_GIVE)
			o->owned = (void *)data;
		o->iov[1].iov_base = o->owned ? o->owned : (void *)data;
		o->iov[1].iov_len = dlen;
		o->niov = 2;
	}
	g_queue_push_tail(&g->disp.out, o);
	if (g_queue_get_length(&g->disp.out) == 1)
		gpu_disp_pump(g);
}

/**
 * gpu_disp_late() - Timer: the front-end did not answer in time
 * @dev:	Device
 * @vq:		Control queue (its worker)
 * @data:	Instance
 *
 * A display that stops answering must not hold the queues for ever: we
 * go on without it (what waits is answered from our own knowledge).
 */
static void gpu_disp_late(struct vu_dev *dev, struct vu_queue *vq,
			  void *data)
{
	struct gpu *g = data;
	uint64_t n;

	if (read(g->disp.timer_fd, &n, sizeof(n)) < 0 || !n ||
	    g_queue_is_empty(&g->disp.expect))
		return;
	gpu_disp_fail(g, "no answer from the front-end in 5 s");
}

/**
 * gpu_disp_request() - Send a request whose reply we wait for
 * @g:		Instance
 * @request:	enum vug_request
 * @payload:	Payload (copied)
 * @plen:	Its length
 * @expect:	What the reply is for
 */
void gpu_disp_request(struct gpu *g, uint32_t request, const void *payload,
		      uint32_t plen, enum gpu_expect expect)
{
	if (!gpu_disp_active(g))
		return;
	if (g_queue_is_empty(&g->disp.expect))
		gpu_disp_deadline(g, true);
	g_queue_push_tail(&g->disp.expect, GINT_TO_POINTER(expect));
	gpu_disp_send(g, request, payload, plen, NULL, 0, GPU_DATA_COPY, -1);
}

/**
 * gpu_disp_features() - GET_PROTOCOL_FEATURES answered: agree, then ask
 * for the display info (the handshake ends with its answer)
 * @g:		Instance
 * @p:		Reply payload
 * @len:	Its length
 */
static void gpu_disp_features(struct gpu *g, const uint8_t *p, uint32_t len)
{
	uint64_t f = 0;

	if (len >= sizeof(f))
		memcpy(&f, p, sizeof(f));
	f &= (1ull << VUG_PF_EDID) | (1ull << VUG_PF_DMABUF2);
	g->disp.features = f;
	g_debug("display channel: protocol features 0x%" G_GINT64_MODIFIER "x",
		f);
	gpu_disp_send(g, VUG_SET_PROTOCOL_FEATURES, &f, sizeof(f), NULL, 0,
		      GPU_DATA_COPY, -1);
	gpu_disp_request(g, VUG_GET_DISPLAY_INFO, NULL, 0,
			 GPU_EXP_DISPLAY_INFO);
	gpu_scanout_replay(g);
	gpu_disp_kick_queues(g);
}

/**
 * gpu_disp_parked_done() - A parked control request got its answer
 * @g:		Instance
 * @resp:	Response for it
 * @len:	Its length
 */
static void gpu_disp_parked_done(struct gpu *g, void *resp, size_t len)
{
	struct vu_queue *vq = vu_dev_queue(g->dev, GPU_QUEUE_CTRL);
	struct gpu_req *r = g->parked;

	g->parked = NULL;
	gpu_req_respond(g, vq, r, resp, len);
	vu_dev_complete(g->dev, vq);
	gpu_disp_kick_queues(g);
}

/**
 * gpu_disp_edid() - GET_EDID answered
 * @g:		Instance
 * @p:		Reply payload (struct virtio_gpu_resp_edid)
 * @len:	Its length
 *
 * Return: false if the reply is malformed
 */
static bool gpu_disp_edid(struct gpu *g, const uint8_t *p, uint32_t len)
{
	struct virtio_gpu_resp_edid e = { 0 };

	memcpy(&e, p, MIN(len, sizeof(e)));
	if (e.size > VIRTIO_GPU_EDID_MAX)
		return false;
	if (g->parked && g->parked->wait == GPU_WAIT_EDID) {
		e.hdr.type = VIRTIO_GPU_RESP_OK_EDID;
		gpu_disp_parked_done(g, &e, sizeof(e));
	}
	return true;
}

/**
 * gpu_disp_reply() - Handle one whole message from the front-end
 * @g:		Instance
 * @h:		Its header
 * @p:		Its payload
 *
 * Return: false on a protocol error (the channel is then dropped)
 */
static bool gpu_disp_reply(struct gpu *g, const struct vug_hdr *h,
			   const uint8_t *p)
{
	static const uint32_t req_of[] = {
		[GPU_EXP_FEATURES] = VUG_GET_PROTOCOL_FEATURES,
		[GPU_EXP_DISPLAY_INFO] = VUG_GET_DISPLAY_INFO,
		[GPU_EXP_EDID] = VUG_GET_EDID,
		[GPU_EXP_DMABUF] = VUG_DMABUF_UPDATE,
	};
	int exp = GPOINTER_TO_INT(g_queue_pop_head(&g->disp.expect));
	struct virtio_gpu_resp_display_info info = { 0 };

	if (!exp || !(h->flags & VUG_FLAG_REPLY) || h->request != req_of[exp])
		return false;
	/* The next reply has its own time, from now */
	gpu_disp_deadline(g, !g_queue_is_empty(&g->disp.expect));
	switch (exp) {
	case GPU_EXP_FEATURES:
		gpu_disp_features(g, p, h->size);
		break;
	case GPU_EXP_DISPLAY_INFO:
		memcpy(&info, p, MIN(h->size, sizeof(info)));
		/* The handshake ends here: EDID requests need the heads */
		g->disp.handshake = false;
		gpu_display_info_arrived(g, &info);
		break;
	case GPU_EXP_EDID:
		return gpu_disp_edid(g, p, h->size);
	case GPU_EXP_DMABUF:
		if (g->parked && g->parked->wait == GPU_WAIT_DMABUF) {
			struct virtio_gpu_ctrl_hdr ok = {
				.type = VIRTIO_GPU_RESP_OK_NODATA,
			};

			gpu_disp_parked_done(g, &ok, sizeof(ok));
		}
		break;
	}
	return true;
}

/**
 * gpu_disp_parse() - Handle the whole messages received so far
 * @g:		Instance
 *
 * Return: false on a protocol error
 */
static bool gpu_disp_parse(struct gpu *g)
{
	struct gpu_disp *d = &g->disp;
	struct vug_hdr h;
	size_t whole;

	while (d->fd >= 0 && d->in_len >= VUG_HDR_SIZE) {
		memcpy(&h, d->in, sizeof(h));
		if (h.size > GPU_DISP_REPLY_MAX)
			return false;
		whole = VUG_HDR_SIZE + h.size;
		if (d->in_len < whole)
			break;
		if (!gpu_disp_reply(g, &h, d->in + VUG_HDR_SIZE))
			return false;
		if (d->fd < 0)
			break;
		memmove(d->in, d->in + whole, d->in_len - whole);
		d->in_len -= whole;
	}
	return true;
}

/**
 * gpu_disp_readable() - Bytes (or the end) arrived from the front-end
 * @dev:	Device
 * @vq:		Control queue (its worker)
 * @data:	Instance
 */
static void gpu_disp_readable(struct vu_dev *dev, struct vu_queue *vq,
			      void *data)
{
	struct gpu *g = data;
	struct gpu_disp *d = &g->disp;
	ssize_t n;

	while (d->fd >= 0) {
		n = read(d->fd, d->in + d->in_len, sizeof(d->in) - d->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n == 0) {
			/* QEMU closes it whenever DRIVER_OK goes: normal */
			g_debug("display channel: closed by the front-end");
			gpu_disp_close(g);
			return;
		}
		if (n < 0) {
			gpu_disp_fail(g, g_strerror(errno));
			return;
		}
		d->in_len += (size_t)n;
		if (!gpu_disp_parse(g)) {
			gpu_disp_fail(g, "malformed or unexpected message");
			return;
		}
	}
}

/**
 * gpu_disp_tune() - Make a display socket non-blocking, with a large send
 * buffer
 * @fd:		Socket
 *
 * Return: true if it is usable
 */
static bool gpu_disp_tune(int fd)
{
	int flags = fcntl(fd, F_GETFL), sz = GPU_DISP_SNDBUF;

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return false;
	/* FORCE works as root; else the system's limit applies */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return true;
}

/**
 * gpu_disp_set_socket() - GPU_SET_SOCKET: take a new display socket
 * @g:		Instance (workers paused)
 * @fd:		Socket (taken over)
 *
 * The handshake starts at once; the control queue waits for its answer.
 */
void gpu_disp_set_socket(struct gpu *g, int fd)
{
	struct gpu_disp *d = &g->disp;

	gpu_disp_close(g);
	if (!gpu_disp_tune(fd)) {
		g_warning("display channel: %s", g_strerror(errno));
		close(fd);
		return;
	}
	d->fd = fd;
	d->failed_logged = false;
	d->handshake = true;
	d->rwatch = vu_dev_watch_fd(g->dev,
				    vu_dev_queue(g->dev, GPU_QUEUE_CTRL), fd,
				    gpu_disp_readable, g);
	if (d->timer_fd >= 0)
		d->twatch = vu_dev_watch_fd(g->dev,
					    vu_dev_queue(g->dev, GPU_QUEUE_CTRL),
					    d->timer_fd, gpu_disp_late, g);
	g_debug("display channel: new socket");
	gpu_disp_request(g, VUG_GET_PROTOCOL_FEATURES, NULL, 0,
			 GPU_EXP_FEATURES);
}

/**
 * gpu_disp_unborrow() - Copy the resource data queued messages point to
 * @g:		Instance (resources are about to be freed)
 *
 * A half-written message cannot be dropped without breaking the stream:
 * what it still has to send becomes its own.
 */
void gpu_disp_unborrow(struct gpu *g)
{
	GList *l;

	for (l = g->disp.out.head; l; l = l->next) {
		struct gpu_out *o = l->data;

		if (o->owned || o->niov != 2 || o->first > 1)
			continue;
		o->owned = g_memdup2(o->iov[1].iov_base, o->iov[1].iov_len);
		o->iov[1].iov_base = o->owned;
	}
}

/**
 * gpu_disp_free() - At exit: close the socket and drop what is queued
 * @g:		Instance (no event loop any more)
 */
void gpu_disp_free(struct gpu *g)
{
	struct gpu_out *o;

	if (g->disp.fd >= 0)
		close(g->disp.fd);
	g->disp.fd = -1;
	if (g->disp.timer_fd >= 0)
		close(g->disp.timer_fd);
	g->disp.timer_fd = -1;
	while ((o = g_queue_pop_head(&g->disp.out)))
		gpu_out_free(o);
	g_queue_clear(&g->disp.expect);
}
