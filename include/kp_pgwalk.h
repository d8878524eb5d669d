/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KernelPeek's page-table walker, shared by 1/lkm3, 1/lkm4 and 2_I/physmem.
 *
 * A process's virtual memory is described twice.  Its VMAs (struct
 * vm_area_struct, one per mapping, kept in mm->mm_mt) say which address
 * ranges exist and with what rights; its page tables say which of those
 * pages really have memory behind them right now.  On x86-64 the tables
 * have four or five levels: PGD -> P4D -> PUD -> PMD -> PTE.  A PUD entry
 * can map 1 GiB directly and a PMD entry 2 MiB (a huge page), otherwise
 * the PTE maps one 4 KiB page.  An entry that is not present may still
 * hold something: a swap entry (where the page went), or a migration entry
 * (the page is being moved), or a hwpoison entry (the page had a
 * memory error and was taken away from the process).
 *
 * kp_walk_range() visits every entry that is not empty in a range of one
 * VMA and hands it to a callback as a struct kp_entry; kp_walk_tables()
 * hands over each PTE table whole instead, for callers that read many
 * entries and need little of each (lkm4's count, physmem's XLATE_RANGE).  The caller holds
 * mmap_read_lock(mm), so the VMA and the upper levels of the tables stay
 * in place; each entry is read once (READ_ONCE/ptep_get) and nothing is
 * ever written to the tables.  The PTE level is mapped and locked through
 * kp_compat.h, and a huge entry is locked as the kernel locks it
 * (kp_leaf_lock()); the callback runs with that lock held, so the entry
 * and the page it maps stay as read, and it must not sleep.  Between PTE
 * tables the walk may sleep (cond_resched(), as smaps does once per PMD),
 * so a range of millions of pages never holds the CPU for long.
 */
#ifndef KP_PGWALK_H
#define KP_PGWALK_H

#include <linux/err.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/swapops.h>

#include "kp_compat.h"

enum kp_level { KP_PGD, KP_P4D, KP_PUD, KP_PMD, KP_PTE, KP_LEVELS };

static const char *const kp_level_name[KP_LEVELS] __maybe_unused = {
	"pgd", "p4d", "pud", "pmd", "pte"
};

enum kp_kind {
	KP_PRESENT, /* maps a page frame */
	KP_SWAPPED, /* the page is in swap: swp_type, swp_offset */
	KP_MIGRATING, /* the page is being migrated: pfn */
	KP_DEVICE, /* device-private or -exclusive memory: pfn */
	KP_HWPOISON, /* the page had a memory error: pfn of the bad page */
	KP_OTHER, /* another non-present entry (a PTE marker) */
};

/**
 * struct kp_entry - one page-table entry that is not empty
 * @addr: first virtual address the entry maps
 * @size: bytes it maps: PAGE_SIZE, PMD_SIZE or PUD_SIZE, or the size of
 *	a hugetlb page that contiguous entries map (kp_cont_entries())
 * @level: the level it is at (KP_PTE, KP_PMD or KP_PUD)
 * @kind: what the entry holds
 * @raw: the raw value of the entry at each level on the way down, up to
 *	and including @level
 * @index: the index of that entry in its table, per level
 * @pfn: KP_PRESENT, KP_MIGRATING, KP_DEVICE, KP_HWPOISON: the first page
 *	frame number
 * @special: KP_PRESENT: the frame is not the process's own memory: a zero
 *	page shared by everyone, a raw PFN mapping or device (devmap)
 *	memory (what /proc's Rss also leaves out, see vm_normal_page() and
 *	vm_normal_page_pmd())
 * @swp_type: KP_SWAPPED: the swap area
 * @swp_offset: KP_SWAPPED: the slot in it
 */
struct kp_entry {
	unsigned long addr;
	unsigned long size;
	enum kp_level level;
	enum kp_kind kind;
	u64 raw[KP_LEVELS];
	unsigned int index[KP_LEVELS];
	unsigned long pfn;
	bool special;
	unsigned long swp_type;
	unsigned long swp_offset;
};

