#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-net - vhost-user-net end to end: a Linux guest's virtio-net served
by the daemon through QEMU's vhost-user netdev, the daemon's tap in a
network namespace of the test's own.

Usage: test-net.py CASE (see CASES). Needs root (network namespaces, taps);
the daemon is $VU_NET (set by meson).

Each case makes the namespace vue2e-net-PID, starts
"ip netns exec NS vhost-user-net --tap=vutap0 --queue-pairs=2" in it,
gives the tap 10.77.0.1/24 and boots a guest with two vCPUs and a
two-queue-pair virtio-net-pci (10.77.0.2/24 in the guest). The namespace
goes away when the case ends, whatever the outcome.

ping: the guest pings the host with one and with two queue pairs in use
(ethtool -L, when the host has ethtool to lend it), from each vCPU; then
the host pings the guest and the guest counts the echo requests.

iperf: two one-off iperf3 servers in the namespace; the guest's iperf3
sends for a few seconds, then receives (-R); both sides' JSON summaries
must parse and show bytes moved.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vue2e  # noqa: E402
from vue2e import Fail, Skip, need_exe  # noqa: E402

NET_MODULES = ['virtio_pci', 'virtio_net']
NS_PREFIX = 'vue2e-net-'
TAP = 'vutap0'
PAIRS = 2
HOST_IP = '10.77.0.1'
GUEST_IP = '10.77.0.2'
PREFIX_LEN = 24
GUEST_MAC = '52:54:00:12:34:56'
HOST_PINGS = 3
IPERF_SECS = 3
IPERF_STREAMS = 2
# iperf3 server ports: one one-off server per direction
IPERF_PORTS = {'send': 5201, 'receive': 5202}
IPERF_BEGIN = 'VUTEST-IPERF-BEGIN'
IPERF_END = 'VUTEST-IPERF-END'
TCP_LISTEN = '0A'       # the LISTEN state in /proc/net/tcp


def need_root():
    """need_root() - skip unless root, with ip(8) and /dev/net/tun."""
    if os.geteuid() != 0:
        raise Skip('needs root (network namespaces and taps)')
    vue2e.require_tool('ip', 'iproute2')
    if not os.path.exists('/dev/net/tun'):
        raise Skip('no /dev/net/tun')


def host_tool(name):
    """host_tool() - a host program, searched in the sbin dirs too.

    @name: program name

    Return: its path, or None
    """
    return shutil.which(name) or shutil.which(
        name, path='/usr/sbin:/sbin:/usr/bin:/bin')


def ping_argv():
    """ping_argv() - a ping command for the namespace.

    Return: argv prefix: ping, else busybox's
    """
    p = host_tool('ping')
    return [p] if p else [vue2e.BUSYBOX, 'ping']


