# SPDX-License-Identifier: GPL-2.0-or-later
# net-iperf.sh - iperf3 TCP with the host's one-off servers: $vu_secs
# seconds and $vu_streams streams sending to port $vu_sport, then receiving
# (-R) from port $vu_rport. Each run's JSON result goes to the console
# between "VUTEST-IPERF-BEGIN TAG" and "VUTEST-IPERF-END TAG" lines (TAG
# send or receive), for the host to parse.
. /vutest/lib.sh
. /vutest/net-common.sh

# run_iperf TAG PORT [ARG] - one iperf3 client run, its JSON printed
run_iperf() {
	# shellcheck disable=SC2086 # $3 is an optional word
	iperf3 -c "$vu_hostip" -p "$2" -t "$vu_secs" -P "$vu_streams" -J $3 \
		>"/tmp/$1.json" 2>/tmp/iperf.err
	rc=$?
	echo "VUTEST-IPERF-BEGIN $1"
	cat "/tmp/$1.json"
	echo
	echo "VUTEST-IPERF-END $1"
	[ "$rc" -eq 0 ] || fail "iperf3 $1: exit $rc: $(cat /tmp/iperf.err)" \
		"$(grep '"error"' "/tmp/$1.json")"
	info "iperf3 $1 done"
}

net_up
wait_for 10 ping -c 1 -W 1 "$vu_hostip" >/dev/null ||
	fail "the host $vu_hostip does not answer pings"
run_iperf send "$vu_sport"
run_iperf receive "$vu_rport" -R
net_report
