// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/physmem (2_I/physmem.c): the happy path against pagemap, and every
 * refusal with its errno.  Run as root with physmem.ko loaded, by
 * tests/50-physmem.t.  "stress" as argument runs the 4-process stress;
 * "threads SECONDS" drives one process's files from 8 threads at once;
 * "disk DIR" maps a file of an ext4 directory three ways; "memlock" pins
 * under a small RLIMIT_MEMLOCK; "killable" kills a call that waits for
 * the file's lock.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"
#include "kmod.h"
#include "truth.h"
#include "physmem_ioc.h"

#define DEV "/dev/physmem"

static long psize;

static int dev_open(void)
{
	return dev_open_or_exit(DEV);
}

/* Pages pinned system-wide (FOLL_PIN), exact: per-CPU counts folded first. */
static long pins_held(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd < 0 || write(fd, "1", 1) != 1)
		tap_diag("cannot fold the vm counters: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	return vmstat_value("nr_foll_pin_acquired") -
	       vmstat_value("nr_foll_pin_released");
}

static void check_happy_path(void)
{
	volatile unsigned char *byte = malloc(1);
	uint64_t paddr = 0, pm;
	int fd = dev_open(), ret;

	tap_require(byte != NULL, "allocate a byte");

	*byte = 6;
	pm = pagemap_entry((uintptr_t)byte);
	if (!tap_ok(PM_PRESENT(pm) && PM_PFN(pm),
		    "pagemap has our byte's page"))
		tap_diag("pagemap 0x%llx", (unsigned long long)pm);
	ret = physmem_xlate(fd, (void *)byte, &paddr);
	if (ret)
		tap_ok(0, "XLATE gives pagemap's PFN * 4096 + offset: %s",
		       strerror(-ret));
	else
		tap_eq(paddr, PM_PFN(pm) * psize + (uintptr_t)byte % psize,
		       "XLATE gives pagemap's PFN * 4096 + offset");
	ret = physmem_poke(fd, paddr, 5);
	if (!tap_ok(!ret && *byte == 5,
		    "WRITE 5 at that paddr: the byte reads 5 (was 6)"))
		tap_diag("got: WRITE %s, the byte %d; wanted: success, 5",
			 ret ? strerror(-ret) : "succeeded", *byte);
	close(fd);
	free((void *)byte);
}

/* A child with a byte of its own; returns its pid, its byte's address. */
static pid_t child_with_byte(int cmd[2], int reply[2], unsigned char **where)
{
	pid_t pid;

	if (pipe(cmd) || pipe(reply))
		exit(1);
	pid = fork();
	if (pid == 0) {
		unsigned char *b = malloc(1), c;

		close(cmd[1]);
		close(reply[0]);
		*b = 6;
		if (write(reply[1], &b, sizeof(b)) != sizeof(b))
			_exit(1);
		/* On each request, report the byte's value. */
		while (read(cmd[0], &c, 1) == 1)
			if (write(reply[1], b, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(cmd[0]);
	close(reply[1]);
	if (read(reply[0], where, sizeof(*where)) != sizeof(*where))
		exit(1);
	return pid;
}

static int child_value(int cmd[2], int reply[2])
{
	unsigned char c = 0;

	if (write(cmd[1], "?", 1) != 1 || read(reply[0], &c, 1) != 1)
		return -1;
	return c;
}

/* The locked memory of this process, in kB. */
static long vmlck(void)
{
	return proc_kb("/proc/self/status", "VmLck");
}

/*
 * XLATE whose answer cannot be copied out (its argument is read-only):
 * EFAULT, and the page it pinned on the way is let go again.
 */
static void check_answer_fault(int fd)
{
	struct physmem_xlate *x = mmap(NULL, psize, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pins = pins_held(), lck = vmlck();
	static unsigned char mine[8192];

	tap_require(x != MAP_FAILED, "map a page");

	/* A page of ours that no open file has pinned yet. */
	x->vaddr = (uintptr_t)mine + sizeof(mine) / 2;
	*(volatile unsigned char *)x->vaddr = 1;
	mprotect(x, psize, PROT_READ);
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE, x), EFAULT,
		  "XLATE into a read-only argument: EFAULT");
	tap_eq(pins_held() - pins, 0, "  ... and it keeps no pin");
	tap_eq(vmlck() - lck, 0, "  ... nor locked memory (VmLck, kB)");
	munmap(x, psize);
}

/* WRITE to another process's page (its frame from its pagemap): EPERM. */
static void check_refuse_foreign(int fd)
{
	unsigned char *other = NULL;
	uint64_t other_pm = 0;
	int cmd[2], reply[2], ret;
	pid_t pid;

	pid = child_with_byte(cmd, reply, &other);
	/* Aimed at a frame pagemap gave, not near 0 for want of one. */
	ret = pagemap_read(pid, (uintptr_t)other, &other_pm);
	if (ret || !PM_PRESENT(other_pm) || !PM_PFN(other_pm)) {
		tap_ok(0,
		       "WRITE to another process's page (from its pagemap): EPERM");
		tap_diag("its pagemap at %p: %s, 0x%llx", other,
			 ret ? strerror(-ret) : "read",
			 (unsigned long long)other_pm);
	} else {
		tap_fails_with(
			physmem_poke(fd,
				     PM_PFN(other_pm) * psize +
					     (uintptr_t)other % psize,
				     7),
			EPERM,
			"WRITE to another process's page (from its pagemap): EPERM");
	}
	tap_eq(child_value(cmd, reply), 6, "  ... and its byte is still 6");
	close(cmd[1]);
	close(reply[0]);
	waitpid(pid, NULL, 0);
}

/* WRITE where nothing was pinned on this file: EPERM; read-only: EACCES. */
static void check_refuse_unpinned(int fd, int fd2)
{
	uint64_t paddr = 0, mine = 0, want;
	unsigned char *ro;
	int ret;

	tap_fails_with(physmem_poke(fd, 0, 1), EPERM,
		       "WRITE to physical address 0: EPERM");
	tap_fails_with(physmem_poke(fd, 1ULL << 52, 1), EPERM,
		       "WRITE beyond physical memory (2^52): EPERM");
	ret = physmem_xlate(fd, &mine, &paddr);
	if (ret)
		tap_ok(0,
		       "WRITE to a page XLATEd on another open file: XLATE: %s",
		       strerror(-ret));
	else
		tap_fails_with(
			physmem_poke(fd2, paddr, 1), EPERM,
			"WRITE to a page XLATEd on another open file: EPERM");

	ro = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_require(ro != MAP_FAILED, "map a read-only page");
	(void)*(volatile unsigned char *)ro;
	ret = physmem_xlate(fd, ro, &paddr);
	want = PM_PFN(pagemap_entry((uintptr_t)ro)) * psize;
	if (!tap_ok(!ret && paddr == want,
		    "XLATE of a read-only mapping translates"))
		tap_diag("got: %s, paddr 0x%llx; wanted: pagemap's 0x%llx",
			 ret ? strerror(-ret) : "success",
			 (unsigned long long)paddr, (unsigned long long)want);
	tap_fails_with(physmem_poke(fd, paddr, 1), EACCES,
		       "  ... but WRITE to it is refused: EACCES");
	munmap(ro, psize);
}

/* Bad commands, sizes and arguments: ENOTTY, EFAULT, ENXIO, EINVAL. */
static void check_refuse_arguments(int fd)
{
	struct physmem_write w = { 0 };
	uint64_t paddr = 0, mine = 0;
	void *gone = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	tap_require(gone != MAP_FAILED, "map a page");
	munmap(gone, psize);
	tap_errno(ioctl(fd, _IO(PHYSMEM_IOC_MAGIC, 9)), ENOTTY,
		  "an unknown command: ENOTTY");
	tap_errno(ioctl(fd, _IOWR(PHYSMEM_IOC_MAGIC, 1, uint64_t), &paddr),
		  ENOTTY, "XLATE's number with the wrong size: ENOTTY");
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE, NULL), EFAULT,
		  "XLATE with a NULL argument: EFAULT");
	tap_errno(ioctl(fd, PHYSMEM_IOC_WRITE, NULL), EFAULT,
		  "WRITE with a NULL argument: EFAULT");
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE, gone), EFAULT,
		  "XLATE with an unmapped argument pointer: EFAULT");
	tap_fails_with(physmem_xlate(fd, gone, NULL), ENXIO,
		       "XLATE of an unmapped virtual address: ENXIO");
	tap_fails_with(physmem_xlate(fd, (void *)0xffff888000000000UL, NULL),
		       EINVAL, "XLATE of a kernel address: EINVAL");
	check_answer_fault(fd);
	tap_require(!physmem_xlate(fd, &mine, &paddr), "XLATE of our own page");
	w.paddr = paddr;
	w.pad[6] = 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_WRITE, &w), EINVAL,
		  "WRITE with a non-zero pad byte: EINVAL");
}

