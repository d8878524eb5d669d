// SPDX-License-Identifier: GPL-2.0
/*
 * physmem - translate virtual addresses and write physical memory, safely.
 *
 * /dev/physmem (a misc device, root only) takes two ioctls, described in
 * physmem.h: XLATE turns a virtual address of the caller into a physical
 * one, WRITE stores a byte at a physical address.
 *
 * Writing any physical address would let the device's user corrupt the
 * kernel, which /dev/mem forbids for good reason.  So WRITE only reaches
 * pages the same open file got from XLATE: XLATE pins the caller's page
 * and records it in the file's xarray, indexed by page frame number.  The
 * pin keeps the frame from being freed and reused until the file is
 * closed, so a WRITE can never land in someone else's memory.  Every other
 * physical address is refused.
 *
 * A pin held until close() is long-term: FOLL_LONGTERM, which also moves
 * the page out of ZONE_MOVABLE and CMA first, and each pinned page counts
 * against RLIMIT_MEMLOCK (account_locked_vm()), as vfio and io_uring do.
 * Only pages that need nothing from a filesystem when stored to are pinned
 * for writing: anonymous memory, shmem, and private copies (FOLL_WRITE
 * breaks copy-on-write first, so the page is the caller's alone).  A page
 * of a shared writable mapping of any other file is a page-cache page:
 * writing it through the kernel mapping would skip page_mkwrite, stable
 * page and writeback waits and freeze protection (see the comment above
 * writable_file_mapping_allowed() in 6.12's mm/gup.c, which refuses such
 * long-term pins itself; 6.1's GUP does not).  Such a page is pinned
 * read-only, so it still translates, and WRITE refuses it.
 *
 * XLATE reads the translation from the page tables with the shared walker
 * (include/kp_pgwalk.h) and checks it against the pinned page.
 * XLATE_BATCH and XLATE_RANGE only walk: they translate many addresses,
 * pinning nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "kp_pgwalk.h"
#include "physmem.h"

/*
 * An xarray value: how a page is pinned (ordered: a stronger pin of the
 * same page replaces a weaker one), and whether WRITE stored to it.
 */
#define PHYSMEM_PIN_RO 0 /* a read-only mapping */
#define PHYSMEM_PIN_FILE 1 /* read-only: a shared writable file mapping */
#define PHYSMEM_PIN_RW 2 /* anonymous, shmem or a private copy */
#define PHYSMEM_PIN_HOW 3
#define PHYSMEM_PIN_WRITTEN 4

struct physmem_file {
	struct mutex lock; /* serialises XLATE and WRITE on this file */
	struct xarray pins; /* pfn -> xa_mk_value(PHYSMEM_PIN_*) */
	unsigned int npins;
	struct mm_struct *mm; /* the opener's: npins count in its locked_vm */
};

/* The PHYSMEM_* status of a non-empty entry. */
static u32 physmem_status(const struct kp_entry *e)
{
	switch (e->kind) {
	case KP_PRESENT:
		return PHYSMEM_PRESENT;
	case KP_SWAPPED:
		return PHYSMEM_SWAPPED;
	case KP_MIGRATING:
		return PHYSMEM_MIGRATING;
	case KP_DEVICE:
		return PHYSMEM_DEVICE;
	default:
		return PHYSMEM_OTHER;
	}
}

/* The result for @addr, which the non-empty entry @e maps. */
static void physmem_fill(struct physmem_result *r, unsigned long addr,
			 const struct kp_entry *e)
{
	memset(r, 0, sizeof(*r));
	r->status = physmem_status(e);
	if (e->kind == KP_PRESENT) {
		r->paddr = PFN_PHYS(e->pfn) + (addr - e->addr);
		r->page_shift = ilog2(e->size);
	} else if (e->kind == KP_SWAPPED) {
		r->swap_type = e->swp_type;
		r->swap_offset = e->swp_offset;
	}
}

/* The XLATE_RANGE entry (physmem.h) of the page at @addr, which @e maps. */
static u64 physmem_encode(const struct kp_entry *e, unsigned long addr)
{
	if (e->kind == KP_PRESENT)
		return (PFN_PHYS(e->pfn) + (addr - e->addr)) |
		       ilog2(e->size) << PHYSMEM_RANGE_INFO_BIT |
		       PHYSMEM_PRESENT;
	if (e->kind == KP_SWAPPED)
		return (u64)e->swp_offset << PHYSMEM_RANGE_ADDR_BIT |
		       e->swp_type << PHYSMEM_RANGE_INFO_BIT | PHYSMEM_SWAPPED;
	return physmem_status(e);
}

