// SPDX-License-Identifier: GPL-2.0
/*
 * get_pgfaults - /proc/get_pgfaults shows the page faults since boot.
 *
 *	Page faults since boot: <N>
 *	Major page faults since boot: <M>
 *
 * The kernel counts every page fault in the per-CPU vm event counter
 * PGFAULT, and those that needed I/O also in PGMAJFAULT (mm/memory.c).
 * all_vm_events() sums each counter over the online CPUs, exactly as
 * /proc/vmstat does for its "pgfault" and "pgmajfault" lines, so the two
 * files always agree.  It fills one unsigned long per event (about a
 * hundred), too big for the kernel stack, so every read allocates its own
 * array: concurrent readers then need no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "kp_proc.h"

#define PGFAULTS_NAME "get_pgfaults"

static struct proc_dir_entry *pgfaults_entry;

static int pgfaults_show(struct seq_file *m, void *v)
{
	unsigned long *events;

	events = kmalloc_array(NR_VM_EVENT_ITEMS, sizeof(*events), GFP_KERNEL);
	if (!events)
		return -ENOMEM;
	/* Sleeps (cpus_read_lock), which is fine here: process context. */
	all_vm_events(events);
	seq_printf(m, "Page faults since boot: %lu\n", events[PGFAULT]);
	seq_printf(m, "Major page faults since boot: %lu\n",
		   events[PGMAJFAULT]);
	kfree(events);
	return 0;
}

static int __init pgfaults_init(void)
{
	int ret = kp_proc_name_free("/proc/" PGFAULTS_NAME);

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
