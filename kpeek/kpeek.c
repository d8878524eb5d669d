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
 * opens /dev/kmsg at its end, loads the module with finit_module() and
 * its parameters, reads the records logged since then, keeps those of the
 * kernel (a user cannot forge those: /dev/kmsg gives what user space
 * writes the facility "user") whose text begins with the module's name,
 * and unloads it.  The module's log lines are parsed with the formats of
 * 1/lkm*.c; on a failed load its last error line is the reason.  docs/kpeek.md
 * is the manual, with the JSON schema.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The tree this program was built in (kpeek/Makefile); its modules. */
#ifndef KPEEK_TREE
#define KPEEK_TREE ""
#endif
#define KPEEK_LOCK "/run/kpeek.lock"
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
};

static struct options opt;

/* Each command: its module, how many arguments, its one-line help. */
struct command {
	const char *name;
	const char *module;
	int nargs;
	const char *usage;
	const char *help;
};

static const struct command commands[] = {
	{ "runnable", "lkm1", 0, "runnable",
	  "the running and runnable threads (lkm1)" },
	{ "children", "lkm2", 1, "children PID",
	  "the children of PID and their states (lkm2)" },
	{ "v2p", "lkm3", 2, "v2p PID VADDR [--walk]",
	  "where VADDR of PID is in physical memory, or why it is\n"
	  "                          nowhere; --walk: each page-table level (lkm3)" },
	{ "mem", "lkm4", 1, "mem PID [--vmas]",
	  "PID's virtual and physical memory; --vmas: per VMA (lkm4)" },
	{ "pgfaults", "get_pgfaults", 0, "pgfaults",
	  "the page faults since boot, from /proc/get_pgfaults" },
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
		if (in[0] == '\\' && in[1] == 'x' && isxdigit(in[2]) &&
		    isxdigit(in[3]) && sscanf(in + 2, "%2x", &v) == 1) {
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
static void term_str(const char *s, int width)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	int w = 0;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			putchar(u[i++]);
			w++;
		} else if (u[i] >= 0x80 && (k = utf8_seq(u + i, n - i))) {
			fwrite(u + i, 1, k, stdout);
			i += k;
			w++;
		} else {
			w += printf("\\%03o", u[i++]);
		}
	}
	while (w++ < width)
		putchar(' ');
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
 * An address: hex (0x...) or decimal, as lkm3 reads it, but checked here,
 * so that nothing but a number reaches the module's parameters.
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
	v = strtoull(s, &end,
		     s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
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
		parse_pid(opt.args[0]);
	if (c->nargs == 2)
		parse_addr(opt.args[1]);
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

/* The first word of the vermagic in an uncompressed .ko file, or "". */
static void ko_vermagic(const char *path, char *out, size_t size)
{
	static const char key[] = "vermagic=";
	char buf[65536 + 128];
	size_t n, keep = 0;
	FILE *f = fopen(path, "re");

	*out = '\0';
	if (!f)
		return;
	while ((n = fread(buf + keep, 1, sizeof(buf) - keep - 1, f)) > 0) {
		n += keep;
		buf[n] = '\0';
		char *p = memmem(buf, n, key, sizeof(key) - 1);

		if (p && (size_t)(p - buf) + 80 < n) {
			snprintf(out, size, "%.*s",
				 (int)strcspn(p + sizeof(key) - 1, " "),
				 p + sizeof(key) - 1);
			break;
		}
		keep = n < 128 ? n : 128;
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
}

/* NAME.ko (maybe compressed) in @dir or one directory down; 0 if none. */
static int find_ko(const char *dir, const char *name, char *path, size_t size)
{
	static const char *const pats[] = { "%s/%s.ko", "%s/%s.ko.*",
					    "%s/*/%s.ko", "%s/*/%s.ko.*" };
	char pat[PATH_MAX];
	size_t i;
	glob_t g;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		snprintf(pat, sizeof(pat), pats[i], dir, name);
		if (glob(pat, GLOB_NOESCAPE, NULL, &g))
			continue;
		snprintf(path, size, "%s", g.gl_pathv[0]);
		globfree(&g);
		return 1;
	}
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* A tree of our own holds the module, built for the running kernel. */
static int tree_ko(const char *tree, const char *name, const char *release,
		   char *path, size_t size, char *why, size_t why_size)
{
	char magic[64];

	if (!*tree || !find_ko(tree, name, path, size))
		return 0;
	ko_vermagic(path, magic, sizeof(magic));
	if (!*magic || !strcmp(magic, release))
		return 1;
	snprintf(why, why_size, " (%s there is built for %s)", path, magic);
	return 0;
}

/*
 * --modules DIR, else $KPEEK_MODULES, else the tree around this program
 * (kpeek/kpeek in it) or the one it was built in, if they hold the module
 * built for this kernel, else the DKMS modules of the running kernel.
 */
static void locate_module(const char *name, char *path, size_t size)
{
	const char *dir = opt.modules, *what = "--modules";
	char exe[PATH_MAX], dkms[PATH_MAX], why[PATH_MAX + 128] = "";
	struct utsname u;
	ssize_t n;

	if (!dir && getenv("KPEEK_MODULES") && *getenv("KPEEK_MODULES")) {
		dir = getenv("KPEEK_MODULES");
		what = "KPEEK_MODULES";
	}
	if (dir) {
		if (!is_dir(dir))
			fail(ENOENT, "%s %s: no such directory", what, dir);
		if (!find_ko(dir, name, path, size))
			fail(ENOENT, "no %s.ko in %s (%s)", name, dir, what);
		return;
	}
	uname(&u);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash && slash != exe) {
			*slash = '\0';
			slash = strrchr(exe, '/');
			if (slash && !strcmp(slash, "/kpeek")) {
				*slash = '\0';
				if (tree_ko(exe, name, u.release, path, size,
					    why, sizeof(why)))
					return;
			}
		}
	}
	if (tree_ko(KPEEK_TREE, name, u.release, path, size, why, sizeof(why)))
		return;
	snprintf(dkms, sizeof(dkms), "/lib/modules/%s/%s", u.release,
		 KPEEK_DKMS);
	if (find_ko(dkms, name, path, size))
		return;
	fail(ENOENT,
	     "%s.ko not found: not in the build tree%s nor in %s; 'make' or 'make install', or give --modules DIR",
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

static void drop_pid_lock(void)
{
	unlink(KPEEK_LOCK ".pid");
}

/* The PID a lock file names; 0 if it names none (yet). */
static pid_t lock_owner(void)
{
	char buf[32] = "";
	int fd = open(KPEEK_LOCK ".pid", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? (pid_t)atoi(buf) : 0;
}

/*
 * A kernel without CONFIG_FILE_LOCKING has no flock() (ENOSYS; the
 * debug lane's tinyconfig kernel is one).  Then the lock is a file that
 * exists while its owner, whose PID it holds, runs: created with O_EXCL,
 * removed at exit, and removed by the next run if its owner is gone (it
 * was killed).
 */
static void take_pid_lock(void)
{
	char pid[32];
	int fd, len, empty = 0;
	pid_t owner;

	for (;;) {
		fd = open(KPEEK_LOCK ".pid",
			  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			  0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			fail(errno, "cannot create the lock %s.pid",
			     KPEEK_LOCK);
		owner = lock_owner();
		empty = owner > 0 ? 0 : empty + 1;
		/* Its owner is gone, or died before writing its PID (2 s). */
		if ((owner > 0 && kill(owner, 0) && errno == ESRCH &&
		     lock_owner() == owner) ||
		    empty > 200)
			unlink(KPEEK_LOCK ".pid");
		else
			usleep(10000);
	}
	atexit(drop_pid_lock);
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, len) != len)
		fail(errno ? errno : EIO, "cannot write the lock %s.pid",
		     KPEEK_LOCK);
	close(fd);
}

/* The lock that serialises every kpeek on the machine: held until exit. */
static void take_lock(void)
{
	int fd = open(KPEEK_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	if (fd < 0)
		fail(errno, "cannot open the lock %s", KPEEK_LOCK);
	while (flock(fd, LOCK_EX)) {
		if (errno == ENOSYS) {
			close(fd);
			take_pid_lock();
			return;
		}
		if (errno != EINTR)
			fail(errno, "cannot lock %s", KPEEK_LOCK);
	}
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

static void report_add(struct report *r, const char *text, int level)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->lines = realloc(r->lines, r->cap * sizeof(*r->lines));
		r->levels = realloc(r->levels, r->cap * sizeof(*r->levels));
		if (!r->lines || !r->levels)
			fail(ENOMEM, "out of memory");
	}
	r->lines[r->n] = strdup(text);
	if (!r->lines[r->n])
		fail(ENOMEM, "out of memory");
	r->levels[r->n++] = level;
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

/*
 * Every record logged since kmsg_open() that the kernel (facility 0)
 * logged with the prefix "NAME: ".  The module logs them all during
 * finit_module(), so they are all there when it returns: read until
 * there is no more.
 */
static void kmsg_collect(int fd, const char *name, struct report *r)
{
	static char rec[LINE_MAX_LEN + 1];
	size_t plen = strlen(name);
	unsigned int pri;
	unsigned long long seq, last = 0;
	char *text, *nl;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0 && errno == EPIPE)
			fail(EPIPE,
			     "the kernel log overwrote %s's report before it was read",
			     name);
		if (n < 0)
			fail(errno, "cannot read /dev/kmsg");
		rec[n] = '\0';
		/* "PRI,SEQ,TIME,FLAGS[,...];TEXT\n" then " KEY=VALUE" lines */
		text = strchr(rec, ';');
		if (!text || sscanf(rec, "%u,%llu,", &pri, &seq) != 2)
			continue;
		if (last && seq != last + 1)
			fail(EPIPE,
			     "the kernel log lost records during %s's report",
			     name);
		last = seq;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (pri >> 3 != 0 || strncmp(text, name, plen) ||
		    strncmp(text + plen, ": ", 2))
			continue;
		kmsg_unescape(text);
		report_add(r, text + plen + 2, (int)(pri & 7));
	}
}

/*
 * Load @name with @params, collect its report, unload it.  Returns 0, or
 * the load's errno with its last error line in @reason.
 */
static int run_module(const char *name, const char *params, struct report *r,
		      const char **reason, void (*loaded)(void))
{
	char path[PATH_MAX];
	sigset_t all, old;
	int fd, kfd, flags = 0, err = 0, i;
	size_t plen;

	locate_module(name, path, sizeof(path));
	plen = strlen(path);
	if (plen < 3 || strcmp(path + plen - 3, ".ko"))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "cannot open %s", path);
	/* From the load to the unload, no signal may leave it loaded. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	recover(name);
	kfd = kmsg_open();
	if (syscall(SYS_finit_module, fd, params, flags))
		err = errno;
	kmsg_collect(kfd, name, r);
	if (!err && loaded)
		loaded();
	if (!err) {
		int uerr = unload(name);

		if (uerr)
			fail(-uerr, "cannot unload %s", name);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(kfd);
	close(fd);
	*reason = NULL;
	for (i = 0; err && i < r->n; i++)
		if (r->levels[i] <= 3)
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

static void do_runnable(void)
{
	struct report r = {};
	const char *reason;
	struct task_row *t;
	unsigned int runnable = 0, threads = 0;
	int err, i, n = 0, off;
	bool done = false;

	err = run_module(cmd->module, "", &r, &reason, NULL);
	if (err)
		load_failed(cmd->module, err, reason);
	t = calloc(r.n + 1, sizeof(*t));
	if (!t)
		fail(ENOMEM, "out of memory");
	for (i = 0; i < r.n && !done; i++) {
		char *l = r.lines[i], *c;

		if (sscanf(l, "runnable=%u threads=%u%n", &runnable, &threads,
			   &off) == 2 &&
		    !l[off]) {
			done = true;
			continue;
		}
		c = last_field(l, " cpu=");
		if (!c || sscanf(c, " cpu=%u%n", &t[n].cpu, &off) != 1 ||
		    c[off] ||
		    sscanf(l, "pid=%d tid=%d comm=%n", &t[n].pid, &t[n].tid,
			   &off) != 2)
			continue; /* the loader's own lines (taint) */
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
		term_str(t[i].comm, 0);
		putchar('\n');
	}
	printf("%u runnable of %u threads (kpeek itself is one: it ran the module).\n"
	       "PIDs are those of kpeek's pid namespace.\n",
	       runnable, threads);
}

