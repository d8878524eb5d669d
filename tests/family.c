// SPDX-License-Identifier: GPL-2.0
/*
 * family - a parent whose children are in known states, for lkm2:
 *
 *	S  sleeps in pause()
 *	T  stopped by SIGSTOP
 *	Z  exited, not reaped: a zombie
 *	R  spins on the CPU
 *	S  forked by a second thread of the parent, sleeps in pause()
 *
 * When every child is in its state it prints "ready S=pid T=pid Z=pid
 * R=pid thread=pid" and sleeps until killed; killing it with SIGTERM also
 * kills the children.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

enum { SLEEPER, STOPPED, ZOMBIE, RUNNER, THREAD_CHILD, NCHILD };
static pid_t child[NCHILD];

static pid_t spawn(int kind)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	switch (kind) {
	case STOPPED:
		raise(SIGSTOP);
		break;
	case ZOMBIE:
		_exit(0);
	case RUNNER:
		for (;;)
			;
	}
	for (;;)
		pause();
}

static void *second_thread(void *arg)
{
	(void)arg;
	child[THREAD_CHILD] = spawn(THREAD_CHILD);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	siginfo_t info;
	pthread_t t;
	int i;

	for (i = SLEEPER; i <= RUNNER; i++)
		child[i] = spawn(i);
	if (pthread_create(&t, NULL, second_thread, NULL)) {
		perror("pthread_create");
		return 1;
	}
	/* Wait for the states without reaping anything (WNOWAIT). */
	if (waitid(P_PID, child[STOPPED], &info, WSTOPPED | WNOWAIT) ||
	    waitid(P_PID, child[ZOMBIE], &info, WEXITED | WNOWAIT)) {
		perror("waitid");
		return 1;
	}
	while (!__atomic_load_n(&child[THREAD_CHILD], __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(100000); /* let the sleepers reach pause() */
	printf("ready S=%d T=%d Z=%d R=%d thread=%d\n", child[SLEEPER],
	       child[STOPPED], child[ZOMBIE], child[RUNNER],
	       child[THREAD_CHILD]);
	fflush(stdout);
	for (;;)
		pause();
}
