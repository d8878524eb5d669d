// SPDX-License-Identifier: GPL-2.0
/*
 * lkm3 - translate a virtual address of a process to a physical address.
 *
 *	insmod lkm3.ko pid=<PID> vaddr=<address> [verbose=1]
 *
 * logs one of
 *
 *	lkm3: pid=<PID> vaddr=0x<va> paddr=0x<pa> page=<4K|2M|1G> flags=<names>
 *	      refcount=<n> mapcount=<n> exclusive=<0|1> soft_dirty=<0|1>
 *	      [file_offset=0x<off> file=<path>]
 *	lkm3: pid=<PID> vaddr=0x<va> not mapped reason=<why> [...]
 *	      [swap_dev=<path>] [cached=<yes|no|swapped>]
 *	      [file_offset=0x<off> file=<path>]
 *
 * (each on one line) where <why> is no-vma (no mapping covers the
 * address), not-present (the mapping has no page there: never touched, or
 * dropped), swapped (with swap_type= and swap_offset=), migrating (pfn=),
 * device (pfn=), hwpoison (pfn= of the page that had a memory error and
 * was unmapped, see memory_failure() in mm/memory-failure.c), or other
 * (entry=, the raw entry: a PTE marker, say).  A PROT_NONE page still has
 * its memory and is translated (hugetlb's 1 GiB pages too, see
 * kp_report_hugetlb()).  With verbose=1 it also logs the walk: the raw
 * entry at each level and the flags of the last one, as crash's vtop does.
 *
 * For a present page it adds what the kernel says of the page itself
 * (include/kp_page.h): its flags as /proc/kpageflags has them, by
 * page-types' names; its reference count; its mapcount as
 * /proc/kpagecount has it; pagemap's bits 56 (exclusive) and 55
 * (soft-dirty).  A swapped page gets its swap area's file or device
 * (include/kp_swap.h), a page of a file mapping the file and the offset of
 * the address in it, and a not-present one of a file mapping whether the
 * page is in the page cache.  Paths are escaped (include/kp_escape.h), and
 * file= is last: it runs to the end of the line.
 *
 * It looks, and changes nothing: the page tables are read under
 * mmap_read_lock() and never written, no page is faulted in (a query
 * does not change the target's memory use), and the page's state is read
 * inside the walker's callback, while the entry is still mapped.  The walk
 * is kp_walk_range() (include/kp_pgwalk.h) over the one page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>

#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "kp_escape.h"
#include "kp_page.h"
#include "kp_pgwalk.h"
#include "kp_swap.h"
#include "kp_task.h"

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "Process whose address to translate (required)");

static char *vaddr;
module_param(vaddr, charp, 0444);
MODULE_PARM_DESC(vaddr, "Virtual address, hex (0x...) or decimal (required)");

static bool verbose;
module_param(verbose, bool, 0444);
MODULE_PARM_DESC(verbose, "Also log each page-table level and the flags");

/* Parse and check vaddr= against the target's address-space limit. */
static int lkm3_parse_vaddr(struct mm_struct *mm, unsigned long *addr)
{
	unsigned int bits = kp_va_bits();
	/* vaddr= is what the user typed: escaped, and cut if very long. */
	char shown[KP_ESCAPED_SIZE(64)];

	if (!vaddr || kstrtoul(vaddr, 0, addr)) {
		if (vaddr)
			kp_escape(vaddr, shown, sizeof(shown));
		pr_err("vaddr=%s is not valid: give vaddr=<address>, hex (0x...) or decimal\n",
		       vaddr ? shown : "(missing)");
		return -EINVAL;
	}
	if (!kp_is_canonical(*addr)) {
		pr_err("vaddr=0x%lx is not canonical (%u-bit addresses)\n",
		       *addr, bits);
		return -EINVAL;
	}
	if (*addr >= mm->task_size) {
		pr_err("vaddr=0x%lx is not a user address (the limit is 0x%lx)\n",
		       *addr, mm->task_size);
		return -EINVAL;
	}
	return 0;
}

