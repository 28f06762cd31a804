// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-conn.c - libvuf transport: the Unix socket, message framing with
 * SCM_RIGHTS file descriptors, timeouts and reply validation.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vuf-priv.h"

/* A raw message may carry more than VUF_MAX_FDS on purpose */
#define VUF_RAW_MAX_FDS 32

/**
 * vuf_fail() - Record why an operation on a connection failed
 * @c:		Connection
 * @err:	Positive errno value
 * @fmt:	printf format of the description
 *
 * Return: -@err, so callers can write "return vuf_fail(...)"
 */
int vuf_fail(struct vuf_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	if (getenv("VUF_DEBUG"))
		fprintf(stderr, "vuf: error: %s\n", c->err);
	return -err;
}

/**
 * vuf_deadline() - Turn a timeout into an absolute monotonic deadline
 * @timeout_ms:	Milliseconds, negative for none
 *
 * Return: deadline in microseconds of g_get_monotonic_time()
 */
gint64 vuf_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return G_MAXINT64;
	return g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

/**
 * vuf_wait_fd() - Wait until a file descriptor is ready, or a deadline passes
 * @fd:		File descriptor
 * @events:	poll() events to wait for
 * @deadline:	Absolute deadline (vuf_deadline())
 *
 * Return: 0 when ready (or hung up), -ETIMEDOUT, or -errno from poll()
 */
int vuf_wait_fd(int fd, short events, gint64 deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	gint64 left;
	int r;

	for (;;) {
		left = deadline - g_get_monotonic_time();
		if (deadline == G_MAXINT64)
			left = -1000;
		else if (left < 0)
			left = 0;
		r = poll(&p, 1, left < 0 ? -1 : (int)((left + 999) / 1000));
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/**
 * vuf_sock_send() - Send bytes and file descriptors on a stream socket
 * @fd:		Socket
 * @buf:	Bytes
 * @len:	Number of bytes (at least 1)
 * @fds:	File descriptors, attached to the first byte sent
 * @nfds:	Number of @fds
 * @deadline:	Give up after this
 *
 * Return: 0, -ETIMEDOUT, -EINVAL for too many fds, or -errno
 */
int vuf_sock_send(int fd, const void *buf, size_t len, const int *fds,
		  unsigned int nfds, gint64 deadline)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VUF_RAW_MAX_FDS)];
		struct cmsghdr align;
	} cbuf = { { 0 } };
	size_t done = 0;
	ssize_t n;
	int r;

	if (nfds > VUF_RAW_MAX_FDS)
		return -EINVAL;
	while (done < len) {
		struct iovec iov = { (char *)buf + done, len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (nfds && !done) {
			struct cmsghdr *cm = &cbuf.align;

			mh.msg_control = cbuf.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
		}
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		r = vuf_wait_fd(fd, POLLOUT, deadline);
		if (r)
			return r;
	}
	return 0;
}

/**
 * take_fds() - Move SCM_RIGHTS file descriptors from a control buffer
 * @mh:		Received message header
 * @m:		Message collecting the fds
 *
 * Return: 0, or -EBADMSG if more than VUF_MAX_FDS arrived (all closed)
 */
static int take_fds(struct msghdr *mh, struct vuf_msg *m)
{
	struct cmsghdr *cm;
	int ret = 0;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n, i;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (m->nfds < VUF_MAX_FDS) {
				m->fds[m->nfds++] = fd;
			} else {
				close(fd);
				ret = -EBADMSG;
			}
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		ret = -EBADMSG;
	return ret;
}

/**
 * recv_some() - Receive up to @len bytes, collecting any file descriptors
 * @fd:		Socket
 * @buf:	Destination
 * @len:	Bytes wanted
 * @m:		Message collecting fds
 * @deadline:	Give up after this
 *
 * Return: bytes received, 0 at end of file, or -errno (-ETIMEDOUT)
 */
static ssize_t recv_some(int fd, void *buf, size_t len, struct vuf_msg *m,
			 gint64 deadline)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * (VUF_MAX_FDS + 8))];
		struct cmsghdr align;
	} cbuf;
	ssize_t n;
	int r;

	for (;;) {
		struct iovec iov = { buf, len };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};

		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n >= 0) {
			r = take_fds(&mh, m);
			return r ? r : n;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		r = vuf_wait_fd(fd, POLLIN, deadline);
		if (r)
			return r;
	}
}

/**
 * recv_full() - Receive exactly @len bytes
 * @fd:		Socket
 * @buf:	Destination
 * @len:	Bytes
 * @m:		Message collecting fds
 * @deadline:	Give up after this
 *
 * Return: 0; -ETIMEDOUT or -ECONNRESET if nothing arrived; -EPROTO if the
 * stream ended or stalled mid-way; other -errno
 */
