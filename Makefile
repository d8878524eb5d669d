# SPDX-License-Identifier: GPL-2.0
#
# KernelPeek.  "make help" lists the targets; README.md and docs/ explain them.

KERNEL ?= 6.1
export KERNEL KVER KDIR

# The components: every directory with a Kbuild file (vm/lib.sh,
# kp_components, asks the same).
COMPONENTS := $(dir $(wildcard */Kbuild))
# The tools: programs of their own, no modules (vm/lib.sh, kp_tools).
TOOLS := $(dir $(shell grep -l '^install-list:' */Makefile))

.PHONY: all modules check check-dkms check-detectors stress bench demo shell lint \
	install uninstall clean distclean help

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

# One guest per planted kernel bug (tests/detectors/kp_detect.c): each must
# fail its run with the kernel's report, where the lane has the detector.
check-detectors: all
	@tests/detectors.sh

bench: all
	@tools/bench.sh

# The whole suite with the adversarial tests at full length: a
# million fuzzed ioctls per device, 3,000 parameter cases, 3 minutes of
# each concurrency scenario, 100 load cycles per module, and (on
# KERNEL=debug, where the sanitizers watch) a failure injected into every
# allocation of every load and operation.  The figures end up in
# .cache/check-output.log.
STRESS := KP_FUZZ_CALLS=1000000 KP_PARAM_CASES=3000 KP_STORM_SECONDS=180 \
	KP_CYCLES=100 KP_FAULT_STEP=1 KP_FAULT_ROUNDS=100 KP_TEST_TIMEOUT=10800
stress: all
	@$(STRESS) VM_TIMEOUT=$${VM_TIMEOUT:-21600} tests/check.sh $(T)

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
	@for d in $(COMPONENTS) $(TOOLS) tests/ tests/detectors/; do $(MAKE) --no-print-directory -C $$d clean; done

# Also drops the cached guest kernels.
distclean: clean
	rm -rf .cache

help:
	@echo 'make          build every module and program (KDIR= headers)'
	@echo 'make check    run the test suite in the VM (T=word: only matching tests)'
	@echo 'make demo     a guided tour of every component, in the VM'
	@echo 'make shell    an interactive shell in the VM'
	@echo "make bench    KernelPeek against the kernel's interfaces, as ratios"
	@echo 'make stress   the suite at full length (fuzzing, storms, fault sweep); KERNEL=debug'
	@echo 'make lint     checkpatch, sparse, W=1, clang-format, cppcheck, shellcheck'
	@echo 'make install  DKMS + programs under PREFIX (KVER=, PREFIX=); uninstall'
	@echo 'make check-dkms  dkms build for 6.1 and 6.12, then the suite on those'
	@echo 'make check-detectors  plant each kernel bug, prove the lane reports it'
	@echo 'make clean    remove build products; distclean: also .cache/'
	@echo 'Variables: KERNEL=6.1|6.12|debug  KVER=<release>  KDIR=<headers>'
	@echo '           VM_ACCEL=auto|kvm|tcg  VM_MEM=2G  VM_CPUS=2  VM_BOOT_LIMIT=<s>  VM_TIMEOUT=<s>'
	@echo '           VM_APPEND=<options>  VM_SLUB_DEBUG=FZPU (empty: off)  QEMU=<binary>'
