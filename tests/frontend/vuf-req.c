// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-req.c - libvuf typed requests: one helper per front-end message, each
 * building the payload the specification defines and checking the reply.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vuf-priv.h"

/**
 * get_u64() - Send a request without payload whose reply is one u64
 * @c:		Connection
 * @request:	Request id
 * @val:	Value received
 *
 * Return: 0, -EPROTO if the reply is not exactly a u64 without fds, or -errno
 */
static int get_u64(struct vuf_conn *c, uint32_t request, uint64_t *val)
{
	struct vuf_msg m;
	int r;

	r = vuf_request(c, request, NULL, 0, NULL, 0, VUF_O_REPLY, &m);
	if (r)
		return r;
	if (m.size != sizeof(uint64_t) || m.nfds) {
		vuf_msg_close_fds(&m);
		return vuf_fail(c, EPROTO, "%s reply: %u bytes, %u fds",
				vuf_request_name(request), m.size, m.nfds);
	}
	*val = vuf_msg_u64(&m);
	return 0;
}

/**
 * set_u64() - Send a request whose payload is one u64
 * @c:		Connection
 * @request:	Request id
 * @val:	Value
 * @fd:		File descriptor to pass, or -1
 *
 * Return: 0 or -errno (see vuf_request())
 */
static int set_u64(struct vuf_conn *c, uint32_t request, uint64_t val, int fd)
{
	return vuf_request(c, request, &val, sizeof(val), &fd, fd >= 0, 0,
			   NULL);
}

/**
 * set_state() - Send a request whose payload is a vring state
 * @c:		Connection
 * @request:	Request id
 * @index:	Ring index
 * @num:	Value
 *
 * Return: 0 or -errno (see vuf_request())
 */
static int set_state(struct vuf_conn *c, uint32_t request, uint32_t index,
		     uint32_t num)
{
	struct vuf_vring_state s = { index, num };

	return vuf_request(c, request, &s, sizeof(s), NULL, 0, 0, NULL);
}

/**
 * vuf_get_features() - GET_FEATURES
 * @c:		Connection
 * @features:	Features the back-end offers
 *
 * Return: 0 or -errno
 */
int vuf_get_features(struct vuf_conn *c, uint64_t *features)
{
	return get_u64(c, VUF_GET_FEATURES, features);
}

/**
 * vuf_set_features() - SET_FEATURES, remembering the value on @c
 * @c:		Connection
 * @features:	Features to enable
 *
 * Return: 0 or -errno
 */
int vuf_set_features(struct vuf_conn *c, uint64_t features)
{
	int r = set_u64(c, VUF_SET_FEATURES, features, -1);

	if (!r)
		c->features = features;
	return r;
}

/**
 * vuf_get_protocol_features() - GET_PROTOCOL_FEATURES
 * @c:		Connection
 * @features:	Protocol features the back-end offers
 *
 * Return: 0 or -errno
 */
int vuf_get_protocol_features(struct vuf_conn *c, uint64_t *features)
{
	return get_u64(c, VUF_GET_PROTOCOL_FEATURES, features);
}

/**
 * vuf_set_protocol_features() - SET_PROTOCOL_FEATURES, remembered on @c
 * @c:		Connection
 * @features:	Protocol features to enable
 *
 * The value is recorded before any acknowledgement is awaited: REPLY_ACK
 * applies from the next message on, so this one never asks for it.
 *
 * Return: 0 or -errno
 */
int vuf_set_protocol_features(struct vuf_conn *c, uint64_t features)
{
	int r;

	r = vuf_request(c, VUF_SET_PROTOCOL_FEATURES, &features,
			sizeof(features), NULL, 0, VUF_O_NOACK, NULL);
	if (!r)
		c->protocol_features = features;
	return r;
}

/**
 * vuf_set_owner() - SET_OWNER
 * @c:		Connection
 *
 * Return: 0 or -errno
 */
int vuf_set_owner(struct vuf_conn *c)
{
	return vuf_request(c, VUF_SET_OWNER, NULL, 0, NULL, 0, 0, NULL);
}

/**
 * vuf_get_queue_num() - GET_QUEUE_NUM
 * @c:		Connection
 * @num:	Queues the back-end supports
 *
 * Return: 0 or -errno
 */
int vuf_get_queue_num(struct vuf_conn *c, uint64_t *num)
{
	return get_u64(c, VUF_GET_QUEUE_NUM, num);
}

/**
 * vuf_get_max_mem_slots() - GET_MAX_MEM_SLOTS
 * @c:		Connection
 * @slots:	Memory slots the back-end supports
 *
 * Return: 0 or -errno
 */
int vuf_get_max_mem_slots(struct vuf_conn *c, uint64_t *slots)
{
	return get_u64(c, VUF_GET_MAX_MEM_SLOTS, slots);
}

