// SPDX-License-Identifier: GPL-2.0
/*
 * hello_procfs - a read-only /proc file that says "Hello World!".
 *
 * /proc/hello_procfs is made with proc_create_single(), so the kernel's
 * seq_file layer does the work of an ordinary file: reads of any size,
 * lseek, and several readers at once.  Writing is refused (the file has no
 * write handler: EIO for root, EACCES for others, as the mode is 0444).
 * proc_remove() on unload waits for reads in progress to finish.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "kp_proc.h"

#define HELLO_NAME "hello_procfs"

static struct proc_dir_entry *hello_entry;

static int hello_show(struct seq_file *m, void *v)
{
	seq_puts(m, "Hello World!\n");
	return 0;
}

static int __init hello_procfs_init(void)
{
	int ret = kp_proc_name_free(HELLO_NAME);

	if (ret)
		return ret;
	hello_entry = proc_create_single(HELLO_NAME, 0444, NULL, hello_show);
	if (!hello_entry)
		return -ENOMEM;
	pr_info("created /proc/%s\n", HELLO_NAME);
	return 0;
}

static void __exit hello_procfs_exit(void)
{
	proc_remove(hello_entry);
	pr_info("removed /proc/%s\n", HELLO_NAME);
}

module_init(hello_procfs_init);
module_exit(hello_procfs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("/proc/hello_procfs: reads as \"Hello World!\"");
MODULE_VERSION("0.1");
