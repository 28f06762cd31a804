#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of fuzz-gpu: driver sessions in its input format
(see fuzz-gpu.c): a configuration byte, the display's features, then
records (kind, flags, u16 length, bytes)."""
import os
import struct
import sys

GPA = 0x100000          # guest RAM byte 0 (tests/unit/guest.h)
HIGH = GPA + (2 << 20)  # the high part: backing lives here
POKE = 0x90000          # first guest RAM offset records may write

GET_DISPLAY_INFO, CREATE_2D, UNREF, SET_SCANOUT, FLUSH, TRANSFER, \
    ATTACH, DETACH, CAPSET_INFO, CAPSET, GET_EDID = range(0x100, 0x10b)
CTX_CREATE, SUBMIT_3D = 0x200, 0x207
UPDATE_CURSOR, MOVE_CURSOR = 0x300, 0x301
FENCE = 1
BGRA, BGRX, ABGR, RGBX = 1, 2, 121, 134
DEFER = 0x80


def rec(kind, data=b"", flags=0):
    return struct.pack("<BBH", kind, flags, len(data)) + data


def hdr(t, flags=0, fence=0, ctx=0):
    return struct.pack("<IIQIB3x", t, flags, fence, ctx, 0)


def ctrl(data, flags=0, defer=False):
    return rec(0 | (DEFER if defer else 0), data, flags)


def cursor(data, flags=0):
    return rec(1, data, flags)


def create(rid, w, h, fmt=BGRX, **kw):
    return ctrl(hdr(CREATE_2D, **kw) + struct.pack("<IIII", rid, fmt, w, h))


def attach(rid, ents, nr=None):
    body = struct.pack("<II", rid, len(ents) if nr is None else nr)
    for addr, length in ents:
        body += struct.pack("<QII", addr, length, 0)
    return ctrl(hdr(ATTACH) + body)


def rect(x, y, w, h):
    return struct.pack("<IIII", x, y, w, h)


def transfer(rid, r, off=0, **kw):
    return ctrl(hdr(TRANSFER, **kw) + rect(*r) + struct.pack("<QII", off,
                                                               rid, 0))


def scanout(sid, rid, r):
    return ctrl(hdr(SET_SCANOUT) + rect(*r) + struct.pack("<II", sid, rid))


def flush(rid, r):
    return ctrl(hdr(FLUSH) + rect(*r) + struct.pack("<II", rid, 0))


def simple(t, rid):
    return ctrl(hdr(t) + struct.pack("<II", rid, 0))


def cur(t, sid, x, y, rid=0, hot=(0, 0)):
    return cursor(hdr(t) + struct.pack("<IIII", sid, x, y, 0) +
                  struct.pack("<IIII", rid, hot[0], hot[1], 0))


def poke(off, data):
    return rec(3, struct.pack("<I", off - POKE) + data)


def display(op, data=b""):
    return rec(2, data, op)


def vug(req, payload, flags=4):
    return struct.pack("<III", req, flags, len(payload)) + payload


def frame(rid, w, h, fmt=BGRX, sid=0):
    """Create, back, fill, show and flush a w x h resource."""
    size = w * h * 4
    return (create(rid, w, h, fmt) + attach(rid, [(HIGH, size)]) +
            poke(2 << 20, bytes(range(256)) * 4) +
            transfer(rid, (0, 0, w, h)) + scanout(sid, rid, (0, 0, w, h)) +
            flush(rid, (0, 0, w, h)))


def seeds():
    c1 = 0x0c  # one head, display socket, answers at once
    c2 = 0x0d  # two heads, display socket, answers at once
    return {
        "basic-2d": bytes([0, 0]) + ctrl(hdr(GET_DISPLAY_INFO)) +
        ctrl(hdr(GET_EDID) + struct.pack("<II", 0, 0)) + frame(1, 64, 64) +
        transfer(1, (8, 8, 16, 16), off=8 * 256 + 32) +
        simple(DETACH, 1) + simple(UNREF, 1),
        "display-2d": bytes([c2, 3]) + ctrl(hdr(GET_DISPLAY_INFO)) +
        ctrl(hdr(GET_EDID) + struct.pack("<II", 1, 0)) +
        frame(1, 64, 64) + frame(2, 32, 16, ABGR, sid=1) +
        flush(2, (4, 4, 8, 8)) + scanout(0, 0, (0, 0, 0, 0)) +
        simple(UNREF, 2) + simple(UNREF, 1),
        "cursor": bytes([c1, 1]) + create(5, 64, 64, BGRA) +
        attach(5, [(HIGH, 4096), (HIGH + 8192, 64 * 64 * 4 - 4096)]) +
        transfer(5, (0, 0, 64, 64)) +
        cur(UPDATE_CURSOR, 0, 10, 20, 5, (3, 4)) +
        cur(MOVE_CURSOR, 0, 30, 40) + cur(UPDATE_CURSOR, 0, 0, 0, 0) +
        cur(UPDATE_CURSOR, 3, 0, 0, 5) + simple(UNREF, 5),
        "bad-ids": bytes([1, 0]) + simple(UNREF, 7) + simple(DETACH, 7) +
        transfer(7, (0, 0, 1, 1)) + flush(7, (0, 0, 1, 1)) +
        scanout(9, 1, (0, 0, 1, 1)) + scanout(0, 7, (0, 0, 1, 1)) +
        create(0, 1, 1) + create(3, 1, 1) + create(3, 1, 1) +
        create(4, 0, 1) + create(4, 1, 1, fmt=5) +
        attach(3, [(0xdead0000, 4096)]) + attach(3, [(HIGH, 0)]) +
        attach(3, [], nr=0) + attach(3, [(HIGH, 16)], nr=20000) +
        attach(3, [(HIGH, 16)], nr=3) + attach(3, [(HIGH, 4)]) +
        transfer(3, (0, 0, 1, 1)) + transfer(3, (0, 0, 1, 1), off=4) +
        transfer(3, (0, 0, 2, 1)) + transfer(3, (0xffffffff, 0, 2, 1)) +
        attach(3, [(HIGH, 4)]) + ctrl(hdr(GET_EDID) + bytes(8)[:4]) +
        ctrl(hdr(GET_EDID) + struct.pack("<II", 5, 0)) +
        ctrl(hdr(CAPSET_INFO) + bytes(8)) + ctrl(hdr(CTX_CREATE) + bytes(72)) +
        ctrl(hdr(SUBMIT_3D) + bytes(8)) + ctrl(hdr(0x999)) + ctrl(b"\x01") +
        simple(UNREF, 3),
        "huge": bytes([0, 0]) + create(1, 16384, 16384) +
        create(2, 0xffffffff, 0xffffffff) + create(3, 1448, 1448) +
        create(4, 1448, 1448) + create(5, 0x40000000, 1) +
        attach(3, [(HIGH, 2 << 20)]) + transfer(3, (0, 0, 1448, 300)) +
        transfer(3, (0, 0, 1448, 1448)) +
        transfer(3, (1, 1, 1447, 1447), off=0xfffffffffffffff0) +
        simple(UNREF, 3) + simple(UNREF, 4),
        "fences-chains": bytes([0x10, 0]) +
        create(1, 8, 8, fence=0x1234, flags=FENCE) +
        ctrl(hdr(GET_DISPLAY_INFO), flags=1) +
        ctrl(hdr(GET_DISPLAY_INFO), flags=3 | (2 << 4)) +
        ctrl(hdr(GET_EDID) + bytes(8), flags=4 | 8) +
        ctrl(hdr(GET_DISPLAY_INFO), flags=2) +
        ctrl(hdr(GET_DISPLAY_INFO, FENCE | 2, 77, 1), defer=True) +
        ctrl(hdr(GET_DISPLAY_INFO), defer=True) + rec(7) +
        simple(UNREF, 1),
        "display-manual": bytes([0x04, 1]) + ctrl(hdr(GET_DISPLAY_INFO)) +
        display(1, struct.pack("<Q", 1)) +
        display(1, hdr(0x1101) +
                struct.pack("<IIIIII", 0, 0, 800, 600, 1, 0)) +
        ctrl(hdr(GET_EDID) + bytes(8)) +
        display(1, struct.pack("<II", 128, 0) + bytes(24) + bytes(128)) +
        display(2, vug(3, bytes(8))) + display(0) + display(4) +
        frame(1, 16, 16) + display(6) + flush(1, (0, 0, 16, 16)) +
        display(6) + display(5) + display(0) + display(7) + display(3),
        "display-stall": bytes([0x0c, 0x41]) + frame(1, 64, 64, BGRA) +
        frame(2, 48, 48, RGBX) + display(6) + flush(1, (0, 0, 64, 64)) +
        flush(2, (0, 0, 48, 48)) + flush(1, (0, 0, 64, 64)) * 4 +
        cur(UPDATE_CURSOR, 0, 1, 2, 1) + display(6) +
        flush(2, (8, 8, 16, 16)) + display(8) + display(6) +
        flush(1, (0, 0, 64, 64)) + flush(1, (0, 0, 64, 64)) + display(6),
        "memory-reset": bytes([0x0c, 0]) + frame(1, 32, 32) +
        rec(4, flags=1) + transfer(1, (0, 0, 32, 32)) + rec(4, flags=2) +
        transfer(1, (0, 0, 32, 32)) + rec(4, flags=3) +
        rec(4, flags=0) + transfer(1, (0, 0, 32, 32)) +
        rec(5, b"\x01\x00\x00\x00", 4) + rec(5, b"\xff" * 16, 20) +
        rec(6, flags=2) + rec(6, flags=3) + rec(6, flags=1) +
        frame(2, 8, 8) + rec(6, flags=0) + frame(3, 8, 8),
    }


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus", "gpu")
    os.makedirs(d, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main()
