# SPDX-License-Identifier: GPL-2.0
#
# Included by every component's Makefile (1/, 2_I/, 2_II/, 3/).  It builds
# the directory's kernel modules, listed in its Kbuild file, out of tree
# against KDIR, and its user programs, listed in PROGS (mk/progs.mk).

# Unset or empty (the top-level Makefile exports it either way).
ifeq ($(KDIR),)
KDIR := /lib/modules/$(shell uname -r)/build
endif

.PHONY: all modules progs clean lint-list install-list

all: modules $(PROGS)

progs: $(PROGS)

include $(dir $(lastword $(MAKEFILE_LIST)))progs.mk

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Plain rm, so that "make clean" works even without kernel headers.
clean:
	rm -rf $(PROGS) $(PROGS:%=.%.d) .progs-cc *.o *.ko *.mod *.mod.c .*.cmd \
		.tmp_versions Module.symvers modules.order

# Kernel sources are every .c here that is not a program, and every header.
KSRC := $(filter-out %.mod.c $(PROGS:=.c),$(wildcard *.c)) $(wildcard *.h)

# For tools/install.sh: the programs and scripts "make install" installs.
install-list:
	@echo $(PROGS) $(notdir $(wildcard *.sh))

# For tools/lint.sh: which files are kernel code and which are programs.
lint-list:
	@echo kernel $(addprefix $(CURDIR)/,$(KSRC))
	@echo user $(addprefix $(CURDIR)/,$(PROGS:=.c))
