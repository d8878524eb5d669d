#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolve, fetch and cache the guest kernel that KERNEL= selects, then print
# shell assignments for it (use: eval "$(vm/kernel.sh)"):
#
#   KVER     the kernel release, e.g. 6.1.0-56-amd64
#   KDIR     the headers modules are built against
#   KIMAGE   the bzImage QEMU boots
#   KMODS    the kernel's own modules (lib/modules/KVER), for the guest
#
#   KBUSYBOX the static busybox the guest runs
#
# KERNEL=6.1 (default) is Debian bookworm's 6.1.0-N-amd64, KERNEL=6.12
# the bookworm 6.12.N+deb12-amd64 kernel, KERNEL=arm64 bookworm's
# 6.1.0-N-arm64 (see foreign_headers below), and KERNEL=debug a 6.1 kernel
# built here with the kernel's sanitizers (see debug_kernel below).  N is
# never hard-coded: the newest release that has both headers and an
# unsigned image in the archive wins, unless KVER= names one.  KDIR=
# overrides the headers.
#
# The headers are installed as a package; the image is fetched with
# "apt-get download" and unpacked with "dpkg -x" under .cache/, so no kernel
# install hook ever runs on this machine.
#
# vm/kernel.sh --headers: only what building needs (KVER and KDIR; no image
# is fetched, KIMAGE and KMODS are left empty).  "make" uses this.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

headers_only=
[ "${1:-}" = --headers ] && headers_only=1

# KERNEL=debug: Debian's linux-source-6.1 built from tinyconfig plus
# vm/debug.config (KASAN, lockdep, UBSAN, kmemleak, ...), in .cache/debug;
# rebuilt when the fragment changes.  The built tree is also the KDIR.
debug_kernel() {
	local dir=$KP_CACHE/debug tree=$KP_CACHE/debug/linux-source-6.1
	local frag=$KP_ROOT/vm/debug.config stamp line opt tarball missing

	stamp=$dir/.built-$(sha256sum <"$frag" | cut -c1-16)
	if [ ! -e "$stamp" ]; then
		apt_install make gcc bc bison flex libelf-dev libssl-dev xz-utils
		tarball=$(linux_source_tarball)
		if [ ! -e "$tree/Makefile" ]; then
			say "Unpacking linux-source-6.1 into ${dir#"$KP_ROOT"/}"
			mkdir -p "$dir"
			tar -xJf "$tarball" -C "$dir"
		fi
		say "Configuring the debug kernel: tinyconfig + vm/debug.config"
		make -s -C "$tree" tinyconfig >/dev/null
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$tree" \
			"$tree/.config" "$frag" >/dev/null
		make -s -C "$tree" olddefconfig >/dev/null
		missing=$(while read -r line; do
			case $line in
			CONFIG_*=n) opt=${line%=n}
				grep -q "^$opt=" "$tree/.config" && echo "$line" ;;
			CONFIG_*) grep -qxF "$line" "$tree/.config" || echo "$line" ;;
			esac
		done <"$frag")
		[ -z "$missing" ] ||
			die "vm/debug.config: these did not take (a dependency is off): $(tr '\n' ' ' <<<"$missing")"
		say "Building it with $(nproc) jobs (KASAN, lockdep, UBSAN, kmemleak; 10 to 20 minutes)"
		make -C "$tree" -j"$(nproc)" bzImage modules 2>&1 |
			awk '/^  CC/ { if (++n % 250 == 0) printf "    %d files compiled\n", n > "/dev/stderr" }
			     /(error|Error [0-9]+|\*\*\*)[: ]/ && !/^  (CC|LD|AR|HOSTCC)/ { print > "/dev/stderr" }'
		[ "${PIPESTATUS[0]}" -eq 0 ] || die "the debug kernel did not build"
		rm -rf "$dir/modules"
		make -s -C "$tree" modules_install INSTALL_MOD_PATH="$dir/modules" >/dev/null
		rm -f "$dir"/.built-*
		touch "$stamp"
		say "Debug kernel built"
	fi
	KVER=$(make -s -C "$tree" kernelrelease)
	KDIR=${KDIR:-$tree}
	printf 'KVER=%q\nKDIR=%q\nKIMAGE=%q\nKMODS=%q\nKBUSYBOX=/bin/busybox\n' \
		"$KVER" "$KDIR" "$tree/arch/x86/boot/bzImage" \
		"$dir/modules/lib/modules/$KVER"
	exit 0
}

KERNEL=${KERNEL:-6.1}
case $KERNEL in
6.1)	release_re='6\.1\.0-[0-9]+-amd64' ;;
6.12)	release_re='6\.12\.[0-9]+\+deb12-amd64' ;;
arm64)	release_re='6\.1\.0-[0-9]+-arm64' ;;
debug)	debug_kernel ;;
*)	die "KERNEL=$KERNEL is not known (choose 6.1, 6.12, arm64 or debug)" ;;
esac

