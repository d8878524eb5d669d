// SPDX-License-Identifier: GPL-2.0
/*
 * 1/lkm3.ko against /proc/PID/pagemap: for every kind of memory a process
 * has, lkm3's paddr must be the pagemap PFN times the page size plus the
 * offset, and its "not mapped" reasons must be what pagemap says.  What it
 * says of the page itself against /proc/kpageflags, /proc/kpagecount,
 * pagemap's bits 55 and 56, /proc/PID/maps, mincore() and /proc/swaps.
 * Run as root by tests/40-lkm3.t, which sets up swap and huge pages.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"
#include "kmod.h"
#include "truth.h"

#define KO "1/lkm3.ko"
#define MB (1UL << 20)
#define GB (1UL << 30)
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)

/*
 * What verbose=1 says of a written data page and of program text, by the
 * architecture's names for the bits (include/kp_compat.h), and where a
 * PTE keeps the frame.  arm64: AP 1 is user read-write, 3 user read-only;
 * a writable page has DBM (hardware dirty tracking) set; user pages are
 * never privileged-executable (PXN).
 */
#if defined(__aarch64__)
#define FLAGS_DATA \
	"flags valid=1 af=1 ng=1 ap=1 dbm=1 cont=0 pxn=1 uxn=1 huge=0"
#define FLAGS_TEXT_RO "ap=3"
#define FLAGS_TEXT_X "uxn=0"
#define PTE_FRAME 0x0000fffffffff000ULL
#else
#define FLAGS_DATA \
	"flags present=1 writable=1 user=1 dirty=1 accessed=1 huge=0 nx=1"
#define FLAGS_TEXT_RO "writable=0 user=1"
#define FLAGS_TEXT_X "nx=0"
#define PTE_FRAME 0x000ffffffffff000ULL
#endif
#endif

static long psize;

/*
 * Ask lkm3 about @addr in process @pid and put its report line in @line.
 * With @verbose, @walk gets the whole walk, one line after another.
 */
static int query(pid_t pid, uintptr_t addr, int verbose, char *line,
		 size_t size, char *walk, size_t wsize)
{
	int fd = kmsg_open(), ret;
	char params[128];

	snprintf(params, sizeof(params), "pid=%d vaddr=0x%lx%s", pid,
		 (unsigned long)addr, verbose ? " verbose=1" : "");
	ret = kmod_load(KO, params);
	if (ret) {
		tap_diag("loading lkm3 %s: %s", params, strerror(-ret));
		close(fd);
		return ret;
	}
	kmod_unload("lkm3");
	ret = kmsg_grep(fd, "lkm3: pid=", line, size);
	if (walk) {
		char rec[512];
		size_t len = 0;

		walk[0] = '\0';
		while (!kmsg_grep(fd, "lkm3:   ", rec, sizeof(rec)))
			len += snprintf(walk + len,
					len < wsize ? wsize - len : 0, "%s\n",
					rec + strlen("lkm3:   "));
	}
	close(fd);
	if (ret)
		tap_diag("no report line for %s", params);
	return ret;
}

/* lkm3 on our own @addr gives pagemap's frame and the expected page size. */
static void check_mapped(const char *what, void *p, const char *page)
{
	uintptr_t addr = (uintptr_t)p;
	uint64_t pm = pagemap_entry(addr);
	unsigned long long paddr = 0, want;
	char line[512], got_page[8] = "";
	const char *s;

	want = PM_PFN(pm) * psize + addr % psize;
	if (query(getpid(), addr, 0, line, sizeof(line), NULL, 0) == 0 &&
	    (s = strstr(line, "paddr=")))
		sscanf(s, "paddr=0x%llx page=%7s", &paddr, got_page);
	if (!tap_ok(PM_PRESENT(pm) && PM_PFN(pm) && paddr == want &&
			    !strcmp(got_page, page),
		    "%s: paddr is pagemap's PFN * 4096 + offset, page=%s", what,
		    page))
		tap_diag("vaddr 0x%lx pagemap 0x%llx want 0x%llx; lkm3: %s",
			 (unsigned long)addr, (unsigned long long)pm, want,
			 line);
}

static void check_reason(const char *what, pid_t pid, uintptr_t addr,
			 const char *want)
{
	char line[512];

	if (query(pid, addr, 0, line, sizeof(line), NULL, 0)) {
		tap_ok(0, "%s: not mapped %s", what, want);
		return;
	}
	if (!tap_ok(strstr(line, " not mapped ") && strstr(line, want),
		    "%s: not mapped %s", what, want))
		tap_diag("lkm3: %s", line);
}

static void *map(size_t len, int advice)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (advice >= 0)
		madvise(p, len, advice);
	return p;
}

/* A 2 MiB-aligned, 2 MiB region inside a fresh mapping. */
static char *map_2m_aligned(int advice)
{
	char *p = map(4 * MB, -1);
	char *aligned = (char *)(((uintptr_t)p + 2 * MB - 1) & ~(2 * MB - 1));

	madvise(aligned, 2 * MB, advice);
	return aligned;
}

