// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-ctrl.c - the control queue (VIRTIO_NET_F_CTRL_VQ) for front-ends
 * that pass it to the back-end (QEMU answers it itself): receive modes
 * (the tap delivers everything anyway), the number of queue pairs, the
 * acknowledgement of an announce. Anything else is answered with an error.
 */
#include <string.h>

#include <linux/virtio_net.h>

#include "net-int.h"
#include "vu-iov.h"

#define CTRL_BATCH	64
#define CTRL_IOV_MAX	16
#define CTRL_CMD_MAX	64	/* bytes of a command looked at */

/**
 * ctrl_mq() - VIRTIO_NET_CTRL_MQ
 * @n:		Device
 * @cmd:	Command
 * @data:	Its data
 * @len:	Data bytes
 *
 * Return: VIRTIO_NET_OK or VIRTIO_NET_ERR
 */
static uint8_t ctrl_mq(struct net *n, uint8_t cmd, const uint8_t *data,
		       size_t len)
{
	uint16_t pairs;

	if (cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len < 2)
		return VIRTIO_NET_ERR;
	memcpy(&pairs, data, 2);
	pairs = GUINT16_FROM_LE(pairs);
	if (pairs < 1 || pairs > n->opts.pairs)
		return VIRTIO_NET_ERR;
	g_debug("control queue: %u queue pairs in use", pairs);
	return VIRTIO_NET_OK;
}

/**
 * ctrl_command() - Carry out one command
 * @n:		Device
 * @dev:	Device instance
 * @cmd:	class, command, data
 * @len:	Bytes of @cmd (at least 2)
 *
 * Return: VIRTIO_NET_OK or VIRTIO_NET_ERR
 */
static uint8_t ctrl_command(struct net *n, struct vu_dev *dev,
			    const uint8_t *cmd, size_t len)
{
	switch (cmd[0]) {
	case VIRTIO_NET_CTRL_RX:
		return cmd[1] <= VIRTIO_NET_CTRL_RX_NOBCAST && len >= 3 ?
		       VIRTIO_NET_OK : VIRTIO_NET_ERR;
	case VIRTIO_NET_CTRL_MAC:
		return cmd[1] <= VIRTIO_NET_CTRL_MAC_ADDR_SET ?
		       VIRTIO_NET_OK : VIRTIO_NET_ERR;
	case VIRTIO_NET_CTRL_ANNOUNCE:
		if (cmd[1] != VIRTIO_NET_CTRL_ANNOUNCE_ACK)
			return VIRTIO_NET_ERR;
		n->status &= ~VIRTIO_NET_S_ANNOUNCE;
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MQ:
		return ctrl_mq(n, cmd[1], cmd + 2, len - 2);
	default:
		return VIRTIO_NET_ERR;
	}
}

/**
 * ctrl_one() - Answer one control chain
 * @n:		Device
 * @dev:	Device instance
 * @vq:		Control queue
 * @e:		The chain
 */
static void ctrl_one(struct net *n, struct vu_dev *dev, struct vu_queue *vq,
		     const struct vu_elem *e)
{
	const struct iovec *in = e->iov + e->out_num;
	uint8_t cmd[CTRL_CMD_MAX], ack;
	size_t len = vu_iov_to_buf(e->iov, e->out_num, 0, cmd, sizeof(cmd));

	if (!e->in_num || !in[0].iov_len || len < 2) {
		g_debug("control queue: malformed chain %u", e->id);
		vu_queue_push(vq, e, 0);
		return;
	}
	ack = ctrl_command(n, dev, cmd, len);
	/* The ack is the device-writable part: its first byte */
	*(uint8_t *)in[0].iov_base = ack;
	vu_queue_push(vq, e, 1);
}

/**
 * net_ctrl_kicked() - Answer the control queue
 * @n:		Device
 * @dev:	Device instance
 * @vq:		Control queue (pair 0's worker, lock held)
 */
void net_ctrl_kicked(struct net *n, struct vu_dev *dev, struct vu_queue *vq)
{
	struct iovec iov[CTRL_IOV_MAX];
	struct vu_elem e;
	unsigned int k;

	if (!vq->enabled)
		return;
	for (k = 0; k < CTRL_BATCH; k++) {
		e.iov = iov;
		e.iov_max = CTRL_IOV_MAX;
		if (vu_queue_pop(vq, &e) <= 0)
			break;
		ctrl_one(n, dev, vq, &e);
	}
	if (k)
		vu_dev_complete(dev, vq);
	if (k == CTRL_BATCH)
		vu_dev_kick(dev, vq);
}
