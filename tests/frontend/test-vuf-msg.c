// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-vuf-msg.c - libvuf message encoding, reply validation, the back-end
 * channel and session reconnect, against a tiny fake back-end thread that
 * parses the socket with its own code.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "vuf.h"

/**
 * struct fmsg - a message as the fake back-end received it
 * @req:	Request id
 * @flags:	Flags
 * @size:	Payload bytes
 * @payload:	Payload
 * @fds:	File descriptors (kept open until the fake is freed)
 * @nfds:	Number of @fds
 */
struct fmsg {
	uint32_t req;
	uint32_t flags;
	uint32_t size;
	uint8_t payload[512];
	int fds[8];
	unsigned int nfds;
};

/**
 * struct fake - a fake back-end on the other end of a socketpair
 * @fd:		Its socket
 * @thread:	Thread serving @fd
 * @log:	Messages received (struct fmsg *)
 * @features:	GET_FEATURES answer
 * @pf:		GET_PROTOCOL_FEATURES answer
 * @ack:	REPLY_ACK value per request id
 * @reply_flags: Flags put on replies (0x5 unless a test breaks them)
 * @reply_delta: Added to the request id of replies
 * @silent:	Never reply
 * @hangup:	Close the socket after the first message
 * @base:	GET_VRING_BASE answer
 * @inflight_fd: memfd handed out by GET_INFLIGHT_FD
 * @chan_send:	On SET_BACKEND_REQ_FD, send this back-end request (0: none)
 * @chan_state:	Payload of @chan_send (vring state), for VRING_CALL
 * @chan_reply:	The front-end's reply to @chan_send
 * @state_reply: SET_DEVICE_STATE_FD answer (bit 8: no fd returned)
 * @check:	CHECK_DEVICE_STATE answer
 */
struct fake {
	int fd;
	GThread *thread;
	GPtrArray *log;
	uint64_t features;
	uint64_t pf;
	uint64_t ack[64];
	uint32_t reply_flags;
	int reply_delta;
	bool silent;
	bool hangup;
	uint32_t base;
	int inflight_fd;
	uint32_t chan_send;
	struct vuf_vring_state chan_state;
	struct fmsg chan_reply;
	uint64_t state_reply;
	uint64_t check;
};

/**
 * fake_read() - Read one message with the fake's own parser
 * @fd:		Socket
 * @m:		Message to fill
 *
 * Return: true if a whole message arrived (or a header announcing more
 * than 512 bytes, whose payload is left unread)
 */
static bool fake_read(int fd, struct fmsg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} cbuf;
	uint32_t hdr[3];
	struct iovec iov = { hdr, sizeof(hdr) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *cm;

	memset(m, 0, sizeof(*m));
	if (recvmsg(fd, &mh, MSG_WAITALL) != sizeof(hdr))
		return false;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		m->nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(m->fds, CMSG_DATA(cm), m->nfds * sizeof(int));
	}
	m->req = hdr[0];
	m->flags = hdr[1];
	m->size = hdr[2];
	/* a size over 512 is a lie the test tells: keep the header only */
	if (m->size > sizeof(m->payload))
		return true;
	return !m->size || recv(fd, m->payload, m->size, MSG_WAITALL) ==
			   (ssize_t)m->size;
}

/**
 * fake_send() - Send a message with an explicit header
 * @fd:		Socket
 * @req:	Request id
 * @flags:	Flags
 * @p:		Payload
 * @size:	Payload bytes
 * @sfd:	File descriptor to pass, or -1
 */
static void fake_send(int fd, uint32_t req, uint32_t flags, const void *p,
		      uint32_t size, int sfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf = { { 0 } };
	uint8_t buf[12 + 512];
	uint32_t hdr[3] = { req, flags, size };
	struct iovec iov = { buf, 12 + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	memcpy(buf, hdr, 12);
	memcpy(buf + 12, p, size);
	if (sfd >= 0) {
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sfd, sizeof(int));
	}
	g_assert_cmpint(sendmsg(fd, &mh, MSG_NOSIGNAL), ==, 12 + size);
}

/**
 * fake_reply() - Reply to a request as the fake is configured to
 * @f:		Fake
 * @m:		Request
 * @p:		Payload
 * @size:	Payload bytes
 * @sfd:	File descriptor to pass, or -1
 */