/**
 * vuf_get_config() - GET_CONFIG
 * @c:		Connection
 * @offset:	Offset in config space
 * @buf:	Destination of @size bytes
 * @size:	Bytes wanted (at most VUF_CONFIG_MAX)
 *
 * Return: 0; -EREMOTEIO if the back-end answered with an empty payload (its
 * way to report an error); -EPROTO for a reply of another size; -errno
 */
int vuf_get_config(struct vuf_conn *c, uint32_t offset, void *buf,
		   uint32_t size)
{
	struct vuf_wire_config cfg = { .offset = offset, .size = size };
	struct vuf_msg m;
	uint32_t got;
	int r;

	if (size > VUF_CONFIG_MAX)
		return vuf_fail(c, EINVAL, "GET_CONFIG: size %u", size);
	r = vuf_request(c, VUF_GET_CONFIG, &cfg, VUF_CONFIG_HDR_SIZE + size,
			NULL, 0, VUF_O_REPLY, &m);
	if (r)
		return r;
	vuf_msg_close_fds(&m);
	if (m.size == 0)
		return vuf_fail(c, EREMOTEIO, "GET_CONFIG refused (offset %u "
				"size %u)", offset, size);
	memcpy(&got, m.payload + 4, sizeof(got));
	if (m.size != VUF_CONFIG_HDR_SIZE + size || got != size)
		return vuf_fail(c, EPROTO, "GET_CONFIG reply: %u bytes, "
				"size field %u, wanted %u", m.size, got, size);
	memcpy(buf, m.payload + VUF_CONFIG_HDR_SIZE, size);
	return 0;
}

/**
 * vuf_set_config() - SET_CONFIG
 * @c:		Connection
 * @offset:	Offset in config space
 * @buf:	@size bytes to write
 * @size:	Bytes (at most VUF_CONFIG_MAX)
 * @flags:	0 for a driver write, 1 during migration
 *
 * Return: 0 or -errno
 */
int vuf_set_config(struct vuf_conn *c, uint32_t offset, const void *buf,
		   uint32_t size, uint32_t flags)
{
	struct vuf_wire_config cfg = { offset, size, flags, { 0 } };

	if (size > VUF_CONFIG_MAX)
		return vuf_fail(c, EINVAL, "SET_CONFIG: size %u", size);
	memcpy(cfg.data, buf, size);
	return vuf_request(c, VUF_SET_CONFIG, &cfg, VUF_CONFIG_HDR_SIZE + size,
			   NULL, 0, 0, NULL);
}

/**
 * vuf_set_status() - SET_STATUS
 * @c:		Connection
 * @status:	Virtio device status byte
 *
 * Return: 0 or -errno
 */
int vuf_set_status(struct vuf_conn *c, uint8_t status)
{
	return set_u64(c, VUF_SET_STATUS, status, -1);
}

/**
 * vuf_get_status() - GET_STATUS
 * @c:		Connection
 * @status:	Virtio device status byte
 *
 * Return: 0, -EPROTO if the value does not fit a byte, or -errno
 */
int vuf_get_status(struct vuf_conn *c, uint8_t *status)
{
	uint64_t v;
	int r = get_u64(c, VUF_GET_STATUS, &v);

	if (r)
		return r;
	if (v > 0xff)
		return vuf_fail(c, EPROTO, "GET_STATUS: 0x%llx",
				(unsigned long long)v);
	*status = (uint8_t)v;
	return 0;
}

/**
 * vuf_reset_device() - RESET_DEVICE
 * @c:		Connection
 *
 * Return: 0 or -errno
 */
int vuf_reset_device(struct vuf_conn *c)
{
	return vuf_request(c, VUF_RESET_DEVICE, NULL, 0, NULL, 0, 0, NULL);
}

/**
 * vuf_set_vring_num() - SET_VRING_NUM
 * @c:		Connection
 * @index:	Ring index
 * @num:	Ring size
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_num(struct vuf_conn *c, uint32_t index, uint32_t num)
{
	return set_state(c, VUF_SET_VRING_NUM, index, num);
}

/**
 * vuf_set_vring_addr() - SET_VRING_ADDR
 * @c:		Connection
 * @a:		Addresses (see vuf_vq_ring_addr())
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_addr(struct vuf_conn *c, const struct vuf_vring_addr *a)
{
	return vuf_request(c, VUF_SET_VRING_ADDR, a, sizeof(*a), NULL, 0, 0,
			   NULL);
}

/**
 * vuf_set_vring_base() - SET_VRING_BASE
 * @c:		Connection
 * @index:	Ring index
 * @base:	Split: next avail index; packed: the 32-bit packed encoding
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_base(struct vuf_conn *c, uint32_t index, uint32_t base)
{
	return set_state(c, VUF_SET_VRING_BASE, index, base);
}

/**
 * vuf_get_vring_base() - GET_VRING_BASE (stops the ring)
 * @c:		Connection
 * @index:	Ring index
 * @base:	Value returned
 *
 * Return: 0, -EPROTO if the reply is malformed or names another ring, -errno
 */
