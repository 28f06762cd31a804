/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vuf.h - libvuf, an independent vhost-user test front-end: it plays QEMU's
 * part (socket messages, guest memory in memfds, the driver side of split and
 * packed rings, negotiation and reconnect) against any vhost-user back-end.
 *
 * Written from the specifications only; it shares no code or header with the
 * back-end core in common/, so it checks that core from the outside.
 *
 * Conventions: functions returning int give 0 (or a count) on success and a
 * negative errno on failure; a connection keeps a one-line description of its
 * last failure (vuf_conn_error()). A back-end that answers a REPLY_ACK with a
 * non-zero value makes the request fail with -EREMOTEIO.
 */
#ifndef VUF_H
#define VUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Header flags */
#define VUF_FLAG_VERSION	0x1u
#define VUF_FLAG_REPLY		(1u << 2)
#define VUF_FLAG_NEED_REPLY	(1u << 3)
#define VUF_REPLY_FLAGS		(VUF_FLAG_VERSION | VUF_FLAG_REPLY)

#define VUF_HDR_SIZE		12u
#define VUF_MAX_FDS		8u
#define VUF_PAYLOAD_MAX		4096u	/* largest payload sent or accepted */
#define VUF_MEM_TABLE_MAX	8u	/* regions in one SET_MEM_TABLE */
#define VUF_CONFIG_MAX		256u
#define VUF_VRING_NOFD		(1ull << 8)	/* in SET_VRING_KICK/CALL/ERR */
#define VUF_STATE_NOFD		(1ull << 8)	/* SET_DEVICE_STATE_FD reply */
#define VUF_GPA_INVALID		UINT64_MAX

/* Virtio feature bits (bit numbers) */
#define VUF_F_NOTIFY_ON_EMPTY	24
#define VUF_F_LOG_ALL		26
#define VUF_F_INDIRECT_DESC	28
#define VUF_F_EVENT_IDX		29
#define VUF_F_PROTOCOL_FEATURES	30
#define VUF_F_VERSION_1		32
#define VUF_F_ACCESS_PLATFORM	33
#define VUF_F_RING_PACKED	34
#define VUF_F_IN_ORDER		35
#define VUF_BIT(n)		(1ull << (n))

/* Virtio device status bits (SET_STATUS) */
#define VUF_S_ACKNOWLEDGE	1u
#define VUF_S_DRIVER		2u
#define VUF_S_DRIVER_OK		4u
#define VUF_S_FEATURES_OK	8u

/**
 * enum vuf_pf - vhost-user protocol feature bits
 */
enum vuf_pf {
	VUF_PF_MQ = 0,
	VUF_PF_LOG_SHMFD = 1,
	VUF_PF_RARP = 2,
	VUF_PF_REPLY_ACK = 3,
	VUF_PF_NET_MTU = 4,
	VUF_PF_BACKEND_REQ = 5,
	VUF_PF_CROSS_ENDIAN = 6,
	VUF_PF_CRYPTO_SESSION = 7,
	VUF_PF_PAGEFAULT = 8,
	VUF_PF_CONFIG = 9,
	VUF_PF_BACKEND_SEND_FD = 10,
	VUF_PF_HOST_NOTIFIER = 11,
	VUF_PF_INFLIGHT_SHMFD = 12,
	VUF_PF_RESET_DEVICE = 13,
	VUF_PF_INBAND_NOTIFICATIONS = 14,
	VUF_PF_CONFIGURE_MEM_SLOTS = 15,
	VUF_PF_STATUS = 16,
	VUF_PF_XEN_MMAP = 17,
	VUF_PF_SHARED_OBJECT = 18,
	VUF_PF_DEVICE_STATE = 19,
};

/**
 * enum vuf_request - front-end request ids
 */
