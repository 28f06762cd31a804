// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-dev.c - unit tests of the device state machine: requests go through
 * vu_dev_process() over a socketpair into a fake device without an event
 * loop (queues run synchronously), and the replies and state are checked.
 */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "guest.h"
#include "vu-dev.h"

#define FAKE_FEATURE	5	/* a device-specific feature bit */
#define FAKE_QUEUES	3
#define FAKE_QSIZE	8
#define FAKE_CONFIG	12

/**
 * struct fake - counters of what the core asked the fake device to do
 * @kicked:	queue_kicked calls
 * @started:	queue_started calls
 * @stopped:	queue_stopped calls
 * @resets:	reset calls
 * @mem:	mem_changed calls
 * @config:	The config space
 * @set_flags:	Flags of the last set_config
 * @drained:	queue_drain calls
 * @pop_in_drain: What vu_queue_pop() gave inside queue_drain
 */
struct fake {
	unsigned int kicked, started, stopped, resets, mem, drained;
	int pop_in_drain;
	uint8_t config[FAKE_CONFIG];
	uint32_t set_flags;
};

/**
 * struct ctx - one test's device and the front-end end of its socket
 * @dev:	Device
 * @fe:		Front-end socket
 * @f:		Fake device counters
 * @g:		Guest memory
 * @desc:	Guest address of queue 0's descriptor table (setup_ring())
 * @avail:	Guest address of queue 0's available ring
 */
struct ctx {
	struct vu_dev *dev;
	int fe;
	struct fake f;
	struct guest g;
	uint64_t desc;
	uint64_t avail;
};

/**
 * fake_kicked() - queue_kicked: count
 * @dev:	Device
 * @vq:		Queue
 */
static void fake_kicked(struct vu_dev *dev, struct vu_queue *vq)
{
	((struct fake *)vu_dev_priv(dev))->kicked++;
}

/**
 * fake_started() - queue_started: count
 * @dev:	Device
 * @vq:		Queue
 */
static void fake_started(struct vu_dev *dev, struct vu_queue *vq)
{
	((struct fake *)vu_dev_priv(dev))->started++;
}

/**
 * fake_stopped() - queue_stopped: count
 * @dev:	Device
 * @vq:		Queue
 */
static void fake_stopped(struct vu_dev *dev, struct vu_queue *vq)
{
	((struct fake *)vu_dev_priv(dev))->stopped++;
}

/**
 * fake_drain() - queue_drain: count, and try to pop (must get nothing)
 * @dev:	Device
 * @vq:		Queue
 */
static void fake_drain(struct vu_dev *dev, struct vu_queue *vq)
{
	struct fake *f = vu_dev_priv(dev);
	struct iovec iov[4];
	struct vu_elem e = { .iov_max = 4, .iov = iov };

	f->drained++;
	f->pop_in_drain = vu_queue_pop(vq, &e);
}

/**
 * fake_reset() - reset: count
 * @dev:	Device
 */
static void fake_reset(struct vu_dev *dev)
{
	((struct fake *)vu_dev_priv(dev))->resets++;
}

/**
 * fake_mem() - mem_changed: count
 * @dev:	Device
 */
static void fake_mem(struct vu_dev *dev)
{
	((struct fake *)vu_dev_priv(dev))->mem++;
}

/**
 * fake_get_config() - get_config: copy from the fake config space
 * @dev:	Device
 * @buf:	Destination
 * @off:	Offset
 * @len:	Length
 *
 * Return: 0
 */
static int fake_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t off,
			   uint32_t len)
{
	memcpy(buf, ((struct fake *)vu_dev_priv(dev))->config + off, len);
	return 0;
}

/**
 * fake_set_config() - set_config: byte 0 is read-only, the rest writable
 * @dev:	Device
 * @buf:	Source
 * @off:	Offset
 * @len:	Length
 * @flags:	Flags
 *
 * Return: 0, or -EPERM for a write to byte 0
 */
static int fake_set_config(struct vu_dev *dev, const uint8_t *buf,
			   uint32_t off, uint32_t len, uint32_t flags)
{
	struct fake *f = vu_dev_priv(dev);

	if (off == 0)
		return -EPERM;
	memcpy(f->config + off, buf, len);
	f->set_flags = flags;
	return 0;
}

