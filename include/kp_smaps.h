/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory picture /proc/PID/smaps draws, from KernelPeek's walker.
 *
 * For each VMA, smaps (fs/proc/task_mmu.c) walks the page tables and hands
 * every page an entry maps to smaps_account(): Rss counts it, Anonymous
 * too if it is anonymous, and it is shared out among the page tables that
 * map it: PSS (Pss, and Pss_Anon, Pss_File or Pss_Shmem by the page's
 * kind) gets its size divided by its mapcount, and it is Shared or Private,
 * Clean or Dirty.  A swap entry adds a page to Swap and its share, by the
 * slot's reference count, to SwapPss.  A shmem file's pages in swap have no
 * entry in the process's tables: smaps adds them from the file
 * (shmem_swap_usage()), or, for a private writable mapping, looks each up
 * where the mapping has no entry (a copied page hides the file's).
 *
 * This header does the same from the callbacks of kp_walk_tables(), with
 * the PTE table mapped (and on 6.1 locked) while a page's struct page is
 * read, as smaps reads it under the PTE lock: kp_smaps_begin() for a VMA,
 * kp_smaps_pte() for each PTE, kp_smaps_leaf() for each huge entry,
 * kp_smaps_end().  What differs between 6.1 and 6.12 is in kp_compat.h
 * (kp_smaps_whole(), kp_page_mapcount(), kp_xas_pages()).
 *
 * PSS is kept as smaps keeps it: bytes << KP_PSS_SHIFT in a u64, each
 * share truncated by its division.  smaps prints each VMA's sums shifted
 * back; smaps_rollup adds every VMA into one sum and shifts only at the
 * end.  Adding kp_smaps_add() each VMA's struct kp_smaps into a total
 * gives the same sum.
 *
 * Hugetlb VMAs are left out: smaps walks them with smaps_hugetlb_range(),
 * which fills only Shared_Hugetlb and Private_Hugetlb.
 */
#ifndef KP_SMAPS_H
#define KP_SMAPS_H

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rcupdate_wait.h>
#include <linux/shmem_fs.h>
#include <linux/swapops.h>
#include <linux/xarray.h>

#include "kp_compat.h"
#include "kp_pgwalk.h"
#include "kp_swap.h"

/* fs/proc/task_mmu.c: PSS in bytes << 12, so that 1M shares lose < 8 KiB. */
#define KP_PSS_SHIFT 12

/**
 * struct kp_smaps - smaps' fields, as struct mem_size_stats keeps them
 * @shared_clean: Shared_Clean, bytes
 * @shared_dirty: Shared_Dirty, bytes
 * @private_clean: Private_Clean, bytes
 * @private_dirty: Private_Dirty, bytes
 * @anonymous: Anonymous, bytes
 * @swap: Swap, bytes
 * @pss: Pss, bytes << KP_PSS_SHIFT
 * @pss_anon: Pss_Anon, the same
 * @pss_file: Pss_File, the same
 * @pss_shmem: Pss_Shmem, the same
 * @swap_pss: SwapPss, the same
 */
struct kp_smaps {
	unsigned long shared_clean;
	unsigned long shared_dirty;
	unsigned long private_clean;
	unsigned long private_dirty;
	unsigned long anonymous;
	unsigned long swap;
	u64 pss;
	u64 pss_anon;
	u64 pss_file;
	u64 pss_shmem;
	u64 swap_pss;
};

/**
 * struct kp_smaps_walk - one VMA's accounting, across the walk's callbacks
 * @s: where the VMA's figures go
 * @vma: the VMA
 * @skip: a hugetlb VMA: nothing to count (see the top)
 * @holes: a private writable shmem mapping with pages in swap: the file,
 *	whose swapped pages are looked up where the tables have no entry
 * @next: @holes: the walk has seen everything below this address
 * @gap_start: @holes: a range with no table, [@gap_start, @gap_end), that
 *	the walk passed inside a callback, to be looked up after it
 * @gap_end: its end; 0 if none waits
 */
struct kp_smaps_walk {
	struct kp_smaps *s;
	struct vm_area_struct *vma;
	bool skip;
	struct address_space *holes;
	unsigned long next;
	unsigned long gap_start;
	unsigned long gap_end;
};

/* smaps_rollup's one sum: @from's figures added into @to. */
static inline void kp_smaps_add(struct kp_smaps *to,
				const struct kp_smaps *from)
{
	to->shared_clean += from->shared_clean;
	to->shared_dirty += from->shared_dirty;
	to->private_clean += from->private_clean;
	to->private_dirty += from->private_dirty;
	to->anonymous += from->anonymous;
	to->swap += from->swap;
	to->pss += from->pss;
	to->pss_anon += from->pss_anon;
	to->pss_file += from->pss_file;
	to->pss_shmem += from->pss_shmem;
	to->swap_pss += from->swap_pss;
}

/*
 * shmem_partial_swap_usage() (mm/shmem.c, not exported): the bytes of a
 * shmem file's pages [@start, @end) that are in swap, which its xarray
 * holds as value entries.  Under RCU, as there; and as there it gives the
 * CPU away when asked to, if @may_sleep (not inside a walker callback,
 * which holds a page-table lock: then it must be a page or a few).
 */
static inline unsigned long kp_shmem_swapped(struct address_space *mapping,
					     pgoff_t start, pgoff_t end,
					     bool may_sleep)
{
	XA_STATE(xas, &mapping->i_pages, start);
	unsigned long swapped = 0, max = end - 1;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, max) {
		if (xas_retry(&xas, entry))
			continue;
		if (xa_is_value(entry))
			swapped += kp_xas_pages(&xas);
		if (xas.xa_index == max)
			break;
		if (may_sleep && need_resched()) {
			xas_pause(&xas);
			cond_resched_rcu();
		}
	}
	rcu_read_unlock();
	return swapped << PAGE_SHIFT;
}

