/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * switch-harness.h - vhost-user-net --switch under test: one daemon, one
 * vhost-user device per port, and one libvuf guest per port (its own memfd
 * memory, rings and session). No tap and no namespace: it runs without
 * root. The rings of each port are driven with the net-queues.c helpers,
 * each port being a struct nett without a tap.
 */
#ifndef SWITCH_HARNESS_H
#define SWITCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net-harness.h"

#define SWT_MAX_PORTS	4u
#define SWT_SLOT	8192u	/* buffer bytes per chain id (4000-byte TX) */
#define SWT_RX_BUF	2048u	/* default RX chain */
#define SWT_HOLD_MS	100u	/* a frame waits for RX buffers (SW_HOLD_US) */
#define SWT_ETHERTYPE	0x88b5u	/* IEEE local experimental */
#define SWT_ANNOUNCE_LEN 64u	/* swt_announce() frames */

/**
 * struct swt - a switch daemon and the guests on its ports
 * @daemon:	Back-end binary (VU_NET)
 * @dir:	Temporary directory holding the sockets
 * @pid:	Running back-end, 0 if none
 * @nports:	Ports (port 0 is --socket-path, the others --port)
 * @port:	Each port's guest: @sock, @want and the rings are used; there
 *		is no tap (@pkt stays -1) and @pid stays 0 (see @pid above)
 * @mac:	Each port's MAC, from its config space (set on connect)
 * @poll_us:	--poll-us given to the back-end (0: none)
 */
struct swt {
	const char *daemon;
	char *dir;
	GPid pid;
	unsigned int nports;
	struct nett port[SWT_MAX_PORTS];
	uint8_t mac[SWT_MAX_PORTS][6];
	unsigned int poll_us;
};

extern const uint8_t swt_broadcast[6];

/* The daemon and the sessions */
struct swt *swt_new(unsigned int nports);
void swt_free(struct swt *sw);
void swt_spawn(struct swt *sw);
void swt_kill(struct swt *sw, int sig);
void swt_connect(struct swt *sw, unsigned int port);
void swt_disconnect(struct swt *sw, unsigned int port);
void swt_start(struct swt *sw);

/* Frames */
void swt_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
	       const uint8_t src[6], uint32_t seed);
int swt_tx_post(struct swt *sw, unsigned int port, const struct vnet_hdr *h,
		const uint8_t *frame, size_t len);
void swt_send(struct swt *sw, unsigned int port, const uint8_t *frame,
	      size_t len);
void swt_recv(struct swt *sw, unsigned int port, struct nett_frame *f);
void swt_expect(struct swt *sw, unsigned int port, const uint8_t *frame,
		size_t len);
void swt_expect_none(struct swt *sw, unsigned int port);
void swt_announce(struct swt *sw, unsigned int port, uint32_t seed);

#endif /* SWITCH_HARNESS_H */
