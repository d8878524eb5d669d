#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 1/lkm2.ko: the children of a process and their states, against /proc.
. tests/lib/tap.sh
. tests/lib/proc.sh

# lkm2_report PID: load lkm2 for PID and print its log lines.
lkm2_report() {
	klog_mark
	insmod 1/lkm2.ko pid="$1" && rmmod lkm2
	klog_since | grep ' lkm2: '
}

# children_seen REPORT: "PID STATE" for each child line, sorted.
children_seen() {
	printf '%s\n' "$1" |
		sed -nE 's/.* lkm2: pid=([0-9]+) comm=.* state=(.)$/\1 \2/p' |
		sort -n
}

family_start

report=$(lkm2_report "$family")
seen=$(children_seen "$report")
truth=$(for c in $(children_of "$family"); do
	echo "$c $(stat_field "$c" 3)"
done)
tap_is "$(echo "$seen" | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(echo "$truth" | cut -d' ' -f1 | tr '\n' ' ')" \
	"the children are exactly the processes whose ppid is $family"
tap_is "$seen" "$truth" "each child's state letter is the one /proc shows"
tap_is "$(echo "$seen" | cut -d' ' -f2 | sort | tr -d '\n')" "RSSTZ" \
	"the family has children in states R, S (two), T and Z"
tap_like "$seen" "^$kid_thread S$" "the child forked by a second thread is listed"
tap_like "$report" "lkm2: parent pid=$family comm=family$" "the report names the parent"
tap_like "$report" "lkm2: pid=$family children=5$" "the summary counts 5 children"
kill "$family"
wait 2>/dev/null
# Its children die too (PR_SET_PDEATHSIG) and init reaps them.
wait_gone "$kid_S" "$kid_T" "$kid_Z" "$kid_R" "$kid_thread" ||
	tap_diag "the family's children were not reaped in time"

sleep 1000 &
lonely=$!
tap_like "$(lkm2_report "$lonely")" "lkm2: pid=$lonely children=0$" \
	"a process without children: children=0"
kill "$lonely"
wait "$lonely" 2>/dev/null

# Task names are escaped (\n, \\), as lkm1 does it.
odd_start "comm=$(printf 'b\nlkm2: fake\134')"
report=$(lkm2_report "$odd_pid")
odd_stop
tap_like "$report" "lkm2: parent pid=$odd_pid "'comm=b\\nlkm2: fake\\\\$' \
	"a parent named 'b<newline>lkm2: fake<backslash>' is logged escaped"
tap_unlike "$report" '(^|\] )lkm2: fake' "  ... and forges no log line"

oneline() {
	printf '%s\n' "$1" | tr '\n' ' '
}

# init and kthreadd: their children come and go, so compare with /proc
# read just before and just after the module: every child in both must be
# listed, and every listed one must be in either.
for p in 1 2; do
	children_of "$p" >/tmp/before.$$
	children_seen "$(lkm2_report "$p")" | cut -d' ' -f1 >/tmp/seen.$$
	children_of "$p" >/tmp/after.$$
	missing=$(sort -n /tmp/before.$$ /tmp/after.$$ | uniq -d |
		grep -vxF -f /tmp/seen.$$)
	extra=$(grep -vxF -f /tmp/before.$$ -f /tmp/after.$$ /tmp/seen.$$)
	n=$(wc -l </tmp/seen.$$)
	if [ -s /tmp/before.$$ ] && [ -s /tmp/seen.$$ ] && [ -z "$missing" ] &&
		[ -z "$extra" ]; then
		tap_pass "pid=$p: the children match /proc ($n of them)"
	else
		tap_fail "pid=$p: the children match /proc" \
			"missing: $(oneline "$missing")" "extra: $(oneline "$extra")" \
			"before: $(oneline "$(cat /tmp/before.$$)")" \
			"listed: $(oneline "$(cat /tmp/seen.$$)")" \
			"after: $(oneline "$(cat /tmp/after.$$)")"
	fi
done
rm -f /tmp/before.$$ /tmp/seen.$$ /tmp/after.$$

# Bad input: the right errno, a log line, and no module left loaded.
bad() {
	klog_mark
	# shellcheck disable=SC2086 # $1 is zero or one parameter
	tap_fails_with "lkm2 ${1:-without pid=}: $2" "$2" tests/modload 1/lkm2.ko $1
	tap_like "$(klog_since)" "$3" "  ... and the log says: $3"
	tap_run "  ... and lkm2 is not loaded" test ! -e /sys/module/lkm2
}
bad "" "Invalid argument" "lkm2: pid=0 is not valid"
bad "pid=0" "Invalid argument" "lkm2: pid=0 is not valid"
bad "pid=-1" "Invalid argument" "lkm2: pid=-1 is not valid"
bad "pid=abc" "Invalid argument" "invalid for parameter .pid"
bad "pid=4000000" "No such process" "lkm2: no process with pid 4000000 in this pid namespace"
# In a new pid namespace insmod is PID 1 and sees nothing else: the
# guest's kthreadd, PID 2 outside, does not exist there.
klog_mark
tap_fails_with "in a new pid namespace, pid=2 (outside it) is ESRCH" \
	"No such process" unshare -p -f tests/modload 1/lkm2.ko pid=2
tap_run "  ... and lkm2 is not loaded" test ! -e /sys/module/lkm2

rm -f /tmp/family.$$
tap_done
