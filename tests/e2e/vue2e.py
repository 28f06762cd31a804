#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vue2e - the end-to-end harness: a real Linux guest under a real QEMU.

A test (tests/e2e/test-*.py) starts back-end daemons with Daemon, boots a
guest with Guest (extra -chardev/-device arguments, a guest test name), and
checks the verdict the guest prints on its serial console. The guest side is
tests/e2e/guest/: /init loads the kernel modules, runs guest/NAME.sh and
prints "VUTEST-RESULT: PASS" or "VUTEST-RESULT: FAIL reason", then powers
off. Steps the host waits for are "VUTEST-STEP: name" lines.

The kernel is Debian's linux-image-amd64 dependency, downloaded with
apt-get download into the cache (never installed); initramfs images are
built from busybox-static, the modules and the guest scripts, cached by the
hash of their inputs. QEMU runs with KVM only where a probe boot worked,
else with TCG. Missing pieces make a test exit 77 (skipped).

Environment: VU_E2E_CACHE (cache dir, default $XDG_CACHE_HOME/vhost-user-e2e),
VU_E2E_WORK (per build dir state: the KVM probe, kept logs), VU_E2E_ACCEL
(kvm or tcg: skip the probe), VU_E2E_KEEP=1 (keep the temporary dirs),
VU_E2E_VERBOSE=1 (echo the serial console as it comes).