# Newest release matching release_re with headers and an unsigned image.
newest_release() {
	local r

	guest_apt apt-cache pkgnames linux-image- 2>/dev/null |
		sed -nE "s/^linux-image-($release_re)-unsigned\$/\\1/p" |
		sort -rV |
		while read -r r; do
			if guest_apt apt-cache show "linux-headers-$r" >/dev/null 2>&1; then
				echo "$r"
				break
			fi
		done
}

if [ -z "${KVER:-}" ]; then
	KVER=$(newest_release)
	if [ -z "$KVER" ]; then
		guest_apt_update_once
		KVER=$(newest_release)
	fi
	[ -n "$KVER" ] || die "no linux-image matching $release_re in the archive"
fi
[[ $KVER =~ ^$release_re$ ]] ||
	die "KVER=$KVER is not a KERNEL=$KERNEL release (expected $release_re)"

# unpack DEST PACKAGE...: fetch the guest architecture's packages and
# unpack them into DEST with dpkg -x (no install, no hooks).
unpack() {
	local dest=$1 dl=$KP_GUEST_CACHE/download pkg

	shift
	mkdir -p "$dest"
	for pkg in "$@"; do
		apt_download "$dl" "$pkg"
		dpkg -x "$dl/$pkg"_*.deb "$dest"
		rm -f "$dl/$pkg"_*.deb
	done
}

# foreign_headers: the headers of a guest of another architecture (arm64
# on an x86-64 host) cannot be installed; they are unpacked into
# .cache/ARCH/headers.  Their scripts and tools are symlinks into
# linux-kbuild-6.1, which must be the host's own (its programs run on the
# host), and their Makefile names the -common package's by its absolute
# path: both are pointed at what is really there.  Sets KDIR.
foreign_headers() {
	local dir=$KP_GUEST_CACHE/headers/$KVER common

	common=linux-headers-${KVER%-"$KP_GUEST_ARCH"}-common
	apt_install linux-kbuild-6.1
	if [ ! -e "$dir/.unpacked" ]; then
		say "Fetching the $KP_GUEST_ARCH headers of $KVER with apt-get download"
		rm -rf "$dir"
		unpack "$dir" "linux-headers-$KVER" "$common"
		mkdir -p "$dir/usr/lib"
		ln -s /usr/lib/linux-kbuild-6.1 "$dir/usr/lib/linux-kbuild-6.1"
		sed -i "s|/usr/src/$common/|$dir/usr/src/$common/|" \
			"$dir/usr/src/linux-headers-$KVER/Makefile"
		touch "$dir/.unpacked"
	fi
	KDIR=$dir/usr/src/linux-headers-$KVER
}

# The guest's busybox: the host's for a guest of its own architecture
# (vm/lib.sh, vm_deps, installs it), else busybox-static unpacked into
# .cache/ARCH/busybox.
guest_busybox() {
	local dir=$KP_GUEST_CACHE/busybox

	if [ "$KP_GUEST_CACHE" = "$KP_CACHE" ]; then
		echo /bin/busybox
		return
	fi
	if [ ! -e "$dir/.unpacked" ]; then
		say "Fetching busybox-static for $KP_GUEST_ARCH with apt-get download"
		rm -rf "$dir"
		unpack "$dir" busybox-static
		touch "$dir/.unpacked"
	fi
	echo "$dir/bin/busybox"
}

if [ -z "${KDIR:-}" ]; then
	if [ "$KP_GUEST_CACHE" = "$KP_CACHE" ]; then
		apt_install "linux-headers-$KVER"
		KDIR=/usr/src/linux-headers-$KVER
	else
		foreign_headers
	fi
fi
[ -f "$KDIR/Makefile" ] || die "KDIR=$KDIR holds no kernel build tree"

if [ -n "$headers_only" ]; then
	printf 'KVER=%q\nKDIR=%q\nKIMAGE=\nKMODS=\nKBUSYBOX=\n' "$KVER" "$KDIR"
	exit 0
fi

dest=$KP_GUEST_CACHE/kernel/$KVER
if [ ! -e "$dest/.unpacked" ]; then
	pkg=linux-image-$KVER-unsigned
	say "Fetching the guest kernel $KVER ($pkg, about 70 MB) with apt-get download"
	say "Unpacking it into ${dest#"$KP_ROOT"/} with dpkg -x (no install hooks run)"
	rm -rf "$dest"
	unpack "$dest" "$pkg"
	touch "$dest/.unpacked"
fi
busybox=$(guest_busybox)

printf 'KVER=%q\nKDIR=%q\nKIMAGE=%q\nKMODS=%q\nKBUSYBOX=%q\n' "$KVER" "$KDIR" \
	"$dest/boot/vmlinuz-$KVER" "$dest/lib/modules/$KVER" "$busybox"
