#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lkm1 and lkm2 loaded and unloaded KP_CYCLES times (30; 100 in make
# stress) while a process forks and reaps children without pause: the task
# list changes under the RCU walks.
# Each answer is checked against /proc, read just before and just after
# the load; the only differences allowed are the forker's short-lived
# children, at most two at a time.  Any kernel report fails the run
# (vm/run.sh checks the log).
. tests/lib/tap.sh
. tests/lib/proc.sh

# The forker: one child that stays (sleep), and pairs of /bin/true that
# come and go.
stop=/tmp/stop-forker.$$
(
	sleep 86400 &	# outlives the test, however slow the kernel
	echo "$!" >/tmp/forker-kid.$$
	while [ ! -e "$stop" ]; do
		/bin/true &
		a=$!
		/bin/true &
		wait "$a" "$!"
	done
	kill "$(cat /tmp/forker-kid.$$)"
) &
forker=$!
wait_line /tmp/forker-kid.$$ '^[0-9]+$'
kid=$(cat /tmp/forker-kid.$$)

# judge: read the round's lkm1 and lkm2 lines and /tmp/{before,after}.$$
# (the forker's children in /proc before and after lkm2's load); print
# "ok N" (N: short-lived children lkm2 listed) or what is wrong.
#  lkm1: runnable= counts its lines; threads= is /proc's count ($t0 before,
#        $t1 after) plus the insmod, give or take the forker's 2 children
#        and one kernel thread: a busy guest starts and ends kworkers
#        between our reads (seen: one more than the forker explains).
#  lkm2: the summary counts its lines; a child in /proc both before and
#        after is listed (the sleep child always); a listed child in
#        neither is a short-lived one (comm true, or sh before its exec).
judge() {
	awk -v t0="$t0" -v t1="$t1" -v forker="$forker" -v kid="$kid" \
		-v before="/tmp/before.$$" -v after="/tmp/after.$$" '
	BEGIN {
		while ((getline c <before) > 0) in_before[c] = 1
		while ((getline c <after) > 0) if (c in in_before) stays[c] = 1; else in_after[c] = 1
		low = (t0 < t1 ? t0 : t1) + 1 - 3
		high = (t0 > t1 ? t0 : t1) + 1 + 3
	}
	/ lkm1: pid=[0-9]+ tid=/ { tids++ }
	/ lkm1: runnable=/ {
		split($NF, th, "="); split($(NF - 1), ru, "=")
		runnable = ru[2]; threads = th[2]
	}
	/ lkm2: pid=[0-9]+ comm=.* state=.$/ {
		split($0, a, " lkm2: pid=")
		split(a[2], b, " ")
		pid = b[1]; comm = b[2]; sub(/^comm=/, "", comm)
		n++; listed[pid] = 1
		if (pid in in_before || pid in in_after || pid in stays) next
		if (comm == "true" || comm == "sh") transient++
		else bad = bad " unexplained child " pid " (" comm ")"
	}
	/ lkm2: pid=[0-9]+ children=/ { split($NF, ch, "="); children = ch[2] }
	END {
		if (runnable == "" || runnable != tids)
			bad = bad " lkm1 runnable=" runnable " for " tids " lines"
		if (threads == "" || threads < low || threads > high)
			bad = bad " lkm1 threads=" threads ", wanted " low ".." high \
			    " (/proc: " t0 " before, " t1 " after, + insmod, +-3)"
		for (c in stays)
			if (!(c in listed)) bad = bad " child " c " not listed"
		if (!(kid in listed)) bad = bad " the sleep child " kid " not listed"
		if (children == "" || children != n)
			bad = bad " lkm2 children=" children " for " n " lines"
		print bad == "" ? "ok " transient + 0 : bad
	}'
}

want=${KP_CYCLES:-30}
rounds=0 transient=0 why=
for i in $(seq "$want"); do
	count_threads
	t0=$nthreads
	klog_mark
	insmod 1/lkm1.ko && rmmod lkm1 || why="round $i: insmod or rmmod of lkm1 failed"
	count_threads
	t1=$nthreads
	children_of "$forker" >/tmp/before.$$
	insmod 1/lkm2.ko pid="$forker" && rmmod lkm2 || why="round $i: insmod or rmmod of lkm2 failed"
	children_of "$forker" >/tmp/after.$$
	[ -z "$why" ] || break
	verdict=$(klog_since | judge)
	case $verdict in
	"ok "*) transient=$((transient + ${verdict#ok })) ;;
	*)
		why="round $i:$verdict"
		break
		;;
	esac
	rounds=$i
done
touch "$stop"
wait
rm -f "$stop" /tmp/forker-kid.$$ /tmp/before.$$ /tmp/after.$$
if [ "$rounds" -eq "$want" ]; then
	tap_pass "$want rounds of lkm1 and lkm2 (pid=forker): every answer matches /proc"
else
	tap_fail "$want rounds of lkm1 and lkm2 (pid=forker): every answer matches /proc" "$why"
fi
tap_diag "lkm2 listed $transient short-lived children of the forker in all"
tap_run "no lkm module is left loaded" test ! -e /sys/module/lkm1 -a ! -e /sys/module/lkm2
tap_done
