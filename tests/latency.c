// SPDX-License-Identifier: GPL-2.0
/*
 * latency CPU CMD [ARG...] - run CMD on CPU, next to a real-time thread
 * that wakes up every millisecond on the same CPU, and print how late its
 * wake-ups came at worst:
 *
 *	max_latency_us=<microseconds>
 *
 * A SCHED_FIFO thread that wakes up takes the CPU from CMD at CMD's next
 * preemption point.  On a kernel without forced preemption (Debian's run
 * with preempt=voluntary, the debug kernel with none) a kernel loop
 * without cond_resched() has no such point: the thread waits until the
 * loop ends.  So this measures the longest stretch CMD's kernel code held
 * the CPU.  Exits with CMD's status.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS 1000000L

static volatile int stop;
static long long max_late_ns;

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void *ticker(void *arg)
{
	struct timespec next, now;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		next.tv_nsec += TICK_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ns(&now) - ns(&next) > max_late_ns)
			max_late_ns = ns(&now) - ns(&next);
		next = now;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 1 };
	pthread_attr_t attr;
	pthread_t thread;
	cpu_set_t cpus;
	int status;
	pid_t child;

	if (argc < 3) {
		fprintf(stderr, "usage: latency CPU CMD [ARG...]\n");
		return 2;
	}
	CPU_ZERO(&cpus);
	CPU_SET(atoi(argv[1]), &cpus);
	/* The thread and CMD inherit the CPU. */
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("sched_setaffinity");
		return 2;
	}
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &sp);
	if (pthread_create(&thread, &attr, ticker, NULL)) {
		fprintf(stderr, "latency: cannot start a SCHED_FIFO thread\n");
		return 2;
	}
	usleep(20000); /* let the ticker settle */
	max_late_ns = 0;
	child = fork();
	if (child == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		status = 127 << 8;
	stop = 1;
	pthread_join(thread, NULL);
	printf("max_latency_us=%lld\n", max_late_ns / 1000);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
