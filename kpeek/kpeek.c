// SPDX-License-Identifier: GPL-2.0
/*
 * kpeek - run one of KernelPeek's report modules and print its answer.
 *
 *	kpeek [--json] [--kb] [--modules DIR] COMMAND [ARGS]
 *
 *	runnable		lkm1: the running and runnable threads
 *	children PID		lkm2: the children of PID and their states
 *	v2p PID VADDR [--walk]	lkm3: where VADDR of PID is in physical memory
 *	mem PID [--vmas]	lkm4: PID's virtual and physical memory
 *	pgfaults		/proc/get_pgfaults (get_pgfaults.ko)
 *
 * The report modules answer in the kernel log, once, while they load.  So
 * kpeek takes a lock (two runs must not load the same module at once),
 * opens /dev/kmsg at its end, loads the module file it opened and checked
 * with finit_module() and its parameters, reads the records logged since
 * then up to the report's last line, keeps those of the kernel (a user
 * cannot forge those: /dev/kmsg gives what user space writes the facility
 * "user") whose text begins with the module's name, and unloads it before
 * anything else, errors included.  The module's log lines are parsed with
 * the formats of 1/lkm*.c; on a failed load the reason is one of the
 * modules' error lines.  docs/kpeek.md is the manual, with the JSON schema.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define KPEEK_RUN "/run/kpeek"
#define KPEEK_LOCK KPEEK_RUN ".lock"
#define KPEEK_MUTEX KPEEK_RUN ".mutex" /* where flock() is missing */
#define KPEEK_LOCK_WAIT 60 /* s; $KPEEK_LOCK_TIMEOUT */
#define KPEEK_DKMS "updates/dkms" /* dkms.conf's DEST_MODULE_LOCATION */
#define PGFAULTS_PROC "/proc/get_pgfaults"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

/* A text the module logged: unescaped from /dev/kmsg, still C-escaped. */
#define LINE_MAX_LEN 8192

struct options {
	bool json, kb, walk, vmas, help;
	const char *modules;
	const char *cmd;
	const char *args[2];
	int nargs;
	int pid; /* args[0], checked */
	unsigned long long vaddr; /* args[1], checked */
};

static struct options opt;

/*
 * Each command: its module, how many arguments, its one-line help, what
 * runs it, and which of the module's lines is its report's last (NULL:
 * whatever is logged while it loads).
 */
struct command {
	const char *name;
	const char *module;
	int nargs;
	const char *usage;
	const char *help;
	void (*run)(void);
	bool (*done)(const char *line);
};

static void do_runnable(void);
static void do_children(void);
static void do_v2p(void);
static void do_mem(void);
static void do_pgfaults(void);
static bool runnable_done(const char *l);
static bool children_done(const char *l);
static bool v2p_done(const char *l);
static bool mem_done(const char *l);

