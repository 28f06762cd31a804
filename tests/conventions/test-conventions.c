// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-conventions.c - the backend program conventions, checked on the real
 * stub binary ($VU_STUB): options, --fd and --socket-path, reconnects,
 * signals and exit codes, and the installed descriptors against their daemons.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* What the conventions promise: a SIGTERM ends the daemon this fast */
#define SHUTDOWN_MAX_US		100000
/* Generous bound for anything else a daemon should do promptly */
#define TIMEOUT_MS		5000
#define REPLY_FLAGS		0x5u
#define GET_FEATURES		1u
#define F_PROTOCOL_FEATURES	30
#define F_VERSION_1		32

/**
 * struct spawn_io - descriptors a spawned daemon gets
 * @pass_fd:	Becomes the daemon's fd 3, or -1
 * @out_fd:	Becomes its stdout, or -1 for /dev/null
 * @err_fd:	Becomes its stderr, or -1 to share ours
 */
struct spawn_io {
	int pass_fd;
	int out_fd;
	int err_fd;
};

/**
 * struct run_result - what a daemon run to completion printed
 * @status:	Wait status
 * @out:	Standard output
 * @err:	Standard error
 */
struct run_result {
	int status;
	char *out;
	char *err;
};

/**
 * stub_path() - The stub binary under test
 *
 * Return: path from $VU_STUB
 */
static const char *stub_path(void)
{
	const char *p = g_getenv("VU_STUB");

	g_assert_nonnull(p);
	return p;
}

/**
 * run_stub() - Run the stub with arguments to completion
 * @args:	NULL-terminated arguments after the program name
 * @r:		Filled with exit status and output (free with run_clear())
 */
static void run_stub(const char *const *args, struct run_result *r)
{
	GPtrArray *argv = g_ptr_array_new();
	GError *err = NULL;

	g_ptr_array_add(argv, (char *)stub_path());
	for (; *args; args++)
		g_ptr_array_add(argv, (char *)*args);
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
				   G_SPAWN_DEFAULT, NULL, NULL, &r->out,
				   &r->err, &r->status, &err));
	g_assert_no_error(err);
	g_ptr_array_unref(argv);
}

/**
 * run_clear() - Free a run's output
 * @r:		Result
 */
static void run_clear(struct run_result *r)
{
	g_free(r->out);
	g_free(r->err);
}

/**
 * assert_exit() - Assert a wait status is a normal exit with a code
 * @status:	Wait status
 * @code:	Expected exit code
 */
static void assert_exit(int status, int code)
{
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, code);
}

/**
 * assert_one_line() - Assert stderr is one line naming the program
 * @text:	Standard error output
 * @word:	Text the line must contain, or NULL
 */
static void assert_one_line(const char *text, const char *word)
{
	const char *nl = strchr(text, '\n');

	g_assert_true(g_str_has_prefix(text, "vu-stub: "));
	g_assert_nonnull(nl);
	g_assert_cmpstr(nl + 1, ==, "");
	if (word)
		g_assert_nonnull(strstr(text, word));
}

/**
 * expect_failure() - Run the stub, expect exit 1 and one line on stderr
 * @args:	NULL-terminated arguments
 * @word:	Text the error line must contain, or NULL
 */
static void expect_failure(const char *const *args, const char *word)
{
	struct run_result r;

	run_stub(args, &r);
	assert_exit(r.status, 1);
	assert_one_line(r.err, word);
	g_assert_cmpstr(r.out, ==, "");
	run_clear(&r);
}

/**
 * parse_object() - Parse a JSON text that must be an object
 * @text:	JSON text
 *
 * Return: new reference to the root node (an object)
 */
static JsonNode *parse_object(const char *text)
{
	JsonParser *parser = json_parser_new();
	GError *err = NULL;
	JsonNode *root;

	json_parser_load_from_data(parser, text, -1, &err);
	g_assert_no_error(err);
	root = json_parser_get_root(parser);
	g_assert_nonnull(root);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
	root = json_node_ref(root);
	g_object_unref(parser);
	return root;
}

/**
 * test_capabilities() - --print-capabilities wins over everything else
 */
