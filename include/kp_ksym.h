/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses of kernel objects that are not exported, found by name without
 * calling into the kernel through a pointer.  2_II/reparent needs
 * tasklist_lock; lkm3 and lkm4 need the table of swap areas (kp_swap.h).
 *
 * Only at load time (these sleep), and only by name: a module that finds
 * nothing must refuse to do what needs it, or say what it reports instead.
 */
#ifndef KP_KSYM_H
#define KP_KSYM_H

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/string.h>

/**
 * kp_ksym_var() - the address of the kernel variable @name, or 0
 * @name: the symbol
 * @size: the least size it must have, in bytes
 *
 * register_kprobe() resolves .symbol_name before it checks that the
 * address may be probed: _kprobe_addr() looks the name up with
 * kallsyms_lookup_name() and register_kprobe() stores the result in ->addr;
 * only then does check_kprobe_address_safe() refuse an address outside
 * kernel text with -EINVAL (kernel/kprobes.c, the same in 6.1 and 6.12).
 * For a variable that refusal is certain, and ->addr is the answer.  Its
 * name, printed back with %pS, must be @name at offset 0, or we refuse it.
 * register_kprobe() also refuses some functions with -EINVAL (blacklisted
 * ones, jump-label sites), so the size %pS prints must be at least @size:
 * a refused function that happened to bear the name is not taken for it.
 * Variables are in the symbol table only with CONFIG_KALLSYMS_ALL (Debian's
 * x86-64 kernels have it, its arm64 kernel does not).
 *
 * Calling kallsyms_lookup_name() itself through a pointer, as modules used
 * to, is not safe: it is never address-taken inside the kernel, so on a
 * kernel built with CONFIG_X86_KERNEL_IBT (Debian's 6.12) objtool seals it
 * and boot overwrites its ENDBR with a NOP (apply_seal_endbr() in
 * arch/x86/kernel/alternative.c), and an indirect call to it traps on a
 * CPU that enforces IBT.
 *
 * Context: process context, may sleep.
 */
static inline unsigned long kp_ksym_var(const char *name, size_t size)
{
	struct kprobe kp = { .symbol_name = name };
	char found[KSYM_SYMBOL_LEN];
	unsigned long len;
	int ret;

	if (!IS_ENABLED(CONFIG_KPROBES))
		return 0;
	ret = register_kprobe(&kp);
	if (!ret) {
		/* Text, so not the variable we asked for. */
		unregister_kprobe(&kp);
		return 0;
	}
	if (ret != -EINVAL || !kp.addr)
		return 0;
	/* "tasklist_lock+0x0/0x40": the symbol itself, not inside another. */
	snprintf(found, sizeof(found), "%pS", kp.addr);
	if (strncmp(found, name, strlen(name)) ||
	    strncmp(found + strlen(name), "+0x0/", 5))
		return 0;
	/* The size: "0x40" after the slash, up to the end or " [module]". */
	if (sscanf(found + strlen(name) + 5, "%lx", &len) != 1 || len < size)
		return 0;
	return (unsigned long)kp.addr;
}

/**
 * kp_ksym_text() - the address of kernel function @name, or 0
 * @name: the symbol
 *
 * register_kprobe() on a function succeeds, and ->addr is where it starts.
 * The probe is gone again before anyone reads that code.  For reading the
 * code (kp_text_data_refs()), never for calling it.
 *
 * Context: process context, may sleep.
 */
static inline unsigned long kp_ksym_text(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;

	if (!IS_ENABLED(CONFIG_KPROBES) || register_kprobe(&kp))
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

#endif /* KP_KSYM_H */
