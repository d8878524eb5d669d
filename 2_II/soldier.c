// SPDX-License-Identifier: GPL-2.0
/*
 * soldier STATION_PID [SECONDS [STATUS]] - report to a control station.
 *
 * It asks /dev/reparent to make it a child of the control station, checks
 * that getppid() now says so, works for SECONDS (default 1), and exits with
 * STATUS (default 0).  The station then gets SIGCHLD and reports the
 * soldier's end.  Every failure is explained, with a non-zero exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "reparent.h"

#define DEVICE "/dev/reparent"

/* Parse a whole decimal number in [min, max], or exit with a message. */
static long number(const char *arg, const char *what, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < min || n > max) {
		fprintf(stderr,
			"soldier: %s '%s' is not a number from %ld to %ld\n",
			what, arg, min, max);
		exit(2);
	}
	return n;
}

static const char *why(int err)
{
	switch (err) {
	case ESRCH:
		return " (no such process, or it is exiting)";
	case ELOOP:
		return " (it is our own descendant)";
	case EPERM:
		return " (not allowed: init, a kernel thread, or another user's process)";
	case EXDEV:
		return " (it is in another pid namespace)";
	case EBUSY:
		return " (we are being traced)";
	case EINVAL:
		return " (that is ourselves)";
	default:
		return "";
	}
}

int main(int argc, char **argv)
{
	struct reparent_req req = { 0 };
	pid_t before = getppid();
	int fd, seconds = 1, status = 0;

	if (argc < 2 || argc > 4) {
		fprintf(stderr,
			"usage: soldier STATION_PID [SECONDS [STATUS]]\n");
		return 2;
	}
	req.new_parent = number(argv[1], "station pid", 1, INT_MAX);
	if (argc > 2)
		seconds = number(argv[2], "seconds", 0, 3600);
	if (argc > 3)
		status = number(argv[3], "exit status", 0, 255);

	fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "soldier: cannot open %s: %s%s\n", DEVICE,
			strerror(errno),
			errno == ENOENT ? " (is reparent.ko loaded?)" :
					  " (run as root)");
		return 1;
	}
	if (ioctl(fd, REPARENT_IOC_SET_PARENT, &req)) {
		int err = errno;

		fprintf(stderr,
			"soldier %d: cannot report to station %d: %s%s\n",
			getpid(), req.new_parent, strerror(err), why(err));
		close(fd);
		return 1;
	}
	close(fd);
	if (getppid() != req.new_parent) {
		fprintf(stderr, "soldier %d: the parent is %d, not %d\n",
			getpid(), getppid(), req.new_parent);
		return 1;
	}
	printf("[soldier %d] reporting to control station %d (parent was %d)\n",
	       getpid(), req.new_parent, before);
	fflush(stdout);
	sleep(seconds);
	return status;
}
