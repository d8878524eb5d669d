#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check": boot the guest once, run the guest test suite (tests/run.sh)
# there, and add one result of our own: the guest kernel log must hold no
# Oops, BUG, WARNING, KASAN, UBSAN, lockdep or kmemleak report (vm/run.sh
# decides that).  Ends with the line "N passed, N failed[, N skipped]" and
# exits non-zero on any failure.  Arguments narrow the run to test files
# whose names contain them ("make check T=hello").

set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"

for w in "$@"; do
	[[ $w =~ ^[A-Za-z0-9_.-]+$ ]] || die "test name filter '$w': letters, digits, _ . - only"
done

# The guest sees only the command line: pass the test lengths along.
env=
for v in KP_FUZZ_CALLS KP_PARAM_CASES KP_STORM_SECONDS KP_CYCLES KP_FAULT_STEP \
	KP_FAULT_ROUNDS KP_TEST_TIMEOUT; do
	[ -n "${!v:-}" ] || continue
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number"
	env+="$v=${!v} "
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$KP_ROOT/vm/run.sh" -l "$KP_CACHE/check-console.log" "${env}sh tests/run.sh $*" |
	tee "$out"
rc=${PIPESTATUS[0]}
cp "$out" "$KP_CACHE/check-output.log"	# the figures of the last run

read -r passed failed skipped < <(sed -nE \
	's/^# kernelpeek-summary: passed=([0-9]+) failed=([0-9]+) skipped=([0-9]+)$/\1 \2 \3/p' \
	"$out")
if [ -z "${passed:-}" ]; then
	echo "not ok - the guest test run did not finish (vm/run.sh status $rc)"
	passed=0 failed=1 skipped=0
elif [ "$rc" -eq "$KP_RC_KREPORT" ]; then
	echo "not ok - guest kernel log is free of kernel reports"
	failed=$((failed + 1))
else
	echo "ok - guest kernel log is free of kernel reports"
	passed=$((passed + 1))
fi

line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line+=", $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
