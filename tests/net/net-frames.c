// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-frames.c - frames for the tests: the virtio-net header, Ethernet +
 * IPv4 + UDP/TCP frames with recognisable payloads, and the Internet
 * checksum (RFC 1071), complete or as offloads leave it (see
 * net-harness.h).
 */
#include <string.h>

#include "net-harness.h"

#define L3_OFF		ETH_HDR_LEN
#define L4_OFF		(ETH_HDR_LEN + IP4_HDR_LEN)
#define PROTO_TCP	6
#define PROTO_UDP	17

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t guest_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/**
 * put16() - Store a big-endian 16-bit value
 * @p:		Where
 * @v:		Value
 */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * get16() - Load a big-endian 16-bit value
 * @p:		Where
 *
 * Return: the value
 */
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * nett_hdr_encode() - Write a virtio-net header (little-endian)
 * @h:		Header
 * @buf:	Destination
 * @len:	12, or 10 (no num_buffers: PACKET_VNET_HDR)
 */
void nett_hdr_encode(const struct vnet_hdr *h, uint8_t *buf, size_t len)
{
	const uint16_t v[5] = { h->hdr_len, h->gso_size, h->csum_start,
				h->csum_offset, h->num_buffers };
	unsigned int i;

	buf[0] = h->flags;
	buf[1] = h->gso_type;
	for (i = 0; 2 + 2 * i + 1 < len && i < G_N_ELEMENTS(v); i++) {
		buf[2 + 2 * i] = (uint8_t)v[i];
		buf[3 + 2 * i] = (uint8_t)(v[i] >> 8);
	}
}

/**
 * nett_hdr_decode() - Read a virtio-net header (little-endian)
 * @buf:	Source
 * @len:	12, or 10 (num_buffers is then 0)
 * @h:		Filled
 */
void nett_hdr_decode(const uint8_t *buf, size_t len, struct vnet_hdr *h)
{
	uint16_t v[5] = { 0 };
	unsigned int i;

	for (i = 0; 2 + 2 * i + 1 < len && i < G_N_ELEMENTS(v); i++)
		v[i] = (uint16_t)(buf[2 + 2 * i] | buf[3 + 2 * i] << 8);
	*h = (struct vnet_hdr){ buf[0], buf[1], v[0], v[1], v[2], v[3], v[4] };
}

/**
 * csum_add() - Add bytes to a ones' complement sum (16-bit words)
 * @sum:	Running sum
 * @p:		Bytes
 * @len:	How many (an odd last byte is padded with zero)
 *
 * Return: the new sum, unfolded
 */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/**
 * csum_fold() - Fold a sum to 16 bits
 * @sum:	Sum
 *
 * Return: the folded sum (not complemented)
 */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * pseudo_sum() - The IPv4 pseudo-header sum of a frame's L4 segment
 * @frame:	Ethernet + IPv4 frame
 * @len:	Frame length
 *
 * Return: the sum, unfolded
 */
static uint32_t pseudo_sum(const uint8_t *frame, size_t len)
{
	uint32_t sum = csum_add(0, frame + L3_OFF + 12, 8);

	return sum + frame[L3_OFF + 9] + (uint32_t)(len - L4_OFF);
}

/**
 * l4_csum_off() - Where the L4 checksum of a frame lies
 * @frame:	Ethernet + IPv4 frame (UDP or TCP)
 *
 * Return: its offset from the frame start
 */
static size_t l4_csum_off(const uint8_t *frame)
{
	return L4_OFF + (frame[L3_OFF + 9] == PROTO_TCP ? 16 : 6);
}

/**
 * complete_at() - Finish a seeded checksum: sum from @start to the end,
 * store the complement at @start + @off (0 is sent as 0xffff)
 * @frame:	Frame
 * @len:	Its length
 * @start:	Where summing starts
 * @off:	Where the checksum goes, from @start
 */
static void complete_at(uint8_t *frame, size_t len, size_t start, size_t off)
{
	uint16_t c = (uint16_t)~csum_fold(csum_add(0, frame + start,
						   len - start));

	put16(frame + start + off, c ? c : 0xffff);
}

/**
 * ip4_header() - Ethernet and IPv4 headers for a frame of @len bytes
 * @buf:	Frame
 * @len:	Frame length
 * @dst:	Destination MAC
 * @proto:	L4 protocol
 * @id:		IP identification
 */