static void fake_reply(struct fake *f, const struct fmsg *m, const void *p,
		       uint32_t size, int sfd)
{
	fake_send(f->fd, (uint32_t)((int)m->req + f->reply_delta),
		  f->reply_flags, p, size, sfd);
}

/**
 * fake_channel() - SET_BACKEND_REQ_FD: send a request on the new channel
 * and read the front-end's answer
 * @f:		Fake
 * @m:		The SET_BACKEND_REQ_FD message (with the channel fd)
 */
static void fake_channel(struct fake *f, const struct fmsg *m)
{
	if (!f->chan_send || m->nfds != 1)
		return;
	fake_send(m->fds[0], f->chan_send, 0x1 | 0x8, &f->chan_state,
		  f->chan_send == VUF_BACKEND_VRING_CALL ?
		  sizeof(f->chan_state) : 0, -1);
	g_assert_true(fake_read(m->fds[0], &f->chan_reply));
}

/**
 * fake_own_reply() - Answer requests that have a reply of their own
 * @f:		Fake
 * @m:		Request
 *
 * Return: true if @m was answered
 */
static bool fake_own_reply(struct fake *f, const struct fmsg *m)
{
	struct vuf_wire_inflight inf = { 4096, 0, 2, 8, 0 };
	struct vuf_vring_state st = { 0, f->base };
	uint64_t v = 2;

	switch (m->req) {
	case VUF_GET_FEATURES:
		fake_reply(f, m, &f->features, 8, -1);
		return true;
	case VUF_GET_PROTOCOL_FEATURES:
		fake_reply(f, m, &f->pf, 8, -1);
		return true;
	case VUF_GET_QUEUE_NUM:
		fake_reply(f, m, &v, 8, -1);
		return true;
	case VUF_GET_VRING_BASE:
		memcpy(&st.index, m->payload, 4);
		fake_reply(f, m, &st, sizeof(st), -1);
		return true;
	case VUF_GET_INFLIGHT_FD:
		f->inflight_fd = memfd_create("inflight", MFD_CLOEXEC);
		g_assert_cmpint(ftruncate(f->inflight_fd, 4096), ==, 0);
		fake_reply(f, m, &inf, sizeof(inf), f->inflight_fd);
		return true;
	case VUF_GET_CONFIG:
		fake_reply(f, m, m->payload, m->size, -1);
		return true;
	case VUF_SET_LOG_BASE:
		fake_reply(f, m, m->payload, 8, -1);
		return true;
	case VUF_CHECK_DEVICE_STATE:
		fake_reply(f, m, &f->check, 8, -1);
		return true;
	case VUF_SET_DEVICE_STATE_FD:
		fake_reply(f, m, &f->state_reply, 8,
			   (f->state_reply & VUF_STATE_NOFD) ? -1 : m->fds[0]);
		return true;
	}
	return false;
}

/**
 * fake_thread() - Serve the socket until the front-end closes it
 * @data:	Fake
 *
 * Return: NULL
 */
static gpointer fake_thread(gpointer data)
{
	struct fake *f = data;
	struct fmsg *m;

	for (;;) {
		m = g_new(struct fmsg, 1);
		if (!fake_read(f->fd, m)) {
			g_free(m);
			break;
		}
		g_ptr_array_add(f->log, m);
		if (f->hangup)
			break;
		if (f->silent || fake_own_reply(f, m))
			continue;
		if (m->flags & 0x8)
			fake_reply(f, m, &f->ack[m->req % 64], 8, -1);
		if (m->req == VUF_SET_BACKEND_REQ_FD)
			fake_channel(f, m);
	}
	close(f->fd);
	f->fd = -1;
	return NULL;
}

/**
 * fake_new() - Create a fake back-end and a connection to it
 * @f:		Fake to initialise (configure it before starting)
 *
 * Return: the front-end's connection (2 s timeout)
 */
static struct vuf_conn *fake_new(struct fake *f)
{
	struct vuf_conn *c;
	int sv[2];

	memset(f, 0, sizeof(*f));
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	f->fd = sv[1];
	f->log = g_ptr_array_new();
	f->reply_flags = VUF_REPLY_FLAGS;
	f->inflight_fd = -1;
	c = vuf_conn_new(sv[0]);
	vuf_conn_set_timeout(c, 2000);
	return c;
}

/**
 * fake_start() - Start serving
 * @f:		Fake
 */