static const struct command commands[] = {
	{ "runnable", "lkm1", 0, "runnable",
	  "the running and runnable threads (lkm1)", do_runnable,
	  runnable_done },
	{ "children", "lkm2", 1, "children PID",
	  "the children of PID and their states (lkm2)", do_children,
	  children_done },
	{ "v2p", "lkm3", 2, "v2p PID VADDR [--walk]",
	  "where VADDR of PID is in physical memory, or why it is\n"
	  "                          nowhere; --walk: each page-table level (lkm3)",
	  do_v2p, v2p_done },
	{ "mem", "lkm4", 1, "mem PID [--vmas]",
	  "PID's virtual and physical memory; --vmas: per VMA (lkm4)", do_mem,
	  mem_done },
	{ "pgfaults", "get_pgfaults", 0, "pgfaults",
	  "the page faults since boot, from /proc/get_pgfaults", do_pgfaults,
	  NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command being run. */
static const struct command *cmd;

/* Errors and messages */

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

/*
 * One line on stderr: "kpeek: WHAT" and @tail.  WHAT may quote what the
 * user typed: a control character in it is shown as '?', so that it
 * stays one line.
 */
static void say_line(const char *tail, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t i;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	fprintf(stderr, "kpeek: %s%s\n", msg, tail);
}

/* "kpeek: WHAT (ENAME)", and exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
fail(int err, const char *fmt, ...)
{
	char tail[64];
	va_list ap;

	snprintf(tail, sizeof(tail), " (%s)", errname(err));
	va_start(ap, fmt);
	say_line(tail, fmt, ap);
	va_end(ap);
	exit(1);
}

/* A command line kpeek cannot take: exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(" (try 'kpeek --help')", fmt, ap);
	va_end(ap);
	exit(2);
}

static void print_help(FILE *f, const struct command *c)
{
	size_t i;

	if (c) {
		fprintf(f,
			"usage: kpeek [--json] [--kb] [--modules DIR] %s\n\n  %-22s  %s\n",
			c->usage, c->usage, c->help);
		return;
	}
	fputs("usage: kpeek [--json] [--kb] [--modules DIR] COMMAND [ARGS]\n\n",
	      f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-22s  %s\n", commands[i].usage,
			commands[i].help);
	fputs("\n  --json          one JSON document on stdout (docs/kpeek.md)\n"
	      "  --kb            sizes in exact kB, not human units\n"
	      "  --modules DIR   the modules' directory (else $KPEEK_MODULES,\n"
	      "                  the build tree, the DKMS modules)\n"
	      "  --help          this text; COMMAND --help: that command's\n"
	      "\nIt loads the module, reads its report from /dev/kmsg and "
	      "unloads it:\nroot (CAP_SYS_MODULE) only.  PIDs are those of "
	      "kpeek's pid namespace.\n",
	      f);
}

/* Strings: escapes in, escapes out */

/* /dev/kmsg writes a byte that is not printable ASCII, or \, as \xHH. */
static size_t kmsg_unescape(char *s)
{
	char *in = s, *out = s;
	unsigned int v;

	while (*in) {
		if (in[0] == '\\' && in[1] == 'x' &&
		    isxdigit((unsigned char)in[2]) &&
		    isxdigit((unsigned char)in[3]) &&
		    sscanf(in + 2, "%2x", &v) == 1) {
			*out++ = (char)v;
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return out - s;
}

/*
 * The module escapes names C style (include/kp_escape.h: \n, \t, \\, \ooo
 * and the other escapes of string_escape_str()): decode one into @out,
 * returning its length (bytes, maybe with a NUL in them).
 */
static size_t c_unescape(const char *in, char *out, size_t size)
{
	static const char from[] = "nrtvfae\\\"";
	static const char to[] = "\n\r\t\v\f\a\033\\\"";
	size_t n = 0;
	const char *p;

	while (*in && n + 1 < size) {
		if (in[0] != '\\' || !in[1]) {
			out[n++] = *in++;
		} else if (in[1] >= '0' && in[1] <= '7') {
			unsigned int v = 0, k;

			for (k = 1; k <= 3 && in[k] >= '0' && in[k] <= '7'; k++)
				v = v * 8 + (unsigned int)(in[k] - '0');
			out[n++] = (char)v;
			in += k;
		} else if ((p = strchr(from, in[1]))) {
			out[n++] = to[p - from];
			in += 2;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
	return n;
}

/* The length of the valid UTF-8 sequence of 2 to 4 bytes at @s, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A string of raw bytes as JSON: quotes, backslash and control bytes
 * escaped, valid UTF-8 kept, any other byte as U+FFFD (the replacement
 * character), so that the document is always valid UTF-8.
 */
static void json_str(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	putchar('"');
	while (i < n) {
		if (u[i] == '"' || u[i] == '\\') {
			printf("\\%c", u[i++]);
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			printf("\\u%04x", u[i++]);
		} else if (u[i] < 0x80) {
			putchar(u[i++]);
		} else if ((k = utf8_seq(u + i, n - i))) {
			fwrite(u + i, 1, k, stdout);
			i += k;
		} else {
			fputs("\\ufffd", stdout);
			i++;
		}
	}
	putchar('"');
}

/* The C-escaped text of the module as a JSON string of its bytes. */
static void json_cstr(const char *escaped)
{
	char raw[LINE_MAX_LEN] = "";
	size_t n = c_unescape(escaped, raw, sizeof(raw));

	json_str(raw, n);
}

/*
 * For a terminal: the module's escaped text as it is (ASCII), but for the
 * bytes /dev/kmsg gave back raw (0xa0-0xff, which the kernel's isprint()
 * passes): UTF-8 kept, anything else as \ooo.
 */
static void term_str(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			putchar(u[i++]);
		} else if (u[i] >= 0x80 && (k = utf8_seq(u + i, n - i))) {
			fwrite(u + i, 1, k, stdout);
			i += k;
		} else {
			printf("\\%03o", u[i++]);
		}
	}
}

/* Sizes: like free -h (Ki, Mi, Gi...), or --kb: exact kB. */
static void size_str(char *buf, size_t size, unsigned long long kb)
{
	static const char units[] = "KMGTPE";
	double v = (double)kb;
	int u = 0;

	if (opt.kb) {
		snprintf(buf, size, "%llu", kb);
		return;
	}
	if (!kb) {
		snprintf(buf, size, "0B");
		return;
	}
	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (v < 10 && u)
		snprintf(buf, size, "%.1f%ci", v, units[u]);
	else
		snprintf(buf, size, "%.0f%ci", v, units[u]);
}

/* Arguments */

/* A PID as the module takes it (an int), in decimal, with nothing else. */
static int parse_pid(const char *s)
{
	char *end;
	long v;

	if (!*s || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
		fail(EINVAL, "PID '%.40s' is not a number", s);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		fail(EINVAL, "PID '%.40s' is not a number", s);
	if (errno || v < INT_MIN || v > INT_MAX)
		fail(ERANGE, "PID %.40s is out of range", s);
	return (int)v;
}

/*
 * An address as lkm3 reads it (kstrtoul(), base 0: 0x... hex, 0... octal,
 * else decimal), but checked here, so that nothing but a number reaches
 * the module's parameters.
 */
static unsigned long long parse_addr(const char *s)
{
	unsigned long long v;
	char *end;

	if (!*s || !isdigit((unsigned char)s[0]))
		fail(EINVAL,
		     "'%.40s' is not an address: give hex (0x...) or decimal",
		     s);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		fail(EINVAL,
		     "'%.40s' is not an address: give hex (0x...) or decimal",
		     s);
	if (errno)
		fail(ERANGE, "address %.40s is out of range (64 bits)", s);
	return v;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void parse_args(int argc, char **argv)
{
	bool dashdash = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1] ||
		    (opt.cmd && isdigit((unsigned char)a[1]))) {
			/* A positional argument; "-5" as a PID too. */
			if (!opt.cmd)
				opt.cmd = a;
			else if (opt.nargs < 2)
				opt.args[opt.nargs++] = a;
			else
				usage_error("too many arguments ('%.40s')", a);
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "--json")) {
			opt.json = true;
		} else if (!strcmp(a, "--kb")) {
			opt.kb = true;
		} else if (!strcmp(a, "--walk")) {
			opt.walk = true;
		} else if (!strcmp(a, "--vmas")) {
			opt.vmas = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			opt.help = true;
		} else if (!strcmp(a, "--modules")) {
			if (++i == argc)
				usage_error("--modules needs a directory");
			opt.modules = argv[i];
		} else if (!strncmp(a, "--modules=", 10)) {
			opt.modules = a + 10;
		} else {
			usage_error("unknown option '%.40s'", a);
		}
	}
}

static const struct command *check_args(void)
{
	const struct command *c;

	if (!opt.cmd) {
		if (opt.help) {
			print_help(stdout, NULL);
			exit(0);
		}
		print_help(stderr, NULL);
		exit(2);
	}
	c = find_command(opt.cmd);
	if (!c)
		usage_error("unknown command '%.40s'", opt.cmd);
	if (opt.help) {
		print_help(stdout, c);
		exit(0);
	}
	if (opt.nargs != c->nargs)
		usage_error("%s takes %d argument%s: kpeek %s", c->name,
			    c->nargs, c->nargs == 1 ? "" : "s", c->usage);
	if (opt.walk && strcmp(c->name, "v2p"))
		usage_error("--walk is for v2p");
	if (opt.vmas && strcmp(c->name, "mem"))
		usage_error("--vmas is for mem");
	if (opt.modules && !*opt.modules)
		usage_error("--modules needs a directory");
	/* The arguments are checked before anything needs privileges. */
	if (c->nargs >= 1)
		opt.pid = parse_pid(opt.args[0]);
	if (c->nargs == 2)
		opt.vaddr = parse_addr(opt.args[1]);
	return c;
}

/* Privileges */

static void check_privilege(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		fail(errno, "cannot read this process's capabilities");
	if (!(d[CAP_SYS_MODULE / 32].effective & (1u << (CAP_SYS_MODULE % 32))))
		fail(EPERM,
		     "loading kernel modules needs root (CAP_SYS_MODULE): run kpeek as root");
}

/* Where the modules are */

/* A module file, opened once: checked, read and loaded through @fd. */
struct ko {
	int fd;
	bool compressed;
	char path[PATH_MAX];
};

/* What finit_module() takes: the plain file or one the kernel unpacks. */
static const char *const ko_suffixes[] = { ".ko", ".ko.xz", ".ko.zst",
					   ".ko.gz" };

/* NAME.ko (or compressed) in the open directory @dfd, at @dir: 0 or -errno. */
static int open_ko_at(int dfd, const char *dir, const char *name, struct ko *ko)
{
	char file[NAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(ko_suffixes) / sizeof(ko_suffixes[0]); i++) {
		snprintf(file, sizeof(file), "%s%s", name, ko_suffixes[i]);
		ko->fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
		if (ko->fd >= 0) {
			ko->compressed = i > 0;
			snprintf(ko->path, sizeof(ko->path), "%s/%s", dir,
				 file);
			return 0;
		}
		if (errno != ENOENT)
			return -errno;
	}
	return -ENOENT;
}

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* NAME.ko in the directory @sub of @dfd (at @dir): 0 or -errno. */
static int sub_ko(int dfd, const char *dir, const char *sub, const char *name,
		  struct ko *ko)
{
	int sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;
	char path[PATH_MAX];

	if (sfd < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	err = open_ko_at(sfd, path, name, ko);
	close(sfd);
	return err;
}

/*
 * NAME.ko in @dir or one directory down (the first in name order), taken
 * as names, never as patterns: 0 or -errno.
 */
static int find_ko(const char *dir, const char *name, struct ko *ko)
{
	struct dirent **ents = NULL;
	int dfd, n = 0, i, err;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	err = open_ko_at(dfd, dir, name, ko);
	if (err == -ENOENT)
		n = scandirat(dfd, ".", &ents, skip_hidden, alphasort);
	for (i = 0; i < n; i++) {
		if (err == -ENOENT)
			err = sub_ko(dfd, dir, ents[i]->d_name, name, ko);
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
	close(dfd);
	return err;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The first word of the vermagic in an uncompressed module, or "". */
static void ko_vermagic(int fd, char *out, size_t size)
{
	static const char key[] = "vermagic=";
	const char *map, *p, *end;
	struct stat st;

	*out = '\0';
	if (fstat(fd, &st) || st.st_size <= 0)
		return;
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return;
	end = map + st.st_size;
	p = memmem(map, st.st_size, key, sizeof(key) - 1);
	if (p) {
		size_t n = 0;

		p += sizeof(key) - 1;
		while (p + n < end && p[n] && p[n] != ' ' && n + 1 < size)
			n++;
		memcpy(out, p, n);
		out[n] = '\0';
	}
	munmap((void *)map, st.st_size);
}

/*
 * The tree kpeek is in (TREE/kpeek/kpeek) holds the module, built for the
 * running kernel (an exact vermagic: no vermagic is no match).  Only that
 * tree: a kpeek installed elsewhere uses the DKMS modules.
 */
static int tree_ko(const char *name, const char *release, struct ko *ko,
		   char *why, size_t why_size)
{
	char tree[PATH_MAX], magic[64], *slash;
	ssize_t n = readlink("/proc/self/exe", tree, sizeof(tree) - 1);

	if (n <= 0)
		return 0;
	tree[n] = '\0';
	slash = strrchr(tree, '/');
	if (!slash || slash == tree)
		return 0;
	*slash = '\0';
	slash = strrchr(tree, '/');
	if (!slash || strcmp(slash, "/kpeek"))
		return 0;
	*slash = '\0';
	if (find_ko(*tree ? tree : "/", name, ko))
		return 0;
	ko_vermagic(ko->fd, magic, sizeof(magic));
	if (!strcmp(magic, release))
		return 1;
	snprintf(why, why_size, " (%s there is built for %s)", ko->path,
		 *magic ? magic : "no known kernel");
	close(ko->fd);
	return 0;
}

/*
 * kpeek runs as root and the kernel runs what it loads: a file that
 * someone else could have written is refused.  The checks are on the open
 * file, and finit_module() loads that same file.
 */
static void check_ko(const struct ko *ko)
{
	struct stat st;

	if (fstat(ko->fd, &st))
		fail(errno, "cannot stat %s", ko->path);
	if (!S_ISREG(st.st_mode))
		fail(EINVAL, "%s is not a regular file", ko->path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		fail(EPERM,
		     "%s is writable by its group or by others: refused (chmod go-w it)",
		     ko->path);
}

/*
 * --modules DIR, else $KPEEK_MODULES, else the tree around this program
 * if it holds the module built for this kernel, else the DKMS modules of
 * the running kernel.
 */
static void locate_module(const char *name, struct ko *ko)
{
	const char *dir = opt.modules, *what = "--modules";
	char dkms[PATH_MAX], why[PATH_MAX + 128] = "";
	struct utsname u;
	int err;

	if (!dir && getenv("KPEEK_MODULES") && *getenv("KPEEK_MODULES")) {
		dir = getenv("KPEEK_MODULES");
		what = "KPEEK_MODULES";
	}
	if (dir) {
		if (!is_dir(dir))
			fail(ENOENT, "%s %s: no such directory", what, dir);
		err = find_ko(dir, name, ko);
		if (err == -ENOENT)
			fail(ENOENT, "no %s.ko in %s (%s)", name, dir, what);
		if (err)
			fail(-err, "cannot open %s.ko in %s (%s)", name, dir,
			     what);
		check_ko(ko);
		return;
	}
	uname(&u);
	if (tree_ko(name, u.release, ko, why, sizeof(why))) {
		check_ko(ko);
		return;
	}
	snprintf(dkms, sizeof(dkms), "/lib/modules/%s/%s", u.release,
		 KPEEK_DKMS);
	err = find_ko(dkms, name, ko);
	if (!err) {
		check_ko(ko);
		return;
	}
	if (err != -ENOENT)
		fail(-err, "cannot open %s.ko in %s", name, dkms);
	fail(ENOENT,
	     "%s.ko not found: not in the tree around kpeek%s nor in %s; 'make' or 'make install', or give --modules DIR",
	     name, why, dkms);
}

/* Loading and unloading */

static bool module_loaded(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/module/%s", name);
	return is_dir(p);
}

static int unload(const char *name)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY && errno != EINTR)
			return -errno;
		usleep(20000);
	}
	return -errno;
}

/* The lock */

/* $KPEEK_LOCK_TIMEOUT: how long to wait for the lock, in seconds. */
static unsigned int lock_timeout(void)
{
	const char *s = getenv("KPEEK_LOCK_TIMEOUT");
	unsigned long v;
	char *end;

	if (!s || !*s)
		return KPEEK_LOCK_WAIT;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end || errno || v > 86400)
		usage_error(
			"KPEEK_LOCK_TIMEOUT='%.40s' is not a number of seconds (0 to 86400)",
			s);
	return (unsigned int)v;
}

static void __attribute__((noreturn))
lock_timed_out(const char *lock, unsigned int secs)
{
	fail(ETIMEDOUT,
	     "waited %u s for the lock %s: another kpeek holds it (stopped or stuck?)",
	     secs, lock);
}

static pthread_mutex_t *lock_mutex;

static void drop_mutex(void)
{
	pthread_mutex_unlock(lock_mutex);
}

/*
 * The mutex file, made whole under a name of its own and then linked into
 * place: another run sees no file or an initialised one.  0 or -errno.
 */
static int mutex_create(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m;
	char tmp[64];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.%d", KPEEK_MUTEX, (int)getpid());
	unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, sizeof(*m)))
		err = -errno;
	m = err ? MAP_FAILED :
		  mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       0);
	if (m != MAP_FAILED) {
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		err = -pthread_mutex_init(m, &a);
		pthread_mutexattr_destroy(&a);
		munmap(m, sizeof(*m));
	} else if (!err) {
		err = -errno;
	}
	close(fd);
	if (!err && link(tmp, KPEEK_MUTEX) && errno != EEXIST)
		err = -errno;
	unlink(tmp);
	return err;
}

