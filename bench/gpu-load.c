// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-load.c - vu-gpu-load, the load generator of bench/gpu: drives one
 * virtio-gpu vhost-user back-end with the test harness (tests/gpu), a
 * resource of WxH, repeated TRANSFER_TO_HOST_2D + RESOURCE_FLUSH of the
 * whole frame or of small damage rectangles, each measured until the
 * display side has received the UPDATE. Prints one line of key=value
 * figures: frames per second, back-end CPU time (utime+stime from
 * /proc/PID/stat) per frame, median latency, and the back-end's RSS once
 * connected and idle. With --caps=N it times N runs of the back-end's
 * --print-capabilities instead and prints the median.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gpu-harness.h"

/**
 * struct load - what to run
 * @width:	Resource width
 * @height:	Resource height
 * @rw:		Damage rectangle width (0: the whole frame)
 * @rh:		Damage rectangle height
 * @seconds:	Measured seconds
 * @warmup:	Seconds of frames before measuring
 * @foreign:	The back-end is QEMU's (stopped with SIGKILL)
 * @caps:	Runs of --print-capabilities to time (0: load mode)
 * @opts:	Further back-end options
 * @pipeline:	Post TRANSFER and FLUSH together, one kick, as Linux does
 *		(else each waits for its answer before the next goes)
 */
struct load {
	uint32_t width;
	uint32_t height;
	uint32_t rw;
	uint32_t rh;
	double seconds;
	double warmup;
	gboolean foreign;
	int caps;
	char *opts;
	gboolean pipeline;
};

/**
 * cpu_ticks() - utime + stime of a process
 * @pid:	Process
 *
 * Return: clock ticks
 */
static unsigned long long cpu_ticks(GPid pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], *buf = NULL, *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!g_file_get_contents(path, &buf, NULL, NULL))
		g_error("read %s", path);
	p = strrchr(buf, ')');
	/* after "pid (comm)": state is field 3, utime 14, stime 15 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %llu %llu", &ut, &st) != 2)
		g_error("parse %s", path);
	g_free(buf);
	return ut + st;
}

/**
 * rss_kb() - Resident set size of a process
 * @pid:	Process
 *
 * Return: KiB (VmRSS)
 */
static unsigned long rss_kb(GPid pid)
{
	char path[64], *buf = NULL, *p;
	unsigned long kb = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!g_file_get_contents(path, &buf, NULL, NULL))
		g_error("read %s", path);
	p = strstr(buf, "VmRSS:");
	if (p)
		kb = strtoul(p + 6, NULL, 10);
	g_free(buf);
	return kb;
}

/**
 * frame_rect() - The damage of frame @i
 * @l:		Load
 * @i:		Frame number
 *
 * Return: the whole frame, or a small rectangle that walks over it
 */
static struct vg_rect frame_rect(const struct load *l, uint64_t i)
{
	uint32_t cols, rows;

	if (!l->rw)
		return vg_rect_make(0, 0, l->width, l->height);
	cols = l->width / l->rw;
	rows = l->height / l->rh;
	return vg_rect_make((uint32_t)(i % cols) * l->rw,
			    (uint32_t)((i / cols * 7) % rows) * l->rh,
			    l->rw, l->rh);
}

/**
 * update_after() - Wait for the UPDATE of a frame
 * @t:		Harness
 * @i:		Frame number
 * @t0:		When the frame's first command went
 *
 * Return: microseconds from @t0 to the UPDATE read whole
 */
static gint64 update_after(struct gput *t, uint64_t i, gint64 t0)
{
	struct gpud_msg *m = gpud_wait(t->display, VGD_UPDATE, GPUT_TIMEOUT_MS);
	gint64 dt;

	if (!m)
		g_error("frame %" G_GUINT64_FORMAT ": no UPDATE", i);
	dt = m->when - t0;
	gpud_msg_free(m);
	return dt;
}

/**
 * one_frame() - Transfer and flush one rectangle, wait for the UPDATE
 * @t:		Harness
 * @l:		Load
 * @i:		Frame number
 *
 * Return: microseconds from the transfer to the UPDATE read whole
 */
static gint64 one_frame(struct gput *t, const struct load *l, uint64_t i)
{
	struct vg_rect r = frame_rect(l, i);
	uint64_t off = ((uint64_t)r.y * l->width + r.x) * 4;
	gint64 t0 = g_get_monotonic_time();

	if (gput_transfer(t, 1, r, off) != VG_RESP_OK_NODATA ||
	    gput_flush(t, 1, r) != VG_RESP_OK_NODATA)
		g_error("frame %" G_GUINT64_FORMAT ": command failed", i);
	return update_after(t, i, t0);
}

/**
 * post_quiet() - Post a control command with a header-sized response
 * buffer, without kicking
 * @t:		Harness
 * @cmd:	Command
 * @len:	Its bytes
 *
 * Return: the chain id
 */
