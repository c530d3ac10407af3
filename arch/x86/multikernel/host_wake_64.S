/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel: the first instructions a lent CPU runs on its way into a
 * spawned kernel.
 *
 * The host wakes the CPU with INIT/SIPI into its own real-mode trampoline,
 * which switches to long mode on trampoline_pgd and jumps to
 * trampoline_header->start; for this one wake-up that is mk_wake_stub
 * instead of secondary_startup_64.  The stub runs in the kernel mapping with
 * no usable stack and interrupts off.  It reads its parameters, tells the
 * host it arrived, releases the trampoline lock (as secondary_startup_64
 * does), loads a flat GDT (0x10 code, 0x18 data, as the 64-bit boot protocol
 * asks), switches to an identity page table over the instance's memory that
 * also maps the kernel text it runs from, and jumps to the new kernel's
 * 64-bit entry with %rsi pointing at its boot_params.
 */

#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>

	.text
SYM_CODE_START(mk_wake_stub)
	UNWIND_HINT_END_OF_STACK
	ANNOTATE_NOENDBR
	movq	mk_wake_cr3(%rip), %rax
	movq	mk_wake_entry(%rip), %rdx
	movq	mk_wake_boot_params(%rip), %rsi
	movl	$1, mk_wake_arrived(%rip)

	movq	trampoline_lock(%rip), %rcx
	movl	$0, (%rcx)

	lgdt	mk_wake_gdt_desc(%rip)
	movq	%rax, %cr3
	movl	$0x18, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	movl	%ecx, %ss
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rdx
SYM_CODE_END(mk_wake_stub)

	/*
	 * Accessed bits preset: loading a selector would otherwise make the
	 * CPU write them, and the stub has no exception handler at all.
	 */
	.data
	.balign	16
SYM_DATA_START_LOCAL(mk_wake_gdt)
	.quad	0
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf93000000ffff	/* 0x18: data */
SYM_DATA_END_LABEL(mk_wake_gdt, SYM_L_LOCAL, mk_wake_gdt_end)

SYM_DATA_START_LOCAL(mk_wake_gdt_desc)
	.word	mk_wake_gdt_end - mk_wake_gdt - 1
	.quad	mk_wake_gdt
SYM_DATA_END(mk_wake_gdt_desc)
