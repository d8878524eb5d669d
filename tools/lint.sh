#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make lint": the kernel's own judges on our code.  Fails on any finding.
#
#   checkpatch  scripts/checkpatch.pl --strict on every kernel source and
#               header (exceptions, each justified, in .checkpatch.conf)
#   sparse      the module build with C=2, against the 6.12 and 6.1 headers
#   W=1         the module build with extra warnings, as errors, on both
#   format      clang-format (.clang-format) on the kernel code
#   user C      the programs with -Wall -Wextra -Werror, and cppcheck
#   shell       shellcheck on every shell script
#
# Arguments run only the steps whose names start with them
# ("tools/lint.sh user shell").
#
# checkpatch comes from Debian's linux-source-6.1: the package is fetched
# once, its source tarball kept in .cache/src/ and the three files
# checkpatch reads extracted next to it.

set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"

build_deps
apt_install sparse cppcheck clang-format shellcheck perl xz-utils
failed=()
only=("$@")
# step NAME CMD...: run one check (if asked for); remember it if it fails.
step() {
	local name=$1 w

	shift
	if [ ${#only[@]} -gt 0 ]; then
		for w in "${only[@]}"; do
			[[ $name == "$w"* ]] && break
		done
		[[ $name == "$w"* ]] || return 0
	fi
	say "lint: $name"
	"$@" || failed+=("$name")
}

# tests/detectors (make check-detectors) is no component, but its module is
# kernel code all the same.
components=()
for d in $(kp_components) tests/detectors; do
	components+=("$KP_ROOT/$d")
done
ksrc=() usrc=()
for d in "${components[@]}"; do
	while read -r kind files; do
		# shellcheck disable=SC2206 # one word per file name
		case $kind in
		kernel) ksrc+=($files) ;;
		user) usrc+=($files) ;;
		esac
	done < <(make -s --no-print-directory -C "$d" lint-list)
done
# The tools' programs (kpeek): user C only.
for d in $(kp_tools); do
	while read -r kind files; do
		# shellcheck disable=SC2206 # one word per file name
		[ "$kind" = user ] && usrc+=($files)
	done < <(make -s --no-print-directory -C "$KP_ROOT/$d" lint-list)
