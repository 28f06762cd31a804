# SPDX-License-Identifier: GPL-2.0-or-later
# net-switch.sh - one of two guests on vhost-user-net --switch: bring the
# interface up with $vu_guestip and ping $vu_peerip (the other guest) until
# it answers, then 5 pings must all answer. Stays up a while for the
# peer's pings.
. /vutest/lib.sh
. /vutest/net-common.sh

net_up
n=0
until ping -c 1 -W 1 "$vu_peerip" >/dev/null 2>&1; do
	n=$((n + 1))
	[ "$n" -lt 60 ] || fail "no answer from $vu_peerip"
done
ping -c 5 -W 2 "$vu_peerip" >/tmp/ping.out 2>&1 ||
	fail "ping $vu_peerip: $(tail -n 2 /tmp/ping.out)"
grep -q ' 0% packet loss' /tmp/ping.out ||
	fail "ping $vu_peerip: $(tail -n 2 /tmp/ping.out)"
info "$(grep 'packet loss' /tmp/ping.out)"
step pinged
sleep 8
