#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 3/hello_procfs.ko and 3/get_pgfaults.ko: /proc files that behave like
# ordinary ones, with get_pgfaults' numbers checked against /proc/vmstat.
. tests/lib/tap.sh

for m in hello_procfs get_pgfaults; do
	tap_run "insmod $m.ko" insmod "3/$m.ko"
	tap_is "$(stat -c '%a %F' "/proc/$m" 2>&1)" "444 regular empty file" \
		"/proc/$m exists with mode 0444"
	tap_fails_with "a second insmod $m.ko fails with EEXIST (the module loader's refusal)" \
		"File exists" insmod "3/$m.ko"
done

# The module's own check that its /proc name is free (3/kp_proc.h): the
# loader refused the second hello_procfs.ko by its module name, before that
# check ran.  kp_procdup is hello_procfs's code under another module name,
# which the loader lets in.  The check must not depend on the caller's view
# of /proc: it must hold with /proc unmounted, or mounted subset=pid, in the
# caller's mount namespace.  A miss would WARN in proc_register(), which
# fails the run's kernel-log check.  (tests/modload, not busybox's insmod,
# which tries init_module() again after finit_module() fails.)
dup=tests/detectors/kp_procdup.ko
klog_mark
tap_fails_with "kp_procdup (hello_procfs under another name) fails with EEXIST" \
	"File exists" tests/modload "$dup"
tap_fails_with "  ... also with /proc unmounted, in a new mount namespace" "File exists" \
	unshare -m sh -c "umount /proc && ! test -e /proc/self && exec tests/modload $dup"
tap_fails_with "  ... also with /proc mounted subset=pid there" "File exists" \
	unshare -m sh -c "umount /proc && mount -t proc -o subset=pid proc /proc &&
		test -e /proc/self && ! test -e /proc/hello_procfs && exec tests/modload $dup"
tap_is "$(klog_since | grep -c 'kp_procdup: /proc/hello_procfs already exists, not loading$')" 3 \
	"  ... each time logging 'kp_procdup: /proc/hello_procfs already exists, not loading'"
tap_run "kp_procdup is not loaded" test ! -e /sys/module/kp_procdup

tap_prog tests/procfs

for m in hello_procfs get_pgfaults; do
	tap_run "rmmod $m" rmmod "$m"
	tap_run "/proc/$m is gone after rmmod" test ! -e "/proc/$m"
done

# reader N FILE: read FILE in a loop until /tmp/stop-readers exists and
# count the outcomes.  Allowed: the whole content; ENOENT at open (not
# loaded); EIO on a read after the entry was removed, with nothing or the
# whole content read before it (fs/proc/inode.c: proc_reg_read() fails once
# proc_remove() has run).  Anything else, partial content above all, is not.
# The first ENOENT and the first EIO also leave /tmp/seen.enoent and
# /tmp/seen.eio, for the loop below to know the races happened.
reader() {
	good=0 enoent=0 eio=0 other=0
	while [ ! -e /tmp/stop-readers ]; do
		if out=$(cat "$2" 2>"/tmp/reader.$1.err"); then
			case $(shape "$out") in
			"$want") good=$((good + 1)) ;;
			*)
				other=$((other + 1))
				echo "content: $out" >>"/tmp/reader.$1.other"
				;;
			esac
			continue
		fi
		err=$(cat "/tmp/reader.$1.err")
		case $err in
		*"No such file or directory"*)
			[ -z "$out" ] && enoent=$((enoent + 1)) &&
				{ [ -e /tmp/seen.enoent ] || : >/tmp/seen.enoent; }
			;;
		*"Input/output error"*)
			case $(shape "$out") in
			"" | "$want")
				eio=$((eio + 1))
				[ -e /tmp/seen.eio ] || : >/tmp/seen.eio
				;;
			*) false ;;
			esac
			;;
		*) false ;;
		esac || {
			other=$((other + 1))
			echo "read '$out', then: $err" >>"/tmp/reader.$1.other"
		}
	done
	echo "$good $enoent $eio $other" >"/tmp/reader.$1"
}

# Four readers while the module is unloaded and loaded: 50 times, for at
# least KP_STORM_SECONDS (make stress: minutes), and then until a reader
# has seen both ENOENT and EIO (at most a minute more): a race that never
# happened proves nothing.
for m in hello_procfs get_pgfaults; do
	rm -f /tmp/stop-readers /tmp/reader.* /tmp/seen.*
	insmod "3/$m.ko"
	# get_pgfaults' numbers change with every read: compare the shape.
	case $m in
	hello_procfs) shape() { printf '%s' "$1"; } ;;
	get_pgfaults) shape() { printf '%s' "$1" | sed 's/[0-9][0-9]*/N/g'; } ;;
	esac
	want=$(shape "$(cat "/proc/$m")")
	for i in 1 2 3 4; do
		reader "$i" "/proc/$m" &
	done
	cycles=0 failures=0
	end=$(($(date +%s) + ${KP_STORM_SECONDS:-5}))
	while now=$(date +%s) && { [ "$cycles" -lt 50 ] || [ "$now" -lt "$end" ] ||
		{ [ "$now" -lt $((end + 60)) ] &&
			! { [ -e /tmp/seen.enoent ] && [ -e /tmp/seen.eio ]; }; }; }; do
		cycles=$((cycles + 1))
		rmmod "$m" && insmod "3/$m.ko" || failures=$((failures + 1))
	done
	touch /tmp/stop-readers
	wait
	rmmod "$m"
	rm -f /tmp/seen.*
	tap_is "$failures" 0 "$m: $cycles unload/load cycles under 4 readers, none failed"
	sum=$(cat /tmp/reader.[1-4] | awk '{ for (i = 1; i <= 4; i++) s[i] += $i }
		END { print s[1], s[2], s[3], s[4] }')
	read -r good enoent eio other <<-EOF
	$sum
	EOF
	tap_diag "reads: $good whole, $enoent ENOENT, $eio EIO after removal"
	if [ "$good" -gt 0 ] && [ "$other" -eq 0 ]; then
		tap_pass "$m: every read gave the whole content, ENOENT or EIO"
	else
		tap_fail "$m: every read gave the whole content, ENOENT or EIO" \
			"$(cat /tmp/reader.*.other 2>/dev/null | sort | uniq -c | head)"
	fi
	if [ "$enoent" -gt 0 ] && [ "$eio" -gt 0 ]; then
		tap_pass "$m: the readers met both races, ENOENT and EIO"
	else
		tap_fail "$m: the readers met both races, ENOENT and EIO" \
			"got $enoent ENOENT and $eio EIO in $cycles cycles, wanted at least one of each"
	fi
done

tap_done
