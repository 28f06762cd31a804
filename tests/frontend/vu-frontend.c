// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-frontend.c - command-line vhost-user front-end: connects to a back-end,
 * negotiates, maps guest memory, runs echo requests on one ring and reports
 * what happened (or, with --info, only what the back-end offers).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "vuf.h"

#define FE_GPA_BASE	0x40000000ull	/* guest memory starts at 1 GiB */
#define FE_SLOT_SIZE	256u		/* header, in buffer, indirect table */
#define FE_IN_LEN	64u
#define FE_BATCH	64u

/**
 * struct fe_hdr - the out buffer of every request (little endian)
 * @type:	Always 1
 * @pad:	Zero
 * @seq:	Sequence number of the request
 */
struct fe_hdr {
	uint32_t type;
	uint32_t pad;
	uint64_t seq;
};

/**
 * struct fe_opts - command-line options
 * @socket:	--socket-path
 * @packed:	--packed: require and use a packed ring
 * @no_event_idx: --no-event-idx: do not offer EVENT_IDX
 * @indirect:	--indirect: post every chain as one indirect descriptor
 * @no_check:	--no-check: do not verify the echoed bytes
 * @config:	--config: read and print config space
 * @info:	--info: print what the back-end offers and exit
 * @queue:	--queue: ring index
 * @requests:	--requests: number of requests
 * @queue_size:	--queue-size: ring size
 * @timeout_ms:	--timeout: wait this long for any reply or completion
 */
struct fe_opts {
	gchar *socket;
	gboolean packed;
	gboolean no_event_idx;
	gboolean indirect;
	gboolean no_check;
	gboolean config;
	gboolean info;
	gint queue;
	gint requests;
	gint queue_size;
	gint timeout_ms;
};

/**
 * fe_fail() - Report a failure on one line of stderr
 * @fmt:	printf format
 *
 * Return: 1, the exit status for any failure
 */
static int G_GNUC_PRINTF(1, 2) fe_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vu-frontend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/**
 * fe_parse() - Parse the command line
 * @argc:	Argument count
 * @argv:	Arguments
 * @o:		Options, filled in
 *
 * Return: 0, or 1 after reporting the error
 */
static int fe_parse(int argc, char **argv, struct fe_opts *o)
{
	GOptionEntry entries[] = {
		{ "socket-path", 0, 0, G_OPTION_ARG_FILENAME, &o->socket,
		  "Back-end socket", "PATH" },
		{ "packed", 0, 0, G_OPTION_ARG_NONE, &o->packed,
		  "Use a packed ring", NULL },
		{ "no-event-idx", 0, 0, G_OPTION_ARG_NONE, &o->no_event_idx,
		  "Do not negotiate EVENT_IDX", NULL },
		{ "indirect", 0, 0, G_OPTION_ARG_NONE, &o->indirect,
		  "Post chains as indirect descriptors", NULL },
		{ "queue", 0, 0, G_OPTION_ARG_INT, &o->queue,
		  "Ring index (default 0)", "N" },
		{ "requests", 0, 0, G_OPTION_ARG_INT, &o->requests,
		  "Requests to send (default 1)", "N" },
		{ "queue-size", 0, 0, G_OPTION_ARG_INT, &o->queue_size,
		  "Ring size (default 256)", "N" },
		{ "config", 0, 0, G_OPTION_ARG_NONE, &o->config,
		  "Read and print config space", NULL },
		{ "info", 0, 0, G_OPTION_ARG_NONE, &o->info,
		  "Print what the back-end offers and exit", NULL },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout_ms,
		  "Milliseconds to wait for a reply (default 5000)", "MS" },
		{ "no-check", 0, 0, G_OPTION_ARG_NONE, &o->no_check,
		  "Do not check that requests are echoed", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("- vhost-user front-end");
	GError *err = NULL;
	bool ok;

	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, &argc, &argv, &err);
	g_option_context_free(ctx);
	if (!ok) {
		fe_fail("%s", err->message);
		g_error_free(err);
		return 1;
	}
	if (argc > 1)
		return fe_fail("unexpected argument '%s'", argv[1]);
	if (!o->socket)
		return fe_fail("--socket-path is required");
	if (o->queue < 0 || o->queue > 255 || o->requests < 0 ||
	    o->queue_size < 1 || o->queue_size > 32768 || o->timeout_ms < 1)
		return fe_fail("--queue, --requests, --queue-size or --timeout "
			       "out of range");
	return 0;
}

/**
 * fe_config_size() - Find the config space size by asking GET_CONFIG
 * @c:		Connection (CONFIG negotiated)
 * @size:	Largest size a read at offset 0 succeeds with
 *
 * Return: 0, or -errno if the connection failed while probing
 */
