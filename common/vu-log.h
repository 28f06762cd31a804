/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-log.h - dirty page logging for live migration (VHOST_F_LOG_ALL): one bit
 * per 4 KiB page of guest physical memory, set with an atomic OR.
 */
#ifndef VU_LOG_H
#define VU_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VU_LOG_PAGE 4096u

/**
 * struct vu_log - the dirty log shared with the front-end
 * @base:	Start of the bitmap (after the fd offset), NULL if none
 * @size:	Bytes of bitmap available at @base
 * @map:	Start of our mapping
 * @map_size:	Length of our mapping
 * @enabled:	VHOST_F_LOG_ALL is negotiated: writes must be logged
 * @overflow_seen: A write beyond the log was already reported (debug)
 */
struct vu_log {
	uint8_t *base;
	uint64_t size;
	void *map;
	size_t map_size;
	bool enabled;
	bool overflow_seen;
};

int vu_log_set(struct vu_log *log, int fd, uint64_t size, uint64_t offset);
void vu_log_clear(struct vu_log *log);
void vu_log_write(struct vu_log *log, uint64_t gpa, uint64_t len);

#endif /* VU_LOG_H */
