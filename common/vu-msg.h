/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-msg.h - vhost-user wire format: message layouts, SCM_RIGHTS I/O and the
 * table that declares, for every front-end request, what it may carry.
 */
#ifndef VU_MSG_H
#define VU_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header flags */
#define VU_FLAG_VERSION		0x1u
#define VU_FLAG_VERSION_MASK	0x3u
#define VU_FLAG_REPLY		(1u << 2)
#define VU_FLAG_NEED_REPLY	(1u << 3)

#define VU_MAX_FDS		8
#define VU_MEM_TABLE_MAX	8	/* regions in one SET_MEM_TABLE */
#define VU_CONFIG_MAX		256	/* config space bytes in one message */
#define VU_PAYLOAD_MAX		512	/* no request is larger than this */

/* Flag in the u64 of SET_VRING_KICK/CALL/ERR: no fd is passed */
#define VU_VRING_NOFD		(1ull << 8)
#define VU_VRING_IDX_MASK	0xffull

/* Virtio feature bits the core knows about */
#define VU_F_NOTIFY_ON_EMPTY	24
#define VU_F_RING_INDIRECT_DESC	28
#define VU_F_RING_EVENT_IDX	29
#define VU_F_PROTOCOL_FEATURES	30
#define VU_F_LOG_ALL		26
#define VU_F_VERSION_1		32
#define VU_F_ACCESS_PLATFORM	33
#define VU_F_RING_PACKED	34
#define VU_F_IN_ORDER		35
#define VU_F_RING_RESET		40

/* Acked bits that never concern the back-end: ignored, not refused */
#define VU_F_TRANSPORT_ONLY	(1ull << VU_F_RING_RESET)

/**
 * enum vu_proto_feature - vhost-user protocol feature bits
 */
enum vu_proto_feature {
	VU_PF_MQ = 0,
	VU_PF_LOG_SHMFD = 1,
	VU_PF_RARP = 2,
	VU_PF_REPLY_ACK = 3,
	VU_PF_NET_MTU = 4,
	VU_PF_BACKEND_REQ = 5,
	VU_PF_CROSS_ENDIAN = 6,
	VU_PF_CRYPTO_SESSION = 7,
	VU_PF_PAGEFAULT = 8,
	VU_PF_CONFIG = 9,
	VU_PF_BACKEND_SEND_FD = 10,
	VU_PF_HOST_NOTIFIER = 11,
	VU_PF_INFLIGHT_SHMFD = 12,
	VU_PF_RESET_DEVICE = 13,
	VU_PF_INBAND_NOTIFICATIONS = 14,
	VU_PF_CONFIGURE_MEM_SLOTS = 15,
	VU_PF_STATUS = 16,
	VU_PF_XEN_MMAP = 17,
	VU_PF_SHARED_OBJECT = 18,
	VU_PF_DEVICE_STATE = 19,
};

/**
 * enum vu_request - front-end to back-end request ids
 */
enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SEND_RARP = 19,
	VU_NET_SET_MTU = 20,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_IOTLB_MSG = 22,
	VU_SET_VRING_ENDIAN = 23,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_CREATE_CRYPTO_SESSION = 26,
	VU_CLOSE_CRYPTO_SESSION = 27,
	VU_POSTCOPY_ADVISE = 28,
	VU_POSTCOPY_LISTEN = 29,
	VU_POSTCOPY_END = 30,
	VU_GET_INFLIGHT_FD = 31,
	VU_SET_INFLIGHT_FD = 32,
	VU_GPU_SET_SOCKET = 33,
	VU_RESET_DEVICE = 34,
	VU_VRING_KICK = 35,
	VU_GET_MAX_MEM_SLOTS = 36,
	VU_ADD_MEM_REG = 37,
	VU_REM_MEM_REG = 38,
	VU_SET_STATUS = 39,
	VU_GET_STATUS = 40,
	VU_GET_SHARED_OBJECT = 41,
	VU_SET_DEVICE_STATE_FD = 42,
	VU_CHECK_DEVICE_STATE = 43,
	VU_REQUEST_MAX,
};

