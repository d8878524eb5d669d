// SPDX-License-Identifier: GPL-2.0
/*
 * mapmany FILE N - map the first page of FILE N times, each its own VMA
 * (the same offset at neighbouring addresses cannot be merged), print
 * "ready" and sleep.  With a long path, lkm4's detail=1 report outgrows
 * the kernel log: the kpeek tests use it to lose part of a report.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd, i, n = argc == 3 ? atoi(argv[2]) : 0;

	if (n < 1 || n > 60000) {
		fprintf(stderr, "usage: mapmany FILE N  (1 <= N <= 60000)\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++)
		if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) ==
		    MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
