#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lkm1, lkm2, lkm3 and lkm4 load again and again while processes fork,
# exit, mmap and munmap around them (tests/storm.c).  The targets are the
# storm's workers (memory changing under the walk, children coming and
# going) and their children (exiting during the load).  Each load gives a
# report, or for a process that is gone or going, ESRCH or EINVAL ("no
# user address space"); nothing stays loaded; the log stays clean.
. tests/lib/tap.sh
. tests/lib/proc.sh

seconds=${KP_STORM_SECONDS:-5}
tests/storm >/tmp/storm.$$ &
storm=$!
wait_line /tmp/storm.$$ '^ready '
workers=$(sed -n 's/^ready //p' /tmp/storm.$$)

# try N PARAMS: load and unload lkmN; print ok, esrch, einval or what
# went wrong.
try() {
	# shellcheck disable=SC2086 # $2 is a list of parameters
	if out=$(tests/modload "1/lkm$1.ko" $2 2>&1); then
		rmmod "lkm$1" && echo ok || echo "rmmod-failed"
		return
	fi
	[ -e "/sys/module/lkm$1" ] && echo "still-loaded" && return
	case $out in
	*"No such process") echo esrch ;;
	*"Invalid argument") echo einval ;;
	*) echo "$out" ;;
	esac
}

# caught OUTCOME: how many queries of an exiting child ended so (an ERE).
caught() {
	grep -cE "^lkm[34]-exiting ($1)\$" /tmp/storm-results.$$
}

end=$(($(date +%s) + seconds))
: >/tmp/storm-results.$$
i=0
# Until the time is up and a few exiting children were caught gone or
# going (refused) and one alive (reported), but not a minute longer: the
# label says what was aimed at, the outcome what was hit.
while now=$(date +%s) && [ "$now" -lt $((end + 60)) ] &&
	{ [ "$now" -lt "$end" ] || [ "$(caught 'esrch|einval')" -lt 4 ] ||
		[ "$(caught ok)" -lt 1 ]; }; do
	i=$((i + 1))
	w=$(echo "$workers" | cut -d' ' -f$((i % 3 + 1)))
	# The worker's latest child: alive, exiting or just gone.
	kid=$(tr -d ' ' <"/tmp/storm-kid.$w" 2>/dev/null)
	{
		# Right away, while it may still be alive or exiting.
		if [ -n "$kid" ]; then
			echo "lkm3-exiting $(try 3 "pid=$kid vaddr=0x300000000000")"
			echo "lkm4-exiting $(try 4 "pid=$kid")"
		fi
		echo "lkm1 $(try 1 '')"
		echo "lkm2 $(try 2 "pid=$w")"
		echo "lkm3 $(try 3 "pid=$w vaddr=0x300000001000")"
		echo "lkm4 $(try 4 "pid=$w")"
	} >>/tmp/storm-results.$$
done
kill "$storm"
wait 2>/dev/null
rm -f /tmp/storm.$$ /tmp/storm-kid.*

# What happened, counted: "   12 lkm3-exiting esrch".
sort /tmp/storm-results.$$ | uniq -c | while read -r line; do tap_diag "$line"; done
tap_is "$(grep -c . /tmp/storm-results.$$)" \
	"$(grep -cE '^lkm[1-4] ok$|^lkm[34]-exiting (ok|esrch|einval)$' /tmp/storm-results.$$)" \
	"$seconds s of storm, $i rounds: every load on a worker reported, every one on an exiting child reported or refused with ESRCH/EINVAL"
gone=$(caught 'esrch|einval')
alive=$(caught ok)
if [ "$gone" -gt 0 ] && [ "$alive" -gt 0 ]; then
	tap_pass "  ... exiting children were caught gone or going ($gone) and still alive ($alive)"
else
	tap_fail "  ... exiting children were caught gone or going and still alive" \
		"got $gone ESRCH/EINVAL and $alive reports, wanted at least one of each"
fi
tap_run "  ... and no lkm is left loaded" sh -c '! grep -q "^lkm[1-4] " /proc/modules'
rm -f /tmp/storm-results.$$
tap_done
