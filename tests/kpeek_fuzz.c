// SPDX-License-Identifier: GPL-2.0
/*
 * kpeek_fuzz - hostile command lines for kpeek, the way tests/params.c
 * treats the modules' parameters: edge numbers (0, -1, the limits of
 * int, pid_max, TASK_SIZE, values that overflow 64 bits), addresses in
 * every base, empty and very long words, control bytes, options in the
 * wrong place, and commands that do not exist.
 *
 *	tests/kpeek_fuzz [CASES [SEED]]	(100 cases; the seed: the time)
 *
 * Every run must end cleanly: exit 0 (an answer), 1 (one "kpeek: ..."
 * line on stderr: the error and its errno) or 2 (a usage error, also
 * said on stderr), within 30 s, never by a signal; and none of the
 * modules kpeek loads may stay loaded after it.  Run as root in the VM
 * by 45-kpeek.t, with kpeek on the PATH.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "rng.h"

#define MAX_ARGS 8

static const char *const commands[] = {
	"runnable", "children", "v2p", "mem", "pgfaults", "",
	"bogus",    "--help",	"-h",  "--",  "V2P",	  "mem\n",
};

static const char *const options[] = {
	"--json", "--kb",      "--walk",    "--vmas", "--modules",
	"--help", "--modules", "--unknown", "-",      "--json=1",
};

static char self[16], parent[16];

/* An edge word: a number, an address, or something that is neither. */
static const char *word(char *buf, size_t size)
{
	static const char *const edge[] = {
		"0",
		"1",
		"2",
		"-1",
		"+1",
		" 1",
		"1 ",
		"01",
		"010",
		"09",
		"0x",
		"0x0",
		"0x1000",
		"0X1000",
		"2147483647",
		"2147483648",
		"-2147483648",
		"4194304",
		"4194305",
		"18446744073709551615",
		"18446744073709551616",
		"99999999999999999999999",
		"0x7ffffffff000",
		"0x7fffffffefff",
		"0xffff888000000000",
		"0xffffffffffffffff",
		"0x10000000000000000",
		"1e3",
		"pid=1",
		"vaddr=0x1000 pid=1",
		"%s%s%n",
		"\\",
		"\"",
		"",
		"--",
		"-",
	};
	size_t i, n;

	switch (rng_below(8)) {
	case 0:
		return self;
	case 1:
		return parent;
	case 2: /* control and high bytes */
		n = 1 + rng_below(size < 17 ? size - 1 : 16);
		for (i = 0; i < n; i++)
			buf[i] = 1 + rng_below(255);
		buf[n] = '\0';
		return buf;
	case 3: /* long */
		n = rng_below(2) ? size - 1 : 300;
		memset(buf, rng_below(2) ? '9' : 'a', n);
		buf[n] = '\0';
		return buf;
	}
	return edge[rng_below(sizeof(edge) / sizeof(edge[0]))];
}

/* One command line into @argv (its words in @store). */
static void command_line(char **argv, char store[][5000])
{
	int argc = 0, i, extra = rng_below(5);

	argv[argc++] = "kpeek";
	if (rng_below(4) == 0)
		argv[argc++] = (char *)options[rng_below(10)];
	argv[argc++] = (char *)commands[rng_below(12)];
	for (i = 0; i < extra && argc < MAX_ARGS - 1; i++)
		argv[argc++] = rng_below(4) == 0 ?
				       (char *)options[rng_below(10)] :
				       (char *)word(store[i], sizeof(store[i]));
	argv[argc] = NULL;
}

/* Which of kpeek's modules are loaded now, as a bit per module. */
static int loaded(void)
{
	static const char *const mods[] = { "lkm1 ", "lkm2 ", "lkm3 ", "lkm4 ",
					    "get_pgfaults " };
	char line[512];
	FILE *f = fopen("/proc/modules", "re");
	int bits = 0, i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < 5; i++)
			if (!strncmp(line, mods[i], strlen(mods[i])))
				bits |= 1 << i;
	fclose(f);
	return bits;
}

/*
 * Run one command line; say in @why what was wrong with how it ended
 * (empty if nothing).
 */
static void run(char **argv, char *why, size_t size)
{
	char err[4096] = "";
	int p[2], status, lines = 0;
	ssize_t n, len = 0;
	pid_t pid;
	char *c;

	why[0] = '\0';
	tap_require(!pipe(p), "a pipe for kpeek's stderr");
	pid = fork();
	tap_require(pid >= 0, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(p[1], 2);
		alarm(30);
		execvp("kpeek", argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], err + len, sizeof(err) - 1 - len)) > 0)
		len += n;
	err[len] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	for (c = err; *c; c++)
		lines += *c == '\n';
	if (WIFSIGNALED(status))
		snprintf(why, size, "killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (hung 30 s)" : "");
	else if (WEXITSTATUS(status) == 1 &&
		 (lines != 1 || strncmp(err, "kpeek: ", 7)))
		snprintf(why, size, "exit 1 with %d lines on stderr: %.200s",
			 lines, err);
	else if (WEXITSTATUS(status) == 2 && strncmp(err, "kpeek: ", 7) &&
		 strncmp(err, "usage: ", 7))
		snprintf(why, size, "exit 2 without saying why: %.200s", err);
	else if (WEXITSTATUS(status) > 2)
		snprintf(why, size, "exit %d: %.200s", WEXITSTATUS(status),
			 err);
}

/* The command line @argv, each word quoted and escaped, in @buf. */
static const char *quoted(char **argv, char *buf, size_t size)
{
	char esc[128];
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i] && at + 1 < size; i++)
		at += snprintf(buf + at, size - at, "%s'%.40s'", i ? " " : "",
			       tap_escape(argv[i], esc, sizeof(esc)));
	return buf;
}

int main(int argc, char **argv)
{
	static char store[MAX_ARGS][5000];
	long cases = argc > 1 ? atol(argv[1]) : 100, i, bad = 0, left = 0;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) :
				   (uint64_t)time(NULL);
	char *args[MAX_ARGS + 1], why[512], first[1024] = "", line[768];

	rng_seed(seed);
	snprintf(self, sizeof(self), "%d", getpid());
	snprintf(parent, sizeof(parent), "%d", getppid());
	tap_diag("kpeek_fuzz %ld %#llx  (replay with these arguments)", cases,
		 (unsigned long long)seed);
	tap_require(loaded() == 0, "no kpeek module loaded before the run");
	for (i = 0; i < cases; i++) {
		int now;

		command_line(args, store);
		run(args, why, sizeof(why));
		now = loaded();
		if (now) {
			left++;
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%smodules left loaded (mask %#x)",
				 why[0] ? "; " : "", now);
			/* Clean up, so that one failure is not all of them. */
			if (system("rmmod lkm1 lkm2 lkm3 lkm4 get_pgfaults 2>/dev/null"))
				tap_diag("rmmod after case %ld failed", i);
		}
		if (why[0] && !bad++)
			snprintf(first, sizeof(first), "case %ld, %s: %s", i,
				 quoted(args, line, sizeof(line)), why);
	}
	if (!tap_ok(!bad,
		    "%ld hostile kpeek command lines: each ends with 0, 1 or 2 and says why",
		    cases))
		tap_diag("%ld bad; the first: %s", bad, first);
	tap_eq(left, 0, "  ... and none leaves a module loaded");
	return tap_done();
}
