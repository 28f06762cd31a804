// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-gpu.c - libFuzzer target for vhost-user-gpu's device model (2D): the
 * input is a session of a fake guest driver posting control and cursor
 * chains, and of a fake display front-end on the GPU_SET_SOCKET channel;
 * every response and every display message is checked.
 *
 * Input: byte 0 configuration (bits 0-1: outputs - 1; 2: start with a
 * display socket; 3: the display answers requests on its own; 4: event
 * idx; 5-7: head size from fz_sizes), byte 1 the display's protocol
 * features (bit 7 set: every bit above 7 too; bit 6 also gives the first
 * display socket a small send buffer), then records:
 *	kind (u8), flags (u8), length (u16 LE), that many bytes
 * kind & 7: 0 control chain, 1 cursor chain (flags: see fz_post()),
 * 2 display operation (fz_display()), 3 write guest RAM (u32 LE offset,
 * then bytes), 4 high memory layout (fz_mem_layout()), 5 SET_CONFIG and
 * GET_CONFIG, 6 reset or restart (fz_restart()), 7 kick both queues.
 * kind & 0x80: do not kick or run anything after the record.
 *
 * There is no event loop and no thread: the core's kick hook and fd watches
 * are recorded, and fz_settle() runs them, as the GLib loop would, until
 * nothing moves. Checks failing call __builtin_trap().
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "gpu-int.h"
#include "guest.h"
#include "vu-dev.h"

#define FZ_RAM		(4u << 20)	/* the memfd */
#define FZ_LOW		(2u << 20)	/* region A: rings and chains */
#define FZ_ALT_GPA	0x40000000ull	/* where the high part may move */
#define FZ_HOSTMEM	(8u << 20)	/* --max-hostmem */
#define FZ_SETTLE	64		/* scheduler rounds per record */
#define FZ_NDESC	4		/* descriptors per chain */
#define FZ_CMD		64		/* command bytes remembered */
#define FZ_NRES		64		/* resources the shadow follows */
#define FZ_NPEND	32		/* display requests remembered */
#define FZ_NWATCH	4		/* fd watches */
#define FZ_FILL		0xa5		/* in buffers before the device */
#define FZ_SNDBUF	(8 << 10)	/* a small display send buffer */
#define FZ_POKE_BASE	0x90000u	/* guest RAM writable by records */
#define HDR_SIZE	sizeof(struct virtio_gpu_ctrl_hdr)

/* A check of the device's behaviour: a failure is a crash for libFuzzer */
#define T(x)	do { if (!(x)) __builtin_trap(); } while (0)

/**
 * struct fz_layout - where one queue's ring and chains lie in guest RAM
 * @size:	Queue size
 * @desc:	Descriptor table offset
 * @avail:	Avail ring offset
 * @used:	Used ring offset
 * @nslots:	Chains in flight at most
 * @slot_base:	Offset of slot 0
 * @slot_size:	Bytes per slot: command, then response
 * @out_max:	Command bytes per slot
 */
struct fz_layout {
	uint16_t size;
	uint32_t desc, avail, used;
	unsigned int nslots;
	uint32_t slot_base, slot_size, out_max;
};

static const struct fz_layout fz_layouts[GPU_NUM_QUEUES] = {
	{ 256, 0x0000, 0x1000, 0x2000, 64, 0x10000, 0x2000, 0x1800 },
	{ 64, 0x3000, 0x3400, 0x3800, 16, 0x4000, 0x200, 0x1c0 },
};

/* Preferred head sizes (the options), edges included */
static const uint32_t fz_sizes[8][2] = {
	{ 1280, 800 }, { 640, 480 }, { 1, 1 }, { 4095, 4095 },
	{ 4096, 2160 }, { 16384, 16384 }, { 800, 600 }, { 64, 64 },
};

/**
 * struct fz_slot - a chain the driver posted
 * @busy:	Posted, not used yet
 * @out_len:	Command bytes
 * @in_len:	Response bytes offered
 * @cmd:	The command's first bytes, as posted
 */
struct fz_slot {
	bool busy;
	uint32_t out_len;
	uint32_t in_len;
	uint8_t cmd[FZ_CMD] __attribute__((aligned(8)));
};

/**
 * struct fz_ring - the driver's side of one split ring
 * @avail_idx:	Next avail index
 * @used_idx:	Used entries seen
 * @next:	Slot of the next chain
 * @slot:	Slots
 */
struct fz_ring {
	uint16_t avail_idx;
	uint16_t used_idx;
	unsigned int next;
	struct fz_slot slot[64];
};

/**
 * struct fz_watch - an fd watch the device asked for
 * @on:		In use
 * @fd:		Watched fd
 * @out:	Writability (else readability)
 * @fn:		Callback
 * @data:	Its data
 */
struct fz_watch {
	bool on;
	int fd;
	bool out;
	vu_fd_fn fn;
	void *data;
};

/**
 * struct fz_res - what the driver knows of a resource (the shadow)
 * @id:		Resource id
 * @backed:	Backing attached
 */
struct fz_res {
	uint32_t id;
	bool backed;
};

/**
 * struct fz_fe - the fake display front-end
 * @fd:		Our end of the display socket, -1 if none
 * @autoreply:	Answer requests as soon as they arrive
 * @stalled:	Do not read (the device's writes pile up)
 * @features:	Protocol features offered in automatic replies
 * @offered:	Protocol features of the last reply to GET_PROTOCOL_FEATURES
 * @hdr:	Header of the message being received
 * @hdr_len:	Bytes of @hdr received
 * @pay:	Its first payload bytes
 * @pay_len:	Payload bytes received
 * @pend:	Requests waiting for our reply, oldest first
 * @npend:	Entries of @pend
 * @head_w:	Width of each head from its last SCANOUT, 0 if off
 * @head_h:	Height
 */
struct fz_fe {
	int fd;
	bool autoreply;
	bool stalled;
	uint64_t features;
	uint64_t offered;
	struct vug_hdr hdr;
	size_t hdr_len;
	uint8_t pay[64];
	uint64_t pay_len;
	uint32_t pend[FZ_NPEND];
	unsigned int npend;
	uint32_t head_w[VIRTIO_GPU_MAX_SCANOUTS];
	uint32_t head_h[VIRTIO_GPU_MAX_SCANOUTS];
};

/**
 * struct fz - one input's session
 * @g:		Device model
 * @dev:	Core instance
 * @conn:	Front-end end of the vhost-user connection (never read)
 * @outputs:	Heads
 * @kick:	A kick is pending for each queue
 * @ring:	Driver side of each queue
 * @watch:	fd watches
 * @fe:		Display front-end
 * @res:	Shadow resources
 * @nres:	Entries of @res
 * @shadow:	@res is exact (it did not overflow)
 * @high:	Current high memory layout
 * @dirty_lo:	Lowest guest RAM offset written by a record
 * @dirty_hi:	End of the highest
 */
