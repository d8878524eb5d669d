// SPDX-License-Identifier: GPL-2.0
/*
 * faults [STEP [ROUNDS [MODULE...]]] - allocations that fail, during every module's
 * load and during its operations (the debug kernel: CONFIG_FAILSLAB and
 * CONFIG_FAIL_PAGE_ALLOC).
 *
 * First a sweep, the way syzkaller does it: /proc/thread-self/fail-nth = N
 * makes the Nth slab or page allocation of this thread fail, so loading
 * with N = 1, 1 + STEP, 1 + 2 STEP, ... fails each allocation of the load
 * in turn (the kernel's loader and the module's init alike), until a load
 * makes fewer than N allocations.  Then the same for the module's
 * operations (open, ioctl, read).  Then ROUNDS loads and operations with
 * 10% of this process's allocations failing at random (make-it-fail).
 *
 * Every failure must be clean: ENOMEM, the module not loaded, and the next
 * load, operation and unload without injection working.  Leaks are
 * kmemleak's to find (tests/run.sh scans at the end) and reports the log
 * check's.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "tap.h"
#include "kmod.h"
#include "truth.h"
#include "modules.h"
#include "physmem_ioc.h"
#include "2_II/reparent.h"

#define DBG "/sys/kernel/debug/"

/*
 * What an operation returns when it worked but its answer was wrong: not
 * an errno (those are negative), so that a failure is never taken for it.
 */
#define WRONG_ANSWER 1

static pid_t target; /* a sleeping child: the pid= of lkm2-4 */
static char *pbuf; /* 64 written pages for physmem to translate */
static uint64_t pframe[64]; /* their physical addresses, from pagemap */
static int injected; /* the last operation had an allocation fail */