static void check_anon_file_stack_text(void)
{
	char *anon = map(16 * psize, MADV_NOHUGEPAGE), *file, *zero;
	volatile char sink;
	char path[] = "/tmp/lkm3.XXXXXX";
	int stack_var = 1, fd, i;

	for (i = 0; i < 16; i++)
		anon[i * psize] = i;
	check_mapped("4K anonymous page 0", anon + 123, "4K");
	check_mapped("4K anonymous page 7", anon + 7 * psize + 4095, "4K");
	check_mapped("4K anonymous page 15", anon + 15 * psize, "4K");

	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, psize) ||
	    (file = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0)) ==
		    MAP_FAILED) {
		tap_ok(0, "map a file");
	} else {
		sink = file[100];
		check_mapped("file-backed page", file + 100, "4K");
		munmap(file, psize);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}

	zero = map(psize, MADV_NOHUGEPAGE);
	sink = zero[10]; /* a read fault maps the shared zero page */
	(void)sink;
	check_mapped("shared zero page (read, never written)", zero + 10, "4K");
	check_mapped("stack", &stack_var, "4K");
	check_mapped("program text", (void *)check_mapped, "4K");
}

static void check_huge(void)
{
	char *thp = map_2m_aligned(MADV_HUGEPAGE), *huge;

	memset(thp, 1, 2 * MB);
	check_mapped("THP, first byte", thp, "2M");
	check_mapped("THP, subpage 1", thp + psize + 17, "2M");
	check_mapped("THP, subpage 300", thp + 300 * psize, "2M");
	check_mapped("THP, last byte", thp + 2 * MB - 1, "2M");

	huge = mmap(NULL, 2 * MB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	/* Every lane has hugetlbfs; 40-lkm3.t reserved 4 pages for this. */
	if (huge == MAP_FAILED) {
		tap_ok(0, "hugetlb 2M page: map one with MAP_HUGETLB");
		tap_diag("mmap: %s; HugePages_Total %ld, HugePages_Free %ld",
			 strerror(errno),
			 proc_kb("/proc/meminfo", "HugePages_Total"),
			 proc_kb("/proc/meminfo", "HugePages_Free"));
		return;
	}
	memset(huge, 1, 2 * MB);
	check_mapped("hugetlb page, subpage 0", huge, "2M");
	check_mapped("hugetlb page, subpage 511", huge + 511 * psize + 5, "2M");
	/* PROT_NONE keeps the page; only the access rights change. */
	if (tap_ok(!mprotect(huge, 2 * MB, PROT_NONE),
		   "hugetlb page: mprotect PROT_NONE"))
		check_mapped("hugetlb page, PROT_NONE", huge + 7 * psize, "2M");
	munmap(huge, 2 * MB);
}

/*
 * A 1 GiB hugetlb page, if 40-lkm3.t could get one: lkm3 must translate
 * it, also after mprotect(PROT_NONE), when x86's pud_present() says no
 * (it does not know _PAGE_PROTNONE) but the page is still there.
 */
static void check_gigantic(void)
{
	char *p = mmap(NULL, GB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB,
		       -1, 0);

	if (p == MAP_FAILED) {
		tap_skip("no 1 GiB page free (40-lkm3.t asks for one)",
			 "1G hugetlb page, PROT_NONE: paddr is pagemap's");
		tap_diag("mmap 1 GiB MAP_HUGETLB: %s", strerror(errno));
		return;
	}
	p[0] = 1; /* faults in the whole page */
	check_mapped("1G hugetlb page", p + 12345, "1G");
	if (tap_ok(!mprotect(p, GB, PROT_NONE),
		   "1G hugetlb page: mprotect PROT_NONE"))
		check_mapped("1G hugetlb page, PROT_NONE", p + GB - 1, "1G");
	munmap(p, GB);
}

/*
 * arm64's contiguous hugetlb pages: 64 KiB (16 PTEs with the contiguous
 * bit) and 32 MiB (16 PMDs), which 40-lkm3.t reserves where the kernel
 * has them.  lkm3 names the whole page, each of its subpages translated
 * as pagemap says, also after PROT_NONE.  x86-64 has no such size.
 */
static void __attribute__((unused))
check_cont_size(unsigned long size, int shift, const char *name)
{
	char what[64];
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			       shift << MAP_HUGE_SHIFT,
		       -1, 0);

	if (p == MAP_FAILED) {
		snprintf(what, sizeof(what),
			 "no %s page free (40-lkm3.t asks for two)", name);
		tap_skip(what, "contiguous hugetlb page: paddr is pagemap's");
		tap_diag("mmap %s MAP_HUGETLB: %s", name, strerror(errno));
		return;
	}
	memset(p, 1, size);
	snprintf(what, sizeof(what), "%s hugetlb page, first subpage", name);
	check_mapped(what, p, name);
	snprintf(what, sizeof(what), "%s hugetlb page, last subpage", name);
	check_mapped(what, p + size - psize + 7, name);
	snprintf(what, sizeof(what), "%s hugetlb page", name);
	if (tap_ok(!mprotect(p, size, PROT_NONE), "%s: mprotect PROT_NONE",
		   what)) {
		snprintf(what, sizeof(what), "%s hugetlb page, PROT_NONE",
			 name);
		check_mapped(what, p + size / 2 + 3, name);
	}
	munmap(p, size);
}

static void check_cont(void)
{
#if defined(__aarch64__)
	check_cont_size(64 * 1024, 16, "64K");
	check_cont_size(32 * MB, 25, "32M");
#endif
}

