#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make check": run every tests/*.t in order (or those
# whose name contains one of the words given as arguments), each under a
# time limit, and count their TAP results.  With KP_TEST_DIR=tests/host
# KP_TEST_SHELL=bash it runs the host's tests the same way (tests/check.sh
# does, before the guest boots).  The last line is a summary the host (tests/check.sh) reads:
#	# kernelpeek-summary: passed=N failed=N skipped=N
# A test file that exits non-zero without reporting a failure, or that never
# prints its plan, counts as one more failure.

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
# A kernel with kmemleak (KERNEL=debug): look for leaks now.  A report
# goes to the kernel log, where the host finds it.
if [ -n "${KP_GUEST:-}" ] && [ -w /sys/kernel/debug/kmemleak ]; then
	echo "# kmemleak: scanning for leaks"
	if ! echo scan >/sys/kernel/debug/kmemleak; then
		# It turns itself off after an error of its own.
		echo "not ok - kmemleak is still on at the end"
		failed=$((failed + 1))
	fi
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	echo "# kmemleak: $leaks suspected leaks"
	[ "$leaks" -eq 0 ] || head -n 40 /sys/kernel/debug/kmemleak >/dev/kmsg
fi
echo "# kernelpeek-summary: passed=$passed failed=$failed skipped=$skipped"
[ "$failed" -eq 0 ]
