# SPDX-License-Identifier: GPL-2.0-or-later
# net-ping.sh - the guest pings the host ($vu_hostip) from each vCPU, with
# one queue pair in use and with two (when the host lent ethtool; each
# vCPU sends on its own TX queue then); then (step up) it waits for
# $vu_hostpings echo requests from the host.
. /vutest/lib.sh
. /vutest/net-common.sh

# ping_host CPU - five pings from CPU, all of which must be answered
ping_host() {
	taskset -c "$1" ping -c 5 -W 5 "$vu_hostip" >/tmp/ping.out 2>&1
	if ! grep -q ' 5 packets received' /tmp/ping.out; then
		sed 's/^/vutest: ping: /' /tmp/ping.out
		fail "ping from cpu $1, $inuse queue pair(s) in use:" \
			"$(grep received /tmp/ping.out)"
	fi
	info "ping from cpu $1, $inuse queue pair(s) in use:" \
		"$(grep received /tmp/ping.out)"
}

# ping_queue CPU - ping_host CPU; TX queue CPU must have sent packets
ping_queue() {
	before=$(qstat "tx_queue_$1_packets")
	ping_host "$1"
	after=$(qstat "tx_queue_$1_packets")
	[ "$after" -gt "$before" ] ||
		fail "cpu $1 pinged, but TX queue $1 sent nothing ($after)"
}

# icmp_echos - print the echo requests received (Icmp InEchos)
icmp_echos() {
	awk '$1 == "Icmp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i }
		else { print $c; exit } }' /proc/net/snmp
}

# echos_since BASE - succeed once $vu_hostpings echo requests came since
# InEchos was BASE
echos_since() {
	[ $(($(icmp_echos) - $1)) -ge "$vu_hostpings" ]
}

net_up
inuse=$vu_pairs
cpus=$(nproc)
if have_ethtool; then
	c=$(channels)
	[ "$c" = "$vu_pairs" ] || fail "$dev uses $c queue pairs, want $vu_pairs"
	set_channels 1
	ping_host 0
	[ "$cpus" -lt 2 ] || ping_host 1
	set_channels "$vu_pairs"
	ping_queue 0
	[ "$cpus" -lt 2 ] || ping_queue 1
else
	info "no ethtool: neither ethtool -L nor per-queue counters"
	ping_host 0
	[ "$cpus" -lt 2 ] || ping_host 1
fi
net_report
base=$(icmp_echos)
[ -n "$base" ] || fail "no InEchos in /proc/net/snmp"
step up
wait_for 60 echos_since "$base" ||
	fail "$(($(icmp_echos) - base)) echo requests from the host, want $vu_hostpings"
info "$(($(icmp_echos) - base)) echo requests from the host"