static void check_refusals(void)
{
	int fd = dev_open(), fd2 = dev_open();

	check_refuse_foreign(fd);
	check_refuse_unpinned(fd, fd2);
	check_refuse_arguments(fd);
	close(fd);
	close(fd2);
}

static void check_fork(void)
{
	volatile unsigned char *p = mmap(NULL, psize, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = dev_open(), cmd[2], status, ret;
	uint64_t paddr = 0;
	unsigned char c = 0;
	pid_t pid;

	tap_require(p != MAP_FAILED, "map a page");

	/* Fork first: the page is shared copy-on-write, XLATE must break it. */
	*p = 6;
	if (pipe(cmd) || (pid = fork()) < 0) {
		tap_ok(0, "after fork: a child to share the page with: %s",
		       strerror(errno));
		close(fd);
		return;
	}
	if (pid == 0) {
		close(cmd[1]);
		if (read(cmd[0], &c, 1) != 1)
			_exit(1);
		_exit(*p);
	}
	close(cmd[0]);
	ret = physmem_xlate(fd, (void *)p, &paddr) ?:
						     physmem_poke(fd, paddr, 5);
	if (!tap_ok(!ret && *p == 5,
		    "after fork: XLATE and WRITE change the parent's byte"))
		tap_diag("got: %s, the byte %d; wanted: success, 5",
			 ret ? strerror(-ret) : "success", *p);
	if (write(cmd[1], "go", 1) != 1)
		tap_diag("cannot tell the child to go: %s", strerror(errno));
	waitpid(pid, &status, 0);
	if (!tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 6,
		    "  ... and the child's copy still reads 6"))
		tap_diag("child status %#x", status);
	close(cmd[1]);
	close(fd);
	munmap((void *)p, psize);
}

static void check_unprivileged(void)
{
	int fd = dev_open(), status;
	uint64_t byte = 0;
	pid_t pid;

	chmod(DEV, 0666);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		bad |= open(DEV, O_RDWR) >= 0 || errno != EPERM;
		bad |= (physmem_xlate(fd, &byte, NULL) != -EPERM) << 1;
		bad |= (physmem_poke(fd, 0, 1) != -EPERM) << 2;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	chmod(DEV, 0600);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 65534: open (node made 0666), XLATE and WRITE on root's fd: EPERM");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		tap_diag("status %#x (bits: 1 open, 2 XLATE, 4 WRITE)", status);
	close(fd);
}

