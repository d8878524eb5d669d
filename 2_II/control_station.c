// SPDX-License-Identifier: GPL-2.0
/*
 * control_station - the process soldiers report to.
 *
 * It prints "[control station] ready, pid N" and then waits for signals
 * until it is killed.  Soldiers (2_II/soldier) make themselves its
 * children through /dev/reparent, so when one exits the kernel sends the
 * station SIGCHLD.  The handler reaps every child that has exited
 * (waitpid() with WNOHANG, in a loop: several exits may come as one
 * signal) and reports each:
 *
 *	[control station] soldier 123 terminated (exit 0)
 *	[control station] soldier 124 terminated (killed by signal 9)
 *
 * A signal handler may only call async-signal-safe functions, so it formats
 * the line itself and prints it with write(2), never printf().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Append the decimal form of @n to @p; returns the new end. */
static char *put_num(char *p, long n)
{
	char digits[24];
	int i = 0;

	if (n < 0) {
		*p++ = '-';
		n = -n;
	}
	do {
		digits[i++] = '0' + n % 10;
		n /= 10;
	} while (n);
	while (i)
		*p++ = digits[--i];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static void report(pid_t pid, int status)
{
	char line[128], *p = line;

	p = put_str(p, "[control station] soldier ");
	p = put_num(p, pid);
	if (WIFEXITED(status)) {
		p = put_str(p, " terminated (exit ");
		p = put_num(p, WEXITSTATUS(status));
	} else {
		p = put_str(p, " terminated (killed by signal ");
		p = put_num(p, WTERMSIG(status));
	}
	p = put_str(p, ")\n");
	if (write(STDOUT_FILENO, line, p - line) < 0)
		return; /* nowhere to report to */
}

static void on_sigchld(int sig)
{
	int saved_errno = errno, status;
	pid_t pid;

	(void)sig;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		report(pid, status);
	errno = saved_errno;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sigchld };

	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL)) {
		perror("control_station: sigaction");
		return 1;
	}
	printf("[control station] ready, pid %d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}
