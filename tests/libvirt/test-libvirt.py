#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-libvirt - libvirt starts our vhost-user-gpu for a domain's video.

A real libvirt (11.x; installed from bookworm-backports on Debian 12 when
missing) finds the daemon through a descriptor this test puts in
/etc/qemu/vhost-user (QEMU's own gpu descriptor masked by an empty file of
the same name), starts it with --fd=N (and --virgl for
<acceleration accel3d='yes'/>) for a transient TCG domain that boots the
e2e harness's kernel and initramfs; the guest (tests/e2e/guest/
libvirt-gpu.sh) checks the virtio-gpu and prints its verdict on the serial
console. Everything the test installs, starts or defines is removed at the
end, whatever happens; what a killed run left is removed by the next.

Root only; exits 77 (skipped) without root or when libvirt, QEMU >= 10, the
kernel or the daemon cannot be had.

Environment: VU_GPU (the daemon), VU_GPU_DESCRIPTOR (its configured
descriptor, the template of the one installed; optional), VU_LIBVIRT_CAPS
(JSON a wrapper prints for --print-capabilities instead of the daemon: lets
QEMU's /usr/lib/qemu/vhost-user-gpu, which claims render-node, run on a
host without /dev/dri), VU_LIBVIRT_BOOT_TIMEOUT (seconds for the guest,
default 180), and those of vue2e.py.

