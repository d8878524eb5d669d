/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for the differences between the kernels KernelPeek builds
 * for (Debian's 6.1 and 6.12, on x86-64 and arm64).  Nothing else tests
 * LINUX_VERSION_CODE or the architecture.
 */
#ifndef KP_COMPAT_H
#define KP_COMPAT_H

#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/kernel-page-flags.h>
#include <linux/ksm.h>
#include <linux/mm.h>
#include <linux/page_idle.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/version.h>
#include <linux/xarray.h>
#include <asm/pgtable.h>

/*
 * kp_pte_map() - map the PTE table below a PMD to read it; NULL if the PMD
 * no longer points to one.  kp_pte_unmap() undoes it.
 *
 * 6.1: under mmap_read_lock() a PTE table cannot be freed, and
 * pte_offset_map_lock() also holds its spinlock so that each entry is read
 * in a settled state.
 *
 * 6.5 and later: khugepaged may free an empty PTE table with only RCU to
 * protect readers (see __pte_offset_map() in mm/pgtable-generic.c), and
 * pte_offset_map*() no longer link from modules.  So do what
 * __pte_offset_map_lock() does: inside rcu_read_lock(), take a stable copy
 * of the PMD, check that it still points to a PTE table, take that table's
 * lock, and check that the PMD still points to it.  RCU alone would keep
 * the table but not the pages it maps: a zap or a migration can free a
 * page between our read of its entry and our read of its struct page.
 *
 * Either way, call kp_pte_unmap() after kp_pte_map(), also when it returned
 * NULL: every path then takes and releases alike (sparse checks that).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline pte_t *kp_pte_map(struct mm_struct *mm, pmd_t *pmd,
				unsigned long addr, spinlock_t **ptl)
{
	return pte_offset_map_lock(mm, pmd, addr, ptl);
}

static inline void kp_pte_unmap(pte_t *pte, spinlock_t *ptl)
{
	pte_unmap_unlock(pte, ptl);
}

/* Read one entry of a table kp_pte_map() mapped: under its lock here. */
static inline pte_t kp_ptep_get(pte_t *ptep)
{
	return ptep_get(ptep);
}
#else
static inline pte_t *kp_pte_map(struct mm_struct *mm, pmd_t *pmd,
				unsigned long addr, spinlock_t **ptl)
{
	pmd_t pmdval;

	rcu_read_lock();
	pmdval = pmdp_get_lockless(pmd);
	*ptl = NULL;
	if (pmd_none(pmdval) || !pmd_present(pmdval) || pmd_leaf(pmdval) ||
	    pmd_bad(pmdval))
		return NULL;
	*ptl = pte_lockptr(mm, &pmdval);
	spin_lock(*ptl);
	if (!pmd_same(pmdval, pmdp_get_lockless(pmd))) {
		/* Collapsed or freed meanwhile: the caller reads it again. */
		spin_unlock(*ptl);
		*ptl = NULL;
		return NULL;
	}
	return pte_offset_kernel(&pmdval, addr);
}

static inline void kp_pte_unmap(pte_t *pte, spinlock_t *ptl)
{
	if (ptl)
		spin_unlock(ptl);
	rcu_read_unlock();
}

/*
 * Read one entry of a table kp_pte_map() mapped, with ptep_get_lockless()
 * as 6.12's own walkers do (on arm64 it folds a contiguous range's access
 * and dirty bits in, as ptep_get() does).
 */
static inline pte_t kp_ptep_get(pte_t *ptep)
{
	return ptep_get_lockless(ptep);
}
#endif

/*
 * kp_pmd_special(), kp_pud_special() - is a huge leaf a PFN map?
 *
 * 6.12 maps raw PFNs with huge PMD and PUD leaves (vfio-pci's BARs, say),
 * marked with _PAGE_SPECIAL (pmd_special(), pud_special();
 * vmf_insert_pfn_pmd() in mm/huge_memory.c).  6.1 has no such mark: there
 * a huge PFN leaf is known by its VMA's VM_PFNMAP or by devmap.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
static inline bool kp_pmd_special(pmd_t pmd)
{
	return false;
}

static inline bool kp_pud_special(pud_t pud)
{
	return false;
}
#else
static inline bool kp_pmd_special(pmd_t pmd)
{
	return pmd_special(pmd);
}

static inline bool kp_pud_special(pud_t pud)
{
	return pud_special(pud);
}
#endif

/*
 * kp_vma_is_heap() - is this the VMA /proc/PID/maps calls [heap]?
 *
 * 6.1's show_map_vma() (fs/proc/task_mmu.c) compares loosely, so a VMA
 * that starts right at brk, or ends right at start_brk, is also called
 * [heap]; 6.6 and later use vma_is_initial_heap() (include/linux/mm.h),
 * whose comparisons are strict.
 *
 * Context: mmap_read_lock(vma->vm_mm) held.
 */
static inline bool kp_vma_is_heap(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#else
	return vma_is_initial_heap(vma);
#endif
}

/*
 * kp_file_path() - the path of a mapped file as the user knows it.  From
 * 6.8 on, a file that overlayfs opens on a lower layer for the user is a
 * "backing file" whose f_path is the lower one; /proc/PID/maps shows
 * file_user_path(), the overlayfs path.
 */
static inline const struct path *kp_file_path(struct file *file)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
	return &file->f_path;
#else
	return file_user_path(file);
#endif
}

