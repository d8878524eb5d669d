// SPDX-License-Identifier: GPL-2.0
/*
 * params [CASES [SEED]] - hostile module parameters for lkm2, lkm3 and lkm4.
 *
 * Each case is a parameter string built from one class of value per
 * parameter, and the class says what must happen:
 *
 *	pid=	0 and negative: EINVAL; more than an int: ERANGE; not a number:
 *		EINVAL; no such process (pid_max .. INT_MAX): ESRCH; a kernel
 *		thread or a zombie: lkm2 reports, lkm3 and lkm4 EINVAL (no
 *		address space); a live process, in decimal, hex, octal or
 *		with a '+': it loads (the live ones: itself, a sleeping
 *		child, and those in KP_PARAM_PIDS, which share memory)
 *	vaddr=	missing or not a number: EINVAL; non-canonical, kernel, or at
 *		or above the user limit: EINVAL; 0, 1, the limit - 1 and holes:
 *		"not mapped reason=no-vma"; an untouched page: "not-present";
 *		a written page or the middle of a huge page: pagemap's frame,
 *		then the page's flags=; a page of a mapped file (present or
 *		not): its file_offset= and file= (our own program's path)
 *	detail=	y/n/1/0/on/off load; anything else is EINVAL
 *
 * A case passes when finit_module() gives exactly that errno and the log
 * explains it, no module stays loaded, or the module loads, its report is
 * the one /proc says (pagemap for lkm3, VmSize for lkm4) and it unloads.
 * First the fixed cases (the edges of each parameter), one TAP line
 * each; then CASES random ones; then a race: a process that exits (and is reaped) while a
 * module is being loaded for it.  The seed is printed for replay.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"
#include "kmod.h"
#include "truth.h"
#include "rng.h"

#define MB (1UL << 20)

struct kcase {
	int mod; /* 2, 3 or 4: lkm2, lkm3, lkm4 */
	char params[256];
	int err; /* the errno finit_module() must give, or 0 */
	char want[512]; /* a substring of the module's log */
};

