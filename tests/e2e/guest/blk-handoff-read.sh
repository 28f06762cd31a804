# SPDX-License-Identifier: GPL-2.0-or-later
# blk-handoff-read.sh - the second QEMU on the same daemon: read what the
# first wrote at 2 MiB, write pattern "second" at 3 MiB.
. /vutest/lib.sh

need_dev /dev/vda
pattern first 1048576 >/tmp/p
disk_check /dev/vda 2097152 /tmp/p
pattern second 1048576 >/tmp/p
disk_write /tmp/p /dev/vda 3145728
disk_check /dev/vda 3145728 /tmp/p
