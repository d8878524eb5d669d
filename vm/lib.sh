# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by the host-side scripts in vm/ and tests/: messages,
# running as root, and installing Debian packages on demand.  Sourced, not run.

KP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KP_CACHE=${KP_CACHE:-$KP_ROOT/.cache}

# The guest's architecture, which KERNEL= selects: the one place for what
# differs between x86-64 and arm64 on the host side.
#   KP_GUEST_ARCH  Debian's name for it (amd64, arm64)
#   KP_GUEST_UNAME what uname -m says in the guest (x86_64, aarch64)
#   KP_CROSS       the cross compiler's prefix (CROSS_COMPILE), empty
#                  when the guest is the host's own architecture
#   KP_KMAKE       what Kbuild needs on its command line for it
#   KP_QEMU        the QEMU binary (QEMU= overrides it) and its package
#   KP_MACHINE     QEMU's machine and CPU options
#   KP_CONSOLE     the kernel console (the guest's first serial port)
#   KP_PORTS       how vm/run.sh wires the command's output and the status
#                  port: "serial" (two more 16550s, ttyS1 and ttyS2) or
#                  "virtio" (QEMU's arm64 virt machine has one PL011
#                  only: two virtio consoles, hvc0 and hvc1)
# arm64 gets -cpu max with pauth-impdef: QEMU's own pointer-authentication
# hash instead of the architected QARMA, which is many times slower to
# emulate under TCG; the guest sees pointer authentication either way.
# shellcheck disable=SC2034 # used by the scripts that source this file
case ${KERNEL:-6.1} in
arm64)
	KP_GUEST_ARCH=arm64 KP_GUEST_UNAME=aarch64 KP_CROSS=aarch64-linux-gnu-
	KP_KMAKE=(ARCH=arm64 "CROSS_COMPILE=$KP_CROSS")
	KP_QEMU=${QEMU:-qemu-system-aarch64} KP_QEMU_PKG=qemu-system-arm
	KP_MACHINE=(-M virt -cpu "max,pauth-impdef=on")
	KP_CONSOLE=ttyAMA0 KP_PORTS=virtio
	;;
*)
	KP_GUEST_ARCH=amd64 KP_GUEST_UNAME=x86_64 KP_CROSS=
	KP_KMAKE=()
	KP_QEMU=${QEMU:-qemu-system-x86_64} KP_QEMU_PKG=qemu-system-x86
	KP_MACHINE=(-cpu max)
	KP_CONSOLE=ttyS0 KP_PORTS=serial
	;;
esac
# What is fetched for a guest of another architecture than the host's
# lives apart, in .cache/ARCH: its apt lists, kernel, headers and busybox.
KP_GUEST_CACHE=$KP_CACHE
[ "$KP_GUEST_ARCH" = "$(dpkg --print-architecture 2>/dev/null)" ] ||
	KP_GUEST_CACHE=$KP_CACHE/$KP_GUEST_ARCH

# Exit statuses of vm/run.sh that are not the guest command's own:
# 124 the guest hung (did not start, or did not finish) and was killed,
# 125 it died (a panic) before reporting, 126 its kernel log holds an
# Oops/BUG/WARNING/KASAN/... report.  KP_RC_NOSTART is internal to
# vm/accel.sh: a boot its watchdog stopped (vm/run.sh reports 124).
# shellcheck disable=SC2034 # used by the scripts that source this file
readonly KP_RC_TIMEOUT=124 KP_RC_NOSTATUS=125 KP_RC_KREPORT=126 KP_RC_NOSTART=200

# Progress goes to stderr, so that a script's stdout stays machine-readable.
say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
[ -t 2 ] || say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'kernelpeek: error: %s\n' "$*" >&2; exit 1; }

# kp_summary PASSED FAILED SKIPPED: the line that ends a whole run of
# tests, "N passed, N failed[, N skipped]", as .ci/run adds them up.
kp_summary() {
	if [ "$3" -eq 0 ]; then
		echo "$1 passed, $2 failed"
	else
		echo "$1 passed, $2 failed, $3 skipped"
	fi
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "root is needed for: $* (run as root or install sudo)"
	fi
}

# Once per run, across the scripts it calls.
apt_update_once() {
	[ -n "${KP_APT_UPDATED:-}" ] && return 0
	say "Refreshing Debian's package lists (apt-get update)"
	as_root apt-get update -q >&2 || die "apt-get update failed"
	export KP_APT_UPDATED=1
}

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# apt_install PKG...: install those of the packages that are missing.
apt_install() {
	local p missing=()

	for p in "$@"; do
		is_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update_once
	say "Installing host packages: ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2 ||
		die "could not install: ${missing[*]}"
}

# What compiling needs on the host ("make"), whatever the kernel: the
# headers come from vm/kernel.sh.  Nothing here boots a guest.
build_deps() {
	apt_install make gcc libc6-dev kmod binutils xz-utils
	[ -z "$KP_CROSS" ] ||
		apt_install "gcc-${KP_CROSS%-}" "libc6-dev-$KP_GUEST_ARCH-cross"
}

# What booting a guest needs on top (vm/run.sh): QEMU, busybox and cpio
# for the initramfs, e2fsprogs for the guest's disk.
vm_deps() {
	build_deps
	apt_install cpio busybox-static "$KP_QEMU_PKG" e2fsprogs
}

