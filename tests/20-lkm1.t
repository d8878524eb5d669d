#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 1/lkm1.ko: the running and runnable tasks, against /proc.
. tests/lib/tap.sh
. tests/lib/proc.sh

# Three busy processes, one process with two busy threads, and two that
# block: one in nanosleep, one in read from a pipe.
# Each writes "ready" to a file of its own: with one file per thread
# count, the third waited for the first's line, maybe before its exec.
pids='' i=0
for n in 1 1 1 2; do
	i=$((i + 1))
	tests/busy "$n" >"/tmp/busy.$i.$$" &
	pids="$pids $!"
	wait_line "/tmp/busy.$i.$$" '^ready$'
done
sleep 1000 &
sleeper=$!
mkfifo /tmp/fifo.$$
cat /tmp/fifo.$$ &
reader=$!
exec 4>/tmp/fifo.$$ # now cat's open returns, and it blocks in read
wait_state "$sleeper" S && wait_state "$reader" S

klog_mark
tap_run "insmod lkm1.ko" insmod 1/lkm1.ko
log=$(klog_since | grep ' lkm1: ')
tap_run "rmmod lkm1" rmmod lkm1

for p in $pids; do
	for task in /proc/"$p"/task/*; do
		tid=${task##*/}
		tap_like "$log" "lkm1: pid=$p tid=$tid comm=busy cpu=[0-9]+$" \
			"busy thread $p/$tid is listed, with its process and a CPU"
	done
done
tap_like "$log" "lkm1: pid=[0-9]+ tid=[0-9]+ comm=insmod cpu=[0-9]+$" \
	"the insmod running the module is listed"
tap_unlike "$log" "lkm1: pid=$sleeper " "a process blocked in nanosleep is not listed"
tap_unlike "$log" "lkm1: pid=$reader " "a process blocked in read is not listed"
lines=$(printf '%s\n' "$log" | grep -c ' tid=')
tap_like "$log" "lkm1: runnable=$lines threads=[0-9]+$" \
	"the summary counts the $lines listed tasks"

# threads= counts every task of our pid namespace, running or not: what
# /proc shows as /proc/PID/task/TID, plus the insmod that runs the module.
# Count just before and just after; if a task came or went meanwhile (a
# kernel worker), the count is not known: try again, up to 5 times.
try=0
while [ "$try" -lt 5 ]; do
	try=$((try + 1))
	count_threads
	before=$nthreads
	klog_mark
	insmod 1/lkm1.ko && rmmod lkm1
	count_threads
	threads=$(klog_since | sed -n 's/.* lkm1: runnable=[0-9]* threads=\([0-9]*\)$/\1/p')
	[ "$nthreads" -eq "$before" ] && break
	tap_diag "attempt $try: /proc went from $before to $nthreads threads during the load"
done
if [ "$nthreads" -ne "$before" ]; then
	tap_fail "threads= is the number of threads in /proc, plus insmod" \
		"/proc never held still over a load in $try attempts"
else
	tap_is "$threads" $((before + 1)) \
		"threads= is the number of threads in /proc ($before), plus insmod"
fi

# In a new pid namespace, insmod is PID 1 and sees only itself.
klog_mark
tap_run "insmod lkm1.ko in a new pid namespace" unshare -p -f insmod 1/lkm1.ko
log=$(klog_since | grep ' lkm1: ')
rmmod lkm1
tap_like "$log" "lkm1: pid=1 tid=1 comm=insmod cpu=[0-9]+$" \
	"in it, insmod is pid 1"
tap_like "$log" "lkm1: runnable=1 threads=1$" \
	"in it, no task of the parent namespace is listed"

# Task names are escaped (\n, \\): a name with a newline in it cannot
# forge a log line.
odd_start spin "comm=$(printf 'a\nlkm1: fake\134')"
klog_mark
insmod 1/lkm1.ko && rmmod lkm1
log=$(klog_since)
odd_stop
tap_like "$log" "lkm1: pid=$odd_pid tid=$odd_pid "'comm=a\\nlkm1: fake\\\\ cpu=[0-9]+$' \
	"a task named 'a<newline>lkm1: fake<backslash>' is logged escaped"
tap_unlike "$log" '(^|\] )lkm1: fake' "  ... and forges no log line"

# shellcheck disable=SC2086 # a list of PIDs
kill $pids "$sleeper"
exec 4>&- # EOF for the reader
wait 2>/dev/null
rm -f /tmp/busy.*.$$ /tmp/fifo.$$
tap_done