int vuf_get_vring_base(struct vuf_conn *c, uint32_t index, uint32_t *base)
{
	struct vuf_vring_state s = { index, 0 };
	struct vuf_msg m;
	int r;

	r = vuf_request(c, VUF_GET_VRING_BASE, &s, sizeof(s), NULL, 0,
			VUF_O_REPLY, &m);
	if (r)
		return r;
	vuf_msg_close_fds(&m);
	if (m.size != sizeof(s))
		return vuf_fail(c, EPROTO, "GET_VRING_BASE reply: %u bytes",
				m.size);
	memcpy(&s, m.payload, sizeof(s));
	if (s.index != index)
		return vuf_fail(c, EPROTO, "GET_VRING_BASE reply for ring %u, "
				"asked %u", s.index, index);
	*base = s.num;
	return 0;
}

/**
 * vuf_set_vring_kick() - SET_VRING_KICK
 * @c:		Connection
 * @index:	Ring index (0-255)
 * @fd:		Kick eventfd, or -1 to send the no-fd flag (polling)
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_kick(struct vuf_conn *c, uint32_t index, int fd)
{
	return set_u64(c, VUF_SET_VRING_KICK,
		       index | (fd < 0 ? VUF_VRING_NOFD : 0), fd);
}

/**
 * vuf_set_vring_call() - SET_VRING_CALL
 * @c:		Connection
 * @index:	Ring index (0-255)
 * @fd:		Call eventfd, or -1 to send the no-fd flag
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_call(struct vuf_conn *c, uint32_t index, int fd)
{
	return set_u64(c, VUF_SET_VRING_CALL,
		       index | (fd < 0 ? VUF_VRING_NOFD : 0), fd);
}

/**
 * vuf_set_vring_err() - SET_VRING_ERR
 * @c:		Connection
 * @index:	Ring index (0-255)
 * @fd:		Error eventfd, or -1 to send the no-fd flag
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_err(struct vuf_conn *c, uint32_t index, int fd)
{
	return set_u64(c, VUF_SET_VRING_ERR,
		       index | (fd < 0 ? VUF_VRING_NOFD : 0), fd);
}

/**
 * vuf_set_vring_enable() - SET_VRING_ENABLE
 * @c:		Connection
 * @index:	Ring index
 * @enable:	Enable or disable
 *
 * Return: 0 or -errno
 */
int vuf_set_vring_enable(struct vuf_conn *c, uint32_t index, bool enable)
{
	return set_state(c, VUF_SET_VRING_ENABLE, index, enable);
}

/**
 * vuf_vring_kick_inband() - VRING_KICK (in-band notification)
 * @c:		Connection
 * @index:	Ring index
 *
 * Return: 0 or -errno
 */
int vuf_vring_kick_inband(struct vuf_conn *c, uint32_t index)
{
	return set_state(c, VUF_VRING_KICK, index, 0);
}

/**
 * vuf_set_log_base() - SET_LOG_BASE with a shared-memory log (LOG_SHMFD)
 * @c:		Connection
 * @fd:		Log memory fd
 * @size:	Bytes of log
 * @offset:	Offset of the log in @fd
 *
 * With LOG_SHMFD the back-end always replies (QEMU reads the reply and
 * checks only its header, so its payload is not interpreted here).
 *
 * Return: 0 or -errno
 */
int vuf_set_log_base(struct vuf_conn *c, int fd, uint64_t size,
		     uint64_t offset)
{
	struct vuf_wire_log log = { size, offset };
	struct vuf_msg m;
	int r;

	r = vuf_request(c, VUF_SET_LOG_BASE, &log, sizeof(log), &fd, 1,
			VUF_O_REPLY, &m);
	if (r)
		return r;
	vuf_msg_close_fds(&m);
	if (m.size != 0 && m.size != sizeof(uint64_t))
		return vuf_fail(c, EPROTO, "SET_LOG_BASE reply: %u bytes",
				m.size);
	return 0;
}

/**
 * vuf_get_inflight_fd() - GET_INFLIGHT_FD, mapping the region returned
 * @c:		Connection
 * @num_queues:	Queues to cover
 * @queue_size:	Size of each queue
 * @inf:	Filled with the region (release with vuf_inflight_release())
 *
 * Return: 0, -EPROTO for a reply without fd or with a bad size, or -errno
 */
