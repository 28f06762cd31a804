# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# net-common.sh - helpers of the vhost-user-net guest tests (net-*.sh),
# sourced after lib.sh. The host passes $vu_mac (the virtio-net MAC),
# $vu_guestip/$vu_prefix (the guest's address), $vu_hostip (the tap's) and
# $vu_pairs (the device's queue pairs).

# net_find - print the interface whose MAC is $vu_mac
# Return: 0 when there is one
net_find() {
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address" 2>/dev/null)" = "$vu_mac" ] || continue
		echo "${d##*/}"
		return 0
	done
	return 1
}

# carrier - succeed when $dev has its carrier
carrier() {
	[ "$(cat "/sys/class/net/$dev/carrier" 2>/dev/null)" = 1 ]
}

# net_up - find the virtio-net interface (eth0), check it has $vu_pairs
# queue pairs, bring it up with $vu_guestip; sets $dev
net_up() {
	wait_for 10 net_find >/tmp/dev ||
		fail "no interface with MAC $vu_mac: $(ls /sys/class/net)"
	dev=$(cat /tmp/dev)
	[ "$dev" = eth0 ] || info "the virtio-net interface is $dev, not eth0"
	set -- "/sys/class/net/$dev/queues/"rx-*
	n=$#
	[ "$n" = "$vu_pairs" ] || fail "$dev has $n rx queues, want $vu_pairs"
	ip link set "$dev" up || fail "ip link set $dev up"
	ip addr add "$vu_guestip/$vu_prefix" dev "$dev" ||
		fail "ip addr add $vu_guestip/$vu_prefix dev $dev"
	wait_for 10 carrier || fail "$dev has no carrier"
	info "$dev up: $(ip -o addr show dev "$dev" | grep -o 'inet [^ ]*')"
}

# have_ethtool - succeed when the host lent its ethtool
have_ethtool() {
	command -v ethtool >/dev/null
}

# channels - print the queue pairs $dev uses (ethtool -l: Combined)
channels() {
	ethtool -l "$dev" | awk '/^Combined:/ { c = $2 } END { print c }'
}

# set_channels N - use N queue pairs (ethtool -L, through the control
# queue); fail unless ethtool then reports N; sets $inuse to N
set_channels() {
	ethtool -L "$dev" combined "$1" >/tmp/ethtool.out 2>&1 ||
		fail "ethtool -L $dev combined $1: $(cat /tmp/ethtool.out)"
	c=$(channels)
	[ "$c" = "$1" ] || fail "$dev uses $c queue pairs after ethtool -L $1"
	# shellcheck disable=SC2034 # read by the scripts' messages
	inuse=$1
	info "$dev uses $1 queue pair(s)"
}

# qstat NAME - print the ethtool -S counter NAME of $dev (0 if absent)
qstat() {
	ethtool -S "$dev" | awk -v k="$1:" '$1 == k { v = $2 } END { print v + 0 }'
}

# net_report - the virtio interrupts and per-queue counters, for the log
net_report() {
	grep virtio /proc/interrupts | sed 's/^/vutest: irq /'
	have_ethtool || return 0
	ethtool -S "$dev" | grep -E '_queue_[0-9]+_(packets|bytes):' |
		tr -s ' \t' ' ' | tr '\n' ' ' | sed 's/^/vutest: stats /'
	echo
}
