# shellcheck shell=sh
# Stop: 1/lkm4.ko's PSS and USS, four processes sharing memory.
section "1/lkm4.ko: four processes share memory: RSS, PSS and USS"
mkfifo /tmp/demo.share.in
tests/share cow </tmp/demo.share.in >/tmp/demo.share &
sharer=$!
exec 5>/tmp/demo.share.in
wait_line /tmp/demo.share '^ready start$'
# shellcheck disable=SC2046 # "pids P C1 C2 C3": one word each
set -- $(sed -n 's/^pids //p' /tmp/demo.share)
explain "tests/share (pid $1) wrote 4 MiB and forked three children ($2 $3 $4):" \
	"all four map the same 4 MiB, copy-on-write.  Each one's physical memory" \
	"(RSS) counts all of it, so RSS added up over the four counts it four" \
	"times.  PSS divides each page among the processes that map it, USS is" \
	"what a process alone holds: lkm4 gives both, as smaps does."
kshow "insmod 1/lkm4.ko pid=$1 && rmmod lkm4"
share_table() {
	show_ok "kpeek --kb mem $1; for p in $2 $3 $4; do kpeek --kb mem \$p | tail -n 1; done"
	explain "The kernel's own answer, smaps_rollup, added up over the four:"
	show_ok "for p in $*; do cat /proc/\$p/smaps_rollup; done | awk '/^(Rss|Pss|Private_Clean|Private_Dirty):/ { kb[\$1] += \$2 } END { print \"Rss\", kb[\"Rss:\"], \"kB   Pss\", kb[\"Pss:\"], \"kB   Private (USS)\", kb[\"Private_Clean:\"] + kb[\"Private_Dirty:\"], \"kB\" }'"
}
share_table "$@"
explain "RSS added up is four times what is there; PSS added up is what the" \
	"four really hold between them.  Now children $2 and $3 write 1 and 2 MiB" \
	"of it: they get copies of their own, and their USS grows by as much."
echo >&5
wait_line /tmp/demo.share '^ready written$'
share_table "$@"
exec 5>&-
wait "$sharer"
rm -f /tmp/demo.share.in /tmp/demo.share
