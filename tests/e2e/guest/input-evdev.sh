# SPDX-License-Identifier: GPL-2.0-or-later
# input-evdev.sh - vhost-user-input's evdev mode against uinput devices:
# vu-input-evdev-check drives the daemon $vu_daemon (see input-evdev-check.c)
. /vutest/lib.sh

need_dev /dev/uinput
vu-input-evdev-check "${vu_daemon:-/usr/bin/vhost-user-input}" \
	>/tmp/check.log 2>&1
rc=$?
cat /tmp/check.log
[ $rc -eq 0 ] || fail "vu-input-evdev-check exit $rc:" \
	"$(grep -E 'ERROR|^not ok|^Bail' /tmp/check.log | head -n 3)"
