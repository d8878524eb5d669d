#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 1/lkm4.ko against /proc at every stage of 1/memstages: physical_kb is
# smaps_rollup's Rss plus its hugetlb, virtual_kb is status' VmSize, and
# with detail=1 each VMA's pair is its Size and Rss in smaps; the
# stage-to-stage changes match what memstages did.  Then detail=1's shape,
# and the bad inputs.
. tests/lib/tap.sh
. tests/lib/proc.sh

# lkm4_lines PID [detail=1]: lkm4's log lines for PID.
lkm4_lines() {
	_pid=$1
	shift
	klog_mark
	insmod 1/lkm4.ko pid="$_pid" "$@" && rmmod lkm4
	klog_since | grep ' lkm4: '
}

# The smaps fields lkm4 logs after physical_kb, on each line (docs/lkm4.md;
# tests/44-lkm4-share.t checks their values).
SMAPS_RE=$(printf ' %s=[0-9]+' pss_kb pss_anon_kb pss_file_kb pss_shmem_kb \
	shared_clean_kb shared_dirty_kb private_clean_kb private_dirty_kb \
	anonymous_kb swap_kb swap_pss_kb uss_kb)

field() {
	printf '%s\n' "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p" | tail -n 1
}

# detail=1 PID: one line per VMA of /proc/PID/maps, adding up to the
# totals, with the VMAs memstages has at stage 4.
check_detail() {
	out=$(lkm4_lines "$1" detail=1)
	vmas=$(printf '%s\n' "$out" | grep -c ' lkm4: vma ')
	# maps also shows the [vsyscall] gate page on kernels that have one;
	# it is not a VMA of the process (get_gate_vma()) nor in VmSize.
	tap_is "$vmas" "$(grep -cv ' \[vsyscall\]$' "/proc/$1/maps")" \
		"detail=1: one line per VMA in /proc/PID/maps"
	sums=$(printf '%s\n' "$out" | grep ' lkm4: vma ' |
		sed -E "s/.* virtual_kb=([0-9]+) physical_kb=([0-9]+)$SMAPS_RE\$/\\1 \\2/" |
		awk '{ v += $1; p += $2 } END { print v, p }')
	tap_is "$sums" "$(field "$out" virtual_kb) $(field "$out" physical_kb)" \
		"detail=1: the VMA lines add up to the totals"
	tap_like "$out" "perms=rw-p backing=anon virtual_kb=65536 physical_kb=65536$SMAPS_RE\$" \
		"detail=1: the written 64 MiB mapping: anon, all of it resident"
	tap_like "$out" "perms=r-xp backing=file:/kp/1/memstages virtual_kb=" \
		"detail=1: the program's text is r-xp, backed by its file"
	tap_like "$out" "perms=rw-p backing=\[stack\] " "detail=1: the stack is named"
	tap_like "$out" "perms=rw-p backing=\[heap\] " "detail=1: the heap is named"
	tap_like "$out" "backing=\[vdso\] " "detail=1: the vDSO is named"
}

# vmas_lkm4 PID: "START VIRTUAL_KB PHYSICAL_KB" for each VMA lkm4
# detail=1 lists (START in hex, no leading zeros), sorted.
vmas_lkm4() {
	lkm4_lines "$1" detail=1 |
		sed -nE "s/.* lkm4: vma start=0x0*([0-9a-f]+) .* virtual_kb=([0-9]+) physical_kb=([0-9]+)$SMAPS_RE\$/\\1 \\2 \\3/p" |
		sort
}

# vmas_smaps PID: the same from /proc/PID/smaps: Size, and Rss plus the
# hugetlb pages (Rss leaves them out, lkm4 counts them).  [vsyscall] is
# not a VMA of the process.
vmas_smaps() {
	awk '
	function out() { if (s != "") print s, size, rss + hp + hs }
	/^[0-9a-f]+-[0-9a-f]+ / {
		out()
		split($1, a, "-")
		s = a[1]
		sub(/^0+/, "", s)
		if ($NF == "[vsyscall]")
			s = ""
		size = rss = hp = hs = 0
		next
	}
	$1 == "Size:" { size = $2 }
	$1 == "Rss:" { rss = $2 }
	$1 == "Private_Hugetlb:" { hp = $2 }
	$1 == "Shared_Hugetlb:" { hs = $2 }
	END { out() }' "/proc/$1/smaps" | sort
}

# same_lines NAME GOT WANT: the files GOT and WANT hold the same lines.
same_lines() {
	if [ -s "$3" ] && [ "$(cat "$2")" = "$(cat "$3")" ]; then
		tap_pass "$1"
	else
		tap_fail "$1" "lines got but not wanted:" "$(grep -vxF -f "$3" "$2")" \
			"lines wanted but not got:" "$(grep -vxF -f "$2" "$3")"
	fi
}

