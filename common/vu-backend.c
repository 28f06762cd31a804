// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-backend.c - the backend program conventions, once for every daemon:
 * options, --print-capabilities, --fd/--socket-path, one front-end at a time,
 * SIGTERM/SIGINT and exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "vu-backend.h"
#include "vu-config.h"
#include "vu-dev.h"
#include "vu-loop.h"

/**
 * struct vu_opts - the options every backend program takes
 * @socket_path:	--socket-path: listen on this Unix socket path
 * @fd_str:		--fd: inherited socket, as given
 * @fd:			@fd_str parsed, -1 if not given
 * @verbose:		--verbose: debug messages on
 * @version:		--version: print name and version, exit
 * @help:		--help: print every option group, exit
 * @print:		Storage for --print-* (handled before parsing)
 */
struct vu_opts {
	char *socket_path;
	char *fd_str;
	int fd;
	gboolean verbose;
	gboolean version;
	gboolean help;
	gboolean print;
};

/**
 * struct vu_server - a running backend: device, event loop, transport
 * @b:			The daemon
 * @dev:		Device instance
 * @loop:		Core event loop (workers)
 * @main:		Main loop of the default context
 * @listen_fd:		Listening socket, -1 when serving an inherited
 *			connected socket
 * @conn_fd:		Inherited connected socket not yet handed to the
 *			device, -1 if none
 * @listen_src:		Source id of the watch on @listen_fd, 0 if none
 * @conn_src:		Source id of the connection watch, 0 if none
 * @sig_src:		Source ids of the SIGTERM and SIGINT handlers
 * @path:		Socket path we created (removed at exit), or NULL
 * @once:		Quit when the connection closes (inherited socket)
 * @stopping:		Shutting down: do not accept again
 * @status:		Exit status
 */
struct vu_server {
	const struct vu_backend *b;
	struct vu_dev *dev;
	struct vu_loop *loop;
	GMainLoop *main;
	int listen_fd;
	int conn_fd;
	guint listen_src;
	guint conn_src;
	guint sig_src[2];
	char *path;
	bool once;
	bool stopping;
	int status;
};

/**
 * vu_has_arg() - Whether an exact argument appears anywhere on the command line
 * @argc:	Argument count
 * @argv:	Arguments
 * @arg:	Argument to look for
 *
 * Return: true if @arg is one of @argv[1 .. @argc - 1]
 */
static bool vu_has_arg(int argc, char **argv, const char *arg)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i] && !strcmp(argv[i], arg))
			return true;
	}
	return false;
}

/**
 * vu_print_json() - Print a built JSON document, pretty, on stdout
 * @builder:	Builder holding a complete document
 *
 * Return: 0, or 1 if stdout could not be written
 */
static int vu_print_json(JsonBuilder *builder)
{
	JsonGenerator *gen = json_generator_new();
	JsonNode *root = json_builder_get_root(builder);
	gchar *text;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	fputs(text, stdout);
	fputc('\n', stdout);
	g_free(text);
	json_node_unref(root);
	g_object_unref(gen);
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return 0;
}

/**
 * vu_print_capabilities() - --print-capabilities: type and features as JSON
 * @b:		The daemon
 *
 * Return: exit status
 */
static int vu_print_capabilities(const struct vu_backend *b)
{
	GPtrArray *features = g_ptr_array_new_with_free_func(g_free);
	JsonBuilder *builder = json_builder_new();
	guint i;
	int ret;

	if (b->features)
		b->features(features);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "type");
	json_builder_add_string_value(builder, b->type);
	json_builder_set_member_name(builder, "features");
	json_builder_begin_array(builder);
	for (i = 0; i < features->len; i++)
		json_builder_add_string_value(builder, features->pdata[i]);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	ret = vu_print_json(builder);
	g_object_unref(builder);
	g_ptr_array_unref(features);
	return ret;
}

/**
 * vu_add_int() - Add an integer member to the object being built
 * @builder:	Builder inside an object
 * @name:	Member name
 * @value:	Value
 */
static void vu_add_int(JsonBuilder *builder, const char *name, gint64 value)
{
	json_builder_set_member_name(builder, name);
	json_builder_add_int_value(builder, value);
}