static int fe_config_size(struct vuf_conn *c, uint32_t *size)
{
	uint8_t buf[VUF_CONFIG_MAX];
	uint32_t lo = 0, hi = VUF_CONFIG_MAX + 1, mid;
	int r;

	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		r = vuf_get_config(c, 0, buf, mid);
		if (!r)
			lo = mid;
		else if (r == -EREMOTEIO || r == -EPROTO)
			hi = mid;
		else
			return r;
	}
	*size = lo;
	return 0;
}

/**
 * fe_info() - --info: print features, protocol features, queues, slots and
 * config size
 * @c:		Connection
 *
 * Return: exit status
 */
static int fe_info(struct vuf_conn *c)
{
	uint64_t f, pf = 0, want, v;
	uint32_t cfg = 0;

	want = VUF_BIT(VUF_PF_MQ) | VUF_BIT(VUF_PF_REPLY_ACK) |
	       VUF_BIT(VUF_PF_CONFIG) | VUF_BIT(VUF_PF_CONFIGURE_MEM_SLOTS);
	if (vuf_get_features(c, &f))
		return fe_fail("%s", vuf_conn_error(c));
	printf("features: 0x%016" PRIx64 "\n", f);
	if ((f & VUF_BIT(VUF_F_PROTOCOL_FEATURES)) &&
	    (vuf_get_protocol_features(c, &pf) ||
	     vuf_set_protocol_features(c, pf & want)))
		return fe_fail("%s", vuf_conn_error(c));
	printf("protocol features: 0x%016" PRIx64 "\n", pf);
	if (vuf_set_owner(c))
		return fe_fail("%s", vuf_conn_error(c));
	if ((pf & VUF_BIT(VUF_PF_MQ)) && vuf_get_queue_num(c, &v))
		return fe_fail("%s", vuf_conn_error(c));
	if (pf & VUF_BIT(VUF_PF_MQ))
		printf("queue num: %" PRIu64 "\n", v);
	if ((pf & VUF_BIT(VUF_PF_CONFIGURE_MEM_SLOTS)) &&
	    vuf_get_max_mem_slots(c, &v))
		return fe_fail("%s", vuf_conn_error(c));
	if (pf & VUF_BIT(VUF_PF_CONFIGURE_MEM_SLOTS))
		printf("max mem slots: %" PRIu64 "\n", v);
	if ((pf & VUF_BIT(VUF_PF_CONFIG)) && fe_config_size(c, &cfg))
		return fe_fail("%s", vuf_conn_error(c));
	printf("config size: %u\n", cfg);
	return 0;
}

/**
 * fe_print_config() - --config: read the whole config space, print it in hex
 * @c:		Connection
 *
 * Return: 0, or exit status 1 after reporting
 */
static int fe_print_config(struct vuf_conn *c)
{
	uint8_t buf[VUF_CONFIG_MAX];
	uint32_t size, i;

	if (!vuf_conn_has_pf(c, VUF_PF_CONFIG))
		return fe_fail("back-end does not offer CONFIG");
	if (fe_config_size(c, &size) || vuf_get_config(c, 0, buf, size))
		return fe_fail("%s", vuf_conn_error(c));
	printf("config:");
	for (i = 0; i < size; i++)
		printf(" %02x", buf[i]);
	printf("\n");
	return 0;
}

/**
 * fe_negotiate() - Negotiate and check the features the options require
 * @s:		Session
 * @o:		Options
 *
 * Return: 0, or exit status 1 after reporting
 */
static int fe_negotiate(struct vuf_session *s, const struct fe_opts *o)
{
	struct vuf_conn *c = vuf_session_conn(s);
	uint64_t want, f;

	want = VUF_BIT(VUF_F_VERSION_1) | VUF_BIT(VUF_F_PROTOCOL_FEATURES);
	if (o->indirect)
		want |= VUF_BIT(VUF_F_INDIRECT_DESC);
	if (!o->no_event_idx)
		want |= VUF_BIT(VUF_F_EVENT_IDX);
	if (o->packed)
		want |= VUF_BIT(VUF_F_RING_PACKED);
	if (vuf_session_negotiate(s, want, VUF_BIT(VUF_PF_MQ) |
				  VUF_BIT(VUF_PF_REPLY_ACK) |
				  VUF_BIT(VUF_PF_CONFIG) |
				  VUF_BIT(VUF_PF_STATUS)))
		return fe_fail("%s", vuf_conn_error(c));
	f = vuf_conn_features(c);
	printf("offered features: 0x%016" PRIx64 "\n", vuf_session_offered(s));
	printf("features: 0x%016" PRIx64 "\n", f);
	printf("protocol features: 0x%016" PRIx64 "\n",
	       vuf_conn_protocol_features(c));
	if ((want & ~f) & (VUF_BIT(VUF_F_RING_PACKED) |
			   VUF_BIT(VUF_F_INDIRECT_DESC)))
		return fe_fail("back-end does not offer %s",
			       o->packed && !(f & VUF_BIT(VUF_F_RING_PACKED)) ?
			       "RING_PACKED" : "INDIRECT_DESC");
	return 0;
}

