/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the /proc modules in 3/: refuse to load if the entry exists.
 *
 * proc_create() on a name that is already registered returns NULL, but only
 * after a WARN in proc_register() (fs/proc/generic.c), which is a kernel
 * report we never want to cause.  So look the name up first and fail with
 * -EEXIST.  (A second load of the same module cannot race past this check:
 * the module loader lets only one module of a name exist.  Two different
 * modules that create the same name, loaded at the same moment, still can:
 * the check and proc_create() are not one step.)
 *
 * The lookup must not go through the caller's /proc: insmod may run where
 * /proc is not mounted (a container, a fresh mount namespace) or is mounted
 * with subset=pid, which shows the process directories only.  There a path
 * lookup finds nothing, the check passes and the WARN follows.  So the
 * lookup uses a private, unattached instance of proc instead: since Linux
 * 5.8 every proc mount is a superblock of its own with its own options
 * (fs/proc/root.c: proc_get_tree() calls get_tree_nodev()), kern_mount()
 * makes one with the defaults, and the entries under it are the one tree
 * all proc mounts share (proc_root, fs/proc/generic.c).  It is never
 * attached anywhere, so no process ever sees it; the name is looked up in
 * its root directory (lookup_positive_unlocked(), which goes to
 * proc_root_lookup()), and kern_unmount() ends it.
 */
#ifndef KP_PROC_H
#define KP_PROC_H

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/printk.h>
#include <linux/string.h>

/* @name: an entry right under /proc, one path component (no '/'). */
static inline int kp_proc_name_free(const char *name)
{
	struct file_system_type *proc;
	struct vfsmount *mnt;
	struct dentry *found;
	int ret;

	proc = get_fs_type("proc");
	if (!proc) {
		pr_err("no proc filesystem, not loading\n");
		return -ENOENT;
	}
	mnt = kern_mount(proc);
	/* put_filesystem() is not exported; this is all it does. */
	module_put(proc->owner);
	if (IS_ERR(mnt)) {
		pr_err("cannot mount proc to look for /proc/%s (error %ld), not loading\n",
		       name, PTR_ERR(mnt));
		return PTR_ERR(mnt);
	}

	found = lookup_positive_unlocked(name, mnt->mnt_root, strlen(name));
	ret = PTR_ERR_OR_ZERO(found);
	if (!ret)
		dput(found);
	kern_unmount(mnt);
	if (ret == -ENOENT)
		return 0;
	if (ret) {
		pr_err("cannot look for /proc/%s (error %d), not loading\n",
		       name, ret);
		return ret;
	}
	pr_err("/proc/%s already exists, not loading\n", name);
	return -EEXIST;
}

#endif /* KP_PROC_H */
