// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-display.c - QEMU's display side of vhost-user-gpu, for tests: a thread
 * that answers the back-end's requests on the GPU_SET_SOCKET socket as QEMU
 * does and records every display message for the test to wait on (see
 * gpu-harness.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gpu-harness.h"

/**
 * struct gpud - the display side
 * @fd:		Our end of the socket
 * @stop:	eventfd that ends the thread
 * @wake:	eventfd that makes the thread look at @paused again
 * @thread:	Thread serving @fd
 * @lock:	Protects everything below
 * @cond:	Signalled on every new message and at the end
 * @msgs:	Recorded messages (struct gpud_msg), oldest first
 * @cfg:	How to answer (EDID blobs copied into @edid)
 * @edid:	Our copies of the EDID blobs
 * @counts:	Messages received, per request id
 * @set:	Value of the last SET_PROTOCOL_FEATURES
 * @closed:	The back-end hung up (or sent garbage)
 * @paused:	Stop reading the socket (the back-end's writes back up)
 * @scratch:	Buffer for UPDATE pixels that are not kept
 * @scratch_len: Bytes of @scratch
 */
struct gpud {
	int fd;
	int stop;
	int wake;
	GThread *thread;
	GMutex lock;
	GCond cond;
	GQueue msgs;
	struct gpud_cfg cfg;
	uint8_t *edid[VG_MAX_SCANOUTS];
	unsigned int counts[VGD_REQUEST_MAX];
	uint64_t set;
	bool closed;
	bool paused;
	uint8_t *scratch;
	size_t scratch_len;
};

static const char *const names[VGD_REQUEST_MAX] = {
	[VGD_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VGD_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VGD_GET_DISPLAY_INFO] = "GET_DISPLAY_INFO",
	[VGD_CURSOR_POS] = "CURSOR_POS",
	[VGD_CURSOR_POS_HIDE] = "CURSOR_POS_HIDE",
	[VGD_CURSOR_UPDATE] = "CURSOR_UPDATE",
	[VGD_SCANOUT] = "SCANOUT",
	[VGD_UPDATE] = "UPDATE",
	[VGD_DMABUF_SCANOUT] = "DMABUF_SCANOUT",
	[VGD_DMABUF_UPDATE] = "DMABUF_UPDATE",
	[VGD_GET_EDID] = "GET_EDID",
	[VGD_DMABUF_SCANOUT2] = "DMABUF_SCANOUT2",
};

/**
 * gpud_request_name() - Name of a display request
 * @request:	Request id
 *
 * Return: static string
 */
const char *gpud_request_name(uint32_t request)
{
	if (request < VGD_REQUEST_MAX && names[request])
		return names[request];
	return "unknown";
}

/**
 * gpud_cfg_default() - A display like QEMU's default: EDID and DMABUF2,
 * one 1024x768 head, no EDID blob
 * @cfg:	Configuration to fill
 */
void gpud_cfg_default(struct gpud_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->features = (1ull << VGD_PF_EDID) | (1ull << VGD_PF_DMABUF2);
	cfg->nheads = 1;
	cfg->width[0] = 1024;
	cfg->height[0] = 768;
	cfg->keep = true;
}

/**
 * gpud_msg_free() - Free a recorded message and its fd
 * @m:		Message, or NULL
 */
void gpud_msg_free(struct gpud_msg *m)
{
	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	g_free(m->payload);
	g_free(m);
}

/**
 * read_full() - Read exactly @len bytes
 * @fd:		Socket
 * @buf:	Destination
 * @len:	Bytes
 *
 * Return: true on success, false at end of file or on error
 */
static bool read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t r;

	while (len) {
		r = recv(fd, p, len, MSG_WAITALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		len -= (size_t)r;
	}
	return true;
}

/**
 * take_fds() - Keep the first fd of a control message, close the others
 * @mh:		Received message header
 *
 * Return: the fd, or -1
 */
static int take_fds(struct msghdr *mh)
{
	struct cmsghdr *cm;
	int fd = -1, *fds;
	size_t i, n;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)CMSG_DATA(cm);
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			if (fd < 0)
				fd = fds[i];
			else
				close(fds[i]);
		}
	}
	return fd;
}

/**
 * read_header() - Read a message header and the fds that came with it
 * @fd:		Socket
 * @hdr:	The three header words
 * @rfd:	Set to the fd received, or -1
 *
 * Return: true on success
 */
