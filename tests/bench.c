// SPDX-License-Identifier: GPL-2.0
/*
 * bench - KernelPeek against the kernel's own interfaces, side by side in
 * one run ("make bench"; tools/bench.sh boots the VM and runs it).
 *
 * Each row times our way and the kernel's way of getting the same answer,
 * REPS times each, interleaved, and reports the median, the spread
 * (min-max), the ratio ours/peer, the row's goal for that ratio and
 * whether the run met it.  Absolute times under software emulation mean
 * little; the ratios do.  Every answer is checked before it is timed.
 * Needs root, physmem.ko and get_pgfaults.ko loaded, and lkm1.ko and
 * lkm4.ko (loaded per measurement).
 *
 *	tests/bench [xlate] [range] [lkm4] [lkm1] [pgfaults]
 *
 * runs the rows named (all, if none is).  Output: the guest's kernel
 * command line, a Markdown table, then "data|..." lines for the chart.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kmod.h"
#include "truth.h"
#include "physmem_ioc.h"

#define REPS 7
#define MIB (1UL << 20)

static long psize;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double median, min, max;
};

static struct stat3 summarize(double *v, int n)
{
	struct stat3 s;

	qsort(v, n, sizeof(*v), cmp);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

/*
 * One row: @what measured as ours and peer, in @unit; @goal is the
 * highest ratio ours/peer that meets the row's goal (0: no goal).
 */
static void row(const char *what, const char *ours, const char *peer,
		const char *unit, double *o, double *p, double goal)
{
	struct stat3 so = summarize(o, REPS), sp = summarize(p, REPS);
	double ratio = so.median / sp.median;
	char g[32] = "-";

	if (goal)
		snprintf(g, sizeof(g), "<= %.2f: %s", goal,
			 ratio <= goal ? "met" : "not met");
	printf("| %s | %s | %.0f | %.0f-%.0f | %s | %.0f | %.0f-%.0f | %.2f | %s |\n",
	       what, ours, so.median, so.min, so.max, peer, sp.median, sp.min,
	       sp.max, ratio, g);
	printf("data|%s|%.1f|%.1f|%s\n", what, so.median, sp.median, unit);
	fflush(stdout);
}

static void one_translation(int fd, int pm)
{
	double o[REPS], p[REPS], f[REPS];
	volatile char *page = malloc(1);
	uintptr_t va = (uintptr_t)page;
	const int k = 2000;
	uint64_t e, paddr = 0;
	int r, i;

	*page = 1;
	/* Time only what works: XLATE must give pagemap's answer. */
	if (physmem_xlate(fd, page, &paddr) ||
	    pread(pm, &e, 8, va / psize * 8) != 8 ||
	    paddr != PM_PFN(e) * psize + va % psize) {
		fprintf(stderr, "bench: XLATE does not agree with pagemap\n");
		exit(1);
	}
	for (r = 0; r < REPS; r++) {
		double t = now_ns();
		for (i = 0; i < k; i++)
			physmem_xlate(fd, page, &paddr);
		o[r] = (now_ns() - t) / k;
		t = now_ns();
		for (i = 0; i < k; i++)
			if (pread(pm, &e, 8, va / psize * 8) != 8)
				break;
		p[r] = (now_ns() - t) / k;
		t = now_ns();
		for (i = 0; i < k; i++)
			syscall(SYS_getppid);
		f[r] = (now_ns() - t) / k;
	}
	row("one translation (ns per call)", "PHYSMEM_IOC_XLATE",
	    "pread 8 B of pagemap", "ns", o, p, 1.0);
	row("system call floor (ns per call)", "getppid()", "getppid()", "ns",
	    f, f, 0);
}

/* A range of @n pages at @base, and the arrays to read it with. */
struct span {
	int fd, pm;
	char *base;
	size_t n;
	uint64_t *va, *ent, *mine;
	struct physmem_result *res;
};

static struct span span_new(int fd, int pm, char *base, size_t n)
{
	struct span s = { fd,		pm,
			  base,		n,
			  calloc(n, 8), calloc(n, 8),
			  calloc(n, 8), calloc(n, sizeof(*s.res)) };
	size_t i;