static void test_capabilities(void)
{
	char *dir = g_dir_make_tmp("vu-conv-XXXXXX", NULL);
	char *path = g_build_filename(dir, "sock", NULL);
	char *sp = g_strconcat("--socket-path=", path, NULL);
	const char *args[] = { "--no-such-option", sp, "--fd=junk",
			       "--print-capabilities", "--delay-us=x", NULL };
	struct run_result r;
	JsonObject *o;
	JsonArray *features;
	JsonNode *root;
	guint i;

	run_stub(args, &r);
	assert_exit(r.status, 0);
	g_assert_cmpstr(r.err, ==, "");
	root = parse_object(r.out);
	o = json_node_get_object(root);
	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "stub");
	features = json_object_get_array_member(o, "features");
	g_assert_nonnull(features);
	g_assert_cmpuint(json_array_get_length(features), ==, 1);
	for (i = 0; i < json_array_get_length(features); i++)
		g_assert_nonnull(json_array_get_string_element(features, i));
	g_assert_cmpstr(json_array_get_string_element(features, 0), ==,
			"delay-us");
	/* It opened nothing */
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	json_node_unref(root);
	run_clear(&r);
	g_rmdir(dir);
	g_free(sp);
	g_free(path);
	g_free(dir);
}

/**
 * test_device_info() - --print-device-info describes the stub
 */
static void test_device_info(void)
{
	const char *args[] = { "--bogus", "--print-device-info", NULL };
	struct run_result r;
	JsonObject *o;
	JsonNode *root;

	run_stub(args, &r);
	assert_exit(r.status, 0);
	g_assert_cmpstr(r.err, ==, "");
	root = parse_object(r.out);
	o = json_node_get_object(root);
	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "stub");
	g_assert_cmpint(json_object_get_int_member(o, "virtio-id"), ==, 63);
	g_assert_cmpint(json_object_get_int_member(o, "min-queues"), ==, 2);
	g_assert_cmpint(json_object_get_int_member(o, "max-queues"), ==, 2);
	g_assert_cmpint(json_object_get_int_member(o, "config-size"), ==, 16);
	json_node_unref(root);
	run_clear(&r);
}

/**
 * test_version() - --version prints name and version, nothing else needed
 */
static void test_version(void)
{
	const char *args[] = { "--version", NULL };
	const char *version = g_getenv("VU_VERSION");
	struct run_result r;
	char *expect;

	g_assert_nonnull(version);
	expect = g_strdup_printf("vu-stub %s\n", version);
	run_stub(args, &r);
	assert_exit(r.status, 0);
	g_assert_cmpstr(r.out, ==, expect);
	g_assert_cmpstr(r.err, ==, "");
	run_clear(&r);
	g_free(expect);
}

/**
 * test_help() - --help shows the common and the device options
 */
static void test_help(void)
{
	const char *args[] = { "--help", NULL };
	struct run_result r;

	run_stub(args, &r);
	assert_exit(r.status, 0);
	g_assert_nonnull(strstr(r.out, "--socket-path"));
	g_assert_nonnull(strstr(r.out, "--fd"));
	g_assert_nonnull(strstr(r.out, "--print-capabilities"));
	g_assert_nonnull(strstr(r.out, "--delay-us"));
	run_clear(&r);
}

/**
 * test_bad_options() - Start failures: exit 1, one line on stderr
 */
static void test_bad_options(void)
{
	const char *neither[] = { NULL };
	const char *both[] = { "--socket-path=/nonexistent/x", "--fd=3", NULL };
	const char *unknown[] = { "--fd=3", "--no-such-option", NULL };
	const char *bad_fd[] = { "--fd=three", NULL };
	const char *extra[] = { "--fd=3", "stray", NULL };

	expect_failure(neither, "--socket-path");
	expect_failure(both, "exclusive");
	expect_failure(unknown, "--no-such-option");
	expect_failure(bad_fd, "three");
	expect_failure(extra, "stray");
}

/**
 * test_fd_not_socket() - --fd must name an open socket
 */
static void test_fd_not_socket(void)
{
	/* g_spawn_sync() gives the child /dev/null as stdin */
	const char *devnull[] = { "--fd=0", NULL };
	const char *closed[] = { "--fd=999", NULL };

	expect_failure(devnull, "not a socket");
	expect_failure(closed, "999");
}

