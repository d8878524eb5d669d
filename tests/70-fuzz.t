#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile ioctls on /dev/physmem and /dev/reparent (tests/fuzz.c): every
# call gets a documented errno, and the kernel log stays clean.  The seed
# is printed; "make stress" is where longer runs belong.
. tests/lib/tap.sh

calls=${KP_FUZZ_CALLS:-20000}
insmod 2_I/physmem.ko && insmod 2_II/reparent.ko
tap_prog tests/fuzz /dev/physmem "$calls"
tap_prog tests/fuzz /dev/reparent "$calls"
tap_run "rmmod physmem reparent after the fuzzing" rmmod physmem reparent
tap_done