static void ip4_header(uint8_t *buf, size_t len, const uint8_t dst[6],
		       uint8_t proto, uint16_t id)
{
	static const uint8_t addrs[8] = { 10, 0, 0, 2, 10, 0, 0, 1 };
	uint8_t *ip = buf + L3_OFF;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, dst == guest_mac ? peer_mac : guest_mac, 6);
	put16(buf + 12, 0x0800);
	memset(ip, 0, IP4_HDR_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len - L3_OFF));
	put16(ip + 4, id);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, addrs, sizeof(addrs));
	put16(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, IP4_HDR_LEN)));
}

/**
 * fill_payload() - A recognisable payload
 * @p:		Where
 * @len:	Bytes
 * @seed:	Makes it differ from frame to frame
 */
static void fill_payload(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/**
 * nett_udp_frame() - An Ethernet + IPv4 + UDP frame with a full checksum
 * @buf:	Frame
 * @len:	Its length (at least 42, at most 65535 + 14)
 * @dst:	Destination MAC (NULL: a made-up guest MAC; the source is then
 *		a made-up peer, else the other way round)
 * @sport:	UDP source port (tells flows apart)
 * @seed:	Payload seed
 *
 * Return: @len
 */
size_t nett_udp_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
		      uint16_t sport, uint32_t seed)
{
	uint8_t *udp = buf + L4_OFF;

	g_assert_cmpuint(len, >=, L4_OFF + UDP_HDR_LEN);
	ip4_header(buf, len, dst ? dst : guest_mac, PROTO_UDP,
		   (uint16_t)seed);
	put16(udp, sport);
	put16(udp + 2, 9);
	put16(udp + 4, (uint16_t)(len - L4_OFF));
	put16(udp + 6, 0);
	fill_payload(udp + UDP_HDR_LEN, len - L4_OFF - UDP_HDR_LEN, seed);
	nett_l4_seed_csum(buf, len);
	complete_at(buf, len, L4_OFF, 6);
	return len;
}

/**
 * nett_tcp_frame() - An Ethernet + IPv4 + TCP frame whose checksum field
 * holds the pseudo-header sum, as a checksum offload wants it
 * @buf:	Frame (room for 54 + @payload bytes)
 * @payload:	TCP payload bytes
 * @seed:	Payload seed
 *
 * Return: the frame length
 */
size_t nett_tcp_frame(uint8_t *buf, size_t payload, uint32_t seed)
{
	size_t len = L4_OFF + TCP_HDR_LEN + payload;
	uint8_t *tcp = buf + L4_OFF;

	ip4_header(buf, len, peer_mac, PROTO_TCP, (uint16_t)seed);
	memset(tcp, 0, TCP_HDR_LEN);
	put16(tcp, 40000);
	put16(tcp + 2, 5001);
	put16(tcp + 4, (uint16_t)(seed >> 16));
	put16(tcp + 6, (uint16_t)seed);
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;		/* PSH, ACK */
	put16(tcp + 14, 65535);
	fill_payload(tcp + TCP_HDR_LEN, payload, seed);
	nett_l4_seed_csum(buf, len);
	return len;
}

/**
 * nett_l4_seed_csum() - Put the pseudo-header sum in the L4 checksum
 * field, as a driver does before asking for a checksum offload
 * @frame:	Ethernet + IPv4 + UDP/TCP frame
 * @len:	Its length
 */
void nett_l4_seed_csum(uint8_t *frame, size_t len)
{
	put16(frame + l4_csum_off(frame), csum_fold(pseudo_sum(frame, len)));
}

/**
 * nett_l4_csum_ok() - Whether the L4 checksum of a frame is complete and
 * right
 * @frame:	Ethernet + IPv4 + UDP/TCP frame
 * @len:	Its length
 *
 * Return: true if it verifies
 */
bool nett_l4_csum_ok(const uint8_t *frame, size_t len)
{
	uint32_t sum;

	if (len < L4_OFF + UDP_HDR_LEN || !get16(frame + l4_csum_off(frame)))
		return false;
	sum = csum_add(pseudo_sum(frame, len), frame + L4_OFF, len - L4_OFF);
	return csum_fold(sum) == 0xffff;
}

/**
 * nett_complete_csum() - Do what VNET_HDR_F_NEEDS_CSUM asks: sum from
 * csum_start to the end, store the complement at csum_start + csum_offset
 * @frame:	Frame
 * @len:	Its length
 * @h:		Its header (NEEDS_CSUM set, offsets inside the frame)
 */
void nett_complete_csum(uint8_t *frame, size_t len, const struct vnet_hdr *h)
{
	g_assert_cmpuint(h->csum_start, <, len);
	g_assert_cmpuint((size_t)h->csum_start + h->csum_offset + 2, <=, len);
	complete_at(frame, len, h->csum_start, h->csum_offset);
}