Command line: vue2e.py kernel | initramfs | probe | boot
"""

import contextlib
import fcntl
import hashlib
import json
import lzma
import os
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
QEMU = 'qemu-system-x86_64'
QEMU_MIN = (10, 0)
RESULT = 'VUTEST-RESULT:'
STEP = 'VUTEST-STEP:'
GUEST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'guest')
BUSYBOX = '/bin/busybox'
# The modules the initramfs carries, with their dependencies; a guest
# loads those its Guest names (all by default), dependencies first
MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_input',
           'evdev', 'uinput', 'virtio_gpu']
# Seconds a KVM boot may take before the probe calls KVM unusable (a boot
# takes about a second with KVM, five under TCG)
KVM_PROBE_TIMEOUT = 6


class Skip(Exception):
    """Skip - something the test needs is missing: exit 77."""


class Fail(Exception):
    """Fail - the test failed: exit 1 with the message."""


def log(msg):
    """log() - print one progress line (meson keeps it in the test log).

    @msg: the line
    """
    print('[%7.2f] %s' % (time.monotonic() - _T0, msg), flush=True)


_T0 = time.monotonic()


def cache_dir():
    """cache_dir() - the directory shared by all build dirs (kernel, images).

    Return: its path, created if needed
    """
    d = os.environ.get('VU_E2E_CACHE')
    if not d:
        base = os.environ.get('XDG_CACHE_HOME') or \
            os.path.join(os.path.expanduser('~'), '.cache')
        d = os.path.join(base, 'vhost-user-e2e')
    os.makedirs(d, exist_ok=True)
    return d


def work_dir():
    """work_dir() - the per build dir state (KVM probe result, kept logs).

    Return: VU_E2E_WORK, or a directory in the cache; created if needed
    """
    d = os.environ.get('VU_E2E_WORK') or os.path.join(cache_dir(), 'work')
    os.makedirs(d, exist_ok=True)
    return d


@contextlib.contextmanager
def locked(name):
    """locked() - hold an exclusive lock shared with parallel tests.

    @name: lock file name in the cache dir
    """
    with open(os.path.join(cache_dir(), name + '.lock'), 'w') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run(argv, **kw):
    """run() - run a host command, capturing its output.

    @argv: the command
    @kw: passed to subprocess.run

    Return: the CompletedProcess (raises Fail on a non-zero exit)
    """
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise Fail('%s: exit %d: %s' % (' '.join(argv), p.returncode,
                                          (p.stderr or p.stdout).strip()))
    return p


# -- QEMU ------------------------------------------------------------------

def qemu_version():
    """qemu_version() - the (major, minor) of qemu-system-x86_64.

    Return: the version tuple; raises Skip when QEMU is missing
    """
    if not shutil.which(QEMU):
        raise Skip('%s not installed (run scripts/e2e-setup)' % QEMU)
    out = run([QEMU, '--version']).stdout
    m = re.search(r'version (\d+)\.(\d+)', out)
    if not m:
        raise Skip('cannot read the QEMU version from %r' % out)
    return int(m.group(1)), int(m.group(2))


def require_qemu(minimum=QEMU_MIN):
    """require_qemu() - skip unless QEMU is at least @minimum.

    @minimum: (major, minor)
    """
    v = qemu_version()
    if v < minimum:
        raise Skip('QEMU %d.%d is older than %d.%d (run scripts/e2e-setup)'
                   % (v + minimum))


def require_tool(name, hint='scripts/e2e-setup'):
    """require_tool() - skip unless program @name is installed.

    @name: program name
    @hint: what installs it

    Return: its path
    """
    path = shutil.which(name)
    if not path:
        raise Skip('%s not installed (%s)' % (name, hint))
    return path


def need_exe(var, what):
    """need_exe() - the program an environment variable names.

    @var: the variable (set by meson)
    @what: what it is, for the skip message

    Return: its path; raises Skip when it is not an executable
    """
    path = os.environ.get(var)
    if not path or not os.access(path, os.X_OK):
        raise Skip('%s is not built (%s)' % (what, var))
    return path


# -- Kernel ----------------------------------------------------------------

class Kernel:
    """Kernel - an unpacked Debian kernel package in the cache.

    @root: the directory dpkg -x unpacked it into
    @kver: the kernel release (6.1.0-NN-amd64)
    @image: the kernel QEMU boots: the uncompressed vmlinux (booted through
            its PVH entry: no decompression, which takes seconds under
            TCG), or the packaged vmlinuz when it could not be extracted
    @moddir: the modules directory
    """

    def __init__(self, root):
        self.root = root
        mods = os.path.join(root, 'lib', 'modules')
        self.kver = sorted(os.listdir(mods))[-1]
        self.moddir = os.path.join(mods, self.kver)
        self.image = os.path.join(root, 'boot', 'vmlinux-' + self.kver)
        if not os.path.isfile(self.image):
            self.image = os.path.join(root, 'boot', 'vmlinuz-' + self.kver)

    def module_deps(self):
        """module_deps() - parse modules.dep.

        Return: {name: (relative path, [names of dependencies])}
        """
        deps = {}
        with open(os.path.join(self.moddir, 'modules.dep')) as f:
            for line in f:
                path, _, rest = line.partition(':')
                deps[_modname(path)] = (path.strip(),
                                        [_modname(p) for p in rest.split()])
        return deps

    def load_order(self, names):
        """load_order() - @names and their dependencies, dependencies first.

        @names: module names ('-' and '_' alike)

        Return: list of module paths relative to the module directory
        """
        deps = self.module_deps()
        order, seen = [], set()

        def visit(n):
            """visit() - append @n after its dependencies (depth first)."""
            if n in seen:
                return
            seen.add(n)
            if n not in deps:
                raise Skip('kernel %s has no module %s' % (self.kver, n))
            for d in deps[n][1]:
                visit(d)
            order.append(deps[n][0])

        for n in names:
            visit(_modname(n))
        return order


def _modname(path):
    """_modname() - the canonical name of a module file or module name.

    @path: "kernel/drivers/virtio/virtio-pci.ko" or "virtio_pci"

    Return: the name with '-' as '_' and without directory or .ko
    """
    base = os.path.basename(path.strip())
    if base.endswith('.ko'):
        base = base[:-3]
    return base.replace('-', '_')


def kernel_package():
    """kernel_package() - the package linux-image-amd64 depends on, per apt.

    Return: (name, version), or None when apt cannot tell
    """
    try:
        dep = subprocess.run(['apt-cache', 'depends', 'linux-image-amd64'],
                             capture_output=True, text=True).stdout
        m = re.search(r'Depends:\s*(linux-image-\S+-amd64)\s', dep)
        if not m:
            return None
        pol = subprocess.run(['apt-cache', 'policy', m.group(1)],
                             capture_output=True, text=True).stdout
        v = re.search(r'Candidate:\s*(\S+)', pol)
    except OSError:
        return None
    if not v or v.group(1) == '(none)':
        return None
    return m.group(1), v.group(1)


def _cached_kernels():
    """_cached_kernels() - kernels already unpacked in the cache.

    Return: directory paths, newest first
    """
    d = os.path.join(cache_dir(), 'kernel')
    if not os.path.isdir(d):
        return []
    found = [os.path.join(d, e) for e in os.listdir(d)
             if os.path.isfile(os.path.join(d, e, '.complete'))]
    return sorted(found, key=os.path.getmtime, reverse=True)


def fetch_kernel(name, version):
    """fetch_kernel() - download and unpack one kernel package into the cache.

    @name: package name (linux-image-6.1.0-NN-amd64)
    @version: its version

    Return: the unpacked directory
    """
    dest = os.path.join(cache_dir(), 'kernel', '%s_%s' % (name, version))
    if os.path.isfile(os.path.join(dest, '.complete')):
        return dest
    require_tool('apt-get', 'Debian\'s apt')
    tmp = tempfile.mkdtemp(prefix='kernel-', dir=cache_dir())
    try:
        log('downloading %s %s' % (name, version))
        run(['apt-get', 'download', '%s=%s' % (name, version)], cwd=tmp)
        deb = [f for f in os.listdir(tmp) if f.endswith('.deb')][0]
        run(['dpkg', '-x', os.path.join(tmp, deb), os.path.join(tmp, 'root')])
        os.unlink(os.path.join(tmp, deb))
        _depmod(os.path.join(tmp, 'root'))
        _extract_vmlinux(os.path.join(tmp, 'root'))
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.rename(os.path.join(tmp, 'root'), dest)
        open(os.path.join(dest, '.complete'), 'w').close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _depmod(root):
    """_depmod() - generate modules.dep (the package ships none).

    @root: the unpacked package
    """
    kver = sorted(os.listdir(os.path.join(root, 'lib', 'modules')))[-1]
    depmod = shutil.which('depmod') or shutil.which('/sbin/depmod')
    if depmod:
        run([depmod, '-b', root, kver])
    elif os.access(BUSYBOX, os.X_OK):
        run([BUSYBOX, 'depmod', '-b', root, kver])
    else:
        raise Skip('neither depmod nor busybox to index the modules')


def _extract_vmlinux(root):
    """_extract_vmlinux() - write boot/vmlinux-KVER, the ELF in the bzImage.

    @root: the unpacked package

    The bzImage header gives the payload's offset and length (boot protocol
    2.08+); Debian compresses it with xz. Anything else is left alone: the
    bzImage boots too, only slower.
    """
    kver = sorted(os.listdir(os.path.join(root, 'lib', 'modules')))[-1]
    with open(os.path.join(root, 'boot', 'vmlinuz-' + kver), 'rb') as f:
        bz = f.read()
    setup_sects = bz[0x1f1] or 4
    off, length = struct.unpack_from('<II', bz, 0x248)
    start = (setup_sects + 1) * 512 + off
    payload = bz[start:start + length]
    if not payload.startswith(b'\xfd7zXZ\0'):
        return
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    except lzma.LZMAError:
        return
    if elf.startswith(b'\x7fELF'):
        out = os.path.join(root, 'boot', 'vmlinux-' + kver)
        with open(out + '.tmp', 'wb') as f:
            f.write(elf)
        os.rename(out + '.tmp', out)


def ensure_kernel(refresh=False):
    """ensure_kernel() - a guest kernel, from the cache or downloaded once.

    @refresh: ask apt for the current package even when one is cached

    Return: a Kernel; raises Skip when none can be had
    """
    with locked('kernel'):
        cached = _cached_kernels()
        if cached and not refresh:
            return Kernel(cached[0])
        pkg = kernel_package()
        if pkg:
            try:
                return Kernel(fetch_kernel(*pkg))
            except Fail as e:
                if not cached:
                    raise Skip('cannot fetch the guest kernel: %s' % e)
                log('kernel download failed (%s): using the cached one' % e)
        if cached:
            return Kernel(cached[0])
        raise Skip('no guest kernel: apt knows no linux-image-amd64 '
                   '(run apt-get update, then scripts/e2e-setup)')


# -- Initramfs -------------------------------------------------------------

class Cpio:
    """Cpio - a newc ("070701") archive, the format the kernel unpacks.

    @out: the file written to
    @dirs: directories already in the archive
    @ino: the next inode number
    """

    def __init__(self, out):
        self.out = out
        self.dirs = {'', '/'}
        self.ino = 1

    def _entry(self, name, mode, data=b''):
        """_entry() - write one header, name and body, each 4-byte aligned.

        @name: path in the archive, without the leading '/'
        @mode: st_mode, file type included
        @data: the body (file contents or symlink target)
        """
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                  len(name) + 1, 0]
        self.ino += 1
        hdr = b'070701' + b''.join(b'%08X' % v for v in fields)
        self._write(hdr + name.encode() + b'\0')
        self._write(data)

    def _write(self, b):
        """_write() - append bytes and pad to a multiple of four.

        @b: the bytes
        """
        self.out.write(b)
        self.out.write(b'\0' * (-self.out.tell() % 4))

    def mkdir(self, path):
        """mkdir() - add directory @path and its missing parents.

        @path: absolute path in the guest
        """
        path = path.rstrip('/')
        if path in self.dirs:
            return
        self.mkdir(os.path.dirname(path))
        self._entry(path.lstrip('/'), stat.S_IFDIR | 0o755)
        self.dirs.add(path)

    def add_bytes(self, path, data, mode=0o644):
        """add_bytes() - add a regular file with the given contents.

        @path: absolute path in the guest
        @data: contents (bytes or str)
        @mode: permission bits
        """
        if isinstance(data, str):
            data = data.encode()
        self.mkdir(os.path.dirname(path))
        self._entry(path.lstrip('/'), stat.S_IFREG | mode, data)

    def add_file(self, path, src, mode=None):
        """add_file() - add a copy of host file @src (symlinks followed).

        @path: absolute path in the guest
        @src: the host file
        @mode: permission bits, default those of @src
        """
        with open(src, 'rb') as f:
            data = f.read()
        if mode is None:
            mode = stat.S_IMODE(os.stat(src).st_mode)
        self.add_bytes(path, data, mode)

    def symlink(self, path, target):
        """symlink() - add a symbolic link.

        @path: absolute path in the guest
        @target: what it points to
        """
        self.mkdir(os.path.dirname(path))
        self._entry(path.lstrip('/'), stat.S_IFLNK | 0o777, target.encode())

    def close(self):
        """close() - write the trailer entry."""
        self._entry('TRAILER!!!', 0)


def shared_libs(binary):
    """shared_libs() - the libraries ldd says @binary loads, loader included.

    @binary: host path of a dynamically linked program

    Return: list of absolute paths (as ldd names them)
    """
    out = subprocess.run(['ldd', binary], capture_output=True,
                         text=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r'(?:=>\s*)?(/\S+)\s+\(0x', line)
        if m:
            libs.append(m.group(1))
    return libs


def _tool_files(tools):
    """_tool_files() - host files to copy for @tools (programs and libs).

    @tools: program names or paths

    Return: sorted list of (guest path, host path)
    """
    files = {}
    for t in tools:
        path = t if os.path.isabs(t) else shutil.which(t)
        if not path:
            raise Skip('guest tool %s is not installed on the host '
                       '(run scripts/e2e-setup)' % t)
        files['/usr/bin/' + os.path.basename(path)] = path
        for lib in shared_libs(path):
            files[lib] = lib
    return sorted(files.items())


def _hash_inputs(kernel, mods, tool_files):
    """_hash_inputs() - a key for everything an initramfs is built from.

    @kernel: the Kernel
    @mods: module paths in load order
    @tool_files: list of (guest path, host path)

    Return: hex digest
    """
    h = hashlib.sha256()
    h.update(('%s\n%s\n' % (kernel.root, '\n'.join(mods))).encode())
    for name in sorted(os.listdir(GUEST_DIR)):
        with open(os.path.join(GUEST_DIR, name), 'rb') as f:
            h.update(name.encode() + b'\0' + f.read())
    for guest, host in tool_files + [('busybox', BUSYBOX)]:
        st = os.stat(host)
        h.update(('%s %s %d %d\n' % (guest, host, st.st_size,
                                     st.st_mtime_ns)).encode())
    return h.hexdigest()[:24]


def _fill_initramfs(cpio, kernel, mods, tool_files):
    """_fill_initramfs() - write the guest's root file system.

    @cpio: the archive
    @kernel: the Kernel the modules come from
    @mods: module paths in load order
    @tool_files: list of (guest path, host path)
    """
    for d in ('/dev', '/proc', '/sys', '/tmp', '/sbin', '/usr/sbin',
              '/etc', '/run'):
        cpio.mkdir(d)
    cpio.add_file('/bin/busybox', BUSYBOX, 0o755)
    cpio.symlink('/bin/sh', 'busybox')
    cpio.add_file('/init', os.path.join(GUEST_DIR, 'init'), 0o755)
    for name in sorted(os.listdir(GUEST_DIR)):
        if name.endswith('.sh'):
            cpio.add_file('/vutest/' + name, os.path.join(GUEST_DIR, name),
                          0o755)
    index = ''
    for m in mods:
        dest = '/lib/modules/%s/%s' % (kernel.kver, m)
        cpio.add_file(dest, os.path.join(kernel.moddir, m), 0o644)
        index += '%s %s\n' % (_modname(m), dest)
    cpio.add_bytes('/etc/vutest-modules', index)
    for guest, host in tool_files:
        cpio.add_file(guest, host)


def _prune(d, age):
    """_prune() - remove the files of @d not used for @age seconds.

    @d: a cache directory
    @age: seconds
    """
    now = time.time()
    for name in os.listdir(d):
        p = os.path.join(d, name)
        with contextlib.suppress(OSError):
            if now - os.path.getmtime(p) > age:
                os.unlink(p)


def ensure_initramfs(kernel, tools=()):
    """ensure_initramfs() - the initramfs for @kernel, built once and cached.

    @kernel: the Kernel whose modules go in
    @tools: host programs the guest needs (copied to /usr/bin with the
            libraries ldd names)

    Return: path of the cpio file
    """
    if not os.access(BUSYBOX, os.X_OK):
        raise Skip('%s missing (install busybox-static: scripts/e2e-setup)'
                   % BUSYBOX)
    mods = kernel.load_order(MODULES)
    tool_files = _tool_files(tools)
    key = _hash_inputs(kernel, mods, tool_files)
    d = os.path.join(cache_dir(), 'initramfs')
    path = os.path.join(d, key + '.cpio')
    with locked('initramfs'):
        if os.path.isfile(path):
            os.utime(path)
            return path
        os.makedirs(d, exist_ok=True)
        _prune(d, 7 * 24 * 3600)
        tmp = path + '.tmp'
        with open(tmp, 'wb') as f:
            cpio = Cpio(f)
            _fill_initramfs(cpio, kernel, mods, tool_files)
            cpio.close()
        os.rename(tmp, path)
        log('built %s (%d KiB)' % (path, os.path.getsize(path) // 1024))
    return path


# -- Processes -------------------------------------------------------------

class Qmp:
    """Qmp - a client of a QMP socket (QEMU's or qemu-storage-daemon's).

    @sock: the connected socket
    @buf: bytes received and not yet parsed
    """

    def __init__(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise Fail('cannot connect to QMP socket %s' % path)
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b''
        self._read()                    # the greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        """_read() - the next JSON message.

        Return: the parsed object
        """
        while b'\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Fail('QMP connection closed')
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b'\n')
        return json.loads(line)

    def cmd(self, name, **args):
        """cmd() - run one command, skipping events.

        @name: the command
        @args: its arguments

        Return: the 'return' value; raises Fail on an 'error' reply
        """
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            r = self._read()
            if 'return' in r:
                return r['return']
            if 'error' in r:
                raise Fail('QMP %s: %s' % (name, r['error'].get('desc')))

    def close(self):
        """close() - close the connection."""
        self.sock.close()


def wait_socket(path, proc, timeout=10):
    """wait_socket() - wait until a Unix socket accepts connections.

    @path: the socket
    @proc: the Popen that should create it (its death ends the wait)
    @timeout: seconds

    Return: True when it accepts; False on timeout or when @proc exited
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return True
        except OSError:
            time.sleep(0.02)
        finally:
            s.close()
    return False