static void put(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 ||
	    write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* Both injectors: sleeping allocations too, order 0 too, no messages. */
static void setup_injectors(void)
{
	static const char *const attr[] = { DBG "failslab/",
					    DBG "fail_page_alloc/" };
	char path[128];
	int i;

	for (i = 0; i < 2; i++) {
#define SET(file, value) \
	(snprintf(path, sizeof(path), "%s" file, attr[i]), put(path, value))
		SET("verbose", "0");
		SET("ignore-gfp-wait", "N");
		SET("task-filter", "Y");
		SET("probability", "0");
		SET("interval", "1");
		SET("times", "-1");
#undef SET
	}
	put(DBG "fail_page_alloc/ignore-gfp-highmem", "N");
	put(DBG "fail_page_alloc/min-order", "0");
}

/*
 * Run @op with the @nth fault-injectable allocation of this thread failing
 * (0: none).  Sets @injected: whether it came to that allocation.
 */
static int with_nth(int nth, int (*op)(void *), void *arg)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC), ret;
	char buf[16];
	ssize_t n;

	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%d", nth);
	if (nth && write(fd, buf, strlen(buf)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = op(arg);
	/* fail-nth reads 0 once the failure happened; reset it either way. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	injected = nth && n > 0 && atoi(buf) == 0;
	if (write(fd, "0", 1) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* With make-it-fail: the injectors' probability applies to this task. */
static int with_random(int (*op)(void *), void *arg)
{
	int fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = op(arg);
	if (pwrite(fd, "0", 1, 0) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* --- The modules and their operations. ------------------------------ */

struct mod {
	const char *name, *ko;
	char params[64];
	int (*op)(void *); /* one use; 0, -errno or WRONG_ANSWER */
	int own_injection; /* op(&nth) injects in the child it forks */
};

static int load(void *arg)
{
	struct mod *m = arg;

	return kmod_load(m->ko, m->params);
}

/* Open, XLATE, WRITE, XLATE_BATCH of 64 pages, close: answers checked. */
static int physmem_op(void *arg)
{
	char *buf = pbuf;
	struct physmem_result res[64];
	uint64_t va[64];
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t paddr = 0;
	int fd, i, ret = 0;

	(void)arg;
	for (i = 0; i < 64; i++)
		va[i] = (uintptr_t)buf + i * psize;
	fd = open("/dev/physmem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = physmem_xlate(fd, buf + 100, &paddr);
	if (ret)
		goto out;
	/* pframe[] was read before: here, reading pagemap could fail too. */
	if (paddr != pframe[0] + 100) {
		ret = WRONG_ANSWER;
		goto out;
	}
	ret = physmem_poke(fd, paddr, 42);
	if (ret)
		goto out;
	if (buf[100] != 42) {
		ret = WRONG_ANSWER;
		goto out;
	}
	ret = physmem_batch(fd, va, res, 64);
	if (ret)
		goto out;
	for (i = 0; i < 64; i++)
		if (res[i].status != PHYSMEM_PRESENT ||
		    res[i].paddr != pframe[i])
			ret = WRONG_ANSWER;
out:
	close(fd);
	return ret;
}

static int join(void *arg)
{
	int fd = open("/dev/reparent", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, REPARENT_IOC_SET_PARENT, arg) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * A soldier joins a station, with its own allocations failing as *@arg
 * says (the Nth, or at random if < 0; none if @arg is NULL): fail-nth is
 * not inherited, and the fork must not be what fails.
 */
static int reparent_op(void *arg)
{
	struct reparent_req req = { 0 };
	int nth = arg ? *(int *)arg : 0, ret = -ECHILD, p[2], r[2];
	pid_t station, soldier;

	if (pipe(p))
		return -errno;
	station = fork();
	if (station == 0) {
		signal(SIGCHLD, SIG_IGN); /* its children reap themselves */
		for (;;)
			pause();
	}
	req.new_parent = station;
	soldier = fork();
	if (soldier == 0) {
		r[0] = nth < 0 ? with_random(join, &req) :
				 with_nth(nth, join, &req);
		r[1] = injected;
		_exit(write(p[1], r, sizeof(r)) != sizeof(r));
	}
	/* Its answer comes by pipe: once it joined, it is not ours to wait. */
	close(p[1]);
	if (read(p[0], r, sizeof(r)) == sizeof(r)) {
		ret = r[0];
		injected = r[1];
	}
	close(p[0]);
	kill(station, SIGKILL);
	waitpid(station, NULL, 0);
	waitpid(soldier, NULL, 0); /* ECHILD if it joined */
	return ret;
}

/* Read a /proc file; it must hold what it always holds. */
static int proc_op(void *arg)
{
	const char *path = arg;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (strstr(path, "hello") ?
		    strcmp(buf, "Hello World!\n") :
		    strncmp(buf, "Page faults since boot: ", 24))
		return WRONG_ANSWER;
	return 0;
}

static int hello_op(void *arg)
{
	(void)arg;
	return proc_op("/proc/hello_procfs");
}

static int pgfaults_op(void *arg)
{
	(void)arg;
	return proc_op("/proc/get_pgfaults");
}

/* --- The checks. ------------------------------------------------------ */

struct tally {
	long tries, failed, wrong;
	char why[160];
};

/* Keep the first thing that went wrong: @fmt names @what and @ret. */
static void note(struct tally *t, const char *fmt, const char *what, int ret)
{
	if (!t->wrong++)
		snprintf(t->why, sizeof(t->why), fmt, what,
			 ret == WRONG_ANSWER   ? "a wrong answer" :
			 strerrorname_np(-ret) ?:
						 "?");
}

/* Without injection, the module loads, works and unloads. */
static int clean_cycle(struct mod *m)
{
	int ret = kmod_load(m->ko, m->params);

	if (!ret && m->op)
		ret = m->op(NULL);
	if (!ret)
		ret = kmod_unload(m->name);
	return ret;
}

/*
 * One load with injection (the @nth allocation, or at random if @nth < 0).
 * A failed load must be ENOMEM, leave nothing loaded and be followed by a
 * clean load, use and unload.  *@more: whether the load came to the @nth.
 */
static void attempt(struct mod *m, int nth, struct tally *t, int *more)
{
	int ret;

	t->tries++;
	ret = nth < 0 ? with_random(load, m) : with_nth(nth, load, m);
	*more = injected;
	if (ret) {
		t->failed++;
		if (ret != -ENOMEM)
			note(t, "load of %s: %s", m->name, ret);
		if (kmod_loaded(m->name))
			note(t, "%s stays loaded after failing (%s)", m->name,
			     ret);
		ret = clean_cycle(m);
		if (ret)
			note(t,
			     "%s does not load, work and unload after a failure: %s",
			     m->name, ret);
		return;
	}
	ret = kmod_unload(m->name);
	if (ret)
		note(t, "unload of %s: %s", m->name, ret);
}

/* The same for the module's operation, with the module loaded cleanly. */
static void attempt_op(struct mod *m, int nth, struct tally *t, int *more)
{
	int ret;

	t->tries++;
	if (m->own_injection)
		ret = m->op(&nth);
	else
		ret = nth < 0 ? with_random(m->op, NULL) :
				with_nth(nth, m->op, NULL);
	*more = injected;
	if (ret) {
		t->failed++;
		if (ret != -ENOMEM)
			note(t, "use of %s: %s", m->name, ret);
		ret = m->op(NULL);
		if (ret)
			note(t, "%s does not work after a failure: %s", m->name,
			     ret);
	}
}

static void sweep(struct mod *m, int step, int rounds)
{
	struct tally load_t = { 0 }, op_t = { 0 };
	int nth, more = 1, r, unloaded;

	for (nth = 1; more > 0; nth += step)
		attempt(m, nth, &load_t, &more);
	for (r = 0; r < rounds; r++)
		attempt(m, -1, &load_t, &more);
	tap_ok(!load_t.wrong && load_t.failed,
	       "%s: %ld loads with an allocation failing (%d allocations deep): %ld failed, all with ENOMEM and nothing left",
	       m->name, load_t.tries, nth - step, load_t.failed);
	if (load_t.wrong)
		tap_diag("%ld wrong; the first: %s", load_t.wrong, load_t.why);
	if (!m->op)
		return;
	if (kmod_load(m->ko, m->params)) {
		tap_ok(0, "%s: load it to use it", m->name);
		return;
	}
	more = 1;
	for (nth = 1; more > 0; nth += step)
		attempt_op(m, nth, &op_t, &more);
	for (r = 0; r < rounds; r++)
		attempt_op(m, -1, &op_t, &more);
	unloaded = kmod_unload(m->name);
	if (!tap_ok(!op_t.wrong && !unloaded,
		    "%s: %ld uses with an allocation failing: %ld failed, all with ENOMEM, and it works after",
		    m->name, op_t.tries, op_t.failed) &&
	    unloaded)
		tap_diag("got: unloading %s failed: %s", m->name,
			 strerror(-unloaded));
	if (op_t.wrong)
		tap_diag("%ld wrong; the first: %s", op_t.wrong, op_t.why);
}

/*
 * Is fault injection part of this kernel?  /proc/PID/make-it-fail exists
 * with CONFIG_FAULT_INJECTION, whether debugfs is mounted or not; and the
 * debug kernel is built with it.
 */
static int fault_injection_expected(void)
{
	struct utsname u;

	if (!access("/proc/self/make-it-fail", F_OK))
		return 1;
	return !uname(&u) && strstr(u.release, "-kernelpeek-debug") != NULL;
}

/* Is @name among the @n names of @v (all are, if none is given)? */
static int wanted(const char *name, int n, char **v)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return 1;
	return n <= 0;
}

/*
 * What each module is loaded with and how it is used (tests/lib/modules.h
 * lists them): a module not named here is loaded bare and not used.
 */
static void describe(struct mod *m, const struct kp_module *k)
{
	const char *n = k->name;

	memset(m, 0, sizeof(*m));
	m->name = k->name;
	m->ko = k->path;
	if (!strcmp(n, "lkm2"))
		snprintf(m->params, sizeof(m->params), "pid=%d", target);
	if (!strcmp(n, "lkm3"))
		snprintf(m->params, sizeof(m->params), "pid=%d vaddr=0x1000",
			 target);
	if (!strcmp(n, "lkm4"))
		snprintf(m->params, sizeof(m->params), "pid=%d detail=1",
			 target);
	if (!strcmp(n, "physmem"))
		m->op = physmem_op;
	if (!strcmp(n, "reparent")) {
		m->op = reparent_op;
		m->own_injection = 1; /* a soldier child joins */
	}
	if (!strcmp(n, "hello_procfs"))
		m->op = hello_op;
	if (!strcmp(n, "get_pgfaults"))
		m->op = pgfaults_op;
}

int main(int argc, char **argv)
{
	int step = argc > 1 ? atoi(argv[1]) : 1,
	    rounds = argc > 2 ? atoi(argv[2]) : 20;
	long psize = sysconf(_SC_PAGESIZE);
	struct kp_module found[KP_MODULES_MAX];
	struct mod mods[KP_MODULES_MAX];
	int n, i;

	if (access(DBG "failslab", F_OK) ||
	    access(DBG "fail_page_alloc", F_OK)) {
		/*
		 * A skip only where the kernel has no fault injection at all
		 * (Debian's); the debug kernel has it, so there a missing
		 * debugfs file is a failure, debugfs not mounted above all.
		 */
		if (!fault_injection_expected()) {
			tap_skip(
				"this kernel has no fault injection (the debug kernel does)",
				"allocation failures during loads and operations");
			return tap_done();
		}
		tap_ok(0,
		       "allocation failures during loads and operations: " DBG
		       "failslab and " DBG "fail_page_alloc are there");
		tap_diag("failslab: %s, fail_page_alloc: %s",
			 access(DBG "failslab", F_OK) ? "missing" : "there",
			 access(DBG "fail_page_alloc", F_OK) ? "missing" :
							       "there");
		return tap_done();
	}
	setup_injectors();
	/* Never shared with a child: a copy-on-write would move the frames. */
	pbuf = mmap(NULL, 64 * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_require(pbuf != MAP_FAILED, "map physmem's 64 pages");
	madvise(pbuf, 64 * psize, MADV_DONTFORK);
	memset(pbuf, 1, 64 * psize);
	for (i = 0; i < 64; i++) {
		pframe[i] = PM_PFN(pagemap_entry((uintptr_t)pbuf + i * psize)) *
			    psize;
		if (!pframe[i]) {
			tap_ok(0,
			       "pagemap gives the frames of physmem's 64 pages");
			return tap_done();
		}
	}
	target = fork();
	if (target == 0) {
		for (;;)
			pause();
	}
	n = kp_modules(found);
	if (!tap_ok(n > 0, "the modules are there (*/*.ko)"))
		n = 0;
	for (i = 0; i < n; i++)
		describe(&mods[i], &found[i]);
	put(DBG "failslab/probability", "10");
	put(DBG "fail_page_alloc/probability", "10");
	for (i = 0; i < n; i++)
		if (wanted(mods[i].name, argc - 3, argv + 3))
			sweep(&mods[i], step, rounds);
	put(DBG "failslab/probability", "0");
	put(DBG "fail_page_alloc/probability", "0");
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	return tap_done();
}
