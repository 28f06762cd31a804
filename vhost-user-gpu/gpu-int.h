/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gpu-int.h - vhost-user-gpu's internals: the device instance, its
 * resources and heads, the request being served, and the display channel.
 *
 * Threads: the protocol runs on the main thread; both queues, the display
 * socket's watches and virglrenderer run on one worker (the core's worker
 * 0), which owns every field below unless a comment says otherwise. The
 * main thread touches them only with the worker paused (GPU_SET_SOCKET,
 * memory changes, reset) or under the worker's lock (queue_stopped).
 */
#ifndef GPU_INT_H
#define GPU_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <glib.h>

#include "gpu-proto.h"
#include "vu-device.h"

#define GPU_NUM_QUEUES		2
#define GPU_QUEUE_CTRL		0
#define GPU_QUEUE_CURSOR	1
#define GPU_CFG_SIZE		16
#define GPU_IOV_MAX		1024	/* buffers of one chain */
#define GPU_MAX_ENTRIES		16384	/* backing entries of a resource */
#define GPU_MAX_DIM		16384	/* widest and tallest resource */
#define GPU_RES_OVERHEAD	256	/* bytes counted per resource */
#define GPU_CMD_MAX		256	/* longest fixed part of a command */
#define GPU_DISP_REPLY_MAX	2048	/* longest display reply accepted */
#define GPU_UPDATE_MAX		(64u << 20)	/* bytes of pixels in one UPDATE */
#define GPU_DISP_REPLY_MS	5000	/* longest wait for a display reply */

/**
 * struct gpu_opts - the device options (checked by main.c)
 * @virgl:	--virgl
 * @render_node: --render-node, or NULL
 * @outputs:	--outputs
 * @width:	Preferred width of each head
 * @height:	Preferred height of each head
 * @max_hostmem: --max-hostmem in bytes
 */
struct gpu_opts {
	bool virgl;
	const char *render_node;
	unsigned int outputs;
	uint32_t width[VIRTIO_GPU_MAX_SCANOUTS];
	uint32_t height[VIRTIO_GPU_MAX_SCANOUTS];
	uint64_t max_hostmem;
};

/**
 * struct gpu_backing - guest pages behind a resource
 * @ents:	Entries as the guest gave them (guest physical)
 * @nents:	Number of @ents
 * @iov:	The entries translated to our mapping (a guest entry that
 *		spans memory regions takes several)
 * @niov:	Number of @iov
 * @len:	Total bytes
 * @cost:	Bytes of @ents and @iov counted against --max-hostmem
 * @valid:	@iov matches the current memory table
 */
struct gpu_backing {
	struct virtio_gpu_mem_entry *ents;
	unsigned int nents;
	struct iovec *iov;
	unsigned int niov;
	uint64_t len;
	uint64_t cost;
	bool valid;
};

/**
 * struct gpu_res - a resource
 * @id:		Resource id
 * @format:	enum virtio_gpu_formats (2D) or Gallium format (3D)
 * @width:	Width in pixels
 * @height:	Height in pixels
 * @stride:	Bytes per row of @data
 * @data:	Host copy of a 2D resource (NULL for 3D)
 * @is_3d:	Created with RESOURCE_CREATE_3D (virglrenderer owns it)
 * @back:	Backing, @back.ents NULL if none
 * @hostmem:	Bytes counted against --max-hostmem (backing apart)
 * @scanouts:	Bit mask of the heads showing it
 */
struct gpu_res {
	uint32_t id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint8_t *data;
	bool is_3d;
	struct gpu_backing back;
	uint64_t hostmem;
	uint32_t scanouts;
};

/**
 * struct gpu_scanout - one head
 * @res_id:	Resource shown, 0 if disabled
 * @r:		Part of the resource shown
 * @width:	Preferred width (options, or the front-end's last answer)
 * @height:	Preferred height
 * @enabled:	The front-end (or the options) enable the head
 */
struct gpu_scanout {
	uint32_t res_id;
	struct virtio_gpu_rect r;
	uint32_t width;
	uint32_t height;
	bool enabled;
};

