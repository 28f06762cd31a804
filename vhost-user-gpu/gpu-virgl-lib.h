/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gpu-virgl-lib.h - virglrenderer, loaded at run time: the daemon links
 * none of its fifteen libraries (X11, Vulkan, VA, Wayland...) until
 * --virgl asks for it, which keeps --print-capabilities (run by libvirt
 * at every VM start) and 2D-only daemons small and quick to start.
 *
 * Include after <virgl/virglrenderer.h>: the calls below go through the
 * loaded table under their usual names.
 */
#ifndef GPU_VIRGL_LIB_H
#define GPU_VIRGL_LIB_H

#include <stdbool.h>

#include <glib.h>
#include <virgl/virglrenderer.h>

#define GPU_VIRGL_SONAME	"libvirglrenderer.so.1"

/* Every virglrenderer function the daemon calls */
#define GPU_VIRGL_FUNCS(X)				\
	X(virgl_renderer_init)				\
	X(virgl_renderer_poll)				\
	X(virgl_renderer_reset)				\
	X(virgl_set_debug_callback)			\
	X(virgl_renderer_get_cap_set)			\
	X(virgl_renderer_fill_caps)			\
	X(virgl_renderer_context_create)		\
	X(virgl_renderer_context_create_with_flags)	\
	X(virgl_renderer_context_destroy)		\
	X(virgl_renderer_ctx_attach_resource)		\
	X(virgl_renderer_ctx_detach_resource)		\
	X(virgl_renderer_resource_create)		\
	X(virgl_renderer_resource_unref)		\
	X(virgl_renderer_resource_attach_iov)		\
	X(virgl_renderer_resource_detach_iov)		\
	X(virgl_renderer_resource_get_info)		\
	X(virgl_renderer_get_fd_for_texture2)		\
	X(virgl_renderer_transfer_read_iov)		\
	X(virgl_renderer_transfer_write_iov)		\
	X(virgl_renderer_submit_cmd)			\
	X(virgl_renderer_create_fence)

/**
 * struct gpu_virgl_lib - the loaded functions, one pointer each, named
 * as in virglrenderer.h
 */
struct gpu_virgl_lib {
#define GPU_VIRGL_PTR(f) __typeof__(f) *f;
	GPU_VIRGL_FUNCS(GPU_VIRGL_PTR)
#undef GPU_VIRGL_PTR
};

extern struct gpu_virgl_lib gpu_vgl;

bool gpu_virgl_lib_load(GError **err);

/* gpu-virgl-lib.c fills the table: it sees the real names */
#ifndef GPU_VIRGL_LIB_IMPL
#define virgl_renderer_init gpu_vgl.virgl_renderer_init
#define virgl_renderer_poll gpu_vgl.virgl_renderer_poll
#define virgl_renderer_reset gpu_vgl.virgl_renderer_reset
#define virgl_set_debug_callback gpu_vgl.virgl_set_debug_callback
#define virgl_renderer_get_cap_set gpu_vgl.virgl_renderer_get_cap_set
#define virgl_renderer_fill_caps gpu_vgl.virgl_renderer_fill_caps
#define virgl_renderer_context_create gpu_vgl.virgl_renderer_context_create
#define virgl_renderer_context_create_with_flags \
	gpu_vgl.virgl_renderer_context_create_with_flags
#define virgl_renderer_context_destroy gpu_vgl.virgl_renderer_context_destroy
#define virgl_renderer_ctx_attach_resource \
	gpu_vgl.virgl_renderer_ctx_attach_resource
#define virgl_renderer_ctx_detach_resource \
	gpu_vgl.virgl_renderer_ctx_detach_resource
#define virgl_renderer_resource_create gpu_vgl.virgl_renderer_resource_create
#define virgl_renderer_resource_unref gpu_vgl.virgl_renderer_resource_unref
#define virgl_renderer_resource_attach_iov \
	gpu_vgl.virgl_renderer_resource_attach_iov
#define virgl_renderer_resource_detach_iov \
	gpu_vgl.virgl_renderer_resource_detach_iov
#define virgl_renderer_resource_get_info \
	gpu_vgl.virgl_renderer_resource_get_info
#define virgl_renderer_get_fd_for_texture2 \
	gpu_vgl.virgl_renderer_get_fd_for_texture2
#define virgl_renderer_transfer_read_iov \
	gpu_vgl.virgl_renderer_transfer_read_iov
#define virgl_renderer_transfer_write_iov \
	gpu_vgl.virgl_renderer_transfer_write_iov
#define virgl_renderer_submit_cmd gpu_vgl.virgl_renderer_submit_cmd
#define virgl_renderer_create_fence gpu_vgl.virgl_renderer_create_fence
#endif

#endif /* GPU_VIRGL_LIB_H */
