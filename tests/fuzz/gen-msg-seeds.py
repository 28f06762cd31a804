#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of fuzz-msg: QEMU-like sessions in its input format
(see fuzz-msg.c): request records and guest memory writes."""
import os
import struct
import sys

UVA = 0x7f0000000000
VERSION_1, PROTO, INDIRECT, EVENT_IDX, PACKED, LOG_ALL = 32, 30, 28, 29, 34, 26


def req(rid, payload=b"", nfds=0, need_reply=False):
    flags = 1 | (8 if need_reply else 0)
    return bytes([nfds]) + struct.pack("<III", rid, flags, len(payload)) + payload


def poke(off, data):
    return bytes([0x80]) + struct.pack("<IH", off, len(data)) + data


def u64(v):
    return struct.pack("<Q", v)


def state(i, n):
    return struct.pack("<II", i, n)


def negotiate(features, pf=0x1f3ff & ~((1 << 14) | (1 << 8) | (1 << 11) | (1 << 17) | (1 << 18))):
    return (req(1) + req(15) + req(16, u64(pf)) + req(2, u64(features)) +
            req(3))


def mem_table():
    region = struct.pack("<QQQQ", 0, 1 << 20, UVA, 0)
    return req(5, struct.pack("<II", 1, 0) + region, nfds=1, need_reply=True)


def split_ring(q, size, desc, avail, used, chains):
    """Set up queue q as a split ring with one-out-one-in chains posted."""
    out = req(8, state(q, size)) + req(10, state(q, 0))
    out += req(9, struct.pack("<IIQQQQ", q, 0, UVA + desc, UVA + used,
                              UVA + avail, 0))
    descs = b""
    ring = b""
    for i in range(chains):
        buf = 0x10000 + i * 0x200
        descs += struct.pack("<QIHH", buf, 16, 1, 2 * i + 1)
        descs += struct.pack("<QIHH", buf + 0x100, 64, 2, 0)
        ring += struct.pack("<H", 2 * i)
    out += poke(desc, descs)
    out += poke(avail, struct.pack("<HH", 0, chains) + ring)
    out += req(18, state(q, 1))
    out += req(13, u64(q | (1 << 8)))
    out += req(12, u64(q | (1 << 8)))
    return out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus", "msg")
    os.makedirs(d, exist_ok=True)
    f = (1 << VERSION_1) | (1 << PROTO) | (1 << INDIRECT) | (1 << EVENT_IDX)
    seeds = {
        "session-split": negotiate(f) + mem_table() +
        split_ring(0, 8, 0x1000, 0x2000, 0x3000, 3) +
        req(11, state(0, 0)) + req(34),
        "session-packed": negotiate(f | (1 << PACKED)) + mem_table() +
        req(8, state(1, 16)) + req(10, state(1, 0x80008000)) +
        req(9, struct.pack("<IIQQQQ", 1, 0, UVA + 0x4000, UVA + 0x5000,
                           UVA + 0x5100, 0)) + req(12, u64(1 | (1 << 8))) +
        req(11, state(1, 0)),
        "config-status": negotiate(f) +
        req(24, struct.pack("<III", 0, 8, 0) + bytes(8)) +
        req(39, u64(15), need_reply=True) + req(40) + req(36) + req(17),
        "inflight": negotiate(f) + req(31, struct.pack("<QQHH", 0, 0, 2, 8) +
                                      bytes(4)) +
        req(32, struct.pack("<QQHH", 4096, 0, 2, 8) + bytes(4), nfds=1),
        "malformed": req(2, b"\x01\x02") + req(5, bytes(8), nfds=2) +
        req(99, bytes(16), need_reply=True) + req(1),
        "mem-slots": negotiate(f) +
        req(37, u64(0) + struct.pack("<QQQQ", 0, 1 << 16, UVA, 0), nfds=1) +
        req(38, u64(0) + struct.pack("<QQQQ", 0, 1 << 16, UVA, 0)),
        "log": negotiate(f | (1 << LOG_ALL)) +
        req(6, struct.pack("<QQ", 4096, 0), nfds=1),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main()