static const struct vu_device fake_device = {
	.name = "fake",
	.virtio_id = 63,
	.num_queues = FAKE_QUEUES,
	.max_queue_size = 256,
	.features = 1ull << FAKE_FEATURE,
	.protocol_features = 1ull << VU_PF_INFLIGHT_SHMFD,
	.config_size = FAKE_CONFIG,
	.get_config = fake_get_config,
	.set_config = fake_set_config,
	.queue_started = fake_started,
	.queue_stopped = fake_stopped,
	.queue_drain = fake_drain,
	.queue_kicked = fake_kicked,
	.mem_changed = fake_mem,
	.reset = fake_reset,
};

/**
 * ctx_init() - A connected fake device
 * @c:		Context to fill
 */
static void ctx_init(struct ctx *c)
{
	int sv[2];

	memset(c, 0, sizeof(*c));
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	c->dev = vu_dev_new(&fake_device, &c->f);
	vu_dev_attach(c->dev, sv[1]);
	c->fe = sv[0];
	guest_init(&c->g, 1 << 20);
}

/**
 * ctx_fini() - Tear a context down
 * @c:		Context
 */
static void ctx_fini(struct ctx *c)
{
	vu_dev_free(c->dev);
	close(c->fe);
	guest_fini(&c->g);
}

/**
 * send_req() - Send a request and let the device process it
 * @c:		Context
 * @id:		Request
 * @flags:	Extra header flags (NEED_REPLY)
 * @p:		Payload or NULL
 * @size:	Payload size
 * @fds:	fds to pass
 * @nfds:	How many
 *
 * Return: what vu_dev_process() returned
 */
static int send_req(struct ctx *c, uint32_t id, uint32_t flags, const void *p,
		    uint32_t size, const int *fds, unsigned int nfds)
{
	struct vu_msg m = { .hdr = { id, VU_FLAG_VERSION | flags, size } };

	if (size)
		memcpy(m.payload.raw, p, size);
	g_assert_cmpint(vu_msg_send(c->fe, &m, fds, nfds), ==, 0);
	return vu_dev_process(c->dev);
}

/**
 * get_reply() - Read the reply to a request, if one was sent
 * @c:		Context
 * @r:		Reply
 *
 * Return: true if a reply was waiting
 */
static bool get_reply(struct ctx *c, struct vu_msg *r)
{
	struct pollfd p = { .fd = c->fe, .events = POLLIN };

	if (poll(&p, 1, 0) != 1)
		return false;
	g_assert_cmpint(vu_msg_recv(c->fe, r), ==, 0);
	g_assert_cmphex(r->hdr.flags, ==, VU_FLAG_VERSION | VU_FLAG_REPLY);
	return true;
}

/**
 * call_u64() - A request answered with a u64
 * @c:		Context
 * @id:		Request
 * @flags:	Extra flags
 * @p:		Payload or NULL
 * @size:	Payload size
 *
 * Return: the u64 of the reply (the test fails if there is none)
 */
static uint64_t call_u64(struct ctx *c, uint32_t id, uint32_t flags,
			 const void *p, uint32_t size)
{
	struct vu_msg r;

	g_assert_cmpint(send_req(c, id, flags, p, size, NULL, 0), ==, 0);
	g_assert_true(get_reply(c, &r));
	g_assert_cmpuint(r.hdr.request, ==, id);
	g_assert_cmpuint(r.hdr.size, ==, 8);
	return r.payload.u64;
}

/**
 * negotiate() - Features and protocol features as QEMU would set them
 * @c:		Context
 * @features:	Virtio features to ack
 */
static void negotiate(struct ctx *c, uint64_t features)
{
	uint64_t pf = call_u64(c, VU_GET_PROTOCOL_FEATURES, 0, NULL, 0);

	pf &= ~(1ull << VU_PF_INBAND_NOTIFICATIONS);
	g_assert_cmpint(send_req(c, VU_SET_PROTOCOL_FEATURES, 0, &pf, 8,
				 NULL, 0), ==, 0);
	g_assert_cmpint(send_req(c, VU_SET_FEATURES, 0, &features, 8, NULL, 0),
			==, 0);
}

