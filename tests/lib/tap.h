/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP producer for the C tests and test programs, the twin of
 * tests/lib/tap.sh.  Header-only: include it and call
 *
 *	tap_ok(cond, "name %d", i);	records one result
 *	tap_errno(ret, EPERM, "name");	a system call: -1 with errno EPERM
 *	tap_fails_with(ret, EPERM, "name");	a helper: it returned -EPERM
 *	tap_eq(got, want, "name");	two integers; both printed if not equal
 *	tap_streq(got, want, "name");	two strings, the same way
 *	tap_skip("why", "name");
 *	tap_diag("detail %s", s);	a "# " line
 *	tap_require(fd >= 0, "open %s", path);	setup: "Bail out!" if false
 *	tap_group(check_pins);		a "# check_pins" line, then the call
 *	return tap_done();		prints the plan; exit status
 *
 * Every helper in tests/ returns 0 or a negative errno, as the kernel's
 * own functions do, and a value that crosses a pipe from a child is one
 * of those too.  Only the system calls themselves return -1 and set
 * errno: check those with tap_errno(), the helpers with tap_fails_with().
 * The arguments come in one order here and in tap.sh: what was got, what
 * was wanted, then the test's name.
 *
 * The output is "TAP version 13", one "ok N - name" or "not ok N - name"
 * per result and the plan "1..N" at the end.  A setup step that fails
 * (tap_require()) ends the program with "Bail out! why" and status 1,
 * which tests/lib/tap.sh's tap_prog counts as a failure: a result that
 * could not be produced is never a result that is simply missing.
 */
#ifndef KERNELPEEK_TAP_H
#define KERNELPEEK_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failures;

/* Print one TAP line: PREFIX, then the formatted name, then SUFFIX. */
static inline void tap_line(const char *prefix, const char *suffix,
			    const char *fmt, va_list ap)
{
	static int started;
	char name[512];

	if (!started++)
		printf("TAP version 13\n");
	vsnprintf(name, sizeof(name), fmt, ap);
	printf("%s%s%s\n", prefix, name, suffix);
	fflush(stdout);
}

__attribute__((format(printf, 1, 2))) static inline void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line("# ", "", fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static inline int
tap_ok(int pass, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	tap_count++;
	if (!pass)
		tap_failures++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", pass ? "" : "not ",
		 tap_count);
	va_start(ap, fmt);
	tap_line(prefix, "", fmt, ap);
	va_end(ap);
	return pass;
}

/* Pass if a call returned -1 with errno == want; say what it did if not. */
#define tap_errno(ret, want, ...)                                             \
	({                                                                    \
		long __r = (ret);                                             \
		int __e = errno;                                              \
		int __pass = tap_ok(__r == -1 && __e == (want), __VA_ARGS__); \
		if (!__pass)                                                  \
			tap_diag("got %ld (%s), expected -1 (%s)", __r,       \
				 __r == -1 ? strerror(__e) : "no error",      \
				 strerror(want));                             \
		__pass;                                                       \
	})

/* Pass if a helper returned -want (0 or -errno); say what it did if not. */
#define tap_fails_with(ret, want, ...)                                \
	({                                                            \
		int __r = (ret);                                      \
		int __pass = tap_ok(__r == -(want), __VA_ARGS__);     \
		if (!__pass)                                          \
			tap_diag("got %s, wanted %s",                 \
				 __r ? strerrorname_np(-__r) ?: "?" : \
				       "success",                     \
				 strerrorname_np(want) ?: "?");       \
		__pass;                                               \
	})

/* Pass if two integers are equal; print both if not. */
#define tap_eq(got, want, ...)                                       \
	({                                                           \
		long long __g = (got), __w = (want);                 \
		int __pass = tap_ok(__g == __w, __VA_ARGS__);        \
		if (!__pass)                                         \
			tap_diag("got %lld, wanted %lld", __g, __w); \
		__pass;                                              \
	})

__attribute__((format(printf, 2, 3))) static inline void
tap_skip(const char *why, const char *fmt, ...)
{
	char prefix[32], suffix[256];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "ok %d - ", ++tap_count);
	snprintf(suffix, sizeof(suffix), " # SKIP %s", why);
	va_start(ap, fmt);
	tap_line(prefix, suffix, fmt, ap);
	va_end(ap);
}

/* @s with newlines, tabs and other control bytes written as \n, \t, \x.. */
static inline const char *tap_escape(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; s && *s && n + 5 < size; s++) {
		unsigned char c = *s;

		if (c == '\n')
			n += snprintf(buf + n, size - n, "\\n");
		else if (c == '\t')
			n += snprintf(buf + n, size - n, "\\t");
		else if (c < ' ' || c == 0x7f)
			n += snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return s ? buf : "(nothing)";
}

/* Pass if two strings are equal; print both, escaped, if not. */
__attribute__((format(printf, 3, 4))) static inline int
tap_streq(const char *got, const char *want, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	int pass;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	pass = tap_ok(got && !strcmp(got, want), "%s", name);
	if (!pass) {
		char gb[256], wb[256];

		tap_diag("got '%s', wanted '%s'",
			 tap_escape(got, gb, sizeof(gb)),
			 tap_escape(want, wb, sizeof(wb)));
	}
	return pass;
}

/* Setup that must work for the rest to mean anything: bail out if not. */
__attribute__((format(printf, 2, 3))) static inline void
tap_require(int ok, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("Bail out! %s: %s\n", why, errno ? strerror(errno) : "failed");
	fflush(stdout);
	exit(1);
}

/* Run the test function @fn, named in the output. */
#define tap_group(fn)                    \
	do {                             \
		tap_diag("--- %s", #fn); \
		fn();                    \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failures ? 1 : 0;
}

#endif /* KERNELPEEK_TAP_H */
