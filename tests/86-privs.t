#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The privilege matrix (tests/privs.c): every privileged operation as root,
# as uid 65534 and as root without the capability it needs.
. tests/lib/tap.sh

tap_prog tests/privs
tap_done
