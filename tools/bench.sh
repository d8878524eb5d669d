#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": boot the VM, run tests/bench there (KernelPeek against the
# kernel's own interfaces, side by side), print its Markdown table, and keep
# it in bench/results.md with a chart of the ratios in bench/results.png.
# The guest boots without the debugging options the tests use
# (VM_SLUB_DEBUG=: no slub_debug), so that what is timed is the code, not
# the checking; its kernel command line heads the table.

set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

apt_install gnuplot-nox
out=$KP_ROOT/bench
mkdir -p "$out"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

export VM_SLUB_DEBUG=
say "Running the benchmarks in the VM (4 GiB: one row holds 2 GiB)"
# shellcheck disable=SC2016 # $status is the guest shell's
VM_MEM=4G "$KP_ROOT/vm/run.sh" 'insmod 2_I/physmem.ko && insmod 3/get_pgfaults.ko &&
	tests/bench; status=$?; rmmod physmem get_pgfaults; exit $status' | tee "$raw"

# The harness itself, in seconds: boot (QEMU started to the guest's init
# running, from the boot watchdog's start marker) over three boots of an
# empty command, and one whole warm "make check" (caches and build in
# place, as a developer reruns it, with its usual slub_debug).  The goals
# are what the README promises on two cores under TCG: a boot in seconds,
# make check in about three minutes.
boot_goal=15 check_goal=240
boots=() accel=
for _ in 1 2 3; do
	started=$("$KP_ROOT/vm/run.sh" true 2>&1 >/dev/null | grep 'The guest started in')
	boots+=("$(sed -n 's/^.*started in \([0-9.]*\) s.*$/\1/p' <<<"$started")")
	accel=$(sed -n 's/^.* s, on \([A-Z]*\).*$/\1/p' <<<"$started")
done
say "Timing a warm make check"
start=${EPOCHREALTIME/./}
VM_SLUB_DEBUG=FZPU "$KP_ROOT/tests/check.sh" >"$raw.check" 2>&1 && checked=passed || checked=FAILED
check_s=$(((${EPOCHREALTIME/./} - start) / 1000000))
harness=$(
	echo "| harness (seconds; $accel, $(nproc) host cores, ${VM_CPUS:-2} vCPUs) | median | spread | runs | goal |"
	echo "| --- | ---: | ---: | ---: | --- |"
	printf '%s\n' "${boots[@]}" | sort -n | awk -v goal="$boot_goal" '
		{ t[NR] = $1 }
		END { m = t[int((NR + 1) / 2)]
		      printf "| boot to first test (from QEMU start to the start marker of init) | %.1f | %.1f-%.1f | %d | <= %d s: %s |\n",
			m, t[1], t[NR], NR, goal, m <= goal ? "met" : "not met" }'
	printf '| warm make check (%s: %s) | %d | - | 1 | <= %d s: %s |\n' "$checked" \
		"$(tail -n 1 "$raw.check")" "$check_s" "$check_goal" \
		"$([ "$checked" = passed ] && [ "$check_s" -le "$check_goal" ] && echo met || echo not met)"
)
rm -f "$raw.check"
echo "$harness"

kver=$(KERNEL=${KERNEL:-6.1} "$KP_ROOT/vm/kernel.sh" | sed -n 's/^KVER=//p')
{
	echo "# KernelPeek benchmarks"
	echo
	echo "Linux $kver in QEMU ($accel, ${VM_CPUS:-2} vCPUs, 4 GiB), on" \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"($(nproc) host cores), $(date -u +%Y-%m-%d). The" \
		"$(grep -m1 '^guest kernel command line' "$raw" | tr -d '\r')."
	echo
	echo "Median and min-max of 7 runs, interleaved; ours/peer is ours" \
		"over the kernel's own interface (below 1: ours is faster), and" \
		"the goal is for that ratio."
	echo
	grep '^|' "$raw"
	echo
	echo "$harness"
} >"$out/results.md"

grep '^data|' "$raw" |
	awk -F'|' '{ printf "%d \"%s\" %f\n", NR - 1, $2, $3 / $4 }' >"$out/results.dat"
gnuplot <<PLOT
set terminal pngcairo size 1000,560 font ",10"
set output "$out/results.png"
set title "KernelPeek time / the kernel's own interface (log scale; below 1: faster)"
set style fill solid 0.6
set boxwidth 0.6
set logscale y
set yrange [0.01:100]
set grid ytics
set xtics rotate by -25 noenhanced
set ylabel "ratio"
set bmargin 9
set rmargin 14
unset key
plot "$out/results.dat" using 1:3:xtic(2) with boxes, 1 with lines lc "black"
PLOT
rm -f "$out/results.dat"
say "Table: bench/results.md; chart: bench/results.png"
