// SPDX-License-Identifier: GPL-2.0
/*
 * storm - processes that fork, exit, mmap and munmap without pause, for
 * the modules to look at meanwhile (tests/81-storm.t).
 *
 * Starts 3 workers and prints "ready PID PID PID".  Each worker, forever:
 * maps 1 to 4 MiB (at STORM_ADDR when it can, so that lkm3 has a churning
 * address to ask about), writes it, forks a child that writes part of it
 * (copy-on-write), unmaps half and exits within 300 ms, then unmaps it all
 * and reaps the child.  Each worker keeps the PID of its latest child in
 * /tmp/storm-kid.WORKER, for the test to pick one that is about to exit.
 * The storm ends with its parent (kill the storm).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#define STORM_ADDR ((char *)0x300000000000UL)
#define MB (1UL << 20)

static void worker(unsigned int seed)
{
	char path[64];
	int kids;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "/tmp/storm-kid.%d", getpid());
	kids = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
			usleep(rand_r(&seed) % 300000);
			_exit(0);
		}
		if (child > 0) {
			char line[16];

			/* Fixed width, at offset 0: a reader sees one whole PID. */
			snprintf(line, sizeof(line), "%10d\n", child);
			if (pwrite(kids, line, 11, 0) != 11)
				_exit(1);
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