static int post_quiet(struct gput *t, const void *cmd, uint32_t len)
{
	struct iovec out = { (void *)cmd, len };
	uint32_t in = sizeof(struct vg_hdr);
	int id = vuf_vq_post(t->ctrl, &out, 1, &in, 1, false);

	if (id < 0)
		g_error("post: %s", vuf_vq_error(t->ctrl));
	return id;
}

/**
 * one_frame_pipelined() - Post the transfer and the flush of one rectangle
 * with one notification, wait for both answers and the UPDATE
 * @t:		Harness
 * @l:		Load
 * @i:		Frame number
 *
 * Return: microseconds from the posting to the UPDATE read whole
 */
static gint64 one_frame_pipelined(struct gput *t, const struct load *l,
				  uint64_t i)
{
	struct vg_rect r = frame_rect(l, i);
	struct vg_transfer_2d x = {
		.hdr.type = VG_CMD_TRANSFER_TO_HOST_2D, .r = r,
		.offset = ((uint64_t)r.y * l->width + r.x) * 4,
		.resource_id = 1,
	};
	struct vg_flush f = { .hdr.type = VG_CMD_RESOURCE_FLUSH, .r = r,
			      .resource_id = 1 };
	gint64 t0 = g_get_monotonic_time();
	int a, b;

	a = post_quiet(t, &x, sizeof(x));
	b = post_quiet(t, &f, sizeof(f));
	g_assert_cmpint(vuf_vq_notify(t->ctrl), >=, 0);
	if (gput_reap(t, a) != VG_RESP_OK_NODATA ||
	    gput_reap(t, b) != VG_RESP_OK_NODATA)
		g_error("frame %" G_GUINT64_FORMAT ": command failed", i);
	return update_after(t, i, t0);
}

/**
 * frame() - Run one frame the configured way
 * @t:		Harness
 * @l:		Load
 * @i:		Frame number
 *
 * Return: its latency in microseconds
 */
static gint64 frame(struct gput *t, const struct load *l, uint64_t i)
{
	return l->pipeline ? one_frame_pipelined(t, l, i) : one_frame(t, l, i);
}

/**
 * setup() - A resource of the frame size, drawn, shown on head 0
 * @t:		Harness (connected)
 * @l:		Load
 */
static void setup(struct gput *t, const struct load *l)
{
	struct vg_rect full = vg_rect_make(0, 0, l->width, l->height);
	uint64_t len = (uint64_t)l->width * l->height * 4;
	struct gput_backing *b = gput_backing_new(t, len, 4);
	uint8_t *pix = g_malloc(len);
	uint64_t i;

	for (i = 0; i < len; i++)
		pix[i] = (uint8_t)(i * 31);
	if (gput_create_2d(t, 1, VG_FMT_B8G8R8X8, l->width, l->height) !=
	    VG_RESP_OK_NODATA || gput_attach_backing(t, 1, b) !=
	    VG_RESP_OK_NODATA)
		g_error("cannot create a %ux%u resource", l->width, l->height);
	gput_backing_write(t, b, 0, pix, len);
	if (gput_set_scanout(t, 0, 1, full) != VG_RESP_OK_NODATA)
		g_error("SET_SCANOUT failed");
	g_free(pix);
	g_free(b);
}

/**
 * cmp_i64() - qsort() order of gint64
 * @a:		First
 * @b:		Second
 *
 * Return: <0, 0, >0
 */
static int cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

/**
 * run_load() - Warm up, then measure frames for the configured time
 * @t:		Harness (set up)
 * @l:		Load
 */
static void run_load(struct gput *t, const struct load *l)
{
	gint64 end, t0, t1, *lat = NULL;
	unsigned long long c0, c1;
	size_t n = 0, cap = 0;
	uint64_t i = 0;
	double secs;

	end = g_get_monotonic_time() + (gint64)(l->warmup * G_USEC_PER_SEC);
	while (g_get_monotonic_time() < end)
		frame(t, l, i++);
	c0 = cpu_ticks(t->pid);
	t0 = g_get_monotonic_time();
	end = t0 + (gint64)(l->seconds * G_USEC_PER_SEC);
	while ((t1 = g_get_monotonic_time()) < end) {
		if (n == cap)
			lat = g_renew(gint64, lat, cap = cap ? cap * 2 : 1024);
		lat[n++] = frame(t, l, i++);
	}
	c1 = cpu_ticks(t->pid);
	secs = (double)(t1 - t0) / G_USEC_PER_SEC;
	qsort(lat, n, sizeof(*lat), cmp_i64);
	printf("frames=%zu seconds=%.3f fps=%.1f cpu_us_per_frame=%.2f "
	       "p50_us=%" G_GINT64_FORMAT " p99_us=%" G_GINT64_FORMAT,
	       n, secs, n / secs,
	       (double)(c1 - c0) * 1e6 / sysconf(_SC_CLK_TCK) / (double)n,
	       n ? lat[n / 2] : 0, n ? lat[n * 99 / 100] : 0);
	g_free(lat);
}

