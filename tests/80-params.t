#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile parameters for lkm2, lkm3 and lkm4 (tests/params.c): the fixed
# edge cases, random cases checked against a model of what each class of
# value must give, and processes that exit while the module loads.  Every
# failure has its errno and log line and leaves no module loaded.  Among
# the live processes are tests/share's, whose memory is shared after fork,
# partly in swap and partly a shmem file's: lkm4's reports on them (with
# detail= or not) take every path of its smaps fields.
. tests/lib/tap.sh
. tests/lib/proc.sh
. tests/lib/swap.sh
. tests/lib/smaps.sh

if swap_on; then
	share_start swap
	KP_PARAM_PIDS=$share_pids
else
	tap_diag "no zram swap: tests/share's processes are left out"
	KP_PARAM_PIDS=
fi
export KP_PARAM_PIDS
tap_prog tests/params "${KP_PARAM_CASES:-300}"
if [ -n "$KP_PARAM_PIDS" ]; then
	share_stop
	swap_off
fi
tap_done
