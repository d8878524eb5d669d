/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the C tests: load and unload a module, read what it logged,
 * open a device, name an errno.  The kernel's own answers to check a
 * module against are in truth.h; the project's list of modules in
 * modules.h; physmem's ioctls in physmem_ioc.h.
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
			continue; /* overwritten records: go on */
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

#endif /* KERNELPEEK_KMOD_H */