/**
 * spawn_stub() - Start the stub in the background
 * @args:	NULL-terminated arguments after the program name
 * @io:		Descriptors to give it
 *
 * Return: its pid
 */
static pid_t spawn_stub(const char *const *args, const struct spawn_io *io)
{
	const char *argv[16] = { stub_path() };
	unsigned int n = 1;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	g_assert_cmpint(null, >=, 0);
	for (; *args && n < G_N_ELEMENTS(argv) - 1; args++)
		argv[n++] = *args;
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		/* Only async-signal-safe calls between fork() and exec() */
		if (io->pass_fd >= 0 && (dup2(io->pass_fd, 3) < 0 ||
		    fcntl(3, F_SETFD, 0) < 0))
			_exit(127);
		if (dup2(io->out_fd >= 0 ? io->out_fd : null, 1) < 0 ||
		    (io->err_fd >= 0 && dup2(io->err_fd, 2) < 0))
			_exit(127);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(null);
	return pid;
}

/**
 * wait_exit() - Wait for a daemon to end, measuring how long it took
 * @pid:	Daemon
 * @timeout_ms:	Kill it and fail after this long
 * @took_us:	Set to the time waited, or NULL
 *
 * Return: wait status
 */
static int wait_exit(pid_t pid, int timeout_ms, gint64 *took_us)
{
	gint64 start = g_get_monotonic_time();
	gint64 deadline = start + (gint64)timeout_ms * 1000;
	int status = 0;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0 &&
	       g_get_monotonic_time() < deadline)
		g_usleep(200);
	if (took_us)
		*took_us = g_get_monotonic_time() - start;
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		g_assert_not_reached();
	}
	g_assert_cmpint(r, ==, pid);
	return status;
}

/**
 * wait_fd() - Wait for a descriptor to become readable
 * @fd:		Descriptor
 * @timeout_ms:	How long
 *
 * Return: true if readable (or hung up) in time
 */
static bool wait_fd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	g_assert_cmpint(r, >=, 0);
	return r > 0;
}

/**
 * read_full() - Read exactly @len bytes, failing on timeout or EOF
 * @fd:		Socket
 * @buf:	Destination
 * @len:	Bytes
 */
static void read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		g_assert_true(wait_fd(fd, TIMEOUT_MS));
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		g_assert_cmpint(n, >, 0);
		done += n;
	}
}

/**
 * send_get_features() - Send a hand-encoded GET_FEATURES request
 * @fd:		Connection to the daemon
 */
static void send_get_features(int fd)
{
	const uint32_t hdr[3] = { GET_FEATURES, 1, 0 };

	g_assert_cmpint(write(fd, hdr, sizeof(hdr)), ==, sizeof(hdr));
}

/**
 * recv_features_reply() - Read and check the reply to GET_FEATURES
 * @fd:		Connection to the daemon
 */
static void recv_features_reply(int fd)
{
	uint32_t hdr[3];
	uint64_t features;

	read_full(fd, hdr, sizeof(hdr));
	g_assert_cmphex(hdr[0], ==, GET_FEATURES);
	g_assert_cmphex(hdr[1], ==, REPLY_FLAGS);
	g_assert_cmpuint(hdr[2], ==, sizeof(features));
	read_full(fd, &features, sizeof(features));
	g_assert_true(features & (1ull << F_VERSION_1));
	g_assert_true(features & (1ull << F_PROTOCOL_FEATURES));
}

/**
 * talk() - One GET_FEATURES round trip
 * @fd:		Connection to the daemon
 */
static void talk(int fd)
{
	send_get_features(fd);
	recv_features_reply(fd);
}

/**
 * fill_addr() - Build the address of a socket path
 * @sa:		Address
 * @path:	Path
 */
static void fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	g_assert_cmpuint(strlen(path), <, sizeof(sa->sun_path));
	strcpy(sa->sun_path, path);
}

/**
 * connect_retry() - Connect to a socket path, waiting for it to appear
 * @path:	Socket path
 *
 * Return: connected socket
 */