static void do_children(const char *pidarg)
{
	int pid = parse_pid(pidarg), p, n = 0, err, i, off;
	struct report r = {};
	const char *reason;
	char params[64], *parent = NULL;
	unsigned int count = 0;
	struct task_row *t;
	bool done = false;

	snprintf(params, sizeof(params), "pid=%d", pid);
	err = run_module(cmd->module, params, &r, &reason, NULL);
	if (err)
		load_failed(cmd->module, err, reason);
	t = calloc(r.n + 1, sizeof(*t));
	if (!t)
		fail(ENOMEM, "out of memory");
	for (i = 0; i < r.n && !done; i++) {
		char *l = r.lines[i], *s;

		if (sscanf(l, "parent pid=%d comm=%n", &p, &off) == 1 &&
		    off > 0 && p == pid) {
			parent = l + off;
		} else if (sscanf(l, "pid=%d children=%u%n", &p, &count,
				  &off) == 2 &&
			   !l[off]) {
			done = true;
		} else if (sscanf(l, "pid=%d comm=%n", &t[n].pid, &off) == 1 &&
			   off > 0 && (s = last_field(l, " state=")) && s[7] &&
			   !s[8]) {
			t[n].state = s[7];
			*s = '\0';
			t[n++].comm = l + off;
		}
	}
	if (!done || !parent)
		fail(EPROTO, "lkm2's report has no %s line",
		     parent ? "summary" : "parent");
	if (count != (unsigned int)n)
		fail(EPROTO, "lkm2 counted %u children but listed %d", count,
		     n);
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
	term_str(parent, 0);
	printf("): %u %s\n", count, count == 1 ? "child" : "children");
	if (n)
		printf("%7s %s  %s\n", "PID", "S", "COMMAND");
	for (i = 0; i < n; i++) {
		printf("%7d %c  ", t[i].pid, t[i].state);
		term_str(t[i].comm, 0);
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

/* "pid=P vaddr=0xV not mapped reason=R[ detail]" */
static bool v2p_not_mapped(const char *rest, struct v2p *v)
{
	int off = 0;

	if (sscanf(rest, " not mapped reason=%15[a-z-]%n", v->reason, &off) !=
	    1)
		return false;
	rest += off;
	if (!*rest)
		return true;
	off = 0;
	if (sscanf(rest, " swap_type=%lu swap_offset=%lu%n", &v->swap_type,
		   &v->swap_offset, &off) == 2 &&
	    !rest[off])
		return (v->have_swap = true);
	off = 0;
	if (sscanf(rest, " pfn=0x%lx%n", &v->pfn, &off) == 1 && !rest[off])
		return (v->have_pfn = true);
	off = 0;
	if (sscanf(rest, " entry=0x%llx%n", &v->entry, &off) == 1 && !rest[off])
		return (v->have_entry = true);
	return false;
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
			    !rest[off] && page_bytes(v->page))
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
	if (!opt.walk)
		return;
	if (!v->nlevels) {
		printf("no page-table walk: %s\n",
		       "nothing maps the address at the last level");
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

static void do_v2p(const char *pidarg, const char *addrarg)
{
	struct v2p v = { .pid = parse_pid(pidarg) };
	struct report r = {};
	const char *reason;
	char params[128];
	int err;

	v.vaddr = parse_addr(addrarg);
	snprintf(params, sizeof(params), "pid=%d vaddr=0x%llx verbose=%d",
		 v.pid, v.vaddr, opt.walk);
	err = run_module(cmd->module, params, &r, &reason, NULL);
	if (err)
		load_failed(cmd->module, err, reason);
	v2p_parse(&r, &v);
	if (opt.json)
		v2p_json(&v);
	else
		v2p_human(&v);
}

struct vma_row {
	unsigned long long start, end, virt, phys;
	char perms[5];
	char *backing;
};

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
	off = 0;
	if (sscanf(tail, " virtual_kb=%llu physical_kb=%llu%n", &v->virt,
		   &v->phys, &off) != 2 ||
	    tail[off])
		return false;
	*tail = '\0';
	return true;
}

static void mem_human(int pid, unsigned long long virt, unsigned long long phys,
		      const struct vma_row *v, int n)
{
	const char *unit = opt.kb ? "_KB" : "";
	char a[32], b[32];

	if (opt.vmas) {
		printf("%-18s %-18s %-5s %10s%s %10s%s  %s\n", "START", "END",
		       "PERMS", "VIRTUAL", unit, "PHYSICAL", unit, "BACKING");
		for (int i = 0; i < n; i++) {
			size_str(a, sizeof(a), v[i].virt);
			size_str(b, sizeof(b), v[i].phys);
			printf("0x%-16llx 0x%-16llx %-5s %*s %*s  ", v[i].start,
			       v[i].end, v[i].perms, opt.kb ? 13 : 10, a,
			       opt.kb ? 14 : 11, b);
			term_str(v[i].backing, 0);
			putchar('\n');
		}
		putchar('\n');
	}
	size_str(a, sizeof(a), virt);
	size_str(b, sizeof(b), phys);
	printf("%7s %10s%s %10s%s\n%7d %*s %*s\n", "PID", "VIRTUAL", unit,
	       "PHYSICAL", unit, pid, opt.kb ? 13 : 10, a, opt.kb ? 14 : 11, b);
}

static void do_mem(const char *pidarg)
{
	int pid = parse_pid(pidarg), p, n = 0, err, i, off;
	unsigned long long virt = 0, phys = 0, ns;
	struct report r = {};
	struct vma_row *v;
	const char *reason;
	char params[64];
	bool done = false;

	snprintf(params, sizeof(params), "pid=%d detail=%d", pid, opt.vmas);
	err = run_module(cmd->module, params, &r, &reason, NULL);
	if (err)
		load_failed(cmd->module, err, reason);
	v = calloc(r.n + 1, sizeof(*v));
	if (!v)
		fail(ENOMEM, "out of memory");
	for (i = 0; i < r.n && !done; i++) {
		char *l = r.lines[i];

		off = 0;
		if (sscanf(l,
			   "pid=%d virtual_kb=%llu physical_kb=%llu walk_ns=%llu%n",
			   &p, &virt, &phys, &ns, &off) == 4 &&
		    !l[off] && p == pid)
			done = true;
		else if (!strncmp(l, "vma ", 4) && !vma_parse(l, &v[n++]))
			bad_line(cmd->module, l);
	}
	if (!done)
		fail(EPROTO, "lkm4's report has no summary line");
	if (!opt.json) {
		mem_human(pid, virt, phys, v, n);
		return;
	}
	printf("{\"pid\":%d,\"virtual_kb\":%llu,\"physical_kb\":%llu", pid,
	       virt, phys);
	if (opt.vmas) {
		printf(",\"vmas\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"start\":\"0x%llx\",\"end\":\"0x%llx\",\"perms\":\"%s\",\"backing\":",
			       i ? "," : "", v[i].start, v[i].end, v[i].perms);
			json_cstr(v[i].backing);
			printf(",\"virtual_kb\":%llu,\"physical_kb\":%llu}",
			       v[i].virt, v[i].phys);
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
	const char *reason;

	if (module_loaded(cmd->module)) {
		/* Loaded by its user, not by a kpeek: left as it is. */
		read_pgfaults();
	} else {
		int err =
			run_module(cmd->module, "", &r, &reason, read_pgfaults);
		if (err)
			load_failed(cmd->module, err, reason);
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
	const struct command *c;

	parse_args(argc, argv);
	c = check_args();
	cmd = c;
	check_privilege();
	take_lock();
	if (!strcmp(c->name, "runnable"))
		do_runnable();
	else if (!strcmp(c->name, "children"))
		do_children(opt.args[0]);
	else if (!strcmp(c->name, "v2p"))
		do_v2p(opt.args[0], opt.args[1]);
	else if (!strcmp(c->name, "mem"))
		do_mem(opt.args[0]);
	else
		do_pgfaults();
	if (fflush(stdout) || ferror(stdout))
		fail(errno ? errno : EIO, "cannot write the answer");
	return 0;
}