/*
 * kp_vma_anon_name() - the name a user gave an anonymous VMA with
 * prctl(PR_SET_VMA_ANON_NAME), or NULL.
 *
 * anon_vma_name() (mm/madvise.c) is not exported, so this reads the field
 * itself.  Up to 6.6 that field shares a union with the i_mmap tree node
 * of a file-backed VMA (struct vm_area_struct, include/linux/mm_types.h):
 * there it is only a name when vm_file is NULL, and is anything but for a
 * mapped file.  Since 6.2 (commit d09e8ca6cb93, "mm: anonymous shared
 * memory naming") it is a field of its own, set on shared anonymous
 * (shmem) VMAs too, which maps then shows as [anon_shmem:NAME].  Read in
 * the 6.1 and 6.12 sources (Debian builds neither with ANON_VMA_NAME; the
 * debug kernel, a 6.1, has it).
 *
 * Context: mmap_read_lock(vma->vm_mm) held, which keeps the name.
 */
static inline const char *kp_vma_anon_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	if (vma->vm_file)
		return NULL;
#endif
	return vma->anon_name ? vma->anon_name->name : NULL;
#else
	return NULL;
#endif
}

/* kpf_copy_bit() of fs/proc/page.c: bit @kbit of @kflags as bit @ubit. */
static inline u64 kp_kpf_bit(unsigned long kflags, int ubit, int kbit)
{
	return (u64)((kflags >> kbit) & 1) << ubit;
}

/*
 * The bits of stable_page_flags() that 6.1 and 6.12 compute alike: the
 * page's own types (buddy, offline, page table) and the flags copied
 * straight from @k, the page's flags (6.1) or its folio's (6.12).
 */
static inline u64 kp_kpf_common(struct page *page, unsigned long k)
{
	u64 u = 0;

	if (PageBuddy(page))
		u |= BIT_ULL(KPF_BUDDY);
	else if (page_count(page) == 0 && is_free_buddy_page(page))
		u |= BIT_ULL(KPF_BUDDY);
	if (PageOffline(page))
		u |= BIT_ULL(KPF_OFFLINE);
	if (PageTable(page))
		u |= BIT_ULL(KPF_PGTABLE);
	u |= kp_kpf_bit(k, KPF_LOCKED, PG_locked);
	u |= kp_kpf_bit(k, KPF_DIRTY, PG_dirty);
	u |= kp_kpf_bit(k, KPF_UPTODATE, PG_uptodate);
	u |= kp_kpf_bit(k, KPF_WRITEBACK, PG_writeback);
	u |= kp_kpf_bit(k, KPF_LRU, PG_lru);
	u |= kp_kpf_bit(k, KPF_REFERENCED, PG_referenced);
	u |= kp_kpf_bit(k, KPF_ACTIVE, PG_active);
	u |= kp_kpf_bit(k, KPF_RECLAIM, PG_reclaim);
	u |= kp_kpf_bit(k, KPF_SWAPBACKED, PG_swapbacked);
	u |= kp_kpf_bit(k, KPF_UNEVICTABLE, PG_unevictable);
	return u;
}

