# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib.sh - shell helpers shared by scripts/test and scripts/demo (sourced).

# vu_setup DIR [MESON_OPTION...] - configure build directory DIR (the compiler
# comes from $CC), or reconfigure it with the given options when it already
# exists; a directory that cannot be reconfigured is wiped and set up again.
# Return: meson's exit status.
vu_setup() {
	local dir=$1
	shift
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "$dir" "$@" && return 0
		echo "meson could not reconfigure $dir: setting it up anew" >&2
		meson setup --wipe "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}