enum vuf_request {
	VUF_GET_FEATURES = 1,
	VUF_SET_FEATURES = 2,
	VUF_SET_OWNER = 3,
	VUF_RESET_OWNER = 4,
	VUF_SET_MEM_TABLE = 5,
	VUF_SET_LOG_BASE = 6,
	VUF_SET_LOG_FD = 7,
	VUF_SET_VRING_NUM = 8,
	VUF_SET_VRING_ADDR = 9,
	VUF_SET_VRING_BASE = 10,
	VUF_GET_VRING_BASE = 11,
	VUF_SET_VRING_KICK = 12,
	VUF_SET_VRING_CALL = 13,
	VUF_SET_VRING_ERR = 14,
	VUF_GET_PROTOCOL_FEATURES = 15,
	VUF_SET_PROTOCOL_FEATURES = 16,
	VUF_GET_QUEUE_NUM = 17,
	VUF_SET_VRING_ENABLE = 18,
	VUF_SEND_RARP = 19,
	VUF_NET_SET_MTU = 20,
	VUF_SET_BACKEND_REQ_FD = 21,
	VUF_IOTLB_MSG = 22,
	VUF_SET_VRING_ENDIAN = 23,
	VUF_GET_CONFIG = 24,
	VUF_SET_CONFIG = 25,
	VUF_GET_INFLIGHT_FD = 31,
	VUF_SET_INFLIGHT_FD = 32,
	VUF_GPU_SET_SOCKET = 33,
	VUF_RESET_DEVICE = 34,
	VUF_VRING_KICK = 35,
	VUF_GET_MAX_MEM_SLOTS = 36,
	VUF_ADD_MEM_REG = 37,
	VUF_REM_MEM_REG = 38,
	VUF_SET_STATUS = 39,
	VUF_GET_STATUS = 40,
	VUF_GET_SHARED_OBJECT = 41,
	VUF_SET_DEVICE_STATE_FD = 42,
	VUF_CHECK_DEVICE_STATE = 43,
};

/**
 * enum vuf_backend_request - back-end request ids (BACKEND_REQ channel)
 */
enum vuf_backend_request {
	VUF_BACKEND_IOTLB_MSG = 1,
	VUF_BACKEND_CONFIG_CHANGE = 2,
	VUF_BACKEND_VRING_HOST_NOTIFIER = 3,
	VUF_BACKEND_VRING_CALL = 4,
	VUF_BACKEND_VRING_ERR = 5,
};

/* ---- wire payloads (native byte order, as the specification lays out) ---- */

/**
 * struct vuf_vring_state - vring state: SET_VRING_NUM/BASE/ENABLE,
 * GET_VRING_BASE, VRING_KICK
 * @index:	Ring index
 * @num:	Value
 */
struct vuf_vring_state {
	uint32_t index;
	uint32_t num;
};

#define VUF_VRING_F_LOG 0x1u

/**
 * struct vuf_vring_addr - SET_VRING_ADDR
 * @index:	Ring index
 * @flags:	VUF_VRING_F_LOG to log used-ring writes
 * @desc_user:	Descriptor table (ring), front-end user address
 * @used_user:	Used ring (packed: device event area), user address
 * @avail_user:	Available ring (packed: driver event area), user address
 * @log_guest:	Guest physical address of the used ring, for logging
 */
struct vuf_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user;
	uint64_t used_user;
	uint64_t avail_user;
	uint64_t log_guest;
};

/**
 * struct vuf_wire_region - one memory region as the messages carry it
 * @guest_addr:		Guest physical address
 * @size:		Bytes
 * @user_addr:		Front-end user address
 * @mmap_offset:	Offset of the first byte in the fd
 */
struct vuf_wire_region {
	uint64_t guest_addr;
	uint64_t size;
	uint64_t user_addr;
	uint64_t mmap_offset;
};

/**
 * struct vuf_wire_mem_table - SET_MEM_TABLE
 * @nregions:	Regions that follow (and fds passed)
 * @padding:	Zero
 * @regions:	Regions
 */
