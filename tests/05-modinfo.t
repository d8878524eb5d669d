#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every module says what it is: description, license, author, the
# project's version (dkms.conf), and a description of every parameter.
. tests/lib/tap.sh

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
for ko in */*.ko; do
	m=$(basename "$ko" .ko)
	info=$(modinfo "$m" 2>&1)
	missing=
	for field in description license author; do
		printf '%s\n' "$info" | grep -qE "^$field: +[^ ]" || missing="$missing $field"
	done
	printf '%s\n' "$info" | grep -qE "^license: +GPL$" || missing="$missing GPL"
	printf '%s\n' "$info" | grep -qxE "version: +$version" || missing="$missing version=$version"
	# A parameter without MODULE_PARM_DESC has a parmtype but no parm.
	for p in $(modinfo -F parmtype "$m" | cut -d: -f1); do
		printf '%s\n' "$info" | grep -qE "^parm: +$p:[^ ]" || missing="$missing parm-desc:$p"
	done
	if [ -z "$missing" ]; then
		tap_pass "$ko: modinfo has description, GPL license, author, version $version, parameter descriptions"
	else
		tap_fail "$ko: modinfo has everything" "missing:$missing" "$info"
	fi
done
tap_done