/**
 * enum gpu_wait - what a parked control request waits for
 * @GPU_WAIT_NONE:	Nothing (not parked)
 * @GPU_WAIT_DISPLAY_INFO: The front-end's GET_DISPLAY_INFO reply
 * @GPU_WAIT_EDID:	The front-end's GET_EDID reply
 * @GPU_WAIT_DMABUF:	The front-end's DMABUF_UPDATE acknowledgement
 * @GPU_WAIT_FENCE:	virglrenderer retiring the request's fence
 */
enum gpu_wait {
	GPU_WAIT_NONE,
	GPU_WAIT_DISPLAY_INFO,
	GPU_WAIT_EDID,
	GPU_WAIT_DMABUF,
	GPU_WAIT_FENCE,
};

/**
 * struct gpu_req - one control or cursor request
 * @elem:	The chain
 * @iov:	Its buffers
 * @hdr:	The request header (copied)
 * @cmd:	The fixed part of the command (header included), zero-padded
 * @cmd_len:	Bytes of @cmd the guest supplied
 * @out_len:	Total device-readable bytes
 * @in_len:	Total device-writable bytes
 * @wait:	What it waits for once parked
 * @scanout:	Head a parked GET_EDID asked about
 * @fence_seq:	Renderer fence number of a request parked on a fence
 * @resp_type:	Response type it gets when the fence retires
 */
struct gpu_req {
	struct vu_elem elem;
	struct iovec iov[GPU_IOV_MAX];
	struct virtio_gpu_ctrl_hdr hdr;
	uint8_t cmd[GPU_CMD_MAX];
	size_t cmd_len;
	uint64_t out_len;
	uint64_t in_len;
	enum gpu_wait wait;
	uint32_t scanout;
	uint32_t fence_seq;
	uint32_t resp_type;
};

/**
 * struct gpu_out - a display message waiting to be written
 * @iov:	Header, payload and data still to send
 * @niov:	Entries of @iov in use
 * @first:	Index of the first entry not yet sent whole
 * @buf:	The header and fixed payload
 * @owned:	Data copied for this message (freed with it), or NULL
 * @fd:		fd to pass with the first byte (-1: none), owned
 */
struct gpu_out {
	struct iovec iov[3];
	unsigned int niov;
	unsigned int first;
	uint8_t buf[VUG_HDR_SIZE + 64];
	void *owned;
	int fd;
};

/**
 * enum gpu_expect - replies the display channel waits for, in order
 * @GPU_EXP_FEATURES:	GET_PROTOCOL_FEATURES
 * @GPU_EXP_DISPLAY_INFO: GET_DISPLAY_INFO
 * @GPU_EXP_EDID:	GET_EDID
 * @GPU_EXP_DMABUF:	DMABUF_UPDATE
 */
enum gpu_expect {
	GPU_EXP_FEATURES = 1,
	GPU_EXP_DISPLAY_INFO,
	GPU_EXP_EDID,
	GPU_EXP_DMABUF,
};

/**
 * struct gpu_disp - the display channel (GPU_SET_SOCKET)
 * @fd:		Socket, -1 if none
 * @rwatch:	Read watch on the worker
 * @wwatch:	Write watch while @out is not empty
 * @out:	struct gpu_out queued
 * @expect:	enum gpu_expect (as pointers) of the requests sent
 * @in:		Bytes received, not yet a whole message
 * @in_len:	Bytes in @in
 * @features:	Protocol features both sides know
 * @handshake:	GET_PROTOCOL_FEATURES or the first GET_DISPLAY_INFO is
 *		unanswered: the queues wait
 * @info:	The front-end's last display info
 * @info_valid:	@info is set
 * @failed_logged: A failure was logged (one line per socket)
 * @timer_fd:	One-shot timer: the oldest request waits for its reply at
 *		most GPU_DISP_REPLY_MS
 * @twatch:	Its watch while a socket is set
 */
struct gpu_disp {
	int fd;
	void *rwatch;
	void *wwatch;
	GQueue out;
	GQueue expect;
	uint8_t in[VUG_HDR_SIZE + GPU_DISP_REPLY_MAX];
	size_t in_len;
	uint64_t features;
	bool handshake;
	struct virtio_gpu_resp_display_info info;
	bool info_valid;
	bool failed_logged;
	int timer_fd;
	void *twatch;
};

struct gpu_virgl;

