#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lkm3 and lkm4 query, 200 times each, a process that maps, writes and
# unmaps memory without pause on the other CPU (tests/churnq.c): stopped,
# the answers must be /proc's exactly; running, one that /proc could give.
# The kernel log must stay clean (vm/run.sh checks it).
. tests/lib/tap.sh

tap_prog tests/churnq 200
tap_run "no lkm3 or lkm4 is left loaded" test ! -e /sys/module/lkm3 -a ! -e /sys/module/lkm4
tap_done
