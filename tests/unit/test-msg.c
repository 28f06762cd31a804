// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-msg.c - unit tests of the wire format: the request table, validation
 * of every id against wrong sizes and fd counts, and SCM_RIGHTS I/O.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "vu-msg.h"

/**
 * fd_is_open() - Is an fd number open?
 * @fd:		fd
 *
 * Return: true if it is
 */
static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/**
 * make_msg() - Build a request with a payload size and some fds
 * @m:		Message to fill
 * @req:	Request id
 * @size:	Payload size
 * @nfds:	Number of fds (eventfds, opened here)
 */
static void make_msg(struct vu_msg *m, uint32_t req, uint32_t size,
		     unsigned int nfds)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->hdr.request = req;
	m->hdr.flags = VU_FLAG_VERSION;
	m->hdr.size = size;
	m->reply_fd = -1;
	for (i = 0; i < nfds; i++)
		m->fds[i] = eventfd(0, EFD_CLOEXEC);
	m->nfds = nfds;
}

/**
 * test_table_complete() - Every id 1-43 has a named entry with sane bounds
 */
static void test_table_complete(void)
{
	uint32_t id;

	for (id = 1; id < VU_REQUEST_MAX; id++) {
		const struct vu_msg_spec *s = vu_msg_spec(id);

		g_assert_nonnull(s);
		g_assert_nonnull(s->name);
		g_assert_cmpuint(s->min_size, <=, s->max_size);
		g_assert_cmpuint(s->max_size, <=, VU_PAYLOAD_MAX);
		g_assert_cmpuint(s->min_fds, <=, s->max_fds);
		g_assert_cmpuint(s->max_fds, <=, VU_MAX_FDS);
	}
	g_assert_cmpuint(VU_REQUEST_MAX, ==, 44);
	g_assert_null(vu_msg_spec(0));
	g_assert_null(vu_msg_spec(44));
	g_assert_null(vu_msg_spec(0xffffffff));
	g_assert_cmpstr(vu_msg_name(VU_GET_FEATURES), ==, "GET_FEATURES");
	g_assert_cmpstr(vu_msg_name(VU_CHECK_DEVICE_STATE), ==,
			"CHECK_DEVICE_STATE");
	g_assert_cmpstr(vu_msg_name(99), ==, "UNKNOWN");
}

/**
 * test_table_sizes() - Fixed payload sizes are the spec's
 */
static void test_table_sizes(void)
{
	g_assert_cmpuint(sizeof(struct vu_msg_hdr), ==, 12);
	g_assert_cmpuint(vu_msg_spec(VU_SET_FEATURES)->min_size, ==, 8);
	g_assert_cmpuint(vu_msg_spec(VU_SET_VRING_ADDR)->min_size, ==, 40);
	g_assert_cmpuint(vu_msg_spec(VU_SET_MEM_TABLE)->max_size, ==,
			 8 + 8 * 32);
	g_assert_cmpuint(vu_msg_spec(VU_ADD_MEM_REG)->min_size, ==, 40);
	g_assert_cmpuint(vu_msg_spec(VU_GET_CONFIG)->max_size, ==, 12 + 256);
	g_assert_cmpuint(vu_msg_spec(VU_SET_LOG_BASE)->min_size, ==, 16);
	g_assert_cmpuint(vu_msg_spec(VU_GET_INFLIGHT_FD)->min_size, ==, 20);
	g_assert_cmpuint(vu_msg_spec(VU_GET_INFLIGHT_FD)->max_size, ==, 24);
	g_assert_true(vu_msg_spec(VU_GET_FEATURES)->replies);
	g_assert_true(vu_msg_spec(VU_GET_VRING_BASE)->replies);
	g_assert_false(vu_msg_spec(VU_SET_VRING_KICK)->replies);
	g_assert_null(vu_msg_spec(VU_IOTLB_MSG)->handler);
}

/**
 * test_validate_every_id() - Each id: bounds accepted, one past refused
 */