static int connect_retry(const char *path)
{
	gint64 deadline = g_get_monotonic_time() + TIMEOUT_MS * 1000;
	struct sockaddr_un sa;
	int fd;

	fill_addr(&sa, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		g_assert_cmpint(fd, >=, 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(1000);
	}
}

/**
 * wait_for_socket() - Wait until a daemon has created its socket path
 * @path:	Socket path
 */
static void wait_for_socket(const char *path)
{
	gint64 deadline = g_get_monotonic_time() + TIMEOUT_MS * 1000;
	struct stat st;

	while (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_usleep(1000);
	}
	/* listen() follows bind() at once */
	g_usleep(20000);
}

/**
 * assert_eof() - Assert the daemon closed a connection
 * @fd:		Connection
 */
static void assert_eof(int fd)
{
	char c;

	g_assert_true(wait_fd(fd, TIMEOUT_MS));
	g_assert_cmpint(read(fd, &c, 1), <=, 0);
}

/**
 * stop_daemon() - Signal a daemon, check it ends fast and with status 0
 * @pid:	Daemon
 * @sig:	SIGTERM or SIGINT
 */
static void stop_daemon(pid_t pid, int sig)
{
	gint64 took;
	int status;

	g_assert_cmpint(kill(pid, sig), ==, 0);
	status = wait_exit(pid, TIMEOUT_MS, &took);
	assert_exit(status, 0);
	g_test_message("shutdown took %" G_GINT64_FORMAT " us", took);
	g_assert_cmpint(took, <=, SHUTDOWN_MAX_US);
}

/**
 * struct path_daemon - a stub serving a socket path in a temporary dir
 * @dir:	Temporary directory
 * @path:	Socket path
 * @pid:	Daemon
 */
struct path_daemon {
	char *dir;
	char *path;
	pid_t pid;
};

/**
 * path_setup() - Make a temporary dir and the socket path in it
 * @d:		Daemon description to fill (no daemon yet)
 */
static void path_setup(struct path_daemon *d)
{
	d->dir = g_dir_make_tmp("vu-conv-XXXXXX", NULL);
	g_assert_nonnull(d->dir);
	d->path = g_build_filename(d->dir, "sock", NULL);
	d->pid = -1;
}

/**
 * path_start() - Start the stub on the socket path
 * @d:		Daemon description
 * @extra:	One extra argument, or NULL
 */
static void path_start(struct path_daemon *d, const char *extra)
{
	char *sp = g_strconcat("--socket-path=", d->path, NULL);
	const char *args[] = { sp, extra, NULL };
	const struct spawn_io io = { -1, -1, -1 };

	d->pid = spawn_stub(args, &io);
	g_free(sp);
}

/**
 * path_teardown() - Remove the temporary dir (the daemon is gone)
 * @d:		Daemon description
 */
static void path_teardown(struct path_daemon *d)
{
	g_unlink(d->path);
	g_assert_cmpint(g_rmdir(d->dir), ==, 0);
	g_free(d->path);
	g_free(d->dir);
}

/**
 * test_socketpair() - --fd with a connected socket: serve it, exit 0 at EOF
 */
static void test_socketpair(void)
{
	const char *args[] = { "--fd=3", NULL };
	struct spawn_io io = { -1, -1, -1 };
	int sv[2];
	pid_t pid;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				   sv), ==, 0);
	io.pass_fd = sv[1];
	pid = spawn_stub(args, &io);
	close(sv[1]);
	talk(sv[0]);
	talk(sv[0]);
	close(sv[0]);
	assert_exit(wait_exit(pid, TIMEOUT_MS, NULL), 0);
}

/**
 * test_listen_fd() - --fd with a listening socket: accept, serve, reconnect
 */
static void test_listen_fd(void)
{
	const char *args[] = { "--fd=3", NULL };
	struct spawn_io io = { -1, -1, -1 };
	struct path_daemon d;
	struct sockaddr_un sa;
	int lfd, c;

	path_setup(&d);
	fill_addr(&sa, d.path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(lfd, 1), ==, 0);
	io.pass_fd = lfd;
	d.pid = spawn_stub(args, &io);
	close(lfd);
	c = connect_retry(d.path);
	talk(c);
	close(c);
	c = connect_retry(d.path);
	talk(c);
	stop_daemon(d.pid, SIGTERM);
	assert_eof(c);
	close(c);
	/* Not ours to remove */
	g_assert_true(g_file_test(d.path, G_FILE_TEST_EXISTS));
	path_teardown(&d);
}

