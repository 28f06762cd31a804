// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - vhost-user-net: the device options, their validation, and the
 * program conventions of common/vu-backend.c around the network device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "net-int.h"
#include "vu-backend.h"

static char *opt_tap;
static char *opt_tap_fd;
static int opt_pairs = -1;
static char *opt_mac;
static int opt_mtu;
static gboolean opt_switch;
static char **opt_ports;
static int opt_poll_us;

static GOptionEntry net_options[] = {
	{ "tap", 0, 0, G_OPTION_ARG_STRING, &opt_tap,
	  "Tap interface to attach to (created if absent)", "IFNAME" },
	{ "tap-fd", 0, 0, G_OPTION_ARG_STRING, &opt_tap_fd,
	  "Inherited tap queue fds, one per queue pair", "N[,N...]" },
	{ "queue-pairs", 0, 0, G_OPTION_ARG_INT, &opt_pairs,
	  "Queue pairs, 1-16 (default 1; with --tap-fd: one per fd)", "N" },
	{ "mac", 0, 0, G_OPTION_ARG_STRING, &opt_mac,
	  "MAC address in the config space (default: derived from the tap "
	  "name)", "XX:XX:XX:XX:XX:XX" },
	{ "mtu", 0, 0, G_OPTION_ARG_INT, &opt_mtu,
	  "Set the tap's MTU and offer it to the guest (68-65535)", "N" },
	{ "switch", 0, 0, G_OPTION_ARG_NONE, &opt_switch,
	  "No tap: a learning switch between port 0 (--socket-path or --fd) "
	  "and each --port", NULL },
	{ "port", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_ports,
	  "With --switch: one more port, served on this socket (repeat)",
	  "PATH" },
	{ "poll-us", 0, 0, G_OPTION_ARG_INT, &opt_poll_us,
	  "Busy-poll the TX rings (and taps) up to N microseconds after the "
	  "last frame, guest kicks off meanwhile (0-1000000, default 0: "
	  "kicks only)", "N" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/**
 * net_bad_option() - Set the error for an invalid option
 * @err:	Error to set
 * @msg:	What is wrong
 *
 * Return: false
 */
static bool net_bad_option(GError **err, const char *msg)
{
	g_set_error_literal(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
	return false;
}

/**
 * net_parse_fds() - Parse --tap-fd
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if every entry is a descriptor number
 */
static bool net_parse_fds(struct net_opts *o, GError **err)
{
	char **parts = g_strsplit(opt_tap_fd, ",", -1);
	bool ok = true;
	guint64 v;
	unsigned int i;

	for (i = 0; parts[i] && ok; i++) {
		ok = i < NET_MAX_PAIRS &&
		     g_ascii_string_to_unsigned(parts[i], 10, 3, G_MAXINT, &v,
						NULL);
		if (ok)
			o->tap_fds[o->ntap_fds++] = (int)v;
	}
	g_strfreev(parts);
	if (!ok || !o->ntap_fds)
		return net_bad_option(err, "--tap-fd takes 1 to 16 descriptor "
				      "numbers (3 or more), comma-separated");
	return true;
}

/**
 * net_parse_mac() - Parse --mac
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if it is a unicast MAC address
 */
static bool net_parse_mac(struct net_opts *o, GError **err)
{
	unsigned int b[6], i;
	char end;

	if (sscanf(opt_mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &end) != 6 || (b[0] & 1))
		return net_bad_option(err, "--mac must be a unicast address "
				      "XX:XX:XX:XX:XX:XX");
	for (i = 0; i < 6; i++)
		o->mac[i] = (uint8_t)b[i];
	return true;
}

/**
 * net_parse_options() - Validate the device options
 * @o:		Options to fill
 * @err:	Error
 *
 * Return: true if they are usable
 */
static bool net_parse_options(struct net_opts *o, GError **err)
{
	memset(o, 0, sizeof(*o));
	if (opt_switch && (opt_tap || opt_tap_fd || opt_pairs != -1))
		return net_bad_option(err, "--switch takes no --tap, --tap-fd "
				      "or --queue-pairs");
	if (opt_ports && !opt_switch)
		return net_bad_option(err, "--port needs --switch");
	if (!opt_switch && !!opt_tap == !!opt_tap_fd)
		return net_bad_option(err, "exactly one of --tap, --tap-fd and "
				      "--switch is required");
	if (opt_tap_fd && !net_parse_fds(o, err))
		return false;
	if (opt_pairs != -1 && (opt_pairs < 1 || opt_pairs > NET_MAX_PAIRS))
		return net_bad_option(err, "--queue-pairs must be 1 to 16");
	if (opt_tap_fd && opt_pairs != -1 &&
	    (unsigned int)opt_pairs != o->ntap_fds)
		return net_bad_option(err, "--queue-pairs must match the "
				      "number of --tap-fd descriptors");
	if (opt_poll_us < 0 || opt_poll_us > 1000000)
		return net_bad_option(err, "--poll-us must be 0 to 1000000");
	if (opt_mtu && (opt_mtu < 68 || opt_mtu > 65535))
		return net_bad_option(err, "--mtu must be 68 to 65535");
	if (opt_mac && !net_parse_mac(o, err))
		return false;
	o->tap = opt_tap;
	o->pairs = opt_tap_fd ? o->ntap_fds :
		   (opt_pairs > 0 ? (unsigned int)opt_pairs : 1);
	o->mtu = (unsigned int)opt_mtu;
	o->poll_us = (unsigned int)opt_poll_us;
	return true;
}

/**
 * net_features() - --print-capabilities features (none in the schema)
 * @out:	Array of g_malloc'ed strings to fill
 */
static void net_features(GPtrArray *out)
{
}

/**
 * net_setup() - Check the options, open the tap, build the device
 * @priv:	Set to the struct net
 * @err:	Error
 *
 * Return: the device to serve, or NULL with @err set
 */
static const struct vu_device *net_setup(void **priv, GError **err)
{
	struct net_opts o;
	struct net *n;

	if (!net_parse_options(&o, err))
		return NULL;
	n = opt_switch ? net_switch_new(&o, opt_ports, err) :
			 net_new(&o, err);
	if (!n)
		return NULL;
	g_message("tap %s, %u queue pair%s, mac %02x:%02x:%02x:%02x:%02x:%02x, "
		  "mtu %u", n->ifname, n->opts.pairs, n->opts.pairs > 1 ?
		  "s" : "", n->opts.mac[0], n->opts.mac[1], n->opts.mac[2],
		  n->opts.mac[3], n->opts.mac[4], n->opts.mac[5], n->mtu);
	*priv = n;
	return &n->device;
}

/**
 * net_teardown() - Release the device
 * @priv:	The struct net from net_setup()
 */
static void net_teardown(void *priv)
{
	struct net *n = priv;

	if (n->sw)
		net_switch_free(n->sw);
	else
		net_free(n);
}

static const struct vu_backend net_backend = {
	.name = "vhost-user-net",
	.type = "net",
	.summary = "vhost-user network device back-end on a Linux tap "
		   "device, or a learning switch between several guests.",
	.virtio_id = VIRTIO_ID_NET,
	.min_queues = 3,
	.max_queues = 2 * NET_MAX_PAIRS + 1,
	.config_size = NET_CONFIG_SIZE,
	.options = net_options,
	.features = net_features,
	.setup = net_setup,
	.teardown = net_teardown,
};

/**
 * main() - Run the network device daemon
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	int ret = vu_backend_main(&net_backend, argc, argv);

	g_free(opt_tap);
	g_free(opt_tap_fd);
	g_free(opt_mac);
	g_strfreev(opt_ports);
	return ret;
}
