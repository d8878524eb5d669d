/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * physmem.h - the user interface of /dev/physmem (2_I/physmem.c), shared by
 * the driver and every program that uses it.
 *
 * PHYSMEM_IOC_XLATE translates a virtual address of the calling process to
 * a physical address and pins that page to the open file (a long-term pin,
 * counted against RLIMIT_MEMLOCK); PHYSMEM_IOC_WRITE stores one byte at a
 * physical address, but only in a page this open file pinned for writing.
 * Closing the file releases its pins.  PHYSMEM_IOC_XLATE_BATCH translates
 * many addresses at once, pinning nothing, and reports for each a physical
 * address or why there is none; PHYSMEM_IOC_XLATE_RANGE does the same for
 * every page of a range, in 8 bytes a page, as /proc/PID/pagemap does.
 *
 * XLATE pins for writing only anonymous memory, shmem (tmpfs, memfd,
 * MAP_SHARED | MAP_ANONYMOUS, SysV shared memory) and private copies: in a
 * writable MAP_PRIVATE mapping it first breaks copy-on-write, so the page
 * is the caller's alone.  A page of a read-only mapping, or of a writable
 * MAP_SHARED mapping of any other file (ext4, say), is pinned read-only:
 * it translates, but WRITE refuses it, because storing to a page-cache
 * page behind the filesystem's back bypasses page_mkwrite, stable pages
 * and freeze protection.  Such a file is only ever written by write(2) or
 * through its mapping.
 *
 * The pinned pages count in the locked memory (VmLck) of the process that
 * opened the file, until it is closed; XLATE checks the caller's
 * RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK, as mlock() does.  WRITE marks
 * dirty only the pages it stored to.
 *
 * Errors (ioctl() returns -1 and sets errno):
 *   EPERM   open, XLATE, XLATE_BATCH or XLATE_RANGE without CAP_SYS_ADMIN;
 *           WRITE without CAP_SYS_RAWIO, or under kernel lockdown; WRITE
 *           to a physical address that is not in a page XLATE pinned on
 *           this file
 *           (logged: "physmem: refused write to 0x... by pid N: not pinned")
 *   EACCES  WRITE to a page XLATE pinned read-only: a read-only mapping, or
 *           a shared mapping of a file other than shmem (logged: "physmem:
 *           refused write to 0x... by pid N: a shared file page")
 *   EINVAL  XLATE of an address that is not a user address; WRITE with a
 *           non-zero pad byte; XLATE_BATCH or XLATE_RANGE with count 0 or
 *           above PHYSMEM_BATCH_MAX, or non-zero flags or reserved fields;
 *           XLATE_RANGE with a start that is not page aligned, or a range
 *           that goes beyond the user address space
 *   EINTR   XLATE or WRITE killed while waiting for another call on the
 *           same file, or XLATE's fault-in killed; XLATE_BATCH or
 *           XLATE_RANGE interrupted by a fatal signal
 *   ENXIO   XLATE of an address with no mapping, or none whose page may be
 *           pinned (a PFN map, a guard page, a poisoned page)
 *   EHWPOISON  XLATE of a page with a memory error, if GUP says so
 *           (pin_user_pages_fast() takes no FOLL_HWPOISON and reports it as
 *           EFAULT, hence ENXIO today)
 *   ENOSPC  XLATE when the file already holds PHYSMEM_MAX_PINS pins
 *   EAGAIN  XLATE raced with a change of the mapping: try again
 *   ENOMEM  XLATE over the caller's RLIMIT_MEMLOCK (without CAP_IPC_LOCK);
 *           no memory for open's state, XLATE's pin or pin record or
 *           XLATE_BATCH's or XLATE_RANGE's buffers
 *   EFAULT  the argument pointer is not valid (XLATE then pins nothing)
 *   ENOTTY  an unknown command
 */
#ifndef _UAPI_KERNELPEEK_PHYSMEM_H
#define _UAPI_KERNELPEEK_PHYSMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The most pages one open file may hold pinned at once. */
#define PHYSMEM_MAX_PINS 4096

/**
 * struct physmem_xlate - argument of PHYSMEM_IOC_XLATE
 * @vaddr: in: a virtual address of the calling process
 * @paddr: out: the physical address it maps to, page offset included
 */
struct physmem_xlate {
	__u64 vaddr;
	__u64 paddr;
};

/**
 * struct physmem_write - argument of PHYSMEM_IOC_WRITE
 * @paddr: the physical address to write, from PHYSMEM_IOC_XLATE
 * @value: the byte to store there
 * @pad: must be zero
 */
struct physmem_write {
	__u64 paddr;
	__u8 value;
	__u8 pad[7];
};

/* The most addresses one PHYSMEM_IOC_XLATE_BATCH may translate. */
#define PHYSMEM_BATCH_MAX 1048576 /* 2^20 */

/* struct physmem_result.status */
#define PHYSMEM_PRESENT 0 /* paddr is valid */
#define PHYSMEM_NO_VMA 1 /* no mapping covers the address */
#define PHYSMEM_NOT_PRESENT 2 /* mapped, but no page there */
#define PHYSMEM_SWAPPED 3 /* in swap: swap_type, swap_offset */
#define PHYSMEM_MIGRATING 4 /* being migrated */
#define PHYSMEM_DEVICE 5 /* device-private memory */
#define PHYSMEM_OTHER 6 /* another kind of non-present entry */

/**
 * struct physmem_result - one translation of PHYSMEM_IOC_XLATE_BATCH
 * @paddr: PHYSMEM_PRESENT: the physical address, page offset included
 * @swap_offset: PHYSMEM_SWAPPED: the slot in the swap area
 * @status: one of PHYSMEM_PRESENT ... PHYSMEM_OTHER
 * @page_shift: PHYSMEM_PRESENT: log2 of the page size (12, 21 or 30; on
 *	arm64 also 16 and 25, contiguous hugetlb pages)
 * @swap_type: PHYSMEM_SWAPPED: the swap area
 */
struct physmem_result {
	__u64 paddr;
	__u64 swap_offset;
	__u32 status;
	__u16 page_shift;
	__u16 swap_type;
};

/**
 * struct physmem_xlate_batch - argument of PHYSMEM_IOC_XLATE_BATCH
 * @vaddrs: in: address of an array of @count __u64 virtual addresses of
 *	the calling process
 * @results: in: address of an array of @count struct physmem_result,
 *	which the call fills in
 * @count: in: how many, 1 to PHYSMEM_BATCH_MAX
 * @flags: must be 0
 * @reserved: must be 0
 *
 * Unlike XLATE it pins nothing and faults nothing in: it reports what the
 * page tables hold, so its answers may be out of date as soon as it
 * returns, and WRITE does not accept them.
 */
struct physmem_xlate_batch {
	__u64 vaddrs;
	__u64 results;
	__u32 count;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct physmem_xlate_range - argument of PHYSMEM_IOC_XLATE_RANGE
 * @start: in: the first virtual address, page aligned
 * @entries: in: address of an array of @count __u64, which the call fills
 *	in: one entry per page from @start on (PHYSMEM_RANGE_*() read them)
 * @count: in: how many pages, 1 to PHYSMEM_BATCH_MAX; the range must end
 *	inside the user address space
 * @flags: must be 0
 * @reserved: must be 0
 *
 * What XLATE_BATCH answers for the address of each page, packed in 8 bytes
 * and with no array of addresses to pass in: a quarter of the bytes to
 * copy, which is most of the cost of a long range.  Like XLATE_BATCH it
 * pins nothing and faults nothing in.
 */
struct physmem_xlate_range {
	__u64 start;
	__u64 entries;
	__u32 count;
	__u32 flags;
	__u64 reserved[2];
};

/*
 * An entry of XLATE_RANGE.  Bits 0-3: the status, as struct
 * physmem_result's.  PHYSMEM_PRESENT: bits 4-9 the page_shift, bits 12-63
 * the physical address of the (4 KiB) page.  PHYSMEM_SWAPPED: bits 4-8 the
 * swap area, bits 12-63 the slot in it.  Otherwise the other bits are 0.
 */
#define PHYSMEM_RANGE_INFO_BIT 4 /* the first bit of page_shift, swap area */
#define PHYSMEM_RANGE_SWAP_TYPE_BITS 5
#define PHYSMEM_RANGE_ADDR_BIT 12 /* the first bit of the address, slot */
#define PHYSMEM_RANGE_STATUS(e) ((__u32)(0xf & (e)))
#define PHYSMEM_RANGE_SHIFT(e) ((__u16)(((e) >> PHYSMEM_RANGE_INFO_BIT) & 0x3f))
#define PHYSMEM_RANGE_PADDR(e) \
	((__u64)(e) & ~((1ULL << PHYSMEM_RANGE_ADDR_BIT) - 1))
#define PHYSMEM_RANGE_SWAP_TYPE(e)                 \
	((__u16)(((e) >> PHYSMEM_RANGE_INFO_BIT) & \
		 ((1U << PHYSMEM_RANGE_SWAP_TYPE_BITS) - 1)))
#define PHYSMEM_RANGE_SWAP_OFFSET(e) ((__u64)(e) >> PHYSMEM_RANGE_ADDR_BIT)

/*
 * 0xC4: free in Documentation/userspace-api/ioctl/ioctl-number.rst of both
 * 6.1 and 6.12 (0xB8, used until now, went to the Marvell CN10K DPI driver
 * in 6.12), and away from 0xB8-0xBF, where new registrations land next.
 * KernelPeek's two devices share it: numbers 0x01-0x0F are /dev/physmem's,
 * 0x10-0x1F /dev/reparent's (2_II/reparent.h).
 */
#define PHYSMEM_IOC_MAGIC 0xC4
#define PHYSMEM_IOC_XLATE _IOWR(PHYSMEM_IOC_MAGIC, 1, struct physmem_xlate)
#define PHYSMEM_IOC_WRITE _IOW(PHYSMEM_IOC_MAGIC, 2, struct physmem_write)
#define PHYSMEM_IOC_XLATE_BATCH \
	_IOW(PHYSMEM_IOC_MAGIC, 3, struct physmem_xlate_batch)
#define PHYSMEM_IOC_XLATE_RANGE \
	_IOW(PHYSMEM_IOC_MAGIC, 4, struct physmem_xlate_range)

#endif /* _UAPI_KERNELPEEK_PHYSMEM_H */
