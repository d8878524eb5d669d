# shellcheck shell=sh
# Stop: 2_I/, the physical-memory driver.
section "2_I/physmem.ko and spock.sh: writing memory through its physical address"
explain "spock.sh loads the driver, runs physpoke and unloads it.  physpoke" \
	"stores 6 in a byte, asks /dev/physmem for the byte's physical address" \
	"(XLATE), writes 5 there (WRITE), and reads the byte back."
show_ok sh 2_I/spock.sh
explain "The driver only writes pages the same open file pinned with XLATE," \
	"so it cannot be used to write the kernel or another process:"
insmod 2_I/physmem.ko
show "tests/physmem 2>&1 | grep -E 'EPERM|EACCES' | sed 's/^ok [0-9]* - //'"
rmmod physmem
