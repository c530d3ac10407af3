/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel: the code a lent CPU runs from INIT/SIPI to the entry of the
 * kernel loaded for its instance.
 *
 * This is not run where it is linked: the host copies it to the start of
 * the instance's conventional-memory slice, fills in the parameter block
 * (wake_tramp.h) and sends STARTUP with the slice's page number.  The CPU
 * starts in real mode with CS holding the slice's paragraph, says it
 * arrived, switches to protected mode on the block's flat GDT, enables
 * PAE paging on a table below 4 GiB that maps only the slice, enters long
 * mode, switches to the instance's own table (which maps the slice and
 * the instance's RAM, nothing of the host), and jumps to the kernel's
 * 64-bit entry with %rsi pointing at its boot_params, interrupts off, as
 * the 64-bit boot protocol asks.  %ebx holds the slice's address
 * throughout: nothing here has a stack.
 */

#include <linux/linkage.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "wake_tramp.h"

	.section .rodata, "a"
	.balign	16
SYM_DATA_START(mk_tramp)
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx
	movl	$1, MK_TP_ARRIVED
	lgdtl	MK_TP_GDT_DESC
	movl	%cr0, %eax
	orl	$X86_CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*MK_TP_PM32

	.code32
SYM_INNER_LABEL(mk_tramp_pm32, SYM_L_GLOBAL)
	movl	$MK_TP_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	MK_TP_CR3_32(%ebx), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$X86_CR0_PG, %eax
	movl	%eax, %cr0
	ljmpl	*MK_TP_LM64(%ebx)

	.code64
SYM_INNER_LABEL(mk_tramp_lm64, SYM_L_GLOBAL)
	movl	%ebx, %ebx
	movq	MK_TP_CR3(%rbx), %rax
	movq	MK_TP_ENTRY(%rbx), %rdx
	movq	MK_TP_BOOT_PARAMS(%rbx), %rsi
	movq	%rax, %cr3
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmp	*%rdx

	.org	MK_TP_GDT
	/* Accessed bits preset: nothing here could take the fault. */
	.quad	0
	.quad	0x00cf9b000000ffff	/* MK_TP_CS32: 32-bit code */
	.quad	0x00af9b000000ffff	/* MK_TP_CS64: 64-bit code */
	.quad	0x00cf93000000ffff	/* MK_TP_DS: data */
SYM_DATA_END_LABEL(mk_tramp, SYM_L_GLOBAL, mk_tramp_end)
