/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gpu-proto.h - the wire formats vhost-user-gpu speaks: virtio-gpu commands
 * and responses (virtio 1.2, 5.7; little-endian in guest memory, this
 * daemon runs on little-endian hosts only) and the vhost-user-gpu display
 * protocol (QEMU docs/interop/vhost-user-gpu.rst; native byte order).
 */
#ifndef GPU_PROTO_H
#define GPU_PROTO_H

#include <stdint.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vhost-user-gpu reads virtio-gpu structs in place: little-endian only"
#endif

#define VIRTIO_ID_GPU			16

/* Device feature bits */
#define VIRTIO_GPU_F_VIRGL		0
#define VIRTIO_GPU_F_EDID		1

/* Config space events */
#define VIRTIO_GPU_EVENT_DISPLAY	(1u << 0)

#define VIRTIO_GPU_MAX_SCANOUTS		16

/* Header flags */
#define VIRTIO_GPU_FLAG_FENCE		(1u << 0)
#define VIRTIO_GPU_FLAG_INFO_RING_IDX	(1u << 1)

/**
 * enum virtio_gpu_ctrl_type - command and response types
 */
enum virtio_gpu_ctrl_type {
	/* 2D */
	VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
	VIRTIO_GPU_CMD_RESOURCE_UNREF,
	VIRTIO_GPU_CMD_SET_SCANOUT,
	VIRTIO_GPU_CMD_RESOURCE_FLUSH,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
	VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
	VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
	VIRTIO_GPU_CMD_GET_CAPSET_INFO,
	VIRTIO_GPU_CMD_GET_CAPSET,
	VIRTIO_GPU_CMD_GET_EDID,
	VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB,
	VIRTIO_GPU_CMD_SET_SCANOUT_BLOB,
	/* 3D */
	VIRTIO_GPU_CMD_CTX_CREATE = 0x0200,
	VIRTIO_GPU_CMD_CTX_DESTROY,
	VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE,
	VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_3D,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D,
	VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D,
	VIRTIO_GPU_CMD_SUBMIT_3D,
	VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB,
	VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB,
	/* cursor */
	VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300,
	VIRTIO_GPU_CMD_MOVE_CURSOR,
	/* success responses */
	VIRTIO_GPU_RESP_OK_NODATA = 0x1100,
	VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET,
	VIRTIO_GPU_RESP_OK_EDID,
	/* error responses */
	VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200,
	VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
	VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
};

/**
 * enum virtio_gpu_formats - 2D resource formats (named in memory byte order)
 */
enum virtio_gpu_formats {
	VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM = 1,
	VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM = 2,
	VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM = 3,
	VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM = 4,
	VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM = 67,
	VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM = 68,
	VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM = 121,
	VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM = 134,
};

/* Capsets */
#define VIRTIO_GPU_CAPSET_VIRGL		1
#define VIRTIO_GPU_CAPSET_VIRGL2	2

/**
 * struct virtio_gpu_ctrl_hdr - header of every command and response
 * @type:	enum virtio_gpu_ctrl_type
 * @flags:	VIRTIO_GPU_FLAG_*
 * @fence_id:	Fence, with VIRTIO_GPU_FLAG_FENCE
 * @ctx_id:	3D context
 * @ring_idx:	Context ring, with VIRTIO_GPU_FLAG_INFO_RING_IDX
 * @padding:	Unused
 */
struct virtio_gpu_ctrl_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};

/**
 * struct virtio_gpu_rect - a rectangle
 * @x:		Left
 * @y:		Top
 * @width:	Width
 * @height:	Height
 */
struct virtio_gpu_rect {
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
};

/**
 * struct virtio_gpu_display_one - one head in GET_DISPLAY_INFO
 * @r:		Preferred position and size
 * @enabled:	The head is enabled
 * @flags:	Unused
 */
struct virtio_gpu_display_one {
	struct virtio_gpu_rect r;
	uint32_t enabled;
	uint32_t flags;
};

/**
 * struct virtio_gpu_resp_display_info - GET_DISPLAY_INFO response
 * @hdr:	OK_DISPLAY_INFO
 * @pmodes:	Heads
 */
struct virtio_gpu_resp_display_info {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_display_one pmodes[VIRTIO_GPU_MAX_SCANOUTS];
};

/**
 * struct virtio_gpu_get_edid - GET_EDID
 * @hdr:	Header
 * @scanout:	Head
 * @padding:	Unused
 */
struct virtio_gpu_get_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t scanout;
	uint32_t padding;
};

#define VIRTIO_GPU_EDID_MAX	1024

/**
 * struct virtio_gpu_resp_edid - GET_EDID response
 * @hdr:	OK_EDID
 * @size:	Bytes of @edid used
 * @padding:	Unused
 * @edid:	EDID blob
 */
