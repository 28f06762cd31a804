/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input-harness.h - running vhost-user-input under a test and driving it:
 * libvuf plays the guest (config space, event queue, status queue) and a
 * control client plays the program feeding a virtual device.
 */
#ifndef INPUT_HARNESS_H
#define INPUT_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "vuf.h"

/* virtio-input, from the virtio 1.2 specification (5.8) */
#define VIN_CFG_UNSET		0x00
#define VIN_CFG_ID_NAME		0x01
#define VIN_CFG_ID_SERIAL	0x02
#define VIN_CFG_ID_DEVIDS	0x03
#define VIN_CFG_PROP_BITS	0x10
#define VIN_CFG_EV_BITS		0x11
#define VIN_CFG_ABS_INFO	0x12
#define VIN_CFG_HDR		8u
#define VIN_CFG_PAYLOAD		128u
#define VIN_CFG_SIZE		(VIN_CFG_HDR + VIN_CFG_PAYLOAD)
#define VIN_EVENT_SIZE		8u
#define VIN_QUEUE_EVENT		0
#define VIN_QUEUE_STATUS	1

#define INPT_GPA		0x100000ull
#define INPT_RAM		(8u << 20)
#define INPT_QSIZE		64u
#define INPT_SLOT		64u	/* bytes of buffer space per chain */
#define INPT_TIMEOUT_MS		5000
#define INPT_QUIET_MS		200	/* "nothing more comes" */
#define INPT_USED_NONE		UINT32_MAX

/**
 * struct inpt_event - one input event, decoded to host byte order
 * @type:	EV_* type
 * @code:	Code
 * @value:	Value
 */
struct inpt_event {
	uint16_t type;
	uint16_t code;
	int32_t value;
};

/**
 * struct inpt_used - one completion of the event queue
 * @id:		Chain id
 * @len:	Used length
 * @ev:		The event, decoded from the chain's buffers (valid when
 *		@len is 8 and the chain was posted by inpt_post_events())
 */
struct inpt_used {
	uint16_t id;
	uint32_t len;
	struct inpt_event ev;
};

/**
 * struct inpt - one vhost-user-input under test and the guest driving it
 * @daemon:	Back-end binary (VU_INPUT), NULL when attached to sockets
 * @dir:	Temporary directory holding the sockets, or NULL
 * @sock:	vhost-user socket path
 * @ctl:	Control socket path
 * @pid:	Running back-end, 0 if none
 * @mem:	Guest memory
 * @s:		Session, NULL until inpt_connect()
 * @evq:	Event queue (device -> driver)
 * @stq:	Status queue (driver -> device)
 * @features:	Negotiated virtio features
 * @want_extra:	Features to ask for on top of the usual ones (RING_PACKED)
 * @cfg:	The last config image read (QEMU writes it back with changes)
 * @own:	Chain ids of @evq posted by inpt_post_events() (bit per id)
 */
struct inpt {
	const char *daemon;
	char *dir;
	char *sock;
	char *ctl;
	GPid pid;
	struct vuf_mem *mem;
	struct vuf_session *s;
	struct vuf_vq *evq;
	struct vuf_vq *stq;
	uint64_t features;
	uint64_t want_extra;
	uint8_t cfg[VIN_CFG_SIZE];
	uint64_t own;
};

/**
 * struct inpt_ctl - one client of the control socket
 * @fd:		Connected socket
 * @buf:	Bytes read and not yet returned as lines
 */
struct inpt_ctl {
	int fd;
	GString *buf;
};

/**
 * struct inpt_run - what a daemon run to completion left behind
 * @status:	Wait status (-1 if it had to be killed after 5 s)
 * @out:	Its standard output
 * @err:	Its standard error
 */
struct inpt_run {
	int status;
	char *out;
	char *err;
};

bool inpt_init(struct inpt *t);
void inpt_attach(struct inpt *t, const char *sock, const char *ctl);
void inpt_fini(struct inpt *t);
void inpt_spawn(struct inpt *t, const char *opts);
void inpt_spawn_virtual(struct inpt *t, const char *preset,
			const char *extra);
void inpt_kill(struct inpt *t, int sig);
void inpt_run_sync(const struct inpt *t, const char *opts,
		   struct inpt_run *r);
void inpt_run_clear(struct inpt_run *r);
void inpt_connect(struct inpt *t);
void inpt_start(struct inpt *t, const char *preset, const char *extra);
void inpt_disconnect(struct inpt *t);
void inpt_stop(struct inpt *t);
void inpt_reconnect(struct inpt *t);
struct vuf_conn *inpt_conn(const struct inpt *t);

uint8_t inpt_cfg_query(struct inpt *t, uint8_t select, uint8_t subsel,
		       uint8_t payload[VIN_CFG_PAYLOAD]);
void inpt_cfg_read(struct inpt *t, uint8_t img[VIN_CFG_SIZE]);

void inpt_post_quiet(struct inpt *t, unsigned int n);
unsigned int inpt_post_events(struct inpt *t, unsigned int n);
int inpt_post_event_descs(struct inpt *t, const struct vuf_desc *d,
			  unsigned int n);
uint64_t inpt_scratch(struct inpt *t, uint32_t len);
unsigned int inpt_poll(struct inpt *t, struct inpt_used *u, unsigned int max);
void inpt_wait_used(struct inpt *t, struct inpt_used *u, unsigned int n);
void inpt_wait_events(struct inpt *t, struct inpt_event *ev, unsigned int n);
unsigned int inpt_drain(struct inpt *t, struct inpt_event *ev,
			unsigned int max, bool repost);
void inpt_expect_no_used(struct inpt *t, int ms);
void inpt_post_status(struct inpt *t, uint16_t type, uint16_t code,
		      int32_t value);
void inpt_post_status_raw(struct inpt *t, const void *bytes, uint32_t len);
void inpt_wait_status_used(struct inpt *t, unsigned int n);

struct inpt_ctl *inpt_ctl_open(const char *path);
void inpt_ctl_close(struct inpt_ctl *c);
void inpt_ctl_send(struct inpt_ctl *c, const char *line);
char *inpt_ctl_read(struct inpt_ctl *c, int timeout_ms);
void inpt_ctl_expect_silence(struct inpt_ctl *c, int ms);
char *inpt_ctl_expect_error(struct inpt_ctl *c, const char *line);
void inpt_ctl_sync(struct inpt_ctl *c);

#endif /* INPUT_HARNESS_H */