static void fake_start(struct fake *f)
{
	f->thread = g_thread_new("fake", fake_thread, f);
}

/**
 * fake_join() - Wait for the fake to see the connection close
 * @f:		Fake
 */
static void fake_join(struct fake *f)
{
	g_thread_join(f->thread);
}

/**
 * fake_msg() - The @i-th message the fake received
 * @f:		Fake
 * @i:		Index
 *
 * Return: message
 */
static struct fmsg *fake_msg(struct fake *f, unsigned int i)
{
	g_assert_cmpuint(i, <, f->log->len);
	return g_ptr_array_index(f->log, i);
}

/**
 * fake_free() - Free the log and every fd received
 * @f:		Fake (joined)
 */
static void fake_free(struct fake *f)
{
	unsigned int i, j;

	for (i = 0; i < f->log->len; i++) {
		struct fmsg *m = fake_msg(f, i);

		for (j = 0; j < m->nfds; j++)
			close(m->fds[j]);
		g_free(m);
	}
	g_ptr_array_free(f->log, TRUE);
	if (f->inflight_fd >= 0)
		close(f->inflight_fd);
}

/**
 * same_file() - Whether two fds refer to the same open file's inode
 * @a:		First
 * @b:		Second
 *
 * Return: true if device and inode match
 */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	g_assert_cmpint(fstat(a, &sa), ==, 0);
	g_assert_cmpint(fstat(b, &sb), ==, 0);
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/**
 * test_get_features() - A u64 request and reply, on the wire
 */
static void test_get_features(void)
{
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint64_t v = 0;

	f.features = 0x1234567890ull;
	fake_start(&f);
	g_assert_cmpint(vuf_get_features(c, &v), ==, 0);
	g_assert_cmpuint(v, ==, 0x1234567890ull);
	g_assert_cmpint(vuf_set_features(c, 0x40000000), ==, 0);
	g_assert_cmpuint(vuf_conn_features(c), ==, 0x40000000);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(f.log->len, ==, 2);
	g_assert_cmpuint(fake_msg(&f, 0)->req, ==, 1);
	g_assert_cmpuint(fake_msg(&f, 0)->flags, ==, 1);
	g_assert_cmpuint(fake_msg(&f, 0)->size, ==, 0);
	g_assert_cmpuint(fake_msg(&f, 1)->req, ==, 2);
	g_assert_cmpuint(fake_msg(&f, 1)->size, ==, 8);
	g_assert_cmpmem(fake_msg(&f, 1)->payload, 8,
			&(uint64_t){ 0x40000000 }, 8);
	fake_free(&f);
}

/**
 * check_bad_reply() - A reply with the given header mistake is refused
 * @flags:	Reply flags
 * @delta:	Added to the reply's request id
 */
static void check_bad_reply(uint32_t flags, int delta)
{
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint64_t v;

	f.reply_flags = flags;
	f.reply_delta = delta;
	fake_start(&f);
	g_assert_cmpint(vuf_get_features(c, &v), ==, -EPROTO);
	g_assert_nonnull(strstr(vuf_conn_error(c), "bad reply"));
	vuf_conn_free(c);
	fake_join(&f);
	fake_free(&f);
}

/**
 * test_bad_reply() - Replies must carry flags 0x5 and the same request id
 */
static void test_bad_reply(void)
{
	check_bad_reply(0x1, 0);
	check_bad_reply(0xd, 0);
	check_bad_reply(0x6, 0);
	check_bad_reply(VUF_REPLY_FLAGS, 1);
}

/**
 * test_timeout() - A silent back-end gives -ETIMEDOUT, not a hang
 */
static void test_timeout(void)
{
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	gint64 t0 = g_get_monotonic_time();
	uint64_t v;

	f.silent = true;
	fake_start(&f);
	vuf_conn_set_timeout(c, 100);
	g_assert_cmpint(vuf_get_queue_num(c, &v), ==, -ETIMEDOUT);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 1500000);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 90000);
	vuf_conn_free(c);
	fake_join(&f);
	fake_free(&f);
}

/**
 * test_hangup() - A back-end closing the socket is reported as such
 */
static void test_hangup(void)
{
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint64_t v;

	f.hangup = true;
	fake_start(&f);
	g_assert_cmpint(vuf_get_features(c, &v), ==, -ECONNRESET);
	g_assert_true(vuf_conn_wait_closed(c, 1000));
	vuf_conn_free(c);
	fake_join(&f);
	fake_free(&f);
}

