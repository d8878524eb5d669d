// SPDX-License-Identifier: GPL-2.0
/*
 * get_pgfaults - /proc/get_pgfaults shows the page faults since boot.
 *
 *	Page faults since boot: <N>
 *	Major page faults since boot: <M>
 *
 * The kernel counts every page fault in the per-CPU vm event counter
 * PGFAULT (mm/memory.c), and those that needed I/O also in PGMAJFAULT
 * (mm/memory.c, mm/filemap.c, mm/shmem.c).
 * /proc/vmstat sums every event counter over the online CPUs, under
 * cpus_read_lock() (mm/vmstat.c: all_vm_events(), sum_vm_events()), for
 * its "pgfault" and "pgmajfault" lines.  This file sums the same two
 * counters the same way, and only those two: no array of a hundred
 * events to allocate and fill on every read.  A CPU that goes offline has
 * its counts moved to an online one first (vm_events_fold_cpu()), so no
 * fault is lost, and the two files always agree.  Should the kernel ever
 * sum them differently, tests/procfs.c, which compares the two files
 * under load, will say so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/mm.h> /* and through it, vm_event_states */
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "kp_proc.h"

/* Without the counters there is nothing to show: refuse to build. */
#ifndef CONFIG_VM_EVENT_COUNTERS
#error "get_pgfaults needs CONFIG_VM_EVENT_COUNTERS: the kernel's fault counters"
#endif

#define PGFAULTS_NAME "get_pgfaults"

static struct proc_dir_entry *pgfaults_entry;

static int pgfaults_show(struct seq_file *m, void *v)
{
	unsigned long faults = 0, major = 0;
	int cpu;

	/* Sleeps, which is fine here: a read, in process context. */
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		const struct vm_event_state *s = &per_cpu(vm_event_states, cpu);

		faults += s->event[PGFAULT];
		major += s->event[PGMAJFAULT];
	}
	cpus_read_unlock();
	seq_printf(m, "Page faults since boot: %lu\n", faults);
	seq_printf(m, "Major page faults since boot: %lu\n", major);
	return 0;
}

static int __init pgfaults_init(void)
{
	int ret = kp_proc_name_free(PGFAULTS_NAME);

	if (ret)
		return ret;
	pgfaults_entry =
		proc_create_single(PGFAULTS_NAME, 0444, NULL, pgfaults_show);
	if (!pgfaults_entry)
		return -ENOMEM;
	pr_info("created /proc/%s\n", PGFAULTS_NAME);
	return 0;
}

static void __exit pgfaults_exit(void)
{
	proc_remove(pgfaults_entry);
	pr_info("removed /proc/%s\n", PGFAULTS_NAME);
}

module_init(pgfaults_init);
module_exit(pgfaults_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("/proc/get_pgfaults: page faults since boot");
MODULE_VERSION("0.1");
