#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every module loaded and unloaded KP_CYCLES times (100 in "make stress"),
# each time used: lkm2-4 on a live process, the devices opened and asked,
# the /proc files read.  All cycles must succeed and leave nothing behind:
# no module, device or /proc entry.
. tests/lib/tap.sh

cycles=${KP_CYCLES:-10}
sleep 1000 &
target=$!

# cycle NAME KO PARAMS USE: one load, one use, one unload.
cycle() {
	# shellcheck disable=SC2086 # PARAMS is a list
	insmod "$2" $3 && eval "$4" >/dev/null && rmmod "$1"
}

# Every module the build made (*/*.ko, as 05-modinfo.t finds them); the
# parameters and the use where a module needs them.
found=0
for ko in */*.ko; do
	[ -e "$ko" ] || continue
	found=$((found + 1))
	name=${ko##*/}
	name=${name%.ko}
	case $name in
	lkm2 | lkm4) params="pid=$target" ;;
	lkm3) params="pid=$target vaddr=0x1000" ;;
	*) params= ;;
	esac
	case $name in
	physmem) use=2_I/physpoke ;;
	reparent) use=": </dev/reparent" ;;
	hello_procfs | get_pgfaults) use="cat /proc/$name" ;;
	*) use=true ;;
	esac
	ok=0
	for _ in $(seq "$cycles"); do
		cycle "$name" "$ko" "$params" "$use" && ok=$((ok + 1))
	done
	tap_is "$ok" "$cycles" "$name: $cycles load, use and unload cycles"
	tap_run "  ... and $name is gone" test ! -e "/sys/module/$name"
done
tap_run "the modules were there to cycle ($found)" test "$found" -gt 0
kill "$target"
wait 2>/dev/null
tap_run "no device or /proc entry is left" \
	sh -c '! ls /dev/physmem /dev/reparent /proc/hello_procfs /proc/get_pgfaults 2>/dev/null | grep .'
tap_done
