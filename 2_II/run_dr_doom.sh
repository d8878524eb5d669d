#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_dr_doom.sh [SOLDIERS] - the reparenting demo: build, load reparent.ko,
# start the control station, send SOLDIERS soldiers (default 3) to report to
# it, show the station reporting each soldier's end, then stop the station
# and unload the driver.  It cleans up on any failure.
#
# In the source tree of a 6.1 machine it builds as you, then runs the rest
# as root (sudo); in the KernelPeek VM (KP_GUEST set) it is built already.
# Installed ("make install"), it loads the DKMS-built module with modprobe.

dir=$(cd "$(dirname "$0")" && pwd)
soldiers=${1:-3}
case $soldiers in
'' | *[!0-9]*)
	echo "usage: run_dr_doom.sh [SOLDIERS]" >&2
	exit 2
	;;
esac

say() {
	echo "dr doom: $*"
}

if [ -z "${KP_GUEST:-}" ] && [ -z "${KP_BUILT:-}" ] && [ -e "$dir/Makefile" ]; then
	say "building reparent.ko, control_station and soldier"
	make -C "$dir" >/dev/null || {
		say "the build failed (are the headers of $(uname -r) installed?)"
		exit 1
	}
fi
if [ "$(id -u)" -ne 0 ]; then
	exec sudo env KP_BUILT=1 sh "$0" "$@"
fi

log=$(mktemp)
station=
loaded=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -n "$station" ] && kill "$station" 2>/dev/null && say "control station stopped"
	[ -n "$loaded" ] && rmmod reparent && say "reparent unloaded"
	rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for COUNT ERE: wait up to 30 s for COUNT lines of the log to match.
wait_for() {
	i=0
	while [ "$(grep -cE "$2" "$log")" -lt "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 300 ] || return 1
		sleep 0.1
	done
}

if [ ! -e /sys/module/reparent ]; then
	if [ -e "$dir/reparent.ko" ]; then
		insmod "$dir/reparent.ko"
	else
		modprobe reparent
	fi || exit 1
	loaded=1
	say "reparent.ko loaded"
fi

"$dir/control_station" >"$log" &
station=$!
wait_for 1 '^\[control station\] ready' || {
	say "the control station did not start"
	exit 1
}
cat "$log"

say "sending $soldiers soldiers to station $station"
i=1
while [ "$i" -le "$soldiers" ]; do
	"$dir/soldier" "$station" "$i" &
	i=$((i + 1))
done
if wait_for "$soldiers" 'terminated'; then
	grep terminated "$log"
	say "the station reaped all $soldiers soldiers"
	status=0
else
	say "the station reported only $(grep -c terminated "$log") of $soldiers soldiers"
	cat "$log"
	status=1
fi
exit "$status"
