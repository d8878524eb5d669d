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
 *
 * The file is read as a seq_file would be read, without one: the first
 * read of an open file, and any read from offset 0, takes a snapshot of
 * the counters into the open file's own buffer, and every read serves the
 * text from that snapshot, so a reader taking one byte at a time, or a
 * shell reading line by line and seeking back, never mixes two counts.
 * (Two threads sharing one open file, one of them reading from offset 0
 * meanwhile, can see two snapshots, as with a seq_file.)  A seq_file
 * would allocate its state, an operations table and a page of buffer on
 * every open; this file allocates one small buffer, and that difference
 * is most of what a read of a small /proc file costs.  pread() at offset
 * 0, or lseek() back to it, reads the counters again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/mm.h> /* and through it, vm_event_states */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "kp_proc.h"

/* Without the counters there is nothing to show: refuse to build. */
#ifndef CONFIG_VM_EVENT_COUNTERS
#error "get_pgfaults needs CONFIG_VM_EVENT_COUNTERS: the kernel's fault counters"
#endif

#define PGFAULTS_NAME "get_pgfaults"
#define PGFAULTS_FORMAT \
	"Page faults since boot: %lu\nMajor page faults since boot: %lu\n"

static struct proc_dir_entry *pgfaults_entry;

/* The longest text: both counts with 20 digits, and the NUL. */
#define PGFAULTS_TEXT_MAX (sizeof(PGFAULTS_FORMAT) + 2 * (20 - 3))

/* The text of the file in @buf (PGFAULTS_TEXT_MAX bytes); its length. */
static int pgfaults_text(char *buf)
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
	return scnprintf(buf, PGFAULTS_TEXT_MAX, PGFAULTS_FORMAT, faults,
			 major);
}

/* An open file's snapshot: the text a read from offset 0 took. */
struct pgfaults_snap {
	struct mutex lock; /* pread() takes no f_pos lock: serialise here */
	int len; /* 0: none taken yet */
	char text[PGFAULTS_TEXT_MAX];
};

static int pgfaults_open(struct inode *inode, struct file *file)
{
	struct pgfaults_snap *snap = kmalloc(sizeof(*snap), GFP_KERNEL);

	if (!snap)
		return -ENOMEM;
	mutex_init(&snap->lock);
	snap->len = 0;
	file->private_data = snap;
	return 0;
}

/*
 * A read from offset 0, or the first read of this open file wherever it
 * starts, takes a snapshot; every read copies from it.  The copy to user
 * space is made from a copy on the stack, with the lock dropped, so a
 * reader whose buffer faults slowly holds up no other reader.
 */
static ssize_t pgfaults_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct pgfaults_snap *snap = iocb->ki_filp->private_data;
	char text[PGFAULTS_TEXT_MAX];
	loff_t pos = iocb->ki_pos;
	size_t n;
	int len;

	if (mutex_lock_interruptible(&snap->lock))
		return -ERESTARTSYS;
	if (pos == 0 || !snap->len)
		snap->len = pgfaults_text(snap->text);
	len = snap->len;
	memcpy(text, snap->text, len);
	mutex_unlock(&snap->lock);
	if (pos >= len)
		return 0;
	n = copy_to_iter(text + pos, len - pos, to);
	if (!n && iov_iter_count(to))
		return -EFAULT;
	iocb->ki_pos = pos + n;
	return n;
}

static int pgfaults_release(struct inode *inode, struct file *file)
{
	struct pgfaults_snap *snap = file->private_data;

	mutex_destroy(&snap->lock);
	kfree(snap);
	return 0;
}

/* read_iter, not read: with it, procfs also gives the file splice_read. */
static const struct proc_ops pgfaults_ops = {
	.proc_open = pgfaults_open,
	.proc_read_iter = pgfaults_read,
	.proc_lseek = no_seek_end_llseek,
	.proc_release = pgfaults_release,
};

static int __init pgfaults_init(void)
{
	int ret = kp_proc_name_free(PGFAULTS_NAME);

	if (ret)
		return ret;
	pgfaults_entry = proc_create(PGFAULTS_NAME, 0444, NULL, &pgfaults_ops);
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
