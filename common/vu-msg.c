// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-msg.c - vhost-user wire format: the request table, validation of size
 * and fd counts before any handler runs, and SCM_RIGHTS message I/O.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vu-handlers.h"
#include "vu-msg.h"

/* Payload sizes of the fixed-size requests */
#define SZ_U64		sizeof(uint64_t)
#define SZ_STATE	sizeof(struct vu_vring_state)
#define SZ_ADDR		sizeof(struct vu_vring_addr)
#define SZ_SINGLE	sizeof(struct vu_mem_single)
#define SZ_LOG		sizeof(struct vu_log_area)
#define SZ_INFLIGHT	sizeof(struct vu_inflight_desc)
#define SZ_XFER		sizeof(struct vu_state_xfer)
#define SZ_MEM_MIN	8
#define SZ_MEM_MAX	sizeof(struct vu_mem_table)
#define SZ_CFG_MAX	sizeof(struct vu_config)

/* Milliseconds we wait for the rest of a message whose header arrived */
#define VU_MSG_BODY_TIMEOUT_MS 1000

#define NO_PF (-1)

#define NONE	VU_LOCK_NONE
#define RING	VU_LOCK_RING
#define ALL	VU_LOCK_ALL

/* name, min size, max size, min fds, max fds, replies, needs, lock, handler */
#define REQ(id, lo, hi, flo, fhi, rep, pf, lk, fn) \
	[VU_##id] = { #id, lo, hi, flo, fhi, rep, pf, lk, fn }
#define UNSUPPORTED(id) \
	[VU_##id] = { #id, 0, VU_PAYLOAD_MAX, 0, VU_MAX_FDS, false, NO_PF, \
		      NONE, NULL }

static const struct vu_msg_spec vu_msg_table[VU_REQUEST_MAX] = {
	REQ(GET_FEATURES, 0, 0, 0, 0, true, NO_PF, NONE, vu_h_get_features),
	REQ(SET_FEATURES, SZ_U64, SZ_U64, 0, 0, false, NO_PF,
	    ALL, vu_h_set_features),
	REQ(SET_OWNER, 0, 0, 0, 0, false, NO_PF, NONE, vu_h_set_owner),
	REQ(RESET_OWNER, 0, 0, 0, 0, false, NO_PF, ALL, vu_h_reset_owner),
	REQ(SET_MEM_TABLE, SZ_MEM_MIN, SZ_MEM_MAX, 0, VU_MEM_TABLE_MAX, false,
	    NO_PF, ALL, vu_h_set_mem_table),
	REQ(SET_LOG_BASE, SZ_LOG, SZ_LOG, 1, 1, true, VU_PF_LOG_SHMFD,
	    ALL, vu_h_set_log_base),
	REQ(SET_LOG_FD, 0, 0, 1, 1, false, NO_PF, NONE, vu_h_set_log_fd),
	REQ(SET_VRING_NUM, SZ_STATE, SZ_STATE, 0, 0, false, NO_PF,
	    RING, vu_h_set_vring_num),
	REQ(SET_VRING_ADDR, SZ_ADDR, SZ_ADDR, 0, 0, false, NO_PF,
	    RING, vu_h_set_vring_addr),
	REQ(SET_VRING_BASE, SZ_STATE, SZ_STATE, 0, 0, false, NO_PF,
	    RING, vu_h_set_vring_base),
	REQ(GET_VRING_BASE, SZ_STATE, SZ_STATE, 0, 0, true, NO_PF,
	    RING, vu_h_get_vring_base),
	REQ(SET_VRING_KICK, SZ_U64, SZ_U64, 0, 1, false, NO_PF,
	    RING, vu_h_set_vring_kick),
	REQ(SET_VRING_CALL, SZ_U64, SZ_U64, 0, 1, false, NO_PF,
	    RING, vu_h_set_vring_call),
	REQ(SET_VRING_ERR, SZ_U64, SZ_U64, 0, 1, false, NO_PF,
	    RING, vu_h_set_vring_err),
	REQ(GET_PROTOCOL_FEATURES, 0, 0, 0, 0, true, NO_PF,
	    NONE, vu_h_get_protocol_features),
	REQ(SET_PROTOCOL_FEATURES, SZ_U64, SZ_U64, 0, 0, false, NO_PF,
	    ALL, vu_h_set_protocol_features),
	REQ(GET_QUEUE_NUM, 0, 0, 0, 0, true, VU_PF_MQ, NONE, vu_h_get_queue_num),
	REQ(SET_VRING_ENABLE, SZ_STATE, SZ_STATE, 0, 0, false, NO_PF,
	    RING, vu_h_set_vring_enable),
	REQ(SEND_RARP, SZ_U64, SZ_U64, 0, 0, false, VU_PF_RARP, ALL, vu_h_device),
	REQ(NET_SET_MTU, SZ_U64, SZ_U64, 0, 0, false, VU_PF_NET_MTU,
	    ALL, vu_h_device),
	REQ(SET_BACKEND_REQ_FD, 0, 0, 1, 1, false, VU_PF_BACKEND_REQ,
	    NONE, vu_h_set_backend_req_fd),
	UNSUPPORTED(IOTLB_MSG),
	UNSUPPORTED(SET_VRING_ENDIAN),
	REQ(GET_CONFIG, VU_CONFIG_HDR_SIZE, SZ_CFG_MAX, 0, 0, true,
	    VU_PF_CONFIG, NONE, vu_h_get_config),
	REQ(SET_CONFIG, VU_CONFIG_HDR_SIZE, SZ_CFG_MAX, 0, 0, false,
	    VU_PF_CONFIG, NONE, vu_h_set_config),
	UNSUPPORTED(CREATE_CRYPTO_SESSION),
	UNSUPPORTED(CLOSE_CRYPTO_SESSION),
	UNSUPPORTED(POSTCOPY_ADVISE),
	UNSUPPORTED(POSTCOPY_LISTEN),
	UNSUPPORTED(POSTCOPY_END),
	REQ(GET_INFLIGHT_FD, VU_INFLIGHT_MIN_SIZE, SZ_INFLIGHT, 0, 0, true,
	    VU_PF_INFLIGHT_SHMFD, ALL, vu_h_get_inflight_fd),
	REQ(SET_INFLIGHT_FD, VU_INFLIGHT_MIN_SIZE, SZ_INFLIGHT, 1, 1, false,
	    VU_PF_INFLIGHT_SHMFD, ALL, vu_h_set_inflight_fd),
	REQ(GPU_SET_SOCKET, 0, 0, 1, 1, false, NO_PF, ALL, vu_h_device),
	REQ(RESET_DEVICE, 0, 0, 0, 0, false, VU_PF_RESET_DEVICE,
	    ALL, vu_h_reset_device),
	REQ(VRING_KICK, SZ_STATE, SZ_STATE, 0, 0, false,
	    VU_PF_INBAND_NOTIFICATIONS, RING, vu_h_vring_kick),
	REQ(GET_MAX_MEM_SLOTS, 0, 0, 0, 0, true, VU_PF_CONFIGURE_MEM_SLOTS,
	    NONE, vu_h_get_max_mem_slots),
	REQ(ADD_MEM_REG, SZ_SINGLE, SZ_SINGLE, 1, 1, false,
	    VU_PF_CONFIGURE_MEM_SLOTS, ALL, vu_h_add_mem_reg),
	REQ(REM_MEM_REG, SZ_SINGLE, SZ_SINGLE, 0, 1, false,
	    VU_PF_CONFIGURE_MEM_SLOTS, ALL, vu_h_rem_mem_reg),
	REQ(SET_STATUS, SZ_U64, SZ_U64, 0, 0, false, VU_PF_STATUS,
	    NONE, vu_h_set_status),
	REQ(GET_STATUS, 0, 0, 0, 0, true, VU_PF_STATUS, NONE, vu_h_get_status),
	UNSUPPORTED(GET_SHARED_OBJECT),
	REQ(SET_DEVICE_STATE_FD, SZ_XFER, SZ_XFER, 1, 1, true,
	    VU_PF_DEVICE_STATE, NONE, vu_h_set_device_state_fd),
	REQ(CHECK_DEVICE_STATE, 0, 0, 0, 0, true, VU_PF_DEVICE_STATE,
	    NONE, vu_h_check_device_state),
};

/**
 * vu_msg_spec() - Look up what a request may carry
 * @request:	Request id
 *
 * Return: the table entry, or NULL for an unknown id
 */
const struct vu_msg_spec *vu_msg_spec(uint32_t request)
{
	if (request == 0 || request >= VU_REQUEST_MAX)
		return NULL;
	return &vu_msg_table[request];
}

/**
 * vu_msg_name() - Name of a request, for logs
 * @request:	Request id
 *
 * Return: static string
 */
const char *vu_msg_name(uint32_t request)
{
	const struct vu_msg_spec *s = vu_msg_spec(request);

	return s ? s->name : "UNKNOWN";
}

/**
 * vu_msg_validate() - Check a received request against its table entry
 * @m:		Message as received
 *
 * Checks the version and flags, the payload size and the number of fds.
 * Support (handler, negotiated features) is the dispatcher's business.
 *
 * Return: NULL if the message is well formed, else why it is not
 */
const char *vu_msg_validate(const struct vu_msg *m)
{
	const struct vu_msg_spec *s = vu_msg_spec(m->hdr.request);

	if ((m->hdr.flags & VU_FLAG_VERSION_MASK) != VU_FLAG_VERSION)
		return "bad protocol version";
	if (m->hdr.flags & VU_FLAG_REPLY)
		return "REPLY flag set on a request";
	if (!s)
		return NULL;
	if (m->hdr.size < s->min_size || m->hdr.size > s->max_size)
		return "bad payload size";
	if (m->nfds < s->min_fds || m->nfds > s->max_fds)
		return "bad number of file descriptors";
	return NULL;
}

/**
 * vu_msg_close_fds() - Close every fd a message still owns
 * @m:		Message
 */
void vu_msg_close_fds(struct vu_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
		m->fds[i] = -1;
	}
	m->nfds = 0;
}