/**
 * enum vu_backend_request - back-end to front-end requests (BACKEND_REQ channel)
 */
enum vu_backend_request {
	VU_BACKEND_IOTLB_MSG = 1,
	VU_BACKEND_CONFIG_CHANGE = 2,
	VU_BACKEND_VRING_HOST_NOTIFIER = 3,
	VU_BACKEND_VRING_CALL = 4,
	VU_BACKEND_VRING_ERR = 5,
};

/**
 * struct vu_msg_hdr - message header as on the wire
 * @request:	Request id
 * @flags:	Version and REPLY/NEED_REPLY bits
 * @size:	Payload bytes that follow
 */
struct vu_msg_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

#define VU_HDR_SIZE sizeof(struct vu_msg_hdr)

/**
 * struct vu_vring_state - payload of SET_VRING_NUM/BASE/ENABLE, GET_VRING_BASE
 * @index:	Ring index
 * @num:	Value
 */
struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

#define VU_VRING_F_LOG 0x1u

/**
 * struct vu_vring_addr - payload of SET_VRING_ADDR
 * @index:	Ring index
 * @flags:	VU_VRING_F_LOG: log used-ring writes at @log_guest
 * @desc_user:	Descriptor table, front-end user address
 * @used_user:	Used ring (packed: device event area), front-end user address
 * @avail_user:	Available ring (packed: driver event area), user address
 * @log_guest:	Guest physical address of the used ring, for dirty logging
 */
struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user;
	uint64_t used_user;
	uint64_t avail_user;
	uint64_t log_guest;
};

/**
 * struct vu_mem_region - one memory region as the front-end describes it
 * @guest_addr:		Guest physical address of the first byte
 * @size:		Size in bytes
 * @user_addr:		Front-end's user address of the first byte
 * @mmap_offset:	Offset of the first byte in the region's fd
 */
struct vu_mem_region {
	uint64_t guest_addr;
	uint64_t size;
	uint64_t user_addr;
	uint64_t mmap_offset;
};

/**
 * struct vu_mem_table - payload of SET_MEM_TABLE
 * @nregions:	Number of regions (and of fds)
 * @padding:	Unused
 * @regions:	Regions
 */
struct vu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region regions[VU_MEM_TABLE_MAX];
};

/**
 * struct vu_mem_single - payload of ADD_MEM_REG and REM_MEM_REG
 * @padding:	Unused
 * @region:	The region
 */
struct vu_mem_single {
	uint64_t padding;
	struct vu_mem_region region;
};

#define VU_CONFIG_HDR_SIZE 12

/**
 * struct vu_config - payload of GET_CONFIG and SET_CONFIG
 * @offset:	Offset in the device config space
 * @size:	Bytes of @data used
 * @flags:	0 = regular write, 1 = during migration
 * @data:	Config bytes
 */
struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VU_CONFIG_MAX];
};

/**
 * struct vu_log_area - payload of SET_LOG_BASE
 * @size:	Bytes of the log region to map
 * @offset:	Offset of the log in the fd
 */
struct vu_log_area {
	uint64_t size;
	uint64_t offset;
};

/**
 * struct vu_inflight_desc - payload of GET_INFLIGHT_FD/SET_INFLIGHT_FD
 * @mmap_size:		Size of the inflight region
 * @mmap_offset:	Offset of the region in the fd
 * @num_queues:		Number of queues the region covers
 * @queue_size:		Size of each queue
 */
struct vu_inflight_desc {
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
};

/* Minimum payload of the inflight messages (QEMU sends the padded 24 bytes) */
#define VU_INFLIGHT_MIN_SIZE 20

/**
 * struct vu_state_xfer - payload of SET_DEVICE_STATE_FD
 * @direction:	0 = save (back-end writes), 1 = load (back-end reads)
 * @phase:	0 = stopped (the only phase defined)
 */