/* Return non-zero to stop the walk; kp_walk_range() returns that value. */
typedef int (*kp_entry_fn)(const struct kp_entry *e, void *arg);

/*
 * A whole PTE table at once: @ptep maps @addr, the entries run to @end.
 * For a caller that only needs each entry's frame or kind (a count, an
 * array of results): it reads them in its own loop, with kp_decode_pte(),
 * and skips the per-entry report.  It reads them with kp_ptep_get() and
 * never writes.  Atomic context (or, on 6.5 and later, an RCU read-side
 * section), as for kp_entry_fn: it must not sleep.
 */
typedef int (*kp_ptes_fn)(pte_t *ptep, unsigned long addr, unsigned long end,
			  void *arg);

struct kp_walk {
	struct vm_area_struct *vma;
	kp_entry_fn fn;
	kp_ptes_fn ptes;
	void *arg;
	struct kp_entry e;
};

/*
 * Fill in a non-present entry: swap, migration, device, hwpoison or other.
 * is_pfn_swap_entry() is true for hwpoison entries too, so they are told
 * apart first.
 */
static inline void kp_decode_swap(struct kp_entry *e, swp_entry_t entry)
{
	if (!non_swap_entry(entry)) {
		e->kind = KP_SWAPPED;
		e->swp_type = swp_type(entry);
		e->swp_offset = swp_offset(entry);
	} else if (is_migration_entry(entry)) {
		e->kind = KP_MIGRATING;
		e->pfn = swp_offset_pfn(entry);
	} else if (is_hwpoison_entry(entry)) {
		e->kind = KP_HWPOISON;
		e->pfn = swp_offset_pfn(entry);
	} else if (is_device_private_entry(entry) ||
		   is_device_exclusive_entry(entry)) {
		e->kind = KP_DEVICE;
		e->pfn = swp_offset_pfn(entry);
	} else {
		e->kind = KP_OTHER;
	}
}

/*
 * What a PTE that is not pte_none() holds: its kind, frame and whether the
 * frame is the process's own (not a zero page or a PFN map).
 */
static inline void kp_decode_pte(struct kp_entry *e, pte_t pte)
{
	if (pte_present(pte)) {
		e->kind = KP_PRESENT;
		e->pfn = pte_pfn(pte);
		e->special = pte_special(pte) || is_zero_pfn(e->pfn);
	} else {
		kp_decode_swap(e, pte_to_swp_entry(pte));
	}
}

/* Report the entry at @level, mapping @size bytes from @addr. */
static inline int kp_report(struct kp_walk *w, enum kp_level level,
			    unsigned long addr, unsigned long size)
{
	w->e.level = level;
	w->e.addr = addr & ~(size - 1);
	w->e.size = size;
	return w->fn(&w->e, w->arg);
}

/*
 * Whether a present huge leaf maps memory that is not the process's own,
 * as vm_normal_page_pmd() decides for smaps' Rss: a PFN map (@special,
 * 6.12's pmd_special()/pud_special(), or a VM_PFNMAP mapping of the
 * driver's own frames), device memory (devmap: DAX), a VM_MIXEDMAP frame
 * without a struct page, or the huge zero page.  The huge zero page is the
 * only huge page of an anonymous VMA that is not PageAnon, and the only
 * one of a DAX file mapping that is not devmap (fs/dax.c maps nothing
 * else: dax_pmd_load_hole() puts it where the file has a hole).
 */
static inline bool kp_leaf_special(struct vm_area_struct *vma,
				   unsigned long addr, unsigned long pfn,
				   bool special, bool devmap)
{
	vm_flags_t flags = vma->vm_flags;

	if (special || devmap || vma_is_dax(vma))
		return true;
	if (flags & VM_MIXEDMAP)
		return !pfn_valid(pfn);
	if (flags & VM_PFNMAP)
		return !is_cow_mapping(flags) ||
		       pfn == vma->vm_pgoff +
				       ((addr - vma->vm_start) >> PAGE_SHIFT);
	return vma_is_anonymous(vma) && pfn_valid(pfn) &&
	       !PageAnon(pfn_to_page(pfn));
}

