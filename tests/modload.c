// SPDX-License-Identifier: GPL-2.0
/*
 * modload FILE.ko [PARAM=VALUE...] - insmod that tells the real errno.
 *
 * busybox's insmod turns some errnos into misleading words (ESRCH reads
 * "module has wrong symbol version"); the tests check errnos, so they load
 * modules with finit_module(2) here and print strerror() on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char params[4096] = "";
	size_t len = 0;
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: modload FILE.ko [PARAM=VALUE...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int n = snprintf(params + len, sizeof(params) - len, "%s%s",
				 len ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - len) {
			fprintf(stderr, "modload: parameters too long\n");
			return 2;
		}
		len += n;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, params, 0)) {
		fprintf(stderr, "modload: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
