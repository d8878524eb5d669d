// SPDX-License-Identifier: GPL-2.0
/*
 * lkm3 - translate a virtual address of a process to a physical address.
 *
 *	insmod lkm3.ko pid=<PID> vaddr=<address> [verbose=1]
 *
 * logs one of
 *
 *	lkm3: pid=<PID> vaddr=0x<va> paddr=0x<pa> page=<4K|2M|1G>
 *	lkm3: pid=<PID> vaddr=0x<va> not mapped reason=<why> [...]
 *
 * where <why> is no-vma (no mapping covers the address), not-present (the
 * mapping has no page there: never touched, or dropped), swapped (with
 * swap_type= and swap_offset=), migrating (pfn=), device (pfn=), hwpoison
 * (pfn= of the page that had a memory error and was unmapped, see
 * memory_failure() in mm/memory-failure.c), or other (entry=, the raw
 * entry: a PTE marker, say).  A PROT_NONE page still has its memory and
 * is translated (hugetlb's 1 GiB pages too, see kp_report_hugetlb()).  With
 * verbose=1 it also logs the walk: the raw entry at each level and the
 * flags of the last one, as crash's vtop does.
 *
 * It looks, and changes nothing: the page tables are read under
 * mmap_read_lock() and never written, and no page is faulted in (a query
 * does not change the target's memory use).  The walk is kp_walk_addr()
 * (include/kp_pgwalk.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>

#include "kp_escape.h"
#include "kp_pgwalk.h"
#include "kp_task.h"

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "Process whose address to translate (required)");

static char *vaddr;
module_param(vaddr, charp, 0444);
MODULE_PARM_DESC(vaddr, "Virtual address, hex (0x...) or decimal (required)");

static bool verbose;
module_param(verbose, bool, 0444);
MODULE_PARM_DESC(verbose, "Also log each page-table level and the flags");

/* Parse and check vaddr= against the target's address-space limit. */
static int lkm3_parse_vaddr(struct mm_struct *mm, unsigned long *addr)
{
	unsigned int bits = kp_va_bits();
	/* vaddr= is what the user typed: escaped, and cut if very long. */
	char shown[KP_ESCAPED_SIZE(64)];

	if (!vaddr || kstrtoul(vaddr, 0, addr)) {
		if (vaddr)
			kp_escape(vaddr, shown, sizeof(shown));
		pr_err("vaddr=%s is not valid: give vaddr=<address>, hex (0x...) or decimal\n",
		       vaddr ? shown : "(missing)");
		return -EINVAL;
	}
	if (!kp_is_canonical(*addr)) {
		pr_err("vaddr=0x%lx is not canonical (%u-bit addresses)\n",
		       *addr, bits);
		return -EINVAL;
	}
	if (*addr >= mm->task_size) {
		pr_err("vaddr=0x%lx is not a user address (the limit is 0x%lx)\n",
		       *addr, mm->task_size);
		return -EINVAL;
	}
	return 0;
}

/* The raw entries on the way down, and the last one's fields by name. */
static void lkm3_print_walk(const struct kp_entry *e)
{
	u64 last = e->raw[e->level], v;
	char flags[160];
	int i, n = 0;

	for (i = 0; i <= e->level; i++)
		pr_info("  level=%s index=%u entry=0x%016llx\n",
			kp_level_name[i], e->index[i], e->raw[i]);
	for (i = 0; i < ARRAY_SIZE(kp_entry_bits); i++) {
		v = kp_entry_bits[i].mask ?
			    (last & kp_entry_bits[i].mask) >>
				    __ffs64(kp_entry_bits[i].mask) :
			    e->level != KP_PTE;
		n += scnprintf(flags + n, sizeof(flags) - n, " %s=%llu",
			       kp_entry_bits[i].name, v);
	}
	pr_info("  flags%s\n", flags);
}

static void lkm3_report(unsigned long addr, const struct kp_entry *e,
			bool found)
{
	if (!found) {
		pr_info("pid=%d vaddr=0x%lx not mapped reason=not-present\n",
			pid, addr);
		return;
	}
	switch (e->kind) {
	case KP_PRESENT:
		pr_info("pid=%d vaddr=0x%lx paddr=0x%llx page=%s\n", pid, addr,
			PFN_PHYS(e->pfn) + (addr - e->addr),
			kp_size_name(e->size));
		break;
	case KP_SWAPPED:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=swapped swap_type=%lu swap_offset=%lu\n",
			pid, addr, e->swp_type, e->swp_offset);
		break;
	case KP_MIGRATING:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=migrating pfn=0x%lx\n",
			pid, addr, e->pfn);
		break;
	case KP_DEVICE:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=device pfn=0x%lx\n",
			pid, addr, e->pfn);
		break;
	case KP_HWPOISON:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=hwpoison pfn=0x%lx\n",
			pid, addr, e->pfn);
		break;
	default:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=other entry=0x%llx\n",
			pid, addr, e->raw[e->level]);
	}
	if (verbose)
		lkm3_print_walk(e);
}

static int __init lkm3_init(void)
{
	struct vm_area_struct *vma;
	struct kp_entry e = {};
	struct mm_struct *mm;
	unsigned long addr;
	int ret;

	mm = kp_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = lkm3_parse_vaddr(mm, &addr);
	if (ret)
		goto out_mmput;
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_mmput;

	vma = find_vma(mm, addr);
	if (!vma || addr < vma->vm_start) {
		pr_info("pid=%d vaddr=0x%lx not mapped reason=no-vma\n", pid,
			addr);
	} else {
		lkm3_report(addr, &e, kp_walk_addr(vma, addr, &e));
	}
	mmap_read_unlock(mm);
out_mmput:
	mmput(mm);
	return ret;
}

static void __exit lkm3_exit(void)
{
}

module_init(lkm3_init);
module_exit(lkm3_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Translates a process's virtual address to a physical one");
MODULE_VERSION("0.1");
