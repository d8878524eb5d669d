/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel itself says of the page behind a page-table entry, for
 * lkm3: its flags as /proc/kpageflags gives them, its mapcount as
 * /proc/kpagecount does, its reference count, and pagemap's bits 55
 * (soft-dirty) and 56 (mapped exclusively), all read as the kernel's own
 * readers read them (fs/proc/page.c, fs/proc/task_mmu.c; the parts that
 * differ between 6.1 and 6.12 are in kp_compat.h).
 *
 * kp_page_read() runs inside a walker callback (kp_pgwalk.h), while the
 * entry it was given is still mapped: under the PTE lock on 6.1, inside
 * rcu_read_lock() from 6.5 on, and under mmap_read_lock() only for a huge
 * PMD or PUD leaf (pagemap takes the PMD lock there, see docs/lkm3.md).
 * It takes no reference and writes nothing: like kpageflags_read(), it
 * reads a struct page that stays where it is (the memory map of online
 * memory, pfn_to_online_page()), so a page that is being freed or split
 * meanwhile gives a snapshot of that, never a fault.
 */
#ifndef KP_PAGE_H
#define KP_PAGE_H

#include <linux/kernel-page-flags.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>

#include "kp_compat.h"
#include "kp_pgwalk.h"

/*
 * The names tools/vm/page-types.c (tools/mm/ from 6.3) gives the bits of
 * include/uapi/linux/kernel-page-flags.h, without its one-letter prefix.
 */
static const char *const kp_kpf_names[] __maybe_unused = {
	[KPF_LOCKED] = "locked",
	[KPF_ERROR] = "error",
	[KPF_REFERENCED] = "referenced",
	[KPF_UPTODATE] = "uptodate",
	[KPF_DIRTY] = "dirty",
	[KPF_LRU] = "lru",
	[KPF_ACTIVE] = "active",
	[KPF_SLAB] = "slab",
	[KPF_WRITEBACK] = "writeback",
	[KPF_RECLAIM] = "reclaim",
	[KPF_BUDDY] = "buddy",
	[KPF_MMAP] = "mmap",
	[KPF_ANON] = "anonymous",
	[KPF_SWAPCACHE] = "swapcache",
	[KPF_SWAPBACKED] = "swapbacked",
	[KPF_COMPOUND_HEAD] = "compound_head",
	[KPF_COMPOUND_TAIL] = "compound_tail",
	[KPF_HUGE] = "huge",
	[KPF_UNEVICTABLE] = "unevictable",
	[KPF_HWPOISON] = "hwpoison",
	[KPF_NOPAGE] = "nopage",
	[KPF_KSM] = "ksm",
	[KPF_THP] = "thp",
	[KPF_OFFLINE] = "offline",
	[KPF_ZERO_PAGE] = "zero_page",
	[KPF_IDLE] = "idle_page",
	[KPF_PGTABLE] = "pgtable",
};

/* Room for every name of kp_kpf_names, with commas. */
#define KP_KPF_NAMES_SIZE 256

/**
 * struct kp_page - what the kernel says of the page a present entry maps
 * @kpf: /proc/kpageflags's bits 0 to 26 for the frame
 * @refcount: the folio's reference count (page_count(): what
 *	folio_ref_count() gives for the folio the page is part of)
 * @mapcount: /proc/kpagecount's value for the frame
 * @exclusive: /proc/PID/pagemap's bit 56 (PM_MMAP_EXCLUSIVE)
 * @soft_dirty: /proc/PID/pagemap's bit 55 (PM_SOFT_DIRTY)
 */
struct kp_page {
	u64 kpf;
	int refcount;
	u64 mapcount;
	bool exclusive;
	bool soft_dirty;
};

/**
 * kp_page_read() - read what the kernel says of the page @e maps at @addr
 * @vma: the VMA the walk is in
 * @e: a KP_PRESENT entry, as the walker hands it to its callback
 * @addr: the address, inside the entry
 * @p: filled in
 *
 * Context: inside a kp_walk_range() callback (see the top): atomic.
 */
static inline void kp_page_read(struct vm_area_struct *vma,
				const struct kp_entry *e, unsigned long addr,
				struct kp_page *p)
{
	unsigned long pfn = e->pfn + ((addr - e->addr) >> PAGE_SHIFT);
	bool hugetlb = kp_hugetlb_size(vma), huge_zero = false;
	struct page *page = pfn_to_online_page(pfn), *leaf;
	u64 raw = e->raw[e->level];

	/*
	 * The page pagemap takes the mapcount of: vm_normal_page() of a PTE
	 * (none for a zero page or a PFN map: e->special), the first page of
	 * a huge leaf (pmd_page(), pte_page() of hugetlb's).
	 */
	leaf = e->level == KP_PTE && !hugetlb && e->special ?
		       NULL :
		       pfn_to_online_page(e->pfn);
	/* The huge zero page: kp_leaf_special()'s last case. */
	if (e->level != KP_PTE && !hugetlb && leaf && vma_is_anonymous(vma) &&
	    !PageAnon(leaf))
		huge_zero = true;

	p->kpf = kp_kpageflags(page, huge_zero);
	p->mapcount = kp_kpagecount(page);
	p->refcount = page ? page_count(page) : 0;
	p->exclusive = page && kp_pagemap_exclusive(leaf, page, hugetlb);
	/*
	 * pagemap's soft-dirty: the entry's bit (pte_soft_dirty(),
	 * pmd_soft_dirty(); none for hugetlb), or the VMA's VM_SOFTDIRTY
	 * (pte_to_pagemap_entry(), pagemap_pmd_range(),
	 * pagemap_hugetlb_range()).  Without CONFIG_MEM_SOFT_DIRTY
	 * (arm64) the kernel's own helpers say 0 and VM_SOFTDIRTY is 0.
	 */
	if (hugetlb)
		p->soft_dirty = false;
	else if (e->level == KP_PTE)
		p->soft_dirty = pte_soft_dirty(__pte(raw));
	else
		p->soft_dirty = pmd_soft_dirty(__pmd(raw));
	if (vma->vm_flags & VM_SOFTDIRTY)
		p->soft_dirty = true;
}

/* @kpf's bits by page-types' names, comma-separated, in @buf. */
static inline const char *kp_kpf_format(u64 kpf, char *buf, size_t size)
{
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(kp_kpf_names); i++)
		if (kpf & BIT_ULL(i))
			n += scnprintf(buf + n, size - n, "%s%s", n ? "," : "",
				       kp_kpf_names[i]);
	return n ? buf : "none";
}

#endif /* KP_PAGE_H */
