// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-server.c - the control socket of a virtual device (--control): a
 * Unix stream socket on the input thread where clients write events as
 * JSON lines (input-control.c parses them). Each client assembles its own
 * frame, committed whole at its SYN_REPORT; a bad line gets one
 * {"error": ...} line back and changes nothing. LED and sound status events
 * from the driver go to every client as JSON lines.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <linux/input-event-codes.h>

#include "input-int.h"

#define SRV_LINE_MAX	(64 * 1024)	/* longest line accepted */
#define SRV_CLIENTS_MAX	64		/* clients at once */
#define SRV_READ_CHUNK	4096

/**
 * struct input_server - the control socket
 * @in:		Instance
 * @fd:		Listening socket
 * @path:	Its path (removed at stop)
 * @src:	Watch on @fd
 * @clients:	Connected clients (struct srv_client)
 */
struct input_server {
	struct input *in;
	int fd;
	char *path;
	GSource *src;
	GList *clients;
};

/**
 * struct srv_client - one control connection
 * @srv:	Server
 * @fd:		Connected socket, non-blocking
 * @src:	Watch on @fd
 * @buf:	Bytes of the line not complete yet
 * @frame:	Events of the frame being assembled
 * @parsed:	Events of the line being parsed
 * @skipping:	Skipping the rest of an overlong line
 */
struct srv_client {
	struct input_server *srv;
	int fd;
	GSource *src;
	GString *buf;
	GArray *frame;
	GArray *parsed;
	bool skipping;
};

/**
 * srv_send() - Write one line to a client, dropped if it does not read
 * @c:		Client
 * @text:	The line without its newline
 */
static void srv_send(struct srv_client *c, const char *text)
{
	char *line = g_strconcat(text, "\n", NULL);
	ssize_t n = send(c->fd, line, strlen(line), MSG_NOSIGNAL);

	if (n != (ssize_t)strlen(line))
		g_debug("control client %d: reply dropped", c->fd);
	g_free(line);
}

/**
 * srv_error() - Send an {"error": ...} line
 * @c:		Client
 * @msg:	Message
 */
static void srv_error(struct srv_client *c, const char *msg)
{
	char *json = input_control_error_json(msg);

	srv_send(c, json);
	g_free(json);
}

/**
 * srv_fits() - Whether a parsed line keeps every frame within --max-events
 * @c:		Client
 *
 * Checked before any event is taken, so that a line is all or nothing.
 *
 * Return: true if it does
 */
static bool srv_fits(const struct srv_client *c)
{
	const struct vinput_event *ev;
	unsigned int i, len = c->frame->len;

	for (i = 0; i < c->parsed->len; i++) {
		ev = &g_array_index(c->parsed, struct vinput_event, i);
		if (ev->type == EV_SYN && ev->code == SYN_REPORT)
			len = 0;
		else if (++len >= c->srv->in->opts.max_events)
			return false;
	}
	return true;
}

/**
 * srv_take_events() - Add a parsed line's events to the client's frame
 * @c:		Client
 *
 * Every SYN_REPORT commits the frame so far. A line that would make a frame
 * longer than --max-events is refused whole.
 */
static void srv_take_events(struct srv_client *c)
{
	struct input *in = c->srv->in;
	struct vinput_event *ev;
	unsigned int i;

	if (!srv_fits(c)) {
		srv_error(c, "frame longer than --max-events: line refused");
		return;
	}
	for (i = 0; i < c->parsed->len; i++) {
		ev = &g_array_index(c->parsed, struct vinput_event, i);
		g_array_append_val(c->frame, *ev);
		if (ev->type == EV_SYN && ev->code == SYN_REPORT) {
			input_commit(in, (const struct vinput_event *)
				     c->frame->data, c->frame->len);
			g_array_set_size(c->frame, 0);
		}
	}
}

/**
 * srv_line() - Handle one complete line
 * @c:		Client
 * @line:	The line, NUL-terminated, without its newline (stripped here)
 */
