#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make install" and "make uninstall" on a real machine.
#
#   install    copy the module sources to /usr/src/kernelpeek-VERSION,
#              register them with DKMS, build and install the modules for
#              KVER (default: the running kernel), install the programs
#              and scripts into PREFIX/bin (default /usr/local) and a udev
#              rule that keeps /dev/physmem and /dev/reparent root-only
#   uninstall  undo all of it, for every kernel
#
# Nothing is loaded, now or at boot: see docs/install.md.  Uses sudo when not root.

set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

action=${1:-}
prefix=${PREFIX:-/usr/local}
kver=${KVER:-$(uname -r)}
name=kernelpeek
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$KP_ROOT/dkms.conf")
src=/usr/src/$name-$version
rule=/etc/udev/rules.d/60-kernelpeek.rules
# The programs and scripts of every component and tool (install-list).
progs=()
for d in $(kp_components) $(kp_tools); do
	for p in $(make -s --no-print-directory -C "$KP_ROOT/$d" install-list); do
		progs+=("$d/$p")
	done
done

case $action in
install)
	[ -d "/lib/modules/$kver/build" ] ||
		apt_install "linux-headers-$kver"
	apt_install dkms make gcc libc6-dev
	say "Building the programs"
	for d in $(kp_components) $(kp_tools); do
		make --no-print-directory -C "$KP_ROOT/$d" progs >/dev/null
	done
	say "Copying the module sources to $src"
	as_root rm -rf "$src"
	as_root mkdir -p "$src"
	kp_module_sources | as_root tar -C "$src" -xf -
	dkms status "$name/$version" | grep -q . ||
		as_root dkms add "$name/$version"
	say "Building and installing the modules for $kver with DKMS"
	as_root dkms build "$name/$version" -k "$kver"
	as_root dkms install "$name/$version" -k "$kver" --force
	say "Installing the programs and scripts into $prefix/bin"
	for p in "${progs[@]}"; do
		as_root install -D -m 0755 "$KP_ROOT/$p" "$prefix/bin/${p##*/}"
	done
	as_root install -D -m 0644 "$KP_ROOT/tools/60-kernelpeek.rules" "$rule"
	if command -v udevadm >/dev/null; then
		as_root udevadm control --reload || true
	fi
	say "Installed.  Nothing is loaded: 'sudo kpeek runnable', and see docs/ in the source tree."
	;;
uninstall)
	if command -v dkms >/dev/null && dkms status "$name/$version" | grep -q .; then
		say "Removing $name/$version from DKMS (every kernel)"
		as_root dkms remove "$name/$version" --all
	fi
	as_root rm -rf "$src" "$rule"
	for p in "${progs[@]}"; do
		as_root rm -f "$prefix/bin/${p##*/}"
	done
	say "Uninstalled."
	;;
*)
	die "usage: $0 install|uninstall"
	;;
esac