struct fz {
	struct gpu *g;
	struct vu_dev *dev;
	int conn;
	unsigned int outputs;
	bool kick[GPU_NUM_QUEUES];
	struct fz_ring ring[GPU_NUM_QUEUES];
	struct fz_watch watch[FZ_NWATCH];
	struct fz_fe fe;
	struct fz_res res[FZ_NRES];
	unsigned int nres;
	bool shadow;
	unsigned int high;
	size_t dirty_lo, dirty_hi;
};

static struct guest fz_guest;

/* What the device must leave alone after its response */
static uint8_t fz_fill[0x800];

/* FUZZ_GPU_TRACE set: every response and display message on stderr */
static bool fz_trace;

/**
 * fz_quiet() - Log handler dropping messages: broken input is expected
 * @domain:	Log domain
 * @level:	Level
 * @msg:	Message
 * @data:	Unused
 */
static void fz_quiet(const gchar *domain, GLogLevelFlags level,
		     const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

/**
 * fz_ram() - The test's pointer into guest RAM
 * @off:	Offset from the start of RAM
 *
 * Return: pointer
 */
static uint8_t *fz_ram(uint64_t off)
{
	return fz_guest.ram + off;
}

/**
 * fz_rd16() - Read a little-endian u16
 * @p:		Bytes
 *
 * Return: value
 */
static uint16_t fz_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- the core's hooks: a recorded, deferred event loop ---- */

/**
 * fz_hook_kick() - kick hook: run the queue later, as the loop would
 * @dev:	Device
 * @vq:		Queue
 */
static void fz_hook_kick(struct vu_dev *dev, struct vu_queue *vq)
{
	struct fz *fz = dev->hooks.opaque;

	if (vq->index < GPU_NUM_QUEUES)
		fz->kick[vq->index] = true;
}

/**
 * fz_hook_watch() - watch_fd hook: remember the watch
 * @dev:	Device
 * @vq:		Queue (always the control queue here)
 * @fd:		fd
 * @out:	Writability
 * @fn:		Callback
 * @data:	Its data
 *
 * Return: the watch, or NULL if all are taken
 */
static void *fz_hook_watch(struct vu_dev *dev, struct vu_queue *vq, int fd,
			   bool out, vu_fd_fn fn, void *data)
{
	struct fz *fz = dev->hooks.opaque;
	unsigned int i;

	for (i = 0; i < FZ_NWATCH; i++) {
		struct fz_watch *w = &fz->watch[i];

		if (w->on)
			continue;
		*w = (struct fz_watch){ true, fd, out, fn, data };
		return w;
	}
	return NULL;
}

/**
 * fz_hook_unwatch() - unwatch_fd hook
 * @dev:	Device
 * @watch:	From fz_hook_watch()
 */
static void fz_hook_unwatch(struct vu_dev *dev, void *watch)
{
	((struct fz_watch *)watch)->on = false;
}

/* ---- vhost-user requests, as the front-end would send them ---- */

/**
 * fz_dispatch() - Run one vhost-user request through the core
 * @fz:		Session
 * @request:	Request
 * @payload:	Payload, or NULL
 * @size:	Its length
 * @fds:	fds to pass (the request takes them over)
 * @nfds:	How many
 * @reply:	Out: the reply payload (at least @size bytes), or NULL
 */
static void fz_dispatch(struct fz *fz, uint32_t request, const void *payload,
			uint32_t size, const int *fds, unsigned int nfds,
			void *reply)
{
	struct vu_msg m = { .hdr = { request, VU_FLAG_VERSION, size } };
	unsigned int i;

	if (size)
		memcpy(m.payload.raw, payload, size);
	for (i = 0; i < nfds; i++)
		m.fds[i] = fds[i];
	m.nfds = nfds;
	m.reply_fd = -1;
	vu_dev_dispatch(fz->dev, &m);
	if (reply)
		memcpy(reply, m.payload.raw, size);
}

/**
 * fz_region() - A guest memory region of the memfd
 * @gpa:	Guest physical address
 * @off:	Offset in guest RAM
 * @size:	Bytes
 *
 * Return: the region
 */
static struct vu_mem_region fz_region(uint64_t gpa, uint64_t off,
				      uint64_t size)
{
	return (struct vu_mem_region){
		.guest_addr = gpa, .size = size,
		.user_addr = GUEST_UVA_BASE + off, .mmap_offset = off,
	};
}

/**
 * fz_high_regions() - The regions of a high memory layout
 * @layout:	0 one region after A, 1 the same as two, 2 none, 3 one
 *		region at FZ_ALT_GPA
 * @r:		Out: up to two regions
 *
 * Return: how many
 */
static unsigned int fz_high_regions(unsigned int layout,
				    struct vu_mem_region *r)
{
	uint64_t base = GUEST_GPA_BASE + FZ_LOW, half = (FZ_RAM - FZ_LOW) / 2;

	switch (layout) {
	case 0:
		r[0] = fz_region(base, FZ_LOW, FZ_RAM - FZ_LOW);
		return 1;
	case 1:
		r[0] = fz_region(base, FZ_LOW, half);
		r[1] = fz_region(base + half, FZ_LOW + half, half);
		return 2;
	case 3:
		r[0] = fz_region(FZ_ALT_GPA, FZ_LOW, FZ_RAM - FZ_LOW);
		return 1;
	}
	return 0;
}

/**
 * fz_mem_table() - SET_MEM_TABLE: region A and the high part (layout 0)
 * @fz:		Session
 */
static void fz_mem_table(struct fz *fz)
{
	struct vu_mem_table t = { .nregions = 2 };
	int fds[2] = { dup(fz_guest.fd), dup(fz_guest.fd) };

	t.regions[0] = fz_region(GUEST_GPA_BASE, 0, FZ_LOW);
	fz_high_regions(0, &t.regions[1]);
	fz_dispatch(fz, VU_SET_MEM_TABLE, &t,
		    8 + 2 * sizeof(struct vu_mem_region), fds, 2, NULL);
	fz->high = 0;
}

/**
 * fz_mem_layout() - Move the high part of guest memory: its regions are
 * removed one by one, the new ones added (REM_MEM_REG, ADD_MEM_REG)
 * @fz:		Session
 * @layout:	New layout (see fz_high_regions())
 */
static void fz_mem_layout(struct fz *fz, unsigned int layout)
{
	struct vu_mem_region r[2];
	struct vu_mem_single s = { 0 };
	unsigned int i, n = fz_high_regions(fz->high, r);
	int fd;

	for (i = 0; i < n; i++) {
		s.region = r[i];
		fz_dispatch(fz, VU_REM_MEM_REG, &s, sizeof(s), NULL, 0, NULL);
	}
	n = fz_high_regions(layout, r);
	for (i = 0; i < n; i++) {
		s.region = r[i];
		fd = dup(fz_guest.fd);
		fz_dispatch(fz, VU_ADD_MEM_REG, &s, sizeof(s), &fd, 1, NULL);
	}
	fz->high = layout;
}

/* ---- the guest driver ---- */

/**
 * fz_queue_go() - Start a mapped queue, as SET_VRING_KICK would
 * @fz:		Session
 * @vq:		Queue
 */
static void fz_queue_go(struct fz *fz, struct vu_queue *vq)
{
	vq->started = true;
	vq->enabled = true;
	vq->draining = false;
	fz->dev->device->queue_started(fz->dev, vq);
	fz->kick[vq->index] = true;
}

/**
 * fz_ring_start() - Set a queue up from scratch (index 0) and start it
 * @fz:		Session
 * @q:		Queue
 */
static void fz_ring_start(struct fz *fz, unsigned int q)
{
	const struct fz_layout *l = &fz_layouts[q];
	struct vu_queue *vq = vu_dev_queue(fz->dev, q);

	memset(fz_ram(l->desc), 0, 16u * l->size);
	memset(fz_ram(l->avail), 0, 6 + 2u * l->size);
	memset(fz_ram(l->used), 0, 6 + 8u * l->size);
	memset(&fz->ring[q], 0, sizeof(fz->ring[q]));
	vu_queue_reset(vq);
	vq->size = l->size;
	vq->features = fz->dev->features;
	vq->addr.desc_user = GUEST_UVA_BASE + l->desc;
	vq->addr.avail_user = GUEST_UVA_BASE + l->avail;
	vq->addr.used_user = GUEST_UVA_BASE + l->used;
	vq->addr.log_guest = GUEST_GPA_BASE + l->used;
	if (vu_queue_map(vq))
		abort();
	fz_queue_go(fz, vq);
}

/**
 * fz_in_len() - Response bytes a chain offers
 * @q:		Queue
 * @flags:	Chain flags (bits 0-1: 0 all, 1 a header, 2 none, 3 from
 *		bits 4-6)
 *
 * Return: bytes
 */
static uint32_t fz_in_len(unsigned int q, uint8_t flags)
{
	const struct fz_layout *l = &fz_layouts[q];
	uint32_t all = l->slot_size - l->out_max;

	switch (flags & 3) {
	case 0:
		return all;
	case 1:
		return HDR_SIZE;
	case 2:
		return 0;
	}
	return MIN(all, ((flags >> 4) & 7) * (q ? 8u : 160u));
}

/**
 * fz_desc() - Write one descriptor of a chain
 * @q:		Queue
 * @i:		Descriptor index
 * @off:	Buffer offset in guest RAM
 * @len:	Buffer bytes
 * @flags:	VU_DESC_F_WRITE or 0
 * @last:	Last of the chain
 */
static void fz_desc(unsigned int q, unsigned int i, uint32_t off,
		    uint32_t len, uint16_t flags, bool last)
{
	struct vu_desc *d = (struct vu_desc *)fz_ram(fz_layouts[q].desc) + i;

	d->addr = GUEST_GPA_BASE + off;
	d->len = len;
	d->flags = (uint16_t)(flags | (last ? 0 : VU_DESC_F_NEXT));
	d->next = (uint16_t)(i + 1);
}

/**
 * struct fz_seg - one buffer of a chain
 * @off:	Offset in guest RAM
 * @len:	Bytes
 * @flags:	VU_DESC_F_WRITE or 0
 */
struct fz_seg {
	uint32_t off;
	uint32_t len;
	uint16_t flags;
};

/**
 * fz_split() - A buffer as one or two segments
 * @seg:	Out: up to two segments
 * @off:	Offset in guest RAM
 * @len:	Bytes (none: no segment)
 * @flags:	VU_DESC_F_WRITE or 0
 * @split:	Cut it in two halves
 *
 * Return: segments written
 */
static unsigned int fz_split(struct fz_seg *seg, uint32_t off, uint32_t len,
			     uint16_t flags, bool split)
{
	if (!len)
		return 0;
	if (split && len / 2) {
		seg[0] = (struct fz_seg){ off, len / 2, flags };
		seg[1] = (struct fz_seg){ off + len / 2, len - len / 2, flags };
		return 2;
	}
	seg[0] = (struct fz_seg){ off, len, flags };
	return 1;
}

/**
 * fz_chain() - Write a slot's descriptors: the command, then the
 * response buffer, each in one or two descriptors
 * @q:		Queue
 * @slot:	Slot
 * @out:	Command bytes
 * @in:		Response bytes
 * @flags:	Bit 2: split the command; bit 3: split the response
 *
 * Return: the head descriptor
 */
static uint16_t fz_chain(unsigned int q, unsigned int slot, uint32_t out,
			 uint32_t in, uint8_t flags)
{
	const struct fz_layout *l = &fz_layouts[q];
	uint32_t base = l->slot_base + slot * l->slot_size;
	struct fz_seg seg[FZ_NDESC];
	unsigned int n, i;

	n = fz_split(seg, base, out, 0, flags & 4);
	n += fz_split(seg + n, base + l->out_max, in, VU_DESC_F_WRITE,
		      flags & 8);
	for (i = 0; i < n; i++)
		fz_desc(q, slot * FZ_NDESC + i, seg[i].off, seg[i].len,
			seg[i].flags, i + 1 == n);
	return (uint16_t)(slot * FZ_NDESC);
}

/**
 * fz_post() - Post one chain and make it available
 * @fz:		Session
 * @q:		Queue
 * @flags:	See fz_in_len() and fz_chain()
 * @p:		Command bytes
 * @n:		Their number (cut to the slot)
 *
 * Nothing is posted while the next slot is still in flight.
 */
static void fz_post(struct fz *fz, unsigned int q, uint8_t flags,
		    const uint8_t *p, size_t n)
{
	const struct fz_layout *l = &fz_layouts[q];
	struct fz_ring *r = &fz->ring[q];
	struct fz_slot *s = &r->slot[r->next];
	uint32_t out = (uint32_t)MIN(n, l->out_max), in = fz_in_len(q, flags);
	uint8_t *buf = fz_ram(l->slot_base + r->next * l->slot_size);
	struct vu_avail *a = (struct vu_avail *)fz_ram(l->avail);

	if (s->busy || (!out && !in))
		return;
	memcpy(buf, p, out);
	memset(buf + l->out_max, FZ_FILL, l->slot_size - l->out_max);
	memset(s->cmd, 0, sizeof(s->cmd));
	/* The control queue ignores a partial header, the cursor queue not */
	if (q == GPU_QUEUE_CURSOR || out >= HDR_SIZE)
		memcpy(s->cmd, p, MIN(out, sizeof(s->cmd)));
	s->out_len = out;
	s->in_len = in;
	s->busy = true;
	a->ring[r->avail_idx % l->size] = fz_chain(q, r->next, out, in, flags);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	a->idx = ++r->avail_idx;
	r->next = (r->next + 1) % l->nslots;
}

/* ---- checks of what the device answers ---- */

/**
 * fz_res_find() - A shadow resource
 * @fz:		Session
 * @id:		Resource id
 *
 * Return: its entry, or NULL
 */
static struct fz_res *fz_res_find(struct fz *fz, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < fz->nres; i++)
		if (fz->res[i].id == id)
			return &fz->res[i];
	return NULL;
}