class Daemon:
    """Daemon - a back-end process listening on a Unix socket.

    @argv: its command line
    @sock: the socket path it listens on
    @logpath: where its stdout and stderr go
    @proc: the running Popen, or None
    @probe: connect to @sock to tell it is up; False for daemons that would
            take the probe's connection as their one front-end

    Probing connects and closes at once; a daemon serving one front-end at a
    time listens again after that, as vhost-user back-ends must.
    """

    def __init__(self, argv, sock, logpath, probe=True):
        self.argv = [str(a) for a in argv]
        self.sock = sock
        self.logpath = logpath
        self.proc = None
        self.probe = probe

    def start(self, timeout=10):
        """start() - start it and wait for its socket.

        @timeout: seconds to wait; raises Fail with its log if it fails
        """
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(os.lstat(self.sock).st_mode):
                os.unlink(self.sock)
        log('start ' + ' '.join(self.argv))
        with open(self.logpath, 'ab') as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=out,
                                         stdin=subprocess.DEVNULL)
        if self.probe:
            up = wait_socket(self.sock, self.proc, timeout)
        else:
            up = _wait_path(self.sock, self.proc, timeout)
        if not up:
            self.stop()
            raise Fail('%s did not come up:\n%s' % (self.argv[0],
                                                    self.log_tail()))

    def kill(self, sig=signal.SIGKILL):
        """kill() - send a signal (SIGKILL waits for the process to end).

        @sig: the signal
        """
        self.proc.send_signal(sig)
        if sig == signal.SIGKILL:
            self.proc.wait()

    def alive(self):
        """alive() - whether the process still runs.

        Return: True while it runs
        """
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """stop() - SIGTERM, then SIGKILL after @timeout seconds.

        @timeout: seconds

        Return: its exit status (negative: killed by that signal)
        """
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_tail(self, n=40):
        """log_tail() - the last lines of its log.

        @n: how many

        Return: the text
        """
        return _tail(self.logpath, n)