/*
 * A kernel without CONFIG_FILE_LOCKING has no flock() (ENOSYS; the debug
 * lane's tinyconfig kernel is one, and it has no sockets either).  Then
 * the lock is a robust process-shared mutex in a file on /run: taken
 * atomically, and when its holder dies the kernel marks it so that the
 * next run takes it over (EOWNERDEAD); no PID is ever guessed at.
 */
static void take_mutex_lock(unsigned int secs)
{
	struct timespec until;
	pthread_mutex_t *m;
	struct stat st;
	int fd, err;

	fd = open(KPEEK_MUTEX, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		err = mutex_create();
		if (err)
			fail(-err, "cannot create the lock %s", KPEEK_MUTEX);
		fd = open(KPEEK_MUTEX, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		fail(errno, "cannot open the lock %s", KPEEK_MUTEX);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_size != sizeof(*m))
		fail(EPERM, "%s is not kpeek's lock: remove it", KPEEK_MUTEX);
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		fail(errno, "cannot map the lock %s", KPEEK_MUTEX);
	close(fd);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += secs;
	err = pthread_mutex_timedlock(m, &until);
	/* Its holder died: recover() unloads what it left. */
	if (err == EOWNERDEAD)
		err = pthread_mutex_consistent(m);
	if (err == ETIMEDOUT)
		lock_timed_out(KPEEK_MUTEX, secs);
	if (err)
		fail(err, "cannot lock %s", KPEEK_MUTEX);
	lock_mutex = m;
	atexit(drop_mutex);
}

/*
 * The lock that serialises every kpeek on the machine: held until exit,
 * and let go by the kernel if kpeek dies.  A holder that is stopped would
 * block everyone: after KPEEK_LOCK_TIMEOUT seconds, kpeek gives up.
 */
static void take_lock(void)
{
	unsigned int secs = lock_timeout();
	struct timespec now, until;
	int fd;

	fd = open(KPEEK_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fail(errno, "cannot open the lock %s", KPEEK_LOCK);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += secs;
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == ENOSYS) {
			close(fd);
			take_mutex_lock(secs);
			return;
		}
		if (errno != EWOULDBLOCK && errno != EINTR)
			fail(errno, "cannot lock %s", KPEEK_LOCK);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec &&
						  now.tv_nsec >= until.tv_nsec))
			lock_timed_out(KPEEK_LOCK, secs);
		usleep(10000);
	}
}

