#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# How the harness picks QEMU's accelerator (vm/accel.sh), on the host and
# without a guest: against a fake QEMU (tests/host/fake-qemu.sh) that boots
# under KVM, cannot use KVM, hangs under KVM, or hangs under TCG too.  The
# canary and boot limits are shortened to 2 s so that a hang costs seconds.

set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. vm/lib.sh
. tests/lib/tap.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kernelpeek-accel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/kvm"	# a KVM device that exists and is open to us
# Whatever the caller set (make check may itself run on a fake QEMU) does
# not reach these cases: each one sets the fake's behaviours itself.
unset FAKE_QEMU_KVM FAKE_QEMU_TCG
# The canary is for a guest of this host's own architecture (x86-64): the
# cases below are that lane's, whatever KERNEL= make check runs with.
export KERNEL=6.1
export QEMU=$PWD/tests/host/fake-qemu.sh FAKE_QEMU_LOG=$tmp/calls \
	KP_CACHE=$tmp/cache KP_KVM_DEV=$tmp/kvm KP_CANARY_LIMIT=2 \
	VM_BOOT_LIMIT=2 VM_ACCEL=auto KP_WATCH_QUIET=1
limit=2

# decide: run accel_decide in a fresh shell with the fake's behaviours
# given as arguments (VAR=VALUE...); prints "ACCEL|WHY|SECONDS".
decide() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	env "$@" bash -c '
		. vm/lib.sh && . vm/accel.sh || exit 1
		start=${EPOCHREALTIME/./}
		accel_decide /nonexistent/bzImage 2>/dev/null
		echo "$KP_ACCEL|$KP_ACCEL_WHY|$(accel_elapsed "$start")"'
}

# boot: accel_decide, then accel_boot of a (fake) run; prints
# "STATUS|ACCEL|HYPERVISOR-SEEN|SECONDS" and the harness's messages on
# stderr into $tmp/said.
boot() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	env "$@" bash -c '
		. vm/lib.sh && . vm/accel.sh || exit 1
		start=${EPOCHREALTIME/./}
		accel_decide /nonexistent/bzImage
		rc=0
		accel_boot "$KP_CACHE/status" "" "$QEMU" @ACCEL@ -kernel x \
			-serial "file:$KP_CACHE/log" -serial stdio \
			-serial "file:$KP_CACHE/status" >/dev/null || rc=$?
		echo "$rc|$KP_ACCEL|$KP_GUEST_HV|$(accel_elapsed "$start")"' \
		2>"$tmp/said"
}

fresh() {
	rm -rf "$tmp/cache" "$tmp/calls"
	mkdir -p "$tmp/cache"
}

calls() {
	[ -e "$tmp/calls" ] && tr '\n' ',' <"$tmp/calls"
}

# within GOT LIMIT NAME: GOT seconds are at most LIMIT.
within() {
	if awk -v g="$1" -v l="$2" 'BEGIN { exit !(g <= l) }'; then
		tap_pass "$3 ($1 s)"
	else
		tap_fail "$3" "took $1 s, wanted at most $2 s"
	fi
}

# (a) KVM boots the canary.
fresh
IFS='|' read -r accel why secs < <(decide FAKE_QEMU_KVM=boots)
tap_is "$accel" kvm "(a) KVM that boots the canary is chosen"
tap_is "$(calls)" "kvm canary," "(a) exactly one canary ran, under KVM"
within "$secs" 1 "(a) the decision is quick"
tap_is "$(head -n 1 "$tmp/cache/accel/"* 2>/dev/null)" kvm "(a) the verdict is cached"

# The cache is used: no canary the second time, and under a second.
: >"$tmp/calls"
IFS='|' read -r accel why secs < <(decide FAKE_QEMU_KVM=fails)
tap_is "$accel" kvm "a cached kvm verdict is used (KVM would fail now)"
tap_is "$(calls)" "" "with a cached verdict no canary runs"
tap_like "$why" '\(remembered in .*/accel/[0-9a-f]{16}\)$' "the reason says the verdict was remembered"
within "$secs" 1 "a warm decision takes under a second"

# (b) QEMU cannot initialise KVM.
fresh
IFS='|' read -r accel why secs < <(decide FAKE_QEMU_KVM=fails)
tap_is "$accel" tcg "(b) KVM that QEMU cannot use: TCG"
tap_like "$why" 'could not run a guest with KVM \(.*MSR 0x10a' "(b) the reason quotes QEMU"
within "$secs" 1 "(b) decided as soon as QEMU gave up"

