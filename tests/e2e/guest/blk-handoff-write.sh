# SPDX-License-Identifier: GPL-2.0-or-later
# blk-handoff-write.sh - write pattern "first" at 2 MiB, then idle until the
# host makes QEMU quit.
. /vutest/lib.sh

need_dev /dev/vda
pattern first 1048576 >/tmp/p
disk_write /tmp/p /dev/vda 2097152
step written
sleep 600
fail "QEMU was not stopped"