/*
 * shmem_swap_usage() (mm/shmem.c, not exported): the bytes of the part of
 * a shmem file that @vma maps that are in swap.  The file's own count
 * (shmem_inode_info->swapped, read without its lock, as there) when it
 * has none or the VMA maps all of it, else a look at the pages.
 */
static inline unsigned long kp_shmem_swap_usage(struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(vma->vm_file);
	unsigned long swapped = READ_ONCE(SHMEM_I(inode)->swapped);

	if (!swapped)
		return 0;
	if (!vma->vm_pgoff && vma->vm_end - vma->vm_start >= i_size_read(inode))
		return swapped << PAGE_SHIFT;
	return kp_shmem_swapped(inode->i_mapping, vma->vm_pgoff,
				vma->vm_pgoff + vma_pages(vma), true);
}

/*
 * kp_smaps_hidden() - a huge entry that smaps leaves out of every field,
 * Rss included: 6.1's PROT_NONE THP (kp_smaps_pmd_hidden()).  hugetlb is
 * read by smaps_hugetlb_range(), which does not look at the protection.
 */
static inline bool kp_smaps_hidden(const struct kp_smaps_walk *w,
				   const struct kp_entry *e)
{
	return !is_vm_hugetlb_page(w->vma) && e->level == KP_PMD &&
	       e->kind == KP_PRESENT &&
	       kp_smaps_pmd_hidden(__pmd(e->raw[KP_PMD]));
}

/**
 * kp_smaps_begin() - start the accounting of a VMA
 * @w: the walk's state, filled in
 * @vma: the VMA
 * @s: its figures, zeroed by the caller
 *
 * smap_gather_stats(): a shmem mapping's pages in swap are the file's, and
 * are all counted here, unless the mapping is private and writable and
 * some are in swap: then a page the process copied hides the file's, and
 * each address with no entry is looked up as the walk goes
 * (smaps_pte_hole(), check_shmem_swap).  shmem_mapping() is a static
 * inline in 6.1 (on the exported shmem_aops) and exported in 6.12.
 *
 * Context: mmap_read_lock(vma->vm_mm) held.
 */
