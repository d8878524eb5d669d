# SPDX-License-Identifier: GPL-2.0
#
# Builds the user programs listed in PROGS, each from PROG.c.  They are
# linked statically so that they also run in the VM's busybox-only
# initramfs.  Included by mk/kbuild.mk and tests/Makefile.

KP_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -I$(KP_TOP) -I$(KP_TOP)/tests/lib
LDFLAGS += -static
LDLIBS += -pthread

$(PROGS): %: %.c
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)