# check_vmas PID STAGE: detail=1's VMA lines are smaps', one for one.
check_vmas() {
	vmas_lkm4 "$1" >/tmp/vmas.lkm4
	vmas_smaps "$1" >/tmp/vmas.smaps
	same_lines "stage $2: detail=1's $(wc -l </tmp/vmas.smaps) VMAs have smaps' Size and Rss (+ hugetlb), as START VIRTUAL_KB PHYSICAL_KB" \
		/tmp/vmas.lkm4 /tmp/vmas.smaps
	rm -f /tmp/vmas.lkm4 /tmp/vmas.smaps
}

mkfifo /tmp/memstages.in
1/memstages 64 </tmp/memstages.in >/tmp/memstages.out &
ms=$!
exec 5>/tmp/memstages.in

for stage in 1 2 3 4 5 6; do
	wait_line /tmp/memstages.out "^stage $stage:" ||
		tap_fail "memstages reached stage $stage"
	out=$(lkm4_lines "$ms")
	virt=$(field "$out" virtual_kb)
	phys=$(field "$out" physical_kb)
	s=/proc/$ms/smaps_rollup
	tap_is "$phys" "$(rollup_kb "$ms")" "stage $stage: physical_kb = smaps_rollup Rss (+ hugetlb)"
	tap_is "$virt" "$(kb "/proc/$ms/status" VmSize)" "stage $stage: virtual_kb = status VmSize"
	tap_like "$out" "lkm4: pid=$ms virtual_kb=[0-9]+ physical_kb=[0-9]+$SMAPS_RE walk_ns=[0-9]+\$" \
		"stage $stage: the report line has all its fields, walk_ns last"
	check_vmas "$ms" "$stage"
	[ "$stage" -eq 4 ] && check_detail "$ms"
	[ "$stage" -eq 5 ] && thp=$(kb "$s" AnonHugePages)
	eval "virt$stage=\$virt phys$stage=\$phys"
	echo >&5
done
exec 5>&-
wait "$ms"
rm -f /tmp/memstages.in /tmp/memstages.out

# in_range WHAT VALUE LOW HIGH
in_range() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		tap_pass "$1 ($2 kB)"
	else
		tap_fail "$1" "got $2 kB, expected $3 to $4 kB"
	fi
}
# shellcheck disable=SC2154 # virtN and physN are set by the eval above
{
	tap_is $((virt2 - virt1)) 65536 "stage 2: virtual grows by the 64 MiB mapped"
	in_range "stage 2: physical barely moves" $((phys2 - phys1)) -64 64
	in_range "stage 3: physical grows by 32 MiB" $((phys3 - phys2)) 32768 32832
	in_range "stage 4: physical grows by 32 MiB more" $((phys4 - phys3)) 32768 32832
	tap_is $((virt5 - virt4)) 10240 "stage 5: virtual grows by the 10 MiB mapped"
	in_range "stage 5: physical grows by the 8 MiB of huge pages" $((phys5 - phys4)) 8192 8256
	in_range "stage 5: smaps_rollup counts them as AnonHugePages" "$thp" 8192 8192
	tap_is "$virt6" "$virt1" "stage 6: virtual is back to the baseline"
	in_range "stage 6: physical is back near the baseline" $((phys6 - phys1)) -64 64
}

# names_lkm4 LINES: "START NAME" for each VMA line of lkm4's detail=1, the
# name as maps has it: file: dropped, nothing for plain anon.
names_lkm4() {
	printf '%s\n' "$1" |
		sed -nE "s/.* lkm4: vma start=0x0*([0-9a-f]+) .* backing=(.*) virtual_kb=[0-9]+ physical_kb=[0-9]+$SMAPS_RE\$/\\1 \\2/p" |
		sed -E 's/^([0-9a-f]+) file:/\1 /; s/^([0-9a-f]+) anon$/\1 /' | sort
}

# names_maps PID: "START NAME" for each line of /proc/PID/maps.
names_maps() {
	sed -nE 's/^0*([0-9a-f]+)-[0-9a-f]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+ *(.*)$/\1 \2/p' \
		"/proc/$1/maps" | grep -v ' \[vsyscall\]$' | sort
}

# A process with odd memory: a named anonymous VMA, a VMA right at the
# program break (6.1's maps calls it [heap], 6.12's does not), a file
# whose name holds a newline and a backslash, a poisoned page, and 1 TiB
# of address space with a PTE table for every 2 MiB of its first 128 GiB.
oddfile=$(printf '/tmp/kp\nlkm4: forged\134n')
odd_start anon=kp-named brk "file=$oddfile" hwpoison sparse=128