/*
 * Fork a child that runs @setup, which maps something and returns an
 * address in it, and then waits to be killed.  The child's memory is its
 * own: a poisoned page there cannot hurt the test.  Returns the child's
 * PID, with the address in *@addr, or -1 (reported) if it did not start.
 */
static pid_t spawn(const char *what, uintptr_t (*setup)(void), uintptr_t *addr)
{
	int ready[2];
	pid_t child;

	if (pipe(ready) || (child = fork()) < 0) {
		tap_ok(0, "%s: start a child: %s", what, strerror(errno));
		return -1;
	}
	if (child == 0) {
		*addr = setup();
		if (write(ready[1], addr, sizeof(*addr)) != sizeof(*addr))
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], addr, sizeof(*addr)) != sizeof(*addr)) {
		tap_ok(0, "%s: the child sends its address", what);
		waitpid(child, NULL, 0);
		child = -1;
	}
	close(ready[0]);
	return child;
}

static void reap(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static uintptr_t untouched_page(void)
{
	return (uintptr_t)map(64 * psize, MADV_NOHUGEPAGE) + 5 * psize;
}

/* An idle child with an untouched mapping: query it, its RSS must not move. */
static void check_not_present(void)
{
	const char *what = "untouched page of a mapping";
	char rollup[64];
	uint64_t pm = ~0ULL;
	uintptr_t addr;
	long rss0, rss1;
	pid_t child;
	int ret;

	child = spawn(what, untouched_page, &addr);
	if (child < 0)
		return;
	snprintf(rollup, sizeof(rollup), "/proc/%d/smaps_rollup", child);
	rss0 = proc_kb(rollup, "Rss");
	check_reason(what, child, addr, "reason=not-present");
	rss1 = proc_kb(rollup, "Rss");
	if (rss0 <= 0)
		tap_ok(0, "read %s: %ld", rollup, rss0);
	else
		tap_eq(rss1, rss0, "the query left the target's Rss as it was");
	ret = pagemap_read(child, addr, &pm);
	if (!tap_ok(!ret && !PM_PRESENT(pm) && !PM_SWAPPED(pm),
		    "the queried page is still not present in pagemap"))
		tap_diag("pagemap of %d at 0x%lx: %s, 0x%llx", child,
			 (unsigned long)addr, ret ? strerror(-ret) : "read",
			 (unsigned long long)pm);
	reap(child);
}

static void on_sigbus(int sig)
{
	(void)sig;
}

/*
 * A written page, poisoned: its address, or madvise(MADV_HWPOISON)'s
 * -errno (a user address is never that high).  6.12 also sends the caller SIGBUS on the way out of
 * madvise() (kill_proc() in mm/memory-failure.c): a handler takes it.
 */
static uintptr_t poisoned_page(void)
{
	char *p = map(psize, MADV_NOHUGEPAGE);

	signal(SIGBUS, on_sigbus);
	p[0] = 1;
	if (madvise(p, psize, MADV_HWPOISON))
		return -errno; /* an address or -errno, as ERR_PTR() */
	return (uintptr_t)p;
}

/*
 * MADV_HWPOISON unmaps the page and leaves a hwpoison entry in its place
 * (hwpoison_user_mappings() in mm/memory-failure.c): lkm3 must call it
 * hwpoison, not device memory, and name the bad frame, which pagemap
 * shows as a swap entry whose offset is that PFN (pte_to_pagemap_entry()
 * in fs/proc/task_mmu.c).  The child never touches the page again (that
 * would be SIGBUS) and dies with it.
 */
static void check_hwpoison(void)
{
	const char *what = "poisoned page (MADV_HWPOISON)";
	uint64_t pm = 0;
	char want[64];
	uintptr_t addr;
	pid_t child;

	child = spawn(what, poisoned_page, &addr);
	if (child < 0)
		return;
	if (addr == (uintptr_t)-EINVAL) {
		tap_skip("no CONFIG_MEMORY_FAILURE in this kernel",
			 "%s: not mapped reason=hwpoison", what);
	} else if ((intptr_t)addr < 0) {
		tap_ok(0, "%s: madvise: %s", what, strerror(-(intptr_t)addr));
	} else if (pagemap_read(child, addr, &pm) || !PM_SWAPPED(pm) ||
		   !PM_SWAP_OFFSET(pm)) {
		tap_ok(0, "%s: pagemap has a swap entry with the frame", what);
		tap_diag("pagemap of %d at 0x%lx: 0x%llx", child,
			 (unsigned long)addr, (unsigned long long)pm);
	} else {
		snprintf(want, sizeof(want), "reason=hwpoison pfn=0x%llx",
			 (unsigned long long)PM_SWAP_OFFSET(pm));
		check_reason(what, child, addr, want);
	}
	reap(child);
}

static void check_no_vma(void)
{
	char *gap = map(psize, -1);

	munmap(gap, psize);
	check_reason("an address whose mapping was unmapped", getpid(),
		     (uintptr_t)gap, "reason=no-vma");
	check_reason("address 0", getpid(), 0, "reason=no-vma");
}

static int field(const char *line, const char *key, char *val, size_t size);

/* The first column of /proc/swaps' first area (its only one here). */
static void swaps_first(char *dev, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/swaps", "re");

	dev[0] = '\0';
	if (f && fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f))
		snprintf(dev, size, "%.*s", (int)strcspn(line, " \t\n"), line);
	if (f)
		fclose(f);
}