static inline void kp_smaps_begin(struct kp_smaps_walk *w,
				  struct vm_area_struct *vma,
				  struct kp_smaps *s)
{
	unsigned long swapped;

	*w = (struct kp_smaps_walk){ .s = s,
				     .vma = vma,
				     .skip = is_vm_hugetlb_page(vma) ||
					     !kp_smaps_walked(vma),
				     .next = vma->vm_start };
	if (w->skip || !vma->vm_file || !shmem_mapping(vma->vm_file->f_mapping))
		return;
	swapped = kp_shmem_swap_usage(vma);
	if (!swapped || (vma->vm_flags & VM_SHARED) ||
	    !(vma->vm_flags & VM_WRITE))
		s->swap += swapped;
	else
		w->holes = vma->vm_file->f_mapping;
}

/*
 * kp_smaps_gap() - look up the range with no table that the walk passed
 * (w->gap_start to w->gap_end), if one waits: the file's pages in swap
 * there (smaps_pte_hole()).  @may_sleep: outside the walk's callbacks.
 */
static inline void kp_smaps_gap(struct kp_smaps_walk *w, bool may_sleep)
{
	pgoff_t start = linear_page_index(w->vma, w->gap_start);
	pgoff_t end = linear_page_index(w->vma, w->gap_end);

	if (!w->gap_end)
		return;
	w->s->swap += kp_shmem_swapped(w->holes, start, end, may_sleep);
	w->gap_start = 0;
	w->gap_end = 0;
}

/*
 * The walk is at @addr and goes on to @end: what lay between w->next and
 * @addr had no table.  In a callback, under a page-table lock: the range
 * (it may be the whole file) waits for kp_smaps_between() or
 * kp_smaps_end(), unless one already waits (then it is looked up here).
 */
static inline void kp_smaps_hole(struct kp_smaps_walk *w, unsigned long addr,
				 unsigned long end)
{
	if (w->holes && addr > w->next) {
		kp_smaps_gap(w, false);
		w->gap_start = w->next;
		w->gap_end = addr;
	}
	w->next = max(w->next, end);
}

/**
 * kp_smaps_between() - between two kp_walk_tables() calls over parts of
 * the VMA: look up the range with no table the last one passed
 * @w: the VMA's walk
 *
 * A caller whose VMA has w->holes walks it a PMD at a time (one PTE table
 * or huge entry, so at most one such range each) and calls this after
 * each part, where it may sleep.
 *
 * Context: mmap_read_lock(vma->vm_mm) held, no other lock; may sleep.
 */
static inline void kp_smaps_between(struct kp_smaps_walk *w)
{
	kp_smaps_gap(w, true);
}

/**
 * kp_smaps_end() - end the accounting of a VMA: the part after the last
 * entry the walk saw.
 * @w: the walk's state
 *
 * Context: as kp_smaps_between().
 */
static inline void kp_smaps_end(struct kp_smaps_walk *w)
{
	kp_smaps_hole(w, w->vma->vm_end, w->vma->vm_end);
	kp_smaps_gap(w, true);
}

/* Which Pss_* a page goes to: what smaps_page_accumulate() tells apart. */
enum kp_smaps_kind { KP_SMAPS_ANON, KP_SMAPS_SHMEM, KP_SMAPS_FILE };

/*
 * smaps_page_accumulate(): one share of a page, @size bytes of it.  @kind
 * and @dirty (the entry's dirty bit or the folio's) are read once per
 * entry: they are the folio's, whichever of its pages smaps asks about.
 * Plain branches, no pointer to a field, so that a caller's sums on its
 * stack can live in registers (lkm4 adds up each PTE table so).
 */