/**
 * vu_msg_take_fd() - Take ownership of a received fd
 * @m:		Message
 * @i:		Index in @m->fds
 *
 * Return: the fd (the message forgets it), or -1 if there is none
 */
int vu_msg_take_fd(struct vu_msg *m, unsigned int i)
{
	int fd;

	if (i >= m->nfds)
		return -1;
	fd = m->fds[i];
	m->fds[i] = -1;
	return fd;
}

/**
 * vu_msg_collect_fds() - Copy SCM_RIGHTS fds from a received control buffer
 * @msg:	Received message header
 * @m:		Message to store the fds in
 *
 * Return: 0, or -EPROTO if the control data was truncated (fds closed)
 */
static int vu_msg_collect_fds(struct msghdr *msg, struct vu_msg *m)
{
	struct cmsghdr *c;

	m->nfds = 0;
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n, i;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (m->nfds < VU_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	if (msg->msg_flags & MSG_CTRUNC) {
		vu_msg_close_fds(m);
		return -EPROTO;
	}
	return 0;
}

/**
 * vu_msg_read_body() - Read the rest of a message, with a timeout
 * @sock:	Connected socket
 * @buf:	Destination
 * @len:	Bytes to read
 *
 * Return: 0, or negative errno (-EPIPE at end of file, -ETIMEDOUT)
 */
static int vu_msg_read_body(int sock, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, VU_MSG_BODY_TIMEOUT_MS) == 0)
			return -ETIMEDOUT;
		r = recv(sock, buf + done, len - done, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		done += (size_t)r;
	}
	return 0;
}