/*
 * What /proc/kpageflags and /proc/kpagecount say of a frame, and what
 * /proc/PID/pagemap's bit 56 (PM_MMAP_EXCLUSIVE) says of a mapping of it,
 * for lkm3 (include/kp_page.h).  The kernel's own functions are not
 * exported (stable_page_flags(), fs/proc/page.c) or are private to
 * fs/proc (folio_precise_page_mapcount(), fs/proc/internal.h in 6.12), so
 * these mirror them, from the inline PageXxx()/folio_test_xxx() helpers.
 * Only the bits of the uapi (include/uapi/linux/kernel-page-flags.h, 0 to
 * 26) are mirrored: the others are the kernel's and page-types hides them.
 *
 * Between 6.1 and 6.12 they went from pages to folios in several steps
 * (6.2 to 6.12); the two mirrored here are 6.1's and 6.12's, the kernels
 * KernelPeek builds for.
 *
 * @huge_zero: the caller's word that @page is the huge zero page (a PMD
 * leaf of an anonymous VMA that is not anonymous memory, as
 * kp_leaf_special() tells it): is_huge_zero_page()/is_huge_zero_folio()
 * read huge_zero_page/huge_zero_folio, which are not exported.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
/* 6.1's stable_page_flags() (fs/proc/page.c), bits 0 to 26. */
static inline u64 kp_kpageflags(struct page *page, bool huge_zero)
{
	unsigned long k;
	u64 u = 0;

	if (!page)
		return BIT_ULL(KPF_NOPAGE);
	k = READ_ONCE(page->flags);
	if (!PageSlab(page) && page_mapped(page))
		u |= BIT_ULL(KPF_MMAP);
	if (PageAnon(page))
		u |= BIT_ULL(KPF_ANON);
	if (PageKsm(page))
		u |= BIT_ULL(KPF_KSM);
	if (PageHead(page))
		u |= BIT_ULL(KPF_COMPOUND_HEAD);
	if (PageTail(page))
		u |= BIT_ULL(KPF_COMPOUND_TAIL);
	if (PageHuge(page)) {
		u |= BIT_ULL(KPF_HUGE);
	} else if (PageTransCompound(page)) {
		struct page *head = compound_head(page);

		if (PageLRU(head) || PageAnon(head))
			u |= BIT_ULL(KPF_THP);
		else if (huge_zero)
			u |= BIT_ULL(KPF_ZERO_PAGE) | BIT_ULL(KPF_THP);
	} else if (is_zero_pfn(page_to_pfn(page))) {
		u |= BIT_ULL(KPF_ZERO_PAGE);
	}
	u |= kp_kpf_common(page, k);
	if (page_is_idle(page))
		u |= BIT_ULL(KPF_IDLE);
	u |= kp_kpf_bit(k, KPF_SLAB, PG_slab);
	if (PageTail(page) && PageSlab(compound_head(page)))
		u |= BIT_ULL(KPF_SLAB);
	u |= kp_kpf_bit(k, KPF_ERROR, PG_error);
	if (PageSwapCache(page))
		u |= BIT_ULL(KPF_SWAPCACHE);
#ifdef CONFIG_MEMORY_FAILURE
	u |= kp_kpf_bit(k, KPF_HWPOISON, PG_hwpoison);
#endif
	return u;
}

/* 6.1's kpagecount_read() (fs/proc/page.c), for one frame. */
static inline u64 kp_kpagecount(struct page *page)
{
	if (!page || PageSlab(page) || page_has_type(page))
		return 0;
	return page_mapcount(page);
}

