#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make demo", the guest half: a guided tour of every component.  Each
# demo/NN-*.sh is one stop; it uses the helpers below and is run in order.
# A stop whose command fails unexpectedly makes the tour exit non-zero.

demo_failed=0
# wait_state and wait_line: waiting for a state, never for a fixed time.
. tests/lib/proc.sh
# Colours only when the host's terminal shows them (the Makefile says).
if [ "${KP_COLOR:-}" = 1 ]; then
	bold='\033[1m' blue='\033[1;34m' red='\033[1;31m' off='\033[0m'
else
	bold='' blue='' red='' off=''
fi

# section TITLE: start a stop of the tour.
section() {
	printf '\n%b=== %s ===%b\n' "$blue" "$*" "$off"
}

# explain TEXT...: one or more lines of explanation.
explain() {
	printf '%s\n' "$@" | fold -s -w 78
}

# show CMD...: print the command as a user would type it, then run it.
show() {
	printf '%b$ %s%b\n' "$bold" "$*" "$off"
	sh -c "$*" 2>&1 | sed 's/^/  /'
}

# show_ok CMD...: like show, but the command must succeed.
show_ok() {
	printf '%b$ %s%b\n' "$bold" "$*" "$off"
	if ! sh -c "$*" >/tmp/demo.out 2>&1; then
		sed 's/^/  /' /tmp/demo.out
		printf '%b  ^ this step failed%b\n' "$red" "$off"
		demo_failed=1
		return 1
	fi
	sed 's/^/  /' /tmp/demo.out
}

# kshow CMD...: like show_ok, then show what the command wrote to the kernel
# log.  (Clearing the ring buffer is fine here: the host keeps the whole log
# from the console and checks it after the tour.)
kshow() {
	dmesg -c >/dev/null
	show_ok "$@" || return 1
	dmesg | sed -e 's/^/  kernel log: /'
}

for stop in demo/[0-9]*.sh; do
	# shellcheck source=/dev/null # one stop per component
	. "./$stop"
done
printf '\n'
if [ "$demo_failed" -ne 0 ]; then
	echo "The tour ended with failed steps (marked in red above)."
	exit 1
fi
echo "End of the tour.  'make shell' lets you try everything yourself."