# (c) KVM accepted, then the guest hangs silently.
fresh
IFS='|' read -r accel why secs < <(decide FAKE_QEMU_KVM=hangs)
tap_is "$accel" tcg "(c) KVM whose guest hangs: TCG"
tap_like "$why" "^KVM did not boot a guest within $limit s; decided in [0-9.]+ s\$" "(c) the reason names the limit"
within "$secs" $((limit + 2)) "(c) decided within the canary limit"
tap_is "$(head -n 1 "$tmp/cache/accel/"* 2>/dev/null)" tcg "(c) the verdict tcg is cached"

# A canary that prints the wrong token is no proof.
fresh
IFS='|' read -r accel why _ < <(decide FAKE_QEMU_KVM=token)
tap_is "$accel" tcg "a canary with the wrong token: TCG"
tap_like "$why" 'without its token' "the reason says the token was missing"

# (d) the guest hangs under TCG too: the run fails, within the limits.
fresh
IFS='|' read -r rc accel hv secs < <(boot FAKE_QEMU_KVM=hangs FAKE_QEMU_TCG=hangs)
tap_is "$rc" "$KP_RC_NOSTART" "(d) a guest that hangs under TCG too fails the run"
tap_is "$(calls)" "kvm canary,tcg run," "(d) the canary, then one TCG boot, no retry"
within "$secs" $((2 * limit + 3)) "(d) it fails within the canary and boot limits"
tap_like "$(cat "$tmp/said")" "did not start within $limit s under TCG" "(d) the message says so"

# A guest that starts is confirmed from its kernel log.
fresh
IFS='|' read -r rc accel hv _ < <(boot FAKE_QEMU_KVM=boots)
tap_is "$rc|$accel|$hv" "0|kvm|KVM" "a KVM boot: status 0, and the guest names KVM"
fresh
IFS='|' read -r rc accel hv _ < <(boot FAKE_QEMU_KVM=fails)
tap_is "$rc|$accel|$hv" "0|tcg|none" "a TCG boot: status 0, and the guest names no hypervisor"

# A cached kvm verdict, then KVM hangs: one retry under TCG, and the cache
# now says tcg.
fresh
decide FAKE_QEMU_KVM=boots >/dev/null
: >"$tmp/calls"
IFS='|' read -r rc accel hv secs < <(boot FAKE_QEMU_KVM=hangs)
tap_is "$rc|$accel|$hv" "0|tcg|none" "a KVM hang after a cached kvm verdict: the run passes under TCG"
tap_is "$(calls)" "kvm run,tcg run," "one KVM boot, then exactly one TCG boot"
tap_like "$(cat "$tmp/said")" "did not start within $limit s under KVM; trying again under TCG" \
	"the retry is announced"
tap_is "$(head -n 1 "$tmp/cache/accel/"* 2>/dev/null)" tcg "the cached verdict is rewritten to tcg"

# No KVM device: TCG, no canary, and the reason.
fresh
IFS='|' read -r accel why _ < <(decide KP_KVM_DEV="$tmp/none" FAKE_QEMU_KVM=boots)
tap_is "$accel|$why" "tcg|this host has no $tmp/none" "no KVM device: TCG, said why"
tap_is "$(calls)" "" "no KVM device: no canary"

# A guest of another architecture (KERNEL=arm64 on this x86-64 host): TCG,
# no canary, and the reason.
fresh
IFS='|' read -r accel why _ < <(decide KERNEL=arm64 FAKE_QEMU_KVM=boots)
tap_like "$accel|$why" '^tcg\|an aarch64 guest on an x86_64 host' "an arm64 guest: TCG, said why"
tap_is "$(calls)" "" "an arm64 guest: no canary"

# VM_ACCEL overrides the decision, and a KVM asked for by name is not
# second-guessed: no canary, no retry.
fresh
IFS='|' read -r accel _ < <(decide VM_ACCEL=tcg FAKE_QEMU_KVM=boots)
tap_is "$accel|$(calls)" "tcg|" "VM_ACCEL=tcg: TCG without a canary"
IFS='|' read -r accel _ < <(decide VM_ACCEL=kvm FAKE_QEMU_KVM=fails)
tap_is "$accel|$(calls)" "kvm|" "VM_ACCEL=kvm: KVM without a canary"
IFS='|' read -r rc accel _ < <(boot VM_ACCEL=kvm FAKE_QEMU_KVM=hangs)
tap_is "$rc|$accel|$(calls)" "$KP_RC_NOSTART|kvm|kvm run," "VM_ACCEL=kvm and a hang: the run fails, no retry"
out=$(VM_ACCEL=fast bash -c '. vm/lib.sh && . vm/accel.sh && accel_decide x' 2>&1)
tap_like "$out" 'VM_ACCEL=fast: choose auto, kvm or tcg' "an unknown VM_ACCEL is refused"

tap_done