/**
 * ack() - A request without a reply of its own, sent with NEED_REPLY
 * @c:		Context
 * @id:		Request
 * @p:		Payload
 * @size:	Payload size
 *
 * Return: the REPLY_ACK value (0 = success)
 */
static uint64_t ack(struct ctx *c, uint32_t id, const void *p, uint32_t size)
{
	return call_u64(c, id, VU_FLAG_NEED_REPLY, p, size);
}

/**
 * fd_is_open() - Is an fd open?
 * @fd:		fd
 *
 * Return: true if it is
 */
static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/**
 * count_fds() - Number of fds open in this process
 *
 * Return: count of /proc/self/fd entries
 */
static unsigned int count_fds(void)
{
	GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
	unsigned int n = 0;

	g_assert_nonnull(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

/**
 * test_features_offered() - What GET_FEATURES and GET_PROTOCOL_FEATURES say
 */
static void test_features_offered(void)
{
	struct ctx c;
	uint64_t f, pf;

	ctx_init(&c);
	f = call_u64(&c, VU_GET_FEATURES, 0, NULL, 0);
	g_assert_true(f & (1ull << VU_F_VERSION_1));
	g_assert_true(f & (1ull << VU_F_PROTOCOL_FEATURES));
	g_assert_true(f & (1ull << VU_F_RING_INDIRECT_DESC));
	g_assert_true(f & (1ull << VU_F_RING_EVENT_IDX));
	g_assert_true(f & (1ull << VU_F_RING_PACKED));
	g_assert_true(f & (1ull << VU_F_LOG_ALL));
	g_assert_true(f & (1ull << FAKE_FEATURE));
	g_assert_false(f & (1ull << VU_F_ACCESS_PLATFORM));
	pf = call_u64(&c, VU_GET_PROTOCOL_FEATURES, 0, NULL, 0);
	g_assert_true(pf & (1ull << VU_PF_MQ));
	g_assert_true(pf & (1ull << VU_PF_REPLY_ACK));
	g_assert_true(pf & (1ull << VU_PF_CONFIG));
	g_assert_true(pf & (1ull << VU_PF_CONFIGURE_MEM_SLOTS));
	g_assert_true(pf & (1ull << VU_PF_STATUS));
	g_assert_true(pf & (1ull << VU_PF_RESET_DEVICE));
	g_assert_true(pf & (1ull << VU_PF_LOG_SHMFD));
	g_assert_true(pf & (1ull << VU_PF_INFLIGHT_SHMFD));
	g_assert_false(pf & (1ull << VU_PF_BACKEND_REQ));
	g_assert_false(pf & (1ull << VU_PF_INBAND_NOTIFICATIONS));
	g_assert_false(pf & (1ull << VU_PF_PAGEFAULT));
	g_assert_false(pf & (1ull << VU_PF_HOST_NOTIFIER));
	ctx_fini(&c);
}

/**
 * test_features_refused() - Bits never offered are refused
 */
static void test_features_refused(void)
{
	struct ctx c;
	uint64_t bad = 1ull << VU_F_ACCESS_PLATFORM;
	uint64_t badpf = 1ull << VU_PF_PAGEFAULT;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	g_assert_cmpuint(ack(&c, VU_SET_FEATURES, &bad, 8), ==, 1);
	g_assert_false(vu_dev_has_feature(c.dev, VU_F_ACCESS_PLATFORM));
	g_assert_true(vu_dev_has_feature(c.dev, VU_F_VERSION_1));
	g_assert_cmpuint(ack(&c, VU_SET_PROTOCOL_FEATURES, &badpf, 8), ==, 1);
	ctx_fini(&c);
}

/**
 * test_enable_rule() - Without PROTOCOL_FEATURES every ring is enabled at
 * SET_FEATURES; with it, rings wait for SET_VRING_ENABLE
 */
static void test_enable_rule(void)
{
	struct vu_vring_state on = { 1, 1 }, bad = { 1, 2 }, oob = { 7, 1 };
	uint64_t plain = 1ull << VU_F_VERSION_1;
	uint64_t proto = plain | (1ull << VU_F_PROTOCOL_FEATURES);
	struct ctx c;

	ctx_init(&c);
	g_assert_cmpint(send_req(&c, VU_SET_FEATURES, 0, &plain, 8, NULL, 0),
			==, 0);
	g_assert_true(vu_dev_queue(c.dev, 0)->enabled);
	g_assert_true(vu_dev_queue(c.dev, 2)->enabled);
	ctx_fini(&c);

	ctx_init(&c);
	negotiate(&c, proto);
	g_assert_false(vu_dev_queue(c.dev, 0)->enabled);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_ENABLE, &on, 8), ==, 0);
	g_assert_true(vu_dev_queue(c.dev, 1)->enabled);
	g_assert_false(vu_dev_queue(c.dev, 0)->enabled);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_ENABLE, &bad, 8), ==, 1);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_ENABLE, &oob, 8), ==, 1);
	ctx_fini(&c);
}

