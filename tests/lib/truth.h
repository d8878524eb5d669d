/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ground truth for the C tests: what the kernel itself publishes about a
 * process and the system (/proc/PID/pagemap, /proc/vmstat, the "kB"
 * fields of /proc/PID/status and smaps_rollup), to check a module's
 * answers against.
 */
#ifndef KERNELPEEK_TRUTH_H
#define KERNELPEEK_TRUTH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The pagemap entry of virtual address @addr of process @pid (0: this
 * one) in *@entry; 0, or -errno if it could not be read.
 */
static inline int pagemap_read(pid_t pid, uintptr_t addr, uint64_t *entry)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[64];
	ssize_t n;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, entry, sizeof(*entry), (addr / page) * sizeof(*entry));
	if (n < 0)
		n = -errno;
	close(fd);
	return n == sizeof(*entry) ? 0 : n < 0 ? (int)n : -EIO;
}

/*
 * Our own pagemap entry of @addr, 0 if it cannot be read: for checks that
 * need a present entry (0 has no frame).  A check that wants an absent one
 * must use pagemap_read() and check that the read worked.
 */
static inline uint64_t pagemap_entry(uintptr_t addr)
{
	uint64_t entry;

	return pagemap_read(0, addr, &entry) ? 0 : entry;
}

#define PM_PRESENT(e) (((e) >> 63) & 1)
#define PM_SWAPPED(e) (((e) >> 62) & 1)
#define PM_PFN(e) ((e) & ((1ULL << 55) - 1))
#define PM_SWAP_TYPE(e) ((e)&0x1f)
#define PM_SWAP_OFFSET(e) (((e) & ((1ULL << 55) - 1)) >> 5)

/*
 * The u64 for frame @pfn in /proc/kpageflags or /proc/kpagecount (@file),
 * in *@v; 0, or -errno.  Root only (CAP_SYS_ADMIN).
 */
static inline int kpage_read(const char *file, uint64_t pfn, uint64_t *v)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, v, sizeof(*v), pfn * sizeof(*v));
	if (n < 0)
		n = -errno;
	close(fd);
	return n == sizeof(*v) ? 0 : n < 0 ? (int)n : -EIO;
}

#define PM_SOFT_DIRTY(e) (((e) >> 55) & 1)
#define PM_EXCLUSIVE(e) (((e) >> 56) & 1)

/* The value of @key in /proc/vmstat, or 0 if it is missing. */
static inline unsigned long vmstat_value(const char *key)
{
	int fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	size_t klen = strlen(key), len = 0;
	char buf[16384], *p = buf;
	ssize_t n;

	if (fd < 0)
		return 0;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtoul(p + klen + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* A "Key:   N kB" field of a /proc file, in kB (-1 if missing). */
static inline long proc_kb(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long kb = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			kb = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * A "Key:   N kB" field of the VMA that holds our @addr, in
 * /proc/self/smaps, in kB (-1 if missing).
 */
static inline long smaps_vma_kb(uintptr_t addr, const char *key)
{
	size_t klen = strlen(key);
	unsigned long start, end;
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int inside = 0;
	long kb = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = addr >= start && addr < end;
		else if (inside && !strncmp(line, key, klen) &&
			 line[klen] == ':')
			kb = strtol(line + klen + 1, NULL, 10);
	}
	if (f)
		fclose(f);
	return kb;
}

/**
 * struct va_layout - the virtual addresses of this machine, as lkm3 checks
 * vaddr= against them (include/kp_compat.h, kp_is_canonical())
 * @bits: the width lkm3 names ("48-bit addresses")
 * @limit: the end of user space (the task's TASK_SIZE)
 * @low_end: the first address that is not canonical
 * @high: the first canonical address above them (kernel space)
 *
 * x86-64: 48 bits (57 with LA57), canonical when sign-extended from the
 * top one; user space ends one page short of 2^(bits-1) (TASK_SIZE_MAX).
 * arm64: VA_BITS (48) for each half, user space from 0 to 2^48, the
 * kernel's from 2^64 - 2^48: @limit is @low_end there.
 */
struct va_layout {
	int bits;
	unsigned long limit, low_end, high;
};

static inline struct va_layout va_layout(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct va_layout l;

#if defined(__aarch64__)
	(void)page;
	l.bits = 48;
	l.low_end = 1UL << l.bits;
	l.limit = l.low_end;
#else
	/* With LA57, 57-bit addresses and user space up to 2^56 - 4 KiB. */
	l.bits = system("grep -qw la57 /proc/cpuinfo") == 0 ? 57 : 48;
	l.low_end = 1UL << (l.bits - 1);
	l.limit = l.low_end - page;
#endif
	l.high = ~(l.low_end - 1);
	return l;
}

#endif /* KERNELPEEK_TRUTH_H */
