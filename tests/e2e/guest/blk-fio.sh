# SPDX-License-Identifier: GPL-2.0-or-later
# blk-fio.sh - fio random writes over 8 MiB at queue depth 8, then a crc32c
# verify pass over everything written.
. /vutest/lib.sh

need_dev /dev/vda
fio --name=verify --filename=/dev/vda --thread --ioengine=libaio \
	--direct=1 --rw=randwrite --bs=4k --offset=1M --size=8M \
	--iodepth=8 --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--eta=never --output=/tmp/fio.out ||
	fail "fio: $(grep -i -m3 'err\|bad\|fail' /tmp/fio.out)"
grep -q 'err= 0' /tmp/fio.out || fail "fio reported an error"
grep -E 'IOPS|READ:|WRITE:' /tmp/fio.out
