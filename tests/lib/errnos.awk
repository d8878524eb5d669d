# SPDX-License-Identifier: GPL-2.0
#
# The "Errors" list of a uapi header's comment (2_I/physmem.h,
# 2_II/reparent.h), one line per entry: "ERRNO<tab>its text".  An entry
# starts with " *   ENAME", its text goes on over the lines indented
# further; the list ends with the comment.  Used by tests/host/errnos.t
# (the manuals against the headers) and tests/Makefile (the fuzzer's
# list of documented errnos), so that the header is the one list.
/^ \* Errors/ { on = 1; next }
on && /^ \*\/$/ { on = 0 }
!on { next }
/^ \*   E[A-Z0-9]+ / {
	if (e != "")
		print e "\t" t
	e = $2
	t = $0
	next
}
{ sub(/^ \*[ \t]*/, ""); t = t " " $0 }
END { if (e != "") print e "\t" t }
