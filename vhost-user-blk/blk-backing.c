// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk-backing.c - the backing store of vhost-user-blk: opening a regular file
 * or a block device, O_DIRECT with a fallback where it is refused, its size,
 * and whether it can discard and write zeroes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "blk-int.h"

/**
 * blk_errno_error() - Set a GError from an errno value
 * @err:	Error to set
 * @e:		errno value
 * @what:	What failed
 * @path:	The backing path
 */
static void blk_errno_error(GError **err, int e, const char *what,
			    const char *path)
{
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
		    "%s %s: %s", what, path, g_strerror(e));
}

/**
 * blk_open_flags() - Open the backing path, O_DIRECT if asked and allowed
 * @blk:	Device (path, read_only); sets @blk->direct
 * @cache:	--cache
 * @err:	Error
 *
 * Return: the fd, or -1 with @err set
 */
static int blk_open_flags(struct blk *blk, enum blk_cache cache, GError **err)
{
	int flags = (blk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	int fd = -1;

	blk->direct = false;
	if (cache == BLK_CACHE_NONE) {
		fd = open(blk->path, flags | O_DIRECT);
		if (fd >= 0)
			blk->direct = true;
		else if (errno != EINVAL)
			goto fail;
	}
	if (fd < 0)
		fd = open(blk->path, flags);
	if (fd >= 0)
		return fd;
fail:
	if (!blk->read_only && (errno == EACCES || errno == EROFS)) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "cannot open %s for writing: %s (use --read-only?)",
			    blk->path, g_strerror(errno));
	} else {
		blk_errno_error(err, errno, "cannot open", blk->path);
	}
	return -1;
}

/**
 * blk_direct_works() - Check that O_DIRECT takes I/O of our granularity
 * @blk:	Device, opened with O_DIRECT
 *
 * A filesystem on a 4K-sector disk refuses 512-byte direct I/O. Read one
 * logical block from a buffer aligned to BLK_DIO_MEM_ALIGN only, the
 * smallest request and alignment the device lets through.
 *
 * Return: true unless the read fails with EINVAL
 */
static bool blk_direct_works(const struct blk *blk)
{
	void *buf;
	ssize_t n;
	int e;

	if (posix_memalign(&buf, 4096, 8192))
		return true;
	n = pread(blk->fd, (char *)buf + BLK_DIO_MEM_ALIGN, blk->blk_size, 0);
	e = errno;
	free(buf);
	return n >= 0 || e != EINVAL;
}

/**
 * blk_check_direct() - Fall back to buffered I/O where O_DIRECT refuses our
 * block size, with one message
 * @blk:	Device, opened
 * @cache:	--cache
 */
static void blk_check_direct(struct blk *blk, enum blk_cache cache)
{
	int fl;

	if (blk->direct && !blk_direct_works(blk)) {
		fl = fcntl(blk->fd, F_GETFL);
		if (fl >= 0 && fcntl(blk->fd, F_SETFL, fl & ~O_DIRECT) == 0)
			blk->direct = false;
	}
	if (cache == BLK_CACHE_NONE && !blk->direct)
		g_message("%s: O_DIRECT not supported here, using buffered I/O "
			  "(as with --cache=writeback)", blk->path);
}

/**
 * blk_backing_size() - Read the current size of the backing
 * @blk:	Device, opened
 * @size:	Set to the size in bytes
 *
 * Return: 0, or a negative errno
 */
int blk_backing_size(const struct blk *blk, uint64_t *size)
{
	struct stat st;

	if (blk->is_bdev) {
		if (ioctl(blk->fd, BLKGETSIZE64, size) < 0)
			return -errno;
		return 0;
	}
	if (fstat(blk->fd, &st) < 0)
		return -errno;
	*size = st.st_size;
	return 0;
}

/**
 * blk_bdev_can_discard() - Whether a block device discards (sysfs)
 * @st:		Its stat
 *
 * Return: true if its queue's discard_max_bytes is not 0
 */
static bool blk_bdev_can_discard(const struct stat *st)
{
	char *path, *text = NULL;
	bool yes = false;

	path = g_strdup_printf("/sys/dev/block/%u:%u/queue/discard_max_bytes",
			       major(st->st_rdev), minor(st->st_rdev));
	if (g_file_get_contents(path, &text, NULL, NULL))
		yes = g_ascii_strtoull(text, NULL, 10) > 0;
	g_free(text);
	g_free(path);
	return yes;
}

/**
 * blk_probe_discard() - Find out whether discard and write zeroes work
 * @blk:	Device, opened, @size known
 * @st:		Its stat
 *
 * Files: punching a hole past the end changes nothing and fails where the
 * filesystem cannot punch; write zeroes then also works (a hole reads as
 * zeroes, and the request path falls back to it if ZERO_RANGE is refused).
 * Devices: BLKZEROOUT always works (the kernel writes zeroes if need be).
 */
static void blk_probe_discard(struct blk *blk, const struct stat *st)
{
	int r;

	blk->can_discard = false;
	blk->can_zeroes = false;
	if (blk->read_only)
		return;
	if (blk->is_bdev) {
		blk->can_discard = blk_bdev_can_discard(st);
		blk->can_zeroes = true;
		return;
	}
	r = fallocate(blk->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)blk->size, blk->blk_size);
	blk->can_discard = r == 0;
	blk->can_zeroes = r == 0;
}

/**
 * blk_check_type() - Accept a regular file or a block device only
 * @blk:	Device, opened; sets @is_bdev
 * @st:		Filled with its stat
 * @err:	Error
 *
 * Return: true if usable
 */
static bool blk_check_type(struct blk *blk, struct stat *st, GError **err)
{
	if (fstat(blk->fd, st) < 0) {
		blk_errno_error(err, errno, "cannot stat", blk->path);
		return false;
	}
	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s is not a regular file or a block device",
			    blk->path);
		return false;
	}
	blk->is_bdev = S_ISBLK(st->st_mode);
	return true;
}

/**
 * blk_backing_open() - Open the backing store and learn what it can do
 * @blk:	Device: path, read_only and blk_size set; sets fd, is_bdev,
 *		direct, size, can_discard and can_zeroes
 * @cache:	--cache
 * @err:	Error
 *
 * Return: true on success, false with @err set (and nothing left open)
 */
bool blk_backing_open(struct blk *blk, enum blk_cache cache, GError **err)
{
	struct stat st;
	int r;

	blk->fd = blk_open_flags(blk, cache, err);
	if (blk->fd < 0)
		return false;
	if (!blk_check_type(blk, &st, err))
		goto fail;
	r = blk_backing_size(blk, &blk->size);
	if (r < 0) {
		blk_errno_error(err, -r, "cannot get the size of", blk->path);
		goto fail;
	}
	blk_check_direct(blk, cache);
	blk_probe_discard(blk, &st);
	g_debug("%s: %" G_GUINT64_FORMAT " bytes, %s, %s%s%s", blk->path,
		blk->size, blk->is_bdev ? "block device" : "file",
		blk->direct ? "O_DIRECT" : "buffered",
		blk->can_discard ? ", discard" : "",
		blk->can_zeroes ? ", write zeroes" : "");
	return true;
fail:
	blk_backing_close(blk);
	return false;
}

/**
 * blk_backing_close() - Close the backing store
 * @blk:	Device
 */
void blk_backing_close(struct blk *blk)
{
	if (blk->fd >= 0)
		close(blk->fd);
	blk->fd = -1;
}
