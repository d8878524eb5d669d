#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 1/hello.ko: load and unload messages, the whom= parameter, modinfo.
. tests/lib/tap.sh

ko=1/hello.ko

# load_unload WHOM [insmod args]: one load and unload, messages checked.
load_unload() {
	whom=$1
	shift
	klog_mark
	tap_run "insmod hello.ko${*:+ $*}" insmod "$ko" "$@"
	tap_like "$(klog_since)" "^\[ *[0-9.]+\] hello: Hello, $whom! \(module loaded\)$" \
		"load message greets $whom"
	tap_is "$(cat /sys/module/hello/parameters/whom 2>&1)" "$whom" \
		"/sys/module/hello/parameters/whom is $whom"
	klog_mark
	tap_run "rmmod hello" rmmod hello
	tap_like "$(klog_since)" "^\[ *[0-9.]+\] hello: Goodbye, $whom! \(module unloaded\)$" \
		"unload message bids $whom goodbye"
	tap_run "hello is gone from /sys/module after rmmod" test ! -e /sys/module/hello
}

load_unload world
load_unload KernelPeek whom=KernelPeek
load_unload world

info=$(modinfo hello 2>&1)
tap_like "$info" '^description: +Hello World: greets on load, says goodbye on unload$' "modinfo shows the description"
tap_like "$info" '^license: +GPL$' "modinfo shows the license"
tap_like "$info" '^parm: +whom:Who to greet on load and unload \(default: world\)$' "modinfo shows the whom parameter"

tap_done
