// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-session.c - libvuf session: feature negotiation, ring setup and
 * reconnect, in the order QEMU sends the messages.
 */
#include <errno.h>

#include "vuf-priv.h"

/**
 * struct vuf_session - a device as the front-end drives it
 * @conn:		Current connection, NULL while disconnected
 * @mem:		Guest memory (not owned)
 * @offered:		Features the back-end offered (last GET_FEATURES)
 * @offered_pf:		Protocol features it offered
 * @features:		Negotiated features (sent with SET_FEATURES)
 * @protocol:		Negotiated protocol features
 * @status:		Device status last set, resent after a reconnect
 * @mem_set:		The memory table was sent
 * @inflight:		Inflight region from GET_INFLIGHT_FD (fd -1 if none)
 * @vqs:		Virtqueues created by vuf_session_add_vq() (owned)
 */
struct vuf_session {
	struct vuf_conn *conn;
	struct vuf_mem *mem;
	uint64_t offered;
	uint64_t offered_pf;
	uint64_t features;
	uint64_t protocol;
	uint8_t status;
	bool mem_set;
	struct vuf_inflight inflight;
	GPtrArray *vqs;
};

/**
 * vuf_session_new() - Start a session on a connection
 * @c:		Connection (the session takes it)
 * @m:		Guest memory (stays the caller's, must outlive the session)
 *
 * Return: the session (never NULL)
 */
struct vuf_session *vuf_session_new(struct vuf_conn *c, struct vuf_mem *m)
{
	struct vuf_session *s = g_new0(struct vuf_session, 1);

	s->conn = c;
	s->mem = m;
	s->inflight.fd = -1;
	s->vqs = g_ptr_array_new_with_free_func((GDestroyNotify)vuf_vq_free);
	return s;
}

/**
 * vuf_session_free() - Close the connection, free the virtqueues
 * @s:		Session, or NULL
 */
void vuf_session_free(struct vuf_session *s)
{
	if (!s)
		return;
	vuf_session_disconnect(s);
	vuf_inflight_release(&s->inflight);
	g_ptr_array_free(s->vqs, TRUE);
	g_free(s);
}

/**
 * vuf_session_conn() - The current connection
 * @s:		Session
 *
 * Return: connection, NULL while disconnected
 */
struct vuf_conn *vuf_session_conn(const struct vuf_session *s)
{
	return s->conn;
}

/**
 * vuf_session_offered() - Features the back-end offered
 * @s:		Session
 *
 * Return: feature bits from the last GET_FEATURES
 */
uint64_t vuf_session_offered(const struct vuf_session *s)
{
	return s->offered;
}

/**
 * vuf_session_offered_protocol() - Protocol features the back-end offered
 * @s:		Session
 *
 * Return: bits from the last GET_PROTOCOL_FEATURES (0 if never asked)
 */
uint64_t vuf_session_offered_protocol(const struct vuf_session *s)
{
	return s->offered_pf;
}

/**
 * pick_protocol() - Protocol features to enable out of those offered
 * @offered:	Offered by the back-end
 * @want:	Wanted by the caller
 *
 * In-band notifications are dropped unless BACKEND_REQ and REPLY_ACK come
 * with them, as the specification requires.
 *
 * Return: bits to send with SET_PROTOCOL_FEATURES
 */
static uint64_t pick_protocol(uint64_t offered, uint64_t want)
{
	uint64_t pf = offered & want;
	uint64_t need = VUF_BIT(VUF_PF_BACKEND_REQ) | VUF_BIT(VUF_PF_REPLY_ACK);

	if ((pf & need) != need)
		pf &= ~VUF_BIT(VUF_PF_INBAND_NOTIFICATIONS);
	return pf;
}

/**
 * handshake() - What QEMU sends when a connection comes up
 * @s:		Session
 * @want_f:	Features wanted
 * @want_pf:	Protocol features wanted
 *
 * GET_FEATURES, GET/SET_PROTOCOL_FEATURES, GET_QUEUE_NUM (with MQ),
 * SET_BACKEND_REQ_FD (with BACKEND_REQ), SET_OWNER. Sets @s->features and
 * @s->protocol to what will be negotiated.
 *
 * Return: 0 or -errno
 */
static int handshake(struct vuf_session *s, uint64_t want_f, uint64_t want_pf)
{
	uint64_t qnum;
	int r;

	r = vuf_get_features(s->conn, &s->offered);
	if (r)
		return r;
	s->features = s->offered & want_f;
	s->protocol = 0;
	if (s->offered & VUF_BIT(VUF_F_PROTOCOL_FEATURES)) {
		s->features |= VUF_BIT(VUF_F_PROTOCOL_FEATURES);
		r = vuf_get_protocol_features(s->conn, &s->offered_pf);
		if (!r)
			s->protocol = pick_protocol(s->offered_pf, want_pf);
		if (!r)
			r = vuf_set_protocol_features(s->conn, s->protocol);
		if (!r && (s->protocol & VUF_BIT(VUF_PF_MQ)))
			r = vuf_get_queue_num(s->conn, &qnum);
		if (!r && (s->protocol & VUF_BIT(VUF_PF_BACKEND_REQ)))
			r = vuf_backend_channel_open(s->conn);
		if (r)
			return r;
	}
	return vuf_set_owner(s->conn);
}

