#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-blk - vhost-user-blk end to end: a Linux guest's /dev/vda served by
the daemon through QEMU's vhost-user-blk-pci.

Usage: test-blk.py CASE (see CASES). The daemon is $VU_BLK (set by meson);
VU_E2E_BLK=qsd runs the same cases against qemu-storage-daemon's
vhost-user-blk export instead, as a reference.
"""

import hashlib
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vue2e  # noqa: E402
from vue2e import Fail, Skip  # noqa: E402

MiB = 1 << 20
IMAGE_SIZE = 64 * MiB
BLK_MODULES = ['virtio_pci', 'virtio_blk']


def pattern(tag, size):
    """pattern() - the data guest/lib.sh's pattern() writes.

    @tag: a word naming the pattern
    @size: bytes, a multiple of 512

    Return: bytes: each 512-byte sector is "TAG N" (N its index) padded
            with spaces to 511 bytes, then a newline
    """
    return b''.join(('%-511s\n' % ('%s %d' % (tag, i))).encode()
                    for i in range(size // 512))


class Blk:
    """Blk - the back-end under test and its image file.

    @ctx: the test context
    @img: the image file
    @sock: the vhost-user socket
    @argv: the daemon's command line
    @qsd: whether it is qemu-storage-daemon (resized through QMP)
    @daemon: the running vue2e.Daemon
    """

    def __init__(self, ctx, size=IMAGE_SIZE, read_only=False, queues=1):
        self.ctx = ctx
        self.img = ctx.path('disk.img')
        self.sock = ctx.path('blk.sock')
        with open(self.img, 'wb') as f:
            f.truncate(size)
        self.qsd = os.environ.get('VU_E2E_BLK') == 'qsd'
        self.argv = self._qsd_argv(read_only, queues) if self.qsd else \
            self._our_argv(read_only, queues)
        self.daemon = None

    def _our_argv(self, read_only, queues):
        """_our_argv() - the command line of our vhost-user-blk.

        @read_only: export read-only
        @queues: number of queues

        Return: argv; raises Skip when the daemon is not built
        """
        exe = os.environ.get('VU_BLK')
        if not exe or not os.access(exe, os.X_OK):
            raise Skip('vhost-user-blk is not built (VU_E2E_BLK=qsd runs '
                       'these cases against qemu-storage-daemon)')
        argv = [exe, '--socket-path=' + self.sock, '--blk-file=' + self.img,
                '--num-queues=%d' % queues]
        return argv + (['--read-only'] if read_only else [])

    def _qsd_argv(self, read_only, queues):
        """_qsd_argv() - the command line of the qemu-storage-daemon reference.

        @read_only: export read-only
        @queues: number of queues

        Return: argv
        """
        vue2e.require_tool('qemu-storage-daemon')
        return ['qemu-storage-daemon', '--blockdev',
                'driver=file,filename=%s,node-name=n0,discard=unmap,'
                'cache.direct=on,aio=native' % self.img,
                '--export', 'type=vhost-user-blk,id=e0,node-name=n0,'
                'addr.type=unix,addr.path=%s,writable=%s,num-queues=%d'
                % (self.sock, 'off' if read_only else 'on', queues),
                '--chardev', 'socket,id=m0,path=%s,server=on,wait=off'
                % self.ctx.path('qsd.qmp'),
                '--monitor', 'chardev=m0']

    def start(self):
        """start() - start the daemon and wait for its socket."""
        self.daemon = self.ctx.daemon(self.argv, self.sock, 'blk')

    def qemu_args(self, chardev='blk0', reconnect=False, queues=1):
        """qemu_args() - the QEMU arguments of a vhost-user-blk-pci disk.

        @chardev: chardev id
        @reconnect: reconnect one second after the back-end went away
        @queues: num-queues of the device

        Return: argument list
        """
        sock = 'socket,id=%s,path=%s' % (chardev, self.sock)
        if reconnect:
            sock += ',reconnect-ms=1000'
        return ['-chardev', sock, '-device',
                'vhost-user-blk-pci,chardev=%s,num-queues=%d'
                % (chardev, queues)]

    def read(self, off, length):
        """read() - bytes of the image as the host sees them.

        @off: offset
        @length: bytes

        Return: the bytes
        """
        with open(self.img, 'rb') as f:
            f.seek(off)
            return f.read(length)

    def write(self, off, data):
        """write() - write into the image behind the guest's back.

        @off: offset
        @data: bytes
        """
        with open(self.img, 'r+b') as f:
            f.seek(off)
            f.write(data)

    def allocated(self):
        """allocated() - bytes of disk the image file occupies.

        Return: st_blocks * 512
        """
        return os.stat(self.img).st_blocks * 512

    def resize(self, size):
        """resize() - grow the image and tell the daemon.

        @size: new size in bytes

        Ours: truncate, then SIGHUP. qemu-storage-daemon: QMP block_resize.
        """
        if self.qsd:
            q = vue2e.Qmp(self.ctx.path('qsd.qmp'))
            q.cmd('block_resize', **{'node-name': 'n0', 'size': size})
            q.close()
            return
        with open(self.img, 'r+b') as f:
            f.truncate(size)
        self.daemon.kill(signal.SIGHUP)


def expect(what, got, want):
    """expect() - raise Fail unless @got equals @want.

    @what: what is compared
    @got: the value seen
    @want: the value expected
    """
    if got != want:
        if isinstance(got, bytes):
            got, want = _first_diff(got, want)
        raise Fail('%s: got %s, want %s' % (what, got, want))


def _first_diff(a, b):
    """_first_diff() - describe where two byte strings first differ.

    @a: bytes seen
    @b: bytes expected

    Return: (text about @a, text about @b)
    """
    end = min(len(a), len(b))
    n = next((i for i in range(0, end, 4096)
              if a[i:min(i + 4096, end)] != b[i:min(i + 4096, end)]), end)
    n = next((i for i in range(n, min(n + 4096, end)) if a[i] != b[i]), end)
    return ('%r at byte %d (of %d)' % (a[n:n + 16], n, len(a)),
            '%r' % b[n:n + 16])


def host_data(blk, off, size=MiB):
    """host_data() - put random bytes in the image for the guest to read.

    @blk: the Blk
    @off: offset
    @size: bytes

    Return: {'hostsha': sha256 hex, 'hostoff': @off, 'hostlen': @size}
    """
    data = os.urandom(size)
    blk.write(off, data)
    return {'hostsha': hashlib.sha256(data).hexdigest(), 'hostoff': off,
            'hostlen': size}


def case_pattern(ctx):
    """case_pattern() - guest reads host data, writes a pattern, reads it
    back; the host finds the pattern in the image and nothing else changed.

    @ctx: the test context
    """
    blk = Blk(ctx)
    args = host_data(blk, 4 * MiB)
    blk.start()
    ctx.run_guest('blk-pattern', blk.qemu_args(), args=args,
                  modules=BLK_MODULES)
    expect('image at 1 MiB', blk.read(MiB, MiB), pattern('pattern', MiB))
    expect('image before 1 MiB', blk.read(0, MiB), bytes(MiB))
    expect('image at 2-4 MiB', blk.read(2 * MiB, 2 * MiB), bytes(2 * MiB))


def case_fio(ctx):
    """case_fio() - fio random writes at queue depth 8, verified (crc32c).

    @ctx: the test context
    """
    blk = Blk(ctx)
    blk.start()
    ctx.run_guest('blk-fio', blk.qemu_args(), tools=['fio'],
                  modules=BLK_MODULES)


def case_read_only(ctx):
    """case_read_only() - a --read-only disk reads but rejects writes, and
    the image is unchanged.

    @ctx: the test context
    """
    blk = Blk(ctx, read_only=True)
    args = host_data(blk, 0)
    before = blk.read(0, IMAGE_SIZE)
    blk.start()
    ctx.run_guest('blk-ro', blk.qemu_args(), args=args, modules=BLK_MODULES)
    expect('read-only image', blk.read(0, IMAGE_SIZE), before)


def case_discard(ctx):
    """case_discard() - the guest writes 8 MiB and discards the first 4 MiB:
    the image file keeps only about 4 MiB allocated, the rest intact.

    @ctx: the test context
    """
    blk = Blk(ctx)
    blk.start()
    ctx.run_guest('blk-discard', blk.qemu_args(), modules=BLK_MODULES)
    data = pattern('discard', 8 * MiB)
    expect('image at 4-8 MiB', blk.read(4 * MiB, 4 * MiB), data[4 * MiB:])
    expect('image at 0-4 MiB (discarded)', blk.read(0, 4 * MiB),
           bytes(4 * MiB))
    used = blk.allocated()
    vue2e.log('image allocates %d KiB' % (used // 1024))
    if not 4 * MiB <= used <= 5 * MiB:
        raise Fail('image allocates %d KiB after the discard, want '
                   '4096-5120 KiB' % (used // 1024))


def case_multiqueue(ctx):
    """case_multiqueue() - four queues, four vCPUs, one fio job on each,
    verified; every queue's interrupt fired.

    @ctx: the test context
    """
    blk = Blk(ctx, queues=4)
    blk.start()
    ctx.run_guest('blk-mq', blk.qemu_args(queues=4), tools=['fio'], smp=4,
                  modules=BLK_MODULES, timeout=150)


def case_resize(ctx):
    """case_resize() - the host grows the image and tells the daemon; the
    guest sees the new size without a reboot and writes at its end.

    @ctx: the test context
    """
    new = IMAGE_SIZE + 32 * MiB
    blk = Blk(ctx)
    blk.start()
    g = ctx.guest('blk-resize', blk.qemu_args(), modules=BLK_MODULES,
                  args={'oldsectors': IMAGE_SIZE // 512,
                        'newsectors': new // 512})
    g.start()
    g.wait_step('ready')
    blk.resize(new)
    g.check()
    expect('image size', os.path.getsize(blk.img), new)
    expect('image at its last MiB', blk.read(new - MiB, MiB),
           pattern('resize', MiB))


def case_reconnect(ctx):
    """case_reconnect() - kill -9 the daemon while fio writes with verify,
    start it again: QEMU reconnects, fio ends without an error.

    @ctx: the test context
    """
    blk = Blk(ctx)
    blk.start()
    g = ctx.guest('blk-reconnect', blk.qemu_args(reconnect=True),
                  tools=['fio'], modules=BLK_MODULES, timeout=150)
    g.start()
    g.wait_step('io-running')
    if 'VUTEST-STEP: fio-done' in g.output():
        raise Fail('fio ended before the kill: make it longer')
    blk.daemon.kill()
    vue2e.log('killed the daemon (SIGKILL)')
    time.sleep(0.5)
    blk.daemon.start()
    g.wait_step('fio-done', timeout=60)
    g.check()
    stall = max_latency(g.output())
    vue2e.log('longest fio completion latency %.2f s' % stall)
    if stall < 0.5:
        raise Fail('no request waited through the restart (longest '
                   'completion latency %.2f s): the kill missed the I/O'
                   % stall)


def max_latency(text):
    """max_latency() - the longest completion latency in fio's output.

    @text: fio's normal output, e.g. "clat (usec): min=5, max=812345, ..."

    Return: seconds (0 when fio printed none)
    """
    unit = {'nsec': 1e-9, 'usec': 1e-6, 'msec': 1e-3, 'sec': 1.0}
    found = re.findall(r'clat \((\w+)\): min=[\d.]+[kKmM]?, max=([\d.]+)([kKmM]?)',
                       text)
    scale = {'': 1, 'k': 1e3, 'K': 1e3, 'm': 1e6, 'M': 1e6}
    return max([float(v) * scale[s] * unit.get(u, 0) for u, v, s in found],
               default=0)


def case_handoff(ctx):
    """case_handoff() - QEMU quits mid-run; a new QEMU connects to the same
    daemon and reads what the first one wrote.

    @ctx: the test context
    """
    blk = Blk(ctx)
    blk.start()
    g = ctx.guest('blk-handoff-write', blk.qemu_args(), modules=BLK_MODULES)
    g.start()
    g.wait_step('written')
    g.quit()
    vue2e.log('first QEMU quit (exit %d)' % g.proc.returncode)
    if not blk.daemon.alive():
        raise Fail('the daemon exited when QEMU quit:\n' +
                   blk.daemon.log_tail())
    ctx.run_guest('blk-handoff-read', blk.qemu_args(), modules=BLK_MODULES)
    expect('image at 2 MiB', blk.read(2 * MiB, MiB), pattern('first', MiB))
    expect('image at 3 MiB', blk.read(3 * MiB, MiB), pattern('second', MiB))


CASES = {
    'pattern': case_pattern,
    'fio': case_fio,
    'read-only': case_read_only,
    'discard': case_discard,
    'multiqueue': case_multiqueue,
    'resize': case_resize,
    'reconnect': case_reconnect,
    'handoff': case_handoff,
}

if __name__ == '__main__':
    vue2e.main(CASES)
