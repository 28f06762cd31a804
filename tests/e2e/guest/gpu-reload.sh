# SPDX-License-Identifier: GPL-2.0-or-later
# gpu-reload.sh - a dumb buffer with $vu_pattern (step drawn-1), then
# virtio_gpu unloaded (the device is reset: QEMU closes the display channel
# and stops the rings) and loaded again (a new display channel, the same
# resource ids again), then $vu_pattern2 (step drawn-2).
. /vutest/lib.sh
. /vutest/gpu-common.sh

# gone - succeed once the DRM device node is gone
gone() {
	[ ! -e /dev/dri/card0 ]
}

need_dev /dev/dri/card0
no_fbcon
draw drawn-1 --box "$vu_box" dumb "$vu_pattern"
ko=$(grep '^virtio_gpu ' /etc/vutest-modules | cut -d' ' -f2)
rmmod virtio_gpu 2>/tmp/rmmod.err ||
	fail "rmmod virtio_gpu: $(cat /tmp/rmmod.err)"
wait_for 10 gone || fail "/dev/dri/card0 still there after rmmod"
insmod "$ko" 2>/tmp/insmod.err || fail "insmod $ko: $(cat /tmp/insmod.err)"
info "virtio_gpu unloaded and loaded again"
need_dev /dev/dri/card0
no_fbcon
draw drawn-2 --box "$vu_box" dumb "$vu_pattern2"