/**
 * vu_print_device_info() - --print-device-info: what a generic front-end needs
 * @b:		The daemon
 *
 * The members map to the properties of QEMU's vhost-user-device-pci:
 * "virtio-id" is its virtio-id, "max-queues" its num_vqs, "config-size" its
 * config_size; "min-queues" is the fewest queues the device runs with.
 *
 * Return: exit status
 */
static int vu_print_device_info(const struct vu_backend *b)
{
	JsonBuilder *builder = json_builder_new();
	int ret;

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "type");
	json_builder_add_string_value(builder, b->type);
	vu_add_int(builder, "virtio-id", b->virtio_id);
	vu_add_int(builder, "min-queues", b->min_queues);
	vu_add_int(builder, "max-queues", b->max_queues);
	vu_add_int(builder, "config-size", b->config_size);
	json_builder_end_object(builder);
	ret = vu_print_json(builder);
	g_object_unref(builder);
	return ret;
}

/**
 * vu_ensure_std_fds() - Make sure fds 0, 1 and 2 are open
 *
 * A missing one gets /dev/null, so that no socket or device we open later
 * lands on it and receives log output.
 *
 * Return: 0, or -1 if /dev/null could not be opened
 */
static int vu_ensure_std_fds(void)
{
	int fd, nfd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free descriptor is @fd: lower ones are open */
		nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			close(nfd);
			return -1;
		}
	}
	return 0;
}

/**
 * vu_enable_debug() - Turn debug messages on at run time (--verbose)
 */
static void vu_enable_debug(void)
{
#if GLIB_CHECK_VERSION(2, 72, 0)
	g_log_set_debug_enabled(TRUE);
#else
	/* Older GLib reads it at each message; nothing has logged yet */
	g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
#endif
}

/**
 * vu_log_to_stderr() - Send every log level to stderr
 *
 * GLib writes debug and info messages to stdout by default; stdout is for
 * --print-capabilities and the like only.
 */
static void vu_log_to_stderr(void)
{
#if GLIB_CHECK_VERSION(2, 68, 0)
	g_log_writer_default_set_use_stderr(TRUE);
#endif
}

/**
 * vu_parse_fd() - Parse the --fd argument
 * @opts:	Options; sets @opts->fd
 * @err:	Error
 *
 * Return: true on success
 */
static bool vu_parse_fd(struct vu_opts *opts, GError **err)
{
	gint64 v;

	opts->fd = -1;
	if (!opts->fd_str)
		return true;
	if (!g_ascii_string_to_signed(opts->fd_str, 10, 0, INT_MAX, &v, NULL)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--fd: '%s' is not a file descriptor number",
			    opts->fd_str);
		return false;
	}
	opts->fd = (int)v;
	return true;
}

/**
 * vu_option_context() - Build the option parser: ours, then the device's
 * @b:		The daemon
 * @opts:	Where the common options are stored
 *
 * GLib shows a secondary group only with --help-GROUP, so help is ours and
 * prints every group: the device options are part of plain --help.
 *
 * Return: new context
 */
static GOptionContext *vu_option_context(const struct vu_backend *b,
					 struct vu_opts *opts)
{
	const GOptionEntry entries[] = {
		{ "socket-path", 0, 0, G_OPTION_ARG_FILENAME,
		  &opts->socket_path, "Listen on this Unix socket", "PATH" },
		{ "fd", 0, 0, G_OPTION_ARG_STRING, &opts->fd_str,
		  "Use this inherited socket (listening or connected)",
		  "FDNUM" },
		{ "print-capabilities", 0, 0, G_OPTION_ARG_NONE, &opts->print,
		  "Print type and features as JSON and exit", NULL },
		{ "print-device-info", 0, 0, G_OPTION_ARG_NONE, &opts->print,
		  "Print virtio id, queues and config size as JSON and exit",
		  NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &opts->verbose,
		  "Log debug messages", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &opts->version,
		  "Print the version and exit", NULL },
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &opts->help,
		  "Show this help and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	GOptionGroup *group;

	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_set_summary(ctx, b->summary);
	g_option_context_set_description(ctx,
		"Exactly one of --socket-path and --fd is required.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (b->options) {
		group = g_option_group_new("device", "Device options:",
					   "Show device options", NULL, NULL);
		g_option_group_add_entries(group, b->options);
		g_option_context_add_group(ctx, group);
	}
	return ctx;
}

/**
 * vu_check_transport() - Exactly one of --socket-path and --fd
 * @opts:	Parsed options
 * @err:	Error
 *
 * Return: true if the transport options are usable
 */
static bool vu_check_transport(const struct vu_opts *opts, GError **err)
{
	if (opts->socket_path && opts->fd >= 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "--socket-path and --fd are mutually exclusive");
		return false;
	}
	if (!opts->socket_path && opts->fd < 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "--socket-path or --fd is required (see --help)");
		return false;
	}
	return true;
}

