# shellcheck shell=sh
# Stop: 2_II/, the reparenting driver.
section "2_II/reparent.ko and run_dr_doom.sh: adopting a process"
explain "Each soldier asks /dev/reparent to make it a child of the control" \
	"station.  When a soldier exits, the kernel sends the station SIGCHLD," \
	"and its handler reaps the soldier with waitpid() and reports it."
show_ok sh 2_II/run_dr_doom.sh 3
explain "The driver refuses what would break the process tree, for example" \
	"making a process the child of its own child (a cycle):"
insmod 2_II/reparent.ko
show "tests/reparent 2>/dev/null | grep -E ': E[A-Z]+\$' | sed 's/^ok [0-9]* - //' | head -n 8"
rmmod reparent
