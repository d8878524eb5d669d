// SPDX-License-Identifier: GPL-2.0
/*
 * churnq [QUERIES] - lkm3 and lkm4 asked, QUERIES times each, about
 * tests/churn, which maps, writes and unmaps 8 MiB at one address without
 * pause (4K pages in its first half, huge pages in its second).  Run as
 * root by tests/42-lkm34-stress.t.
 *
 * Half the queries are made with churn stopped (SIGSTOP): its memory holds
 * still, so the answers must be /proc's exactly: lkm3's the one pagemap
 * gives (frame, page size from kpageflags, not-present, or no VMA in
 * maps), lkm4's VmSize and smaps_rollup's Rss (+ hugetlb).  The other half
 * race with the churn: lkm3 must still give one of those answers, a 4K page
 * in the first half; lkm4's virtual_kb must be VmSize with the 8 MiB mapped
 * or not, its physical_kb at most that.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>

#include "tap.h"
#include "kmod.h"
#include "truth.h"

#define MB (1UL << 20)
#define LEN (8 * MB) /* churn's mapping */
#define KPF_THP 22 /* /proc/kpageflags bit */

static pid_t churn;
static uintptr_t base;
static long psize;

/* What lkm3 said, or what /proc says it must say, as one line. */
struct answer {
	char text[512];
};

static void start_churn(void)
{
	int out[2];
	char line[64];
	unsigned long at;
	FILE *f;

	if (pipe(out) || (churn = fork()) < 0) {
		perror("churnq: churn");
		exit(1);
	}
	if (churn == 0) {
		dup2(out[1], 1);
		close(out[0]);
		execl("tests/churn", "churn", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "ready %lx", &at) != 1) {
		fprintf(stderr, "churnq: churn did not say ready\n");
		kill(churn, SIGKILL);
		exit(1);
	}
	fclose(f);
	base = at;
}

static int freeze(void)
{
	int status;

	return kill(churn, SIGSTOP) ||
	       waitpid(churn, &status, WUNTRACED) != churn ||
	       !WIFSTOPPED(status);
}

static void thaw(void)
{
	kill(churn, SIGCONT);
}

/* Load lkm@mod with @params; the first log line with @needle in @line. */
static int ask(int mod, const char *params, const char *needle, char *line,
	       size_t size)
{
	char path[16], name[8];
	int fd = kmsg_open(), ret;

	snprintf(path, sizeof(path), "1/lkm%d.ko", mod);
	snprintf(name, sizeof(name), "lkm%d", mod);
	ret = kmod_load(path, params);
	if (!ret) {
		kmod_unload(name);
		ret = kmsg_grep(fd, needle, line, size) ? -ENOMSG : 0;
	}
	close(fd);
	return ret;
}

/* Does a VMA of churn cover @addr (/proc/PID/maps)? -1 if unreadable. */
static int has_vma(uintptr_t addr)
{
	char path[64], line[512];
	unsigned long start, end;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", churn);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx", &start, &end) == 2 &&
			addr >= start && addr < end;
	fclose(f);
	return found;
}

/* Is frame @pfn part of a transparent huge page? -1 if unreadable. */
static int is_thp(uint64_t pfn)
{
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	uint64_t flags;
	ssize_t n = -1;

	if (fd >= 0) {
		n = pread(fd, &flags, sizeof(flags), pfn * sizeof(flags));
		close(fd);
	}
	return n == sizeof(flags) ? (int)((flags >> KPF_THP) & 1) : -1;
}

/*
 * lkm3's line for @addr of churn, from "pid=" on, up to what it says of
 * the page itself (" flags=...", checked against /proc/kpageflags by
 * 40-lkm3.t, and changing with the page's LRU state while churn runs).
 */
static int lkm3_says(uintptr_t addr, struct answer *a)
{
	char params[64], line[1024] = "", *s, *page;
	int ret;

	snprintf(params, sizeof(params), "pid=%d vaddr=0x%lx", churn,
		 (unsigned long)addr);
	ret = ask(3, params, "lkm3: pid=", line, sizeof(line));
	s = strstr(line, "lkm3: ");
	snprintf(a->text, sizeof(a->text), "%s",
		 ret ? errno_name(-ret) :
		 s   ? s + 6 :
		       line);
	page = strstr(a->text, " flags=");
	if (page)
		*page = '\0';
	return ret;
}

