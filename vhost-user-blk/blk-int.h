/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blk-int.h - vhost-user-blk's internal interfaces between its own files
 * (options, backing, config space, device callbacks, resize); the engines
 * only need blk.h.
 */
#ifndef BLK_INT_H
#define BLK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "blk.h"

/* Largest data segment the driver may use (config size_max) */
#define BLK_SIZE_MAX			(128u * 1024)
/* Largest request: seg_max segments of size_max (bounds bounce buffers) */
#define BLK_REQ_MAX_BYTES		((uint64_t)BLK_SEG_MAX * BLK_SIZE_MAX)
/* Discard and write zeroes: sectors per segment (config limits) */
#define BLK_MAX_DISCARD_SECTORS		(1u << 22)
/* Memory alignment O_DIRECT needs; other buffers go through a bounce */
#define BLK_DIO_MEM_ALIGN		512u
/* --watch: how often the backing size is checked */
#define BLK_WATCH_INTERVAL_MS		1000

/**
 * enum blk_cache - --cache
 * @BLK_CACHE_NONE:		O_DIRECT where the filesystem allows it
 * @BLK_CACHE_WRITEBACK:	Buffered I/O through the host page cache
 */
enum blk_cache {
	BLK_CACHE_NONE,
	BLK_CACHE_WRITEBACK,
};

/**
 * struct blk_opts - the device options, validated
 * @path:		--blk-file
 * @read_only:		--read-only
 * @serial:		--serial (at most 20 bytes), or NULL
 * @num_queues:		--num-queues (0: one per online CPU)
 * @cache:		--cache
 * @io:			--io: the engine
 * @blk_size:		--logical-block-size
 * @watch:		--watch
 * @poll_us:		--poll-us
 */
struct blk_opts {
	const char *path;
	bool read_only;
	const char *serial;
	unsigned int num_queues;
	enum blk_cache cache;
	const struct blk_io_ops *io;
	uint32_t blk_size;
	bool watch;
	unsigned int poll_us;
};

/* blk-backing.c */
bool blk_backing_open(struct blk *blk, enum blk_cache cache, GError **err);
int blk_backing_size(const struct blk *blk, uint64_t *size);
void blk_backing_close(struct blk *blk);

/* blk-config.c */
uint64_t blk_config_features(const struct blk *blk);
void blk_config_image(struct blk *blk, struct virtio_blk_config *cfg);
int blk_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t offset,
		   uint32_t len);
int blk_set_config(struct vu_dev *dev, const uint8_t *buf, uint32_t offset,
		   uint32_t len, uint32_t flags);
void blk_config_reset(struct blk *blk);

/* blk-backend.c */
struct blk *blk_new(const struct blk_opts *opts, GError **err);
void blk_free(struct blk *blk);
void blk_attach_dev(struct blk *blk, struct vu_dev *dev);

/* blk-req.c */
void blk_queue_start(struct blk_queue *q, struct vu_queue *vq);
void blk_queue_stop(struct blk_queue *q);

/* blk-resize.c */
void blk_resize_start(struct blk *blk);
void blk_resize_stop(struct blk *blk);
bool blk_resize_check(struct blk *blk);

#endif /* BLK_INT_H */