/**
 * vu_parse_options() - Parse the command line, handle --help and --version
 * @b:		The daemon
 * @opts:	Filled with the common options
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: -1 to go on, else the exit status
 */
static int vu_parse_options(const struct vu_backend *b, struct vu_opts *opts,
			    int argc, char **argv)
{
	GOptionContext *ctx = vu_option_context(b, opts);
	GError *err = NULL;
	int ret = -1;
	char *help;

	if (!g_option_context_parse(ctx, &argc, &argv, &err) ||
	    !vu_parse_fd(opts, &err)) {
		ret = 1;
	} else if (opts->help) {
		help = g_option_context_get_help(ctx, FALSE, NULL);
		g_print("%s", help);
		g_free(help);
		ret = 0;
	} else if (opts->version) {
		g_print("%s %s\n", b->name, VU_VERSION);
		ret = 0;
	} else if (argc > 1) {
		g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "unexpected argument '%s'", argv[1]);
		ret = 1;
	} else if (!vu_check_transport(opts, &err)) {
		ret = 1;
	}
	if (err)
		g_printerr("%s: %s\n", b->name, err->message);
	g_clear_error(&err);
	g_option_context_free(ctx);
	return ret;
}

/**
 * vu_set_errno_error() - Set a GError from errno with a formatted prefix
 * @err:	Error to set
 * @what:	What failed, shown before the errno text
 * @path:	Path or name involved
 */
static void vu_set_errno_error(GError **err, const char *what,
			       const char *path)
{
	int e = errno;

	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
		    "%s %s: %s", what, path, g_strerror(e));
}

/**
 * vu_fill_sockaddr() - Build the address of a socket path
 * @sa:		Address to fill
 * @path:	Socket path
 * @err:	Error
 *
 * Return: true if @path fits in @sa
 */
static bool vu_fill_sockaddr(struct sockaddr_un *sa, const char *path,
			     GError **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
			    "socket path too long: %s", path);
		return false;
	}
	strcpy(sa->sun_path, path);
	return true;
}

/**
 * vu_clear_stale_socket() - Remove a socket file nobody listens on any more
 * @sa:		Address of the socket path
 * @err:	Error
 *
 * A live socket (or a full backlog: EAGAIN on a non-blocking connect) means
 * another back-end serves the path; anything but a socket is not ours.
 *
 * Return: true if the path is free now
 */
static bool vu_clear_stale_socket(const struct sockaddr_un *sa, GError **err)
{
	struct stat st;
	int fd, r, e;

	if (lstat(sa->sun_path, &st) < 0) {
		if (errno == ENOENT)
			return true;
		vu_set_errno_error(err, "cannot stat", sa->sun_path);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
			    "%s exists and is not a socket", sa->sun_path);
		return false;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		vu_set_errno_error(err, "cannot probe", sa->sun_path);
		return false;
	}
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(fd);
	if (r < 0 && e == ECONNREFUSED) {
		if (unlink(sa->sun_path) == 0 || errno == ENOENT)
			return true;
		vu_set_errno_error(err, "cannot remove stale socket",
				   sa->sun_path);
		return false;
	}
	if (r == 0 || e == EAGAIN) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST,
			    "socket path in use: %s", sa->sun_path);
		return false;
	}
	errno = e;
	vu_set_errno_error(err, "cannot probe socket", sa->sun_path);
	return false;
}

/**
 * vu_listen_path() - Create, bind and listen on a Unix socket path
 * @path:	Socket path
 * @err:	Error
 *
 * Return: non-blocking listening socket, or -1 with @err set
 */