static void srv_line(struct srv_client *c, char *line)
{
	char *error = NULL;

	if (!*g_strstrip(line))
		return;
	g_array_set_size(c->parsed, 0);
	if (!input_control_parse(&c->srv->in->desc, line, c->parsed, &error)) {
		srv_error(c, error ? error : "invalid line");
		g_free(error);
		return;
	}
	srv_take_events(c);
}

/**
 * srv_lines() - Handle the complete lines in the client's buffer
 * @c:		Client
 */
static void srv_lines(struct srv_client *c)
{
	char *nl;
	gsize start = 0;

	while ((nl = memchr(c->buf->str + start, '\n',
			    c->buf->len - start))) {
		*nl = '\0';
		if (!c->skipping && strlen(c->buf->str + start) ==
		    (gsize)(nl - (c->buf->str + start)))
			srv_line(c, c->buf->str + start);
		else if (!c->skipping)
			srv_error(c, "line contains a NUL byte");
		c->skipping = false;
		start = nl + 1 - c->buf->str;
	}
	g_string_erase(c->buf, 0, start);
	if (c->buf->len > SRV_LINE_MAX) {
		if (!c->skipping)
			srv_error(c, "line longer than 64 KiB");
		c->skipping = true;
		g_string_truncate(c->buf, 0);
	}
}

/**
 * srv_client_free() - Close a client and forget it
 * @c:		Client
 */
static void srv_client_free(struct srv_client *c)
{
	c->srv->clients = g_list_remove(c->srv->clients, c);
	g_source_destroy(c->src);
	g_source_unref(c->src);
	close(c->fd);
	g_string_free(c->buf, TRUE);
	g_array_free(c->frame, TRUE);
	g_array_free(c->parsed, TRUE);
	g_free(c);
}

/**
 * srv_client_ready() - A client sent bytes or hung up
 * @fd:		Its socket
 * @cond:	Condition
 * @data:	Client
 *
 * Return: G_SOURCE_CONTINUE, or G_SOURCE_REMOVE once it is closed
 */
static gboolean srv_client_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct srv_client *c = data;
	char chunk[SRV_READ_CHUNK];
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return G_SOURCE_CONTINUE;
		if (n <= 0) {
			srv_client_free(c);
			return G_SOURCE_REMOVE;
		}
		g_string_append_len(c->buf, chunk, n);
		srv_lines(c);
	}
	return G_SOURCE_CONTINUE;
}

/**
 * srv_client_new() - Serve a new connection
 * @srv:	Server
 * @fd:		Connected socket (non-blocking)
 */
static void srv_client_new(struct input_server *srv, int fd)
{
	struct srv_client *c = g_new0(struct srv_client, 1);

	c->srv = srv;
	c->fd = fd;
	c->buf = g_string_new(NULL);
	c->frame = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	c->parsed = g_array_new(FALSE, FALSE, sizeof(struct vinput_event));
	c->src = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(c->src, G_SOURCE_FUNC(srv_client_ready), c,
			      NULL);
	g_source_attach(c->src, srv->in->ctx);
	srv->clients = g_list_prepend(srv->clients, c);
	g_debug("control client %d connected", fd);
}

/**
 * srv_accept() - The control socket has a connection waiting
 * @fd:		Listening socket
 * @cond:	Condition
 * @data:	Server
 *
 * Return: G_SOURCE_CONTINUE
 */
static gboolean srv_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct input_server *srv = data;
	static const char full[] = "{\"error\":\"too many clients\"}\n";
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c < 0) {
		if (errno != EAGAIN && errno != EINTR)
			g_debug("control accept: %s", g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	if (g_list_length(srv->clients) >= SRV_CLIENTS_MAX) {
		if (send(c, full, sizeof(full) - 1, MSG_NOSIGNAL) < 0)
			g_debug("control: %s", g_strerror(errno));
		close(c);
		return G_SOURCE_CONTINUE;
	}
	srv_client_new(srv, c);
	return G_SOURCE_CONTINUE;
}

/**
 * srv_clear_stale() - Remove a socket file nobody listens on any more
 * @sa:		Its address
 * @err:	Error
 *
 * Return: true if the path is free now; false if it is live or not a
 * socket
 */
static bool srv_clear_stale(const struct sockaddr_un *sa, GError **err)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) < 0)
		return true;
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "--control %s exists and is not a socket",
			    sa->sun_path);
		return false;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r = fd < 0 ? -1 : connect(fd, (const struct sockaddr *)sa,
				  sizeof(*sa));
	if (fd >= 0)
		close(fd);
	if (r == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
			    "--control %s is in use", sa->sun_path);
		return false;
	}
	unlink(sa->sun_path);
	return true;
}

