// SPDX-License-Identifier: GPL-2.0
/*
 * reparent - make the calling process a child of another process.
 *
 * /dev/reparent (a misc device, root only) takes one ioctl, described in
 * reparent.h: REPARENT_IOC_SET_PARENT moves the caller's thread group
 * under a new parent, which then gets SIGCHLD when the caller exits and
 * reaps it with wait().
 *
 * Every process's task_struct points to the thread that forked it
 * (->real_parent) and to where its exit is reported (->parent, which
 * differs only while it is ptraced); a thread group leader is also on its
 * parent's ->children list through ->sibling.  The kernel changes these
 * only with tasklist_lock held for writing, as kernel/exit.c does when it
 * hands orphans to a reaper: fork, exit and wait() all rely on that lock,
 * and changing the links without it corrupts the lists.  Modules cannot
 * take tasklist_lock by name (it is not exported), so we find its address
 * once at load time, through the symbol lookup of register_kprobe() (see
 * reparent_lookup()).
 *
 * Under the lock we check again everything that may have changed (the new
 * parent exiting, a cycle, a tracer), move the links, make the leader
 * report its exit with SIGCHLD, and wake the old parent's wait() so that
 * it notices the child is gone (it then gets ECHILD).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "kp_task.h"
#include "reparent.h"

static rwlock_t *reparent_tasklist_lock;

/*
 * The address of the kernel variable @name, or 0, found without calling
 * into the kernel through a pointer.
 *
 * register_kprobe() resolves .symbol_name before it checks that the
 * address may be probed: _kprobe_addr() looks the name up with
 * kallsyms_lookup_name() and register_kprobe() stores the result in ->addr;
 * only then does check_kprobe_address_safe() refuse an address outside
 * kernel text with -EINVAL (kernel/kprobes.c, the same in 6.1 and 6.12).
 * For a variable that refusal is certain, and ->addr is the answer.  Its
 * name, printed back with %ps, must be @name, or we refuse it.
 *
 * Calling kallsyms_lookup_name() itself through a pointer, as modules used
 * to, is not safe: it is never address-taken inside the kernel, so on a
 * kernel built with CONFIG_X86_KERNEL_IBT (Debian's 6.12) objtool seals it
 * and boot overwrites its ENDBR with a NOP (apply_seal_endbr() in
 * arch/x86/kernel/alternative.c), and an indirect call to it traps on a
 * CPU that enforces IBT.
 */
static unsigned long reparent_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	char found[KSYM_SYMBOL_LEN];
	int ret;

	ret = register_kprobe(&kp);
	if (!ret) {
		/* Text, so not the variable we asked for. */
		unregister_kprobe(&kp);
		return 0;
	}
	if (ret != -EINVAL || !kp.addr)
		return 0;
	snprintf(found, sizeof(found), "%ps", kp.addr);
	if (strcmp(found, name))
		return 0;
	return (unsigned long)kp.addr;
}

static int reparent_refuse(int err, struct task_struct *adopter,
			   const char *why)
{
	pr_info_ratelimited("refused to make pid %d a child of pid %d: %s\n",
			    task_tgid_vnr(current), task_pid_vnr(adopter), why);
	return err;
}

/* Is @t its pid namespace's init (the reaper of its orphans)? */
static bool reparent_is_ns_init(struct task_struct *t)
{
	struct pid_namespace *ns = task_active_pid_ns(t);

	return ns && same_thread_group(t, READ_ONCE(ns->child_reaper));
}

/* The checks that do not need tasklist_lock. */
static int reparent_check(struct task_struct *adopter)
{
	struct task_struct *me = current;

	if (same_thread_group(adopter, me))
		return reparent_refuse(-EINVAL, adopter, "that is itself");
	if (adopter->flags & PF_KTHREAD)
		return reparent_refuse(-EPERM, adopter, "a kernel thread");
	/* NULL once @adopter is released (it exited and was reaped). */
	if (!task_active_pid_ns(adopter))
		return reparent_refuse(-ESRCH, adopter, "it has exited");
	if (task_active_pid_ns(adopter) != task_active_pid_ns(me))
		return reparent_refuse(-EXDEV, adopter,
				       "another pid namespace");
	if (reparent_is_ns_init(adopter))
		return reparent_refuse(-EPERM, adopter,
				       "init adopts no one on request");
	if (reparent_is_ns_init(me))
		return reparent_refuse(-EPERM, adopter, "the caller is init");
	if (!capable(CAP_SYS_ADMIN) &&
	    !uid_eq(current_euid(), task_euid(adopter)))
		return reparent_refuse(-EPERM, adopter,
				       "another user's process");
	return 0;
}

