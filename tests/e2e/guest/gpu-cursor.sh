# SPDX-License-Identifier: GPL-2.0-or-later
# gpu-cursor.sh - scan out $vu_pattern, set a 64x64 ARGB cursor with
# hotspot $vu_hot ("HX,HY") at the first position of $vu_moves
# ("X,Y,X,Y,..."), move it to the others, hold, then hide it.
. /vutest/lib.sh
. /vutest/gpu-common.sh

need_dev /dev/dri/card0
no_fbcon
moves=$(echo "$vu_moves" | tr , ' ')
# shellcheck disable=SC2086 # the positions are words, as intended
draw drawn --pattern "$vu_pattern" --hot "$vu_hot" cursor $moves
