# SPDX-License-Identifier: GPL-2.0-or-later
# blk-mq.sh - four queues: one verified fio job per vCPU, each on its own
# 2 MiB, then every queue's interrupt must have fired.
. /vutest/lib.sh

need_dev /dev/vda
n=$(ls /sys/block/vda/mq | wc -l)
[ "$n" = 4 ] || fail "/dev/vda has $n queues, want 4"
fio --name=mq --filename=/dev/vda --thread --ioengine=libaio --direct=1 \
	--rw=randwrite --bs=4k --size=2M --offset_increment=2M --numjobs=4 \
	--cpus_allowed=0-3 --cpus_allowed_policy=split --iodepth=4 \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --group_reporting \
	--eta=never --output=/tmp/fio.out ||
	fail "fio: $(grep -i -m3 'err\|bad\|fail' /tmp/fio.out)"
# /proc/interrupts: "IRQ: count-per-cpu... chip ... virtioN-req.Q"
awk -v n="$(nproc)" '/-req\.[0-9]+$/ {
	s = 0; for (i = 2; i <= n + 1; i++) s += $i; print $NF, s }' \
	/proc/interrupts >/tmp/irqs
cat /tmp/irqs
[ "$(wc -l </tmp/irqs)" = 4 ] || fail "want 4 request queue interrupts"
if awk '$2 == 0 { bad = 1 } END { exit !bad }' /tmp/irqs; then
	fail "a queue saw no interrupt: $(tr '\n' ' ' </tmp/irqs)"
fi
