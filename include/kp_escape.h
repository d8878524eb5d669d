/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kp_escape() - print user-controlled strings (task names, file paths) on
 * one log line.
 *
 * Anyone can name a task or a file with a newline in it, and printk() cuts
 * a message at each newline into lines of their own: a raw name could
 * forge whole log lines.  So every such string is escaped as C does:
 * newline, tab and the like as \n, \t, other unprintable bytes as \ooo
 * (octal), and the backslash itself as \\, so that the escapes cannot be
 * confused with the same characters typed into a name.  This is what
 * /proc/PID/status does for a task's name (proc_task_name(), with the
 * backslash), and what %*pE does for everything but the backslash
 * (string_escape_mem() in lib/string_helpers.c).
 */
#ifndef KP_ESCAPE_H
#define KP_ESCAPE_H

#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/string_helpers.h>

/* The room an escaped string of @len bytes may need, with its NUL. */
#define KP_ESCAPED_SIZE(len) (4 * (len) + 1)

/**
 * kp_escape() - escape a string for a log line
 * @src: the string
 * @dst: where to put the escaped string
 * @size: the size of @dst; KP_ESCAPED_SIZE(strlen(@src)) is always enough
 *
 * Return: @dst, NUL-terminated; cut short if @size was too small (and
 * still without a newline).
 */
static inline const char *kp_escape(const char *src, char *dst, size_t size)
{
	int n = string_escape_str(src, dst, size - 1,
				  ESCAPE_ANY_NP | ESCAPE_APPEND, "\\");

	dst[min_t(size_t, n, size - 1)] = '\0';
	return dst;
}

/**
 * kp_escape_word() - escape a path as /proc/swaps and /proc/mounts do
 * @src: the string
 * @dst: where to put the escaped string
 * @size: the size of @dst; KP_ESCAPED_SIZE(strlen(@src)) is always enough
 *
 * A space, tab, newline or backslash becomes \ooo (octal), as
 * seq_file_path(m, file, " \t\n\\") writes them (mangle_path() in
 * fs/seq_file.c), and so does any other unprintable byte, for the log:
 * the result is one word, and can be followed by other fields.
 *
 * Return: @dst, NUL-terminated; cut short if @size was too small.
 */
static inline const char *kp_escape_word(const char *src, char *dst,
					 size_t size)
{
	int n = string_escape_str(src, dst, size - 1,
				  ESCAPE_OCTAL | ESCAPE_NP | ESCAPE_APPEND,
				  " \t\n\\");

	dst[min_t(size_t, n, size - 1)] = '\0';
	return dst;
}

/* A task's name, escaped (see kp_comm()). */
struct kp_comm {
	char name[KP_ESCAPED_SIZE(TASK_COMM_LEN)];
};

/**
 * kp_comm() - the name of a task, escaped for a log line
 * @c: where to keep the escaped name
 * @task: the task
 *
 * Return: the escaped name, in @c.
 */
static inline const char *kp_comm(struct kp_comm *c, struct task_struct *task)
{
	char raw[TASK_COMM_LEN];

	get_task_comm(raw, task);
	return kp_escape(raw, c->name, sizeof(c->name));
}

#endif /* KP_ESCAPE_H */