def _wait_path(path, proc, timeout):
    """_wait_path() - wait until @path exists, or @proc exits.

    @path: the file
    @proc: a Popen
    @timeout: seconds

    Return: True when it exists
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if os.path.exists(path):
            return True
        time.sleep(0.02)
    return False


def _tail(path, n):
    """_tail() - the last @n lines of a file.

    @path: the file
    @n: how many lines

    Return: the text, or a note when the file cannot be read
    """
    try:
        with open(path, 'rb') as f:
            lines = f.read().decode(errors='replace').splitlines()
    except OSError as e:
        return '(no log: %s)' % e
    return '\n'.join(lines[-n:])


# -- Guests ----------------------------------------------------------------

def _qemu_argv(g):
    """_qemu_argv() - the QEMU command line of a guest.

    @g: the Guest

    Return: the argv list
    """
    append = 'console=ttyS0 panic=-1 quiet loglevel=4 vutest=%s' % g.test
    mods = [_modname(m) for m in g.kernel.load_order(g.modules)]
    append += ' vumods=' + ','.join(mods)
    for k, v in g.args.items():
        append += ' vu_%s=%s' % (k, v)
    accel = ['-accel', 'kvm', '-cpu', 'host'] if g.accel == 'kvm' else \
        ['-accel', 'tcg', '-cpu', 'max']
    mem = '%dM' % g.mem
    return ['timeout', '-k', '5', str(g.timeout), QEMU,
            '-name', g.name, '-machine', 'q35', *accel,
            '-smp', str(g.smp), '-m', mem,
            '-object', 'memory-backend-memfd,id=mem,size=%s,share=on' % mem,
            '-numa', 'node,memdev=mem',
            '-nodefaults', '-display', 'none', '-no-reboot',
            '-chardev', 'file,id=con,path=' + g.serial,
            '-serial', 'chardev:con',
            '-qmp', 'unix:%s,server=on,wait=off' % g.qmp_path,
            '-kernel', g.kernel.image, '-initrd', g.initrd,
            '-append', append, *g.extra]


class Guest:
    """Guest - one QEMU run of a guest test.

    @name: a short name (files in @dir are named after it)
    @test: the guest test, tests/e2e/guest/TEST.sh
    @extra: more QEMU arguments (-chardev, -device, ...)
    @args: {key: value} the guest sees as $vu_key
    @modules: kernel modules /init loads (with their dependencies), a
              subset of MODULES: each costs boot time under TCG
    @dir: where the serial log, QMP socket and QEMU's stderr go
    @kernel: the Kernel
    @initrd: the initramfs path
    @accel: 'kvm' or 'tcg'
    @smp: vCPUs
    @mem: MiB of guest memory (a shared memfd, as vhost-user needs)
    @timeout: seconds before QEMU is killed
    @serial: serial console log path
    @qmp_path: QMP socket path
    @proc: the QEMU Popen
    @pos: how far wait_step() has read the serial log
    """

    def __init__(self, name, test, dir, extra=(), args=None, tools=(),
                 smp=1, mem=512, timeout=120, kernel=None, accel_=None,
                 modules=MODULES):
        self.name, self.test, self.dir = name, test, dir
        self.extra = [str(a) for a in extra]
        self.args = args or {}
        self.modules = list(modules)
        self.kernel = kernel or ensure_kernel()
        self.initrd = ensure_initramfs(self.kernel, tools)
        self.accel = accel_ or accel(self.kernel)
        self.smp, self.mem, self.timeout = smp, mem, timeout
        self.serial = os.path.join(dir, name + '.serial')
        self.qmp_path = os.path.join(dir, name + '.qmp')
        self.proc = None
        self.pos = 0
        self.t0 = 0

    def start(self):
        """start() - start QEMU (the guest boots and runs its test)."""
        require_qemu()
        for p in (self.serial, self.qmp_path):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(p)
        argv = _qemu_argv(self)
        log('boot %s (%s): %s' % (self.test, self.accel, ' '.join(argv)))
        self.t0 = time.monotonic()
        with open(os.path.join(self.dir, self.name + '.stderr'), 'wb') as e:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=e, stderr=e)

    def output(self):
        """output() - the serial console so far.

        Return: the text
        """
        try:
            with open(self.serial, 'rb') as f:
                return f.read().decode(errors='replace')
        except FileNotFoundError:
            return ''

    def _new_lines(self):
        """_new_lines() - complete serial lines not yet seen by wait_step().

        Return: list of lines
        """
        text = self.output()
        end = text.rfind('\n', self.pos) + 1
        if end <= self.pos:
            return []
        lines = text[self.pos:end].splitlines()
        self.pos = end
        if os.environ.get('VU_E2E_VERBOSE'):
            for line in lines:
                print('  | ' + line, flush=True)
        return lines

    def wait_step(self, step, timeout=60):
        """wait_step() - wait for the guest to print "VUTEST-STEP: @step".

        @step: the step name
        @timeout: seconds; raises Fail on timeout, or when the guest ends
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self._new_lines():
                if line.strip() == '%s %s' % (STEP, step):
                    log('guest step %s' % step)
                    return
            if self.proc.poll() is not None:
                self._new_lines()
                raise Fail('guest ended before step %s\n%s'
                           % (step, self.report()))
            time.sleep(0.05)
        raise Fail('no step %s in %ds\n%s' % (step, timeout, self.report()))

    def qmp(self):
        """qmp() - a QMP connection to this QEMU.

        Return: a Qmp (close it when done)
        """
        return Qmp(self.qmp_path)

    def quit(self):
        """quit() - end QEMU through QMP 'quit' and wait for it."""
        q = self.qmp()
        with contextlib.suppress(Fail, OSError):
            q.cmd('quit')
        q.close()
        self.proc.wait(30)

    def wait(self):
        """wait() - wait for QEMU to exit and read the guest's verdict.

        Return: (passed, reason): reason is the FAIL text, or why there
                was no verdict
        """
        try:
            self.proc.wait(self.timeout + 10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._new_lines()
        log('guest %s ended after %.1fs, QEMU exit %d' % (
            self.test, time.monotonic() - self.t0, self.proc.returncode))
        verdict = [line for line in self.output().splitlines()
                   if line.startswith(RESULT)]
        if not verdict:
            why = 'timed out' if self.proc.returncode in (124, 137) else \
                'QEMU exit %d' % self.proc.returncode
            return False, 'no verdict from the guest (%s)' % why
        v = verdict[-1][len(RESULT):].strip()
        return v == 'PASS', v

    def check(self):
        """check() - wait() and raise Fail unless the guest passed."""
        ok, why = self.wait()
        if not ok:
            raise Fail('guest test %s: %s\n%s' % (self.test, why,
                                                  self.report()))
        log('guest test %s passed' % self.test)

    def report(self, n=60):
        """report() - QEMU's stderr and the end of the serial console.

        @n: serial lines to show

        Return: the text
        """
        err = _tail(os.path.join(self.dir, self.name + '.stderr'), 20)
        return '--- %s: QEMU stderr\n%s\n--- serial console (last %d lines)' \
            '\n%s\n---' % (self.name, err, n, _tail(self.serial, n))

    def kill(self):
        """kill() - end QEMU if it still runs.

        SIGTERM goes to timeout(1), which passes it on to QEMU; SIGKILL
        would leave QEMU behind, so it goes to QEMU itself, and only if
        SIGTERM did not work.
        """
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            for pid in _children(self.proc.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()


def _children(pid):
    """_children() - the child processes of @pid.

    @pid: a process id

    Return: list of process ids (empty when /proc cannot tell)
    """
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(c) for c in f.read().split()]
    except (OSError, ValueError):
        return []


def _probe_kvm(kernel):
    """_probe_kvm() - boot the 'boot' guest test once with KVM.

    @kernel: the Kernel

    Return: True when the guest reached its verdict in time
    """
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False
    d = tempfile.mkdtemp(prefix='vue2e-probe-')
    try:
        g = Guest('probe', 'boot', d, timeout=KVM_PROBE_TIMEOUT,
                  kernel=kernel, accel_='kvm')
        g.start()
        ok, why = g.wait()
        log('KVM probe: %s' % ('works' if ok else why))
        return ok
    finally:
        shutil.rmtree(d, ignore_errors=True)


def accel(kernel):
    """accel() - 'kvm' where a probe boot with KVM worked, else 'tcg'.

    @kernel: the Kernel the probe boots

    The result is kept in the work dir, keyed on the QEMU and kernel.

    Return: 'kvm' or 'tcg'
    """
    forced = os.environ.get('VU_E2E_ACCEL')
    if forced in ('kvm', 'tcg'):
        return forced
    key = '%s %d.%d' % (os.path.basename(kernel.root), *qemu_version())
    path = os.path.join(work_dir(), 'kvm-probe')
    with locked('kvm-probe'):
        with contextlib.suppress(OSError, ValueError):
            with open(path) as f:
                k, _, v = f.read().strip().rpartition(' = ')
            if k == key and v in ('kvm', 'tcg'):
                return v
        v = 'kvm' if _probe_kvm(kernel) else 'tcg'
        with open(path, 'w') as f:
            f.write('%s = %s\n' % (key, v))
    return v


# -- Tests -----------------------------------------------------------------

class Ctx:
    """Ctx - what one test case made, for cleanup and failure reports.

    @dir: a private temporary directory (short: Unix socket paths are
          limited to 107 bytes)
    @daemons: Daemon objects started through daemon()
    @guests: Guest objects made through guest()
    """

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix='vue2e-%s-' % name)
        self.daemons = []
        self.guests = []

    def path(self, name):
        """path() - a path in the private directory.

        @name: file name

        Return: the path
        """
        return os.path.join(self.dir, name)

    def daemon(self, argv, sock, name='daemon', probe=True):
        """daemon() - start a back-end, stopped when the test ends.

        @argv: its command line
        @sock: the socket it listens on
        @name: its log is NAME.log in the private directory
        @probe: see Daemon

        Return: the running Daemon
        """
        d = Daemon(argv, sock, self.path(name + '.log'), probe)
        self.daemons.append(d)
        d.start()
        return d

    def guest(self, test, extra=(), name=None, **kw):
        """guest() - make a Guest (not started), killed when the test ends.

        @test: the guest test name
        @extra: more QEMU arguments
        @name: file name stem, default @test
        @kw: more Guest arguments (args, tools, smp, mem, timeout)

        Return: the Guest
        """
        g = Guest(name or test, test, self.dir, extra, **kw)
        self.guests.append(g)
        return g

    def run_guest(self, test, extra=(), **kw):
        """run_guest() - boot a guest test, wait for it, raise unless PASS.

        @test: the guest test name
        @extra: more QEMU arguments
        @kw: more Guest arguments

        Return: the Guest, ended
        """
        g = self.guest(test, extra, **kw)
        g.start()
        g.check()
        return g

    def cleanup(self, failed):
        """cleanup() - end the processes; remove the directory unless failed.

        @failed: whether the test failed (its files are then kept)
        """
        for g in self.guests:
            g.kill()
        for d in self.daemons:
            rc = d.stop()
            if failed and d.proc is not None:
                print('--- %s (exit %s), last lines of its log:\n%s' % (
                    d.argv[0], rc, d.log_tail()))
        if failed or os.environ.get('VU_E2E_KEEP'):
            print('files kept in %s' % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def _terminated(signum, frame):
    """_terminated() - SIGTERM (meson's timeout): fail, cleaning up first.

    @signum: the signal
    @frame: unused
    """
    raise Fail('terminated by signal %d' % signum)


def main(cases, argv=None):
    """main() - run the test case named on the command line and exit.

    @cases: {name: function(Ctx)}
    @argv: command line, default sys.argv

    Exits 0 when the case passed, 77 when skipped, 1 when it failed.
    """
    argv = argv if argv is not None else sys.argv
    if len(argv) != 2 or argv[1] not in cases:
        print('usage: %s CASE\ncases: %s' % (argv[0], ' '.join(cases)),
              file=sys.stderr)
        sys.exit(2)
    signal.signal(signal.SIGTERM, _terminated)
    ctx = Ctx(argv[1])
    rc = 1
    try:
        require_qemu()
        cases[argv[1]](ctx)
        rc = 0
        print('PASS %s (%.1fs)' % (argv[1], time.monotonic() - _T0))
    except Skip as e:
        rc = SKIP
        print('SKIP %s: %s' % (argv[1], e))
    except Fail as e:
        print('FAIL %s: %s' % (argv[1], e))
    finally:
        ctx.cleanup(rc == 1)
    sys.exit(rc)


def _case_boot(ctx):
    """_case_boot() - the guest boots, loads its modules and powers off.

    @ctx: the test context
    """
    ctx.run_guest('boot', timeout=60)


def _cli():
    """_cli() - vue2e.py kernel | initramfs | probe | boot."""
    cmd = sys.argv[1] if len(sys.argv) > 1 else ''
    try:
        if cmd == 'kernel':
            k = ensure_kernel(refresh=True)
            print('guest kernel %s in %s' % (k.kver, k.root))
        elif cmd == 'initramfs':
            print(ensure_initramfs(ensure_kernel(), sys.argv[2:]))
        elif cmd == 'probe':
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(work_dir(), 'kvm-probe'))
            print(accel(ensure_kernel()))
        else:
            main({'boot': _case_boot})
    except Skip as e:
        print('vue2e: %s' % e, file=sys.stderr)
        sys.exit(SKIP)
    except Fail as e:
        print('vue2e: %s' % e, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    _cli()
