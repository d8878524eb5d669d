// SPDX-License-Identifier: GPL-2.0
/*
 * lkm4 - how much virtual and physical memory a process holds.
 *
 *	insmod lkm4.ko pid=<PID> [detail=1]
 *
 * logs
 *
 *	lkm4: pid=<PID> virtual_kb=<size> physical_kb=<resident>
 *	      pss_kb=.. ... uss_kb=.. walk_ns=<ns>
 *
 * and with detail=1 first one line per VMA:
 *
 *	lkm4: vma start=0x.. end=0x.. perms=rw-p backing=<what> virtual_kb=..
 *	      physical_kb=.. pss_kb=.. ... uss_kb=..
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
 * pss_kb to uss_kb are /proc/PID/smaps_rollup's (and, per VMA, smaps')
 * Pss, Pss_Anon, Pss_File, Pss_Shmem, Shared_Clean, Shared_Dirty,
 * Private_Clean, Private_Dirty, Anonymous, Swap, SwapPss, and
 * Private_Clean + Private_Dirty, computed as fs/proc/task_mmu.c computes
 * them (include/kp_smaps.h), in the same walk.  swap_pss_kb needs the swap
 * areas (include/kp_swap.h); without them it counts each slot once.
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
#include "kp_smaps.h"
#include "kp_swap.h"
#include "kp_task.h"

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "Process to measure (required)");

static bool detail;
module_param(detail, bool, 0444);
MODULE_PARM_DESC(detail, "Also log one line per VMA");

struct lkm4_range {
	unsigned long start, end; /* the part of the VMA being walked */
	unsigned long bytes; /* resident bytes found in [start, end) */
	struct kp_smaps_walk sw; /* smaps' fields for the VMA */
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
	if (lkm4_counts(e) && !kp_smaps_hidden(&r->sw, e))
		r->bytes +=
			min(e->addr + e->size, r->end) - max(e->addr, r->start);
	kp_smaps_leaf(&r->sw, e);
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
	struct kp_smaps s = {}; /* the table's: on the stack, in registers */
	struct kp_entry e;
	unsigned long n = 0;
	pte_t pte;

	kp_smaps_table(&r->sw, addr, end);
	for (; addr < end; ptep++, addr += PAGE_SIZE) {
		pte = kp_ptep_get(ptep);
		if (pte_none(pte)) {
			/* A private shmem mapping's hole: the file's swap. */
			if (r->sw.holes)
				kp_smaps_pte(&r->sw, &s, pte, &e, addr);
			continue;
		}
		kp_decode_pte(&e, pte);
		n += lkm4_counts(&e);
		kp_smaps_pte(&r->sw, &s, pte, &e, addr);
	}
	r->bytes += n << PAGE_SHIFT;
	kp_smaps_add(r->sw.s, &s);
	return 0;
}

/*
 * Walk the VMA as smaps does: on 6.1 not at all if it is a raw PFN map
 * (kp_smaps_walked()).  A private shmem mapping whose file has pages in
 * swap needs those looked up behind every address with no table, and such
 * a range can span the whole file: too long to hold a page-table lock, as
 * the walk's callbacks do.  So that VMA is walked a PMD at a time, and
 * each range is looked up between the steps, where it may sleep.
 */
