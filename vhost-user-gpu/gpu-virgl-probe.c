// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-virgl-probe.c - can a renderer start here? --print-capabilities asks
 * quickly (libvirt runs it at every VM start): a render node we can open,
 * or Mesa's software driver installed. --virgl asks for sure, by starting
 * virglrenderer in a probe process (this program again, run with
 * GPU_PROBE_ENV set), bounded in time: the real start must happen later on
 * the worker thread, and a failed EGL start can leave a process in a state
 * we do not want to keep.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "gpu-virgl.h"
#include "gpu-virgl-lib.h"

#define GPU_TRY_TIMEOUT_MS	10000

/**
 * gpu_node_usable() - Whether a render node opens read-write
 * @path:	Device path
 *
 * Return: true if so
 */
static bool gpu_node_usable(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/**
 * gpu_virgl_pick_node() - The render node to use
 * @wanted:	--render-node, or NULL for the first usable /dev/dri one
 * @err:	Set when @wanted cannot be opened
 *
 * Return: the node (g_free), or NULL for none (software rendering)
 */
char *gpu_virgl_pick_node(const char *wanted, GError **err)
{
	char *found = NULL;
	glob_t gl;
	size_t i;

	if (wanted) {
		if (gpu_node_usable(wanted))
			return g_strdup(wanted);
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "--render-node=%s: %s", wanted, g_strerror(errno));
		return NULL;
	}
	if (glob("/dev/dri/renderD*", 0, NULL, &gl))
		return NULL;
	for (i = 0; i < gl.gl_pathc && !found; i++)
		if (gpu_node_usable(gl.gl_pathv[i]))
			found = g_strdup(gl.gl_pathv[i]);
	globfree(&gl);
	return found;
}

/**
 * gpu_glob_any() - Whether a file matches any of some patterns
 * @pats:	Glob patterns
 * @n:		How many
 *
 * Return: true at the first match
 */
static bool gpu_glob_any(const char *const *pats, unsigned int n)
{
	bool found = false;
	unsigned int i;
	glob_t gl;

	for (i = 0; !found && i < n; i++) {
		found = !glob(pats[i], 0, NULL, &gl);
		if (found || gl.gl_pathc)
			globfree(&gl);
	}
	return found;
}

/**
 * gpu_have_swrast() - Whether Mesa's software driver is installed
 *
 * Return: true if a swrast DRI driver is found where Mesa looks
 */
static bool gpu_have_swrast(void)
{
	static const char *const pats[] = {
		"/usr/lib/*/dri/swrast_dri.so",
		"/usr/lib*/dri/swrast_dri.so",
		"/usr/local/lib*/dri/swrast_dri.so",
	};
	const char *env = g_getenv("LIBGL_DRIVERS_PATH");
	bool found = false;

	if (env) {
		char *p = g_build_filename(env, "swrast_dri.so", NULL);

		found = g_file_test(p, G_FILE_TEST_EXISTS);
		g_free(p);
	}
	return found || gpu_glob_any(pats, G_N_ELEMENTS(pats));
}

/**
 * gpu_virgl_lib_present() - Whether virglrenderer is installed where the
 * dynamic linker looks first (a quick check: nothing is loaded)
 *
 * Return: true if a file of its name is there
 */
static bool gpu_virgl_lib_present(void)
{
	static const char *const pats[] = {
		"/usr/lib/*/" GPU_VIRGL_SONAME,
		"/usr/lib*/" GPU_VIRGL_SONAME,
		"/usr/local/lib*/" GPU_VIRGL_SONAME,
		"/lib/*/" GPU_VIRGL_SONAME,
	};

	return gpu_glob_any(pats, G_N_ELEMENTS(pats));
}

/**
 * gpu_virgl_features() - The --print-capabilities features this host
 * allows: "render-node" where a render node opens, "virgl" where a
 * renderer should start (a render node, or Mesa's software driver)
 * @out:	Array of g_malloc'ed strings to fill
 */
void gpu_virgl_features(GPtrArray *out)
{
	char *node = gpu_virgl_pick_node(NULL, NULL);

	bool lib = gpu_virgl_lib_present();

	if (node && lib)
		g_ptr_array_add(out, g_strdup("render-node"));
	if (lib && (node || gpu_have_swrast()))
		g_ptr_array_add(out, g_strdup("virgl"));
	g_free(node);
}

/**
 * gpu_virgl_probe_main() - The probe process: start virglrenderer, say so
 * on the inherited pipe, exit (main() runs this when GPU_PROBE_ENV is set)
 *
 * Return: exit status: 0 if it started
 */
int gpu_virgl_probe_main(void)
{
	const char *node = g_getenv(GPU_PROBE_ENV);
	const char *fd = g_getenv(GPU_PROBE_FD_ENV);
	static int cookie;
	char ok = 1;
	int wfd;

	if (!node || !fd || !gpu_virgl_lib_load(NULL))
		return 1;
	wfd = atoi(fd);
	if (gpu_virgl_init_here(&cookie, *node ? node : NULL) ||
	    write(wfd, &ok, 1) != 1)
		return 1;
	return 0;
}

/**
 * gpu_try_exec() - In the forked child: become the probe process
 * @node:	Render node, or NULL
 * @wfd:	Pipe to write one byte to on success
 *
 * A fresh program, not a fork of our threads: EGL and Mesa start in it
 * as in any process. It dies with us.
 */
static G_GNUC_NORETURN void gpu_try_exec(const char *node, int wfd)
{
	char fd[16];
	char *argv[] = { (char *)"vhost-user-gpu", NULL };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(fd, sizeof(fd), "%d", wfd);
	if (setenv(GPU_PROBE_ENV, node ? node : "", 1) == 0 &&
	    setenv(GPU_PROBE_FD_ENV, fd, 1) == 0)
		execv("/proc/self/exe", argv);
	_exit(127);
}

/**
 * gpu_try_wait() - Wait for the probe's byte, bounded
 * @rfd:	Read end of the pipe
 *
 * Return: true if it said it started
 */
static bool gpu_try_wait(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char c = 0;
	int r;

	do {
		r = poll(&p, 1, GPU_TRY_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	return r == 1 && read(rfd, &c, 1) == 1 && c == 1;
}

/**
 * gpu_virgl_try() - Start virglrenderer in a probe process
 * @node:	Render node, or NULL (surfaceless, software without a GPU)
 * @err:	Error
 *
 * Return: true if it started
 */
bool gpu_virgl_try(const char *node, GError **err)
{
	int fds[2];
	pid_t pid;
	bool ok;

	/* The write end crosses exec: no O_CLOEXEC on it */
	if (pipe(fds) < 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "pipe: %s", g_strerror(errno));
		return false;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		gpu_try_exec(node, fds[1]);
	}
	close(fds[1]);
	ok = pid > 0 && gpu_try_wait(fds[0]);
	close(fds[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (!ok)
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "--virgl: virglrenderer cannot start on %s",
			    node ? node : "EGL surfaceless (no render node, "
			    "software rendering)");
	return ok;
}
