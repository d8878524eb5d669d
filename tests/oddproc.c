// SPDX-License-Identifier: GPL-2.0
/*
 * oddproc WORD... - a process with the odd names and odd memory that
 * KernelPeek's modules must report right, for the lkm1, lkm2 and lkm4
 * tests.  Each WORD adds one thing:
 *
 *	comm=NAME	the task's name is NAME (prctl(PR_SET_NAME)); it may
 *			hold a newline or a backslash
 *	file=PATH	PATH is created, one page long, and mapped read-only
 *	anon=NAME	two anonymous pages named NAME (prctl(PR_SET_VMA)),
 *			as /proc/PID/maps shows them: [anon:NAME]
 *	brk		a read-only page mapped right at the program break, a
 *			VMA that starts at mm->brk (6.1 calls it [heap])
 *	hwpoison	a written page poisoned with madvise(MADV_HWPOISON)
 *	thpnone		a transparent huge page, written, then made PROT_NONE
 *			(thpnone=ENOMEM: no THP was given)
 *	devmem		a private writable mapping of a page of /dev/mem,
 *			written: a raw PFN mapping (VM_PFNMAP) holding an
 *			anonymous copy (devmem=ENODEV off x86-64)
 *	sparse=GIB	1 TiB of address space (MAP_NORESERVE), one page
 *			read every 2 MiB of its first GIB GiB: a PTE table
 *			for each 2 MiB, mapping the shared zero page, and
 *			nothing behind the rest
 *	fmap=PATH	the existing file PATH mapped whole (shared,
 *			read-only), MADV_RANDOM (no readahead: one page read
 *			per fault), every page read once, then the last page
 *			unmapped again (MADV_DONTNEED) so that it can leave
 *			the page cache
 *	spin		spin on the CPU (stay runnable) instead of sleeping
 *
 * It prints one "NAME=0xADDRESS" line per mapping, "NAME=ERRNO" for one
 * the kernel refused (say anon=EINVAL without CONFIG_ANON_VMA_NAME), then
 * "ready", and lives until its standard input reaches end of file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kmod.h"
#include "truth.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define GIB (1UL << 30)
#define TIB (1UL << 40)
#define HUGE_STEP (2UL << 20)

static long psize;

/* Print what a step did: the address, or (@err is -errno) the errno's name. */
static void report(const char *what, void *addr, int err)
{
	if (err)
		printf("%s=%s\n", what, errno_name(-err));
	else
		printf("%s=0x%lx\n", what, (unsigned long)addr);
}

static void *map(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void map_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	void *p = MAP_FAILED;

	if (fd >= 0 && ftruncate(fd, psize) == 0)
		p = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	report("file", p, p == MAP_FAILED ? -errno : 0);
	if (fd >= 0)
		close(fd);
}

static void map_named(const char *name)
{
	char *p = map(2 * psize, PROT_READ | PROT_WRITE, 0);
	int err = 0;

	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, 2 * psize,
		  (unsigned long)name))
		err = -errno;
	report("anon", p, err);
}

