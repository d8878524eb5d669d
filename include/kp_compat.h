/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for the differences between the kernels KernelPeek builds
 * for (Debian's 6.1 and 6.12).  Nothing else tests LINUX_VERSION_CODE.
 */
#ifndef KP_COMPAT_H
#define KP_COMPAT_H

#include <linux/fs.h>
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
	return pte_offset_kernel(&pmdval, addr);
}

static inline void kp_pte_unmap(pte_t *pte, spinlock_t *ptl)
{
	rcu_read_unlock();
}

/*
 * Read one entry of a table kp_pte_map() mapped: without its lock here,
 * so as GUP-fast does (ptep_get_lockless(): on arm64 it folds a
 * contiguous range's access and dirty bits in, as ptep_get() does).
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

#endif /* KP_COMPAT_H */