static void check_pins(void)
{
	long before = pins_held(), during, lck = vmlck();
	size_t n = PHYSMEM_MAX_PINS + 1, i;
	char *p = mmap(NULL, n * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = dev_open(), fails = 0;

	tap_require(p != MAP_FAILED, "map %zu pages", n);

	madvise(p, n * psize, MADV_NOHUGEPAGE);
	for (i = 0; i + 1 < n; i++)
		fails += physmem_xlate(fd, p + i * psize, NULL) != 0;
	tap_eq(fails, 0, "XLATE of %d pages: all pinned", PHYSMEM_MAX_PINS);
	physmem_xlate(fd, p, NULL);
	tap_eq(pins_held() - before, PHYSMEM_MAX_PINS,
	       "  ... XLATE of a page already pinned adds no pin");
	tap_fails_with(physmem_xlate(fd, p + i * psize, NULL), ENOSPC,
		       "the %dth page: ENOSPC", PHYSMEM_MAX_PINS + 1);
	tap_eq(vmlck() - lck, PHYSMEM_MAX_PINS * psize / 1024,
	       "  ... VmLck counts the pinned pages (kB)");
	during = pins_held() - before;
	close(fd);
	tap_eq(vmlck(), lck, "  ... and close gives them back (VmLck, kB)");
	tap_eq(during, PHYSMEM_MAX_PINS,
	       "the pins show in vmstat (nr_foll_pin_acquired - released)");
	tap_eq(pins_held() - before, 0, "close releases every pin (vmstat)");
	munmap(p, n * psize);
}

/*
 * XLATE_RANGE of the @n pages from @start against /proc/self/pagemap read
 * right after it, entry by entry: a present page has pagemap's frame, a
 * swapped one its swap area and slot, anything else no frame; @holes (may
 * be NULL) marks the pages no VMA covers.  @shift: the page_shift every
 * present page must have (0: any).  One result line; returns how many
 * entries were in swap.
 */
static uint32_t range_vs_pagemap(int fd, const char *start, const char *holes,
				 uint32_t n, int shift, const char *what)
{
	uint64_t *ent = calloc(n, sizeof(*ent)), *pm = calloc(n, sizeof(*pm));
	int pmfd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), ret;
	uint32_t i, bad = 0, first = n, present = 0, swapped = 0;

	tap_require(ent && pm && pmfd >= 0, "allocate %u entries, open pagemap",
		    n);
	ret = physmem_range(fd, start, ent, n);
	tap_require(pread(pmfd, pm, n * 8ULL, (uintptr_t)start / psize * 8) ==
			    n * 8LL,
		    "read pagemap");
	close(pmfd);
	if (ret) {
		tap_ok(0, "XLATE_RANGE, %s: the call works", what);
		tap_diag("got: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t st = PHYSMEM_RANGE_STATUS(ent[i]);
		bool ok;

		if (holes && holes[i]) {
			ok = ent[i] == PHYSMEM_NO_VMA;
		} else if (PM_PRESENT(pm[i]) && PM_PFN(pm[i])) {
			ok = st == PHYSMEM_PRESENT &&
			     PHYSMEM_RANGE_PADDR(ent[i]) ==
				     PM_PFN(pm[i]) * psize &&
			     (!shift || PHYSMEM_RANGE_SHIFT(ent[i]) == shift);
			present += ok;
		} else if (PM_SWAPPED(pm[i])) {
			ok = st == PHYSMEM_SWAPPED &&
			     PHYSMEM_RANGE_SWAP_TYPE(ent[i]) ==
				     PM_SWAP_TYPE(pm[i]) &&
			     PHYSMEM_RANGE_SWAP_OFFSET(ent[i]) ==
				     PM_SWAP_OFFSET(pm[i]);
			present += ok;
			swapped += ok;
		} else {
			ok = ent[i] == PHYSMEM_NOT_PRESENT;
		}
		if (!ok && !bad++)
			first = i;
	}
	if (!tap_ok(!bad && present,
		    "XLATE_RANGE, %s: each of %u entries is pagemap's", what,
		    n)) {
		tap_diag("%u wrong, %u present or swapped", bad, present);
		if (first < n)
			tap_diag(
				"first wrong: page %u (0x%llx): got entry 0x%llx; pagemap 0x%llx%s",
				first,
				(unsigned long long)(uintptr_t)(start +
								(size_t)first *
									psize),
				(unsigned long long)ent[first],
				(unsigned long long)pm[first],
				holes && holes[first] ? " (no VMA there)" : "");
	}
out:
	free(ent);
	free(pm);
	return swapped;
}

/* XLATE_BATCH of 64 MiB of 4K pages at once, against one pagemap read. */
static void check_batch_64m(int fd)
{
	enum { N = 16384 };
	char *big = mmap(NULL, (size_t)N * psize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *va = calloc(N, sizeof(*va)), *pm = calloc(N, sizeof(*pm));
	struct physmem_result *res = calloc(N, sizeof(*res));
	int pmfd = open("/proc/self/pagemap", O_RDONLY), i, good = 0;
	int first = -1;

	tap_require(big != MAP_FAILED && va && pm && res && pmfd >= 0,
		    "map 64 MiB, allocate the arrays, open pagemap");
	madvise(big, (size_t)N * psize, MADV_NOHUGEPAGE);
	for (i = 0; i < N; i++) {
		big[(size_t)i * psize] = 1;
		va[i] = (uintptr_t)big + (size_t)i * psize + i % 4096;
	}
	tap_require(pread(pmfd, pm, N * 8, (uintptr_t)big / psize * 8) == N * 8,
		    "read pagemap");
	close(pmfd);
	tap_require(!physmem_batch(fd, va, res, N), "XLATE_BATCH of %d pages",
		    N);
	for (i = 0; i < N; i++) {
		int ok = PM_PRESENT(pm[i]) && PM_PFN(pm[i]) &&
			 res[i].status == PHYSMEM_PRESENT &&
			 res[i].page_shift == 12 &&
			 res[i].paddr == PM_PFN(pm[i]) * psize + i % 4096;

		good += ok;
		if (!ok && first < 0)
			first = i;
	}
	if (!tap_eq(good, N,
		    "XLATE_BATCH of %d pages (64 MiB): every paddr is pagemap's",
		    N))
		tap_diag(
			"first wrong: [%d] got status %u shift %u paddr 0x%llx; pagemap 0x%llx",
			first, res[first].status, res[first].page_shift,
			(unsigned long long)res[first].paddr,
			(unsigned long long)pm[first]);
	range_vs_pagemap(fd, big, NULL, N, 12, "64 MiB of 4K pages");
	munmap(big, (size_t)N * psize);
	free(va);
	free(pm);
	free(res);
}

/* One address of each answer in one XLATE_BATCH, and no pin taken. */
static void check_batch_kinds(int fd)
{
	char *thp = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *small = mmap(NULL, 4 * psize, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t va[4], dropped = ~0ULL, want;
	struct physmem_result res[4];
	long pins = pins_held();
	char *h;

	tap_require(thp != MAP_FAILED && small != MAP_FAILED,
		    "map 4 MiB and 4 pages");
	h = (char *)(((uintptr_t)thp + (2 << 20) - 1) & ~((2UL << 20) - 1));
	madvise(h, 2 << 20, MADV_HUGEPAGE);
	memset(h, 1, 2 << 20);
	memset(small, 1, 4 * psize);
	munmap(small + 2 * psize, psize); /* a hole */
	madvise(small + 3 * psize, psize, MADV_DONTNEED); /* dropped */
	va[0] = (uintptr_t)h + 5 * psize + 7;
	va[1] = (uintptr_t)small + 3 * psize;
	va[2] = (uintptr_t)small + 2 * psize;
	va[3] = 0xffff888000000000ULL;
	tap_require(!physmem_batch(fd, va, res, 4),
		    "XLATE_BATCH of 4 kinds of address");
	want = PM_PFN(pagemap_entry(va[0])) * psize + 7;
	if (!tap_ok(res[0].status == PHYSMEM_PRESENT &&
			    res[0].page_shift == 21 && res[0].paddr == want,
		    "XLATE_BATCH: a THP subpage: present, page_shift 21, pagemap's paddr"))
		tap_diag(
			"got: status %u, page_shift %u, paddr 0x%llx; wanted: %u, 21, 0x%llx",
			res[0].status, res[0].page_shift,
			(unsigned long long)res[0].paddr, PHYSMEM_PRESENT,
			(unsigned long long)want);
	tap_eq(res[1].status, PHYSMEM_NOT_PRESENT,
	       "  ... a dropped page (MADV_DONTNEED): not present");
	tap_eq(res[2].status, PHYSMEM_NO_VMA,
	       "  ... an unmapped address: no VMA");
	tap_eq(res[3].status, PHYSMEM_NO_VMA, "  ... a kernel address: no VMA");
	if (!tap_ok(!pagemap_read(0, va[1], &dropped) && !PM_PRESENT(dropped),
		    "  ... and the dropped page was not faulted back in"))
		tap_diag("got pagemap 0x%llx, wanted not present",
			 (unsigned long long)dropped);
	tap_eq(pins_held(), pins, "XLATE_BATCH pins nothing");
	munmap(thp, 4 << 20);
	munmap(small, 4 * psize);
}

/* XLATE_BATCH's argument checks: EINVAL and EFAULT. */
static void check_batch_args(int fd)
{
	struct physmem_result res[1];
	struct physmem_xlate_batch b = { 0 };
	uint64_t va[1] = { (uintptr_t)&b };
	char *gap = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);

	tap_require(gap != MAP_FAILED, "map a page");
	munmap(gap, psize); /* a hole */
	b.vaddrs = (uintptr_t)va;
	b.results = (uintptr_t)res;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b), EINVAL,
		  "XLATE_BATCH with count 0: EINVAL");
	b.count = PHYSMEM_BATCH_MAX + 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b), EINVAL,
		  "XLATE_BATCH with count above PHYSMEM_BATCH_MAX: EINVAL");
	b.count = 1;
	b.flags = 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b), EINVAL,
		  "XLATE_BATCH with flags: EINVAL");
	b.flags = 0;
	b.reserved[1] = 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b), EINVAL,
		  "XLATE_BATCH with a reserved field set: EINVAL");
	b.reserved[1] = 0;
	b.vaddrs = (uintptr_t)gap;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b), EFAULT,
		  "XLATE_BATCH with unmapped vaddrs: EFAULT");
	b.vaddrs = (uintptr_t)va;
	b.results = (uintptr_t)check_batch_args; /* read-only text */
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b), EFAULT,
		  "XLATE_BATCH with read-only results: EFAULT");
}

