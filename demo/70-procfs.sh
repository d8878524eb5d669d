# shellcheck shell=sh
# Stop: 3/, two /proc files.
section "3/hello_procfs.ko and 3/get_pgfaults.ko: files in /proc"
explain "A module can add files to /proc.  Reading one calls the module's show" \
	"function, through the kernel's seq_file layer."
kshow insmod 3/hello_procfs.ko
show_ok "ls -l /proc/hello_procfs; cat /proc/hello_procfs"
explain "get_pgfaults sums the kernel's per-CPU page-fault event counters, the" \
	"same counters /proc/vmstat reports as pgfault and pgmajfault:"
kshow insmod 3/get_pgfaults.ko
show_ok "cat /proc/get_pgfaults; grep -E '^pg(maj)?fault ' /proc/vmstat"
explain "Every program that runs takes page faults, so the count keeps growing" \
	"(cat itself adds some):"
show_ok "head -n 1 /proc/get_pgfaults; head -n 1 /proc/get_pgfaults"
kshow "rmmod hello_procfs get_pgfaults"
explain "kpeek loads get_pgfaults just for the read:"
show_ok kpeek --json pgfaults
show_ok "ls /proc/hello_procfs /proc/get_pgfaults 2>&1 || true"