/* What the cases are made of, set up once. */
static struct {
	pid_t self, sleeper, zombie, kthread;
	/* KP_PARAM_PIDS: processes that share memory (tests/share) */
	pid_t sharers[8];
	int nsharers;
	int pid_max, bits;
	unsigned long limit; /* the user address limit (TASK_SIZE) */
	unsigned long low_end; /* 2^(bits-1): canonical addresses are below */
	unsigned long high; /* 2^64 - 2^(bits-1): ... or from here on */
	char *touched, *untouched, *hole, *huge;
	int thp; /* @huge is one transparent huge page */
	char *file; /* FILE_PAGES of our own program file, the first read */
	char exe[256]; /* its path, as lkm3 and /proc/self/maps name it */
	long psize;
} world;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* A kernel thread other than kthreadd, or kthreadd: PF_KTHREAD in stat. */
static pid_t find_kthread(void)
{
	pid_t found = 2;
	int p;

	for (p = 3; p < 200 && found == 2; p++) {
		char path[64], buf[1024], *s;
		unsigned long flags;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", p);
		f = fopen(path, "re");
		if (!f)
			continue;
		s = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		/* ") S ppid pgrp session tty tpgid flags" */
		if (s &&
		    sscanf(s, ") %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & 0x00200000)) /* PF_KTHREAD */
			found = p;
		fclose(f);
	}
	return found;
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = 0;

	if (!f || fscanf(f, "%d", &v) != 1)
		die(path);
	fclose(f);
	return v;
}

/*
 * The PIDs in @list (space-separated) are live processes too, whose memory
 * is shared, copied on write and swapped (80-params.t starts tests/share
 * for them): lkm4's report on them takes its smaps paths.
 */
static void sharers_setup(const char *list)
{
	char *end;

	while (list && world.nsharers < 8) {
		long p = strtol(list, &end, 10);

		if (end == list || p <= 0)
			break;
		world.sharers[world.nsharers++] = p;
		list = end;
	}
}

/*
 * Part of our own program file, mapped: lkm3 names the file and the
 * offset in it, present or not (docs/lkm3.md).  Its path is what
 * /proc/self/exe links to, as maps and d_path() give it.
 */
#define FILE_PAGES 8

static void map_exe(void)
{
	volatile char sink;
	ssize_t n;
	int fd;

	n = readlink("/proc/self/exe", world.exe, sizeof(world.exe) - 1);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (n <= 0 || fd < 0)
		die("/proc/self/exe");
	world.exe[n] = '\0';
	world.file = mmap(NULL, FILE_PAGES * world.psize, PROT_READ,
			  MAP_PRIVATE, fd, 0);
	if (world.file == MAP_FAILED)
		die("mmap /proc/self/exe");
	close(fd);
	sink = world.file[0];
	(void)sink;
}

static void setup(void)
{
	struct va_layout layout;
	siginfo_t zinfo;
	char *p;

	world.psize = sysconf(_SC_PAGESIZE);
	world.self = getpid();
	sharers_setup(getenv("KP_PARAM_PIDS"));
	world.kthread = find_kthread();
	world.pid_max = read_int("/proc/sys/kernel/pid_max");
	layout = va_layout();
	world.bits = layout.bits;
	world.low_end = layout.low_end;
	world.high = layout.high;
	world.limit = layout.limit;

	world.sleeper = fork();
	if (world.sleeper == 0) {
		for (;;)
			pause();
	}
	world.zombie = fork();
	if (world.zombie == 0)
		_exit(0);
	/* Wait until it is a zombie, and leave it one (WNOWAIT). */
	if (waitid(P_PID, world.zombie, &zinfo, WEXITED | WNOWAIT))
		die("waitid");

	p = mmap(NULL, 12 * MB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	/* No huge page over the first two: the untouched one must stay so. */
	madvise(p, 2 * MB, MADV_NOHUGEPAGE);
	world.touched = p; /* 1 MiB, every page written */
	memset(world.touched, 0x5a, MB);
	world.untouched = p + MB; /* 1 MiB, never touched */
	world.hole = p + 2 * MB; /* 2 MiB unmapped */
	munmap(world.hole, 2 * MB);
	/* A 2 MiB-aligned 2 MiB inside the last 8 MiB, for a huge page. */
	world.huge = (char *)(((uintptr_t)p + 6 * MB) & ~(2 * MB - 1));
	madvise(world.huge, 2 * MB, MADV_HUGEPAGE);
	memset(world.huge, 0x6b, 2 * MB);
	world.thp = proc_kb("/proc/self/smaps_rollup", "AnonHugePages") >= 2048;
	map_exe();
}

/* The frame of one of our own bytes, as pagemap tells it, in paddr form. */
static unsigned long long paddr_of(const char *p)
{
	uint64_t pm = pagemap_entry((uintptr_t)p);

	return PM_PRESENT(pm) ?
		       PM_PFN(pm) * world.psize + (uintptr_t)p % world.psize :
		       0;
}

/* The comm of @pid, as the kernel's messages print task->comm. */
static const char *comm_of(pid_t pid)
{
	static char comm[32];
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = '\0';
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	/*
	 * task->comm holds 15 characters; /proc shows a kernel thread's
	 * whole name on newer kernels (6.12: "pool_workqueue_release").
	 */
	comm[15] = '\0';
	return comm;
}

/*
 * Run one case.  On a mismatch, put what happened in @why and return 0.
 * For lkm4 on a live process, want holds "virtual_kb=" and the VmSize is
 * read here, right before the load.
 */
static int run_case(struct kcase *c, char *why, size_t size)
{
	char name[8], path[16], line[512] = "";
	int fd, ret, found, unloaded;

	snprintf(name, sizeof(name), "lkm%d", c->mod);
	snprintf(path, sizeof(path), "1/lkm%d.ko", c->mod);
	fd = kmsg_open();
	ret = kmod_load(path, c->params);
	unloaded = ret ? 0 : kmod_unload(name);
	if (unloaded) {
		snprintf(why, size, "loaded, but rmmod failed: %s",
			 errno_name(-unloaded));
		close(fd);
		return 0;
	}
	found = kmsg_grep(fd, c->want, line, sizeof(line)) == 0;
	close(fd);
	if (ret != -c->err)
		snprintf(why, size, "got %s, expected %s", errno_name(-ret),
			 errno_name(c->err));
	else if (kmod_loaded(name))
		snprintf(why, size, "%s is still loaded after the failure",
			 name);
	else if (!found)
		snprintf(why, size, "%s, but no log line with \"%s\"",
			 errno_name(-ret), c->want);
	else
		return 1;
	return 0;
}

static void check(struct kcase *c, const char *what)
{
	char why[640];

	if (!tap_ok(run_case(c, why, sizeof(why)), "lkm%d %s: %s", c->mod,
		    c->params, what))
		tap_diag("%s", why);
}

/* --- The classes of pid= and what each means for a module. ---------- */

enum pid_class {
	P_NONPOS,
	P_RANGE,
	P_JUNK,
	P_NOSUCH,
	P_KTHREAD,
	P_ZOMBIE,
	P_SELF,
	P_SLEEPER,
	P_NCLASS
};

/* Write a pid= value of class @k in @s; return the pid it means. */
static long pid_text(enum pid_class k, char *s, size_t size)
{
	static const char *const junk[] = { "",	   "abc", "1a",	   "0x",
					    "--1", "1.5", "0x1p3", "1e3" };
	long v;

	switch (k) {
	case P_NONPOS:
		v = rng_below(4) ? -(long)rng_below(INT_MAX) - 1 : 0;
		snprintf(s, size, "%ld", v);
		return v;
	case P_RANGE:
		snprintf(s, size, rng_below(2) ? "%lld" : "-%lld",
			 (long long)INT_MAX + 2 +
				 (long long)rng_below(1UL << 40));
		return 0;
	case P_JUNK:
		snprintf(s, size, "%s", junk[rng_below(8)]);
		return 0;
	case P_NOSUCH:
		v = world.pid_max +
		    (long)rng_below((unsigned long)INT_MAX - world.pid_max + 1);
		break;
	case P_KTHREAD:
		v = rng_below(2) ? 2 : world.kthread;
		break;
	case P_ZOMBIE:
		v = world.zombie;
		break;
	case P_SELF:
		v = world.self;
		break;
	default:
		v = rng_below(world.nsharers + 1);
		v = v ? world.sharers[v - 1] : world.sleeper;
	}
	/* kstrtoint() with base 0: decimal, 0x hex, 0 octal, a leading '+'. */
	switch (rng_below(4)) {
	case 0:
		snprintf(s, size, "0x%lx", v);
		break;
	case 1:
		snprintf(s, size, "0%lo", v);
		break;
	case 2:
		snprintf(s, size, "+%ld", v);
		break;
	default:
		snprintf(s, size, "%ld", v);
	}
	return v;
}

/*
 * The expectation of pid class @k for module @mod when the pid is all that
 * decides; 0 with c->want set to the report when the module loads.
 */
static int pid_expect(struct kcase *c, enum pid_class k, long pid,
		      const char *text)
{
	int mm = k == P_SELF || k == P_SLEEPER;

	switch (k) {
	case P_NONPOS:
		snprintf(c->want, sizeof(c->want),
			 "lkm%d: pid=%ld is not valid", c->mod, pid);
		return EINVAL;
	case P_RANGE:
	case P_JUNK:
		snprintf(c->want, sizeof(c->want),
			 "lkm%d: `%s' invalid for parameter `pid'", c->mod,
			 text);
		return k == P_RANGE ? ERANGE : EINVAL;
	case P_NOSUCH:
		snprintf(c->want, sizeof(c->want),
			 "lkm%d: no process with pid %ld in this pid namespace",
			 c->mod, pid);
		return ESRCH;
	default:
		break;
	}
	if (c->mod == 2) {
		snprintf(c->want, sizeof(c->want),
			 "lkm2: pid=%ld children=", pid);
		return 0;
	}
	if (!mm) {
		snprintf(c->want, sizeof(c->want),
			 "lkm%d: pid %ld (%s) has no user address space",
			 c->mod, pid, comm_of(pid));
		return EINVAL;
	}
	return -1; /* the module's other parameters decide */
}

static int in(unsigned long a, const char *p, unsigned long len)
{
	return a >= (unsigned long)p && a < (unsigned long)p + len;
}

/*
 * lkm3's answer for vaddr=@a of process @pid: the model.  Addresses of
 * other processes are only ever 0, 1, 4095 and TASK_SIZE - 1 (no VMA) or
 * outside user space, and of ourselves also our own buffers and hole.
 */
static int vaddr_expect(struct kcase *c, pid_t pid, unsigned long a)
{
	if (a >= world.low_end && a < world.high) {
		snprintf(
			c->want, sizeof(c->want),
			"lkm3: vaddr=0x%lx is not canonical (%d-bit addresses)",
			a, world.bits);
		return EINVAL;
	}
	if (a >= world.limit) {
		snprintf(
			c->want, sizeof(c->want),
			"lkm3: vaddr=0x%lx is not a user address (the limit is 0x%lx)",
			a, world.limit);
		return EINVAL;
	}
	if (pid == world.self && in(a, world.file, FILE_PAGES * world.psize))
		snprintf(c->want, sizeof(c->want), " file_offset=0x%lx file=%s",
			 a - (unsigned long)world.file, world.exe);
	else if (pid == world.self &&
		 (in(a, world.touched, MB) || in(a, world.huge, 2 * MB)))
		snprintf(c->want, sizeof(c->want),
			 "lkm3: pid=%d vaddr=0x%lx paddr=0x%llx page=%s flags=",
			 pid, a, paddr_of((char *)a),
			 in(a, world.huge, 2 * MB) && world.thp ? "2M" : "4K");
	else if (pid == world.self && in(a, world.untouched, MB))
		snprintf(
			c->want, sizeof(c->want),
			"lkm3: pid=%d vaddr=0x%lx not mapped reason=not-present",
			pid, a);
	else
		snprintf(c->want, sizeof(c->want),
			 "lkm3: pid=%d vaddr=0x%lx not mapped reason=no-vma",
			 pid, a);
	return 0;
}

/* A random vaddr= for process @pid: text in @s; the expectation in @c. */
static int random_vaddr(struct kcase *c, pid_t pid, char *s, size_t size)
{
	static const char *const junk[] = {
		"", "abc", "-1", "0x", "0x1g", "18446744073709551616"
	};
	const unsigned long edge[] = { 0, 1, 4095, world.limit - 1,
				       world.limit };
	unsigned long a;
	const char *j;

	switch (rng_below(pid == world.self ? 10 : 6)) {
	case 0:
		*s = '\0';
		snprintf(c->want, sizeof(c->want),
			 "lkm3: vaddr=(missing) is not valid");
		return EINVAL;
	case 1:
		j = junk[rng_below(6)];
		snprintf(s, size, " vaddr=%s", j);
		snprintf(c->want, sizeof(c->want),
			 "lkm3: vaddr=%s is not valid", j);
		return EINVAL;
	case 2: /* non-canonical */
		a = world.low_end + rng_below(world.high - world.low_end);
		break;
	case 3: /* kernel */
		a = world.high + rng_below(world.low_end);
		break;
	case 4: /* at or above the limit (arm64: the limit is non-canonical) */
		a = world.limit;
		if (world.low_end > world.limit)
			a += rng_below(world.low_end - world.limit);
		break;
	case 5:
		a = edge[rng_below(5)];
		break;
	case 6:
		a = (unsigned long)world.hole + rng_below(2 * MB);
		break;
	case 7:
		a = (unsigned long)world.untouched + rng_below(MB);
		break;
	case 8:
		a = (unsigned long)world.file +
		    rng_below(FILE_PAGES * world.psize);
		break;
	default:
		a = rng_below(2) ?
			    (unsigned long)world.huge + rng_below(2 * MB) :
			    (unsigned long)world.touched + rng_below(MB);
	}
	snprintf(s, size, rng_below(4) ? " vaddr=0x%lx" : " vaddr=%lu", a);
	return vaddr_expect(c, pid, a);
}

/* VmSize of @pid in kB, as lkm4's virtual_kb must be. */
static long vmsize(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_kb(path, "VmSize");
}

/* One random case for module @mod. */
static void random_case(struct kcase *c, int mod)
{
	enum pid_class k = rng_below(P_NCLASS);
	char ptext[64], extra[96] = "";
	long pid = pid_text(k, ptext, sizeof(ptext));
	int e;

	c->mod = mod;
	e = pid_expect(c, k, pid, ptext);
	if (mod == 3) {
		struct kcase v;
		int ve = random_vaddr(&v, pid, extra, sizeof(extra));

		if (e < 0) { /* the pid is fine: vaddr decides */
			e = ve;
			snprintf(c->want, sizeof(c->want), "%s", v.want);
		}
	} else if (mod == 4) {
		static const char *const yes[] = { "1",	 "0",	"y", "n",
						   "on", "off", "Y", "N" };
		static const char *const no[] = { "2", "maybe", "o", "" };
		int bad = k != P_RANGE && k != P_JUNK && rng_below(6) == 0;

		if (bad) {
			const char *t = no[rng_below(4)];

			snprintf(extra, sizeof(extra), " detail=%s", t);
			snprintf(c->want, sizeof(c->want),
				 "lkm4: `%s' invalid for parameter `detail'",
				 t);
			e = EINVAL;
		} else if (rng_below(3) == 0) {
			snprintf(extra, sizeof(extra), " detail=%s",
				 yes[rng_below(8)]);
		}
		if (e < 0) {
			snprintf(c->want, sizeof(c->want),
				 "lkm4: pid=%ld virtual_kb=%ld ", pid,
				 vmsize(pid));
			e = 0;
		}
	}
	/* Now and then an unknown parameter, which the kernel ignores. */
	if (rng_below(8) == 0)
		strncat(extra, " bogus=1", sizeof(extra) - strlen(extra) - 1);
	snprintf(c->params, sizeof(c->params), "pid=%s%s", ptext, extra);
	c->err = e;
}

/* --- The fixed cases: the edges of each parameter. ------------------ */

/* The pid= edges, for each module: a case per class of pid. */
static void fixed_pid_case(int mod, enum pid_class k, const char *fixed,
			   const char *what)
{
	struct kcase c = { .mod = mod };
	char text[32];
	long pid = 0;

	if (fixed)
		snprintf(text, sizeof(text), "%s", fixed);
	else
		pid = pid_text(k, text, sizeof(text));
	if (k == P_NONPOS || k == P_NOSUCH)
		pid = strtol(text, NULL, 0);
	c.err = pid_expect(&c, k, pid, text);
	if (c.err < 0) { /* lkm3, lkm4 on a live process: a report */
		c.err = 0;
		if (mod == 3)
			snprintf(
				c.want, sizeof(c.want),
				"lkm3: pid=%ld vaddr=0x1000 not mapped reason=no-vma",
				pid);
		else
			snprintf(c.want, sizeof(c.want),
				 "lkm4: pid=%ld virtual_kb=%ld ", pid,
				 vmsize(pid));
	}
	snprintf(c.params, sizeof(c.params), "pid=%s%s", text,
		 mod == 3 ? " vaddr=0x1000" : "");
	check(&c, what);
}

static void fixed_pid_cases(void)
{
	static const struct {
		enum pid_class k;
		const char *text;
		const char *what;
	} pids[] = {
		{ P_NONPOS, "0", "pid 0" },
		{ P_NONPOS, "-1", "pid -1" },
		{ P_NOSUCH, "2147483647", "INT_MAX: no such process" },
		{ P_RANGE, "2147483648", "INT_MAX + 1 does not fit an int" },
		{ P_KTHREAD, NULL, "a kernel thread" },
		{ P_ZOMBIE, NULL, "a zombie" },
		{ P_SELF, NULL, "a live process" },
	};
	size_t i;
	int mod;

	for (mod = 2; mod <= 4; mod++)
		for (i = 0; i < sizeof(pids) / sizeof(pids[0]); i++)
			fixed_pid_case(mod, pids[i].k, pids[i].text,
				       pids[i].what);
}

/* The vaddr= edges, for lkm3 on this process. */
static void fixed_vaddr_cases(void)
{
	const struct {
		unsigned long a;
		const char *what;
	} vas[] = {
		{ 0, "vaddr 0" },
		{ 1, "vaddr 1" },
		{ world.limit - 1, "TASK_SIZE - 1" },
		{ world.limit, "TASK_SIZE" },
		{ world.low_end, "the first non-canonical address" },
		{ 0xffffffff81000000UL, "a kernel address (the kernel text)" },
		{ ~0UL, "the last address" },
		{ (unsigned long)world.huge + MB + 123,
		  "the middle of a huge page" },
		{ (unsigned long)world.touched + 3 * world.psize + 7,
		  "a written 4K page" },
		{ (unsigned long)world.untouched + 5 * world.psize,
		  "a page never touched" },
		{ (unsigned long)world.hole + 12345,
		  "a hole between mappings" },
		{ (unsigned long)world.file + 123, "a page of a file, read" },
		{ (unsigned long)world.file + 7 * world.psize + 5,
		  "a page of a file" },
	};
	struct kcase c = { .mod = 3 };
	size_t i;

	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		c.err = vaddr_expect(&c, world.self, vas[i].a);
		snprintf(c.params, sizeof(c.params), "pid=%d vaddr=0x%lx",
			 world.self, vas[i].a);
		check(&c, vas[i].what);
	}
}

/* --- A process that exits while a module is loaded for it. ------------ */

static void *reap(void *arg)
{
	waitpid(*(pid_t *)arg, NULL, 0);
	return NULL;
}

/*
 * @n times per module, and then until both happened (at most 10 @n more):
 * fork a child that exits after 0 to 50 ms while another thread reaps it,
 * and load the module for it meanwhile.  Whether the module sees it alive,
 * exiting (no address space), a zombie or gone, the answer must be a
 * report or EINVAL or ESRCH, with nothing left loaded; and some loads must
 * have seen it and some missed it, or the race never happened.
 */
static void race(int mod, long n)
{
	long outcome[3] = { 0 }, bad = 0, i;
	char name[8], path[16];

	snprintf(name, sizeof(name), "lkm%d", mod);
	snprintf(path, sizeof(path), "1/lkm%d.ko", mod);
	for (i = 0; i < n ||
		    ((!outcome[0] || !(outcome[1] + outcome[2])) && i < 11 * n);
	     i++) {
		unsigned int us = rng_below(50000);
		char params[64];
		pthread_t t;
		pid_t child;
		int ret;

		child = fork();
		if (child == 0) {
			usleep(us);
			_exit(0);
		}
		pthread_create(&t, NULL, reap, &child);
		snprintf(params, sizeof(params), "pid=%d%s", child,
			 mod == 3 ? " vaddr=0x1000" : "");
		ret = kmod_load(path, params);
		if (ret == 0 && kmod_unload(name))
			bad++;
		pthread_join(t, NULL);
		if (ret == 0)
			outcome[0]++;
		else if (ret == -ESRCH)
			outcome[1]++;
		else if (ret == -EINVAL && mod != 2)
			outcome[2]++;
		else if (bad++ < 5)
			tap_diag("lkm%d %s: %s", mod, params, errno_name(-ret));
		if (ret && kmod_loaded(name) && bad++ < 5)
			tap_diag("lkm%d %s: still loaded after failing", mod,
				 params);
	}
	if (!tap_ok(!bad && outcome[0] && outcome[1] + outcome[2],
		    "lkm%d on %ld processes exiting during the load: %ld reports, %ld ESRCH, %ld EINVAL (no address space), nothing else; reports and failures both seen",
		    mod, i, outcome[0], outcome[1], outcome[2]))
		tap_diag(
			"got %ld other outcomes (shown above), %ld reports, %ld failures; wanted 0, at least 1, at least 1",
			(long)bad, outcome[0], outcome[1] + outcome[2]);
}

int main(int argc, char **argv)
{
	long cases = argc > 1 ? atol(argv[1]) : 300, i, fails[5] = { 0 };
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) :
				   (uint64_t)time(NULL);
	struct kcase c;
	char why[640];
	int mod;

	rng_seed(seed);
	tap_diag("params %ld %#llx  (replay with these arguments)", cases,
		 (unsigned long long)seed);
	setup();
	tap_diag(
		"kthread %d, zombie %d, pid_max %d, %d-bit addresses, huge page %s",
		world.kthread, world.zombie, world.pid_max, world.bits,
		world.thp ? "yes" : "no");
	fixed_pid_cases();
	fixed_vaddr_cases();
	for (i = 0; i < cases; i++) {
		random_case(&c, 2 + i % 3);
		if (!run_case(&c, why, sizeof(why)) && fails[c.mod]++ < 5)
			tap_diag("lkm%d %s: %s", c.mod, c.params, why);
	}
	for (mod = 2; mod <= 4; mod++)
		if (!tap_ok(!fails[mod],
			    "lkm%d: %ld random parameter cases, each as its class says",
			    mod, (cases + 4 - mod) / 3))
			tap_diag(
				"got %ld cases otherwise (each shown above), wanted 0",
				fails[mod]);
	for (mod = 2; mod <= 4; mod++)
		race(mod, cases / 6 + 1);
	kill(world.sleeper, SIGKILL);
	while (wait(NULL) > 0)
		;
	return tap_done();
}