/* What /proc says lkm3 must answer for @addr of the stopped churn. */
static int proc_says(uintptr_t addr, struct answer *a)
{
	int vma = has_vma(addr), thp = 0, ret;
	uint64_t pm;

	ret = pagemap_read(churn, addr, &pm);
	if (vma < 0 || ret)
		return -1;
	if (PM_PRESENT(pm)) {
		thp = is_thp(PM_PFN(pm));
		if (thp < 0 || !PM_PFN(pm))
			return -1;
	}
	if (!vma)
		snprintf(a->text, sizeof(a->text),
			 "pid=%d vaddr=0x%lx not mapped reason=no-vma", churn,
			 (unsigned long)addr);
	else if (PM_PRESENT(pm))
		snprintf(
			a->text, sizeof(a->text),
			"pid=%d vaddr=0x%lx paddr=0x%llx page=%s", churn,
			(unsigned long)addr,
			(unsigned long long)(PM_PFN(pm) * psize + addr % psize),
			thp ? "2M" : "4K");
	else if (PM_SWAPPED(pm))
		return -1; /* no swap here: not a state churn can be in */
	else
		snprintf(a->text, sizeof(a->text),
			 "pid=%d vaddr=0x%lx not mapped reason=not-present",
			 churn, (unsigned long)addr);
	return 0;
}

/* One of the answers lkm3 may give while churn runs; @small: 4K only. */
static int plausible(const struct answer *a, uintptr_t addr, int small)
{
	char head[64], page[8] = "";
	unsigned long long paddr;
	const char *rest;

	snprintf(head, sizeof(head), "pid=%d vaddr=0x%lx ", churn,
		 (unsigned long)addr);
	if (strncmp(a->text, head, strlen(head)))
		return 0;
	rest = a->text + strlen(head);
	if (!strcmp(rest, "not mapped reason=no-vma") ||
	    !strcmp(rest, "not mapped reason=not-present"))
		return 1;
	if (sscanf(rest, "paddr=0x%llx page=%7s", &paddr, page) != 2 ||
	    paddr % psize != addr % psize)
		return 0;
	return !strcmp(page, "4K") || (!small && !strcmp(page, "2M"));
}

struct tally {
	long asked, checked, moved, wrong;
	long kinds[4]; /* paddr 4K, paddr 2M, not-present, no-vma */
};

static void count_kind(struct tally *t, const struct answer *a)
{
	if (strstr(a->text, "page=4K"))
		t->kinds[0]++;
	else if (strstr(a->text, "page=2M"))
		t->kinds[1]++;
	else if (strstr(a->text, "not-present"))
		t->kinds[2]++;
	else if (strstr(a->text, "no-vma"))
		t->kinds[3]++;
}

static void wrong(struct tally *t, const char *what, const char *got,
		  const char *want)
{
	if (t->wrong++ < 5)
		tap_diag("%s: got '%s', wanted %s", what, got, want);
}

/*
 * lkm3 on the stopped churn: pagemap read before and after the query (a
 * page that khugepaged or compaction moved meanwhile is not a verdict).
 */
static void lkm3_frozen(struct tally *t, uintptr_t addr)
{
	struct answer got = { "" }, before = { "" }, after = { "" };
	char want[640];

	t->asked++;
	if (proc_says(addr, &before) || lkm3_says(addr, &got) ||
	    proc_says(addr, &after)) {
		wrong(t, "lkm3, churn stopped", got.text,
		      "an answer and /proc read");
		return;
	}
	if (strcmp(before.text, after.text)) {
		t->moved++;
		return;
	}
	t->checked++;
	count_kind(t, &got);
	snprintf(want, sizeof(want), "'%s' (pagemap)", before.text);
	if (strcmp(got.text, before.text))
		wrong(t, "lkm3, churn stopped", got.text, want);
}

static void lkm3_running(struct tally *t, uintptr_t addr, int small)
{
	struct answer got = { "" };

	t->asked++;
	if (lkm3_says(addr, &got) || !plausible(&got, addr, small)) {
		wrong(t, "lkm3, churn running", got.text,
		      small ? "a 4K frame, not-present or no-vma" :
			      "a frame, not-present or no-vma");
		return;
	}
	t->checked++;
	count_kind(t, &got);
}

/* lkm4's two numbers for churn; -1 on failure. */
static int lkm4_says(long *virt, long *phys)
{
	char params[32], line[512], *s;

	snprintf(params, sizeof(params), "pid=%d", churn);
	if (ask(4, params, "lkm4: pid=", line, sizeof(line)) ||
	    !(s = strstr(line, "virtual_kb=")) ||
	    sscanf(s, "virtual_kb=%ld physical_kb=%ld", virt, phys) != 2)
		return -1;
	return 0;
}

