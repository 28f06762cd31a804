// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vu-handlers.c - request handlers for features, ownership, the BACKEND_REQ
 * channel, config space, status and reset.
 */
#include <errno.h>
#include <unistd.h>

#include "vu-dev.h"
#include "vu-handlers.h"

#define VIRTIO_STATUS_NEEDS_RESET 0x40

/**
 * vu_h_get_features() - GET_FEATURES: the virtio features we offer
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_get_features)
{
	vu_msg_set_reply_u64(m, dev->offered);
	return VU_REPLY;
}

/**
 * vu_dev_apply_features() - Give the queues the negotiated features
 * @dev:	Device, locked
 *
 * Without PROTOCOL_FEATURES there is no SET_VRING_ENABLE: every ring is
 * enabled at once (PROTOCOL.md, rule 1).
 */
static void vu_dev_apply_features(struct vu_dev *dev)
{
	bool all_on = !vu_dev_has_feature(dev, VU_F_PROTOCOL_FEATURES);
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++) {
		dev->vqs[i].features = dev->features;
		if (all_on)
			dev->vqs[i].enabled = true;
	}
	dev->log.enabled = vu_dev_has_feature(dev, VU_F_LOG_ALL);
}

/**
 * vu_h_set_features() - SET_FEATURES: acknowledge virtio features
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL for bits we did not offer
 */
VU_HANDLER(vu_h_set_features)
{
	uint64_t f = m->payload.u64;

	/*
	 * QEMU's vhost-user-gpu-pci passes on what the guest acked, transport
	 * bits included; RING_RESET concerns only the guest and QEMU
	 */
	if (f & ~dev->offered & VU_F_TRANSPORT_ONLY) {
		g_debug("ignoring acked transport features %#" G_GINT64_MODIFIER
			"x", (guint64)(f & ~dev->offered & VU_F_TRANSPORT_ONLY));
		f &= ~(~dev->offered & VU_F_TRANSPORT_ONLY);
	}
	if (f & ~dev->offered) {
		g_warning("front-end acked features %#" G_GINT64_MODIFIER
			  "x that were not offered", f & ~dev->offered);
		return VU_FAIL;
	}
	dev->features = f;
	dev->features_set = true;
	vu_dev_apply_features(dev);
	if (dev->device->features_set)
		dev->device->features_set(dev, f);
	return VU_OK;
}

/**
 * vu_h_set_owner() - SET_OWNER: the session begins
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK
 */
VU_HANDLER(vu_h_set_owner)
{
	dev->owner = true;
	return VU_OK;
}

/**
 * vu_h_reset_owner() - RESET_OWNER (deprecated): reset the device
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK
 */
VU_HANDLER(vu_h_reset_owner)
{
	vu_dev_reset(dev);
	return VU_OK;
}

/**
 * vu_h_get_protocol_features() - GET_PROTOCOL_FEATURES
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_get_protocol_features)
{
	vu_msg_set_reply_u64(m, dev->offered_proto);
	return VU_REPLY;
}

/**
 * vu_h_set_protocol_features() - SET_PROTOCOL_FEATURES
 * @dev:	Device
 * @m:		Request
 *
 * In-band notifications need the BACKEND_REQ channel and REPLY_ACK
 * (PROTOCOL.md, rule 11).
 *
 * Return: VU_OK, or VU_FAIL for bits not offered or inconsistent sets
 */
VU_HANDLER(vu_h_set_protocol_features)
{
	uint64_t pf = m->payload.u64;
	uint64_t inband_needs = (1ull << VU_PF_BACKEND_REQ) |
				(1ull << VU_PF_REPLY_ACK);

	if (pf & ~dev->offered_proto) {
		g_warning("front-end acked protocol features %#"
			  G_GINT64_MODIFIER "x that were not offered",
			  pf & ~dev->offered_proto);
		return VU_FAIL;
	}
	if ((pf & (1ull << VU_PF_INBAND_NOTIFICATIONS)) &&
	    (pf & inband_needs) != inband_needs) {
		g_warning("INBAND_NOTIFICATIONS without BACKEND_REQ and "
			  "REPLY_ACK");
		return VU_FAIL;
	}
	dev->proto = pf;
	return VU_OK;
}