struct vuf_wire_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vuf_wire_region regions[VUF_MEM_TABLE_MAX];
};

/**
 * struct vuf_wire_mem_single - ADD_MEM_REG, REM_MEM_REG
 * @padding:	Zero
 * @region:	Region
 */
struct vuf_wire_mem_single {
	uint64_t padding;
	struct vuf_wire_region region;
};

/**
 * struct vuf_wire_log - SET_LOG_BASE (with LOG_SHMFD)
 * @size:	Bytes of log
 * @offset:	Offset of the log in the fd
 */
struct vuf_wire_log {
	uint64_t size;
	uint64_t offset;
};

#define VUF_CONFIG_HDR_SIZE 12u

/**
 * struct vuf_wire_config - GET_CONFIG, SET_CONFIG
 * @offset:	Offset in config space
 * @size:	Bytes of @data
 * @flags:	0 = writable fields, 1 = live migration
 * @data:	Bytes
 */
struct vuf_wire_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VUF_CONFIG_MAX];
};

/**
 * struct vuf_wire_inflight - GET_INFLIGHT_FD, SET_INFLIGHT_FD (24 bytes)
 * @mmap_size:		Bytes of the region
 * @mmap_offset:	Offset of the region in the fd
 * @num_queues:		Queues covered
 * @queue_size:		Size of each queue
 * @padding:		Zero (QEMU sends the padded struct)
 */
struct vuf_wire_inflight {
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
	uint32_t padding;
};

#define VUF_STATE_SAVE 0u
#define VUF_STATE_LOAD 1u

/**
 * struct vuf_wire_state_xfer - SET_DEVICE_STATE_FD
 * @direction:	VUF_STATE_SAVE or VUF_STATE_LOAD
 * @phase:	0 = stopped
 */
struct vuf_wire_state_xfer {
	uint32_t direction;
	uint32_t phase;
};

/**
 * struct vuf_msg - a received (or to be sent) message
 * @request:	Request id
 * @flags:	Header flags
 * @size:	Payload bytes
 * @payload:	Payload
 * @fds:	File descriptors received (owned by the message)
 * @nfds:	Number of @fds
 */
struct vuf_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint8_t payload[VUF_PAYLOAD_MAX] __attribute__((aligned(8)));
	int fds[VUF_MAX_FDS];
	unsigned int nfds;
};

uint64_t vuf_msg_u64(const struct vuf_msg *m);
void vuf_msg_close_fds(struct vuf_msg *m);
const char *vuf_request_name(uint32_t request);

/**
 * DOC: Connection and messages (vuf-conn.c)
 *
 * vuf_conn_connect() connects to a socket path, retrying while the path is
 * missing or refuses (the daemon is starting); vuf_conn_new() wraps a
 * connected fd. Every wait is bounded by the connection's timeout (5 s by
 * default, vuf_conn_set_timeout()): a silent back-end gives -ETIMEDOUT.
 *
 * vuf_send() sends one well-formed request (version 1 is always set);
 * vuf_send_raw() sends arbitrary bytes and up to 32 fds, for malformed
 * messages. vuf_recv() reads any message; vuf_recv_reply() also requires
 * flags exactly 0x5 and the same request id (-EPROTO otherwise).
 * vuf_request() does both: with VUF_O_REPLY it returns the request's own
 * reply; otherwise, when REPLY_ACK is negotiated and auto-ack is on (the
 * default), it sets NEED_REPLY and turns a non-zero ack into -EREMOTEIO
 * (the value is in vuf_conn_last_ack()). vuf_conn_wait_closed() checks
 * that a back-end hangs up (e.g. after a protocol violation).
 *
 * Received fds belong to the struct vuf_msg (vuf_msg_close_fds()); fds
 * passed to send functions stay the caller's.
 */

struct vuf_conn;

/* Options of vuf_request() */
#define VUF_O_REPLY	(1u << 0)	/* the request has a reply of its own */
#define VUF_O_ACK	(1u << 1)	/* set NEED_REPLY, expect a u64 ack */
#define VUF_O_NOACK	(1u << 2)	/* never set NEED_REPLY */

