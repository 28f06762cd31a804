#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-gpu - vhost-user-gpu end to end: a Linux guest draws through the
virtio_gpu driver behind QEMU's vhost-user-gpu-pci, and the host checks
what QEMU's display shows (QMP screendump, every pixel) and what the
daemon logged of the cursor.

Usage: test-gpu.py CASE (see CASES). Environment (set by meson): VU_GPU
the daemon, VU_GPU_DRAW the guest's display tool (gpu-draw.c);
VU_E2E_GPU=builtin runs the cases against QEMU's own virtio-gpu-pci
instead of the daemon, a reference for the tests themselves (no cursor
log there); VU_GPU_PNG where the demo case saves its picture.

fb: the guest draws vertical bands through /dev/fb0's mmap (the fbdev's
deferred I/O flushes them). dumb: horizontal bands in a DRM dumb buffer,
SETCRTC, then a box painted and flushed with DIRTYFB of its rectangle
alone. reload: dumb, virtio_gpu unloaded and loaded again (a device
reset), dumb again. size: dumb on a 1440x900 head. virgl: dumb with the
daemon's --virgl. cursor: a 64x64 ARGB cursor set, moved twice and
hidden; the daemon's --verbose log must show each update and move. demo:
dumb, and the screendump saved as PNG.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vue2e  # noqa: E402
from vue2e import Fail, Skip, need_exe  # noqa: E402

MODULES = ['virtio_pci', 'virtio_gpu']
WIDTH, HEIGHT = 1280, 800   # the head's size, QEMU's and the daemon's default
HOLD = 8        # seconds the guest keeps its display after each drawing
LOOK = 6        # seconds the host retries screendumps meanwhile
# Colours with three different bytes each: a swapped channel shows
FB_BANDS = ['e01040', '20c060', '3050f0', 'f0e010', '10e0d0', 'c020e0',
            'ffffff', '000000']
DUMB_BANDS = ['802010', '108020', '201080', 'c0c040', '40c0c0', 'fe7f01']
DUMB_BOX = '5a6b7c'
SIZE = (1440, 900)   # a head size other than the default (a multiple of 8)
SIZE_BANDS = ['3c2b1a', '1a3c2b', '2b1a3c', 'a1b2c3', 'c3a1b2']
VIRGL_BANDS = ['61a2e3', 'e361a2', 'a2e361', '123456']
RELOAD_BANDS = ['0f1e2d', 'd2e1f0', '7a8b9c']
CURSOR_BANDS = ['102030', '304050']
CURSOR_HOT = (5, 9)
CURSOR_MOVES = [(100, 120), (640, 400), (1201, 733)]
DEMO_BANDS = ['e04030', 'e0a030', 'e0e040', '40c040', '30a0e0', '4050d0',
              '9040c0', 'd040a0']
DEMO_BOX = 'f8f8f8'
UPDATE_RE = re.compile(r'cursor update: scanout (\d+) resource (\d+) '
                       r'hot (\d+),(\d+) pos (-?\d+),(-?\d+)')
MOVE_RE = re.compile(r'cursor move: scanout (\d+) pos (-?\d+),(-?\d+)')
GLIB_BAD_RE = re.compile(r'\b(WARNING|CRITICAL|ERROR) \*\*')
RELEASED = 'gpu-draw: released'     # vu-gpu-draw no longer holds the display


def builtin():
    """builtin() - whether VU_E2E_GPU asks for QEMU's own virtio-gpu-pci.

    Return: True for 'builtin', False when unset or 'daemon'
    """
    mode = os.environ.get('VU_E2E_GPU', 'daemon')
    if mode not in ('builtin', 'daemon'):
        raise Fail('VU_E2E_GPU=%s: want builtin or daemon' % mode)
    return mode == 'builtin'


def gpu_device(ctx, props='', options=()):
    """gpu_device() - start the daemon (unless builtin()); the QEMU
    arguments of the display device.

    @ctx: the test context
    @props: more device properties (",xres=...")
    @options: more daemon options

    Return: (QEMU arguments, the Daemon or None)
    """
    if builtin():
        return ['-vga', 'none', '-device', 'virtio-gpu-pci' + props], None
    exe = need_exe('VU_GPU', 'vhost-user-gpu')
    sock = ctx.path('gpu.sock')
    d = ctx.daemon([exe, '--socket-path=' + sock, '--verbose', *options],
                   sock, 'gpu')
    return ['-vga', 'none', '-chardev', 'socket,id=gpu,path=' + sock,
            '-device', 'vhost-user-gpu-pci,chardev=gpu' + props], d