/**
 * fz_shadow_clear() - The device forgot its resources
 * @fz:		Session
 */
static void fz_shadow_clear(struct fz *fz)
{
	fz->nres = 0;
	fz->shadow = true;
}

/**
 * fz_expect_id() - Check a response for a command naming a resource
 * @fz:		Session
 * @id:		The resource
 * @type:	Response
 *
 * Return: the shadow resource, NULL if it does not exist (the response
 * then must say so)
 */
static struct fz_res *fz_expect_id(struct fz *fz, uint32_t id, uint32_t type)
{
	struct fz_res *res = fz_res_find(fz, id);

	if (fz->shadow && !res)
		T(type == VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	if (res)
		T(type != VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	return res;
}

/**
 * fz_shadow_create() - RESOURCE_CREATE_2D answered
 * @fz:		Session
 * @id:		Resource id
 * @type:	Response
 */
static void fz_shadow_create(struct fz *fz, uint32_t id, uint32_t type)
{
	if (!id || fz_res_find(fz, id))
		T(type == VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	if (type != VIRTIO_GPU_RESP_OK_NODATA)
		return;
	if (fz->nres == FZ_NRES) {
		fz->shadow = false;
		return;
	}
	fz->res[fz->nres++] = (struct fz_res){ id, false };
}

/**
 * fz_shadow_backing() - ATTACH_BACKING or DETACH_BACKING answered
 * @fz:		Session
 * @id:		Resource id
 * @attach:	Attach (else detach)
 * @type:	Response
 */
static void fz_shadow_backing(struct fz *fz, uint32_t id, bool attach,
			      uint32_t type)
{
	struct fz_res *res = fz_expect_id(fz, id, type);

	if (!res)
		return;
	if (res->backed == attach)
		T(type == VIRTIO_GPU_RESP_ERR_UNSPEC);
	if (type == VIRTIO_GPU_RESP_OK_NODATA)
		res->backed = attach;
}

/**
 * fz_shadow_unref() - RESOURCE_UNREF answered
 * @fz:		Session
 * @id:		Resource id
 * @type:	Response
 */
static void fz_shadow_unref(struct fz *fz, uint32_t id, uint32_t type)
{
	struct fz_res *res = fz_expect_id(fz, id, type);

	if (!res)
		return;
	T(type == VIRTIO_GPU_RESP_OK_NODATA);
	*res = fz->res[--fz->nres];
}

/**
 * fz_shadow() - Check a bare response against the shadow, and update it
 * (while the shadow is exact)
 * @fz:		Session
 * @s:		The chain
 * @type:	Its response type
 */
static void fz_shadow(struct fz *fz, const struct fz_slot *s, uint32_t type)
{
	const struct virtio_gpu_ctrl_hdr *h = (const void *)s->cmd;
	const uint32_t *w = (const uint32_t *)(s->cmd + HDR_SIZE);
	struct fz_res *res;

	if (!fz->shadow)
		return;
	switch (h->type) {
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		fz_shadow_create(fz, w[0], type);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
		fz_shadow_unref(fz, w[0], type);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		fz_shadow_backing(fz, w[0], h->type ==
				  VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, type);
		break;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		res = fz_expect_id(fz, w[6], type);
		if (res && !res->backed)
			T(type == VIRTIO_GPU_RESP_ERR_UNSPEC);
		break;
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		if (w[4] >= fz->outputs)
			T(type == VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
		else if (w[5])
			fz_expect_id(fz, w[5], type);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		fz_expect_id(fz, w[4], type);
		break;
	}
}

/**
 * fz_cmd_size() - Fixed size of a 2D command
 * @type:	Command type
 *
 * Return: bytes, or 0 for a type the 2D device rejects
 */
static size_t fz_cmd_size(uint32_t type)
{
	switch (type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		return HDR_SIZE;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		return sizeof(struct virtio_gpu_resource_create_2d);
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		return sizeof(struct virtio_gpu_resource_unref);
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		return sizeof(struct virtio_gpu_set_scanout);
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		return sizeof(struct virtio_gpu_resource_flush);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		return sizeof(struct virtio_gpu_transfer_to_host_2d);
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return sizeof(struct virtio_gpu_resource_attach_backing);
	case VIRTIO_GPU_CMD_GET_EDID:
		return sizeof(struct virtio_gpu_get_edid);
	}
	return 0;
}

/**
 * fz_check_edid() - Check an EDID response
 * @fz:		Session
 * @e:		Response
 */
static void fz_check_edid(struct fz *fz, const struct virtio_gpu_resp_edid *e)
{
	uint8_t sum = 0;
	unsigned int i;

	T(e->size <= VIRTIO_GPU_EDID_MAX);
	if (e->size != 128 || fz->fe.fd >= 0)
		return;
	/* Our own EDID: the display's could be anything */
	for (i = 0; i < 128; i++)
		sum += e->edid[i];
	T(sum == 0 && e->edid[0] == 0 && e->edid[1] == 0xff);
}

/**
 * fz_check_info() - Check a display info response
 * @fz:		Session
 * @d:		Response
 */
static void fz_check_info(struct fz *fz,
			  const struct virtio_gpu_resp_display_info *d)
{
	unsigned int i;

	for (i = fz->outputs; i < VIRTIO_GPU_MAX_SCANOUTS; i++)
		T(!d->pmodes[i].enabled && !d->pmodes[i].r.width);
}

/**
 * fz_check_type() - Check a control response's type and length against
 * its command
 * @fz:		Session
 * @s:		The chain
 * @resp:	The response
 * @len:	Used length
 */
static void fz_check_type(struct fz *fz, const struct fz_slot *s,
			  const uint8_t *resp, uint32_t len)
{
	const struct virtio_gpu_ctrl_hdr *req = (const void *)s->cmd;
	const struct virtio_gpu_ctrl_hdr *h = (const void *)resp;
	size_t need = fz_cmd_size(req->type);
	bool fits = s->out_len >= HDR_SIZE && need && s->out_len >= need;

	switch (h->type) {
	case VIRTIO_GPU_RESP_OK_DISPLAY_INFO:
		T(len == sizeof(struct virtio_gpu_resp_display_info));
		T(req->type == VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
		fz_check_info(fz, (const void *)resp);
		break;
	case VIRTIO_GPU_RESP_OK_EDID:
		T(len == sizeof(struct virtio_gpu_resp_edid));
		T(req->type == VIRTIO_GPU_CMD_GET_EDID);
		fz_check_edid(fz, (const void *)resp);
		break;
	default:
		T(len == HDR_SIZE);
		T(h->type == VIRTIO_GPU_RESP_OK_NODATA ||
		  (h->type >= VIRTIO_GPU_RESP_ERR_UNSPEC &&
		   h->type <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER));
		T(h->type != VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
		if (!fits)
			T(h->type == VIRTIO_GPU_RESP_ERR_UNSPEC);
		if (fits)
			fz_shadow(fz, s, h->type);
	}
	if (fits && req->type == VIRTIO_GPU_CMD_GET_EDID &&
	    ((const uint32_t *)(s->cmd + HDR_SIZE))[0] >= fz->outputs)
		T(h->type == VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
}

/**
 * fz_check_hdr() - Check the rest of a response header: the fence echo
 * @req:	Request header
 * @h:		Response header
 */
static void fz_check_hdr(const struct virtio_gpu_ctrl_hdr *req,
			 const struct virtio_gpu_ctrl_hdr *h)
{
	if (!(req->flags & VIRTIO_GPU_FLAG_FENCE)) {
		T(h->flags == 0 && h->fence_id == 0);
		return;
	}
	T(h->flags & VIRTIO_GPU_FLAG_FENCE);
	T(h->fence_id == req->fence_id && h->ctx_id == req->ctx_id);
	if (req->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX)
		T(h->ring_idx == req->ring_idx);
}

/**
 * fz_shadow_lost() - A command's response was lost (no room for it): if
 * it may have changed resources, the shadow is no longer exact
 * @fz:		Session
 * @q:		Queue
 * @s:		The chain
 */
static void fz_shadow_lost(struct fz *fz, unsigned int q,
			   const struct fz_slot *s)
{
	uint32_t type = ((const struct virtio_gpu_ctrl_hdr *)s->cmd)->type;

	if (q == GPU_QUEUE_CTRL &&
	    (type == VIRTIO_GPU_CMD_RESOURCE_CREATE_2D ||
	     type == VIRTIO_GPU_CMD_RESOURCE_UNREF ||
	     type == VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING ||
	     type == VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING))
		fz->shadow = false;
}

/**
 * fz_check_used() - Check one used entry and free its slot
 * @fz:		Session
 * @q:		Queue
 * @id:		Head the device returned
 * @len:	Used length
 */
static void fz_check_used(struct fz *fz, unsigned int q, uint32_t id,
			  uint32_t len)
{
	const struct fz_layout *l = &fz_layouts[q];
	unsigned int slot = id / FZ_NDESC;
	struct fz_slot *s = &fz->ring[q].slot[slot % 64];
	const uint8_t *in;

	T(id % FZ_NDESC == 0 && slot < l->nslots && s->busy);
	in = fz_ram(l->slot_base + slot * l->slot_size + l->out_max);
	T(len <= s->in_len);
	T((len == 0) == (s->in_len < HDR_SIZE));
	T(!memcmp(in + len, fz_fill, s->in_len - len));
	s->busy = false;
	if (fz_trace)
		fprintf(stderr, "q%u: cmd 0x%x (%u bytes, %u for the response):"
			" %u bytes, type 0x%x\n", q, *(uint32_t *)s->cmd,
			s->out_len, s->in_len, len, len ? *(uint32_t *)in : 0);
	if (!len) {
		fz_shadow_lost(fz, q, s);
		return;
	}
	fz_check_hdr((const void *)s->cmd, (const void *)in);
	if (q == GPU_QUEUE_CURSOR)
		T(len == HDR_SIZE && ((const struct virtio_gpu_ctrl_hdr *)in)
		  ->type == VIRTIO_GPU_RESP_OK_NODATA);
	else
		fz_check_type(fz, s, in, len);
}

/**
 * fz_collect() - Check the used entries the device added
 * @fz:		Session
 * @q:		Queue
 */
static void fz_collect(struct fz *fz, unsigned int q)
{
	const struct fz_layout *l = &fz_layouts[q];
	struct fz_ring *r = &fz->ring[q];
	const struct vu_used *u = (const void *)fz_ram(l->used);
	uint16_t idx = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);

	T((uint16_t)(idx - r->used_idx) <=
	  (uint16_t)(r->avail_idx - r->used_idx));
	while (r->used_idx != idx) {
		const struct vu_used_elem *e = &u->ring[r->used_idx % l->size];

		fz_check_used(fz, q, e->id, e->len);
		r->used_idx++;
	}
}

/**
 * fz_invariants() - What must hold between any two steps
 * @fz:		Session
 */
static void fz_invariants(struct fz *fz)
{
	struct gpu *g = fz->g;

	T(g->hostmem <= g->opts.max_hostmem);
	if (!fz->shadow)
		return;
	T(g_hash_table_size(g->res) == fz->nres);
	if (!fz->nres)
		T(g->hostmem == 0);
}

/* ---- the display front-end ---- */

/**
 * fz_fe_close() - Close our end of the display socket
 * @fz:		Session
 */
static void fz_fe_close(struct fz *fz)
{
	struct fz_fe *fe = &fz->fe;

	if (fe->fd >= 0)
		close(fe->fd);
	fe->fd = -1;
	fe->hdr_len = 0;
	fe->pay_len = 0;
	fe->npend = 0;
	fe->offered = 0;
	fe->stalled = false;
	memset(fe->head_w, 0, sizeof(fe->head_w));
	memset(fe->head_h, 0, sizeof(fe->head_h));
}

/**
 * fz_fe_write() - Write bytes to the device, as much as it takes
 * @fz:		Session
 * @p:		Bytes
 * @n:		Their number
 */
static void fz_fe_write(struct fz *fz, const void *p, size_t n)
{
	if (fz->fe.fd >= 0 && n)
		(void)!send(fz->fe.fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/**
 * fz_fe_reply() - Send a reply
 * @fz:		Session
 * @request:	Request it answers
 * @p:		Payload
 * @n:		Its length
 */
static void fz_fe_reply(struct fz *fz, uint32_t request, const void *p,
			size_t n)
{
	uint8_t buf[VUG_HDR_SIZE + GPU_DISP_REPLY_MAX + 64];
	struct vug_hdr h = { request, VUG_FLAG_REPLY, (uint32_t)n };

	n = MIN(n, sizeof(buf) - VUG_HDR_SIZE);
	memcpy(buf, &h, VUG_HDR_SIZE);
	memcpy(buf + VUG_HDR_SIZE, p, n);
	fz_fe_write(fz, buf, VUG_HDR_SIZE + n);
}

/**
 * fz_fe_auto() - Answer the oldest request with a plausible reply
 * @fz:		Session
 */
static void fz_fe_auto(struct fz *fz)
{
	struct virtio_gpu_resp_display_info info = { 0 };
	struct virtio_gpu_resp_edid e = { .size = 128 };
	uint32_t req = fz->fe.pend[0];
	unsigned int i;

	if (req == VUG_GET_PROTOCOL_FEATURES) {
		fz_fe_reply(fz, req, &fz->fe.features, 8);
	} else if (req == VUG_GET_DISPLAY_INFO) {
		for (i = 0; i < fz->outputs; i++) {
			info.pmodes[i].r.width = 1024 + 64 * i;
			info.pmodes[i].r.height = 768;
			info.pmodes[i].enabled = i != 2;
		}
		fz_fe_reply(fz, req, &info, sizeof(info));
	} else {
		gpu_edid_build(e.edid, sizeof(e.edid), 1920, 1080, 7);
		fz_fe_reply(fz, req, &e, sizeof(e));
	}
}

/**
 * fz_fe_answer() - Answer the oldest request (and forget it)
 * @fz:		Session
 * @p:		Payload, or NULL for a plausible one
 * @n:		Its length
 */
static void fz_fe_answer(struct fz *fz, const uint8_t *p, size_t n)
{
	struct fz_fe *fe = &fz->fe;

	if (!fe->npend)
		return;
	if (fe->pend[0] == VUG_GET_PROTOCOL_FEATURES) {
		fe->offered = fe->features;
		if (p) {
			fe->offered = 0;
			memcpy(&fe->offered, p, MIN(n, sizeof(fe->offered)));
		}
	}
	if (p)
		fz_fe_reply(fz, fe->pend[0], p, n);
	else
		fz_fe_auto(fz);
	memmove(fe->pend, fe->pend + 1, --fe->npend * sizeof(fe->pend[0]));
}

/**
 * fz_fe_u32() - The first payload word of the message received
 * @fz:		Session
 *
 * Return: its value
 */
static uint32_t fz_fe_u32(const struct fz *fz)
{
	uint32_t v;

	memcpy(&v, fz->fe.pay, sizeof(v));
	return v;
}

/**
 * fz_fe_update() - Check an UPDATE: inside what its head's last SCANOUT
 * announced
 * @fz:		Session
 * @size:	Payload bytes
 */
static void fz_fe_update(struct fz *fz, uint32_t size)
{
	struct vug_update u;

	memcpy(&u, fz->fe.pay, sizeof(u));
	T(u.scanout_id < fz->outputs);
	T(u.width && u.height);
	T(u.x <= fz->fe.head_w[u.scanout_id] &&
	  u.width <= fz->fe.head_w[u.scanout_id] - u.x);
	T(u.y <= fz->fe.head_h[u.scanout_id] &&
	  u.height <= fz->fe.head_h[u.scanout_id] - u.y);
	T(size == sizeof(u) + (uint64_t)u.width * u.height * 4);
}

/**
 * fz_fe_scanout() - Check and follow a SCANOUT
 * @fz:		Session
 * @size:	Payload bytes
 */
static void fz_fe_scanout(struct fz *fz, uint32_t size)
{
	struct vug_scanout m;

	T(size == sizeof(m));
	memcpy(&m, fz->fe.pay, sizeof(m));
	T(m.scanout_id < fz->outputs);
	T(!m.width == !m.height);
	fz->fe.head_w[m.scanout_id] = m.width;
	fz->fe.head_h[m.scanout_id] = m.height;
}

/**
 * fz_fe_request() - A request that wants a reply: check, remember it
 * @fz:		Session
 * @request:	Request
 * @size:	Payload bytes
 */
static void fz_fe_request(struct fz *fz, uint32_t request, uint32_t size)
{
	struct fz_fe *fe = &fz->fe;

	if (request == VUG_GET_EDID) {
		T(size == 4 && fz_fe_u32(fz) < fz->outputs);
		T(fe->offered & (1ull << VUG_PF_EDID));
	} else {
		T(size == 0);
	}
	if (fe->npend < FZ_NPEND)
		fe->pend[fe->npend++] = request;
}

/**
 * fz_fe_message() - Check one whole message from the device
 * @fz:		Session
 */
static void fz_fe_message(struct fz *fz)
{
	struct fz_fe *fe = &fz->fe;
	uint32_t size = fe->hdr.size;
	uint64_t f;

	if (fz_trace)
		fprintf(stderr, "display: request %u, %u bytes\n",
			fe->hdr.request, size);
	T(fe->hdr.flags == 0);
	switch (fe->hdr.request) {
	case VUG_GET_PROTOCOL_FEATURES:
	case VUG_GET_DISPLAY_INFO:
	case VUG_GET_EDID:
		fz_fe_request(fz, fe->hdr.request, size);
		break;
	case VUG_SET_PROTOCOL_FEATURES:
		T(size == 8);
		memcpy(&f, fe->pay, 8);
		T(!(f & ~fe->offered) && !(f & ~3ull));
		break;
	case VUG_CURSOR_POS:
	case VUG_CURSOR_POS_HIDE:
		T(size == sizeof(struct vug_cursor_pos));
		T(fz_fe_u32(fz) < fz->outputs);
		break;
	case VUG_CURSOR_UPDATE:
		T(size == sizeof(struct vug_cursor_update));
		T(fz_fe_u32(fz) < fz->outputs);
		break;
	case VUG_SCANOUT:
		fz_fe_scanout(fz, size);
		break;
	case VUG_UPDATE:
		T(size >= sizeof(struct vug_update));
		fz_fe_update(fz, size);
		break;
	default:
		T(0);	/* no dmabufs without virgl, nothing unknown */
	}
}

/**
 * fz_fe_feed() - Take bytes from the device's stream
 * @fz:		Session
 * @p:		Bytes
 * @n:		Their number
 */
static void fz_fe_feed(struct fz *fz, const uint8_t *p, size_t n)
{
	struct fz_fe *fe = &fz->fe;

	while (n) {
		size_t k;

		if (fe->hdr_len < VUG_HDR_SIZE) {
			k = MIN(n, VUG_HDR_SIZE - fe->hdr_len);
			memcpy((uint8_t *)&fe->hdr + fe->hdr_len, p, k);
			fe->hdr_len += k;
		} else {
			k = (size_t)MIN(n, fe->hdr.size - fe->pay_len);
			if (fe->pay_len < sizeof(fe->pay))
				memcpy(fe->pay + fe->pay_len, p,
				       MIN(k, sizeof(fe->pay) - fe->pay_len));
			fe->pay_len += k;
		}
		p += k;
		n -= k;
		if (fe->hdr_len == VUG_HDR_SIZE &&
		    fe->pay_len == fe->hdr.size) {
			fz_fe_message(fz);
			fe->hdr_len = 0;
			fe->pay_len = 0;
		}
	}
}

/**
 * fz_fe_pump() - Read what the device sent, answer if we answer at once
 * @fz:		Session
 *
 * Return: true if anything happened
 */
static bool fz_fe_pump(struct fz *fz)
{
	static uint8_t buf[1 << 16];
	struct fz_fe *fe = &fz->fe;
	bool moved = false;
	ssize_t n;

	while (fe->fd >= 0 && !fe->stalled) {
		n = recv(fe->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		moved = true;
		if (n <= 0) {
			fz_fe_close(fz);	/* the device closed it */
			break;
		}
		fz_fe_feed(fz, buf, (size_t)n);
	}
	while (fe->fd >= 0 && fe->autoreply && fe->npend) {
		fz_fe_answer(fz, NULL, 0);
		moved = true;
	}
	return moved;
}

/**
 * fz_fe_open() - GPU_SET_SOCKET with a fresh socket pair (or, for
 * @bogus, an fd that is no socket)
 * @fz:		Session
 * @bogus:	Pass an eventfd
 * @small:	Shrink the device's send buffer afterwards, as when the
 *		daemon may not force a large one (not root): writes then
 *		block early
 */
static void fz_fe_open(struct fz *fz, bool bogus, bool small)
{
	int sp[2], sz = FZ_SNDBUF;

	if (bogus) {
		sp[1] = eventfd(0, EFD_CLOEXEC);
	} else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		return;
	}
	if (sp[1] < 0)
		return;
	fz_fe_close(fz);
	if (!bogus)
		fz->fe.fd = sp[0];
	fz_dispatch(fz, VU_GPU_SET_SOCKET, NULL, 0, &sp[1], 1, NULL);
	/* The device kept sp[1] (or closed it: then this fails) */
	if (small && !bogus && fz->g->disp.fd == sp[1])
		setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

/**
 * fz_display() - A display operation
 * @fz:		Session
 * @op:		0 new socket (bit 3: with a small send buffer), 1 answer
 *		the oldest request with the bytes, 2 write the bytes raw,
 *		3 close our end, 4 toggle answering at once, 5 pass an fd
 *		that is no socket, 6 toggle reading, 7 shut our end down
 *		for writing
 * @p:		Bytes
 * @n:		Their number
 */
static void fz_display(struct fz *fz, uint8_t op, const uint8_t *p, size_t n)
{
	struct fz_fe *fe = &fz->fe;

	switch (op & 7) {
	case 0:
	case 5:
		fz_fe_open(fz, (op & 7) == 5, op & 8);
		break;
	case 1:
		fz_fe_answer(fz, p, n);
		break;
	case 2:
		fz_fe_write(fz, p, n);
		break;
	case 3:
		fz_fe_close(fz);
		break;
	case 4:
		fe->autoreply = !fe->autoreply;
		break;
	case 6:
		fe->stalled = !fe->stalled;
		break;
	case 7:
		if (fe->fd >= 0)
			shutdown(fe->fd, SHUT_WR);
		break;
	}
}

/* ---- the scheduler ---- */

/**
 * fz_run_queue() - Run a queue the way the loop's idle source would
 * @fz:		Session
 * @q:		Queue
 */
static void fz_run_queue(struct fz *fz, unsigned int q)
{
	struct vu_queue *vq = vu_dev_queue(fz->dev, q);

	if (vq->started && vq->enabled && !vq->broken)
		fz->dev->device->queue_kicked(fz->dev, vq);
}

/**
 * fz_watches() - Call the watches whose fds are ready
 * @fz:		Session
 *
 * Return: true if any was called
 */
static bool fz_watches(struct fz *fz)
{
	bool moved = false;
	unsigned int i;

	for (i = 0; i < FZ_NWATCH; i++) {
		struct fz_watch *w = &fz->watch[i];
		struct pollfd p = { .fd = w->fd,
				    .events = w->out ? POLLOUT : POLLIN };

		if (!w->on || poll(&p, 1, 0) <= 0 || (p.revents & POLLNVAL))
			continue;
		w->fn(fz->dev, vu_dev_queue(fz->dev, GPU_QUEUE_CTRL), w->data);
		moved = true;
	}
	return moved;
}

/**
 * fz_settle() - Run kicks, the display and fd watches until nothing moves
 * @fz:		Session
 */
static void fz_settle(struct fz *fz)
{
	unsigned int round, q;
	bool moved = true;

	for (round = 0; moved && round < FZ_SETTLE; round++) {
		moved = false;
		for (q = 0; q < GPU_NUM_QUEUES; q++) {
			if (!fz->kick[q])
				continue;
			fz->kick[q] = false;
			fz_run_queue(fz, q);
			moved = true;
		}
		for (q = 0; q < GPU_NUM_QUEUES; q++)
			fz_collect(fz, q);
		moved |= fz_fe_pump(fz);
		moved |= fz_watches(fz);
		fz_invariants(fz);
	}
}

/* ---- records ---- */

/**
 * fz_poke() - Write bytes into guest RAM above the rings and chains
 * @fz:		Session
 * @p:		u32 offset, then the bytes
 * @n:		Their number
 */
static void fz_poke(struct fz *fz, const uint8_t *p, size_t n)
{
	uint32_t off;

	if (n < 4)
		return;
	memcpy(&off, p, 4);
	off = FZ_POKE_BASE + off % (FZ_RAM - FZ_POKE_BASE);
	n = MIN(n - 4, FZ_RAM - off);
	memcpy(fz_ram(off), p + 4, n);
	fz->dirty_lo = MIN(fz->dirty_lo, off);
	fz->dirty_hi = MAX(fz->dirty_hi, off + n);
}

/**
 * fz_config() - SET_CONFIG with the bytes, then GET_CONFIG, checked
 * @fz:		Session
 * @off:	Offset written (beyond 16 is refused)
 * @p:		Bytes
 * @n:		Their number
 */
static void fz_config(struct fz *fz, uint8_t off, const uint8_t *p, size_t n)
{
	struct vu_config c = { .offset = off & 31,
			       .size = (uint32_t)MIN(n, 16) };
	uint32_t v[4];

	memcpy(c.data, p, c.size);
	fz_dispatch(fz, VU_SET_CONFIG, &c, VU_CONFIG_HDR_SIZE + c.size, NULL,
		    0, NULL);
	c = (struct vu_config){ .offset = 0, .size = 16 };
	fz_dispatch(fz, VU_GET_CONFIG, &c, VU_CONFIG_HDR_SIZE + 16, NULL, 0,
		    &c);
	T(c.size == 16);
	memcpy(v, c.data, sizeof(v));
	T(!(v[0] & ~VIRTIO_GPU_EVENT_DISPLAY) && v[1] == 0);
	T(v[2] == fz->outputs && v[3] == 0);
}

/**
 * fz_restart() - Reset the device, or restart its queues
 * @fz:		Session
 * @op:		0 RESET_DEVICE, 1 a new driver (rings from index 0),
 *		2 drain the control queue (as before a memory change),
 *		3 stop and restart the rings where they were (GET_VRING_BASE)
 */
static void fz_restart(struct fz *fz, uint8_t op)
{
	struct vu_vring_state st = { 0 };
	bool used = fz->g->ctrl_used;
	unsigned int q;

	switch (op & 3) {
	case 0:
		fz_dispatch(fz, VU_RESET_DEVICE, NULL, 0, NULL, 0, NULL);
		fz_shadow_clear(fz);
		break;
	case 1:
		for (q = 0; q < GPU_NUM_QUEUES; q++)
			vu_dev_stop_queue(fz->dev, vu_dev_queue(fz->dev, q));
		if (used)
			fz_shadow_clear(fz);
		break;
	case 2:
		fz->dev->device->queue_drain(fz->dev,
					     vu_dev_queue(fz->dev, 0));
		return;
	case 3:
		for (q = 0; q < GPU_NUM_QUEUES; q++) {
			struct vu_queue *vq = vu_dev_queue(fz->dev, q);

			st.index = q;
			fz_dispatch(fz, VU_GET_VRING_BASE, &st, sizeof(st),
				    NULL, 0, NULL);
			fz_collect(fz, q);
			fz_queue_go(fz, vq);
		}
		return;
	}
	for (q = 0; q < GPU_NUM_QUEUES; q++) {
		fz_collect(fz, q);
		fz_ring_start(fz, q);
	}
}

/**
 * fz_record() - Carry out one record
 * @fz:		Session
 * @kind:	Record kind (see the file comment)
 * @flags:	Its flags
 * @p:		Its bytes
 * @n:		Their number
 */
static void fz_record(struct fz *fz, uint8_t kind, uint8_t flags,
		      const uint8_t *p, size_t n)
{
	switch (kind & 7) {
	case 0:
	case 1:
		fz_post(fz, kind & 1, flags, p, n);
		fz->kick[kind & 1] |= !(kind & 0x80);
		break;
	case 2:
		fz_display(fz, flags, p, n);
		break;
	case 3:
		fz_poke(fz, p, n);
		break;
	case 4:
		fz_mem_layout(fz, flags & 3);
		break;
	case 5:
		fz_config(fz, flags, p, n);
		break;
	case 6:
		fz_restart(fz, flags);
		break;
	case 7:
		fz->kick[0] = fz->kick[1] = true;
		break;
	}
	if (!(kind & 0x80))
		fz_settle(fz);
	fz_collect(fz, GPU_QUEUE_CTRL);
	fz_collect(fz, GPU_QUEUE_CURSOR);
}

/* ---- one input ---- */

/**
 * fz_device() - The device model and the core instance, connected
 * @fz:		Session to fill
 * @cfg:	Configuration byte
 */
static void fz_device(struct fz *fz, uint8_t cfg)
{
	const uint32_t *sz = fz_sizes[cfg >> 5];
	struct gpu_opts o = { .outputs = 1 + (cfg & 3),
			      .max_hostmem = FZ_HOSTMEM };
	struct vu_dev_hooks hooks = {
		.kick = fz_hook_kick, .watch_fd = fz_hook_watch,
		.unwatch_fd = fz_hook_unwatch, .opaque = fz,
	};
	unsigned int i;
	int sp[2];

	for (i = 0; i < o.outputs; i++) {
		o.width[i] = sz[0];
		o.height[i] = sz[1];
	}
	fz->outputs = o.outputs;
	fz->g = gpu_new(&o, NULL);
	if (!fz->g || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		abort();
	fz->dev = vu_dev_new(&fz->g->device, fz->g);
	vu_dev_set_hooks(fz->dev, &hooks);
	vu_dev_attach(fz->dev, sp[0]);
	fz->conn = sp[1];
	fz->dev->owner = true;
	fz->dev->features = (1ull << VU_F_VERSION_1) |
			    (1ull << VIRTIO_GPU_F_EDID);
	if (cfg & 0x10)
		fz->dev->features |= 1ull << VU_F_RING_EVENT_IDX;
	fz->dev->features_set = true;
	fz->dev->proto = fz->dev->offered_proto;
}

/**
 * fz_begin() - Start a session: device, memory, rings, display
 * @fz:		Session
 * @cfg:	Configuration byte
 * @feat:	Display features byte
 */
static void fz_begin(struct fz *fz, uint8_t cfg, uint8_t feat)
{
	unsigned int q;

	memset(fz, 0, sizeof(*fz));
	fz->fe.fd = -1;
	fz->shadow = true;
	fz->dirty_lo = FZ_RAM;
	fz_device(fz, cfg);
	fz_mem_table(fz);
	for (q = 0; q < GPU_NUM_QUEUES; q++)
		fz_ring_start(fz, q);
	fz->fe.features = feat | ((feat & 0x80) ? ~0xffull : 0);
	fz->fe.autoreply = cfg & 8;
	if (cfg & 4)
		fz_fe_open(fz, false, feat & 0x40);
	fz_settle(fz);
}

/**
 * fz_end() - Free everything of a session
 * @fz:		Session
 */
static void fz_end(struct fz *fz)
{
	fz_settle(fz);
	vu_dev_free(fz->dev);	/* disconnects: resets the device */
	gpu_free(fz->g);
	fz_fe_close(fz);
	close(fz->conn);
	if (fz->dirty_lo < fz->dirty_hi)
		memset(fz_ram(fz->dirty_lo), 0, fz->dirty_hi - fz->dirty_lo);
}

/**
 * LLVMFuzzerTestOneInput() - libFuzzer entry point
 * @data:	Input
 * @size:	Its length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz fz;
	static bool ready;
	size_t off = 2;

	if (!ready) {
		fz_trace = getenv("FUZZ_GPU_TRACE") != NULL;
		memset(fz_fill, FZ_FILL, sizeof(fz_fill));
		if (!fz_trace)
			g_log_set_default_handler(fz_quiet, NULL);
		guest_init(&fz_guest, FZ_RAM);
		ready = true;
	}
	if (size < 2)
		return 0;
	fz_begin(&fz, data[0], data[1]);
	while (off + 4 <= size) {
		size_t n = MIN(fz_rd16(data + off + 2), size - off - 4);

		fz_record(&fz, data[off], data[off + 1], data + off + 4, n);
		off += 4 + n;
	}
	fz_end(&fz);
	return 0;
}