int vuf_conn_connect(const char *path, int retry_ms, struct vuf_conn **out);
struct vuf_conn *vuf_conn_new(int fd);
void vuf_conn_free(struct vuf_conn *c);
int vuf_conn_fd(const struct vuf_conn *c);
void vuf_conn_set_timeout(struct vuf_conn *c, int timeout_ms);
int vuf_conn_timeout(const struct vuf_conn *c);
void vuf_conn_set_auto_ack(struct vuf_conn *c, bool on);
const char *vuf_conn_error(const struct vuf_conn *c);
uint64_t vuf_conn_last_ack(const struct vuf_conn *c);
uint64_t vuf_conn_features(const struct vuf_conn *c);
uint64_t vuf_conn_protocol_features(const struct vuf_conn *c);
bool vuf_conn_has_pf(const struct vuf_conn *c, unsigned int bit);

int vuf_send(struct vuf_conn *c, uint32_t request, uint32_t flags,
	     const void *payload, uint32_t size, const int *fds,
	     unsigned int nfds);
int vuf_send_raw(struct vuf_conn *c, const void *bytes, size_t len,
		 const int *fds, unsigned int nfds);
int vuf_recv(struct vuf_conn *c, struct vuf_msg *m);
int vuf_recv_reply(struct vuf_conn *c, uint32_t request, struct vuf_msg *m);
int vuf_request(struct vuf_conn *c, uint32_t request, const void *payload,
		uint32_t size, const int *fds, unsigned int nfds,
		unsigned int opts, struct vuf_msg *reply);
bool vuf_conn_wait_closed(struct vuf_conn *c, int timeout_ms);

/**
 * DOC: Typed requests (vuf-req.c)
 *
 * One helper per front-end message, each building the specification's
 * payload and validating the reply's size and fds. vuf_set_features() and
 * vuf_set_protocol_features() remember what was sent (vuf_conn_features(),
 * vuf_conn_has_pf()); that decides auto-ack and in-band kicks. Ring
 * helpers take a ring index; KICK/CALL/ERR with fd -1 send the no-fd flag.
 * vuf_get_config() returns -EREMOTEIO for the empty reply back-ends use
 * to refuse. vuf_get_inflight_fd() maps the region it receives.
 */

/**
 * struct vuf_inflight - an inflight-tracking region obtained from a back-end
 * @fd:			Region fd (owned), -1 if none
 * @addr:		Our mapping of the region, NULL if none
 * @mmap_size:		Bytes
 * @mmap_offset:	Offset in @fd
 * @num_queues:		Queues covered
 * @queue_size:		Size of each queue
 */
struct vuf_inflight {
	int fd;
	void *addr;
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
};

int vuf_get_features(struct vuf_conn *c, uint64_t *features);
int vuf_set_features(struct vuf_conn *c, uint64_t features);
int vuf_get_protocol_features(struct vuf_conn *c, uint64_t *features);
int vuf_set_protocol_features(struct vuf_conn *c, uint64_t features);
int vuf_set_owner(struct vuf_conn *c);
int vuf_get_queue_num(struct vuf_conn *c, uint64_t *num);
int vuf_get_max_mem_slots(struct vuf_conn *c, uint64_t *slots);
int vuf_get_config(struct vuf_conn *c, uint32_t offset, void *buf,
		   uint32_t size);
int vuf_set_config(struct vuf_conn *c, uint32_t offset, const void *buf,
		   uint32_t size, uint32_t flags);
