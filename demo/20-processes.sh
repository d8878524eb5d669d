# shellcheck shell=sh
# Stop: 1/lkm1.ko and 1/lkm2.ko, tasks and their states.
section "1/lkm1.ko: the tasks that are running or waiting for a CPU"
explain "We start two busy programs (one with 2 spinning threads) and one that" \
	"sleeps.  lkm1 walks the kernel's task list and logs every thread whose" \
	"state is TASK_RUNNING: on a CPU now, or runnable in a run queue."
tests/busy 2 >/tmp/busy2.out &
tests/busy 1 >/tmp/busy1.out &
sleep 1000 &
sleeper=$!
# Each busy prints "ready" once all its threads spin; the sleeper sleeps.
wait_line /tmp/busy2.out ready && wait_line /tmp/busy1.out ready &&
	wait_state "$sleeper" S
kshow insmod 1/lkm1.ko
explain "ps shows the same: R for the busy threads (and ps itself), S for sleep:"
show_ok "ps -T -o pid,stat,comm | grep -E 'PID|busy|sleep|ps'"
kshow rmmod lkm1
explain "kpeek does all of that in one command: it loads lkm1, reads its lines" \
	"from /dev/kmsg, unloads it, and prints the answer as a table:"
show_ok kpeek runnable
killall busy sleep

section "1/lkm2.ko: the children of a process, and their states"
explain "tests/family forks five children and puts them in known states:" \
	"sleeping (S), stopped by SIGSTOP (T), exited but not reaped (Z)," \
	"spinning (R), and one more sleeper forked by a second thread."
tests/family >/tmp/family.out &
family=$!
# It prints "ready" once every child is in its state.
wait_line /tmp/family.out ready
kshow insmod 1/lkm2.ko pid=$family
explain "ps agrees (busybox ps lists threads too; the parent is $family):"
show_ok "ps -o pid,ppid,stat,comm | awk 'NR == 1 || \$2 == $family'"
kshow rmmod lkm2
explain "The same answer from kpeek, as a table and as JSON for scripts:"
show_ok kpeek children $family
show_ok kpeek --json children $family
kill $family
explain "Bad input is refused with an errno and a log line, and nothing stays" \
	"loaded.  (busybox's insmod words some errnos oddly, so tests/modload," \
	"a minimal insmod, shows the errno itself.)"
kshow "tests/modload 1/lkm2.ko pid=4000000 || true"
kshow "tests/modload 1/lkm2.ko || true"