/**
 * fe_setup() - Check the queue index, map memory, start the ring
 * @s:		Session
 * @o:		Options
 * @vq:		Set to the started ring
 *
 * Return: 0, or exit status 1 after reporting
 */
static int fe_setup(struct vuf_session *s, const struct fe_opts *o,
		    struct vuf_vq **vq)
{
	struct vuf_conn *c = vuf_session_conn(s);
	bool status = vuf_conn_has_pf(c, VUF_PF_STATUS);
	uint8_t st = VUF_S_ACKNOWLEDGE | VUF_S_DRIVER | VUF_S_FEATURES_OK;
	uint64_t qnum;

	if (vuf_conn_has_pf(c, VUF_PF_MQ)) {
		if (vuf_get_queue_num(c, &qnum))
			return fe_fail("%s", vuf_conn_error(c));
		if ((uint64_t)o->queue >= qnum)
			return fe_fail("queue %d: back-end has %" PRIu64
				       " queues", o->queue, qnum);
	}
	if (status && vuf_session_set_status(s, st))
		return fe_fail("%s", vuf_conn_error(c));
	if (o->config && fe_print_config(c))
		return 1;
	if (vuf_session_set_mem_table(s))
		return fe_fail("%s", vuf_conn_error(c));
	*vq = vuf_session_add_vq(s, (uint16_t)o->queue, (uint16_t)o->queue_size,
				 FE_SLOT_SIZE);
	if (!*vq)
		return fe_fail("cannot create a ring of %d (split rings need "
			       "a power of two)", o->queue_size);
	if (vuf_session_start_vq(s, *vq) ||
	    (status && vuf_session_set_status(s, st | VUF_S_DRIVER_OK)))
		return fe_fail("%s", vuf_conn_error(c));
	return 0;
}

/**
 * fe_check() - Check one completion against what its request carried
 * @vq:		Ring
 * @u:		Completion
 * @seq:	Sequence number per chain id
 *
 * The echo device copies the 16-byte header into the 64-byte in buffer.
 *
 * Return: 0, or exit status 1 after reporting
 */
static int fe_check(struct vuf_vq *vq, const struct vuf_used *u,
		    const uint64_t *seq)
{
	struct fe_hdr want = { GUINT32_TO_LE(1), 0, GUINT64_TO_LE(seq[u->id]) };
	const uint8_t *in = vuf_vq_buf(vq, u->id, 1, NULL);
	unsigned int i;

	if (u->len != sizeof(want))
		return fe_fail("request %" PRIu64 ": used len %u, expected %zu",
			       seq[u->id], u->len, sizeof(want));
	if (memcmp(in, &want, sizeof(want)))
		return fe_fail("request %" PRIu64 ": echoed bytes differ",
			       seq[u->id]);
	for (i = sizeof(want); i < FE_IN_LEN; i++)
		if (in[i])
			return fe_fail("request %" PRIu64 ": byte %u written "
				       "beyond the used length", seq[u->id], i);
	return 0;
}

/**
 * fe_post() - Post as many requests as fit the ring
 * @vq:		Ring
 * @o:		Options
 * @posted:	Requests posted so far, updated
 * @seq:	Sequence number per chain id, updated
 *
 * Return: 0, or exit status 1 after reporting
 */
static int fe_post(struct vuf_vq *vq, const struct fe_opts *o,
		   uint64_t *posted, uint64_t *seq)
{
	uint32_t in_len = FE_IN_LEN;
	struct fe_hdr h = { GUINT32_TO_LE(1), 0, 0 };
	struct iovec out = { &h, sizeof(h) };
	int id;

	while (*posted < (uint64_t)o->requests &&
	       vuf_vq_room(vq) >= (o->indirect ? 1u : 2u)) {
		h.seq = GUINT64_TO_LE(*posted);
		id = vuf_vq_post(vq, &out, 1, &in_len, 1, o->indirect);
		if (id < 0)
			return fe_fail("post: %s", vuf_vq_error(vq));
		seq[id] = (*posted)++;
	}
	if (vuf_vq_notify(vq) < 0)
		return fe_fail("kick: %s", vuf_vq_error(vq));
	return 0;
}