static __always_inline void kp_smaps_share(struct kp_smaps *s,
					   enum kp_smaps_kind kind,
					   unsigned long size, u64 pss,
					   bool dirty, bool private)
{
	s->pss += pss;
	if (kind == KP_SMAPS_ANON)
		s->pss_anon += pss;
	else if (kind == KP_SMAPS_SHMEM)
		s->pss_shmem += pss;
	else
		s->pss_file += pss;

	if (dirty) {
		if (private)
			s->private_dirty += size;
		else
			s->shared_dirty += size;
	} else {
		if (private)
			s->private_clean += size;
		else
			s->shared_clean += size;
	}
}

/*
 * smaps_account(): @nr pages from @page, which one entry maps (@nr > 1: a
 * huge entry, @page the folio's head).  @dirty: the entry's dirty bit;
 * @present: a present entry, or device-private memory; @migration: a
 * migration entry.  (Rss is not kept: lkm4's physical_kb is it, plus
 * hugetlb.)
 */
static __always_inline void kp_smaps_account(struct kp_smaps *s,
					     struct page *page,
					     unsigned long nr, bool dirty,
					     bool present, bool migration)
{
	struct folio *folio = page_folio(page);
	unsigned long size = nr * PAGE_SIZE, i;
	enum kp_smaps_kind kind;
	int mapcount;
	u64 pss;

	if (folio_test_anon(folio)) {
		kind = KP_SMAPS_ANON;
		s->anonymous += size;
	} else {
		kind = folio_test_swapbacked(folio) ? KP_SMAPS_SHMEM :
						      KP_SMAPS_FILE;
	}
	dirty = dirty || folio_test_dirty(folio);

	if (kp_smaps_whole(folio, present, migration)) {
		kp_smaps_share(s, kind, size, (u64)size << KP_PSS_SHIFT, dirty,
			       kp_smaps_whole_private(present));
		return;
	}
	for (i = 0; i < nr; i++, page++) {
		mapcount = kp_page_mapcount(folio, page);
		pss = (u64)PAGE_SIZE << KP_PSS_SHIFT;
		if (mapcount >= 2)
			pss = div_u64(pss, mapcount);
		kp_smaps_share(s, kind, PAGE_SIZE, pss, dirty, mapcount < 2);
	}
}

/*
 * smaps_pte_entry()'s swap slot: its share of SwapPss, by the slot's
 * references (swp_swapcount()).  When the count cannot be read
 * (kp_swap_init() failed), the slot counts whole, as one with one owner.
 */
static inline u64 kp_smaps_swap_pss(swp_entry_t entry)
{
	int count = kp_swap_count(entry);

	if (count >= 2)
		return div_u64((u64)PAGE_SIZE << KP_PSS_SHIFT, count);
	return (u64)PAGE_SIZE << KP_PSS_SHIFT;
}

/**
 * kp_smaps_table() - a PTE table's part [@addr, @end) comes next
 * @w: the VMA's walk
 * @addr: its first address
 * @end: its end
 *
 * What lay between the last entry and @addr had no table (a hole).  Call
 * it first in a kp_ptes_fn, then kp_smaps_pte() for each of its PTEs: for
 * each one if w->holes is set, else for those that are not pte_none().
 */
static inline void kp_smaps_table(struct kp_smaps_walk *w, unsigned long addr,
				  unsigned long end)
{
	if (!w->skip)
		kp_smaps_hole(w, addr, end);
}

/*
 * kp_smaps_pte()'s entries that do not map a present page: a hole of a
 * private shmem mapping, a swap slot, or a page being migrated, device
 * memory or a poisoned page.  They are few, and their figures go straight
 * to the VMA's sums (w->s); the entry is decoded again here, so that the
 * caller's copy never leaves its registers.  Out of line, so that the loop over a table of
 * present pages keeps its sums in registers: inlined, reading the swap
 * count (locks, a reference) took them away, and lkm4's walk of 1 GiB
 * resident went from 10 to 17 ms under TCG.
 */