/*
 * 6.1's PM_MMAP_EXCLUSIVE: page_mapcount() == 1 of the page the entry maps
 * first: vm_normal_page() of a PTE (pte_to_pagemap_entry()), pmd_page()
 * of a huge PMD for all of its subpages (pagemap_pmd_range()), the head
 * of a hugetlb page (pagemap_hugetlb_range()), fs/proc/task_mmu.c.
 */
static inline bool kp_pagemap_exclusive(struct page *leaf, struct page *page,
					bool hugetlb)
{
	return leaf && page_mapcount(leaf) == 1;
}
#else
/* 6.12's folio_precise_page_mapcount() (fs/proc/internal.h). */
static inline int kp_precise_page_mapcount(struct folio *folio,
					   struct page *page)
{
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += folio_entire_mapcount(folio);
	return mapcount;
}

/* 6.12's stable_page_flags() (fs/proc/page.c), bits 0 to 26. */
static inline u64 kp_kpageflags(struct page *page, bool huge_zero)
{
	const unsigned long swapcache = BIT(PG_swapbacked) | BIT(PG_swapcache);
	unsigned long k, mapping;
	struct folio *folio;
	u64 u = 0;

	if (!page)
		return BIT_ULL(KPF_NOPAGE);
	folio = page_folio(page);
	k = READ_ONCE(folio->flags);
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if (page_mapped(page))
		u |= BIT_ULL(KPF_MMAP);
	if (mapping & PAGE_MAPPING_ANON) {
		u |= BIT_ULL(KPF_ANON);
		/*
		 * As folio_test_ksm() tests.  6.9's rewrite of
		 * stable_page_flags() tested (mapping & PAGE_MAPPING_KSM),
		 * true for every anonymous page, until "fs/proc: fix KPF_KSM
		 * reported for all anonymous pages" (stable); Debian's
		 * 6.12.117 still reports that way.  We report the truth.
		 */
		if ((mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_KSM)
			u |= BIT_ULL(KPF_KSM);
	}
	if (page == &folio->page)
		u |= kp_kpf_bit(k, KPF_COMPOUND_HEAD, PG_head);
	else
		u |= BIT_ULL(KPF_COMPOUND_TAIL);
	if (folio_test_hugetlb(folio))
		u |= BIT_ULL(KPF_HUGE);
	else if (folio_test_large(folio) && folio_test_large_rmappable(folio))
		u |= BIT_ULL(KPF_THP);
	else if (huge_zero)
		u |= BIT_ULL(KPF_ZERO_PAGE) | BIT_ULL(KPF_THP);
	else if (is_zero_folio(folio))
		u |= BIT_ULL(KPF_ZERO_PAGE);
	u |= kp_kpf_common(page, k);
	if (folio_test_slab(folio))
		u |= BIT_ULL(KPF_SLAB);
#if defined(CONFIG_PAGE_IDLE_FLAG) && defined(CONFIG_64BIT)
	u |= kp_kpf_bit(k, KPF_IDLE, PG_idle);
#else
	if (folio_test_idle(folio))
		u |= BIT_ULL(KPF_IDLE);
#endif
	if ((k & swapcache) == swapcache)
		u |= BIT_ULL(KPF_SWAPCACHE);
#ifdef CONFIG_MEMORY_FAILURE
	if (u & BIT_ULL(KPF_HUGE))
		u |= kp_kpf_bit(k, KPF_HWPOISON, PG_hwpoison);
	else
		u |= kp_kpf_bit(READ_ONCE(page->flags), KPF_HWPOISON,
				PG_hwpoison);
#endif
	return u;
}

/* 6.12's kpagecount_read() (fs/proc/page.c), for one frame. */
static inline u64 kp_kpagecount(struct page *page)
{
	return page ? kp_precise_page_mapcount(page_folio(page), page) : 0;
}

/*
 * 6.12's PM_MMAP_EXCLUSIVE (fs/proc/task_mmu.c): the precise mapcount of
 * the page itself is 1 (pte_to_pagemap_entry(), and pagemap_pmd_range()
 * subpage by subpage); for hugetlb, the folio is not "likely mapped
 * shared" and its PMD table is not shared (pagemap_hugetlb_range(); the
 * table is not known here, see docs/lkm3.md).
 */
static inline bool kp_pagemap_exclusive(struct page *leaf, struct page *page,
					bool hugetlb)
{
	if (!leaf)
		return false;
	if (hugetlb)
		return !folio_likely_mapped_shared(page_folio(leaf));
	return kp_precise_page_mapcount(page_folio(page), page) == 1;
}
#endif

/*
 * How smaps shares a page out (fs/proc/task_mmu.c, smaps_account()), for
 * include/kp_smaps.h.  Checked in the 6.1 and 6.12 sources only.
 *
 * kp_smaps_whole() - is the page (or the folio, for a huge entry) counted
 * as one private piece, without looking at its mapcount?
 *
 * 6.1: when page_count() is 1 (mapped exactly once), or when the entry is
 * a migration entry (whose mapcount it is not safe to read; treated as
 * mapped once).  Every other entry that names a page, present or not
 * (device memory, a poisoned page), is shared out by its mapcount.
 *
 * 6.12: when folio_ref_count() is 1, or when the entry is not present:
 * swap-like entries (migration, device-exclusive, poisoned) count as "maybe
 * shared, but not sure how often"; device-private memory counts as present.
 *
 * kp_smaps_whole_private() - is such a whole piece private?  6.1: always
 * (smaps_account() passes true).  6.12: only a present one; smaps_account()
 * passes @present as smaps_page_accumulate()'s "private", so a page being
 * migrated or a poisoned one goes to Shared_Clean or Shared_Dirty.
 *
 * kp_smaps_pmd_hidden() - a present PMD leaf that smaps leaves out of
 * every field, Rss included.  6.1: a PROT_NONE (or NUMA-hinting) THP:
 * smaps_pmd_entry() asks follow_trans_huge_pmd(FOLL_DUMP), which returns
 * NULL when pmd_protnone() and !gup_can_follow_protnone()
 * (include/linux/mm.h: FOLL_FORCE only).  6.12: none; smaps_pmd_entry() uses
 * vm_normal_page_pmd(), which does not look at the protection.  (6.1's PTE
 * level uses vm_normal_page(), which does not either.)
 *
 * kp_smaps_walked() - does smaps walk @vma at all?  6.1: not a VM_PFNMAP
 * one: walk_page_vma() asks walk_page_test() (mm/pagewalk.c), so smaps
 * shows nothing there, Rss included, not even the anonymous copies a
 * write to a private PFN mapping makes.  6.12: every VMA; walk_page_vma()
 * goes straight to __walk_page_range(), and vm_normal_page() leaves out
 * the PFN map's own frames but not those copies.
 *
 * kp_page_mapcount() - how many page tables map @page, for its PSS share.
 * 6.1: page_mapcount() (include/linux/mm.h; its slow path __page_mapcount()
 * is exported).  6.12: folio_precise_page_mapcount(), which lives in
 * fs/proc/internal.h, out of a module's reach: kp_precise_page_mapcount()
 * above, the page's own _mapcount, plus the folio's entire mapcount (PMD
 * mappings) for a large folio.
 *
 * kp_xas_pages() - how many pages a swap entry found in a shmem file's
 * xarray stands for: shmem_partial_swap_usage() (mm/shmem.c) counts 1 in
 * 6.1 and 1 << xas_get_order() in 6.12, where shmem swaps large folios
 * out whole.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
static inline bool kp_smaps_whole(struct folio *folio, bool present,
				  bool migration)
{
	/* page_count(): the reference count of the page's folio */
	return folio_ref_count(folio) == 1 || migration;
}