	if (!s.va || !s.ent || !s.mine || !s.res) {
		fprintf(stderr, "bench: no memory for %zu pages\n", n);
		exit(1);
	}
	for (i = 0; i < n; i++)
		s.va[i] = (uintptr_t)base + i * psize;
	return s;
}

static void span_free(struct span *s)
{
	free(s->va);
	free(s->ent);
	free(s->mine);
	free(s->res);
}

static int span_batch(struct span *s)
{
	return physmem_batch(s->fd, s->va, s->res, s->n);
}

static int span_range(struct span *s)
{
	return physmem_range(s->fd, s->base, s->mine, s->n);
}

static int span_pagemap(struct span *s)
{
	size_t len = s->n * 8;

	return pread(s->pm, s->ent, len, (uintptr_t)s->base / psize * 8) ==
			       (ssize_t)len ?
		       0 :
		       -EIO;
}

/* @ours against one pagemap pread, interleaved, in ns per page. */
static void against_pagemap(struct span *s, int (*ours)(struct span *),
			    double *o, double *p)
{
	int r;

	for (r = 0; r < REPS; r++) {
		double t = now_ns();

		ours(s);
		o[r] = (now_ns() - t) / s->n;
		t = now_ns();
		span_pagemap(s);
		p[r] = (now_ns() - t) / s->n;
	}
}

/* Stop the run if @ok is false: page @i does not agree with pagemap. */
static void agree(int ok, struct span *s, size_t i, uint64_t mine)
{
	if (ok)
		return;
	fprintf(stderr, "bench: page %zu: ours 0x%llx, pagemap 0x%llx\n", i,
		(unsigned long long)mine, (unsigned long long)s->ent[i]);
	exit(1);
}

/*
 * ns per page: XLATE_BATCH over @n pages at @base vs one pagemap pread.
 * Every answer must first be pagemap's frame.
 */
static void range(int fd, int pm, const char *what, char *base, size_t n)
{
	struct span s = span_new(fd, pm, base, n);
	double o[REPS], p[REPS];
	size_t i;

	if (span_batch(&s) || span_pagemap(&s)) {
		perror("bench: XLATE_BATCH or pagemap");
		exit(1);
	}
	for (i = 0; i < n; i++)
		agree(s.res[i].status == PHYSMEM_PRESENT &&
			      PM_PRESENT(s.ent[i]) &&
			      s.res[i].paddr == PM_PFN(s.ent[i]) * psize,
		      &s, i, s.res[i].paddr);
	against_pagemap(&s, span_batch, o, p);
	row(what, "PHYSMEM_IOC_XLATE_BATCH", "one pread of pagemap", "ns", o, p,
	    1.0);
	span_free(&s);
}

/*
 * What an address list costs by itself: XLATE_BATCH of @n addresses all in
 * one page (one walk of one PTE answers them all), per address, against
 * pagemap's whole cost per page over the @n pages at @base.  Copying each
 * address in and its 24-byte result out, and filling it, is what is left.
 */
static void list_cost(int fd, int pm, char *base, size_t n)
{
	struct span s = span_new(fd, pm, base, n);
	double o[REPS], p[REPS];
	size_t i;

	for (i = 0; i < n; i++)
		s.va[i] = (uintptr_t)base + i % psize;
	if (span_batch(&s) || s.res[n - 1].status != PHYSMEM_PRESENT) {
		fprintf(stderr, "bench: XLATE_BATCH in one page failed\n");
		exit(1);
	}
	against_pagemap(&s, span_batch, o, p);
	row("the address list alone: 16,384 addresses in one page (ns per address)",
	    "PHYSMEM_IOC_XLATE_BATCH", "one pread of pagemap, 64 MiB", "ns", o,
	    p, 0);
	span_free(&s);
}

