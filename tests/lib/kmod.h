/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the C tests: load and unload a module, read what it logged,
 * and the kernel's own answers (pagemap, smaps_rollup) to check it against.
 *
 *	kmsg_open();				start listening to the log
 *	kmod_load("1/lkm3.ko", "pid=1 vaddr=0x1000");	0 or -errno
 *	kmsg_grep(fd, "lkm3: ", buf, size);	first new line with a prefix
 *	kmod_unload("lkm3");
 *	kmod_loaded("lkm3");			is it still there?
 */
#ifndef KERNELPEEK_KMOD_H
#define KERNELPEEK_KMOD_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Load a module file with parameters ("a=1 b=2"); 0 or -errno. */
static inline int kmod_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

static inline int kmod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* Is module @name loaded (is /sys/module/@name there)? */
static inline int kmod_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* The name of an errno for messages ("EINVAL"), or "success" for 0. */
static inline const char *errno_name(int e)
{
	return e ? strerrorname_np(e) : "success";
}

/* Open a device read-write, or say why not and exit. */
static inline int dev_open_or_exit(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* A reader of /dev/kmsg that sees only what is logged from now on. */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Copy into @line the text of the next new log record that contains @needle
 * (records are "prio,seq,time,flags;text"); 0 if found, -1 if none is left.
 */
static inline int kmsg_grep(int fd, const char *needle, char *line, size_t size)
{
	char rec[2048];
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		char *text, *nl;

		if (n < 0)
			continue;	/* overwritten records: go on */
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(text, needle)) {
			snprintf(line, size, "%s", text);
			return 0;
		}
	}
	return -1;
}

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
#define PM_SWAP_TYPE(e) ((e) & 0x1f)
#define PM_SWAP_OFFSET(e) (((e) & ((1ULL << 55) - 1)) >> 5)

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

#endif /* KERNELPEEK_KMOD_H */