/* What the page tables hold for @addr in @vma (NULL: no VMA covers it). */
static void physmem_result(struct physmem_result *r, unsigned long addr,
			   struct vm_area_struct *vma)
{
	struct kp_entry e;

	if (vma && kp_walk_addr(vma, addr, &e)) {
		physmem_fill(r, addr, &e);
		return;
	}
	memset(r, 0, sizeof(*r));
	r->status = vma ? PHYSMEM_NOT_PRESENT : PHYSMEM_NO_VMA;
}

/*
 * A run of XLATE_BATCH: addresses in one VMA, each in the same page as the
 * one before it or in the next page.  One walk of the page tables over
 * the run's pages answers them all: a huge entry answers every address
 * it maps, and an empty upper-level table skips its whole span.
 */
struct physmem_run {
	const u64 *va;
	struct physmem_result *res;
	unsigned int n;
	unsigned int next; /* the first address not answered yet */
};

/* Answer the run's next address: no entry maps it. */
static void physmem_run_empty(struct physmem_run *run)
{
	struct physmem_result *r = &run->res[run->next++];

	memset(r, 0, sizeof(*r));
	r->status = PHYSMEM_NOT_PRESENT;
}

/* A huge entry, or what holds its place: answer the addresses it maps. */
static int physmem_run_entry(const struct kp_entry *e, void *arg)
{
	struct physmem_run *run = arg;
	unsigned long end = e->addr + e->size;

	while (run->next < run->n && run->va[run->next] < e->addr)
		physmem_run_empty(run);
	for (; run->next < run->n && run->va[run->next] < end; run->next++)
		physmem_fill(&run->res[run->next], run->va[run->next], e);
	return run->next == run->n; /* all answered: stop the walk */
}

/* A PTE table: the run's addresses in it, read straight from the table. */
static int physmem_run_ptes(pte_t *ptep, unsigned long addr, unsigned long end,
			    void *arg)
{
	struct physmem_run *run = arg;
	struct kp_entry e = { .size = PAGE_SIZE };
	unsigned long va;
	pte_t pte;

	while (run->next < run->n && run->va[run->next] < end) {
		va = run->va[run->next];
		if (va < addr) { /* before the table: no entry */
			physmem_run_empty(run);
			continue;
		}
		pte = kp_ptep_get(ptep + ((va - addr) >> PAGE_SHIFT));
		if (pte_none(pte)) {
			physmem_run_empty(run);
			continue;
		}
		kp_decode_pte(&e, pte);
		e.addr = va & PAGE_MASK;
		physmem_fill(&run->res[run->next++], va, &e);
	}
	return run->next == run->n; /* all answered: stop the walk */
}

static void physmem_walk_run(struct vm_area_struct *vma, const u64 *va,
			     struct physmem_result *res, unsigned int n)
{
	struct physmem_run run = { .va = va, .res = res, .n = n };
	unsigned long start = va[0] & PAGE_MASK;
	unsigned long end = (va[n - 1] & PAGE_MASK) + PAGE_SIZE;

	kp_walk_tables(vma, start, end, physmem_run_entry, physmem_run_ptes,
		       &run);
	/* What the walk skipped (empty upper levels) has no entry. */
	while (run.next < n)
		physmem_run_empty(&run);
}

/* Does @next continue a run in @vma whose last address is @last? */
static bool physmem_continues(struct vm_area_struct *vma, u64 last, u64 next)
{
	return next >= last && next < vma->vm_end &&
	       (next >> PAGE_SHIFT) - (last >> PAGE_SHIFT) <= 1;
}

/*
 * Translate @n addresses of the caller; mmap_read_lock() is held.  The
 * input is cut into runs (struct physmem_run); unsorted or scattered
 * addresses make runs of one, which is a walk per address.
 */
static void physmem_translate(const u64 *va, struct physmem_result *res,
			      unsigned int n)
{
	struct vm_area_struct *vma = NULL;
	unsigned int i, j;

	for (i = 0; i < n; i = j) {
		if (!vma || va[i] < vma->vm_start || va[i] >= vma->vm_end)
			vma = va[i] < TASK_SIZE ?
				      vma_lookup(current->mm, va[i]) :
				      NULL;
		j = i + 1;
		if (!vma) {
			physmem_result(&res[i], va[i], NULL);
			continue;
		}
		while (j < n && physmem_continues(vma, va[j - 1], va[j]))
			j++;
		physmem_walk_run(vma, va + i, res + i, j - i);
	}
}