class Netns:
    """Netns - the test's network namespace.

    @name: vue2e-net-PID
    @procs: processes started in it by spawn(), killed by delete()
    """

    def __init__(self):
        self.name = NS_PREFIX + str(os.getpid())
        self.procs = []

    @staticmethod
    def prune():
        """prune() - delete the namespaces of test runs that died.

        Only names vue2e-net-PID whose PID no longer runs this script.
        """
        out = subprocess.run(['ip', 'netns', 'list'], capture_output=True,
                             text=True).stdout
        for m in re.finditer(r'^%s(\d+)\b' % NS_PREFIX, out, re.M):
            try:
                with open('/proc/%s/cmdline' % m.group(1), 'rb') as f:
                    if b'test-net' in f.read():
                        continue
            except OSError:
                pass
            vue2e.log('deleting stale namespace ' + m.group(0))
            subprocess.run(['ip', 'netns', 'del', m.group(0)],
                           capture_output=True)

    def create(self):
        """create() - add the namespace."""
        self.prune()
        vue2e.run(['ip', 'netns', 'add', self.name])
        vue2e.log('network namespace ' + self.name)

    def argv(self, *cmd):
        """argv() - a command line that runs @cmd in the namespace.

        @cmd: the command

        Return: argv list
        """
        return ['ip', 'netns', 'exec', self.name] + [str(c) for c in cmd]

    def run(self, *cmd, **kw):
        """run() - run @cmd in the namespace (vue2e.run: Fail on error).

        @cmd: the command
        @kw: passed to vue2e.run

        Return: the CompletedProcess
        """
        return vue2e.run(self.argv(*cmd), **kw)

    def spawn(self, cmd, out):
        """spawn() - start @cmd in the namespace, killed by delete().

        @cmd: the command (list)
        @out: file name for its stdout (stderr goes there too)

        Return: the Popen
        """
        with open(out, 'wb') as f:
            p = subprocess.Popen(self.argv(*cmd), stdout=f,
                                 stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def delete(self):
        """delete() - kill what spawn() started, remove the namespace."""
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run(['ip', 'netns', 'del', self.name], capture_output=True)


@contextlib.contextmanager
def net_setup(ctx):
    """net_setup() - the namespace, the daemon on its tap, the tap's address.

    @ctx: the test context

    The namespace is deleted when the block ends, after the guests and the
    daemon are stopped, whatever happened.

    Return (as the with value): (Netns, the vue2e.Daemon, QEMU arguments)
    """
    exe = need_exe('VU_NET', 'vhost-user-net')
    need_root()
    ns = Netns()
    ns.create()
    try:
        sock = ctx.path('net.sock')
        d = ctx.daemon(ns.argv(exe, '--socket-path=' + sock, '--tap=' + TAP,
                               '--queue-pairs=%d' % PAIRS), sock, 'net')
        wait_tap(ns, d)
        ns.run('ip', 'link', 'set', TAP, 'up')
        ns.run('ip', 'addr', 'add', '%s/%d' % (HOST_IP, PREFIX_LEN),
               'dev', TAP)
        vue2e.log('tap: ' + ns.run('ip', '-br', 'addr', 'show', TAP)
                  .stdout.strip())
        yield ns, d, qemu_args(sock)
    finally:
        for g in ctx.guests:
            g.kill()
        for dm in ctx.daemons:
            dm.stop()
        ns.delete()


def wait_tap(ns, daemon, timeout=10):
    """wait_tap() - wait until the daemon's tap exists in the namespace.

    @ns: the Netns
    @daemon: the vue2e.Daemon (its death ends the wait)
    @timeout: seconds
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and daemon.alive():
        p = subprocess.run(ns.argv('ip', 'link', 'show', TAP),
                           capture_output=True, text=True)
        if p.returncode == 0:
            vue2e.log('tap: ' + p.stdout.splitlines()[0])
            return
        time.sleep(0.05)
    raise Fail('no tap %s in %s:\n%s' % (TAP, ns.name, daemon.log_tail()))


def qemu_args(sock):
    """qemu_args() - the QEMU arguments of the vhost-user virtio-net-pci.

    @sock: the daemon's socket

    Return: argument list
    """
    return ['-chardev', 'socket,id=n0,path=' + sock,
            '-netdev', 'vhost-user,id=net0,chardev=n0,queues=%d' % PAIRS,
            '-device', 'virtio-net-pci,netdev=net0,mq=on,vectors=%d,mac=%s'
            % (2 * PAIRS + 2, GUEST_MAC)]


def guest_args(**more):
    """guest_args() - what the guest scripts read as $vu_KEY.

    @more: more keys

    Return: the dict
    """
    args = {'mac': GUEST_MAC, 'hostip': HOST_IP, 'guestip': GUEST_IP,
            'prefix': PREFIX_LEN, 'pairs': PAIRS}
    args.update(more)
    return args


def guest_tools(*tools):
    """guest_tools() - @tools, plus ethtool when the host has it.

    @tools: programs the guest needs

    Return: list for Guest(tools=)
    """
    eth = host_tool('ethtool')
    return list(tools) + ([eth] if eth else [])


def stop_daemon(d):
    """stop_daemon() - SIGTERM the daemon: it must exit 0 without warnings.

    @d: the vue2e.Daemon
    """
    rc = d.stop()
    if rc != 0:
        raise Fail('vhost-user-net exit status %s after SIGTERM:\n%s'
                   % (rc, d.log_tail()))
    with open(d.logpath, errors='replace') as f:
        warn = [ln for ln in f.read().splitlines() if 'WARNING' in ln or
                'CRITICAL' in ln]
    if warn:
        raise Fail('vhost-user-net warned:\n' + '\n'.join(warn))


def host_ping(ns):
    """host_ping() - ping the guest from the namespace; all must answer.

    @ns: the Netns
    """
    p = ns.run(*ping_argv(), '-c', HOST_PINGS, '-W', 5, GUEST_IP)
    m = re.search(r'(\d+) (?:packets )?received', p.stdout)
    if not m or int(m.group(1)) != HOST_PINGS:
        raise Fail('host ping: want %d replies:\n%s' % (HOST_PINGS,
                                                        p.stdout))
    vue2e.log('host pinged the guest: %s' % m.group(0))
    neigh = ns.run('ip', 'neigh', 'show', GUEST_IP, 'dev', TAP).stdout
    if GUEST_MAC not in neigh.lower():
        raise Fail('the host does not see the guest at %s: %r'
                   % (GUEST_MAC, neigh))
    # One more echo request tells the guest the host is done: it counts
    # HOST_PINGS + 1 (ending sooner could lose the last reply)
    subprocess.run(ns.argv(*ping_argv(), '-c', 1, '-W', 1, GUEST_IP),
                   capture_output=True)


def case_ping(ctx):
    """case_ping() - pings both ways over two queue pairs.

    @ctx: the test context
    """
    with net_setup(ctx) as (ns, d, qargs):
        g = ctx.guest('net-ping', qargs, smp=2,
                      args=guest_args(hostpings=HOST_PINGS + 1),
                      tools=guest_tools(), modules=NET_MODULES, timeout=180)
        g.start()
        g.wait_step('up', timeout=150)
        host_ping(ns)
        g.check()
        stop_daemon(d)


def listening(proc, port):
    """listening() - whether @proc has a TCP socket listening on @port.

    @proc: a Popen (its /proc/PID/net/tcp is its namespace's table)
    @port: the port

    Return: True when it listens
    """
    want = ':%04X' % port
    try:
        with open('/proc/%d/net/tcp' % proc.pid) as f:
            rows = [ln.split() for ln in f.read().splitlines()[1:]]
    except OSError:
        return False
    return any(r[1].endswith(want) and r[3] == TCP_LISTEN for r in rows)


def start_iperf_server(ctx, ns, tag):
    """start_iperf_server() - a one-off iperf3 server with JSON output.

    @ctx: the test context
    @ns: the Netns
    @tag: 'send' or 'receive' (the guest's role), picks the port

    Return: (the Popen, its output file)
    """
    out = ctx.path('iperf-server-%s.json' % tag)
    port = IPERF_PORTS[tag]
    p = ns.spawn(['iperf3', '-s', '-1', '-J', '-B', HOST_IP, '-p', port],
                 out)
    deadline = time.monotonic() + 10
    while not listening(p, port):
        if p.poll() is not None or time.monotonic() > deadline:
            with open(out, errors='replace') as f:
                raise Fail('iperf3 server on port %d did not listen:\n%s'
                           % (port, f.read()[-2000:]))
        time.sleep(0.05)
    return p, out


def guest_json(g, tag):
    """guest_json() - the iperf3 JSON the guest printed between markers.

    @g: the Guest, ended
    @tag: the run's name

    Return: the parsed object
    """
    text = g.output().replace('\r', '')
    m = re.search(r'^%s %s\n(.*?)^%s %s$' % (IPERF_BEGIN, tag, IPERF_END,
                                             tag), text, re.M | re.S)
    if not m:
        raise Fail('no iperf3 output "%s" on the guest console' % tag)
    try:
        return json.loads(m.group(1))
    except ValueError as e:
        raise Fail('guest iperf3 %s: not JSON (%s)' % (tag, e))


def file_json(path):
    """file_json() - an iperf3 server's JSON output.

    @path: its file

    Return: the parsed object
    """
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Fail('iperf3 server output %s: %s' % (path, e))


def summary(obj, key, who):
    """summary() - one end.KEY summary of an iperf3 result, checked.

    @obj: the parsed JSON
    @key: 'sum_sent' or 'sum_received'
    @who: whose result, for messages

    Return: (bytes, bits per second); raises Fail unless bytes > 0
    """
    if 'error' in obj:
        raise Fail('%s: iperf3 error: %s' % (who, obj['error']))
    try:
        s = obj['end'][key]
        n, bps = int(s['bytes']), float(s['bits_per_second'])
    except (KeyError, TypeError, ValueError):
        raise Fail('%s: no end.%s in the iperf3 result' % (who, key))
    if n <= 0:
        raise Fail('%s: %s is %d bytes' % (who, key, n))
    return n, bps


def check_iperf(g, tag, server_out):
    """check_iperf() - check one run's results on both sides, log it.

    @g: the Guest, ended
    @tag: 'send' (the guest sent) or 'receive' (-R: the guest received)
    @server_out: the server's JSON output file

    The client's JSON has both sides' sums (iperf3 exchanges them), the
    server's only its own: sum_received when the guest sent, sum_sent when
    it received.
    """
    client, server = guest_json(g, tag), file_json(server_out)
    summary(client, 'sum_sent', 'guest')
    summary(client, 'sum_received', 'guest')
    if tag == 'send':
        n_sent, _ = summary(client, 'sum_sent', 'guest')
        n_recv, bps = summary(server, 'sum_received', 'host')
    else:
        n_sent, _ = summary(server, 'sum_sent', 'host')
        n_recv, bps = summary(client, 'sum_received', 'guest')
    if n_recv > n_sent:
        raise Fail('%s: received %d bytes, more than the %d sent'
                   % (tag, n_recv, n_sent))
    what = 'guest -> host' if tag == 'send' else 'host -> guest'
    vue2e.log('iperf3 %s: %.1f Mbit/s (%d bytes received, %d sent)'
              % (what, bps / 1e6, n_recv, n_sent))


def case_iperf(ctx):
    """case_iperf() - iperf3 TCP both ways between the guest and the tap.

    @ctx: the test context
    """
    if not host_tool('iperf3'):
        raise Skip('iperf3 not installed (run scripts/e2e-setup)')
    with net_setup(ctx) as (ns, d, qargs):
        servers = {t: start_iperf_server(ctx, ns, t) for t in IPERF_PORTS}
        args = guest_args(secs=IPERF_SECS, streams=IPERF_STREAMS,
                          sport=IPERF_PORTS['send'],
                          rport=IPERF_PORTS['receive'])
        g = ctx.guest('net-iperf', qargs, smp=2, args=args,
                      tools=guest_tools('iperf3'), modules=NET_MODULES,
                      timeout=200)
        g.start()
        g.check()
        for tag, (p, out) in servers.items():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                raise Fail('iperf3 server %s did not end' % tag)
            check_iperf(g, tag, out)
        stop_daemon(d)


def case_switch(ctx):
    """case_switch() - two guests ping each other through --switch.

    No root needed: the switch has no tap. Each guest pings the other; the
    daemon must end cleanly.

    @ctx: the test context
    """
    exe = need_exe('VU_NET', 'vhost-user-net')
    socks = [ctx.path('port0.sock'), ctx.path('port1.sock')]
    d = ctx.daemon([exe, '--socket-path=' + socks[0], '--switch',
                    '--port=' + socks[1]], socks[0], name='switch',
                   probe=False)
    vue2e.wait_socket(socks[1], d.proc)
    guests = []
    for i in range(2):
        mac = '52:54:00:12:34:%02x' % (0x60 + i)
        qargs = ['-chardev', 'socket,id=n0,path=' + socks[i],
                 '-netdev', 'vhost-user,id=net0,chardev=n0',
                 '-device', 'virtio-net-pci,netdev=net0,mac=' + mac]
        args = guest_args(mac=mac, pairs=1, guestip='10.78.0.%d' % (i + 1),
                          peerip='10.78.0.%d' % (2 - i))
        g = ctx.guest('net-switch', qargs, name='guest%d' % i, args=args,
                      modules=NET_MODULES, timeout=180)
        g.start()
        guests.append(g)
    for g in guests:
        g.check()
    stop_daemon(d)


CASES = {
    'ping': case_ping,
    'iperf': case_iperf,
    'switch': case_switch,
}

if __name__ == '__main__':
    vue2e.main(CASES)
