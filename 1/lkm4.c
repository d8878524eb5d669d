// SPDX-License-Identifier: GPL-2.0
/*
 * lkm4 - how much virtual and physical memory a process holds.
 *
 *	insmod lkm4.ko pid=<PID> [detail=1]
 *
 * logs
 *
 *	lkm4: pid=<PID> virtual_kb=<size> physical_kb=<resident> walk_ns=<ns>
 *
 * and with detail=1 first one line per VMA:
 *
 *	lkm4: vma start=0x.. end=0x.. perms=rw-p backing=<what> virtual_kb=..
 *	      physical_kb=..
 *
 * where <what> is what /proc/PID/maps shows: anon, [heap], [stack],
 * [vdso] and the like, [anon:NAME] for an anonymous mapping named with
 * prctl(PR_SET_VMA) (CONFIG_ANON_VMA_NAME), or file:<path>.  [heap] is
 * decided as maps decides it on the running kernel (kp_vma_is_heap()).
 * The path and the names are escaped (include/kp_escape.h): a newline in
 * a file name is logged as \n, a backslash as \\.
 *
 * virtual_kb is the size of all VMAs (what /proc/PID/status calls VmSize).
 * physical_kb is exact: the page-table walk (include/kp_pgwalk.h) finds
 * every present page, counting a THP or hugetlb page by its full size.
 * Like /proc's Rss it leaves out the shared zero pages and raw PFN
 * mappings, which are not the process's memory; unlike Rss it includes
 * hugetlb pages (smaps_rollup shows them apart, as *_Hugetlb).  Pages in
 * migration, device memory and poisoned pages (hwpoison) count, as in Rss
 * (smaps_pte_entry() counts every is_pfn_swap_entry()).  walk_ns is how
 * long the walk took.
 *
 * The walk gives the CPU away between page tables (kp_walk_tables()), so
 * a process with a terabyte of sparse mappings stalls nobody.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "kp_escape.h"
#include "kp_pgwalk.h"
#include "kp_task.h"

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "Process to measure (required)");

static bool detail;
module_param(detail, bool, 0444);
MODULE_PARM_DESC(detail, "Also log one line per VMA");

struct lkm4_range {
	unsigned long start, end;
	unsigned long bytes; /* resident bytes found in [start, end) */
};

/* Does the memory @e maps count in physical_kb (see the top)? */
static bool lkm4_counts(const struct kp_entry *e)
{
	if (e->kind == KP_PRESENT)
		return !e->special;
	return e->kind == KP_MIGRATING || e->kind == KP_DEVICE ||
	       e->kind == KP_HWPOISON;
}

/* A huge entry, or what holds its place. */
static int lkm4_count(const struct kp_entry *e, void *arg)
{
	struct lkm4_range *r = arg;

	/* It may start before the range or end after it. */
	if (lkm4_counts(e))
		r->bytes +=
			min(e->addr + e->size, r->end) - max(e->addr, r->start);
	return 0;
}

/*
 * A PTE table, read in one loop: the bulk of any process, where a report
 * per entry would cost more than the count.
 */
static int lkm4_count_ptes(pte_t *ptep, unsigned long addr, unsigned long end,
			   void *arg)
{
	struct lkm4_range *r = arg;
	struct kp_entry e;
	unsigned long n = 0;
	pte_t pte;

	for (; addr < end; ptep++, addr += PAGE_SIZE) {
		pte = kp_ptep_get(ptep);
		if (pte_none(pte))
			continue;
		kp_decode_pte(&e, pte);
		n += lkm4_counts(&e);
	}
	r->bytes += n << PAGE_SHIFT;
	return 0;
}

/*
 * What backs a VMA, in the order /proc/PID/maps names it (show_map_vma()
 * in 6.1, get_vma_name() in 6.12, fs/proc/task_mmu.c), unescaped, in
 * @buf if it is built there.
 */
static const char *lkm4_backing(struct vm_area_struct *vma, char *buf, int size)
{
	const char *name, *path;

	if (vma->vm_file) {
		/* Shared anonymous memory, named by the user (6.2 on). */
		name = kp_vma_anon_name(vma);
		if (name) {
			snprintf(buf, size, "[anon_shmem:%s]", name);
			return buf;
		}
		path = d_path(kp_file_path(vma->vm_file), buf + 5, size - 5);
		if (IS_ERR(path))
			return "file:?";
		memcpy((char *)path - 5, "file:", 5);
		return path - 5;
	}
	if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);
		if (name)
			return name;
	}
	if (kp_vma_is_heap(vma))
		return "[heap]";
	if (vma->vm_start <= vma->vm_mm->start_stack &&
	    vma->vm_end >= vma->vm_mm->start_stack)
		return "[stack]";
	name = kp_vma_anon_name(vma);
	if (name) {
		snprintf(buf, size, "[anon:%s]", name);
		return buf;
	}
	return "anon";
}

/* @buf has room for a path and for it escaped: LKM4_BUF_SIZE. */
#define LKM4_BUF_SIZE (PATH_MAX + KP_ESCAPED_SIZE(PATH_MAX))

static void lkm4_print_vma(struct vm_area_struct *vma, unsigned long bytes,
			   char *buf)
{
	char *esc = buf + PATH_MAX;
	vm_flags_t f = vma->vm_flags;

	pr_info("vma start=0x%lx end=0x%lx perms=%c%c%c%c backing=%s virtual_kb=%lu physical_kb=%lu\n",
		vma->vm_start, vma->vm_end, f & VM_READ ? 'r' : '-',
		f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
		f & VM_MAYSHARE ? 's' : 'p',
		kp_escape(lkm4_backing(vma, buf, PATH_MAX), esc,
			  KP_ESCAPED_SIZE(PATH_MAX)),
		(vma->vm_end - vma->vm_start) >> 10, bytes >> 10);
}

static int __init lkm4_init(void)
{
	unsigned long virt = 0, phys = 0;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	char *buf = NULL;
	struct vma_iterator vmi;
	u64 walk_ns = 0, t0;
	int ret;

	mm = kp_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	vma_iter_init(&vmi, mm, 0);
	if (detail) {
		buf = kvmalloc(LKM4_BUF_SIZE, GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			goto out_mmput;
		}
	}
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_free;
	for_each_vma(vmi, vma) {
		struct lkm4_range r = { vma->vm_start, vma->vm_end, 0 };

		t0 = ktime_get_ns();
		kp_walk_tables(vma, r.start, r.end, lkm4_count, lkm4_count_ptes,
			       &r);
		walk_ns += ktime_get_ns() - t0;
		virt += r.end - r.start;
		phys += r.bytes;
		if (detail)
			lkm4_print_vma(vma, r.bytes, buf);
	}
	mmap_read_unlock(mm);
	pr_info("pid=%d virtual_kb=%lu physical_kb=%lu walk_ns=%llu\n", pid,
		virt >> 10, phys >> 10, walk_ns);
out_free:
	kvfree(buf);
out_mmput:
	mmput(mm);
	return ret;
}

static void __exit lkm4_exit(void)
{
}

module_init(lkm4_init);
module_exit(lkm4_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Shows a process's virtual and physical memory");
MODULE_VERSION("0.1");
