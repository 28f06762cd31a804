// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-virgl-lib.c - load virglrenderer at run time (see gpu-virgl-lib.h).
 */
#define GPU_VIRGL_LIB_IMPL

#include <dlfcn.h>

#include <gio/gio.h>
#include <virgl/virglrenderer.h>

#include "gpu-virgl-lib.h"

struct gpu_virgl_lib gpu_vgl;

/**
 * gpu_virgl_lib_load() - Load the library and every function we call
 * (once; later calls report the first result)
 * @err:	Error
 *
 * Return: true if everything was found
 */
bool gpu_virgl_lib_load(GError **err)
{
	static void *lib;
	const char *missing = NULL;

	if (gpu_vgl.virgl_renderer_init)
		return true;
	if (!lib)
		lib = dlopen(GPU_VIRGL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "--virgl: %s", dlerror());
		return false;
	}
#define GPU_VIRGL_SYM(f)						\
	if (!missing && !(*(void **)&gpu_vgl.f = dlsym(lib, #f)))	\
		missing = #f;
	GPU_VIRGL_FUNCS(GPU_VIRGL_SYM)
#undef GPU_VIRGL_SYM
	if (!missing)
		return true;
	gpu_vgl.virgl_renderer_init = NULL;
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		    "--virgl: %s has no %s (too old?)", GPU_VIRGL_SONAME,
		    missing);
	return false;
}
