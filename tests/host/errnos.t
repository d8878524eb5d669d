#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The manuals' errno tables against the uapi headers, which are the
# contract.  For each device, the errnos of the header's "Errors" list and
# of the errno table in its manual (docs/physmem.md, docs/reparent.md) must
# be the same, and
# each errno must name the same operations in both: "open" and the ioctls,
# by the short names of the header's *_IOC_* commands (XLATE, WRITE, ...),
# and quote the same log lines ("physmem: refused write to 0x... by pid
# N: not pinned"; the manual may write the dots as one ellipsis).
# On the host, no guest; TAP.

set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

# header_errnos HEADER: one line per entry of the header's Errors list,
# "ERRNO<tab>its text" (tests/lib/errnos.awk).
header_errnos() {
	awk -f tests/lib/errnos.awk "$1"
}

# doc_errnos FILE: the same from the first "| errno | when |" table in
# the manual FILE; a row may name several errnos ("| `EFAULT`, `ENOTTY` |
# ... |").
doc_errnos() {
	awk '/^\| errno \| when \|/ { tab = 1; next }
	     tab && /^\| --- / { next }
	     tab && !/^\|/ { exit }
	     tab {
		split($0, cell, "|")
		n = split(cell[2], w, "`")
		for (i = 2; i <= n; i += 2) print w[i] "\t" $0
	     }' "$1"
}

# ops WORDS TEXT: the words of WORDS (an ERE alternation) that TEXT names,
# sorted, on one line.
ops() {
	printf '%s\n' "$2" | grep -oE "\\b($1)\\b" | sort -u | tr '\n' ' '
}

# logs TEXT: the log lines TEXT quotes, one per line, sorted.
logs() {
	printf '%s\n' "$1" | sed 's/…/.../g' |
		grep -oE '[a-z_]+: refused [^"`]*' | sort -u
}

# check HEADER MANUAL: compare one header with its manual's table.
check() {
	local header=$1 doc=$2 words hdr rdm e want got

	# Longest names first, so that XLATE_BATCH is not read as XLATE.
	words=$(sed -nE 's/^#define [A-Z]+_IOC_([A-Z_]+)[ \t].*/\1/p' "$header" |
		grep -vx MAGIC | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2 |
		tr '\n' '|')
	words="${words}open"
	hdr=$(header_errnos "$header")
	rdm=$(doc_errnos "$doc")
	[ -n "$rdm" ] || tap_fail "$doc has an errno table" "got: none" "wanted: a | errno | when | table"
	tap_is "$(cut -f1 <<<"$rdm" | sort -u | tr '\n' ' ')" \
		"$(cut -f1 <<<"$hdr" | sort -u | tr '\n' ' ')" \
		"$header: $doc's errnos (got) are the header's (expected)"
	while read -r e; do
		want=$(ops "$words" "$(grep -P "^$e\t" <<<"$hdr" | cut -f2-)")
		got=$(ops "$words" "$(grep -P "^$e\t" <<<"$rdm" | cut -f2-)")
		tap_is "$got" "$want" \
			"$header: $e names the same operations in $doc (got) as in the header (expected)"
		want=$(logs "$(grep -P "^$e\t" <<<"$hdr" | cut -f2-)")
		got=$(logs "$(grep -P "^$e\t" <<<"$rdm" | cut -f2-)")
		[ -z "$want$got" ] ||
			tap_is "$got" "$want" \
				"$header: $e quotes the same log lines in $doc (got) as in the header (expected)"
	done < <(cut -f1 <<<"$hdr" | sort -u)
}

check 2_I/physmem.h docs/physmem.md
check 2_II/reparent.h docs/reparent.md
tap_done
