/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The swap areas, read as smaps reads them.
 *
 * A swap entry in a page table names an area (its type) and a slot in it
 * (its offset).  The area is a struct swap_info_struct in the kernel's
 * table swap_info[], which is not exported, and neither are the helpers
 * that read it (swp_swapcount(), swp_swap_info()).  kp_swap_init() finds
 * the table by name (kp_ksym.h), which needs CONFIG_KALLSYMS_ALL; then
 * kp_swap_count() is swp_swapcount() and kp_swap_file_get() names the
 * area's file or device.  Where the table cannot be found (Debian's arm64
 * kernel), both say so and the caller reports what it can.
 *
 * Why reading another subsystem's table is safe here: the caller has just
 * read a swap entry of that area from a page table, with the PTE lock held
 * (6.1) or inside rcu_read_lock() (6.5 and later, kp_pte_map()), and reads
 * the area before it leaves that section.  swapoff() first removes every
 * such entry from every page table (try_to_unuse(), under the PTE lock),
 * then waits with synchronize_rcu() for all readers, and only then frees
 * ->swap_map and closes ->swap_file (mm/swapfile.c, swapoff, the same in
 * 6.1 and 6.12).  A swap_info_struct itself is never freed once it is in
 * the table (alloc_swap_info() reuses it).
 */
#ifndef KP_SWAP_H
#define KP_SWAP_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/vmalloc.h>

#include "kp_ksym.h"

/* The kernel's swap_info[MAX_SWAPFILES], or NULL: not found. */
static struct swap_info_struct **kp_swap_areas;

/**
 * kp_swap_init() - find the kernel's table of swap areas
 *
 * Context: module init; may sleep.
 * Return: 0, or -ENOENT if the table is not in the symbol table (no
 * CONFIG_KALLSYMS_ALL or no CONFIG_KPROBES).
 */
static inline int kp_swap_init(void)
{
	kp_swap_areas = (struct swap_info_struct **)kp_ksym_var("swap_info");
	return kp_swap_areas ? 0 : -ENOENT;
}

/* The area a swap entry names, if it is one in use and the slot exists. */
static inline struct swap_info_struct *kp_swap_area(swp_entry_t entry)
{
	unsigned int type = swp_type(entry);
	struct swap_info_struct *si;

	if (!kp_swap_areas || non_swap_entry(entry) || type >= MAX_SWAPFILES)
		return NULL;
	si = READ_ONCE(kp_swap_areas[type]);
	/* What _swap_info_get() checks before swp_swapcount() reads. */
	if (!si || !(READ_ONCE(si->flags) & SWP_USED) ||
	    swp_offset(entry) >= READ_ONCE(si->max) || !READ_ONCE(si->swap_map))
		return NULL;
	return si;
}

/**
 * kp_swap_count() - how many page tables and shmem files hold a swap slot
 * @entry: a swap entry the caller read from a page table (see the top)
 *
 * As swp_swapcount() (mm/swapfile.c) counts: the slot's byte in
 * ->swap_map without the SWAP_HAS_CACHE bit, and, past SWAP_MAP_MAX
 * references, the continuation pages that hold the higher digits.  One
 * difference: swp_swapcount() holds the slot's cluster lock, whose layout
 * (SWAPFILE_CLUSTER) is private to mm/swapfile.c, so here the first byte
 * is read once, and the continuation pages under ->cont_lock, which
 * swap_count_continued() holds while it changes them.  A count that
 * crosses SWAP_MAP_MAX during the read may be off by one: the same
 * snapshot smaps says its own mapcounts are.
 *
 * Context: as for reading the entry: PTE lock or RCU read side (see top).
 * Return: the count (0 for a free slot), or -ENOENT if the area cannot be
 * read (kp_swap_init() failed, or the entry names no area in use).
 */
static inline int kp_swap_count(swp_entry_t entry)
{
	struct swap_info_struct *si = kp_swap_area(entry);
	unsigned long offset = swp_offset(entry);
	unsigned char *map, digit;
	struct page *page;
	int count, n;

	if (!si)
		return -ENOENT;
	count = READ_ONCE(si->swap_map[offset]) & ~SWAP_HAS_CACHE;
	if (!(count & COUNT_CONTINUED))
		return count;

	count &= ~COUNT_CONTINUED;
	n = SWAP_MAP_MAX + 1;
	spin_lock(&si->cont_lock);
	page = vmalloc_to_page(si->swap_map + offset);
	if (!page || page_private(page) != SWP_CONTINUED) {
		/* The continuation pages went (the count fell meanwhile). */
		spin_unlock(&si->cont_lock);
		return count;
	}
	offset &= ~PAGE_MASK;
	do {
		page = list_next_entry(page, lru);
		map = kmap_local_page(page);
		digit = map[offset];
		kunmap_local(map);
		count += (digit & ~COUNT_CONTINUED) * n;
		n *= SWAP_CONT_MAX + 1;
	} while (digit & COUNT_CONTINUED);
	spin_unlock(&si->cont_lock);
	return count;
}

/**
 * kp_swap_file_get() - the file or block device a swap entry's area is on
 * @entry: a swap entry the caller read from a page table (see the top)
 *
 * Context: as for reading the entry: PTE lock or RCU read side (see top).
 * Return: the area's struct file with a reference the caller drops with
 * fput() (outside that section is fine), or NULL if it cannot be read.
 */
static inline struct file *kp_swap_file_get(swp_entry_t entry)
{
	struct swap_info_struct *si = kp_swap_area(entry);
	struct file *file;

	if (!si)
		return NULL;
	file = READ_ONCE(si->swap_file);
	/* swapoff() closes it only after synchronize_rcu(): see the top. */
	return file ? get_file(file) : NULL;
}

#endif /* KP_SWAP_H */