/* @t's real parent; tasklist_lock, held for writing, keeps it as it is. */
#define reparent_parent_of(t)                       \
	rcu_dereference_protected((t)->real_parent, \
				  lockdep_is_held(reparent_tasklist_lock))

/* The checks on what may change until tasklist_lock is held. */
static int reparent_check_locked(struct task_struct *adopter)
{
	struct task_struct *me = current, *p;

	if (me->ptrace)
		return reparent_refuse(-EBUSY, adopter,
				       "the caller is ptraced");
	if ((me->flags & PF_EXITING) || (me->signal->flags & SIGNAL_GROUP_EXIT))
		return reparent_refuse(-ESRCH, adopter,
				       "the caller is exiting");
	if ((adopter->flags & PF_EXITING) || adopter->exit_state)
		return reparent_refuse(-ESRCH, adopter,
				       "it is exiting or a zombie");
	/* A cycle would leave the exit path's reaper search without end. */
	for (p = adopter; p != &init_task; p = reparent_parent_of(p))
		if (same_thread_group(p, me))
			return reparent_refuse(-ELOOP, adopter,
					       "it descends from the caller");
	return 0;
}

static long reparent_set_parent(struct reparent_req __user *arg)
{
	struct task_struct *me = current, *leader = me->group_leader;
	struct task_struct *adopter, *old, *t;
	struct reparent_req req;
	pid_t old_pid = 0;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags)
		return -EINVAL;
	adopter = kp_get_task(req.new_parent);
	if (IS_ERR(adopter))
		return PTR_ERR(adopter);
	ret = reparent_check(adopter);
	if (ret)
		goto out;

	write_lock_irq(reparent_tasklist_lock);
	ret = reparent_check_locked(adopter);
	if (!ret) {
		old = reparent_parent_of(leader);
		old_pid = task_tgid_vnr(old);
		for_each_thread(me, t) {
			rcu_assign_pointer(t->real_parent, adopter);
			if (!t->ptrace)
				rcu_assign_pointer(t->parent, adopter);
		}
		list_move_tail(&leader->sibling, &adopter->children);
		leader->exit_signal = SIGCHLD;
		leader->parent_exec_id = adopter->self_exec_id;
		/* A wait() in the old parent rescans and finds us gone. */
		__wake_up_sync_key(&old->signal->wait_chldexit,
				   TASK_INTERRUPTIBLE, leader);
	}
	write_unlock_irq(reparent_tasklist_lock);
	if (ret)
		goto out;
	pr_info_ratelimited("pid %d is now a child of pid %d (was %d)\n",
			    task_tgid_vnr(me), task_pid_vnr(adopter), old_pid);
out:
	put_task_struct(adopter);
	return ret;
}

static long reparent_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case REPARENT_IOC_SET_PARENT:
		return reparent_set_parent((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations reparent_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = reparent_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice reparent_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "reparent",
	.fops = &reparent_fops,
	.mode = 0600,
};

static int __init reparent_init(void)
{
	int ret;

	reparent_tasklist_lock = (rwlock_t *)reparent_lookup("tasklist_lock");
	if (!reparent_tasklist_lock) {
		pr_err("cannot find tasklist_lock (needs CONFIG_KPROBES and CONFIG_KALLSYMS_ALL): not loading\n");
		return -ENOENT;
	}
	pr_info("found tasklist_lock by register_kprobe()'s symbol lookup, with no call through a pointer\n");
	ret = misc_register(&reparent_dev);
	if (ret)
		pr_err("cannot register /dev/reparent: %d\n", ret);
	return ret;
}

static void __exit reparent_exit(void)
{
	misc_deregister(&reparent_dev);
}

module_init(reparent_init);
module_exit(reparent_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("/dev/reparent: make the caller a child of another process");
MODULE_VERSION("0.1");
