// SPDX-License-Identifier: GPL-2.0
/*
 * Checks /proc/hello_procfs and /proc/get_pgfaults (3/) as files, and
 * get_pgfaults' numbers against /proc/vmstat.  Run as root, with both
 * modules loaded, by tests/30-procfs.t.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "truth.h"

#define HELLO "/proc/hello_procfs"
#define PGFAULTS "/proc/get_pgfaults"

/*
 * Read a whole file in reads of bs bytes into buf (size bytes, NUL added);
 * returns its length, or -1 on an error or if it does not fit.
 */
static ssize_t read_file(const char *path, size_t bs, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	do {
		size_t room = size - 1 - len;

		n = read(fd, buf + len, bs < room ? bs : room);
		if (n > 0)
			len += n;
	} while (n > 0 && len < size - 1);
	close(fd);
	if (n != 0)
		return -1;
	buf[len] = '\0';
	return len;
}

/* Parse get_pgfaults' two lines; 0 on success. */
static int pgfaults(size_t bs, unsigned long *all, unsigned long *major)
{
	char buf[256];
	int end = 0;

	if (read_file(PGFAULTS, bs, buf, sizeof(buf)) < 0)
		return -1;
	if (sscanf(buf,
		   "Page faults since boot: %lu\n"
		   "Major page faults since boot: %lu\n%n",
		   all, major, &end) != 2 ||
	    buf[end] != '\0') {
		tap_diag("unexpected content: '%s'", buf);
		return -1;
	}
	return 0;
}

/* @len bytes of @fd at @off, as a string in @buf, or NULL on an error. */
static const char *at(int fd, off_t off, size_t len, char *buf)
{
	if (fd < 0 || lseek(fd, off, SEEK_SET) != off ||
	    read(fd, buf, len) != (ssize_t)len)
		return NULL;
	buf[len] = '\0';
	return buf;
}

static void check_hello(void)
{
	static const char want[] = "Hello World!\n";
	static const size_t sizes[] = { 1, 3, 4096 };
	char buf[8192];
	struct stat st = { 0 };
	size_t i;
	int fd;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ssize_t n = read_file(HELLO, sizes[i], buf, sizeof(buf));

		tap_streq(
			n >= 0 ? buf : NULL, want,
			HELLO
			" reads exactly 'Hello World!\\n' with %zu-byte reads",
			sizes[i]);
	}

	fd = open(HELLO, O_RDONLY);
	tap_streq(at(fd, 6, 5, buf), "World",
		  "lseek to offset 6, then read 5 bytes: 'World'");
	tap_streq(at(fd, 0, 5, buf), "Hello", "lseek back to 0: 'Hello'");
	if (fd >= 0)
		close(fd);

	if (!tap_ok(!stat(HELLO, &st) && S_ISREG(st.st_mode) &&
			    (st.st_mode & 07777) == 0444,
		    HELLO " is a regular file with mode 0444"))
		tap_diag("got mode %o; wanted a regular file, 0444",
			 (unsigned int)st.st_mode);

	/* Root may open it for writing (DAC override), but writes fail. */
	fd = open(HELLO, O_WRONLY);
	tap_errno(fd >= 0 ? write(fd, "x", 1) : -2, EIO,
		  "a write by root fails with EIO (no write handler)");
	if (fd >= 0)
		close(fd);
}

/* As nobody: reading works, opening for writing is refused. */
static void check_unprivileged(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char buf[64];

		if (setgid(65534) || setuid(65534))
			_exit(3);
		if (read_file(HELLO, sizeof(buf), buf, sizeof(buf)) != 13)
			_exit(4);
		if (open(HELLO, O_WRONLY) != -1 || errno != EACCES)
			_exit(5);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 65534 reads " HELLO
	       " and gets EACCES opening it for writing");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		tap_diag("child status %#x (3 setuid, 4 read, 5 write open)",
			 status);
}

static void check_pgfaults(void)
{
	unsigned long before, after, mbefore, mafter, all = 0, major = 0;
	const long npages = 10000, psize = sysconf(_SC_PAGESIZE);
	const size_t sizes[] = { 1, 3, 4096 };
	char *mem;
	size_t i;
	long p;
	int ret;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!tap_ok(!pgfaults(sizes[i], &all, &major),
			    PGFAULTS " has both lines with %zu-byte reads",
			    sizes[i]))
			tap_diag(
				"got: a read error or a line missing; wanted: both lines");

	all = major = 0;
	before = vmstat_value("pgfault");
	mbefore = vmstat_value("pgmajfault");
	ret = pgfaults(4096, &all, &major);
	after = vmstat_value("pgfault");
	mafter = vmstat_value("pgmajfault");
	tap_ok(!ret && before && before <= all && all <= after,
	       "page faults lie between two reads of /proc/vmstat pgfault");
	tap_diag("vmstat %lu <= ours %lu <= vmstat %lu", before, all, after);
	tap_ok(!ret && mbefore <= major && major <= mafter,
	       "major faults lie between two reads of /proc/vmstat pgmajfault");
	tap_diag("vmstat %lu <= ours %lu <= vmstat %lu", mbefore, major,
		 mafter);

	/* 10,000 new 4K pages: no huge pages, so one fault per page. */
	mem = mmap(NULL, npages * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED ||
	    madvise(mem, npages * psize, MADV_NOHUGEPAGE)) {
		tap_ok(0, "map 10,000 pages");
		return;
	}
	/* Both reads must work, and no unsigned difference may wrap. */
	ret = pgfaults(4096, &before, &major);
	for (p = 0; p < npages; p++)
		mem[p * psize] = 1;
	ret = ret ?: pgfaults(4096, &after, &major);
	munmap(mem, npages * psize);
	if (!tap_ok(!ret && after >= before &&
			    after - before >= (unsigned long)npages,
		    "touching 10,000 new pages adds at least 10,000 page faults"))
		tap_diag("reads %s; before %lu, after %lu",
			 ret ? "failed" : "worked", before, after);
	else
		tap_diag("grew by %lu", after - before);
}