/*
 * How XLATE pins a page of @vma: for writing only where a store through
 * the kernel mapping needs no filesystem's help (see the top of the file).
 * shmem and tmpfs files, MAP_SHARED | MAP_ANONYMOUS and SysV shared memory
 * among them, all live on a TMPFS_MAGIC superblock.
 */
static unsigned long physmem_how(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	if (!(vma->vm_flags & VM_WRITE))
		return PHYSMEM_PIN_RO;
	if ((vma->vm_flags & VM_SHARED) && file &&
	    file_inode(file)->i_sb->s_magic != TMPFS_MAGIC)
		return PHYSMEM_PIN_FILE;
	return PHYSMEM_PIN_RW;
}

/*
 * The frame the caller's page tables map @addr to, or 0 if none, or if
 * the mapping there is no longer one that XLATE would pin as @how.
 */
static unsigned long physmem_walk(unsigned long addr, unsigned long how)
{
	struct vm_area_struct *vma;
	struct physmem_result r;

	if (mmap_read_lock_killable(current->mm))
		return 0;
	vma = vma_lookup(current->mm, addr);
	if (vma && physmem_how(vma) == how)
		physmem_result(&r, addr, vma);
	else
		r.status = PHYSMEM_NO_VMA;
	mmap_read_unlock(current->mm);
	return r.status == PHYSMEM_PRESENT ? PHYS_PFN(r.paddr) : 0;
}

/*
 * Pin the caller's page at @addr, as the mapping's flags decide under the
 * mmap lock (@how).  A failure of GUP is not a reason to pin otherwise:
 * ENOMEM, EINTR and EHWPOISON are the caller's to see.  Any other failure
 * (EFAULT: nothing GUP may pin there, a PFN map say) is ENXIO.  A poisoned
 * page is one of those today: pin_user_pages_fast() refuses FOLL_HWPOISON
 * (internal_get_user_pages_fast() in 6.1, gup_fast_fallback() in 6.12),
 * and without it vm_fault_to_errno() turns VM_FAULT_HWPOISON into EFAULT.
 */
static int physmem_pin_page(unsigned long addr, unsigned long *how,
			    struct page **page)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	struct vm_area_struct *vma;
	int ret;

	if (mmap_read_lock_killable(current->mm))
		return -EINTR;
	vma = vma_lookup(current->mm, addr);
	if (vma)
		*how = physmem_how(vma);
	mmap_read_unlock(current->mm);
	if (!vma)
		return -ENXIO;

	if (*how == PHYSMEM_PIN_RW)
		gup_flags |= FOLL_WRITE;
	ret = pin_user_pages_fast(addr, 1, gup_flags, page);
	if (ret == 1)
		return 0;
	if (ret == -ENOMEM || ret == -EINTR || ret == -EHWPOISON)
		return ret;
	return -ENXIO;
}

/*
 * Make room for a new pin record of @pfn: a slot in the xarray and one
 * page of the opener's RLIMIT_MEMLOCK.  Undone by physmem_unreserve().
 */
static int physmem_reserve(struct physmem_file *pf, unsigned long pfn)
{
	int ret;

	if (pf->npins >= PHYSMEM_MAX_PINS)
		return -ENOSPC;
	ret = account_locked_vm(pf->mm, 1, true);
	if (ret)
		return ret;
	ret = xa_reserve(&pf->pins, pfn, GFP_KERNEL);
	if (ret) {
		account_locked_vm(pf->mm, 1, false);
		return ret;
	}
	pf->npins++;
	return 0;
}

static void physmem_unreserve(struct physmem_file *pf, unsigned long pfn)
{
	xa_release(&pf->pins, pfn);
	account_locked_vm(pf->mm, 1, false);
	pf->npins--;
}

/*
 * Record the pin of @page as @how, over @old (the page's record, or NULL
 * when physmem_reserve() made room).  The file keeps one pin per page:
 * when it already had one, the new pin is dropped and the record keeps
 * the stronger of the two.  Neither store allocates (the slot exists), so
 * neither fails.
 */
static void physmem_record(struct physmem_file *pf, unsigned long pfn,
			   struct page *page, unsigned long how, void *old)
{
	unsigned long v = old ? xa_to_value(old) : 0;

