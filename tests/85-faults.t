#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Allocation failures injected into every module's load and operations
# (tests/faults.c; the debug kernel, which has failslab and
# fail_page_alloc).  Each failure is ENOMEM and leaves nothing behind; the
# final kmemleak scan (tests/run.sh) and the log check find the rest.
# KP_FAULT_STEP: fail every Nth allocation of the sweep (1 in make stress).
. tests/lib/tap.sh

tap_prog tests/faults "${KP_FAULT_STEP:-5}" "${KP_FAULT_ROUNDS:-10}"
tap_done