static noinline void kp_smaps_rare(const struct kp_smaps_walk *w, pte_t pte,
				   unsigned long addr)
{
	struct kp_smaps *s = w->s;
	struct kp_entry e;

	if (pte_none(pte)) {
		/* smaps_pte_hole_lookup(): one page. */
		pgoff_t index = linear_page_index(w->vma, addr);

		s->swap += kp_shmem_swapped(w->holes, index, index + 1, false);
		return;
	}
	kp_decode_pte(&e, pte);
	switch (e.kind) {
	case KP_SWAPPED:
		/* A page in Swap, and its share in SwapPss. */
		s->swap += PAGE_SIZE;
		s->swap_pss += kp_smaps_swap_pss(pte_to_swp_entry(pte));
		break;
	case KP_MIGRATING:
	case KP_DEVICE:
	case KP_HWPOISON:
		/* is_pfn_swap_entry(): pfn_swap_entry_to_page(). */
		kp_smaps_account(s, pfn_to_page(e.pfn), 1, false,
				 is_device_private_entry(pte_to_swp_entry(pte)),
				 e.kind == KP_MIGRATING);
		break;
	default:
		break; /* a PTE marker: nothing */
	}
}

/**
 * kp_smaps_pte() - account one PTE, as smaps_pte_entry() does
 * @w: the VMA's walk
 * @s: where a present page's figures go: w->s, or sums of the caller's
 *	that it adds to w->s with kp_smaps_add() after the table (the other
 *	entries' go to w->s: kp_smaps_rare())
 * @pte: the entry, read once
 * @e: it decoded (kp_decode_pte()); unused if pte_none(@pte)
 * @addr: the address it maps
 *
 * Context: in a kp_ptes_fn, with the table mapped: it reads the page's
 * struct page, which the mapping keeps.
 */
static __always_inline void kp_smaps_pte(const struct kp_smaps_walk *w,
					 struct kp_smaps *s, pte_t pte,
					 const struct kp_entry *e,
					 unsigned long addr)
{
	if (w->skip)
		return;
	if (!pte_none(pte) && e->kind == KP_PRESENT) {
		/* vm_normal_page(): not a zero page or a PFN map. */
		if (!e->special)
			kp_smaps_account(s, pfn_to_page(e->pfn), 1,
					 pte_dirty(pte), true, false);
	} else if (!pte_none(pte) || w->holes) {
		kp_smaps_rare(w, pte, addr);
	}
}

/**
 * kp_smaps_leaf() - account one huge entry, as smaps_pmd_entry() does
 * @w: the VMA's walk
 * @e: the entry (kp_entry_fn's)
 *
 * A present PMD leaf that is the process's memory (vm_normal_page_pmd();
 * 6.1's follow_trans_huge_pmd(FOLL_DUMP) leaves out the huge zero page
 * alike), or a THP being migrated; not 6.1's PROT_NONE THP
 * (kp_smaps_hidden()).  A PUD leaf outside hugetlb is a PFN or DAX map,
 * which smaps does not count.  The folio is taken whole
 * (compound_nr() of its head), no further than the entry maps.
 *
 * Context: in a kp_entry_fn.
 */
static inline void kp_smaps_leaf(struct kp_smaps_walk *w,
				 const struct kp_entry *e)
{
	unsigned long start = max(e->addr, w->vma->vm_start), nr;
	bool present = e->kind == KP_PRESENT && !e->special;
	bool migration = e->kind == KP_MIGRATING;
	pmd_t pmd = __pmd(e->raw[KP_PMD]);
	struct page *page;

	if (w->skip)
		return;
	kp_smaps_hole(w, start, e->addr + e->size);
	if (e->level != KP_PMD || !(present || migration) ||
	    kp_smaps_hidden(w, e))
		return;
	page = pfn_to_page(e->pfn);
	nr = min_t(unsigned long, compound_nr(page), e->size >> PAGE_SHIFT);
	/* smaps passes pmd_dirty() of a migration entry too. */
	kp_smaps_account(w->s, page, nr, pmd_dirty(pmd), present, migration);
}

#endif /* KP_SMAPS_H */