/**
 * srv_listen() - Create the listening socket
 * @path:	Its path
 * @err:	Error
 *
 * Return: the socket, or -1 with @err set
 */
static int srv_listen(const char *path, GError **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "--control path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (!srv_clear_stale(&sa, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "--control %s: %s", path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/**
 * input_server_open() - Open the control socket of a virtual device
 * @in:		Instance (@opts.control set)
 * @err:	Error
 *
 * Return: true on success (@in->src set; stop releases it either way)
 */
bool input_server_open(struct input *in, GError **err)
{
	struct input_server *srv = g_new0(struct input_server, 1);

	srv->in = in;
	in->src = &input_server_source;
	in->src_priv = srv;
	srv->fd = srv_listen(in->opts.control, err);
	if (srv->fd < 0)
		return false;
	srv->path = g_strdup(in->opts.control);
	g_message("virtual %s \"%s\": control socket %s",
		  in->opts.virtual_type, in->desc.name, srv->path);
	return true;
}

/**
 * srv_start() - Watch the control socket on the input thread's context
 * @in:		Instance
 * @err:	Unused
 *
 * Return: true
 */
static bool srv_start(struct input *in, GError **err)
{
	struct input_server *srv = in->src_priv;

	srv->src = g_unix_fd_source_new(srv->fd, G_IO_IN);
	g_source_set_callback(srv->src, G_SOURCE_FUNC(srv_accept), srv, NULL);
	g_source_attach(srv->src, in->ctx);
	return true;
}

/**
 * struct srv_status - a status event on its way to the input thread
 * @srv:	Server
 * @ev:		Event
 */
struct srv_status {
	struct input_server *srv;
	struct vinput_event ev;
};

/**
 * srv_broadcast() - On the input thread: send a status event to everyone
 * @data:	struct srv_status
 *
 * Return: G_SOURCE_REMOVE
 */
static gboolean srv_broadcast(gpointer data)
{
	struct srv_status *st = data;
	char *json = input_control_event_json(&st->ev);
	GList *l;

	for (l = st->srv->clients; l; l = l->next)
		srv_send(l->data, json);
	g_free(json);
	return G_SOURCE_REMOVE;
}

/**
 * srv_status() - On the ring worker: pass a status event to the clients
 * @in:		Instance
 * @ev:		Event (an LED or sound of the device)
 */
static void srv_status(struct input *in, const struct vinput_event *ev)
{
	struct srv_status *st = g_new(struct srv_status, 1);
	GSource *src = g_idle_source_new();

	st->srv = in->src_priv;
	st->ev = *ev;
	g_source_set_callback(src, srv_broadcast, st, g_free);
	g_source_attach(src, in->ctx);
	g_source_unref(src);
}

/**
 * srv_stop() - Close every client and the control socket
 * @in:		Instance (the input thread has ended)
 */
static void srv_stop(struct input *in)
{
	struct input_server *srv = in->src_priv;

	while (srv->clients)
		srv_client_free(srv->clients->data);
	if (srv->src) {
		g_source_destroy(srv->src);
		g_source_unref(srv->src);
	}
	if (srv->fd >= 0) {
		close(srv->fd);
		unlink(srv->path);
	}
	g_free(srv->path);
	g_free(srv);
	in->src_priv = NULL;
}

const struct input_source input_server_source = {
	.start = srv_start,
	.stop = srv_stop,
	.status = srv_status,
};