	if (old) {
		unpin_user_page(page);
		if ((v & PHYSMEM_PIN_HOW) >= how)
			return;
	}
	xa_store(&pf->pins, pfn, xa_mk_value(how | (v & PHYSMEM_PIN_WRITTEN)),
		 GFP_KERNEL);
}

static void physmem_unpin(unsigned long pfn, unsigned long v)
{
	struct page *page = pfn_to_page(pfn);

	/* Dirty only what WRITE stored to: the rest is as the owner left it. */
	unpin_user_pages_dirty_lock(&page, 1, v & PHYSMEM_PIN_WRITTEN);
}

/*
 * Pin, check, answer, and only then record: a pin whose answer could not
 * be copied out is undone, as nobody could WRITE to it knowingly.
 */
static long physmem_xlate(struct physmem_file *pf,
			  struct physmem_xlate __user *arg)
{
	struct physmem_xlate x;
	unsigned long pfn, how;
	struct page *page;
	void *old;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&x, arg, sizeof(x)))
		return -EFAULT;
	if (x.vaddr >= TASK_SIZE)
		return -EINVAL;
	ret = physmem_pin_page(x.vaddr, &how, &page);
	if (ret)
		return ret;
	pfn = page_to_pfn(page);

	/* The page tables must agree (a concurrent munmap may not). */
	if (physmem_walk(x.vaddr, how) != pfn) {
		ret = -EAGAIN;
		goto unpin;
	}
	old = xa_load(&pf->pins, pfn);
	if (!old) {
		ret = physmem_reserve(pf, pfn);
		if (ret)
			goto unpin;
	}
	x.paddr = PFN_PHYS(pfn) + offset_in_page(x.vaddr);
	if (copy_to_user(arg, &x, sizeof(x))) {
		ret = -EFAULT;
		goto unreserve;
	}
	physmem_record(pf, pfn, page, how, old);
	return 0;

unreserve:
	if (!old)
		physmem_unreserve(pf, pfn);
unpin:
	unpin_user_page(page);
	return ret;
}

/* Log a refused WRITE; rate limited, as user space decides how often. */
static int physmem_refuse(u64 paddr, const char *why, int err)
{
	pr_warn_ratelimited("refused write to 0x%llx by pid %d: %s\n", paddr,
			    task_tgid_vnr(current), why);
	return err;
}

static long physmem_write(struct physmem_file *pf,
			  struct physmem_write __user *arg)
{
	struct physmem_write w;
	unsigned long pfn, v;
	struct page *page;
	void *entry;
	u8 *kaddr;
	int ret;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	ret = security_locked_down(LOCKDOWN_DEV_MEM);
	if (ret)
		return ret;
	if (copy_from_user(&w, arg, sizeof(w)))
		return -EFAULT;
	if (memchr_inv(w.pad, 0, sizeof(w.pad)))
		return -EINVAL;

	pfn = PHYS_PFN(w.paddr);
	entry = xa_load(&pf->pins, pfn);
	if (!entry)
		return physmem_refuse(w.paddr, "not pinned", -EPERM);
	v = xa_to_value(entry);
	if ((v & PHYSMEM_PIN_HOW) == PHYSMEM_PIN_FILE)
		return physmem_refuse(w.paddr, "a shared file page", -EACCES);
	if ((v & PHYSMEM_PIN_HOW) != PHYSMEM_PIN_RW)
		return -EACCES;
	page = pfn_to_page(pfn);
	kaddr = kmap_local_page(page);
	kaddr[offset_in_page(w.paddr)] = w.value;
	kunmap_local(kaddr);
	set_page_dirty_lock(page);
	/* Overwrites the existing slot: no allocation, no failure. */
	if (!(v & PHYSMEM_PIN_WRITTEN))
		xa_store(&pf->pins, pfn, xa_mk_value(v | PHYSMEM_PIN_WRITTEN),
			 GFP_KERNEL);
	return 0;
}

/* Addresses translated per mmap_read_lock() hold. */
#define PHYSMEM_CHUNK 512

/*
 * Pages XLATE_RANGE answers per mmap_read_lock() hold: 8 MiB of address
 * space, 16 KiB of entries.  A lock hold, a VMA lookup and a copy out per
 * chunk then cost little per page, even where one entry answers 512
 * pages (a THP); the walk of a chunk is still short (2,048 PTEs at most).
 */
#define PHYSMEM_RANGE_CHUNK 2048