Command line: test-libvirt.py gpu | virgl
"""

import contextlib
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'e2e'))
import vue2e  # noqa: E402

Fail, Skip, log = vue2e.Fail, vue2e.Skip, vue2e.log

URI = 'qemu:///system'
LIBVIRT_MIN = 10
PKG = 'libvirt-daemon-system'
DESC_DIRS = ['/usr/share/qemu/vhost-user', '/etc/qemu/vhost-user']
ETC_DESC = '/etc/qemu/vhost-user'
STATE = '/run/vutest-libvirt.state'
LOG_DIR = '/var/log/libvirt/qemu'
RUN_DIR = '/run/libvirt'
GUEST_TEST = 'libvirt-gpu'
GUEST_MODULES = ['virtio_pci', 'virtio_gpu']
INSTALL_TIMEOUT = 900
# apt-get waiting for the dpkg lock (another apt at work) instead of failing
APT = ['apt-get', '-o', 'DPkg::Lock::Timeout=300']
DAEMON_START_TIMEOUT = 30


# -- Small helpers ---------------------------------------------------------

def sh(argv, timeout=60, check=True, env=None):
    """sh() - run a host command with a time limit, capturing its output.

    @argv: the command
    @timeout: seconds before it is killed (raises Fail)
    @check: raise Fail on a non-zero exit
    @env: extra environment variables

    Return: the CompletedProcess
    """
    full = dict(os.environ, **(env or {}))
    try:
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL,
                           env=full)
    except subprocess.TimeoutExpired:
        raise Fail('%s: no end after %ds' % (' '.join(argv), timeout))
    if check and p.returncode != 0:
        raise Fail('%s: exit %d: %s' % (' '.join(argv), p.returncode,
                                          (p.stderr or p.stdout).strip()))
    return p


def virsh(*args, check=True, timeout=60):
    """virsh() - run virsh against the system QEMU driver.

    @args: its arguments
    @check: raise Fail on a non-zero exit
    @timeout: seconds

    Return: the CompletedProcess
    """
    return sh(['virsh', '-q', '-c', URI, *args], timeout, check)


def pid_alive(pid, comm=None):
    """pid_alive() - whether process @pid exists (and is named @comm).

    @pid: a process id
    @comm: its expected /proc/PID/comm, or None for any

    Return: True when it does
    """
    try:
        with open('/proc/%d/comm' % pid) as f:
            return comm is None or f.read().strip() == comm
    except OSError:
        return False


def wait_until(cond, timeout, step=0.1):
    """wait_until() - poll @cond until it is true or @timeout passes.

    @cond: a function returning a truth value
    @timeout: seconds
    @step: seconds between polls

    Return: the last value of @cond()
    """
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def read_text(path, offset=0):
    """read_text() - a file's text from byte @offset ('' when missing).

    @path: the file
    @offset: where to start

    Return: the text
    """
    try:
        with open(path, 'rb') as f:
            f.seek(offset)
            return f.read().decode(errors='replace')
    except OSError:
        return ''


# -- What this test changed (for cleanup, also after a killed run) ---------

class State:
    """State - the files, directories and daemons this test made.

    Kept in STATE as JSON while the test runs, so that a run killed with
    SIGKILL is cleaned up by the next one (recover()).

    @files: paths of files it wrote
    @dirs: directories it created (removed when empty)
    @daemons: [pid, comm] of the daemons it started
    @domains: names of the domains it created
    """

    def __init__(self):
        self.files, self.dirs, self.daemons, self.domains = [], [], [], []

    def save(self):
        """save() - write the state file (removed when nothing is left)."""
        data = {'files': self.files, 'dirs': self.dirs,
                'daemons': self.daemons, 'domains': self.domains}
        if not any(data.values()):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(STATE)
            return
        with open(STATE + '.tmp', 'w') as f:
            json.dump(data, f)
        os.rename(STATE + '.tmp', STATE)

    def load(self):
        """load() - read the state file a previous run left, if any."""
        with contextlib.suppress(OSError, ValueError):
            with open(STATE) as f:
                data = json.load(f)
            for k in ('files', 'dirs', 'daemons', 'domains'):
                getattr(self, k).extend(data.get(k, []))

    def add(self, kind, item):
        """add() - note one thing made and save.

        @kind: 'files', 'dirs', 'daemons' or 'domains'
        @item: the path, [pid, comm] or name
        """
        getattr(self, kind).append(item)
        self.save()

    def undo(self):
        """undo() - remove everything noted, domains first, daemons last."""
        for name in reversed(self.domains):
            destroy_domain(name)
        for path in reversed(self.files):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        for d in reversed(self.dirs):
            with contextlib.suppress(OSError):
                os.rmdir(d)
        for pid, comm in reversed(self.daemons):
            stop_daemon(pid, comm)
        self.files, self.dirs, self.daemons, self.domains = [], [], [], []
        self.save()


@contextlib.contextmanager
def state():
    """state() - a State, undone at the end whatever happens.

    What a killed run left (the state file) is undone first.
    """
    st = State()
    st.load()
    if st.files or st.daemons or st.domains:
        log('cleaning up what a previous run left: %s' % read_text(STATE))
    st.undo()
    try:
        yield st
    finally:
        st.undo()


# -- libvirt: the packages -------------------------------------------------

def _major(version):
    """_major() - the major number of a Debian version ("1:11.3.0-2" -> 11).

    @version: the version string

    Return: the number, 0 when there is none
    """
    m = re.match(r'(?:\d+:)?(\d+)', version or '')
    return int(m.group(1)) if m else 0


def installed_version(pkg):
    """installed_version() - the version dpkg has installed of @pkg.

    @pkg: package name

    Return: the version, or None when it is not installed
    """
    p = sh(['dpkg-query', '-W', '-f=${db:Status-Abbrev} ${Version}', pkg],
           check=False)
    words = p.stdout.split()
    return words[1] if p.returncode == 0 and len(words) == 2 and \
        words[0] == 'ii' else None


def best_candidate(pkg):
    """best_candidate() - the newest version of @pkg apt knows, and from where.

    @pkg: package name

    Return: (version, suite), or None when apt knows none
    """
    out = sh(['apt-cache', 'madison', pkg], check=False).stdout
    best = None
    for line in out.splitlines():
        f = [x.strip() for x in line.split('|')]
        if len(f) < 3 or 'Sources' in f[2]:
            continue
        suite = f[2].split()[1].split('/')[0] if ' ' in f[2] else ''
        if best is None or _major(f[1]) > _major(best[0]):
            best = (f[1], suite)
    return best


def _apt_install(pref):
    """_apt_install() - apt-get install PKG, with @pref as apt preferences.

    @pref: path of a preferences file (pins libvirt* to one suite), or None

    Return: the CompletedProcess (not checked)
    """
    argv = APT + ['install', '-y', '--no-install-recommends',
                  '-o', 'Dpkg::Options::=--force-confdef',
                  '-o', 'Dpkg::Options::=--force-confold']
    if pref:
        argv += ['-o', 'Dir::Etc::Preferences=' + pref]
    env = {'DEBIAN_FRONTEND': 'noninteractive'}
    return sh(argv + [PKG], INSTALL_TIMEOUT, False, env)


def install_libvirt():
    """install_libvirt() - install libvirt >= LIBVIRT_MIN through apt.

    Only the libvirt packages are taken from the suite that has the version
    (bookworm-backports on Debian 12): a preferences file pins libvirt* to
    it, everything else comes from the release (apt-get -t would also move
    systemd and udev to backports). Raises Skip when apt has no such
    version or the installation fails.
    """
    if not shutil.which('apt-get'):
        raise Skip('libvirt >= %d missing and no apt-get' % LIBVIRT_MIN)
    cand = best_candidate(PKG)
    if not cand or _major(cand[0]) < LIBVIRT_MIN:
        sh(APT + ['update'], INSTALL_TIMEOUT, False)
        cand = best_candidate(PKG)
    if not cand or _major(cand[0]) < LIBVIRT_MIN:
        raise Skip('apt has no %s >= %d (run scripts/e2e-setup for '
                   'bookworm-backports)' % (PKG, LIBVIRT_MIN))
    log('installing %s %s from %s (takes a while)' % (PKG, *cand))
    with tempfile.NamedTemporaryFile('w', suffix='.pref') as pref:
        pref.write('Package: libvirt*\nPin: release n=%s\n'
                   'Pin-Priority: 990\n' % cand[1])
        pref.flush()
        p = _apt_install(pref.name)
        if p.returncode != 0:
            sh(APT + ['update'], INSTALL_TIMEOUT, False)
            p = _apt_install(pref.name)
    if p.returncode != 0:
        raise Skip('apt-get install %s failed: %s' % (
            PKG, '\n'.join((p.stderr or p.stdout).strip().splitlines()[-5:])))


def ensure_libvirt():
    """ensure_libvirt() - libvirt >= LIBVIRT_MIN installed (idempotent).

    Return: the installed version of libvirt-daemon-driver-qemu
    """
    v = installed_version('libvirt-daemon-driver-qemu')
    if _major(v) < LIBVIRT_MIN or not installed_version(PKG) or \
            not shutil.which('virsh'):
        t = time.monotonic()
        install_libvirt()
        log('libvirt installed in %.0fs' % (time.monotonic() - t))
        v = installed_version('libvirt-daemon-driver-qemu')
    if _major(v) < LIBVIRT_MIN:
        raise Skip('libvirt-daemon-driver-qemu %s is older than %d'
                   % (v, LIBVIRT_MIN))
    return v


# -- libvirt: the daemons --------------------------------------------------

def _connectable(path):
    """_connectable() - whether a Unix socket accepts connections.

    @path: the socket

    Return: True when it does
    """
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def start_daemon(st, name, sock):
    """start_daemon() - start a libvirt daemon unless @sock already answers.

    @st: the State (a daemon started is noted there, stopped at the end)
    @name: the program (virtlogd, virtqemud, libvirtd)
    @sock: the socket it serves
    """
    if _connectable(sock):
        log('%s already running' % name)
        return
    exe = shutil.which(name) or '/usr/sbin/' + name
    pidfile = '/run/%s.pid' % name
    with contextlib.suppress(FileNotFoundError):
        os.unlink(pidfile)
    sh([exe, '--daemon', '--pid-file', pidfile], DAEMON_START_TIMEOUT)
    pid = wait_until(lambda: _pidfile(pidfile), 10)
    if not pid:
        raise Fail('%s started but wrote no %s' % (name, pidfile))
    st.add('daemons', [pid, name[:15]])
    if not wait_until(lambda: _connectable(sock), DAEMON_START_TIMEOUT):
        raise Fail('%s (pid %d) does not answer on %s' % (name, pid, sock))
    log('started %s (pid %d)' % (name, pid))


def _pidfile(path):
    """_pidfile() - the process id in a pid file.

    @path: the file

    Return: the pid, or None when there is none (yet)
    """
    with contextlib.suppress(OSError, ValueError):
        with open(path) as f:
            return int(f.read().strip())
    return None


def stop_daemon(pid, comm):
    """stop_daemon() - SIGTERM a daemon we started, SIGKILL after 15 s.

    @pid: its process id
    @comm: its name (nothing is sent when another process has the pid)
    """
    if not pid_alive(pid, comm):
        return
    log('stopping %s (pid %d)' % (comm, pid))
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not pid_alive(pid, comm), 15):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not pid_alive(pid, comm), 5)


def start_libvirt(st):
    """start_libvirt() - virtlogd and the QEMU driver's daemon, running.

    Modular virtqemud where installed, else the monolithic libvirtd
    (Debian's packages have only libvirtd). Those already running (a
    systemd unit, an admin) are used and left alone.

    @st: the State
    """
    start_daemon(st, 'virtlogd', RUN_DIR + '/virtlogd-sock')
    if _connectable(RUN_DIR + '/virtqemud-sock'):
        return
    if shutil.which('virtqemud'):
        start_daemon(st, 'virtqemud', RUN_DIR + '/virtqemud-sock')
    else:
        start_daemon(st, 'libvirtd', RUN_DIR + '/libvirt-sock')
    out = virsh('version').stdout
    log(' / '.join(line.strip() for line in out.splitlines()))


# -- The descriptor --------------------------------------------------------

def effective_descriptors():
    """effective_descriptors() - the descriptors libvirt reads, in its order.

    Same basename in a later directory overrides, sorted by basename; an
    empty file masks (privileged libvirt reads no $XDG_CONFIG_HOME).

    Return: list of (basename, path, parsed JSON or None when empty/bad)
    """
    found = {}
    for d in DESC_DIRS:
        for p in glob.glob(os.path.join(d, '*.json')):
            found[os.path.basename(p)] = p
    out = []
    for name in sorted(found):
        data = None
        with contextlib.suppress(OSError, ValueError):
            if os.path.getsize(found[name]) > 0:
                with open(found[name]) as f:
                    data = json.load(f)
        out.append((name, found[name], data))
    return out


def write_file(st, path, text):
    """write_file() - write a new file (0644), noted for removal.

    @st: the State
    @path: where; raises Skip if a file is already there (not ours)
    @text: the contents
    """
    if os.path.lexists(path):
        raise Skip('%s exists and is not this test\'s: not touching it'
                   % path)
    d = os.path.dirname(path)
    missing = []
    while not os.path.isdir(d):
        missing.append(d)
        d = os.path.dirname(d)
    for d in reversed(missing):
        os.mkdir(d, 0o755)
        st.add('dirs', d)
    st.add('files', path)
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o644)


def descriptor_json(binary):
    """descriptor_json() - our descriptor, with @binary as its program.

    The configured VU_GPU_DESCRIPTOR is the template; without it, one with
    the same fields is made.

    @binary: absolute path of the program libvirt is to run

    Return: the JSON text
    """
    src = os.environ.get('VU_GPU_DESCRIPTOR')
    data = {'description': 'vhost-user GPU device', 'type': 'gpu'}
    if src:
        try:
            with open(src) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise Fail('cannot read descriptor %s: %s' % (src, e))
        if data.get('type') != 'gpu':
            raise Fail('%s: type %r, not "gpu"' % (src, data.get('type')))
    data['binary'] = binary
    return json.dumps(data, indent=2) + '\n'


def install_descriptor(st, binary):
    """install_descriptor() - make libvirt pick @binary for vhostuser video.

    Writes our descriptor into /etc/qemu/vhost-user and masks (an empty
    file of the same name there) every other gpu descriptor that libvirt
    would read before it, e.g. QEMU's 50-qemu-gpu.json.

    @st: the State
    @binary: the program the descriptor names
    """
    src = os.environ.get('VU_GPU_DESCRIPTOR')
    name = os.path.basename(src) if src else '50-vhost-user-gpu.json'
    path = os.path.join(ETC_DESC, name)
    write_file(st, path, descriptor_json(binary))
    log('installed %s (binary %s)' % (path, binary))
    for base, p, data in effective_descriptors():
        if base == name:
            break
        if data and data.get('type') == 'gpu':
            write_file(st, os.path.join(ETC_DESC, base), '')
            log('masked %s with an empty %s/%s' % (p, ETC_DESC, base))
    first = [d for d in effective_descriptors()
             if d[2] and d[2].get('type') == 'gpu'][0]
    if first[1] != path:
        raise Fail('libvirt would pick %s, not %s' % (first[1], path))


def wrap_capabilities(ctx, binary, caps):
    """wrap_capabilities() - a wrapper answering --print-capabilities itself.

    @ctx: the test context (the wrapper goes in its directory)
    @binary: the daemon the wrapper execs for anything else
    @caps: the JSON it prints

    Return: the wrapper's path
    """
    json.loads(caps)
    path = ctx.path('vhost-user-gpu-wrapper')
    with open(path, 'w') as f:
        f.write('#!/bin/sh\n# test-libvirt.py: capabilities override\n'
                'for a; do [ "$a" = --print-capabilities ] && '
                "{ echo '%s'; exit 0; }; done\nexec %s \"$@\"\n"
                % (caps.replace("'", ''), binary))
    os.chmod(path, 0o755)
    return path


def daemon_binary():
    """daemon_binary() - the vhost-user-gpu under test (VU_GPU).

    Return: its absolute path; raises Skip when it is not built
    """
    exe = os.environ.get('VU_GPU')
    if not exe:
        raise Skip('VU_GPU not set (vhost-user-gpu not built)')
    exe = os.path.abspath(exe)
    if not os.access(exe, os.X_OK):
        raise Skip('%s is not built' % exe)
    return exe


def capabilities(binary):
    """capabilities() - what @binary --print-capabilities says.

    @binary: the program (the wrapper or the daemon)

    Return: the set of features; raises Fail on bad output
    """
    p = sh([binary, '--print-capabilities'], 30)
    try:
        caps = json.loads(p.stdout)
    except ValueError:
        raise Fail('%s --print-capabilities: not JSON: %r'
                   % (binary, p.stdout))
    if caps.get('type') != 'gpu':
        raise Fail('%s --print-capabilities: type %r' % (binary,
                                                         caps.get('type')))
    log('capabilities: %s' % p.stdout.strip().replace('\n', ' '))
    return set(caps.get('features', []))


def check_capabilities(feats, virgl):
    """check_capabilities() - skip what libvirt cannot do with this daemon.

    @feats: the features the program libvirt runs claims
    @virgl: whether the case asks for 3D acceleration
    """
    if virgl and 'virgl' not in feats:
        raise Skip('the daemon does not claim "virgl" on this host: '
                   'libvirt would find no satisfying vhost-user-gpu')


def render_node_hint(feats, error):
    """render_node_hint() - explain libvirt's failure for want of /dev/dri.

    libvirt (qemuVhostUserFillDomainGPU) picks a render node itself for a
    daemon that claims "render-node" when the domain names none, and fails
    the domain where the host has none.

    @feats: the features the daemon claims
    @error: libvirt's error message

    Return: a sentence to add to the failure, or ''
    """
    if 'render-node' in feats and '/dev/dri' in error and \
            not glob.glob('/dev/dri/renderD*'):
        return ('\n(the daemon claims "render-node" on a host without '
                '/dev/dri/renderD*: libvirt then insists on picking a '
                'render node and fails; claim it only where one exists)')
    return ''


# -- The domain ------------------------------------------------------------

def domain_xml(name, kernel, initrd, cmdline, serial, virgl):
    """domain_xml() - a TCG q35 domain with one vhost-user video device.

    @name: the domain name
    @kernel: kernel image path
    @initrd: initramfs path
    @cmdline: kernel command line
    @serial: file the serial console goes to
    @virgl: whether to ask for 3D acceleration

    Return: the XML text
    """
    accel = "<acceleration accel3d='yes'/>" if virgl else ''
    return '''<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='maximum'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>
  <devices>
    <serial type='file'><source path='%s'/><target port='0'/></serial>
    <video>
      <driver name='vhostuser'/>
      <model type='virtio' heads='1'>%s</model>
    </video>
    <memballoon model='none'/>
    <controller type='usb' model='none'/>
  </devices>
</domain>
''' % (name, kernel, initrd, cmdline, serial, accel)


def kernel_cmdline(kernel, virgl):
    """kernel_cmdline() - the e2e guest's command line (as vue2e's).

    @kernel: the vue2e.Kernel
    @virgl: whether the guest is to require virgl

    Return: the text
    """
    mods = [vue2e._modname(m) for m in kernel.load_order(GUEST_MODULES)]
    return 'console=ttyS0 panic=-1 quiet loglevel=4 vutest=%s vumods=%s ' \
        'vu_virgl=%d' % (GUEST_TEST, ','.join(mods), int(virgl))


def domain_exists(name):
    """domain_exists() - whether libvirt knows domain @name.

    @name: the domain name

    Return: True when it does
    """
    return virsh('domstate', name, check=False).returncode == 0


def destroy_domain(name):
    """destroy_domain() - destroy and undefine domain @name if it exists.

    @name: the domain name
    """
    if not (_connectable(RUN_DIR + '/libvirt-sock') or
            _connectable(RUN_DIR + '/virtqemud-sock')):
        return
    if domain_exists(name):
        virsh('destroy', name, check=False)
        virsh('undefine', name, '--nvram', check=False)
        wait_until(lambda: not domain_exists(name), 15, 0.5)


class Domain:
    """Domain - one transient libvirt domain of the test.

    @name: its name
    @dir: the test's directory (world-readable: QEMU runs as libvirt-qemu)
    @serial: the serial console file
    @log: libvirt's log of the domain
    @log_off: the log's size before this run (the part of this run follows)
    """

    def __init__(self, ctx, name):
        self.name, self.dir = name, ctx.dir
        self.serial = ctx.path('console.log')
        self.log = os.path.join(LOG_DIR, name + '.log')
        self.log_off = 0

    def create(self, st, xml, feats):
        """create() - start the domain paused (virsh create --paused).

        @st: the State (the domain is noted, destroyed at the end)
        @xml: the domain XML
        @feats: the daemon's features (to explain a failure)
        """
        path = os.path.join(self.dir, 'domain.xml')
        with open(path, 'w') as f:
            f.write(xml)
        with contextlib.suppress(OSError):
            self.log_off = os.path.getsize(self.log)
        st.add('domains', self.name)
        if self.log not in st.files:
            st.add('files', self.log)
        p = virsh('create', path, '--paused', check=False, timeout=120)
        if p.returncode != 0:
            raise Fail('virsh create: %s%s\n%s' % (
                p.stderr.strip(), render_node_hint(feats, p.stderr),
                self.log_report()))
        log('domain %s created, paused' % self.name)

    def log_text(self):
        """log_text() - libvirt's log of this run of the domain.

        Return: the text
        """
        return read_text(self.log, self.log_off)

    def log_report(self, n=40):
        """log_report() - the end of libvirt's log, for a failure message.

        @n: lines

        Return: the text
        """
        lines = self.log_text().splitlines()
        return '--- %s (last %d lines)\n%s\n---' % (self.log, n,
                                                   '\n'.join(lines[-n:]))

    def keep_log(self):
        """keep_log() - copy this run's part of libvirt's log to the test dir.

        libvirt's log itself is removed at the end; the copy stays with the
        test's files when it fails.
        """
        with open(os.path.join(self.dir, 'libvirt-domain.log'), 'w') as f:
            f.write(self.log_text())

    def verdict(self):
        """verdict() - the guest's VUTEST-RESULT line so far.

        Return: the text after "VUTEST-RESULT:", or None
        """
        for line in read_text(self.serial).splitlines():
            if line.startswith(vue2e.RESULT):
                return line[len(vue2e.RESULT):].strip()
        return None

    def run(self, timeout):
        """run() - resume the guest and wait for its verdict and its end.

        @timeout: seconds for the guest

        Return: the verdict; raises Fail without one
        """
        t = time.monotonic()
        virsh('resume', self.name)
        v = wait_until(lambda: self.verdict() or
                       not domain_exists(self.name), timeout, 0.5)
        v = self.verdict()
        if v is None:
            raise Fail('no verdict from the guest in %ds (domain %s)\n%s\n%s'
                       % (timeout, 'gone' if not domain_exists(self.name)
                          else 'running', self.console(), self.log_report()))
        if not wait_until(lambda: not domain_exists(self.name), 30, 0.5):
            raise Fail('domain %s did not end after the guest powered off'
                       % self.name)
        log('guest ended after %.1fs: %s' % (time.monotonic() - t, v))
        return v

    def console(self, n=40):
        """console() - the end of the serial console, for messages.

        @n: lines

        Return: the text
        """
        lines = read_text(self.serial).splitlines()
        return '--- serial console (last %d lines)\n%s\n---' % (
            n, '\n'.join(lines[-n:]))


# -- The checks ------------------------------------------------------------

def _cmdline(pid):
    """_cmdline() - the argv of process @pid.

    @pid: a process id

    Return: list of strings (empty when it is gone)
    """
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return [a.decode(errors='replace')
                    for a in f.read().split(b'\0')[:-1]]
    except OSError:
        return []


def _exe(pid):
    """_exe() - the program process @pid runs.

    @pid: a process id

    Return: its path, or None
    """
    with contextlib.suppress(OSError):
        return os.path.realpath(os.readlink('/proc/%d/exe' % pid))
    return None


def _owner(pid):
    """_owner() - user and confinement of process @pid, for the log.

    @pid: a process id

    Return: "user NAME (uid N), AppArmor/SELinux label L"
    """
    uid = os.stat('/proc/%d' % pid).st_uid
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = '?'
    label = read_text('/proc/%d/attr/current' % pid).strip('\0\n ') or \
        'none'
    return 'user %s (uid %d), security label %s' % (user, uid, label)


def check_daemon(dom, binary, descriptor_binary, virgl):
    """check_daemon() - libvirt runs our daemon for the domain, rightly.

    The process libvirt's pid file names runs @binary (/proc/PID/exe) with
    --fd=N (and --virgl exactly when asked); libvirt's log of the domain
    says it started @descriptor_binary as the external vhost-user-gpu and
    QEMU got a vhost-user gpu device.

    @dom: the Domain (created)
    @binary: the daemon program
    @descriptor_binary: what our descriptor names (@binary or a wrapper)
    @virgl: whether --virgl is expected

    Return: the daemon's pid
    """
    pids = [_pidfile(p) for p in glob.glob(
        '%s/qemu/*-%s-video0-vhost-user-gpu.pid' % (RUN_DIR, dom.name))]
    if len(pids) != 1 or not pids[0]:
        raise Fail('no pid file of the domain\'s vhost-user-gpu in %s/qemu'
                   '\n%s' % (RUN_DIR, dom.log_report()))
    pid, argv = pids[0], _cmdline(pids[0])
    if not argv or _exe(pid) != os.path.realpath(binary):
        raise Fail('libvirt\'s vhost-user-gpu (pid %d) runs %s, not %s\n%s'
                   % (pid, _exe(pid), binary, dom.log_report()))
    log('daemon pid %d: %s; %s' % (pid, ' '.join(argv), _owner(pid)))
    if not any(re.fullmatch(r'--fd=\d+', x) for x in argv[1:]):
        raise Fail('libvirt ran %s without --fd=N' % ' '.join(argv))
    if ('--virgl' in argv) != virgl:
        raise Fail('libvirt ran %s %s --virgl' % (
            ' '.join(argv), 'without' if virgl else 'with'))
    text = dom.log_text()
    m = re.search(r'Starting external device: vhost-user-gpu\n(.*)\n', text)
    if not m or m.group(1).strip() != descriptor_binary:
        raise Fail('libvirt\'s log does not say it started %s\n%s'
                   % (descriptor_binary, dom.log_report()))
    if not re.search(r'"driver":"vhost-user-(vga|gpu-pci)"', text):
        raise Fail('no vhost-user gpu device on QEMU\'s command line\n%s'
                   % dom.log_report())
    return pid


def check_daemon_gone(dom, pid):
    """check_daemon_gone() - the daemon ended with the domain.

    @dom: the Domain (ended)
    @pid: the daemon's pid
    """
    if not wait_until(lambda: not _cmdline(pid), 15):
        raise Fail('the daemon (pid %d) still runs after the domain ended'
                   % pid)


def probe_daemon(binary, argv, uid):
    """probe_daemon() - run the daemon as libvirt does, to see its stderr.

    libvirt daemonizes it with stdout and stderr on /dev/null, so a failed
    start leaves no message anywhere; this runs @binary with @argv and
    --fd=N on one end of a socketpair (as libvirt), closes the other end
    after three seconds and reports what it said and how it ended.

    @binary: the daemon
    @argv: its options besides --fd
    @uid: the user to run it as (libvirt's QEMU user)

    Return: a text for a failure message
    """
    a, b = socket.socketpair()
    cmd = [binary, '--fd=%d' % a.fileno(), *argv]
    try:
        p = subprocess.Popen(cmd, pass_fds=[a.fileno()], user=uid,
                             group=pwd.getpwuid(uid).pw_gid,
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        return '--- %s: cannot run it: %s' % (' '.join(cmd), e)
    a.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        p.wait(3)
    b.close()
    try:
        out = p.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        p.kill()
        out = p.communicate()[0]
    return '--- %s as uid %d (its end closed after 3 s): exit %s\n%s---' % (
        ' '.join(cmd), uid, p.returncode, out.decode(errors='replace'))


def qemu_uid():
    """qemu_uid() - the uid libvirt runs QEMU and its helpers as.

    Return: libvirt-qemu's uid, or 0 when there is no such user
    """
    try:
        return pwd.getpwnam('libvirt-qemu').pw_uid
    except KeyError:
        return 0


def prepare_guest(ctx):
    """prepare_guest() - kernel and initramfs where QEMU (libvirt-qemu) reads.

    The cache is under root's home; copies go into the test's directory,
    which is made world-readable (libvirt's DAC driver chowns them).

    @ctx: the test context

    Return: (vue2e.Kernel, kernel copy, initramfs copy)
    """
    kernel = vue2e.ensure_kernel()
    initrd = vue2e.ensure_initramfs(kernel)
    os.chmod(ctx.dir, 0o755)
    k, i = ctx.path('vmlinux'), ctx.path('initrd')
    shutil.copyfile(kernel.image, k)
    shutil.copyfile(initrd, i)
    return kernel, k, i


def prepare_host(ctx, st, binary, virgl):
    """prepare_host() - libvirt installed and running, our descriptor first.

    @ctx: the test context
    @st: the State
    @binary: the daemon
    @virgl: whether the case needs the "virgl" feature

    Return: (the program the descriptor names: @binary, or the wrapper
            that VU_LIBVIRT_CAPS asks for; the features it claims)
    """
    log('libvirt %s' % ensure_libvirt())
    start_libvirt(st)
    desc_binary = binary
    caps = os.environ.get('VU_LIBVIRT_CAPS')
    if caps:
        desc_binary = wrap_capabilities(ctx, binary, caps)
    feats = capabilities(desc_binary)
    check_capabilities(feats, virgl)
    install_descriptor(st, desc_binary)
    return desc_binary, feats


def run_case(ctx, virgl):
    """run_case() - the whole test: guest files, libvirt, domain, checks.

    @ctx: the test context
    @virgl: whether the domain asks for 3D acceleration
    """
    if os.geteuid() != 0:
        raise Skip('needs root (installs libvirt, writes /etc/qemu)')
    binary = daemon_binary()
    kernel, kpath, ipath = prepare_guest(ctx)
    try:
        run_domain(ctx, binary, virgl, kernel, kpath, ipath)
    finally:
        for p in (kpath, ipath):    # a kept directory needs no 70 MB kernel
            with contextlib.suppress(OSError):
                os.unlink(p)


def run_domain(ctx, binary, virgl, kernel, kpath, ipath):
    """run_domain() - libvirt up, descriptor in place, the domain run.

    @ctx: the test context
    @binary: the daemon
    @virgl: whether the domain asks for 3D acceleration
    @kernel: the vue2e.Kernel
    @kpath: its image, where QEMU can read it
    @ipath: the initramfs, likewise
    """
    name = 'vutest-libvirt-' + ('virgl' if virgl else 'gpu')
    with vue2e.locked('libvirt'), state() as st:
        desc_binary, feats = prepare_host(ctx, st, binary, virgl)
        destroy_domain(name)
        dom = Domain(ctx, name)
        xml = domain_xml(name, kpath, ipath, kernel_cmdline(kernel, virgl),
                         dom.serial, virgl)
        try:
            dom.create(st, xml, feats)
            pid = check_daemon(dom, binary, desc_binary, virgl)
            guest(dom)
        except Fail as e:
            if str(e).startswith('terminated by signal'):
                raise
            raise Fail('%s\n%s' % (e, probe_daemon(
                binary, ['--virgl'] if virgl else [], qemu_uid())))
        check_daemon_gone(dom, pid)


def guest(dom):
    """guest() - run the paused guest to its verdict; raise Fail unless PASS.

    @dom: the Domain (created paused)
    """
    timeout = int(os.environ.get('VU_LIBVIRT_BOOT_TIMEOUT', '180'))
    try:
        v = dom.run(timeout)
    finally:
        dom.keep_log()
    for line in read_text(dom.serial).splitlines():
        if line.startswith('vutest:'):
            log('  guest| ' + line)
    if v != 'PASS':
        raise Fail('guest: %s\n%s\n%s' % (v, dom.console(),
                                         dom.log_report()))


def case_gpu(ctx):
    """case_gpu() - a 2D vhost-user video device: --fd, guest sees the GPU.

    @ctx: the test context
    """
    run_case(ctx, False)


def case_virgl(ctx):
    """case_virgl() - accel3d='yes': --virgl passed, guest sees virgl.

    @ctx: the test context
    """
    run_case(ctx, True)


if __name__ == '__main__':
    vue2e.main({'gpu': case_gpu, 'virgl': case_virgl})
