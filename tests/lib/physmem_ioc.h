/* SPDX-License-Identifier: GPL-2.0 */
/*
 * physmem's four ioctls (2_I/physmem.h, the contract) as calls, for the
 * C tests and the benchmark.  Each returns 0 or the ioctl's -errno, the
 * convention of every helper in tests/ (tests/lib/tap.h).
 */
#ifndef KERNELPEEK_PHYSMEM_IOC_H
#define KERNELPEEK_PHYSMEM_IOC_H

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "2_I/physmem.h"

/* XLATE: pin the page of @p; its physical address in *@paddr (if set). */
static inline int physmem_xlate(int fd, const volatile void *p, uint64_t *paddr)
{
	struct physmem_xlate x = { .vaddr = (uintptr_t)p };
	if (ioctl(fd, PHYSMEM_IOC_XLATE, &x))
		return -errno;
	if (paddr)
		*paddr = x.paddr;
	return 0;
}

/* WRITE: the byte @value at physical address @paddr (pinned by XLATE). */
static inline int physmem_poke(int fd, uint64_t paddr, unsigned char value)
{
	struct physmem_write w = { .paddr = paddr, .value = value };

	return ioctl(fd, PHYSMEM_IOC_WRITE, &w) ? -errno : 0;
}

/* XLATE_BATCH: @count addresses @va, their answers in @res. */
static inline int physmem_batch(int fd, const uint64_t *va,
				struct physmem_result *res, uint32_t count)
{
	struct physmem_xlate_batch b = { .vaddrs = (uintptr_t)va,
					 .results = (uintptr_t)res,
					 .count = count };

	return ioctl(fd, PHYSMEM_IOC_XLATE_BATCH, &b) ? -errno : 0;
}

/* XLATE_RANGE: the @count pages from @start, one entry each in @ent. */
static inline int physmem_range(int fd, const volatile void *start,
				uint64_t *ent, uint32_t count)
{
	struct physmem_xlate_range r = { .start = (uintptr_t)start,
					 .entries = (uintptr_t)ent,
					 .count = count };

	return ioctl(fd, PHYSMEM_IOC_XLATE_RANGE, &r) ? -errno : 0;
}

#endif /* KERNELPEEK_PHYSMEM_IOC_H */
