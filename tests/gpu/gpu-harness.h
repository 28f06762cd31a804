/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gpu-harness.h - running a virtio-gpu vhost-user back-end under a test and
 * playing QEMU's two parts: libvuf drives the device (control and cursor
 * queues, guest memory) and a display thread answers the vhost-user-gpu
 * display protocol on the socket handed over with GPU_SET_SOCKET.
 *
 * The virtio-gpu and display definitions below are written from the virtio
 * 1.2 specification (5.7) and QEMU's docs/interop/vhost-user-gpu.rst; they
 * share nothing with the daemon under test.
 */
#ifndef GPU_HARNESS_H
#define GPU_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "vuf.h"

/* Virtio feature bits of the device (5.7.3) */
#define VG_F_VIRGL		0
#define VG_F_EDID		1

/**
 * enum vg_cmd - command and response types (virtio 1.2, 5.7.6.7)
 */
enum vg_cmd {
	VG_CMD_GET_DISPLAY_INFO = 0x0100,
	VG_CMD_RESOURCE_CREATE_2D,
	VG_CMD_RESOURCE_UNREF,
	VG_CMD_SET_SCANOUT,
	VG_CMD_RESOURCE_FLUSH,
	VG_CMD_TRANSFER_TO_HOST_2D,
	VG_CMD_RESOURCE_ATTACH_BACKING,
	VG_CMD_RESOURCE_DETACH_BACKING,
	VG_CMD_GET_CAPSET_INFO,
	VG_CMD_GET_CAPSET,
	VG_CMD_GET_EDID,
	VG_CMD_CTX_CREATE = 0x0200,
	VG_CMD_CTX_DESTROY,
	VG_CMD_CTX_ATTACH_RESOURCE,
	VG_CMD_CTX_DETACH_RESOURCE,
	VG_CMD_RESOURCE_CREATE_3D,
	VG_CMD_TRANSFER_TO_HOST_3D,
	VG_CMD_TRANSFER_FROM_HOST_3D,
	VG_CMD_SUBMIT_3D,
	VG_CMD_UPDATE_CURSOR = 0x0300,
	VG_CMD_MOVE_CURSOR,
	VG_RESP_OK_NODATA = 0x1100,
	VG_RESP_OK_DISPLAY_INFO,
	VG_RESP_OK_CAPSET_INFO,
	VG_RESP_OK_CAPSET,
	VG_RESP_OK_EDID,
	VG_RESP_ERR_UNSPEC = 0x1200,
	VG_RESP_ERR_OUT_OF_MEMORY,
	VG_RESP_ERR_INVALID_SCANOUT_ID,
	VG_RESP_ERR_INVALID_RESOURCE_ID,
	VG_RESP_ERR_INVALID_CONTEXT_ID,
	VG_RESP_ERR_INVALID_PARAMETER,
};

#define VG_FLAG_FENCE		1u

/**
 * enum vg_format - 2D resource formats (5.7.6.8); the name gives the byte
 * order in memory
 */
enum vg_format {
	VG_FMT_B8G8R8A8 = 1,
	VG_FMT_B8G8R8X8 = 2,
	VG_FMT_A8R8G8B8 = 3,
	VG_FMT_X8R8G8B8 = 4,
	VG_FMT_R8G8B8A8 = 67,
	VG_FMT_X8B8G8R8 = 68,
	VG_FMT_A8B8G8R8 = 121,
	VG_FMT_R8G8B8X8 = 134,
};

#define VG_MAX_SCANOUTS		16u
#define VG_EDID_MAX		1024u
#define VG_CURSOR_DIM		64u
#define VG_QUEUE_CTRL		0
#define VG_QUEUE_CURSOR		1
#define VG_CONFIG_SIZE		16u

/**
 * struct vg_hdr - virtio_gpu_ctrl_hdr
 * @type:	Command or response type
 * @flags:	VG_FLAG_*
 * @fence_id:	Fence
 * @ctx_id:	3D context
 * @ring_idx:	Ring (INFO_RING_IDX)
 * @padding:	Zero
 */