/**
 * test_reply_ack() - NEED_REPLY once REPLY_ACK is negotiated; non-zero fails
 */
static void test_reply_ack(void)
{
	struct fake f;
	struct vuf_conn *c = fake_new(&f);

	f.ack[VUF_SET_FEATURES] = 7;
	fake_start(&f);
	g_assert_cmpint(vuf_set_owner(c), ==, 0);	/* no ack asked yet */
	g_assert_cmpint(vuf_set_protocol_features(c,
			VUF_BIT(VUF_PF_REPLY_ACK)), ==, 0);
	g_assert_true(vuf_conn_has_pf(c, VUF_PF_REPLY_ACK));
	g_assert_cmpint(vuf_set_owner(c), ==, 0);
	g_assert_cmpint(vuf_set_features(c, 1), ==, -EREMOTEIO);
	g_assert_cmpuint(vuf_conn_last_ack(c), ==, 7);
	vuf_conn_set_auto_ack(c, false);
	g_assert_cmpint(vuf_reset_device(c), ==, 0);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(f.log->len, ==, 5);
	g_assert_cmpuint(fake_msg(&f, 0)->flags, ==, 0x1);
	g_assert_cmpuint(fake_msg(&f, 1)->flags, ==, 0x1);
	g_assert_cmpuint(fake_msg(&f, 2)->flags, ==, 0x9);
	g_assert_cmpuint(fake_msg(&f, 3)->flags, ==, 0x9);
	g_assert_cmpuint(fake_msg(&f, 4)->flags, ==, 0x1);
	g_assert_cmpuint(fake_msg(&f, 4)->req, ==, VUF_RESET_DEVICE);
	fake_free(&f);
}

/**
 * test_vring_fds() - SET_VRING_KICK/CALL pass the eventfd or the no-fd flag
 */
static void test_vring_fds(void)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint64_t v;

	fake_start(&f);
	g_assert_cmpint(vuf_set_vring_kick(c, 3, efd), ==, 0);
	g_assert_cmpint(vuf_set_vring_call(c, 1, -1), ==, 0);
	g_assert_cmpint(vuf_set_vring_err(c, 2, efd), ==, 0);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(fake_msg(&f, 0)->req, ==, VUF_SET_VRING_KICK);
	g_assert_cmpuint(fake_msg(&f, 0)->nfds, ==, 1);
	g_assert_true(same_file(fake_msg(&f, 0)->fds[0], efd));
	memcpy(&v, fake_msg(&f, 0)->payload, 8);
	g_assert_cmpuint(v, ==, 3);
	g_assert_cmpuint(fake_msg(&f, 1)->nfds, ==, 0);
	memcpy(&v, fake_msg(&f, 1)->payload, 8);
	g_assert_cmpuint(v, ==, 1 | VUF_VRING_NOFD);
	g_assert_cmpuint(fake_msg(&f, 2)->req, ==, VUF_SET_VRING_ERR);
	fake_free(&f);
	close(efd);
}

/**
 * check_region() - A region in a message maps to the bytes we wrote
 * @w:		Wire region
 * @fd:		Its fd, as the fake received it
 * @m:		Our memory
 */
static void check_region(const struct vuf_wire_region *w, int fd,
			 struct vuf_mem *m)
{
	uint8_t *p = mmap(NULL, w->size + w->mmap_offset, PROT_READ,
			  MAP_SHARED, fd, 0);

	g_assert(p != MAP_FAILED);
	g_assert_cmpmem(p + w->mmap_offset, 4,
			vuf_mem_ptr(m, w->guest_addr, 4), 4);
	g_assert_cmpuint(w->user_addr, ==, vuf_mem_uva(m, w->guest_addr));
	munmap(p, w->size + w->mmap_offset);
}

/**
 * test_mem_table() - SET_MEM_TABLE, ADD_MEM_REG and REM_MEM_REG payloads
 */
