// SPDX-License-Identifier: GPL-2.0
/*
 * bench - KernelPeek against the kernel's own interfaces, side by side in
 * one run ("make bench"; tools/bench.sh boots the VM and runs it).
 *
 * Each row times our way and the kernel's way of getting the same answer,
 * REPS times each, interleaved, and reports the median, the spread
 * (min-max) and the ratio ours/peer.  Absolute times under software
 * emulation mean little; the ratios do.  Needs root and physmem.ko,
 * lkm4.ko (not loaded: it is loaded per measurement) and get_pgfaults.ko.
 *
 * Output: a Markdown table, then "data|..." lines for the chart.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kmod.h"
#include "2_I/physmem.h"

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

/* One row: "what" measured as ours and peer, in @unit. */
static void row(const char *what, const char *ours, const char *peer,
		const char *unit, double *o, double *p)
{
	struct stat3 so = summarize(o, REPS), sp = summarize(p, REPS);

	printf("| %s | %s | %.0f | %.0f-%.0f | %s | %.0f | %.0f-%.0f | %.2f |\n",
	       what, ours, so.median, so.min, so.max, peer, sp.median, sp.min,
	       sp.max, so.median / sp.median);
	printf("data|%s|%.1f|%.1f|%s\n", what, so.median, sp.median, unit);
	fflush(stdout);
}

static void one_translation(int fd, int pm)
{
	double o[REPS], p[REPS], f[REPS];
	volatile char *page = malloc(1);
	struct physmem_xlate x = { .vaddr = (uintptr_t)page };
	const int k = 2000;
	uint64_t e;
	int r, i;

	*page = 1;
	/* Time only what works: XLATE must give pagemap's answer. */
	if (ioctl(fd, PHYSMEM_IOC_XLATE, &x) || pread(pm, &e, 8, x.vaddr / psize * 8) != 8 ||
	    x.paddr != PM_PFN(e) * psize + x.vaddr % psize) {
		fprintf(stderr, "bench: XLATE does not agree with pagemap\n");
		exit(1);
	}
	for (r = 0; r < REPS; r++) {
		double t = now_ns();
		for (i = 0; i < k; i++)
			ioctl(fd, PHYSMEM_IOC_XLATE, &x);
		o[r] = (now_ns() - t) / k;
		t = now_ns();
		for (i = 0; i < k; i++)
			if (pread(pm, &e, 8, x.vaddr / psize * 8) != 8)
				break;
		p[r] = (now_ns() - t) / k;
		t = now_ns();
		for (i = 0; i < k; i++)
			syscall(SYS_getppid);
		f[r] = (now_ns() - t) / k;
	}
	row("one translation (ns per call)", "PHYSMEM_IOC_XLATE", "pread 8 B of pagemap",
	    "ns", o, p);
	row("system call floor (ns per call)", "getppid()", "getppid()", "ns", f, f);
}

/* ns per page: XLATE_BATCH over @n pages at @base vs one pagemap pread. */
static void range(int fd, int pm, const char *what, char *base, size_t n)
{
	uint64_t *va = calloc(n, 8), *ent = calloc(n, 8);
	struct physmem_result *res = calloc(n, sizeof(*res));
	struct physmem_xlate_batch b = { .vaddrs = (uintptr_t)va,
					 .results = (uintptr_t)res,
					 .count = n };
	double o[REPS], p[REPS];
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		va[i] = (uintptr_t)base + i * psize;
	if (ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b)) {
		perror("bench: XLATE_BATCH");
		exit(1);
	}
	for (i = 0; i < n; i++)
		if (res[i].status != PHYSMEM_PRESENT) {
			fprintf(stderr, "bench: page %zu is not present\n", i);
			exit(1);
		}
	for (r = 0; r < REPS; r++) {
		double t = now_ns();
		ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b);
		o[r] = (now_ns() - t) / n;
		t = now_ns();
		if (pread(pm, ent, n * 8, (uintptr_t)base / psize * 8) < 0)
			break;
		p[r] = (now_ns() - t) / n;
	}
	row(what, "PHYSMEM_IOC_XLATE_BATCH", "one pread of pagemap", "ns", o, p);
	free(va);
	free(ent);
	free(res);
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

/* lkm4's walk_ns against reading smaps_rollup, for a child holding @mib. */
static void memory_stats(unsigned long mib)
{
	double o[REPS], p[REPS];
	char what[64], path[64], buf[4096], params[32], line[512];
	int ready[2], r;
	pid_t child;

	if (pipe(ready))
		return;
	child = fork();
	if (child == 0) {
		touched(mib * MIB, MADV_NOHUGEPAGE);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], buf, 1) != 1)
		return;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", child);
	snprintf(params, sizeof(params), "pid=%d", child);
	for (r = 0; r < REPS; r++) {
		int kfd = kmsg_open(), fd;
		double t;
		char *s;

		o[r] = 0;
		if (!kmod_load("1/lkm4.ko", params) &&
		    !kmsg_grep(kfd, "lkm4: pid=", line, sizeof(line)) &&
		    (s = strstr(line, "walk_ns=")))
			o[r] = strtod(s + 8, NULL);
		kmod_unload("lkm4");
		close(kfd);
		if (!o[r]) {
			fprintf(stderr, "bench: lkm4 gave no walk_ns\n");
			exit(1);
		}
		t = now_ns();
		fd = open(path, O_RDONLY);
		while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
			;
		if (fd >= 0)
			close(fd);
		p[r] = now_ns() - t;
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	snprintf(what, sizeof(what), "memory statistics, %lu MiB resident (ns)", mib);
	row(what, "lkm4 walk_ns", "read smaps_rollup", "ns", o, p);
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
	    "read and parse /proc/vmstat", "ns", o, p);
}

int main(void)
{
	int fd = open("/dev/physmem", O_RDWR), pm = open("/proc/self/pagemap", O_RDONLY);

	psize = sysconf(_SC_PAGESIZE);
	if (fd < 0 || pm < 0) {
		perror("bench: open /dev/physmem or pagemap");
		return 1;
	}
	printf("| benchmark | ours | median | spread | peer | median | spread | ours/peer |\n");
	printf("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |\n");
	one_translation(fd, pm);
	range(fd, pm, "64 MiB of 4K pages (ns per page)",
	      touched(64 * MIB, MADV_NOHUGEPAGE), 64 * MIB / psize);
	range(fd, pm, "64 MiB of THP (ns per page)", touched(64 * MIB, MADV_HUGEPAGE),
	      64 * MIB / psize);
	memory_stats(64);
	memory_stats(256);
	memory_stats(1024);
	page_faults();
	return 0;
}
