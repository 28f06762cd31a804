// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-frontend-stub.c - end to end: the vu-frontend tool against the echo
 * stub back-end (tests/stub), over every ring format and option.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "stub-harness.h"

/**
 * struct env - what every test case shares
 * @frontend:	vu-frontend binary
 * @socket:	Socket path the stub listens on
 * @missing:	A socket path nobody listens on
 */
static struct env {
	const char *frontend;
	char *socket;
	char *missing;
} env;

/**
 * struct run - result of one vu-frontend run
 * @status:	Exit status (-1 if it did not exit normally)
 * @out:	Its stdout
 * @err:	Its stderr
 */
struct run {
	int status;
	char *out;
	char *err;
};

/**
 * frontend() - Run vu-frontend with extra arguments
 * @socket:	Socket path
 * @args:	Space-separated extra arguments
 * @r:		Result (free with run_free())
 */
static void frontend(const char *socket, const char *args, struct run *r)
{
	char *cmd = g_strdup_printf("%s --socket-path=%s %s", env.frontend,
				    socket, args);
	GError *err = NULL;
	char **argv;
	int ws;

	g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &err));
	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
				   NULL, &r->out, &r->err, &ws, &err));
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	if (r->status)
		g_test_message("vu-frontend %s: %s", args, r->err);
	g_strfreev(argv);
	g_free(cmd);
}

/**
 * run_free() - Free a run's output
 * @r:		Result
 */
static void run_free(struct run *r)
{
	g_free(r->out);
	g_free(r->err);
}

/**
 * field() - Read an integer "NAME: VALUE" line of the output
 * @out:	Output
 * @name:	Field name
 *
 * Return: value (the test fails if the line is missing)
 */
static long long field(const char *out, const char *name)
{
	char *key = g_strdup_printf("\n%s: ", name);
	char *full = g_strconcat("\n", out, NULL);
	const char *p = strstr(full, key);
	long long v;

	g_assert_nonnull(p);
	v = g_ascii_strtoll(p + strlen(key), NULL, 10);
	g_free(full);
	g_free(key);
	return v;
}

/**
 * test_requests() - A run completes every request (the tool checks echoes)
 * @data:	Extra arguments (a string)
 */
static void test_requests(gconstpointer data)
{
	char *args = g_strdup_printf("--requests=3000 %s", (const char *)data);
	struct run r;

	frontend(env.socket, args, &r);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpint(field(r.out, "completed"), ==, 3000);
	g_assert_cmpint(field(r.out, "calls"), >=, 1);
	g_assert_cmpstr(r.err, ==, "");
	if (strstr(args, "--packed"))
		g_assert_nonnull(strstr(r.out, " packed"));
	else
		g_assert_nonnull(strstr(r.out, " split"));
	run_free(&r);
	g_free(args);
}

/**
 * test_batching() - With event idx the back-end signals batches, not each
 * request
 */
static void test_batching(void)
{
	struct run r;

	frontend(env.socket, "--requests=20000 --queue-size=1024", &r);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpint(field(r.out, "calls"), <, 20000 / 4);
	g_assert_cmpint(field(r.out, "kicks"), <, 20000 / 4);
	g_assert_nonnull(strstr(r.out, "event-idx"));
	run_free(&r);
}

/**
 * test_info() - --info shows what the stub offers
 */
static void test_info(void)
{
	struct run r;

	frontend(env.socket, "--info", &r);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpint(field(r.out, "queue num"), ==, 2);
	g_assert_cmpint(field(r.out, "config size"), ==, 16);
	g_assert_nonnull(strstr(r.out, "protocol features: 0x"));
	run_free(&r);
}

/**
 * test_config() - --config prints the 16 config bytes in hex
 */
static void test_config(void)
{
	const char *p;
	struct run r;
	int n = 0;

	frontend(env.socket, "--config --requests=10", &r);
	g_assert_cmpint(r.status, ==, 0);
	p = strstr(r.out, "config:");
	g_assert_nonnull(p);
	for (p += 7; *p == ' '; p += 3, n++)
		g_assert_true(g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2]));
	g_assert_cmpint(n, ==, 16);
	run_free(&r);
}

/**
 * check_failure() - A run fails with status 1 and one line on stderr
 * @socket:	Socket path
 * @args:	Extra arguments
 */
static void check_failure(const char *socket, const char *args)
{
	struct run r;

	frontend(socket, args, &r);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_true(g_str_has_prefix(r.err, "vu-frontend: "));
	g_assert_nonnull(strchr(r.err, '\n'));
	g_assert_cmpstr(strchr(r.err, '\n') + 1, ==, "");
	run_free(&r);
}

/**
 * test_failures() - Bad queue, bad size, missing socket, unknown option
 */
static void test_failures(void)
{
	check_failure(env.socket, "--queue=2");
	check_failure(env.socket, "--queue-size=100");
	check_failure(env.socket, "--bogus");
	check_failure(env.missing, "--info");
}

/**
 * main() - Start the stub, run the cases, stop the stub
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	struct harness h;
	GPid pid;
	int ret;

	env.frontend = g_getenv("VU_FRONTEND");
	if (!env.frontend || access(env.frontend, X_OK) || !harness_init(&h)) {
		printf("1..0 # SKIP VU_STUB or VU_FRONTEND missing\n");
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	env.socket = h.socket;
	env.missing = g_build_filename(h.dir, "none.sock", NULL);
	pid = harness_start(&h, 0);
	g_test_add_func("/frontend-stub/info", test_info);
	g_test_add_data_func("/frontend-stub/split", "", test_requests);
	g_test_add_data_func("/frontend-stub/split-indirect", "--indirect",
			     test_requests);
	g_test_add_data_func("/frontend-stub/split-no-event-idx",
			     "--no-event-idx", test_requests);
	g_test_add_data_func("/frontend-stub/packed", "--packed",
			     test_requests);
	g_test_add_data_func("/frontend-stub/packed-indirect",
			     "--packed --indirect --queue-size=100",
			     test_requests);
	g_test_add_data_func("/frontend-stub/packed-no-event-idx",
			     "--packed --no-event-idx", test_requests);
	g_test_add_data_func("/frontend-stub/queue1-small",
			     "--queue=1 --queue-size=2", test_requests);
	g_test_add_func("/frontend-stub/batching", test_batching);
	g_test_add_func("/frontend-stub/config", test_config);
	g_test_add_func("/frontend-stub/failures", test_failures);
	ret = g_test_run();
	harness_stop(pid, SIGTERM);
	g_free(env.missing);
	harness_fini(&h);
	return ret;
}
