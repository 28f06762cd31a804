# SPDX-License-Identifier: GPL-2.0-or-later
# gpu-dumb.sh - a DRM dumb buffer with $vu_pattern scanned out with
# SETCRTC, then a box of colour $vu_box painted and flushed with DIRTYFB
# of its rectangle only; held while the host looks.
. /vutest/lib.sh
. /vutest/gpu-common.sh

need_dev /dev/dri/card0
no_fbcon
draw drawn --box "$vu_box" dumb "$vu_pattern"