int vuf_set_status(struct vuf_conn *c, uint8_t status);
int vuf_get_status(struct vuf_conn *c, uint8_t *status);
int vuf_reset_device(struct vuf_conn *c);
int vuf_set_vring_num(struct vuf_conn *c, uint32_t index, uint32_t num);
int vuf_set_vring_addr(struct vuf_conn *c, const struct vuf_vring_addr *a);
int vuf_set_vring_base(struct vuf_conn *c, uint32_t index, uint32_t base);
int vuf_get_vring_base(struct vuf_conn *c, uint32_t index, uint32_t *base);
int vuf_set_vring_kick(struct vuf_conn *c, uint32_t index, int fd);
int vuf_set_vring_call(struct vuf_conn *c, uint32_t index, int fd);
int vuf_set_vring_err(struct vuf_conn *c, uint32_t index, int fd);
int vuf_set_vring_enable(struct vuf_conn *c, uint32_t index, bool enable);
int vuf_vring_kick_inband(struct vuf_conn *c, uint32_t index);
int vuf_set_log_base(struct vuf_conn *c, int fd, uint64_t size,
		     uint64_t offset);
int vuf_get_inflight_fd(struct vuf_conn *c, uint16_t num_queues,
			uint16_t queue_size, struct vuf_inflight *inf);
int vuf_set_inflight_fd(struct vuf_conn *c, const struct vuf_inflight *inf);
void vuf_inflight_release(struct vuf_inflight *inf);
int vuf_set_device_state_fd(struct vuf_conn *c, uint32_t direction,
			    uint32_t phase, int fd, int *backend_fd);
int vuf_check_device_state(struct vuf_conn *c, uint64_t *result);

/**
 * DOC: Back-end channel (vuf-chan.c)
 *
 * vuf_backend_channel_open() sends SET_BACKEND_REQ_FD with one end of a
 * socketpair. vuf_backend_recv() returns the next request the back-end
 * sent (CONFIG_CHANGE, ...); answer it with vuf_backend_reply(), which
 * only writes when NEED_REPLY was set. In-band VRING_CALL messages are
 * counted per ring and acknowledged automatically while a ring waits.
 */

int vuf_backend_channel_open(struct vuf_conn *c);
int vuf_backend_fd(const struct vuf_conn *c);
int vuf_backend_recv(struct vuf_conn *c, struct vuf_msg *m, int timeout_ms);
int vuf_backend_reply(struct vuf_conn *c, const struct vuf_msg *req,
		      uint64_t value);
uint64_t vuf_backend_inband_calls(const struct vuf_conn *c, uint32_t index);

/**
 * DOC: Guest memory (vuf-mem.c)
 *
 * Regions are memfds mapped here, at guest physical addresses of the
 * test's choosing, optionally starting @mmap_offset bytes into the fd. A
 * region's user address is our own mapping of it, as with QEMU. Region
 * indices stay valid after removals. vuf_mem_alloc() is a bump allocator
 * (first region with room); vuf_mem_ptr() translates a whole range or
 * returns NULL. vuf_set_mem_table() sends every region (at most 8);
 * vuf_add_mem_reg() / vuf_rem_mem_reg() send one (only ADD passes the fd).
 */

struct vuf_mem;

/**
 * struct vuf_region - one guest memory region, as vuf_mem_region() shows it
 * @gpa:		Guest physical address of the first byte
 * @size:		Bytes
 * @uva:		Front-end user address (our mapping) of the first byte
 * @mmap_offset:	Offset of the first byte in @fd
 * @fd:			memfd (owned by the vuf_mem)
 * @ptr:		Pointer to the first byte
 */
struct vuf_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t mmap_offset;
	int fd;
	void *ptr;
};

struct vuf_mem *vuf_mem_new(void);
void vuf_mem_free(struct vuf_mem *m);
int vuf_mem_add_region(struct vuf_mem *m, uint64_t gpa, uint64_t size,
		       uint64_t mmap_offset);
int vuf_mem_remove_region(struct vuf_mem *m, unsigned int idx);
unsigned int vuf_mem_slots(const struct vuf_mem *m);
int vuf_mem_region(const struct vuf_mem *m, unsigned int idx,
		   struct vuf_region *r);