static void test_mem_table(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_wire_mem_table t;
	struct vuf_wire_mem_single s;
	struct fake f;
	struct vuf_conn *c = fake_new(&f);

	g_assert_cmpint(vuf_mem_add_region(m, 0x100000, 0x10000, 0), ==, 0);
	g_assert_cmpint(vuf_mem_add_region(m, 0x400000, 0x8000, 100), ==, 1);
	memcpy(vuf_mem_ptr(m, 0x100000, 4), "AAAA", 4);
	memcpy(vuf_mem_ptr(m, 0x400000, 4), "BBBB", 4);
	fake_start(&f);
	g_assert_cmpint(vuf_set_mem_table(c, m), ==, 0);
	g_assert_cmpint(vuf_add_mem_reg(c, m, 1), ==, 0);
	g_assert_cmpint(vuf_rem_mem_reg(c, m, 1), ==, 0);
	g_assert_cmpint(vuf_rem_mem_reg(c, m, 5), ==, -ENOENT);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(fake_msg(&f, 0)->size, ==, 8 + 2 * 32);
	g_assert_cmpuint(fake_msg(&f, 0)->nfds, ==, 2);
	memcpy(&t, fake_msg(&f, 0)->payload, fake_msg(&f, 0)->size);
	g_assert_cmpuint(t.nregions, ==, 2);
	g_assert_cmpuint(t.regions[1].mmap_offset, ==, 100);
	check_region(&t.regions[0], fake_msg(&f, 0)->fds[0], m);
	check_region(&t.regions[1], fake_msg(&f, 0)->fds[1], m);
	g_assert_cmpuint(fake_msg(&f, 1)->req, ==, VUF_ADD_MEM_REG);
	g_assert_cmpuint(fake_msg(&f, 1)->size, ==, 40);
	g_assert_cmpuint(fake_msg(&f, 1)->nfds, ==, 1);
	memcpy(&s, fake_msg(&f, 1)->payload, sizeof(s));
	check_region(&s.region, fake_msg(&f, 1)->fds[0], m);
	g_assert_cmpuint(fake_msg(&f, 2)->req, ==, VUF_REM_MEM_REG);
	g_assert_cmpuint(fake_msg(&f, 2)->nfds, ==, 0);
	g_assert_cmpmem(fake_msg(&f, 2)->payload, 40, fake_msg(&f, 1)->payload,
			40);
	g_assert_cmpuint(f.log->len, ==, 3);
	fake_free(&f);
	vuf_mem_free(m);
}

/**
 * test_raw() - Raw bytes go out exactly as given, with their fds
 */
static void test_raw(void)
{
	uint32_t bad[4] = { 5, 0x1, 1000, 0xdeadbeef };	/* size lies */
	int efd = eventfd(0, EFD_CLOEXEC);
	int fds[2] = { efd, efd };
	struct fake f;
	struct vuf_conn *c = fake_new(&f);

	f.hangup = true;
	fake_start(&f);
	g_assert_cmpint(vuf_send_raw(c, bad, 12, fds, 2), ==, 0);
	g_assert_true(vuf_conn_wait_closed(c, 1000));
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(fake_msg(&f, 0)->req, ==, 5);
	g_assert_cmpuint(fake_msg(&f, 0)->size, ==, 1000);
	g_assert_cmpuint(fake_msg(&f, 0)->nfds, ==, 2);
	fake_free(&f);
	close(efd);
}

/**
 * test_typed() - Payloads of config, status, vring and inflight requests
 */
static void test_typed(void)
{
	uint8_t cfg[8] = { 0 };
	struct vuf_inflight inf;
	struct vuf_vring_addr a = { 1, 0, 0x1000, 0x2000, 0x3000, 0x4000 };
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint32_t base;

	f.base = 0x80008000;
	fake_start(&f);
	g_assert_cmpint(vuf_get_config(c, 4, cfg, 8), ==, 0);
	g_assert_cmpint(vuf_get_vring_base(c, 1, &base), ==, 0);
	g_assert_cmpuint(base, ==, 0x80008000);
	g_assert_cmpint(vuf_set_vring_addr(c, &a), ==, 0);
	g_assert_cmpint(vuf_get_inflight_fd(c, 2, 8, &inf), ==, 0);
	g_assert_cmpuint(inf.mmap_size, ==, 4096);
	((uint8_t *)inf.addr)[10] = 0x5a;
	g_assert_cmpint(vuf_set_inflight_fd(c, &inf), ==, 0);
	g_assert_cmpint(vuf_set_status(c, 0x0f), ==, 0);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(fake_msg(&f, 0)->size, ==, 12 + 8);
	g_assert_cmpuint(fake_msg(&f, 2)->size, ==, 40);
	g_assert_cmpmem(fake_msg(&f, 2)->payload, 40, &a, 40);
	g_assert_cmpuint(fake_msg(&f, 3)->size, ==, 24);
	g_assert_cmpuint(fake_msg(&f, 4)->size, ==, 24);
	g_assert_true(same_file(fake_msg(&f, 4)->fds[0], f.inflight_fd));
	g_assert_cmpuint(fake_msg(&f, 5)->payload[0], ==, 0x0f);
	vuf_inflight_release(&inf);
	fake_free(&f);
}

