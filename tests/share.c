// SPDX-License-Identifier: GPL-2.0
/*
 * share SCENARIO [DIR] - processes that share memory, for lkm4's smaps
 * fields (tests/44-lkm4-share.t).  SCENARIO is one of:
 *
 *	cow	a parent and 3 children share 4 MiB of written anonymous
 *		memory (copy-on-write); stage "written": children 1 and 2
 *		write 1 and 2 MiB of it, child 3 nothing
 *	files	a parent and a child map one shmem file (a memfd, 1 MiB,
 *		written) and one file in DIR (1 MiB written and synced, then
 *		mapped shared: read, its first 64 KiB written; and privately:
 *		read, its first 16 pages written, which copies them)
 *	thp	a parent and a child share two transparent huge pages
 *		(MADV_HUGEPAGE), the first mapped by its PMD, the second by
 *		PTEs (mprotect() of its first page splits the PMD); stage
 *		"written": the child writes a page of each
 *	ksm	a process with 128 pages of one content, 128 of another and
 *		64 different ones, MADV_MERGEABLE (the test runs ksmd)
 *	swap	(swap on) 2 MiB of anonymous memory, the first half paged
 *		out (MADV_PAGEOUT) before a child is forked, so that the
 *		child shares its swap slots; the child writes 256 KiB of the
 *		second half (its own copies) and pages them out.  A shmem
 *		file (memfd, 1 MiB) is written and paged out through a
 *		shared mapping, then mapped privately and writable: 16 pages
 *		written (copied), 16 read, the rest left in swap
 *
 * It prints "pids PID..." (itself first), then "ready STAGE" each time a
 * stage is set up: "ready start", and, for cow and thp, "ready written"
 * after the next line on its standard input.  At end of file it kills its
 * children and exits.  Every process waits in read() while it is looked
 * at: its memory does not change.  All run on CPU 0, so that the pages
 * they fault in are on the LRU list MADV_PAGEOUT drains.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define KB 1024UL
#define MB (1024 * KB)
#define THP (2 * MB)
#define MAX_KIDS 3

static long psize;
static char *anon, *shm, *fshared, *fpriv, *huge;
static char fpath[4096];

static struct {
	pid_t pid;
	int cmd; /* write end of its command pipe */
} kids[MAX_KIDS];
static int nkids, ack[2];

/* What child @i does when told to (every scenario has one thing). */
static void (*kid_action)(int i);

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *map(size_t len, int prot, int flags, int fd)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static char *map_anon(size_t len, int advice)
{
	char *p = map(len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1);

	if (advice >= 0 && madvise(p, len, advice))
		die("madvise");
	return p;
}

/* Write every page of [p, p + len): a word that differs from page to page. */
static void fill(char *p, size_t len, unsigned long seed)
{
	for (size_t off = 0; off < len; off += psize)
		*(volatile unsigned long *)(p + off) = seed + off;
}

/* Read every page of [p, p + len). */
static void touch(const char *p, size_t len)
{
	for (size_t off = 0; off < len; off += psize)
		(void)*(volatile const char *)(p + off);
}