/**
 * fe_run() - Send the requests and wait for all completions
 * @vq:		Started ring
 * @o:		Options
 *
 * Return: exit status
 */
static int fe_run(struct vuf_vq *vq, const struct fe_opts *o)
{
	uint64_t *seq = g_new0(uint64_t, o->queue_size);
	uint64_t posted = 0, done = 0;
	struct vuf_used u[FE_BATCH];
	int n, i, ret = 0;

	while (!ret && done < (uint64_t)o->requests) {
		ret = fe_post(vq, o, &posted, seq);
		n = ret ? 0 : vuf_vq_collect(vq, u, FE_BATCH);
		if (n < 0)
			ret = fe_fail("bad completion: %s", vuf_vq_error(vq));
		for (i = 0; !ret && i < n; i++)
			ret = o->no_check ? 0 : fe_check(vq, &u[i], seq);
		done += n > 0 ? (uint64_t)n : 0;
		if (!ret && !n && vuf_vq_wait_call(vq, o->timeout_ms))
			ret = fe_fail("%" PRIu64 " of %d requests completed: "
				      "%s", done, o->requests,
				      vuf_vq_error(vq));
	}
	g_free(seq);
	return ret;
}

/**
 * fe_stop() - GET_VRING_BASE and check it against the ring's own state
 * @s:		Session
 * @vq:		Ring with every request collected
 *
 * Return: 0, or exit status 1 after reporting
 */
static int fe_stop(struct vuf_session *s, struct vuf_vq *vq)
{
	uint32_t want = vuf_vq_base(vq), base;

	if (vuf_session_stop_vq(s, vq, &base))
		return fe_fail("%s", vuf_conn_error(vuf_session_conn(s)));
	if (base != want)
		return fe_fail("GET_VRING_BASE returned 0x%x, expected 0x%x",
			       base, want);
	return 0;
}

/**
 * fe_requests() - Negotiate, set up, run the requests and report
 * @c:		Connection (taken)
 * @o:		Options
 *
 * Return: exit status
 */
static int fe_requests(struct vuf_conn *c, const struct fe_opts *o)
{
	uint64_t bytes = (uint64_t)o->queue_size * (FE_SLOT_SIZE + 64) +
			 (2u << 20);
	struct vuf_mem *m = vuf_mem_new();
	struct vuf_session *s = vuf_session_new(c, m);
	struct vuf_vq *vq = NULL;
	gint64 t0, t1;
	double secs;
	int ret;

	ret = vuf_mem_add_region(m, FE_GPA_BASE, bytes & ~0xfffffull, 0) < 0;
	if (ret)
		fe_fail("cannot create guest memory");
	else
		ret = fe_negotiate(s, o);
	if (!ret)
		ret = fe_setup(s, o, &vq);
	t0 = g_get_monotonic_time();
	if (!ret)
		ret = fe_run(vq, o);
	t1 = g_get_monotonic_time();
	if (!ret)
		ret = fe_stop(s, vq);
	if (!ret) {
		secs = (double)(t1 - t0) / 1e6;
		bool ev = vuf_vq_flags(vq) & VUF_VQ_EVENT_IDX;

		printf("ring: %d size %d %s%s%s\n", o->queue, o->queue_size,
		       o->packed ? "packed" : "split", ev ? " event-idx" : "",
		       o->indirect ? " indirect" : "");
		printf("completed: %d\n", o->requests);
		printf("calls: %" PRIu64 "\n", vuf_vq_calls(vq));
		printf("kicks: %" PRIu64 "\n", vuf_vq_kicks(vq));
		printf("elapsed: %.6f s\n", secs);
		printf("rate: %.0f req/s\n", secs > 0 ? o->requests / secs : 0);
	}
	vuf_session_free(s);
	vuf_mem_free(m);
	return ret;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on success, 1 on any failure
 */
int main(int argc, char **argv)
{
	struct fe_opts o = { .requests = 1, .queue_size = 256,
			     .timeout_ms = 5000 };
	struct vuf_conn *c;
	int r;

	if (fe_parse(argc, argv, &o)) {
		g_free(o.socket);
		return 1;
	}
	r = vuf_conn_connect(o.socket, 3000, &c);
	if (r) {
		r = fe_fail("cannot connect to %s: %s", o.socket,
			    g_strerror(-r));
		g_free(o.socket);
		return r;
	}
	vuf_conn_set_timeout(c, o.timeout_ms);
	if (o.info) {
		r = fe_info(c);
		vuf_conn_free(c);
	} else {
		r = fe_requests(c, &o);
	}
	g_free(o.socket);
	return r;
}
