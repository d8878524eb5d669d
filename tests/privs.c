// SPDX-License-Identifier: GPL-2.0
/*
 * privs - the privilege matrix: every privileged operation of KernelPeek
 * as root, as uid 65534 ("nobody") and as root without the one capability
 * the operation needs.  Root must succeed (so a refusal means something);
 * the others get the documented errno:
 *
 *	operation			needs			refused with
 *	load or unload any module	CAP_SYS_MODULE		EPERM
 *	open /dev/physmem		CAP_SYS_ADMIN		EACCES (0600 node),
 *								EPERM (capability)
 *	XLATE, XLATE_BATCH, XLATE_RANGE	CAP_SYS_ADMIN		EPERM
 *	WRITE				CAP_SYS_RAWIO		EPERM
 *	open /dev/reparent		root (0600 node)	EACCES
 *	join another user's process	CAP_SYS_ADMIN		EPERM
 *	write /proc/hello_procfs	nobody may		EIO (root), EACCES
 *	write a module parameter	nobody may (0444)	EACCES
 *
 * Each operation runs in a child that takes the identity first; the fds
 * it uses were opened by root before, where that is the point.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"
#include "kmod.h"
#include "modules.h"
#include "physmem_ioc.h"
#include "2_II/reparent.h"

#define NOBODY 65534

enum who { ROOT, NOBODY_UID, NOCAP };

static const char *const who_name[] = { "root", "uid 65534", "root without" };

static int pfd, rfd; /* /dev/physmem and /dev/reparent, root's */
static uint64_t pinned; /* a paddr root's pfd pinned for writing */
static pid_t station_root, station_nobody, sleeper;
static enum who me; /* who the child running an operation is */