/* Page out [p, p + len), twice: a page on its way to the LRU is missed. */
static void pageout(char *p, size_t len)
{
	if (madvise(p, len, MADV_PAGEOUT) || madvise(p, len, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)");
}

static int memfd(size_t len)
{
	int fd = syscall(SYS_memfd_create, "kp-share", 0);

	if (fd < 0 || ftruncate(fd, len))
		die("memfd_create");
	return fd;
}

/* A child: do what the parent says, acknowledge, until it goes. */
static void kid_loop(int i, int cmd)
{
	char c;

	while (read(cmd, &c, 1) == 1) {
		kid_action(i);
		if (write(ack[1], "k", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static void spawn(int n)
{
	int p[2];

	if (pipe(ack))
		die("pipe");
	for (nkids = 0; nkids < n; nkids++) {
		if (pipe(p))
			die("pipe");
		kids[nkids].pid = fork();
		if (kids[nkids].pid < 0)
			die("fork");
		if (kids[nkids].pid == 0) {
			close(p[1]);
			kid_loop(nkids, p[0]);
		}
		close(p[0]);
		kids[nkids].cmd = p[1];
	}
}

/* Tell child @i to do @c, and wait until it has. */
static void tell(int i, char c)
{
	char a;

	if (write(kids[i].cmd, &c, 1) != 1 || read(ack[0], &a, 1) != 1)
		die("child");
}

static void ready(const char *stage)
{
	printf("ready %s\n", stage);
	fflush(stdout);
}

/* Wait for a line; 0 at end of file. */
static int next(void)
{
	char line[64];

	return fgets(line, sizeof(line), stdin) != NULL;
}

static void cow_kid(int i)
{
	if (i < 2)
		fill(anon, (i + 1) * MB, 0x1000 * (i + 1));
}

static void files_kid(int i)
{
	(void)i;
	touch(shm, MB);
	touch(fshared, MB);
	touch(fpriv, MB);
}

static void thp_kid(int i)
{
	(void)i;
	fill(huge + 10 * psize, psize, 0x77);
	fill(huge + THP + 20 * psize, psize, 0x78);
}

static void swap_kid(int i)
{
	(void)i;
	fill(anon + MB, 256 * KB, 0x99);
	pageout(anon + MB, 256 * KB);
}

static void cow(void)
{
	anon = map_anon(4 * MB, MADV_NOHUGEPAGE);
	fill(anon, 4 * MB, 1);
	kid_action = cow_kid;
	spawn(3);
}

static void files(const char *dir)
{
	int fd = memfd(MB), ffd;
	char *buf;

	shm = map(MB, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	fill(shm, MB, 2);
	snprintf(fpath, sizeof(fpath), "%s/kp-share.dat", dir);
	ffd = open(fpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	buf = calloc(1, MB);
	if (ffd < 0 || !buf)
		die(fpath);
	fill(buf, MB, 3);
	if (write(ffd, buf, MB) != (ssize_t)MB || fsync(ffd))
		die("write");
	free(buf);
	fshared = map(MB, PROT_READ | PROT_WRITE, MAP_SHARED, ffd);
	touch(fshared, MB);
	fill(fshared, 64 * KB, 4);
	fpriv = map(MB, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd);
	touch(fpriv, MB);
	fill(fpriv, 16 * psize, 5);
	kid_action = files_kid;
	spawn(1);
	tell(0, 'r');
}

static void thp(void)
{
	char *raw = map_anon(4 * THP, -1);

	huge = (char *)(((uintptr_t)raw + THP - 1) & ~(THP - 1));
	if (madvise(huge, 2 * THP, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	fill(huge, 2 * THP, 6);
	/* The second huge page's PMD is split: PTEs map the huge page. */
	if (mprotect(huge + THP, psize, PROT_READ))
		die("mprotect");
	kid_action = thp_kid;
	spawn(1);
}

static void ksm(void)
{
	anon = map_anon(2 * MB, MADV_NOHUGEPAGE);
	memset(anon, 'a', 128 * psize);
	memset(anon + 128 * psize, 'b', 128 * psize);
	fill(anon + 256 * psize, 64 * psize, 7);
	if (madvise(anon, 2 * MB, MADV_MERGEABLE))
		die("madvise(MADV_MERGEABLE)");
}

static void swap(void)
{
	int fd = memfd(MB);
	char *priv;

	anon = map_anon(2 * MB, MADV_NOHUGEPAGE);
	fill(anon, 2 * MB, 8);
	pageout(anon, MB);
	shm = map(MB, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	fill(shm, MB, 9);
	pageout(shm, MB);
	priv = map(MB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	fill(priv, 16 * psize, 10);
	touch(priv + 16 * psize, 16 * psize);
	kid_action = swap_kid;
	spawn(1);
	tell(0, 'p');
}

static void finish(void)
{
	for (int i = 0; i < nkids; i++) {
		kill(kids[i].pid, SIGKILL);
		waitpid(kids[i].pid, NULL, 0);
	}
	if (fpath[0])
		unlink(fpath);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	cpu_set_t cpu;

	psize = sysconf(_SC_PAGESIZE);
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu))
		die("sched_setaffinity");
	if (!strcmp(what, "cow"))
		cow();
	else if (!strcmp(what, "files") && argc > 2)
		files(argv[2]);
	else if (!strcmp(what, "thp"))
		thp();
	else if (!strcmp(what, "ksm"))
		ksm();
	else if (!strcmp(what, "swap"))
		swap();
	else {
		fprintf(stderr,
			"usage: share cow|files DIR|thp|ksm|swap (see share.c)\n");
		return 2;
	}
	printf("pids %d", getpid());
	for (int i = 0; i < nkids; i++)
		printf(" %d", kids[i].pid);
	printf("\n");
	ready("start");
	if ((!strcmp(what, "cow") || !strcmp(what, "thp")) && next()) {
		for (int i = 0; i < nkids; i++)
			tell(i, 'w');
		ready("written");
	}
	while (next())
		;
	finish();
	return 0;
}
