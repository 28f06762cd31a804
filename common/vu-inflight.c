// SPDX-License-Identifier: GPL-2.0-or-later
/* vu-inflight.c - inflight tracking (stub, being written). */
#include <errno.h>
#include "vu-inflight.h"

/** vu_inflight_init() - stub @inf: region */
void vu_inflight_init(struct vu_inflight *inf) { inf->fd = -1; inf->map = 0; }
/** vu_inflight_queue_bytes() - stub @queue_size: q @packed: p  Return: 0 */
size_t vu_inflight_queue_bytes(uint16_t queue_size, bool packed)
{ (void)queue_size; (void)packed; return 0; }
/** vu_inflight_create() - stub @inf: i @num_queues: n @queue_size: q @packed: p  Return: err */
int vu_inflight_create(struct vu_inflight *inf, uint16_t num_queues,
		       uint16_t queue_size, bool packed)
{ (void)inf; (void)num_queues; (void)queue_size; (void)packed; return -ENOSYS; }
/** vu_inflight_set() - stub @inf: i @fd: f @size: s @offset: o @num_queues: n @queue_size: q @packed: p  Return: err */
int vu_inflight_set(struct vu_inflight *inf, int fd, uint64_t size,
		    uint64_t offset, uint16_t num_queues, uint16_t queue_size,
		    bool packed)
{ (void)inf; (void)fd; (void)size; (void)offset; (void)num_queues; (void)queue_size; (void)packed; return -ENOSYS; }
/** vu_inflight_clear() - stub @inf: i */
void vu_inflight_clear(struct vu_inflight *inf) { (void)inf; }
/** vu_inflight_queue() - stub @inf: i @index: x  Return: NULL */
void *vu_inflight_queue(const struct vu_inflight *inf, unsigned int index)
{ (void)inf; (void)index; return 0; }
/** vu_inflight_get() - stub @vq: q @elem: e @slot: s */
void vu_inflight_get(struct vu_queue *vq, const struct vu_elem *elem,
		     uint16_t slot)
{ (void)vq; (void)elem; (void)slot; }
/** vu_inflight_pre_put() - stub @vq: q @elem: e */
void vu_inflight_pre_put(struct vu_queue *vq, const struct vu_elem *elem)
{ (void)vq; (void)elem; }
/** vu_inflight_post_put() - stub @vq: q @elem: e */
void vu_inflight_post_put(struct vu_queue *vq, const struct vu_elem *elem)
{ (void)vq; (void)elem; }
/** vu_inflight_recover() - stub @vq: q  Return: 0 */
int vu_inflight_recover(struct vu_queue *vq) { (void)vq; return 0; }