/*
 * /run/kpeek.NAME.loaded exists while kpeek has NAME loaded: a module
 * found loaded with it was left by a kpeek that died, one without it was
 * loaded by its user (get_pgfaults is useful loaded).
 */
static void marker_path(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s.%s.loaded", KPEEK_RUN, name);
}

static bool marker_exists(const char *name)
{
	char p[128];

	marker_path(name, p, sizeof(p));
	return !access(p, F_OK);
}

static void marker_set(const char *name, bool on)
{
	char p[128];
	int fd;

	marker_path(name, p, sizeof(p));
	if (!on) {
		unlink(p);
		return;
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		fail(errno, "cannot create %s", p);
	close(fd);
}

/* A module a crashed run left loaded: unloaded, and said. */
static void recover(const char *name)
{
	int err;

	if (!module_loaded(name))
		return;
	err = unload(name);
	if (err)
		fail(-err,
		     "%s is loaded (left by another run?) and cannot be unloaded",
		     name);
	marker_set(name, false);
	fprintf(stderr,
		"kpeek: %s was left loaded (by a run that crashed?): unloaded it\n",
		name);
}

/* The module's records */

struct report {
	char **lines; /* the module's texts, prefix removed */
	int *levels;
	int n, cap;
};

static int report_add(struct report *r, const char *text, int level)
{
	if (r->n == r->cap) {
		int cap = r->cap ? 2 * r->cap : 64;
		char **lines = realloc(r->lines, cap * sizeof(*lines));
		int *levels;

		if (!lines)
			return -ENOMEM;
		r->lines = lines;
		levels = realloc(r->levels, cap * sizeof(*levels));
		if (!levels)
			return -ENOMEM;
		r->levels = levels;
		r->cap = cap;
	}
	r->lines[r->n] = strdup(text);
	if (!r->lines[r->n])
		return -ENOMEM;
	r->levels[r->n++] = level;
	return 0;
}

/* /dev/kmsg, positioned after its last record: what is logged next. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		fail(errno, "cannot open /dev/kmsg");
	if (lseek(fd, 0, SEEK_END) < 0)
		fail(errno, "cannot seek /dev/kmsg");
	return fd;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/*
 * Whether the header "PRI,SEQ,TIME,FLAGS[,caller=T<tid>]" is of a record
 * this thread logged.  Without CONFIG_PRINTK_CALLER there is no caller,
 * and the module's prefix is all there is to go by.
 */
static bool from_this_thread(const char *hdr, size_t len)
{
	const char *c = memmem(hdr, len, ",caller=", 8);
	int tid;

	if (!c)
		return true;
	return sscanf(c + 8, "T%d", &tid) == 1 && tid == (int)gettid();
}

/*
 * The records logged since kmsg_open() that the kernel (facility 0)
 * logged with the prefix "NAME: ", until @done says one is the last
 * (NULL: until there are no more).  A record may be reserved but not yet
 * committed when finit_module() returns, so an empty log is waited on,
 * up to @ms milliseconds.  0, -ETIMEDOUT at the deadline, -EPIPE if
 * records were lost, or -errno.
 */
static int kmsg_collect(int fd, const char *name, struct report *r,
			bool (*done)(const char *text), int ms)
{
	static char rec[LINE_MAX_LEN + 1];
	long long deadline = now_ms() + ms;
	size_t plen = strlen(name);
	unsigned long long seq, last = 0;
	unsigned int pri;
	char *text, *nl;
	int err;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			long long left = deadline - now_ms();

			if (!done)
				return 0;
			if (left <= 0)
				return -ETIMEDOUT;
			poll(&p, 1, (int)left);
			continue;
		}
		if (n < 0)
			return -errno;
		rec[n] = '\0';
		/* "PRI,SEQ,TIME,FLAGS[,...];TEXT\n" then " KEY=VALUE" lines */
		text = strchr(rec, ';');
		if (!text || sscanf(rec, "%u,%llu,", &pri, &seq) != 2)
			continue;
		if (last && seq != last + 1)
			return -EPIPE;
		last = seq;
		if (pri >> 3 != 0 || !from_this_thread(rec, text - rec))
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(text, name, plen) || strncmp(text + plen, ": ", 2))
			continue;
		kmsg_unescape(text);
		err = report_add(r, text + plen + 2, (int)(pri & 7));
		if (err)
			return err;
		if (done && done(text + plen + 2))
			return 0;
	}
}

/*
 * The modules' error lines (include/kp_task.h, 1/lkm3.c): a failed load's
 * reason is one of these, never any other line that has the prefix.
 */
static bool is_module_error(const char *l)
{
	static const char *const forms[][3] = {
		{ "pid=", " is not valid: ", "give pid=<PID> with PID > 0" },
		{ "no process with pid ", "", " in this pid namespace" },
		{ "pid ", " (",
		  ") has no user address space: a kernel thread or exiting" },
		{ "vaddr=", " is not valid: ",
		  "give vaddr=<address>, hex (0x...) or decimal" },
		{ "vaddr=0x", " is not canonical (", "-bit addresses)" },
		{ "vaddr=0x", " is not a user address (the limit is 0x", ")" },
	};
	size_t i, len = strlen(l);

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t s = strlen(forms[i][2]);

		if (!strncmp(l, forms[i][0], strlen(forms[i][0])) &&
		    strstr(l, forms[i][1]) && len >= s &&
		    !strcmp(l + len - s, forms[i][2]))
			return true;
	}
	return false;
}

/* How long to wait for a report's last line, or a failed load's reason. */
#define REPORT_WAIT_MS 5000
#define REASON_WAIT_MS 200

static void __attribute__((noreturn)) kmsg_failed(const char *name, int err)
{
	if (err == -EPIPE)
		fail(EPIPE,
		     "the kernel log lost part of %s's report (overwritten before it was read)",
		     name);
	if (err == -ETIMEDOUT)
		fail(EPROTO, "%s's report has no last line", name);
	fail(-err, "cannot read %s's report from /dev/kmsg", name);
}

/*
 * Load @name with @params, collect its report, unload it.  Whatever goes
 * wrong once it is loaded, it is unloaded before kpeek says so.  Returns
 * 0, or the load's errno with the module's error line in @reason.
 */
