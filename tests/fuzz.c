// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz DEVICE [CALLS [SEED]] - hostile ioctls against /dev/physmem or
 * /dev/reparent from 4 processes at once.
 *
 * Commands: the valid ones, their numbers with the wrong size or direction,
 * and random ones.  Argument pointers: NULL, unmapped, kernel, non-canonical,
 * a struct that runs off the end of the last mapped page, read-only memory,
 * or a buffer with random contents (huge, negative and unaligned values,
 * non-zero pads and flags).  Every call must fail with an errno the uapi
 * header documents, or succeed; any other errno fails the test, and the
 * kernel log must stay clean (the harness checks it).  The seed is printed:
 * "fuzz DEVICE CALLS SEED" replays a run.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"
#include "kmod.h"
#include "rng.h"
#include "2_I/physmem.h"
#include "2_II/reparent.h"
#include "errnos.h" /* generated from the headers by tests/Makefile */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define WORKERS 4
#define NERR 256

static uint64_t pick(const uint64_t *v, int n)
{
	return v[rng_next() % n];
}

/* A value from the edges: zero, ones, signs, limits, unaligned, random. */
static uint64_t edgy(void)
{
	static const uint64_t v[] = { 0,
				      1,
				      4095,
				      4096,
				      0x7fffffffULL,
				      0x80000000ULL,
				      0xffffffffULL,
				      0x7ffffffff000ULL,
				      0x800000000000ULL,
				      0xffff888000000000ULL,
				      ~0ULL,
				      1ULL << 52 };

	return rng_next() % 3 ? pick(v, sizeof(v) / sizeof(v[0])) : rng_next();
}

struct arena {
	char *rw; /* a valid page */
	char *edge; /* the last bytes of a page followed by an unmapped one */
	char *ro; /* a read-only page */
	char *gone; /* an unmapped page */
};

static void arena_init(struct arena *a, long psize)
{
	char *p = mmap(NULL, 3 * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	a->rw = p;
	a->edge = p + 2 * psize - 8;
	a->gone = p + 2 * psize;
	munmap(a->gone, psize);
	a->ro = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		     0);
	memset(a->rw, 0, 2 * psize);
}

static void *argument(struct arena *a, long psize, int reparent, pid_t station)
{
	uint64_t *q = (uint64_t *)a->rw;
	int i;

	switch (rng_next() % 8) {
	case 0:
		return NULL;
	case 1:
		return a->gone;
	case 2:
		return (void *)0xffff888000000000ULL;
	case 3:
		return (void *)0x8000000000000000ULL;
	case 4:
		return a->edge;
	case 5:
		return a->ro;
	}
	/* Random contents, at a random (also unaligned) offset. */
	for (i = 0; i < 8; i++)
		q[i] = edgy();
	if (reparent && rng_next() % 2) {
		/* A plausible PID: ours, our parent's, init, a kthread, ... */
		const int32_t pids[] = { 0, -1, INT_MAX, getpid(), getppid(),
					 1, 2,	station, station };
		struct reparent_req *r = (void *)(a->rw + rng_next() % 16);

		r->new_parent = pids[rng_next() % 9];
		r->flags = rng_next() % 4 ? 0 : (uint32_t)edgy();
		return r;
	}
	if (!reparent && rng_next() % 2) {
		/* A real address of ours, sometimes. */
		q[0] = (uintptr_t)(rng_next() % 2 ? a->rw : a->ro) +
		       rng_next() % psize;
	}
	return a->rw + rng_next() % 16;
}

static unsigned long command(int reparent)
{
	static const unsigned long phys[] = {
		PHYSMEM_IOC_XLATE,
		PHYSMEM_IOC_WRITE,
		PHYSMEM_IOC_XLATE_BATCH,
		PHYSMEM_IOC_XLATE_RANGE,
		_IOR(PHYSMEM_IOC_MAGIC, 1, struct physmem_xlate),
		_IOWR(PHYSMEM_IOC_MAGIC, 2, struct physmem_write),
		_IOW(PHYSMEM_IOC_MAGIC, 1, uint32_t),
		_IO(PHYSMEM_IOC_MAGIC, 4),
		_IO(PHYSMEM_IOC_MAGIC, 5),
	};
	static const unsigned long repa[] = {
		REPARENT_IOC_SET_PARENT,
		REPARENT_IOC_SET_PARENT,
		_IOR(REPARENT_IOC_MAGIC, 0x10, struct reparent_req),
		_IOW(REPARENT_IOC_MAGIC, 0x10, uint64_t),
		_IO(REPARENT_IOC_MAGIC, 0x11),
	};

	if (rng_next() % 8 == 0)
		return (unsigned long)rng_next();
	return reparent ? repa[rng_next() % ARRAY_SIZE(repa)] :
			  phys[rng_next() % ARRAY_SIZE(phys)];
}