void *vuf_mem_ptr(const struct vuf_mem *m, uint64_t gpa, uint64_t len);
uint64_t vuf_mem_uva(const struct vuf_mem *m, uint64_t gpa);
uint64_t vuf_mem_alloc(struct vuf_mem *m, uint64_t len, uint64_t align);

int vuf_set_mem_table(struct vuf_conn *c, const struct vuf_mem *m);
int vuf_add_mem_reg(struct vuf_conn *c, const struct vuf_mem *m,
		    unsigned int idx);
int vuf_rem_mem_reg(struct vuf_conn *c, const struct vuf_mem *m,
		    unsigned int idx);

/**
 * DOC: Virtqueues, driver side (vuf-vq.c, vuf-split.c, vuf-packed.c)
 *
 * vuf_vq_new() lays a split or packed ring out in guest memory, with a
 * buffer slot of @slot_size bytes per chain id and a kick and a call
 * eventfd. vuf_vq_post() copies out buffers into the slot, zeroes in
 * buffers and makes the chain available (optionally as one indirect
 * descriptor); vuf_vq_post_descs() posts caller-placed (possibly hostile)
 * addresses. Both return the chain id: the head descriptor index (split)
 * or the buffer id (packed). vuf_vq_collect() takes completions, rejects
 * ids not in flight with -EPROTO, and when drained publishes the used
 * event (split used_event / packed driver area) asking for a call at the
 * next completion. vuf_vq_notify() kicks only if avail_event / the device
 * area / NO_NOTIFY asks for it; vuf_vq_kick() always does (VRING_KICK
 * message once INBAND_NOTIFICATIONS is negotiated on the attached
 * connection). vuf_vq_wait_call() waits; vuf_vq_calls() and
 * vuf_vq_kicks() count, so batching can be asserted. In-buffer data stays
 * readable with vuf_vq_buf() until the id is posted again.
 */

struct vuf_vq;

#define VUF_VQ_PACKED		(1u << 0)	/* packed ring layout */
#define VUF_VQ_EVENT_IDX	(1u << 1)	/* F_EVENT_IDX negotiated */

#define VUF_SLOT_DEFAULT	4096u	/* bytes of buffer space per chain */

/**
 * struct vuf_desc - one buffer of a chain, at a guest physical address
 * @gpa:	Guest physical address (not checked: may be hostile on purpose)
 * @len:	Bytes
 * @write:	Device-writable (an "in" buffer)
 */
