/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The project's modules, as the build made them: every DIR/NAME.ko one
 * directory down from the current one (the project tree, /kp in the
 * guest), which is what the components' Kbuild files build.  The tests
 * that go over every module ask here, so a new module is in all of them.
 * An empty list is an error for the caller to report, never a pass.
 */
#ifndef KERNELPEEK_MODULES_H
#define KERNELPEEK_MODULES_H

#include <glob.h>
#include <stdio.h>
#include <string.h>

#define KP_MODULES_MAX 32

struct kp_module {
	char path[64]; /* "1/lkm1.ko" */
	char name[32]; /* "lkm1" */
};

/* Fill @m; returns how many modules there are, or -1 if none or too many. */
static inline int kp_modules(struct kp_module m[KP_MODULES_MAX])
{
	glob_t g;
	int n = -1;

	if (glob("*/*.ko", 0, NULL, &g))
		return -1;
	if (g.gl_pathc <= KP_MODULES_MAX) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *base = strrchr(g.gl_pathv[i], '/') + 1;

			snprintf(m[i].path, sizeof(m[i].path), "%s",
				 g.gl_pathv[i]);
			snprintf(m[i].name, sizeof(m[i].name), "%.*s",
				 (int)(strlen(base) - strlen(".ko")), base);
		}
		n = (int)g.gl_pathc;
	}
	globfree(&g);
	return n;
}

#endif /* KERNELPEEK_MODULES_H */