static int run_module(const char *name, const char *params, struct report *r,
		      const char **reason, void (*loaded)(void))
{
	sigset_t all, old;
	int kfd, err = 0, kerr, uerr = 0, i;
	struct ko ko;

	locate_module(name, &ko);
	/* From the load to the unload, no signal may leave it loaded. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	recover(name);
	kfd = kmsg_open();
	marker_set(name, true);
	if (syscall(SYS_finit_module, ko.fd, params,
		    ko.compressed ? MODULE_INIT_COMPRESSED_FILE : 0))
		err = errno;
	kerr = kmsg_collect(kfd, name, r, err ? is_module_error : cmd->done,
			    err ? REASON_WAIT_MS : REPORT_WAIT_MS);
	if (!err && loaded)
		loaded();
	if (!err)
		uerr = unload(name);
	if (!uerr)
		marker_set(name, false);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(kfd);
	close(ko.fd);
	if (uerr)
		fail(-uerr, "cannot unload %s", name);
	if (kerr && (!err || kerr != -ETIMEDOUT))
		kmsg_failed(name, kerr);
	*reason = NULL;
	for (i = 0; err && i < r->n; i++)
		if (r->levels[i] <= 3 && is_module_error(r->lines[i]))
			*reason = r->lines[i];
	if (err == EEXIST && !*reason)
		*reason = "loaded by someone else meanwhile";
	return err;
}

/* A failed load: the module's reason, else the kernel's word for it. */
static void __attribute__((noreturn))
load_failed(const char *name, int err, const char *reason)
{
	if (!reason)
		fail(err, "loading %s failed: %s%s", name, strerror(err),
		     err == ENOEXEC ? " (built for another kernel?)" : "");
	/* As the module escaped it. */
	fail(err, "%s", reason);
}

/* Run the command's module with @params: its report, or exit. */
static void run_report(const char *params, struct report *r,
		       void (*loaded)(void))
{
	const char *reason;
	int err = run_module(cmd->module, params, r, &reason, loaded);

	if (err)
		load_failed(cmd->module, err, reason);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		fail(ENOMEM, "out of memory");
	return p;
}

/* Reading a report */

/* The line must have the form; a line that does not is said, not skipped. */
static void __attribute__((noreturn)) bad_line(const char *name, const char *l)
{
	fail(EPROTO, "cannot read %s's report line '%.200s'", name, l);
}

/* "KEY=" at the end of @l: the last one, since a name may hold it too. */
static char *last_field(char *l, const char *key)
{
	char *p = NULL, *q = l;
	size_t k = strlen(key);

	while ((q = strstr(q, key))) {
		p = q;
		q += k;
	}
	return p;
}

struct task_row {
	int pid, tid;
	unsigned int cpu;
	char *comm;
	char state;
};

/* lkm1's last line: "runnable=R threads=T". */
static bool runnable_sum(const char *l, unsigned int *runnable,
			 unsigned int *threads)
{
	int off = 0;

	return sscanf(l, "runnable=%u threads=%u%n", runnable, threads, &off) ==
		       2 &&
	       off > 0 && !l[off];
}

static bool runnable_done(const char *l)
{
	unsigned int a, b;

	return runnable_sum(l, &a, &b);
}

static void do_runnable(void)
{
	struct report r = {};
	struct task_row *t;
	unsigned int runnable = 0, threads = 0;
	int i, n = 0, off;
	bool done = false;

	run_report("", &r, NULL);
	t = xcalloc(r.n + 1, sizeof(*t));
	for (i = 0; i < r.n && !done; i++) {
		char *l = r.lines[i], *c;

		if (runnable_sum(l, &runnable, &threads)) {
			done = true;
			continue;
		}
		c = last_field(l, " cpu=");
		off = 0;
		if (!c || sscanf(c, " cpu=%u%n", &t[n].cpu, &off) != 1 ||
		    !off || c[off])
			continue; /* the loader's own lines (taint) */
		off = 0;
		if (sscanf(l, "pid=%d tid=%d comm=%n", &t[n].pid, &t[n].tid,
			   &off) != 2 ||
		    !off)
			continue;
		*c = '\0';
		t[n++].comm = l + off;
	}
	if (!done)
		fail(EPROTO, "lkm1's report has no summary line");
	if (opt.json) {
		printf("{\"tasks\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"pid\":%d,\"tid\":%d,\"comm\":",
			       i ? "," : "", t[i].pid, t[i].tid);
			json_cstr(t[i].comm);
			printf(",\"cpu\":%u}", t[i].cpu);
		}
		printf("],\"runnable\":%u,\"threads\":%u}\n", runnable,
		       threads);
		return;
	}
	printf("%7s %7s %3s  %s\n", "PID", "TID", "CPU", "COMMAND");
	for (i = 0; i < n; i++) {
		printf("%7d %7d %3u  ", t[i].pid, t[i].tid, t[i].cpu);
		term_str(t[i].comm);
		putchar('\n');
	}
	printf("%u runnable of %u threads (kpeek itself is one: it ran the module).\n"
	       "PIDs are those of kpeek's pid namespace.\n",
	       runnable, threads);
}

/* lkm2's last line: "pid=P children=N". */
static bool children_sum(const char *l, unsigned int *count)
{
	int p, off = 0;

	return sscanf(l, "pid=%d children=%u%n", &p, count, &off) == 2 &&
	       off > 0 && !l[off] && p == opt.pid;
}

static bool children_done(const char *l)
{
	unsigned int count;

	return children_sum(l, &count);
}

/* "pid=P comm=NAME state=S": a child, else false. */
static bool child_row(char *l, struct task_row *t)
{
	int off = 0;
	char *s;

	if (sscanf(l, "pid=%d comm=%n", &t->pid, &off) != 1 || !off)
		return false;
	s = last_field(l, " state=");
	if (!s || !s[7] || s[8])
		return false;
	if (!isalpha((unsigned char)s[7]))
		bad_line(cmd->module, l);
	t->state = s[7];
	*s = '\0';
	t->comm = l + off;
	return true;
}

/* lkm2's parent line, children and count; exits if one is missing. */
static int children_parse(struct report *r, struct task_row *t, char **parent)
{
	unsigned int count = 0;
	int i, n = 0, p, off;
	bool done = false;

	*parent = NULL;
	for (i = 0; i < r->n && !done; i++) {
		char *l = r->lines[i];

		off = 0;
		if (sscanf(l, "parent pid=%d comm=%n", &p, &off) == 1 &&
		    off > 0 && p == opt.pid)
			*parent = l + off;
		else if (children_sum(l, &count))
			done = true;
		else if (child_row(l, &t[n]))
			n++;
	}
	if (!done || !*parent)
		fail(EPROTO, "lkm2's report has no %s line",
		     *parent ? "summary" : "parent");
	if (count != (unsigned int)n)
		fail(EPROTO, "lkm2 counted %u children but listed %d", count,
		     n);
	return n;
}

static void do_children(void)
{
	struct report r = {};
	char params[64], *parent;
	struct task_row *t;
	int pid = opt.pid, n, i;

	snprintf(params, sizeof(params), "pid=%d", pid);
	run_report(params, &r, NULL);
	t = xcalloc(r.n + 1, sizeof(*t));
	n = children_parse(&r, t, &parent);
	if (opt.json) {
		printf("{\"pid\":%d,\"comm\":", pid);
		json_cstr(parent);
		printf(",\"children\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"pid\":%d,\"comm\":", i ? "," : "",
			       t[i].pid);
			json_cstr(t[i].comm);
			printf(",\"state\":\"%c\"}", t[i].state);
		}
		printf("]}\n");
		return;
	}
	printf("%d (", pid);
	term_str(parent);
	printf("): %d %s\n", n, n == 1 ? "child" : "children");
	if (n)
		printf("%7s %s  %s\n", "PID", "S", "COMMAND");
	for (i = 0; i < n; i++) {
		printf("%7d %c  ", t[i].pid, t[i].state);
		term_str(t[i].comm);
		putchar('\n');
	}
	printf("PIDs are those of kpeek's pid namespace.\n");
}

/* lkm3's reasons, for people (docs/lkm3.md). */
static const char *reason_text(const char *reason)
{
	static const char *const texts[][2] = {
		{ "no-vma", "no mapping covers the address" },
		{ "not-present",
		  "mapped, but no page is there (never touched, or dropped)" },
		{ "swapped", "the page is in swap" },
		{ "migrating", "the page is being moved to another frame" },
		{ "device", "device-private or device-exclusive memory" },
		{ "hwpoison",
		  "the page had a memory error and was taken away" },
		{ "other", "another kind of entry" },
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!strcmp(texts[i][0], reason))
			return texts[i][1];
	return "";
}

#define MAX_FLAGS 12

struct flag_row {
	char name[16];
	int value;
};

struct level_row {
	char name[8];
	unsigned int index;
	unsigned long long entry;
};

static unsigned long page_bytes(const char *page)
{
	if (!strcmp(page, "4K"))
		return 4096;
	if (!strcmp(page, "64K")) /* arm64's contiguous hugetlb pages */
		return 64ul << 10;
	if (!strcmp(page, "2M"))
		return 2ul << 20;
	if (!strcmp(page, "32M"))
		return 32ul << 20;
	if (!strcmp(page, "1G"))
		return 1ul << 30;
	return 0;
}

