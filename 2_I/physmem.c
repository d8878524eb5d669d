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
 * (pin_user_pages_fast(), with FOLL_WRITE for a writable mapping, which
 * first breaks copy-on-write so the page is the caller's alone) and records
 * it in the file's xarray, indexed by page frame number.  The pin keeps the
 * frame from being freed and reused until the file is closed, so a WRITE
 * can never land in someone else's memory.  Every other physical address
 * is refused.
 *
 * XLATE reads the translation from the page tables with the shared walker
 * (include/kp_pgwalk.h) and checks it against the pinned page.
 * XLATE_BATCH only walks: it translates many addresses, pinning nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "kp_pgwalk.h"
#include "physmem.h"

/* An xarray value: how a page is pinned. */
#define PHYSMEM_PIN_RO 0
#define PHYSMEM_PIN_RW 1

struct physmem_file {
	struct mutex lock; /* serialises ioctls on this file */
	struct xarray pins; /* pfn -> xa_mk_value(PHYSMEM_PIN_*) */
	unsigned int npins;
};

/* What the page tables hold for @addr in @vma (NULL: no VMA covers it). */
static void physmem_result(struct physmem_result *r, unsigned long addr,
			   struct vm_area_struct *vma)
{
	struct kp_entry e;

	memset(r, 0, sizeof(*r));
	if (!vma) {
		r->status = PHYSMEM_NO_VMA;
		return;
	}
	if (!kp_walk_addr(vma, addr, &e)) {
		r->status = PHYSMEM_NOT_PRESENT;
		return;
	}
	switch (e.kind) {
	case KP_PRESENT:
		r->status = PHYSMEM_PRESENT;
		r->paddr = PFN_PHYS(e.pfn) + (addr - e.addr);
		r->page_shift = ilog2(e.size);
		break;
	case KP_SWAPPED:
		r->status = PHYSMEM_SWAPPED;
		r->swap_type = e.swp_type;
		r->swap_offset = e.swp_offset;
		break;
	case KP_MIGRATING:
		r->status = PHYSMEM_MIGRATING;
		break;
	case KP_DEVICE:
		r->status = PHYSMEM_DEVICE;
		break;
	default:
		r->status = PHYSMEM_OTHER;
	}
}

/* Translate @n addresses of the caller; mmap_read_lock() is held. */
static void physmem_translate(const u64 *va, struct physmem_result *res,
			      unsigned int n)
{
	struct vm_area_struct *vma = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!vma || va[i] < vma->vm_start || va[i] >= vma->vm_end)
			vma = va[i] < TASK_SIZE ?
				      vma_lookup(current->mm, va[i]) :
				      NULL;
		physmem_result(&res[i], va[i], vma);
	}
}

/* The frame the caller's page tables map @addr to, or 0 if none. */
static unsigned long physmem_walk(unsigned long addr)
{
	struct physmem_result r;
	u64 va = addr;

	if (mmap_read_lock_killable(current->mm))
		return 0;
	physmem_translate(&va, &r, 1);
	mmap_read_unlock(current->mm);
	return r.status == PHYSMEM_PRESENT ? PHYS_PFN(r.paddr) : 0;
}

static void physmem_unpin(unsigned long pfn, unsigned long how)
{
	struct page *page = pfn_to_page(pfn);

	if (how == PHYSMEM_PIN_RW)
		unpin_user_pages_dirty_lock(&page, 1, true);
	else
		unpin_user_page(page);
}

/* Pin the caller's page at @addr to the file; its frame in @pfn. */
static int physmem_pin(struct physmem_file *pf, unsigned long addr,
		       unsigned long *pfn)
{
	unsigned long how = PHYSMEM_PIN_RW;
	struct page *page;
	void *old;
	int ret;

	/* A writable mapping is pinned for writing, else read-only. */
	ret = pin_user_pages_fast(addr, 1, FOLL_WRITE, &page);
	if (ret != 1) {
		how = PHYSMEM_PIN_RO;
		ret = pin_user_pages_fast(addr, 1, 0, &page);
	}
	if (ret != 1)
		return ret == -ENOMEM || ret == -EINTR ? ret : -ENXIO;
	*pfn = page_to_pfn(page);

	/* The page tables must agree (a concurrent munmap may not). */
	if (physmem_walk(addr) != *pfn) {
		unpin_user_page(page);
		return -EAGAIN;
	}

	old = xa_load(&pf->pins, *pfn);
	if (old) {
		/* Keep one pin per page: the read-write one if there is. */
		if (xa_to_value(old) >= how) {
			physmem_unpin(*pfn, how);
			return 0;
		}
		old = xa_store(&pf->pins, *pfn, xa_mk_value(how), GFP_KERNEL);
		if (xa_is_err(old)) {
			physmem_unpin(*pfn, how);
			return xa_err(old);
		}
		physmem_unpin(*pfn, xa_to_value(old));
		return 0;
	}
	if (pf->npins >= PHYSMEM_MAX_PINS) {
		ret = -ENOSPC;
	} else {
		ret = xa_insert(&pf->pins, *pfn, xa_mk_value(how), GFP_KERNEL);
		if (!ret)
			pf->npins++;
	}
	if (ret)
		physmem_unpin(*pfn, how);
	return ret;
}

static long physmem_xlate(struct physmem_file *pf,
			  struct physmem_xlate __user *arg)
{
	struct physmem_xlate x;
	unsigned long pfn;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&x, arg, sizeof(x)))
		return -EFAULT;
	if (x.vaddr >= TASK_SIZE)
		return -EINVAL;
	ret = physmem_pin(pf, x.vaddr, &pfn);
	if (ret)
		return ret;
	x.paddr = PFN_PHYS(pfn) + offset_in_page(x.vaddr);
	return copy_to_user(arg, &x, sizeof(x)) ? -EFAULT : 0;
}

/* Log a refused WRITE; rate limited, as user space decides how often. */
static int physmem_refuse(u64 paddr)
{
	pr_warn_ratelimited("refused write to 0x%llx by pid %d: not pinned\n",
			    paddr, task_tgid_vnr(current));
	return -EPERM;
}

static long physmem_write(struct physmem_file *pf,
			  struct physmem_write __user *arg)
{
	struct physmem_write w;
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

	entry = xa_load(&pf->pins, PHYS_PFN(w.paddr));
	if (!entry)
		return physmem_refuse(w.paddr);
	if (xa_to_value(entry) != PHYSMEM_PIN_RW)
		return -EACCES;
	page = pfn_to_page(PHYS_PFN(w.paddr));
	kaddr = kmap_local_page(page);
	kaddr[offset_in_page(w.paddr)] = w.value;
	kunmap_local(kaddr);
	set_page_dirty_lock(page);
	return 0;
}

/* Addresses translated per mmap_read_lock() hold. */
#define PHYSMEM_CHUNK 512

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

	/* Pins nothing, so it needs no per-file lock. */
	if (cmd == PHYSMEM_IOC_XLATE_BATCH)
		return physmem_xlate_batch((void __user *)arg);

	mutex_lock(&pf->lock);
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
	int ret = misc_register(&physmem_dev);

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