/**
 * test_reply_ack() - NEED_REPLY gets 0 on success, 1 on failure; unknown
 * and unsupported requests fail without ending the session
 */
static void test_reply_ack(void)
{
	struct ctx c;
	struct vu_msg r;
	uint64_t junk[2] = { 1, 2 };

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	g_assert_cmpuint(ack(&c, VU_SET_OWNER, NULL, 0), ==, 0);
	g_assert_true(c.dev->owner);
	g_assert_cmpuint(ack(&c, 99, junk, sizeof(junk)), ==, 1);
	g_assert_cmpuint(ack(&c, VU_IOTLB_MSG, junk, sizeof(junk)), ==, 1);
	g_assert_cmpuint(ack(&c, VU_POSTCOPY_ADVISE, NULL, 0), ==, 1);
	/* Without NEED_REPLY nothing comes back, and the session goes on */
	g_assert_cmpint(send_req(&c, VU_SET_OWNER, 0, NULL, 0, NULL, 0), ==, 0);
	g_assert_false(get_reply(&c, &r));
	g_assert_cmpint(send_req(&c, 99, 0, NULL, 0, NULL, 0), ==, 0);
	g_assert_false(get_reply(&c, &r));
	ctx_fini(&c);
}

/**
 * test_malformed_closes() - A malformed request ends the session and the
 * fds it carried are closed
 */
static void test_malformed_closes(void)
{
	struct ctx c;
	uint32_t small = 1;
	int fd = eventfd(0, EFD_CLOEXEC);
	struct vu_msg m = { .hdr = { VU_SET_FEATURES, 1, 4 } };

	ctx_init(&c);
	memcpy(m.payload.raw, &small, 4);
	g_assert_cmpint(vu_msg_send(c.fe, &m, &fd, 1), ==, 0);
	close(fd);
	g_assert_cmpint(vu_dev_process(c.dev), <, 0);
	g_assert_false(fd_is_open(fd));
	ctx_fini(&c);
}

/**
 * test_needs_feature() - Requests of protocol features not negotiated fail
 */
static void test_needs_feature(void)
{
	struct ctx c;
	struct vu_config cfg = { .offset = 0, .size = 4 };
	struct vu_msg r;
	uint64_t inband = (1ull << VU_PF_INBAND_NOTIFICATIONS) |
			  (1ull << VU_PF_REPLY_ACK);

	ctx_init(&c);
	g_assert_cmpint(send_req(&c, VU_GET_CONFIG, 0, &cfg, 16, NULL, 0), ==,
			0);
	g_assert_true(get_reply(&c, &r));
	g_assert_cmpuint(r.payload.u64, ==, 1);
	g_assert_cmpint(send_req(&c, VU_RESET_DEVICE, 0, NULL, 0, NULL, 0), ==,
			0);
	g_assert_cmpuint(c.f.resets, ==, 0);
	g_assert_cmpuint(ack(&c, VU_SET_PROTOCOL_FEATURES, &inband, 8), ==, 1);
	ctx_fini(&c);
}