struct vg_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};

/**
 * struct vg_rect - virtio_gpu_rect
 * @x:		Left
 * @y:		Top
 * @width:	Width
 * @height:	Height
 */
struct vg_rect {
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

/**
 * struct vg_display_one - one head of virtio_gpu_resp_display_info
 * @r:		Preferred position and size
 * @enabled:	Head enabled
 * @flags:	Zero
 */
struct vg_display_one {
	struct vg_rect r;
	uint32_t enabled;
	uint32_t flags;
};

/**
 * struct vg_resp_display_info - VIRTIO_GPU_RESP_OK_DISPLAY_INFO
 * @hdr:	Header
 * @pmodes:	Heads
 */
struct vg_resp_display_info {
	struct vg_hdr hdr;
	struct vg_display_one pmodes[VG_MAX_SCANOUTS];
};

/**
 * struct vg_get_edid - VIRTIO_GPU_CMD_GET_EDID
 * @hdr:	Header
 * @scanout:	Head
 * @padding:	Zero
 */
struct vg_get_edid {
	struct vg_hdr hdr;
	uint32_t scanout;
	uint32_t padding;
};

/**
 * struct vg_resp_edid - VIRTIO_GPU_RESP_OK_EDID
 * @hdr:	Header
 * @size:	Bytes of @edid used
 * @padding:	Zero
 * @edid:	EDID blob
 */
struct vg_resp_edid {
	struct vg_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[VG_EDID_MAX];
};

/**
 * struct vg_create_2d - VIRTIO_GPU_CMD_RESOURCE_CREATE_2D
 * @hdr:	Header
 * @resource_id: Resource
 * @format:	enum vg_format
 * @width:	Width
 * @height:	Height
 */
struct vg_create_2d {
	struct vg_hdr hdr;
	uint32_t resource_id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
};

/**
 * struct vg_res_cmd - RESOURCE_UNREF, DETACH_BACKING, CTX_ATTACH/DETACH
 * @hdr:	Header
 * @resource_id: Resource
 * @padding:	Zero
 */
struct vg_res_cmd {
	struct vg_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

/**
 * struct vg_set_scanout - VIRTIO_GPU_CMD_SET_SCANOUT
 * @hdr:	Header
 * @r:		Part of the resource shown
 * @scanout_id:	Head
 * @resource_id: Resource (0 disables the head)
 */
struct vg_set_scanout {
	struct vg_hdr hdr;
	struct vg_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
};

/**
 * struct vg_flush - VIRTIO_GPU_CMD_RESOURCE_FLUSH
 * @hdr:	Header
 * @r:		Damage
 * @resource_id: Resource
 * @padding:	Zero
 */
struct vg_flush {
	struct vg_hdr hdr;
	struct vg_rect r;
	uint32_t resource_id;
	uint32_t padding;
};

/**
 * struct vg_transfer_2d - VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D
 * @hdr:	Header
 * @r:		Rectangle of the resource
 * @offset:	Offset of its first pixel in the backing
 * @resource_id: Resource
 * @padding:	Zero
 */
struct vg_transfer_2d {
	struct vg_hdr hdr;
	struct vg_rect r;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t padding;
};

/**
 * struct vg_attach_backing - VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING (the
 * entries follow)
 * @hdr:	Header
 * @resource_id: Resource
 * @nr_entries:	Entries that follow
 */
struct vg_attach_backing {
	struct vg_hdr hdr;
	uint32_t resource_id;
	uint32_t nr_entries;
};

/**
 * struct vg_mem_entry - virtio_gpu_mem_entry
 * @addr:	Guest physical address
 * @length:	Bytes
 * @padding:	Zero
 */
struct vg_mem_entry {
	uint64_t addr;
	uint32_t length;
	uint32_t padding;
};

/**
 * struct vg_cursor_pos - virtio_gpu_cursor_pos
 * @scanout_id:	Head
 * @x:		Left
 * @y:		Top
 * @padding:	Zero
 */
struct vg_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t padding;
};

/**
 * struct vg_update_cursor - UPDATE_CURSOR, MOVE_CURSOR
 * @hdr:	Header
 * @pos:	Position
 * @resource_id: Cursor image (0 hides; ignored by MOVE_CURSOR)
 * @hot_x:	Hot spot
 * @hot_y:	Hot spot
 * @padding:	Zero
 */
struct vg_update_cursor {
	struct vg_hdr hdr;
	struct vg_cursor_pos pos;
	uint32_t resource_id;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t padding;
};

/**
 * struct vg_config - virtio_gpu_config
 * @events_read:	Pending events
 * @events_clear:	Write to clear
 * @num_scanouts:	Heads
 * @num_capsets:	Capability sets
 */
struct vg_config {
	uint32_t events_read;
	uint32_t events_clear;
	uint32_t num_scanouts;
	uint32_t num_capsets;
};

#define VG_CAPSET_VIRGL		1
#define VG_CAPSET_VIRGL2	2

/**
 * struct vg_get_capset_info - VIRTIO_GPU_CMD_GET_CAPSET_INFO
 * @hdr:	Header
 * @capset_index: Index, 0 to num_capsets - 1
 * @padding:	Zero
 */
struct vg_get_capset_info {
	struct vg_hdr hdr;
	uint32_t capset_index;
	uint32_t padding;
};

/**
 * struct vg_resp_capset_info - VIRTIO_GPU_RESP_OK_CAPSET_INFO
 * @hdr:	Header
 * @capset_id:	VG_CAPSET_*
 * @capset_max_version: Highest version
 * @capset_max_size: Bytes of the capset
 * @padding:	Zero
 */
struct vg_resp_capset_info {
	struct vg_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_max_version;
	uint32_t capset_max_size;
	uint32_t padding;
};

/**
 * struct vg_get_capset - VIRTIO_GPU_CMD_GET_CAPSET (the response is a
 * header and the capset's bytes)
 * @hdr:	Header
 * @capset_id:	VG_CAPSET_*
 * @capset_version: Version
 */
struct vg_get_capset {
	struct vg_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_version;
};

/**
 * struct vg_ctx_create - VIRTIO_GPU_CMD_CTX_CREATE (hdr.ctx_id names it)
 * @hdr:	Header
 * @nlen:	Bytes of @debug_name used
 * @context_init: Capset id with CONTEXT_INIT, else 0
 * @debug_name:	Name
 */
struct vg_ctx_create {
	struct vg_hdr hdr;
	uint32_t nlen;
	uint32_t context_init;
	char debug_name[64];
};

/**
 * struct vg_create_3d - VIRTIO_GPU_CMD_RESOURCE_CREATE_3D
 * @hdr:	Header
 * @resource_id: Resource
 * @target:	PIPE_TEXTURE_* / PIPE_BUFFER
 * @format:	Virgl format
 * @bind:	PIPE_BIND_* bits
 * @width:	Width
 * @height:	Height
 * @depth:	Depth
 * @array_size:	Layers
 * @last_level:	Mip levels - 1
 * @nr_samples:	Samples
 * @flags:	Flags (1: y inverted)
 * @padding:	Zero
 */
struct vg_create_3d {
	struct vg_hdr hdr;
	uint32_t resource_id;
	uint32_t target;
	uint32_t format;
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags;
	uint32_t padding;
};

/**
 * struct vg_box - virtio_gpu_box
 * @x:		Left
 * @y:		Top
 * @z:		Front
 * @w:		Width
 * @h:		Height
 * @d:		Depth
 */
struct vg_box {
	uint32_t x;
	uint32_t y;
	uint32_t z;
	uint32_t w;
	uint32_t h;
	uint32_t d;
};

/**
 * struct vg_transfer_3d - TRANSFER_TO_HOST_3D, TRANSFER_FROM_HOST_3D
 * @hdr:	Header (ctx_id: the context)
 * @box:	Region
 * @offset:	Offset in the backing
 * @resource_id: Resource
 * @level:	Mip level
 * @stride:	Bytes per row in the backing
 * @layer_stride: Bytes per layer in the backing
 */
struct vg_transfer_3d {
	struct vg_hdr hdr;
	struct vg_box box;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t level;
	uint32_t stride;
	uint32_t layer_stride;
};

/**
 * struct vg_submit - VIRTIO_GPU_CMD_SUBMIT_3D (the command stream follows)
 * @hdr:	Header (ctx_id: the context)
 * @size:	Bytes of command stream
 * @num_in_fences: Zero
 */
struct vg_submit {
	struct vg_hdr hdr;
	uint32_t size;
	uint32_t num_in_fences;
};

/* ---- the display protocol (vhost-user-gpu.rst) ---- */

/**
 * enum vgd_request - display messages, back-end to front-end
 */
enum vgd_request {
	VGD_GET_PROTOCOL_FEATURES = 1,
	VGD_SET_PROTOCOL_FEATURES,
	VGD_GET_DISPLAY_INFO,
	VGD_CURSOR_POS,
	VGD_CURSOR_POS_HIDE,
	VGD_CURSOR_UPDATE,
	VGD_SCANOUT,
	VGD_UPDATE,
	VGD_DMABUF_SCANOUT,
	VGD_DMABUF_UPDATE,
	VGD_GET_EDID,
	VGD_DMABUF_SCANOUT2,
	VGD_REQUEST_MAX,
};

#define VGD_PF_EDID		0
#define VGD_PF_DMABUF2		1
#define VGD_FLAG_REPLY		0x4u
#define VGD_HDR_SIZE		12u

/**
 * struct vgd_scanout - SCANOUT payload
 * @scanout_id:	Head
 * @width:	Width (0: disabled)
 * @height:	Height
 */
struct vgd_scanout {
	uint32_t scanout_id;
	uint32_t width;
	uint32_t height;
};

/**
 * struct vgd_update - UPDATE and DMABUF_UPDATE payload (UPDATE: pixels
 * follow)
 * @scanout_id:	Head
 * @x:		Left, relative to the head
 * @y:		Top
 * @width:	Width
 * @height:	Height
 */
struct vgd_update {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

/**
 * struct vgd_cursor_pos - CURSOR_POS, CURSOR_POS_HIDE payload
 * @scanout_id:	Head
 * @x:		Left
 * @y:		Top
 */
struct vgd_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
};

/**
 * struct vgd_cursor_update - CURSOR_UPDATE payload
 * @pos:	Position
 * @hot_x:	Hot spot
 * @hot_y:	Hot spot
 * @data:	64x64 a8r8g8b8 pixels
 */
struct vgd_cursor_update {
	struct vgd_cursor_pos pos;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t data[VG_CURSOR_DIM * VG_CURSOR_DIM];
};

/**
 * struct vgd_dmabuf_scanout - DMABUF_SCANOUT payload (DMABUF_SCANOUT2 adds
 * a u64 modifier)
 * @scanout_id:	Head
 * @x:		Position in the buffer
 * @y:		Position in the buffer
 * @width:	Width shown
 * @height:	Height shown
 * @fd_width:	Buffer width
 * @fd_height:	Buffer height
 * @fd_stride:	Buffer stride
 * @fd_flags:	Flags (1: y inverted)
 * @fd_drm_fourcc: DRM format
 */
struct vgd_dmabuf_scanout {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
	uint32_t fd_width;
	uint32_t fd_height;
	uint32_t fd_stride;
	uint32_t fd_flags;
	int32_t fd_drm_fourcc;
};

/* ---- the display side (gpu-display.c) ---- */

/**
 * struct gpud_msg - one message the back-end sent to the display
 * @request:	enum vgd_request
 * @flags:	Header flags
 * @size:	Payload bytes
 * @payload:	Payload (g_free())
 * @fd:		File descriptor received with it, or -1 (owned)
 * @when:	Monotonic time it was read whole (µs)
 */
struct gpud_msg {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint8_t *payload;
	int fd;
	gint64 when;
};

/**
 * struct gpud_cfg - how the display answers
 * @features:	Protocol features offered (VGD_PF_* bits)
 * @silent:	Never answer GET_PROTOCOL_FEATURES
 * @nheads:	Heads reported enabled by GET_DISPLAY_INFO
 * @width:	Their widths
 * @height:	Their heights
 * @edid:	EDID per head (NULL: a zero-size response)
 * @edid_len:	Bytes of each @edid
 * @keep:	Record UPDATE pixels (false: only the header, for the bench)
 * @info_size:	Bytes of the GET_DISPLAY_INFO reply (0: the whole struct;
 *		less plays a broken front-end)
 * @edid_size:	Size field of GET_EDID replies (0: the blob's length;
 *		more than 1024 plays a broken front-end)
 */
struct gpud_cfg {
	uint64_t features;
	bool silent;
	unsigned int nheads;
	uint32_t width[VG_MAX_SCANOUTS];
	uint32_t height[VG_MAX_SCANOUTS];
	const uint8_t *edid[VG_MAX_SCANOUTS];
	uint32_t edid_len[VG_MAX_SCANOUTS];
	bool keep;
	uint32_t info_size;
	uint32_t edid_size;
};

struct gpud;

void gpud_cfg_default(struct gpud_cfg *cfg);
struct gpud *gpud_new(const struct gpud_cfg *cfg, int *peer);
void gpud_free(struct gpud *d);
struct gpud_msg *gpud_wait(struct gpud *d, uint32_t request, int timeout_ms);
void gpud_expect_none(struct gpud *d, uint32_t request, int ms);
unsigned int gpud_count(struct gpud *d, uint32_t request);
uint64_t gpud_set_features(struct gpud *d);
void gpud_msg_free(struct gpud_msg *m);
void gpud_clear(struct gpud *d);
void gpud_pause(struct gpud *d, bool on);
void gpud_set_heads(struct gpud *d, unsigned int nheads, uint32_t width,
		    uint32_t height);
const char *gpud_request_name(uint32_t request);

/* ---- the device side (gpu-harness.c, gpu-cmd.c) ---- */

#define GPUT_GPA		0x100000ull
#define GPUT_RAM		(96u << 20)
#define GPUT_QSIZE		64u
#define GPUT_SLOT		8192u	/* bytes of buffer space per chain */
#define GPUT_TIMEOUT_MS		5000
#define GPUT_QUIET_MS		200
#define GPUT_CMDBUF		(1u << 20)

/**
 * struct gput - one virtio-gpu back-end under test and the QEMU playing
 * its front-end
 * @daemon:	Back-end binary
 * @dir:	Temporary directory holding the socket
 * @sock:	vhost-user socket path
 * @pid:	Running back-end, 0 if none
 * @mem:	Guest memory
 * @s:		Session, NULL until gput_connect()
 * @ctrl:	Control queue
 * @cursor:	Cursor queue
 * @features:	Negotiated virtio features
 * @virgl:	Ask for VIRTIO_GPU_F_VIRGL
 * @display:	Display side, NULL when no display socket was set
 * @foreign:	The back-end is not ours (QEMU's): SIGKILL it at the end
 * @cmdbuf:	Guest memory for commands and responses (GPUT_CMDBUF bytes)
 */
struct gput {
	const char *daemon;
	char *dir;
	char *sock;
	GPid pid;
	struct vuf_mem *mem;
	struct vuf_session *s;
	struct vuf_vq *ctrl;
	struct vuf_vq *cursor;
	uint64_t features;
	bool virgl;
	struct gpud *display;
	bool foreign;
	uint64_t cmdbuf;
};

/**
 * struct gput_backing - guest pages backing a resource
 * @len:	Bytes in all
 * @n:		Entries
 * @e:		Entries, in order (not contiguous in guest memory)
 */
struct gput_backing {
	uint64_t len;
	uint32_t n;
	struct vg_mem_entry e[];
};

bool gput_init(struct gput *t, const char *env);
void gput_fini(struct gput *t);
void gput_spawn(struct gput *t, const char *opts);
void gput_kill(struct gput *t, int sig);
void gput_connect(struct gput *t, const struct gpud_cfg *cfg);
void gput_start(struct gput *t, const char *opts, const struct gpud_cfg *cfg);
void gput_disconnect(struct gput *t);
void gput_stop(struct gput *t);
struct vuf_conn *gput_conn(const struct gput *t);
bool gput_alive(struct gput *t);
void gput_config(struct gput *t, struct vg_config *cfg);

uint64_t gput_alloc(struct gput *t, uint64_t len);
void *gput_ptr(struct gput *t, uint64_t gpa, uint64_t len);
uint32_t gput_cmd(struct gput *t, struct vuf_vq *vq, const void *cmd,
		  uint32_t cmd_len, void *resp, uint32_t resp_len);
uint32_t gput_cmd_descs(struct gput *t, struct vuf_vq *vq,
			const struct vuf_desc *d, unsigned int n);
uint32_t gput_simple(struct gput *t, const void *cmd, uint32_t cmd_len);
int gput_post(struct gput *t, const void *cmd, uint32_t cmd_len);
uint32_t gput_reap(struct gput *t, int id);
uint32_t gput_reap_len(struct gput *t, int id);
void gput_expect_no_used(struct gput *t, struct vuf_vq *vq, int ms);

uint32_t gput_create_2d(struct gput *t, uint32_t id, uint32_t format,
			uint32_t width, uint32_t height);
uint32_t gput_unref(struct gput *t, uint32_t id);
uint32_t gput_attach(struct gput *t, uint32_t id,
		     const struct vg_mem_entry *e, uint32_t n);
struct gput_backing *gput_backing_new(struct gput *t, uint64_t len,
				      unsigned int pieces);
void gput_backing_write(struct gput *t, const struct gput_backing *b,
			uint64_t off, const void *src, uint64_t len);
void gput_backing_read(struct gput *t, const struct gput_backing *b,
		       uint64_t off, void *dst, uint64_t len);
uint32_t gput_attach_backing(struct gput *t, uint32_t id,
			     const struct gput_backing *b);
uint32_t gput_detach(struct gput *t, uint32_t id);
uint32_t gput_transfer(struct gput *t, uint32_t id, struct vg_rect r,
		       uint64_t offset);
uint32_t gput_set_scanout(struct gput *t, uint32_t scanout, uint32_t id,
			  struct vg_rect r);
uint32_t gput_flush(struct gput *t, uint32_t id, struct vg_rect r);
uint32_t gput_display_info(struct gput *t, struct vg_resp_display_info *di);
uint32_t gput_edid(struct gput *t, uint32_t scanout, struct vg_resp_edid *e);
void gput_cursor(struct gput *t, uint32_t cmd, uint32_t scanout,
		 uint32_t x, uint32_t y, uint32_t id);

/**
 * vg_rect_make() - A rectangle
 * @x:		Left
 * @y:		Top
 * @w:		Width
 * @h:		Height
 *
 * Return: the rectangle
 */
static inline struct vg_rect vg_rect_make(uint32_t x, uint32_t y, uint32_t w,
					  uint32_t h)
{
	return (struct vg_rect){ x, y, w, h };
}

#endif /* GPU_HARNESS_H */
