#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the guest kernel under QEMU and run a command in it.
#
#   vm/run.sh [-t SECONDS] [-l LOG] COMMAND...   run COMMAND (a shell command
#                                                line, in /kp) and exit with
#                                                its status
#   vm/run.sh --shell                            an interactive shell
#
# /kp in the guest is this project tree (sources, built modules, programs,
# tests).  Build first ("make"); modules built for another kernel are
# refused with a message.  The exit status is the command's, except:
#   124  the guest did not finish in time (-t, default $VM_TIMEOUT, or 900 s;
#        3600 s for KERNEL=debug), or did not even start (the boot
#        watchdog of vm/accel.sh; a KVM guest is first retried under TCG)
#   125  the guest died before reporting a status (a panic, say)
#   126  the guest kernel log holds an Oops, BUG, WARNING, KASAN, UBSAN,
#        lockdep or kmemleak report; the report is printed
# The whole kernel log is kept in LOG (-l, default .cache/console.log).
#
# The kernel log is judged (vm/judge.sh) on every way out, a time-out too.
#
# Environment: KERNEL/KVER (see vm/kernel.sh), VM_MEM (default 2G),
# VM_CPUS (default 2), VM_APPEND (extra kernel command-line options),
# VM_ACCEL, VM_BOOT_LIMIT and QEMU (see vm/accel.sh).

set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accel.sh"

# The kernel's own modules the guest needs: those vm/init loads for the
# disk (see build_disk), in this order, and those the tests load
# (tests/lib/swap.sh: zram).  ext4 wants crc32c for its checksums, but names
# it only as a soft dependency, which busybox's modprobe does not follow.
disk_kmods=(virtio_pci virtio_blk crc32c_generic ext4)
guest_kmods=(zram "${disk_kmods[@]}")
# The command's output and the status port (see wire_ports): two more
# serial ports of the PC, or two virtio consoles, whose driver arm64's
# Debian kernel has as a module, loaded by vm/init before anything else.
if [ "$KP_PORTS" = virtio ]; then
	port_devs=(hvc0 hvc1) port_kmods=(virtio_pci virtio_console)
else
	port_devs=(ttyS1 ttyS2) port_kmods=()
fi
guest_kmods+=("${port_kmods[@]}")

