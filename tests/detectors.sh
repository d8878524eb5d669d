#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check-detectors": prove that the lane's kernel (KERNEL=6.1, 6.12 or
# debug) reports each kind of kernel bug it has a detector for, and that
# vm/run.sh then fails the run.  One guest boot per fault, because each
# fault must fail its own run: tests/detectors/fire.sh plants it with the
# test-only module tests/detectors/kp_detect.ko, and the run must end with
# vm/run.sh's kernel-report status (KP_RC_KREPORT) and the report's own
# words in the console log.  A first run without a fault must be clean, so
# that a pass means the fault, not the harness, failed the run.
#
# Which faults run comes from the kernel's own config ($KDIR/.config: the
# debug tree's, or Debian's as its headers package ships it): a fault whose
# detector the config lacks is skipped, with the missing options as the
# reason, unless the lane must have that detector (the table below): then
# it runs anyway and fails.  Output is TAP, ending with the line
# "N passed, N failed[, N skipped]"; the exit status is non-zero on failure.
# The console logs stay in .cache/detectors/.

set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"

# fault (kp_detect parameter) | config options its detector needs | ERE the
# log must match | lanes that must have it ("all": Debian's config has it
# too, and the distribution lanes must catch at least these; "debug": the
# sanitizers only the debug kernel has).
fault_table() {
	cat <<'EOF'
warn|BUG|WARNING: .*kp_detect|all
list|BUG DEBUG_LIST|list_del corruption|all
refcount|BUG|refcount_t: underflow; use-after-free|all
bug|BUG DEBUG_BUGVERBOSE|kernel BUG at .*kp_detect|all
hung|DETECT_HUNG_TASK|INFO: task insmod:[0-9]+ blocked for more than|all
softlockup|SOFTLOCKUP_DETECTOR|BUG: soft lockup - CPU#[0-9]+ stuck for .*insmod|all
kasan_oob|KASAN|BUG: KASAN: slab-out-of-bounds in fire_kasan_oob|debug
kasan_uaf|KASAN|BUG: KASAN: (slab-)?use-after-free in fire_kasan_uaf|debug
leak|DEBUG_KMEMLEAK|unreferenced object|debug
lockdep|PROVE_LOCKING|WARNING: possible circular locking dependency detected|debug
atomic_sleep|DEBUG_ATOMIC_SLEEP|BUG: sleeping function called from invalid context|debug
EOF
}

KERNEL=${KERNEL:-6.1}
kenv=$("$KP_ROOT/vm/kernel.sh") || exit
eval "$kenv"
config=$KDIR/.config
[ -f "$config" ] || die "$config is missing: the lane's config decides which faults run"

say "Building tests/detectors/kp_detect.ko for $KVER"
make --no-print-directory -s -C "$KP_ROOT/tests/detectors" KDIR="$KDIR" \
	"${KP_KMAKE[@]}" >&2 ||
	die "kp_detect.ko did not build"

logs=$KP_CACHE/detectors
mkdir -p "$logs"
# Longer than the slowest fault (10 s of hanging or spinning) on the
# slowest lane, short of vm/run.sh's default hour for the debug kernel.
limit=${VM_TIMEOUT:-$([ "$KERNEL" = debug ] && echo 900 || echo 300)}
# missing_options OPTION...: those not set to y in the lane's config.
missing_options() {
	local o

	for o in "$@"; do
		grep -qx "CONFIG_$o=y" "$config" || printf 'CONFIG_%s ' "$o"
	done
}

# boot FAULT: one guest run of fire.sh; sets rc, log and out.
boot() {
	local name=${1:-none}
	local cmd="sh tests/detectors/fire.sh${1:+ $1}"

	log=$logs/$name.log out=$logs/$name.out
	say "check-detectors: $name (KERNEL=$KERNEL)"
	rc=0
	"$KP_ROOT/vm/run.sh" -t "$limit" -l "$log" "$cmd" >"$out" 2>&1 || rc=$?
}

baseline() {
	boot ""
	if [ "$rc" -eq 0 ]; then
		tap_pass "no fault planted: kp_detect loads and the run is clean (status 0)"
	else
		tap_fail "no fault planted: kp_detect loads and the run is clean" \
			"got:    status $rc" "wanted: status 0" \
			"run output (${out#"$KP_ROOT"/}):" \
			"$(tail -n 30 "$out")"
	fi
}

# check FAULT OPTIONS RE MUST
check() {
	local fault=$1 re=$3 must=$4 missing name got
	local -a opts

	read -ra opts <<<"$2"
	missing=$(missing_options "${opts[@]}")
	name="$fault: the run fails with the kernel's report /$re/"
	if [ -n "$missing" ] && [ "$must" != all ] && [ "$KERNEL" != debug ]; then
		tap_skip "$KVER's config lacks ${missing% }" "$fault"
		return
	fi
	boot "$fault"
	got=$(grep -Em1 -- "$re" "$log" | tr -d '\r')
	if [ "$rc" -eq "$KP_RC_KREPORT" ] && [ -n "$got" ]; then
		tap_pass "$name"
		echo "# ${got#*] }"
		return
	fi
	tap_fail "$name" \
		"got:    status $rc, ${got:+the report: ${got#*] }}${got:-no line matching it in ${log#"$KP_ROOT"/}}" \
		"wanted: status $KP_RC_KREPORT (a kernel report), and the report" \
		${missing:+"$KVER's config lacks ${missing% }, which this lane must have"} \
		"kernel log, last lines:" "$(tail -n 15 "$log")"
}

. "$KP_ROOT/tests/lib/tap.sh"
start=$SECONDS
baseline
mapfile -t rows < <(fault_table)
for row in "${rows[@]}"; do
	IFS='|' read -r fault opts re must <<<"$row"
	check "$fault" "$opts" "$re" "$must"
done
echo "1..$tap_n"
echo "# KERNEL=$KERNEL ($KVER): $((SECONDS - start)) s"
kp_summary $((tap_n - tap_failed - tap_skipped)) "$tap_failed" "$tap_skipped"
[ "$tap_failed" -eq 0 ]