# lkm4 walks the 65536 PTE tables without holding the CPU: a real-time
# thread on the same CPU gets it back within a small part of the walk
# (tests/latency).  Without cond_resched() it would wait for the whole
# walk, and a terabyte of them would be a soft lockup: watchdog_thresh=1
# makes that 2 s, and both this test and the VM's judge of the kernel log
# would report one.
thresh=$(cat /proc/sys/kernel/watchdog_thresh)
echo 1 >/proc/sys/kernel/watchdog_thresh
klog_mark
lat=$(tests/latency 0 insmod 1/lkm4.ko pid="$odd_pid")
tap_is "$?" 0 "lkm4 on a process with 1 TiB of sparse memory"
rmmod lkm4
log=$(klog_since)
echo "$thresh" >/proc/sys/kernel/watchdog_thresh
lat=${lat#max_latency_us=}
walk=$(field "$log" walk_ns)
tap_diag "walk_ns=$walk; a real-time thread on that CPU waited at most $lat us"
if [ "${walk:-0}" -lt 50000000 ]; then
	tap_skip "the walk took less than 50 ms: too short to tell" \
		"  ... and gives the CPU away during the walk"
elif [ "$((lat * 1000))" -lt "$((walk / 3))" ]; then
	tap_pass "  ... and gives the CPU away during the walk (waited $lat us of $((walk / 1000)) us)"
else
	tap_fail "  ... and gives the CPU away during the walk" \
		"got: a real-time thread waited $lat us" \
		"wanted: under a third of the walk, $((walk / 3000)) us"
fi
tap_unlike "$log" 'soft lockup|rcu_.*stall|detected stall' \
	"  ... and the kernel reports no soft lockup or RCU stall"

# detail=1: every VMA named as maps names it, the totals as /proc's.
klog_mark
insmod 1/lkm4.ko pid="$odd_pid" detail=1 && rmmod lkm4
log=$(klog_since)
out=$(printf '%s\n' "$log" | grep ' lkm4: ')
tap_is "$(field "$out" physical_kb)" "$(rollup_kb "$odd_pid")" \
	"  ... physical_kb = smaps_rollup Rss (the poisoned page too)"
tap_is "$(field "$out" virtual_kb)" "$(kb "/proc/$odd_pid/status" VmSize)" \
	"  ... virtual_kb = status VmSize"
file=$(odd_value file)
names_lkm4 "$out" | grep -v "^${file#0x} " >/tmp/names.lkm4
names_maps "$odd_pid" | grep -v "^${file#0x} " >/tmp/names.maps
same_lines "  ... every VMA is named as in /proc/PID/maps, as START NAME" \
	/tmp/names.lkm4 /tmp/names.maps
rm -f /tmp/names.lkm4 /tmp/names.maps
tap_like "$out" "start=$file "'.* backing=file:/tmp/kp\\nlkm4: forged\\\\n virtual_kb=' \
	"  ... the file named '/tmp/kp<newline>lkm4: forged<backslash>n' is escaped"
tap_unlike "$log" '(^|\] )lkm4: forged' "  ... and forges no log line"
anon=$(odd_value anon)
if [ "$anon" = EINVAL ]; then
	tap_skip "no CONFIG_ANON_VMA_NAME in this kernel" \
		"  ... the named VMA is [anon:kp-named]"
else
	tap_like "$out" "start=$anon .* backing=\\[anon:kp-named\\] " \
		"  ... the named VMA is [anon:kp-named]"
fi
tap_diag "the VMA at the program break: $(grep "^$(odd_value brk | sed 's/^0x/0*/')-" "/proc/$odd_pid/maps")"
[ "$(odd_value hwpoison)" = EINVAL ] &&
	tap_diag "no CONFIG_MEMORY_FAILURE: no poisoned page"
odd_stop
rm -f "$oddfile"

bad() {
	klog_mark
	tap_fails_with "lkm4 $1: $2" "$2" tests/modload 1/lkm4.ko "$1"
	tap_like "$(klog_since)" "$3" "  ... and the log says: $3"
	tap_run "  ... and lkm4 is not loaded" test ! -e /sys/module/lkm4
}
bad "pid=0" "Invalid argument" "lkm4: pid=0 is not valid"
bad "pid=4000000" "No such process" "lkm4: no process with pid 4000000"
bad "pid=2" "Invalid argument" "lkm4: pid 2 \(kthreadd\) has no user address space"
tap_done
