// SPDX-License-Identifier: GPL-2.0
/*
 * 1/lkm3.ko against /proc/PID/pagemap: for every kind of memory a process
 * has, lkm3's paddr must be the pagemap PFN times the page size plus the
 * offset, and its "not mapped" reasons must be what pagemap says.
 * Run as root by tests/40-lkm3.t, which sets up swap and huge pages.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

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
	pm = pagemap_entry((uintptr_t)p + 3 * psize);
	if (!tap_ok(PM_SWAPPED(pm),
		    "the query did not bring the page back from swap"))
		tap_diag("got pagemap 0x%llx, wanted a swap entry",
			 (unsigned long long)pm);
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
	return tap_done();
}
