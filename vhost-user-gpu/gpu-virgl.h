/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gpu-virgl.h - what the virglrenderer files share: the renderer's state
 * and the helpers the 3D commands use.
 */
#ifndef GPU_VIRGL_H
#define GPU_VIRGL_H

#include <glib.h>

#include "gpu-int.h"

/**
 * struct gpu_virgl - virglrenderer state (on the worker but where noted)
 * @node:	Render node in use, or NULL (surfaceless)
 * @ready:	virgl_renderer_init succeeded on the worker
 * @failed:	It failed: 3D commands fail
 * @reset_pending: A reset waits to be carried out on the worker (set from
 *		any thread with the worker paused)
 * @fence_seq:	Last fence number handed to the renderer
 * @retired:	Last fence number the renderer reported
 * @retired_valid: @retired is set
 * @timer_fd:	Timer polling the renderer while fences wait
 * @timer_watch: Its watch on the worker
 * @timer_on:	The timer is armed
 * @dmabuf:	Heads showing a 3D resource as a dmabuf
 * @lock:	Protects @nfenced, for gpu_virgl_fence_wait()
 * @cond:	Signalled when @nfenced changes
 * @nfenced:	Requests waiting for a fence
 * @ctxs:	Contexts the guest created (ids), at most GPU_MAX_CTX
 */
struct gpu_virgl {
	char *node;
	bool ready;
	bool failed;
	bool reset_pending;
	uint32_t fence_seq;
	uint32_t retired;
	bool retired_valid;
	int timer_fd;
	void *timer_watch;
	bool timer_on;
	bool dmabuf[VIRTIO_GPU_MAX_SCANOUTS];
	GMutex lock;
	GCond cond;
	unsigned int nfenced;
	GHashTable *ctxs;
};

#define GPU_MAX_CTX	64	/* contexts of one guest: each has a GL context */

/* gpu-virgl.c */
int gpu_virgl_flags(const char *node);
int gpu_virgl_init_here(void *cookie, const char *node);
bool gpu_virgl_ready(struct gpu *g);
void gpu_virgl_retire(struct gpu *g);
bool gpu_virgl_backing(struct gpu *g, struct gpu_res *res);

/* gpu-virgl-probe.c */
#define GPU_PROBE_FD_ENV	"VU_GPU_VIRGL_PROBE_FD"
char *gpu_virgl_pick_node(const char *wanted, GError **err);
bool gpu_virgl_try(const char *node, GError **err);

#endif /* GPU_VIRGL_H */
