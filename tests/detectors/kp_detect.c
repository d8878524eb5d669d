// SPDX-License-Identifier: GPL-2.0
/*
 * kp_detect - plant one kernel bug on load, so that "make check-detectors"
 * (tests/detectors.sh) can prove that the guest kernel reports it and that
 * the log judge (vm/judge.sh) fails the run for it.  A lane whose config
 * silently drops a detector then fails that check instead of passing every
 * other test with nothing to see.
 *
 * Test-only: it is not a component, never installed, not in dkms.conf.
 * Each parameter plants one fault in kp_detect_init(); with none, the
 * module loads and does nothing (the clean baseline run).  The detector
 * that must see it, as a config option:
 *
 *	warn=1		WARN_ON(1)				BUG
 *	list=1		a double list_del()			DEBUG_LIST
 *	refcount=1	a refcount_t put below zero		(always on)
 *	kasan_oob=1	a read past a kmalloc()ed object	KASAN
 *	kasan_uaf=1	a read of a kfree()d object		KASAN
 *	leak=1		kmalloc()ed objects dropped		DEBUG_KMEMLEAK
 *	lockdep=1	two mutexes taken A-B, then B-A		PROVE_LOCKING
 *	atomic_sleep=1	GFP_KERNEL allocation under a spinlock	DEBUG_ATOMIC_SLEEP
 *	hung=S		S seconds in TASK_UNINTERRUPTIBLE	DETECT_HUNG_TASK
 *	softlockup=S	S seconds on the CPU, preemption off	SOFTLOCKUP_DETECTOR
 *	bug=1		BUG(): an Oops that kills insmod	BUG
 *
 * The faults that leave the kernel usable return from init normally; the
 * module is never unloaded by the test (the guest powers off).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN_ON(1)");

static bool list;
module_param(list, bool, 0444);
MODULE_PARM_DESC(list, "Delete a list entry twice (DEBUG_LIST)");

static bool refcount;
module_param(refcount, bool, 0444);
MODULE_PARM_DESC(refcount, "Put a refcount_t once more than it was taken");

static bool kasan_oob;
module_param(kasan_oob, bool, 0444);
MODULE_PARM_DESC(kasan_oob, "Read one byte past a kmalloc()ed object (KASAN)");

static bool kasan_uaf;
module_param(kasan_uaf, bool, 0444);
MODULE_PARM_DESC(kasan_uaf, "Read a kfree()d object (KASAN)");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak,
		 "Drop the only pointers to kmalloc()ed objects (kmemleak)");

static bool lockdep;
module_param(lockdep, bool, 0444);
MODULE_PARM_DESC(lockdep, "Take two mutexes in both orders (lockdep)");

static bool atomic_sleep;
module_param(atomic_sleep, bool, 0444);
MODULE_PARM_DESC(atomic_sleep, "Allocate GFP_KERNEL under a spinlock");

static uint hung;
module_param(hung, uint, 0444);
MODULE_PARM_DESC(hung, "Seconds to block in TASK_UNINTERRUPTIBLE");

static uint softlockup;
module_param(softlockup, uint, 0444);
MODULE_PARM_DESC(softlockup,
		 "Seconds to spin with preemption off (soft lockup detector)");

static bool bug;
module_param(bug, bool, 0444);
MODULE_PARM_DESC(bug, "BUG(): Oops, killing the loading process");

/* Static, so that they outlive a fault that returns from init. */
static LIST_HEAD(kp_list);
static struct list_head kp_entry;
static DEFINE_MUTEX(kp_mutex_a);
static DEFINE_MUTEX(kp_mutex_b);
static DEFINE_SPINLOCK(kp_lock);

static noinline void fire_list(void)
{
	list_add(&kp_entry, &kp_list);
	list_del(&kp_entry);
	/* Its links are LIST_POISON1/2 now: __list_del_entry_valid() says so. */
	list_del(&kp_entry);
}

static noinline void fire_refcount(void)
{
	refcount_t ref = REFCOUNT_INIT(1);

	if (refcount_dec_and_test(&ref))
		pr_info("the last reference is gone\n");
	/* One put too many: "refcount_t: underflow; use-after-free." */
	if (refcount_dec_and_test(&ref))
		pr_info("the last reference is gone again\n");
}

/* kmalloc() a @size-byte object the compiler cannot see the size of. */
static noinline char *alloc_hidden(size_t size)
{
	char *p;

	OPTIMIZER_HIDE_VAR(size);
	p = kmalloc(size, GFP_KERNEL);
	OPTIMIZER_HIDE_VAR(p);
	return p;
}

static noinline int fire_kasan_oob(void)
{
	size_t size = 13;
	char *p = alloc_hidden(size);

	if (!p)
		return -ENOMEM;
	OPTIMIZER_HIDE_VAR(size);
	pr_info("byte past the end: %d\n", READ_ONCE(p[size]));
	kfree(p);
	return 0;
}

static noinline int fire_kasan_uaf(void)
{
	char *p = alloc_hidden(32);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("freed byte: %d\n", READ_ONCE(p[8]));
	return 0;
}

/*
 * Several objects: a stale copy of one pointer (on a stack, in a register
 * kmemleak scans) may keep that one looking referenced.
 */
static noinline int fire_leak(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		char *p = alloc_hidden(100 + 8 * i);

		if (!p)
			return -ENOMEM;
		memset(p, 0x5a, 100);
	}
	return 0;
}

static noinline void fire_lockdep(void)
{
	mutex_lock(&kp_mutex_a);
	mutex_lock(&kp_mutex_b);
	mutex_unlock(&kp_mutex_b);
	mutex_unlock(&kp_mutex_a);
	/* Nothing deadlocks here, but two tasks doing this could. */
	mutex_lock(&kp_mutex_b);
	mutex_lock(&kp_mutex_a);
	mutex_unlock(&kp_mutex_a);
	mutex_unlock(&kp_mutex_b);
}

static noinline void fire_atomic_sleep(void)
{
	void *p;

	spin_lock(&kp_lock);
	/* Rarely sleeps in fact, which is why only the debug check sees it. */
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&kp_lock);
	kfree(p);
}

static noinline void fire_softlockup(unsigned int secs)
{
	unsigned long end = jiffies + secs * HZ;

	/* The timer tick still runs (jiffies moves); the scheduler does not. */
	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
}

static int __init kp_detect_init(void)
{
	int ret = 0;

	if (warn)
		WARN_ON(1);
	if (list)
		fire_list();
	if (refcount)
		fire_refcount();
	if (kasan_oob)
		ret = fire_kasan_oob();
	if (kasan_uaf && !ret)
		ret = fire_kasan_uaf();
	if (leak && !ret)
		ret = fire_leak();
	if (lockdep)
		fire_lockdep();
	if (atomic_sleep)
		fire_atomic_sleep();
	if (hung)
		ssleep(hung);
	if (softlockup)
		fire_softlockup(softlockup);
	if (bug)
		BUG();
	return ret;
}

static void __exit kp_detect_exit(void)
{
}

module_init(kp_detect_init);
module_exit(kp_detect_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Detector self-test: plants one kernel bug per parameter");
MODULE_VERSION("0.1");
