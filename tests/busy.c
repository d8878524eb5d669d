// SPDX-License-Identifier: GPL-2.0
/*
 * busy N - a process with N threads (the main one included) that spin on
 * the CPU forever, so that they are always runnable.  Prints "ready" once
 * every thread runs.  Used by the lkm1 tests and the demo.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile int started;

static void *spin(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	int i, n = argc == 2 ? atoi(argv[1]) : 0;
	pthread_t t;

	if (n < 1 || n > 64) {
		fprintf(stderr,
			"usage: busy N  (1 <= N <= 64 spinning threads)\n");
		return 2;
	}
	for (i = 1; i < n; i++)
		if (pthread_create(&t, NULL, spin, NULL)) {
			perror("pthread_create");
			return 1;
		}
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n - 1)
		usleep(1000);
	printf("ready\n");
	fflush(stdout);
	spin(NULL);
	return 0;
}
