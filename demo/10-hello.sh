# shellcheck shell=sh
# Stop 1: 1/hello.ko, the smallest module.
section "1/hello.ko: a module's life cycle"
explain "insmod runs the module's init function, which logs a greeting with" \
	"printk; rmmod runs its exit function.  The whom= parameter changes the" \
	"message, and /sys/module/hello/parameters/whom shows it while loaded."
kshow insmod 1/hello.ko
explain "(The first load also taints the kernel: the module is built out of tree" \
	"and is not signed with a key the kernel trusts.)"
kshow rmmod hello
kshow insmod 1/hello.ko whom=KernelPeek
show_ok cat /sys/module/hello/parameters/whom
kshow rmmod hello
explain "modinfo reads the same facts from the .ko file without loading it:"
show_ok "modinfo hello | grep -E '^(description|license|parm|version):'"