struct virtio_gpu_resp_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[VIRTIO_GPU_EDID_MAX];
};

/**
 * struct virtio_gpu_resource_create_2d - RESOURCE_CREATE_2D
 * @hdr:	Header
 * @resource_id: New resource id
 * @format:	enum virtio_gpu_formats
 * @width:	Width
 * @height:	Height
 */
struct virtio_gpu_resource_create_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
};

/**
 * struct virtio_gpu_resource_unref - RESOURCE_UNREF, DETACH_BACKING,
 * CTX_ATTACH/DETACH_RESOURCE (same layout)
 * @hdr:	Header
 * @resource_id: Resource
 * @padding:	Unused
 */
struct virtio_gpu_resource_unref {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};

/**
 * struct virtio_gpu_set_scanout - SET_SCANOUT
 * @hdr:	Header
 * @r:		Part of the resource the head shows
 * @scanout_id:	Head
 * @resource_id: Resource, 0 to disable the head
 */
struct virtio_gpu_set_scanout {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
};

/**
 * struct virtio_gpu_resource_flush - RESOURCE_FLUSH
 * @hdr:	Header
 * @r:		Damaged rectangle of the resource
 * @resource_id: Resource
 * @padding:	Unused
 */
struct virtio_gpu_resource_flush {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t resource_id;
	uint32_t padding;
};

/**
 * struct virtio_gpu_transfer_to_host_2d - TRANSFER_TO_HOST_2D
 * @hdr:	Header
 * @r:		Rectangle of the resource to update
 * @offset:	Byte offset of the rectangle's first pixel in the backing
 * @resource_id: Resource
 * @padding:	Unused
 */
struct virtio_gpu_transfer_to_host_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t padding;
};

/**
 * struct virtio_gpu_mem_entry - one backing entry
 * @addr:	Guest physical address
 * @length:	Bytes
 * @padding:	Unused
 */
struct virtio_gpu_mem_entry {
	uint64_t addr;
	uint32_t length;
	uint32_t padding;
};

/**
 * struct virtio_gpu_resource_attach_backing - RESOURCE_ATTACH_BACKING;
 * @nr_entries struct virtio_gpu_mem_entry follow
 * @hdr:	Header
 * @resource_id: Resource
 * @nr_entries:	Entries that follow
 */
struct virtio_gpu_resource_attach_backing {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t nr_entries;
};

/**
 * struct virtio_gpu_cursor_pos - where a cursor is
 * @scanout_id:	Head
 * @x:		Left
 * @y:		Top
 * @padding:	Unused
 */
struct virtio_gpu_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t padding;
};

/**
 * struct virtio_gpu_update_cursor - UPDATE_CURSOR and MOVE_CURSOR
 * @hdr:	Header
 * @pos:	Position
 * @resource_id: Cursor image (UPDATE_CURSOR), 0 to hide
 * @hot_x:	Hot spot
 * @hot_y:	Hot spot
 * @padding:	Unused
 */
struct virtio_gpu_update_cursor {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_cursor_pos pos;
	uint32_t resource_id;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t padding;
};

/**
 * struct virtio_gpu_get_capset_info - GET_CAPSET_INFO
 * @hdr:	Header
 * @capset_index: Index, below num_capsets
 * @padding:	Unused
 */
struct virtio_gpu_get_capset_info {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_index;
	uint32_t padding;
};

/**
 * struct virtio_gpu_resp_capset_info - GET_CAPSET_INFO response
 * @hdr:	OK_CAPSET_INFO
 * @capset_id:	Capset id
 * @capset_max_version: Highest version
 * @capset_max_size: Largest size
 * @padding:	Unused
 */
struct virtio_gpu_resp_capset_info {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_max_version;
	uint32_t capset_max_size;
	uint32_t padding;
};

/**
 * struct virtio_gpu_get_capset - GET_CAPSET (response: header + data)
 * @hdr:	Header
 * @capset_id:	Capset id
 * @capset_version: Version
 */
struct virtio_gpu_get_capset {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_version;
};

/**
 * struct virtio_gpu_ctx_create - CTX_CREATE
 * @hdr:	Header (ctx_id: the new context)
 * @nlen:	Bytes of @debug_name used
 * @context_init: Capset id in the low 8 bits (CONTEXT_INIT), else 0
 * @debug_name:	Name
 */
struct virtio_gpu_ctx_create {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t nlen;
	uint32_t context_init;
	char debug_name[64];
};

/**
 * struct virtio_gpu_resource_create_3d - RESOURCE_CREATE_3D
 * @hdr:	Header
 * @resource_id: New resource id
 * @target:	Gallium texture target
 * @format:	Gallium format
 * @bind:	Gallium bind flags
 * @width:	Width
 * @height:	Height
 * @depth:	Depth
 * @array_size:	Layers
 * @last_level:	Mip levels - 1
 * @nr_samples:	Samples
 * @flags:	VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP
 * @padding:	Unused
 */
