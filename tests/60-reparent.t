#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 2_II/reparent.ko (/dev/reparent), control_station, soldier and
# run_dr_doom.sh.
. tests/lib/tap.sh

klog_mark
tap_run "insmod reparent.ko (tasklist_lock found)" insmod 2_II/reparent.ko

# tasklist_lock is found without an indirect call into the kernel: on a
# kernel built for IBT (6.12) kallsyms_lookup_name's ENDBR is sealed, and
# calling it through a pointer would trap on a CPU that enforces IBT.
tap_like "$(klog_since)" "reparent: found tasklist_lock (by register_kprobe\(\)'s symbol lookup, with no call through a pointer|in the code of the functions that take it \(no CONFIG_KALLSYMS_ALL\))" \
	"reparent says how it found tasklist_lock"
tap_is "$(grep -c kallsyms_lookup_name 2_II/reparent.ko)" 0 \
	"reparent.ko does not even name kallsyms_lookup_name"
if [ -r /proc/kcore ]; then
	entry=$(tests/kbytes kallsyms_lookup_name 4 2>&1)
	case $entry in
	"f3 0f 1e fa") what="ENDBR64: not sealed" ;;
	"66 0f 1f 00") what="the seal poison: an indirect call here traps under IBT" ;;
	*) what="no ENDBR: a kernel built without IBT" ;;
	esac
	tap_diag "kallsyms_lookup_name begins with $entry ($what)"
	case $(uname -r) in
	6.12.*) tap_like "$entry" '^(f3 0f 1e fa|66 0f 1f 00)$' \
		"6.12 is built with IBT: kallsyms_lookup_name begins with ENDBR or its seal" ;;
	*) tap_like "$entry" '^[0-9a-f]{2}( [0-9a-f]{2}){3}$' \
		"kallsyms_lookup_name's first bytes are readable" ;;
	esac
else
	tap_skip "this kernel has no /proc/kcore" "kallsyms_lookup_name's first bytes"
fi
tap_is "$(stat -c '%F %a %U' /dev/reparent 2>&1)" "character special file 600 root" \
	"/dev/reparent appears by itself: a character device, 0600, root"
tap_prog tests/reparent
tap_prog tests/reparent chaos "${KP_STORM_SECONDS:-5}"
tap_like "$(klog_since)" "reparent: refused to make pid [0-9]+ a child of pid [0-9]+: it descends from the caller" \
	"a refusal is logged with its reason"

exec 3</dev/reparent
tap_fails_with "rmmod while a file is open: EWOULDBLOCK" \
	"Resource temporarily unavailable" rmmod reparent
exec 3<&-
tap_run "rmmod after close" rmmod reparent

# The real programs, through the seed's script.
out=$(sh 2_II/run_dr_doom.sh 3 2>&1)
tap_is "$?" 0 "run_dr_doom.sh 3 exits 0"
for pid in $(printf '%s\n' "$out" | sed -n 's/^\[soldier \([0-9]*\)\] reporting to control station [0-9]* (parent was [0-9]*)$/\1/p'); do
	tap_like "$out" "^\[control station\] soldier $pid terminated \(exit 0\)$" \
		"the station reports soldier $pid's end"
done
tap_is "$(printf '%s\n' "$out" | grep -c 'terminated (exit 0)')" 3 "  ... three soldiers in all"
tap_run "  ... and reparent is unloaded again" test ! -e /sys/module/reparent

# soldier's own refusals are explained.
insmod 2_II/reparent.ko
tap_fails_with "soldier toward PID 1 explains EPERM" "Operation not permitted (not allowed" \
	2_II/soldier 1
tap_fails_with "soldier with a bad argument" "soldier: station pid 'abc' is not a number" \
	2_II/soldier abc
rmmod reparent
tap_fails_with "soldier without the driver" "is reparent.ko loaded?" 2_II/soldier 1
tap_done
