# SPDX-License-Identifier: GPL-2.0-or-later
# blk-pattern.sh - read what the host put on the disk; write a pattern at
# 1 MiB and read it back (the host then checks the image).
. /vutest/lib.sh

need_dev /dev/vda
host_check /dev/vda
pattern pattern 1048576 >/tmp/p
disk_write /tmp/p /dev/vda 1048576
disk_check /dev/vda 1048576 /tmp/p
info "wrote and read back 1 MiB"
