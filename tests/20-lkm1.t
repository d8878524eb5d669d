#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 1/lkm1.ko: the running and runnable tasks, against /proc.
. tests/lib/tap.sh
. tests/lib/proc.sh

# Three busy processes, one process with two busy threads, and two that
# block: one in nanosleep, one in read from a pipe.
pids=
for n in 1 1 1 2; do
	tests/busy "$n" >"/tmp/busy.$n.$$" &
	pids="$pids $!"
	wait_line "/tmp/busy.$n.$$" '^ready$'
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

# In a new pid namespace, insmod is PID 1 and sees only itself.
klog_mark
tap_run "insmod lkm1.ko in a new pid namespace" unshare -p -f insmod 1/lkm1.ko
log=$(klog_since | grep ' lkm1: ')
rmmod lkm1
tap_like "$log" "lkm1: pid=1 tid=1 comm=insmod cpu=[0-9]+$" \
	"in it, insmod is pid 1"
tap_like "$log" "lkm1: runnable=1 threads=1$" \
	"in it, no task of the parent namespace is listed"

# shellcheck disable=SC2086 # a list of PIDs
kill $pids "$sleeper"
exec 4>&- # EOF for the reader
wait 2>/dev/null
rm -f /tmp/busy.*.$$ /tmp/fifo.$$
tap_done
