// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-tap.c - the tap device: created or attached by name (one queue fd
 * per queue pair), or inherited fds; its vnet header size, offloads and MTU.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "net-int.h"

#define TUN_PATH	"/dev/net/tun"
#define TAP_FLAGS	(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
#define TAP_ALL_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | \
			  TUN_F_TSO_ECN | TUN_F_UFO)

/**
 * tap_error() - Set an error from errno
 * @err:	Error
 * @code:	errno value
 * @fmt:	Message format
 * @...:	Its arguments
 *
 * Return: false
 */
static bool G_GNUC_PRINTF(3, 4) tap_error(GError **err, int code,
					  const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, G_IO_ERROR, g_io_error_from_errno(code), msg);
	g_free(msg);
	return false;
}

/**
 * tap_is_tun() - Whether an existing interface is a tun/tap device
 * @name:	Interface name
 *
 * Asks the driver's name (ethtool) in our network namespace, which sysfs
 * does not always show.
 *
 * Return: true for the tun driver (or when it cannot be told: TUNSETIFF
 * then decides)
 */
static bool tap_is_tun(const char *name)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool tun = true;

	if (s < 0)
		return true;
	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&info;
	if (ioctl(s, SIOCETHTOOL, &ifr) == 0)
		tun = !strcmp(info.driver, "tun");
	else if (errno == EOPNOTSUPP)
		tun = false;	/* lo and others without ethtool */
	close(s);
	return tun;
}

/**
 * tap_check_name() - Refuse a name that exists and is not a tun/tap
 * @name:	Interface name
 * @err:	Error
 *
 * Return: true if the name is free or a tun/tap device
 */
static bool tap_check_name(const char *name, GError **err)
{
	if (strlen(name) >= IFNAMSIZ || !*name || strchr(name, '/'))
		return tap_error(err, EINVAL, "--tap: bad interface name '%s'",
				 name);
	if (if_nametoindex(name) && !tap_is_tun(name))
		return tap_error(err, EEXIST, "--tap: %s exists and is not a "
				 "tap device", name);
	return true;
}

/**
 * tap_open_queue() - Open one queue of the named tap (creating it)
 * @n:		Device (@opts.tap, @opts.pairs)
 * @err:	Error
 *
 * Return: the fd, or -1 with @err set
 */
static int tap_open_queue(struct net *n, GError **err)
{
	struct ifreq ifr = { 0 };
	int fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		tap_error(err, errno, "cannot open %s: %s", TUN_PATH,
			  g_strerror(errno));
		return -1;
	}
	ifr.ifr_flags = TAP_FLAGS | (n->opts.pairs > 1 ? IFF_MULTI_QUEUE : 0);
	g_strlcpy(ifr.ifr_name, n->opts.tap, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		tap_error(err, errno, "--tap %s: %s%s", n->opts.tap,
			  g_strerror(errno), errno == EBUSY ? " (in use)" :
			  errno == EINVAL ? " (a tun, or other queue flags)" :
			  errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		close(fd);
		return -1;
	}
	g_strlcpy(n->ifname, ifr.ifr_name, sizeof(n->ifname));
	return fd;
}

/**
 * tap_check_fd() - Check an inherited tap fd and note its name
 * @n:		Device
 * @fd:		The fd
 * @err:	Error
 *
 * Return: true if it is a tap with a vnet header and no packet info
 */
static bool tap_check_fd(struct net *n, int fd, GError **err)
{
	struct ifreq ifr = { 0 };
	int fl;

	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return tap_error(err, errno, "--tap-fd %d is not a tap: %s",
				 fd, g_strerror(errno));
	if ((ifr.ifr_flags & TAP_FLAGS) != TAP_FLAGS)
		return tap_error(err, EINVAL, "--tap-fd %d: %s needs IFF_TAP, "
				 "IFF_NO_PI and IFF_VNET_HDR", fd,
				 ifr.ifr_name);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return tap_error(err, errno, "--tap-fd %d: %s", fd,
				 g_strerror(errno));
	g_strlcpy(n->ifname, ifr.ifr_name, sizeof(n->ifname));
	return true;
}

/**
 * tap_setup_fd() - Vnet header size on a queue fd
 * @fd:		Queue fd
 * @err:	Error
 *
 * Return: true on success
 */
static bool tap_setup_fd(int fd, GError **err)
{
	int sz = NET_HDR_SIZE;

	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return tap_error(err, errno, "TUNSETVNETHDRSZ: %s",
				 g_strerror(errno));
	return true;
}

/**
 * tap_probe_offloads() - Which offloads the tap can hand us
 * @n:		Device (queue 0 open)
 */
static void tap_probe_offloads(struct net *n)
{
	int fd = n->pairs[0].fd;

	if (ioctl(fd, TUNSETOFFLOAD, TAP_ALL_OFFLOADS) == 0)
		n->tun_offloads = TAP_ALL_OFFLOADS;
	else if (ioctl(fd, TUNSETOFFLOAD, TAP_ALL_OFFLOADS & ~TUN_F_UFO) == 0)
		n->tun_offloads = TAP_ALL_OFFLOADS & ~TUN_F_UFO;
	else if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM) == 0)
		n->tun_offloads = TUN_F_CSUM;
	if (ioctl(fd, TUNSETOFFLOAD, 0) < 0)
		g_debug("TUNSETOFFLOAD 0: %s", g_strerror(errno));
}