# check_modules: modules built for another kernel would only fail in the
# guest, obscurely; refuse them here.
check_modules() {
	local ko built

	for ko in "$KP_ROOT"/*/*.ko "$KP_ROOT"/tests/detectors/*.ko; do
		[ -e "$ko" ] || continue
		built=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
		[ "$built" = "$KVER" ] ||
			die "${ko#"$KP_ROOT"/} is built for $built, but the VM boots $KVER: run 'make KERNEL=${KERNEL:-6.1}' first"
	done
}

# add_kmod NAME: put the kernel's own module NAME, and what it depends on,
# into the initramfs (unless it is built in).
add_kmod() {
	local name=$1 ko dep dest

	grep -q "/$name.ko" "$KMODS/modules.builtin" && return 0
	ko=$(find "$KMODS/kernel" -name "$name.ko*" -print -quit)
	[ -n "$ko" ] || die "module $name is not in $KMODS"
	dest=$root/lib/modules/$KVER/${ko#"$KMODS"/}
	[ -e "${dest%.xz}" ] && return 0
	mkdir -p "$(dirname "$dest")"
	case $ko in
	*.xz) xz -dc "$ko" >"${dest%.xz}" ;;
	*) cp "$ko" "$dest" ;;
	esac
	for dep in $(modinfo -F depends "$ko" | tr , ' '); do
		add_kmod "$dep"
	done
}

# build_initramfs COMMAND: busybox, our init, the project tree under /kp,
# the kernel's own modules that the tests use (with a modules.dep for them,
# which the package's postinst, never run, would make), and the command.
build_initramfs() {
	local m

	root=$work/root
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,kp,lib/modules}
	cp "$KBUSYBOX" "$root/bin/busybox"
	cp "$KP_ROOT/vm/init" "$root/init"
	tar -C "$KP_ROOT" -cf - --exclude=.git --exclude=.cache --exclude='*.o' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude='.tmp_*' --exclude='*.cpio' . | tar -C "$root/kp" -xf -
	find "$root/kp" -name '*.ko' -exec "${KP_CROSS}strip" --strip-debug {} +
	for m in "${guest_kmods[@]}"; do
		add_kmod "$m"
	done
	mkdir -p "$root/lib/modules/$KVER"
	cp "$KMODS"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KVER/"
	depmod -b "$root" "$KVER"
	echo "${disk_kmods[*]}" >"$root/etc/kp-disk-kmods"
	echo "${port_devs[*]} ${port_kmods[*]}" >"$root/etc/kp-ports"
	printf '%s\n' "$*" >"$root/kp/.cmd"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"
}

# build_disk: the guest's disk, an ext4 filesystem in a sparse file of the
# run's own (thrown away with it), made without root by mke2fs -d from a
# directory; vm/init mounts it at /mnt/disk.  It holds one file from the
# host, so a test can tell the filesystem was read from the disk.
build_disk() {
	local dir=$work/disk

	mkdir -p "$dir"
	echo "written on the host by vm/run.sh" >"$dir/host-file"
	disk=$work/disk.img
	truncate -s 256M "$disk"
	# The inode tables and journal zeroed now, not by the guest kernel's
	# ext4lazyinit thread while the tests run.
	mke2fs -q -F -t ext4 -L kp-disk -m 0 -E lazy_itable_init=0,lazy_journal_init=0 \
		-d "$dir" "$disk" || die "mke2fs could not build the guest's disk"
}

# wire_ports CONSOLE OUTPUT STATUS: QEMU's options for the guest's three
# ports, each a QEMU character device in -serial's words (file:PATH, stdio,
# null, mon:stdio): the kernel console, the command's output, the status
# port.  The console is always the first serial port (KP_CONSOLE); the
# other two are serial ports as well, or virtio consoles (KP_PORTS).
wire_ports() {
	local spec i=0

	ports=(-serial "$1")
	shift
	if [ "$KP_PORTS" = serial ]; then
		ports+=(-serial "$1" -serial "$2")
		return
	fi
	ports+=(-device virtio-serial-pci)
	for spec in "$@"; do
		case $spec in
		file:*) ports+=(-chardev "file,id=kp$i,path=${spec#file:}") ;;
		*) ports+=(-chardev "$spec,id=kp$i") ;;
		esac
		ports+=(-device "virtconsole,chardev=kp$i")
		i=$((i + 1))
	done
}

# boot_shell: an interactive guest on this terminal, which is its console;
# the guest names its accelerator itself.
boot_shell() {
	wire_ports mon:stdio null "file:$status"
	KP_WATCH_QUIET=1 accel_boot "$status" "" "${qemu[@]}" "${ports[@]}" \
		-append "$append quiet kp.mode=shell"
}

# boot_run: the guest runs the command, its output on our stdout, its
# kernel log into $log; sets rc.
boot_run() {
	mkdir -p "$(dirname "$log")"
	rc=0
	wire_ports "file:$log" stdio "file:$status"
	accel_boot "$status" "$log" timeout -k 10 "$timeout" "${qemu[@]}" \
		"${ports[@]}" -append "$append kp.mode=run" </dev/null || rc=$?
}

# verdict: the exit status of the run.  The kernel log is judged however
# the run ended: a guest that hung or died may have said why.
verdict() {
	local judged=0 code

	[ ! -e "$log" ] || "$KP_ROOT/vm/judge.sh" "$log" || judged=$KP_RC_KREPORT
	[ "$rc" -ne "$KP_RC_NOSTART" ] || return "$KP_RC_TIMEOUT"	# said why already
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		printf 'kernelpeek: the guest did not finish within %ss and was killed.\n' \
			"$timeout" >&2
		printf 'Last lines of its kernel log (%s):\n' "$log" >&2
		tail -n 20 "$log" >&2
		return "$KP_RC_TIMEOUT"
	fi
	[ "$judged" -eq 0 ] || return "$judged"
	code=$(tr -d '\r' <"$status" | sed -n 's/^kp-status \([0-9]*\)$/\1/p')
	if [ -z "$code" ]; then
		printf 'kernelpeek: the guest stopped without reporting a status (QEMU exit %s).\n' \
			"$rc" >&2
		[ ! -e "$log" ] || tail -n 20 "$log" >&2
		return "$KP_RC_NOSTATUS"
	fi
	return "$code"
}

mode=run
# The sanitizers of KERNEL=debug make everything several times slower.
timeout=${VM_TIMEOUT:-$([ "${KERNEL:-}" = debug ] && echo 3600 || echo 900)}
log=$KP_CACHE/console.log
while [ $# -gt 0 ]; do
	case $1 in
	--shell) mode=shell; shift ;;
	-t) timeout=$2; shift 2 ;;
	-l) log=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see the top of $0)" ;;
	*) break ;;
	esac
done
[ "$mode" = shell ] || [ $# -gt 0 ] || die "no command given (see the top of $0)"

vm_deps
kenv=$("$KP_ROOT/vm/kernel.sh") || exit
eval "$kenv"
check_modules
work=$(mktemp -d "${TMPDIR:-/tmp}/kernelpeek.XXXXXX")
trap 'rm -rf "$work"' EXIT
build_initramfs "$@"
build_disk

accel_decide "$KIMAGE"
say "Booting Linux $KVER under QEMU ($(accel_name "$KP_ACCEL"), ${VM_CPUS:-2} CPUs," \
	"${VM_MEM:-2G} memory)"
say "Accelerator: $KP_ACCEL_WHY"
# slub_debug=FZPU: the slab allocator checks every object (sanity checks,
# red zones, poisoning, owner tracking) and so catches a corruption when
# it happens.  VM_SLUB_DEBUG= (empty) leaves it out: make bench does, as
# it would time the checking more than the code.
slub=${VM_SLUB_DEBUG-FZPU}
append="console=$KP_CONSOLE loglevel=7 ${slub:+slub_debug=$slub }panic=-1 ${VM_APPEND:-}"
qemu=("$QEMU" @ACCEL@ "${KP_MACHINE[@]}" -m "${VM_MEM:-2G}" -smp "${VM_CPUS:-2}"
	-kernel "$KIMAGE" -initrd "$work/initramfs.cpio"
	# cache=unsafe: the image dies with the run, so the host need not
	# honour the guest's flushes; the guest sees a disk all the same.
	-drive "file=$disk,format=raw,if=virtio,cache=unsafe"
	-nographic -no-reboot -monitor none)
status=$work/status
if [ "$mode" = shell ]; then
	boot_shell
	exit
fi
boot_run
code=0
verdict || code=$?
exit "$code"
