#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lkm3 and lkm4 query, 200 times, a process that maps, writes and unmaps
# memory without pause on the other CPU.  Every query must get an answer
# (any answer: the memory changes under it) and the kernel log must stay
# clean (vm/run.sh checks it).
. tests/lib/tap.sh
. tests/lib/proc.sh

tests/churn >/tmp/churn.$$ &
churn=$!
wait_line /tmp/churn.$$ '^ready 0x'
base=$(sed -n 's/^ready //p' /tmp/churn.$$)
huge=$(printf '0x%x' $((base + 6 * 1024 * 1024 + 12345)))

ok3=0 ok4=0
for i in $(seq 200); do
	if [ $((i % 2)) -eq 0 ]; then addr=$base; else addr=$huge; fi
	insmod 1/lkm3.ko pid="$churn" vaddr="$addr" && rmmod lkm3 && ok3=$((ok3 + 1))
	insmod 1/lkm4.ko pid="$churn" && rmmod lkm4 && ok4=$((ok4 + 1))
done
kill "$churn"
wait 2>/dev/null
rm -f /tmp/churn.$$
tap_is "$ok3" 200 "lkm3 answered 200 queries about churning memory"
tap_is "$ok4" 200 "lkm4 measured the churning process 200 times"
tap_like "$(dmesg | grep " lkm3: pid=$churn vaddr=$base " | sort -u -k4)" "paddr=|not mapped" \
	"  ... with answers such as a paddr or 'not mapped'"
tap_done