static const char *const cap_name[] = { [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
					[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
					[CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
					[CAP_DAC_OVERRIDE] =
						"CAP_DAC_OVERRIDE" };

/* Drop @cap from every set of this process, bounding set included. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3
	};
	struct __user_cap_data_struct d[2];
	unsigned int bit = 1U << (cap % 32);

	if (prctl(PR_CAPBSET_DROP, cap) || syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~bit;
	d[cap / 32].permitted &= ~bit;
	d[cap / 32].inheritable &= ~bit;
	return syscall(SYS_capset, &h, d);
}

static int become(enum who w, int cap)
{
	if (w == NOBODY_UID)
		return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY);
	return w == NOCAP ? drop_cap(cap) : 0;
}

/*
 * Run @op as @w (without @cap for NOCAP) in a child.  Returns whether it
 * ran; its result (0 or -errno) in *@ret.  The answer comes through a
 * pipe: a child that joined a station is no longer ours to wait for.  A
 * child that could not change identity, or died, sends nothing.
 */
static int as(enum who w, int cap, int (*op)(const void *), const void *arg,
	      int *ret)
{
	int p[2], ran;
	pid_t pid;

	tap_require(!pipe(p), "a pipe to hear from the child");
	pid = fork();
	tap_require(pid >= 0, "fork a child to run as %s", who_name[w]);
	if (pid == 0) {
		me = w;
		if (become(w, cap))
			_exit(1);
		*ret = op(arg);
		_exit(write(p[1], ret, sizeof(*ret)) != sizeof(*ret));
	}
	close(p[1]);
	ran = read(p[0], ret, sizeof(*ret)) == sizeof(*ret);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return ran;
}

/* A system call's result as the helpers give theirs: 0 or -errno. */
static int err(int ret)
{
	return ret < 0 ? -errno : 0;
}

/* --- The operations. --------------------------------------------------- */

static int op_load(const void *arg)
{
	char params[64];

	snprintf(params, sizeof(params), "pid=%d vaddr=0x1000", sleeper);
	return kmod_load(arg, params);
}

static int op_unload(const void *arg)
{
	return kmod_unload(arg);
}

static int op_open(const void *arg)
{
	int fd = open(arg, O_RDWR);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int op_xlate(const void *arg)
{
	char byte = 1;

	(void)arg;
	return physmem_xlate(pfd, &byte, NULL);
}

static int op_batch(const void *arg)
{
	uint64_t va = (uintptr_t)&va;
	struct physmem_result res;

	(void)arg;
	return physmem_batch(pfd, &va, &res, 1);
}

static int op_range(const void *arg)
{
	uint64_t ent;

	(void)arg;
	return physmem_range(pfd, (void *)((uintptr_t)&ent & ~4095UL), &ent, 1);
}

static int op_write(const void *arg)
{
	(void)arg;
	return physmem_poke(pfd, pinned, 7);
}

/* Join a station owned by another user than the caller. */
static int op_join(const void *arg)
{
	struct reparent_req req = { .new_parent = me == NOBODY_UID ?
							  station_root :
							  station_nobody };

	(void)arg;
	return err(ioctl(rfd, REPARENT_IOC_SET_PARENT, &req));
}

static int op_write_file(const void *arg)
{
	int fd = open(arg, O_WRONLY), ret;

	if (fd < 0)
		return -errno;
	ret = err(write(fd, "1\n", 2));
	close(fd);
	return ret;
}

/* --- The matrix. ------------------------------------------------------- */

struct row {
	const char *what;
	int (*op)(const void *);
	const void *arg;
	int cap; /* the capability it needs, -1 if none */
	int want[3]; /* the errno as root, nobody, root - cap */
};

/* Check one row for @who; the module loads a root success leaves are undone. */
static void check_row(const struct row *r, enum who w)
{
	int got = 0, want = r->want[w], ran;

	if (w == NOCAP && r->cap < 0)
		return;
	ran = as(w, r->cap, r->op, r->arg, &got);
	if (!tap_ok(ran && got == -want, "%s%s%s: %s -> %s", who_name[w],
		    w == NOCAP ? " " : "", w == NOCAP ? cap_name[r->cap] : "",
		    r->what, want ? strerrorname_np(want) : "allowed"))
		tap_diag("got %s",
			 !ran ? "no answer (no identity change, or a crash)" :
				errno_name(-got));
}

static pid_t pauser(uid_t uid)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

int main(void)
{
	static char page[4096] __attribute__((aligned(4096)));
	struct kp_module ko[KP_MODULES_MAX];
	char what[96];
	int i, n;

	sleeper = pauser(0);
	station_root = pauser(0);
	station_nobody = pauser(NOBODY);

	/* Loading and unloading, for every module (tests/lib/modules.h). */
	n = kp_modules(ko);
	if (!tap_ok(n > 0, "the modules are there (*/*.ko)"))
		n = 0;
	for (i = 0; i < n; i++) {
		const char *mod = ko[i].name;
		struct row load = { what,
				    op_load,
				    ko[i].path,
				    CAP_SYS_MODULE,
				    { 0, EPERM, EPERM } };
		struct row unload = { what,
				      op_unload,
				      mod,
				      CAP_SYS_MODULE,
				      { 0, EPERM, EPERM } };

		snprintf(what, sizeof(what), "load %.63s", ko[i].path);
		check_row(&load, NOBODY_UID);
		check_row(&load, NOCAP);
		check_row(&load, ROOT);
		snprintf(what, sizeof(what), "unload %s", mod);
		check_row(&unload, NOBODY_UID);
		check_row(&unload, NOCAP);
		check_row(&unload, ROOT);
	}

	/* The devices and files, loaded by root and opened by root. */
	if (kmod_load("2_I/physmem.ko", "") ||
	    kmod_load("2_II/reparent.ko", "") ||
	    kmod_load("3/hello_procfs.ko", "") ||
	    kmod_load("1/lkm3.ko", "pid=1 vaddr=0x1000")) {
		tap_ok(0,
		       "load physmem, reparent, hello_procfs and lkm3 as root");
		return tap_done();
	}
	pfd = open("/dev/physmem", O_RDWR);
	rfd = open("/dev/reparent", O_RDWR);
	page[0] = 1;
	if (pfd < 0 || rfd < 0 || physmem_xlate(pfd, page, &pinned)) {
		tap_ok(0, "open the devices and pin a page as root");
		return tap_done();
	}
	{
		const struct row rows[] = {
			{ "open /dev/physmem",
			  op_open,
			  "/dev/physmem",
			  CAP_SYS_ADMIN,
			  { 0, EACCES, EPERM } },
			{ "XLATE on root's /dev/physmem",
			  op_xlate,
			  NULL,
			  CAP_SYS_ADMIN,
			  { 0, EPERM, EPERM } },
			{ "XLATE_BATCH on root's /dev/physmem",
			  op_batch,
			  NULL,
			  CAP_SYS_ADMIN,
			  { 0, EPERM, EPERM } },
			{ "XLATE_RANGE on root's /dev/physmem",
			  op_range,
			  NULL,
			  CAP_SYS_ADMIN,
			  { 0, EPERM, EPERM } },
			{ "WRITE on root's /dev/physmem",
			  op_write,
			  NULL,
			  CAP_SYS_RAWIO,
			  { 0, EPERM, EPERM } },
			{ "open /dev/reparent",
			  op_open,
			  "/dev/reparent",
			  -1,
			  { 0, EACCES, 0 } },
			{ "join another user's process on root's /dev/reparent",
			  op_join,
			  NULL,
			  CAP_SYS_ADMIN,
			  { 0, EPERM, EPERM } },
			{ "write /proc/hello_procfs",
			  op_write_file,
			  "/proc/hello_procfs",
			  CAP_DAC_OVERRIDE,
			  { EIO, EACCES, EACCES } },
			{ "write the parameter /sys/module/lkm3/parameters/pid",
			  op_write_file,
			  "/sys/module/lkm3/parameters/pid",
			  CAP_DAC_OVERRIDE,
			  { EACCES, EACCES, EACCES } },
		};

		for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
			check_row(&rows[i], NOBODY_UID);
			check_row(&rows[i], NOCAP);
			check_row(&rows[i], ROOT); /* last: it may join */
		}
	}
	/* The node's mode aside, the capability check in open() itself. */
	chmod("/dev/physmem", 0666);
	{
		const struct row r = { "open /dev/physmem (node made 0666)",
				       op_open,
				       "/dev/physmem",
				       CAP_SYS_ADMIN,
				       { 0, EPERM, EPERM } };

		check_row(&r, NOBODY_UID);
	}
	chmod("/dev/physmem", 0600);

	close(pfd);
	close(rfd);
	kill(station_root, SIGKILL);
	kill(station_nobody, SIGKILL);
	kill(sleeper, SIGKILL);
	while (wait(NULL) > 0)
		;
	tap_eq(!!kmod_unload("physmem") + !!kmod_unload("reparent") +
		       !!kmod_unload("hello_procfs") + !!kmod_unload("lkm3"),
	       0, "unload them again (how many unloads failed)");
	return tap_done();
}
