#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make check": run every tests/*.t in order (or those
# whose name contains one of the words given as arguments), each under a
# time limit, and count their TAP results.  With KP_TEST_DIR=tests/host
# KP_TEST_SHELL=bash it runs the host's tests the same way (tests/check.sh
# does, before the guest boots); "--list WORD..." only prints the files the
# words select.  The last line is a summary the host (tests/check.sh) reads:
#	# kernelpeek-summary: passed=N failed=N skipped=N
# A test file that exits non-zero without reporting a failure, or that never
# prints its plan, counts as one more failure.

. tests/lib/kmemleak.sh

passed=0
failed=0
skipped=0
limit=${KP_TEST_TIMEOUT:-900}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

wanted() {
	[ $# -eq 1 ] && return 0
	t=$1
	shift
	for w in "$@"; do
		case $t in *"$w"*) return 0 ;; esac
	done
	return 1
}

if [ "${1:-}" = --list ]; then
	shift
	for t in "${KP_TEST_DIR:-tests}"/*.t; do
		[ -e "$t" ] && wanted "$t" "$@" && echo "$t"
	done
	exit 0
fi

for t in "${KP_TEST_DIR:-tests}"/*.t; do
	wanted "$t" "$@" || continue
	echo "# ---- $t"
	start=$(date +%s)
	{
		timeout -s KILL "$limit" "${KP_TEST_SHELL:-sh}" "$t"
		echo "$?" >"$tmp/status"
	} 2>&1 | tee "$tmp/out"
	status=$(cat "$tmp/status")
	echo "# $t took $(($(date +%s) - start)) s"
	ok=$(grep -c '^ok ' "$tmp/out")
	skip=$(grep -c '^ok .*# SKIP' "$tmp/out")
	notok=$(grep -c '^not ok ' "$tmp/out")
	if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "not ok - $t exited with status $status"
		notok=1
	elif ! grep -qE '^1\.\.[0-9]+$' "$tmp/out"; then
		echo "not ok - $t ended without its plan (status $status)"
		notok=$((notok + 1))
	fi
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))
done
# The debug kernel's release ends in vm/debug.config's CONFIG_LOCALVERSION.
debug_lane() {
	case $(uname -r) in *-kernelpeek-debug) return 0 ;; esac
	return 1
}

# Leaks: kmemleak looks now (tests/lib/kmemleak.sh); a report also goes to
# the kernel log, where the host's judge finds it.  The debug kernel must
# have it.
check_kmemleak() {
	kmemleak_check
	case $? in
	0)	echo "ok - kmemleak: no leaks"
		passed=$((passed + 1)) ;;
	1)	echo "not ok - kmemleak: no leaks (the report is in the kernel log)"
		failed=$((failed + 1)) ;;
	*)	if debug_lane; then
			echo "not ok - kmemleak is there and on (/sys/kernel/debug/kmemleak)"
			failed=$((failed + 1))
		fi ;;
	esac
}

# The backstop of the log check: a report the judge's words miss still
# taints the kernel (W for a WARN, D for an Oops, B for bad page state...).
# Allowed: O (4096, our out-of-tree modules) and E (8192, unsigned: Debian's
# kernels check signatures), and W (512) when tests/85-faults.t says that
# its injected failures caused the one WARN the judge excuses.
check_taint() {
	taint=$(cat /proc/sys/kernel/tainted)
	allowed=$((4096 | 8192))
	# A test that knows it caused a taint says so here (tests/85-faults.t).
	if grep -q '^W ' /tmp/kp-taint-excused 2>/dev/null; then
		allowed=$((allowed | 512))
		sed 's/^/# taint excused: /' /tmp/kp-taint-excused
	fi
	extra=$((taint & ~allowed))
	if [ "$extra" -eq 0 ]; then
		echo "ok - the kernel is tainted by nothing but O and E (tainted=$taint, allowed=$allowed)"
		passed=$((passed + 1))
		return
	fi
	letters=
	bit=0
	for l in P F S R M B U D A W C I O E L K X T N; do
		[ $((extra >> bit & 1)) -eq 0 ] || letters="$letters $l(bit $bit)"
		bit=$((bit + 1))
	done
	echo "not ok - the kernel is tainted by nothing but O and E"
	echo "# got:    tainted=$taint, beyond O and E:${letters:- bits above 18}"
	echo "# wanted: tainted & ~$allowed = 0 (Documentation/admin-guide/tainted-kernels.rst)"
	failed=$((failed + 1))
}

if [ -n "${KP_GUEST:-}" ]; then
	check_kmemleak
	check_taint
fi
echo "# kernelpeek-summary: passed=$passed failed=$failed skipped=$skipped"
[ "$failed" -eq 0 ]
