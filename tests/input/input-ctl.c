// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input-ctl.c - a client of the control socket of a virtual device under
 * test: newline-delimited JSON lines out, reply lines in, with timeouts
 * (see input-harness.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "input-harness.h"

/**
 * try_connect() - One attempt to connect to a Unix stream socket
 * @path:	Socket path
 *
 * Return: connected fd, or -errno
 */
static int try_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, e;

	g_assert_cmpuint(strlen(path), <, sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(fd, >=, 0);
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return fd;
	e = errno;
	close(fd);
	return -e;
}

/**
 * inpt_ctl_open() - Connect to a control socket, retrying for 5 s while it
 * is missing or refuses (the daemon is starting)
 * @path:	Socket path
 *
 * Return: client (inpt_ctl_close())
 */
struct inpt_ctl *inpt_ctl_open(const char *path)
{
	gint64 end = g_get_monotonic_time() + INPT_TIMEOUT_MS * 1000ll;
	struct inpt_ctl *c;
	int fd;

	for (;;) {
		fd = try_connect(path);
		if (fd >= 0)
			break;
		if ((fd != -ENOENT && fd != -ECONNREFUSED) ||
		    g_get_monotonic_time() > end)
			g_error("connect %s: %s", path, g_strerror(-fd));
		g_usleep(10000);
	}
	c = g_new0(struct inpt_ctl, 1);
	c->fd = fd;
	c->buf = g_string_new(NULL);
	return c;
}

/**
 * inpt_ctl_close() - Disconnect and free a client
 * @c:		Client (may be NULL)
 */
void inpt_ctl_close(struct inpt_ctl *c)
{
	if (!c)
		return;
	close(c->fd);
	g_string_free(c->buf, TRUE);
	g_free(c);
}

/**
 * inpt_ctl_send() - Send one line (a newline is added)
 * @c:		Client
 * @line:	Text without its newline
 */
void inpt_ctl_send(struct inpt_ctl *c, const char *line)
{
	char *s = g_strconcat(line, "\n", NULL);
	size_t len = strlen(s), off = 0;
	ssize_t r;

	while (off < len) {
		r = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			g_error("control send: %s", g_strerror(errno));
		off += (size_t)r;
	}
	g_free(s);
}

/**
 * take_line() - Remove the first complete line from the client's buffer
 * @c:		Client
 *
 * Return: the line without its newline, or NULL if none is complete
 */
static char *take_line(struct inpt_ctl *c)
{
	char *nl = memchr(c->buf->str, '\n', c->buf->len);
	char *line;

	if (!nl)
		return NULL;
	line = g_strndup(c->buf->str, (gsize)(nl - c->buf->str));
	g_string_erase(c->buf, 0, nl - c->buf->str + 1);
	return line;
}

/**
 * inpt_ctl_read() - Wait for one reply line
 * @c:		Client
 * @timeout_ms:	How long to wait
 *
 * Return: the line without its newline (g_free()), or NULL on timeout or
 * when the daemon closed the connection
 */
char *inpt_ctl_read(struct inpt_ctl *c, int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char chunk[4096], *line;
	gint64 left;
	ssize_t r;

	while (!(line = take_line(c))) {
		left = (end - g_get_monotonic_time() + 999) / 1000;
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return NULL;
		r = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (r == 0)
			return NULL;
		if (r > 0)
			g_string_append_len(c->buf, chunk, r);
		else if (errno != EAGAIN && errno != EINTR)
			g_error("control recv: %s", g_strerror(errno));
	}
	return line;
}

/**
 * inpt_ctl_expect_silence() - No line comes for a while
 * @c:		Client
 * @ms:		How long to watch
 */
void inpt_ctl_expect_silence(struct inpt_ctl *c, int ms)
{
	char *line = inpt_ctl_read(c, ms);

	if (line)
		g_error("unexpected control reply: %s", line);
}

/**
 * error_message() - The message of a {"error":"..."} reply
 * @line:	Reply line
 *
 * Return: the message (g_free()); the test fails for anything else
 */
static char *error_message(const char *line)
{
	JsonParser *p = json_parser_new();
	JsonObject *o;
	JsonNode *n;
	char *msg;

	if (!json_parser_load_from_data(p, line, -1, NULL))
		g_error("reply is not JSON: %s", line);
	n = json_parser_get_root(p);
	if (!JSON_NODE_HOLDS_OBJECT(n))
		g_error("reply is not an object: %s", line);
	o = json_node_get_object(n);
	n = json_object_get_member(o, "error");
	if (!n || json_node_get_value_type(n) != G_TYPE_STRING ||
	    !*json_node_get_string(n))
		g_error("reply has no \"error\" string: %s", line);
	msg = g_strdup(json_node_get_string(n));
	g_object_unref(p);
	return msg;
}

/**
 * inpt_ctl_expect_error() - Send a line the daemon must refuse
 * @c:		Client
 * @line:	The line
 *
 * Return: the error message of the reply (g_free())
 */
char *inpt_ctl_expect_error(struct inpt_ctl *c, const char *line)
{
	char *reply, *msg;

	inpt_ctl_send(c, line);
	reply = inpt_ctl_read(c, INPT_TIMEOUT_MS);
	if (!reply)
		g_error("no error reply to: %s", line);
	msg = error_message(reply);
	g_free(reply);
	return msg;
}

/**
 * inpt_ctl_sync() - Wait until the daemon has handled every line sent so
 * far on this client: a line with an unknown type must get an error reply
 * in turn, and changes nothing
 * @c:		Client
 */
void inpt_ctl_sync(struct inpt_ctl *c)
{
	g_free(inpt_ctl_expect_error(c, "{\"type\":\"harness-sync\"}"));
}
