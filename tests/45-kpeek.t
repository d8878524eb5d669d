#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kpeek (docs/kpeek.md): each command's answer against /proc, as 20-lkm1.t,
# 21-lkm2.t, 40-lkm3.t, 41-lkm4.t and 30-procfs.t check the modules; bad
# and hostile input; 8 runs at once; a module left loaded; module files
# others can write; a report the kernel log loses; a stopped lock holder.
#
# Every JSON document is printed here as "# kpeek-json NAME EXPECT" and
# "# kpeek-doc DOCUMENT" lines, with the truth read from /proc in EXPECT;
# tests/check.sh hands them to tests/lib/kpeek_json.py on the host, which
# parses them with python3's json module and checks them field by field.
. tests/lib/tap.sh
. tests/lib/proc.sh
. tests/lib/smaps.sh

# What kpeek may leave loaded: nothing.
loaded_mods() {
	grep -E '^(lkm[1-4]|get_pgfaults) ' /proc/modules | cut -d' ' -f1 | tr '\n' ' '
}

# hexof FILE: its bytes in hex, without the last newline of /proc's comm.
hexof() {
	od -An -tx1 -v "$1" | tr -d ' \n' | sed 's/0a$//'
}

# json_doc NAME EXPECT FILE: hand kpeek's JSON output in FILE to the host.
json_doc() {
	printf '# kpeek-json %s %s\n' "$1" "$2"
	printf '# kpeek-doc %s\n' "$(cat "$3")"
	[ "$(wc -l <"$3")" -eq 1 ] ||
		tap_fail "$1: the document is one line" "$(cat "$3")"
}

# kp NAME CMD...: run kpeek; passes if it exits 0 with nothing on stderr
# (but $kp_err_ok); its output is in $out.
kp() {
	_name=$1
	shift
	out=$("$@" 2>/tmp/kp.err)
	_st=$?
	if [ "$_st" -eq 0 ] && { [ ! -s /tmp/kp.err ] || [ -n "${kp_err_ok:-}" ]; }; then
		tap_pass "$_name"
	else
		tap_fail "$_name" "command: $*" "exit status $_st" "$(cat /tmp/kp.err)" "$out"
	fi
}

tap_like "$(kpeek --help)" '^usage: kpeek .*COMMAND' "kpeek is on the PATH and prints its usage"
kpeek >/dev/null 2>/tmp/kp.err
tap_is "$?" 2 "kpeek without a command exits 2"
tap_like "$(cat /tmp/kp.err)" '^usage: kpeek' "  ... with the usage on stderr"
tap_like "$(kpeek v2p --help)" '^usage: kpeek .* v2p PID VADDR \[--walk\]$' "  ... and each command's"

# --- runnable (lkm1) ---------------------------------------------------
tests/busy 1 >/tmp/kb.1.$$ &
busy1=$!
tests/busy 2 >/tmp/kb.2.$$ &
busy2=$!
wait_line /tmp/kb.1.$$ '^ready$'
wait_line /tmp/kb.2.$$ '^ready$'
# A sleeper whose pages no other process maps (a copy of busybox): its
# Pss and USS, which mem reports, do not change as commands come and go.
mkdir -p /tmp/kp.sleep
cp /bin/busybox /tmp/kp.sleep/sleep
/tmp/kp.sleep/sleep 1000 &
sleeper=$!
wait_state "$sleeper" S

kp "kpeek runnable" kpeek runnable
tap_like "$out" '^ +PID +TID +CPU +COMMAND$' "  ... prints a header"
for p in $busy1 $busy2; do
	for task in /proc/"$p"/task/*; do
		tid=${task##*/}
		tap_like "$out" "^ +$p +$tid +[0-9]+  busy$" "  ... lists busy thread $p/$tid"
	done
done
tap_unlike "$out" "^ +$sleeper " "  ... not the sleeping process"
rows=$(printf '%s\n' "$out" | grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+  ')
tap_like "$out" "^$rows runnable of [0-9]+ threads" "  ... and counts its $rows rows"
tap_like "$out" "pid namespace" "  ... with the pid namespace note"

kpeek --json runnable >/tmp/kp.json &
me=$!
wait "$me"
tap_is "$?" 0 "kpeek --json runnable"
has="[$me,$me,\"$(printf kpeek | od -An -tx1 | tr -d ' \n')\"]"
for p in $busy1 $busy2; do
	for task in /proc/"$p"/task/*; do
		has="$has,[$p,${task##*/},\"$(hexof "$task/comm")\"]"
	done
