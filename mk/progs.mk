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

# A cross build (CROSS_COMPILE=, as vm/build.sh passes for KERNEL=arm64)
# uses the cross compiler.  .progs-cc names the compiler that built the
# programs, so that changing lanes rebuilds them.
ifneq ($(CROSS_COMPILE),)
CC := $(CROSS_COMPILE)gcc
endif

.progs-cc: FORCE
	@echo '$(CC)' | cmp -s - $@ || echo '$(CC)' >$@
.PHONY: FORCE

# Each program also depends on the headers it includes (the uapi headers
# above all), as the compiler lists them in .PROG.d.
$(PROGS): %: %.c .progs-cc
	$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -MP -MF .$@.d $(LDFLAGS) -o $@ $< $(LDLIBS)

-include $(PROGS:%=.%.d)
