/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blk-harness.h - running a vhost-user-blk back-end on a temporary backing
 * file under a test, and posting virtio-blk requests to it through libvuf.
 */
#ifndef BLK_HARNESS_H
#define BLK_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "vuf.h"

/* virtio-blk, from the virtio 1.2 specification (5.2) */
#define VBLK_F_SIZE_MAX		1
#define VBLK_F_SEG_MAX		2
#define VBLK_F_RO		5
#define VBLK_F_BLK_SIZE		6
#define VBLK_F_FLUSH		9
#define VBLK_F_TOPOLOGY		10
#define VBLK_F_CONFIG_WCE	11
#define VBLK_F_MQ		12
#define VBLK_F_DISCARD		13
#define VBLK_F_WRITE_ZEROES	14

#define VBLK_T_IN		0
#define VBLK_T_OUT		1
#define VBLK_T_FLUSH		4
#define VBLK_T_GET_ID		8
#define VBLK_T_DISCARD		11
#define VBLK_T_WRITE_ZEROES	13

#define VBLK_S_OK		0
#define VBLK_S_IOERR		1
#define VBLK_S_UNSUPP		2
#define VBLK_S_NONE		0xff	/* what the harness puts before posting */

#define VBLK_WZ_UNMAP		1
#define VBLK_ID_BYTES		20
#define VBLK_SECTOR		512u
#define VBLK_HDR_SIZE		16u

/* Config space offsets (struct virtio_blk_config) */
#define VBLK_CFG_CAPACITY	0
#define VBLK_CFG_SIZE_MAX	8
#define VBLK_CFG_SEG_MAX	12
#define VBLK_CFG_BLK_SIZE	20
#define VBLK_CFG_WRITEBACK	32
#define VBLK_CFG_NUM_QUEUES	34
#define VBLK_CFG_MAX_DISCARD_SECTORS	36
#define VBLK_CFG_MAX_DISCARD_SEG	40
#define VBLK_CFG_DISCARD_ALIGN		44
#define VBLK_CFG_MAX_WZ_SECTORS		48
#define VBLK_CFG_MAX_WZ_SEG		52
#define VBLK_CFG_WZ_MAY_UNMAP		56
#define VBLK_CFG_SIZE		60

#define BLKT_GPA		0x100000ull
#define BLKT_RAM		(128u << 20)
#define BLKT_QSIZE		64u
#define BLKT_SLOT		(132u << 10)	/* 128 KiB of data + headers */
#define BLKT_MAX_QUEUES		8u
#define BLKT_IMG_SIZE		(16u << 20)

/**
 * struct virtio_blk_dwz - a discard / write zeroes segment (16 bytes)
 * @sector:	First sector, little-endian
 * @num_sectors: Sectors, little-endian
 * @flags:	VBLK_WZ_UNMAP (write zeroes only), little-endian
 */
