// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vuf-proc.c - the back-end process of a test: started so that a failed
 * assertion leaves none behind, stopped and reaped with its exit checked.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "vuf-proc.h"

/**
 * vuf_die_with_parent() - In the child before exec: SIGKILL when the test
 * dies
 * @data:	Unused
 */
static void vuf_die_with_parent(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * vuf_spawn() - Start a back-end, not reaped, its standard output discarded
 * (it would corrupt the TAP stream); its standard error is the test's
 * @argv:	Command line (NULL-terminated)
 * @extra:	More GSpawnFlags (G_SPAWN_LEAVE_DESCRIPTORS_OPEN, ...)
 * @pid:	Set to its process id
 * @err:	Error
 *
 * Return: true if it started
 */
bool vuf_spawn(char **argv, GSpawnFlags extra, GPid *pid, GError **err)
{
	return g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
			     G_SPAWN_STDOUT_TO_DEV_NULL | extra,
			     vuf_die_with_parent, NULL, pid, err);
}

/**
 * vuf_reap() - Signal a back-end and reap it
 * @pid:	Its process id, set to 0 (nothing happens if it is 0)
 * @sig:	Signal; with SIGTERM the back-end must exit with status 0,
 *		which also shows it survived everything the test sent
 */
void vuf_reap(GPid *pid, int sig)
{
	int status;

	if (!*pid)
		return;
	g_assert_cmpint(kill(*pid, sig), ==, 0);
	g_assert_cmpint(waitpid(*pid, &status, 0), ==, *pid);
	*pid = 0;
	if (sig != SIGTERM)
		return;
	if (WIFSIGNALED(status))
		g_error("back-end killed by signal %d", WTERMSIG(status));
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/**
 * vuf_argv() - A back-end's command line: the binary, --socket-path, one
 * more argument, then options parsed as a shell would
 * @daemon:	Binary
 * @sock:	Socket path for --socket-path, or NULL for none
 * @extra:	One more argument (taken as is), or NULL
 * @opts:	Options, shell-quoted, or NULL
 *
 * Return: NULL-terminated vector (g_strfreev())
 */
char **vuf_argv(const char *daemon, const char *sock, const char *extra,
		const char *opts)
{
	GPtrArray *argv = g_ptr_array_new();
	char **v = NULL;
	unsigned int i;

	if (opts && *opts)
		g_assert_true(g_shell_parse_argv(opts, NULL, &v, NULL));
	g_ptr_array_add(argv, g_strdup(daemon));
	if (sock)
		g_ptr_array_add(argv, g_strdup_printf("--socket-path=%s", sock));
	if (extra)
		g_ptr_array_add(argv, g_strdup(extra));
	for (i = 0; v && v[i]; i++)
		g_ptr_array_add(argv, v[i]);
	g_free(v);
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}
