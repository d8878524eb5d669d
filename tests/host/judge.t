#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm/judge.sh on sample guest logs, on the host (no guest needed): a clean
# log passes; each kind of kernel report fails it, found by its own words
# (no "Call Trace:" in the samples); an allocation failure's stack dump is
# excused only right after its header, inside a closed fault-injection
# window (tests/85-faults.t), and never across another report.  TAP, by
# tests/lib/tap.sh.

set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
judge=$root/vm/judge.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$root/tests/lib/tap.sh"

# sample: stdin as the serial console (ttyS0) shows it: a timestamp before
# each line, \r\n after it.
sample() {
	awk '{ printf "[%5d.%06d] %s\r\n", 10 + NR / 1000, NR * 1031 % 1000000, $0 }' \
		>"$tmp/log"
}

# expect WANT NAME: judge the sample.  WANT is "clean", or text that the
# line the judge names first ("... a problem at line N of LOG") contains.
expect() {
	local want=$1 name=$2 rc=0 line got

	"$judge" "$tmp/log" 2>"$tmp/err" || rc=$?
	line=$(sed -nE 's/.*reported a problem at line ([0-9]+) of .*/\1/p' "$tmp/err")
	got="status $rc${line:+, line $line: $(sed -n "${line}p" "$tmp/log")}"
	if [ "$want" = clean ] && [ "$rc" -eq 0 ]; then
		tap_pass "$name"
		return
	elif [ "$want" != clean ] && [ "$rc" -eq 1 ] && [ -n "$line" ] &&
		sed -n "${line}p" "$tmp/log" | grep -qF -- "$want"; then
		tap_pass "$name"
		return
	fi
	if [ "$want" = clean ]; then
		tap_fail "$name" "got:    $got" "wanted: status 0 (no report)"
	else
		tap_fail "$name" "got:    $got" "wanted: status 1, the first report on a line with: $want"
	fi
	sed "s/^/#   log: /" "$tmp/log"
}

boot_lines() {
	cat <<'EOF'
Linux version 6.1.192-kernelpeek-debug (root@host) #1 SMP PREEMPT_DYNAMIC
Command line: console=ttyS0 loglevel=7 slub_debug=FZPU panic=-1 kp.mode=run
kasan: KernelAddressSanitizer initialized (generic)
kmemleak: Kernel memory leak detector initialized (mem pool available: 15813)
hello: loading out-of-tree module taints kernel.
Hello, world! (module loaded)
EOF
}

# alloc_failure [6.12]: what warn_alloc() prints for a failed allocation.
alloc_failure() {
	echo "faults: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)"
	if [ "${1:-}" = 6.12 ]; then
		echo "CPU: 1 UID: 0 PID: 97 Comm: faults Tainted: G           O       6.12.57+deb12-amd64 #1  Debian 6.12.57-1~bpo12+1"
		echo "Tainted: [O]=OOT_MODULE"
	else
		echo "CPU: 1 PID: 97 Comm: faults Not tainted 6.1.192-kernelpeek-debug #1"
	fi
	cat <<'EOF'
Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
Call Trace:
 <TASK>
 dump_stack_lvl+0x45/0x5e
 warn_alloc+0x1a2/0x230
 __alloc_pages_slowpath.constprop.0+0x1132/0x1310
 __alloc_pages+0x3d7/0x430
 load_module+0x2a1/0x2d30
 </TASK>
Mem-Info:
active_anon:0 inactive_anon:0 isolated_anon:0
EOF
}

begins() { echo "kernelpeek: fault injection begins"; }
ends() { echo "kernelpeek: fault injection ends"; }

boot_lines | sample
expect clean "a clean boot log passes"

# Each report kind on its own line, with no "Call Trace:" anywhere: each
# is found by its own words.
while IFS= read -r report; do
	{ boot_lines; echo "$report"; echo "Hello, world! (module unloaded)"; } | sample
	expect "$report" "found without a Call Trace: $report"