/* The raw entries on the way down, and the last one's fields by name. */
static void lkm3_print_walk(const struct kp_entry *e)
{
	u64 last = e->raw[e->level], v;
	char flags[160];
	int i, n = 0;

	for (i = 0; i <= e->level; i++)
		pr_info("  level=%s index=%u entry=0x%016llx\n",
			kp_level_name[i], e->index[i], e->raw[i]);
	for (i = 0; i < ARRAY_SIZE(kp_entry_bits); i++) {
		v = kp_entry_bits[i].mask ?
			    (last & kp_entry_bits[i].mask) >>
				    __ffs64(kp_entry_bits[i].mask) :
			    e->level != KP_PTE;
		n += scnprintf(flags + n, sizeof(flags) - n, " %s=%llu",
			       kp_entry_bits[i].name, v);
	}
	pr_info("  flags%s\n", flags);
}

/**
 * struct lkm3_query - one address, and what the walk found there
 * @vma: the VMA that covers it
 * @addr: the address
 * @found: a non-empty entry maps it (else: not-present)
 * @e: that entry
 * @page: KP_PRESENT: what the kernel says of the page
 * @swap_file: KP_SWAPPED: the swap area's file, referenced, or NULL
 */
struct lkm3_query {
	struct vm_area_struct *vma;
	unsigned long addr;
	bool found;
	struct kp_entry e;
	struct kp_page page;
	struct file *swap_file;
};

/*
 * The walker's callback, with the entry still mapped (see kp_pgwalk.h):
 * the page's state and the swap area are read here, not after.  Atomic
 * context: nothing here sleeps.
 */
static int lkm3_visit(const struct kp_entry *e, void *arg)
{
	struct lkm3_query *q = arg;

	q->found = true;
	q->e = *e;
	if (e->kind == KP_PRESENT)
		kp_page_read(q->vma, e, q->addr, &q->page);
	else if (e->kind == KP_SWAPPED)
		q->swap_file =
			kp_swap_file_get(swp_entry(e->swp_type, e->swp_offset));
	return 1;
}

/* The fields after the report's first ones, built in a buffer. */
#define LKM3_TAIL_SIZE 1024

struct lkm3_text {
	char path[PATH_MAX]; /* d_path()'s work space */
	char tail[LKM3_TAIL_SIZE];
	int n;
};

static __printf(2, 3) void lkm3_add(struct lkm3_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t->n += vscnprintf(t->tail + t->n, sizeof(t->tail) - t->n, fmt, ap);
	va_end(ap);
}

/* " NAME=" and @path escaped by @escape, or NAME=? if it has none. */
static void lkm3_add_path(struct lkm3_text *t, const char *name,
			  const struct path *path,
			  const char *(*escape)(const char *, char *, size_t))
{
	const char *p = d_path(path, t->path, sizeof(t->path));

	lkm3_add(t, " %s=", name);
	if (IS_ERR(p)) {
		lkm3_add(t, "?");
		return;
	}
	escape(p, t->tail + t->n, sizeof(t->tail) - t->n);
	t->n += strlen(t->tail + t->n);
}

/*
 * Whether the page at @q->addr of a file mapping is in the page cache, as
 * mincore() decides (mincore_page() in mm/mincore.c: a folio there that
 * is up to date); for shmem, a page written to swap leaves a value entry
 * in its place (shmem_swapin_folio() in mm/shmem.c reads it back).
 * hugetlbfs indexes its cache in huge pages: not asked.
 */
static const char *lkm3_cached(struct lkm3_query *q)
{
	struct address_space *mapping = q->vma->vm_file->f_mapping;
	pgoff_t index = linear_page_index(q->vma, q->addr);
	struct folio *folio = kp_filemap_get_folio(mapping, index);
	bool uptodate;

	if (folio) {
		uptodate = folio_test_uptodate(folio);
		folio_put(folio);
		return uptodate ? "yes" : "no";
	}
	if (shmem_mapping(mapping) &&
	    xa_is_value(xa_load(&mapping->i_pages, index)))
		return "swapped";
	return "no";
}

