# shellcheck shell=sh
# Stop: 1/lkm3.ko and 1/lkm4.ko, a process's memory.
section "1/lkm3.ko: where a virtual address lives in physical memory"
mkfifo /tmp/demo.fifo
1/memstages 64 </tmp/demo.fifo >/tmp/demo.ms &
ms=$!
exec 5>/tmp/demo.fifo
wait_line /tmp/demo.ms '^stage 1'
byte=$(sed -n "s/^a malloc'd byte .* is at //p" /tmp/demo.ms)
explain "1/memstages (pid $ms) malloc'd one byte at $byte.  lkm3 walks that" \
	"process's page tables down to the byte, level by level:"
kshow insmod 1/lkm3.ko pid="$ms" vaddr="$byte" verbose=1
kshow rmmod lkm3
explain "The kernel publishes the same fact in /proc/PID/pagemap, 8 bytes per" \
	"page: bit 63 says present, bits 0-54 are the page frame number (PFN)."
entry=$(dd if=/proc/$ms/pagemap bs=8 skip=$((byte / 4096)) count=1 2>/dev/null |
	od -An -tx8 | tr -d ' ')
show_ok "dd if=/proc/$ms/pagemap bs=8 skip=\$(($byte / 4096)) count=1 2>/dev/null | od -An -tx8"
pfn=$((0x${entry#??} & ((1 << 55) - 1)))
show_ok "printf 'PFN 0x%x * 4096 + offset 0x%x = 0x%x\n' $pfn $((byte % 4096)) $((pfn * 4096 + byte % 4096))"
explain "An address with nothing mapped is answered too, with the reason:"
kshow "insmod 1/lkm3.ko pid=$ms vaddr=0x1000 && rmmod lkm3"
explain "kpeek gives the same answers in one command each (and --json):"
show_ok kpeek v2p --walk "$ms" "$byte"
show_ok kpeek --json v2p "$ms" 0x1000

section "1/lkm4.ko: how much virtual and physical memory a process holds"
explain "memstages now allocates in stages.  At each one, lkm4 walks every" \
	"VMA's page tables and counts the present pages; /proc's VmSize" \
	"(status) and Rss (smaps_rollup, the kernel's own walk) are beside it."
for stage in 1 2 3 4 5 6; do
	wait_line /tmp/demo.ms "^stage $stage:"
	printf '%s\n' "$(grep "^stage $stage:" /tmp/demo.ms)"
	kshow "insmod 1/lkm4.ko pid=$ms && rmmod lkm4"
	show_ok "grep -E '^VmSize' /proc/$ms/status; grep -E '^(Rss|AnonHugePages)' /proc/$ms/smaps_rollup"
	echo >&5
done
exec 5>&-
wait $ms
rm -f /tmp/demo.fifo /tmp/demo.ms
explain "detail=1 adds one line per VMA (mapping): here, a busybox sleep."
sleep 100 &
kshow "insmod 1/lkm4.ko pid=$! detail=1 && rmmod lkm4"
explain "And with kpeek, as a table in human units (--kb: exact kB):"
show_ok kpeek mem --vmas $!
kill $!
