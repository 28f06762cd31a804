/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-ring-io.h - memory barriers and little-endian accessors for ring fields
 * that the guest reads and writes concurrently (internal to common/).
 */
#ifndef VU_RING_IO_H
#define VU_RING_IO_H

#include <endian.h>
#include <stdint.h>

/**
 * vu_rmb() - Order guest reads: index before the entries it covers
 */
static inline void vu_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/**
 * vu_wmb() - Order our writes: used entries before the index publishing them
 */
static inline void vu_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/**
 * vu_mb() - Full barrier: our writes visible before the following reads
 */
static inline void vu_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/**
 * vu_rd16() - Read a little-endian u16 the guest may change concurrently
 * @p:		Aligned guest field
 *
 * Return: the value in host order
 */
static inline uint16_t vu_rd16(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

/**
 * vu_wr16() - Write a little-endian u16 the guest may read concurrently
 * @p:		Aligned guest field
 * @v:		Value in host order
 */
static inline void vu_wr16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

/**
 * vu_wr32() - Write a little-endian u32 the guest may read concurrently
 * @p:		Aligned guest field
 * @v:		Value in host order
 */
static inline void vu_wr32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

#endif /* VU_RING_IO_H */