/**
 * vuf_session_negotiate() - Negotiate features as QEMU does at start-up
 * @s:		Session
 * @want_features: Features wanted (F_PROTOCOL_FEATURES is added when
 *		offered, as QEMU does)
 * @want_protocol: Protocol features wanted
 *
 * Sends the handshake, then SET_FEATURES with what both sides support.
 * The caller checks vuf_conn_features() for the bits it requires.
 *
 * Return: 0 or -errno
 */
int vuf_session_negotiate(struct vuf_session *s, uint64_t want_features,
			  uint64_t want_protocol)
{
	int r;

	if (!s->conn)
		return -ENOTCONN;
	r = handshake(s, want_features, want_protocol);
	return r ? r : vuf_set_features(s->conn, s->features);
}

/**
 * vuf_session_set_mem_table() - SET_MEM_TABLE with the session's memory
 * @s:		Session
 *
 * Return: 0 or -errno
 */
int vuf_session_set_mem_table(struct vuf_session *s)
{
	int r;

	if (!s->conn)
		return -ENOTCONN;
	r = vuf_set_mem_table(s->conn, s->mem);
	if (!r)
		s->mem_set = true;
	return r;
}

/**
 * vuf_session_set_status() - SET_STATUS, remembered for reconnects
 * @s:		Session
 * @status:	Virtio status byte
 *
 * Return: 0 or -errno
 */
int vuf_session_set_status(struct vuf_session *s, uint8_t status)
{
	int r;

	if (!s->conn)
		return -ENOTCONN;
	r = vuf_set_status(s->conn, status);
	if (!r)
		s->status = status;
	return r;
}

/**
 * vuf_session_get_inflight() - GET_INFLIGHT_FD then SET_INFLIGHT_FD
 * @s:		Session
 * @num_queues:	Queues to cover
 * @queue_size:	Size of each queue
 *
 * The region is kept and handed back again after a reconnect.
 *
 * Return: 0 or -errno
 */
int vuf_session_get_inflight(struct vuf_session *s, uint16_t num_queues,
			     uint16_t queue_size)
{
	int r;

	if (!s->conn)
		return -ENOTCONN;
	vuf_inflight_release(&s->inflight);
	r = vuf_get_inflight_fd(s->conn, num_queues, queue_size, &s->inflight);
	return r ? r : vuf_set_inflight_fd(s->conn, &s->inflight);
}

/**
 * vuf_session_inflight() - The inflight region obtained so far
 * @s:		Session
 *
 * Return: region (fd -1 if none)
 */
const struct vuf_inflight *vuf_session_inflight(const struct vuf_session *s)
{
	return &s->inflight;
}

/**
 * vuf_session_add_vq() - Create a virtqueue matching the negotiated features
 * @s:		Session
 * @index:	Ring index
 * @size:	Ring size
 * @slot_size:	Buffer bytes per chain (0: default)
 *
 * Packed if RING_PACKED was negotiated, with event idx if EVENT_IDX was.
 * The session owns the virtqueue.
 *
 * Return: virtqueue, or NULL (bad size or guest memory exhausted)
 */
struct vuf_vq *vuf_session_add_vq(struct vuf_session *s, uint16_t index,
				  uint16_t size, uint32_t slot_size)
{
	unsigned int flags = 0;
	struct vuf_vq *vq;

	if (s->features & VUF_BIT(VUF_F_RING_PACKED))
		flags |= VUF_VQ_PACKED;
	if (s->features & VUF_BIT(VUF_F_EVENT_IDX))
		flags |= VUF_VQ_EVENT_IDX;
	vq = vuf_vq_new(s->mem, index, size, flags, slot_size);
	if (vq)
		g_ptr_array_add(s->vqs, vq);
	return vq;
}

/**
 * vuf_session_start_vq() - Set a ring up on the back-end, as QEMU does
 * @s:		Session
 * @vq:		Virtqueue
 *
 * SET_VRING_NUM, SET_VRING_BASE (vuf_vq_base()), SET_VRING_ADDR, then
 * SET_VRING_KICK and SET_VRING_CALL with the eventfds (skipped with in-band
 * notifications), and SET_VRING_ENABLE(1) when F_PROTOCOL_FEATURES is
 * negotiated.
 *
 * Return: 0 or -errno
 */
