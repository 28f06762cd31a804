# SPDX-License-Identifier: GPL-2.0-or-later
# blk-reconnect.sh - verified fio writes that outlive a kill -9 and restart
# of the daemon: the host does that on step io-running, which comes once
# fio's writes are flowing.
. /vutest/lib.sh

# writing - whether more than 200 writes completed (field 5 of the stat)
writing() {
	# shellcheck disable=SC2046 # split the fields on purpose
	set -- $(cat /sys/block/vda/stat)
	[ "$5" -gt 200 ]
}

need_dev /dev/vda
fio --name=reconnect --filename=/dev/vda --thread --ioengine=libaio \
	--direct=1 --rw=randwrite --bs=4k --size=24M --iodepth=8 \
	--verify=crc32c --do_verify=1 --verify_fatal=1 \
	--eta=never --output=/tmp/fio.out &
pid=$!
wait_for 60 writing || fail "fio did not start writing in 60 s"
step io-running
wait "$pid" || fail "fio: $(grep -i -m3 'err\|bad\|fail' /tmp/fio.out)"
step fio-done
grep -q 'err= 0' /tmp/fio.out || fail "fio reported an error"
cat /tmp/fio.out
