# SPDX-License-Identifier: GPL-2.0
#
# KernelPeek.  "make help" lists the targets; README.md explains them.

KERNEL ?= 6.1
export KERNEL KVER KDIR

COMPONENTS := $(dir $(wildcard 1/Makefile 2_I/Makefile 2_II/Makefile 3/Makefile))

.PHONY: all modules check check-dkms stress bench demo shell lint install \
	uninstall clean distclean help

all:
	@vm/build.sh

# The kernel modules only, against KDIR (default: the running kernel's
# headers), with no installing or fetching: what DKMS runs.
modules:
	@for d in $(COMPONENTS); do $(MAKE) --no-print-directory -C $$d modules || exit; done

check: all
	@tests/check.sh $(T)

check-dkms: all
	@tests/dkms.sh

bench: all
	@tools/bench.sh

# The fuzzer and the stress tests, with 50 times more fuzzing than in check.
stress: all
	@KP_FUZZ_CALLS=1000000 tests/check.sh fuzz stress

demo: all
	@vm/run.sh "KP_COLOR=$$([ -t 1 ] && echo 1) sh demo/tour.sh"

shell: all
	@vm/run.sh --shell

lint:
	@tools/lint.sh

install:
	@tools/install.sh install

uninstall:
	@tools/install.sh uninstall

clean:
	@for d in $(COMPONENTS) tests/; do $(MAKE) --no-print-directory -C $$d clean; done

# Also drops the cached guest kernels.
distclean: clean
	rm -rf .cache

help:
	@echo 'make          build every module and program (KDIR= headers)'
	@echo 'make check    run the test suite in the VM (T=word: only matching tests)'
	@echo 'make demo     a guided tour of every component, in the VM'
	@echo 'make shell    an interactive shell in the VM'
	@echo "make bench    KernelPeek against the kernel's interfaces, as ratios"
	@echo 'make stress   the ioctl fuzzer (1,000,000 calls a device) and the stress tests'
	@echo 'make lint     checkpatch, sparse, W=1, clang-format, cppcheck, shellcheck'
	@echo 'make install  DKMS + programs under PREFIX (KVER=, PREFIX=); uninstall'
	@echo 'make check-dkms  dkms build for 6.1 and 6.12, then the suite on those'
	@echo 'make clean    remove build products; distclean: also .cache/'
	@echo 'Variables: KERNEL=6.1|6.12  KVER=<release>  KDIR=<headers>'