/**
 * test_reconnect() - --socket-path: clients one after another are served
 */
static void test_reconnect(void)
{
	struct path_daemon d;
	int c;

	path_setup(&d);
	path_start(&d, NULL);
	c = connect_retry(d.path);
	talk(c);
	close(c);
	c = connect_retry(d.path);
	talk(c);
	close(c);
	c = connect_retry(d.path);
	talk(c);
	stop_daemon(d.pid, SIGTERM);
	close(c);
	g_assert_false(g_file_test(d.path, G_FILE_TEST_EXISTS));
	path_teardown(&d);
}

/**
 * test_one_at_a_time() - A second client waits until the first has gone
 */
static void test_one_at_a_time(void)
{
	struct path_daemon d;
	int c1, c2;

	path_setup(&d);
	path_start(&d, NULL);
	c1 = connect_retry(d.path);
	talk(c1);
	c2 = connect_retry(d.path);
	send_get_features(c2);
	g_assert_false(wait_fd(c2, 200));
	talk(c1);
	close(c1);
	recv_features_reply(c2);
	stop_daemon(d.pid, SIGTERM);
	close(c2);
	path_teardown(&d);
}

/**
 * test_client_gone() - Clients that leave before their reply do not take
 * the daemon down; the next client is served
 */
static void test_client_gone(void)
{
	struct path_daemon d;
	int c, i;

	path_setup(&d);
	path_start(&d, NULL);
	for (i = 0; i < 20; i++) {
		c = connect_retry(d.path);
		send_get_features(c);
		close(c);
	}
	c = connect_retry(d.path);
	talk(c);
	stop_daemon(d.pid, SIGTERM);
	close(c);
	path_teardown(&d);
}

/**
 * test_in_use() - A second daemon on a live socket path fails, harmlessly
 */
static void test_in_use(void)
{
	struct path_daemon d;
	char *sp;
	int c;

	path_setup(&d);
	path_start(&d, NULL);
	c = connect_retry(d.path);
	talk(c);
	close(c);
	sp = g_strconcat("--socket-path=", d.path, NULL);
	{
		const char *args[] = { sp, NULL };

		expect_failure(args, "in use");
	}
	/* The first daemon still owns and serves the path */
	c = connect_retry(d.path);
	talk(c);
	close(c);
	stop_daemon(d.pid, SIGTERM);
	g_free(sp);
	path_teardown(&d);
}

/**
 * test_stale() - A socket file nobody listens on is replaced
 */
