#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 2_I/physmem.ko (/dev/physmem), physpoke and spock.sh.
. tests/lib/tap.sh
. tests/lib/swap.sh

tap_run "insmod physmem.ko" insmod 2_I/physmem.ko
tap_is "$(stat -c '%F %a %U' /dev/physmem 2>&1)" "character special file 600 root" \
	"/dev/physmem appears by itself: a character device, 0600, root"
tap_run "swap on zram for the swapped-page check" swap_on
tap_prog tests/physmem
swap_off
tap_prog tests/physmem stress
tap_prog tests/physmem threads "${KP_STORM_SECONDS:-5}"
# A file on the guest's ext4 disk (vm/init mounts it at $KP_DISK).
tap_prog tests/physmem disk "$KP_DISK"
tap_prog tests/physmem memlock
tap_prog tests/physmem killable

exec 3</dev/physmem
tap_fails_with "rmmod while a file is open: EWOULDBLOCK" \
	"Resource temporarily unavailable" rmmod physmem
exec 3<&-
tap_run "rmmod after close" rmmod physmem
tap_run "/dev/physmem is gone" test ! -e /dev/physmem

out=$(sh 2_I/spock.sh 2>&1)
status=$?
tap_is "$status" 0 "spock.sh exits 0"
tap_like "$out" "^value now: +5$" "  ... physpoke's byte went from 6 to 5"
tap_run "  ... and the driver is unloaded again" test ! -e /sys/module/physmem

# spock.sh with a physpoke that fails: its status, and no driver left.
mkdir -p /tmp/spock
cp 2_I/spock.sh 2_I/physmem.ko /tmp/spock/
printf '#!/bin/sh\necho failing on purpose >&2\nexit 3\n' >/tmp/spock/physpoke
chmod +x /tmp/spock/physpoke
sh /tmp/spock/spock.sh >/dev/null 2>&1
tap_is "$?" 3 "spock.sh exits with physpoke's status when it fails"
tap_run "  ... and still unloads the driver" test ! -e /sys/module/physmem
rm -rf /tmp/spock
tap_done
