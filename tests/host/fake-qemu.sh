#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A stand-in for qemu-system-x86_64 (QEMU=tests/host/fake-qemu.sh), to test
# how vm/accel.sh picks an accelerator on hosts we do not have.  What it
# does under each accelerator is set by FAKE_QEMU_KVM and FAKE_QEMU_TCG:
#
#   boots   the guest starts and ends at once: the canary prints its token;
#           a run writes the start marker and "kp-status 0" to its status
#           port (the third -serial file), and under KVM the kernel's line
#           naming the hypervisor to its kernel log (the first)
#   fails   QEMU cannot use the accelerator (the message and abort of a
#           nested host that refuses an MSR)
#   hangs   QEMU runs and the guest never prints anything
#   token   the canary prints a token, but not the one it was given
#   real    the real qemu-system-x86_64 with the same arguments
#
# Every call is logged, one line "ACCEL canary|run", to FAKE_QEMU_LOG.

set -euo pipefail

if [ "${1:-}" = --version ]; then
	echo "QEMU emulator version 7.2.0 (kernelpeek fake)"
	exit 0
fi

accel='' append='' pidfile='' serials=()
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	-accel) accel=$2; shift ;;
	-append) append=$2; shift ;;
	-pidfile) pidfile=$2; shift ;;
	-serial) serials+=("$2"); shift ;;
	esac
	shift
done
case $accel in
kvm) behaviour=${FAKE_QEMU_KVM:-boots} ;;
*) behaviour=${FAKE_QEMU_TCG:-boots} ;;
esac
token=$(sed -n 's/.*kp\.canary=\([^ ]*\).*/\1/p' <<<"$append")
[ -z "${FAKE_QEMU_LOG:-}" ] ||
	echo "$accel $([ -n "$token" ] && echo canary || echo run)" >>"$FAKE_QEMU_LOG"
[ -z "$pidfile" ] || echo $$ >"$pidfile"

# serial N: the file behind the Nth -serial option, if it is a file.
serial() {
	local spec=${serials[$1]:-}

	[[ $spec == file:* ]] && echo "${spec#file:}"
}

case $behaviour in
real) exec qemu-system-x86_64 "${args[@]}" ;;
fails)
	echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69' >&2
	kill -ABRT $$
	;;
hangs) exec sleep 3600 ;;
token)
	printf 'kernelpeek-canary %s\r\n' 0123456789abcdef >"$(serial 0)"
	;;
boots)
	if [ -n "$token" ]; then
		printf 'kernelpeek-canary %s\r\n' "$token" >"$(serial 0)"
		exit 0
	fi
	hv=none
	[ "$accel" != kvm ] || hv=KVM
	log=$(serial 0) || log=/dev/null
	[ "$hv" = none ] || echo "[    0.000000] Hypervisor detected: $hv" >>"$log"
	printf 'kp-start hypervisor=%s\r\nkp-status 0\r\n' "$hv" >"$(serial 2)"
	;;
*)
	echo "fake-qemu: unknown behaviour '$behaviour'" >&2
	exit 1
	;;
esac