struct vuf_desc {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/**
 * struct vuf_used - one completion collected from the used ring
 * @id:		Chain id, as vuf_vq_post() returned it
 * @len:	Bytes the device says it wrote
 */
struct vuf_used {
	uint16_t id;
	uint32_t len;
};

struct vuf_vq *vuf_vq_new(struct vuf_mem *m, uint16_t index, uint16_t size,
			  unsigned int flags, uint32_t slot_size);
void vuf_vq_free(struct vuf_vq *vq);
uint16_t vuf_vq_index(const struct vuf_vq *vq);
uint16_t vuf_vq_size(const struct vuf_vq *vq);
unsigned int vuf_vq_flags(const struct vuf_vq *vq);
void vuf_vq_ring_addr(const struct vuf_vq *vq, struct vuf_vring_addr *a);
void vuf_vq_ring_gpa(const struct vuf_vq *vq, uint64_t *desc, uint64_t *avail,
		     uint64_t *used);
int vuf_vq_kick_fd(const struct vuf_vq *vq);
int vuf_vq_call_fd(const struct vuf_vq *vq);
void vuf_vq_attach(struct vuf_vq *vq, struct vuf_conn *c);
const char *vuf_vq_error(const struct vuf_vq *vq);

int vuf_vq_post(struct vuf_vq *vq, const struct iovec *out, unsigned int nout,
		const uint32_t *in_len, unsigned int nin, bool indirect);
int vuf_vq_post_descs(struct vuf_vq *vq, const struct vuf_desc *d,
		      unsigned int n, bool indirect);
void *vuf_vq_buf(const struct vuf_vq *vq, uint16_t id, unsigned int i,
		 uint32_t *len);
unsigned int vuf_vq_room(const struct vuf_vq *vq);
unsigned int vuf_vq_in_flight(const struct vuf_vq *vq);

bool vuf_vq_kick_needed(const struct vuf_vq *vq);
int vuf_vq_kick(struct vuf_vq *vq);
int vuf_vq_notify(struct vuf_vq *vq);
uint64_t vuf_vq_kicks(const struct vuf_vq *vq);
int vuf_vq_wait_call(struct vuf_vq *vq, int timeout_ms);
uint64_t vuf_vq_calls(struct vuf_vq *vq);
int vuf_vq_collect(struct vuf_vq *vq, struct vuf_used *u, unsigned int max);

void vuf_vq_set_used_event(struct vuf_vq *vq, uint16_t event);
uint16_t vuf_vq_avail_event(const struct vuf_vq *vq);
void vuf_vq_enable_calls(struct vuf_vq *vq, bool enable);
uint32_t vuf_vq_base(const struct vuf_vq *vq);
void vuf_vq_set_base(struct vuf_vq *vq, uint32_t base);

/**
 * DOC: Session (vuf-session.c)
 *
 * A session drives one device as QEMU does. vuf_session_negotiate():
 * GET_FEATURES, GET/SET_PROTOCOL_FEATURES, GET_QUEUE_NUM (MQ),
 * SET_BACKEND_REQ_FD (BACKEND_REQ), SET_OWNER, SET_FEATURES with the
 * intersection (plus F_PROTOCOL_FEATURES when offered).
 * vuf_session_add_vq() creates a ring matching the negotiated features;
 * vuf_session_start_vq() sends NUM, BASE, ADDR, KICK, CALL (skipped with
 * in-band notifications) and ENABLE; vuf_session_stop_vq() sends
 * GET_VRING_BASE and keeps the answer for the next start.
 * vuf_session_reconnect() (or _path()) closes the connection, keeps memory
 * and rings, repeats the handshake with the same features, then sends
 * SET_INFLIGHT_FD (region from vuf_session_get_inflight()), SET_FEATURES,
 * SET_MEM_TABLE and every started ring again with vuf_vq_base() as base:
 * used->idx (split) or the used position (packed) after a crash, as QEMU.
 */

struct vuf_session;

struct vuf_session *vuf_session_new(struct vuf_conn *c, struct vuf_mem *m);
void vuf_session_free(struct vuf_session *s);
struct vuf_conn *vuf_session_conn(const struct vuf_session *s);
int vuf_session_negotiate(struct vuf_session *s, uint64_t want_features,
			  uint64_t want_protocol);
uint64_t vuf_session_offered(const struct vuf_session *s);
uint64_t vuf_session_offered_protocol(const struct vuf_session *s);
int vuf_session_set_mem_table(struct vuf_session *s);
int vuf_session_set_status(struct vuf_session *s, uint8_t status);
int vuf_session_get_inflight(struct vuf_session *s, uint16_t num_queues,
			     uint16_t queue_size);
const struct vuf_inflight *vuf_session_inflight(const struct vuf_session *s);
struct vuf_vq *vuf_session_add_vq(struct vuf_session *s, uint16_t index,
				  uint16_t size, uint32_t slot_size);
int vuf_session_start_vq(struct vuf_session *s, struct vuf_vq *vq);
int vuf_session_stop_vq(struct vuf_session *s, struct vuf_vq *vq,
			uint32_t *base);
void vuf_session_disconnect(struct vuf_session *s);
int vuf_session_reconnect(struct vuf_session *s, struct vuf_conn *c);
int vuf_session_reconnect_path(struct vuf_session *s, const char *path,
			       int retry_ms);

#endif /* VUF_H */
