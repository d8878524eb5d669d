#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check": first the host's own tests (tests/host/*.t: the harness,
# seconds, no guest), then boot the guest once and run the guest test suite
# (tests/run.sh) there, and add one result of our own: the guest kernel log
# must hold no Oops, BUG, WARNING, KASAN, UBSAN, lockdep or kmemleak report
# (vm/run.sh decides that), and the guest must have ended by itself.  Ends
# with the line "N passed, N failed[, N skipped]" and exits non-zero on any
# failure.  Arguments narrow the run to test files whose names contain them
# ("make check T=hello"); words that match no test file fail the run.

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
passed=0 failed=0 skipped=0
# count: add up the summary line of tests/run.sh in $out.
count() {
	local p f s

	read -r p f s < <(sed -nE \
		's/^# kernelpeek-summary: passed=([0-9]+) failed=([0-9]+) skipped=([0-9]+)$/\1 \2 \3/p' \
		"$out")
	[ -n "${p:-}" ] || return 1
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# json_checks: the JSON documents tests/45-kpeek.t printed, each parsed
# by python3's json module here on the host and checked against the
# truth the guest read (tests/lib/kpeek_json.py); their results count too.
json_checks() {
	local res

	grep -q '^# kpeek-doc ' "$out" || return 0
	apt_install python3
	res=$(python3 "$KP_ROOT/tests/lib/kpeek_json.py" "$out")
	printf '%s\n' "$res"
	passed=$((passed + $(grep -c '^ok ' <<<"$res")))
	failed=$((failed + $(grep -c '^not ok ' <<<"$res")))
}

# The files the words select, by tests/run.sh's own filter.
host_tests=$(cd "$KP_ROOT" && KP_TEST_DIR=tests/host sh tests/run.sh --list "$@")
guest_tests=$(cd "$KP_ROOT" && sh tests/run.sh --list "$@")
if [ -z "$host_tests$guest_tests" ]; then
	echo "not ok - T='$*' matches no test file in tests/ or tests/host/"
	kp_summary 0 1 0
	exit 1
fi

if [ -n "$host_tests" ]; then
	say "The harness's own tests, on this host (tests/host/)"
	(cd "$KP_ROOT" && KP_TEST_DIR=tests/host KP_TEST_SHELL=bash sh tests/run.sh "$@") | tee "$out"
	count || { echo "not ok - the host tests did not finish"; failed=$((failed + 1)); }
fi

if [ -n "$guest_tests" ]; then
	"$KP_ROOT/vm/run.sh" -l "$KP_CACHE/check-console.log" "${env}sh tests/run.sh $*" |
		tee "$out"
	rc=${PIPESTATUS[0]}
	cp "$out" "$KP_CACHE/check-output.log"	# the figures of the last run
	finished=1
	count || {
		echo "not ok - the guest test run did not finish (vm/run.sh status $rc)"
		failed=$((failed + 1)) finished=
	}
	json_checks
	# tests/run.sh exits 0 or 1; any other status is vm/run.sh's: a report
	# in the kernel log (126), a guest that hung (124) or died (125), or
	# one that never ran.
	if [ -n "$finished" ] && { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; }; then
		echo "ok - guest kernel log is free of kernel reports"
		passed=$((passed + 1))
	else
		echo "not ok - guest kernel log is free of kernel reports"
		[ "$rc" -eq "$KP_RC_KREPORT" ] ||
			echo "# the guest did not end by itself (vm/run.sh status $rc): its log is not the whole story"
		failed=$((failed + 1))
	fi
fi

kp_summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