static int recv_full(int fd, void *buf, size_t len, struct vuf_msg *m,
		     gint64 deadline)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv_some(fd, (char *)buf + got, len - got, m, deadline);
		if (n == 0)
			return got ? -EPROTO : -ECONNRESET;
		if (n < 0)
			return (got && n == -ETIMEDOUT) ? -EPROTO : (int)n;
		got += (size_t)n;
	}
	return 0;
}

/**
 * vuf_sock_recv_msg() - Receive one whole message (header, payload, fds)
 * @fd:		Socket
 * @m:		Message to fill; on error it holds no fds
 * @deadline:	Give up after this
 *
 * Return: 0; -ETIMEDOUT (nothing arrived); -ECONNRESET (closed);
 * -EMSGSIZE (payload over VUF_PAYLOAD_MAX); -EBADMSG (too many fds);
 * -EPROTO (message cut short)
 */
int vuf_sock_recv_msg(int fd, struct vuf_msg *m, gint64 deadline)
{
	uint32_t hdr[3];
	int r;

	m->nfds = 0;
	m->size = 0;
	r = recv_full(fd, hdr, sizeof(hdr), m, deadline);
	if (!r) {
		m->request = hdr[0];
		m->flags = hdr[1];
		m->size = hdr[2];
		if (m->size > VUF_PAYLOAD_MAX)
			r = -EMSGSIZE;
		else if (m->size)
			r = recv_full(fd, m->payload, m->size, m, deadline);
		if (r == -ETIMEDOUT || r == -ECONNRESET)
			r = -EPROTO;
	}
	if (r)
		vuf_msg_close_fds(m);
	return r;
}

/**
 * vuf_msg_close_fds() - Close every file descriptor a message holds
 * @m:		Message
 */
void vuf_msg_close_fds(struct vuf_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nfds && i < VUF_MAX_FDS; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

/**
 * vuf_msg_u64() - Read a message payload as one u64
 * @m:		Message
 *
 * Return: the value, or 0 if the payload is shorter than 8 bytes
 */
uint64_t vuf_msg_u64(const struct vuf_msg *m)
{
	uint64_t v = 0;

	if (m->size >= sizeof(v))
		memcpy(&v, m->payload, sizeof(v));
	return v;
}

/**
 * vuf_conn_new() - Wrap a connected socket
 * @fd:		Connected Unix stream socket; the connection takes it
 *
 * Return: the connection (never NULL)
 */
struct vuf_conn *vuf_conn_new(int fd)
{
	struct vuf_conn *c = g_new0(struct vuf_conn, 1);

	c->fd = fd;
	c->bfd = -1;
	c->timeout_ms = VUF_DEFAULT_TIMEOUT_MS;
	c->auto_ack = true;
	g_queue_init(&c->pending);
	return c;
}

/**
 * try_connect() - One connection attempt
 * @path:	Socket path
 *
 * Return: connected socket, or -errno
 */
static int try_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	err = errno;
	close(fd);
	return -err;
}

/**
 * vuf_conn_connect() - Connect to a back-end's socket, waiting for it to appear
 * @path:	Socket path
 * @retry_ms:	Keep retrying this long while the path is missing or refuses
 * @out:	The new connection
 *
 * Return: 0, or -errno of the last attempt
 */
int vuf_conn_connect(const char *path, int retry_ms, struct vuf_conn **out)
{
	gint64 deadline = vuf_deadline(retry_ms);
	int fd;

	for (;;) {
		fd = try_connect(path);
		if (fd >= 0)
			break;
		if ((fd != -ENOENT && fd != -ECONNREFUSED) ||
		    g_get_monotonic_time() >= deadline)
			return fd;
		g_usleep(10000);
	}
	*out = vuf_conn_new(fd);
	return 0;
}

/**
 * vuf_conn_free() - Close a connection and its back-end channel
 * @c:		Connection, or NULL
 */
void vuf_conn_free(struct vuf_conn *c)
{
	struct vuf_msg *m;

	if (!c)
		return;
	while ((m = g_queue_pop_head(&c->pending))) {
		vuf_msg_close_fds(m);
		g_free(m);
	}
	if (c->bfd >= 0)
		close(c->bfd);
	if (c->fd >= 0)
		close(c->fd);
	g_free(c);
}

/**
 * vuf_conn_fd() - The connection's socket
 * @c:		Connection
 *
 * Return: file descriptor (still owned by @c)
 */
