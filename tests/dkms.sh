#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check-dkms": build the modules with DKMS (dkms.conf) for the 6.1 and
# the 6.12 kernel, into a scratch DKMS tree so that nothing on this machine
# changes, check what it built, and run the whole suite in the VM on those
# very .ko files (in a scratch copy of the project).

set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"

apt_install dkms
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$KP_ROOT/dkms.conf")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kernelpeek-dkms.XXXXXX")
trap 'as_root rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/kernelpeek-$version" "$tmp/dkms" "$tmp/install" "$tmp/tree"
kp_module_sources | tar -C "$tmp/src/kernelpeek-$version" -xf -
dkms=(dkms --dkmstree "$tmp/dkms" --sourcetree "$tmp/src" --installtree "$tmp/install")
as_root "${dkms[@]}" add "kernelpeek/$version" >/dev/null || die "dkms add failed"

modules=$(kp_dkms_modules)

status=0
for lane in 6.1 6.12; do
	kenv=$(KERNEL=$lane KVER='' KDIR='' "$KP_ROOT/vm/kernel.sh" --headers) || exit
	eval "$kenv"
	say "dkms build kernelpeek/$version -k $KVER"
	as_root "${dkms[@]}" build "kernelpeek/$version" -k "$KVER" \
		--kernelsourcedir "$KDIR" >"$tmp/build.log" 2>&1 || {
		cat "$tmp/build.log"
		die "dkms build failed for $KVER"
	}
	built=$tmp/dkms/kernelpeek/$version/$KVER/x86_64/module

	# A copy of the project, with DKMS's modules in place of its own.
	tar -C "$KP_ROOT" -cf - --exclude=.git --exclude=.cache . | tar -C "$tmp/tree" -xf -
	while read -r name location; do
		ko=$(find "$built" -name "$name.ko*" | head -n 1)
		[ -n "$ko" ] || die "dkms did not build $name for $KVER"
		case $ko in *.xz) xz -dc "$ko" >"$tmp/tree/$location$name.ko" ;;
		*) cp "$ko" "$tmp/tree/$location$name.ko" ;; esac
		[ "$(modinfo -F vermagic "$tmp/tree/$location$name.ko" | cut -d' ' -f1)" = "$KVER" ] ||
			die "$name.ko from dkms is not built for $KVER"
		[ "$(modinfo -F version "$tmp/tree/$location$name.ko")" = "$version" ] ||
			die "$name.ko's MODULE_VERSION is not dkms.conf's $version"
	done <<<"$modules"
	# The test-only modules (tests/detectors) are no part of DKMS: built
	# here for this kernel, as vm/build.sh builds them for the lane.
	make -s --no-print-directory -C "$tmp/tree/tests/detectors" clean
	if ! make -s --no-print-directory -C "$tmp/tree/tests/detectors" \
		KDIR="$KDIR" >"$tmp/test-modules.log" 2>&1; then
		cat "$tmp/test-modules.log"
		die "the test-only modules did not build for $KVER"
	fi
	say "dkms built all $(wc -l <<<"$modules") modules for $KVER; the suite runs on them"
	KP_CACHE=$KP_CACHE KERNEL=$lane KVER=$KVER "$tmp/tree/tests/check.sh" || status=1
done
exit "$status"