struct v2p {
	int pid;
	unsigned long long vaddr, paddr, entry;
	unsigned long pfn, swap_type, swap_offset;
	char page[4], reason[16];
	bool present, have_pfn, have_swap, have_entry, have_flags;
	struct flag_row flags[MAX_FLAGS];
	int nflags;
	struct level_row levels[8];
	int nlevels;
	/* What lkm3 says after its first fields (docs/lkm3.md). */
	bool have_page, have_file;
	char *page_flags, *swap_dev, *file;
	char cached[8];
	int refcount, exclusive, soft_dirty;
	unsigned long long mapcount, file_offset;
};

/*
 * lkm3's "  flags NAME=VALUE..." line names the last entry's bits by the
 * architecture's own names (include/kp_compat.h): x86-64's present,
 * writable, ..., nx; arm64's valid, af, ..., uxn.  Each is one bit, but
 * for arm64's access permissions, ap: AP[2:1], a number from 0 to 3.
 */
static bool flag_is_number(const char *name)
{
	return !strcmp(name, "ap");
}

/* Parse the flags line into v->flags; false if it is not one. */
static bool v2p_flags(const char *l, struct v2p *v)
{
	struct flag_row *f;
	int off, n = 0;

	if (strncmp(l, "  flags ", 8))
		return false;
	l += 7;
	while (*l) {
		if (n == MAX_FLAGS)
			return false;
		f = &v->flags[n];
		off = 0;
		if (sscanf(l, " %15[a-z0-9]=%d%n", f->name, &f->value, &off) !=
			    2 ||
		    !off)
			return false;
		n++;
		l += off;
	}
	v->nflags = n;
	return n > 0;
}

/* A 0 or 1 of lkm3's, into *@v. */
static bool v2p_bit(const char *s, int *v)
{
	if (strcmp(s, "0") && strcmp(s, "1"))
		return false;
	*v = *s == '1';
	return true;
}

/* A decimal or 0x... number of lkm3's, whole, into *@v. */
static bool v2p_num(const char *s, const char *fmt, unsigned long long *v)
{
	int off = 0;

	return sscanf(s, fmt, v, &off) == 1 && off && !s[off];
}

/*
 * The fields lkm3 puts after its first ones, each " KEY=VALUE": flags=
 * refcount= mapcount= exclusive= soft_dirty= (a present page), swap_dev=
 * (a swapped one), cached= (not present, a file mapping), file_offset=
 * and file= (a file mapping).  file= is last and runs to the end of the
 * line (a path may hold spaces); swap_dev= is one word (escaped as
 * /proc/swaps does).  @rest is cut up in place: the values are strings
 * of their own.
 */
static bool v2p_tail(char *rest, struct v2p *v)
{
	unsigned long long n;
	char *val, *end;
	int seen = 0;

	if (*rest && *rest++ != ' ')
		return false;
	while (*rest) {
		char *key = rest;

		val = strchr(key, '=');
		if (!val)
			return false;
		*val++ = '\0';
		if (!strcmp(key, "file")) {
			v->file = val;
			v->have_file = true;
			if (!(seen & 1)) /* file_offset= comes first */
				return false;
			break;
		}
		end = val + strcspn(val, " ");
		rest = end;
		if (*end) {
			*end = '\0';
			rest = end + 1;
			if (!*rest) /* a space at the end */
				return false;
		}
		if (!strcmp(key, "flags") && *val) {
			v->page_flags = val;
			seen |= 2;
		} else if (!strcmp(key, "refcount") &&
			   v2p_num(val, "%llu%n", &n) && n <= INT_MAX) {
			v->refcount = (int)n;
			seen |= 4;
		} else if (!strcmp(key, "mapcount") &&
			   v2p_num(val, "%llu%n", &v->mapcount)) {
			seen |= 8;
		} else if (!strcmp(key, "exclusive") &&
			   v2p_bit(val, &v->exclusive)) {
			seen |= 16;
		} else if (!strcmp(key, "soft_dirty") &&
			   v2p_bit(val, &v->soft_dirty)) {
			seen |= 32;
		} else if (!strcmp(key, "swap_dev") && *val) {
			v->swap_dev = val;
		} else if (!strcmp(key, "cached") &&
			   (!strcmp(val, "yes") || !strcmp(val, "no") ||
			    !strcmp(val, "swapped"))) {
			snprintf(v->cached, sizeof(v->cached), "%s", val);
		} else if (!strcmp(key, "file_offset") &&
			   v2p_num(val, "0x%llx%n", &v->file_offset)) {
			seen |= 1;
		} else {
			return false;
		}
	}
	/* The page's fields come all together, or not at all. */
	v->have_page = (seen & 62) == 62;
	return !(seen & 62) || v->have_page;
}

/* "pid=P vaddr=0xV not mapped reason=R[ detail][ fields]" */
static bool v2p_not_mapped(char *rest, struct v2p *v)
{
	int off = 0;

	if (sscanf(rest, " not mapped reason=%15[a-z-]%n", v->reason, &off) !=
	    1)
		return false;
	rest += off;
	off = 0;
	if (!strcmp(v->reason, "swapped")) {
		if (sscanf(rest, " swap_type=%lu swap_offset=%lu%n",
			   &v->swap_type, &v->swap_offset, &off) != 2)
			return false;
		v->have_swap = true;
	} else if (!strcmp(v->reason, "other")) {
		if (sscanf(rest, " entry=0x%llx%n", &v->entry, &off) != 1)
			return false;
		v->have_entry = true;
	} else if (strcmp(v->reason, "no-vma") &&
		   strcmp(v->reason, "not-present")) {
		if (sscanf(rest, " pfn=0x%lx%n", &v->pfn, &off) != 1)
			return false;
		v->have_pfn = true;
	}
	/* The page's own fields are for a present page only. */
	return v2p_tail(rest + off, v) && !v->have_page;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && !strcmp(s + n - k, tail);
}

/*
 * lkm3's answer "pid=P vaddr=0xV ...", and with --walk the walk after it,
 * which ends with the flags line; no-vma and a missing table have none.
 */
static bool v2p_done(const char *l)
{
	unsigned long long va;
	int p, off = 0;

	/* The walk's last line: the entry's bits, by each architecture's names. */
	if (!strncmp(l, "  flags ", 8))
		return true;
	if (sscanf(l, "pid=%d vaddr=0x%llx%n", &p, &va, &off) != 2 || !off ||
	    p != opt.pid || va != opt.vaddr)
		return false;
	if (!opt.walk)
		return true;
	/* Without a table for the address there is no walk to log. */
	return strstr(l, " not mapped reason=no-vma") ||
	       (strstr(l, " not mapped reason=not-present") &&
		(ends_with(l, " reason=not-present") ||
		 strstr(l, " reason=not-present ")));
}

static void v2p_parse(struct report *r, struct v2p *v)
{
	struct level_row *lv;
	bool found = false;
	int i, p, off;
	unsigned long long va;

	for (i = 0; i < r->n; i++) {
		char *l = r->lines[i];

		off = 0;
		if (!found &&
		    sscanf(l, "pid=%d vaddr=0x%llx%n", &p, &va, &off) == 2 &&
		    p == v->pid && va == v->vaddr) {
			char *rest = l + off;

			off = 0;
			if (sscanf(rest, " paddr=0x%llx page=%3s%n", &v->paddr,
				   v->page, &off) == 2 &&
			    page_bytes(v->page) && v2p_tail(rest + off, v) &&
			    v->have_page && !v->swap_dev && !v->cached[0])
				v->present = true;
			else if (!v2p_not_mapped(rest, v))
				bad_line(cmd->module, l);
			found = true;
			continue;
		}
		if (!found)
			continue;
		lv = &v->levels[v->nlevels];
		off = 0;
		if (v->nlevels < 8 &&
		    sscanf(l, "  level=%7[a-z0-9] index=%u entry=0x%llx%n",
			   lv->name, &lv->index, &lv->entry, &off) == 3 &&
		    !l[off]) {
			v->nlevels++;
			continue;
		}
		if (v2p_flags(l, v))
			v->have_flags = true;
	}
	if (!found)
		fail(EPROTO, "lkm3's report has no answer line");
}