/*
 * XLATE_RANGE answers 2,048 pages per chunk (physmem.c,
 * PHYSMEM_RANGE_CHUNK): a range that starts inside a huge page and whose
 * chunk ends inside another one, every entry pagemap's frame.
 */
static void check_range_chunks(int fd)
{
	const size_t huge = 2UL << 20, pages = huge / psize;
	char *raw = mmap(NULL, 7 * huge, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *h;

	tap_require(raw != MAP_FAILED, "map 14 MiB");
	h = (char *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	madvise(h, 6 * huge, MADV_HUGEPAGE);
	memset(h, 1, 6 * huge);
	range_vs_pagemap(fd, h + 100 * psize, NULL, 5 * pages, 21,
			 "huge pages, a chunk ending inside one");
	munmap(raw, 7 * huge);
}

/* XLATE_RANGE's argument checks: EINVAL and EFAULT. */
static void check_range_args(int fd)
{
	struct physmem_xlate_range r = { 0 };
	uint64_t ent[2] = { 0 };
	char *page = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	tap_require(page != MAP_FAILED, "map a page");
	r.start = (uintptr_t)page;
	r.entries = (uintptr_t)ent;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE with count 0: EINVAL");
	r.count = PHYSMEM_BATCH_MAX + 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE with count above PHYSMEM_BATCH_MAX: EINVAL");
	r.count = 1;
	r.flags = 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE with flags: EINVAL");
	r.flags = 0;
	r.reserved[0] = 1;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE with a reserved field set: EINVAL");
	r.reserved[0] = 0;
	r.start = (uintptr_t)page + 8;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE with a start not page aligned: EINVAL");
	r.start = 0xffff888000000000ULL;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE of a kernel address: EINVAL");
	/* The last user page is fine alone, not with the one after it. */
	r.start = va_layout().limit - psize;
	tap_eq(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), 0,
	       "XLATE_RANGE of the last user page works");
	tap_eq(ent[0], PHYSMEM_NO_VMA, "  ... and says: no VMA");
	r.count = 2;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EINVAL,
		  "XLATE_RANGE beyond the user address space: EINVAL");
	r.start = (uintptr_t)page;
	r.count = 1;
	r.entries = (uintptr_t)check_range_args; /* read-only text */
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EFAULT,
		  "XLATE_RANGE with read-only entries: EFAULT");
	r.entries = 0;
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r), EFAULT,
		  "XLATE_RANGE with NULL entries: EFAULT");
	tap_errno(ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, NULL), EFAULT,
		  "XLATE_RANGE with a NULL argument: EFAULT");
	munmap(page, psize);
}

