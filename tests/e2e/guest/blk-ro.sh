# SPDX-License-Identifier: GPL-2.0-or-later
# blk-ro.sh - a read-only disk: flagged read-only, reads work, writes fail.
. /vutest/lib.sh

need_dev /dev/vda
[ "$(sysval /sys/block/vda/ro)" = 1 ] || fail "/dev/vda is not read-only"
host_check /dev/vda
if dd if=/dev/zero of=/dev/vda bs=4096 count=1 oflag=direct 2>/tmp/err
then
	fail "a write to the read-only disk succeeded"
fi
info "write refused: $(cat /tmp/err)"
