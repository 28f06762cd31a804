// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-config.c - the virtio-blk feature bits and config space of
 * vhost-user-blk: what the device offers, the little-endian config image,
 * and the one writable field, writeback (WCE).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "blk-int.h"

#define BLK_WB_OFF	offsetof(struct virtio_blk_config, writeback)

/**
 * blk_config_features() - The virtio-blk feature bits the device offers
 * @blk:	Device, backing opened
 *
 * Return: feature bits (the core adds the transport ones)
 */
uint64_t blk_config_features(const struct blk *blk)
{
	uint64_t f = (1ull << VIRTIO_BLK_F_SIZE_MAX) |
		     (1ull << VIRTIO_BLK_F_SEG_MAX) |
		     (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		     (1ull << VIRTIO_BLK_F_TOPOLOGY) |
		     (1ull << VIRTIO_BLK_F_FLUSH) |
		     (1ull << VIRTIO_BLK_F_CONFIG_WCE) |
		     (1ull << VIRTIO_BLK_F_MQ);

	if (blk->read_only)
		f |= 1ull << VIRTIO_BLK_F_RO;
	if (blk->can_discard)
		f |= 1ull << VIRTIO_BLK_F_DISCARD;
	if (blk->can_zeroes)
		f |= 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

/**
 * blk_config_limits() - Fill the discard and write zeroes limits
 * @blk:	Device
 * @cfg:	Config image
 */
static void blk_config_limits(const struct blk *blk,
			      struct virtio_blk_config *cfg)
{
	uint32_t align = blk->blk_size / BLK_SECTOR;

	if (blk->can_discard) {
		cfg->max_discard_sectors =
			GUINT32_TO_LE(BLK_MAX_DISCARD_SECTORS);
		cfg->max_discard_seg = GUINT32_TO_LE(BLK_MAX_DISCARD_SEGS);
		cfg->discard_sector_alignment = GUINT32_TO_LE(align);
	}
	if (blk->can_zeroes) {
		cfg->max_write_zeroes_sectors =
			GUINT32_TO_LE(BLK_MAX_DISCARD_SECTORS);
		cfg->max_write_zeroes_seg = GUINT32_TO_LE(BLK_MAX_DISCARD_SEGS);
		cfg->write_zeroes_may_unmap = blk->can_discard;
	}
}

/**
 * blk_config_image() - Build the whole config space, little-endian
 * @blk:	Device
 * @cfg:	Filled
 *
 * Capacity counts whole 512-byte sectors: a partial one at the end of the
 * backing is not exposed.
 */
void blk_config_image(struct blk *blk, struct virtio_blk_config *cfg)
{
	uint64_t size;
	bool wb;

	g_mutex_lock(&blk->lock);
	size = blk->size;
	wb = blk->writeback;
	g_mutex_unlock(&blk->lock);

	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = GUINT64_TO_LE(size / BLK_SECTOR);
	cfg->size_max = GUINT32_TO_LE(BLK_SIZE_MAX);
	cfg->seg_max = GUINT32_TO_LE(BLK_SEG_MAX);
	cfg->blk_size = GUINT32_TO_LE(blk->blk_size);
	cfg->physical_block_exp = 0;
	cfg->alignment_offset = 0;
	cfg->min_io_size = GUINT16_TO_LE(1);
	cfg->opt_io_size = GUINT32_TO_LE(0);
	cfg->writeback = wb;
	cfg->num_queues = GUINT16_TO_LE(blk->num_queues);
	blk_config_limits(blk, cfg);
}

/**
 * blk_get_config() - Read config space (the core checked the range)
 * @dev:	Device
 * @buf:	Destination
 * @offset:	Offset in config space
 * @len:	Bytes to read
 *
 * Return: 0, or -EINVAL for a range outside the config space
 */
int blk_get_config(struct vu_dev *dev, uint8_t *buf, uint32_t offset,
		   uint32_t len)
{
	struct blk *blk = vu_dev_priv(dev);
	struct virtio_blk_config cfg;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset)
		return -EINVAL;
	blk_attach_dev(blk, dev);
	blk_config_image(blk, &cfg);
	memcpy(buf, (uint8_t *)&cfg + offset, len);
	return 0;
}

/**
 * blk_set_config() - Write config space: only writeback may change
 * @dev:	Device
 * @buf:	Source
 * @offset:	Offset in config space
 * @len:	Bytes to write
 * @flags:	Front-end or migration write (both handled alike)
 *
 * A write may cover other fields as long as it leaves them unchanged (a
 * front-end writing back what it read); the writeback byte takes any
 * value, non-zero meaning writeback.
 *
 * Return: 0, -EINVAL for a bad range, -EPERM for a change of a read-only
 * field
 */
int blk_set_config(struct vu_dev *dev, const uint8_t *buf, uint32_t offset,
		   uint32_t len, uint32_t flags)
{
	struct blk *blk = vu_dev_priv(dev);
	struct virtio_blk_config cfg;
	uint8_t *img = (uint8_t *)&cfg;
	uint32_t i;
	bool wb;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset)
		return -EINVAL;
	blk_config_image(blk, &cfg);
	for (i = 0; i < len; i++)
		if (offset + i != BLK_WB_OFF && img[offset + i] != buf[i])
			return -EPERM;
	if (offset > BLK_WB_OFF || offset + len <= BLK_WB_OFF)
		return 0;
	wb = buf[BLK_WB_OFF - offset] != 0;
	g_mutex_lock(&blk->lock);
	__atomic_store_n(&blk->writeback, wb, __ATOMIC_RELAXED);
	g_mutex_unlock(&blk->lock);
	g_debug("write cache %s", wb ? "on (writeback)" : "off (writethrough)");
	return 0;
}

/**
 * blk_config_reset() - Device reset: writeback back to its initial mode
 * @blk:	Device
 */
void blk_config_reset(struct blk *blk)
{
	g_mutex_lock(&blk->lock);
	__atomic_store_n(&blk->writeback, blk->writeback_default,
			 __ATOMIC_RELAXED);
	g_mutex_unlock(&blk->lock);
}
