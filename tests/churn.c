// SPDX-License-Identifier: GPL-2.0
/*
 * churn - map, write and unmap memory in a loop forever, always at the same
 * address, so that queries of that address race with the page tables
 * coming and going: 4 KiB pages and a 2 MiB-aligned huge-page region.
 * Prints "ready ADDR" once, ADDR being the start of the churned region.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define LEN (8UL << 20)

int main(void)
{
	char *base, *p;
	size_t i;

	/* Find a free 2 MiB-aligned spot, then always map exactly there. */
	p = mmap(NULL, 2 * LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("churn: mmap");
		return 1;
	}
	base = (char *)(((uintptr_t)p + LEN - 1) & ~(LEN - 1));
	munmap(p, 2 * LEN);
	printf("ready %p\n", (void *)base);
	fflush(stdout);
	for (;;) {
		p = mmap(base, LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0);
		if (p == MAP_FAILED) {
			perror("churn: mmap");
			return 1;
		}
		madvise(p, LEN / 2, MADV_NOHUGEPAGE);
		madvise(p + LEN / 2, LEN / 2, MADV_HUGEPAGE);
		for (i = 0; i < LEN; i += 4096)
			p[i] = 1;
		munmap(p, LEN);
	}
}