/**
 * net_tap_open() - Open or take over the tap queues
 * @n:		Device (options set)
 * @err:	Error
 *
 * Return: true on success; net_tap_close() releases what was opened either
 * way
 */
bool net_tap_open(struct net *n, GError **err)
{
	unsigned int i;
	int fd;

	if (n->opts.tap && !tap_check_name(n->opts.tap, err))
		return false;
	for (i = 0; i < n->opts.pairs; i++) {
		if (n->opts.tap) {
			fd = tap_open_queue(n, err);
		} else {
			fd = n->opts.tap_fds[i];
			if (!tap_check_fd(n, fd, err))
				return false;
		}
		if (fd < 0)
			return false;
		n->pairs[i].fd = fd;
		if (!tap_setup_fd(fd, err))
			return false;
	}
	tap_probe_offloads(n);
	return true;
}

/**
 * net_tap_close() - Close the queue fds
 * @n:		Device
 */
void net_tap_close(struct net *n)
{
	unsigned int i;

	for (i = 0; i < NET_MAX_PAIRS; i++) {
		if (n->pairs[i].fd >= 0)
			close(n->pairs[i].fd);
		n->pairs[i].fd = -1;
	}
}

/**
 * net_tap_set_offloads() - Let the tap hand us what the guest accepts
 * @n:		Device
 * @features:	Negotiated virtio features
 *
 * Return: 0, or a negative errno
 */
int net_tap_set_offloads(struct net *n, uint64_t features)
{
	static const struct { unsigned int bit, flag; } map[] = {
		{ 1, TUN_F_CSUM },	/* VIRTIO_NET_F_GUEST_CSUM */
		{ 7, TUN_F_TSO4 },	/* VIRTIO_NET_F_GUEST_TSO4 */
		{ 8, TUN_F_TSO6 },	/* VIRTIO_NET_F_GUEST_TSO6 */
		{ 9, TUN_F_TSO_ECN },	/* VIRTIO_NET_F_GUEST_ECN */
		{ 10, TUN_F_UFO },	/* VIRTIO_NET_F_GUEST_UFO */
	};
	unsigned int i, flags = 0;

	for (i = 0; i < G_N_ELEMENTS(map); i++)
		if (features & (1ull << map[i].bit))
			flags |= map[i].flag;
	/* Segmentation offloads need the checksum offload */
	if (!(flags & TUN_F_CSUM))
		flags = 0;
	flags &= n->tun_offloads;
	if (ioctl(n->pairs[0].fd, TUNSETOFFLOAD, flags) < 0)
		return -errno;
	return 0;
}

/**
 * net_tap_attach_queue() - Attach or detach a pair's tap queue
 * @p:		Queue pair
 * @on:		Attach (its RX ring is enabled) or detach (disabled)
 *
 * The kernel steers frames to every attached queue; one whose ring is
 * disabled would strand them, so it is detached, as QEMU's own tap back-end
 * does. Only multi-queue taps have queues to detach.
 */
void net_tap_attach_queue(struct net_pair *p, bool on)
{
	struct ifreq ifr = { 0 };

	if (p->net->opts.pairs < 2 || p->fd < 0 || p->detached == !on)
		return;
	ifr.ifr_flags = on ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(p->fd, TUNSETQUEUE, &ifr) < 0) {
		g_warning("pair %u: TUNSETQUEUE %s: %s", p->index,
			  on ? "attach" : "detach", g_strerror(errno));
		return;
	}
	p->detached = !on;
}

/**
 * tap_mtu_ioctl() - SIOCGIFMTU or SIOCSIFMTU on the tap
 * @n:		Device
 * @req:	The request
 * @mtu:	In/out MTU
 *
 * Return: 0, or a negative errno
 */
static int tap_mtu_ioctl(struct net *n, unsigned long req, int *mtu)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (s < 0)
		return -errno;
	g_strlcpy(ifr.ifr_name, n->ifname, sizeof(ifr.ifr_name));
	ifr.ifr_mtu = *mtu;
	if (ioctl(s, req, &ifr) < 0)
		r = -errno;
	*mtu = ifr.ifr_mtu;
	close(s);
	return r;
}

/**
 * net_tap_set_mtu() - Set the tap's MTU
 * @n:		Device
 * @mtu:	New MTU
 *
 * Return: 0, or a negative errno
 */
int net_tap_set_mtu(struct net *n, unsigned int mtu)
{
	int m = (int)mtu;

	return tap_mtu_ioctl(n, SIOCSIFMTU, &m);
}

/**
 * net_tap_get_mtu() - The tap's MTU
 * @n:		Device
 *
 * Return: the MTU, or 1500 if it cannot be read
 */
int net_tap_get_mtu(struct net *n)
{
	int m = 0;

	if (tap_mtu_ioctl(n, SIOCGIFMTU, &m) < 0 || m <= 0)
		return 1500;
	return m;
}