/**
 * test_config() - GET_CONFIG and SET_CONFIG with range checks
 */
static void test_config(void)
{
	struct vu_config cfg = { .offset = 4, .size = 4 };
	struct ctx c;
	struct vu_msg r;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	memcpy(c.f.config, "abcdefghijkl", FAKE_CONFIG);
	g_assert_cmpint(send_req(&c, VU_GET_CONFIG, 0, &cfg, 16, NULL, 0), ==,
			0);
	g_assert_true(get_reply(&c, &r));
	g_assert_cmpuint(r.hdr.size, ==, 16);
	g_assert_cmpmem(r.payload.config.data, 4, "efgh", 4);
	/* Past the end: an empty answer */
	cfg.offset = 10;
	g_assert_cmpint(send_req(&c, VU_GET_CONFIG, 0, &cfg, 16, NULL, 0), ==,
			0);
	g_assert_true(get_reply(&c, &r));
	g_assert_cmpuint(r.hdr.size, ==, VU_CONFIG_HDR_SIZE);
	/* Offset overflow */
	cfg.offset = 0xfffffffe;
	g_assert_cmpint(send_req(&c, VU_GET_CONFIG, 0, &cfg, 16, NULL, 0), ==,
			0);
	g_assert_true(get_reply(&c, &r));
	g_assert_cmpuint(r.hdr.size, ==, VU_CONFIG_HDR_SIZE);
	/* Size that does not match the message */
	cfg.offset = 0;
	cfg.size = 8;
	g_assert_cmpint(send_req(&c, VU_GET_CONFIG, 0, &cfg, 16, NULL, 0), ==,
			0);
	g_assert_true(get_reply(&c, &r));
	g_assert_cmpuint(r.hdr.size, ==, VU_CONFIG_HDR_SIZE);
	/* Writes: the device refuses byte 0, accepts the rest */
	cfg.size = 2;
	cfg.offset = 0;
	memcpy(cfg.data, "XY", 2);
	g_assert_cmpuint(ack(&c, VU_SET_CONFIG, &cfg, 14), ==, 1);
	cfg.offset = 2;
	cfg.flags = 1;
	g_assert_cmpuint(ack(&c, VU_SET_CONFIG, &cfg, 14), ==, 0);
	g_assert_cmpmem(c.f.config, 4, "abXY", 4);
	g_assert_cmpuint(c.f.set_flags, ==, 1);
	cfg.offset = 11;
	g_assert_cmpuint(ack(&c, VU_SET_CONFIG, &cfg, 14), ==, 1);
	ctx_fini(&c);
}

/**
 * test_notifier_fds() - SET_VRING_CALL fd counts and indices
 */
static void test_notifier_fds(void)
{
	struct ctx c;
	unsigned int before;
	uint64_t v;
	int fd;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	fd = eventfd(0, EFD_CLOEXEC);
	v = 1;
	g_assert_cmpint(send_req(&c, VU_SET_VRING_CALL, 0, &v, 8, &fd, 1), ==,
			0);
	close(fd);
	g_assert_cmpint(vu_dev_queue(c.dev, 1)->call_fd, >=, 0);
	/* Out of range: refused, fd closed */
	before = count_fds();
	fd = eventfd(0, EFD_CLOEXEC);
	v = 200;
	g_assert_cmpint(send_req(&c, VU_SET_VRING_CALL, 0, &v, 8, &fd, 1), ==,
			0);
	close(fd);
	g_assert_cmpuint(count_fds(), ==, before);
	/* NOFD with an fd: malformed, session ends */
	fd = eventfd(0, EFD_CLOEXEC);
	v = 1 | VU_VRING_NOFD;
	g_assert_cmpint(send_req(&c, VU_SET_VRING_CALL, 0, &v, 8, &fd, 1), <,
			0);
	close(fd);
	ctx_fini(&c);
}

/**
 * test_status_and_slots() - SET/GET_STATUS and GET_MAX_MEM_SLOTS
 */
