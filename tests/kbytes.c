// SPDX-License-Identifier: GPL-2.0
/*
 * kbytes SYMBOL N - print the first N bytes (at most 16) of the kernel's
 * code or data at SYMBOL, in hex, as the running kernel holds them now
 * (boot-time patching included).
 *
 * The address comes from /proc/kallsyms; the bytes from /proc/kcore, an
 * ELF core file of the kernel's memory: the PT_LOAD program header whose
 * virtual range holds the address gives the file offset to read.  Root
 * only (kcore needs CAP_SYS_RAWIO).  Used by tests/60-reparent.t to show
 * how kallsyms_lookup_name begins (ENDBR, its seal poison, or neither).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long symbol_address(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			fclose(f);
			return addr;
		}
	fclose(f);
	return 0;
}

/* The offset in kcore of the kernel address @addr, or -1. */
static off_t kcore_offset(int fd, unsigned long long addr, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  eh.e_phoff + (off_t)i * eh.e_phentsize) != sizeof(ph))
			return -1;
		if (ph.p_type == PT_LOAD && addr >= ph.p_vaddr &&
		    addr + len <= ph.p_vaddr + ph.p_filesz)
			return ph.p_offset + (addr - ph.p_vaddr);
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned char buf[16];
	unsigned long long addr;
	size_t i, n;
	off_t off;
	int fd;

	n = argc == 3 ? strtoul(argv[2], NULL, 0) : 0;
	if (n < 1 || n > sizeof(buf)) {
		fprintf(stderr, "usage: kbytes SYMBOL N  (1 <= N <= 16)\n");
		return 2;
	}
	addr = symbol_address(argv[1]);
	if (!addr) {
		fprintf(stderr,
			"kbytes: %s is not in /proc/kallsyms (or its address is hidden)\n",
			argv[1]);
		return 1;
	}
	fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kbytes: /proc/kcore: %s\n", strerror(errno));
		return 1;
	}
	off = kcore_offset(fd, addr, n);
	if (off < 0 || pread(fd, buf, n, off) != (ssize_t)n) {
		fprintf(stderr,
			"kbytes: cannot read %s (%#llx) from /proc/kcore\n",
			argv[1], addr);
		return 1;
	}
	for (i = 0; i < n; i++)
		printf("%s%02x", i ? " " : "", buf[i]);
	printf("\n");
	close(fd);
	return 0;
}
