#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lkm1 and lkm2 loaded and unloaded 100 times while a process forks and
# reaps children without pause: the task list changes under the RCU walks.
# Any kernel report fails the run (vm/run.sh checks the log).
. tests/lib/tap.sh

stop=/tmp/stop-forker.$$
(while [ ! -e "$stop" ]; do
	/bin/true &
	/bin/true &
	wait
done) &
forker=$!

rounds=0
for i in $(seq 100); do
	if ! { insmod 1/lkm1.ko && rmmod lkm1 &&
		insmod 1/lkm2.ko pid="$forker" && rmmod lkm2; }; then
		break
	fi
	rounds=$i
done
touch "$stop"
wait
rm -f "$stop"
tap_is "$rounds" 100 "100 rounds of lkm1 and lkm2 (pid=forker) load and unload"
tap_run "no lkm module is left loaded" test ! -e /sys/module/lkm1 -a ! -e /sys/module/lkm2
tap_done
