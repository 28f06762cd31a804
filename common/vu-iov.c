// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-iov.c - iovec helpers for the devices: every copy is bounded by both
 * the iovecs and the caller's buffer, whatever lengths the guest gave.
 */
#include <string.h>

#include <glib.h>

#include "vu-iov.h"

/**
 * vu_iov_length() - Total bytes of an iovec array
 * @iov:	Array
 * @n:		Entries
 *
 * Return: the sum of the lengths
 */
uint64_t vu_iov_length(const struct iovec *iov, unsigned int n)
{
	uint64_t len = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/**
 * vu_iov_to_buf() - Copy bytes out of an iovec array
 * @iov:	Array
 * @n:		Entries
 * @off:	Offset in the array's bytes to start at
 * @buf:	Destination
 * @len:	Bytes wanted
 *
 * Return: bytes copied (less than @len if the array ends first)
 */
size_t vu_iov_to_buf(const struct iovec *iov, unsigned int n, uint64_t off,
		     void *buf, size_t len)
{
	size_t done = 0, chunk;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = MIN(iov[i].iov_len - off, len - done);
		memcpy((char *)buf + done, (char *)iov[i].iov_base + off,
		       chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

/**
 * vu_iov_from_buf() - Copy bytes into an iovec array
 * @iov:	Array
 * @n:		Entries
 * @off:	Offset in the array's bytes to start at
 * @buf:	Source
 * @len:	Bytes to copy
 *
 * Return: bytes copied (less than @len if the array ends first)
 */
size_t vu_iov_from_buf(const struct iovec *iov, unsigned int n, uint64_t off,
		       const void *buf, size_t len)
{
	size_t done = 0, chunk;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = MIN(iov[i].iov_len - off, len - done);
		memcpy((char *)iov[i].iov_base + off, (const char *)buf + done,
		       chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

/**
 * vu_iov_copy() - Copy bytes from one iovec array into another
 * @dst:	Destination array
 * @dn:		Its entries
 * @doff:	Offset in the destination's bytes
 * @src:	Source array
 * @sn:		Its entries
 * @soff:	Offset in the source's bytes
 * @len:	Bytes wanted
 *
 * Return: bytes copied (less than @len if either array ends first)
 */
size_t vu_iov_copy(const struct iovec *dst, unsigned int dn, uint64_t doff,
		   const struct iovec *src, unsigned int sn, uint64_t soff,
		   size_t len)
{
	size_t done = 0, want, k;
	unsigned int i;

	for (i = 0; i < sn && done < len; i++) {
		if (soff >= src[i].iov_len) {
			soff -= src[i].iov_len;
			continue;
		}
		want = MIN(src[i].iov_len - soff, len - done);
		k = vu_iov_from_buf(dst, dn, doff + done,
				    (const uint8_t *)src[i].iov_base + soff,
				    want);
		done += k;
		if (k < want)
			break;
		soff = 0;
	}
	return done;
}

/**
 * vu_iov_slice() - Describe a byte range of an iovec array as iovecs
 * @src:	Array
 * @n:		Entries
 * @skip:	Bytes to leave out at the start
 * @len:	Bytes to describe after them
 * @dst:	Filled; room for @n entries (empty ones are left out)
 *
 * Return: entries written to @dst
 */
unsigned int vu_iov_slice(const struct iovec *src, unsigned int n,
			  uint64_t skip, uint64_t len, struct iovec *dst)
{
	unsigned int i, out = 0;
	uint64_t chunk;

	for (i = 0; i < n && len; i++) {
		if (skip >= src[i].iov_len) {
			skip -= src[i].iov_len;
			continue;
		}
		chunk = MIN(src[i].iov_len - skip, len);
		dst[out].iov_base = (char *)src[i].iov_base + skip;
		dst[out].iov_len = chunk;
		out++;
		len -= chunk;
		skip = 0;
	}
	return out;
}

/**
 * vu_iov_last_byte() - The last byte of an iovec array
 * @iov:	Array
 * @n:		Entries
 *
 * Return: its address, or NULL if the array holds no byte
 */
uint8_t *vu_iov_last_byte(const struct iovec *iov, unsigned int n)
{
	unsigned int i;

	for (i = n; i > 0; i--)
		if (iov[i - 1].iov_len)
			return (uint8_t *)iov[i - 1].iov_base +
			       iov[i - 1].iov_len - 1;
	return NULL;
}

/**
 * vu_iov_aligned() - Whether every buffer starts and ends on a boundary
 * @iov:	Array
 * @n:		Entries
 * @align:	Alignment, a power of two
 *
 * Return: true if every base and length is a multiple of @align
 */
bool vu_iov_aligned(const struct iovec *iov, unsigned int n, size_t align)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) &
		    (align - 1))
			return false;
	return true;
}