/*
 * swap_dev= is /proc/swaps' name of the area.  Where lkm3 cannot read the
 * swap areas it says "?": include/kp_swap.h finds swap_info[] by name,
 * which needs CONFIG_KALLSYMS_ALL, and then /proc/kallsyms lists it too.
 */
static void check_swap_dev(uintptr_t addr)
{
	char dev[256], line[2048], got[256] = "";

	if (system("grep -q ' swap_info$' /proc/kallsyms"))
		snprintf(dev, sizeof(dev), "?");
	else
		swaps_first(dev, sizeof(dev));
	if (query(getpid(), addr, 0, line, sizeof(line), NULL, 0) ||
	    field(line, "swap_dev", got, sizeof(got))) {
		tap_ok(0, "swapped page: lkm3 gives swap_dev=");
		tap_diag("lkm3: %s", line);
		return;
	}
	tap_streq(got, dev, "swapped page: swap_dev is /proc/swaps' (%s)", dev);
}

static void check_swapped(void)
{
	char *p = map(8 * psize, MADV_NOHUGEPAGE), want[96];
	uint64_t pm;
	int i;

	/* Every lane has swap and MADV_PAGEOUT; 40-lkm3.t turned swap on. */
	if (!tap_ok(proc_kb("/proc/meminfo", "SwapTotal") > 0,
		    "swap is on for the swapped page"))
		return;
	for (i = 0; i < 8; i++)
		memset(p + i * psize, 'a' + i, psize);
	if (madvise(p, 8 * psize, MADV_PAGEOUT)) {
		tap_ok(0, "MADV_PAGEOUT of 8 written pages: %s",
		       strerror(errno));
		return;
	}
	pm = pagemap_entry((uintptr_t)p + 3 * psize);
	if (!tap_ok(PM_SWAPPED(pm), "MADV_PAGEOUT moved the page to swap")) {
		tap_diag("pagemap 0x%llx", (unsigned long long)pm);
		return;
	}
	snprintf(want, sizeof(want),
		 "reason=swapped swap_type=%llu swap_offset=%llu",
		 (unsigned long long)PM_SWAP_TYPE(pm),
		 (unsigned long long)PM_SWAP_OFFSET(pm));
	check_reason("swapped page", getpid(), (uintptr_t)p + 3 * psize, want);
	check_swap_dev((uintptr_t)p + 3 * psize);
	pm = pagemap_entry((uintptr_t)p + 3 * psize);
	if (!tap_ok(PM_SWAPPED(pm),
		    "the query did not bring the page back from swap"))
		tap_diag("got pagemap 0x%llx, wanted a swap entry",
			 (unsigned long long)pm);
}

/* --- the page itself ------------------------------------------------- */

/* lkm3's report, field by field (docs/lkm3.md). */
struct report {
	char line[2048];
	char flags[512], cached[16], swap_dev[256], file[1024];
	unsigned long long refcount, mapcount, file_offset;
	int exclusive, soft_dirty, have_page, have_file;
};

/*
 * The value of " KEY=" in @line into @val: up to the next space, or to
 * the end of the line for file= (the last field, a path).  0 or -ENOENT.
 */
static int field(const char *line, const char *key, char *val, size_t size)
{
	char pat[32];
	const char *s;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	s = strstr(line, pat);
	if (!s)
		return -ENOENT;
	s += strlen(pat);
	n = strcmp(key, "file") ? strcspn(s, " ") : strlen(s);
	snprintf(val, size, "%.*s", (int)n, s);
	return 0;
}

static unsigned long long field_num(const char *line, const char *key)
{
	char v[32] = "";

	field(line, key, v, sizeof(v));
	return strtoull(v, NULL, 0);
}

/* Ask lkm3 about @addr of @pid; 0, or -errno (said why). */
static int query_report(pid_t pid, uintptr_t addr, struct report *r)
{
	char v[8];
	int ret;

	memset(r, 0, sizeof(*r));
	ret = query(pid, addr, 0, r->line, sizeof(r->line), NULL, 0);
	if (ret)
		return ret;
	r->have_page = !field(r->line, "flags", r->flags, sizeof(r->flags));
	r->refcount = field_num(r->line, "refcount");
	r->mapcount = field_num(r->line, "mapcount");
	r->exclusive = !field(r->line, "exclusive", v, sizeof(v)) ? atoi(v) :
								    -1;
	r->soft_dirty = !field(r->line, "soft_dirty", v, sizeof(v)) ? atoi(v) :
								      -1;
	field(r->line, "cached", r->cached, sizeof(r->cached));
	field(r->line, "swap_dev", r->swap_dev, sizeof(r->swap_dev));
	r->have_file = !field(r->line, "file", r->file, sizeof(r->file));
	r->file_offset = field_num(r->line, "file_offset");
	return 0;
}

/* The names of /proc/kpageflags' bits, as page-types and lkm3 give them. */
static const char *const kpf_names[] = {
	"locked",	 "error",     "referenced",  "uptodate",
	"dirty",	 "lru",	      "active",	     "slab",
	"writeback",	 "reclaim",   "buddy",	     "mmap",
	"anonymous",	 "swapcache", "swapbacked",  "compound_head",
	"compound_tail", "huge",      "unevictable", "hwpoison",
	"nopage",	 "ksm",	      "thp",	     "offline",
	"zero_page",	 "idle_page", "pgtable",
};