/* What lkm3 adds to the report; t->tail is empty if nothing. */
static void lkm3_details(struct lkm3_query *q, struct lkm3_text *t)
{
	struct vm_area_struct *vma = q->vma;
	char names[KP_KPF_NAMES_SIZE];
	const struct kp_page *p = &q->page;

	t->n = 0;
	t->tail[0] = '\0';
	if (q->found && q->e.kind == KP_PRESENT) {
		lkm3_add(t, " flags=%s refcount=%d mapcount=%llu",
			 kp_kpf_format(p->kpf, names, sizeof(names)),
			 p->refcount, p->mapcount);
		lkm3_add(t, " exclusive=%d soft_dirty=%d", p->exclusive,
			 p->soft_dirty);
	}
	if (q->found && q->e.kind == KP_SWAPPED) {
		if (q->swap_file)
			lkm3_add_path(t, "swap_dev", &q->swap_file->f_path,
				      kp_escape_word);
		else
			lkm3_add(t, " swap_dev=?");
	}
	if (!vma->vm_file)
		return;
	if (!q->found && !kp_hugetlb_size(vma))
		lkm3_add(t, " cached=%s", lkm3_cached(q));
	/* The offset of the address in the file, as maps' offset counts. */
	lkm3_add(t, " file_offset=0x%llx",
		 ((u64)vma->vm_pgoff << PAGE_SHIFT) +
			 (q->addr - vma->vm_start));
	lkm3_add_path(t, "file", kp_file_path(vma->vm_file), kp_escape);
}

static void lkm3_report(struct lkm3_query *q, struct lkm3_text *t)
{
	const struct kp_entry *e = &q->e;
	unsigned long addr = q->addr;

	lkm3_details(q, t);
	if (!q->found) {
		pr_info("pid=%d vaddr=0x%lx not mapped reason=not-present%s\n",
			pid, addr, t->tail);
		return;
	}
	switch (e->kind) {
	case KP_PRESENT:
		pr_info("pid=%d vaddr=0x%lx paddr=0x%llx page=%s%s\n", pid,
			addr, PFN_PHYS(e->pfn) + (addr - e->addr),
			kp_size_name(e->size), t->tail);
		break;
	case KP_SWAPPED:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=swapped swap_type=%lu swap_offset=%lu%s\n",
			pid, addr, e->swp_type, e->swp_offset, t->tail);
		break;
	case KP_MIGRATING:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=migrating pfn=0x%lx%s\n",
			pid, addr, e->pfn, t->tail);
		break;
	case KP_DEVICE:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=device pfn=0x%lx%s\n",
			pid, addr, e->pfn, t->tail);
		break;
	case KP_HWPOISON:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=hwpoison pfn=0x%lx%s\n",
			pid, addr, e->pfn, t->tail);
		break;
	default:
		pr_info("pid=%d vaddr=0x%lx not mapped reason=other entry=0x%llx%s\n",
			pid, addr, e->raw[e->level], t->tail);
	}
	if (verbose)
		lkm3_print_walk(e);
}

static int __init lkm3_init(void)
{
	struct lkm3_query q = {};
	struct lkm3_text *text;
	struct mm_struct *mm;
	unsigned long page;
	int ret;

	mm = kp_get_mm(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = lkm3_parse_vaddr(mm, &q.addr);
	if (ret)
		goto out_mmput;
	text = kmalloc(sizeof(*text), GFP_KERNEL);
	if (!text) {
		ret = -ENOMEM;
		goto out_mmput;
	}
	/* No swap table (arm64: no KALLSYMS_ALL): swap_dev=? (docs/lkm3.md). */
	kp_swap_init();
	ret = mmap_read_lock_killable(mm);
	if (ret)
		goto out_free;

	q.vma = find_vma(mm, q.addr);
	if (!q.vma || q.addr < q.vma->vm_start) {
		pr_info("pid=%d vaddr=0x%lx not mapped reason=no-vma\n", pid,
			q.addr);
	} else {
		page = q.addr & PAGE_MASK;
		kp_walk_range(q.vma, page, page + PAGE_SIZE, lkm3_visit, &q);
		lkm3_report(&q, text);
	}
	mmap_read_unlock(mm);
	if (q.swap_file)
		fput(q.swap_file);
out_free:
	kfree(text);
out_mmput:
	mmput(mm);
	return ret;
}

static void __exit lkm3_exit(void)
{
}

module_init(lkm3_init);
module_exit(lkm3_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Translates a process's virtual address to a physical one");
MODULE_VERSION("0.1");
