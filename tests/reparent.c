// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/reparent (2_II/reparent.c) against /proc and wait(): the new ppid,
 * SIGCHLD and reaping by the new parent, ECHILD for the old one, every
 * refusal with its errno, a station killed under its soldiers, and 200
 * soldiers at once.  Run as root with reparent.ko loaded, by
 * tests/60-reparent.t.  "chaos SECONDS" runs rounds of soldiers joining
 * stations while the stations and the soldiers' old parents die at random.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"
#include "kmod.h"
#include "2_II/reparent.h"

#define DEV "/dev/reparent"

struct reaped {
	int pid;
	int status;
};

static int station_out = -1; /* the station's end of its report pipe */

/*
 * What a case gives back when a step before the ioctl went wrong: these
 * are positive, and every ioctl answer is 0 or -errno, so none equals one.
 */
enum { SETUP_FAILED = 1, NO_ANSWER, REPORTED };

/* Ask to become a child of @pid: 0 or -errno. */
static int set_parent(int fd, int pid, unsigned int flags)
{
	struct reparent_req req = { .new_parent = pid, .flags = flags };

	return ioctl(fd, REPARENT_IOC_SET_PARENT, &req) ? -errno : 0;
}

static int dev_open(void)
{
	return dev_open_or_exit(DEV);
}

/* A test station: reaps on SIGCHLD and reports {pid, status} on a pipe. */
static void station_sigchld(int sig)
{
	struct reaped r;
	int saved = errno;

	(void)sig;
	while ((r.pid = waitpid(-1, &r.status, WNOHANG)) > 0)
		if (write(station_out, &r, sizeof(r)) != sizeof(r))
			break;
	errno = saved;
}

