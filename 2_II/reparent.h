/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * reparent.h - the user interface of /dev/reparent (2_II/reparent.c),
 * shared by the driver and every program that uses it.
 *
 * REPARENT_IOC_SET_PARENT makes the calling process (its whole thread
 * group) a child of another process, new_parent, given as a PID of the
 * caller's pid namespace.  From then on /proc/<caller>/stat shows the new
 * ppid, the new parent gets SIGCHLD when the caller exits and reaps it
 * with wait(), and the old parent's wait() for it fails with ECHILD.  If
 * the new parent is a child subreaper or has one above it, the caller's
 * own orphans go to that subreaper, as they would after a fork.
 *
 * Errors (ioctl() returns -1 and sets errno):
 *   EINVAL  flags is not 0; new_parent <= 0; new_parent is the caller or a
 *           thread of it
 *   ESRCH   no process new_parent, or it is exiting or a zombie; or the
 *           caller is exiting
 *   ELOOP   new_parent descends from the caller (a parent cannot become
 *           its own descendant's child)
 *   EPERM   new_parent is a kernel thread or its namespace's init; the
 *           caller is init or a child reaper; the caller lacks
 *           CAP_SYS_ADMIN and its effective uid differs from new_parent's
 *   EXDEV   new_parent is in another pid namespace than the caller
 *   EBUSY   a thread of the caller is being ptraced; or the move would
 *           orphan the caller's process group while a member of it is
 *           stopped (exit would send that group SIGHUP and SIGCONT)
 *   EFAULT  the argument pointer is not valid
 *   ENOTTY  an unknown command
 */
#ifndef _UAPI_KERNELPEEK_REPARENT_H
#define _UAPI_KERNELPEEK_REPARENT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct reparent_req - argument of REPARENT_IOC_SET_PARENT
 * @new_parent: the PID of the process to become the caller's parent
 * @flags: must be 0
 */
struct reparent_req {
	__s32 new_parent;
	__u32 flags;
};

/*
 * 0xC4, numbers 0x10-0x1F: KernelPeek's ioctl code, shared with
 * /dev/physmem (0x01-0x0F).  It is free in ioctl-number.rst of both 6.1
 * and 6.12, and away from 0xB8-0xBF, where new registrations land next
 * (0xB9, used until now, is free there but next in line).
 */
#define REPARENT_IOC_MAGIC 0xC4
#define REPARENT_IOC_SET_PARENT \
	_IOW(REPARENT_IOC_MAGIC, 0x10, struct reparent_req)

#endif /* _UAPI_KERNELPEEK_REPARENT_H */
