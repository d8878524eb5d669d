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

for m in "hello 1/hello.ko" "lkm1 1/lkm1.ko" "lkm2 1/lkm2.ko pid=$target" \
	"lkm3 1/lkm3.ko pid=$target vaddr=0x1000" "lkm4 1/lkm4.ko pid=$target" \
	"physmem 2_I/physmem.ko" "reparent 2_II/reparent.ko" \
	"hello_procfs 3/hello_procfs.ko" "get_pgfaults 3/get_pgfaults.ko"; do
	# shellcheck disable=SC2086 # split "NAME KO PARAMS"
	set -- $m
	name=$1 ko=$2
	shift 2
	case $name in
	physmem) use=2_I/physpoke ;;
	reparent) use=": </dev/reparent" ;;
	hello_procfs) use="cat /proc/hello_procfs" ;;
	get_pgfaults) use="cat /proc/get_pgfaults" ;;
	*) use=true ;;
	esac
	ok=0
	for _ in $(seq "$cycles"); do
		cycle "$name" "$ko" "$*" "$use" && ok=$((ok + 1))
	done
	tap_is "$ok" "$cycles" "$name: $cycles load, use and unload cycles"
	tap_run "  ... and $name is gone" test ! -e "/sys/module/$name"
done
kill "$target"
wait 2>/dev/null
tap_run "no device or /proc entry is left" \
	sh -c '! ls /dev/physmem /dev/reparent /proc/hello_procfs /proc/get_pgfaults 2>/dev/null | grep .'
tap_done