static pid_t start_station(int *reports, uid_t uid)
{
	struct sigaction sa = { .sa_handler = station_sigchld,
				.sa_flags = SA_RESTART | SA_NOCLDSTOP };
	int p[2], ready[2];
	pid_t pid;
	char c;

	if (pipe(p) || pipe(ready))
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(ready[0]);
		station_out = p[1];
		sigaction(SIGCHLD, &sa, NULL);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		exit(1);
	close(ready[0]);
	*reports = p[0];
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The next report of the station, waiting up to @ms; pid 0 if none. */
static struct reaped next_report(int reports, int ms)
{
	struct pollfd pfd = { .fd = reports, .events = POLLIN };
	struct reaped r = { 0, 0 };

	if (poll(&pfd, 1, ms) == 1 && read(reports, &r, sizeof(r)) != sizeof(r))
		r.pid = 0;
	return r;
}

static int ppid_of(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	int fd, n, ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %d", &ppid);
	return ppid;
}

/*
 * A soldier: a child of ours that asks to join @station when it reads a
 * byte on *go, reports the ioctl's errno on *result, then exits with
 * @status when it reads a second byte.
 */
static pid_t soldier(pid_t station, int *go, int *result, int status)
{
	int g[2], r[2];
	pid_t pid;

	if (pipe(g) || pipe(r))
		exit(1);
	pid = fork();
	if (pid == 0) {
		int fd = dev_open(), err;
		char c;

		close(g[1]);
		close(r[0]);
		if (read(g[0], &c, 1) != 1)
			_exit(100);
		err = set_parent(fd, station, 0);
		if (write(r[1], &err, sizeof(err)) != sizeof(err) ||
		    read(g[0], &c, 1) != 1)
			_exit(101);
		_exit(status);
	}
	close(g[0]);
	close(r[1]);
	*go = g[1];
	*result = r[0];
	return pid;
}

static int soldier_join(int go, int result)
{
	int err = NO_ANSWER;

	if (write(go, "j", 1) != 1 ||
	    read(result, &err, sizeof(err)) != sizeof(err))
		return NO_ANSWER;
	return err;
}

static void *blocked_wait(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	long ret = waitpid(pid, NULL, 0) == -1 ? -errno : 0;

	return (void *)ret;
}

static void check_single(void)
{
	int reports, go, result, err;
	pid_t station = start_station(&reports, 0), s, waiter_pid;
	struct timespec deadline;
	struct reaped r;
	pthread_t waiter;
	void *werr = NULL;

	s = soldier(station, &go, &result, 7);
	/* A wait() already blocked in the old parent must wake up. */
	waiter_pid = s;
	pthread_create(&waiter, NULL, blocked_wait, &waiter_pid);
	usleep(200000);
	err = soldier_join(go, result);
	tap_ok(err == 0, "a soldier joins the station (ioctl returns 0)");
	if (err)
		tap_diag("got %s, wanted 0",
			 err > 0 ? "no answer" : errno_name(-err));
	tap_eq(ppid_of(s, s), station,
	       "/proc/<soldier>/stat shows the station as ppid");
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	if (!tap_ok(!pthread_timedjoin_np(waiter, &werr, &deadline) &&
			    (long)werr == -ECHILD,
		    "a wait() blocked in the old parent wakes up with ECHILD"))
		tap_diag("got %s (or still waiting after 10 s), wanted ECHILD",
			 errno_name(-(long)werr));
	tap_errno(waitpid(s, NULL, WNOHANG), ECHILD,
		  "the old parent's wait() for it: ECHILD");
	if (write(go, "x", 1) != 1)
		tap_diag("cannot tell soldier %d to exit: %s", s,
			 strerror(errno));
	r = next_report(reports, 10000);
	if (!tap_ok(r.pid == s && WIFEXITED(r.status) &&
			    WEXITSTATUS(r.status) == 7,
		    "the station gets SIGCHLD and reaps it, exit status 7"))
		tap_diag("got pid %d status %#x, wanted pid %d exit 7", r.pid,
			 r.status, s);
	close(go);
	close(result);
	close(reports);
	stop(station);
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void check_threads(void)
{
	int reports, ready[2], go[2], all = 1, n = 0;
	pid_t station = start_station(&reports, 0), s;
	char path[64], c;
	struct reaped r;
	DIR *dir;
	struct dirent *d;

	if (pipe(ready) || pipe(go) || (s = fork()) < 0) {
		tap_ok(0, "a 4-thread soldier: %s", strerror(errno));
		stop(station);
		return;
	}
	if (s == 0) {
		int fd = open(DEV, O_RDWR), i, err;
		pthread_t t;

		for (i = 0; i < 3; i++)
			pthread_create(&t, NULL, sleeper, NULL);
		/* Errors by the pipe: -errno, or SETUP_FAILED (no open). */
		err = fd < 0 ? SETUP_FAILED : set_parent(fd, station, 0);
		if (write(ready[1], &err, sizeof(err)) != sizeof(err) ||
		    read(go[0], &c, 1) != 1)
			_exit(1);
		exit(0); /* all four threads */
	}
	close(ready[1]);
	if (read(ready[0], &all, sizeof(all)) != sizeof(all) || all) {
		tap_ok(0, "a 4-thread soldier joins the station");
		tap_diag("got %d (%s)", all,
			 all > 0 ? "no answer, or " DEV " did not open" :
				   errno_name(-all));
		close(go[1]);
		waitpid(s, NULL, 0);
		stop(station);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", s);
	dir = opendir(path);
	all = dir != NULL;
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.') {
			n++;
			all &= ppid_of(s, atoi(d->d_name)) == station;
		}
	if (dir)
		closedir(dir);
	if (!tap_ok(all && n == 4,
		    "all %d threads of a soldier show the new ppid", n))
		tap_diag(
			"got %d threads, %s with the station as ppid; wanted 4, all",
			n, all ? "all" : "not all");
	if (write(go[1], "x", 1) != 1)
		tap_diag("cannot tell the soldier to exit: %s",
			 strerror(errno));
	r = next_report(reports, 10000);
	if (!tap_ok(r.pid == s && WIFEXITED(r.status) &&
			    WEXITSTATUS(r.status) == 0,
		    "its exit is reported to the station"))
		tap_diag("got pid %d status %#x, wanted pid %d exit 0", r.pid,
			 r.status, s);
	tap_eq(next_report(reports, 500).pid, 0,
	       "  ... once (the pid of a second report)");
	close(reports);
	stop(station);
}

static int answer_fd = -1; /* where a case's process gives its answer */

/*
 * Run @fn in a child and return what it answers through a pipe: an exit
 * status would not do, since a child that exits early for any reason
 * (exit(1) is EPERM) could pass for a refusal.  @fn returns REPORTED when
 * a process of its own wrote the answer to answer_fd.
 */
static int in_child(int (*fn)(void *), void *arg)
{
	int p[2], ret = NO_ANSWER;
	pid_t pid;

	if (pipe(p) || (pid = fork()) < 0) {
		tap_diag("in_child: %s", strerror(errno));
		return SETUP_FAILED;
	}
	if (pid == 0) {
		close(p[0]);
		answer_fd = p[1];
		ret = fn(arg);
		if (ret != REPORTED &&
		    write(answer_fd, &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = NO_ANSWER;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return ret;
}

/* Open the device in a case's child; on failure say so (SETUP_FAILED). */
static int case_open(void)
{
	int fd = open(DEV, O_RDWR);

	if (fd < 0)
		tap_diag("open " DEV ": %s", strerror(errno));
	return fd;
}

static int try_parent(void *arg)
{
	int fd = case_open();

	if (fd < 0)
		return SETUP_FAILED;
	return set_parent(fd, *(int *)arg, 0);
}

static int try_flags(void *arg)
{
	int fd = case_open();

	if (fd < 0)
		return SETUP_FAILED;
	return set_parent(fd, *(int *)arg, 1);
}

static int try_self(void *arg)
{
	int fd = case_open();

	(void)arg;
	if (fd < 0)
		return SETUP_FAILED;
	return set_parent(fd, getpid(), 0);
}

static volatile pid_t thread_tid;

static void *tell_tid(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	for (;;)
		pause();
	return NULL;
}

static int try_own_thread(void *arg)
{
	int fd = case_open();
	pthread_t t;

	(void)arg;
	if (fd < 0 || pthread_create(&t, NULL, tell_tid, NULL))
		return SETUP_FAILED;
	while (!thread_tid)
		usleep(1000);
	return set_parent(fd, thread_tid, 0);
}

static int try_own_child(void *arg)
{
	int fd = case_open(), err;
	pid_t kid;

	(void)arg;
	if (fd < 0 || (kid = fork()) < 0)
		return SETUP_FAILED;
	if (kid == 0) {
		pause();
		_exit(0);
	}
	err = set_parent(fd, kid, 0);
	kill(kid, SIGKILL);
	return err;
}

static int try_unprivileged(void *arg)
{
	int fd = case_open();

	if (fd < 0 || setgid(65534) || setuid(65534))
		return SETUP_FAILED;
	return set_parent(fd, *(int *)arg, 0);
}

static int try_traced(void *arg)
{
	int fd = case_open();

	if (fd < 0 || ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return SETUP_FAILED;
	return set_parent(fd, *(int *)arg, 0);
}

/* One of our threads (not the calling one) is ptraced by another process. */
static int try_thread_traced(void *arg)
{
	int fd = case_open(), go[2], err;
	pthread_t t;
	pid_t tracer;
	char c;

	if (fd < 0 || pipe(go) || pthread_create(&t, NULL, tell_tid, NULL))
		return SETUP_FAILED;
	while (!thread_tid)
		usleep(1000);
	tracer = fork();
	if (tracer == 0) {
		if (ptrace(PTRACE_SEIZE, thread_tid, NULL, NULL) ||
		    write(go[1], "t", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (tracer < 0 || read(go[0], &c, 1) != 1)
		return SETUP_FAILED;
	err = set_parent(fd, *(int *)arg, 0);
	kill(tracer, SIGKILL);
	waitpid(tracer, NULL, 0);
	return err;
}

static int try_other_ns(void *arg)
{
	int fd = case_open(), err;
	pid_t init;

	(void)arg;
	if (fd < 0 || unshare(CLONE_NEWPID) || (init = fork()) < 0)
		return SETUP_FAILED;
	if (init == 0) { /* PID 1 of a new namespace */
		pause();
		_exit(0);
	}
	err = set_parent(fd, init, 0);
	kill(init, SIGKILL);
	return err;
}

/*
 * As init of a new pid namespace, ask to become a child of our own kid:
 * that init answers on answer_fd itself.
 */
static int try_as_init(void *arg)
{
	pid_t init;

	(void)arg;
	if (unshare(CLONE_NEWPID) || (init = fork()) < 0)
		return SETUP_FAILED;
	if (init == 0) {
		int fd = case_open(), err = SETUP_FAILED;
		pid_t kid = fd < 0 ? -1 : fork();

		if (kid == 0) {
			pause();
			_exit(0);
		}
		if (kid > 0) {
			err = set_parent(fd, kid, 0);
			kill(kid, SIGKILL);
		}
		_exit(write(answer_fd, &err, sizeof(err)) != sizeof(err));
	}
	waitpid(init, NULL, 0);
	return REPORTED;
}

static void expect(int got, int want, const char *what)
{
	if (!tap_ok(got == -want, "%s: %s", what, errno_name(want)))
		tap_diag("got %d (%s), wanted %s", got,
			 got == SETUP_FAILED ?
				 "a step before the ioctl failed" :
			 got == NO_ANSWER ? "the child gave no answer" :
					    errno_name(-got),
			 errno_name(want));
}

static void check_refusals(void)
{
	int reports, one = 1, two = 2, none = 4000000, zero = 0, fd;
	pid_t station = start_station(&reports, 0), zombie;
	siginfo_t info;

	expect(in_child(try_own_child, NULL), ELOOP,
	       "a station that is the soldier's own child");
	expect(in_child(try_parent, &one), EPERM, "PID 1 (init)");
	expect(in_child(try_parent, &two), EPERM, "PID 2 (a kernel thread)");
	zombie = fork();
	if (zombie == 0)
		_exit(0);
	waitid(P_PID, zombie, &info, WEXITED | WNOWAIT);
	expect(in_child(try_parent, &zombie), ESRCH, "a zombie");
	waitpid(zombie, NULL, 0);
	expect(in_child(try_parent, &none), ESRCH, "a PID no process has");
	expect(in_child(try_parent, &zero), EINVAL, "PID 0");
	expect(in_child(try_self, NULL), EINVAL, "itself");
	expect(in_child(try_own_thread, NULL), EINVAL, "a thread of its own");
	expect(in_child(try_flags, &station), EINVAL, "non-zero flags");
	expect(in_child(try_unprivileged, &station), EPERM,
	       "uid 65534 toward a root station");
	expect(in_child(try_traced, &station), EBUSY, "a ptraced caller");
	expect(in_child(try_thread_traced, &station), EBUSY,
	       "a caller with another thread ptraced");
	expect(in_child(try_other_ns, NULL), EXDEV,
	       "a station in another pid namespace");
	expect(in_child(try_as_init, NULL), EPERM,
	       "a caller that is init of its pid namespace");
	close(reports);
	stop(station);

	/* Without CAP_SYS_ADMIN, the same uid is enough. */
	station = start_station(&reports, 65534);
	expect(in_child(try_unprivileged, &station), 0,
	       "uid 65534 toward a uid 65534 station succeeds");
	close(reports);
	stop(station);

	fd = dev_open();
	tap_errno(ioctl(fd, REPARENT_IOC_SET_PARENT, NULL), EFAULT,
		  "a NULL argument: EFAULT");
	tap_errno(ioctl(fd, _IO(REPARENT_IOC_MAGIC, 7)), ENOTTY,
		  "an unknown command: ENOTTY");
	close(fd);
}

/*
 * A station that reaps nothing (its children are reaped by the kernel, as
 * SIGCHLD is ignored), in a session of its own if @new_session.
 */
static pid_t start_idle_station(int new_session)
{
	int ready[2];
	pid_t pid;
	char c = 0;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_IGN);
		if (new_session && setsid() < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		tap_diag("start_idle_station: %s", strerror(errno));
		if (pid > 0)
			stop(pid);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

struct pgrp_case {
	pid_t station;
	int stopped; /* leave the group's other member stopped */
};

/*
 * In a process group of our own, with a second member (stopped or not),
 * join @c->station.  Our parent (the test, in another group of our
 * session) is the group's only link to its session, so a station in
 * another session orphans the group.
 */
static int try_orphan_pgrp(void *arg)
{
	struct pgrp_case *c = arg;
	int fd, status, err;
	pid_t member;

	if (setpgid(0, 0) || (fd = case_open()) < 0)
		return SETUP_FAILED;
	member = fork();
	if (member < 0)
		return SETUP_FAILED;
	if (member == 0) {
		if (c->stopped)
			raise(SIGSTOP);
		for (;;)
			pause();
	}
	if (c->stopped && (waitpid(member, &status, WUNTRACED) != member ||
			   !WIFSTOPPED(status)))
		return SETUP_FAILED;
	err = set_parent(fd, c->station, 0);
	kill(member, SIGKILL);
	return err;
}

/* A caller whose move would orphan its group with a stopped member. */
static void check_orphaned_pgrp(void)
{
	int reports;
	pid_t other = start_idle_station(1), same = start_station(&reports, 0);
	struct pgrp_case c;

	if (!tap_ok(other > 0, "a station in a session of its own")) {
		stop(same);
		close(reports);
		return;
	}
	c = (struct pgrp_case){ .station = other, .stopped = 1 };
	expect(in_child(try_orphan_pgrp, &c), EBUSY,
	       "a move that orphans the caller's group while a member is stopped");
	c = (struct pgrp_case){ .station = other, .stopped = 0 };
	expect(in_child(try_orphan_pgrp, &c), 0,
	       "a move that orphans the caller's group, no member stopped");
	c = (struct pgrp_case){ .station = same, .stopped = 1 };
	expect(in_child(try_orphan_pgrp, &c), 0,
	       "a stopped member, and a station in the caller's session");
	stop(other);
	stop(same);
	close(reports);
}

/*
 * Under a subreaper S, station A; a soldier joins A, forks an orphan-to-be
 * and exits: the orphan must go to S (find_new_reaper() looks for a
 * subreaper only in a process marked has_child_subreaper).
 */
static void check_subreaper(void)
{
	pid_t subreaper, station = 0, soldier_pid, orphan = 0;
	int p[2];

	if (pipe(p) || (subreaper = fork()) < 0) {
		tap_ok(0, "subreaper setup: %s", strerror(errno));
		return;
	}
	if (subreaper == 0) {
		signal(SIGCHLD, SIG_IGN);
		if (prctl(PR_SET_CHILD_SUBREAPER, 1))
			_exit(1);
		station = start_idle_station(0);
		if (write(p[1], &station, sizeof(station)) != sizeof(station))
			_exit(1);
		for (;;)
			pause();
	}
	if (read(p[0], &station, sizeof(station)) != sizeof(station) ||
	    station <= 0) {
		tap_ok(0, "subreaper setup: no station");
		stop(subreaper);
		return;
	}
	soldier_pid = fork();
	if (soldier_pid == 0) {
		int fd = dev_open();

		if (set_parent(fd, station, 0))
			_exit(errno);
		orphan = fork();
		if (orphan == 0) {
			for (;;)
				pause();
		}
		if (write(p[1], &orphan, sizeof(orphan)) != sizeof(orphan))
			_exit(1);
		_exit(0);
	}
	if (soldier_pid < 0 ||
	    read(p[0], &orphan, sizeof(orphan)) != sizeof(orphan) ||
	    orphan <= 0) {
		tap_ok(0, "subreaper setup: the soldier did not join or fork");
	} else {
		int i, ppid = -1;

		/* The soldier exits at once; its orphan is adopted then. */
		for (i = 0; i < 400; i++) {
			ppid = ppid_of(orphan, orphan);
			if (ppid != soldier_pid)
				break;
			usleep(5000);
		}
		tap_eq(ppid, subreaper,
		       "the orphan of a soldier under a subreaper's station goes to the subreaper");
		kill(orphan, SIGKILL);
	}
	stop(station);
	stop(subreaper);
	close(p[0]);
	close(p[1]);
}

/* The station dies under its soldiers: they go to the nearest reaper. */
static void check_station_killed(void)
{
	int reports, go[3], result[3], i, joined = 0, adopted = 0, reaped = 0;
	pid_t station = start_station(&reports, 0), s[3];
	int status;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (i = 0; i < 3; i++) {
		s[i] = soldier(station, &go[i], &result[i], 3);
		joined += soldier_join(go[i], result[i]) == 0;
	}
	stop(station);
	usleep(100000);
	for (i = 0; i < 3; i++) {
		adopted += ppid_of(s[i], s[i]) == getpid();
		if (write(go[i], "x", 1) == 1 &&
		    waitpid(s[i], &status, 0) == s[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 3)
			reaped++;
		close(go[i]);
		close(result[i]);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(reports);
	tap_eq(joined, 3, "3 soldiers join a station");
	tap_eq(adopted, 3, "the station is killed: its subreaper adopts them");
	tap_eq(reaped, 3, "  ... and reaps them: no zombie is left");
}

/* 200 soldiers at once, while other processes fork and exit. */
static void check_stress(void)
{
	enum { N = 200 };
	int reports, i, seen[N] = { 0 }, once = 0, failed = 0;
	pid_t station = start_station(&reports, 0), s[N], storm;

	storm = fork();
	if (storm == 0) {
		for (;;) {
			pid_t p = fork();

			if (p == 0)
				_exit(0);
			waitpid(p, NULL, 0);
		}
	}
	for (i = 0; i < N; i++) {
		s[i] = fork();
		if (s[i] == 0) {
			int fd = dev_open();

			if (set_parent(fd, station, 0))
				_exit(99);
			usleep(i % 7 * 1000);
			_exit(i % 100);
		}
	}
	for (i = 0; i < N; i++) {
		struct reaped r = next_report(reports, 30000);

		if (!r.pid)
			break;
		for (int j = 0; j < N; j++)
			if (s[j] == r.pid && WIFEXITED(r.status) &&
			    WEXITSTATUS(r.status) == j % 100)
				seen[j]++;
	}
	for (i = 0; i < N; i++) {
		once += seen[i] == 1;
		/* A soldier whose ioctl failed is still our child. */
		failed += waitpid(s[i], NULL, WNOHANG) > 0;
	}
	stop(storm);
	tap_ok(once == N && !failed && next_report(reports, 300).pid == 0,
	       "%d soldiers join one station at once: each reported exactly once",
	       N);
	if (once != N || failed)
		tap_diag("%d reported once, %d failed to join", once, failed);
	close(reports);
	stop(station);
}

/* --- Chaos: stations and old parents die at random moments. -------- */

struct chaos_rec {
	pid_t pid;
	int err; /* the ioctl's errno, 0 if it joined */
	int ppid_ok; /* after joining: its parent is the station or us */
};

static void chaos_soldier(pid_t station, pid_t reaper, int out,
			  unsigned int seed)
{
	struct chaos_rec r = { .pid = getpid(), .ppid_ok = 1 };
	int fd = open(DEV, O_RDWR);

	usleep(rand_r(&seed) % 4000);
	/* An open that failed is SETUP_FAILED, which no -errno equals. */
	r.err = fd < 0 ? SETUP_FAILED : set_parent(fd, station, 0);
	if (!r.err) {
		/* The station, or us if it died since (we are the subreaper). */
		pid_t pp = getppid();

		r.ppid_ok = pp == station || pp == reaper;
	}
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	usleep(rand_r(&seed) % 4000);
	_exit(0);
}

/*
 * A station that reaps on SIGCHLD, ignores SIGCHLD (its children reap
 * themselves) or never reaps (zombies, handed to us when it dies).
 */
static void chaos_station(int mode)
{
	struct sigaction sa = { .sa_handler = mode ? SIG_IGN :
						     station_sigchld };

	if (mode < 2)
		sigaction(SIGCHLD, &sa, NULL);
	station_out = open("/dev/null", O_WRONLY);
	for (;;)
		pause();
}

/* One round: 4 old parents of 5 soldiers each, a station killed at random. */
static void chaos_round(unsigned int *seed, long stats[4])
{
	enum { PARENTS = 4, SOLDIERS = 5 };
	struct pollfd pfd = { .events = POLLIN };
	pid_t station, me = getpid();
	struct chaos_rec r;
	int p[2], i, j, mode = rand_r(seed) % 3;

	if (pipe(p))
		exit(1);
	station = fork();
	if (station == 0) {
		close(p[0]);
		close(p[1]);
		chaos_station(mode);
	}
	for (i = 0; i < PARENTS; i++) {
		unsigned int s = rand_r(seed);

		if (fork() == 0) {
			close(p[0]);
			for (j = 0; j < SOLDIERS; j++)
				if (fork() == 0)
					chaos_soldier(station, me, p[1], s + j);
			usleep(rand_r(&s) % 4000);
			_exit(0); /* its soldiers go to us, or stay joined */
		}
	}
	close(p[1]);
	usleep(rand_r(seed) % 4000);
	kill(station, SIGKILL);
	pfd.fd = p[0];
	while (poll(&pfd, 1, 30000) == 1 &&
	       read(p[0], &r, sizeof(r)) == sizeof(r)) {
		stats[0]++;
		if (r.err == 0)
			stats[1]++;
		else if (r.err == -ESRCH)
			stats[2]++;
		else if (stats[3]++ < 5)
			tap_diag("soldier %d: %s", r.pid,
				 r.err == SETUP_FAILED ? "open " DEV " failed" :
							 errno_name(-r.err));
		if (!r.ppid_ok && stats[3]++ < 5)
			tap_diag("soldier %d joined, but its parent is neither",
				 r.pid);
	}
	close(p[0]);
	/* Every process of the round ends; as the subreaper we reap them. */
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/*
 * Rounds for @seconds, and then until a soldier has joined and one has got
 * ESRCH (at most a minute more): a race that never happened proves nothing.
 */
static void check_chaos(int seconds)
{
	long stats[4] = { 0 }, rounds = 0;
	unsigned int seed = time(NULL);
	time_t start = time(NULL), end = start + seconds;

	tap_diag("chaos seed %u", seed);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	while (time(NULL) < end ||
	       ((!stats[1] || !stats[2]) && time(NULL) < end + 60)) {
		chaos_round(&seed, stats);
		rounds++;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	tap_ok(stats[0] == rounds * 20 && !stats[3] && stats[1] && stats[2],
	       "%ld rounds in %ld s, %ld soldiers, stations and old parents dying at random: %ld joined, %ld ESRCH (each needed), nothing else",
	       rounds, (long)(time(NULL) - start), stats[0], stats[1],
	       stats[2]);
	if (stats[0] != rounds * 20)
		tap_diag("got %ld soldiers' answers, wanted %ld", stats[0],
			 rounds * 20);
	tap_errno(waitpid(-1, NULL, WNOHANG), ECHILD,
		  "  ... and every process of every round was reaped");
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "chaos")) {
		check_chaos(atoi(argv[2]));
		return tap_done();
	}
	check_single();
	check_threads();
	check_refusals();
	check_orphaned_pgrp();
	check_subreaper();
	check_station_killed();
	check_stress();
	return tap_done();
}
