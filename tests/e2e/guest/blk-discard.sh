# SPDX-License-Identifier: GPL-2.0-or-later
# blk-discard.sh - write 8 MiB at 0, discard the first 4 MiB (the host then
# checks how much of the image file is allocated).
. /vutest/lib.sh

need_dev /dev/vda
max=$(sysval /sys/block/vda/queue/discard_max_bytes)
[ "$max" -gt 0 ] || fail "the disk does not offer discard"
pattern discard 8388608 >/tmp/p
disk_write /tmp/p /dev/vda 0
blkdiscard -o 0 -l 4194304 /dev/vda 2>/tmp/err ||
	fail "blkdiscard: $(cat /tmp/err)"
info "discarded 4 MiB (discard_max_bytes $max)"