int vuf_session_start_vq(struct vuf_session *s, struct vuf_vq *vq)
{
	struct vuf_conn *c = s->conn;
	bool inband = c && vuf_conn_has_pf(c, VUF_PF_INBAND_NOTIFICATIONS);
	struct vuf_vring_addr a;
	int r;

	if (!c)
		return -ENOTCONN;
	vuf_vq_attach(vq, c);
	vuf_vq_ring_addr(vq, &a);
	r = vuf_set_vring_num(c, vq->index, vq->size);
	if (!r)
		r = vuf_set_vring_base(c, vq->index, vuf_vq_base(vq));
	if (!r)
		r = vuf_set_vring_addr(c, &a);
	if (!r && !inband)
		r = vuf_set_vring_kick(c, vq->index, vq->kick_fd);
	if (!r && !inband)
		r = vuf_set_vring_call(c, vq->index, vq->call_fd);
	if (!r && (vuf_conn_features(c) & VUF_BIT(VUF_F_PROTOCOL_FEATURES)))
		r = vuf_set_vring_enable(c, vq->index, true);
	if (r)
		return r;
	vq->have_base = false;
	vq->started = true;
	return 0;
}

/**
 * vuf_session_stop_vq() - GET_VRING_BASE, keeping the answer for a restart
 * @s:		Session
 * @vq:		Virtqueue
 * @base:	Set to the back-end's answer (may be NULL)
 *
 * Return: 0 or -errno
 */
int vuf_session_stop_vq(struct vuf_session *s, struct vuf_vq *vq,
			uint32_t *base)
{
	uint32_t b;
	int r;

	if (!s->conn)
		return -ENOTCONN;
	r = vuf_get_vring_base(s->conn, vq->index, &b);
	if (r)
		return r;
	vuf_vq_set_base(vq, b);
	vq->started = false;
	if (base)
		*base = b;
	return 0;
}

/**
 * vuf_session_disconnect() - Close the connection, keeping memory and rings
 * @s:		Session
 */
void vuf_session_disconnect(struct vuf_session *s)
{
	unsigned int i;

	for (i = 0; i < s->vqs->len; i++)
		vuf_vq_attach(g_ptr_array_index(s->vqs, i), NULL);
	vuf_conn_free(s->conn);
	s->conn = NULL;
}

/**
 * restart() - Send the device setup again on a fresh connection
 * @s:		Session (features and protocol features already agreed)
 *
 * SET_INFLIGHT_FD (if a region was obtained), SET_FEATURES (and status
 * FEATURES_OK), SET_MEM_TABLE, every started ring, then DRIVER_OK: the
 * order of QEMU's vhost-user-blk.
 *
 * Return: 0 or -errno
 */
static int restart(struct vuf_session *s)
{
	bool status = vuf_conn_has_pf(s->conn, VUF_PF_STATUS) && s->status;
	unsigned int i;
	int r = 0;

	if (s->inflight.fd >= 0)
		r = vuf_set_inflight_fd(s->conn, &s->inflight);
	if (!r)
		r = vuf_set_features(s->conn, s->features);
	if (!r && status)
		r = vuf_set_status(s->conn, s->status & ~VUF_S_DRIVER_OK);
	if (!r && s->mem_set)
		r = vuf_set_mem_table(s->conn, s->mem);
	for (i = 0; !r && i < s->vqs->len; i++) {
		struct vuf_vq *vq = g_ptr_array_index(s->vqs, i);

		if (vq->started)
			r = vuf_session_start_vq(s, vq);
	}
	if (!r && status)
		r = vuf_set_status(s->conn, s->status);
	return r;
}

/**
 * vuf_session_reconnect() - Replace the connection and set the device up again
 * @s:		Session
 * @c:		New connection (the session takes it)
 *
 * Repeats the handshake asking for the features negotiated before (the
 * back-end must still offer them all), then restart(). Rings that were
 * running get SET_VRING_BASE from vuf_vq_base(): the last GET_VRING_BASE
 * answer if the ring was stopped cleanly, else the used index (QEMU's
 * behaviour after losing a back-end). Collect pending completions first.
 *
 * Return: 0, -EPROTO if a feature is no longer offered, or -errno
 */
int vuf_session_reconnect(struct vuf_session *s, struct vuf_conn *c)
{
	uint64_t f = s->features, pf = s->protocol;
	int r;

	vuf_session_disconnect(s);
	s->conn = c;
	r = handshake(s, f, pf);
	if (r)
		return r;
	if (s->features != f || s->protocol != pf)
		return vuf_fail(c, EPROTO, "reconnect: back-end now offers "
				"features 0x%llx protocol 0x%llx",
				(unsigned long long)s->offered,
				(unsigned long long)s->offered_pf);
	return restart(s);
}

/**
 * vuf_session_reconnect_path() - Reconnect to a socket path
 * @s:		Session
 * @path:	Socket path
 * @retry_ms:	How long to retry while the back-end restarts
 *
 * Return: 0 or -errno (see vuf_session_reconnect())
 */
int vuf_session_reconnect_path(struct vuf_session *s, const char *path,
			       int retry_ms)
{
	struct vuf_conn *c;
	int timeout = s->conn ? vuf_conn_timeout(s->conn) :
				VUF_DEFAULT_TIMEOUT_MS;
	int r;

	vuf_session_disconnect(s);
	r = vuf_conn_connect(path, retry_ms, &c);
	if (r)
		return r;
	vuf_conn_set_timeout(c, timeout);
	return vuf_session_reconnect(s, c);
}
