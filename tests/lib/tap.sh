# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# A small TAP producer for the shell tests (busybox sh in the guest).
# Source it, call the checks, end with tap_done:
#
#	. tests/lib/tap.sh
#	tap_run  "insmod succeeds" insmod 1/hello.ko
#	tap_is   "$(cat /proc/hello_procfs)" "Hello World!" "content"
#	tap_done
#
# The arguments come in tap.h's order: what was got, what was wanted, the
# name; a command, whose words run to the end, comes after the name.
# Every check prints "ok N - name" or "not ok N - name" and, on failure,
# "# " lines that say why.  tap_done prints the plan and exits non-zero if
# anything failed.  The kernel-log helpers read only what was logged since
# the last klog_mark, so a test never matches a line from an earlier test.

tap_n=0
tap_failed=0
tap_skipped=0
echo "TAP version 13"

tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

tap_pass() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

# tap_fail NAME [WHY...]
tap_fail() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	[ $# -eq 0 ] || tap_diag "$@"
}

# tap_skip REASON NAME (the order of tap.h's tap_skip())
tap_skip() {
	tap_n=$((tap_n + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n - $2 # SKIP $1"
}

# tap_run NAME CMD...: passes if CMD exits 0; its output is shown if not.
tap_run() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_pass "$_name"
	else
		tap_fail "$_name" "command: $*" "exit status $?" "$_out"
	fi
}

# tap_fails_with NAME MESSAGE CMD...: passes if CMD fails and its output
# contains MESSAGE (an errno's text, say "No such process").
tap_fails_with() {
	_name=$1
	_want=$2
	shift 2
	if _out=$("$@" 2>&1); then
		tap_fail "$_name" "command: $*" "succeeded, expected: $_want"
	elif printf '%s' "$_out" | grep -qF -- "$_want"; then
		tap_pass "$_name"
	else
		tap_fail "$_name" "command: $*" "expected: $_want" "got: $_out"
	fi
}

# tap_is GOT WANT NAME
tap_is() {
	if [ "$1" = "$2" ]; then
		tap_pass "$3"
	else
		tap_fail "$3" "got:      '$1'" "expected: '$2'"
	fi
}

# tap_like TEXT ERE NAME: passes if a line of TEXT matches the extended
# regular expression ERE.
tap_like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then
		tap_pass "$3"
	else
		tap_fail "$3" "no line matches: $2" "in:" "$1"
	fi
}

# tap_unlike TEXT ERE NAME: passes if no line of TEXT matches ERE.
tap_unlike() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then
		tap_fail "$3" "unexpected line matching: $2" "in:" "$1"
	else
		tap_pass "$3"
	fi
}

# tap_prog CMD...: run a C test program (tests/lib/tap.h) and take its
# results as our own, renumbered.  A program that exits non-zero without
# reporting a failure, or that prints no plan, counts as one more failure;
# so does its "Bail out!" (a setup step that failed), with its reason.
tap_prog() {
	_planned=
	_bailed=
	_before=$tap_failed
	"$@" >/tmp/tap_prog.$$ 2>&1
	_status=$?
	while IFS= read -r _line; do
		case $_line in
		"ok "*" # SKIP "*)
			_rest=${_line#ok * - }
			tap_skip "${_rest##* \# SKIP }" "${_rest% \# SKIP *}"
			;;
		"ok "*) tap_pass "${_line#ok * - }" ;;
		"not ok "*) tap_fail "${_line#not ok * - }" ;;
		"1.."*) _planned=1 ;;
		"Bail out!"*)
			tap_fail "$1: setup failed: ${_line#Bail out! }"
			_bailed=1
			;;
		"TAP version"*) ;;
		*) echo "$_line" ;;
		esac
	done </tmp/tap_prog.$$
	rm -f /tmp/tap_prog.$$
	if [ -n "$_bailed" ]; then
		:
	elif [ "$_status" -ne 0 ] && [ "$tap_failed" -eq "$_before" ]; then
		tap_fail "$* exited with status $_status"
	elif [ -z "$_planned" ]; then
		tap_fail "$* ended without its plan (status $_status)"
	fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit
}

# Mark the kernel log; klog_since prints what was logged after the mark.
# Each mark is unique (a random UUID), so marks made in subshells work too.
klog_mark() {
	klog_tag="kernelpeek-test: mark $(cat /proc/sys/kernel/random/uuid)"
	echo "$klog_tag" >/dev/kmsg
}

klog_since() {
	dmesg | sed "1,/$klog_tag\$/d"
}