/*
 * A chunk of XLATE_RANGE: the entries of the pages from @start to @end,
 * out[0] for @start.  Every entry is written once, in address order: @next
 * is the first page not written yet.
 */
struct physmem_span {
	unsigned long start, end, next;
	u64 *out;
};

/* Write @v (an entry of no page: no frame in it) up to @addr. */
static u64 *physmem_span_fill(struct physmem_span *s, unsigned long addr, u64 v)
{
	u64 *out = s->out + ((s->next - s->start) >> PAGE_SHIFT);

	for (; s->next < addr; s->next += PAGE_SIZE)
		*out++ = v;
	return out;
}

/* A huge entry, or what holds its place: an entry for each of its pages. */
static int physmem_span_entry(const struct kp_entry *e, void *arg)
{
	struct physmem_span *s = arg;
	unsigned long addr = max(e->addr, s->next);
	unsigned long end = min(e->addr + e->size, s->end);
	u64 *out = physmem_span_fill(s, addr, PHYSMEM_NOT_PRESENT);
	u64 v = physmem_encode(e, addr);
	u64 step = e->kind == KP_PRESENT ? PAGE_SIZE : 0;

	for (; addr < end; addr += PAGE_SIZE, v += step)
		*out++ = v;
	s->next = end;
	return 0;
}

/* A PTE table: its entries in one loop, no report per entry. */
static int physmem_span_ptes(pte_t *ptep, unsigned long addr, unsigned long end,
			     void *arg)
{
	struct physmem_span *s = arg;
	u64 *out = physmem_span_fill(s, addr, PHYSMEM_NOT_PRESENT);
	struct kp_entry e = { .size = PAGE_SIZE };
	pte_t pte;

	for (; addr < end; ptep++, out++, addr += PAGE_SIZE) {
		pte = kp_ptep_get(ptep);
		if (pte_none(pte)) {
			*out = PHYSMEM_NOT_PRESENT;
			continue;
		}
		kp_decode_pte(&e, pte);
		e.addr = addr;
		*out = physmem_encode(&e, addr);
	}
	s->next = end;
	return 0;
}

/*
 * The entries of one chunk, [@s->start, @s->end): a VMA at a time, and
 * PHYSMEM_NO_VMA where there is none.  mmap_read_lock() is held.
 */
static void physmem_span(struct physmem_span *s)
{
	struct vm_area_struct *vma;
	unsigned long end;

	s->next = s->start;
	while (s->next < s->end) {
		vma = find_vma(current->mm, s->next);
		if (!vma || vma->vm_start >= s->end)
			break;
		physmem_span_fill(s, vma->vm_start, PHYSMEM_NO_VMA);
		end = min(vma->vm_end, s->end);
		kp_walk_tables(vma, s->next, end, physmem_span_entry,
			       physmem_span_ptes, s);
		physmem_span_fill(s, end, PHYSMEM_NOT_PRESENT);
	}
	physmem_span_fill(s, s->end, PHYSMEM_NO_VMA);
}

/*
 * Chunk by chunk, as XLATE_BATCH: fill a chunk of entries under the mmap
 * lock, copy it out without.
 */