/**
 * test_state_log() - SET_DEVICE_STATE_FD replies, CHECK_DEVICE_STATE,
 * SET_LOG_BASE
 */
static void test_state_log(void)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint64_t res = 99;
	int bfd = 0;

	f.state_reply = VUF_STATE_NOFD;
	f.check = 3;
	fake_start(&f);
	g_assert_cmpint(vuf_set_device_state_fd(c, VUF_STATE_LOAD, 0, efd,
						&bfd), ==, 0);
	g_assert_cmpint(bfd, ==, -1);
	f.state_reply = 0;				/* its own fd back */
	g_assert_cmpint(vuf_set_device_state_fd(c, VUF_STATE_SAVE, 0, efd,
						&bfd), ==, 0);
	g_assert_true(same_file(bfd, efd));
	close(bfd);
	f.state_reply = VUF_STATE_NOFD | 1;
	g_assert_cmpint(vuf_set_device_state_fd(c, VUF_STATE_SAVE, 0, efd,
						NULL), ==, -EREMOTEIO);
	g_assert_cmpint(vuf_check_device_state(c, &res), ==, 0);
	g_assert_cmpuint(res, ==, 3);
	g_assert_cmpint(vuf_set_log_base(c, efd, 4096, 0), ==, 0);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(fake_msg(&f, 0)->size, ==, 8);
	g_assert_cmpuint(fake_msg(&f, 0)->payload[0], ==, VUF_STATE_LOAD);
	g_assert_cmpuint(fake_msg(&f, 0)->nfds, ==, 1);
	g_assert_cmpuint(fake_msg(&f, 4)->req, ==, VUF_SET_LOG_BASE);
	g_assert_cmpuint(fake_msg(&f, 4)->size, ==, 16);
	g_assert_cmpuint(fake_msg(&f, 4)->nfds, ==, 1);
	fake_free(&f);
	close(efd);
}

/**
 * test_backend_channel() - CONFIG_CHANGE arrives and is acknowledged
 */
static void test_backend_channel(void)
{
	struct vuf_msg m;
	struct fake f;
	struct vuf_conn *c = fake_new(&f);
	uint64_t v;

	f.chan_send = VUF_BACKEND_CONFIG_CHANGE;
	fake_start(&f);
	g_assert_cmpint(vuf_backend_channel_open(c), ==, 0);
	g_assert_cmpint(vuf_backend_fd(c), >=, 0);
	g_assert_cmpint(vuf_backend_recv(c, &m, 1000), ==, 0);
	g_assert_cmpuint(m.request, ==, VUF_BACKEND_CONFIG_CHANGE);
	g_assert_cmpuint(m.flags, ==, 0x9);
	g_assert_cmpint(vuf_backend_reply(c, &m, 0), ==, 0);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(fake_msg(&f, 0)->req, ==, VUF_SET_BACKEND_REQ_FD);
	g_assert_cmpuint(fake_msg(&f, 0)->nfds, ==, 1);
	g_assert_cmpuint(f.chan_reply.req, ==, VUF_BACKEND_CONFIG_CHANGE);
	g_assert_cmpuint(f.chan_reply.flags, ==, 0x5);
	g_assert_cmpuint(f.chan_reply.size, ==, 8);
	memcpy(&v, f.chan_reply.payload, 8);
	g_assert_cmpuint(v, ==, 0);
	fake_free(&f);
}

/**
 * test_inband_call() - An in-band VRING_CALL counts as a call and is acked
 */