static int vu_listen_path(const char *path, GError **err)
{
	struct sockaddr_un sa;
	int fd;

	if (!vu_fill_sockaddr(&sa, path, err) ||
	    !vu_clear_stale_socket(&sa, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		vu_set_errno_error(err, "cannot create socket", path);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		vu_set_errno_error(err, "cannot bind", path);
		close(fd);
		return -1;
	}
	if (listen(fd, 1) < 0) {
		vu_set_errno_error(err, "cannot listen on", path);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/**
 * vu_set_fd_flags() - Set close-on-exec and the blocking mode of a socket
 * @fd:		Socket
 * @nonblock:	Make it non-blocking (listening) or blocking (connection)
 *
 * Return: 0, or -1 on error
 */
static int vu_set_fd_flags(int fd, bool nonblock)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	fl = nonblock ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

/**
 * vu_check_inherited_fd() - Validate --fd and tell listening from connected
 * @fd:		Inherited descriptor
 * @listening:	Set to whether it is a listening socket
 * @err:	Error
 *
 * QEMU's daemons disagree on what --fd is; libvirt passes one end of a
 * socketpair(). SO_ACCEPTCONN tells the two apart.
 *
 * Return: true if @fd is a usable socket
 */
static bool vu_check_inherited_fd(int fd, bool *listening, GError **err)
{
	char name[32];
	struct stat st;
	socklen_t len = sizeof(int);
	int acc = 0;

	g_snprintf(name, sizeof(name), "%d", fd);
	if (fstat(fd, &st) < 0) {
		vu_set_errno_error(err, "--fd: bad descriptor", name);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "--fd: descriptor %d is not a socket", fd);
		return false;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0 ||
	    vu_set_fd_flags(fd, acc) < 0) {
		vu_set_errno_error(err, "--fd: cannot use descriptor", name);
		return false;
	}
	*listening = acc;
	return true;
}

/* The server of vu_backend_main(), for vu_backend_quit() (one per process) */
static struct vu_server *vu_running;

static void vu_watch_listener(struct vu_server *s);

/**
 * vu_conn_closed() - The front-end connection is gone
 * @dev:	Device (already disconnected by the loop)
 * @data:	Server
 */
static void vu_conn_closed(struct vu_dev *dev, void *data)
{
	struct vu_server *s = data;

	s->conn_src = 0;
	if (s->stopping)
		return;
	g_message("front-end disconnected");
	if (s->once)
		g_main_loop_quit(s->main);
	else
		vu_watch_listener(s);
}

/**
 * vu_serve() - Start serving a connected front-end socket
 * @s:		Server
 * @sock:	Connected socket, handed to the device
 */
static void vu_serve(struct vu_server *s, int sock)
{
	g_message("front-end connected");
	s->conn_src = vu_loop_watch_conn(s->dev, sock, vu_conn_closed, s);
}

/**
 * vu_accept() - The listening socket is readable: take one front-end
 * @fd:		Listening socket
 * @cond:	Condition
 * @data:	Server
 *
 * Only one front-end is served at a time: the listener is not watched
 * while a connection lives, so the next one waits in the backlog.
 *
 * Return: G_SOURCE_REMOVE once a connection is accepted
 */
static gboolean vu_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct vu_server *s = data;
	int sock = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (sock < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return G_SOURCE_CONTINUE;
		g_warning("accept: %s", g_strerror(errno));
		(vu_running ? vu_running : s)->status = 1;
		s->listen_src = 0;
		g_main_loop_quit(s->main);
		return G_SOURCE_REMOVE;
	}
	s->listen_src = 0;
	vu_serve(s, sock);
	return G_SOURCE_REMOVE;
}

/**
 * vu_watch_listener() - Wait for the next front-end
 * @s:		Server
 */
static void vu_watch_listener(struct vu_server *s)
{
	if (!s->listen_src)
		s->listen_src = g_unix_fd_add(s->listen_fd, G_IO_IN, vu_accept,
					      s);
}

/**
 * vu_quit_now() - On the main thread: end the main loop with a status
 * @data:	Exit status, as a pointer-sized integer
 *
 * Return: G_SOURCE_REMOVE
 */
static gboolean vu_quit_now(gpointer data)
{
	struct vu_server *s = vu_running;

	if (!s)
		return G_SOURCE_REMOVE;
	if (GPOINTER_TO_INT(data))
		s->status = GPOINTER_TO_INT(data);
	g_main_loop_quit(s->main);
	return G_SOURCE_REMOVE;
}

/**
 * vu_backend_quit() - Have vu_backend_main() return, from any thread
 * @status:	Exit status (non-zero: the device's host side failed, e.g.
 *		an input device was unplugged)
 *
 * The shutdown is the same as on SIGTERM; only the status differs.
 */
void vu_backend_quit(int status)
{
	GSource *src = g_idle_source_new();

	/* Always deferred to the main loop, even before it runs */
	g_source_set_callback(src, vu_quit_now, GINT_TO_POINTER(status), NULL);
	g_source_attach(src, g_main_context_default());
	g_source_unref(src);
}

/**
 * vu_on_signal() - SIGTERM or SIGINT: shut down cleanly
 * @data:	Server
 *
 * Return: G_SOURCE_CONTINUE (the source is removed at shutdown)
 */
static gboolean vu_on_signal(gpointer data)
{
	struct vu_server *s = data;

	g_debug("signal received, shutting down");
	g_main_loop_quit(s->main);
	return G_SOURCE_CONTINUE;
}

/**
 * vu_open_transport() - Listen on --socket-path or take over --fd
 * @s:		Server
 * @opts:	Parsed options
 * @err:	Error
 *
 * Done before the device is set up, so that a busy path or a bad --fd fails
 * at once; a front-end that connects meanwhile waits in the backlog.
 *
 * Return: true on success
 */
static bool vu_open_transport(struct vu_server *s, const struct vu_opts *opts,
			      GError **err)
{
	bool listening;

	if (opts->socket_path) {
		s->listen_fd = vu_listen_path(opts->socket_path, err);
		if (s->listen_fd < 0)
			return false;
		s->path = g_strdup(opts->socket_path);
		return true;
	}
	if (!vu_check_inherited_fd(opts->fd, &listening, err))
		return false;
	if (listening) {
		s->listen_fd = opts->fd;
	} else {
		s->conn_fd = opts->fd;
		s->once = true;
	}
	return true;
}

/**
 * vu_setup_device() - Let the daemon set its device up, then create the
 * device instance and its event loop
 * @s:		Server
 * @priv:	Set to the daemon's data
 * @err:	Error
 *
 * Return: true on success
 */
static bool vu_setup_device(struct vu_server *s, void **priv, GError **err)
{
	const struct vu_device *device = s->b->setup(priv, err);

	if (!device)
		return false;
	s->dev = vu_dev_new(device, *priv);
	s->loop = vu_loop_new(s->dev);
	return true;
}

/**
 * vu_start() - Serve the inherited connection, or wait for front-ends
 * @s:		Server, transport open and device set up
 */
static void vu_start(struct vu_server *s)
{
	int sock = s->conn_fd;

	if (sock >= 0) {
		g_debug("serving inherited connected socket %d", sock);
		s->conn_fd = -1;
		vu_serve(s, sock);
		return;
	}
	if (s->path)
		g_message("listening on %s", s->path);
	else
		g_debug("listening on inherited socket %d", s->listen_fd);
	vu_watch_listener(s);
}

/**
 * vu_server_close() - Stop accepting, disconnect, free the instance
 * @s:		Server (the primary one or a port of vu_backend_serve())
 */
static void vu_server_close(struct vu_server *s)
{
	s->stopping = true;
	if (s->listen_src)
		g_source_remove(s->listen_src);
	if (s->path)
		unlink(s->path);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->conn_fd >= 0)
		close(s->conn_fd);
	if (s->conn_src)
		g_source_remove(s->conn_src);
	if (s->dev) {
		vu_dev_disconnect(s->dev);
		vu_loop_free(s->loop);
		vu_dev_free(s->dev);
	}
	g_free(s->path);
}