/**
 * vu_h_get_queue_num() - GET_QUEUE_NUM: how many queues the device has
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_get_queue_num)
{
	vu_msg_set_reply_u64(m, dev->nvqs);
	return VU_REPLY;
}

/**
 * vu_h_set_backend_req_fd() - SET_BACKEND_REQ_FD: our channel to the
 * front-end
 * @dev:	Device
 * @m:		Request with one fd
 *
 * Return: VU_OK
 */
VU_HANDLER(vu_h_set_backend_req_fd)
{
	int fd = vu_msg_take_fd(m, 0);

	g_mutex_lock(&dev->backend_lock);
	if (dev->backend_fd >= 0)
		close(dev->backend_fd);
	dev->backend_fd = fd;
	g_mutex_unlock(&dev->backend_lock);
	return VU_OK;
}

/**
 * vu_config_range_ok() - Is a config access inside the config space?
 * @dev:	Device
 * @m:		GET_CONFIG or SET_CONFIG request
 *
 * Return: true if offset and size are consistent with the message and the
 * device's config space
 */
static bool vu_config_range_ok(const struct vu_dev *dev,
			       const struct vu_msg *m)
{
	const struct vu_config *c = &m->payload.config;
	uint64_t end = (uint64_t)c->offset + c->size;

	if (c->size > VU_CONFIG_MAX ||
	    m->hdr.size != VU_CONFIG_HDR_SIZE + c->size)
		return false;
	return end <= dev->device->config_size;
}

/**
 * vu_h_get_config() - GET_CONFIG: read the device config space
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * A failed read answers with an empty payload, which the front-end
 * recognises as an error.
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_get_config)
{
	struct vu_config *c = &m->payload.config;
	int ret = -EINVAL;

	if (vu_config_range_ok(dev, m) && dev->device->get_config)
		ret = dev->device->get_config(dev, c->data, c->offset,
					      c->size);
	if (ret < 0) {
		g_warning("GET_CONFIG offset %u size %u failed", c->offset,
			  c->size);
		c->size = 0;
	}
	vu_msg_set_reply(m, VU_CONFIG_HDR_SIZE + c->size);
	return VU_REPLY;
}

/**
 * vu_h_set_config() - SET_CONFIG: write the device config space
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL if the range is bad or the device refused
 */
VU_HANDLER(vu_h_set_config)
{
	struct vu_config *c = &m->payload.config;

	if (!vu_config_range_ok(dev, m) || !dev->device->set_config)
		return VU_FAIL;
	if (dev->device->set_config(dev, c->data, c->offset, c->size,
				    c->flags) < 0)
		return VU_FAIL;
	return VU_OK;
}

/**
 * vu_h_reset_device() - RESET_DEVICE: rings disabled, state reset, owner
 * kept
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK
 */
VU_HANDLER(vu_h_reset_device)
{
	vu_dev_reset(dev);
	return VU_OK;
}

/**
 * vu_h_set_status() - SET_STATUS: the virtio device status byte
 * @dev:	Device
 * @m:		Request
 *
 * Return: VU_OK, or VU_FAIL for a value that is not a byte
 */
VU_HANDLER(vu_h_set_status)
{
	if (m->payload.u64 > 0xff)
		return VU_FAIL;
	dev->status = (uint8_t)m->payload.u64;
	return VU_OK;
}

/**
 * vu_h_get_status() - GET_STATUS: the status byte, with NEEDS_RESET set if
 * a ring broke
 * @dev:	Device
 * @m:		Request, turned into the reply
 *
 * Return: VU_REPLY
 */
VU_HANDLER(vu_h_get_status)
{
	uint8_t status = dev->status;
	unsigned int i;

	for (i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].broken)
			status |= VIRTIO_STATUS_NEEDS_RESET;
	vu_msg_set_reply_u64(m, status);
	return VU_REPLY;
}

/**
 * vu_h_device() - Device-specific requests (GPU_SET_SOCKET, NET_SET_MTU,
 * SEND_RARP), handed to the device
 * @dev:	Device
 * @m:		Request
 *
 * Return: the device's result, VU_FAIL if it has no handler
 */
VU_HANDLER(vu_h_device)
{
	if (!dev->device->message)
		return VU_FAIL;
	return dev->device->message(dev, m);
}