done <<'EOF'
kernel BUG at lib/list_debug.c:59!
invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
BUG kmalloc-16 (Tainted: G           O      ): Right Redzone overwritten
INFO: task insmod:95 blocked for more than 1 seconds.
rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
rcu: INFO: rcu_sched self-detected stall on CPU
watchdog: BUG: soft lockup - CPU#1 stuck for 3s! [insmod:95]
list_add corruption. next->prev should be prev (ffffffffc0a02080), but was 0000000000000000. (next=ffffffffc0a02090).
list_del corruption, ffffffffc0a02080->next is LIST_POISON1 (dead000000000100)
refcount_t: underflow; use-after-free.
refcount_t: addition on 0; use-after-free.
WARNING: CPU: 0 PID: 95 at tests/detectors/kp_detect.c:190 kp_detect_init+0x2c/0x1000 [kp_detect]
BUG: KASAN: slab-out-of-bounds in fire_kasan_oob+0x5c/0x90 [kp_detect]
BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274
UBSAN: shift-out-of-bounds in lib/foo.c:10:5
WARNING: possible circular locking dependency detected
kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
kmemleak: unreferenced object 0xffff888004a7e300 (size 128):
general protection fault, probably for non-canonical address 0xdead000000000108: 0000 [#1] SMP
Kernel panic - not syncing: Fatal exception
Watchdog detected hard LOCKUP on cpu 1
Call Trace:
EOF

# A SLUB-style line inside a message is not a SLUB report.
{ boot_lines; echo "physmem: BUG cache (none) is fine"; } | sample
expect clean "'BUG <cache> (' counts only at the start of a message"

{ boot_lines; begins; alloc_failure; echo "Hello, world!"; ends; } | sample
expect clean "an allocation failure inside the fault-injection window is excused"

{ boot_lines; begins; alloc_failure 6.12; ends; } | sample
expect clean "... with 6.12's header lines (UID:, Tainted:)"

{ boot_lines; alloc_failure; begins; ends; } | sample
expect "Call Trace:" "the same allocation failure before the window is a report"

{ boot_lines; begins; ends; alloc_failure; } | sample
expect "Call Trace:" "the same after the window is a report"

{ boot_lines; begins; alloc_failure; echo "Hello, world!"; } | sample
expect "Call Trace:" "a window that is never closed excuses nothing"

{
	boot_lines; begins
	echo "faults: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)"
	echo "WARNING: CPU: 1 PID: 97 at mm/slub.c:4000 kmem_cache_free+0x10/0x20"
	echo "CPU: 1 PID: 97 Comm: faults Not tainted 6.1.192-kernelpeek-debug #1"
	echo "Call Trace:"
	ends
} | sample
expect "WARNING: CPU: 1 PID: 97 at mm/slub.c" "an unrelated report between the header and the trace is a report"

{
	boot_lines; begins
	echo "faults: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)"
	echo "lkm3: pid 97: vaddr 0x1000 is not mapped"
	echo "Call Trace:"
	ends
} | sample
expect "Call Trace:" "a trace that does not directly follow the header is a report"

{ boot_lines; begins; alloc_failure; echo "BUG: KASAN: use-after-free in kfree+0x1/0x2"; ends; } | sample
expect "BUG: KASAN: use-after-free" "a report right after an excused trace is a report"

{ boot_lines; begins; alloc_failure; echo "Call Trace:"; ends; } | sample
expect "Call Trace:" "a second trace after an excused one is a report"

# The one kernel WARN the injection causes (vm/judge.sh says why).
vmap_warn() {
	cat <<'EOF'
WARNING: CPU: 1 PID: 857 at mm/vmalloc.c:1598 alloc_vmap_area+0x1a2b/0x1c40
Modules linked in:
CPU: 1 PID: 857 Comm: faults Tainted: G           O       6.1.192-kernelpeek-debug #1
RIP: 0010:alloc_vmap_area+0x1a2b/0x1c40
Call Trace:
 <TASK>
 __get_vm_area_node+0x16d/0x370
 module_alloc+0x8d/0xd0
 </TASK>
---[ end trace 0000000000000000 ]---
EOF
}

{ boot_lines; begins; alloc_failure; vmap_warn; echo "Hello, world!"; ends; } | sample
expect clean "alloc_vmap_area's WARN inside the window is excused"

{ boot_lines; vmap_warn; begins; ends; } | sample
expect "WARNING: CPU: 1 PID: 857 at mm/vmalloc.c" "the same WARN outside the window is a report"

{ boot_lines; begins; vmap_warn | sed 's/alloc_vmap_area/vmap_pages_range/g'; ends; } | sample
expect "WARNING: CPU: 1 PID: 857 at mm/vmalloc.c" "another vmalloc WARN inside the window is a report"

{ boot_lines; begins; vmap_warn | sed '/^Call Trace:/i BUG: KASAN: slab-out-of-bounds in f+0x1/0x2'; ends; } | sample
expect "BUG: KASAN: slab-out-of-bounds" "a report inside the excused WARN is a report"

{ boot_lines; begins; vmap_warn | sed '/end trace/d'; ends; echo "Call Trace:"; } | sample
expect "Call Trace:" "an excused WARN cut short excuses nothing after the window"

tap_done