/* Further ports of vu_backend_serve() (struct vu_server *) */
static GPtrArray *vu_ports;

/**
 * vu_server_stop() - Shut down: every port, then the device's teardown
 * @s:		Primary server
 * @priv:	Daemon data from setup
 */
static void vu_server_stop(struct vu_server *s, void *priv)
{
	unsigned int i;

	for (i = 0; vu_ports && i < vu_ports->len; i++) {
		vu_server_close(vu_ports->pdata[i]);
		g_free(vu_ports->pdata[i]);
	}
	g_clear_pointer(&vu_ports, g_ptr_array_unref);
	vu_server_close(s);
	if (s->dev && s->b->teardown)
		s->b->teardown(priv);
}

/**
 * vu_backend_serve() - From setup: serve one more device on its own socket
 * @path:	Socket path to listen on
 * @device:	The device (its own rings, workers and front-end)
 * @priv:	Its vu_dev_priv()
 * @err:	Error
 *
 * For daemons serving several devices (the ports of a switch). The ports
 * are shut down before the daemon's teardown runs.
 *
 * Return: true when it listens
 */
bool vu_backend_serve(const char *path, const struct vu_device *device,
		      void *priv, GError **err)
{
	struct vu_server *s;
	int fd;

	if (!vu_running) {
		g_set_error_literal(err, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "vu_backend_serve() outside setup");
		return false;
	}
	fd = vu_listen_path(path, err);
	if (fd < 0)
		return false;
	s = g_new0(struct vu_server, 1);
	s->b = vu_running->b;
	s->main = vu_running->main;
	s->listen_fd = fd;
	s->conn_fd = -1;
	s->path = g_strdup(path);
	s->dev = vu_dev_new(device, priv);
	s->loop = vu_loop_new(s->dev);
	if (!vu_ports)
		vu_ports = g_ptr_array_new();
	g_ptr_array_add(vu_ports, s);
	g_message("listening on %s", path);
	vu_watch_listener(s);
	return true;
}

