# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Ground truth from /proc for the shell tests.  Sourced after tap.sh.

# stat_field PID N: field N of /proc/PID/stat (1 = pid, 3 = state,
# 4 = ppid, ...).  The comm field (2) may hold spaces and parentheses, so
# fields are counted after its closing parenthesis.
stat_field() {
	_stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	_rest=${_stat##*) }
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- "$2" $_rest
	shift $(($1 - 2))
	echo "$1"
}

# wait_state PID LETTER: wait up to 10 s for /proc/PID/stat to show LETTER.
wait_state() {
	_i=0
	while [ "$(stat_field "$1" 3)" != "$2" ]; do
		_i=$((_i + 1))
		[ "$_i" -le 200 ] || return 1
		sleep 0.05
	done
}

# wait_gone PID...: wait up to 10 s until no /proc/PID is left (reaped).
wait_gone() {
	_i=0
	for _p; do
		while [ -e "/proc/$_p" ]; do
			_i=$((_i + 1))
			[ "$_i" -le 200 ] || return 1
			sleep 0.05
		done
	done
}

# children_of PID: the PIDs whose ppid (stat field 4) is PID, sorted.  One
# pass over every /proc/PID/stat; the comm may hold spaces and parentheses,
# so the fields are taken after its last parenthesis.
children_of() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{
		rest = $0
		sub(/.*\) /, "", rest)
		split(rest, f, " ")
		if (f[2] == p)
			print $1
	}' | sort -n
}

# count_threads: set nthreads to how many threads /proc shows (every
# /proc/PID/task/TID).  The shell counts them itself, in this process: no
# command substitution, no process started that would count too.
count_threads() {
	set -- /proc/[0-9]*/task/[0-9]*
	# shellcheck disable=SC2034 # for the caller
	nthreads=$#
}

# wait_line FILE ERE: wait up to 20 s for a line of FILE to match ERE.
wait_line() {
	_i=0
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le 400 ] || return 1
		sleep 0.05
	done
}

# family_start: start tests/family (a parent with children in states R,
# S, T and Z, one forked by a second thread) in the background and wait
# until each child is in its state.  family is its PID; kid_S, kid_T,
# kid_Z, kid_R and kid_thread its children's.
family_start() {
	tests/family >/tmp/family.$$ &
	# shellcheck disable=SC2034 # for the test that calls this
	family=$!
	wait_line /tmp/family.$$ '^ready '
	# shellcheck disable=SC2046 # "ready S=1 T=2 ..." -> S=1 T=2 ...
	set -- $(cat /tmp/family.$$)
	for kv in "$@"; do
		case $kv in
		S=* | T=* | Z=* | R=* | thread=*) eval "kid_$kv" ;;
		esac
	done
	# shellcheck disable=SC2154 # set by the eval above
	{
		wait_state "$kid_S" S && wait_state "$kid_T" T &&
			wait_state "$kid_Z" Z && wait_state "$kid_R" R &&
			wait_state "$kid_thread" S
	} || tap_diag "a child did not reach its state in time"
}

# prog_start NAME FD READY PROGRAM [ARG...]: start PROGRAM in the
# background, reading the fifo /tmp/NAME.in, which this shell holds open
# for writing on descriptor FD (a line there moves it on, closing it ends
# it), and writing /tmp/NAME.out; wait for a line matching READY there.
# prog_pid is its PID; non-zero if READY did not come in time.  prog_stop
# NAME FD ends it.
prog_start() {
	_name=$1 _fd=$2 _ready=$3
	shift 3
	rm -f "/tmp/$_name.in" "/tmp/$_name.out"
	mkfifo "/tmp/$_name.in"
	"$@" <"/tmp/$_name.in" >"/tmp/$_name.out" &
	prog_pid=$!
	eval "exec $_fd>/tmp/$_name.in"
	wait_line "/tmp/$_name.out" "$_ready"
}

# prog_stop NAME FD PID: close its fifo, wait for it, remove its files.
prog_stop() {
	eval "exec $2>&-"
	wait "$3"
	rm -f "/tmp/$1.in" "/tmp/$1.out"
}

# odd_start WORD...: start tests/oddproc WORD... in the background and
# wait until it is ready; odd_pid is its PID, odd_value NAME reads what it
# printed for NAME (an address, or an errno name).  odd_stop ends it.
odd_start() {
	prog_start odd 7 '^ready$' tests/oddproc "$@"
	_ret=$?
	odd_pid=$prog_pid
	return $_ret
}

odd_value() {
	sed -n "s/^$1=//p" /tmp/odd.out
}

odd_stop() {
	prog_stop odd 7 "$odd_pid"
}

# kb FILE KEY: the number of a "KEY: N kB" line.
kb() {
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB\$/\1/p" "$1"
}

# rollup_kb PID: smaps_rollup's Rss plus its hugetlb pages (what lkm4's
# physical_kb counts).
rollup_kb() {
	_s=/proc/$1/smaps_rollup
	echo $(($(kb "$_s" Rss) + $(kb "$_s" Private_Hugetlb) + $(kb "$_s" Shared_Hugetlb)))
}

# pagemap_pfn PID ADDRESS: the page frame /proc/PID/pagemap gives for
# ADDRESS, or nothing if no page is present there.
pagemap_pfn() {
	_e=$(dd if="/proc/$1/pagemap" bs=8 skip=$(($2 / 4096)) count=1 2>/dev/null |
		od -An -tx8 | tr -d ' ')
	[ -n "$_e" ] && [ $((0x$_e >> 63 & 1)) -eq 1 ] &&
		printf '0x%x\n' $((0x$_e & 0x7fffffffffffff))
}

# va_layout: the virtual addresses lkm3 checks vaddr= against (as
# va_layout() in tests/lib/truth.h): sets va_bits (the width lkm3 names),
# va_limit (the end of user space, TASK_SIZE), va_above (the first
# canonical address from there on, not a user one) and va_noncanonical
# (the first address that is not canonical).  x86-64: 48 bits, or 57 with
# LA57 (5-level tables), user space up to 2^47 - 4 KiB (2^56 - 4 KiB).
# arm64: 48 bits for each half, user space up to 2^48, which is not
# canonical itself; the kernel's half starts at 2^64 - 2^48.
# shellcheck disable=SC2034 # for the test that calls it
va_layout() {
	if [ "$(uname -m)" = aarch64 ]; then
		va_bits=48 va_limit=0x1000000000000 va_above=0xffff000000000000
		va_noncanonical=0x1000000000000
	elif grep -qw la57 /proc/cpuinfo; then
		va_bits=57 va_limit=0xfffffffffff000 va_above=0xfffffffffff000
		va_noncanonical=0x100000000000000
	else
		va_bits=48 va_limit=0x7ffffffff000 va_above=0x7ffffffff000
		va_noncanonical=0x800000000000
	fi
}
