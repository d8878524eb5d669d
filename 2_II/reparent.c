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
 * kp_ksym_var() in include/kp_ksym.h).
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
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "kp_compat.h"
#include "kp_ksym.h"
#include "kp_task.h"
#include "reparent.h"

static rwlock_t *reparent_tasklist_lock;

/*
 * tasklist_lock on a kernel whose symbol table has functions only (no
 * CONFIG_KALLSYMS_ALL, as Debian's arm64): functions that take it, and
 * have no other object in common, all form its address in their code
 * (kp_text_data_refs(), include/kp_compat.h).  The one address named by
 * each of them that is found is the lock; none, or more than one, and we
 * refuse.  At least two of them must be found (any may be inlined away).
 */
#define REPARENT_SCAN 512 /* instructions read from each function */
#define REPARENT_REFS 64

static unsigned long reparent_find_lock(void)
{
	/* kernel/signal.c, kernel/sys.c, kernel/exit.c: each takes the lock. */
	static const char *const users[] = { "kill_pgrp", "ksys_setsid",
					     "release_task" };
	unsigned long refs[REPARENT_REFS], other[REPARENT_REFS], text;
	int i, j, k, n = 0, m, seen = 0, common;

	for (i = 0; i < ARRAY_SIZE(users); i++) {
		text = kp_ksym_text(users[i]);
		if (!text)
			continue;
		if (!seen++) {
			n = kp_text_data_refs((const u32 *)text, REPARENT_SCAN,
					      refs, REPARENT_REFS);
			continue;
		}
		m = kp_text_data_refs((const u32 *)text, REPARENT_SCAN, other,
				      REPARENT_REFS);
		/* Keep the addresses this function names too. */
		for (j = 0, common = 0; j < n; j++) {
			for (k = 0; k < m && other[k] != refs[j]; k++)
				;
			if (k < m)
				refs[common++] = refs[j];
		}
		n = common;
	}
	return seen >= 2 && n == 1 ? refs[0] : 0;
}

static int reparent_refuse(int err, struct task_struct *adopter,
			   const char *why)
{
	pr_info_ratelimited("refused to make pid %d a child of pid %d: %s\n",
			    task_tgid_vnr(current), task_pid_vnr(adopter), why);
	return err;
}

/*
 * The checks that need no lock: they read only @adopter's flags and
 * credentials, which our reference keeps readable.  The uid comes before
 * capable(), so that a permitted caller is not audited as using
 * CAP_SYS_ADMIN.
 */
static int reparent_check(struct task_struct *adopter)
{
	if (same_thread_group(adopter, current))
		return reparent_refuse(-EINVAL, adopter, "that is itself");
	if (adopter->flags & PF_KTHREAD)
		return reparent_refuse(-EPERM, adopter, "a kernel thread");
	if (!uid_eq(current_euid(), task_euid(adopter)) &&
	    !capable(CAP_SYS_ADMIN))
		return reparent_refuse(-EPERM, adopter,
				       "another user's process");
	return 0;
}

/*
 * Each thread of the thread group of @g.  for_each_thread() would do, but
 * on a kernel with CONFIG_PROVE_RCU_LIST its lockdep condition names
 * tasklist_lock, which a module cannot link to; this names our pointer.
 */
#define reparent_for_each_thread(g, t)                                     \
	list_for_each_entry_rcu(t, &(g)->signal->thread_head, thread_node, \
				lockdep_is_held(reparent_tasklist_lock))

/* @t's real parent; tasklist_lock, held for writing, keeps it as it is. */
#define reparent_parent_of(t)                       \
	rcu_dereference_protected((t)->real_parent, \
				  lockdep_is_held(reparent_tasklist_lock))

/*
 * Is @t its pid namespace's init (the reaper of its orphans)?  Under
 * tasklist_lock: exit changes ->child_reaper only with it held
 * (find_child_reaper() in kernel/exit.c), and a task is released only
 * with it held, so neither @t's namespace nor its reaper can be freed
 * under us.
 */
static bool reparent_is_ns_init(struct task_struct *t)
{
	struct pid_namespace *ns = task_active_pid_ns(t);

	return ns && same_thread_group(t, ns->child_reaper);
}

/*
 * Each process (group leader) of the process group @pgrp: the list that
 * do_each_pid_task() walks, under tasklist_lock (or RCU).
 */
#define reparent_for_each_in_pgrp(p, pgrp)                        \
	hlist_for_each_entry_rcu(p, &(pgrp)->tasks[PIDTYPE_PGID], \
				 pid_links[PIDTYPE_PGID])

