// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-switch.c - the built-in L2 learning switch (--switch): several
 * vhost-user ports in one process, each a device of its own with its own
 * socket, all served by one worker thread (one worker group). This file
 * makes the ports, learns addresses and routes; net-switch-fwd.c moves
 * the frames. A frame goes to the port its destination MAC was learnt on,
 * or to every other port for broadcast, multicast and unknown
 * destinations: never back to the sender. Source MACs are learnt from TX
 * and age out after SW_AGE_US. Frames carry no offloads: ports are offered
 * no checksum or segmentation features, so every frame is complete.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "net-switch.h"
#include "vu-backend.h"

/**
 * sw_mac_find() - The entry of an address
 * @sw:		Switch (the two entries found last are tried first)
 * @mac:	Address
 *
 * Return: its index, or -1
 */
static int sw_mac_find(struct net_switch *sw, const uint8_t *mac)
{
	unsigned int i;

	/* Traffic comes in runs between the same few addresses */
	for (i = 0; i < 2; i++)
		if (sw->mac_hint[i] < sw->nmacs &&
		    !memcmp(sw->macs[sw->mac_hint[i]].mac, mac, 6))
			return (int)sw->mac_hint[i];
	for (i = 0; i < sw->nmacs; i++)
		if (!memcmp(sw->macs[i].mac, mac, 6)) {
			sw->mac_hint[1] = sw->mac_hint[0];
			sw->mac_hint[0] = i;
			return (int)i;
		}
	return -1;
}

/**
 * sw_learn() - Note that @mac lives behind @port
 * @sw:		Switch
 * @mac:	Source address of a frame (unicast)
 * @port:	Port it came from
 * @now:	Monotonic time (us)
 */
static void sw_learn(struct net_switch *sw, const uint8_t *mac,
		     unsigned int port, gint64 now)
{
	int i = sw_mac_find(sw, mac);
	unsigned int k, victim = 0;

	if (i < 0 && sw->nmacs < SW_MACS) {
		i = (int)sw->nmacs++;
	} else if (i < 0) {
		for (k = 1; k < sw->nmacs; k++)
			if (sw->macs[k].seen < sw->macs[victim].seen)
				victim = k;
		i = (int)victim;
	}
	memcpy(sw->macs[i].mac, mac, 6);
	sw->macs[i].port = port;
	sw->macs[i].seen = now;
}

/**
 * sw_route() - Learn a frame's source, find its destination port
 * @sw:		Switch (@now set)
 * @eth:	Destination and source MAC of the frame
 * @port:	Port it came from
 *
 * Return: the destination port, or -1 to flood (broadcast, multicast,
 * unknown or aged out)
 */
int sw_route(struct net_switch *sw, const uint8_t *eth, unsigned int port)
{
	int i, dst = -1;

	if (!(eth[6] & 1))
		sw_learn(sw, eth + 6, port, sw->now);
	if (!(eth[0] & 1)) {
		i = sw_mac_find(sw, eth);
		if (i >= 0 && sw->now - sw->macs[i].seen < SW_AGE_US)
			dst = (int)sw->macs[i].port;
	}
	return dst;
}

/**
 * net_switch_reset() - The port's driver went away: nothing it sent waits,
 * and the hold timer is no longer watched through it
 * @n:		The port's device (protocol thread, workers locked, its
 *		core instance still known)
 */
void net_switch_reset(struct net *n)
{
	struct sw_port *sp = &n->sw->ports[n->sw_port];

	sp->held_since = 0;
	sp->stalled = false;
	net_switch_timer_move(n);
}

/**
 * net_switch_new() - Make the switch and its ports; serve ports 1..N-1
 * @o:		Options of the ports (--mac is port 0's; the others get
 *		derived ones; --poll-us)
 * @paths:	Socket paths of ports 1..N-1 (NULL-terminated; port 0 is
 *		the daemon's --socket-path / --fd)
 * @err:	Error
 *
 * Return: port 0's device, or NULL with @err set
 */
struct net *net_switch_new(const struct net_opts *o, char **paths,
			   GError **err)
{
	struct net_switch *sw = g_new0(struct net_switch, 1);
	struct net_opts po = *o;
	unsigned int i;

	sw->nports = 1 + (paths ? g_strv_length(paths) : 0);
	sw->ports = g_new0(struct sw_port, sw->nports);
	sw->poll_us = o->poll_us;
	sw->tx_iov = g_new(struct iovec, (size_t)SW_TX_BURST * NET_IOV_MAX);
	sw->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sw->tfd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "timerfd: %s", g_strerror(errno));
		goto fail;
	}
	if (sw->nports > SW_MAX_PORTS) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--switch takes at most %u ports", SW_MAX_PORTS);
		goto fail;
	}
	for (i = 0; i < sw->nports; i++) {
		if (i)
			memset(po.mac, 0, sizeof(po.mac));
		sw->ports[i].net = net_new_port(&po, sw, i);
		sw->ports[i].stash = g_new0(struct sw_stash, 1);
		if (i && !vu_backend_serve(paths[i - 1],
					   &sw->ports[i].net->device,
					   sw->ports[i].net, err))
			goto fail;
	}
	g_message("switch with %u ports%s", sw->nports,
		  sw->poll_us ? ", polling" : "");
	return sw->ports[0].net;
fail:
	net_switch_free(sw);
	return NULL;
}

/**
 * net_switch_free() - Free the switch and every port (all stopped)
 * @sw:		Switch, may be NULL
 */
void net_switch_free(struct net_switch *sw)
{
	unsigned int i;

	if (!sw)
		return;
	for (i = 0; i < sw->nports; i++) {
		net_free(sw->ports[i].net);
		g_free(sw->ports[i].stash);
	}
	if (sw->tfd >= 0)
		close(sw->tfd);
	g_free(sw->ports);
	g_free(sw->tx_iov);
	g_free(sw);
}