static void test_stale(void)
{
	struct path_daemon d;
	struct sockaddr_un sa;
	int fd, c;

	path_setup(&d);
	fill_addr(&sa, d.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	close(fd);
	g_assert_true(g_file_test(d.path, G_FILE_TEST_EXISTS));
	path_start(&d, NULL);
	c = connect_retry(d.path);
	talk(c);
	stop_daemon(d.pid, SIGTERM);
	close(c);
	path_teardown(&d);
}

/**
 * test_not_socket() - A path that exists and is no socket is left alone
 */
static void test_not_socket(void)
{
	struct path_daemon d;
	char *sp;

	path_setup(&d);
	g_assert_true(g_file_set_contents(d.path, "keep", -1, NULL));
	sp = g_strconcat("--socket-path=", d.path, NULL);
	{
		const char *args[] = { sp, NULL };

		expect_failure(args, "not a socket");
	}
	g_assert_true(g_file_test(d.path, G_FILE_TEST_IS_REGULAR));
	g_free(sp);
	path_teardown(&d);
}

/**
 * test_setup_failure() - The device refusing its options fails the start
 * and removes the socket path again
 */
static void test_setup_failure(void)
{
	struct path_daemon d;
	char *sp;

	path_setup(&d);
	sp = g_strconcat("--socket-path=", d.path, NULL);
	{
		const char *args[] = { sp, "--delay-us=-5", NULL };

		expect_failure(args, "delay-us");
	}
	g_assert_false(g_file_test(d.path, G_FILE_TEST_EXISTS));
	g_free(sp);
	path_teardown(&d);
}

/**
 * test_signal_idle() - SIGTERM/SIGINT end an idle daemon fast, status 0
 * @data:	The signal, as a pointer
 */
static void test_signal_idle(gconstpointer data)
{
	struct path_daemon d;

	path_setup(&d);
	path_start(&d, NULL);
	wait_for_socket(d.path);
	stop_daemon(d.pid, GPOINTER_TO_INT(data));
	g_assert_false(g_file_test(d.path, G_FILE_TEST_EXISTS));
	path_teardown(&d);
}

/**
 * test_signal_connected() - Signals end a daemon with a client, fast
 * @data:	The signal, as a pointer
 */
static void test_signal_connected(gconstpointer data)
{
	struct path_daemon d;
	int c;

	path_setup(&d);
	path_start(&d, NULL);
	c = connect_retry(d.path);
	talk(c);
	stop_daemon(d.pid, GPOINTER_TO_INT(data));
	assert_eof(c);
	close(c);
	g_assert_false(g_file_test(d.path, G_FILE_TEST_EXISTS));
	path_teardown(&d);
}

/**
 * read_pipe() - Read a pipe to EOF and close it
 * @fd:		Read end; every write end is closed
 *
 * Return: the bytes read, NUL-terminated
 */
static char *read_pipe(int fd)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		g_assert_cmpint(n, >, 0);
		g_string_append_len(s, buf, n);
	}
	close(fd);
	return g_string_free(s, FALSE);
}

/**
 * run_socketpair_logged() - Serve one GET_FEATURES on a socketpair, capture
 * @verbose:	Pass --verbose
 * @out:	Set to what the daemon wrote on stdout
 * @err:	Set to what it wrote on stderr
 */
static void run_socketpair_logged(bool verbose, char **out, char **err)
{
	const char *args[] = { "--fd=3", verbose ? "--verbose" : NULL, NULL };
	struct spawn_io io = { -1, -1, -1 };
	int sv[2], po[2], pe[2];
	pid_t pid;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				   sv), ==, 0);
	g_assert_cmpint(pipe2(po, O_CLOEXEC), ==, 0);
	g_assert_cmpint(pipe2(pe, O_CLOEXEC), ==, 0);
	io.pass_fd = sv[1];
	io.out_fd = po[1];
	io.err_fd = pe[1];
	pid = spawn_stub(args, &io);
	close(sv[1]);
	close(po[1]);
	close(pe[1]);
	talk(sv[0]);
	close(sv[0]);
	assert_exit(wait_exit(pid, TIMEOUT_MS, NULL), 0);
	*out = read_pipe(po[0]);
	*err = read_pipe(pe[0]);
}

/**
 * test_verbose() - --verbose turns debug messages on, all logs go to stderr
 */
static void test_verbose(void)
{
	char *out, *err;

	run_socketpair_logged(false, &out, &err);
	g_assert_cmpstr(out, ==, "");
	g_assert_null(strstr(err, "DEBUG"));
	g_free(out);
	g_free(err);
	run_socketpair_logged(true, &out, &err);
	g_assert_cmpstr(out, ==, "");
	g_assert_nonnull(strstr(err, "DEBUG"));
	g_free(out);
	g_free(err);
}

/**
 * descriptor_type() - Read and check a descriptor file
 * @desc:	Descriptor path
 * @binary:	Built binary it describes
 *
 * Return: the descriptor's type (g_free() it)
 */
static char *descriptor_type(const char *desc, const char *binary)
{
	/* The schema values our daemons use */
	static const char *const types[] = { "block", "net", "input", "gpu",
					     NULL };
	JsonParser *parser = json_parser_new();
	GError *err = NULL;
	char *base = g_path_get_basename(binary), *type;
	const char *bin;
	JsonObject *o;

	json_parser_load_from_file(parser, desc, &err);
	g_assert_no_error(err);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	o = json_node_get_object(json_parser_get_root(parser));
	g_assert_nonnull(json_object_get_string_member(o, "description"));
	type = g_strdup(json_object_get_string_member(o, "type"));
	g_assert_nonnull(type);
	g_assert_true(g_strv_contains(types, type));
	bin = json_object_get_string_member(o, "binary");
	g_assert_true(g_path_is_absolute(bin));
	g_assert_true(g_str_has_suffix(bin, base));
	g_object_unref(parser);
	g_free(base);
	return type;
}

