// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-virgl-none.c - the 3D entry points when the daemon is built without
 * virglrenderer: --virgl fails at start, 3D commands fail with ERR_UNSPEC.
 */
#include <gio/gio.h>

#include "gpu-int.h"

/**
 * gpu_virgl_start() - No renderer in this build
 * @g:		Instance
 * @err:	Set to why
 *
 * Return: false
 */
bool gpu_virgl_start(struct gpu *g, GError **err)
{
	g_set_error_literal(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "--virgl: built without virglrenderer");
	return false;
}

/**
 * gpu_virgl_stop() - Nothing to stop
 * @g:		Instance
 */
void gpu_virgl_stop(struct gpu *g)
{
}

/**
 * gpu_virgl_dispatch() - No 3D commands
 * @g:		Instance
 * @vq:		Queue
 * @r:		Request
 * @resp:	Unused
 *
 * Return: false
 */
bool gpu_virgl_dispatch(struct gpu *g, struct vu_queue *vq, struct gpu_req *r,
			uint32_t *resp)
{
	return false;
}

/**
 * gpu_virgl_reset() - Nothing to reset
 * @g:		Instance
 */
void gpu_virgl_reset(struct gpu *g)
{
}

/**
 * gpu_virgl_unref() - No 3D resources exist
 * @g:		Instance
 * @res:	Resource
 */
void gpu_virgl_unref(struct gpu *g, struct gpu_res *res)
{
}

/**
 * gpu_virgl_attach() - No 3D resources exist
 * @g:		Instance
 * @res:	Resource
 */
void gpu_virgl_attach(struct gpu *g, struct gpu_res *res)
{
}

/**
 * gpu_virgl_detach() - No 3D resources exist
 * @g:		Instance
 * @res:	Resource
 */
void gpu_virgl_detach(struct gpu *g, struct gpu_res *res)
{
}

/**
 * gpu_virgl_read() - No 3D resources exist
 * @g:		Instance
 * @res:	Resource
 * @r:		Rectangle
 * @dst:	Destination
 *
 * Return: false
 */
bool gpu_virgl_read(struct gpu *g, struct gpu_res *res,
		    const struct virtio_gpu_rect *r, uint32_t *dst)
{
	return false;
}

/**
 * gpu_virgl_scanout() - No 3D resources exist
 * @g:		Instance
 * @id:		Head
 * @res:	Resource
 * @r:		Rectangle
 *
 * Return: false
 */
bool gpu_virgl_scanout(struct gpu *g, unsigned int id, struct gpu_res *res,
		       const struct virtio_gpu_rect *r)
{
	return false;
}

/**
 * gpu_virgl_flush() - No 3D resources exist
 * @g:		Instance
 * @id:		Head
 * @res:	Resource
 * @r:		Rectangle
 * @req:	Request
 *
 * Return: false
 */
bool gpu_virgl_flush(struct gpu *g, unsigned int id, struct gpu_res *res,
		     const struct virtio_gpu_rect *r, struct gpu_req *req)
{
	return false;
}

/**
 * gpu_virgl_fence_wait() - No fences
 * @g:		Instance
 * @timeout_ms:	Unused
 */
void gpu_virgl_fence_wait(struct gpu *g, int timeout_ms)
{
}

/**
 * gpu_virgl_num_capsets() - No capsets
 * @g:		Instance
 *
 * Return: 0
 */
unsigned int gpu_virgl_num_capsets(const struct gpu *g)
{
	return 0;
}

/**
 * gpu_virgl_fence() - No renderer: fences are answered at once
 * @g:		Instance
 * @r:		Request
 * @resp:	Response type
 *
 * Return: false
 */
bool gpu_virgl_fence(struct gpu *g, struct gpu_req *r, uint32_t resp)
{
	return false;
}

/**
 * gpu_virgl_features() - No renderer: no 3D features
 * @out:	Array of features (left alone)
 */
void gpu_virgl_features(GPtrArray *out)
{
}

/**
 * gpu_virgl_probe_main() - No renderer to probe
 *
 * Return: 1
 */
int gpu_virgl_probe_main(void)
{
	return 1;
}
