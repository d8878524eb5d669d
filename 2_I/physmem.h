/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * physmem.h - the user interface of /dev/physmem (2_I/physmem.c), shared by
 * the driver and every program that uses it.
 *
 * PHYSMEM_IOC_XLATE translates a virtual address of the calling process to
 * a physical address and pins that page to the open file; PHYSMEM_IOC_WRITE
 * stores one byte at a physical address, but only in a page this open file
 * pinned for writing.  Closing the file releases its pins.
 *
 * Errors (ioctl() returns -1 and sets errno):
 *   EPERM   open or XLATE without CAP_SYS_ADMIN; WRITE without
 *           CAP_SYS_RAWIO, or under kernel lockdown; WRITE to a physical
 *           address that is not in a page XLATE pinned on this file
 *   EACCES  WRITE to a page XLATE pinned read-only (a read-only mapping)
 *   EINVAL  XLATE of an address that is not a user address; WRITE with a
 *           non-zero pad byte
 *   ENXIO   XLATE of an address with no accessible mapping
 *   ENOSPC  XLATE when the file already holds PHYSMEM_MAX_PINS pins
 *   EAGAIN  XLATE raced with a change of the mapping: try again
 *   EFAULT  the argument pointer is not valid
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

#define PHYSMEM_IOC_MAGIC 0xB8
#define PHYSMEM_IOC_XLATE _IOWR(PHYSMEM_IOC_MAGIC, 1, struct physmem_xlate)
#define PHYSMEM_IOC_WRITE _IOW(PHYSMEM_IOC_MAGIC, 2, struct physmem_write)

#endif /* _UAPI_KERNELPEEK_PHYSMEM_H */