/**
 * capabilities_type() - Run a daemon's --print-capabilities
 * @binary:	Built daemon
 *
 * Return: the type it reports (g_free() it)
 */
static char *capabilities_type(const char *binary)
{
	char *argv[] = { (char *)binary, "--print-capabilities", NULL };
	GError *err = NULL;
	char *out = NULL, *type;
	JsonNode *root;
	int status;

	g_assert_true(g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE));
	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
				   NULL, NULL, &out, NULL, &status, &err));
	g_assert_no_error(err);
	assert_exit(status, 0);
	root = parse_object(out);
	type = g_strdup(json_object_get_string_member(
				json_node_get_object(root), "type"));
	g_assert_true(json_object_has_member(json_node_get_object(root),
					     "features"));
	json_node_unref(root);
	g_free(out);
	return type;
}

/**
 * test_descriptors() - Each configured descriptor matches its daemon
 *
 * $VU_DESCRIPTORS lists "DESCRIPTOR=BINARY" pairs separated by ';', one per
 * daemon being built; the descriptor's type must be the one the daemon
 * reports with --print-capabilities.
 */
static void test_descriptors(void)
{
	const char *list = g_getenv("VU_DESCRIPTORS");
	char **pairs, **p, **kv, *dtype, *btype;

	if (!list || !*list) {
		g_test_skip("no daemon is built yet");
		return;
	}
	pairs = g_strsplit(list, ";", -1);
	for (p = pairs; *p; p++) {
		kv = g_strsplit(*p, "=", 2);
		g_assert_nonnull(kv[0]);
		g_assert_nonnull(kv[1]);
		dtype = descriptor_type(kv[0], kv[1]);
		btype = capabilities_type(kv[1]);
		g_assert_cmpstr(dtype, ==, btype);
		g_free(dtype);
		g_free(btype);
		g_strfreev(kv);
	}
	g_strfreev(pairs);
}

/**
 * main() - Register and run the convention tests
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: test status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* A daemon dying under us must not kill the test */
	signal(SIGPIPE, SIG_IGN);
	g_test_add_func("/conventions/print-capabilities", test_capabilities);
	g_test_add_func("/conventions/print-device-info", test_device_info);
	g_test_add_func("/conventions/version", test_version);
	g_test_add_func("/conventions/help", test_help);
	g_test_add_func("/conventions/bad-options", test_bad_options);
	g_test_add_func("/conventions/fd-not-socket", test_fd_not_socket);
	g_test_add_func("/conventions/fd-socketpair", test_socketpair);
	g_test_add_func("/conventions/fd-listening", test_listen_fd);
	g_test_add_func("/conventions/socket-path/reconnect", test_reconnect);
	g_test_add_func("/conventions/socket-path/one-at-a-time",
			test_one_at_a_time);
	g_test_add_func("/conventions/socket-path/client-gone",
			test_client_gone);
	g_test_add_func("/conventions/socket-path/in-use", test_in_use);
	g_test_add_func("/conventions/socket-path/stale", test_stale);
	g_test_add_func("/conventions/socket-path/not-a-socket",
			test_not_socket);
	g_test_add_func("/conventions/socket-path/setup-failure",
			test_setup_failure);
	g_test_add_data_func("/conventions/sigterm/idle",
			     GINT_TO_POINTER(SIGTERM), test_signal_idle);
	g_test_add_data_func("/conventions/sigterm/connected",
			     GINT_TO_POINTER(SIGTERM), test_signal_connected);
	g_test_add_data_func("/conventions/sigint/idle",
			     GINT_TO_POINTER(SIGINT), test_signal_idle);
	g_test_add_data_func("/conventions/sigint/connected",
			     GINT_TO_POINTER(SIGINT), test_signal_connected);
	g_test_add_func("/conventions/verbose", test_verbose);
	g_test_add_func("/conventions/descriptors", test_descriptors);
	return g_test_run();
}
