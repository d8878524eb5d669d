// SPDX-License-Identifier: GPL-2.0
/*
 * lkm2 - list the children of a process and their states.
 *
 *	insmod lkm2.ko pid=<PID>
 *
 * logs
 *
 *	lkm2: parent pid=<PID> comm=<comm>
 *	lkm2: pid=<child> comm=<comm> state=<letter>	(one per child)
 *	lkm2: pid=<PID> children=<count>
 *
 * <comm> is escaped as lkm1 does it (include/kp_escape.h).  The state
 * letter is the one /proc/<child>/stat shows: R running or
 * runnable, S sleeping, D uninterruptible, T stopped, t traced, Z zombie,
 * X dead, P parked, I idle (task_state_to_char()).
 *
 * The kernel keeps each task's children on its ->children list, but that
 * list is protected only by tasklist_lock, which modules cannot take.  So we
 * walk the whole process list under rcu_read_lock() instead, and keep every
 * process whose real_parent belongs to the target's thread group: a child
 * hangs off the thread that forked it, so this also finds children forked
 * by the other threads of the process.  It is the same test /proc uses for
 * the ppid field (the thread group ID of real_parent).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "kp_escape.h"
#include "kp_task.h"

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "Process whose children to list (required)");

static int __init lkm2_init(void)
{
	struct task_struct *parent, *p;
	unsigned int children = 0;
	struct kp_comm comm;
	pid_t child;

	parent = kp_find_task(pid);
	if (IS_ERR(parent))
		return PTR_ERR(parent);
	pr_info("parent pid=%d comm=%s\n", pid, kp_comm(&comm, parent));

	rcu_read_lock();
	for_each_process(p) {
		if (!same_thread_group(rcu_dereference(p->real_parent), parent))
			continue;
		child = task_tgid_vnr(p);
		if (!child)
			continue; /* not in our pid namespace */
		children++;
		pr_info("pid=%d comm=%s state=%c\n", child, kp_comm(&comm, p),
			task_state_to_char(p));
	}
	rcu_read_unlock();

	pr_info("pid=%d children=%u\n", pid, children);
	put_task_struct(parent);
	return 0;
}

static void __exit lkm2_exit(void)
{
}

module_init(lkm2_init);
module_exit(lkm2_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Lists the children of a process and their states");
MODULE_VERSION("0.1");