/**
 * vu_msg_recv() - Receive one message with its fds
 * @sock:	Connected socket
 * @m:		Message to fill
 *
 * The fds come with the first bytes of the header. A front-end that stops
 * in the middle of a message is given up on after a second, so that the
 * protocol thread (and SIGTERM) is never held for ever. A payload larger
 * than any request may be fails the connection (we could not resynchronise).
 *
 * Return: 0, -EPIPE at a clean end of file, or another negative errno
 */
int vu_msg_recv(int sock, struct vu_msg *m)
{
	char control[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = &m->hdr, .iov_len = VU_HDR_SIZE };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	ssize_t r;
	int ret;

	m->nfds = 0;
	m->reply_fd = -1;
	do {
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return -EPIPE;
	if (r < 0)
		return -errno;
	ret = vu_msg_collect_fds(&msg, m);
	/* The rest of a header cut short, without waiting for ever */
	if (ret == 0 && (size_t)r < VU_HDR_SIZE)
		ret = vu_msg_read_body(sock, (uint8_t *)&m->hdr + r,
				       VU_HDR_SIZE - (size_t)r);
	if (ret == 0 && m->hdr.size > VU_PAYLOAD_MAX)
		ret = -EMSGSIZE;
	if (ret == 0)
		ret = vu_msg_read_body(sock, m->payload.raw, m->hdr.size);
	if (ret < 0)
		vu_msg_close_fds(m);
	return ret;
}

/**
 * vu_msg_send() - Send a message (header and payload) with optional fds
 * @sock:	Connected socket
 * @m:		Message; hdr.size payload bytes are sent
 * @fds:	File descriptors to pass, or NULL
 * @nfds:	Number of @fds (at most VU_MAX_FDS)
 *
 * Return: 0, or negative errno
 */
int vu_msg_send(int sock, const struct vu_msg *m, const int *fds,
		unsigned int nfds)
{
	char control[CMSG_SPACE(VU_MAX_FDS * sizeof(int))] = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = (void *)&m->hdr, .iov_len = VU_HDR_SIZE },
		{ .iov_base = (void *)m->payload.raw, .iov_len = m->hdr.size },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t r;

	if (nfds > VU_MAX_FDS || m->hdr.size > VU_PAYLOAD_MAX)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do {
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return (size_t)r == VU_HDR_SIZE + m->hdr.size ? 0 : -EIO;
}

/**
 * vu_msg_set_reply() - Turn a request into its reply
 * @m:		Message, payload already filled in
 * @size:	Payload bytes of the reply
 */
void vu_msg_set_reply(struct vu_msg *m, uint32_t size)
{
	m->hdr.flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
	m->hdr.size = size;
}

/**
 * vu_msg_set_reply_u64() - Turn a request into a reply carrying a u64
 * @m:		Message
 * @value:	Reply value
 */
void vu_msg_set_reply_u64(struct vu_msg *m, uint64_t value)
{
	m->payload.u64 = value;
	vu_msg_set_reply(m, sizeof(uint64_t));
}
