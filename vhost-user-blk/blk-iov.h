/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blk-iov.h - iovec helpers of vhost-user-blk: lengths, bounded copies,
 * slices, alignment checks.
 */
#ifndef BLK_IOV_H
#define BLK_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

uint64_t blk_iov_length(const struct iovec *iov, unsigned int n);
size_t blk_iov_to_buf(const struct iovec *iov, unsigned int n, uint64_t off,
		      void *buf, size_t len);
size_t blk_iov_from_buf(const struct iovec *iov, unsigned int n,
			const void *buf, size_t len);
unsigned int blk_iov_slice(const struct iovec *src, unsigned int n,
			   uint64_t skip, uint64_t len, struct iovec *dst);
uint8_t *blk_iov_last_byte(const struct iovec *iov, unsigned int n);
bool blk_iov_aligned(const struct iovec *iov, unsigned int n, size_t align);

#endif /* BLK_IOV_H */
