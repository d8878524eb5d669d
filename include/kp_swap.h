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
 * Reading another subsystem's table safely: each read pins the area first,
 * as get_swap_device() (mm/swapfile.c) does, with percpu_ref_tryget_live()
 * on ->users.  swapoff() kills that reference and waits for the last pin
 * to go (wait_for_completion(&p->comp)) before it frees ->swap_map and
 * closes ->swap_file (mm/swapfile.c, swapoff, the same in 6.1 and 6.12).
 * A swap entry seen in a page table is no such pin by itself.  The walker
 * (kp_pgwalk.h) reads it under the PTE lock, which a zap holds from
 * freeing the slot (free_swap_and_cache_nr()) to clearing the entry; the
 * pin costs a per-CPU increment and keeps this header from depending on
 * its caller's locks.  A swap_info_struct itself is never freed once it
 * is in the table (alloc_swap_info() reuses it).
 */
#ifndef KP_SWAP_H
#define KP_SWAP_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/percpu-refcount.h>
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
	size_t size = sizeof(*kp_swap_areas) * MAX_SWAPFILES;

	kp_swap_areas =
		(struct swap_info_struct **)kp_ksym_var("swap_info", size);
	return kp_swap_areas ? 0 : -ENOENT;
}

/*
 * The area a swap entry names, pinned (kp_swap_put() unpins it), if it is
 * one in use and the slot exists: what get_swap_device() checks.
 */
static inline struct swap_info_struct *kp_swap_get(swp_entry_t entry)
{
	unsigned int type = swp_type(entry);
	struct swap_info_struct *si;

	if (!kp_swap_areas || non_swap_entry(entry) || type >= MAX_SWAPFILES)
		return NULL;
	si = READ_ONCE(kp_swap_areas[type]);
	if (!si || !percpu_ref_tryget_live(&si->users))
		return NULL;
	/* ->users before the other fields, as get_swap_device() orders. */
	smp_rmb();
	if (swp_offset(entry) >= si->max) {
		percpu_ref_put(&si->users);
		return NULL;
	}
	return si;
}

static inline void kp_swap_put(struct swap_info_struct *si)
{
	percpu_ref_put(&si->users);
}

/*
 * The higher digits of a count past SWAP_MAP_MAX, from the continuation
 * pages chained (->lru) behind the page of ->swap_map that holds @offset;
 * under ->cont_lock, which add_swap_count_continuation() and
 * swap_count_continued() hold while they change them.
 */
static inline int kp_swap_digits(struct swap_info_struct *si,
				 unsigned long offset)
{
	struct page *head, *page;
	unsigned char digit;
	int count = 0, n = SWAP_MAP_MAX + 1;
	u8 *map;

	spin_lock(&si->cont_lock);
	head = vmalloc_to_page(si->swap_map + offset);
	if (head && page_private(head) == SWP_CONTINUED) {
		offset &= ~PAGE_MASK;
		page = head;
		do {
			page = list_next_entry(page, lru);
			if (page == head)
				break;
			map = kmap_local_page(page);
			digit = map[offset];
			kunmap_local(map);
			count += (digit & ~COUNT_CONTINUED) * n;
			n *= SWAP_CONT_MAX + 1;
		} while (digit & COUNT_CONTINUED);
	}
	spin_unlock(&si->cont_lock);
	return count;
}

/**
 * kp_swap_count() - how many page tables hold a swap slot
 * @entry: a swap entry the caller read from a page table
 *
 * As swp_swapcount() (mm/swapfile.c) counts: the slot's byte in
 * ->swap_map without the SWAP_HAS_CACHE bit, and, past SWAP_MAP_MAX
 * references, the continuation pages that hold the higher digits.  One
 * difference: swp_swapcount() holds the slot's cluster lock, whose layout
 * (SWAPFILE_CLUSTER) is private to mm/swapfile.c.  Here the first byte is
 * read before and after the higher digits, and the read is repeated if it
 * changed (a carry between them would be off by up to SWAP_MAP_MAX): a
 * snapshot, as smaps says its own counts are.  A slot a shmem file owns
 * (SWAP_MAP_SHMEM) counts once; smaps never meets one in a page table.
 *
 * Context: any; takes ->cont_lock (after the PTE lock, as
 * __swap_duplicate() nests them) and does not sleep.
 * Return: the count (0 for a free slot), or -ENOENT if the area cannot be
 * read (kp_swap_init() failed, or the entry names no area in use).
 */
static inline int kp_swap_count(swp_entry_t entry)
{
	struct swap_info_struct *si = kp_swap_get(entry);
	unsigned long offset = swp_offset(entry);
	unsigned char first, again;
	int count, tries = 3;

	if (!si)
		return -ENOENT;
	do {
		first = READ_ONCE(si->swap_map[offset]);
		if (first == SWAP_MAP_SHMEM) {
			count = 1;
			break;
		}
		count = first & ~(SWAP_HAS_CACHE | COUNT_CONTINUED);
		if (!(first & COUNT_CONTINUED))
			break;
		count += kp_swap_digits(si, offset);
		again = READ_ONCE(si->swap_map[offset]);
	} while (again != first && --tries);
	kp_swap_put(si);
	return count;
}

/**
 * kp_swap_file_get() - the file or block device a swap entry's area is on
 * @entry: a swap entry the caller read from a page table
 *
 * Context: any; does not sleep.
 * Return: the area's struct file with a reference the caller drops with
 * fput(), or NULL if it cannot be read.
 */
static inline struct file *kp_swap_file_get(swp_entry_t entry)
{
	struct swap_info_struct *si = kp_swap_get(entry);
	struct file *file;

	if (!si)
		return NULL;
	file = READ_ONCE(si->swap_file);
	if (file)
		get_file(file);
	kp_swap_put(si);
	return file;
}

#endif /* KP_SWAP_H */
