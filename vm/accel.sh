# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Which accelerator the guest runs on, and a boot that is watched.  Sourced
# by vm/run.sh, and by tests/host/accel.t, which runs it against a fake
# QEMU.
#
# KVM is used only once it has been seen to boot a guest.  /dev/kvm can
# exist, QEMU can open it and create vCPUs, and still the guest never runs
# an instruction: under nested virtualisation the outer hypervisor may
# support the inner one only in part (an MSR it refuses, timers that never
# fire, a second vCPU that never starts).  So the first time, a canary
# boots: the guest kernel itself, with the run's -cpu, -smp and -m, and an
# init that prints a token and powers off, all within a hard limit.  The
# token seen means KVM; anything else means TCG (software emulation).  The
# verdict is kept in .cache/accel/, keyed by what can change it (host
# kernel, QEMU, host CPU), so that a warm run does not pay for the canary.
#
# Every boot is watched as well.  The guest's init writes a start marker to
# the status port as its first act; a guest that has not written it within
# the boot limit is killed.  If it ran under KVM that the canary (or the
# cache) chose, the verdict becomes TCG and the run is tried once more
# under TCG.
#
# Environment:
#   VM_ACCEL         auto (the default), kvm or tcg: auto decides as above;
#                    kvm and tcg are obeyed without a canary or a retry
#   QEMU             the QEMU to run (default: the guest architecture's,
#                    KP_QEMU in vm/lib.sh)
#   VM_BOOT_LIMIT    seconds a guest may take to write its start marker
#                    (default 120; 600 for KERNEL=debug, see KP_BOOT_LIMIT)
#   KP_CANARY_LIMIT  seconds the canary may take (default 30)
#   KP_KVM_DEV       the KVM device (default /dev/kvm; the tests move it)
#
# The guest's status port (its third serial port, a file on the host)
# carries "kp-start hypervisor=NAME" first ("none" when its kernel log names
# no hypervisor), and "kp-status N" at the end; vm/init writes both.

QEMU=${QEMU:-$KP_QEMU}
KP_CANARY_LIMIT=${KP_CANARY_LIMIT:-30}
KP_KVM_DEV=${KP_KVM_DEV:-/dev/kvm}
# Measured from the start of QEMU to the start marker, under TCG on two
# cores shared with other guests: 6.1 7 to 18 s, 6.12 10 s, the KASAN and
# lockdep kernel 24 s (docs/vm.md, "KVM or TCG").  The limits leave room for a
# host several times slower or busier; a KVM boot is faster still.
KP_BOOT_LIMIT=${VM_BOOT_LIMIT:-$([ "${KERNEL:-}" = debug ] && echo 600 || echo 120)}

# The file holding the verdict for this host: its name is a hash of the
# host's kernel release, QEMU's path and version, and the CPU's model and
# flags (a new QEMU, a host kernel update or a moved VM can change it).
accel_cache_file() {
	local key

	key=$({
		uname -r
		command -v "$QEMU"
		"$QEMU" --version </dev/null | head -n 1
		grep -m 1 '^model name' /proc/cpuinfo
		grep -m 1 '^flags' /proc/cpuinfo
	} 2>/dev/null | sha256sum | cut -c1-16)
	echo "$KP_CACHE/accel/$key"
}

# accel_remember ACCEL WHY: keep a verdict for the next runs.
accel_remember() {
	local file

	file=$(accel_cache_file)
	mkdir -p "$(dirname "$file")"
	printf '%s\n%s, on %s\n' "$1" "$2" "$(date -u '+%Y-%m-%d %H:%M UTC')" \
		>"$file.part" && mv "$file.part" "$file"
}

