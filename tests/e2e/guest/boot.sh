# SPDX-License-Identifier: GPL-2.0-or-later
# boot.sh - the guest boots: modules loaded, kernel file systems mounted.
. /vutest/lib.sh

info "kernel $(uname -r), $(nproc) CPU(s)"
for m in virtio_pci virtio_blk virtio_net virtio_input evdev uinput; do
	grep -q "^$m " /proc/modules || fail "module $m not loaded"
done
grep -q ' /dev devtmpfs ' /proc/mounts || fail "no devtmpfs on /dev"
[ -c /dev/ttyS0 ] || fail "no /dev/ttyS0"
