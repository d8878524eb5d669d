// SPDX-License-Identifier: GPL-2.0
/*
 * memstages - allocate memory in stages, pausing at each one, so that
 * lkm4 (and /proc) can be asked how much memory the process holds.
 *
 *	1/memstages [MiB]	(default 64)
 *
 *	1  baseline
 *	2  an anonymous mapping of MiB, untouched: virtual grows, physical not
 *	3  its first half written: physical grows by MiB/2
 *	4  all of it written: physical grows by MiB/2 again
 *	5  an 8 MiB region, 2 MiB-aligned, with MADV_HUGEPAGE, written:
 *	   physical grows by 8 MiB, in transparent huge pages
 *	6  everything unmapped: both shrink back
 *
 * It first prints its PID and the address of a byte it malloc'd (for lkm3).
 * At each stage it prints "stage N: ..." and waits for a newline on its
 * standard input or for SIGUSR1.  At end of input it no longer waits.
 * The mapping of stages 2-4 uses MADV_NOHUGEPAGE, so it is 4 KiB pages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1UL << 20)
#define HUGE_REGION (8 * MIB)

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static int input_open = 1;

static void pause_at(int n, const char *what)
{
	char c;

	printf("stage %d: %s\n", n, what);
	fflush(stdout);
	go = 0;
	while (input_open && !go) {
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r == 0)
			input_open = 0; /* end of input: stop pausing */
		else if (r == 1 && c == '\n')
			break;
		else if (r < 0 && errno != EINTR)
			input_open = 0;
	}
}

static void touch(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 4096)
		p[i] = 1;
}

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	struct sigaction sa = { .sa_handler = on_usr1 };
	size_t len = mib * MIB;
	char *region, *raw, *huge, *byte;

	if (argc > 2 || mib < 2 || mib > 4096) {
		fprintf(stderr,
			"usage: memstages [MiB]  (2 to 4096, default 64)\n");
		return 2;
	}
	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: read() returns */
	byte = malloc(1);
	if (!byte)
		return 1;
	*byte = 42;
	printf("memstages: pid=%d, continue with Enter or: kill -USR1 %d\n",
	       getpid(), getpid());
	printf("a malloc'd byte (value %d) is at %p\n", *byte, (void *)byte);
	pause_at(1, "baseline");

	region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("memstages: mmap");
		free(byte);
		return 1;
	}
	madvise(region, len, MADV_NOHUGEPAGE);
	printf("mapped %lu MiB at %p\n", mib, (void *)region);
	pause_at(2, "mapped, untouched");

	touch(region, len / 2);
	pause_at(3, "first half written");

	touch(region + len / 2, len - len / 2);
	pause_at(4, "all written");

	raw = mmap(NULL, HUGE_REGION + 2 * MIB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		perror("memstages: mmap");
		free(byte);
		return 1;
	}
	huge = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));
	if (madvise(huge, HUGE_REGION, MADV_HUGEPAGE))
		perror("memstages: madvise(MADV_HUGEPAGE)");
	touch(huge, HUGE_REGION);
	printf("8 MiB of huge pages at %p\n", (void *)huge);
	pause_at(5, "huge pages written");

	munmap(region, len);
	munmap(raw, HUGE_REGION + 2 * MIB);
	pause_at(6, "all unmapped");
	free(byte);
	return 0;
}
