# SPDX-License-Identifier: GPL-2.0-or-later
# bench-fio.sh - bench/blk-guest's guest side: fio 4K random reads, then 4K
# random writes, at queue depth $vu_qd (32) for $vu_rt seconds (10) each,
# O_DIRECT on /dev/vda, printing one "VUBENCH: WORKLOAD iops=N bw_kib=N
# clat_us=N engine=E" line per workload.
. /vutest/lib.sh

rt=${vu_rt:-10}
qd=${vu_qd:-32}
ramp=${vu_ramp:-2}

# engine - print io_uring when this fio and kernel can run it, else libaio
engine() {
	if fio --name=probe --filename=/dev/vda --ioengine=io_uring \
		--direct=1 --rw=read --bs=4k --size=4k --eta=never \
		--output=/tmp/probe.out >/dev/null 2>&1; then
		echo io_uring
	else
		echo libaio
	fi
}

# run_fio RW - one timed fio job; prints the VUBENCH line for @RW
# (terse v3: field 8 is the read IOPS, 7 its KiB/s, 16 its mean completion
# latency in usec; the write fields are the same 41 places further on)
run_fio() {
	fio --name="$1" --filename=/dev/vda --ioengine="$eng" --direct=1 \
		--rw="$1" --bs=4k --iodepth="$qd" --time_based \
		--runtime="$rt" --ramp_time="$ramp" --norandommap \
		--randrepeat=0 --eta=never --output-format=terse \
		--terse-version=3 --output=/tmp/"$1".out ||
		fail "fio $1: $(head -c 300 /tmp/"$1".out)"
	case $1 in
	*read) off=0 ;;
	*) off=41 ;;
	esac
	awk -F';' -v rw="$1" -v o="$off" -v e="$eng" '$1 == 3 {
		if ($5 != 0) { print "fio error " $5; exit 1 }
		printf "VUBENCH: %s iops=%d bw_kib=%d clat_us=%.1f engine=%s\n",
			rw, $(8 + o), $(7 + o), $(16 + o), e }' /tmp/"$1".out ||
		fail "fio $1: $(cat /tmp/"$1".out)"
}

need_dev /dev/vda
eng=$(engine)
info "fio engine $eng, $rt s per workload (+$ramp s ramp), iodepth $qd"
step ready
run_fio randread
run_fio randwrite