/* A path lkm3 escaped, as a JSON string, or null for "?" (unknown). */
static void json_path(const char *escaped)
{
	if (!strcmp(escaped, "?"))
		printf("null");
	else
		json_cstr(escaped);
}

/* lkm3's fields after its first ones, as JSON members. */
static void v2p_json_page(const struct v2p *v)
{
	if (v->have_page) {
		const char *f;
		size_t n;

		printf(",\"page_flags\":[");
		for (f = v->page_flags; strcmp(f, "none") && *f; f += n) {
			n = strcspn(f, ",");
			printf("%s\"%.*s\"", f == v->page_flags ? "" : ",",
			       (int)n, f);
			if (f[n])
				n++;
		}
		printf("],\"refcount\":%d,\"mapcount\":%llu,\"exclusive\":%s,\"soft_dirty\":%s",
		       v->refcount, v->mapcount,
		       v->exclusive ? "true" : "false",
		       v->soft_dirty ? "true" : "false");
	}
	if (v->swap_dev) {
		printf(",\"swap_dev\":");
		json_path(v->swap_dev);
	}
	if (v->cached[0])
		printf(",\"cached\":\"%s\"", v->cached);
	if (v->have_file) {
		printf(",\"file_offset\":%llu,\"file\":", v->file_offset);
		json_path(v->file);
	}
}

static void v2p_json(const struct v2p *v)
{
	printf("{\"pid\":%d,\"vaddr\":\"0x%llx\",\"present\":%s", v->pid,
	       v->vaddr, v->present ? "true" : "false");
	if (v->present) {
		printf(",\"paddr\":\"0x%llx\",\"page_size\":%lu", v->paddr,
		       page_bytes(v->page));
	} else {
		printf(",\"reason\":\"%s\"", v->reason);
		if (v->have_swap)
			printf(",\"swap_type\":%lu,\"swap_offset\":%lu",
			       v->swap_type, v->swap_offset);
		if (v->have_pfn)
			printf(",\"pfn\":%lu", v->pfn);
		if (v->have_entry)
			printf(",\"entry\":\"0x%llx\"", v->entry);
	}
	v2p_json_page(v);
	if (opt.walk) {
		printf(",\"levels\":[");
		for (int i = 0; i < v->nlevels; i++)
			printf("%s{\"level\":\"%s\",\"index\":%u,\"entry\":\"0x%016llx\"}",
			       i ? "," : "", v->levels[i].name,
			       v->levels[i].index, v->levels[i].entry);
		printf("]");
		if (v->have_flags) {
			printf(",\"flags\":{");
			for (int i = 0; i < v->nflags; i++) {
				const struct flag_row *f = &v->flags[i];

				if (flag_is_number(f->name))
					printf("%s\"%s\":%d", i ? "," : "",
					       f->name, f->value);
				else
					printf("%s\"%s\":%s", i ? "," : "",
					       f->name,
					       f->value ? "true" : "false");
			}
			printf("}");
		}
	}
	printf("}\n");
}

static void v2p_human(const struct v2p *v)
{
	int i;

	printf("%6s  %-18s  %-18s  %s\n", "PID", "VADDR", "PADDR", "PAGE");
	if (v->present) {
		printf("%6d  0x%-16llx  0x%-16llx  %s\n", v->pid, v->vaddr,
		       v->paddr, v->page);
	} else {
		printf("%6d  0x%-16llx  %-18s  -\n", v->pid, v->vaddr,
		       "not mapped");
		printf("reason: %s: %s", v->reason, reason_text(v->reason));
		if (v->have_swap)
			printf(" (swap area %lu, slot %lu)", v->swap_type,
			       v->swap_offset);
		if (v->have_pfn)
			printf(" (pfn 0x%lx)", v->pfn);
		if (v->have_entry)
			printf(" (entry 0x%llx)", v->entry);
		putchar('\n');
	}
	if (v->have_page)
		printf("page flags: %s\nrefcount: %d  mapcount: %llu  exclusive: %s  soft-dirty: %s\n",
		       v->page_flags, v->refcount, v->mapcount,
		       v->exclusive ? "yes" : "no",
		       v->soft_dirty ? "yes" : "no");
	if (v->swap_dev) {
		printf("swap area: ");
		term_str(v->swap_dev);
		putchar('\n');
	}
	if (v->have_file) {
		printf("file: ");
		term_str(v->file);
		printf(" at offset 0x%llx\n", v->file_offset);
	}
	if (v->cached[0])
		printf("in the page cache: %s\n", v->cached);
	if (!opt.walk)
		return;
	if (!v->nlevels) {
		if (!strcmp(v->reason, "no-vma"))
			printf("no page-table walk: no VMA covers the address\n");
		else if (!strcmp(v->reason, "not-present"))
			printf("no page-table walk: a level above the last has no table for the address\n");
		else
			printf("no page-table walk in lkm3's report\n");
		return;
	}
	printf("\n%-5s  %5s  %s\n", "LEVEL", "INDEX", "ENTRY");
	for (i = 0; i < v->nlevels; i++)
		printf("%-5s  %5u  0x%016llx\n", v->levels[i].name,
		       v->levels[i].index, v->levels[i].entry);
	if (v->have_flags) {
		printf("flags:");
		for (i = 0; i < v->nflags; i++)
			if (flag_is_number(v->flags[i].name))
				printf(" %s=%d", v->flags[i].name,
				       v->flags[i].value);
			else if (v->flags[i].value)
				printf(" %s", v->flags[i].name);
		putchar('\n');
	}
}

static void do_v2p(void)
{
	struct v2p v = { .pid = opt.pid, .vaddr = opt.vaddr };
	struct report r = {};
	char params[128];

	snprintf(params, sizeof(params), "pid=%d vaddr=0x%llx verbose=%d",
		 v.pid, v.vaddr, opt.walk);
	run_report(params, &r, NULL);
	v2p_parse(&r, &v);
	if (opt.json)
		v2p_json(&v);
	else
		v2p_human(&v);
}

/*
 * The smaps fields lkm4 logs after physical_kb, in its order
 * (docs/lkm4.md), and as kpeek names them in JSON.
 */
static const char *const smaps_keys[] = {
	"pss_kb",	    "pss_anon_kb",	"pss_file_kb",
	"pss_shmem_kb",	    "shared_clean_kb",	"shared_dirty_kb",
	"private_clean_kb", "private_dirty_kb", "anonymous_kb",
	"swap_kb",	    "swap_pss_kb",	"uss_kb",
};
#define NSMAPS (sizeof(smaps_keys) / sizeof(smaps_keys[0]))
enum { SM_PSS = 0, SM_SWAP = 9, SM_USS = 11 };

struct mem_sizes {
	unsigned long long virt, phys, sm[NSMAPS];
};

struct vma_row {
	unsigned long long start, end;
	struct mem_sizes z;
	char perms[5];
	char *backing;
};

/*
 * " virtual_kb=V physical_kb=R pss_kb=... uss_kb=U" at @s into @z: the
 * number of characters read, or 0 if it is not that.
 */
