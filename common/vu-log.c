// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-log.c - dirty page logging for live migration: the bitmap from
 * SET_LOG_BASE, one bit per 4 KiB page of guest physical memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "vu-log.h"

/**
 * vu_log_unmap() - Drop a mapping, if any
 * @map:	Start of the mapping, or NULL
 * @size:	Length of the mapping
 */
static void vu_log_unmap(void *map, size_t size)
{
	if (map)
		munmap(map, size);
}

/**
 * vu_log_set() - Map the log region handed over by SET_LOG_BASE
 * @log:	Dirty log
 * @fd:		File descriptor of the log (always closed)
 * @size:	Bytes of bitmap, from the message
 * @offset:	Offset of the bitmap in @fd, from the message
 *
 * Maps @size + @offset bytes of @fd from its start, so that @offset need not
 * be page aligned, and replaces any previous mapping. On failure the previous
 * mapping stays in place.
 *
 * Return: 0 on success, -EINVAL for inconsistent sizes, or -errno from mmap()
 */
int vu_log_set(struct vu_log *log, int fd, uint64_t size, uint64_t offset)
{
	uint64_t total = size + offset;
	void *map;

	if (fd < 0)
		return -EBADF;
	if (!size || total < size || total > SIZE_MAX) {
		close(fd);
		return -EINVAL;
	}

	map = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;

	vu_log_unmap(log->map, log->map_size);
	log->map = map;
	log->map_size = (size_t)total;
	log->base = (uint8_t *)map + offset;
	log->size = size;
	log->overflow_seen = false;
	return 0;
}

/**
 * vu_log_clear() - Unmap the log; logging becomes a no-op until the next set
 * @log:	Dirty log
 */
void vu_log_clear(struct vu_log *log)
{
	vu_log_unmap(log->map, log->map_size);
	log->map = NULL;
	log->map_size = 0;
	log->base = NULL;
	log->size = 0;
}

/**
 * vu_log_overflow() - Note a write to pages the log does not cover
 * @log:	Dirty log
 * @page:	First page outside the log
 *
 * The front-end sized the log too small (or the guest gave an address beyond
 * its RAM); these pages cannot be logged. Said once per mapping.
 */
static void vu_log_overflow(struct vu_log *log, uint64_t page)
{
	if (!__atomic_exchange_n(&log->overflow_seen, true, __ATOMIC_RELAXED))
		g_debug("dirty log of %" PRIu64 " bytes does not cover page "
			"%" PRIu64 ": not logged", log->size, page);
}

/**
 * vu_log_write() - Mark the pages of a guest physical range dirty
 * @log:	Dirty log
 * @gpa:	Guest physical address of the first byte written
 * @len:	Bytes written
 *
 * No-op unless logging is enabled and a log is mapped. Pages beyond the end
 * of the log are ignored; a range that wraps around the address space is cut
 * at its end.
 */
void vu_log_write(struct vu_log *log, uint64_t gpa, uint64_t len)
{
	uint64_t first, last, page, pages;

	if (!log->enabled || !log->base || !len)
		return;

	first = gpa / VU_LOG_PAGE;
	if (len - 1 > UINT64_MAX - gpa)
		last = UINT64_MAX / VU_LOG_PAGE;
	else
		last = (gpa + len - 1) / VU_LOG_PAGE;

	pages = log->size * 8;
	if (log->size > UINT64_MAX / 8)
		pages = UINT64_MAX;

	for (page = first; page <= last; page++) {
		if (page >= pages) {
			vu_log_overflow(log, page);
			return;
		}
		__atomic_fetch_or(&log->base[page / 8],
				  (uint8_t)(1u << (page % 8)), __ATOMIC_SEQ_CST);
	}
}