# accel_canary IMAGE: boot IMAGE under KVM with an init that prints a token
# (a new random one each time, so that nothing stale can pass).  Succeeds
# if the token came back; else sets KP_ACCEL_WHY to what went wrong.
accel_canary() {
	local image=$1 dir token rc=0

	dir=$(mktemp -d "${TMPDIR:-/tmp}/kernelpeek-canary.XXXXXX")
	token=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	mkdir -p "$dir"/root/{bin,dev,proc}
	cp /bin/busybox "$dir/root/bin/busybox"
	cat >"$dir/root/init" <<-'EOF'
	#!/bin/busybox sh
	/bin/busybox mount -t proc proc /proc
	/bin/busybox mount -t devtmpfs devtmpfs /dev
	for w in $(/bin/busybox cat /proc/cmdline); do
		case $w in
		kp.canary=*) echo "kernelpeek-canary ${w#kp.canary=}" >/dev/ttyS0 ;;
		esac
	done
	/bin/busybox poweroff -f
	EOF
	chmod +x "$dir/root/init"
	(cd "$dir/root" && find . | cpio -o -H newc --quiet) >"$dir/initrd"
	: >"$dir/console"
	# The braces' stderr takes bash's own "Aborted" if QEMU aborts.
	{
		timeout -k 2 "$KP_CANARY_LIMIT" "$QEMU" -accel kvm "${KP_MACHINE[@]}" \
			-m "${VM_MEM:-2G}" -smp "${VM_CPUS:-2}" -kernel "$image" \
			-initrd "$dir/initrd" -display none -monitor none \
			-no-reboot -serial "file:$dir/console" \
			-append "console=$KP_CONSOLE quiet panic=-1 kp.canary=$token" \
			</dev/null >/dev/null 2>"$dir/stderr"
	} 2>/dev/null || rc=$?
	if tr -d '\r' <"$dir/console" | grep -qx "kernelpeek-canary $token"; then
		rm -rf "$dir"
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		KP_ACCEL_WHY="KVM did not boot a guest within $KP_CANARY_LIMIT s"
	elif [ -s "$dir/stderr" ]; then
		KP_ACCEL_WHY="QEMU could not run a guest with KVM ($(grep -m 1 . "$dir/stderr"))"
	else
		KP_ACCEL_WHY="a guest under KVM ended without its token (QEMU exit $rc)"
	fi
	rm -rf "$dir"
	return 1
}

# accel_decide IMAGE: set KP_ACCEL (kvm or tcg) and KP_ACCEL_WHY, running
# the canary if there is no verdict for this host yet.
accel_decide() {
	local image=$1 file start

	case ${VM_ACCEL:-auto} in
	kvm | tcg)
		KP_ACCEL=$VM_ACCEL KP_ACCEL_WHY="VM_ACCEL=$VM_ACCEL"
		return 0
		;;
	auto) ;;
	*) die "VM_ACCEL=$VM_ACCEL: choose auto, kvm or tcg" ;;
	esac
	KP_ACCEL=tcg
	if [ "$KP_GUEST_UNAME" != "$(uname -m)" ]; then
		KP_ACCEL_WHY="an $KP_GUEST_UNAME guest on an $(uname -m) host (KVM runs the host's own architecture only)"
		return 0
	fi
	if [ ! -e "$KP_KVM_DEV" ]; then
		KP_ACCEL_WHY="this host has no $KP_KVM_DEV"
		return 0
	fi
	if [ ! -r "$KP_KVM_DEV" ] || [ ! -w "$KP_KVM_DEV" ]; then
		KP_ACCEL_WHY="$KP_KVM_DEV is not open to $(id -un) (join the group that owns it)"
		return 0
	fi
	file=$(accel_cache_file)
	if [ -s "$file" ]; then
		{ read -r KP_ACCEL && read -r KP_ACCEL_WHY; } <"$file"
		case $KP_ACCEL in
		kvm | tcg)
			KP_ACCEL_WHY+=" (remembered in ${file#"$KP_ROOT"/})"
			return 0
			;;
		esac
		KP_ACCEL=tcg
	fi
	say "Trying KVM: a canary guest must boot under it within $KP_CANARY_LIMIT s"
	start=${EPOCHREALTIME/./}
	if accel_canary "$image"; then
		KP_ACCEL=kvm
		KP_ACCEL_WHY="a canary guest booted under KVM"
	else
		say "$KP_ACCEL_WHY; using TCG (software emulation)"
	fi
	KP_ACCEL_WHY+="; decided in $(accel_elapsed "$start") s"
	accel_remember "$KP_ACCEL" "$KP_ACCEL_WHY"
}

# accel_elapsed START: seconds since START (microseconds, from
# ${EPOCHREALTIME/./}), with one decimal.
accel_elapsed() {
	local us=$((${EPOCHREALTIME/./} - $1))

	printf '%d.%d' $((us / 1000000)) $((us % 1000000 / 100000))
}

# accel_watch STATUS START: the boot watchdog, run in the background while
# QEMU runs (it started at START, in microseconds).  Waits for the start marker in the status file STATUS; if it is
# not there within KP_BOOT_LIMIT seconds, kills the QEMU whose pid is in
# STATUS.pid and leaves STATUS.nostart behind.  Once the guest has
# started, writes to STATUS.started the seconds that took and the
# hypervisor that the guest's kernel log names ("none" under TCG).
accel_watch() {
	local status=$1 start=$2 limit

	limit=$((start + KP_BOOT_LIMIT * 1000000))
	while ! grep -q '^kp-start ' "$status" 2>/dev/null; do
		if [ "${EPOCHREALTIME/./}" -ge "$limit" ]; then
			: >"$status.nostart"
			# QEMU writes its pidfile once it runs; give it a moment.
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				[ -s "$status.pid" ] && break
				sleep 0.5
			done
			[ -s "$status.pid" ] && kill "$(cat "$status.pid")" 2>/dev/null
			return 0
		fi
		sleep 0.1
	done
	accel_started "$status" "$start"
	[ -n "${KP_WATCH_QUIET:-}" ] || say "$(accel_confirm "$status")"
}

