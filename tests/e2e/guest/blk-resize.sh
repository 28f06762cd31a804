# SPDX-License-Identifier: GPL-2.0-or-later
# blk-resize.sh - the disk grows from $vu_oldsectors to $vu_newsectors
# while the guest runs; then write the new last MiB.
. /vutest/lib.sh

need_dev /dev/vda
old=$(sysval /sys/block/vda/size)
[ "$old" = "$vu_oldsectors" ] || fail "size $old sectors, want $vu_oldsectors"
step ready
grown() {
	[ "$(cat /sys/block/vda/size)" != "$old" ]
}
wait_for 30 grown || fail "size still $old sectors 30 s after the resize"
new=$(cat /sys/block/vda/size)
[ "$new" = "$vu_newsectors" ] || fail "new size $new sectors, want $vu_newsectors"
pattern resize 1048576 >/tmp/p
disk_write /tmp/p /dev/vda $((new * 512 - 1048576))
disk_check /dev/vda $((new * 512 - 1048576)) /tmp/p
info "grew from $old to $new sectors"