struct vu_state_xfer {
	uint32_t direction;
	uint32_t phase;
};

#define VU_STATE_SAVE	0
#define VU_STATE_LOAD	1
#define VU_STATE_REPLY_NOFD (1ull << 8)

/**
 * struct vu_msg - a message with its payload and file descriptors
 * @hdr:	Header
 * @payload:	Payload, interpreted according to @hdr.request
 * @fds:	Received fds; a handler that keeps one sets its slot to -1
 * @nfds:	Number of valid entries in @fds
 * @reply_fd:	An fd to send with the reply (the dispatcher closes it), or -1
 */
struct vu_msg {
	struct vu_msg_hdr hdr;
	union {
		uint64_t u64;
		struct vu_vring_state state;
		struct vu_vring_addr addr;
		struct vu_mem_table mem;
		struct vu_mem_single mem_single;
		struct vu_config config;
		struct vu_log_area log;
		struct vu_inflight_desc inflight;
		struct vu_state_xfer xfer;
		uint8_t raw[VU_PAYLOAD_MAX];
	} payload;
	int fds[VU_MAX_FDS];
	unsigned int nfds;
	int reply_fd;
};

struct vu_dev;

/**
 * enum vu_result - what a request handler asks the dispatcher to do
 * @VU_OK:	Done; acknowledged with 0 if the front-end asked (REPLY_ACK)
 * @VU_REPLY:	Send the payload the handler filled in as the reply
 * @VU_FAIL:	The request failed; acknowledged with 1 if asked for
 * @VU_CLOSE:	Protocol violation: close the connection
 */
enum vu_result {
	VU_OK,
	VU_REPLY,
	VU_FAIL,
	VU_CLOSE,
};

typedef enum vu_result (*vu_handler_fn)(struct vu_dev *dev, struct vu_msg *m);

/**
 * enum vu_lock - what a request handler needs kept away from the workers
 * @VU_LOCK_NONE:	Nothing a worker touches (features offered, config,
 *			status, device state transfer)
 * @VU_LOCK_RING:	The ring the request names: only its worker pauses,
 *			so a busy queue does not hold up the others
 * @VU_LOCK_ALL:	Memory, features, reset: every worker pauses
 */
enum vu_lock {
	VU_LOCK_NONE,
	VU_LOCK_RING,
	VU_LOCK_ALL,
};

/**
 * struct vu_msg_spec - what one request may carry, and who handles it
 * @name:	Request name, for logs
 * @min_size:	Smallest payload accepted
 * @max_size:	Largest payload accepted
 * @max_fds:	Most fds accepted (extra fds fail validation)
 * @min_fds:	Fewest fds accepted
 * @replies:	The request has a reply of its own
 * @needs:	Protocol feature (enum vu_proto_feature) that must have been
 *		negotiated for the request to be valid, or -1
 * @lock:	enum vu_lock: what the handler runs with paused
 * @handler:	Handler, NULL if the request is not supported
 */
struct vu_msg_spec {
	const char *name;
	uint16_t min_size;
	uint16_t max_size;
	uint8_t min_fds;
	uint8_t max_fds;
	bool replies;
	int8_t needs;
	uint8_t lock;
	vu_handler_fn handler;
};

const struct vu_msg_spec *vu_msg_spec(uint32_t request);
const char *vu_msg_name(uint32_t request);
const char *vu_msg_validate(const struct vu_msg *m);
void vu_msg_close_fds(struct vu_msg *m);
int vu_msg_take_fd(struct vu_msg *m, unsigned int i);
int vu_msg_recv(int sock, struct vu_msg *m);
int vu_msg_send(int sock, const struct vu_msg *m, const int *fds,
		unsigned int nfds);
void vu_msg_set_reply(struct vu_msg *m, uint32_t size);
void vu_msg_set_reply_u64(struct vu_msg *m, uint64_t value);

#endif /* VU_MSG_H */
