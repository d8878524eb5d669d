#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kpeek's JSON documents, checked on the host with a real JSON parser.

tests/45-kpeek.t prints, in the guest, for each document
    # kpeek-json NAME EXPECT     (the truth it read from /proc, as JSON)
    # kpeek-doc DOCUMENT         (kpeek --json's output, one line)
and tests/check.sh runs this on the run's output.  Each document must be
valid UTF-8 and strict JSON (no duplicate keys, no NaN), have exactly the
keys of docs/kpeek.md's schema with their types (addresses and raw entries
"0x..." strings, every other number an integer), and equal the truth field
by field.  One TAP line per document; the failed fields as diagnostics.
"""
import json
import re
import sys

HEX = re.compile(r"^0x[0-9a-f]+$")


class Bad(Exception):
    pass


def strict_pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise Bad("duplicate keys: %s" % keys)
    return dict(pairs)


def reject_constant(c):
    raise Bad("not JSON: %s" % c)


def keys(obj, want, where, optional=()):
    if not isinstance(obj, dict):
        raise Bad("%s is not an object" % where)
    got = set(obj)
    if not set(want) <= got or not got <= set(want) | set(optional):
        raise Bad("%s has keys %s, wanted %s (and maybe %s)"
                  % (where, sorted(got), sorted(want), sorted(optional)))


def num(v, where):
    if type(v) is not int or v < 0:
        raise Bad("%s is %r, not a non-negative integer" % (where, v))
    return v


def addr(v, where):
    if not isinstance(v, str) or not HEX.match(v):
        raise Bad("%s is %r, not a 0x... string" % (where, v))
    return int(v, 16)


def text(v, where):
    if not isinstance(v, str):
        raise Bad("%s is %r, not a string" % (where, v))
    return v


def name(hexbytes):
    """The bytes /proc showed, as kpeek must give them: U+FFFD per byte
    that is not UTF-8 (the test's names make that one per byte)."""
    return bytes.fromhex(hexbytes).decode("utf-8", "replace")


def same(errors, what, got, want):
    if got != want:
        errors.append("%s: got %r, expected %r" % (what, got, want))


def check_runnable(doc, exp, errors):
    keys(doc, ["tasks", "runnable", "threads"], "the document")
    if not isinstance(doc["tasks"], list):
        raise Bad("tasks is not a list")
    seen = {}
    for i, t in enumerate(doc["tasks"]):
        keys(t, ["pid", "tid", "comm", "cpu"], "tasks[%d]" % i)
        num(t["pid"], "pid"), num(t["tid"], "tid"), text(t["comm"], "comm")
        if num(t["cpu"], "cpu") >= exp["cpus"]:
            errors.append("tasks[%d].cpu %d: the guest has %d CPUs"
                          % (i, t["cpu"], exp["cpus"]))
        seen[t["tid"]] = t
    same(errors, "runnable (the number of tasks)", num(doc["runnable"], "runnable"),
         len(doc["tasks"]))
    if num(doc["threads"], "threads") < doc["runnable"]:
        errors.append("threads %d < runnable %d" % (doc["threads"], doc["runnable"]))
    for pid, tid, comm in exp["has"]:
        if tid not in seen:
            errors.append("thread %d/%d is not listed" % (pid, tid))
            continue
        same(errors, "tid %d's pid" % tid, seen[tid]["pid"], pid)
        same(errors, "tid %d's comm" % tid, seen[tid]["comm"], name(comm))
    for pid in exp["absent"]:
        if any(t["pid"] == pid for t in doc["tasks"]):
            errors.append("pid %d is listed, but it sleeps" % pid)


def check_children(doc, exp, errors):
    keys(doc, ["pid", "comm", "children"], "the document")
    same(errors, "pid", num(doc["pid"], "pid"), exp["pid"])
    same(errors, "comm", text(doc["comm"], "comm"), name(exp["comm"]))
    if not isinstance(doc["children"], list):
        raise Bad("children is not a list")
    got = []
    for i, c in enumerate(doc["children"]):
        keys(c, ["pid", "comm", "state"], "children[%d]" % i)
        got.append([num(c["pid"], "pid"), text(c["state"], "state"),
                    text(c["comm"], "comm")])
    want = [[p, s, name(c)] for p, s, c in exp["children"]]
    same(errors, "children [pid, state, comm]", sorted(got), sorted(want))


LEVELS = ["pgd", "p4d", "pud", "pmd", "pte"]
# lkm3's flags by the architecture's names (include/kp_compat.h): each a
# boolean but arm64's ap (AP[2:1], a number: bit 0 user, bit 1 read-only);
# where the last entry keeps the frame (x86-64 bits 12-51; arm64 12-47,
# as its bit 51 is DBM); and what a page of ours shows: present (valid)
# and user.
FLAGS = {"x86_64": ["present", "writable", "user", "dirty", "accessed",
                    "huge", "nx"],
         "arm64": ["valid", "af", "ng", "ap", "dbm", "cont", "pxn", "uxn",
                   "huge"]}
FRAME_BITS = {"x86_64": 40, "arm64": 36}
DETAILS = {"swapped": ["swap_type", "swap_offset"], "migrating": ["pfn"],
           "device": ["pfn"], "hwpoison": ["pfn"], "other": ["entry"]}


# What lkm3 says of the page itself (docs/lkm3.md): a present page's
# flags (page-types' names of /proc/kpageflags' bits 0-26), counts and
# pagemap bits; a file mapping's path and offset; a swapped page's area;
# whether a page of a file mapping that is not present is cached.
PAGE = ["page_flags", "refcount", "mapcount", "exclusive", "soft_dirty"]
FILE = ["file", "file_offset"]
KPF_NAMES = ["locked", "error", "referenced", "uptodate", "dirty", "lru",
             "active", "slab", "writeback", "reclaim", "buddy", "mmap",
             "anonymous", "swapcache", "swapbacked", "compound_head",
             "compound_tail", "huge", "unevictable", "hwpoison", "nopage",
             "ksm", "thp", "offline", "zero_page", "idle_page", "pgtable"]


def check_page(doc, exp, errors):
    flags = doc["page_flags"]
    if not isinstance(flags, list) or \
            any(f not in KPF_NAMES for f in flags):
        raise Bad("page_flags %r are not page-types' names" % flags)
    for f in exp.get("page_flags", []):
        if f not in flags:
            errors.append("page_flags %r lack %s" % (flags, f))
    for k in ("exclusive", "soft_dirty"):
        if type(doc[k]) is not bool:
            errors.append("%s is not a boolean" % k)
    if num(doc["refcount"], "refcount") < num(doc["mapcount"], "mapcount"):
        errors.append("refcount %d < mapcount %d"
                      % (doc["refcount"], doc["mapcount"]))
    if "mapcount" in exp:
        same(errors, "mapcount (/proc/kpagecount)", doc["mapcount"],
             exp["mapcount"])


def check_v2p(doc, exp, errors):
    walk = ["levels"] if exp["walk"] else []
    if doc.get("present") is True:
        keys(doc, ["pid", "vaddr", "present", "paddr", "page_size"] + walk
             + PAGE, "the document", (["flags"] if walk else []) + FILE)
        same(errors, "paddr", addr(doc["paddr"], "paddr"), int(exp["paddr"], 16))
        same(errors, "page_size", num(doc["page_size"], "page_size"),
             exp["page_size"])
        check_page(doc, exp, errors)
    elif doc.get("present") is False:
        reason = text(doc.get("reason"), "reason")
        keys(doc, ["pid", "vaddr", "present", "reason"] + walk
             + DETAILS.get(reason, []), "the document",
             (["flags"] if walk else []) + FILE + ["cached", "swap_dev"])
        same(errors, "reason", reason, exp["reason"])
    else:
        raise Bad("present is %r, not true or false" % doc.get("present"))
    same(errors, "present", doc["present"], exp["present"])
    same(errors, "pid", num(doc["pid"], "pid"), exp["pid"])
    same(errors, "vaddr", addr(doc["vaddr"], "vaddr"), int(exp["vaddr"], 16))
    for k in ("file", "cached", "swap_dev"):
        if k in exp:
            same(errors, k, doc.get(k), exp[k])
    if "file_offset" in exp:
        same(errors, "file_offset", doc.get("file_offset"),
             exp["file_offset"])
    if not walk:
        return
    levels = doc["levels"]
    if not isinstance(levels, list):
        raise Bad("levels is not a list")
    for i, lv in enumerate(levels):
        keys(lv, ["level", "index", "entry"], "levels[%d]" % i)
        addr(lv["entry"], "levels[%d].entry" % i)
        if num(lv["index"], "index") >= 512:
            errors.append("levels[%d].index %d >= 512" % (i, lv["index"]))
    if exp["present"]:
        same(errors, "the levels", [lv["level"] for lv in levels], LEVELS)
        va = int(exp["vaddr"], 16)
        same(errors, "the indexes", [lv["index"] for lv in levels],
             [va >> s & 511 for s in (48, 39, 30, 21, 12)])
        flags = doc["flags"]
        arch = "arm64" if isinstance(flags, dict) and "valid" in flags \
            else "x86_64"
        last = int(levels[-1]["entry"], 16)
        same(errors, "the last entry's frame (bits 12-%d)"
             % (11 + FRAME_BITS[arch]),
             last >> 12 & (1 << FRAME_BITS[arch]) - 1,
             int(exp["paddr"], 16) >> 12)
        keys(flags, FLAGS[arch], "flags")
        for f in FLAGS[arch]:
            if f == "ap":
                if num(flags[f], "flags.ap") > 3:
                    errors.append("flags.ap %d > 3" % flags[f])
            elif type(flags[f]) is not bool:
                errors.append("flags.%s is not a boolean" % f)
        if arch == "arm64":
            same(errors, "flags.valid", flags["valid"], True)
            same(errors, "flags.ap's user bit", flags["ap"] & 1, 1)
        else:
            same(errors, "flags.present", flags["present"], True)
            same(errors, "flags.user", flags["user"], True)


# lkm4's smaps fields (docs/lkm4.md), as kpeek names them.  smaps shows
# Pss_Anon, Pss_File and Pss_Shmem only in smaps_rollup, not per VMA.
SMAPS = ["pss_kb", "pss_anon_kb", "pss_file_kb", "pss_shmem_kb",
         "shared_clean_kb", "shared_dirty_kb", "private_clean_kb",
         "private_dirty_kb", "anonymous_kb", "swap_kb", "swap_pss_kb",
         "uss_kb"]
PSS_KINDS = ["pss_anon_kb", "pss_file_kb", "pss_shmem_kb"]
PSS = ["pss_kb", "swap_pss_kb"] + PSS_KINDS


def check_pss_kinds(v, where, errors):
    """A VMA's Pss by kind, as smaps' Pss and Anonymous imply it: all
    anonymous when every page is (Anonymous = Rss), none when none is
    (then one file: all file or all shmem), else adding up to Pss less
    what the three truncations lose (under 1 kB each)."""
    a, f, s = (v[k] for k in PSS_KINDS)
    p = v["pss_kb"]
    if v["anonymous_kb"] == v["physical_kb"]:
        ok = (a, f, s) == (p, 0, 0)
    elif v["anonymous_kb"] == 0:
        ok = a == 0 and f + s == p and 0 in (f, s)
    else:
        ok = p - 2 <= a + f + s <= p
    if not ok:
        errors.append("%s: pss_anon_kb %d, pss_file_kb %d, pss_shmem_kb %d "
                      "do not fit pss_kb %d, anonymous_kb %d, physical_kb %d"
                      % (where, a, f, s, p, v["anonymous_kb"],
                         v["physical_kb"]))


def check_mem(doc, exp, errors):
    vmas = ["vmas"] if "vmas" in exp else []
    keys(doc, ["pid", "virtual_kb", "physical_kb"] + SMAPS + vmas,
         "the document")
    same(errors, "pid", num(doc["pid"], "pid"), exp["pid"])
    same(errors, "virtual_kb (VmSize)", num(doc["virtual_kb"], "virtual_kb"),
         exp["virtual_kb"])
    same(errors, "physical_kb (smaps_rollup)",
         num(doc["physical_kb"], "physical_kb"), exp["physical_kb"])
    for k in SMAPS:
        same(errors, "%s (smaps_rollup)" % k, num(doc[k], k), exp["smaps"][k])
    if not vmas:
        return
    got = []
    sums = dict.fromkeys(["virtual_kb", "physical_kb"] + SMAPS, 0)
    for i, v in enumerate(doc["vmas"]):
        where = "vmas[%d]" % i
        keys(v, ["start", "end", "perms", "backing", "virtual_kb",
                 "physical_kb"] + SMAPS, where)
        start, end = addr(v["start"], "start"), addr(v["end"], "end")
        same(errors, "%s.virtual_kb" % where,
             num(v["virtual_kb"], "virtual_kb"), (end - start) >> 10)
        for k in sums:
            sums[k] += num(v[k], k)
        want = exp["vma_smaps"].get(v["start"], {})
        for k in SMAPS:
            if k not in PSS_KINDS:
                same(errors, "%s.%s (smaps)" % (where, k), v[k], want.get(k))
        check_pss_kinds(v, where, errors)
        got.append([start, end, text(v["perms"], "perms"),
                    text(v["backing"], "backing")])
    want = [[int(s, 16), int(e, 16), p, b] for s, e, p, b in exp["vmas"]]
    same(errors, "the VMAs [start, end, perms, backing] (/proc/PID/maps)",
         got, want)
    # Bytes add up; each VMA's PSS is truncated apart, the summary's once.
    for k in sums:
        if k in PSS:
            if not sums[k] <= doc[k] <= sums[k] + len(doc["vmas"]):
                errors.append("the VMAs' %s add up to %d, the summary's is "
                              "%d: not within the truncations"
                              % (k, sums[k], doc[k]))
        else:
            same(errors, "the VMAs' %s, added" % k, sums[k], doc[k])


def check_pgfaults(doc, exp, errors):
    keys(doc, ["pgfault", "pgmajfault"], "the document")
    for k in ("pgfault", "pgmajfault"):
        lo, hi = exp[k]
        if not lo <= num(doc[k], k) <= hi:
            errors.append("%s %d is not within /proc/vmstat's %d..%d"
                          % (k, doc[k], lo, hi))


CHECKS = {"runnable": check_runnable, "children": check_children,
          "v2p": check_v2p, "mem": check_mem, "pgfaults": check_pgfaults}


def check(name, expect, raw):
    errors = []
    try:
        exp = json.loads(expect)
        text_ = raw.decode("utf-8")
        doc = json.loads(text_, object_pairs_hook=strict_pairs,
                         parse_constant=reject_constant)
        CHECKS[name.split("-")[0]](doc, exp, errors)
    except (Bad, ValueError, KeyError, TypeError) as e:
        errors.append("%s: %s" % (type(e).__name__, e))
    return errors


def main():
    data = open(sys.argv[1], "rb").read().split(b"\n")
    n = failed = 0
    pending = None
    for line in data:
        line = line.rstrip(b"\r")
        if line.startswith(b"# kpeek-json "):
            pending = line[len(b"# kpeek-json "):].decode("ascii").split(" ", 1)
        elif line.startswith(b"# kpeek-doc ") and pending:
            name, expect = pending
            pending = None
            errors = check(name, expect, line[len(b"# kpeek-doc "):])
            n += 1
            what = "kpeek --json (%s): parsed by python3's json, schema and fields" % name
            if errors:
                failed += 1
                print("not ok - %s" % what)
                for e in errors:
                    print("# %s" % e)
            else:
                print("ok - %s" % what)
    if pending:
        print("not ok - kpeek --json (%s): the document is missing" % pending[0])
        failed += 1
    return failed


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