/* A present huge (PMD or PUD) leaf. */
static inline int kp_report_leaf(struct kp_walk *w, enum kp_level level,
				 unsigned long addr, unsigned long size,
				 unsigned long pfn, bool special)
{
	w->e.kind = KP_PRESENT;
	w->e.pfn = pfn;
	w->e.special = special;
	return kp_report(w, level, addr, size);
}

/*
 * The PMD or PUD entry of a hugetlb VMA whose pages are that size.  hugetlb
 * reads such an entry as a PTE (huge_ptep_get()), and so must we: x86's
 * pud_present() and (6.1) pud_leaf() do not know _PAGE_PROTNONE, so a
 * PROT_NONE 1 GiB page would otherwise look like a swap entry.
 */
static inline int kp_report_hugetlb(struct kp_walk *w, enum kp_level level,
				    unsigned long addr, unsigned long size,
				    pte_t pte)
{
	if (pte_present(pte))
		return kp_report_leaf(w, level, addr, size, pte_pfn(pte),
				      false);
	kp_decode_swap(&w->e, pte_to_swp_entry(pte));
	return kp_report(w, level, addr, size);
}

/* The page size of a hugetlb VMA, 0 for any other. */
static inline unsigned long kp_hugetlb_size(struct vm_area_struct *vma)
{
	return is_vm_hugetlb_page(vma) ? huge_page_size(hstate_vma(vma)) : 0;
}

/*
 * A hugetlb page that a run of contiguous entries maps, one page-table
 * level below its size: arm64's 64 KiB (16 PTEs) and 32 MiB (16 PMDs)
 * pages with 4 KiB base pages, whose entries have the contiguous bit
 * (arch/arm64/mm/hugetlbpage.c).  x86-64 has none.  The walk reports such
 * a page once, by its first entry, as hugetlb itself does
 * (huge_ptep_get() reads the run as one entry), and smaps counts it
 * (smaps_hugetlb_range(): huge_page_size() per page).  Return: the
 * number of entries of @level the page takes, or 1 for any other VMA.
 */
static inline unsigned long kp_cont_entries(struct vm_area_struct *vma,
					    unsigned long level_size)
{
	unsigned long size = kp_hugetlb_size(vma);

	return size > level_size && size < level_size * PTRS_PER_PTE ?
		       size / level_size :
		       1;
}

/*
 * The PTE table below *@pmdp.  *@again: it was gone by the time it was
 * mapped (6.5 on: khugepaged collapsed it, or it was freed), so the PMD
 * must be read again, as walk_pmd_range() does with ACTION_AGAIN.
 */
static inline int kp_walk_pte(struct kp_walk *w, pmd_t *pmdp,
			      unsigned long addr, unsigned long end,
			      bool *again)
{
	unsigned long run = kp_cont_entries(w->vma, PAGE_SIZE);
	struct mm_struct *mm = w->vma->vm_mm;
	pte_t *table, *ptep, pte;
	spinlock_t *ptl; /* the PTE table's lock (6.1) */
	int ret = 0;

	table = kp_pte_map(mm, pmdp, addr, &ptl);
	*again = !table;
	/* A caller's own loop reads entries one by one: not for a run. */
	if (table && w->ptes && run == 1) {
		ret = w->ptes(table, addr, end, w->arg);
		goto unmap;
	}
	/*
	 * A run of contiguous entries is read from its first one (hugetlb
	 * VMAs are aligned to their page size).
	 */
	if (table && run > 1) {
		ptep = table - ((addr >> PAGE_SHIFT) & (run - 1));
		addr &= ~(run * PAGE_SIZE - 1);
		table = ptep;
	}
	for (ptep = table; table && addr < end;
	     ptep += run, addr += run * PAGE_SIZE) {
		pte = kp_ptep_get(ptep);
		if (pte_none(pte))
			continue;
		w->e.raw[KP_PTE] = pte_val(pte);
		w->e.index[KP_PTE] = pte_index(addr);
		if (run > 1) {
			ret = kp_report_hugetlb(w, KP_PTE, addr,
						run * PAGE_SIZE, pte);
			if (ret)
				break;
			continue;
		}
		kp_decode_pte(&w->e, pte);
		ret = kp_report(w, KP_PTE, addr, PAGE_SIZE);
		if (ret)
			break;
	}
unmap:
	kp_pte_unmap(table, ptl);
	return ret;
}