static void test_status_and_slots(void)
{
	struct ctx c;
	uint64_t s = 0x0f, big = 0x100;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	g_assert_cmpuint(ack(&c, VU_SET_STATUS, &s, 8), ==, 0);
	g_assert_cmpuint(call_u64(&c, VU_GET_STATUS, 0, NULL, 0), ==, 0x0f);
	g_assert_cmpuint(ack(&c, VU_SET_STATUS, &big, 8), ==, 1);
	g_assert_cmpuint(call_u64(&c, VU_GET_MAX_MEM_SLOTS, 0, NULL, 0), >=,
			 509);
	g_assert_cmpuint(call_u64(&c, VU_GET_QUEUE_NUM, 0, NULL, 0), ==,
			 FAKE_QUEUES);
	ctx_fini(&c);
}

/**
 * test_mem_table_mismatch() - nregions that disagrees with the fds or the
 * size ends the session, fds closed
 */
static void test_mem_table_mismatch(void)
{
	struct ctx c;
	struct vu_mem_table t = { .nregions = 2 };
	unsigned int before;
	int fd;

	ctx_init(&c);
	before = count_fds();
	fd = eventfd(0, EFD_CLOEXEC);
	g_assert_cmpint(send_req(&c, VU_SET_MEM_TABLE, 0, &t, 8 + 2 * 32, &fd,
				 1), <, 0);
	close(fd);
	/* The received copy was closed: nothing leaked */
	g_assert_cmpuint(count_fds(), ==, before);
	ctx_fini(&c);
}

/**
 * map_guest() - SET_MEM_TABLE with the fixture's one region
 * @c:		Context
 */
static void map_guest(struct ctx *c)
{
	struct vu_mem_table t = { .nregions = 1 };
	struct vu_msg r;
	int fd = c->g.fd;

	t.regions[0] = (struct vu_mem_region){
		.guest_addr = GUEST_GPA_BASE, .size = c->g.size,
		.user_addr = GUEST_UVA_BASE, .mmap_offset = 0,
	};
	g_assert_cmpint(send_req(c, VU_SET_MEM_TABLE, VU_FLAG_NEED_REPLY, &t,
				 8 + 32, &fd, 1), ==, 0);
	g_assert_true(get_reply(c, &r));
	g_assert_cmpuint(r.payload.u64, ==, 0);
}

/**
 * setup_ring() - NUM, BASE and ADDR for queue 0, a split ring
 * @c:		Context
 */
static void setup_ring(struct ctx *c)
{
	struct vu_vring_state num = { 0, FAKE_QSIZE }, base = { 0, 0 };
	struct vu_vring_addr a = { .index = 0 };

	c->desc = guest_alloc(&c->g, 16 * FAKE_QSIZE, 16);
	c->avail = guest_alloc(&c->g, 6 + 2 * FAKE_QSIZE, 2);
	a.desc_user = guest_uva(c->desc);
	a.avail_user = guest_uva(c->avail);
	a.used_user = guest_uva(guest_alloc(&c->g, 6 + 8 * FAKE_QSIZE, 4));
	g_assert_cmpuint(ack(c, VU_SET_VRING_NUM, &num, 8), ==, 0);
	g_assert_cmpuint(ack(c, VU_SET_VRING_BASE, &base, 8), ==, 0);
	g_assert_cmpuint(ack(c, VU_SET_VRING_ADDR, &a, sizeof(a)), ==, 0);
}

/**
 * test_ring_lifecycle() - Start on kick, stop on GET_VRING_BASE, base kept,
 * reset forgets the ring but keeps the owner
 */
