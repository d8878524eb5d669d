// SPDX-License-Identifier: GPL-2.0
/*
 * storm - processes that fork, exit, mmap and munmap without pause, for
 * the modules to look at meanwhile (tests/81-storm.t).
 *
 * Starts 3 workers and prints "ready PID PID PID".  Each worker, forever:
 * maps 1 to 4 MiB (at STORM_ADDR when it can, so that lkm3 has a churning
 * address to ask about), writes it, forks a child that writes part of it
 * (copy-on-write), unmaps half and exits within 10 ms, then unmaps it all
 * and reaps the child.  Kill the storm's process group to end it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define STORM_ADDR ((char *)0x300000000000UL)
#define MB (1UL << 20)

static void worker(unsigned int seed)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		size_t len = (1 + rand_r(&seed) % 4) * MB;
		char *p = mmap(STORM_ADDR, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		pid_t child;

		if (p == MAP_FAILED)
			continue;
		memset(p, 1, len);
		child = fork();
		if (child == 0) {
			memset(p, 2, len / 2);
			munmap(p, len / 2);
			usleep(rand_r(&seed) % 10000);
			_exit(0);
		}
		munmap(p, len);
		if (child > 0)
			waitpid(child, NULL, 0);
	}
}

int main(void)
{
	pid_t w[3];
	int i;

	for (i = 0; i < 3; i++) {
		w[i] = fork();
		if (w[i] == 0)
			worker(i + 1);
	}
	printf("ready %d %d %d\n", w[0], w[1], w[2]);
	fflush(stdout);
	for (;;)
		pause();
}