static int sizes_parse(const char *s, struct mem_sizes *z)
{
	int off = 0, n;
	size_t i;

	if (sscanf(s, " virtual_kb=%llu physical_kb=%llu%n", &z->virt, &z->phys,
		   &off) != 2 ||
	    !off)
		return 0;
	for (i = 0; i < NSMAPS; i++) {
		size_t k = strlen(smaps_keys[i]);

		n = 0;
		if (s[off] != ' ' || strncmp(s + off + 1, smaps_keys[i], k) ||
		    sscanf(s + off + 1 + k, "=%llu%n", &z->sm[i], &n) != 1 ||
		    !n)
			return 0;
		off += 1 + k + n;
	}
	return off;
}

static bool vma_parse(char *l, struct vma_row *v)
{
	char *tail;
	int off = 0;

	if (sscanf(l, "vma start=0x%llx end=0x%llx perms=%4[-rwxsp] backing=%n",
		   &v->start, &v->end, v->perms, &off) != 3 ||
	    !off)
		return false;
	v->backing = l + off;
	tail = last_field(v->backing, " virtual_kb=");
	if (!tail)
		return false;
	off = sizes_parse(tail, &v->z);
	if (!off || tail[off])
		return false;
	*tail = '\0';
	return true;
}

/* The sizes of a row: virtual, physical, PSS, USS, swap. */
static void sizes_human(const struct mem_sizes *z)
{
	unsigned long long kb[] = { z->virt, z->phys, z->sm[SM_PSS],
				    z->sm[SM_USS], z->sm[SM_SWAP] };
	char a[32];
	size_t i;

	for (i = 0; i < sizeof(kb) / sizeof(kb[0]); i++) {
		size_str(a, sizeof(a), kb[i]);
		printf(" %*s", opt.kb ? 13 : 10, a);
	}
}

static void sizes_header(void)
{
	static const char *const h[] = { "VIRTUAL", "PHYSICAL", "PSS", "USS",
					 "SWAP" };
	const char *unit = opt.kb ? "_KB" : "";
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		printf(" %*s%s", 10, h[i], unit);
}

static void mem_human(int pid, const struct mem_sizes *sum,
		      const struct vma_row *v, int n)
{
	if (opt.vmas) {
		printf("%-18s %-18s %-5s", "START", "END", "PERMS");
		sizes_header();
		printf("  %s\n", "BACKING");
		for (int i = 0; i < n; i++) {
			printf("0x%-16llx 0x%-16llx %-5s", v[i].start, v[i].end,
			       v[i].perms);
			sizes_human(&v[i].z);
			printf("  ");
			term_str(v[i].backing);
			putchar('\n');
		}
		putchar('\n');
	}
	printf("%7s", "PID");
	sizes_header();
	printf("\n%7d", pid);
	sizes_human(sum);
	putchar('\n');
}

/* lkm4's last line: "pid=P virtual_kb=V physical_kb=R ... walk_ns=N". */
static bool mem_sum(const char *l, struct mem_sizes *z)
{
	unsigned long long ns;
	int p, off = 0, n;

	if (sscanf(l, "pid=%d%n", &p, &off) != 1 || !off || p != opt.pid)
		return false;
	n = sizes_parse(l + off, z);
	if (!n)
		return false;
	off += n;
	n = 0;
	return sscanf(l + off, " walk_ns=%llu%n", &ns, &n) == 1 && n > 0 &&
	       !l[off + n];
}

static bool mem_done(const char *l)
{
	struct mem_sizes z;

	return mem_sum(l, &z);
}

/*
 * printk cuts a record at about 1000 bytes, and backing= is a path: a cut
 * row, or one whose file name holds " virtual_kb=", is caught by its
 * size, which is its range's, and by the rows' sums, which are the
 * summary's (for PSS only nearly: each row's is truncated on its own).
 */
static void mem_check(const struct vma_row *v, int n,
		      const struct mem_sizes *sum)
{
	unsigned long long sv = 0, sp = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (v[i].end <= v[i].start ||
		    v[i].z.virt != (v[i].end - v[i].start) >> 10 ||
		    v[i].z.phys > v[i].z.virt ||
		    (i && v[i].start < v[i - 1].end))
			fail(EPROTO,
			     "lkm4's row for the VMA at 0x%llx is cut or inconsistent: refused",
			     v[i].start);
		sv += v[i].z.virt;
		sp += v[i].z.phys;
	}
	if (opt.vmas && (sv != sum->virt || sp != sum->phys))
		fail(EPROTO,
		     "lkm4's VMA rows (%llu kB, %llu kB) do not add up to its summary (%llu kB, %llu kB): refused",
		     sv, sp, sum->virt, sum->phys);
}

static void sizes_json(const struct mem_sizes *z)
{
	size_t i;

	printf("\"virtual_kb\":%llu,\"physical_kb\":%llu", z->virt, z->phys);
	for (i = 0; i < NSMAPS; i++)
		printf(",\"%s\":%llu", smaps_keys[i], z->sm[i]);
}

static void do_mem(void)
{
	int pid = opt.pid, n = 0, i;
	struct mem_sizes sum = {};
	struct report r = {};
	struct vma_row *v;
	char params[64];
	bool done = false;

	snprintf(params, sizeof(params), "pid=%d detail=%d", pid, opt.vmas);
	run_report(params, &r, NULL);
	v = xcalloc(r.n + 1, sizeof(*v));
	for (i = 0; i < r.n && !done; i++) {
		char *l = r.lines[i];

		if (mem_sum(l, &sum))
			done = true;
		else if (!strncmp(l, "vma ", 4) && !vma_parse(l, &v[n++]))
			bad_line(cmd->module, l);
	}
	if (!done)
		fail(EPROTO, "lkm4's report has no summary line");
	mem_check(v, n, &sum);
	if (!opt.json) {
		mem_human(pid, &sum, v, n);
		return;
	}
	printf("{\"pid\":%d,", pid);
	sizes_json(&sum);
	if (opt.vmas) {
		printf(",\"vmas\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"start\":\"0x%llx\",\"end\":\"0x%llx\",\"perms\":\"%s\",\"backing\":",
			       i ? "," : "", v[i].start, v[i].end, v[i].perms);
			json_cstr(v[i].backing);
			putchar(',');
			sizes_json(&v[i].z);
			putchar('}');
		}
		printf("]");
	}
	printf("}\n");
}

/* "Page faults since boot: N" and "Major page faults since boot: M" */
static unsigned long long pgfault, pgmajfault;
static int pgfaults_err;

static void read_pgfaults(void)
{
	FILE *f = fopen(PGFAULTS_PROC, "re");
	int n;

	pgfaults_err = 0;
	if (!f) {
		pgfaults_err = errno;
		return;
	}
	n = fscanf(
		f,
		"Page faults since boot: %llu Major page faults since boot: %llu",
		&pgfault, &pgmajfault);
	if (n != 2)
		pgfaults_err = ferror(f) ? errno : EPROTO;
	fclose(f);
}

static void do_pgfaults(void)
{
	struct report r = {};

	if (module_loaded(cmd->module) && !marker_exists(cmd->module)) {
		/* Loaded by its user, not by a kpeek: left as it is. */
		read_pgfaults();
	} else {
		/* A kpeek that died left it loaded: recover() says so. */
		run_report("", &r, read_pgfaults);
	}
	if (pgfaults_err)
		fail(pgfaults_err, "cannot read %s", PGFAULTS_PROC);
	if (opt.json) {
		printf("{\"pgfault\":%llu,\"pgmajfault\":%llu}\n", pgfault,
		       pgmajfault);
		return;
	}
	printf("%12s %12s\n%12llu %12llu\n", "PGFAULT", "PGMAJFAULT", pgfault,
	       pgmajfault);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	cmd = check_args();
	check_privilege();
	take_lock();
	cmd->run();
	if (fflush(stdout) || ferror(stdout))
		fail(errno ? errno : EIO, "cannot write the answer");
	return 0;
}