/*
 * Written pages paged out to swap (50-physmem.t turns on zram): their
 * entries carry pagemap's swap area and slot.
 */
static void check_range_swap(int fd)
{
	enum { N = 16 };
	char *p = mmap(NULL, N * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	tap_require(p != MAP_FAILED, "map %d pages", N);
	madvise(p, N * psize, MADV_NOHUGEPAGE);
	memset(p, 7, N * psize);
	if (access("/dev/zram0", F_OK) || madvise(p, N * psize, MADV_PAGEOUT))
		tap_skip("no swap on zram here",
			 "XLATE_RANGE of swapped pages");
	else
		tap_ok(range_vs_pagemap(fd, p, NULL, N, 0,
					"pages paged out to swap") > 0,
		       "  ... and some of them are in swap");
	munmap(p, N * psize);
}

static void check_batch(void)
{
	int fd = dev_open();

	check_batch_64m(fd);
	check_batch_kinds(fd);
	check_batch_args(fd);
	check_range_args(fd);
	check_range_chunks(fd);
	check_range_swap(fd);
	close(fd);
}

/*
 * XLATE_BATCH of @n addresses against /proc/self/pagemap, address by
 * address, read right after it: a present page must have pagemap's frame
 * (and the offset), anything else no frame; @holes (may be NULL) marks
 * the addresses that no VMA covers, which must say so.  One result line.
 */
static void batch_vs_pagemap(int fd, const uint64_t *va, const char *holes,
			     uint32_t n, const char *what)
{
	struct physmem_result *res = calloc(n, sizeof(*res));
	uint32_t i, bad = 0, first = n, present = 0;
	uint64_t pm = 0;
	int ret;

	tap_require(res != NULL, "allocate %u results", n);
	ret = physmem_batch(fd, va, res, n);
	if (ret) {
		tap_ok(0, "XLATE_BATCH, %s: the call works", what);
		tap_diag("got: %s", strerror(-ret));
		free(res);
		return;
	}
	for (i = 0; i < n; i++) {
		bool hole = holes && holes[i], ok;

		if (pagemap_read(0, va[i], &pm)) {
			ok = false;
		} else if (hole) {
			ok = res[i].status == PHYSMEM_NO_VMA;
		} else if (PM_PRESENT(pm) && PM_PFN(pm)) {
			ok = res[i].status == PHYSMEM_PRESENT &&
			     res[i].paddr == PM_PFN(pm) * psize + va[i] % psize;
			present += ok;
		} else {
			ok = res[i].status == PHYSMEM_NOT_PRESENT ||
			     res[i].status == PHYSMEM_SWAPPED;
		}
		if (!ok && !bad++)
			first = i;
	}
	if (!tap_ok(!bad && present,
		    "XLATE_BATCH, %s: each of %u answers is pagemap's", what,
		    n)) {
		tap_diag("%u wrong, %u present", bad, present);
		if (first < n)
			tap_diag(
				"first wrong: [%u] 0x%llx: got status %u paddr 0x%llx; pagemap 0x%llx%s",
				first, (unsigned long long)va[first],
				res[first].status,
				(unsigned long long)res[first].paddr,
				(unsigned long long)pagemap_entry(va[first]),
				holes && holes[first] ? " (no VMA there)" : "");
	}
	free(res);
}

/*
 * XLATE_BATCH cuts its input into runs of neighbouring addresses and walks
 * each run once (2_I/physmem.c, physmem_translate()).  The shapes that
 * make or break a run must give what an address-by-address answer gives.
 */
static void check_batch_runs(void)
{
	enum { PAGES = 64, HUGE = 2 << 20 };
	size_t len = (size_t)PAGES * psize;
	char *two = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *thp = mmap(NULL, 4 * HUGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *va = calloc(4 * PAGES + 1024, sizeof(*va));
	char *holes = calloc(4 * PAGES + 1024, 1);
	int fd = dev_open(), i, n;
	volatile char sink;
	char *h;

	tap_require(two != MAP_FAILED && thp != MAP_FAILED && va && holes,
		    "set up the XLATE_BATCH run cases (mmap, calloc)");
	/*
	 * Two VMAs side by side (the second made read-only), then a hole:
	 * one ascending sweep across both and into the hole.  Half the pages
	 * written, the read-only half read (the zero page), some untouched.
	 */
	madvise(two, 2 * len, MADV_NOHUGEPAGE);
	for (i = 0; i < 2 * PAGES; i += 2)
		two[(size_t)i * psize] = 1;
	mprotect(two + len, len, PROT_READ);
	munmap(two + len + len / 2, len / 2);
	for (i = PAGES; i < PAGES + PAGES / 4; i++)
		sink = two[(size_t)i * psize];
	(void)sink;
	for (n = 0; n < 2 * PAGES; n++) {
		va[n] = (uintptr_t)two + (size_t)n * psize + n;
		holes[n] = n >= PAGES + PAGES / 2;
	}
	batch_vs_pagemap(fd, va, holes, n,
			 "one run across two VMAs and into a hole");
	range_vs_pagemap(fd, two, holes, n, 12,
			 "two VMAs and a hole, 4K pages");

	/* The same addresses in descending order, and each one twice. */
	for (i = 0; i < n; i++) {
		va[2 * n - 1 - i] = va[i];
		holes[2 * n - 1 - i] = holes[i];
	}
	batch_vs_pagemap(fd, va + n, holes + n, n, "descending addresses");
	for (i = 0; i < n; i++) {
		va[2 * i] = va[2 * i + 1] =
			(uintptr_t)two + (size_t)i * psize + i;
		holes[2 * i] = holes[2 * i + 1] = i >= PAGES + PAGES / 2;
	}
	batch_vs_pagemap(fd, va, holes, 2 * n, "every address twice in a row");

	/*
	 * Two transparent huge pages, the second split in its middle (one
	 * 4K page dropped: its PMD becomes a PTE table): one run over both,
	 * every 4K page and a byte inside it.
	 */
	h = (char *)(((uintptr_t)thp + HUGE - 1) & ~((uintptr_t)HUGE - 1));
	madvise(h, 2 * HUGE, MADV_HUGEPAGE);
	memset(h, 1, 2 * HUGE);
	madvise(h + HUGE + HUGE / 2, psize, MADV_DONTNEED);
	/*
	 * khugepaged would collapse the split one again (one empty PTE is
	 * within its max_ptes_none) into a new huge page between our answer
	 * and pagemap's: not in this process until the checks are done
	 * (MMF_DISABLE_THP, which hugepage_vma_check() honours).
	 */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	for (n = 0; n < 2 * HUGE / psize && n < 4 * PAGES + 1024; n++) {
		va[n] = (uintptr_t)h + (size_t)n * psize + 3;
		holes[n] = 0;
	}
	batch_vs_pagemap(fd, va, NULL, n,
			 "one run over a huge page and a split one");
	range_vs_pagemap(fd, h, NULL, HUGE / psize, 21, "a huge page");
	range_vs_pagemap(fd, h + 100 * psize, NULL, n - 100, 0,
			 "from inside a huge page over a split one");
	range_vs_pagemap(
		fd, h + 2 * HUGE - 8 * psize, NULL, 16, 0,
		"across the end of the split one, into untouched pages");
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	close(fd);
	munmap(two, len + len / 2);
	munmap(thp, 4 * HUGE);
	free(va);
	free(holes);
}

/* 4 processes x 10,000 XLATE + WRITE on their own pages, all at once. */
static void check_stress(void)
{
	int i, status, ok = 0;
	pid_t pids[4];

	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			unsigned char *p =
				mmap(NULL, 64 * psize, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			int fd = dev_open(), n, bad = 0;
			uint64_t paddr;

			for (n = 0; n < 10000; n++) {
				unsigned char *b =
					p + (n % 64) * psize + n % 4000;

				if (physmem_xlate(fd, b, &paddr) ||
				    physmem_poke(fd, paddr, n & 0xff) ||
				    *b != (n & 0xff))
					bad++;
			}
			_exit(bad ? 1 : 0);
		}
	}
	for (i = 0; i < 4; i++) {
		waitpid(pids[i], &status, 0);
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	tap_eq(ok, 4,
	       "4 processes x 10,000 XLATE+WRITE: every write landed (processes)");
}

/* --- Many threads on one process's files. -------------------------- */

#define RACE_ADDR ((char *)0x200000000000UL)
#define RACE_PAGES 16

struct thr {
	int fd; /* shared by some workers, owned by others */
	unsigned int seed;
	long calls;
	long errs[256]; /* errno histogram (0: success) */
	long wrong; /* answers that contradict pagemap */
	long frames, gone; /* the racer's XLATEs: a frame; ENXIO or EAGAIN */
};

static volatile int thr_stop;

/* Count one call that returned @ret: 0 or -errno. */
static void thr_count(struct thr *t, int ret)
{
	t->calls++;
	t->errs[-ret & 255]++;
}

/*
 * XLATE, WRITE and XLATE_BATCH on the thread's own 16 pages: every answer
 * must be pagemap's, every byte written must be read back.
 */
static void *thr_worker(void *arg)
{
	struct thr *t = arg;
	unsigned char *buf = mmap(NULL, 16 * psize, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t va[16];
	struct physmem_result res[16];
	int i;

	tap_require(buf != MAP_FAILED, "map 16 pages");

	memset(buf, 1, 16 * psize);
	for (i = 0; i < 16; i++)
		va[i] = (uintptr_t)buf + i * psize + 5;
	while (!thr_stop) {
		unsigned char *b = buf + rand_r(&t->seed) % (16 * psize);
		unsigned char v = rand_r(&t->seed);
		uint64_t pa = 0, pm = pagemap_entry((uintptr_t)b);
		int ret = physmem_xlate(t->fd, b, &pa);

		thr_count(t, ret);
		if (ret)
			continue;
		t->wrong += !PM_PFN(pm) ||
			    pa != PM_PFN(pm) * psize + (uintptr_t)b % psize;
		ret = physmem_poke(t->fd, pa, v);
		thr_count(t, ret);
		t->wrong += !ret && *b != v;
		if (rand_r(&t->seed) % 8)
			continue;
		ret = physmem_batch(t->fd, va, res, 16);
		thr_count(t, ret);
		for (i = 0; !ret && i < 16; i++) {
			pm = pagemap_entry(va[i]);
			t->wrong += res[i].status != PHYSMEM_PRESENT ||
				    !PM_PFN(pm) ||
				    res[i].paddr != PM_PFN(pm) * psize + 5;
		}
	}
	munmap(buf, 16 * psize);
	return NULL;
}

/* Maps and unmaps RACE_ADDR as fast as it can, touching it each time. */
static void *thr_mapper(void *arg)
{
	struct thr *t = arg;

	while (!thr_stop) {
		char *p = mmap(
			RACE_ADDR, RACE_PAGES * psize, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			0);

		thr_count(t, p == MAP_FAILED ? -errno : 0);
		if (p == MAP_FAILED)
			continue;
		memset(p, 2, RACE_PAGES * psize);
		munmap(p, RACE_PAGES * psize);
	}
	return NULL;
}

/*
 * XLATE and XLATE_BATCH of RACE_ADDR while the mapper unmaps it: a frame,
 * or ENXIO (no mapping), or EAGAIN (it changed meanwhile).  The file is
 * reopened now and then, which drops its pins on pages long unmapped.
 */
static void *thr_racer(void *arg)
{
	struct thr *t = arg;
	uint64_t va[RACE_PAGES];
	struct physmem_result res[RACE_PAGES];
	int i;

	for (i = 0; i < RACE_PAGES; i++)
		va[i] = (uintptr_t)RACE_ADDR + i * psize;
	while (!thr_stop) {
		char *b = RACE_ADDR + rand_r(&t->seed) % (RACE_PAGES * psize);
		int ret = physmem_xlate(t->fd, b, NULL);

		thr_count(t, ret);
		if (!ret)
			__atomic_add_fetch(&t->frames, 1, __ATOMIC_RELAXED);
		else if (ret == -ENXIO || ret == -EAGAIN)
			__atomic_add_fetch(&t->gone, 1, __ATOMIC_RELAXED);
		thr_count(t, physmem_batch(t->fd, va, res, RACE_PAGES));
		if (t->calls % 1000 == 0) {
			close(t->fd);
			t->fd = dev_open();
		}
	}
	return NULL;
}

/* Print a thread's errno histogram; the number of errors other than @ok1, @ok2. */
static long thr_report(const char *who, const struct thr *t, int ok1, int ok2)
{
	long unexpected = 0;
	int e;

	tap_diag("%s: %ld calls", who, t->calls);
	for (e = 0; e < 256; e++) {
		if (!t->errs[e])
			continue;
		tap_diag("  %8ld  %s", t->errs[e], errno_name(e));
		if (e && e != ok1 && e != ok2)
			unexpected += t->errs[e];
	}
	return unexpected;
}

/*
 * Six workers on their own pages, the mapper and the racer, for @seconds
 * and then until the racer has seen both a frame and the range gone (at
 * most a minute more): a race that never happened proves nothing.
 */
static void check_threads(int seconds)
{
	enum { WORKERS = 6, N = WORKERS + 2, RACER = N - 1, MORE = 60 };
	struct thr t[N] = { 0 };
	long pins = pins_held(), calls = 0, failed = 0;
	int shared = dev_open(), i, waited = 0;
	pthread_t tid[N];
	char who[32];

	for (i = 0; i < N; i++) {
		/* Half the workers share one file; pins meet in its xarray. */
		t[i].fd = i < WORKERS && i % 2 ? shared : dev_open();
		t[i].seed = i + 1;
		pthread_create(&tid[i], NULL,
			       i < WORKERS  ? thr_worker :
			       i == WORKERS ? thr_mapper :
					      thr_racer,
			       &t[i]);
	}
	sleep(seconds);
	while (waited < MORE &&
	       (!__atomic_load_n(&t[RACER].frames, __ATOMIC_RELAXED) ||
		!__atomic_load_n(&t[RACER].gone, __ATOMIC_RELAXED))) {
		sleep(1);
		waited++;
	}
	thr_stop = 1;
	for (i = 0; i < N; i++) {
		pthread_join(tid[i], NULL);
		if (t[i].fd != shared)
			close(t[i].fd);
	}
	close(shared);

	/* The workers' pages are always mapped: any error at all is wrong. */
	for (i = 0; i < WORKERS; i++) {
		snprintf(who, sizeof(who), "worker %d", i);
		if (thr_report(who, &t[i], 0, 0) || t[i].wrong || !t[i].calls) {
			failed++;
			tap_diag("  %ld answers differ from pagemap",
				 t[i].wrong);
		}
		calls += t[i].calls;
	}
	tap_ok(!failed,
	       "%d workers, %d s: %ld ioctls on their own pages, every one answered and as pagemap says",
	       WORKERS, seconds + waited, calls);
	tap_diag("mapper: %ld mmaps (%ld failed)", t[WORKERS].calls,
		 t[WORKERS].calls - t[WORKERS].errs[0]);
	failed = thr_report("racer", &t[RACER], ENXIO, EAGAIN);
	if (!tap_ok(!failed && t[RACER].frames && t[RACER].gone,
		    "the racer's XLATEs into the range being unmapped: %ld frames, %ld ENXIO or EAGAIN (each needed), nothing else",
		    t[RACER].frames, t[RACER].gone))
		tap_diag("%ld unexpected errors; waited %d s more for the race",
			 failed, waited);
	tap_eq(pins_held(), pins,
	       "  ... and closing the files released every pin");
}

/* --- A file on a real filesystem (ext4, the guest's disk). ----------- */

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3", 1) != 1)
		tap_diag("cannot drop the page cache: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* How many bytes of @path's first page, as the disk holds them, are not @c. */
static long bytes_not(const char *path, char c)
{
	char buf[65536];
	long n, i, bad = 0;
	int fd;

	drop_caches();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, psize);
	if (n != psize)
		return -1;
	for (i = 0; i < n; i++)
		bad += buf[i] != c;
	close(fd);
	return bad;
}

/* XLATE of @p must give pagemap's frame (read after, as XLATE may COW). */
static uint64_t xlate_as_pagemap(int fd, volatile char *p, const char *name)
{
	uint64_t paddr = 0;

	int ret = physmem_xlate(fd, (void *)p, &paddr);

	if (ret) {
		tap_ok(0, "%s: XLATE translates: %s", name, strerror(-ret));
		return 0;
	}
	tap_eq(paddr,
	       PM_PFN(pagemap_entry((uintptr_t)p)) * psize +
		       (uintptr_t)p % psize,
	       "%s: XLATE gives pagemap's paddr", name);
	return paddr;
}

/*
 * A page of an ext4 file, mapped shared and writable, private and
 * writable, and read-only.  Only the private copy may be written; the
 * file on the disk must keep its bytes.
 */
static void check_disk(const char *dir)
{
	volatile char *shared, *priv, *ro;
	char path[4096], line[512] = "";
	int fd = dev_open(), kmsg = kmsg_open(), ffd, ret;
	char page[65536];
	uint64_t paddr;

	snprintf(path, sizeof(path), "%s/physmem-file", dir);
	memset(page, 'A', psize);
	ffd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (ffd < 0 || write(ffd, page, psize) != psize || fsync(ffd)) {
		tap_ok(0, "a page of 'A' in %s: %s", path, strerror(errno));
		return;
	}
	shared = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	priv = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd, 0);
	ro = mmap(NULL, psize, PROT_READ, MAP_SHARED, ffd, 0);
	tap_require(shared != MAP_FAILED && priv != MAP_FAILED &&
			    ro != MAP_FAILED,
		    "map the file shared, private and read-only");

	paddr = xlate_as_pagemap(fd, shared + 5,
				 "a shared writable ext4 mapping");
	tap_fails_with(physmem_poke(fd, paddr, 'X'), EACCES,
		       "  ... but WRITE to it is refused: EACCES");
	if (!tap_ok(!kmsg_grep(kmsg, "a shared file page", line, sizeof(line)),
		    "  ... and logged"))
		tap_diag("no \"a shared file page\" in the kernel log");
	tap_diag("the log line: %s", line);
	tap_eq(shared[5], 'A', "  ... and the byte reads 'A' still");

	paddr = xlate_as_pagemap(fd, priv + 7,
				 "a private writable ext4 mapping");
	ret = physmem_poke(fd, paddr, 'B');
	if (!tap_ok(!ret && priv[7] == 'B',
		    "  ... WRITE stores 'B' in the private copy"))
		tap_diag("got: %s, '%c'; wanted: success, 'B'",
			 ret ? strerror(-ret) : "success", priv[7]);
	tap_eq(shared[7], 'A', "  ... which the shared mapping does not see");

	paddr = xlate_as_pagemap(fd, ro + 9, "a read-only ext4 mapping");
	tap_fails_with(physmem_poke(fd, paddr, 'C'), EACCES,
		       "  ... but WRITE to it is refused: EACCES");

	close(fd);
	close(kmsg);
	munmap((void *)shared, psize);
	munmap((void *)priv, psize);
	munmap((void *)ro, psize);
	close(ffd);
	tap_eq(bytes_not(path, 'A'), 0,
	       "after close, sync and drop_caches: bytes of the file on disk other than 'A'");
	unlink(path);
}

/* --- RLIMIT_MEMLOCK: pins count as locked memory. ----------------- */

/* Drop CAP_IPC_LOCK, keep the rest: root, but bound by RLIMIT_MEMLOCK. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1U << CAP_IPC_LOCK);
	d[0].permitted &= ~(1U << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

static void check_memlock(void)
{
	enum { N = 16 };
	char *p = mmap(NULL, (N + 1) * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long lck = vmlck(), pins = pins_held();
	struct rlimit rl;
	int fd = dev_open(), fails = 0, i;

	tap_require(p != MAP_FAILED, "map %d pages", N + 1);

	madvise(p, (N + 1) * psize, MADV_NOHUGEPAGE);
	rl.rlim_cur = rl.rlim_max = lck * 1024 + N * psize;
	if (!tap_ok(!drop_ipc_lock() && !setrlimit(RLIMIT_MEMLOCK, &rl),
		    "root without CAP_IPC_LOCK, RLIMIT_MEMLOCK %ld kB more than VmLck",
		    N * psize / 1024))
		tap_diag("capset or setrlimit: %s", strerror(errno));
	for (i = 0; i < N; i++)
		fails += physmem_xlate(fd, p + i * psize, NULL) != 0;
	tap_eq(fails, 0, "XLATE of %d pages: failures", N);
	tap_eq(vmlck() - lck, N * psize / 1024, "  ... VmLck grew by (kB)");
	tap_fails_with(physmem_xlate(fd, p + N * psize, NULL), ENOMEM,
		       "  ... one page more: ENOMEM");
	tap_eq(physmem_xlate(fd, p, NULL), 0,
	       "  ... a page already pinned needs no more: XLATE returns");
	tap_eq(pins_held() - pins, N, "  ... pins held");
	close(fd);
	tap_eq(vmlck(), lck, "close gives the locked memory back (VmLck, kB)");
	munmap(p, (N + 1) * psize);
}

/* --- A waiter for the file's lock can be killed. -------------------- */

/* /proc/PID/wchan: where @pid sleeps. */
static void wchan(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* The holder: XLATE whose argument faults on a userfaultfd nobody serves. */
static void holder_blocks(int fd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	char *p = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	tap_require(p != MAP_FAILED, "map a page for userfaultfd");

	reg.range.start = (uintptr_t)p;
	reg.range.len = psize;
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg))
		_exit(100);
	ioctl(fd, PHYSMEM_IOC_XLATE, p);
	_exit(0);
}

/* Wait up to @ms for @pid to end; its status, or -1. */
static int reap_within(pid_t pid, int ms)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };
	int status, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nanosleep(&t, NULL);
	}
	return -1;
}

