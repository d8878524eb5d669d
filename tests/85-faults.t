#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Allocation failures injected into every module's load and operations
# (tests/faults.c; the debug kernel, which has failslab and
# fail_page_alloc).  Each failure is ENOMEM and leaves nothing behind; the
# final kmemleak scan (tests/run.sh) and the log check find the rest.
# KP_FAULT_STEP: fail every Nth allocation of the sweep (1 in make stress).
. tests/lib/tap.sh

# The log judge (vm/judge.sh) excuses an allocation failure's stack dump
# only between these two lines.
echo "kernelpeek: fault injection begins" >/dev/kmsg
tap_prog tests/faults "${KP_FAULT_STEP:-5}" "${KP_FAULT_ROUNDS:-10}"
echo "kernelpeek: fault injection ends" >/dev/kmsg
tap_done