static void test_ring_lifecycle(void)
{
	struct vu_vring_state num = { 0, 6 }, big = { 0, 512 }, st = { 0, 0 };
	uint64_t kick = 0 | VU_VRING_NOFD;
	struct vu_queue *vq;
	struct ctx c;
	struct vu_msg r;

	ctx_init(&c);
	negotiate(&c, (1ull << VU_F_VERSION_1) | (1ull << VU_F_PROTOCOL_FEATURES));
	g_assert_cmpuint(ack(&c, VU_SET_OWNER, NULL, 0), ==, 0);
	map_guest(&c);
	g_assert_cmpuint(c.f.mem, ==, 1);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_NUM, &num, 8), ==, 1);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_NUM, &big, 8), ==, 1);
	setup_ring(&c);
	vq = vu_dev_queue(c.dev, 0);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_KICK, &kick, 8), ==, 0);
	g_assert_true(vq->started);
	g_assert_cmpuint(c.f.started, ==, 1);
	/* Disabled: started but not kicked into the device */
	g_assert_cmpuint(c.f.kicked, ==, 0);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_BASE, &st, 8), ==, 1);
	st.num = 1;
	g_assert_cmpuint(ack(&c, VU_SET_VRING_ENABLE, &st, 8), ==, 0);
	g_assert_cmpuint(c.f.kicked, ==, 1);
	st.num = 0;
	g_assert_cmpint(send_req(&c, VU_GET_VRING_BASE, 0, &st, 8, NULL, 0), ==,
			0);
	g_assert_true(get_reply(&c, &r));
	g_assert_cmpuint(r.payload.state.index, ==, 0);
	g_assert_cmpuint(r.payload.state.num, ==, 0);
	g_assert_false(vq->started);
	g_assert_cmpuint(c.f.stopped, ==, 1);

	g_assert_cmpuint(ack(&c, VU_RESET_DEVICE, NULL, 0), ==, 0);
	g_assert_cmpuint(c.f.resets, ==, 1);
	g_assert_true(c.dev->owner);
	g_assert_false(c.dev->features_set);
	g_assert_false(vq->enabled);
	g_assert_cmpuint(vq->size, ==, 0);
	ctx_fini(&c);
}

/**
 * test_kick_needs_ring() - A kick before valid addresses does not start
 */
static void test_kick_needs_ring(void)
{
	struct vu_vring_state num = { 0, FAKE_QSIZE };
	struct vu_vring_addr a = { .index = 0, .desc_user = 0x1000,
				   .avail_user = 0x2000, .used_user = 0x3000 };
	uint64_t kick = VU_VRING_NOFD;
	struct ctx c;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	map_guest(&c);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_NUM, &num, 8), ==, 0);
	/* Addresses outside guest memory */
	g_assert_cmpuint(ack(&c, VU_SET_VRING_ADDR, &a, sizeof(a)), ==, 1);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_KICK, &kick, 8), ==, 1);
	g_assert_false(vu_dev_queue(c.dev, 0)->started);
	ctx_fini(&c);
}

/**
 * test_mem_regions() - ADD/REM_MEM_REG with the mem-slots feature
 */
static void test_mem_regions(void)
{
	struct vu_mem_single r = { 0 };
	struct ctx c;
	int fd;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	r.region = (struct vu_mem_region){
		.guest_addr = GUEST_GPA_BASE, .size = c.g.size,
		.user_addr = GUEST_UVA_BASE, .mmap_offset = 0,
	};
	fd = dup(c.g.fd);
	g_assert_cmpint(send_req(&c, VU_ADD_MEM_REG, VU_FLAG_NEED_REPLY, &r,
				 sizeof(r), &fd, 1), ==, 0);
	close(fd);
	g_assert_cmpuint(c.dev->mem.n, ==, 1);
	/* The same region again overlaps */
	fd = dup(c.g.fd);
	g_assert_cmpint(send_req(&c, VU_ADD_MEM_REG, 0, &r, sizeof(r), &fd, 1),
			==, 0);
	close(fd);
	g_assert_cmpuint(c.dev->mem.n, ==, 1);
	g_assert_cmpint(send_req(&c, VU_REM_MEM_REG, 0, &r, sizeof(r), NULL, 0),
			==, 0);
	g_assert_cmpuint(c.dev->mem.n, ==, 0);
	g_assert_cmpuint(c.f.mem, ==, 2);
	ctx_fini(&c);
}

/**
 * post_one() - Make one 16-byte device-readable chain available on queue 0
 * @c:		Context, ring set up
 */
static void post_one(struct ctx *c)
{
	struct vu_desc *d = guest_ptr(&c->g, c->desc);
	struct vu_avail *a = guest_ptr(&c->g, c->avail);

	d[0].addr = GUINT64_TO_LE(GUEST_GPA_BASE);
	d[0].len = GUINT32_TO_LE(16);
	a->ring[0] = 0;
	a->idx = GUINT16_TO_LE(1);
}

