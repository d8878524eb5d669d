# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# smaps' fields as lkm4 and kpeek name them, read from /proc/PID/smaps_rollup
# and /proc/PID/smaps, for tests/44-lkm4-share.t and tests/45-kpeek.t; and
# tests/share's processes, which share memory (44, 80-params.t).  Sourced
# after tap.sh and proc.sh.

# lkm4's fields, each with the smaps line it equals ("+": the sum).
SMAPS_FIELDS="pss_kb:Pss pss_anon_kb:Pss_Anon pss_file_kb:Pss_File
pss_shmem_kb:Pss_Shmem shared_clean_kb:Shared_Clean
shared_dirty_kb:Shared_Dirty private_clean_kb:Private_Clean
private_dirty_kb:Private_Dirty anonymous_kb:Anonymous swap_kb:Swap
swap_pss_kb:SwapPss uss_kb:Private_Clean+Private_Dirty"

# Without the swap areas in the symbol table (no CONFIG_KALLSYMS_ALL:
# Debian's arm64 kernel) lkm4 cannot read a slot's count and counts every
# slot once (docs/lkm4.md): swap_pss_kb is then not smaps' SwapPss where
# swap is shared, and 44-lkm4-share.t leaves it out of its comparisons.
SMAPS_UNKNOWN=
if ! grep -q ' swap_info$' /proc/kallsyms 2>/dev/null; then
	# shellcheck disable=SC2034 # read by tests/44-lkm4-share.t
	SMAPS_UNKNOWN=swap_pss_kb
	tap_diag "no swap_info in /proc/kallsyms: swap_pss_kb is not compared (lkm4 counts each swap slot once here, as it documents)"
fi

# smaps_lines PID: smaps_rollup and smaps of PID as "S PID FIELD KB" and
# "V PID START FIELD KB" lines, in lkm4's names.  smaps shows Pss_Anon,
# Pss_File and Pss_Shmem only in smaps_rollup; for a VMA the line
# "pss_kinds ok" stands for them (see lkm4_lines).  [vsyscall] is not a
# VMA of the process.
smaps_lines() {
	cat "/proc/$1/smaps_rollup" "/proc/$1/smaps" | awk -v pid="$1" -v fields="$SMAPS_FIELDS" '
	BEGIN { n = split(fields, f, /[ \n]+/) }
	function out(   i, kv, sum, k, j) {
		if (!seen || skip)
			return
		for (i = 1; i <= n; i++) {
			split(f[i], kv, ":")
			if (!rollup && kv[2] ~ /^Pss_(Anon|File|Shmem)$/)
				continue
			k = split(kv[2], parts, "+")
			sum = 0
			for (j = 1; j <= k; j++)
				sum += v[parts[j]]
			print (rollup ? "S " pid : "V " pid " " start), kv[1], sum
		}
		if (!rollup)
			print "V " pid " " start, "pss_kinds ok"
	}
	/^[0-9a-f]+-[0-9a-f]+ / {
		out()
		split($1, a, "-")
		start = a[1]
		sub(/^0+/, "", start)
		if (start == "")
			start = 0
		rollup = $NF == "[rollup]"
		skip = $NF == "[vsyscall]"
		seen = 1
		delete v
		next
	}
	/^[A-Za-z_]+: +[0-9]+ kB$/ { sub(/:$/, "", $1); v[$1] = $2 }
	END { out() }'
}

# smaps_json PID: smaps_rollup's fields as kpeek's JSON keys,
# "smaps":{"pss_kb":N,...}, and each VMA's from smaps, by start address,
# "vma_smaps":{"0xSTART":{...},...}: for tests/lib/kpeek_json.py.
smaps_json() {
	smaps_lines "$1" | awk '
	$1 == "S" { s = s sep "\"" $3 "\":" $4; sep = "," }
	$1 == "V" && $4 != "pss_kinds" {
		if (!($3 in v))
			order[++n] = $3
		v[$3] = v[$3] ($3 in got ? "," : "") "\"" $4 "\":" $5
		got[$3] = 1
	}
	END {
		printf "\"smaps\":{%s},\"vma_smaps\":{", s
		for (i = 1; i <= n; i++)
			printf "%s\"0x%s\":{%s}", (i > 1 ? "," : ""), order[i], v[order[i]]
		printf "}"
	}'
}

# share_start SCENARIO [DIR]: tests/share in the background, waiting at
# its first stage; share_pids are its processes, share_pid the parent.
share_start() {
	prog_start share 6 '^ready start$' tests/share "$@" ||
		tap_fail "tests/share $*: set up" "$(cat /tmp/share.out)"
	# shellcheck disable=SC2154 # set by prog_start (proc.sh)
	share_pid=$prog_pid
	# shellcheck disable=SC2034 # for the caller
	share_pids=$(sed -n 's/^pids //p' /tmp/share.out)
}

# share_next: on to the stage "written".
share_next() {
	echo >&6
	wait_line /tmp/share.out '^ready written$' ||
		tap_fail "tests/share: the stage 'written'" "$(cat /tmp/share.out)"
}

share_stop() {
	prog_stop share 6 "$share_pid"
	rm -f /tmp/share.lkm4 /tmp/share.smaps
}
