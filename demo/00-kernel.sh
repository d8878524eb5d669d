# shellcheck shell=sh
# Stop 0: where we are.
section "The guest: Debian's own Linux 6.1 kernel, booted under QEMU"
explain "Everything below runs inside a throw-away virtual machine, not on your" \
	"machine's kernel.  /kp is the KernelPeek tree, built on the host."
show_ok uname -r
show_ok "nproc; grep MemTotal /proc/meminfo"
