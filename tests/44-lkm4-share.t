#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lkm4's smaps fields (pss_kb ... uss_kb) against /proc/PID/smaps_rollup
# (the summary line) and /proc/PID/smaps (each detail=1 VMA line, by its
# start address), on processes that share memory in every way smaps tells
# apart (tests/share): copy-on-write after fork, a shmem file and an ext4
# file mapped by two processes, transparent huge pages mapped by PMD and
# by PTEs, KSM, and swap shared after fork, with a shmem file partly in
# swap.  Every process waits in read() while it is looked at; smaps is
# read before and after lkm4, and all of it again once if /proc changed.
. tests/lib/tap.sh
. tests/lib/proc.sh
. tests/lib/swap.sh
. tests/lib/smaps.sh

# lkm4_lines PID: lkm4 detail=1's lines for PID, the same way.  For each
# VMA, "pss_kinds ok" if its pss_anon_kb, pss_file_kb and pss_shmem_kb
# are what smaps' Pss and Anonymous imply: all of Pss anonymous when all
# of the VMA's pages are (Anonymous = Rss: physical_kb), none when none
# is (then it is all file or all shmem: one file), else adding up to Pss
# less at most the 2 kB the three truncations lose.
lkm4_lines() {
	klog_mark
	insmod 1/lkm4.ko pid="$1" detail=1 && rmmod lkm4
	klog_since | awk -v pid="$1" '
	function kb(k) { return v[k] + 0 }
	function kinds(   a, f, s, p) {
		a = kb("pss_anon_kb"); f = kb("pss_file_kb"); s = kb("pss_shmem_kb")
		p = kb("pss_kb")
		if (kb("anonymous_kb") == kb("physical_kb"))
			return a == p && f == 0 && s == 0
		if (kb("anonymous_kb") == 0)
			return a == 0 && f + s == p && (f == 0 || s == 0)
		return a + f + s <= p && a + f + s >= p - 2
	}
	/ lkm4: (vma start=|pid=)/ {
		delete v
		# The fields after backing= (which may hold anything): from the end.
		for (i = NF; i > 0 && $i ~ /^[a-z_]+=[0-9]+$/; i--) {
			split($i, kv, "=")
			v[kv[1]] = kv[2]
		}
		if ($0 ~ / lkm4: vma start=/) {
			start = $0
			sub(/.* lkm4: vma start=0x0*/, "", start)
			sub(/ .*/, "", start)
			if (start == "")
				start = 0
			tag = "V " pid " " start
		} else {
			tag = "S " pid
		}
		for (k in v)
			if (k ~ /_kb$/ && k != "virtual_kb" && k != "physical_kb" &&
			    (tag ~ /^S/ || k !~ /^pss_(anon|file|shmem)_kb$/))
				print tag, k, v[k]
		if (tag ~ /^V/)
			print tag, "pss_kinds", kinds() ? "ok" : "differ: anon " \
				kb("pss_anon_kb") " file " kb("pss_file_kb") " shmem " \
				kb("pss_shmem_kb") " pss " kb("pss_kb")
	}' | sort
}

# snapshot PIDS...: /tmp/share.lkm4 and /tmp/share.smaps, smaps read
# before and after lkm4; once again if smaps changed meanwhile.
snapshot() {
	for _try in 1 2; do
		for _p; do smaps_lines "$_p"; done | sort >/tmp/share.before
		for _p; do lkm4_lines "$_p"; done | sort >/tmp/share.lkm4
		for _p; do smaps_lines "$_p"; done | sort >/tmp/share.smaps
		cmp -s /tmp/share.before /tmp/share.smaps && return 0
		tap_diag "smaps changed while lkm4 was loaded (try $_try):" \
			"$(diff /tmp/share.before /tmp/share.smaps | head -20)"
	done
}

# compare WHAT PIDS...: one check per field for the summary line, and one
# for every field of every VMA.
compare() {
	_what=$1
	shift
	snapshot "$@"
	for _f in $SMAPS_FIELDS; do
		_name=${_f%%:*}
		[ "$_name" = "$SMAPS_UNKNOWN" ] && continue
		_got=$(awk -v f="$_name" '$1 == "S" && $3 == f { printf "%s=%s ", $2, $4 }' /tmp/share.lkm4)
		_want=$(awk -v f="$_name" '$1 == "S" && $3 == f { printf "%s=%s ", $2, $4 }' /tmp/share.smaps)
		tap_is "$_got" "$_want" "$_what: $_name = smaps_rollup's ${_f#*:} (pid=kB for the $# processes)"
	done
	grep '^V ' /tmp/share.lkm4 | grep -v " ${SMAPS_UNKNOWN:-none} " >/tmp/share.vl
	grep '^V ' /tmp/share.smaps | grep -v " ${SMAPS_UNKNOWN:-none} " >/tmp/share.vs
	if [ -s /tmp/share.vs ] && cmp -s /tmp/share.vl /tmp/share.vs; then
		tap_pass "$_what: every field of each of the $(grep -c ' pss_kb ' /tmp/share.vs) VMAs is smaps'"
	else
		tap_fail "$_what: every field of every VMA is smaps'" \
			"got (lkm4), not wanted (smaps): PID START FIELD KB" \
			"$(grep -vxF -f /tmp/share.vs /tmp/share.vl | head -40)" \
			"wanted (smaps), not got (lkm4):" \
			"$(grep -vxF -f /tmp/share.vl /tmp/share.vs | head -40)"
	fi
	rm -f /tmp/share.before /tmp/share.vl /tmp/share.vs
}

# rollup PID KEY: a line of smaps_rollup, in kB.
rollup() {
	kb "/proc/$1/smaps_rollup" "$2"
}