/*
 * Which errnos the device's header documents: its "Errors" list, which
 * tests/Makefile turns into errnos.h (physmem_errnos, reparent_errnos).
 */
static int documented(int reparent, int e)
{
	const int *v = reparent ? reparent_errnos : physmem_errnos;
	size_t i, n = reparent ? ARRAY_SIZE(reparent_errnos) :
				 ARRAY_SIZE(physmem_errnos);

	for (i = 0; i < n; i++)
		if (v[i] == e)
			return 1;
	return 0;
}

/* One worker: @calls ioctls; the errno counts go back through @out. */
static void worker(const char *dev, int reparent, long calls, uint64_t seed,
		   pid_t station, int out)
{
	long psize = sysconf(_SC_PAGESIZE), counts[NERR] = { 0 }, i;
	struct arena a;
	int fd;

	rng_seed(seed);
	arena_init(&a, psize);
	fd = dev_open_or_exit(dev);
	for (i = 0; i < calls; i++) {
		int e = ioctl(fd, command(reparent),
			      argument(&a, psize, reparent, station)) ?
				errno :
				0;

		counts[e < NERR ? e : NERR - 1]++;
	}
	if (write(out, counts, sizeof(counts)) != sizeof(counts))
		_exit(1);
	_exit(0);
}

static void reap(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

int main(int argc, char **argv)
{
	long calls = argc > 2 ? atol(argv[2]) : 20000, total[NERR] = { 0 };
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) :
				   (uint64_t)time(NULL);
	int reparent, i, e, bad = 0, fds[2];
	long sum = 0, counts[NERR];
	pid_t station = 0;

	if (argc < 2) {
		fprintf(stderr,
			"usage: fuzz /dev/physmem|/dev/reparent [CALLS [SEED]]\n");
		return 2;
	}
	reparent = strstr(argv[1], "reparent") != NULL;
	tap_diag("fuzz %s %ld %#llx  (replay with these arguments)", argv[1],
		 calls, (unsigned long long)seed);
	if (reparent) {
		/* Where successful calls move the workers: it reaps them. */
		station = fork();
		if (station == 0) {
			signal(SIGCHLD, reap);
			for (;;)
				pause();
		}
	}
	if (pipe(fds)) {
		tap_ok(0, "hostile ioctls on %s: a pipe for the counts: %s",
		       argv[1], strerror(errno));
		return tap_done();
	}
	for (i = 0; i < WORKERS; i++)
		if (fork() == 0)
			worker(argv[1], reparent, calls / WORKERS, seed + i,
			       station, fds[1]);
	close(fds[1]);
	for (i = 0; i < WORKERS; i++) {
		if (read(fds[0], counts, sizeof(counts)) != sizeof(counts)) {
			bad = -1;
			break;
		}
		for (e = 0; e < NERR; e++)
			total[e] += counts[e];
	}
	/* Workers that joined the station are its children, not ours. */
	if (station)
		kill(station, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
	for (e = 0; e < NERR; e++) {
		if (!total[e])
			continue;
		sum += total[e];
		tap_diag("%8ld  %s", total[e], errno_name(e));
		if (e && !documented(reparent, e))
			bad++;
	}
	if (!tap_ok(bad == 0 && sum == calls / WORKERS * WORKERS,
		    "%ld hostile ioctls on %s from %d processes: every errno is documented",
		    sum, argv[1], WORKERS))
		tap_diag(
			"got %ld undocumented answers and %ld calls; wanted 0 and %ld",
			(long)bad, sum, calls / WORKERS * WORKERS);
	return tap_done();
}
