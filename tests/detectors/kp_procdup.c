// SPDX-License-Identifier: GPL-2.0
/*
 * kp_procdup - test-only: 3/hello_procfs.c built under another module name.
 *
 * A second "insmod hello_procfs.ko" is refused by the module loader itself
 * (EEXIST: a module of that name is loaded), so it never reaches
 * hello_procfs's own check that /proc/hello_procfs is free.  This is the
 * same code under another name: the loader lets it in, and only that check
 * (3/kp_proc.h) stands between it and a duplicate /proc entry, which would
 * WARN in proc_register().  tests/30-procfs.t loads it while hello_procfs
 * is loaded, with /proc mounted, unmounted and mounted with subset=pid.
 */
#include "../../3/hello_procfs.c"