/*
 * Would moving @leader under @adopter orphan @leader's process group while
 * a member of it is stopped?  A group is orphaned when no member has a
 * parent in another group of the same session (POSIX); exit then sends
 * its stopped members SIGHUP and SIGCONT (kill_orphaned_pgrp() in
 * kernel/exit.c), which a move cannot do in the same way, so it is
 * refused.  Only @leader's own group can lose its link: the move changes
 * no other process's parent.
 */
static bool reparent_orphans_stopped_pgrp(struct task_struct *leader,
					  struct task_struct *adopter)
{
	struct task_struct *old = reparent_parent_of(leader), *p;
	struct pid *pgrp = task_pgrp(leader);
	struct pid *session = task_session(leader);

	/* The old parent was no link to the outside: nothing is lost. */
	if (is_global_init(old) || task_pgrp(old) == pgrp ||
	    task_session(old) != session)
		return false;
	/* The new parent is one: nothing is lost either. */
	if (!is_global_init(adopter) && task_pgrp(adopter) != pgrp &&
	    task_session(adopter) == session)
		return false;
	/* Another member's parent may keep the group linked. */
	reparent_for_each_in_pgrp(p, pgrp) {
		struct task_struct *parent = reparent_parent_of(p);

		if (p == leader || (p->exit_state && thread_group_empty(p)) ||
		    is_global_init(parent))
			continue;
		if (task_pgrp(parent) != pgrp &&
		    task_session(parent) == task_session(p))
			return false;
	}
	/* Orphaned by the move: that matters only to a stopped member. */
	reparent_for_each_in_pgrp(p, pgrp) {
		if (p->signal->flags & SIGNAL_STOP_STOPPED)
			return true;
	}
	return false;
}

/*
 * The checks on what may change until tasklist_lock is held, with it held
 * for writing.  Nothing is printed here, with interrupts off: the reason
 * goes to @why, for after the unlock.
 */
static int reparent_check_locked(struct task_struct *adopter, const char **why)
{
	struct task_struct *me = current, *p;

	reparent_for_each_thread(me, p) {
		if (p->ptrace) {
			*why = "the caller (one of its threads) is ptraced";
			return -EBUSY;
		}
	}
	/* Dying: a fatal signal, a group exit, or an exec killing threads. */
	if ((me->flags & PF_EXITING) || fatal_signal_pending(me) ||
	    (me->signal->flags & SIGNAL_GROUP_EXIT) ||
	    me->signal->group_exec_task) {
		*why = "the caller is exiting";
		return -ESRCH;
	}
	/* A released task has no pid namespace any more. */
	if ((adopter->flags & PF_EXITING) || adopter->exit_state ||
	    !task_active_pid_ns(adopter)) {
		*why = "it is exiting or a zombie";
		return -ESRCH;
	}
	if (task_active_pid_ns(adopter) != task_active_pid_ns(me)) {
		*why = "another pid namespace";
		return -EXDEV;
	}
	if (reparent_is_ns_init(adopter)) {
		*why = "init adopts no one on request";
		return -EPERM;
	}
	if (reparent_is_ns_init(me)) {
		*why = "the caller is init";
		return -EPERM;
	}
	/* A cycle would leave the exit path's reaper search without end. */
	for (p = adopter; p != &init_task; p = reparent_parent_of(p)) {
		if (same_thread_group(p, me)) {
			*why = "it descends from the caller";
			return -ELOOP;
		}
	}
	if (reparent_orphans_stopped_pgrp(me->group_leader, adopter)) {
		*why = "it would orphan the caller's process group, which has a stopped member";
		return -EBUSY;
	}
	return 0;
}

/*
 * The process tree, as the kernel keeps it: a process's children hang off
 * the threads that forked them (->children of the thread, ->sibling of the
 * child).  With tasklist_lock held.
 */

/* The first child of any thread of @group, or NULL. */
static struct task_struct *reparent_first_child(struct task_struct *group)
{
	struct task_struct *t;

	reparent_for_each_thread(group, t) {
		if (!list_empty(&t->children))
			return list_first_entry(&t->children,
						struct task_struct, sibling);
	}
	return NULL;
}

/* The child after @child among all children of its parent's group. */
static struct task_struct *reparent_next_child(struct task_struct *child)
{
	struct task_struct *parent = reparent_parent_of(child), *t;
	bool after = false;