static long physmem_xlate_range(struct physmem_xlate_range __user *arg)
{
	struct physmem_xlate_range r;
	u64 __user *entries;
	struct physmem_span s;
	unsigned long n;
	long ret = 0;
	u64 *buf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (!r.count || r.count > PHYSMEM_BATCH_MAX || r.flags ||
	    r.reserved[0] || r.reserved[1] || !PAGE_ALIGNED(r.start) ||
	    r.start >= TASK_SIZE ||
	    r.count > (TASK_SIZE - r.start) >> PAGE_SHIFT)
		return -EINVAL;
	entries = u64_to_user_ptr(r.entries);
	buf = kmalloc_array(PHYSMEM_RANGE_CHUNK, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	s.out = buf;
	for (s.start = r.start; r.count; r.count -= n, s.start = s.end) {
		n = min_t(u32, r.count, PHYSMEM_RANGE_CHUNK);
		s.end = s.start + (n << PAGE_SHIFT);
		ret = mmap_read_lock_killable(current->mm);
		if (ret)
			break;
		physmem_span(&s);
		mmap_read_unlock(current->mm);
		if (copy_to_user(entries, buf, n * sizeof(*buf))) {
			ret = -EFAULT;
			break;
		}
		entries += n;
		if (r.count == n)
			break; /* done: a signal now does not undo it */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(buf);
	return ret;
}

/*
 * Chunk by chunk: copy the addresses in, translate them under the mmap
 * lock, copy the results out.  User memory is never touched with the lock
 * held: a fault there would take it again, behind a waiting writer.
 */
static long physmem_xlate_batch(struct physmem_xlate_batch __user *arg)
{
	struct physmem_result __user *results;
	struct physmem_xlate_batch b;
	struct physmem_result *res;
	u64 __user *vaddrs;
	u32 done, n;
	long ret = 0;
	u64 *va;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	if (!b.count || b.count > PHYSMEM_BATCH_MAX || b.flags ||
	    b.reserved[0] || b.reserved[1])
		return -EINVAL;
	vaddrs = u64_to_user_ptr(b.vaddrs);
	results = u64_to_user_ptr(b.results);
	va = kmalloc_array(PHYSMEM_CHUNK, sizeof(*va), GFP_KERNEL);
	res = kmalloc_array(PHYSMEM_CHUNK, sizeof(*res), GFP_KERNEL);
	if (!va || !res) {
		ret = -ENOMEM;
		goto out;
	}
	for (done = 0; done < b.count; done += n) {
		n = min_t(u32, b.count - done, PHYSMEM_CHUNK);
		if (copy_from_user(va, vaddrs + done, n * sizeof(*va))) {
			ret = -EFAULT;
			break;
		}
		ret = mmap_read_lock_killable(current->mm);
		if (ret)
			break;
		physmem_translate(va, res, n);
		mmap_read_unlock(current->mm);
		if (copy_to_user(results + done, res, n * sizeof(*res))) {
			ret = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
out:
	kfree(va);
	kfree(res);
	return ret;
}

static long physmem_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct physmem_file *pf = file->private_data;
	long ret;

	/* These pin nothing, so they need no per-file lock. */
	if (cmd == PHYSMEM_IOC_XLATE_BATCH)
		return physmem_xlate_batch((void __user *)arg);
	if (cmd == PHYSMEM_IOC_XLATE_RANGE)
		return physmem_xlate_range((void __user *)arg);

	/*
	 * Killable: the holder may wait on user memory for good (a
	 * userfaultfd nobody serves), and a waiter must still die.
	 */
	if (mutex_lock_killable(&pf->lock))
		return -EINTR;
	switch (cmd) {
	case PHYSMEM_IOC_XLATE:
		ret = physmem_xlate(pf, (void __user *)arg);
		break;
	case PHYSMEM_IOC_WRITE:
		ret = physmem_write(pf, (void __user *)arg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&pf->lock);
	return ret;
}

static int physmem_open(struct inode *inode, struct file *file)
{
	struct physmem_file *pf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	xa_init(&pf->pins);
	/* Charged for the pins even when it exits before the file closes. */
	pf->mm = current->mm;
	if (pf->mm)
		mmgrab(pf->mm);
	file->private_data = pf;
	return 0;
}

static int physmem_release(struct inode *inode, struct file *file)
{
	struct physmem_file *pf = file->private_data;
	unsigned long pfn;
	void *entry;

	xa_for_each(&pf->pins, pfn, entry)
		physmem_unpin(pfn, xa_to_value(entry));
	xa_destroy(&pf->pins);
	if (pf->mm) {
		account_locked_vm(pf->mm, pf->npins, false);
		mmdrop(pf->mm);
	}
	mutex_destroy(&pf->lock);
	kfree(pf);
	return 0;
}

static const struct file_operations physmem_fops = {
	.owner = THIS_MODULE,
	.open = physmem_open,
	.release = physmem_release,
	.unlocked_ioctl = physmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice physmem_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "physmem",
	.fops = &physmem_fops,
	.mode = 0600,
};

static int __init physmem_init(void)
{
	int ret;

	/* XLATE_RANGE's entry has room for every swap area (physmem.h). */
	BUILD_BUG_ON(MAX_SWAPFILES_SHIFT > PHYSMEM_RANGE_SWAP_TYPE_BITS);
	ret = misc_register(&physmem_dev);

	if (ret)
		pr_err("cannot register /dev/physmem: %d\n", ret);
	return ret;
}

static void __exit physmem_exit(void)
{
	misc_deregister(&physmem_dev);
}

module_init(physmem_init);
module_exit(physmem_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("/dev/physmem: translate addresses, write pinned pages");
MODULE_VERSION("0.1");