int vuf_conn_fd(const struct vuf_conn *c)
{
	return c->fd;
}

/**
 * vuf_conn_set_timeout() - Set how long to wait for replies
 * @c:		Connection
 * @timeout_ms:	Milliseconds; negative waits forever
 */
void vuf_conn_set_timeout(struct vuf_conn *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

/**
 * vuf_conn_timeout() - How long the connection waits for replies
 * @c:		Connection
 *
 * Return: milliseconds
 */
int vuf_conn_timeout(const struct vuf_conn *c)
{
	return c->timeout_ms;
}

/**
 * vuf_conn_set_auto_ack() - Ask for REPLY_ACK on every request without a reply
 * @c:		Connection
 * @on:		Enable (the default) once REPLY_ACK is negotiated
 */
void vuf_conn_set_auto_ack(struct vuf_conn *c, bool on)
{
	c->auto_ack = on;
}

/**
 * vuf_conn_error() - Describe the last failure on a connection
 * @c:		Connection
 *
 * Return: one line, empty if nothing failed yet
 */
const char *vuf_conn_error(const struct vuf_conn *c)
{
	return c->err;
}

/**
 * vuf_conn_last_ack() - The last non-zero REPLY_ACK value received
 * @c:		Connection
 *
 * Return: the value, 0 if none
 */
uint64_t vuf_conn_last_ack(const struct vuf_conn *c)
{
	return c->last_ack;
}

/**
 * vuf_conn_features() - Features last sent with SET_FEATURES
 * @c:		Connection
 *
 * Return: feature bits
 */
uint64_t vuf_conn_features(const struct vuf_conn *c)
{
	return c->features;
}

/**
 * vuf_conn_protocol_features() - Protocol features last sent
 * @c:		Connection
 *
 * Return: protocol feature bits
 */
uint64_t vuf_conn_protocol_features(const struct vuf_conn *c)
{
	return c->protocol_features;
}

/**
 * vuf_conn_has_pf() - Whether a protocol feature was negotiated
 * @c:		Connection
 * @bit:	enum vuf_pf bit number
 *
 * Return: true if set in the last SET_PROTOCOL_FEATURES
 */
bool vuf_conn_has_pf(const struct vuf_conn *c, unsigned int bit)
{
	return bit < 64 && (c->protocol_features & VUF_BIT(bit));
}

/**
 * debug_msg() - Trace a message on stderr when VUF_DEBUG is set
 * @dir:	"->" for sent, "<-" for received
 * @req:	Request id
 * @flags:	Header flags
 * @size:	Payload size
 * @nfds:	File descriptors
 */
static void debug_msg(const char *dir, uint32_t req, uint32_t flags,
		      uint32_t size, unsigned int nfds)
{
	if (getenv("VUF_DEBUG"))
		fprintf(stderr, "vuf: %s %s(%u) flags 0x%x size %u fds %u\n",
			dir, vuf_request_name(req), req, flags, size, nfds);
}

/**
 * vuf_send_raw() - Send arbitrary bytes and fds, e.g. a malformed message
 * @c:		Connection
 * @bytes:	Bytes (header and payload, as the caller built them)
 * @len:	Number of bytes (at least 1)
 * @fds:	File descriptors to attach (up to 32; they stay the caller's)
 * @nfds:	Number of @fds
 *
 * Return: 0 or -errno
 */
int vuf_send_raw(struct vuf_conn *c, const void *bytes, size_t len,
		 const int *fds, unsigned int nfds)
{
	int r;

	if (!len)
		return vuf_fail(c, EINVAL, "empty raw message");
	r = vuf_sock_send(c->fd, bytes, len, fds, nfds,
			  vuf_deadline(c->timeout_ms));
	if (r)
		return vuf_fail(c, -r, "send raw message: %s", g_strerror(-r));
	return 0;
}

/**
 * vuf_send() - Send one well-formed request
 * @c:		Connection
 * @request:	Request id
 * @flags:	Extra header flags (VUF_FLAG_NEED_REPLY); version 1 is added
 * @payload:	Payload, may be NULL if @size is 0
 * @size:	Payload bytes, at most VUF_PAYLOAD_MAX
 * @fds:	File descriptors to pass (they stay the caller's)
 * @nfds:	Number of @fds, at most VUF_MAX_FDS
 *
 * Return: 0 or -errno
 */
int vuf_send(struct vuf_conn *c, uint32_t request, uint32_t flags,
	     const void *payload, uint32_t size, const int *fds,
	     unsigned int nfds)
{
	uint8_t buf[VUF_HDR_SIZE + VUF_PAYLOAD_MAX];
	uint32_t hdr[3] = { request, flags | VUF_FLAG_VERSION, size };
	int r;

	if (size > VUF_PAYLOAD_MAX || nfds > VUF_MAX_FDS)
		return vuf_fail(c, EINVAL, "%s: %u bytes, %u fds is too much",
				vuf_request_name(request), size, nfds);
	memcpy(buf, hdr, sizeof(hdr));
	if (size)
		memcpy(buf + VUF_HDR_SIZE, payload, size);
	debug_msg("->", request, hdr[1], size, nfds);
	r = vuf_sock_send(c->fd, buf, VUF_HDR_SIZE + size, fds, nfds,
			  vuf_deadline(c->timeout_ms));
	if (r)
		return vuf_fail(c, -r, "send %s: %s", vuf_request_name(request),
				g_strerror(-r));
	return 0;
}

/**
 * vuf_recv() - Receive one message from the back-end, whatever it is
 * @c:		Connection
 * @m:		Message to fill (the caller owns its fds)
 *
 * Return: 0, -ETIMEDOUT when the back-end stays silent, or -errno
 */
int vuf_recv(struct vuf_conn *c, struct vuf_msg *m)
{
	int r;

	if (c->broken)
		return vuf_fail(c, EPIPE, "stream out of sync after an error");
	r = vuf_sock_recv_msg(c->fd, m, vuf_deadline(c->timeout_ms));
	if (r == -EPROTO || r == -EMSGSIZE || r == -EBADMSG)
		c->broken = true;
	if (r == -ETIMEDOUT)
		return vuf_fail(c, ETIMEDOUT, "no message within %d ms",
				c->timeout_ms);
	if (r == -ECONNRESET)
		return vuf_fail(c, ECONNRESET, "back-end closed the "
				"connection");
	if (r)
		return vuf_fail(c, -r, "bad message from back-end: %s",
				g_strerror(-r));
	debug_msg("<-", m->request, m->flags, m->size, m->nfds);
	return 0;
}

/**
 * vuf_recv_reply() - Receive the reply to a request and validate its header
 * @c:		Connection
 * @request:	Request id the reply must carry
 * @m:		Message to fill (the caller owns its fds)
 *
 * A reply must carry flags exactly 0x5 (version 1 and REPLY) and the same
 * request id, as QEMU requires.
 *
 * Return: 0, -EPROTO for a malformed reply, or -errno
 */
int vuf_recv_reply(struct vuf_conn *c, uint32_t request, struct vuf_msg *m)
{
	int r = vuf_recv(c, m);

	if (r)
		return r;
	if (m->flags != VUF_REPLY_FLAGS || m->request != request) {
		vuf_msg_close_fds(m);
		return vuf_fail(c, EPROTO,
				"bad reply to %s: request %u flags 0x%x",
				vuf_request_name(request), m->request,
				m->flags);
	}
	return 0;
}

/**
 * want_ack() - Whether a request goes out with NEED_REPLY
 * @c:		Connection
 * @opts:	VUF_O_* options
 *
 * Return: true to set NEED_REPLY and wait for a u64 acknowledgement
 */
static bool want_ack(const struct vuf_conn *c, unsigned int opts)
{
	if (opts & VUF_O_ACK)
		return true;
	if (opts & (VUF_O_NOACK | VUF_O_REPLY))
		return false;
	return c->auto_ack && vuf_conn_has_pf(c, VUF_PF_REPLY_ACK);
}

/**
 * recv_ack() - Receive and check a REPLY_ACK acknowledgement
 * @c:		Connection
 * @request:	Request acknowledged
 *
 * Return: 0, -EREMOTEIO if the back-end reported failure, or -errno
 */
static int recv_ack(struct vuf_conn *c, uint32_t request)
{
	struct vuf_msg m;
	uint64_t v;
	int r;

	r = vuf_recv_reply(c, request, &m);
	if (r)
		return r;
	if (m.size != sizeof(uint64_t) || m.nfds) {
		vuf_msg_close_fds(&m);
		return vuf_fail(c, EPROTO, "ack of %s: %u bytes, %u fds",
				vuf_request_name(request), m.size, m.nfds);
	}
	v = vuf_msg_u64(&m);
	if (v) {
		c->last_ack = v;
		return vuf_fail(c, EREMOTEIO, "back-end failed %s (ack %llu)",
				vuf_request_name(request),
				(unsigned long long)v);
	}
	return 0;
}

/**
 * vuf_request() - Send a request and wait for what it answers
 * @c:		Connection
 * @request:	Request id
 * @payload:	Payload, may be NULL if @size is 0
 * @size:	Payload bytes
 * @fds:	File descriptors to pass (they stay the caller's)
 * @nfds:	Number of @fds
 * @opts:	VUF_O_REPLY: receive the request's own reply into @reply;
 *		VUF_O_ACK / VUF_O_NOACK: force NEED_REPLY on or off (by
 *		default it is set when REPLY_ACK is negotiated and auto-ack
 *		is on)
 * @reply:	Reply (with VUF_O_REPLY); NULL to discard it
 *
 * Return: 0, -EREMOTEIO when the back-end acknowledged with non-zero,
 * -ETIMEDOUT, -EPROTO for a malformed reply, or -errno
 */
int vuf_request(struct vuf_conn *c, uint32_t request, const void *payload,
		uint32_t size, const int *fds, unsigned int nfds,
		unsigned int opts, struct vuf_msg *reply)
{
	bool ack = want_ack(c, opts);
	struct vuf_msg tmp;
	int r;

	r = vuf_send(c, request, ack ? VUF_FLAG_NEED_REPLY : 0, payload, size,
		     fds, nfds);
	if (r)
		return r;
	if (opts & VUF_O_REPLY) {
		r = vuf_recv_reply(c, request, reply ? reply : &tmp);
		if (!r && !reply)
			vuf_msg_close_fds(&tmp);
		return r;
	}
	return ack ? recv_ack(c, request) : 0;
}

/**
 * vuf_conn_wait_closed() - Wait for the back-end to close the connection
 * @c:		Connection
 * @timeout_ms:	How long to wait
 *
 * Whatever the back-end sends meanwhile is read and discarded.
 *
 * Return: true if the back-end closed (or reset) the connection in time
 */
bool vuf_conn_wait_closed(struct vuf_conn *c, int timeout_ms)
{
	gint64 deadline = vuf_deadline(timeout_ms);
	struct vuf_msg m = { 0 };
	uint8_t buf[4096];
	ssize_t n;

	for (;;) {
		n = recv_some(c->fd, buf, sizeof(buf), &m, deadline);
		vuf_msg_close_fds(&m);
		if (n == 0 || n == -ECONNRESET || n == -EPIPE)
			return true;
		if (n == -ETIMEDOUT || (n < 0 && n != -EBADMSG) ||
		    g_get_monotonic_time() > deadline)
			return false;
	}
}

/**
 * vuf_request_name() - Name of a front-end request id
 * @request:	Request id
 *
 * Return: a static string ("UNKNOWN" for ids the specification lacks)
 */
const char *vuf_request_name(uint32_t request)
{
	static const char *const names[] = {
		[1] = "GET_FEATURES", [2] = "SET_FEATURES",
		[3] = "SET_OWNER", [4] = "RESET_OWNER",
		[5] = "SET_MEM_TABLE", [6] = "SET_LOG_BASE",
		[7] = "SET_LOG_FD", [8] = "SET_VRING_NUM",
		[9] = "SET_VRING_ADDR", [10] = "SET_VRING_BASE",
		[11] = "GET_VRING_BASE", [12] = "SET_VRING_KICK",
		[13] = "SET_VRING_CALL", [14] = "SET_VRING_ERR",
		[15] = "GET_PROTOCOL_FEATURES", [16] = "SET_PROTOCOL_FEATURES",
		[17] = "GET_QUEUE_NUM", [18] = "SET_VRING_ENABLE",
		[19] = "SEND_RARP", [20] = "NET_SET_MTU",
		[21] = "SET_BACKEND_REQ_FD", [22] = "IOTLB_MSG",
		[23] = "SET_VRING_ENDIAN", [24] = "GET_CONFIG",
		[25] = "SET_CONFIG", [26] = "CREATE_CRYPTO_SESSION",
		[27] = "CLOSE_CRYPTO_SESSION", [28] = "POSTCOPY_ADVISE",
		[29] = "POSTCOPY_LISTEN", [30] = "POSTCOPY_END",
		[31] = "GET_INFLIGHT_FD", [32] = "SET_INFLIGHT_FD",
		[33] = "GPU_SET_SOCKET", [34] = "RESET_DEVICE",
		[35] = "VRING_KICK", [36] = "GET_MAX_MEM_SLOTS",
		[37] = "ADD_MEM_REG", [38] = "REM_MEM_REG",
		[39] = "SET_STATUS", [40] = "GET_STATUS",
		[41] = "GET_SHARED_OBJECT", [42] = "SET_DEVICE_STATE_FD",
		[43] = "CHECK_DEVICE_STATE",
	};

	if (request < G_N_ELEMENTS(names) && names[request])
		return names[request];
	return "UNKNOWN";
}
