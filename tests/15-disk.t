#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's disk (vm/run.sh builds it, vm/init mounts it at $KP_DISK):
# a virtio disk, ext4, mounted read-write, holding the host's file, and
# data written to it is read back from the disk, not from the page cache.
. tests/lib/tap.sh

# sectors N: field N of /sys/block/vda/stat (3: sectors read, 7: written).
sectors() {
	awk -v n="$1" '{ print $n }' /sys/block/vda/stat
}

tap_is "${KP_DISK:-}" /mnt/disk "vm/init exports KP_DISK=/mnt/disk"
tap_run "/dev/vda is a block device" test -b /dev/vda
tap_like "$(cat /sys/block/vda/device/uevent 2>&1)" "^DRIVER=virtio_blk$" \
	"  ... driven by virtio_blk"
mnt=$(grep "^/dev/vda $KP_DISK " /proc/mounts)
case $mnt in
"/dev/vda $KP_DISK ext4 rw,"*)
	tap_pass "/dev/vda is mounted on $KP_DISK: ext4, read-write" ;;
*)
	tap_fail "/dev/vda is mounted on $KP_DISK: ext4, read-write" \
		"got: '$mnt'" "what vm/init said:" \
		"$(dmesg | grep 'kernelpeek: init: the disk')" ;;
esac
tap_is "$(cat "$KP_DISK/host-file" 2>&1)" "written on the host by vm/run.sh" \
	"the file mke2fs -d put there on the host reads back"

# 1 MiB written and synced, the page cache dropped, read back: the bytes
# are the same and the disk really was read (its counter grew by the file).
f=$KP_DISK/15-disk.bin
dd if=/dev/urandom of=/tmp/15-disk.bin bs=64k count=16 2>/dev/null
want=$(md5sum </tmp/15-disk.bin)
written=$(sectors 7)
cp /tmp/15-disk.bin "$f" && sync
tap_run "1 MiB written and synced: the disk wrote at least 2048 sectors" \
	test $(($(sectors 7) - written)) -ge 2048
echo 3 >/proc/sys/vm/drop_caches
read=$(sectors 3)
got=$(md5sum <"$f")
read=$(($(sectors 3) - read))
tap_is "$got" "$want" "after drop_caches the file reads back the same"
tap_run "  ... read from the disk: $read sectors read, at least 2048 wanted" \
	test "$read" -ge 2048
rm -f "$f" /tmp/15-disk.bin
tap_done
