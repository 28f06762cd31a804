# SPDX-License-Identifier: GPL-2.0-or-later
# input-virtual.sh - two vhost-user-input --virtual devices: the keyboard
# (default name) and the tablet named $vu_tabname. Checks what the kernel
# made of them (names, ids, event codes, axes), reads both while the host
# sends frames on their control sockets, and compares: $vu_kbdn events with
# sha256 $vu_kbdsum, $vu_tabn with $vu_tabsum (printed as "VUTEST-EVENTS
# TAG: type code value" lines when they differ). Then turns CAPSLOCK's LED
# on (step led) and waits for the host's answer, the events $vu_ack
# ("type.code.value,...").
. /vutest/lib.sh

KBD="vhost-user-input keyboard"

# node NAME - print the event node of the input device called NAME
node() {
	wait_for 10 vu-evread --find "$1" >/tmp/node ||
		fail "no input device named '$1'"
	cat /tmp/node
}

# has FILE LINE... - fail unless FILE (vu-evread --info) has each LINE
has() {
	f=$1
	shift
	for l in "$@"; do
		grep -qxF "$l" "$f" || fail "$f: no line '$l' in: $(cat "$f")"
	done
}

# devinfo TAG DEV - vu-evread --info DEV into /tmp/TAG.info; check its ids
# against sysfs and the bus type (BUS_VIRTUAL)
devinfo() {
	vu-evread --info "$2" >/tmp/"$1".info || fail "vu-evread --info $2"
	d=/sys/class/input/${2##*/}/device/id
	want="id $(cat "$d"/bustype) $(cat "$d"/vendor) $(cat "$d"/product)"
	has /tmp/"$1".info "$want $(cat "$d"/version)"
	grep -q '^id 0006 ' /tmp/"$1".info ||
		fail "$1: not BUS_VIRTUAL: $(grep '^id' /tmp/"$1".info)"
}

# compare TAG FILE SUM - fail unless FILE's sha256 is SUM, printing FILE's
# lines as "VUTEST-EVENTS TAG: ..." first
compare() {
	got=$(sha256sum "$2")
	got=${got%% *}
	[ "$got" = "$3" ] && return 0
	sed "s/^/VUTEST-EVENTS $1: /" "$2"
	fail "$1: the events read differ from those sent"
}

kbd=$(node "$KBD") || exit 1
tab=$(node "$vu_tabname") || exit 1
devinfo kbd "$kbd"
devinfo tab "$tab"
has /tmp/kbd.info "name $KBD" "types 0 1 4 17 20" \
	"codes 1 $(seq -s ' ' 1 255)" "codes 4 4" "codes 17 0 1 2"
has /tmp/tab.info "name $vu_tabname" "types 0 1 2 3" \
	"codes 1 272 273 274" "codes 2 8" "codes 3 0 1"
for axis in 0 1; do
	grep -q "^abs $axis 0 32767 " /tmp/tab.info ||
		fail "tablet axis $axis is not 0..32767: $(cat /tmp/tab.info)"
done
info "keyboard $kbd, tablet $tab: names, ids and codes as expected"

vu-evread --count "$vu_kbdn" --timeout 40 --ready /tmp/kbd.ready "$kbd" \
	>/tmp/kbd.ev 2>/tmp/kbd.err &
kpid=$!
vu-evread --count "$vu_tabn" --timeout 40 --ready /tmp/tab.ready "$tab" \
	>/tmp/tab.ev 2>/tmp/tab.err &
tpid=$!
wait_for 10 test -e /tmp/kbd.ready ||
	fail "keyboard reader: $(cat /tmp/kbd.err)"
wait_for 10 test -e /tmp/tab.ready || fail "tablet reader: $(cat /tmp/tab.err)"
step ready

wait $kpid
krc=$?
wait $tpid
trc=$?
compare kbd /tmp/kbd.ev "$vu_kbdsum"
compare tab /tmp/tab.ev "$vu_tabsum"
[ $krc -eq 0 ] || fail "keyboard reader: $(cat /tmp/kbd.err)"
[ $trc -eq 0 ] || fail "tablet reader: $(cat /tmp/tab.err)"
info "read $vu_kbdn keyboard and $vu_tabn tablet events as sent"

# (the reader starts after the write: readers see the LED events too)
vu-evread --led 1 1 "$kbd" || fail "cannot write LED_CAPSL to $kbd"
echo "$vu_ack" | tr , '\n' | tr . ' ' >/tmp/ack.want
vu-evread --count "$(wc -l </tmp/ack.want)" --timeout 60 \
	--ready /tmp/ack.ready "$kbd" >/tmp/ack.ev 2>/tmp/ack.err &
apid=$!
wait_for 10 test -e /tmp/ack.ready ||
	fail "ack reader: $(cat /tmp/ack.err)"
step led
wait $apid ||
	fail "no answer from the host after the LED: $(cat /tmp/ack.err)"
cmp -s /tmp/ack.ev /tmp/ack.want ||
	fail "answer after the LED: $(tr '\n' , </tmp/ack.ev)," \
		"want $(tr '\n' , </tmp/ack.want)"