static void test_validate_every_id(void)
{
	uint32_t id;

	for (id = 1; id < VU_REQUEST_MAX; id++) {
		const struct vu_msg_spec *s = vu_msg_spec(id);
		struct vu_msg m;

		make_msg(&m, id, s->min_size, s->min_fds);
		g_assert_null(vu_msg_validate(&m));
		vu_msg_close_fds(&m);
		make_msg(&m, id, s->max_size, s->max_fds);
		g_assert_null(vu_msg_validate(&m));
		vu_msg_close_fds(&m);
		if (s->max_size < VU_PAYLOAD_MAX) {
			make_msg(&m, id, s->max_size + 1u, s->min_fds);
			g_assert_nonnull(vu_msg_validate(&m));
			vu_msg_close_fds(&m);
		}
		if (s->min_size > 0) {
			make_msg(&m, id, s->min_size - 1u, s->min_fds);
			g_assert_nonnull(vu_msg_validate(&m));
			vu_msg_close_fds(&m);
		}
		if (s->max_fds < VU_MAX_FDS) {
			make_msg(&m, id, s->min_size, s->max_fds + 1u);
			g_assert_nonnull(vu_msg_validate(&m));
			vu_msg_close_fds(&m);
		}
		if (s->min_fds > 0) {
			make_msg(&m, id, s->min_size, s->min_fds - 1u);
			g_assert_nonnull(vu_msg_validate(&m));
			vu_msg_close_fds(&m);
		}
	}
}

/**
 * test_validate_flags() - Wrong version and REPLY on a request are refused
 */
static void test_validate_flags(void)
{
	struct vu_msg m;

	make_msg(&m, VU_GET_FEATURES, 0, 0);
	m.hdr.flags = 0;
	g_assert_nonnull(vu_msg_validate(&m));
	m.hdr.flags = 2;
	g_assert_nonnull(vu_msg_validate(&m));
	m.hdr.flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
	g_assert_nonnull(vu_msg_validate(&m));
	m.hdr.flags = VU_FLAG_VERSION | VU_FLAG_NEED_REPLY;
	g_assert_null(vu_msg_validate(&m));
	/* Unknown ids are well formed; support is the dispatcher's call */
	make_msg(&m, 77, 16, 0);
	g_assert_null(vu_msg_validate(&m));
}

/**
 * test_take_and_close_fds() - take_fd hands over, close_fds closes the rest
 */
static void test_take_and_close_fds(void)
{
	struct vu_msg m;
	int a, b;

	make_msg(&m, VU_SET_MEM_TABLE, 8, 2);
	b = m.fds[1];
	a = vu_msg_take_fd(&m, 0);
	g_assert_cmpint(a, >=, 0);
	g_assert_cmpint(vu_msg_take_fd(&m, 0), ==, -1);
	g_assert_cmpint(vu_msg_take_fd(&m, 5), ==, -1);
	vu_msg_close_fds(&m);
	g_assert_true(fd_is_open(a));
	g_assert_false(fd_is_open(b));
	g_assert_cmpuint(m.nfds, ==, 0);
	close(a);
}

/**
 * test_io_roundtrip() - A message with fds survives send and receive
 */
static void test_io_roundtrip(void)
{
	struct vu_msg out, in;
	int sv[2], fds[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	make_msg(&out, VU_SET_VRING_CALL, 8, 0);
	out.payload.u64 = 3;
	fds[0] = eventfd(0, EFD_CLOEXEC);
	fds[1] = eventfd(0, EFD_CLOEXEC);
	g_assert_cmpint(vu_msg_send(sv[0], &out, fds, 2), ==, 0);
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, 0);
	g_assert_cmpuint(in.hdr.request, ==, VU_SET_VRING_CALL);
	g_assert_cmpuint(in.hdr.size, ==, 8);
	g_assert_cmpuint(in.payload.u64, ==, 3);
	g_assert_cmpuint(in.nfds, ==, 2);
	g_assert_cmpint(in.reply_fd, ==, -1);
	g_assert_true(fd_is_open(in.fds[0]));
	vu_msg_close_fds(&in);
	close(fds[0]);
	close(fds[1]);
	close(sv[0]);
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, -EPIPE);
	close(sv[1]);
}