/* The same with XLATE_RANGE, whose entries must be pagemap's frames. */
static void range_form(int fd, int pm, const char *what, char *base, size_t n)
{
	struct span s = span_new(fd, pm, base, n);
	double o[REPS], p[REPS];
	size_t i;

	if (span_range(&s) || span_pagemap(&s)) {
		perror("bench: XLATE_RANGE or pagemap");
		exit(1);
	}
	for (i = 0; i < n; i++)
		agree(PHYSMEM_RANGE_STATUS(s.mine[i]) == PHYSMEM_PRESENT &&
			      PM_PRESENT(s.ent[i]) &&
			      PHYSMEM_RANGE_PADDR(s.mine[i]) ==
				      PM_PFN(s.ent[i]) * psize,
		      &s, i, s.mine[i]);
	against_pagemap(&s, span_range, o, p);
	row(what, "PHYSMEM_IOC_XLATE_RANGE", "one pread of pagemap", "ns", o, p,
	    1.0);
	span_free(&s);
}

static char *touched(size_t len, int advice)
{
	char *raw = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));

	madvise(p, len, advice);
	memset(p, 1, len);
	return p;
}

/*
 * Fork a child that runs @setup(@arg), says it is ready, and waits to be
 * killed; return its pid once it is ready, or exit saying @what failed.
 */