static void test_inband_call(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_vq *vq;
	struct fake f;
	struct vuf_conn *c = fake_new(&f);

	g_assert_cmpint(vuf_mem_add_region(m, 0, 1 << 20, 0), ==, 0);
	vq = vuf_vq_new(m, 1, 8, 0, 0);
	f.chan_send = VUF_BACKEND_VRING_CALL;
	f.chan_state.index = 1;
	fake_start(&f);
	vuf_vq_attach(vq, c);
	g_assert_cmpint(vuf_backend_channel_open(c), ==, 0);
	g_assert_cmpint(vuf_vq_wait_call(vq, 1000), ==, 0);
	g_assert_cmpuint(vuf_vq_calls(vq), ==, 1);
	g_assert_cmpuint(vuf_backend_inband_calls(c, 1), ==, 1);
	vuf_conn_free(c);
	fake_join(&f);
	g_assert_cmpuint(f.chan_reply.flags, ==, 0x5);
	g_assert_cmpuint(f.chan_reply.req, ==, VUF_BACKEND_VRING_CALL);
	fake_free(&f);
	vuf_vq_free(vq);
	vuf_mem_free(m);
}

/**
 * session_setup() - Negotiate, map memory, get inflight, start one ring
 * @s:		Session
 * @vq:		Set to the started ring
 */
static void session_setup(struct vuf_session *s, struct vuf_vq **vq)
{
	struct vuf_conn *c = vuf_session_conn(s);

	g_assert_cmpint(vuf_session_negotiate(s, VUF_BIT(VUF_F_VERSION_1) |
			VUF_BIT(VUF_F_RING_PACKED), VUF_BIT(VUF_PF_REPLY_ACK) |
			VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_INFLIGHT_SHMFD) |
			VUF_BIT(VUF_PF_INBAND_NOTIFICATIONS)), ==, 0);
	g_assert_cmpuint(vuf_conn_features(c), ==, VUF_BIT(VUF_F_VERSION_1) |
			 VUF_BIT(VUF_F_PROTOCOL_FEATURES));
	g_assert_false(vuf_conn_has_pf(c, VUF_PF_INBAND_NOTIFICATIONS));
	g_assert_cmpint(vuf_session_set_mem_table(s), ==, 0);
	g_assert_cmpint(vuf_session_get_inflight(s, 2, 8), ==, 0);
	*vq = vuf_session_add_vq(s, 0, 8, 0);
	g_assert_nonnull(*vq);
	g_assert_cmpint(vuf_session_start_vq(s, *vq), ==, 0);
}

static const uint32_t reconnect_seq[] = {
	VUF_GET_FEATURES, VUF_GET_PROTOCOL_FEATURES, VUF_SET_PROTOCOL_FEATURES,
	VUF_GET_QUEUE_NUM, VUF_SET_OWNER, VUF_SET_INFLIGHT_FD,
	VUF_SET_FEATURES, VUF_SET_MEM_TABLE, VUF_SET_VRING_NUM,
	VUF_SET_VRING_BASE, VUF_SET_VRING_ADDR, VUF_SET_VRING_KICK,
	VUF_SET_VRING_CALL, VUF_SET_VRING_ENABLE,
};

/**
 * check_reconnect() - The second connection saw QEMU's setup sequence
 * @f2:		Fake behind the new connection
 * @f1:		Fake behind the first one (gave the inflight fd)
 * @base:	SET_VRING_BASE value expected
 */
static void check_reconnect(struct fake *f2, struct fake *f1, uint32_t base)
{
	struct vuf_vring_state st;
	unsigned int i;

	g_assert_cmpuint(f2->log->len, ==, G_N_ELEMENTS(reconnect_seq));
	for (i = 0; i < G_N_ELEMENTS(reconnect_seq); i++) {
		bool own = reconnect_seq[i] == VUF_GET_QUEUE_NUM;

		g_assert_cmpuint(fake_msg(f2, i)->req, ==, reconnect_seq[i]);
		/* REPLY_ACK is on after SET_PROTOCOL_FEATURES */
		if (i > 2)
			g_assert_cmpuint(fake_msg(f2, i)->flags & 0x8, ==,
					 own ? 0 : 0x8);
	}
	g_assert_true(same_file(fake_msg(f2, 5)->fds[0], f1->inflight_fd));
	memcpy(&st, fake_msg(f2, 9)->payload, sizeof(st));
	g_assert_cmpuint(st.num, ==, base);
}

/**
 * fake_like() - A fake configured as another one, started
 * @f:		Fake to create
 * @model:	Fake whose offers to copy
 *
 * Return: the front-end's connection to @f
 */
