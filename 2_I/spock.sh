#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# spock.sh - build the physmem driver and physpoke, load the driver, run
# physpoke, and unload the driver again, even if physpoke fails.  Exits
# with physpoke's status.
#
# In the source tree of a 6.1 machine it builds against the running kernel
# and uses sudo when not root; in the KernelPeek VM (KP_GUEST set) it is
# built already.  Installed ("make install"), it loads the DKMS-built
# module with modprobe.

dir=$(cd "$(dirname "$0")" && pwd)
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

say() {
	echo "spock: $*"
}

if [ -z "${KP_GUEST:-}" ] && [ -e "$dir/Makefile" ]; then
	say "building physmem.ko and physpoke"
	make -C "$dir" >/dev/null || {
		say "the build failed (are the headers of $(uname -r) installed?)"
		exit 1
	}
fi
if [ ! -x "$dir/physpoke" ]; then
	say "physpoke is missing: run make in $dir"
	exit 1
fi

if [ -e /sys/module/physmem ]; then
	say "physmem is already loaded; leaving it loaded"
else
	say "loading physmem.ko"
	if [ -e "$dir/physmem.ko" ]; then
		$sudo insmod "$dir/physmem.ko"
	else
		$sudo modprobe physmem
	fi || exit 1
	trap 'say "unloading physmem"; $sudo rmmod physmem' EXIT
	trap 'exit 130' INT TERM
fi
i=0
while [ ! -c /dev/physmem ] && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

say "running physpoke"
$sudo "$dir/physpoke"
status=$?
if [ "$status" -eq 0 ]; then
	say "physpoke changed its byte from 6 to 5 through physical memory"
else
	say "physpoke failed (status $status)"
fi
exit "$status"