struct virtio_blk_dwz {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/**
 * struct blkq - one ring and the request buffers the harness lays out for it
 * @vq:		The ring
 * @mem:	Guest memory
 * @pool_gpa:	BLKT_QSIZE slots of BLKT_SLOT bytes
 * @busy:	Slots in use, one bit each
 * @slot:	Slot of each chain id in flight
 * @status_gpa:	Where the status byte of each chain id lies (0: none)
 * @data_gpa:	First data byte of each chain id
 * @indirect:	blkq_post() uses one indirect descriptor per request
 * @notify:	Kick only when the device asks (vuf_vq_notify()) instead of
 *		after every post
 */
struct blkq {
	struct vuf_vq *vq;
	struct vuf_mem *mem;
	uint64_t pool_gpa;
	uint64_t busy;
	uint16_t slot[BLKT_QSIZE];
	uint64_t status_gpa[BLKT_QSIZE];
	uint64_t data_gpa[BLKT_QSIZE];
	bool indirect;
	bool notify;
};

/**
 * struct blkt - one back-end under test and the front-end driving it
 * @daemon:	Back-end binary (VU_BLK)
 * @dir:	Temporary directory holding the socket
 * @sock:	Socket path
 * @img:	Backing file path
 * @img_fd:	Backing file, opened by the test to check results
 * @args:	Device options the back-end was last started with
 * @pid:	Running back-end, 0 if none
 * @mem:	Guest memory
 * @s:		Session, NULL until blkt_connect()
 * @q:		Started rings
 * @nq:		Number of @q
 * @features:	Negotiated virtio features
 * @want_extra:	Features to ask for on top of the usual ones (RING_PACKED)
 */
struct blkt {
	const char *daemon;
	char *dir;
	char *sock;
	char *img;
	int img_fd;
	char **args;
	GPid pid;
	struct vuf_mem *mem;
	struct vuf_session *s;
	struct blkq q[BLKT_MAX_QUEUES];
	unsigned int nq;
	uint64_t features;
	uint64_t want_extra;
};

/**
 * struct blkt_done - the outcome of one request
 * @id:		Chain id
 * @len:	Used length the device reported
 * @status:	Status byte (VBLK_S_NONE if the device left it alone)
 */
struct blkt_done {
	uint16_t id;
	uint32_t len;
	uint8_t status;
};

bool blkt_init(struct blkt *t, uint64_t img_size);
void blkt_fini(struct blkt *t);
void blkt_spawn(struct blkt *t, const char *opts);
void blkt_respawn(struct blkt *t);
void blkt_kill(struct blkt *t, int sig);
void blkt_connect(struct blkt *t, unsigned int nqueues, uint64_t protocol);
void blkt_start(struct blkt *t, const char *opts, unsigned int nqueues);
void blkt_stop(struct blkt *t);
struct vuf_conn *blkt_conn(const struct blkt *t);

int blkq_post(struct blkq *q, uint32_t type, uint64_t sector,
	      const void *out, uint32_t out_len, uint32_t in_len);
int blkq_post_descs(struct blkq *q, const struct vuf_desc *d, unsigned int n,
		    uint64_t status_gpa, bool indirect);
void *blkq_data(const struct blkq *q, uint16_t id, uint32_t len);
unsigned int blkq_poll(struct blkq *q, struct blkt_done *d, unsigned int max);
void blkq_wait(struct blkq *q, struct blkt_done *d, unsigned int n);
struct blkt_done blkq_run(struct blkq *q, int id);
uint8_t blkq_write(struct blkq *q, uint64_t sector, const void *buf,
		   uint32_t len);
uint8_t blkq_read(struct blkq *q, uint64_t sector, void *buf, uint32_t len);
uint8_t blkq_simple(struct blkq *q, uint32_t type, uint64_t sector);
uint8_t blkq_dwz(struct blkq *q, uint32_t type, uint64_t sector,
		 uint32_t sectors, uint32_t flags);
uint64_t blkt_scratch(struct blkt *t, const void *bytes, uint32_t len);
void blkt_hdr(void *buf, uint32_t type, uint64_t sector);

void blkt_fill(void *buf, size_t len, uint32_t seed);
void blkt_file_write(const struct blkt *t, uint64_t off, const void *buf,
		     size_t len);
void blkt_file_check(const struct blkt *t, uint64_t off, const void *buf,
		     size_t len);
void blkt_file_check_zero(const struct blkt *t, uint64_t off, size_t len);
uint64_t blkt_file_blocks(const struct blkt *t);
bool blkt_file_allocated(const struct blkt *t, uint64_t off, uint64_t len);
bool blkt_file_hole(const struct blkt *t, uint64_t off, uint64_t len);
void blkt_file_resize(const struct blkt *t, uint64_t size);

uint64_t blkt_cfg_u64(struct blkt *t, uint32_t off);
uint32_t blkt_cfg_u32(struct blkt *t, uint32_t off);
uint16_t blkt_cfg_u16(struct blkt *t, uint32_t off);
uint8_t blkt_cfg_u8(struct blkt *t, uint32_t off);

#endif /* BLK_HARNESS_H */
