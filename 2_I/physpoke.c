// SPDX-License-Identifier: GPL-2.0
/*
 * physpoke - change a byte of our own memory through its physical address.
 *
 * 1. malloc() one byte and store 6 in it;
 * 2. print its virtual address and value;
 * 3. ask /dev/physmem for its physical address (PHYSMEM_IOC_XLATE);
 * 4. store 5 at that physical address (PHYSMEM_IOC_WRITE);
 * 5. read the byte back through its virtual address.
 *
 * Exits 0 only if the byte now reads 5.  Needs root and physmem.ko loaded
 * (2_I/spock.sh does both).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "physmem.h"

#define DEVICE "/dev/physmem"

int main(void)
{
	struct physmem_xlate x = { 0 };
	struct physmem_write w = { 0 };
	volatile unsigned char *byte;
	int fd, ret = 1;

	byte = malloc(1);
	if (!byte) {
		fprintf(stderr, "physpoke: out of memory\n");
		return 1;
	}
	*byte = 6;
	printf("virtual address:  %p\n", (void *)byte);
	printf("value:            %d\n", *byte);

	fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "physpoke: cannot open %s: %s%s\n", DEVICE,
			strerror(errno),
			errno == ENOENT ? " (is physmem.ko loaded?)" :
			errno == EPERM || errno == EACCES ? " (run as root)" :
							    "");
		goto out;
	}
	x.vaddr = (unsigned long)byte;
	if (ioctl(fd, PHYSMEM_IOC_XLATE, &x)) {
		fprintf(stderr, "physpoke: PHYSMEM_IOC_XLATE: %s\n",
			strerror(errno));
		goto out_close;
	}
	printf("physical address: 0x%llx\n", (unsigned long long)x.paddr);

	w.paddr = x.paddr;
	w.value = 5;
	if (ioctl(fd, PHYSMEM_IOC_WRITE, &w)) {
		fprintf(stderr, "physpoke: PHYSMEM_IOC_WRITE: %s\n",
			strerror(errno));
		goto out_close;
	}
	printf("wrote 5 at 0x%llx\n", (unsigned long long)w.paddr);
	printf("value now:        %d\n", *byte);
	if (*byte == 5)
		ret = 0;
	else
		fprintf(stderr, "physpoke: the byte reads %d, not 5\n", *byte);
out_close:
	close(fd);
out:
	free((void *)byte);
	return ret;
}
