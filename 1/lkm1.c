// SPDX-License-Identifier: GPL-2.0
/*
 * lkm1 - list the tasks that are running or runnable.
 *
 * Loading it logs one line per task (thread) whose state is TASK_RUNNING:
 * the one on a CPU right now and those waiting in a run queue for one.
 *
 *	lkm1: pid=<tgid> tid=<tid> comm=<comm> cpu=<cpu>
 *	lkm1: runnable=<count> threads=<threads seen>
 *
 * The insmod process itself is always among them: it is running this code.
 * <comm> is escaped (include/kp_escape.h): a newline in a task's name is
 * logged as \n and a backslash as \\, so no name can forge a log line.
 *
 * It walks every task_struct on the kernel's task list (for_each_process
 * and for_each_thread) under rcu_read_lock(), which keeps each task_struct
 * valid while we look at it; nothing in the loop sleeps.  A task's state is
 * READ_ONCE(task->__state), tested with task_is_running().  PIDs are those
 * of the pid namespace of the process that loaded the module; tasks that
 * namespace cannot see are skipped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "kp_escape.h"

static int __init lkm1_init(void)
{
	unsigned int runnable = 0, threads = 0;
	struct task_struct *p, *t;
	struct kp_comm comm;
	pid_t tid;

	rcu_read_lock();
	for_each_process_thread(p, t) {
		tid = task_pid_vnr(t);
		if (!tid)
			continue; /* not in our pid namespace */
		threads++;
		if (!task_is_running(t))
			continue;
		runnable++;
		pr_info("pid=%d tid=%d comm=%s cpu=%u\n", task_tgid_vnr(t), tid,
			kp_comm(&comm, t), task_cpu(t));
	}
	rcu_read_unlock();
	pr_info("runnable=%u threads=%u\n", runnable, threads);
	return 0;
}

static void __exit lkm1_exit(void)
{
}

module_init(lkm1_init);
module_exit(lkm1_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Lists the running and runnable tasks in the kernel log");
MODULE_VERSION("0.1");