static inline bool kp_smaps_whole_private(bool present)
{
	return true;
}

static inline bool kp_smaps_pmd_hidden(pmd_t pmd)
{
	return pmd_protnone(pmd);
}

static inline bool kp_smaps_walked(struct vm_area_struct *vma)
{
	return !(vma->vm_flags & VM_PFNMAP);
}

static inline int kp_page_mapcount(struct folio *folio, struct page *page)
{
	return page_mapcount(page);
}

static inline unsigned long kp_xas_pages(struct xa_state *xas)
{
	return 1;
}
#else
static inline bool kp_smaps_whole(struct folio *folio, bool present,
				  bool migration)
{
	return folio_ref_count(folio) == 1 || !present;
}

static inline bool kp_smaps_whole_private(bool present)
{
	return present;
}

static inline bool kp_smaps_pmd_hidden(pmd_t pmd)
{
	return false;
}

static inline bool kp_smaps_walked(struct vm_area_struct *vma)
{
	return true;
}

static inline int kp_page_mapcount(struct folio *folio, struct page *page)
{
	return kp_precise_page_mapcount(folio, page);
}

static inline unsigned long kp_xas_pages(struct xa_state *xas)
{
	return 1UL << xas_get_order(xas);
}
#endif

/*
 * kp_filemap_get_folio() - the folio of the page cache at @index, with a
 * reference the caller drops with folio_put(), or NULL if none is there.
 * Looks and creates nothing (no FGP_ flags), and does not sleep.
 * __filemap_get_folio() (mm/filemap.c) returns NULL for "none" up to 6.3,
 * ERR_PTR(-ENOENT) from 6.4 on ("mm: return an ERR_PTR from
 * __filemap_get_folio"); IS_ERR() is false for NULL, so one test covers
 * both.
 */
