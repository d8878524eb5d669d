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
# KERNEL=6.1 (default) is Debian bookworm's 6.1.0-N-amd64 and KERNEL=6.12
# the bookworm 6.12.N+deb12-amd64 kernel.  N is never hard-coded: the newest
# release that has both headers and an unsigned image in the archive wins,
# unless KVER= names one.  KDIR= overrides the headers.
#
# The headers are installed as a package; the image is fetched with
# "apt-get download" and unpacked with "dpkg -x" under .cache/, so no kernel
# install hook ever runs on this machine.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

KERNEL=${KERNEL:-6.1}
case $KERNEL in
6.1)	release_re='6\.1\.0-[0-9]+-amd64' ;;
6.12)	release_re='6\.12\.[0-9]+\+deb12-amd64' ;;
*)	die "KERNEL=$KERNEL is not known (choose 6.1 or 6.12)" ;;
esac

# Newest release matching release_re with headers and an unsigned image.
newest_release() {
	local r

	apt-cache pkgnames linux-image- 2>/dev/null |
		sed -nE "s/^linux-image-($release_re)-unsigned\$/\\1/p" |
		sort -rV |
		while read -r r; do
			if apt-cache show "linux-headers-$r" >/dev/null 2>&1; then
				echo "$r"
				break
			fi
		done
}

if [ -z "${KVER:-}" ]; then
	KVER=$(newest_release)
	if [ -z "$KVER" ]; then
		apt_update_once
		KVER=$(newest_release)
	fi
	[ -n "$KVER" ] || die "no linux-image matching $release_re in the archive"
fi
[[ $KVER =~ ^$release_re$ ]] ||
	die "KVER=$KVER is not a KERNEL=$KERNEL release (expected $release_re)"

[ -n "${KDIR:-}" ] || {
	apt_install "linux-headers-$KVER"
	KDIR=/usr/src/linux-headers-$KVER
}
[ -f "$KDIR/Makefile" ] || die "KDIR=$KDIR holds no kernel build tree"

dest=$KP_CACHE/kernel/$KVER
if [ ! -e "$dest/.unpacked" ]; then
	pkg=linux-image-$KVER-unsigned
	dl=$KP_CACHE/download
	mkdir -p "$dl"
	rm -f "$dl"/"$pkg"_*.deb
	say "Fetching the guest kernel $KVER ($pkg, about 70 MB) with apt-get download"
	( cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2 ) || {
		apt_update_once
		( cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2 )
	} || die "could not download $pkg"
	say "Unpacking it into ${dest#"$KP_ROOT"/} with dpkg -x (no install hooks run)"
	rm -rf "$dest" && mkdir -p "$dest"
	dpkg -x "$dl"/"$pkg"_*.deb "$dest"
	rm -f "$dl"/"$pkg"_*.deb
	touch "$dest/.unpacked"
fi

printf 'KVER=%q\nKDIR=%q\nKIMAGE=%q\nKMODS=%q\n' "$KVER" "$KDIR" \
	"$dest/boot/vmlinuz-$KVER" "$dest/lib/modules/$KVER"