/**
 * load_main() - Start the back-end, connect with a display, measure
 * @daemon:	Back-end binary
 * @l:		Load
 *
 * Return: exit status
 */
static int load_main(const char *daemon, const struct load *l)
{
	struct gpud_cfg cfg;
	struct gput t;
	unsigned long rss;

	g_setenv("VU_GPU_LOAD", daemon, TRUE);
	if (!gput_init(&t, "VU_GPU_LOAD"))
		g_error("%s is not executable", daemon);
	t.foreign = l->foreign;
	gpud_cfg_default(&cfg);
	cfg.width[0] = l->width;
	cfg.height[0] = l->height;
	cfg.keep = false;
	gput_start(&t, l->opts, &cfg);
	g_usleep(200000);
	rss = rss_kb(t.pid);
	setup(&t, l);
	run_load(&t, l);
	printf(" rss_idle_kb=%lu\n", rss);
	gput_fini(&t);
	return 0;
}

/**
 * caps_main() - Median wall time of --print-capabilities
 * @daemon:	Back-end binary
 * @runs:	How many runs
 *
 * Return: exit status
 */
static int caps_main(const char *daemon, int runs)
{
	char *argv[] = { (char *)daemon, "--print-capabilities", NULL };
	gint64 *us = g_new(gint64, runs), t0;
	GError *err = NULL;
	int i, status;

	for (i = 0; i < runs; i++) {
		t0 = g_get_monotonic_time();
		if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
				  G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
				  NULL, &status, &err))
			g_error("%s: %s", daemon, err->message);
		us[i] = g_get_monotonic_time() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			g_error("%s --print-capabilities failed", daemon);
	}
	qsort(us, runs, sizeof(*us), cmp_i64);
	printf("caps_runs=%d caps_median_us=%" G_GINT64_FORMAT
	       " caps_min_us=%" G_GINT64_FORMAT "\n", runs, us[runs / 2],
	       us[0]);
	g_free(us);
	return 0;
}

/**
 * parse_rect() - Parse WxH
 * @s:		Text
 * @w:		Width
 * @h:		Height
 *
 * Return: true if well formed and non-zero
 */
static bool parse_rect(const char *s, uint32_t *w, uint32_t *h)
{
	unsigned int a, b;
	char x;

	if (sscanf(s, "%u%c%u", &a, &x, &b) != 3 || x != 'x' || !a || !b)
		return false;
	*w = a;
	*h = b;
	return true;
}

/**
 * main() - Parse the command line and run
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	struct load l = { 1920, 1080, 0, 0, 3.0, 0.5, FALSE, 0, NULL, FALSE };
	char *size = NULL, *rect = NULL;
	GOptionEntry entries[] = {
		{ "size", 0, 0, G_OPTION_ARG_STRING, &size,
		  "Resource size (1920x1080)", "WxH" },
		{ "rect", 0, 0, G_OPTION_ARG_STRING, &rect,
		  "Damage rectangle (default: the whole frame)", "WxH" },
		{ "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &l.seconds,
		  "Measured seconds (3)", "S" },
		{ "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &l.warmup,
		  "Warm-up seconds (0.5)", "S" },
		{ "foreign", 0, 0, G_OPTION_ARG_NONE, &l.foreign,
		  "The back-end is QEMU's (stop it with SIGKILL)", NULL },
		{ "caps", 0, 0, G_OPTION_ARG_INT, &l.caps,
		  "Time N runs of --print-capabilities instead", "N" },
		{ "opts", 0, 0, G_OPTION_ARG_STRING, &l.opts,
		  "Further back-end options", "OPTS" },
		{ "pipeline", 0, 0, G_OPTION_ARG_NONE, &l.pipeline,
		  "Post TRANSFER and FLUSH together with one kick, as Linux "
		  "does (default: each waits for its answer)", NULL },
		{ .long_name = NULL },
	};
	GOptionContext *ctx = g_option_context_new("DAEMON");
	GError *err = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2 ||
	    (size && !parse_rect(size, &l.width, &l.height)) ||
	    (rect && !parse_rect(rect, &l.rw, &l.rh)) || l.rw > l.width ||
	    l.rh > l.height) {
		fprintf(stderr, "vu-gpu-load: %s\n", err ? err->message :
			"bad arguments (see --help)");
		return 1;
	}
	g_option_context_free(ctx);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (l.caps > 0)
		return caps_main(argv[1], l.caps);
	return load_main(argv[1], &l);
}