int vuf_get_inflight_fd(struct vuf_conn *c, uint16_t num_queues,
			uint16_t queue_size, struct vuf_inflight *inf)
{
	struct vuf_wire_inflight w = { .num_queues = num_queues,
				       .queue_size = queue_size };
	struct vuf_msg m;
	void *p;
	int r;

	*inf = (struct vuf_inflight){ .fd = -1 };
	r = vuf_request(c, VUF_GET_INFLIGHT_FD, &w, sizeof(w), NULL, 0,
			VUF_O_REPLY, &m);
	if (r)
		return r;
	if (m.size < 20 || m.size > sizeof(w) || m.nfds != 1) {
		vuf_msg_close_fds(&m);
		return vuf_fail(c, EPROTO, "GET_INFLIGHT_FD reply: %u bytes, "
				"%u fds", m.size, m.nfds);
	}
	memcpy(&w, m.payload, m.size);
	p = mmap(NULL, w.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 m.fds[0], (off_t)w.mmap_offset);
	if (!w.mmap_size || p == MAP_FAILED) {
		vuf_msg_close_fds(&m);
		return vuf_fail(c, EPROTO, "GET_INFLIGHT_FD: cannot map %llu "
				"bytes at %llu",
				(unsigned long long)w.mmap_size,
				(unsigned long long)w.mmap_offset);
	}
	*inf = (struct vuf_inflight){ m.fds[0], p, w.mmap_size, w.mmap_offset,
				      num_queues, queue_size };
	return 0;
}

/**
 * vuf_set_inflight_fd() - SET_INFLIGHT_FD with a region from GET_INFLIGHT_FD
 * @c:		Connection
 * @inf:	Region
 *
 * Return: 0 or -errno
 */
int vuf_set_inflight_fd(struct vuf_conn *c, const struct vuf_inflight *inf)
{
	struct vuf_wire_inflight w = { inf->mmap_size, inf->mmap_offset,
				       inf->num_queues, inf->queue_size, 0 };

	return vuf_request(c, VUF_SET_INFLIGHT_FD, &w, sizeof(w), &inf->fd,
			   inf->fd >= 0, 0, NULL);
}

/**
 * vuf_inflight_release() - Unmap and close an inflight region
 * @inf:	Region (reset to empty)
 */
void vuf_inflight_release(struct vuf_inflight *inf)
{
	if (inf->addr)
		munmap(inf->addr, inf->mmap_size);
	if (inf->fd >= 0)
		close(inf->fd);
	*inf = (struct vuf_inflight){ .fd = -1 };
}

/**
 * vuf_set_device_state_fd() - SET_DEVICE_STATE_FD
 * @c:		Connection
 * @direction:	VUF_STATE_SAVE or VUF_STATE_LOAD
 * @phase:	Migration phase (0 = stopped)
 * @fd:		The back-end's end of our transfer pipe
 * @backend_fd:	Set to the back-end's own channel fd if it returned one,
 *		else -1 (may be NULL: then a returned fd is closed)
 *
 * Return: 0, -EREMOTEIO if the back-end reported an error, -EPROTO for a
 * malformed reply, or -errno
 */
int vuf_set_device_state_fd(struct vuf_conn *c, uint32_t direction,
			    uint32_t phase, int fd, int *backend_fd)
{
	struct vuf_wire_state_xfer x = { direction, phase };
	struct vuf_msg m;
	bool nofd;
	uint64_t v;
	int r;

	if (backend_fd)
		*backend_fd = -1;
	r = vuf_request(c, VUF_SET_DEVICE_STATE_FD, &x, sizeof(x), &fd, 1,
			VUF_O_REPLY, &m);
	if (r)
		return r;
	v = vuf_msg_u64(&m);
	nofd = v & VUF_STATE_NOFD;
	if (m.size != sizeof(v) || m.nfds != (nofd ? 0u : 1u) ||
	    ((v & 0xff) && !nofd)) {
		vuf_msg_close_fds(&m);
		return vuf_fail(c, EPROTO, "SET_DEVICE_STATE_FD reply: %u "
				"bytes, value 0x%llx, %u fds", m.size,
				(unsigned long long)v, m.nfds);
	}
	if (v & 0xff)
		return vuf_fail(c, EREMOTEIO, "SET_DEVICE_STATE_FD failed "
				"(0x%llx)", (unsigned long long)v);
	if (!nofd && backend_fd)
		*backend_fd = m.fds[0];
	else
		vuf_msg_close_fds(&m);
	return 0;
}

/**
 * vuf_check_device_state() - CHECK_DEVICE_STATE
 * @c:		Connection
 * @result:	The back-end's verdict: 0 = state transferred successfully
 *
 * Return: 0 when a well-formed reply arrived (whatever @result), or -errno
 */
int vuf_check_device_state(struct vuf_conn *c, uint64_t *result)
{
	return get_u64(c, VUF_CHECK_DEVICE_STATE, result);
}