# 1. Copy-on-write: a parent and 3 children, before and after 2 write.
share_start cow
# shellcheck disable=SC2086 # the PIDs, one word each
{
	compare "cow, 4 processes share 4 MiB" $share_pids
	share_next
	compare "cow, 2 children wrote 1 and 2 MiB" $share_pids
}
share_stop

# 2. A shmem file and an ext4 file, mapped by two processes.  The dirty
# file pages must stay dirty: no periodic writeback meanwhile.
wb=$(cat /proc/sys/vm/dirty_writeback_centisecs)
echo 0 >/proc/sys/vm/dirty_writeback_centisecs
share_start files "$KP_DISK"
# shellcheck disable=SC2086
compare "files, a memfd and an ext4 file in 2 processes" $share_pids
share_stop
echo "$wb" >/proc/sys/vm/dirty_writeback_centisecs

# 3. Transparent huge pages after fork: one mapped by its PMD, one by PTEs.
share_start thp
thp=$(rollup "$share_pid" AnonHugePages)
if [ "${thp:-0}" -lt 2048 ]; then
	tap_skip "no transparent huge page (AnonHugePages: ${thp:-none})" \
		"thp: the scenario"
else
	tap_pass "thp: smaps shows $thp kB of AnonHugePages (a PMD-mapped THP)"
	# shellcheck disable=SC2086
	{
		compare "thp, shared after fork" $share_pids
		share_next
		compare "thp, the child wrote a page of each" $share_pids
	}
fi
share_stop

# 4. KSM: identical pages merged by ksmd, which stops before the reads.
ksm=/sys/kernel/mm/ksm
if [ ! -e $ksm/run ]; then
	tap_skip "no CONFIG_KSM in this kernel" "ksm: the scenario"
else
	old="$(cat $ksm/run) $(cat $ksm/pages_to_scan) $(cat $ksm/sleep_millisecs)"
	base=$(cat $ksm/pages_sharing)
	share_start ksm
	echo 1000 >$ksm/pages_to_scan
	echo 10 >$ksm/sleep_millisecs
	echo 1 >$ksm/run
	i=0
	while [ $(($(cat $ksm/pages_sharing) - base)) -lt 200 ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo 0 >$ksm/run
	merged=$(($(cat $ksm/pages_sharing) - base))
	if [ "$merged" -ge 200 ]; then
		tap_pass "ksm: ksmd merged $merged pages"
		# shellcheck disable=SC2086
		compare "ksm, merged pages" $share_pids
	else
		tap_fail "ksm: ksmd merged 200 pages in 60 s" "merged: $merged"
	fi
	share_stop
	# shellcheck disable=SC2086 # the three numbers
	set -- $old
	echo "$2" >$ksm/pages_to_scan
	echo "$3" >$ksm/sleep_millisecs
	echo "$1" >$ksm/run
fi

# 5. Swap (zram): slots shared after fork, a child's own, a shmem file's.
if ! swap_on; then
	tap_fail "swap: a zram swap device" "$(cat /proc/swaps)"
else
	share_start swap
	sw=$(rollup "$share_pid" Swap)
	swpss=$(rollup "$share_pid" SwapPss)
	tap_diag "the parent: Swap ${sw:-?} kB, SwapPss ${swpss:-?} kB"
	if [ "${sw:-0}" -gt 1024 ] && [ "${swpss:-0}" -lt "$sw" ]; then
		tap_pass "swap: the parent has pages in swap, some shared (SwapPss < Swap)"
	else
		tap_fail "swap: the parent has pages in swap, some shared (SwapPss < Swap)" \
			"Swap: ${sw:-none} kB, SwapPss: ${swpss:-none} kB"
	fi
	# The private writable mapping of the shmem file: its pages in swap
	# are found where it maps nothing (smaps' check_shmem_swap).
	priv=$(awk '/^[0-9a-f]+-.* rw-p .*memfd:kp-share/ { m = 1; next }
		/^[0-9a-f]+-/ { m = 0 } m && $1 == "Swap:" { print $2 }' \
		"/proc/$share_pid/smaps")
	if [ "${priv:-0}" -gt 0 ]; then
		tap_pass "swap: the private mapping of the shmem file shows $priv kB of the file's swap"
	else
		tap_fail "swap: the private mapping of the shmem file shows the file's swap" \
			"Swap: ${priv:-none}" "$(cat "/proc/$share_pid/maps")"
	fi
	# shellcheck disable=SC2086
	compare "swap, shared after fork, and a shmem file's" $share_pids
	share_stop
	swap_off
fi

# 6. Entries smaps treats apart, in one process (tests/oddproc): a poisoned
# page (6.12 counts it Shared, 6.1 Private), a THP made PROT_NONE (6.1
# leaves it out, Rss too; 6.12 counts it), and the anonymous copy a write
# makes in a private mapping of /dev/mem (a raw PFN mapping: 6.1's smaps
# never walks it, 6.12's counts the copy).
odd_start hwpoison thpnone devmem
for w in hwpoison:"a poisoned page" thpnone:"a PROT_NONE THP" \
	devmem:"a written private page of /dev/mem"; do
	v=$(odd_value "${w%%:*}")
	case $v in
	0x*) tap_pass "odd: the process has ${w#*:} (at $v)" ;;
	*) tap_skip "$v: none here" "odd: the process has ${w#*:}" ;;
	esac
done
compare "odd, a poisoned page, a PROT_NONE THP, a PFN map's copy" "$odd_pid"
klog_mark
insmod 1/lkm4.ko pid="$odd_pid" && rmmod lkm4
tap_is "$(klog_since | sed -n 's/.* lkm4: pid=.* physical_kb=\([0-9]*\) .*/\1/p')" \
	"$(rollup_kb "$odd_pid")" "odd: physical_kb = smaps_rollup's Rss"
odd_stop
tap_done
