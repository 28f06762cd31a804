# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# lib.sh - helpers for the guest test scripts (busybox sh), sourced first:
#   . /vutest/lib.sh

# fail MSG... - end the test as failed with MSG as the reason
fail() {
	echo "$*" >/tmp/vutest-reason
	echo "vutest: FAIL: $*"
	exit 1
}

# step NAME - tell the host the test reached NAME (Guest.wait_step)
step() {
	echo "VUTEST-STEP: $1"
}

# info MSG... - a progress line in the serial log
info() {
	echo "vutest: $*"
}

# wait_for SECONDS CMD... - run CMD every 0.1 s until it succeeds
# Return: 0 once it succeeded, 1 after SECONDS without success
wait_for() {
	n=$(($1 * 10))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		usleep 100000
	done
}

# need_dev PATH - wait up to 10 s for a device node, else fail
need_dev() {
	wait_for 10 test -e "$1" || fail "no $1"
}

# sysval PATH - print the contents of a sysfs file, failing if missing
sysval() {
	[ -r "$1" ] || fail "no $1"
	cat "$1"
}

# pattern TAG SIZE - print SIZE bytes (a multiple of 512): each 512-byte
# sector is "TAG N" (N its index) padded with spaces to 511 bytes and a
# newline; test-blk.py's pattern() makes the same bytes
pattern() {
	awk -v tag="$1" -v n=$(($2 / 512)) \
		'BEGIN { for (i = 0; i < n; i++) printf "%-511s\n", tag " " i }'
}

# disk_write FILE DEV OFFSET - write FILE to DEV at byte OFFSET (a multiple
# of 64 KiB) with O_DIRECT, failing the test if that fails
disk_write() {
	dd if="$1" of="$2" bs=65536 seek=$(($3 / 65536)) oflag=direct \
		conv=notrunc,fsync 2>/tmp/dd.err ||
		fail "write $1 to $2 at $3: $(cat /tmp/dd.err)"
}

# disk_read DEV OFFSET SIZE - print SIZE bytes of DEV from byte OFFSET (both
# multiples of 64 KiB), read with O_DIRECT
disk_read() {
	dd if="$1" bs=65536 skip=$(($2 / 65536)) count=$(($3 / 65536)) \
		iflag=direct 2>/tmp/dd.err ||
		fail "read $1 at $2: $(cat /tmp/dd.err)"
}

# disk_check DEV OFFSET FILE - fail unless DEV holds FILE at OFFSET
disk_check() {
	disk_read "$1" "$2" "$(stat -c %s "$3")" >/tmp/check
	cmp -s /tmp/check "$3" || fail "$1 at $2 does not hold $3"
}

# host_check DEV - fail unless DEV holds the bytes the host put there:
# $vu_hostlen bytes at $vu_hostoff with sha256 $vu_hostsha
host_check() {
	got=$(disk_read "$1" "$vu_hostoff" "$vu_hostlen" | sha256sum)
	[ "${got%% *}" = "$vu_hostsha" ] ||
		fail "$1 at $vu_hostoff: sha256 ${got%% *}, want $vu_hostsha"
}