/* VmSize and Rss (+ hugetlb) of churn, in kB. */
static void proc_sizes(long *virt, long *phys)
{
	char status[64], rollup[64];

	snprintf(status, sizeof(status), "/proc/%d/status", churn);
	snprintf(rollup, sizeof(rollup), "/proc/%d/smaps_rollup", churn);
	*virt = proc_kb(status, "VmSize");
	*phys = proc_kb(rollup, "Rss") + proc_kb(rollup, "Private_Hugetlb") +
		proc_kb(rollup, "Shared_Hugetlb");
}

/* lkm4 on the stopped churn; learns *@vbase, VmSize without the 8 MiB. */
static void lkm4_frozen(struct tally *t, long *vbase)
{
	long v, p, v0, p0, v1, p1;
	char got[64], want[96];

	t->asked++;
	proc_sizes(&v0, &p0);
	if (lkm4_says(&v, &p)) {
		wrong(t, "lkm4, churn stopped", "no report", "a report");
		return;
	}
	proc_sizes(&v1, &p1);
	if (v0 != v1 || p0 != p1) {
		t->moved++;
		return;
	}
	t->checked++;
	if (v0 > 0 && has_vma(base) >= 0)
		*vbase = v0 - (has_vma(base) ? (long)(LEN >> 10) : 0);
	snprintf(got, sizeof(got), "virtual_kb=%ld physical_kb=%ld", v, p);
	snprintf(want, sizeof(want),
		 "virtual_kb=%ld physical_kb=%ld (VmSize, Rss)", v0, p0);
	if (v != v0 || p != p0)
		wrong(t, "lkm4, churn stopped", got, want);
}

static void lkm4_running(struct tally *t, long vbase)
{
	char got[64], want[96];
	long v, p;

	t->asked++;
	if (lkm4_says(&v, &p)) {
		wrong(t, "lkm4, churn running", "no report", "a report");
		return;
	}
	t->checked++;
	snprintf(got, sizeof(got), "virtual_kb=%ld physical_kb=%ld", v, p);
	snprintf(want, sizeof(want),
		 "virtual_kb %ld or %ld, physical_kb at most that", vbase,
		 vbase + (long)(LEN >> 10));
	if ((v != vbase && v != vbase + (long)(LEN >> 10)) || p < 0 || p > v)
		wrong(t, "lkm4, churn running", got, want);
}

static void verdict(const char *what, const struct tally *t, int kinds)
{
	if (!tap_ok(!t->wrong && t->checked,
		    "%s: %ld queries, %ld checked, %ld skipped (/proc moved during the query), none wrong",
		    what, t->asked, t->checked, t->moved))
		tap_diag(
			"got %ld wrong of %ld checked; wanted 0 wrong of more than 0",
			t->wrong, t->checked);
	if (kinds)
		tap_diag(
			"  answers: %ld 4K frames, %ld 2M frames, %ld not-present, %ld no-vma",
			t->kinds[0], t->kinds[1], t->kinds[2], t->kinds[3]);
}

int main(int argc, char **argv)
{
	long queries = argc > 1 ? atol(argv[1]) : 200, i, vbase = -1;
	struct tally t3f = { 0 }, t3r = { 0 }, t4f = { 0 }, t4r = { 0 };
	uintptr_t huge;

	psize = sysconf(_SC_PAGESIZE);
	start_churn();
	huge = base + 6 * MB + 12345;
	tap_diag("churn %d at 0x%lx; asking about 0x%lx (4K) and 0x%lx (huge)",
		 churn, (unsigned long)base, (unsigned long)base,
		 (unsigned long)huge);
	for (i = 0; i < queries; i++) {
		uintptr_t addr = i % 2 ? huge : base;

		/* Pairs of rounds alternate: stopped, running, stopped, ... */
		if (i / 2 % 2 == 0) {
			if (freeze()) {
				tap_diag("cannot stop churn: %s",
					 strerror(errno));
				break;
			}
			lkm3_frozen(&t3f, addr);
			lkm4_frozen(&t4f, &vbase);
			thaw();
		} else {
			lkm3_running(&t3r, addr, addr == base);
			if (vbase >= 0)
				lkm4_running(&t4r, vbase);
		}
	}
	kill(churn, SIGKILL);
	waitpid(churn, NULL, 0);
	verdict("lkm3 with churn stopped, against pagemap", &t3f, 1);
	verdict("lkm3 with churn running, a possible answer", &t3r, 1);
	verdict("lkm4 with churn stopped, against VmSize and smaps_rollup",
		&t4f, 0);
	verdict("lkm4 with churn running, VmSize with or without its 8 MiB",
		&t4r, 0);
	return tap_done();
}
