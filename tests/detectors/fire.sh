#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make check-detectors": plant one fault with
# tests/detectors/kp_detect.ko and let the kernel report it.  The host
# (tests/detectors.sh) checks the run's status and the report in the log.
#
#	sh tests/detectors/fire.sh [FAULT]	FAULT: a kp_detect parameter;
#						none: load it with no fault
#
# The time-based detectors get short limits here, in this guest only:
# khungtaskd checks every hung_task_timeout_secs and reports a task seen
# blocked, without a switch, at two checks in a row, so with 1 s a task
# blocked for 10 s is reported after 1 to 2 s, leaving room for a slow
# emulated CPU.  The soft lockup detector reports a CPU that has not
# scheduled for 2 * watchdog_thresh seconds (kernel/watchdog.c): 2 s with
# watchdog_thresh=1, against 10 s of spinning.
. tests/lib/kmemleak.sh

fault=${1:-}
case $fault in
'') set -- ;;
hung)
	echo 1 >/proc/sys/kernel/hung_task_timeout_secs || exit
	set -- hung=10
	;;
softlockup)
	echo 1 >/proc/sys/kernel/watchdog_thresh || exit
	set -- softlockup=10
	;;
*) set -- "$fault=1" ;;
esac

insmod tests/detectors/kp_detect.ko "$@"
status=$?
echo "# insmod kp_detect.ko $*: status $status"
if [ "$fault" = leak ]; then
	kmemleak_check
	echo "# kmemleak_check: status $?"
fi
exit "$status"