/**
 * struct gpu - the device instance (one per process)
 * @device:	What the core serves
 * @dev:	The core's instance, known from the first callback
 * @opts:	Options
 * @res:	Resources by id (struct gpu_res)
 * @hostmem:	Bytes counted against @opts.max_hostmem
 * @scanout:	Heads
 * @disp:	Display channel
 * @req:	The control request being served
 * @parked:	A control request waiting (@parked->wait), or NULL; the
 *		control queue takes no other request meanwhile
 * @fenced:	Requests waiting for their fence (virgl), oldest first
 * @creq:	The cursor request being served
 * @events_read: Config events_read (atomic: the main thread reads it)
 * @info_seen:	Display info the guest last got, to detect changes
 * @info_seen_valid: @info_seen is set
 * @ctrl_used:	The control queue has served a request since the last reset
 * @logged:	Bit mask of one-time warnings already given
 * @virgl:	virglrenderer state, or NULL without --virgl
 */
struct gpu {
	struct vu_device device;
	struct vu_dev *dev;
	struct gpu_opts opts;
	GHashTable *res;
	uint64_t hostmem;
	struct gpu_scanout scanout[VIRTIO_GPU_MAX_SCANOUTS];
	struct gpu_disp disp;
	struct gpu_req req;
	struct gpu_req *parked;
	GQueue fenced;
	struct gpu_req creq;
	gint events_read;
	struct virtio_gpu_resp_display_info info_seen;
	bool info_seen_valid;
	bool ctrl_used;
	uint32_t logged;
	struct gpu_virgl *virgl;
};

/* One-time warnings (struct gpu.logged) */
#define GPU_LOG_SHORT_CHAIN	(1u << 0)
#define GPU_LOG_BAD_CMD		(1u << 1)
#define GPU_LOG_CURSOR		(1u << 2)
#define GPU_LOG_DISPLAY		(1u << 3)
#define GPU_LOG_BACKING		(1u << 4)
#define GPU_LOG_VIRGL		(1u << 5)

/**
 * gpu_debug_on() - Whether debug messages are shown (--verbose)
 *
 * Return: true if so; checked before formatting one on a hot path
 */
static inline bool gpu_debug_on(void)
{
#if GLIB_CHECK_VERSION(2, 72, 0)
	return g_log_get_debug_enabled();
#else
	return true;
#endif
}