def boot(ctx, test, args, props='', options=()):
    """boot() - start a guest test with the display device and the tool.

    @ctx: the test context
    @test: the guest test (guest/TEST.sh)
    @args: its $vu_ arguments (vu_hold added)
    @props: more properties of the display device
    @options: more daemon options

    Return: (the started Guest, the Daemon or None)
    """
    draw = need_exe('VU_GPU_DRAW', 'vu-gpu-draw')
    extra, d = gpu_device(ctx, props, options)
    g = ctx.guest(test, extra, args=dict(args, hold=HOLD), tools=[draw],
                  modules=MODULES)
    g.start()
    return g, d


# -- Pictures --------------------------------------------------------------

def rgb(hexcolour):
    """rgb() - the three bytes of an RRGGBB colour.

    @hexcolour: six hex digits

    Return: bytes
    """
    return bytes.fromhex(hexcolour)


def band_row(n_px, colours):
    """band_row() - one row of vertical bands, as gpu-draw.c draws them:
    pixel x is in band x * N // n_px.

    @n_px: pixels
    @colours: RRGGBB strings

    Return: RGB bytes
    """
    n = len(colours)
    return b''.join(rgb(colours[x * n // n_px]) for x in range(n_px))


def dumb_box(w, h):
    """dumb_box() - the box gpu-draw.c's "dumb" paints and flushes.

    @w: mode width
    @h: mode height

    Return: (x1, y1, x2, y2), x2 and y2 excluded
    """
    return w // 4 + 3, h // 3 + 5, w // 2 + 7, h * 2 // 3 + 1


class Want:
    """Want - the picture expected: bands, maybe a box over them.

    @w: width
    @h: height
    @vertical: bands are columns (else rows)
    @colours: the bands' RRGGBB colours
    @box: (x1, y1, x2, y2) painted in @boxcolour, or None
    @boxcolour: RRGGBB
    @vrow: the row of vertical bands (every row's, box aside), or None
    """

    def __init__(self, w, h, vertical, colours, box=None, boxcolour=None):
        self.w, self.h = w, h
        self.vertical, self.colours = vertical, colours
        self.box, self.boxcolour = box, boxcolour
        self.vrow = band_row(w, colours) if vertical else None

    def spec(self):
        """spec() - the PATTERN argument of vu-gpu-draw.

        Return: the text
        """
        return ('v:' if self.vertical else 'h:') + ','.join(self.colours)

    def row(self, y):
        """row() - the RGB bytes of row @y.

        @y: the row

        Return: bytes
        """
        line = self.vrow or \
            rgb(self.colours[y * len(self.colours) // self.h]) * self.w
        if self.box and self.box[1] <= y < self.box[3]:
            x1, _, x2, _ = self.box
            line = line[:3 * x1] + rgb(self.boxcolour) * (x2 - x1) + \
                line[3 * x2:]
        return line


def read_ppm(path):
    """read_ppm() - parse a binary PPM (P6, maxval 255) as QEMU writes it.

    @path: the file

    Return: (width, height, RGB bytes); raises Fail when it is not one
    """
    with open(path, 'rb') as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        m = re.compile(rb'\s*(#[^\n]*\n\s*)*(\S+)').match(data, pos)
        if not m:
            raise Fail('%s: not a PPM file' % path)
        fields.append(m.group(2))
        pos = m.end()
    if fields[0] != b'P6' or fields[3] != b'255':
        raise Fail('%s: not a P6 PPM with maxval 255: %r' % (path, fields))
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) != 3 * w * h:
        raise Fail('%s: %d bytes of pixels for %dx%d' % (path, len(pixels),
                                                        w, h))
    return w, h, pixels


def differences(want, w, h, pixels, limit=8):
    """differences() - how a screendump differs from @want.

    @want: the Want
    @w: the screendump's width
    @h: its height
    @pixels: its RGB bytes
    @limit: wrong pixels to describe

    Return: a description, '' when every pixel is as expected
    """
    if (w, h) != (want.w, want.h):
        return 'the display is %dx%d, want %dx%d' % (w, h, want.w, want.h)
    wrong, shown = 0, []
    for y in range(h):
        line = want.row(y)
        got = pixels[3 * w * y:3 * w * (y + 1)]
        if got == line:
            continue
        for x in range(w):
            if got[3 * x:3 * x + 3] != line[3 * x:3 * x + 3]:
                wrong += 1
                if len(shown) < limit:
                    shown.append('(%d,%d) %s want %s' % (
                        x, y, got[3 * x:3 * x + 3].hex(), line[3 * x:3 * x
                                                               + 3].hex()))
    if not wrong:
        return ''
    return '%d of %d pixels wrong: %s' % (wrong, w * h, ', '.join(shown))


def samples(want, w, pixels):
    """samples() - a few pixels of each band, as seen, for the log.

    @want: the Want
    @w: the screendump's width
    @pixels: its RGB bytes

    Return: text "band i: x,y=RRGGBB ..." per band
    """
    n, out = len(want.colours), []
    for i in range(n):
        lo = (i * (want.w if want.vertical else want.h) + n - 1) // n
        hi = ((i + 1) * (want.w if want.vertical else want.h) + n - 1) // n
        pts = []
        for t in (lo, (lo + hi) // 2, hi - 1):
            x, y = (t, want.h // 7) if want.vertical else (want.w // 9, t)
            pts.append('%d,%d=%s' % (x, y, pixels[3 * (y * w + x):
                                                   3 * (y * w + x) + 3].hex()))
        out.append('band %d (%s): %s' % (i, want.colours[i], ' '.join(pts)))
    return '; '.join(out)


def look(ctx, g, want, name):
    """look() - take screendumps until one is @want, while the guest holds
    its display.

    @ctx: the test context
    @g: the Guest, past the step of its drawing
    @want: the Want
    @name: the PPM file's name in the private directory (kept on failure)

    Return: the path of the matching screendump
    """
    path, deadline, why = ctx.path(name), time.monotonic() + LOOK, ''
    held = g.output().count(RELEASED)
    q = g.qmp()
    try:
        while True:
            released = g.output().count(RELEASED) > held
            q.cmd('screendump', filename=path, format='ppm')
            w, h, pixels = read_ppm(path)
            why = differences(want, w, h, pixels)
            if not why:
                vue2e.log('screendump %dx%d as expected; %s'
                          % (w, h, samples(want, w, pixels)))
                return path
            if released or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    finally:
        q.close()
    if released:
        why += ' (the guest had released its display: screendumps too late)'
    raise Fail('screendump %s: %s\n%s' % (path, why, g.report(20)))


def guest_says(g, regex, what):
    """guest_says() - the groups of the last console line matching @regex.

    @g: the Guest
    @regex: a pattern with groups
    @what: what is looked for, for the failure message

    Return: the groups, as ints
    """
    found = re.findall(regex, g.output())
    if not found:
        raise Fail('the guest printed no %s\n%s' % (what, g.report(20)))
    return tuple(int(v) for v in found[-1])


# -- Daemon ----------------------------------------------------------------

def cursor_events(d):
    """cursor_events() - the cursor lines of the daemon's log, in order.

    @d: the Daemon

    Return: list of ('update', scanout, resource, hx, hy, x, y) and
            ('move', scanout, x, y) tuples
    """
    events = []
    with open(d.logpath, errors='replace') as f:
        for line in f:
            m = UPDATE_RE.search(line)
            if m:
                events.append(('update',) + tuple(map(int, m.groups())))
                continue
            m = MOVE_RE.search(line)
            if m:
                events.append(('move',) + tuple(map(int, m.groups())))
    return events


def check_cursor_log(d, want):
    """check_cursor_log() - the daemon logged @want, in order (other cursor
    lines may come between).

    @d: the Daemon
    @want: functions(event) -> bool, with a 'what' attribute each
    """
    events = cursor_events(d)
    i = 0
    for ev in events:
        if i < len(want) and want[i](ev):
            i += 1
    if i < len(want):
        raise Fail('the daemon did not log %s (in order) after the earlier '
                   'ones; its cursor lines: %s\n%s'
                   % (want[i].what, events or 'none', d.log_tail()))
    vue2e.log('daemon cursor lines as expected: %s' % events)


def expect(what, match):
    """expect() - a check_cursor_log() item.

    @what: its description
    @match: function(event) -> bool

    Return: @match, described
    """
    match.what = what
    return match


def cursor_wanted():
    """cursor_wanted() - what the cursor case must make the daemon log.

    Return: list of expect() items
    """
    (x0, y0), hx, hy = CURSOR_MOVES[0], *CURSOR_HOT
    want = [expect('cursor update: scanout 0 resource R>0 hot %d,%d pos '
                   '%d,%d' % (hx, hy, x0, y0),
                   lambda e: e[0] == 'update' and e[1] == 0 and e[2] > 0 and
                   e[3:] == (hx, hy, x0, y0))]
    for x, y in CURSOR_MOVES[1:]:
        want.append(expect('cursor move: scanout 0 pos %d,%d' % (x, y),
                           lambda e, p=(x, y): e == ('move', 0) + p))
    want.append(expect('cursor update: scanout 0 resource 0 (hidden)',
                       lambda e: e[0] == 'update' and e[1:3] == (0, 0)))
    return want


def check_daemon(d):
    """check_daemon() - after the guest: the daemon still runs, logged no
    error and ends with status 0 on SIGTERM.

    @d: the Daemon, or None (builtin device)
    """
    if d is None:
        return
    if not d.alive():
        raise Fail('the daemon exited after the guest:\n' + d.log_tail())
    with open(d.logpath, errors='replace') as f:
        bad = [ln.rstrip() for ln in f if GLIB_BAD_RE.search(ln)]
    rc = d.stop()
    if rc != 0:
        raise Fail('daemon exit status %s after SIGTERM:\n%s'
                   % (rc, d.log_tail()))
    if bad:
        raise Fail('the daemon logged warnings or errors:\n' +
                   '\n'.join(bad[:20]))


# -- Cases -----------------------------------------------------------------

def case_fb(ctx):
    """case_fb() - vertical bands through the fbdev's mmap.

    @ctx: the test context
    """
    want = Want(WIDTH, HEIGHT, True, FB_BANDS)
    g, d = boot(ctx, 'gpu-fb', {'pattern': want.spec()})
    g.wait_step('drawn')
    w, h, bpp = guest_says(g, r'gpu-draw: fb (\d+)x(\d+) bpp (\d+)',
                           'fb geometry')
    if (w, h, bpp) != (WIDTH, HEIGHT, 32):
        raise Fail('fbdev %dx%d bpp %d, want %dx%d bpp 32'
                   % (w, h, bpp, WIDTH, HEIGHT))
    look(ctx, g, want, 'fb.ppm')
    g.check()
    check_daemon(d)


def dumb_want(colours, boxcolour, size=(WIDTH, HEIGHT)):
    """dumb_want() - the picture of vu-gpu-draw's "dumb".

    @colours: the horizontal bands' colours
    @boxcolour: the box's
    @size: (width, height) of the mode

    Return: the Want
    """
    return Want(*size, False, colours, dumb_box(*size), boxcolour)


def dumb_check(ctx, g, step, want):
    """dumb_check() - at the guest's @step, check the mode and the box it
    reported and the picture.

    @ctx: the test context
    @g: the Guest
    @step: the step its drawing prints
    @want: the Want (dumb_want())
    """
    g.wait_step(step)
    mode = guest_says(g, r'gpu-draw: mode (\d+)x(\d+)', 'mode')
    got = guest_says(g, r'gpu-draw: box (\d+) (\d+) (\d+) (\d+)', 'box')
    if mode != (want.w, want.h) or got != want.box:
        raise Fail('the guest drew a %dx%d mode with box %s, want %dx%d '
                   'with %s' % (mode + (got, want.w, want.h, want.box)))
    look(ctx, g, want, step + '.ppm')


def dumb_draw(ctx, colours, boxcolour, options=()):
    """dumb_draw() - boot the dumb buffer guest test, check its picture.

    @ctx: the test context
    @colours: the horizontal bands' colours
    @boxcolour: the box's
    @options: more daemon options

    Return: (Guest, Daemon or None), the guest still holding its display
    """
    want = dumb_want(colours, boxcolour)
    g, d = boot(ctx, 'gpu-dumb', {'pattern': want.spec(), 'box': boxcolour},
                options=options)
    dumb_check(ctx, g, 'drawn', want)
    return g, d


def case_dumb(ctx):
    """case_dumb() - a dumb buffer, SETCRTC, a box flushed by DIRTYFB.

    @ctx: the test context
    """
    g, d = dumb_draw(ctx, DUMB_BANDS, DUMB_BOX)
    g.check()
    check_daemon(d)


def case_virgl(ctx):
    """case_virgl() - dumb with the daemon's --virgl: the guest driver in
    3D mode still scans out 2D dumb buffers (skipped without virgl here).

    @ctx: the test context
    """
    if builtin():
        raise Skip('QEMU\'s virtio-gpu-gl-pci needs a GL display')
    exe = need_exe('VU_GPU', 'vhost-user-gpu')
    caps = vue2e.run([exe, '--print-capabilities']).stdout
    if 'virgl' not in json.loads(caps).get('features', []):
        raise Skip('vhost-user-gpu cannot start virgl on this host')
    g, d = dumb_draw(ctx, VIRGL_BANDS, DUMB_BOX, ['--virgl'])
    g.check()
    check_daemon(d)


def case_size(ctx):
    """case_size() - dumb on a head of another size (the device's xres and
    yres): the display info and EDID of the front-end reach the guest.

    @ctx: the test context
    """
    want = dumb_want(SIZE_BANDS, DUMB_BOX, SIZE)
    g, d = boot(ctx, 'gpu-dumb', {'pattern': want.spec(), 'box': DUMB_BOX},
                ',xres=%d,yres=%d' % SIZE)
    dumb_check(ctx, g, 'drawn', want)
    g.check()
    check_daemon(d)


def case_reload(ctx):
    """case_reload() - dumb, then virtio_gpu unloaded and loaded again (a
    device reset: a new display channel, resource ids used again), then
    dumb with other colours.

    @ctx: the test context
    """
    first = dumb_want(DUMB_BANDS, DUMB_BOX)
    second = dumb_want(RELOAD_BANDS, DUMB_BOX)
    g, d = boot(ctx, 'gpu-reload', {'pattern': first.spec(),
                                    'pattern2': second.spec(),
                                    'box': DUMB_BOX})
    dumb_check(ctx, g, 'drawn-1', first)
    dumb_check(ctx, g, 'drawn-2', second)
    g.check()
    check_daemon(d)


def case_cursor(ctx):
    """case_cursor() - cursor set, moved twice, hidden; the scanout under it
    checked; the daemon's log has each step.

    @ctx: the test context
    """
    want = Want(WIDTH, HEIGHT, True, CURSOR_BANDS)
    moves = ','.join('%d,%d' % p for p in CURSOR_MOVES)
    g, d = boot(ctx, 'gpu-cursor', {'pattern': want.spec(),
                                    'hot': '%d,%d' % CURSOR_HOT,
                                    'moves': moves})
    g.wait_step('drawn')
    look(ctx, g, want, 'cursor.ppm')
    g.check()
    if d is None:
        vue2e.log('builtin virtio-gpu-pci: no cursor log to check')
        return
    check_cursor_log(d, cursor_wanted())
    check_daemon(d)


def case_demo(ctx):
    """case_demo() - dumb's picture in rainbow bands, saved as PNG where
    VU_GPU_PNG says (default: demo-gpu.png in the work dir).

    @ctx: the test context
    """
    png = os.path.abspath(os.environ.get('VU_GPU_PNG') or
                          os.path.join(vue2e.work_dir(), 'demo-gpu.png'))
    g, d = dumb_draw(ctx, DEMO_BANDS, DEMO_BOX)
    q = g.qmp()
    try:
        q.cmd('screendump', filename=png, format='png')
    finally:
        q.close()
    vue2e.log('the guest\'s display, as QEMU shows it: %s' % png)
    g.check()
    check_daemon(d)


CASES = {
    'fb': case_fb,
    'dumb': case_dumb,
    'cursor': case_cursor,
    'reload': case_reload,
    'size': case_size,
    'virgl': case_virgl,
    'demo': case_demo,
}

if __name__ == '__main__':
    vue2e.main(CASES)
