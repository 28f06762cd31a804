// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-run.c - running vhost-user-input to completion (option errors,
 * --print-capabilities) and keeping what it printed (see input-harness.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "input-harness.h"
#include "vuf-proc.h"

/**
 * pump() - Read what is ready on the child's output pipes
 * @p:		The two pipes (fd -1 once at end of file)
 * @out:	Where each pipe's bytes go
 * @ms:		How long to wait for something
 *
 * Return: false once both pipes are at end of file
 */
static bool pump(struct pollfd p[2], GString *out[2], int ms)
{
	char buf[4096];
	ssize_t r;
	int i;

	if (p[0].fd < 0 && p[1].fd < 0)
		return false;
	if (poll(p, 2, ms) <= 0)
		return true;
	for (i = 0; i < 2; i++) {
		if (p[i].fd < 0 || !p[i].revents)
			continue;
		r = read(p[i].fd, buf, sizeof(buf));
		if (r > 0) {
			g_string_append_len(out[i], buf, r);
		} else if (r == 0 || errno != EINTR) {
			close(p[i].fd);
			p[i].fd = -1;
		}
	}
	return true;
}

/**
 * reap() - Wait for the child until a deadline, then kill it
 * @pid:	Child
 * @end:	Monotonic deadline
 *
 * Return: wait status, or -1 if it had to be killed
 */
static int reap(GPid pid, gint64 end)
{
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (g_get_monotonic_time() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		g_usleep(5000);
	}
	return status;
}

/**
 * inpt_run_sync() - Run the back-end with some options until it exits
 * (5 s at most: then it is killed and the status is -1)
 * @t:		Harness (for the binary)
 * @opts:	Every option, shell-quoted (no --socket-path is added)
 * @r:		What it left behind (inpt_run_clear())
 */
void inpt_run_sync(const struct inpt *t, const char *opts, struct inpt_run *r)
{
	gint64 end = g_get_monotonic_time() + INPT_TIMEOUT_MS * 1000ll;
	GString *out[2] = { g_string_new(NULL), g_string_new(NULL) };
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLIN } };
	char **argv = vuf_argv(t->daemon, NULL, NULL, opts);
	GError *err = NULL;
	GPid pid;
	int i;

	if (!g_spawn_async_with_pipes(NULL, argv, NULL,
				      G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
				      &pid, NULL, &p[0].fd, &p[1].fd, &err))
		g_error("spawn %s: %s", t->daemon, err->message);
	g_strfreev(argv);
	while (g_get_monotonic_time() < end && pump(p, out, 50))
		;
	r->status = reap(pid, end);
	for (i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	r->out = g_string_free(out[0], FALSE);
	r->err = g_string_free(out[1], FALSE);
}

/**
 * inpt_run_clear() - Free what inpt_run_sync() kept
 * @r:		Result
 */
void inpt_run_clear(struct inpt_run *r)
{
	g_free(r->out);
	g_free(r->err);
}
