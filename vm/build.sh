#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make": build every component (1/, 2_I/, 2_II/, 3/) against the selected
# kernel's headers (see vm/kernel.sh; KDIR= overrides them), installing
# what compiling needs first: the compiler, kmod and the headers.  Nothing
# that boots a guest (QEMU, busybox, the kernel image) is installed here;
# the targets that boot one (vm/run.sh) provision that.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_deps
kenv=$("$KP_ROOT/vm/kernel.sh" --headers)
eval "$kenv"
say "Building the modules for $KVER (KDIR=$KDIR) and the programs${KP_CROSS:+ (cross: ${KP_CROSS}gcc)}"
# KP_KMAKE (vm/lib.sh): ARCH= and CROSS_COMPILE= for a guest of another
# architecture; the programs' Makefiles take the compiler from the latter.
for d in $(kp_components); do
	make --no-print-directory -C "$KP_ROOT/$d" KDIR="$KDIR" "${KP_KMAKE[@]}"
done
for d in $(kp_tools); do
	make --no-print-directory -C "$KP_ROOT/$d" "${KP_KMAKE[@]}"
done
make --no-print-directory -C "$KP_ROOT/tests" "${KP_KMAKE[@]}"
# The test-only modules (tests/detectors/Kbuild), for the same kernel.
make --no-print-directory -C "$KP_ROOT/tests/detectors" KDIR="$KDIR" "${KP_KMAKE[@]}"
