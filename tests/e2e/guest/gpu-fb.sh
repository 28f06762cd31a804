# SPDX-License-Identifier: GPL-2.0-or-later
# gpu-fb.sh - draw $vu_pattern through the virtio-gpu fbdev (/dev/fb0's
# mmap, flushed by its deferred I/O) and hold it while the host looks.
. /vutest/lib.sh
. /vutest/gpu-common.sh

need_dev /dev/fb0
no_fbcon
draw drawn fb "$vu_pattern"
