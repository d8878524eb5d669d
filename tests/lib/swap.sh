# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Swap for the guest tests, in memory: a 64 MiB zram device (the kernel
# package's own zram module, which vm/run.sh puts in the guest).

swap_on() {
	[ -e /sys/block/zram0 ] || modprobe zram || return 1
	grep -q '^/dev/zram0 ' /proc/swaps && return 0
	echo 64M >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
}

swap_off() {
	swapoff /dev/zram0 2>/dev/null
	echo 1 >/sys/block/zram0/reset 2>/dev/null
	true
}