/* Read-only, so that it does not merge with the read-write heap. */
static void map_at_brk(void)
{
	void *brk = sbrk(0), *p;

	p = mmap(brk, psize, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	report("brk", p, p == MAP_FAILED ? -errno : 0);
}

static void on_sigbus(int sig)
{
	(void)sig;
}

/*
 * 6.12 treats MADV_HWPOISON as an error the caller hit, and sends it
 * SIGBUS (kill_proc() in mm/memory-failure.c) on the way out of madvise():
 * a handler takes it, the default would kill us.
 */
static void poison(void)
{
	char *p = map(psize, PROT_READ | PROT_WRITE, 0);
	int err = 0;

	signal(SIGBUS, on_sigbus);
	madvise(p, psize, MADV_NOHUGEPAGE);
	p[0] = 1;
	if (madvise(p, psize, MADV_HWPOISON))
		err = -errno;
	report("hwpoison", p, err);
}

/*
 * 6.1's smaps leaves a PROT_NONE THP out of every field (its PMD is
 * pmd_protnone(): follow_trans_huge_pmd(FOLL_DUMP) returns NULL), 6.12's
 * counts it.
 */
static void thp_none(void)
{
	char *raw = map(2 * HUGE_STEP, PROT_READ | PROT_WRITE, 0);
	char *p = (char *)(((uintptr_t)raw + HUGE_STEP - 1) & ~(HUGE_STEP - 1));
	int err = 0;

	madvise(p, HUGE_STEP, MADV_HUGEPAGE);
	memset(p, 1, HUGE_STEP);
	if (smaps_vma_kb((uintptr_t)p, "AnonHugePages") <
	    (long)(HUGE_STEP >> 10))
		err = -ENOMEM;
	else if (mprotect(p, HUGE_STEP, PROT_NONE))
		err = -errno;
	report("thpnone", p, err);
}

/*
 * A write to a private mapping of /dev/mem copies the page into an
 * anonymous one of ours, in a raw PFN mapping (VM_PFNMAP), which 6.1's
 * smaps never walks (walk_page_test()) and 6.12's does.  The page at
 * 0xf0000 is the BIOS's, in the first MiB that x86's devmem_is_allowed()
 * lets /dev/mem map, and reading it does nothing (a device's registers
 * could).
 */
static void devmem(void)
{
#ifdef __x86_64__
	int fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	char *p = MAP_FAILED;
	int err = 0;

	if (fd >= 0)
		p = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
			 0xf0000);
	if (p == MAP_FAILED)
		err = -errno;
	else
		p[0] ^= 1;
	if (fd >= 0)
		close(fd);
	report("devmem", p, err);
#else
	report("devmem", NULL, -ENODEV);
#endif
}

/* A read maps the zero page: page tables, and no memory behind them. */
static void map_sparse(unsigned long gib)
{
	volatile char *p = map(TIB, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	unsigned long off;
	char sink = 0;

	madvise((void *)p, TIB, MADV_NOHUGEPAGE);
	for (off = 0; off < gib * GIB && off < TIB; off += HUGE_STEP)
		sink += p[off];
	(void)sink;
	report("sparse", (void *)p, 0);
}

static void map_whole_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	volatile char *p = MAP_FAILED;
	off_t size = fd < 0 ? 0 : lseek(fd, 0, SEEK_END);
	char sink = 0;
	off_t off;

	if (size >= psize)
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		report("fmap", (void *)p,
		       fd < 0 || size >= psize ? -errno : -EINVAL);
		return;
	}
	madvise((void *)p, size, MADV_RANDOM);
	for (off = 0; off < size; off += psize)
		sink += p[off];
	(void)sink;
	madvise((void *)(p + size - psize), psize, MADV_DONTNEED);
	report("fmap", (void *)p, 0);
	printf("fmap_pages=%ld\n", (long)(size / psize));
	close(fd);
}

/* Wait for end of file on stdin, spinning or sleeping. */
static void wait_eof(int spin)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char buf[64];

	for (;;) {
		if (poll(&pfd, 1, spin ? 0 : -1) > 0 &&
		    read(0, buf, sizeof(buf)) <= 0)
			return;
	}
}

int main(int argc, char **argv)
{
	int i, spin = 0;

	psize = sysconf(_SC_PAGESIZE);
	for (i = 1; i < argc; i++) {
		const char *w = argv[i], *v = strchr(w, '=');

		v = v ? v + 1 : "";
		if (!strncmp(w, "comm=", 5))
			prctl(PR_SET_NAME, (unsigned long)v);
		else if (!strncmp(w, "file=", 5))
			map_file(v);
		else if (!strncmp(w, "anon=", 5))
			map_named(v);
		else if (!strcmp(w, "brk"))
			map_at_brk();
		else if (!strcmp(w, "hwpoison"))
			poison();
		else if (!strcmp(w, "thpnone"))
			thp_none();
		else if (!strcmp(w, "devmem"))
			devmem();
		else if (!strncmp(w, "sparse=", 7))
			map_sparse(strtoul(v, NULL, 0));
		else if (!strncmp(w, "fmap=", 5))
			map_whole_file(v);
		else if (!strcmp(w, "spin"))
			spin = 1;
		else {
			fprintf(stderr, "oddproc: unknown word %s (see %s)\n",
				w, __FILE__);
			return 2;
		}
	}
	printf("ready\n");
	fflush(stdout);
	wait_eof(spin);
	return 0;
}