# guest_apt apt-get|apt-cache ARGS...: apt for the guest's packages.  For
# the host's own architecture that is the host's apt.  For another one it
# is an apt configuration private to .cache/ARCH/apt: its own package
# lists, state (an empty dpkg status) and cache, APT::Architectures the
# guest's, and none of the host's apt.conf.d; it reads the host's sources
# (its mirror) and changes nothing of the host's apt or dpkg setup.
guest_apt() {
	local dir=$KP_GUEST_CACHE/apt

	if [ "$KP_GUEST_CACHE" = "$KP_CACHE" ]; then
		"$@"
		return
	fi
	if [ ! -e "$dir/apt.conf" ]; then
		mkdir -p "$dir"/{state/lists/partial,cache/archives/partial,parts,preferences}
		: >"$dir/state/status"
		cat >"$dir/apt.conf" <<-EOF
			APT::Architecture "$KP_GUEST_ARCH";
			APT::Architectures { "$KP_GUEST_ARCH"; };
			Dir::State "$dir/state";
			Dir::State::status "$dir/state/status";
			Dir::Cache "$dir/cache";
			Dir::Etc::Parts "$dir/parts";
			Dir::Etc::PreferencesParts "$dir/preferences";
			Acquire::Languages "none";
		EOF
	fi
	APT_CONFIG=$dir/apt.conf "$@"
}

# guest_apt_update_once: apt_update_once, for guest_apt's lists.
guest_apt_update_once() {
	if [ "$KP_GUEST_CACHE" = "$KP_CACHE" ]; then
		apt_update_once
		return
	fi
	[ -n "${KP_GUEST_APT_UPDATED:-}" ] && return 0
	say "Refreshing Debian's $KP_GUEST_ARCH package lists (private to ${KP_GUEST_CACHE#"$KP_ROOT"/}/apt)"
	guest_apt apt-get -q update >&2 || die "apt-get update ($KP_GUEST_ARCH) failed"
	export KP_GUEST_APT_UPDATED=1
}

# apt_download DIR PACKAGE: fetch the guest architecture's .deb of a
# package into DIR (no install; see guest_apt), refreshing the package
# lists once if the first try fails.
apt_download() {
	local get=(guest_apt apt-get -q -o APT::Sandbox::User=root download "$2")

	mkdir -p "$1"
	rm -f "$1/$2"_*.deb
	(cd "$1" && "${get[@]}" >&2) || {
		guest_apt_update_once
		(cd "$1" && "${get[@]}" >&2)
	} || die "could not download $2"
}

# linux_source_tarball: print the path of Debian's linux-source-6.1 tarball,
# fetched once into .cache/src (for checkpatch and the debug kernel).
linux_source_tarball() {
	local src=$KP_CACHE/src tarball=$KP_CACHE/src/linux-source-6.1.tar.xz

	if [ ! -e "$tarball" ]; then
		say "Fetching linux-source-6.1 (about 140 MB) with apt-get download"
		apt_download "$src" linux-source-6.1
		dpkg-deb --fsys-tarfile "$src"/linux-source-6.1_*.deb |
			tar -xO ./usr/src/linux-source-6.1.tar.xz >"$tarball.part" &&
			mv "$tarball.part" "$tarball"
		rm -f "$src"/linux-source-6.1_*.deb
	fi
	echo "$tarball"
}

# kp_components: the components, one per line (1, 2_I, 2_II, 3): every
# top-level directory with a Kbuild file.  The one list of them; the
# Makefile asks the same question, $(wildcard */Kbuild).
kp_components() {
	local k

	for k in "$KP_ROOT"/*/Kbuild; do
		[ -e "$k" ] && basename "$(dirname "$k")"
	done
}

# kp_tools: the top-level directories of programs that are no component
# (no Kbuild, no module): kpeek.  Each has an install-list target of its
# own, in its Makefile (a component has it from mk/kbuild.mk), and that
# is how they are known here and in the Makefile (TOOLS).
kp_tools() {
	local m

	for m in "$KP_ROOT"/*/Makefile; do
		grep -q '^install-list:' "$m" && basename "$(dirname "$m")"
	done
	return 0
}

# kp_modules: "DIR NAME" for each module the components build, from the
# obj-m lines of their Kbuild files.
kp_modules() {
	local d o objs

	for d in $(kp_components); do
		objs=$(sed -n 's/^obj-m[[:space:]]*[+:]*=//p' "$KP_ROOT/$d/Kbuild")
		for o in $objs; do
			echo "$d ${o%.o}"
		done
	done
}

# kp_dkms_modules: "NAME LOCATION" for each module dkms.conf declares
# (LOCATION as it writes it, "1/").
kp_dkms_modules() {
	paste -d' ' <(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' "$KP_ROOT/dkms.conf") \
		<(sed -n 's/^BUILT_MODULE_LOCATION\[[0-9]*\]="\(.*\)"$/\1/p' "$KP_ROOT/dkms.conf")
}

# kp_module_sources: a tar stream of what DKMS needs to build the modules
# (the sources and build rules, no build products).
kp_module_sources() {
	# shellcheck disable=SC2046 # one word per component
	tar -C "$KP_ROOT" -cf - --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=Module.symvers --exclude=modules.order \
		dkms.conf Makefile mk include $(kp_components)
}