/* gpu-dev.c */
struct gpu *gpu_new(const struct gpu_opts *o, GError **err);
void gpu_free(struct gpu *g);
void gpu_warn_once(struct gpu *g, uint32_t what, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
void gpu_reset_state(struct gpu *g);

/* gpu-ctrl.c */
void gpu_ctrl_run(struct gpu *g, struct vu_queue *vq);
void gpu_req_respond(struct gpu *g, struct vu_queue *vq, struct gpu_req *r,
		     void *resp, size_t len);
void gpu_req_respond_type(struct gpu *g, struct vu_queue *vq,
			  struct gpu_req *r, uint32_t type);
struct gpu_req *gpu_req_park(struct gpu *g, struct gpu_req *r,
			     enum gpu_wait wait);
void gpu_ctrl_flush_parked(struct gpu *g);
size_t gpu_req_data(const struct gpu_req *r, uint64_t off, void *buf,
		    size_t len);

/* gpu-res.c */
struct gpu_res *gpu_res_find(struct gpu *g, uint32_t id);
bool gpu_hostmem_take(struct gpu *g, uint64_t bytes);
void gpu_hostmem_give(struct gpu *g, uint64_t bytes);
void gpu_res_destroy(struct gpu *g, struct gpu_res *res);
void gpu_res_clear(struct gpu *g);
uint32_t gpu_backing_attach(struct gpu *g, struct gpu_res *res,
			    const struct gpu_req *r, uint32_t nr_entries);
void gpu_backing_detach(struct gpu *g, struct gpu_res *res);
bool gpu_backing_map(struct gpu *g, struct gpu_backing *b);
void gpu_res_mem_changed(struct gpu *g);
bool gpu_rect_inside(const struct virtio_gpu_rect *r, uint32_t width,
		     uint32_t height);

/* gpu-2d.c */
uint32_t gpu_cmd_create_2d(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_unref(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_attach_backing(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_detach_backing(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_transfer_2d(struct gpu *g, struct gpu_req *r);

/* gpu-scanout.c */
uint32_t gpu_cmd_set_scanout(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_flush(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_display_info(struct gpu *g, struct gpu_req *r);
uint32_t gpu_cmd_get_edid(struct gpu *g, struct gpu_req *r);
void gpu_fill_display_info(struct gpu *g,
			   struct virtio_gpu_resp_display_info *info);
void gpu_fill_edid(struct gpu *g, uint32_t scanout,
		   struct virtio_gpu_resp_edid *resp);
void gpu_scanout_detach(struct gpu *g, struct gpu_res *res);
void gpu_display_info_arrived(struct gpu *g,
			      const struct virtio_gpu_resp_display_info *info);
void gpu_scanout_replay(struct gpu *g);
void gpu_update_scanout(struct gpu *g, unsigned int id, struct gpu_res *res,
			const struct virtio_gpu_rect *r);

/* gpu-cursor.c */
void gpu_cursor_run(struct gpu *g, struct vu_queue *vq);

/**
 * enum gpu_data - who owns the bulk data of a display message
 * @GPU_DATA_COPY:	The caller: it is copied
 * @GPU_DATA_BORROW:	The caller, and it stays valid until the queue drains
 * @GPU_DATA_GIVE:	The message from now on (g_malloc'ed)
 */
enum gpu_data {
	GPU_DATA_COPY,
	GPU_DATA_BORROW,
	GPU_DATA_GIVE,
};

/* gpu-display.c */
void gpu_disp_set_socket(struct gpu *g, int fd);
void gpu_disp_close(struct gpu *g);
void gpu_disp_free(struct gpu *g);
void gpu_disp_unborrow(struct gpu *g);
bool gpu_disp_active(const struct gpu *g);
bool gpu_disp_busy(const struct gpu *g);
bool gpu_disp_has(const struct gpu *g, unsigned int feature);
void gpu_disp_send(struct gpu *g, uint32_t request, const void *payload,
		   uint32_t plen, const void *data, size_t dlen,
		   enum gpu_data how, int fd);
void gpu_disp_request(struct gpu *g, uint32_t request, const void *payload,
		      uint32_t plen, enum gpu_expect expect);
void gpu_disp_kick_queues(struct gpu *g);

/* gpu-edid.c */
size_t gpu_edid_build(uint8_t *out, size_t max, uint32_t width,
		      uint32_t height, unsigned int head);

/* gpu-pixel.c */
bool gpu_format_known(uint32_t format);
bool gpu_format_is_xrgb(uint32_t format);
void gpu_pixels_to_xrgb(uint32_t format, const uint8_t *src, uint32_t *dst,
			uint32_t n);
void gpu_pixels_to_argb(uint32_t format, const uint8_t *src, uint32_t *dst,
			uint32_t n);

/* The --virgl check runs this program again with this set (the node) */
#define GPU_PROBE_ENV		"VU_GPU_VIRGL_PROBE"

/* gpu-virgl.c (stubs without virglrenderer) */
void gpu_virgl_features(GPtrArray *out);
int gpu_virgl_probe_main(void);
bool gpu_virgl_start(struct gpu *g, GError **err);
void gpu_virgl_stop(struct gpu *g);
bool gpu_virgl_dispatch(struct gpu *g, struct vu_queue *vq, struct gpu_req *r,
			uint32_t *resp);
void gpu_virgl_reset(struct gpu *g);
void gpu_virgl_unref(struct gpu *g, struct gpu_res *res);
bool gpu_virgl_read(struct gpu *g, struct gpu_res *res,
		    const struct virtio_gpu_rect *r, uint32_t *dst);
bool gpu_virgl_scanout(struct gpu *g, unsigned int id, struct gpu_res *res,
		       const struct virtio_gpu_rect *r);
bool gpu_virgl_flush(struct gpu *g, unsigned int id, struct gpu_res *res,
		     const struct virtio_gpu_rect *r, struct gpu_req *req);
void gpu_virgl_attach(struct gpu *g, struct gpu_res *res);
void gpu_virgl_detach(struct gpu *g, struct gpu_res *res);
void gpu_virgl_fence_wait(struct gpu *g, int timeout_ms);
bool gpu_virgl_fence(struct gpu *g, struct gpu_req *r, uint32_t resp);
unsigned int gpu_virgl_num_capsets(const struct gpu *g);

#endif /* GPU_INT_H */