#define KPF(name) (1ULL << kpf_bit(name))
#define KPF_UNKNOWN (1ULL << 63)

static int kpf_bit(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(kpf_names) / sizeof(kpf_names[0]); i++)
		if (!strcmp(kpf_names[i], name))
			return i;
	return 63;
}

/* lkm3's "a,b,c" as bits; KPF_UNKNOWN for a name it should not have. */
static uint64_t kpf_parse(const char *names)
{
	char buf[512], *tok, *save = NULL;
	uint64_t bits = 0;

	if (!strcmp(names, "none"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", names);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		bits |= 1ULL << kpf_bit(tok);
	return bits;
}

static const char *kpf_text(uint64_t bits, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 64; i++)
		if (bits & (1ULL << i))
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? "," : "",
				      i < 27 ? kpf_names[i] : "?");
	return n ? buf : "none";
}

/*
 * Whether this kernel's /proc/kpageflags says "ksm" of every anonymous
 * page: 6.9's rewrite of stable_page_flags() did, until the stable fix
 * "fs/proc: fix KPF_KSM reported for all anonymous pages"; Debian's
 * 6.12.117 has the bug.  lkm3 reports the truth (folio_test_ksm()), so
 * there the ksm bit is not compared with the kernel's; lkm3's own is still
 * checked where a case needs it.  Asked once, of a page never merged.
 */
static bool kpageflags_ksm_bug(void)
{
	static int bug = -1;
	uint64_t kpf = 0, pm;
	char *p;

	if (bug >= 0)
		return bug;
	p = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	*p = 1;
	pm = pagemap_entry((uintptr_t)p);
	bug = PM_PRESENT(pm) &&
	      !kpage_read("/proc/kpageflags", PM_PFN(pm), &kpf) &&
	      (kpf & KPF("ksm"));
	munmap(p, psize);
	if (bug)
		tap_diag(
			"/proc/kpageflags says ksm of every anonymous page here (fixed upstream): lkm3's own ksm bit is checked");
	return bug;
}

/*
 * The bits that cannot change between lkm3's read and ours while the
 * page stays mapped (the LRU, referenced, dirty and such can).
 */
static uint64_t kpf_stable(void)
{
	uint64_t bits = KPF("anonymous") | KPF("mmap") | KPF("compound_head") |
			KPF("compound_tail") | KPF("thp") | KPF("ksm") |
			KPF("zero_page") | KPF("swapbacked") | KPF("hwpoison") |
			KPF("huge");

	return kpageflags_ksm_bug() ? bits & ~KPF("ksm") : bits;
}

/*
 * lkm3's flags for our @addr against /proc/kpageflags for pagemap's
 * frame, on the stable bits and @extra; and the page must be what the
 * case made: @need set.
 */
static void check_flags(const char *what, void *p, uint64_t extra,
			uint64_t need)
{
	uint64_t pm = pagemap_entry((uintptr_t)p), kpf = 0, got, mask;
	struct report r;
	char a[512];
	int ret;

	mask = kpf_stable() | extra;
	if (query_report(getpid(), (uintptr_t)p, &r) || !r.have_page) {
		tap_ok(0, "%s: lkm3 gives flags=", what);
		tap_diag("lkm3: %s", r.line);
		return;
	}
	ret = kpage_read("/proc/kpageflags", PM_PFN(pm), &kpf);
	if (ret || !PM_PRESENT(pm)) {
		tap_ok(0, "%s: read /proc/kpageflags for pagemap's frame",
		       what);
		tap_diag("pagemap 0x%llx: %s", (unsigned long long)pm,
			 strerror(-ret));
		return;
	}
	got = kpf_parse(r.flags);
	if (!tap_ok(!(got & KPF_UNKNOWN) && (got & mask) == (kpf & mask) &&
			    (kpf & need) == need && (got & need) == need,
		    "%s: flags are /proc/kpageflags' (%s)", what,
		    kpf_text(need, a, sizeof(a)))) {
		char b[512];

		tap_diag("got %s (all: %s); wanted %s (all: 0x%llx)",
			 kpf_text(got & mask, a, sizeof(a)), r.flags,
			 kpf_text(kpf & mask, b, sizeof(b)),
			 (unsigned long long)kpf);
	}
}

