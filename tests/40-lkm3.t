#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 1/lkm3.ko: virtual to physical, checked against /proc/PID/pagemap by
# tests/lkm3.c, then the bad inputs.
. tests/lib/tap.sh
. tests/lib/swap.sh
. tests/lib/proc.sh

tap_run "swap on zram for the swapped-page check" swap_on
echo 4 >/proc/sys/vm/nr_hugepages
# One 1 GiB page for the PROT_NONE PUD check, if the guest has 1 GiB of
# free, contiguous, aligned memory now (alloc_contig_pages()); reserving
# it at boot (hugepagesz=1G hugepages=1) would take half of the 2 GiB
# guest away from every other test.
gigantic=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
[ -e "$gigantic" ] && echo 1 >"$gigantic" 2>/dev/null
tap_diag "1 GiB hugetlb pages: $(cat "$gigantic" 2>/dev/null || echo 'none (no pdpe1gb)')"
# arm64's contiguous hugetlb pages, 64 KiB and 32 MiB (tests/lkm3.c,
# check_cont); x86-64 has neither size.
for size in 64kB 32768kB; do
	f=/sys/kernel/mm/hugepages/hugepages-$size/nr_hugepages
	[ -e "$f" ] && echo 2 >"$f"
done
tap_prog tests/lkm3
for size in 64kB 32768kB; do
	f=/sys/kernel/mm/hugepages/hugepages-$size/nr_hugepages
	[ -e "$f" ] && echo 0 >"$f"
done
[ -e "$gigantic" ] && echo 0 >"$gigantic"
echo 0 >/proc/sys/vm/nr_hugepages
swap_off

# bad PARAMS ERRNO LOGLINE: insmod fails with ERRNO, the log explains, and
# no lkm3 stays loaded.
bad() {
	klog_mark
	# shellcheck disable=SC2086 # PARAMS is a list of parameters
	tap_fails_with "lkm3 ${1:-without parameters}: $2" "$2" \
		tests/modload 1/lkm3.ko $1
	tap_like "$(klog_since)" "$3" "  ... and the log says: $3"
	tap_run "  ... and lkm3 is not loaded" test ! -e /sys/module/lkm3
}
sleep 1000 &
me=$!
bad "" "Invalid argument" "lkm3: pid=0 is not valid"
bad "pid=-5 vaddr=0x1000" "Invalid argument" "lkm3: pid=-5 is not valid"
bad "pid=4000000 vaddr=0x1000" "No such process" "lkm3: no process with pid 4000000"
bad "pid=2 vaddr=0x1000" "Invalid argument" "lkm3: pid 2 \(kthreadd\) has no user address space"
bad "pid=$me" "Invalid argument" "lkm3: vaddr=\(missing\) is not valid"
bad "pid=$me vaddr=abc" "Invalid argument" "lkm3: vaddr=abc is not valid"
# vaddr= is echoed escaped: a value holding a newline (quoted, so that the
# kernel's parameter parser keeps it whole) cannot forge a log line.
klog_mark
tap_fails_with "lkm3 vaddr='x<newline>lkm3: forged<backslash>': Invalid argument" \
	"Invalid argument" tests/modload 1/lkm3.ko "pid=$me" \
	"vaddr=\"$(printf 'x\nlkm3: forged\134')\""
log=$(klog_since)
tap_like "$log" 'lkm3: vaddr=x\\nlkm3: forged\\\\ is not valid' "  ... and is logged escaped"
tap_unlike "$log" '(^|\] )lkm3: forged' "  ... and forges no log line"
# The address layout of this architecture (tests/lib/proc.sh, va_layout).
va_layout
tap_diag "$va_bits-bit virtual addresses, user limit $va_limit"
bad "pid=$me vaddr=$va_above" "Invalid argument" \
	"lkm3: vaddr=$va_above is not a user address \(the limit is $va_limit\)"
bad "pid=$me vaddr=0xffff888000000000" "Invalid argument" \
	"lkm3: vaddr=0xffff888000000000 is not a user address"
bad "pid=$me vaddr=$va_noncanonical" "Invalid argument" \
	"lkm3: vaddr=$va_noncanonical is not canonical \($va_bits-bit addresses\)"
kill "$me"

# vaddr= in decimal works too: 4096 is 0x1000.
klog_mark
tap_run "vaddr in decimal (4096)" insmod 1/lkm3.ko pid=1 vaddr=4096
rmmod lkm3
tap_like "$(klog_since)" "lkm3: pid=1 vaddr=0x1000 not mapped reason=no-vma" \
	"  ... is read as 0x1000"
tap_done