static void lkm4_walk(struct vm_area_struct *vma, struct lkm4_range *r)
{
	unsigned long addr, next;

	if (!kp_smaps_walked(vma))
		return;
	if (!r->sw.holes) {
		kp_walk_tables(vma, r->start, r->end, lkm4_count,
			       lkm4_count_ptes, r);
		return;
	}
	for (addr = vma->vm_start; addr < vma->vm_end; addr = next) {
		next = pmd_addr_end(addr, vma->vm_end);
		/* A huge entry is counted in the step's part of it only. */
		r->start = addr;
		r->end = next;
		kp_walk_tables(vma, addr, next, lkm4_count, lkm4_count_ptes, r);
		kp_smaps_between(&r->sw);
		cond_resched();
	}
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

/*
 * lkm4_smaps()'s text: 12 fields of at most 37 characters.  Off the stack,
 * and one is enough: the module's init, the only user, runs once.
 */
#define LKM4_SMAPS_SIZE 512
static char lkm4_sm[LKM4_SMAPS_SIZE];

/*
 * smaps' fields, as lkm4 logs them after physical_kb (docs/lkm4.md), into
 * lkm4_sm: in kB, as __show_smap() (fs/proc/task_mmu.c) prints them, PSS
 * shifted back from its fixed point first.  uss is Private_Clean plus
 * Private_Dirty, which smaps does not add up itself.
 */
static const char *lkm4_smaps(const struct kp_smaps *s)
{
	const struct {
		const char *name;
		u64 bytes;
	} f[] = {
		{ "pss_kb", s->pss >> KP_PSS_SHIFT },
		{ "pss_anon_kb", s->pss_anon >> KP_PSS_SHIFT },
		{ "pss_file_kb", s->pss_file >> KP_PSS_SHIFT },
		{ "pss_shmem_kb", s->pss_shmem >> KP_PSS_SHIFT },
		{ "shared_clean_kb", s->shared_clean },
		{ "shared_dirty_kb", s->shared_dirty },
		{ "private_clean_kb", s->private_clean },
		{ "private_dirty_kb", s->private_dirty },
		{ "anonymous_kb", s->anonymous },
		{ "swap_kb", s->swap },
		{ "swap_pss_kb", s->swap_pss >> KP_PSS_SHIFT },
		{ "uss_kb", s->private_clean + s->private_dirty },
	};
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		n += scnprintf(lkm4_sm + n, LKM4_SMAPS_SIZE - n, " %s=%llu",
			       f[i].name, f[i].bytes >> 10);
	return lkm4_sm;
}

/* @buf has room for a path and for it escaped: LKM4_BUF_SIZE. */
#define LKM4_BUF_SIZE (PATH_MAX + KP_ESCAPED_SIZE(PATH_MAX))

static void lkm4_print_vma(struct vm_area_struct *vma, unsigned long bytes,
			   const struct kp_smaps *s, char *buf)
{
	char *esc = buf + PATH_MAX;
	vm_flags_t f = vma->vm_flags;

	pr_info("vma start=0x%lx end=0x%lx perms=%c%c%c%c backing=%s virtual_kb=%lu physical_kb=%lu%s\n",
		vma->vm_start, vma->vm_end, f & VM_READ ? 'r' : '-',
		f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
		f & VM_MAYSHARE ? 's' : 'p',
		kp_escape(lkm4_backing(vma, buf, PATH_MAX), esc,
			  KP_ESCAPED_SIZE(PATH_MAX)),
		(vma->vm_end - vma->vm_start) >> 10, bytes >> 10,
		lkm4_smaps(s));
}

static int __init lkm4_init(void)
{
	unsigned long virt = 0, phys = 0;
	struct kp_smaps total = {};
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
	/* For swap_pss_kb: the slots' reference counts (kp_swap.h). */
	if (kp_swap_init())
		pr_info("the swap areas cannot be found (no CONFIG_KALLSYMS_ALL): swap_pss_kb counts every swapped page once, as if not shared\n");
	if (detail) {
		buf = kvmalloc(LKM4_BUF_SIZE, GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			goto out_mmput;
		}
	}
	/*
	 * Held to the end, unlike show_smaps_rollup(), which lets a waiting
	 * writer in between two VMAs: so the answer is one state the process
	 * was in, where letting a writer in can count a mapping that moved
	 * twice or not at all (42-lkm34-stress.t saw it).  A writer waits
	 * for the walk at most: walk_ns, about 10 ms per GiB resident under
	 * TCG (make bench).
	 */
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_free;
	for_each_vma(vmi, vma) {
		struct lkm4_range r = { vma->vm_start, vma->vm_end, 0 };
		struct kp_smaps s = {};

		t0 = ktime_get_ns();
		kp_smaps_begin(&r.sw, vma, &s);
		lkm4_walk(vma, &r);
		kp_smaps_end(&r.sw);
		walk_ns += ktime_get_ns() - t0;
		virt += vma->vm_end - vma->vm_start;
		phys += r.bytes;
		/* smaps_rollup: one sum, shifted back only at the end. */
		kp_smaps_add(&total, &s);
		if (detail)
			lkm4_print_vma(vma, r.bytes, &s, buf);
	}
	mmap_read_unlock(mm);
	pr_info("pid=%d virtual_kb=%lu physical_kb=%lu%s walk_ns=%llu\n", pid,
		virt >> 10, phys >> 10, lkm4_smaps(&total), walk_ns);
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