done
json_doc runnable "{\"has\":[$has],\"absent\":[$sleeper],\"cpus\":$(nproc)}" /tmp/kp.json

# A name with a quote, a backslash, a newline, a control byte, UTF-8 and
# a byte that is no UTF-8: JSON escapes the first four, keeps the UTF-8
# and gives the last as U+FFFD.
odd_start spin "comm=$(printf 'q"\\\n\001\303\251\377')"
kp "kpeek --json runnable, with a task of an odd name" kpeek --json runnable
printf '%s\n' "$out" >/tmp/kp.json
json_doc runnable-odd "{\"has\":[[$odd_pid,$odd_pid,\"$(hexof /proc/$odd_pid/comm)\"]],\"absent\":[],\"cpus\":$(nproc)}" /tmp/kp.json
kp "kpeek children of a process of that name" kpeek --json children "$odd_pid"
printf '%s\n' "$out" >/tmp/kp.json
json_doc children-odd "{\"pid\":$odd_pid,\"comm\":\"$(hexof /proc/$odd_pid/comm)\",\"children\":[]}" /tmp/kp.json
kp "  ... and as a table" kpeek children "$odd_pid"
tap_like "$out" "^$odd_pid "'\(q"\\\\\\n\\001é\\377\): 0 children$' \
	"  ... which shows the name escaped, on one line"
odd_stop

# --- children (lkm2) ---------------------------------------------------
family_start
truth=$(for c in $(children_of "$family"); do
	echo "$c $(stat_field "$c" 3)"
done)
kp "kpeek children PID" kpeek children "$family"
tap_like "$out" "^$family \(family\): 5 children$" "  ... names the parent and counts 5"
seen=$(printf '%s\n' "$out" | sed -nE 's/^ +([0-9]+) (.)  family$/\1 \2/p' | sort -n)
tap_is "$seen" "$truth" "  ... each child with the state /proc/PID/stat shows"
kp "kpeek --json children PID" kpeek --json children "$family"
printf '%s\n' "$out" >/tmp/kp.json
kids=$(printf '%s\n' "$truth" | while read -r c s; do
	printf ',[%s,"%s","%s"]' "$c" "$s" "$(hexof /proc/"$c"/comm)"
done)
json_doc children "{\"pid\":$family,\"comm\":\"$(hexof /proc/$family/comm)\",\"children\":[${kids#,}]}" /tmp/kp.json

# --- v2p (lkm3) --------------------------------------------------------
mkfifo /tmp/kp.fifo
1/memstages 16 </tmp/kp.fifo >/tmp/kp.ms &
ms=$!
exec 5>/tmp/kp.fifo
wait_line /tmp/kp.ms '^stage 1'
echo >&5
wait_line /tmp/kp.ms '^stage 2'
byte=$(sed -n "s/^a malloc'd byte .* is at //p" /tmp/kp.ms)
region=$(sed -n 's/^mapped .* at //p' /tmp/kp.ms)
pfn=$(pagemap_pfn "$ms" "$byte")
paddr=$(printf '0x%x' $((pfn * 4096 + byte % 4096)))
kp "kpeek v2p PID VADDR" kpeek v2p "$ms" "$byte"
tap_like "$out" "^ +PID +VADDR +PADDR +PAGE$" "  ... prints a header"
tap_like "$out" "^ +$ms +$(printf '0x%x' $((byte))) +$paddr +4K$" \
	"  ... and the frame pagemap gives ($paddr)"