	if (!list_is_last(&child->sibling, &parent->children))
		return list_next_entry(child, sibling);
	reparent_for_each_thread(parent->group_leader, t) {
		if (after && !list_empty(&t->children))
			return list_first_entry(&t->children,
						struct task_struct, sibling);
		if (t == parent)
			after = true;
	}
	return NULL;
}

/*
 * Under a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)), the caller's
 * orphans must go to it, not to init.  find_new_reaper() in kernel/exit.c
 * looks for a subreaper only in a process whose signal->has_child_subreaper
 * is set, which fork copies down and the prctl sets in every descendant
 * (propagate_has_child_subreaper() in kernel/sys.c).  Do the same: here
 * for the caller, under the write lock of the move, and true if its
 * descendants need it too (reparent_mark_descendants(), depth first,
 * skipping the subtrees that have it already and those of a namespace's
 * init, whose orphans never leave it).  The flag is only ever set, as in
 * the kernel: a stale one only makes exit look further.
 */
static bool reparent_inherit_subreaper(struct task_struct *top,
				       struct task_struct *adopter)
{
	if (!adopter->signal->has_child_subreaper &&
	    !adopter->signal->is_child_subreaper)
		return false;
	if (top->signal->has_child_subreaper)
		return false;
	top->signal->has_child_subreaper = 1;
	return true;
}

/*
 * The descendants of @top, after it got the flag: with tasklist_lock held
 * for reading (a child forked meanwhile copies the flag from its parent in
 * copy_process(), under the lock).  reparent_next_child() rescans the
 * threads of a parent group, so a process with T threads costs T * T
 * steps: fine for a teaching driver, with interrupts on.
 */
static void reparent_mark_descendants(struct task_struct *top)
{
	struct task_struct *p = reparent_first_child(top), *next;

	while (p) {
		if (!p->signal->has_child_subreaper &&
		    !is_child_reaper(task_pid(p))) {
			p->signal->has_child_subreaper = 1;
			next = reparent_first_child(p);
			if (next) {
				p = next;
				continue;
			}
		}
		/* @p's subtree is done: on to the next child, here or above. */
		while (!(next = reparent_next_child(p))) {
			p = reparent_parent_of(p)->group_leader;
			if (p == top)
				break;
		}
		p = next;
	}
}

static long reparent_set_parent(struct reparent_req __user *arg)
{
	struct task_struct *me = current, *leader = me->group_leader;
	struct task_struct *adopter, *old, *t;
	struct reparent_req req;
	const char *why = NULL;
	bool subreaper = false;
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
	ret = reparent_check_locked(adopter, &why);
	if (!ret) {
		old = reparent_parent_of(leader);
		old_pid = task_tgid_vnr(old);
		/*
		 * Wake a wait() in the old parent first: its wake-up test
		 * still finds us its child (a __WNOTHREAD waiter compares
		 * ->parent), and it rescans only once we unlock.
		 */
		__wake_up_sync_key(&old->signal->wait_chldexit,
				   TASK_INTERRUPTIBLE, leader);
		reparent_for_each_thread(me, t) {
			rcu_assign_pointer(t->real_parent, adopter);
			if (!t->ptrace)
				rcu_assign_pointer(t->parent, adopter);
			/* As fork gives a child, any thread may lead later. */
			t->parent_exec_id = adopter->self_exec_id;
		}
		list_move_tail(&leader->sibling, &adopter->children);
		leader->exit_signal = SIGCHLD;
		subreaper = reparent_inherit_subreaper(leader, adopter);
	}
	write_unlock_irq(reparent_tasklist_lock);
	if (subreaper) {
		/* With interrupts on, as the kernel's own propagation runs. */
		read_lock(reparent_tasklist_lock);
		reparent_mark_descendants(leader);
		read_unlock(reparent_tasklist_lock);
	}
	if (ret) {
		reparent_refuse(ret, adopter, why);
		goto out;
	}
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

	reparent_tasklist_lock =
		(rwlock_t *)kp_ksym_var("tasklist_lock", sizeof(rwlock_t));
	if (reparent_tasklist_lock) {
		pr_info("found tasklist_lock by register_kprobe()'s symbol lookup, with no call through a pointer\n");
	} else {
		reparent_tasklist_lock = (rwlock_t *)reparent_find_lock();
		if (!reparent_tasklist_lock) {
			pr_err("cannot find tasklist_lock (needs CONFIG_KPROBES, and CONFIG_KALLSYMS_ALL or arm64): not loading\n");
			return -ENOENT;
		}
		pr_info("found tasklist_lock in the code of the functions that take it (no CONFIG_KALLSYMS_ALL)\n");
	}
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