/* The page faults a pread() at offset 0 of @fd shows, 0 if none. */
static unsigned long pread_faults(int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoul(buf + strlen("Page faults since boot: "), NULL, 10);
}

/*
 * One open file, read again from offset 0 after 1,000 new faults: a new
 * snapshot, not the first one again.
 */
static void check_pgfaults_reread(void)
{
	const long psize = sysconf(_SC_PAGESIZE);
	int fd = open(PGFAULTS, O_RDONLY);
	unsigned long first, second;
	char *mem = mmap(NULL, 1000 * psize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long p;

	tap_require(fd >= 0 && mem != MAP_FAILED, "open %s, map 1,000 pages",
		    PGFAULTS);
	madvise(mem, 1000 * psize, MADV_NOHUGEPAGE);
	first = pread_faults(fd);
	for (p = 0; p < 1000; p++)
		mem[p * psize] = 1;
	second = pread_faults(fd);
	if (!tap_ok(first && second >= first + 1000,
		    "pread() at offset 0 of one open file counts anew"))
		tap_diag("got %lu then %lu; wanted the second 1,000 higher",
			 first, second);
	munmap(mem, 1000 * psize);
	close(fd);
}

/*
 * A first read that does not start at 0 (pread at 24, what "tail -c" or
 * "dd skip=" do) gets the rest of the text; splice() and sendfile() work
 * (procfs gives them to a read_iter file); SEEK_END is refused.
 */
static void check_pgfaults_offsets(void)
{
	char buf[256] = "";
	int fd = open(PGFAULTS, O_RDONLY), p[2];
	ssize_t n;

	tap_require(fd >= 0 && !pipe(p), "open %s and a pipe", PGFAULTS);
	n = pread(fd, buf, sizeof(buf) - 1, 24);
	buf[n > 0 ? n : 0] = '\0';
	if (!tap_ok(n > 0 && strstr(buf, "\nMajor page faults since boot: ") &&
			    buf[0] >= '0' && buf[0] <= '9',
		    "a first read at offset 24 gives the rest of the text"))
		tap_diag("got %zd bytes: '%s'", n, buf);
	n = splice(fd, NULL, p[1], NULL, sizeof(buf), 0);
	if (!tap_ok(n > 0, "splice() from it works (sendfile, cat on a pipe)"))
		tap_diag("got %zd: %s", n, strerror(errno));
	tap_errno(lseek(fd, 0, SEEK_END), EINVAL,
		  "lseek() to SEEK_END: EINVAL");
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* A child that faults pages in, 64 at a time, until it is killed. */
static void fault_forever(long psize)
{
	for (;;) {
		char *mem = mmap(NULL, 64 * psize, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long p;

		if (mem == MAP_FAILED)
			_exit(1);
		for (p = 0; p < 64; p++)
			mem[p * psize] = 1;
		munmap(mem, 64 * psize);
	}
}

/*
 * Under load: while 4 processes fault without pause, each of 200 reads
 * of ours must lie between the reads of /proc/vmstat just before and just
 * after it, for both counters: the two files sum the same per-CPU
 * counters the same way, so no read may run ahead of or behind vmstat.
 */
static void check_pgfaults_under_load(void)
{
	const long psize = sysconf(_SC_PAGESIZE);
	unsigned long first = 0, last = 0;
	int i, n, started = 0, outside = 0, failed = 0;
	pid_t kids[4];

	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			fault_forever(psize);
		started += kids[i] > 0;
	}
	if (!tap_ok(started == 4, "start 4 processes that fault without pause"))
		tap_diag("%d started", started);
	for (n = 0; started == 4 && n < 200; n++) {
		unsigned long a = vmstat_value("pgfault");
		unsigned long ma = vmstat_value("pgmajfault");
		unsigned long b, c, mb, mc;

		if (pgfaults(4096, &b, &mb)) {
			failed++;
			continue;
		}
		c = vmstat_value("pgfault");
		mc = vmstat_value("pgmajfault");
		if (!(a <= b && b <= c && ma <= mb && mb <= mc) && !outside++)
			tap_diag(
				"first miss: vmstat %lu <= ours %lu <= vmstat %lu, major %lu <= %lu <= %lu",
				a, b, c, ma, mb, mc);
		if (!first)
			first = b;
		last = b;
	}
	for (i = 0; i < 4; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	}
	if (started != 4)
		return;
	if (!tap_ok(!failed && !outside && last > first,
		    "under load, 200 reads each lie between two reads of /proc/vmstat"))
		tap_diag(
			"got: %d reads failed, %d outside, faults grew by %lu; wanted: 0, 0, more than 0",
			failed, outside, last - first);
	else
		tap_diag("faults grew by %lu during the reads", last - first);
}

int main(void)
{
	check_hello();
	check_unprivileged();
	check_pgfaults();
	check_pgfaults_reread();
	check_pgfaults_offsets();
	check_pgfaults_under_load();
	return tap_done();
}