kp "kpeek --json v2p --walk PID VADDR" kpeek --json v2p --walk "$ms" "$byte"
printf '%s\n' "$out" >/tmp/kp.json
# The page's flags and mapcount, as /proc/kpageflags and /proc/kpagecount
# have them (40-lkm3.t checks every field; here, that kpeek carries them).
count=$(dd if=/proc/kpagecount bs=8 skip=$((pfn)) count=1 2>/dev/null | od -An -tu8 | tr -d ' ')
json_doc v2p "{\"pid\":$ms,\"vaddr\":\"$(printf '0x%x' $((byte)))\",\"present\":true,\"paddr\":\"$paddr\",\"page_size\":4096,\"walk\":true,\"page_flags\":[\"mmap\",\"anonymous\"],\"mapcount\":$count}" /tmp/kp.json
# A page of the program's own file: its path and offset, as maps has them.
read -r range _ off _ _ path <<EOF_MAPS
$(grep ' r-xp ' /proc/"$ms"/maps | head -n 1)
EOF_MAPS
# Its first page that is present (the text the program ran is).
text=$((0x${range%-*}))
while [ -z "$(pagemap_pfn "$ms" "$text")" ] && [ "$text" -lt $((0x${range#*-})) ]; do
	text=$((text + 4096))
done
off=$(printf '%x' $((0x$off + text - 0x${range%-*})))
text=$((text + 0x10))
kp "kpeek --json v2p on program text" kpeek --json v2p "$ms" "$text"
printf '%s\n' "$out" >/tmp/kp.json
json_doc v2p-file "{\"pid\":$ms,\"vaddr\":\"$(printf '0x%x' "$text")\",\"present\":true,\"paddr\":\"$(printf '0x%x' $(($(pagemap_pfn "$ms" "$text") * 4096 + 0x10)))\",\"page_size\":4096,\"walk\":false,\"file\":\"$path\",\"file_offset\":$((0x$off + 0x10))}" /tmp/kp.json
kp "kpeek v2p on program text" kpeek v2p "$ms" "$text"
tap_like "$out" "^file: $path at offset 0x" "  ... names the file"
kp "kpeek v2p in decimal" kpeek --json v2p "$ms" $((byte))
tap_like "$out" "\"paddr\":\"$paddr\"" "  ... gives the same frame"
kp "kpeek v2p on a page never touched" kpeek v2p "$ms" "$region"
tap_like "$out" "^reason: not-present: " "  ... says it is not present"
kp "kpeek --json v2p on a page never touched" kpeek --json v2p --walk "$ms" "$region"
printf '%s\n' "$out" >/tmp/kp.json
json_doc v2p-not-present "{\"pid\":$ms,\"vaddr\":\"$region\",\"present\":false,\"reason\":\"not-present\",\"walk\":true}" /tmp/kp.json
kp "kpeek --json v2p on no mapping" kpeek --json v2p "$ms" 0x1000
printf '%s\n' "$out" >/tmp/kp.json
json_doc v2p-no-vma "{\"pid\":$ms,\"vaddr\":\"0x1000\",\"present\":false,\"reason\":\"no-vma\",\"walk\":false}" /tmp/kp.json

# --- mem (lkm4) --------------------------------------------------------
vm=$(kb /proc/"$sleeper"/status VmSize)
rss=$(rollup_kb "$sleeper")
# The sleeper's Pss, USS and Swap, and smaps' fields as kpeek names them
# (smaps_json), for the JSON checks on the host.
r=/proc/$sleeper/smaps_rollup
pss=$(kb "$r" Pss) uss=$(($(kb "$r" Private_Clean) + $(kb "$r" Private_Dirty))) swp=$(kb "$r" Swap)
smaps=$(smaps_json "$sleeper")
memrow="^ +$sleeper +$vm +$rss +$pss +$uss +$swp$"
kp "kpeek --kb mem PID" kpeek --kb mem "$sleeper"
tap_like "$out" "$memrow" \
	"  ... is VmSize ($vm kB), and smaps_rollup's Rss ($rss kB), Pss ($pss kB), Private_* ($uss kB) and Swap ($swp kB)"
kp "kpeek mem PID, human units" kpeek mem "$sleeper"
tap_like "$out" "^ +PID +VIRTUAL +PHYSICAL +PSS +USS +SWAP$" "  ... prints a header"
tap_like "$out" "^ +$sleeper( +([0-9.]+[KMG]i|0B)){5}$" "  ... and sizes as free -h does"
kp "kpeek --json mem --vmas PID" kpeek --json mem --vmas "$sleeper"
printf '%s\n' "$out" >/tmp/kp.json
vmas=$(grep -v '\[vsyscall\]' /proc/"$sleeper"/maps | while read -r range perms _ _ _ name; do
	case $name in
	'') name=anon ;;
	/*) name=file:$name ;;
	esac
	printf ',["0x%s","0x%s","%s","%s"]' "${range%-*}" "${range#*-}" "$perms" "$name"
done)
json_doc mem "{\"pid\":$sleeper,\"virtual_kb\":$vm,\"physical_kb\":$rss,$smaps,\"vmas\":[${vmas#,}]}" /tmp/kp.json
kp "kpeek mem --vmas PID, as a table" kpeek mem --vmas "$sleeper"
tap_like "$out" "^START +END +PERMS +VIRTUAL +PHYSICAL +PSS +USS +SWAP +BACKING$" "  ... prints a header"
tap_is "$(printf '%s\n' "$out" | grep -c '^0x')" \
	"$(grep -vc '\[vsyscall\]' /proc/"$sleeper"/maps)" "  ... and one row per VMA"

# --- pgfaults (get_pgfaults) -------------------------------------------
vmstat_of() {
	sed -n "s/^$1 //p" /proc/vmstat
}
f0=$(vmstat_of pgfault) m0=$(vmstat_of pgmajfault)
kp "kpeek --json pgfaults" kpeek --json pgfaults
f1=$(vmstat_of pgfault) m1=$(vmstat_of pgmajfault)
printf '%s\n' "$out" >/tmp/kp.json
json_doc pgfaults "{\"pgfault\":[$f0,$f1],\"pgmajfault\":[$m0,$m1]}" /tmp/kp.json
kp "kpeek pgfaults" kpeek pgfaults
got=$(printf '%s\n' "$out" | awk 'NR == 2 { print $1 }')
tap_run "  ... is between /proc/vmstat's pgfault before and after" \
	test "$f0" -le "$got" -a "$got" -le "$(vmstat_of pgfault)"
insmod 3/get_pgfaults.ko
kp "kpeek pgfaults with get_pgfaults loaded by its user" kpeek pgfaults
tap_like "$(loaded_mods)" '^get_pgfaults $' "  ... leaves it loaded"
rmmod get_pgfaults

tap_is "$(loaded_mods)" "" "after all of these, no module is loaded"

# --- bad and hostile input ---------------------------------------------
# bad STATUS STDERR-ERE CMD...: exits with STATUS, one line on stderr that
# matches, nothing on stdout, and nothing stays loaded.
bad() {
	_want=$1 _msg=$2
	shift 2
	_out=$("$@" 2>/tmp/kp.err)
	_st=$?
	_err=$(cat /tmp/kp.err)
	if [ "$_st" -eq "$_want" ] && [ -z "$_out" ] &&
		[ "$(wc -l </tmp/kp.err)" -eq 1 ] &&
		printf '%s\n' "$_err" | grep -qE -- "$_msg" && [ -z "$(loaded_mods)" ]; then
		tap_pass "$(printf '%.70s' "$*" | tr '\n' '?'): $_want, '$_msg'"
	else
		tap_fail "$(printf '%.70s' "$*" | tr '\n' '?'): $_want, '$_msg'" "exit status $_st" \
			"stderr: $_err" "stdout: $_out" "loaded: $(loaded_mods)"
	fi
}
va_layout
bad 1 '^kpeek: no process with pid 4000000 in this pid namespace \(ESRCH\)$' kpeek mem 4000000
bad 1 '^kpeek: no process with pid 2147483647 in this pid namespace \(ESRCH\)$' kpeek children 2147483647
bad 1 '^kpeek: pid 2 \(kthreadd\) has no user address space: .* \(EINVAL\)$' kpeek mem 2
bad 1 '^kpeek: pid 2 \(kthreadd\) has no user address space: .* \(EINVAL\)$' kpeek v2p 2 0x1000
bad 1 '^kpeek: pid=0 is not valid: give pid=<PID> with PID > 0 \(EINVAL\)$' kpeek children 0
bad 1 '^kpeek: pid=-1 is not valid: .* \(EINVAL\)$' kpeek mem -1
bad 1 "^kpeek: vaddr=$va_above is not a user address \(the limit is $va_limit\) \(EINVAL\)$" kpeek v2p "$ms" "$va_above"
bad 1 '^kpeek: vaddr=0xffffffffffffffff is not a user address .*\(EINVAL\)$' kpeek v2p "$ms" 18446744073709551615
bad 1 "^kpeek: vaddr=$va_noncanonical is not canonical \($va_bits-bit addresses\) \(EINVAL\)$" kpeek v2p "$ms" "$va_noncanonical"
bad 1 "^kpeek: 'abc' is not an address: give hex \(0x...\) or decimal \(EINVAL\)$" kpeek v2p "$ms" abc
bad 1 "is not an address.*\(EINVAL\)$" kpeek v2p "$ms" -1
bad 1 "is not an address.*\(EINVAL\)$" kpeek v2p "$ms" "0x1000 verbose=1"
bad 1 "is not an address.*\(EINVAL\)$" kpeek v2p "$ms" ""
bad 1 "is not an address.*\(EINVAL\)$" kpeek v2p "$ms" 0x
bad 1 'out of range \(64 bits\) \(ERANGE\)$' kpeek v2p "$ms" 0x10000000000000000
bad 1 'out of range \(ERANGE\)$' kpeek mem 2147483648
bad 1 'out of range \(ERANGE\)$' kpeek mem -99999999999999999999
bad 1 "^kpeek: PID 'abc' is not a number \(EINVAL\)$" kpeek children abc
bad 1 "^kpeek: PID '1 pid=2' is not a number \(EINVAL\)$" kpeek children "1 pid=2"
bad 1 "^kpeek: PID '0x10' is not a number \(EINVAL\)$" kpeek mem 0x10
bad 1 "^kpeek: PID '' is not a number \(EINVAL\)$" kpeek mem ""
bad 1 "^kpeek: PID '1\?kpeek: forged' is not a number \(EINVAL\)$" kpeek mem "$(printf '1\nkpeek: forged')"
bad 1 "^kpeek: PID '1{40}' is not a number \(EINVAL\)$" kpeek mem "$(head -c 100000 /dev/zero | tr '\0' 1)x"
bad 1 '^kpeek: --modules /nonexistent: no such directory \(ENOENT\)$' kpeek --modules /nonexistent mem 1
bad 1 '^kpeek: no lkm4.ko in /tmp \(--modules\) \(ENOENT\)$' kpeek --modules=/tmp mem 1
bad 1 '^kpeek: KPEEK_MODULES /nonexistent: no such directory \(ENOENT\)$' env KPEEK_MODULES=/nonexistent kpeek mem 1
bad 2 "^kpeek: unknown option '--bogus'" kpeek --bogus runnable
bad 2 "^kpeek: unknown command 'frobnicate'" kpeek frobnicate
bad 2 '^kpeek: mem takes 1 argument' kpeek mem
bad 2 '^kpeek: too many arguments' kpeek mem 1 2 3
bad 2 '^kpeek: --walk is for v2p' kpeek --walk mem 1
bad 2 '^kpeek: --vmas is for mem' kpeek v2p 1 0x1000 --vmas
bad 2 '^kpeek: --modules needs a directory' kpeek mem 1 --modules
bad 2 '^kpeek: --modules needs a directory' kpeek --modules= mem 1
bad 1 '^kpeek: loading kernel modules needs root \(CAP_SYS_MODULE\).*\(EPERM\)$' \
	su -s /bin/sh nobody -c "kpeek/kpeek mem 1"
bad 1 '^kpeek: loading kernel modules needs root \(CAP_SYS_MODULE\).*\(EPERM\)$' \
	tests/nocap 16 kpeek mem 1

# --- where the modules come from ---------------------------------------
kp "--modules DIR" kpeek --modules /kp --kb mem "$sleeper"
tap_like "$out" "$memrow" "  ... gives the same answer"
kp "KPEEK_MODULES" env KPEEK_MODULES=/kp/1 kpeek --kb mem "$sleeper"
tap_like "$out" "$memrow" "  ... gives the same answer"
# A kpeek outside the tree, with no tree of its own in the guest (the one
# it was built in is the host's): the DKMS modules of the running kernel.
dkms=/lib/modules/$(uname -r)/updates/dkms
mkdir -p /tmp/kpbin "$dkms"
cp kpeek/kpeek /tmp/kpbin/kpeek
tap_is "$(/tmp/kpbin/kpeek mem 1 2>&1)" \
	"kpeek: lkm4.ko not found: not in the tree around kpeek nor in $dkms; 'make' or 'make install', or give --modules DIR (ENOENT)" \
	"installed, without modules: it says where it looked"
cp 1/lkm4.ko "$dkms/"
kp "installed, with the DKMS modules" /tmp/kpbin/kpeek --kb mem "$sleeper"
tap_like "$out" "$memrow" "  ... gives the same answer"
rm -rf /tmp/kpbin "${dkms%/dkms}"

# --- 8 at once ---------------------------------------------------------
# Mixed commands; each must succeed (the lock takes turns) and be right.
run8() {
	_pids=
	set -- "--json v2p $ms $byte" "--kb mem $sleeper" "--json children $family" \
		"runnable" "--json mem --vmas $sleeper" "--json pgfaults" \
		"children $family" "v2p --walk $ms $byte"
	_i=0
	for _args; do
		_i=$((_i + 1))
		# shellcheck disable=SC2086 # the arguments, split
		kpeek $_args >/tmp/kc.$_i 2>&1 &
		_pids="$_pids $!"
	done
	_fails=0
	for _p in $_pids; do
		wait "$_p" || _fails=$((_fails + 1))
	done
	echo "$_fails"
}
f0=$(vmstat_of pgfault) m0=$(vmstat_of pgmajfault)
tap_is "$(run8)" 0 "8 kpeek runs at once all succeed"
f1=$(vmstat_of pgfault) m1=$(vmstat_of pgmajfault)
json_doc v2p-concurrent "{\"pid\":$ms,\"vaddr\":\"$(printf '0x%x' $((byte)))\",\"present\":true,\"paddr\":\"$paddr\",\"page_size\":4096,\"walk\":false}" /tmp/kc.1
tap_like "$(cat /tmp/kc.2)" "$memrow" "  ... mem is VmSize, Rss, Pss, USS and Swap"
json_doc children-concurrent "{\"pid\":$family,\"comm\":\"$(hexof /proc/$family/comm)\",\"children\":[${kids#,}]}" /tmp/kc.3
tap_like "$(cat /tmp/kc.4)" "^ +$busy1 +$busy1 +[0-9]+  busy$" "  ... runnable lists the busy process"
json_doc mem-concurrent "{\"pid\":$sleeper,\"virtual_kb\":$vm,\"physical_kb\":$rss,$smaps,\"vmas\":[${vmas#,}]}" /tmp/kc.5
json_doc pgfaults-concurrent "{\"pgfault\":[$f0,$f1],\"pgmajfault\":[$m0,$m1]}" /tmp/kc.6
tap_is "$(sed -nE 's/^ +([0-9]+) (.)  family$/\1 \2/p' /tmp/kc.7 | sort -n)" "$truth" \
	"  ... children are /proc's"
tap_like "$(cat /tmp/kc.8)" "^ +$ms +0x[0-9a-f]+ +$paddr +4K$" "  ... v2p is pagemap's"
tap_is "$(loaded_mods)" "" "  ... and nothing stays loaded"

# --- a module left loaded ----------------------------------------------
insmod 1/lkm4.ko pid=1
kp_err_ok=1
kp "kpeek mem with lkm4 left loaded" kpeek --kb mem "$sleeper"
kp_err_ok=
tap_is "$(cat /tmp/kp.err)" \
	"kpeek: lkm4 was left loaded (by a run that crashed?): unloaded it" \
	"  ... says so on stderr"
tap_like "$out" "$memrow" "  ... and gives the right answer"
tap_is "$(loaded_mods)" "" "  ... and leaves nothing loaded"

# --- get_pgfaults left by a kpeek that died ----------------------------
# kpeek marks what it loads in /run while it is loaded: a kpeek killed
# with get_pgfaults loaded leaves both, as this does by hand.
insmod 3/get_pgfaults.ko
: >/run/kpeek.get_pgfaults.loaded
kp_err_ok=1
kp "kpeek pgfaults with get_pgfaults left by a kpeek that died" kpeek --json pgfaults
kp_err_ok=
tap_is "$(cat /tmp/kp.err)" \
	"kpeek: get_pgfaults was left loaded (by a run that crashed?): unloaded it" \
	"  ... says so on stderr"
tap_like "$out" '^\{"pgfault":[0-9]+,"pgmajfault":[0-9]+\}$' "  ... and answers"
tap_is "$(loaded_mods)" "" "  ... and leaves nothing loaded"
tap_run "  ... nor its mark" test ! -e /run/kpeek.get_pgfaults.loaded

# --- addresses as lkm3 reads them --------------------------------------
# kstrtoul(..., 0): a leading 0 is octal, so 010 is 8, and 09 is no number.
kp "kpeek v2p PID 010" kpeek --json v2p "$ms" 010
tap_like "$out" '"vaddr":"0x8"' "  ... asks about 0x8, as lkm3 reads 010"
bad 1 "^kpeek: '09' is not an address: .*\(EINVAL\)$" kpeek v2p "$ms" 09

# --- module files someone else could have written ----------------------
mkdir -p /tmp/kp.mods
cp 1/lkm4.ko /tmp/kp.mods/
for mode in 664 646; do
	chmod "$mode" /tmp/kp.mods/lkm4.ko
	bad 1 '^kpeek: /tmp/kp.mods/lkm4.ko is writable by its group or by others: refused \(chmod go-w it\) \(EPERM\)$' \
		kpeek --modules /tmp/kp.mods --kb mem "$sleeper"
done
chmod 644 /tmp/kp.mods/lkm4.ko
kp "a module file only its owner can write is taken" kpeek --modules /tmp/kp.mods --kb mem "$sleeper"
# A directory name is a name, not a pattern.
mkdir -p '/tmp/kp.m*'
bad 1 "^kpeek: no lkm4.ko in /tmp/kp.m\\* \(--modules\) \(ENOENT\)$" kpeek --modules '/tmp/kp.m*' mem 1
rm -rf /tmp/kp.mods '/tmp/kp.m*'

# --- a report the kernel log cannot hold -------------------------------
# 1000 VMAs of a file with a 600-byte path: lkm4's detail=1 report is
# ~700 kB, the log 128 kB.  kpeek must unload lkm4 and then say so.
long=/tmp/kp.long
for c in a b c; do
	long=$long/$(head -c 200 /dev/zero | tr '\0' "$c")
done
mkdir -p "$long"
head -c 4096 /dev/zero >"$long/f"
tests/mapmany "$long/f" 1000 >/tmp/kp.mm &
many=$!
wait_line /tmp/kp.mm '^ready$'
printk=$(cat /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk # not 700 kB on the console
bad 1 "^kpeek: the kernel log lost part of lkm4's report \(overwritten before it was read\) \(EPIPE\)$" \
	kpeek mem --vmas "$many"
echo "$printk" >/proc/sys/kernel/printk
kp "  ... but its summary alone is read" kpeek --kb mem "$many"
kill "$many"
rm -rf /tmp/kp.long

# --- the lock ------------------------------------------------------------
# A holder that cannot go on (here: its answer goes to a full pipe, and
# it is stopped) makes the next run give up after KPEEK_LOCK_TIMEOUT.
mkfifo /tmp/kp.full
exec 6<>/tmp/kp.full
head -c 65536 /dev/zero >&6
kpeek runnable >&6 &
holder=$!
i=0
until [ "$(cat /proc/$holder/wchan 2>/dev/null)" = pipe_write ] || [ $i -ge 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
tap_is "$(cat /proc/$holder/wchan 2>/dev/null)" pipe_write "a kpeek that holds the lock waits on a full pipe"
kill -STOP "$holder"
wait_state "$holder" T
bad 1 '^kpeek: waited 1 s for the lock /run/kpeek\.(lock|mutex): another kpeek holds it \(stopped or stuck\?\) \(ETIMEDOUT\)$' \
	env KPEEK_LOCK_TIMEOUT=1 kpeek runnable
bad 2 "^kpeek: KPEEK_LOCK_TIMEOUT='soon' is not a number of seconds" env KPEEK_LOCK_TIMEOUT=soon kpeek runnable
# Killed, it lets the lock go.
kill -KILL "$holder"
wait "$holder" 2>/dev/null
exec 6>&-
rm -f /tmp/kp.full
kp "once the holder is killed, the next run takes the lock" env KPEEK_LOCK_TIMEOUT=5 kpeek --kb mem "$sleeper"
tap_like "$out" "$memrow" "  ... and answers"

# Hostile command lines, at random, as tests/params.c does for the
# modules' parameters (make stress runs more).
tap_prog tests/kpeek_fuzz "$(( ${KP_PARAM_CASES:-300} / 3 ))"

exec 5>&-
wait "$ms"
kill "$family" "$busy1" "$busy2" "$sleeper"
wait 2>/dev/null
rm -rf /tmp/kp.* /tmp/kc.* /tmp/kb.*.$$ /tmp/family.$$
tap_done