/**
 * test_io_oversized() - A payload larger than any request fails, and the
 * fds that came with it are closed
 */
static void test_io_oversized(void)
{
	struct vu_msg in;
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	{
		struct vu_msg_hdr h = { VU_SET_MEM_TABLE, 1, 100000 };

		g_assert_cmpint(write(sv[0], &h, sizeof(h)), ==, sizeof(h));
	}
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, -EMSGSIZE);
	g_assert_cmpuint(in.nfds, ==, 0);
	close(sv[0]);
	close(sv[1]);
}

/**
 * test_io_truncated() - A header cut short, or a body that never comes,
 * is an error, not a hang
 */
static void test_io_truncated(void)
{
	struct vu_msg in;
	int sv[2];
	uint32_t part[2] = { VU_SET_FEATURES, 1 };
	struct vu_msg_hdr h = { VU_SET_FEATURES, 1, 8 };

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(write(sv[0], part, sizeof(part)), ==, sizeof(part));
	close(sv[0]);
	g_assert_cmpint(vu_msg_recv(sv[1], &in), <, 0);
	close(sv[1]);

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(write(sv[0], &h, sizeof(h)), ==, sizeof(h));
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);

	/* Half a header, then silence: given up on, not waited for */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(write(sv[0], part, sizeof(part)), ==, sizeof(part));
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);

	/* A header in two pieces still arrives whole */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	h.size = 0;
	h.request = VU_GET_FEATURES;
	g_assert_cmpint(write(sv[0], &h, 5), ==, 5);
	g_assert_cmpint(write(sv[0], (char *)&h + 5, 7), ==, 7);
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, 0);
	g_assert_cmpuint(in.hdr.request, ==, VU_GET_FEATURES);
	close(sv[0]);
	close(sv[1]);
}

/**
 * test_io_eight_fds() - Eight fds arrive; we refuse to send more
 */
static void test_io_eight_fds(void)
{
	struct vu_msg out, in;
	int sv[2], fds[8], i;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	make_msg(&out, VU_SET_MEM_TABLE, 8, 0);
	for (i = 0; i < 8; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	g_assert_cmpint(vu_msg_send(sv[0], &out, fds, 8), ==, 0);
	g_assert_cmpint(vu_msg_recv(sv[1], &in), ==, 0);
	g_assert_cmpuint(in.nfds, ==, 8);
	vu_msg_close_fds(&in);
	for (i = 0; i < 8; i++)
		close(fds[i]);
	g_assert_cmpint(vu_msg_send(sv[0], &out, fds, 9), ==, -EINVAL);
	close(sv[0]);
	close(sv[1]);
}

/**
 * test_reply_helpers() - Replies carry exactly version 1 + REPLY
 */
static void test_reply_helpers(void)
{
	struct vu_msg m;

	make_msg(&m, VU_GET_FEATURES, 0, 0);
	m.hdr.flags |= VU_FLAG_NEED_REPLY;
	vu_msg_set_reply_u64(&m, 0x1234);
	g_assert_cmphex(m.hdr.flags, ==, 0x5);
	g_assert_cmpuint(m.hdr.size, ==, 8);
	g_assert_cmphex(m.payload.u64, ==, 0x1234);
	g_assert_cmpuint(m.hdr.request, ==, VU_GET_FEATURES);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/msg/table/complete", test_table_complete);
	g_test_add_func("/msg/table/sizes", test_table_sizes);
	g_test_add_func("/msg/validate/every-id", test_validate_every_id);
	g_test_add_func("/msg/validate/flags", test_validate_flags);
	g_test_add_func("/msg/fds/take-and-close", test_take_and_close_fds);
	g_test_add_func("/msg/io/roundtrip", test_io_roundtrip);
	g_test_add_func("/msg/io/oversized", test_io_oversized);
	g_test_add_func("/msg/io/truncated", test_io_truncated);
	g_test_add_func("/msg/io/eight-fds", test_io_eight_fds);
	g_test_add_func("/msg/reply", test_reply_helpers);
	return g_test_run();
}