/*
 * The lock that keeps a huge entry, and the page it maps, as they are
 * while it is reported: the one the kernel's own readers take.  hugetlb's
 * is huge_pte_lockptr() (the PMD table's lock for PMD-size pages, else
 * mm->page_table_lock), a THP's the PMD table's (pmd_lock(), as
 * pmd_trans_huge_lock() takes for smaps and pagemap), a PUD leaf's
 * pud_lock().  Without it a THP can be zapped or split, freed and reused
 * between our read of the entry and our read of its struct page.
 */
static inline spinlock_t *kp_leaf_lock(struct kp_walk *w, void *entry,
				       enum kp_level level)
{
	struct mm_struct *mm = w->vma->vm_mm;

	if (kp_hugetlb_size(w->vma))
		return huge_pte_lock(hstate_vma(w->vma), mm, entry);
	if (level == KP_PUD)
		return pud_lock(mm, entry);
	return pmd_lock(mm, entry);
}

static inline int kp_walk_pmd(struct kp_walk *w, pud_t *pudp,
			      unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = pmd_offset(pudp, addr);
	unsigned long next, pfn, run;
	bool special, again;
	spinlock_t *ptl; /* a huge entry's lock (kp_leaf_lock()) */
	int ret = 0;
	pmd_t pmd;

	for (; addr < end && !ret; pmdp++, addr = next) {
		next = pmd_addr_end(addr, end);
reread:
		pmd = READ_ONCE(*pmdp);
		if (pmd_none(pmd))
			continue;
		w->e.raw[KP_PMD] = pmd_val(pmd);
		w->e.index[KP_PMD] = pmd_index(addr);
		if (kp_cont_entries(w->vma, PAGE_SIZE) > 1 ||
		    (!kp_hugetlb_size(w->vma) && pmd_present(pmd) &&
		     !pmd_leaf(pmd))) {
			/* A PTE table (also of 64K hugetlb pages on arm64). */
			if (pmd_bad(pmd))
				continue;
			ret = kp_walk_pte(w, pmdp, addr, next, &again);
			/* Between PTE tables, as smaps_pte_range() does. */
			cond_resched();
			if (again)
				goto reread;
			continue;
		}
		/* A huge entry: read again, and reported, under its lock. */
		ptl = kp_leaf_lock(w, pmdp, KP_PMD);
		if (!pmd_same(pmd, READ_ONCE(*pmdp))) {
			spin_unlock(ptl);
			goto reread;
		}
		if (kp_hugetlb_size(w->vma) == PMD_SIZE) {
			ret = kp_report_hugetlb(w, KP_PMD, addr, PMD_SIZE,
						__pte(pmd_val(pmd)));
		} else if (kp_cont_entries(w->vma, PMD_SIZE) > 1) {
			/*
			 * A run of contiguous PMDs: read from its first (the
			 * lock is mm->page_table_lock, the run's one).
			 */
			run = kp_cont_entries(w->vma, PMD_SIZE);
			pmdp -= pmd_index(addr) & (run - 1);
			addr &= ~(run * PMD_SIZE - 1);
			pmd = READ_ONCE(*pmdp);
			w->e.raw[KP_PMD] = pmd_val(pmd);
			w->e.index[KP_PMD] = pmd_index(addr);
			ret = kp_report_hugetlb(w, KP_PMD, addr, run * PMD_SIZE,
						__pte(pmd_val(pmd)));
			pmdp += run - 1;
			next = addr + run * PMD_SIZE;
		} else if (!pmd_present(pmd)) {
			/* A THP being migrated. */
			kp_decode_swap(&w->e, pmd_to_swp_entry(pmd));
			ret = kp_report(w, KP_PMD, addr, PMD_SIZE);
		} else {
			pfn = pmd_pfn(pmd);
			special = kp_leaf_special(w->vma, addr, pfn,
						  kp_pmd_special(pmd),
						  pmd_devmap(pmd));
			ret = kp_report_leaf(w, KP_PMD, addr, PMD_SIZE, pfn,
					     special);
		}
		spin_unlock(ptl);
		/* After each PMD, as smaps_pte_range() does, huge or not. */
		cond_resched();
	}
	return ret;
}

