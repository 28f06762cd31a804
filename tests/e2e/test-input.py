#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-input - vhost-user-input end to end: Linux guests reading the
daemon's devices through QEMU's vhost-user-input-pci and the guest kernel's
evdev.

Usage: test-input.py CASE (see CASES). Environment (set by meson):
VU_INPUT the daemon, VU_EVREAD the guest's evdev tool (evread.c),
VU_INPUT_EVDEV_CHECK the evdev-mode checker (input-evdev-check.c).

virtual: a --virtual=keyboard and a --virtual=tablet daemon; the guest
checks what its kernel made of them (names, ids, event codes, axes), reads
its evdev nodes while the host sends frames on the control sockets (from
two clients at once, with bad lines in between), and compares the events
with those the host expects; then the guest lights CAPSLOCK's LED and the
host's control clients must hear of it.

evdev: the guest makes uinput devices and runs vu-input-evdev-check, which
drives the daemon's evdev mode with libvuf (the host may lack uinput).
"""

import hashlib
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vue2e  # noqa: E402
from vue2e import Fail, Skip, need_exe  # noqa: E402

VIRTUAL_MODULES = ['virtio_pci', 'virtio_input', 'evdev']
EVDEV_MODULES = ['uinput', 'evdev']
TABLET_NAME = 'vue2e-tablet'
SYN = (0, 0, 0)
PAUSE = 1.0     # seconds between bursts of events (see tablet_script())
# Codes used below (linux/input-event-codes.h, fixed by the ABI)
EV_KEY, EV_REL, EV_ABS, EV_MSC = 1, 2, 3, 4
KEY_1, KEY_ENTER, KEY_A, KEY_LEFTSHIFT, KEY_B = 2, 28, 30, 42, 48
BTN_LEFT, BTN_RIGHT = 0x110, 0x111
ABS_X, ABS_Y, REL_WHEEL, MSC_SCAN = 0, 1, 8, 4


class Control:
    """Control - a client of a virtual device's control socket.

    @name: for messages
    @sock: the connected socket
    @buf: bytes received, not yet split into lines
    @lines: objects received, not yet taken by wait_for()
    """

    def __init__(self, path, name):
        self.name = name
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b''
        self.lines = []

    def send(self, *lines):
        """send() - send lines (one write), each a JSON text.

        @lines: the lines, without their newline
        """
        self.sock.sendall(''.join(ln + '\n' for ln in lines).encode())

    def _pump(self, timeout):
        """_pump() - receive what comes within @timeout, parse whole lines.

        @timeout: seconds
        """
        self.sock.settimeout(max(timeout, 0.01))
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        if not chunk:
            raise Fail('%s: the daemon closed the control connection'
                       % self.name)
        self.buf += chunk
        while b'\n' in self.buf:
            line, _, self.buf = self.buf.partition(b'\n')
            try:
                self.lines.append(json.loads(line))
            except ValueError:
                raise Fail('%s: the daemon sent a line that is not JSON: '
                           '%r' % (self.name, line))

    def wait_for(self, match, what, timeout=10):
        """wait_for() - take the first received object @match accepts.

        @match: function(obj) -> bool
        @what: what is awaited, for the failure message
        @timeout: seconds

        Return: the object (removed from @lines)
        """
        deadline = time.monotonic() + timeout
        while True:
            for i, obj in enumerate(self.lines):
                if match(obj):
                    return self.lines.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail('%s: no %s in %ds (received: %s)'
                           % (self.name, what, timeout, self.lines))
            self._pump(left)

    def expect_error(self, line):
        """expect_error() - send a bad line; its one reply must be an error.

        @line: the line

        Also a barrier: the daemon has handled every earlier line.
        """
        self.send(line)
        obj = self.wait_for(lambda o: 'error' in o,
                            'error reply to %s' % line)
        if set(obj) != {'error'} or not isinstance(obj['error'], str):
            raise Fail('%s: error reply %r to %s is not {"error": TEXT}'
                       % (self.name, obj, line))
        vue2e.log('%s: %s -> %s' % (self.name, line, obj['error']))

    def sync(self):
        """sync() - wait until the daemon handled every line sent so far."""
        self.expect_error('{"type":"no-such-type","code":0,"value":0}')

    def leftovers(self):
        """leftovers() - what the daemon sent that nobody took, LEDs aside.

        Return: list of objects
        """
        self._pump(0.2)
        return [o for o in self.lines if o.get('type') != 'led']


def key(code, value):
    """key() - a key line object.

    @code: libevdev name
    @value: 1 pressed, 0 released

    Return: the dict
    """
    return {'type': 'key', 'code': code, 'value': value}


def line(*objs):
    """line() - one control line: an object, or an array of several.

    @objs: dicts

    Return: the JSON text
    """
    return json.dumps(objs[0] if len(objs) == 1 else list(objs),
                      separators=(',', ':'))


SYN_LINE = line({'type': 'syn'})


def keyboard_script(a, b):
    """keyboard_script() - drive the keyboard from two control clients.

    @a: one Control
    @b: another Control of the same daemon

    Each client assembles its own frame: a's half-made frame waits while
    b commits whole frames; bad lines change nothing.

    Return: the events the guest must read, in order
    """
    a.send(line({'type': 'msc', 'code': 'MSC_SCAN', 'value': 30},
                key('KEY_A', 1), {'type': 'syn'}),
           line(key('KEY_A', 0)),
           line({'type': 'EV_SYN', 'code': 'SYN_REPORT', 'value': 0}))
    want = [(EV_MSC, MSC_SCAN, 30), (EV_KEY, KEY_A, 1), SYN,
            (EV_KEY, KEY_A, 0), SYN]
    a.send(line(key('KEY_LEFTSHIFT', 1)))
    a.sync()
    for bad in ('{"type":"key","code":"BTN_LEFT","value":1}',
                '[{"type":"key","code":"KEY_Z","value":1},'
                '{"type":"bogus","code":1,"value":1}]',
                '{"type":"key","code":"KEY_Z","value":4294967296}',
                '{"type":"key","code":"KEY_Z","value":"1"}',
                '{"type":"key","code":"KEY_NO_SUCH_KEY","value":1}',
                '{"type":"key","code":"KEY_Z",',
                'not json at all'):
        a.expect_error(bad)
    b.send(line({'type': 'EV_KEY', 'code': KEY_B, 'value': 1},
                {'type': 'syn'}, key('KEY_B', 0), {'type': 'syn'}))
    b.sync()
    want += [(EV_KEY, KEY_B, 1), SYN, (EV_KEY, KEY_B, 0), SYN]
    a.send(SYN_LINE, line(key('KEY_LEFTSHIFT', 0), {'type': 'syn'}))
    a.sync()        # lines of different clients are not ordered otherwise
    want += [(EV_KEY, KEY_LEFTSHIFT, 1), SYN, (EV_KEY, KEY_LEFTSHIFT, 0),
             SYN]
    b.send(line(key('KEY_ENTER', 1), key('KEY_ENTER', 0), {'type': 'syn'}))
    want += [(EV_KEY, KEY_ENTER, 1), (EV_KEY, KEY_ENTER, 0), SYN]
    return want


def tablet_script(c, moves=30, pause=0.0):
    """tablet_script() - drive the tablet: moves, buttons, wheel, and a
    burst of frames far longer than QEMU's four-entry event queue.

    @c: its Control
    @moves: frames in the burst
    @pause: seconds to wait around the burst, for the guest's reader to
            catch up: its evdev buffer holds 128 events, and under TCG
            the guest kernel takes them in faster than the reader runs

    Return: the events the guest must read, in order
    """
    c.send(line({'type': 'abs', 'code': 'ABS_X', 'value': 1000}),
           line({'type': 'abs', 'axis': 'ABS_Y', 'value': 2000}), SYN_LINE,
           line(key('BTN_LEFT', 1), {'type': 'syn'}))
    want = [(EV_ABS, ABS_X, 1000), (EV_ABS, ABS_Y, 2000), SYN,
            (EV_KEY, BTN_LEFT, 1), SYN]
    c.expect_error('{"type":"abs","code":"ABS_Z","value":1}')
    c.expect_error('{"type":"rel","code":"REL_X","value":1}')
    c.send(line({'type': 'EV_ABS', 'code': 0, 'value': 16384},
                {'type': 'abs', 'code': 'ABS_Y', 'value': 32767},
                {'type': 'syn'}),
           line(key('BTN_LEFT', 0), {'type': 'syn'}),
           line({'type': 'rel', 'code': 'REL_WHEEL', 'value': -1},
                {'type': 'syn'}))
    want += [(EV_ABS, ABS_X, 16384), (EV_ABS, ABS_Y, 32767), SYN,
             (EV_KEY, BTN_LEFT, 0), SYN, (EV_REL, REL_WHEEL, -1), SYN]
    burst = []
    for i in range(moves):
        burst.append(line({'type': 'abs', 'code': 'ABS_X', 'value': 100 + i},
                          {'type': 'syn'}))
        want += [(EV_ABS, ABS_X, 100 + i), SYN]
    time.sleep(pause)
    c.send(*burst)
    time.sleep(pause)
    c.send(line({'type': 'abs', 'code': 'ABS_Y', 'value': 0},
                key('BTN_RIGHT', 1), {'type': 'syn'}),
           line(key('BTN_RIGHT', 0), {'type': 'syn'}))
    want += [(EV_ABS, ABS_Y, 0), (EV_KEY, BTN_RIGHT, 1), SYN,
             (EV_KEY, BTN_RIGHT, 0), SYN]
    return want


# The keyboard frame the host sends once it heard of the LED: the guest
# waits for it (so the LED went through before the guest powers off)
ACK_LINE = line(key('KEY_1', 1), key('KEY_1', 0), {'type': 'syn'})
ACK_EVENTS = [(EV_KEY, KEY_1, 1), (EV_KEY, KEY_1, 0), SYN]


def events_text(events):
    """events_text() - events as vu-evread prints them.

    @events: (type, code, value) tuples

    Return: the text, one "type code value" line each
    """
    return ''.join('%d %d %d\n' % e for e in events)


def expected_args(tag, events):
    """expected_args() - what the guest needs to check a reader's output.

    @tag: kbd or tab
    @events: the events expected

    Return: {TAGn: count, TAGsum: sha256 of events_text()}
    """
    digest = hashlib.sha256(events_text(events).encode()).hexdigest()
    return {tag + 'n': len(events), tag + 'sum': digest}


def first_difference(output, tag, events):
    """first_difference() - where the events a guest printed (as
    "VUTEST-EVENTS TAG: type code value") depart from @events.

    @output: the serial console
    @tag: kbd or tab
    @events: the events expected

    Return: a description, or '' when the guest printed none
    """
    mark = 'VUTEST-EVENTS %s: ' % tag
    got = [tuple(int(v) for v in ln[len(mark):].split())
           for ln in output.splitlines() if ln.startswith(mark)]
    if not got:
        return ''
    n = next((i for i, (g, w) in enumerate(zip(got, events)) if g != w),
             min(len(got), len(events)))
    return ('%s: %d events read, %d expected; first difference at %d: '
            'got %s, want %s' % (tag, len(got), len(events), n,
                                 got[n:n + 4], list(events[n:n + 4])))


def start_virtual(ctx, exe, kind, extra=()):
    """start_virtual() - start a --virtual daemon; wait for both sockets.

    @ctx: the test context
    @exe: the daemon
    @kind: keyboard, tablet, ...
    @extra: more options

    Return: (vhost-user socket, control socket, Daemon)
    """
    sock, ctl = ctx.path(kind + '.sock'), ctx.path(kind + '.ctl')
    d = ctx.daemon([exe, '--socket-path=' + sock, '--virtual=' + kind,
                    '--control=' + ctl, *extra], sock, kind)
    if not vue2e.wait_socket(ctl, d.proc):
        raise Fail('%s: no control socket %s:\n%s' % (kind, ctl,
                                                      d.log_tail()))
    return sock, ctl, d


def case_virtual(ctx):
    """case_virtual() - virtual keyboard and tablet, driven from the host.

    @ctx: the test context
    """
    exe = need_exe('VU_INPUT', 'vhost-user-input')
    evread = need_exe('VU_EVREAD', 'vu-evread')
    ksock, kctl, kd = start_virtual(ctx, exe, 'keyboard')
    tsock, tctl, td = start_virtual(ctx, exe, 'tablet',
                                    ['--name=' + TABLET_NAME])
    ka, kb = Control(kctl, 'keyboard client a'), Control(kctl,
                                                         'keyboard client b')
    tc = Control(tctl, 'tablet client')
    extra = []
    for i, s in enumerate((ksock, tsock)):
        extra += ['-chardev', 'socket,id=in%d,path=%s' % (i, s),
                  '-device', 'vhost-user-input-pci,chardev=in%d' % i]
    args = {'tabname': TABLET_NAME,
            'ack': ','.join('.'.join(map(str, e)) for e in ACK_EVENTS)}
    # The frames are fixed: compute what the guest must read beforehand
    kwant, twant = keyboard_script_events(), tablet_script_events()
    args.update(expected_args('kbd', kwant))
    args.update(expected_args('tab', twant))
    g = ctx.guest('input-virtual', extra, args=args, tools=[evread],
                  modules=VIRTUAL_MODULES)
    g.start()
    g.wait_step('ready')
    if keyboard_script(ka, kb) != kwant or \
            tablet_script(tc, pause=PAUSE) != twant:
        raise Fail('the scripts do not send what they announced')
    try:
        g.wait_step('led', timeout=90)
    except Fail as e:
        diff = [first_difference(g.output(), t, w)
                for t, w in (('kbd', kwant), ('tab', twant))]
        raise Fail('\n'.join([d for d in diff if d] + [str(e)]))
    check_led(ka, kb)
    ka.send(ACK_LINE)
    g.check()
    check_after(ctx, [(kd, [ka, kb]), (td, [tc])])


def check_led(*clients):
    """check_led() - every control client hears of the guest's CAPSLOCK LED.

    @clients: Control objects
    """
    want = {'type': 'led', 'code': 'LED_CAPSL', 'value': 1}
    for c in clients:
        c.wait_for(lambda o: o == want, json.dumps(want))
    vue2e.log('control clients got %s' % json.dumps(want))


def check_after(ctx, daemons):
    """check_after() - after the guest: no stray replies, the daemons still
    run, and SIGTERM ends them with status 0.

    @ctx: the test context
    @daemons: [(Daemon, [its Control clients])]
    """
    for d, clients in daemons:
        for c in clients:
            extra = c.leftovers()
            if extra:
                raise Fail('%s: unexpected lines %s' % (c.name, extra))
        if not d.alive():
            raise Fail('%s exited after the guest:\n%s'
                       % (' '.join(d.argv), d.log_tail()))
        rc = d.stop()
        if rc != 0:
            raise Fail('%s: exit status %s after SIGTERM:\n%s'
                       % (' '.join(d.argv), rc, d.log_tail()))


class _Recorder:
    """_Recorder - a stand-in Control that only records: lets the scripts
    compute the events they will make before the guest boots.
    """

    name = 'recorder'

    def send(self, *lines):
        """send() - ignore.

        @lines: unused
        """

    def expect_error(self, line):
        """expect_error() - ignore.

        @line: unused
        """

    def sync(self):
        """sync() - ignore."""


def keyboard_script_events():
    """keyboard_script_events() - the events keyboard_script() makes.

    Return: the list
    """
    return keyboard_script(_Recorder(), _Recorder())


def tablet_script_events():
    """tablet_script_events() - the events tablet_script() makes.

    Return: the list
    """
    return tablet_script(_Recorder())


def case_evdev(ctx):
    """case_evdev() - evdev mode against uinput devices, inside the guest.

    @ctx: the test context
    """
    exe = need_exe('VU_INPUT', 'vhost-user-input')
    check = need_exe('VU_INPUT_EVDEV_CHECK', 'vu-input-evdev-check')
    ctx.run_guest('input-evdev', tools=[exe, check], modules=EVDEV_MODULES,
                  args={'daemon': '/usr/bin/' + os.path.basename(exe)},
                  timeout=180)


CASES = {
    'virtual': case_virtual,
    'evdev': case_evdev,
}

if __name__ == '__main__':
    vue2e.main(CASES)