static pid_t spawn(int (*setup)(const void *), const void *arg,
		   const char *what)
{
	int ready[2];
	pid_t child;
	char c;

	if (pipe(ready))
		exit(1);
	child = fork();
	if (child == 0) {
		if (setup(arg) || write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (child < 0 || read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "bench: %s did not start\n", what);
		exit(1);
	}
	close(ready[0]);
	return child;
}

struct holding {
	size_t span, len, piece;
};

/*
 * In a child: map @h->span bytes and touch @h->len of them, in pieces of
 * @h->piece spread evenly over the span, with 4K pages.
 */
static int hold(const void *arg)
{
	const struct holding *h = arg;
	char *raw = mmap(NULL, h->span + 2 * MIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t step = h->span / (h->len / h->piece), off;
	/* 2 MiB aligned: a 2 MiB piece fills one PTE table, not parts of two. */
	char *p = (char *)(((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1));

	if (raw == MAP_FAILED || madvise(p, h->span, MADV_NOHUGEPAGE))
		return -1;
	for (off = 0; off + h->piece <= h->span; off += step)
		memset(p + off, 1, h->piece);
	return 0;
}

/* A child holding memory as hold() says. */
static pid_t holder(size_t span, size_t len, size_t piece)
{
	const struct holding h = { span, len, piece };

	return spawn(hold, &h, "the memory holder");
}

/* A field of a module's report line ("walk_ns=", "threads="), or -1. */
static long field(const char *text, const char *key)
{
	const char *s = strstr(text, key);

	return s ? strtol(s + strlen(key), NULL, 10) : -1;
}

/* Read /proc/@pid/smaps_rollup whole into @buf (NUL-terminated). */
static void read_rollup(pid_t pid, char *buf, size_t size)
{
	char path[64];
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	fd = open(path, O_RDONLY);
	while (fd >= 0 && len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	if (fd >= 0)
		close(fd);
	buf[len] = '\0';
}

/* lkm4's answer in @line must be smaps_rollup's Rss for @pid. */
static void lkm4_check(pid_t pid, const char *line)
{
	char path[64];
	long rss;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	rss = proc_kb(path, "Rss");
	if (field(line, "physical_kb=") != rss) {
		fprintf(stderr,
			"bench: lkm4 says %ld kB, smaps_rollup %ld kB\n",
			field(line, "physical_kb="), rss);
		exit(1);
	}
}

/* @n of lkm4's walk_ns for @pid into @o; the first answer is checked. */
static void lkm4_walks(pid_t pid, double *o, int n)
{
	char params[32], line[512];
	int r;

	snprintf(params, sizeof(params), "pid=%d", pid);
	for (r = 0; r < n; r++) {
		int kfd = kmsg_open();

		o[r] = 0;
		if (!kmod_load("1/lkm4.ko", params) &&
		    !kmsg_grep(kfd, "lkm4: pid=", line, sizeof(line)))
			o[r] = field(line, "walk_ns=");
		kmod_unload("lkm4");
		close(kfd);
		if (o[r] <= 0) {
			fprintf(stderr, "bench: lkm4 gave no walk_ns\n");
			exit(1);
		}
		if (!r)
			lkm4_check(pid, line);
	}
}

/* Reading /proc/@pid/smaps_rollup whole, @n times, into @p (ns). */
static void rollup_reads(pid_t pid, double *p, int n)
{
	char buf[4096];
	int r;

	for (r = 0; r < n; r++) {
		double t = now_ns();

		read_rollup(pid, buf, sizeof(buf));
		p[r] = now_ns() - t;
	}
}

static void stop(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/*
 * lkm4's walk_ns against reading smaps_rollup, for a child holding @mib
 * (interleaved: one of each per round).
 */
static void memory_stats(unsigned long mib, double goal)
{
	double o[REPS], p[REPS];
	pid_t child = holder(mib * MIB, mib * MIB, mib * MIB);
	char what[64];
	int r;

	for (r = 0; r < REPS; r++) {
		lkm4_walks(child, &o[r], 1); /* checks its answer each round */
		rollup_reads(child, &p[r], 1);
	}
	stop(child);
	snprintf(what, sizeof(what), "memory statistics, %lu MiB resident (ns)",
		 mib);
	row(what, "lkm4 walk_ns", "read smaps_rollup", "ns", o, p, goal);
}

/*
 * lkm4 on 64 GiB mapped with 1 GiB of it touched, in 2 MiB pieces spread
 * over the whole range, against lkm4 on 1 GiB mapped and touched, both
 * held at once and walked in turn: the walk must cost what is present,
 * not what is mapped.
 */
static void sparse_walk(void)
{
	double o[REPS], d[REPS];
	pid_t sparse = holder(64UL << 30, 1UL << 30, 2 * MIB);
	pid_t dense = holder(1UL << 30, 1UL << 30, 1UL << 30);
	int r;

	for (r = 0; r < REPS; r++) {
		lkm4_walks(sparse, &o[r], 1);
		lkm4_walks(dense, &d[r], 1);
	}
	stop(sparse);
	stop(dense);
	row("lkm4, 64 GiB mapped, 1 GiB touched (ns)", "lkm4 walk_ns",
	    "lkm4 walk_ns, 1 GiB mapped", "ns", o, d, 1.25);
}
static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/* In a child: start THREADS threads that sleep. */
#define THREADS 10000
static int threads(const void *arg)
{
	pthread_attr_t a;
	pthread_t t;
	int i;

	(void)arg;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t, &a, sleeper, NULL))
			return -1;
	return 0;
}

/*
 * Read /proc/PID/task/TID/stat of every thread, as "ps -eL" does, and
 * count the threads found running ("R" after the name).  Returns how many
 * threads it read.
 */
static long scan_threads(long *running)
{
	char path[600], buf[1024], *e;
	struct dirent *pd, *td;
	DIR *proc = opendir("/proc"), *task;
	long seen = 0;
	ssize_t n;
	int fd;

	*running = 0;
	while (proc && (pd = readdir(proc))) {
		if (pd->d_name[0] < '1' || pd->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pd->d_name);
		task = opendir(path);
		while (task && (td = readdir(task))) {
			if (td->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 pd->d_name, td->d_name);
			fd = open(path, O_RDONLY);
			n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			if (fd >= 0)
				close(fd);
			if (n <= 0)
				continue;
			buf[n] = '\0';
			seen++;
			e = strrchr(buf, ')');
			*running += e && e[1] == ' ' && e[2] == 'R';
		}
		if (task)
			closedir(task);
	}
	if (proc)
		closedir(proc);
	return seen;
}

/*
 * lkm1 (load and unload: what a user waits for) against reading the stat
 * file of every thread, with a process of 10,000 sleeping threads.
 */
static void thread_scan(void)
{
	double o[REPS], p[REPS];
	char line[256];
	long running;
	int kfd, r;
	pid_t child;

	child = spawn(threads, NULL, "the 10,000 threads");
	/* lkm1 must have seen them all, as /proc does. */
	kfd = kmsg_open();
	if (kmod_load("1/lkm1.ko", "") ||
	    kmsg_grep(kfd, "lkm1: runnable=", line, sizeof(line)) ||
	    field(line, "threads=") < THREADS ||
	    scan_threads(&running) < THREADS) {
		fprintf(stderr, "bench: lkm1 or /proc missed threads: %s\n",
			line);
		exit(1);
	}
	kmod_unload("lkm1");
	close(kfd);
	for (r = 0; r < REPS; r++) {
		double t = now_ns();

		kmod_load("1/lkm1.ko", "");
		kmod_unload("lkm1");
		o[r] = now_ns() - t;
		t = now_ns();
		if (scan_threads(&running) < THREADS)
			exit(1);
		p[r] = now_ns() - t;
	}
	stop(child);
	row("runnable threads among 10,000 (ns)", "load and unload lkm1",
	    "read every /proc/PID/task/TID/stat", "ns", o, p, 0.1);
}

static unsigned long vmstat_pgfault(void)
{
	char buf[16384], *s;
	int fd = open("/proc/vmstat", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	s = strstr(buf, "\npgfault ");
	return s ? strtoul(s + 9, NULL, 10) : 0;
}

static void page_faults(void)
{
	double o[REPS], p[REPS];
	const int k = 200;
	volatile unsigned long sink = 0;
	char buf[256];
	int r, i, fd;

	for (r = 0; r < REPS; r++) {
		double t = now_ns();
		for (i = 0; i < k; i++) {
			fd = open("/proc/get_pgfaults", O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
				break;
			close(fd);
			sink += strtoul(buf + 24, NULL, 10);
		}
		o[r] = (now_ns() - t) / k;
		t = now_ns();
		for (i = 0; i < k; i++)
			sink += vmstat_pgfault();
		p[r] = (now_ns() - t) / k;
	}
	(void)sink;
	row("page faults since boot (ns per read)", "read /proc/get_pgfaults",
	    "read and parse /proc/vmstat", "ns", o, p, 0.25);
}

/* Is the row @name asked for?  No names: every row. */
static int asked(const char *name, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return argc < 2;
}

int main(int argc, char **argv)
{
	int fd = open("/dev/physmem", O_RDWR),
	    pm = open("/proc/self/pagemap", O_RDONLY);
	char cmdline[1024] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	psize = sysconf(_SC_PAGESIZE);
	if (!f || !fgets(cmdline, sizeof(cmdline), f)) {
		perror("bench: /proc/cmdline");
		return 1;
	}
	fclose(f);
	cmdline[strcspn(cmdline, "\n")] = '\0';
	printf("guest kernel command line: `%s`\n\n", cmdline);
	if (fd < 0 || pm < 0) {
		perror("bench: open /dev/physmem or pagemap");
		return 1;
	}
	printf("| benchmark | ours | median | spread | peer | median | spread | ours/peer | goal |\n");
	printf("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |\n");
	if (asked("xlate", argc, argv))
		one_translation(fd, pm);
	if (asked("range", argc, argv)) {
		char *small = touched(64 * MIB, MADV_NOHUGEPAGE);
		char *huge = touched(64 * MIB, MADV_HUGEPAGE);

		range(fd, pm, "64 MiB of 4K pages, address list (ns per page)",
		      small, 64 * MIB / psize);
		range_form(fd, pm, "64 MiB of 4K pages, range (ns per page)",
			   small, 64 * MIB / psize);
		range(fd, pm, "64 MiB of THP, address list (ns per page)", huge,
		      64 * MIB / psize);
		range_form(fd, pm, "64 MiB of THP, range (ns per page)", huge,
			   64 * MIB / psize);
		list_cost(fd, pm, small, 64 * MIB / psize);
	}
	if (asked("lkm4", argc, argv)) {
		memory_stats(64, 0);
		memory_stats(256, 0);
		memory_stats(1024, 0.5);
		sparse_walk();
	}
	if (asked("lkm1", argc, argv))
		thread_scan();
	if (asked("pgfaults", argc, argv))
		page_faults();
	return 0;
}