/* A file of @pages pages on the guest's disk, written and synced: its fd. */
static int disk_file(const char *name, int pages, char *path, size_t size)
{
	const char *disk = getenv("KP_DISK");
	char *buf = malloc(psize);
	int fd, i;

	snprintf(path, size, "%s/%s", disk ? disk : "/tmp", name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	for (i = 0; fd >= 0 && buf && i < pages; i++) {
		memset(buf, 'A' + i % 26, psize);
		if (write(fd, buf, psize) != psize)
			break;
	}
	free(buf);
	if (fd >= 0 && (i < pages || fsync(fd))) {
		close(fd);
		fd = -1;
	}
	tap_require(fd >= 0, "write %d pages to %s: %s", pages, path,
		    strerror(errno));
	return fd;
}

static void check_flags_kinds(void)
{
	char *anon = map(psize, MADV_NOHUGEPAGE), *thp, *zero, *file, *shm;
	char path[256];
	volatile char sink;
	int fd;

	anon[0] = 1;
	check_flags("anonymous page", anon, 0,
		    KPF("anonymous") | KPF("mmap") | KPF("swapbacked"));

	fd = disk_file("lkm3-flags.bin", 4, path, sizeof(path));
	file = mmap(NULL, 4 * psize, PROT_READ, MAP_SHARED, fd, 0);
	tap_require(file != MAP_FAILED, "map %s", path);
	sink = file[psize];
	check_flags("ext4 file page", file + psize, 0, KPF("mmap"));
	munmap(file, 4 * psize);
	close(fd);
	unlink(path);

	shm = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	tap_require(shm != MAP_FAILED, "map shared anonymous memory");
	shm[0] = 1;
	check_flags("shmem page", shm, 0, KPF("mmap") | KPF("swapbacked"));
	munmap(shm, psize);

	thp = map_2m_aligned(MADV_HUGEPAGE);
	memset(thp, 1, 2 * MB);
	check_flags("THP head", thp, 0,
		    KPF("thp") | KPF("compound_head") | KPF("anonymous"));
	check_flags("THP tail", thp + 5 * psize + 9, 0,
		    KPF("thp") | KPF("compound_tail") | KPF("anonymous"));

	zero = map(psize, MADV_NOHUGEPAGE);
	sink = zero[3];
	(void)sink;
	check_flags("zero page (untouched private memory, read)", zero + 3, 0,
		    KPF("zero_page"));
}

static int write_sys(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Two pages of the same bytes, MADV_MERGEABLE, and ksmd running fast:
 * once pagemap shows them on one frame, it is a KSM page.  The debug
 * kernel has no CONFIG_KSM.
 */
static void check_ksm(void)
{
	char *p = map(2 * psize, MADV_NOHUGEPAGE);
	uint64_t a = 0, b = 1;
	int i;

	if (access("/sys/kernel/mm/ksm/run", F_OK)) {
		tap_skip("no CONFIG_KSM in this kernel (no /sys/kernel/mm/ksm)",
			 "KSM page: flags are /proc/kpageflags'");
		return;
	}
	memset(p, 'k', 2 * psize);
	if (madvise(p, 2 * psize, MADV_MERGEABLE)) {
		tap_ok(0, "KSM page: madvise(MADV_MERGEABLE): %s",
		       strerror(errno));
		return;
	}
	write_sys("/sys/kernel/mm/ksm/sleep_millisecs", "10");
	write_sys("/sys/kernel/mm/ksm/pages_to_scan", "1000");
	write_sys("/sys/kernel/mm/ksm/run", "1");
	for (i = 0; i < 600; i++) {
		a = PM_PFN(pagemap_entry((uintptr_t)p));
		b = PM_PFN(pagemap_entry((uintptr_t)p + psize));
		if (a && a == b)
			break;
		usleep(50000);
	}
	if (!tap_ok(a && a == b, "KSM page: ksmd merged two equal pages"))
		tap_diag("frames 0x%llx and 0x%llx after 30 s",
			 (unsigned long long)a, (unsigned long long)b);
	else
		check_flags("KSM page", p + psize, 0,
			    KPF("ksm") | KPF("anonymous"));
	write_sys("/sys/kernel/mm/ksm/run", "2"); /* unmerge, stop */
	munmap(p, 2 * psize);
}

/*
 * A child that holds on to our memory (fork() shares it) until
 * child_end(); it never touches it.
 */
struct child {
	pid_t pid;
	int hold;
};

static struct child child_start(void)
{
	struct child c = { -1, -1 };
	int fds[2];
	char b;

	if (pipe(fds))
		return c;
	c.pid = fork();
	if (c.pid == 0) {
		close(fds[1]);
		while (read(fds[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(fds[0]);
	c.hold = fds[1];
	return c;
}

static void child_end(struct child *c)
{
	if (c->hold >= 0)
		close(c->hold);
	if (c->pid > 0)
		waitpid(c->pid, NULL, 0);
	c->pid = c->hold = -1;
}

/*
 * A page in the swap cache: written, paged out, then a child takes a
 * second reference to its swap slot (fork() copies the swap entry), and
 * we read it back.  With two references do_swap_page() goes through the
 * swap cache (mm/memory.c: the SWP_SYNCHRONOUS_IO shortcut of zram is for
 * a slot with one), and the page stays there while the child's entry
 * needs it.
 */
static void check_swapcache(void)
{
	char *p = map(4 * psize, MADV_NOHUGEPAGE);
	volatile char sink;
	struct child c;
	int i;

	for (i = 0; i < 4; i++)
		memset(p + i * psize, 's' + i, psize);
	if (madvise(p, 4 * psize, MADV_PAGEOUT) ||
	    !PM_SWAPPED(pagemap_entry((uintptr_t)p + psize))) {
		tap_ok(0, "swap-cache page: MADV_PAGEOUT moved it to swap");
		return;
	}
	c = child_start();
	sink = p[psize];
	(void)sink;
	check_flags("swap-cache page (read back while a child has the slot)",
		    p + psize, KPF("swapcache"),
		    KPF("swapcache") | KPF("anonymous") | KPF("swapbacked"));
	child_end(&c);
	munmap(p, 4 * psize);
}

/* lkm3's mapcount and refcount for our @p, mapped by @n processes. */
static void check_mapcount_n(char *p, int n)
{
	uint64_t pm = pagemap_entry((uintptr_t)p), count = ~0ULL;
	struct report r;

	if (query_report(getpid(), (uintptr_t)p, &r) || !r.have_page ||
	    kpage_read("/proc/kpagecount", PM_PFN(pm), &count)) {
		tap_ok(0, "mapped by %d: lkm3 and /proc/kpagecount answer", n);
		tap_diag("lkm3: %s", r.line);
		return;
	}
	tap_eq(r.mapcount, count,
	       "mapped by %d: mapcount is /proc/kpagecount's", n);
	tap_eq(r.mapcount, n, "mapped by %d: mapcount is %d", n, n);
	if (!tap_ok(r.refcount >= r.mapcount,
		    "mapped by %d: refcount (%llu) >= mapcount", n, r.refcount))
		tap_diag("lkm3: %s", r.line);
}

static void check_mapcount(void)
{
	char *p = map(psize, MADV_NOHUGEPAGE);
	struct child c[3];
	int i;

	p[0] = 1;
	check_mapcount_n(p, 1);
	c[0] = child_start();
	check_mapcount_n(p, 2);
	c[1] = child_start();
	c[2] = child_start();
	check_mapcount_n(p, 4);
	/* Last first: a later child holds the earlier ones' pipes too. */
	for (i = 2; i >= 0; i--)
		child_end(&c[i]);
	munmap(p, psize);
}

/* lkm3's exclusive= and soft_dirty= are pagemap's bits 56 and 55. */
static void check_bits(const char *what, char *p, int exclusive)
{
	uint64_t pm;
	struct report r;

	if (query_report(getpid(), (uintptr_t)p, &r) || !r.have_page) {
		tap_ok(0, "%s: lkm3 gives exclusive= and soft_dirty=", what);
		tap_diag("lkm3: %s", r.line);
		return;
	}
	pm = pagemap_entry((uintptr_t)p);
	tap_eq(r.exclusive, PM_EXCLUSIVE(pm),
	       "%s: exclusive is pagemap's bit 56", what);
	tap_eq(r.exclusive, exclusive, "%s: exclusive=%d", what, exclusive);
	tap_eq(r.soft_dirty, PM_SOFT_DIRTY(pm),
	       "%s: soft_dirty is pagemap's bit 55", what);
}

static void check_exclusive_soft_dirty(void)
{
	char *p = map(psize, MADV_NOHUGEPAGE);
	struct child c;

	p[0] = 1;
	check_bits("written page", p, 1);
	c = child_start();
	check_bits("the page shared with a child (fork)", p, 0);
	child_end(&c);
	tap_require(!write_sys("/proc/self/clear_refs", "4"),
		    "echo 4 >/proc/self/clear_refs");
	check_bits("after clear_refs 4 (soft-dirty cleared)", p, 1);
	p[0] = 2;
	check_bits("written again", p, 1);
	munmap(p, psize);
}

/*
 * /proc/self/maps' path and offset for @addr: the offset in the file is
 * the mapping's offset plus how far @addr is into it.  0 or -ENOENT.
 */
static int maps_file(uintptr_t addr, char *path, size_t size,
		     unsigned long long *off)
{
	unsigned long start, end;
	unsigned long long pgoff;
	char line[1200];
	int n, ret = -ENOENT;
	FILE *f = fopen("/proc/self/maps", "re");

	while (f && fgets(line, sizeof(line), f)) {
		n = 0;
		if (sscanf(line, "%lx-%lx %*s %llx %*s %*s %n", &start, &end,
			   &pgoff, &n) != 3 ||
		    !n || addr < start || addr >= end)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, size, "%s", line + n);
		*off = pgoff + (addr - start);
		ret = 0;
		break;
	}
	if (f)
		fclose(f);
	return ret;
}

static void check_file_of(const char *what, char *p)
{
	unsigned long long off = 0;
	char path[1024] = "";
	struct report r;

	if (maps_file((uintptr_t)p, path, sizeof(path), &off) ||
	    query_report(getpid(), (uintptr_t)p, &r)) {
		tap_ok(0, "%s: /proc/self/maps and lkm3 answer", what);
		return;
	}
	tap_streq(r.file, path, "%s: file is /proc/self/maps' path", what);
	tap_eq(r.file_offset, off,
	       "%s: file_offset is maps' offset + (vaddr - start)", what);
}

/* Mapped at the file's page 4: a page touched, and the page cache. */
static void check_file(void)
{
	char path[256], *m, *shm, vec[64];
	volatile char sink;
	struct report r;
	char *buf = malloc(psize);
	int fd, i;

	fd = disk_file("lkm3-file.bin", 64, path, sizeof(path));
	m = mmap(NULL, 8 * psize, PROT_READ, MAP_SHARED, fd, 4 * psize);
	tap_require(m != MAP_FAILED, "map %s from its page 4", path);
	sink = m[2 * psize];
	check_file_of("ext4 file page, present", m + 2 * psize + 77);
	munmap(m, 8 * psize);

	shm = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	tap_require(shm != MAP_FAILED, "map shared anonymous memory");
	shm[0] = 1;
	check_file_of("shared anonymous page (shmem's /dev/zero)", shm + 5);
	munmap(shm, psize);

	/*
	 * The page cache: drop the file's pages (clean, unmapped), read
	 * page 3 with read-ahead off, map it all and touch nothing.
	 */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	tap_require(buf && pread(fd, buf, psize, 3 * psize) == psize,
		    "read page 3 of %s", path);
	m = mmap(NULL, 64 * psize, PROT_READ, MAP_SHARED, fd, 0);
	tap_require(m != MAP_FAILED &&
			    !mincore(m, 64 * psize, (unsigned char *)vec),
		    "map %s and mincore() it", path);
	for (i = 3; i <= 40; i += 37) {
		int want = vec[i] & 1;
		char what[96];

		snprintf(what, sizeof(what),
			 "ext4 file page %d, never mapped, %s", i,
			 i == 3 ? "read() before" : "evicted");
		if (query_report(getpid(), (uintptr_t)m + i * psize, &r)) {
			tap_ok(0, "%s: lkm3 answers", what);
			continue;
		}
		if (!tap_ok(strstr(r.line, " reason=not-present ") &&
				    !strcmp(r.cached, want ? "yes" : "no"),
			    "%s: not-present, cached is mincore()'s (%s)", what,
			    want ? "yes" : "no"))
			tap_diag("lkm3: %s", r.line);
		if (want != (i == 3))
			tap_diag(
				"mincore() says page %d is %sin the page cache",
				i, want ? "" : "not ");
		check_file_of(what, m + i * psize);
	}
	(void)sink;
	munmap(m, 64 * psize);
	free(buf);
	close(fd);
	unlink(path);
}

/*
 * A shmem page written to swap: MADV_PAGEOUT reclaims it
 * (shmem_writepage() puts a swap entry in the page cache in its place,
 * mm/shmem.c), the PTE goes, and smaps counts it as Swap.  lkm3 says
 * not-present, cached=swapped.
 */
static void check_shmem_swapped(void)
{
	const char *what = "shmem page written to swap";
	char *shm = mmap(NULL, psize, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct report r;
	long kb;

	tap_require(shm != MAP_FAILED, "map shared anonymous memory");
	memset(shm, 'w', psize);
	if (madvise(shm, psize, MADV_PAGEOUT) ||
	    (kb = smaps_vma_kb((uintptr_t)shm, "Swap")) <= 0) {
		tap_skip("MADV_PAGEOUT did not write the shmem page to swap",
			 "%s: not-present, cached=swapped", what);
		tap_diag("madvise: %s; smaps Swap: %ld kB", strerror(errno),
			 smaps_vma_kb((uintptr_t)shm, "Swap"));
		munmap(shm, psize);
		return;
	}
	if (query_report(getpid(), (uintptr_t)shm, &r))
		tap_ok(0, "%s: lkm3 answers", what);
	else if (!tap_ok(strstr(r.line, " reason=not-present ") &&
				 !strcmp(r.cached, "swapped"),
			 "%s (smaps: Swap %ld kB): not-present, cached=swapped",
			 what, kb))
		tap_diag("lkm3: %s", r.line);
	munmap(shm, psize);
}

static int has(const char *walk, const char *s)
{
	return strstr(walk, s) != NULL;
}

static void check_verbose(void)
{
	char *p = map(psize, MADV_NOHUGEPAGE), line[512], walk[2048];
	unsigned long long pte = 0;
	uint64_t pm;
	const char *s;

	p[0] = 1;
	pm = pagemap_entry((uintptr_t)p);
	if (!tap_ok(PM_PRESENT(pm) && PM_PFN(pm),
		    "pagemap has our written page")) {
		tap_diag("pagemap 0x%llx", (unsigned long long)pm);
		return;
	}
	if (query(getpid(), (uintptr_t)p, 1, line, sizeof(line), walk,
		  sizeof(walk))) {
		tap_ok(0, "verbose query");
		return;
	}
	if (!tap_ok(has(walk, "level=pgd ") && has(walk, "level=p4d ") &&
			    has(walk, "level=pud ") &&
			    has(walk, "level=pmd ") && has(walk, "level=pte "),
		    "verbose=1 logs the entry at each of the 5 levels"))
		tap_diag("got: %s; wanted: level=pgd, p4d, pud, pmd, pte",
			 walk);
	s = strstr(walk, "level=pte ");
	if (s && (s = strstr(s, "entry=")))
		sscanf(s, "entry=0x%llx", &pte);
	tap_eq((pte & PTE_FRAME) >> 12, PM_PFN(pm),
	       "the PTE's frame bits are pagemap's PFN");
	if (!tap_ok(has(walk, FLAGS_DATA), "a written data page: " FLAGS_DATA))
		tap_diag("got: %s", walk);
	if (!tap_ok(query(getpid(), (uintptr_t)check_verbose, 1, line,
			  sizeof(line), walk, sizeof(walk)) == 0 &&
			    has(walk, FLAGS_TEXT_RO) && has(walk, FLAGS_TEXT_X),
		    "program text: read-only and executable"))
		tap_diag("%s", walk);
}

int main(void)
{
	psize = sysconf(_SC_PAGESIZE);
	check_anon_file_stack_text();
	check_huge();
	check_gigantic();
	check_cont();
	check_not_present();
	check_hwpoison();
	check_no_vma();
	check_swapped();
	check_verbose();
	tap_group(check_flags_kinds);
	tap_group(check_ksm);
	tap_group(check_swapcache);
	tap_group(check_mapcount);
	tap_group(check_exclusive_soft_dirty);
	tap_group(check_file);
	tap_group(check_shmem_swapped);
	return tap_done();
}
