#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel log is a test: decide whether a guest kernel log holds a
# kernel report (an Oops, BUG, WARNING, KASAN, UBSAN, lockdep or kmemleak
# report, a panic, or any other stack dump).
#
#   vm/judge.sh LOG    exit 0 when LOG is clean; else print the first report
#                      with its context to stderr and exit 1
#
# vm/run.sh runs it on every guest's log; it is a file of its own so that
# it can be tried on sample logs.

set -euo pipefail

log=${1:?usage: vm/judge.sh LOG}

# One place decides what counts as a kernel report in a guest log.
report_re='Oops|BUG:|WARNING:|general protection|KASAN|UBSAN|'
report_re+='possible circular locking|possible recursive locking|'
report_re+='inconsistent lock state|suspicious RCU usage|'
report_re+='kmemleak: .*new suspected memory leak|unreferenced object|'
report_re+='Kernel panic|Call Trace:'
# The stack an allocation-failure warning prints (warn_alloc(): "page
# allocation failure", "vmalloc error") is not a report: failing
# allocations on purpose is what tests/85-faults.t does.  Any other
# "Call Trace:" is one.
first=$(awk -v re="$report_re" '
	/page allocation failure: order:|vmalloc error: size/ { excused = 1 }
	/Call Trace:/ && excused { excused = 0; next }
	$0 ~ re { print NR; exit }' "$log")
[ -z "$first" ] && exit 0
printf '\nkernelpeek: the guest kernel reported a problem (full log: %s):\n' \
	"$log" >&2
sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$log" >&2
exit 1