static inline struct folio *kp_filemap_get_folio(struct address_space *mapping,
						 pgoff_t index)
{
	struct folio *folio = __filemap_get_folio(mapping, index, 0, 0);

	return IS_ERR(folio) ? NULL : folio;
}

/*
 * kp_va_bits(), kp_is_canonical() - the width of a virtual address, and
 * whether an address is one the MMU translates at all.
 *
 * x86-64: 48 bits, or 57 with 5-level tables (LA57); an address is
 * canonical when bits 63 down to the top one are copies of that one
 * (__is_canonical_address(), arch/x86/include/asm/page.h).
 *
 * arm64: VA_BITS (48 with Debian's 4 KiB pages; CONFIG_ARM64_VA_BITS).
 * User space is the low half, translated by TTBR0 from 0 up to
 * 2^VA_BITS, the kernel the high one, by TTBR1, down from 2^64; an address
 * with bits 63 to VA_BITS neither all 0 nor all 1 is in neither
 * (Documentation/arm64/memory.rst).
 */
#if defined(CONFIG_X86_64)
static inline unsigned int kp_va_bits(void)
{
	return pgtable_l5_enabled() ? 57 : 48;
}

static inline bool kp_is_canonical(unsigned long addr)
{
	return __is_canonical_address(addr, kp_va_bits());
}
#elif defined(CONFIG_ARM64)
static inline unsigned int kp_va_bits(void)
{
	return VA_BITS;
}

static inline bool kp_is_canonical(unsigned long addr)
{
	unsigned long top = addr >> VA_BITS;

	return !top || top == ~0UL >> VA_BITS;
}
#else
#error "KernelPeek knows x86-64 and arm64 only (include/kp_compat.h)"
#endif

/*
 * kp_p4d_index() - the index of @addr in its P4D table.  x86-64 has a P4D
 * level of its own with LA57 (and one entry without); arm64's is folded
 * into the PGD (include/asm-generic/pgtable-nop4d.h: PTRS_PER_P4D 1) and
 * defines no p4d_index().  Either way it is this.
 */
static inline unsigned int kp_p4d_index(unsigned long addr)
{
	return (addr >> P4D_SHIFT) & (PTRS_PER_P4D - 1);
}

