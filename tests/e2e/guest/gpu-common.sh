# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# gpu-common.sh - helpers of the vhost-user-gpu guest tests (gpu-*.sh),
# sourced after lib.sh. The host passes $vu_hold: the seconds vu-gpu-draw
# keeps its display after its step, while the host takes screendumps.

# no_fbcon - unbind the framebuffer console: its text and blinking cursor
# would draw over the patterns
no_fbcon() {
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q "frame buffer" "$v/name" 2>/dev/null || continue
		echo 0 >"$v/bind" || fail "cannot unbind $(cat "$v/name")"
	done
}

# drawn - succeed once vu-gpu-draw ($pid) has drawn, or has ended
drawn() {
	[ -e /tmp/drawn ] || ! kill -0 "$pid" 2>/dev/null
}

# draw STEP ARGS... - run vu-gpu-draw ARGS, holding the display $vu_hold
# seconds; step STEP once it has drawn; fail unless it succeeds
draw() {
	name=$1
	shift
	rm -f /tmp/drawn
	vu-gpu-draw --ready /tmp/drawn --hold "${vu_hold:-5}" "$@" \
		2>/tmp/draw.err &
	pid=$!
	wait_for 60 drawn || fail "vu-gpu-draw $1: not drawn in 60 s"
	[ -e /tmp/drawn ] && step "$name"
	wait "$pid" || fail "vu-gpu-draw $*: exit status $?: $(cat /tmp/draw.err)"
	[ -s /tmp/draw.err ] && info "vu-gpu-draw stderr: $(cat /tmp/draw.err)"
	return 0
}
