#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel log is a test: decide whether a guest kernel log holds a
# kernel report (an Oops, BUG, WARNING, KASAN, UBSAN, lockdep, kmemleak,
# hung task, lockup, RCU stall, list or refcount report, a panic, or any
# other stack dump).
#
#   vm/judge.sh LOG    exit 0 when LOG is clean; else print the first report
#                      with its context to stderr and exit 1
#
# vm/run.sh runs it on every guest's log; it is a file of its own so that
# it can be tried on sample logs (tests/host/judge.t).

set -euo pipefail

log=${1:?usage: vm/judge.sh LOG}

# One place decides what counts as a kernel report in a guest log.  The
# reports that print a stack dump are listed by their own words too, so
# that none of them depends on its "Call Trace:" line being seen.
report_re='Oops|BUG:|WARNING:|general protection|KASAN|UBSAN|'
report_re+='kernel BUG at|invalid opcode:|^BUG [^ ]+ \(|'
report_re+='possible circular locking|possible recursive locking|'
report_re+='inconsistent lock state|suspicious RCU usage|'
report_re+='kmemleak: .*new suspected memory leak|unreferenced object|'
report_re+='blocked for more than|detected stall|soft lockup|hard LOCKUP|'
report_re+='list_add corruption|list_del corruption|refcount_t:|'
report_re+='Kernel panic|Call Trace:'

# The one exception: tests/85-faults.t fails allocations on purpose, and
# each failure prints warn_alloc()'s header ("page allocation failure",
# "vmalloc error"), dump_stack()'s lines about the task and machine, then a
# stack dump.  That "Call Trace:" is not a report, but only when it directly
# follows such a header (nothing but those lines in between), and only
# inside a window the test opens and closes with these two lines written to
# /dev/kmsg.  A window that is never closed excuses nothing.
alloc_re='page allocation failure: order:|vmalloc error: size'
header_re='^(CPU: [0-9]+ |Hardware name: |Tainted: |Workqueue: |Stopper: )'
# Inside the same window, one kernel WARN is the injection's own doing:
# alloc_vmap_area() (mm/vmalloc.c, 6.1) warns when adjust_va_to_fit_type()
# fails, which happens only when both the GFP_KERNEL preload of a spare
# vmap_area and the GFP_NOWAIT fallback failed, two injected failures in a
# row during module_alloc().  That WARN, up to its "---[ end trace" line,
# is excused, and nothing else: a line of any other report inside it ends
# the excusal and counts.
vmap_warn_re='^WARNING: CPU: [0-9]+ PID: [0-9]+ at mm/vmalloc\.c:[0-9]+ alloc_vmap_area'
begin='kernelpeek: fault injection begins'
end='kernelpeek: fault injection ends'

# Two passes over the log: the first finds where each window closes.
first=$(awk -v re="$report_re" -v alloc="$alloc_re" -v hdr="$header_re" \
	-v vwarn="$vmap_warn_re" -v begin="$begin" -v end="$end" '
	function text(s) {
		sub(/\r$/, "", s)	# the serial console ends lines with \r\n
		sub(/^\[ *[0-9]+\.[0-9]+\] /, "", s)
		return s
	}
	FNR == NR {
		s = text($0)
		if (s == begin) opened = FNR
		else if (s == end && opened) { closes[opened] = FNR; opened = 0 }
		next
	}
	{ s = text($0) }
	s == begin && (FNR in closes) { window_end = closes[FNR] }
	header {
		if (s ~ /^Call Trace:/) { header = 0; next }
		if (s ~ hdr) next
		header = 0
	}
	vmap_warn && FNR > window_end { vmap_warn = 0 }
	vmap_warn {
		if (s ~ /^---\[ end trace/) { vmap_warn = 0; next }
		if (s !~ re || s ~ /^Call Trace:/) next
		vmap_warn = 0
	}
	FNR <= window_end && s ~ alloc { header = 1; next }
	FNR <= window_end && s ~ vwarn { vmap_warn = 1; next }
	s ~ re { print FNR; exit }' "$log" "$log")
[ -z "$first" ] && exit 0
printf '\nkernelpeek: the guest kernel reported a problem at line %s of %s:\n' \
	"$first" "$log" >&2
sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$log" >&2
exit 1