/**
 * vu_prepare() - Catch stop signals, set the device up, open the transport
 * @s:		Server
 * @opts:	Parsed options
 * @priv:	Set to the daemon's data
 * @err:	Error
 *
 * Signals first: one during a slow start still ends the daemon cleanly.
 *
 * Return: true if everything is ready to serve
 */
static bool vu_prepare(struct vu_server *s, const struct vu_opts *opts,
		       void **priv, GError **err)
{
	s->sig_src[0] = g_unix_signal_add(SIGTERM, vu_on_signal, s);
	s->sig_src[1] = g_unix_signal_add(SIGINT, vu_on_signal, s);
	/* The device first: a front-end must not connect to a socket whose
	 * daemon is still starting (or about to fail) */
	return vu_setup_device(s, priv, err) &&
	       vu_open_transport(s, opts, err);
}

/**
 * vu_run() - Serve front-ends until told to stop
 * @b:		The daemon
 * @opts:	Parsed options
 *
 * Return: exit status
 */
static int vu_run(const struct vu_backend *b, const struct vu_opts *opts)
{
	struct vu_server s = { .b = b, .listen_fd = -1, .conn_fd = -1 };
	GError *err = NULL;
	void *priv = NULL;

	s.main = g_main_loop_new(NULL, FALSE);
	vu_running = &s;
	if (vu_prepare(&s, opts, &priv, &err)) {
		vu_start(&s);
		g_main_loop_run(s.main);
	} else {
		s.status = 1;
	}
	vu_server_stop(&s, priv);
	vu_running = NULL;
	if (err)
		g_printerr("%s: %s\n", b->name, err->message);
	g_clear_error(&err);
	g_source_remove(s.sig_src[0]);
	g_source_remove(s.sig_src[1]);
	g_main_loop_unref(s.main);
	return s.status;
}

/**
 * vu_backend_main() - Run a daemon by the backend program conventions
 * @b:		The daemon
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * --print-capabilities and --print-device-info win over every other option,
 * valid or not, and open nothing. Otherwise exactly one of --socket-path and
 * --fd; never daemonizes.
 *
 * Return: exit status: 0 on a clean end (signal, inherited connection
 * closed), 1 on a start failure with one line on stderr
 */
int vu_backend_main(const struct vu_backend *b, int argc, char **argv)
{
	struct vu_opts opts = { .fd = -1 };
	int ret;

	if (vu_ensure_std_fds() < 0)
		return 1;
	g_set_prgname(b->name);
	vu_log_to_stderr();
	if (vu_has_arg(argc, argv, "--print-capabilities"))
		return vu_print_capabilities(b);
	if (vu_has_arg(argc, argv, "--print-device-info"))
		return vu_print_device_info(b);
	ret = vu_parse_options(b, &opts, argc, argv);
	if (ret < 0) {
		if (opts.verbose)
			vu_enable_debug();
		signal(SIGPIPE, SIG_IGN);
		ret = vu_run(b, &opts);
	}
	g_free(opts.socket_path);
	g_free(opts.fd_str);
	return ret;
}
