/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for the differences between the kernels KernelPeek builds
 * for (Debian's 6.1 and 6.12).  Nothing else tests LINUX_VERSION_CODE.
 */
#ifndef KP_COMPAT_H
#define KP_COMPAT_H

#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

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
 * __pte_offset_map() does: inside rcu_read_lock(), take a stable copy of
 * the PMD, check that it still points to a PTE table, and read the entries
 * locklessly.
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
	return pte_offset_kernel(&pmdval, addr);
}

static inline void kp_pte_unmap(pte_t *pte, spinlock_t *ptl)
{
	rcu_read_unlock();
}
#endif

#endif /* KP_COMPAT_H */
