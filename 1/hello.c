// SPDX-License-Identifier: GPL-2.0
/*
 * hello - the smallest useful loadable kernel module.
 *
 * Loading it runs hello_init(), which logs a greeting; unloading runs
 * hello_exit(), which logs a farewell.  The optional parameter "whom" shows
 * how a module takes a value at insmod time:
 *
 *	insmod hello.ko whom=KernelPeek
 *
 * Its current value is also visible in /sys/module/hello/parameters/whom.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static char *whom = "world";
module_param(whom, charp, 0444);
MODULE_PARM_DESC(whom, "Who to greet on load and unload (default: world)");

static int __init hello_init(void)
{
	pr_info("Hello, %s! (module loaded)\n", whom);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("Goodbye, %s! (module unloaded)\n", whom);
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("KernelPeek developers");
MODULE_DESCRIPTION("Hello World: greets on load, says goodbye on unload");
MODULE_VERSION("0.1");
