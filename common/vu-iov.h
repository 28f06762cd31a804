/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-iov.h - iovec helpers for the devices: lengths, bounded copies,
 * slices, alignment checks.
 */
#ifndef VU_IOV_H
#define VU_IOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

uint64_t vu_iov_length(const struct iovec *iov, unsigned int n);
size_t vu_iov_to_buf(const struct iovec *iov, unsigned int n, uint64_t off,
		     void *buf, size_t len);
size_t vu_iov_from_buf(const struct iovec *iov, unsigned int n, uint64_t off,
		       const void *buf, size_t len);
size_t vu_iov_copy(const struct iovec *dst, unsigned int dn, uint64_t doff,
		   const struct iovec *src, unsigned int sn, uint64_t soff,
		   size_t len);
unsigned int vu_iov_slice(const struct iovec *src, unsigned int n,
			  uint64_t skip, uint64_t len, struct iovec *dst);
uint8_t *vu_iov_last_byte(const struct iovec *iov, unsigned int n);
bool vu_iov_aligned(const struct iovec *iov, unsigned int n, size_t align);

#endif /* VU_IOV_H */