static void check_killable(void)
{
	int fd = dev_open(), status, i;
	pid_t holder, waiter;
	char where[128] = "";
	uint64_t mine = 0;

	holder = fork();
	if (holder == 0)
		holder_blocks(fd);
	for (i = 0; i < 500 && !strstr(where, "userfault"); i++) {
		status = reap_within(holder, 10);
		if (status >= 0) {
			tap_skip(
				"no userfaultfd in this kernel",
				"a call waiting for the file's lock dies at SIGKILL");
			close(fd);
			return;
		}
		wchan(holder, where, sizeof(where));
	}
	tap_diag("the holder sleeps in %s", where);
	waiter = fork();
	if (waiter == 0)
		_exit(physmem_xlate(fd, &mine, NULL) ? 1 : 0);
	usleep(300 * 1000);
	wchan(waiter, where, sizeof(where));
	tap_diag("the waiter sleeps in %s", where);
	kill(waiter, SIGKILL);
	status = reap_within(waiter, 5000);
	if (!tap_ok(status >= 0 && WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGKILL,
		    "a call waiting for the file's lock dies at SIGKILL, at once"))
		tap_diag("status %#x after 5 s (-1: still there)", status);
	kill(holder, SIGKILL);
	if (!tap_ok(reap_within(holder, 5000) >= 0,
		    "  ... and so does the holder, blocked on its userfaultfd"))
		tap_diag("got: still there after 5 s; wanted: reaped");
	if (status < 0)
		waitpid(waiter, NULL, 0);
	close(fd);
}

int main(int argc, char **argv)
{
	psize = sysconf(_SC_PAGESIZE);
	if (argc > 2 && !strcmp(argv[1], "disk")) {
		check_disk(argv[2]);
		return tap_done();
	}
	if (argc > 1 && !strcmp(argv[1], "memlock")) {
		check_memlock();
		return tap_done();
	}
	if (argc > 1 && !strcmp(argv[1], "killable")) {
		check_killable();
		return tap_done();
	}
	if (argc > 2 && !strcmp(argv[1], "threads")) {
		check_threads(atoi(argv[2]));
		return tap_done();
	}
	if (argc > 1 && !strcmp(argv[1], "stress")) {
		check_stress();
		return tap_done();
	}
	check_happy_path();
	check_refusals();
	check_fork();
	check_unprivileged();
	check_pins();
	check_batch();
	check_batch_runs();
	return tap_done();
}
