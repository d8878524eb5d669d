/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kp_get_task() and kp_find_task() - the task behind a PID given by the
 * user, with the checks and errors every KernelPeek module uses; and
 * kp_get_mm(), its address space.
 */
#ifndef KP_TASK_H
#define KP_TASK_H

#include <linux/err.h>
#include <linux/pid.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include "kp_escape.h"

/**
 * kp_get_task() - look up a task by a PID of the caller's pid namespace
 * @nr: the PID (a thread ID works too)
 *
 * The caller is the process running insmod or the ioctl, so the number
 * means what it means to that process (find_get_pid() uses current's
 * namespace).
 *
 * Return: the task with a reference held (drop it with put_task_struct()),
 * ERR_PTR(-EINVAL) if @nr <= 0, or ERR_PTR(-ESRCH) if no task has it.
 */
static inline struct task_struct *kp_get_task(int nr)
{
	struct task_struct *task;
	struct pid *pid;

	if (nr <= 0)
		return ERR_PTR(-EINVAL);
	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	return task ?: ERR_PTR(-ESRCH);
}

/**
 * kp_find_task() - kp_get_task() for a pid= module parameter
 * @nr: the parameter's value
 *
 * The same, and an error is also logged, with the calling module's prefix.
 */
static inline struct task_struct *kp_find_task(int nr)
{
	struct task_struct *task = kp_get_task(nr);

	if (task == ERR_PTR(-EINVAL))
		pr_err("pid=%d is not valid: give pid=<PID> with PID > 0\n",
		       nr);
	else if (IS_ERR(task))
		pr_err("no process with pid %d in this pid namespace\n", nr);
	return task;
}

/**
 * kp_get_mm() - the address space of the process a user named by PID
 * @pid: the pid= parameter
 *
 * Return: the mm with a reference held (mmput() it), or ERR_PTR: -EINVAL
 * for a bad PID or a kernel thread (no mm), -ESRCH if no such process.
 */
static inline struct mm_struct *kp_get_mm(int pid)
{
	struct task_struct *task = kp_find_task(pid);
	struct mm_struct *mm;
	struct kp_comm comm;

	if (IS_ERR(task))
		return ERR_CAST(task);
	mm = get_task_mm(task);
	if (!mm)
		pr_err("pid %d (%s) has no user address space: a kernel thread or exiting\n",
		       pid, kp_comm(&comm, task));
	put_task_struct(task);
	return mm ? mm : ERR_PTR(-EINVAL);
}

#endif /* KP_TASK_H */