struct virtio_gpu_resource_create_3d {
	struct virtio_gpu_ctrl_hdr hdr;
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
 * struct virtio_gpu_box - a 3D box
 * @x:	Left
 * @y:	Top
 * @z:	Front
 * @w:	Width
 * @h:	Height
 * @d:	Depth
 */
struct virtio_gpu_box {
	uint32_t x, y, z;
	uint32_t w, h, d;
};

/**
 * struct virtio_gpu_transfer_host_3d - TRANSFER_TO_HOST_3D and _FROM_HOST_3D
 * @hdr:	Header
 * @box:	Box of the resource
 * @offset:	Offset in the backing
 * @resource_id: Resource
 * @level:	Mip level
 * @stride:	Row stride in the backing (0: tightly packed)
 * @layer_stride: Layer stride in the backing
 */
struct virtio_gpu_transfer_host_3d {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_box box;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t level;
	uint32_t stride;
	uint32_t layer_stride;
};

/**
 * struct virtio_gpu_cmd_submit - SUBMIT_3D; @size bytes of commands follow
 * @hdr:	Header (ctx_id: the context)
 * @size:	Bytes of commands
 * @padding:	Unused
 */
struct virtio_gpu_cmd_submit {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
};

#define VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP (1u << 0)

/* ---- vhost-user-gpu display protocol (to the front-end) ---- */

/**
 * enum vug_request - display protocol requests (sent by the back-end)
 */
enum vug_request {
	VUG_GET_PROTOCOL_FEATURES = 1,
	VUG_SET_PROTOCOL_FEATURES = 2,
	VUG_GET_DISPLAY_INFO = 3,
	VUG_CURSOR_POS = 4,
	VUG_CURSOR_POS_HIDE = 5,
	VUG_CURSOR_UPDATE = 6,
	VUG_SCANOUT = 7,
	VUG_UPDATE = 8,
	VUG_DMABUF_SCANOUT = 9,
	VUG_DMABUF_UPDATE = 10,
	VUG_GET_EDID = 11,
	VUG_DMABUF_SCANOUT2 = 12,
};

#define VUG_FLAG_REPLY		0x4u
#define VUG_PF_EDID		0
#define VUG_PF_DMABUF2		1
#define VUG_HDR_SIZE		12u

#define GPU_CURSOR_SIZE		64	/* cursor images are 64x64 */

/**
 * struct vug_hdr - display message header
 * @request:	enum vug_request
 * @flags:	VUG_FLAG_REPLY on replies
 * @size:	Payload bytes that follow
 */
struct vug_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

/**
 * struct vug_cursor_pos - CURSOR_POS, CURSOR_POS_HIDE
 * @scanout_id:	Head
 * @x:		Left
 * @y:		Top
 */
struct vug_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
} __attribute__((packed));

/**
 * struct vug_cursor_update - CURSOR_UPDATE
 * @pos:	Position
 * @hot_x:	Hot spot
 * @hot_y:	Hot spot
 * @data:	64x64 a8r8g8b8 pixels
 */
struct vug_cursor_update {
	struct vug_cursor_pos pos;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t data[GPU_CURSOR_SIZE * GPU_CURSOR_SIZE];
} __attribute__((packed));

/**
 * struct vug_scanout - SCANOUT
 * @scanout_id:	Head
 * @width:	Width, 0 to disable
 * @height:	Height
 */
struct vug_scanout {
	uint32_t scanout_id;
	uint32_t width;
	uint32_t height;
} __attribute__((packed));

/**
 * struct vug_update - UPDATE (x8r8g8b8 pixels follow) and DMABUF_UPDATE
 * @scanout_id:	Head
 * @x:		Left, relative to the head
 * @y:		Top
 * @width:	Width
 * @height:	Height
 */
struct vug_update {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
} __attribute__((packed));

/**
 * struct vug_dmabuf_scanout - DMABUF_SCANOUT (one fd passed)
 * @scanout_id:	Head
 * @x:		Left of the head in the buffer
 * @y:		Top
 * @width:	Width
 * @height:	Height
 * @fd_width:	Buffer width
 * @fd_height:	Buffer height
 * @fd_stride:	Buffer stride
 * @fd_flags:	VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP
 * @fd_drm_fourcc: DRM fourcc
 */
struct vug_dmabuf_scanout {
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
} __attribute__((packed));

/**
 * struct vug_dmabuf_scanout2 - DMABUF_SCANOUT2
 * @base:	As DMABUF_SCANOUT
 * @modifier:	DRM format modifier
 */
struct vug_dmabuf_scanout2 {
	struct vug_dmabuf_scanout base;
	uint64_t modifier;
} __attribute__((packed));

#endif /* GPU_PROTO_H */
