#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# File-backed memory on the guest's disk ($KP_DISK, ext4): the major
# faults 3/get_pgfaults.ko counts, lkm3 on a file page in the page cache
# and on one that left it, lkm4 on a process with a large file mapping.
. tests/lib/tap.sh
. tests/lib/proc.sh

if [ -z "${KP_DISK:-}" ]; then
	tap_skip "this guest has no disk" "file-backed memory on a disk"
	tap_done
fi

majfaults() {
	sed -n 's/^Major page faults since boot: //p' /proc/get_pgfaults
}

# 32 MiB on the disk, out of the page cache; tests/oddproc maps it and
# reads each page once without readahead: one major fault per page.
f=$KP_DISK/43-filemem.bin
dd if=/dev/urandom of="$f" bs=1M count=32 2>/dev/null && sync
echo 3 >/proc/sys/vm/drop_caches
tap_run "insmod get_pgfaults.ko" insmod 3/get_pgfaults.ko
before=$(majfaults)
odd_start "fmap=$f"
after=$(majfaults)
pages=$(odd_value fmap_pages)
tap_run "reading $pages pages of a file not in the page cache: at least $pages major faults (got $((after - before)))" \
	test $((after - before)) -ge "${pages:-1}"
# No fault may come between: read get_pgfaults on both sides of vmstat.
try=0
while [ "$try" -lt 5 ]; do
	try=$((try + 1))
	a=$(majfaults)
	v=$(sed -n 's/^pgmajfault //p' /proc/vmstat)
	[ "$a" = "$(majfaults)" ] && break
done
tap_is "$a" "$v" "get_pgfaults' major faults are /proc/vmstat's pgmajfault"
rmmod get_pgfaults

# lkm4: the 32 MiB mapping is resident, and physical_kb is smaps_rollup's.
klog_mark
insmod 1/lkm4.ko pid="$odd_pid" && rmmod lkm4
phys=$(klog_since | sed -n 's/.* lkm4: pid=.* physical_kb=\([0-9]*\) .*/\1/p')
tap_is "$phys" "$(rollup_kb "$odd_pid")" \
	"lkm4 on a process with a 32 MiB file mapping: physical_kb = smaps_rollup Rss"

# lkm3: the first page is in the page cache and mapped; the last one was
# unmapped, then dropped from the page cache.
map=$(odd_value fmap)
echo 3 >/proc/sys/vm/drop_caches
klog_mark
insmod 1/lkm3.ko pid="$odd_pid" vaddr="$map" && rmmod lkm3
pfn=$(pagemap_pfn "$odd_pid" $((map)))
tap_like "$(klog_since)" "lkm3: pid=$odd_pid vaddr=$map paddr=${pfn:-none}000 page=4K flags=[a-z_,]*mmap.* file_offset=0x0 file=$f$" \
	"lkm3 on a file page in the page cache: pagemap's frame ($pfn), mapped, the file and offset 0"
last=$(printf '0x%x' $((map + (pages - 1) * 4096)))
klog_mark
insmod 1/lkm3.ko pid="$odd_pid" vaddr="$last" && rmmod lkm3
tap_like "$(klog_since)" "lkm3: pid=$odd_pid vaddr=$last not mapped reason=not-present cached=no file_offset=$(printf '0x%x' $(((pages - 1) * 4096))) file=$f$" \
	"lkm3 on a file page that left the page cache: not-present, not cached, its offset in the file"
odd_stop
rm -f "$f"
tap_done