static bool read_header(int fd, uint32_t hdr[3], int *rfd)
{
	char ctl[CMSG_SPACE(VUF_MAX_FDS * sizeof(int))];
	struct iovec iov = { hdr, VGD_HDR_SIZE };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t r;

	do {
		r = recvmsg(fd, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	*rfd = r > 0 ? take_fds(&mh) : -1;
	if (r > 0 && r < VGD_HDR_SIZE)
		return read_full(fd, (uint8_t *)hdr + r, VGD_HDR_SIZE - r);
	return r == VGD_HDR_SIZE;
}

/**
 * reply() - Send a reply: flags 0x4, the request's id
 * @d:		Display
 * @request:	Request answered
 * @payload:	Reply payload
 * @size:	Bytes of @payload
 */
static void reply(struct gpud *d, uint32_t request, const void *payload,
		  uint32_t size)
{
	uint32_t hdr[3] = { request, VGD_FLAG_REPLY, size };
	struct iovec iov[2] = { { hdr, sizeof(hdr) },
				{ (void *)payload, size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };

	if (sendmsg(d->fd, &mh, MSG_NOSIGNAL) < 0)
		g_test_message("display: reply to %s: %s",
			       gpud_request_name(request), g_strerror(errno));
}

/**
 * answer_display_info() - Reply to GET_DISPLAY_INFO with the configured heads
 * @d:		Display
 */
static void answer_display_info(struct gpud *d)
{
	struct vg_resp_display_info di;
	unsigned int i;

	memset(&di, 0, sizeof(di));
	di.hdr.type = VG_RESP_OK_DISPLAY_INFO;
	g_mutex_lock(&d->lock);
	for (i = 0; i < d->cfg.nheads && i < VG_MAX_SCANOUTS; i++) {
		di.pmodes[i].r.width = d->cfg.width[i];
		di.pmodes[i].r.height = d->cfg.height[i];
		di.pmodes[i].enabled = 1;
	}
	g_mutex_unlock(&d->lock);
	reply(d, VGD_GET_DISPLAY_INFO, &di, d->cfg.info_size ?
	      MIN(d->cfg.info_size, sizeof(di)) : sizeof(di));
}

/**
 * answer_edid() - Reply to GET_EDID with the configured blob of the head
 * @d:		Display
 * @m:		The request ({u32 scanout_id})
 */
static void answer_edid(struct gpud *d, const struct gpud_msg *m)
{
	struct vg_resp_edid e;
	uint32_t head = UINT32_MAX;

	memset(&e, 0, sizeof(e));
	if (m->size >= 4)
		memcpy(&head, m->payload, 4);
	e.hdr.type = VG_RESP_OK_EDID;
	if (head < VG_MAX_SCANOUTS && d->edid[head]) {
		e.size = MIN(d->cfg.edid_len[head], VG_EDID_MAX);
		memcpy(e.edid, d->edid[head], e.size);
	}
	if (d->cfg.edid_size)
		e.size = d->cfg.edid_size;
	reply(d, VGD_GET_EDID, &e, sizeof(e));
}

/**
 * answer() - Answer a request that QEMU answers
 * @d:		Display
 * @m:		The request
 *
 * Return: true if the message is to be recorded for the test
 */
static bool answer(struct gpud *d, const struct gpud_msg *m)
{
	uint64_t v;

	switch (m->request) {
	case VGD_GET_PROTOCOL_FEATURES:
		if (!d->cfg.silent)
			reply(d, m->request, &d->cfg.features, sizeof(v));
		return false;
	case VGD_SET_PROTOCOL_FEATURES:
		v = 0;
		memcpy(&v, m->payload, MIN(m->size, sizeof(v)));
		g_mutex_lock(&d->lock);
		d->set = v;
		g_mutex_unlock(&d->lock);
		return false;
	case VGD_GET_DISPLAY_INFO:
		answer_display_info(d);
		return false;
	case VGD_GET_EDID:
		answer_edid(d, m);
		return false;
	case VGD_DMABUF_UPDATE:
		reply(d, m->request, NULL, 0);
		return true;
	default:
		return true;
	}
}

/**
 * read_payload() - Read a message's payload (UPDATE pixels into scratch
 * space when they are not kept)
 * @d:		Display
 * @m:		Message whose header is read
 *
 * Return: true on success
 */
static bool read_payload(struct gpud *d, struct gpud_msg *m)
{
	size_t keep = m->size;

	if (m->request == VGD_UPDATE && !d->cfg.keep)
		keep = MIN(m->size, sizeof(struct vgd_update));
	m->payload = g_malloc0(MAX(keep, 8));
	if (!read_full(d->fd, m->payload, keep))
		return false;
	if (keep == m->size)
		return true;
	if (d->scratch_len < m->size - keep) {
		d->scratch_len = m->size - keep;
		d->scratch = g_realloc(d->scratch, d->scratch_len);
	}
	return read_full(d->fd, d->scratch, m->size - keep);
}

/**
 * read_msg() - Read one whole message
 * @d:		Display
 *
 * Return: the message, or NULL at end of file or on error
 */
static struct gpud_msg *read_msg(struct gpud *d)
{
	struct gpud_msg *m = g_new0(struct gpud_msg, 1);
	uint32_t hdr[3];

	if (!read_header(d->fd, hdr, &m->fd)) {
		gpud_msg_free(m);
		return NULL;
	}
	m->request = hdr[0];
	m->flags = hdr[1];
	m->size = hdr[2];
	if (m->size > (256u << 20) || !read_payload(d, m)) {
		g_test_message("display: bad %s of %u bytes",
			       gpud_request_name(m->request), m->size);
		gpud_msg_free(m);
		return NULL;
	}
	m->when = g_get_monotonic_time();
	return m;
}

/**
 * count() - Count a message, before it is answered (the test may look as
 * soon as the answer has travelled on)
 * @d:		Display
 * @m:		Message
 */
static void count(struct gpud *d, const struct gpud_msg *m)
{
	g_mutex_lock(&d->lock);
	if (m->request < VGD_REQUEST_MAX)
		d->counts[m->request]++;
	g_mutex_unlock(&d->lock);
}

/**
 * record() - Keep a message (or free it) for the test
 * @d:		Display
 * @m:		Message (taken)
 * @keep:	Keep it in the queue
 */
static void record(struct gpud *d, struct gpud_msg *m, bool keep)
{
	g_mutex_lock(&d->lock);
	if (keep)
		g_queue_push_tail(&d->msgs, m);
	g_cond_broadcast(&d->cond);
	g_mutex_unlock(&d->lock);
	if (!keep)
		gpud_msg_free(m);
}

/**
 * is_paused() - Whether the test paused reading
 * @d:		Display
 *
 * Return: @d->paused
 */
static bool is_paused(struct gpud *d)
{
	bool v;

	g_mutex_lock(&d->lock);
	v = d->paused;
	g_mutex_unlock(&d->lock);
	return v;
}

/**
 * serve() - The display thread: read, answer and record until stopped or
 * hung up
 * @data:	Display
 *
 * Return: NULL
 */
static gpointer serve(gpointer data)
{
	struct gpud *d = data;
	struct pollfd p[3] = { { .fd = d->stop, .events = POLLIN },
			       { .fd = d->wake, .events = POLLIN },
			       { .fd = d->fd, .events = POLLIN } };
	struct gpud_msg *m;
	uint64_t v;

	for (;;) {
		if (poll(p, is_paused(d) ? 2 : 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (p[1].revents && read(d->wake, &v, sizeof(v)) < 0)
			break;
		if (is_paused(d) || !p[2].revents)
			continue;
		m = read_msg(d);
		if (!m)
			break;
		count(d, m);
		record(d, m, answer(d, m));
	}
	g_mutex_lock(&d->lock);
	d->closed = true;
	g_cond_broadcast(&d->cond);
	g_mutex_unlock(&d->lock);
	return NULL;
}

/**
 * gpud_new() - Start a display side
 * @cfg:	How it answers (copied)
 * @peer:	Set to the other end of the socket, for GPU_SET_SOCKET (the
 *		caller closes it once sent)
 *
 * Return: the display
 */
struct gpud *gpud_new(const struct gpud_cfg *cfg, int *peer)
{
	struct gpud *d = g_new0(struct gpud, 1);
	int sv[2];
	unsigned int i;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			==, 0);
	d->fd = sv[0];
	*peer = sv[1];
	d->stop = eventfd(0, EFD_CLOEXEC);
	d->wake = eventfd(0, EFD_CLOEXEC);
	g_assert_cmpint(d->stop, >=, 0);
	g_assert_cmpint(d->wake, >=, 0);
	d->cfg = *cfg;
	for (i = 0; i < VG_MAX_SCANOUTS; i++) {
		if (!cfg->edid[i])
			continue;
		d->edid[i] = g_malloc(VG_EDID_MAX);
		memcpy(d->edid[i], cfg->edid[i],
		       MIN(cfg->edid_len[i], VG_EDID_MAX));
	}
	g_mutex_init(&d->lock);
	g_cond_init(&d->cond);
	g_queue_init(&d->msgs);
	d->thread = g_thread_new("gpu-display", serve, d);
	return d;
}

/**
 * gpud_free() - Stop the thread, close the socket, free what is recorded
 * @d:		Display, or NULL
 */
void gpud_free(struct gpud *d)
{
	uint64_t one = 1;
	unsigned int i;

	if (!d)
		return;
	g_assert_cmpint(write(d->stop, &one, sizeof(one)), ==, sizeof(one));
	g_thread_join(d->thread);
	close(d->fd);
	close(d->stop);
	close(d->wake);
	g_queue_clear_full(&d->msgs, (GDestroyNotify)gpud_msg_free);
	for (i = 0; i < VG_MAX_SCANOUTS; i++)
		g_free(d->edid[i]);
	g_free(d->scratch);
	g_mutex_clear(&d->lock);
	g_cond_clear(&d->cond);
	g_free(d);
}

/**
 * find() - Take the oldest recorded message of a type (lock held)
 * @d:		Display
 * @request:	Request id, 0 for any
 *
 * Return: the message (the caller's), or NULL
 */
static struct gpud_msg *find(struct gpud *d, uint32_t request)
{
	GList *l;

	for (l = d->msgs.head; l; l = l->next) {
		struct gpud_msg *m = l->data;

		if (!request || m->request == request) {
			g_queue_delete_link(&d->msgs, l);
			return m;
		}
	}
	return NULL;
}

/**
 * gpud_wait() - Wait for the oldest message of a type and take it
 * @d:		Display
 * @request:	Request id (enum vgd_request), 0 for any
 * @timeout_ms:	How long to wait
 *
 * Messages of other types stay recorded.
 *
 * Return: the message (gpud_msg_free()), or NULL on timeout or hang-up
 */
struct gpud_msg *gpud_wait(struct gpud *d, uint32_t request, int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
	struct gpud_msg *m;

	g_mutex_lock(&d->lock);
	while (!(m = find(d, request)) && !d->closed)
		if (!g_cond_wait_until(&d->cond, &d->lock, end))
			break;
	if (!m)
		m = find(d, request);
	g_mutex_unlock(&d->lock);
	return m;
}

/**
 * gpud_expect_none() - Check that no message of a type arrives for a while
 * @d:		Display
 * @request:	Request id, 0 for any
 * @ms:		How long to watch
 */
void gpud_expect_none(struct gpud *d, uint32_t request, int ms)
{
	struct gpud_msg *m = gpud_wait(d, request, ms);

	if (m)
		g_error("display: unexpected %s", gpud_request_name(m->request));
}

/**
 * gpud_count() - How many messages of a type arrived so far
 * @d:		Display
 * @request:	Request id
 *
 * Return: count (recorded or answered, taken or not)
 */
unsigned int gpud_count(struct gpud *d, uint32_t request)
{
	unsigned int n;

	g_assert_cmpuint(request, <, VGD_REQUEST_MAX);
	g_mutex_lock(&d->lock);
	n = d->counts[request];
	g_mutex_unlock(&d->lock);
	return n;
}

/**
 * gpud_set_features() - What the back-end last enabled
 * @d:		Display
 *
 * Return: the SET_PROTOCOL_FEATURES value (0 if none came)
 */
uint64_t gpud_set_features(struct gpud *d)
{
	uint64_t v;

	g_mutex_lock(&d->lock);
	v = d->set;
	g_mutex_unlock(&d->lock);
	return v;
}

/**
 * gpud_set_heads() - Change what later GET_DISPLAY_INFO requests answer, as
 * when the user resizes QEMU's window
 * @d:		Display
 * @nheads:	Heads enabled
 * @width:	Width of each
 * @height:	Height of each
 */
void gpud_set_heads(struct gpud *d, unsigned int nheads, uint32_t width,
		    uint32_t height)
{
	unsigned int i;

	g_mutex_lock(&d->lock);
	d->cfg.nheads = MIN(nheads, VG_MAX_SCANOUTS);
	for (i = 0; i < d->cfg.nheads; i++) {
		d->cfg.width[i] = width;
		d->cfg.height[i] = height;
	}
	g_mutex_unlock(&d->lock);
}

/**
 * gpud_pause() - Stop or resume reading the socket, so that the back-end's
 * writes back up as with a busy QEMU
 * @d:		Display
 * @on:		Pause
 */
void gpud_pause(struct gpud *d, bool on)
{
	uint64_t one = 1;

	g_mutex_lock(&d->lock);
	d->paused = on;
	g_mutex_unlock(&d->lock);
	g_assert_cmpint(write(d->wake, &one, sizeof(one)), ==, sizeof(one));
}

/**
 * gpud_clear() - Drop every recorded message
 * @d:		Display
 */
void gpud_clear(struct gpud *d)
{
	g_mutex_lock(&d->lock);
	g_queue_clear_full(&d->msgs, (GDestroyNotify)gpud_msg_free);
	g_queue_init(&d->msgs);
	g_mutex_unlock(&d->lock);
}