static struct vuf_conn *fake_like(struct fake *f, const struct fake *model)
{
	struct vuf_conn *c = fake_new(f);

	f->features = model->features;
	f->pf = model->pf;
	fake_start(f);
	return c;
}

/**
 * test_session_reconnect() - Reconnect re-sends the setup, base as QEMU
 */
static void test_session_reconnect(void)
{
	struct vuf_mem *m = vuf_mem_new();
	struct iovec out = { (void *)"x", 1 };
	struct fake f1, f2, f3;
	struct vuf_session *s;
	struct vuf_vq *vq;
	uint64_t d, a, u;

	g_assert_cmpint(vuf_mem_add_region(m, 0x100000, 1 << 20, 0), ==, 0);
	s = vuf_session_new(fake_new(&f1), m);
	f1.features = VUF_BIT(VUF_F_VERSION_1) | VUF_BIT(VUF_F_EVENT_IDX) |
		      VUF_BIT(VUF_F_PROTOCOL_FEATURES);
	f1.pf = VUF_BIT(VUF_PF_REPLY_ACK) | VUF_BIT(VUF_PF_MQ) |
		VUF_BIT(VUF_PF_INFLIGHT_SHMFD) |
		VUF_BIT(VUF_PF_INBAND_NOTIFICATIONS);
	fake_start(&f1);
	session_setup(s, &vq);
	g_assert_cmpint(vuf_vq_post(vq, &out, 1, NULL, 0, false), ==, 0);
	g_assert_cmpint(vuf_vq_post(vq, &out, 1, NULL, 0, false), ==, 1);
	vuf_vq_ring_gpa(vq, &d, &a, &u);
	((uint8_t *)vuf_mem_ptr(m, u, 4))[2] = 1;	/* device used one */
	vuf_session_disconnect(s);
	fake_join(&f1);

	/* crash: SET_VRING_BASE gets used->idx */
	g_assert_cmpint(vuf_session_reconnect(s, fake_like(&f2, &f1)), ==, 0);
	vuf_session_disconnect(s);
	fake_join(&f2);
	check_reconnect(&f2, &f1, 1);
	fake_free(&f2);

	/* clean stop: the next start sends what GET_VRING_BASE said */
	g_assert_cmpint(vuf_session_reconnect(s, fake_like(&f2, &f1)), ==, 0);
	f2.base = 2;
	g_assert_cmpint(vuf_session_stop_vq(s, vq, NULL), ==, 0);
	g_assert_cmpint(vuf_session_start_vq(s, vq), ==, 0);
	vuf_session_disconnect(s);
	fake_join(&f2);
	g_assert_cmpuint(fake_msg(&f2, 14)->req, ==, VUF_GET_VRING_BASE);
	g_assert_cmpuint(fake_msg(&f2, 16)->req, ==, VUF_SET_VRING_BASE);
	g_assert_cmpuint(fake_msg(&f2, 16)->payload[4], ==, 2);
	fake_free(&f2);

	/* a back-end that lost a feature is refused */
	f1.features &= ~VUF_BIT(VUF_F_VERSION_1);
	g_assert_cmpint(vuf_session_reconnect(s, fake_like(&f3, &f1)), ==,
			-EPROTO);
	vuf_session_free(s);
	fake_join(&f3);
	fake_free(&f3);
	fake_free(&f1);
	vuf_mem_free(m);
}

/**
 * main() - Register and run the tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vuf/msg/get-features", test_get_features);
	g_test_add_func("/vuf/msg/bad-reply", test_bad_reply);
	g_test_add_func("/vuf/msg/timeout", test_timeout);
	g_test_add_func("/vuf/msg/hangup", test_hangup);
	g_test_add_func("/vuf/msg/reply-ack", test_reply_ack);
	g_test_add_func("/vuf/msg/vring-fds", test_vring_fds);
	g_test_add_func("/vuf/msg/mem-table", test_mem_table);
	g_test_add_func("/vuf/msg/raw", test_raw);
	g_test_add_func("/vuf/msg/typed", test_typed);
	g_test_add_func("/vuf/msg/state-log", test_state_log);
	g_test_add_func("/vuf/chan/config-change", test_backend_channel);
	g_test_add_func("/vuf/chan/inband-call", test_inband_call);
	g_test_add_func("/vuf/session/reconnect", test_session_reconnect);
	return g_test_run();
}