# accel_started STATUS START: note in STATUS.started, once, how long the
# guest took to start and which hypervisor it named.
accel_started() {
	local hv

	[ -s "$1.started" ] && return 0
	hv=$(tr -d '\r' <"$1" | sed -n 's/^kp-start hypervisor=//p' | head -n 1)
	printf '%s %s\n' "$(accel_elapsed "$2")" "$hv" >"$1.started"
}

# accel_confirm STATUS: what really ran, in words, from what the guest's
# kernel log says (arch/x86/kernel/cpu/hypervisor.c prints "Hypervisor
# detected: KVM" when it finds KVM's CPUID signature; under TCG QEMU shows
# it none).
accel_confirm() {
	local secs hv seen

	read -r secs hv <"$1.started"
	case $hv in
	KVM) seen=kvm ;;
	*) seen=tcg ;;
	esac
	printf 'The guest started in %s s, on %s (its kernel log: %s)' "$secs" \
		"$(accel_name "$seen")" \
		"$([ "$seen" = kvm ] && echo 'Hypervisor detected: KVM' || echo 'no hypervisor')"
	[ "$seen" = "$KP_ACCEL" ] || printf '; %s was asked for' "$(accel_name "$KP_ACCEL")"
}

# accel_boot_once ACCEL STATUS CMD...: run CMD, a QEMU command line in
# which the word @ACCEL@ stands for the accelerator's options, under the
# boot watchdog.  Returns CMD's status, or KP_RC_NOSTART if the watchdog
# killed it.
accel_boot_once() {
	local accel=$1 status=$2 arg cmd=() watcher start rc=0

	shift 2
	for arg in "$@"; do
		if [ "$arg" = @ACCEL@ ]; then
			cmd+=(-accel "$accel" -pidfile "$status.pid")
		else
			cmd+=("$arg")
		fi
	done
	rm -f "$status.pid" "$status.nostart" "$status.started"
	: >"$status"
	start=${EPOCHREALTIME/./}
	accel_watch "$status" "$start" &
	watcher=$!
	"${cmd[@]}" || rc=$?
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null
	[ -e "$status.nostart" ] && return "$KP_RC_NOSTART"
	# A guest may be done before the watchdog's next look.
	grep -q '^kp-start ' "$status" && accel_started "$status" "$start"
	return "$rc"
}

# accel_boot STATUS LOG CMD...: boot under KP_ACCEL (accel_decide) with the
# watchdog.  A guest that does not start under a KVM that was not asked for
# by name makes the verdict TCG, and the same boot runs again under TCG,
# once.  A guest that does not start under TCG either is a failure
# (KP_RC_NOSTART), told with the last lines of LOG (the kernel log, if
# there is one).  Sets KP_GUEST_HV, the hypervisor the guest's start
# marker names.
accel_boot() {
	local status=$1 log=$2 rc=0

	shift 2
	KP_GUEST_HV=''
	accel_boot_once "$KP_ACCEL" "$status" "$@" || rc=$?
	if [ "$rc" -eq "$KP_RC_NOSTART" ] && [ "$KP_ACCEL" = kvm ] &&
		[ "${VM_ACCEL:-auto}" = auto ]; then
		KP_ACCEL=tcg
		KP_ACCEL_WHY="a guest did not start within $KP_BOOT_LIMIT s under KVM"
		say "$KP_ACCEL_WHY; trying again under TCG (software emulation), and using TCG from now on"
		accel_remember tcg "$KP_ACCEL_WHY"
		rc=0
		accel_boot_once tcg "$status" "$@" || rc=$?
	fi
	if [ -s "$status.started" ]; then
		# shellcheck disable=SC2034 # for the caller
		read -r _ KP_GUEST_HV <"$status.started"
	fi
	if [ "$rc" -eq "$KP_RC_NOSTART" ]; then
		printf 'kernelpeek: the guest did not start within %s s under %s and was killed (VM_BOOT_LIMIT=).\n' \
			"$KP_BOOT_LIMIT" "$(accel_name "$KP_ACCEL")" >&2
		if [ -n "$log" ] && [ -s "$log" ]; then
			printf 'Last lines of its kernel log (%s):\n' "$log" >&2
			tail -n 20 "$log" >&2
		else
			echo 'Its kernel printed nothing.' >&2
		fi
	fi
	return "$rc"
}

# accel_name ACCEL: how the banner names it.
accel_name() {
	case $1 in
	kvm) echo KVM ;;
	*) echo "TCG, software emulation" ;;
	esac
}