static inline int kp_walk_pud(struct kp_walk *w, p4d_t *p4dp,
			      unsigned long addr, unsigned long end)
{
	pud_t *pudp = pud_offset(p4dp, addr);
	unsigned long next, pfn;
	spinlock_t *ptl; /* a huge entry's lock (kp_leaf_lock()) */
	bool special;
	int ret = 0;
	pud_t pud;

	for (; addr < end && !ret; pudp++, addr = next) {
		next = pud_addr_end(addr, end);
reread:
		pud = READ_ONCE(*pudp);
		if (pud_none(pud))
			continue;
		w->e.raw[KP_PUD] = pud_val(pud);
		w->e.index[KP_PUD] = pud_index(addr);
		if (kp_hugetlb_size(w->vma) != PUD_SIZE && pud_present(pud) &&
		    !pud_leaf(pud)) {
			if (!pud_bad(pud))
				ret = kp_walk_pmd(w, pudp, addr, next);
			continue;
		}
		/* A huge entry: read again, and reported, under its lock. */
		ptl = kp_leaf_lock(w, pudp, KP_PUD);
		if (!pud_same(pud, READ_ONCE(*pudp))) {
			spin_unlock(ptl);
			goto reread;
		}
		if (kp_hugetlb_size(w->vma) == PUD_SIZE) {
			ret = kp_report_hugetlb(w, KP_PUD, addr, PUD_SIZE,
						__pte(pud_val(pud)));
		} else if (!pud_present(pud)) {
			/* Only hugetlb puts swap entries in a PUD (x86 layout). */
			kp_decode_swap(&w->e,
				       pte_to_swp_entry(__pte(pud_val(pud))));
			ret = kp_report(w, KP_PUD, addr, PUD_SIZE);
		} else {
			pfn = pud_pfn(pud);
			special = kp_leaf_special(w->vma, addr, pfn,
						  kp_pud_special(pud),
						  pud_devmap(pud));
			ret = kp_report_leaf(w, KP_PUD, addr, PUD_SIZE, pfn,
					     special);
		}
		spin_unlock(ptl);
		cond_resched();
	}
	return ret;
}

/**
 * kp_walk_tables() - visit the page tables of a range, PTE tables whole
 * @vma: the VMA that holds the whole range
 * @start: first address (page aligned)
 * @end: end of the range (exclusive)
 * @fn: called for each non-empty PMD or PUD entry (a huge page, or what
 *	holds its place); a non-zero return stops the walk
 * @ptes: called for each PTE table, or the part of it in the range, to
 *	read its entries itself; NULL: each non-empty PTE goes to @fn
 * @arg: passed to @fn and @ptes
 *
 * Context: mmap_read_lock(vma->vm_mm) held; may sleep between PTE tables.
 * @fn and @ptes run in atomic context.
 * Return: 0, or what @fn or @ptes returned to stop.
 */