done
ksrc+=("$KP_ROOT"/include/*.h)
usrc+=("$KP_ROOT"/tests/*.c)
[ -e "${usrc[-1]}" ] || unset 'usrc[-1]'

checkpatch_dir=$KP_CACHE/src/checkpatch
checkpatch_fetch() {
	local tarball

	[ -e "$checkpatch_dir/scripts/checkpatch.pl" ] && return 0
	tarball=$(linux_source_tarball) || return 1
	say "Extracting checkpatch.pl from it"
	mkdir -p "$checkpatch_dir"
	tar -xJf "$tarball" -C "$checkpatch_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
}

checkpatch() {
	local stray f product selftest

	# Version tests live in one place only (see .checkpatch.conf).
	stray=$(grep -l LINUX_VERSION_CODE "${ksrc[@]}" | grep -v '/include/kp_compat.h$')
	if [ -n "$stray" ]; then
		echo "LINUX_VERSION_CODE outside include/kp_compat.h: $stray"
		return 1
	fi
	checkpatch_fetch || return 1
	# The detector self-test calls BUG() on purpose: only its files may.
	product=() selftest=()
	for f in "${ksrc[@]}"; do
		case $f in
		*/tests/detectors/*) selftest+=("$f") ;;
		*) product+=("$f") ;;
		esac
	done
	# checkpatch reads .checkpatch.conf from the current directory.
	(cd "$KP_ROOT" &&
		perl "$checkpatch_dir/scripts/checkpatch.pl" --strict --no-tree \
			--quiet --show-types -f "${product[@]}" &&
		perl "$checkpatch_dir/scripts/checkpatch.pl" --strict --no-tree \
			--quiet --show-types --ignore AVOID_BUG -f "${selftest[@]}")
}

# kbuild ARGS...: build every component's modules with extra Kbuild ARGS and
# fail on any diagnostic that names one of our files.
kbuild() {
	local d out rc=0

	for d in "${components[@]}"; do
		out=$(make --no-print-directory -C "$KDIR" M="$d" "$@" modules 2>&1) ||
			rc=1
		if grep -E "^$d/[^:]+:[0-9]+:[0-9]+: (warning|error)" <<<"$out"; then
			rc=1
		elif [ "$rc" -ne 0 ]; then
			printf '%s\n' "$out"
		fi
	done
	return "$rc"
}

# The kernel's own .clang-format, from the same linux-source-6.1, with
# the iterator macros its list does not have: ours, and for_each_vma (newer
# than the list).  Written to the project root (not in git), where
# clang-format and editors find it: "clang-format -i FILE" fixes a finding.
format_macros=(for_each_vma reparent_for_each_in_pgrp reparent_for_each_thread)
format_config() {
	local kernel=$checkpatch_dir/.clang-format tarball

	if [ ! -e "$kernel" ]; then
		tarball=$(linux_source_tarball) || return 1
		mkdir -p "$checkpatch_dir"
		tar -xJf "$tarball" -C "$checkpatch_dir" --strip-components=1 \
			linux-source-6.1/.clang-format || return 1
	fi
	{
		echo "# Written by make lint (tools/lint.sh): linux-source-6.1's"
		echo "# .clang-format with KernelPeek's iterator macros.  Not in git."
		awk -v extra="${format_macros[*]}" '{ print }
			/^ForEachMacros:/ {
				n = split(extra, m, " ")
				for (i = 1; i <= n; i++)
					printf "  - \047%s\047\n", m[i]
			}' "$kernel"
	} >"$KP_ROOT/.clang-format"
}

# Kernel code, the programs and the C tests alike.
format() {
	format_config || return 1
	clang-format --dry-run --Werror "${ksrc[@]}" "${usrc[@]}" \
		"$KP_ROOT"/tests/lib/*.h
}

# dkms.conf must name exactly the modules the Kbuild files build: DKMS
# reads a file of its own and cannot ask kp_modules (vm/lib.sh).
dkms_list() {
	local want got

	want=$(kp_modules | sort)
	got=$(kp_dkms_modules | awk '{ sub(/\/$/, "", $2); print $2, $1 }' | sort)
	[ "$got" = "$want" ] && return 0
	printf 'dkms.conf has (got):\n%s\nthe Kbuild files build (wanted):\n%s\n' \
		"$got" "$want"
	return 1
}

user_c() {
	local rc=0 f

	[ ${#usrc[@]} -gt 0 ] || return 0
	# The fuzzer includes a header generated from the uapi headers.
	make -s --no-print-directory -C "$KP_ROOT/tests" errnos.h || return 1
	for f in "${usrc[@]}"; do
		gcc -fsyntax-only -Wall -Wextra -Werror -I"$KP_ROOT" \
			-I"$KP_ROOT/tests/lib" -I"$(dirname "$f")" "$f" || rc=1
	done
	cppcheck -q --error-exitcode=1 --inline-suppr \
		--enable=warning,style,performance,portability \
		--suppress=missingIncludeSystem -I"$KP_ROOT/tests/lib" \
		"${usrc[@]}" || rc=1
	return "$rc"
}

shell() {
	local scripts

	mapfile -t scripts < <(cd "$KP_ROOT" && git ls-files --cached --others \
		--exclude-standard '*.sh' '*.t' .ci/run vm/init)
	(cd "$KP_ROOT" && shellcheck "${scripts[@]}")
}

step checkpatch checkpatch
# sparse and W=1 on both kernels' headers.  The next plain build redoes
# what they built (Kbuild notices the flags changed).
for lane in 6.12 6.1; do
	kenv=$(KERNEL=$lane KVER='' KDIR='' "$KP_ROOT/vm/kernel.sh" --headers) || exit
	eval "$kenv"
	step "sparse ($lane)" kbuild C=2 CHECK=sparse
	step "W=1 ($lane)" kbuild W=1 KCFLAGS=-Werror
done
step format format
step "user C" user_c
step dkms.conf dkms_list
step shell shell

if [ ${#failed[@]} -gt 0 ]; then
	printf 'lint: FAILED: %s\n' "${failed[*]}" >&2
	exit 1
fi
say "lint: all clean"