/**
 * struct kp_entry_bit - a field of a page-table entry, by the
 * architecture's own name for it (lkm3's verbose=1, as crash's vtop)
 * @name: the name printed
 * @mask: its bits in the entry; 0 stands for "huge": the entry is a leaf
 *	above the PTE level
 *
 * x86-64: arch/x86/include/asm/pgtable_types.h.  arm64: the VMSAv8-64
 * descriptor bits of arch/arm64/include/asm/pgtable-hwdef.h: valid, the
 * access flag (AF), not-global (nG), the access permissions AP[2:1] as a
 * number (bit 1 read-only, bit 0 user), dirty bit modifier (DBM, hardware
 * dirty tracking), contiguous (one of 16 entries that map one block),
 * privileged and user execute-never (PXN, UXN).
 */
struct kp_entry_bit {
	const char *name;
	u64 mask;
};

#if defined(CONFIG_X86_64)
static const struct kp_entry_bit kp_entry_bits[] __maybe_unused = {
	{ "present", _PAGE_PRESENT },
	{ "writable", _PAGE_RW },
	{ "user", _PAGE_USER },
	{ "dirty", _PAGE_DIRTY },
	{ "accessed", _PAGE_ACCESSED },
	{ "huge", 0 },
	{ "nx", _PAGE_NX },
};
#elif defined(CONFIG_ARM64)
static const struct kp_entry_bit kp_entry_bits[] __maybe_unused = {
	{ "valid", PTE_VALID }, { "af", PTE_AF },
	{ "ng", PTE_NG },	{ "ap", PTE_RDONLY | PTE_USER },
	{ "dbm", PTE_DBM },	{ "cont", PTE_CONT },
	{ "pxn", PTE_PXN },	{ "uxn", PTE_UXN },
	{ "huge", 0 },
};
#endif

/**
 * kp_text_data_refs() - the kernel objects whose address some code forms
 * @text: the first instruction of a kernel function
 * @n: how many instructions to read from there
 * @refs: filled in with the addresses, each once
 * @max: room in @refs
 *
 * For a kernel without CONFIG_KALLSYMS_ALL (Debian's arm64), whose symbol
 * table has no variables: reparent finds tasklist_lock as the one object
 * that several functions, which take it, all name (reparent_find_lock()).
 * arm64 forms the address of a global with ADRP (its 4 KiB page,
 * PC-relative) and then ADD (the offset in it): "Arm Architecture
 * Reference Manual", A64 ADRP and ADD (immediate).  The pair need not be
 * adjacent; a register that ADRP set is followed until it is set again.
 * x86-64 finds the variable by name (Debian builds it with
 * KALLSYMS_ALL), and reports none here.
 *
 * Return: how many addresses were put in @refs.
 */
#if defined(CONFIG_ARM64)
static inline int kp_text_data_refs(const u32 *text, int n, unsigned long *refs,
				    int max)
{
	unsigned long page[32] = {}, addr;
	int i, j, found = 0;
	u32 insn, rd, rn;
	s64 off;

	for (i = 0; i < n; i++) {
		insn = le32_to_cpu(READ_ONCE(text[i]));
		rd = insn & 0x1f;
		if ((insn & 0x9f000000) == 0x90000000) { /* ADRP */
			off = ((insn >> 5) & 0x7ffff) << 2 | ((insn >> 29) & 3);
			off = sign_extend64(off, 20) << 12;
			page[rd] = ((unsigned long)&text[i] & ~0xfffUL) + off;
			continue;
		}
		rn = (insn >> 5) & 0x1f;
		/* ADD Xd, Xn, #imm12 (64-bit, not shifted) */
		if ((insn & 0xffc00000) == 0x91000000 && page[rn]) {
			addr = page[rn] + ((insn >> 10) & 0xfff);
			for (j = 0; j < found && refs[j] != addr; j++)
				;
			if (j == found && found < max)
				refs[found++] = addr;
		}
		page[rd] = 0; /* any other write to Xd (a guess: most) */
	}
	return found;
}
#else
static inline int kp_text_data_refs(const u32 *text, int n, unsigned long *refs,
				    int max)
{
	return 0;
}
#endif

#endif /* KP_COMPAT_H */
