/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vu-handlers.h - the request handlers that vu-msg.c's table points to
 * (internal to common/: devices never call these).
 */
#ifndef VU_HANDLERS_H
#define VU_HANDLERS_H

#include "vu-msg.h"

struct vu_dev;

#define VU_HANDLER(name) \
	enum vu_result name(struct vu_dev *dev, struct vu_msg *m)

/* vu-handlers.c: features, owner, status, config, reset */
VU_HANDLER(vu_h_get_features);
VU_HANDLER(vu_h_set_features);
VU_HANDLER(vu_h_set_owner);
VU_HANDLER(vu_h_reset_owner);
VU_HANDLER(vu_h_get_protocol_features);
VU_HANDLER(vu_h_set_protocol_features);
VU_HANDLER(vu_h_get_queue_num);
VU_HANDLER(vu_h_set_backend_req_fd);
VU_HANDLER(vu_h_get_config);
VU_HANDLER(vu_h_set_config);
VU_HANDLER(vu_h_reset_device);
VU_HANDLER(vu_h_set_status);
VU_HANDLER(vu_h_get_status);
VU_HANDLER(vu_h_device);

/* vu-handlers-mem.c: memory table, dirty log, inflight, device state */
VU_HANDLER(vu_h_set_mem_table);
VU_HANDLER(vu_h_get_max_mem_slots);
VU_HANDLER(vu_h_add_mem_reg);
VU_HANDLER(vu_h_rem_mem_reg);
VU_HANDLER(vu_h_set_log_base);
VU_HANDLER(vu_h_set_log_fd);
VU_HANDLER(vu_h_get_inflight_fd);
VU_HANDLER(vu_h_set_inflight_fd);
VU_HANDLER(vu_h_set_device_state_fd);
VU_HANDLER(vu_h_check_device_state);

/* vu-handlers-vring.c: rings */
VU_HANDLER(vu_h_set_vring_num);
VU_HANDLER(vu_h_set_vring_addr);
VU_HANDLER(vu_h_set_vring_base);
VU_HANDLER(vu_h_get_vring_base);
VU_HANDLER(vu_h_set_vring_kick);
VU_HANDLER(vu_h_set_vring_call);
VU_HANDLER(vu_h_set_vring_err);
VU_HANDLER(vu_h_set_vring_enable);
VU_HANDLER(vu_h_vring_kick);

#endif /* VU_HANDLERS_H */
