// SPDX-License-Identifier: GPL-2.0
/*
 * nocap CAP COMMAND [ARG...] - run COMMAND as root without the capability
 * number CAP: gone from the bounding set (so exec cannot give it back)
 * and from the effective, permitted and inheritable sets.  For the tests
 * of programs that must say what they lack (kpeek without CAP_SYS_MODULE).
 */
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int cap, i;

	if (argc < 3) {
		fprintf(stderr, "usage: nocap CAP COMMAND [ARG...]\n");
		return 2;
	}
	cap = atoi(argv[1]);
	if (cap < 0 || cap >= 64 || prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) ||
	    syscall(SYS_capget, &h, d)) {
		perror("nocap: cannot drop the capability");
		return 1;
	}
	i = cap / 32;
	d[i].effective &= ~(1u << (cap % 32));
	d[i].permitted &= ~(1u << (cap % 32));
	d[i].inheritable &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &h, d)) {
		perror("nocap: capset");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror("nocap: exec");
	return 127;
}