/**
 * test_mem_change_drains() - A new memory table while a ring runs: the
 * device drains it first, nothing is popped meanwhile, the ring goes on
 */
static void test_mem_change_drains(void)
{
	struct vu_vring_state on = { 0, 1 };
	uint64_t kick = VU_VRING_NOFD;
	struct iovec iov[4];
	struct vu_elem e = { .iov_max = 4, .iov = iov };
	struct vu_queue *vq;
	struct ctx c;

	ctx_init(&c);
	negotiate(&c, (1ull << VU_F_VERSION_1) |
		  (1ull << VU_F_PROTOCOL_FEATURES));
	map_guest(&c);
	setup_ring(&c);
	post_one(&c);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_KICK, &kick, 8), ==, 0);
	g_assert_cmpuint(ack(&c, VU_SET_VRING_ENABLE, &on, 8), ==, 0);
	g_assert_cmpuint(c.f.kicked, ==, 1);
	map_guest(&c);
	g_assert_cmpuint(c.f.drained, ==, 1);
	g_assert_cmpint(c.f.pop_in_drain, ==, 0);
	g_assert_cmpuint(c.f.mem, ==, 2);
	/* Resumed: kicked again, and the chain is there */
	g_assert_cmpuint(c.f.kicked, ==, 2);
	vq = vu_dev_queue(c.dev, 0);
	g_assert_false(vq->draining);
	g_assert_cmpint(vu_queue_pop(vq, &e), ==, 1);
	g_assert_cmpuint(e.out_num, ==, 1);
	/* A stopped ring is not drained */
	vu_queue_push(vq, &e, 0);
	vu_dev_stop_queue(c.dev, vq);
	map_guest(&c);
	g_assert_cmpuint(c.f.drained, ==, 1);
	ctx_fini(&c);
}

/**
 * test_disconnect_resets() - The end of a session resets the device and
 * forgets features, memory and protocol features
 */
static void test_disconnect_resets(void)
{
	struct ctx c;

	ctx_init(&c);
	negotiate(&c, 1ull << VU_F_VERSION_1);
	map_guest(&c);
	setup_ring(&c);
	vu_dev_disconnect(c.dev);
	g_assert_cmpint(c.dev->sock, ==, -1);
	g_assert_cmpuint(c.dev->mem.n, ==, 0);
	g_assert_cmpuint(c.dev->proto, ==, 0);
	g_assert_cmpuint(c.dev->features, ==, 0);
	g_assert_cmpuint(vu_dev_queue(c.dev, 0)->size, ==, 0);
	g_assert_cmpuint(c.f.resets, ==, 1);
	ctx_fini(&c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_log_set_always_fatal(G_LOG_FATAL_MASK);
	g_log_set_fatal_mask(NULL, G_LOG_FATAL_MASK);
	g_test_add_func("/dev/features/offered", test_features_offered);
	g_test_add_func("/dev/features/refused", test_features_refused);
	g_test_add_func("/dev/enable-rule", test_enable_rule);
	g_test_add_func("/dev/reply-ack", test_reply_ack);
	g_test_add_func("/dev/malformed-closes", test_malformed_closes);
	g_test_add_func("/dev/needs-feature", test_needs_feature);
	g_test_add_func("/dev/config", test_config);
	g_test_add_func("/dev/notifier-fds", test_notifier_fds);
	g_test_add_func("/dev/status-and-slots", test_status_and_slots);
	g_test_add_func("/dev/mem-table-mismatch", test_mem_table_mismatch);
	g_test_add_func("/dev/ring-lifecycle", test_ring_lifecycle);
	g_test_add_func("/dev/kick-needs-ring", test_kick_needs_ring);
	g_test_add_func("/dev/mem-regions", test_mem_regions);
	g_test_add_func("/dev/disconnect-resets", test_disconnect_resets);
	g_test_add_func("/dev/mem-change-drains", test_mem_change_drains);
	return g_test_run();
}