static inline int kp_walk_tables(struct vm_area_struct *vma,
				 unsigned long start, unsigned long end,
				 kp_entry_fn fn, kp_ptes_fn ptes, void *arg)
{
	struct kp_walk w = { .vma = vma, .fn = fn, .ptes = ptes, .arg = arg };
	unsigned long addr, next, p4d_next;
	struct address_space *shared = NULL;
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	int ret = 0;

	/*
	 * A hugetlb file mapping may share its PMD table with other
	 * processes.  Truncating or punching a hole in the file unshares it
	 * (huge_pmd_unshare(), from hugetlb_vmdelete_list()) without our
	 * mmap lock, and the last sharer's munmap then frees the table while
	 * we read it.  Both hold i_mmap_rwsem for writing; reading it keeps
	 * the table.  (6.2 on, the kernel's own walk takes
	 * hugetlb_vma_lock_read() for this; i_mmap_rwsem works on both.)
	 */
	if (kp_hugetlb_size(vma) && vma->vm_file)
		shared = vma->vm_file->f_mapping;
	if (shared)
		i_mmap_lock_read(shared);

	pgdp = pgd_offset(vma->vm_mm, start);
	for (addr = start; addr < end && !ret; pgdp++, addr = next) {
		next = pgd_addr_end(addr, end);
		pgd = READ_ONCE(*pgdp);
		if (pgd_none(pgd) || pgd_bad(pgd))
			continue;
		w.e.raw[KP_PGD] = pgd_val(pgd);
		w.e.index[KP_PGD] = pgd_index(addr);
		p4dp = p4d_offset(pgdp, addr);
		for (; addr < next && !ret; p4dp++, addr = p4d_next) {
			p4d_next = p4d_addr_end(addr, next);
			p4d = READ_ONCE(*p4dp);
			if (p4d_none(p4d) || p4d_bad(p4d))
				continue;
			w.e.raw[KP_P4D] = p4d_val(p4d);
			w.e.index[KP_P4D] = kp_p4d_index(addr);
			ret = kp_walk_pud(&w, p4dp, addr, p4d_next);
		}
	}
	if (shared)
		i_mmap_unlock_read(shared);
	return ret;
}

/**
 * kp_walk_range() - visit the non-empty page-table entries of a range
 * @vma: the VMA that holds the whole range
 * @start: first address (page aligned)
 * @end: end of the range (exclusive)
 * @fn: called for each entry; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Context: mmap_read_lock(vma->vm_mm) held; may sleep between PTE tables.
 * @fn runs in atomic context.
 * Return: 0, or what @fn returned to stop.
 */
static inline int kp_walk_range(struct vm_area_struct *vma, unsigned long start,
				unsigned long end, kp_entry_fn fn, void *arg)
{
	return kp_walk_tables(vma, start, end, fn, NULL, arg);
}

static inline int kp_copy_entry(const struct kp_entry *e, void *arg)
{
	*(struct kp_entry *)arg = *e;
	return 1;
}

/**
 * kp_walk_addr() - the page-table entry that maps one address
 * @vma: the VMA that holds @addr
 * @addr: the address
 * @e: filled in with the entry, if there is one
 *
 * Context: mmap_read_lock(vma->vm_mm) held.
 * Return: true if a non-empty entry maps @addr, false if none does.
 */
static inline bool kp_walk_addr(struct vm_area_struct *vma, unsigned long addr,
				struct kp_entry *e)
{
	unsigned long page = addr & PAGE_MASK;

	return kp_walk_range(vma, page, page + PAGE_SIZE, kp_copy_entry, e);
}

/* The size an entry maps, for messages (arm64: also 64K and 32M). */
static inline const char *kp_size_name(unsigned long size)
{
	switch (size) {
	case SZ_1G:
		return "1G";
	case SZ_32M:
		return "32M";
	case SZ_2M:
		return "2M";
	case SZ_64K:
		return "64K";
	default:
		return "4K";
	}
}

#endif /* KP_PGWALK_H */
