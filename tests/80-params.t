#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile parameters for lkm2, lkm3 and lkm4 (tests/params.c): the fixed
# edge cases, random cases checked against a model of what each class of
# value must give, and processes that exit while the module loads.  Every
# failure has its errno and log line and leaves no module loaded.
. tests/lib/tap.sh

tap_prog tests/params "${KP_PARAM_CASES:-300}"
tap_done
