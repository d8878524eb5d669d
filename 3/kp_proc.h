/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the /proc modules in 3/: refuse to load if the entry exists.
 *
 * proc_create() on a name that is already registered returns NULL, but only
 * after a WARN in proc_register() (fs/proc/generic.c), which is a kernel
 * report we never want to cause.  So look the name up first and fail with
 * -EEXIST.  (Two loads racing past this check are not possible for one
 * module: the module loader lets only one instance of a module exist.)
 */
#ifndef KP_PROC_H
#define KP_PROC_H

#include <linux/namei.h>
#include <linux/path.h>
#include <linux/printk.h>

static inline int kp_proc_name_free(const char *path)
{
	struct path p;

	if (kern_path(path, 0, &p))
		return 0;
	path_put(&p);
	pr_err("%s already exists, not loading\n", path);
	return -EEXIST;
}

#endif /* KP_PROC_H */
