# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt-gpu.sh - the guest of tests/libvirt: a virtio-gpu served by the
# vhost-user-gpu daemon libvirt started is bound by virtio_gpu, has a DRM
# card with a connected connector, and (vu_virgl=1) offers virgl.
. /vutest/lib.sh

# drm_card - print the sysfs directory of the first DRM card, or nothing
drm_card() {
	for c in /sys/class/drm/card[0-9]; do
		[ -e "$c" ] && echo "$c" && return 0
	done
	return 1
}

wait_for 20 drm_card >/dev/null || fail "no DRM card in /sys/class/drm"
card=$(drm_card)
need_dev "/dev/dri/${card##*/}"
# the card's device is the PCI function; virtio_gpu drives its virtio child
drv=$(basename "$(readlink "$card"/device/virtio*/driver)")
[ "$drv" = virtio_gpu ] || fail "${card##*/} is driven by '$drv', not virtio_gpu"
nodes=
for n in /sys/class/drm/*; do
	nodes="$nodes ${n##*/}"
done
info "${card##*/}: PCI $(cat "$card/device/vendor"):$(cat "$card/device/device"); DRM:$nodes"

# connected - succeed when a connector of the card reports "connected"
# shellcheck disable=SC2317 # called through wait_for
connected() {
	grep -qx connected "$card"-*/status 2>/dev/null
}

wait_for 10 connected || fail "no connected connector on ${card##*/}"
for s in "$card"-*/status; do
	d=${s%/status}
	info "${d##*/}: $(cat "$s"), modes: $(head -n 3 "$d/modes" | tr '\n' ' ')"
done
cat "$card"-*/modes | grep -q "^[0-9]*x[0-9]*" ||
	fail "no connector of ${card##*/} has modes"

# the driver's kernel messages, with their times (for the host's log)
dmesg | grep -E '\[drm|virtio-pci [0-9]|fbcon' | while read -r line; do
	info "dmesg: $line"
done
feat=$(dmesg | grep -o 'features: .*virgl.*' | tail -n 1)
info "virtio_gpu $feat"
# An answered GET_EDID proves the control queue works: without answers
# (GET_DISPLAY_INFO waits 5 s) the driver falls back to modes of its own
case "$feat" in
*+edid*)
	edid=0
	for e in "$card"-*/edid; do
		n=$(wc -c <"$e")
		[ "$n" -gt "$edid" ] && edid=$n
	done
	[ "$edid" -ge 128 ] ||
		fail "the device offers EDID, but no connector has one (control queue not answered?)"
	info "EDID: $edid bytes"
	;;
esac
if [ "${vu_virgl:-0}" = 1 ]; then
	case "$feat" in
	*+virgl*) ;;
	*) fail "virgl asked for, but the device offers none: $feat" ;;
	esac
	need_dev /dev/dri/renderD128
fi
exit 0
